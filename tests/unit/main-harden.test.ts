import { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { hardenWebContents, type WebContentsLike } from '../../app/main/harden.ts';
import { isSafeExternalUrl, safeOpenExternal, setExternalOpener } from '../../app/main/external.ts';
import { buildMenuTemplate } from '../../app/main/menu.ts';

/** A fake webContents: an EventEmitter plus a recorded window-open handler. */
function fakeContents() {
  const emitter = new EventEmitter();
  let openHandler: ((details: { url: string }) => { action: string }) | null = null;
  const contents = {
    on: (event: string, listener: (...args: unknown[]) => void) => {
      emitter.on(event, listener);
      return contents;
    },
    setWindowOpenHandler: (h: (details: { url: string }) => { action: string }) => {
      openHandler = h;
    },
  };
  const navigate = (event: string, url: string) => {
    let prevented = false;
    emitter.emit(event, { url, preventDefault: () => (prevented = true) });
    return prevented;
  };
  return {
    contents: contents as unknown as WebContentsLike,
    emitter,
    navigate,
    open: (url: string) => openHandler!({ url }),
  };
}

function harden() {
  const fake = fakeContents();
  const opened: string[] = [];
  const log: string[] = [];
  hardenWebContents(fake.contents, {
    appOrigin: 'app://bundle',
    isSafeExternal: isSafeExternalUrl,
    openInBrowser: async (url) => opened.push(url),
    log: (m) => log.push(m),
  });
  return { ...fake, opened, log };
}

describe('hardenWebContents', () => {
  it.each(['will-navigate', 'will-frame-navigate', 'will-redirect'])(
    '%s: blocks foreign URLs, lets the app origin through',
    (event) => {
      const h = harden();
      expect(h.navigate(event, 'https://example.com/')).toBe(true);
      expect(h.navigate(event, 'file:///etc/passwd')).toBe(true);
      expect(h.navigate(event, 'app://bundle.evil/index.html')).toBe(true);
      expect(h.navigate(event, 'javascript:alert(1)')).toBe(true);
      expect(h.navigate(event, 'app://bundle/index.html#/vms')).toBe(false);
      expect(h.log.filter((m) => m.startsWith('blocked'))).toHaveLength(4);
    },
  );

  it('blocks every <webview>', () => {
    const h = harden();
    let prevented = false;
    h.emitter.emit(
      'will-attach-webview',
      { preventDefault: () => (prevented = true) },
      {},
      { src: 'app://bundle/' },
    );
    expect(prevented).toBe(true);
  });

  it('denies every new window; safe https links go to the system browser', () => {
    const h = harden();
    expect(h.open('https://www.virtualbox.org/manual/')).toEqual({ action: 'deny' });
    expect(h.open('file:///C:/x.exe')).toEqual({ action: 'deny' });
    expect(h.open('app://bundle/index.html')).toEqual({ action: 'deny' });
    expect(h.open('http://example.com/')).toEqual({ action: 'deny' });
    expect(h.opened).toEqual(['https://www.virtualbox.org/manual/']);
  });
});

describe('safeOpenExternal', () => {
  afterEach(() => setExternalOpener(null));

  it('hands only safe URLs to the opener', async () => {
    const calls: string[] = [];
    setExternalOpener({ openExternal: async (url: string) => void calls.push(url) });
    expect(await safeOpenExternal('https://www.virtualbox.org/')).toBe(true);
    expect(await safeOpenExternal('file:///etc/passwd')).toBe(false);
    expect(await safeOpenExternal('\\\\evil\\share\\x.exe')).toBe(false);
    expect(await safeOpenExternal('ms-msdt:/id x')).toBe(false);
    expect(calls).toEqual(['https://www.virtualbox.org/']);
  });

  it('throws for a safe URL when no opener is installed', async () => {
    await expect(safeOpenExternal('https://www.virtualbox.org/')).rejects.toThrow(/no opener installed/);
    expect(await safeOpenExternal('file:///x')).toBe(false);
  });
});

describe('menu', () => {
  type MenuItemConstructorOptions = ReturnType<typeof buildMenuTemplate>[number];
  const roles = (t: MenuItemConstructorOptions[]): string[] =>
    t.flatMap((m) => [m.role ?? '', ...(Array.isArray(m.submenu) ? roles(m.submenu) : [])]).filter(Boolean);

  it('has no DevTools or reload in production', () => {
    for (const platform of ['linux', 'win32', 'darwin'] as const) {
      const r = roles(buildMenuTemplate({ platform, dev: false, appName: 'VM Companion' }));
      expect(r).not.toContain('toggleDevTools');
      expect(r).not.toContain('reload');
      expect(r).toContain('quit');
      expect(r).toContain('copy');
    }
  });

  it('adds them in development', () => {
    const r = roles(buildMenuTemplate({ platform: 'linux', dev: true, appName: 'VM Companion' }));
    expect(r).toContain('toggleDevTools');
    expect(r).toContain('reload');
  });

  it('starts with the app menu on macOS', () => {
    const t = buildMenuTemplate({ platform: 'darwin', dev: false, appName: 'VM Companion' });
    expect(t[0].label).toBe('VM Companion');
    expect(buildMenuTemplate({ platform: 'linux', dev: false, appName: 'VM Companion' })[0].label).toBe(
      '&File',
    );
  });
});

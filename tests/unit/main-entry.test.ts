/**
 * Wiring of the Electron main entry (app/main/index.ts), loaded with a fake `electron` module
 * (vi.mock: the real package is never loaded). Checks the start-up order and what gets
 * registered: privileged scheme and sandbox before `ready`, permission handlers, the app:
 * protocol, IPC for every channel, the window's web preferences and URL, the menu, the
 * web-contents guards and the external opener.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { CHANNELS } from '../../app/shared/contract.ts';
import { CONTENT_SECURITY_POLICY } from '../../app/main/security.ts';
import { safeOpenExternal } from '../../app/main/external.ts';

const fake = vi.hoisted(() => {
  const calls: string[] = [];
  const state = { userData: '', ready: () => {} };
  const readyPromise = new Promise<void>((resolve) => (state.ready = resolve));
  const appEvents = new Map<string, (...args: unknown[]) => void>();
  const ipc = new Map<string, (event: unknown, ...args: unknown[]) => unknown>();
  const protocolHandlers = new Map<string, (req: { url: string; method: string }) => Response>();
  const schemes: unknown[] = [];
  const windows: { opts: Record<string, unknown>; url?: string }[] = [];
  const opened: string[] = [];
  const perms: { request?: (...a: unknown[]) => void; check?: (...a: unknown[]) => boolean } = {};
  const menus: unknown[] = [];
  const paths: Record<string, string> = {};
  class BrowserWindow {
    opts: Record<string, unknown>;
    url?: string;
    webContents = {};
    constructor(opts: Record<string, unknown>) {
      this.opts = opts;
      windows.push(this);
      calls.push('new BrowserWindow');
    }
    once(): void {}
    on(): void {}
    show(): void {}
    focus(): void {}
    restore(): void {}
    isMinimized(): boolean {
      return false;
    }
    loadURL(url: string): Promise<void> {
      this.url = url;
      calls.push(`loadURL ${url}`);
      return Promise.resolve();
    }
    static getAllWindows(): unknown[] {
      return windows;
    }
  }
  const electron = {
    app: {
      isPackaged: false,
      commandLine: { getSwitchValue: (name: string) => (name === 'user-data-dir' ? state.userData : '') },
      setPath: (name: string, value: string) => {
        calls.push(`setPath ${name}`);
        paths[name] = value;
      },
      getPath: (name: string) => paths[name],
      enableSandbox: () => calls.push('enableSandbox'),
      requestSingleInstanceLock: () => {
        calls.push('requestSingleInstanceLock');
        return true;
      },
      on: (event: string, fn: (...args: unknown[]) => void) => appEvents.set(event, fn),
      whenReady: () => {
        calls.push('whenReady');
        return readyPromise;
      },
      isReady: () => true,
      getPreferredSystemLanguages: () => ['zh-CN'],
      getLocale: () => 'en-US',
      getVersion: () => '0.1.0',
      quit: () => calls.push('quit'),
      exit: (code: number) => calls.push(`exit ${code}`),
    },
    BrowserWindow,
    dialog: { showErrorBox: (title: string, text: string) => calls.push(`error ${title}: ${text}`) },
    ipcMain: {
      handle: (channel: string, fn: (event: unknown, ...args: unknown[]) => unknown) => ipc.set(channel, fn),
      removeHandler: (channel: string) => ipc.delete(channel),
    },
    Menu: {
      buildFromTemplate: (t: unknown) => t,
      setApplicationMenu: (m: unknown) => menus.push(m),
    },
    protocol: {
      registerSchemesAsPrivileged: (s: unknown[]) => {
        calls.push('registerSchemesAsPrivileged');
        schemes.push(...s);
      },
      handle: (scheme: string, fn: (req: { url: string; method: string }) => Response) =>
        protocolHandlers.set(scheme, fn),
    },
    session: {
      defaultSession: {
        setPermissionRequestHandler: (fn: (...a: unknown[]) => void) => (perms.request = fn),
        setPermissionCheckHandler: (fn: (...a: unknown[]) => boolean) => (perms.check = fn),
      },
    },
    shell: { openExternal: async (url: string) => void opened.push(url) },
  };
  return { calls, state, appEvents, ipc, protocolHandlers, schemes, windows, opened, perms, menus, electron };
});

vi.mock('electron', () => fake.electron);

let userData: string;

beforeAll(async () => {
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-main-'));
  fake.state.userData = userData;
  vi.stubEnv('ELECTRON_RENDERER_URL', '');
  vi.stubEnv('VM_COMPANION_DEVTOOLS', '');
  vi.stubEnv('VBOXMANAGE', '');
  await import('../../app/main/index.ts');
  expect(fake.windows).toHaveLength(0); // nothing before `ready`
  fake.state.ready();
  for (let i = 0; i < 20 && fake.windows.length === 0; i++) await new Promise((r) => setTimeout(r, 10));
});

afterAll(() => {
  fake.appEvents.get('will-quit')?.();
  vi.unstubAllEnvs();
  fs.rmSync(userData, { recursive: true, force: true });
});

describe('main entry wiring (fake electron)', () => {
  it('registers the scheme, forces the sandbox and takes the lock before waiting for ready', () => {
    const order = (name: string) => fake.calls.indexOf(name);
    expect(order('registerSchemesAsPrivileged')).toBeGreaterThanOrEqual(0);
    expect(order('registerSchemesAsPrivileged')).toBeLessThan(order('whenReady'));
    expect(order('enableSandbox')).toBeLessThan(order('whenReady'));
    expect(order('setPath userData')).toBeLessThan(order('whenReady'));
    expect(order('requestSingleInstanceLock')).toBeLessThan(order('whenReady'));
    expect(fake.schemes).toEqual([
      { scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true } },
    ]);
    expect(fake.calls.some((c) => c.startsWith('error'))).toBe(false);
  });

  it('opens one sandboxed window on app://bundle/index.html', () => {
    expect(fake.windows).toHaveLength(1);
    const w = fake.windows[0];
    expect(w.url).toBe('app://bundle/index.html');
    const prefs = w.opts.webPreferences as Record<string, unknown>;
    expect(prefs).toMatchObject({
      sandbox: true,
      contextIsolation: true,
      nodeIntegration: false,
      webviewTag: false,
      devTools: false,
      spellcheck: false,
    });
    expect(String(prefs.preload).endsWith(path.join('preload', 'index.cjs'))).toBe(true);
    expect(path.isAbsolute(String(prefs.preload))).toBe(true);
  });

  it('denies permission requests and checks (clipboard writes only for the app itself)', () => {
    const clip: boolean[] = [];
    fake.perms.request!({}, 'clipboard-sanitized-write', (ok: boolean) => clip.push(ok), {
      requestingUrl: 'app://bundle/index.html',
    });
    fake.perms.request!({}, 'clipboard-sanitized-write', (ok: boolean) => clip.push(ok), {
      requestingUrl: 'https://evil.example/',
    });
    clip.push(fake.perms.check!({}, 'clipboard-sanitized-write', 'app://bundle') as boolean);
    expect(clip).toEqual([true, false, true]);
    const answers: boolean[] = [];
    for (const p of ['media', 'geolocation', 'notifications']) {
      fake.perms.request!({}, p, (ok: boolean) => answers.push(ok), {
        requestingUrl: 'app://bundle/index.html',
      });
      answers.push(fake.perms.check!({}, p, 'app://bundle') as boolean);
    }
    expect(answers).toEqual([false, false, false, false, false, false]);
  });

  it('serves app: with the CSP header and refuses traversal', async () => {
    const handler = fake.protocolHandlers.get('app')!;
    const traversal = handler({ url: 'app://bundle/..%2f..%2fpackage.json', method: 'GET' });
    expect(traversal.status).toBe(404);
    expect(traversal.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(await traversal.text()).toBe('Not found');
    expect(handler({ url: 'app://bundle/index.html', method: 'POST' }).status).toBe(405);
  });

  it('registers every contract channel, sender-checked, backed by the store in userData', async () => {
    expect([...fake.ipc.keys()].sort()).toEqual([...CHANNELS].sort());
    const info = await fake.ipc.get('app:info')!({
      senderFrame: { url: 'app://bundle/index.html', parent: null },
    });
    expect(info).toEqual({
      ok: true,
      value: { version: '0.1.0', mode: 'electron', systemLocale: 'zh-CN', dataDir: path.resolve(userData) },
    });
    const refused = await fake.ipc.get('prefs:get')!({
      senderFrame: { url: 'https://evil.example/', parent: null },
    });
    expect(refused).toMatchObject({ ok: false, status: 403 });
    const saved = await fake.ipc.get('prefs:set')!(
      { senderFrame: { url: 'app://bundle/', parent: null } },
      { language: 'zh-CN' },
    );
    expect(saved).toMatchObject({ ok: true, value: { language: 'zh-CN' } });
    expect(fs.readdirSync(userData).some((f) => f.endsWith('.db') || f.endsWith('.sqlite'))).toBe(true);
  });

  it('sets a menu without DevTools', () => {
    expect(fake.menus).toHaveLength(1);
    expect(JSON.stringify(fake.menus[0])).not.toContain('toggleDevTools');
  });

  it('guards every new webContents and installs the external opener', async () => {
    const events: string[] = [];
    let openHandler: ((d: { url: string }) => unknown) | undefined;
    fake.appEvents.get('web-contents-created')!(
      {},
      {
        on: (event: string) => events.push(event),
        setWindowOpenHandler: (h: (d: { url: string }) => unknown) => (openHandler = h),
      },
    );
    expect(events.sort()).toEqual([
      'will-attach-webview',
      'will-frame-navigate',
      'will-navigate',
      'will-redirect',
    ]);
    expect(openHandler!({ url: 'https://www.virtualbox.org/' })).toEqual({ action: 'deny' });
    await new Promise((r) => setTimeout(r, 0));
    expect(await safeOpenExternal('file:///etc/passwd')).toBe(false);
    expect(fake.opened).toEqual(['https://www.virtualbox.org/']);
  });
});

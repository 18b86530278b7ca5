import { describe, expect, it } from 'vitest';
import { defaultDataDir } from '../../app/core/paths.ts';

describe('defaultDataDir', () => {
  it('Linux: XDG_DATA_HOME when absolute, else ~/.local/share', () => {
    expect(defaultDataDir('linux', { XDG_DATA_HOME: '/data/xdg' }, '/home/ann')).toBe(
      '/data/xdg/vm-companion',
    );
    expect(defaultDataDir('linux', {}, '/home/ann')).toBe('/home/ann/.local/share/vm-companion');
    expect(defaultDataDir('linux', { XDG_DATA_HOME: '' }, '/home/ann')).toBe(
      '/home/ann/.local/share/vm-companion',
    );
    // relative XDG paths are invalid per the XDG spec and ignored
    expect(defaultDataDir('linux', { XDG_DATA_HOME: 'rel/dir' }, '/home/ann')).toBe(
      '/home/ann/.local/share/vm-companion',
    );
    expect(defaultDataDir('freebsd', {}, '/home/ann')).toBe('/home/ann/.local/share/vm-companion');
  });

  it('macOS: ~/Library/Application Support', () => {
    expect(defaultDataDir('darwin', { XDG_DATA_HOME: '/x' }, '/Users/ann')).toBe(
      '/Users/ann/Library/Application Support/vm-companion',
    );
  });

  it('Windows: %APPDATA%, else <home>\\AppData\\Roaming', () => {
    expect(defaultDataDir('win32', { APPDATA: 'C:\\Users\\ann\\AppData\\Roaming' }, 'C:\\Users\\ann')).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\vm-companion',
    );
    expect(defaultDataDir('win32', {}, 'C:\\Users\\ann')).toBe(
      'C:\\Users\\ann\\AppData\\Roaming\\vm-companion',
    );
  });

  it('VM_COMPANION_DATA_DIR overrides on every platform', () => {
    for (const p of ['linux', 'darwin', 'win32'] as const) {
      expect(defaultDataDir(p, { VM_COMPANION_DATA_DIR: '/tmp/vmc', APPDATA: 'C:\\x' }, '/home/ann')).toBe(
        '/tmp/vmc',
      );
    }
  });
});

import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultIsExecutable, locateVBoxManage, vboxManageCandidates } from '../../app/core/vbox/locate.ts';

/** An isExecutable that accepts exactly the given paths. */
function only(...paths: string[]): (p: string) => Promise<boolean> {
  const set = new Set(paths);
  return async (p) => set.has(p);
}

describe('locateVBoxManage on Windows', () => {
  const env = {
    ProgramW6432: 'C:\\Program Files',
    ProgramFiles: 'C:\\Program Files (x86)',
    Path: 'C:\\Windows\\system32;relative\\bin;D:\\Tools',
  };

  it('finds the standard install under %ProgramW6432% and lists what it tried first', async () => {
    const r = await locateVBoxManage({
      platform: 'win32',
      env,
      isExecutable: only('C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe'),
    });
    expect(r).toEqual({
      path: 'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
      via: 'standard',
      tried: ['C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe'],
    });
  });

  it('prefers VBOX_MSI_INSTALL_PATH (trailing backslash, ;-list) over VBOX_INSTALL_PATH and the standard path', async () => {
    const r = await locateVBoxManage({
      platform: 'win32',
      env: {
        ...env,
        VBOX_MSI_INSTALL_PATH: 'E:\\Apps\\VirtualBox\\;F:\\VB\\',
        VBOX_INSTALL_PATH: 'G:\\Old\\',
      },
      isExecutable: only(
        'F:\\VB\\VBoxManage.exe',
        'G:\\Old\\VBoxManage.exe',
        'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
      ),
    });
    expect(r.path).toBe('F:\\VB\\VBoxManage.exe');
    expect(r.via).toBe('env');
    expect(r.tried).toEqual(['E:\\Apps\\VirtualBox\\VBoxManage.exe', 'F:\\VB\\VBoxManage.exe']);
  });

  it('reads environment names case-insensitively and strips quotes from list entries', async () => {
    const r = await locateVBoxManage({
      platform: 'win32',
      env: { vbox_install_path: '"H:\\Virtual Box"' },
      isExecutable: only('H:\\Virtual Box\\VBoxManage.exe'),
    });
    expect(r).toMatchObject({ path: 'H:\\Virtual Box\\VBoxManage.exe', via: 'env' });
  });

  it('falls back to absolute PATH entries only, once per folder (file names are case-insensitive)', async () => {
    const r = await locateVBoxManage({
      platform: 'win32',
      env,
      isExecutable: only('D:\\Tools\\VBoxManage.exe'),
    });
    expect(r.via).toBe('path');
    expect(r.tried).toEqual([
      'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
      'C:\\Program Files (x86)\\Oracle\\VirtualBox\\VBoxManage.exe',
      'C:\\Windows\\system32\\VBoxManage.exe',
      'D:\\Tools\\VBoxManage.exe',
    ]);
  });

  it('uses C:\\Program Files when no ProgramFiles variable is set, and reports every path when nothing is found', async () => {
    const r = await locateVBoxManage({ platform: 'win32', env: {}, isExecutable: only() });
    expect(r.path).toBeUndefined();
    expect(r.via).toBeUndefined();
    expect(r.tried).toEqual(['C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe']);
  });

  it('accepts a user path to the folder as well as to the .exe, before anything else', async () => {
    const folder = await locateVBoxManage({
      platform: 'win32',
      env,
      userPath: 'D:\\Portable\\VirtualBox',
      isExecutable: only(
        'D:\\Portable\\VirtualBox\\VBoxManage.exe',
        'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
      ),
    });
    expect(folder).toEqual({
      path: 'D:\\Portable\\VirtualBox\\VBoxManage.exe',
      via: 'user',
      tried: ['D:\\Portable\\VirtualBox', 'D:\\Portable\\VirtualBox\\VBoxManage.exe'],
    });
    const exe = vboxManageCandidates({ platform: 'win32', env: {}, userPath: 'D:\\X\\vboxmanage.EXE' });
    expect(exe.filter((c) => c.via === 'user').map((c) => c.path)).toEqual(['D:\\X\\vboxmanage.EXE']);
  });
});

describe('locateVBoxManage on macOS', () => {
  it('checks /usr/local/bin, then the app bundle', async () => {
    const r = await locateVBoxManage({
      platform: 'darwin',
      env: { PATH: '/usr/bin:/bin' },
      isExecutable: only('/Applications/VirtualBox.app/Contents/MacOS/VBoxManage'),
    });
    expect(r).toEqual({
      path: '/Applications/VirtualBox.app/Contents/MacOS/VBoxManage',
      via: 'standard',
      tried: ['/usr/local/bin/VBoxManage', '/Applications/VirtualBox.app/Contents/MacOS/VBoxManage'],
    });
  });

  it('tries both spellings in PATH folders (GUI apps get a short PATH, so this comes last)', async () => {
    const r = await locateVBoxManage({
      platform: 'darwin',
      env: { PATH: '/opt/homebrew/bin' },
      isExecutable: only('/opt/homebrew/bin/vboxmanage'),
    });
    expect(r.via).toBe('path');
    expect(r.tried.slice(-2)).toEqual(['/opt/homebrew/bin/VBoxManage', '/opt/homebrew/bin/vboxmanage']);
  });
});

describe('locateVBoxManage on Linux', () => {
  it('walks the standard locations in order', async () => {
    const candidates = vboxManageCandidates({ platform: 'linux', env: {} }).map((c) => c.path);
    expect(candidates).toEqual([
      '/usr/bin/VBoxManage',
      '/usr/lib/virtualbox/VBoxManage',
      '/usr/local/bin/VBoxManage',
      '/opt/VirtualBox/VBoxManage',
    ]);
    const r = await locateVBoxManage({
      platform: 'linux',
      env: {},
      isExecutable: only('/usr/lib/virtualbox/VBoxManage'),
    });
    expect(r).toMatchObject({ path: '/usr/lib/virtualbox/VBoxManage', via: 'standard' });
    expect(r.tried).toHaveLength(2);
  });

  it('uses VBOX_INSTALL_PATH (a :-list on Unix) before the standard paths', async () => {
    const r = await locateVBoxManage({
      platform: 'linux',
      env: { VBOX_INSTALL_PATH: '/srv/vbox:/opt/vb' },
      isExecutable: only('/opt/vb/VBoxManage', '/usr/bin/VBoxManage'),
    });
    expect(r).toMatchObject({ path: '/opt/vb/VBoxManage', via: 'env' });
  });

  it('skips relative PATH entries and does not repeat a path already tried', async () => {
    const candidates = vboxManageCandidates({
      platform: 'linux',
      env: { PATH: '.:bin:/usr/bin::/home/user/bin' },
    });
    const paths = candidates.map((c) => c.path);
    expect(paths.filter((p) => p === '/usr/bin/VBoxManage')).toHaveLength(1);
    expect(paths).toContain('/usr/bin/vboxmanage');
    expect(paths.some((p) => !p.startsWith('/'))).toBe(false);
    expect(paths.slice(-2)).toEqual(['/home/user/bin/VBoxManage', '/home/user/bin/vboxmanage']);
  });

  it('falls through a user path that is not executable and still finds the standard one', async () => {
    const r = await locateVBoxManage({
      platform: 'linux',
      env: {},
      userPath: '/home/user/VBoxManage',
      isExecutable: only('/usr/bin/VBoxManage'),
    });
    expect(r).toMatchObject({ path: '/usr/bin/VBoxManage', via: 'standard' });
    expect(r.tried[0]).toBe('/home/user/VBoxManage');
  });
});

describe('defaultIsExecutable', () => {
  it('accepts an executable file only (not a folder, not a plain file, not a missing path)', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vmc-locate-'));
    const exe = path.join(dir, 'VBoxManage');
    const plain = path.join(dir, 'notes.txt');
    writeFileSync(exe, '#!/bin/sh\n');
    chmodSync(exe, 0o755);
    writeFileSync(plain, 'x');
    chmodSync(plain, 0o644);
    mkdirSync(path.join(dir, 'folder'));
    expect(await defaultIsExecutable(exe)).toBe(true);
    expect(await defaultIsExecutable(plain)).toBe(false);
    expect(await defaultIsExecutable(path.join(dir, 'folder'))).toBe(false);
    expect(await defaultIsExecutable(path.join(dir, 'missing'))).toBe(false);
    const r = await locateVBoxManage({ platform: 'linux', env: {}, userPath: dir });
    expect(r).toMatchObject({ path: exe, via: 'user' });
  });
});

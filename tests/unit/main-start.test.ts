import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultElectronPlatformPath, findElectronBinary } from '../../scripts/start.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const electronDir = path.join(root, 'node_modules', 'electron');

describe('findElectronBinary (no require of electron)', () => {
  it('follows electron/package.json → path.txt → dist/<path.txt> in a fake install', () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-electron-'));
    try {
      const pkg = path.join(tmp, 'node_modules', 'electron');
      fs.mkdirSync(pkg, { recursive: true });
      fs.writeFileSync(path.join(tmp, 'package.json'), '{"name":"x"}');
      fs.writeFileSync(path.join(pkg, 'package.json'), '{"name":"electron","version":"45.5.0"}');
      const noPathTxt = findElectronBinary({ env: {}, fromDir: tmp });
      expect(noPathTxt.found).toBe(false);
      expect(noPathTxt.found ? '' : noPathTxt.reason).toBe(
        `${path.join(pkg, 'path.txt')} is missing, so the binary was never downloaded (electron >= 42 fetches it on first use)`,
      );
      fs.writeFileSync(path.join(pkg, 'path.txt'), 'electron');
      const noDist = findElectronBinary({ env: {}, fromDir: tmp });
      expect(noDist).toEqual({
        found: false,
        reason: `${path.join(pkg, 'dist', 'electron')} does not exist`,
      });
      fs.mkdirSync(path.join(pkg, 'dist'));
      fs.writeFileSync(path.join(pkg, 'dist', 'electron'), '');
      expect(findElectronBinary({ env: {}, fromDir: tmp })).toEqual({
        found: true,
        path: path.join(pkg, 'dist', 'electron'),
        via: 'electron package',
      });
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('agrees with the file system for this checkout', () => {
    const pathTxt = path.join(electronDir, 'path.txt');
    const r = findElectronBinary({ env: {} });
    if (!fs.existsSync(pathTxt)) {
      expect(r).toEqual({ found: false, reason: expect.stringContaining('path.txt is missing') });
    } else {
      const bin = path.join(electronDir, 'dist', fs.readFileSync(pathTxt, 'utf8').trim());
      expect(r.found).toBe(fs.existsSync(bin));
    }
  });

  it('honours ELECTRON_EXEC_PATH', () => {
    expect(
      findElectronBinary({
        env: { ELECTRON_EXEC_PATH: '/opt/electron/electron' },
        exists: (f) => f === '/opt/electron/electron',
      }),
    ).toEqual({
      found: true,
      path: '/opt/electron/electron',
      via: 'ELECTRON_EXEC_PATH',
    });
    const missing = findElectronBinary({
      env: { ELECTRON_EXEC_PATH: '/nope/electron' },
      exists: () => false,
    });
    expect(missing).toEqual({
      found: false,
      reason: 'ELECTRON_EXEC_PATH points to /nope/electron, which does not exist',
    });
  });

  it('honours ELECTRON_OVERRIDE_DIST_PATH with the platform executable name', () => {
    const linux = path.join('/opt/dist', 'electron');
    expect(
      findElectronBinary({
        env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/dist' },
        platform: 'linux',
        exists: (f) => f === linux,
      }),
    ).toEqual({ found: true, path: linux, via: 'ELECTRON_OVERRIDE_DIST_PATH' });
    const mac = findElectronBinary({
      env: { ELECTRON_OVERRIDE_DIST_PATH: '/opt/dist' },
      platform: 'darwin',
      exists: () => false,
    });
    expect(mac.found ? '' : mac.reason).toContain(
      path.join('/opt/dist', 'Electron.app/Contents/MacOS/Electron'),
    );
  });

  it('explains a missing electron package', () => {
    const r = findElectronBinary({ env: {}, fromDir: path.parse(root).root });
    expect(r).toEqual({ found: false, reason: 'the electron package is not installed in node_modules' });
  });

  it('knows each platform executable name', () => {
    expect(defaultElectronPlatformPath('linux')).toBe('electron');
    expect(defaultElectronPlatformPath('win32')).toBe('electron.exe');
    expect(defaultElectronPlatformPath('darwin')).toBe('Electron.app/Contents/MacOS/Electron');
  });
});

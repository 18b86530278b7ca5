/**
 * A program set as the VBoxManage path is checked before it gets any other verb: `--version` runs
 * first and alone and must print a VirtualBox version. A fake "VBoxManage" that logs its argv (and
 * its working folder) and prints junk is only ever run with `--version`, in the service and the CLI.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers } from '../../app/core/api/handlers.ts';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';

const root = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(root, 'bin', 'vm-companion.mjs');
const unix = process.platform !== 'win32';

let dir: string;
let store: Store;
let fake: string;
let log: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'version-first-'));
  store = openStore(path.join(dir, 'data'));
  log = path.join(dir, 'argv.log');
  fake = path.join(dir, 'VBoxManage');
  // Logs "<cwd>|<argv>" per call, prints junk, exits 0.
  fs.writeFileSync(
    fake,
    `#!/bin/sh\nprintf '%s|%s\\n' "$(pwd)" "$*" >> '${log}'\necho 'hello from a fake'\nexit 0\n`,
    { mode: 0o755 },
  );
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function calls(): { cwd: string; argv: string }[] {
  if (!fs.existsSync(log)) return [];
  return fs
    .readFileSync(log, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => ({ cwd: l.slice(0, l.indexOf('|')), argv: l.slice(l.indexOf('|') + 1) }));
}

const MESSAGE = (p: string): string => `${p} is not VBoxManage: \`--version\` printed "hello from a fake"`;

describe.runIf(unix)('--version first and alone', () => {
  it('service: only `--version` is run, in a harmless folder; the reason names the path and what it printed', async () => {
    const service = new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: fake },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
      registryCandidates: [],
      runnerOptions: { timeoutMs: 5000, killGraceMs: 200 },
    });
    const inv = await service.list();
    expect(calls().map((c) => c.argv)).toEqual(['--version']);
    expect(fs.realpathSync(calls()[0].cwd)).toBe(fs.realpathSync(os.tmpdir()));
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.error).toContain(MESSAGE(fake));
    expect(inv.vbox.error).not.toContain('could not be used');
    expect(inv.demo).toBe(true);
  });

  it('CLI: exit 1 with the message; only `--version` was run', async () => {
    const r = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [BIN, 'inspect'],
        { cwd: root, env: { ...process.env, PATH: path.dirname(process.execPath), VBOXMANAGE: fake } },
        (err, stdout, stderr) =>
          resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr }),
      );
    });
    expect(r).toEqual({ code: 1, stdout: '', stderr: `vm-companion: ${MESSAGE(fake)}\n` });
    expect(calls().map((c) => c.argv)).toEqual(['--version']);
  });
});

describe('prefs:set vmrunPath: only a program named vmrun', () => {
  it('refuses /usr/bin/touch and a folder; accepts …/vmrun and (Windows) …\\VMRUN.EXE', async () => {
    const service = new InventoryService({
      store,
      env: { PATH: '' },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
      registryCandidates: [],
      vmware: { vmrunPath: null },
    });
    const deps = {
      store,
      inventory: service,
      mode: 'browser' as const,
      dataDir: dir,
      systemLocale: 'en',
      version: '0',
    };
    const handlers = createHandlers({ ...deps, platform: 'linux' });
    await expect(handlers['prefs:set']({ vmrunPath: '/usr/bin/touch' })).rejects.toThrow(
      '/usr/bin/touch is not vmrun: the path must end in vmrun (vmrun.exe on Windows)',
    );
    await expect(handlers['prefs:set']({ vmrunPath: '/usr/bin/' })).rejects.toThrow('is not vmrun');
    await expect(handlers['prefs:set']({ vmrunPath: '/opt/VMRUN' })).rejects.toThrow('is not vmrun');
    expect(store.getPrefs().vmrunPath).toBe('');
    await handlers['prefs:set']({ vmrunPath: '/usr/bin/vmrun' });
    expect(store.getPrefs().vmrunPath).toBe('/usr/bin/vmrun');
    const win = createHandlers({ ...deps, platform: 'win32' });
    await win['prefs:set']({ vmrunPath: 'C:\\VMware\\VMRUN.EXE' });
    expect(store.getPrefs().vmrunPath).toBe('C:\\VMware\\VMRUN.EXE');
  });
});

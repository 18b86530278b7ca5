import { promises as fsp, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  defaultVmFolders,
  discoverVmware,
  parseInventory,
  parsePreferences,
  vmwareConfigFiles,
  type DirEntryLike,
} from '../../app/core/vmware/discover.ts';
import { pathHashId } from '../../app/core/vmware/to-config.ts';

const FIX = fileURLToPath(new URL('../fixtures/vmware-home/', import.meta.url));

function enoent(p: string): NodeJS.ErrnoException {
  const e = new Error(`ENOENT: no such file or directory, open '${p}'`) as NodeJS.ErrnoException;
  e.code = 'ENOENT';
  return e;
}

/** Maps a virtual POSIX home onto a fixture folder; every other path does not exist. */
function posixFs(virtualRoot: string, realRoot: string) {
  const real = (p: string): string => {
    if (p !== virtualRoot && !p.startsWith(`${virtualRoot}/`)) throw enoent(p);
    return path.join(realRoot, p.slice(virtualRoot.length));
  };
  const reads: string[] = [];
  return {
    reads,
    readFile: async (p: string) => {
      reads.push(p);
      return fsp.readFile(real(p));
    },
    readdir: async (p: string): Promise<DirEntryLike[]> => fsp.readdir(real(p), { withFileTypes: true }),
  };
}

/** A case-insensitive Windows view of a fixture folder under `C:\Users\learner`. */
function windowsFs(realRoot: string) {
  const files = new Map<string, string>();
  const dirs = new Map<string, DirEntryLike[]>();
  const walk = (dir: string, win: string) => {
    const list: DirEntryLike[] = [];
    for (const name of readdirSync(dir)) {
      const full = path.join(dir, name);
      const isDir = statSync(full).isDirectory();
      list.push({ name, isDirectory: () => isDir });
      if (isDir) walk(full, `${win}\\${name}`);
      else files.set(`${win}\\${name}`.toLowerCase(), full);
    }
    dirs.set(win.toLowerCase(), list);
  };
  walk(realRoot, 'C:\\Users\\learner');
  const key = (p: string) => p.replace(/\//g, '\\').replace(/\\+$/, '').toLowerCase();
  return {
    readFile: async (p: string) => {
      const f = files.get(key(p));
      if (!f) throw enoent(p);
      return fsp.readFile(f);
    },
    readdir: async (p: string) => {
      const d = dirs.get(key(p));
      if (!d) throw enoent(p);
      return d;
    },
  };
}

describe('where VMware keeps its lists', () => {
  it('per OS', () => {
    expect(vmwareConfigFiles('win32', { APPDATA: 'C:\\Users\\a\\AppData\\Roaming' }, 'C:\\Users\\a')).toEqual(
      {
        inventories: ['C:\\Users\\a\\AppData\\Roaming\\VMware\\inventory.vmls'],
        preferences: ['C:\\Users\\a\\AppData\\Roaming\\VMware\\preferences.ini'],
      },
    );
    expect(vmwareConfigFiles('linux', {}, '/home/a')).toEqual({
      inventories: ['/home/a/.vmware/inventory.vmls'],
      preferences: ['/home/a/.vmware/preferences', '/home/a/.vmware/preferences.ini'],
    });
    expect(vmwareConfigFiles('darwin', {}, '/Users/a').inventories).toEqual([
      '/Users/a/Library/Application Support/VMware Fusion/vmInventory',
    ]);
    expect(defaultVmFolders('win32', { USERPROFILE: 'C:\\Users\\a' }, 'X:\\')).toEqual([
      'C:\\Users\\a\\Documents\\Virtual Machines',
    ]);
    expect(defaultVmFolders('linux', {}, '/home/a')).toEqual(['/home/a/vmware']);
    expect(defaultVmFolders('darwin', {}, '/Users/a')).toEqual([
      '/Users/a/Virtual Machines.localized',
      '/Users/a/Documents/Virtual Machines.localized',
    ]);
  });

  it('inventory: vmlistN.config in N order, library folders skipped, |XX names decoded', () => {
    const inv = parseInventory(
      'vmlist3.config = "/b.vmx"\nvmlist3.DisplayName = "|22B|22"\nvmlist1.config = "/a.vmx"\nvmlist2.config = "folder2"\nvmlist4.config = ""\n',
    );
    expect(inv.paths).toEqual([{ path: '/a.vmx' }, { path: '/b.vmx', name: '"B"' }]);
    expect(inv.issues).toEqual([]);
  });

  it('preferences: recent VMs in N order and the default VM folder', () => {
    const prefs = parsePreferences(
      'pref.mruVM2.filename = "/c.vmx"\npref.mruVM0.filename = "/a.vmx"\nprefvmx.defaultvmpath = "/vms"\nbroken line\n',
      'prefs',
    );
    expect(prefs.recent).toEqual(['/a.vmx', '/c.vmx']);
    expect(prefs.defaultVmPath).toBe('/vms');
    expect(prefs.issues).toEqual([
      { file: 'prefs', line: 4, message: 'line 4: not a key = "value" line: broken line' },
    ]);
  });
});

describe('discoverVmware on a synthetic Linux home', () => {
  const run = async (over: Partial<Parameters<typeof discoverVmware>[0]> = {}) => {
    const fs = posixFs('/home/learner', path.join(FIX, 'linux'));
    const calls: string[][] = [];
    const result = await discoverVmware({
      platform: 'linux',
      env: {},
      homedir: '/home/learner',
      extraFolders: ['/home/learner/extra', '/home/learner/missing'],
      readFile: fs.readFile,
      readdir: fs.readdir,
      vmrunPath: '/usr/bin/vmrun',
      run: async (file, args) => {
        calls.push([file, ...args]);
        return 'Total running VMs: 1\n/home/learner/Courses/web/web.vmx\n';
      },
      ...over,
    });
    return { result, calls };
  };

  it('finds every VM once, in source order, with where it was found', async () => {
    const { result, calls } = await run();
    expect(calls).toEqual([['/usr/bin/vmrun', 'list']]);
    expect(result.vms.map((v) => [v.path, v.via])).toEqual([
      ['/home/learner/vmware/Ubuntu Lab/Ubuntu Lab.vmx', ['inventory', 'folder']],
      ['/home/learner/Courses/web/web.vmx', ['inventory', 'preferences', 'vmrun']],
      ['/home/learner/gone/gone.vmx', ['inventory']],
      ['/home/learner/other/db.vmx', ['preferences']],
      ['/home/learner/vmware/Scratch/Scratch.vmx', ['folder']],
      ['/home/learner/extra/Router.vmx', ['user-folder']],
    ]);
    expect(result.vms.some((v) => v.path.endsWith('Hidden.vmx'))).toBe(false);
  });

  it('reads each VM: state from vmrun and .vmss, names, ids', async () => {
    const { result } = await run();
    const by = (name: string) => result.vms.find((v) => v.path.includes(name));
    const lab = by('Ubuntu Lab');
    expect(lab?.inventoryName).toBe('Ubuntu Lab');
    expect(lab?.config?.id).toBe('564d0000-0000-0001-0000-000000000001');
    expect(lab?.config?.state).toEqual({
      value: 'saved',
      key: 'vmss',
      raw: '/home/learner/vmware/Ubuntu Lab/Ubuntu Lab.vmss',
    });
    expect(lab?.summary).toMatchObject({
      name: 'Ubuntu Lab',
      state: 'saved',
      cpus: 2,
      memoryMB: 4096,
      accessible: true,
    });
    const web = by('web.vmx');
    expect(web?.inventoryName).toBe('"Web server"');
    expect(web?.summary.state).toBe('running');
    expect(web?.config?.state).toEqual({
      value: 'running',
      key: 'vmrun list',
      raw: '/home/learner/Courses/web/web.vmx',
    });
    expect(by('Scratch')?.summary.state).toBe('poweroff');
    expect(by('Router')?.summary).toMatchObject({ name: 'Router', memoryMB: 256, state: 'poweroff' });
    expect(result.vmrun).toEqual({
      path: '/usr/bin/vmrun',
      running: ['/home/learner/Courses/web/web.vmx'],
      tried: ['/usr/bin/vmrun'],
    });
  });

  it('lists an unreadable VM with its reason instead of hiding it', async () => {
    const { result } = await run();
    const gone = result.vms.find((v) => v.path.includes('gone'));
    expect(gone?.config).toBeUndefined();
    expect(gone?.error).toBe('Cannot read /home/learner/gone/gone.vmx: the file does not exist.');
    expect(gone?.summary).toMatchObject({
      id: pathHashId('/home/learner/gone/gone.vmx', 'linux'),
      name: 'Deleted VM',
      accessible: false,
      hypervisor: 'vmware',
    });
  });

  it('gives a copied VM that kept its uuid.bios its own id and says why', async () => {
    const { result } = await run();
    const db = result.vms.find((v) => v.path.endsWith('db.vmx'));
    expect(db?.config?.id).toBe(pathHashId('/home/learner/other/db.vmx', 'linux'));
    expect(db?.config?.general.hardwareUuid?.value).toBe('564d0000-0000-0002-0000-000000000002');
    const msg =
      '/home/learner/other/db.vmx has the same uuid.bios as /home/learner/Courses/web/web.vmx (a copy whose owner answered "I moved it"); it is listed under an id made from its path.';
    expect(result.issues).toContainEqual({ file: '/home/learner/other/db.vmx', message: msg });
    expect(db?.config?.issues).toContainEqual({ message: msg });
    const ids = result.vms.map((v) => v.summary.id);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('keeps .vmx problems on the VM (duplicate key in Scratch.vmx)', async () => {
    const { result } = await run();
    const scratch = result.vms.find((v) => v.path.includes('Scratch'));
    expect(scratch?.config?.general.name?.value).toBe('Scratch copy');
    expect(scratch?.config?.issues[0].message).toContain(
      'line 5: duplicate key "displayname" (also on line 2',
    );
  });

  it('reports a user folder that cannot be listed, and says what it tried', async () => {
    const { result } = await run();
    expect(result.issues).toContainEqual({
      file: '/home/learner/missing',
      message: 'Cannot list /home/learner/missing: the file does not exist.',
    });
    expect(result.tried.slice(0, 3)).toEqual([
      '/home/learner/.vmware/inventory.vmls',
      '/home/learner/.vmware/preferences',
      '/home/learner/.vmware/preferences.ini',
    ]);
    // prefvmx.defaultVMPath and the default folder are the same: scanned once.
    expect(result.tried.filter((t) => t === '/home/learner/vmware')).toHaveLength(1);
    // The missing preferences.ini is not an issue.
    expect(result.issues.some((i) => i.file?.endsWith('preferences.ini'))).toBe(false);
  });

  it('when vmrun fails, the error is kept and states are unknown (except .vmss)', async () => {
    const { result } = await run({
      run: async () => {
        throw new Error('vmrun did not answer within 5000 ms.');
      },
    });
    expect(result.vmrun.error).toBe('vmrun did not answer within 5000 ms.');
    expect(result.vms.find((v) => v.path.includes('web.vmx'))?.summary.state).toBeUndefined();
    expect(result.vms.find((v) => v.path.includes('Ubuntu Lab'))?.summary.state).toBe('saved');
  });

  it('vmrunPath null skips vmrun entirely', async () => {
    const { result, calls } = await run({ vmrunPath: null });
    expect(calls).toEqual([]);
    expect(result.vmrun).toEqual({ tried: [] });
  });

  it('a .vmx that is far too large is not read', async () => {
    const { result } = await run({ maxBytes: 100 });
    const lab = result.vms.find((v) => v.path.includes('Ubuntu Lab'));
    expect(lab?.error).toMatch(/^Cannot read .*Ubuntu Lab\.vmx: \d+ bytes is too large for a \.vmx file\.$/);
  });
});

describe('discoverVmware on a synthetic Windows profile', () => {
  it('reads the windows-1252 inventory and preferences, dedupes paths case-insensitively', async () => {
    const fs = windowsFs(path.join(FIX, 'windows'));
    const result = await discoverVmware({
      platform: 'win32',
      env: { APPDATA: 'C:\\Users\\learner\\AppData\\Roaming', USERPROFILE: 'C:\\Users\\learner' },
      homedir: 'C:\\Users\\learner',
      readFile: fs.readFile,
      readdir: fs.readdir,
      vmrunPath: null,
    });
    expect(result.vms.map((v) => [v.path, v.via])).toEqual([
      [
        'C:\\Users\\learner\\Documents\\Virtual Machines\\Win11\\Win11.vmx',
        ['inventory', 'preferences', 'folder'],
      ],
      ['D:\\VMs\\Offline\\Offline.vmx', ['inventory']],
    ]);
    const win11 = result.vms[0];
    expect(win11.inventoryName).toBe('Win11 Café');
    expect(win11.config?.general.name?.value).toBe('Win11 Café');
    expect(win11.config?.id).toBe('564d0000-0000-0003-0000-000000000003');
    expect(win11.config?.system.tpm?.value).toBe('v2_0');
    expect(win11.config?.storage[0].attachments[0].medium.value).toBe('Win11.vmdk');
    expect(win11.summary.state).toBeUndefined();
    expect(result.vms[1].error).toBe('Cannot read D:\\VMs\\Offline\\Offline.vmx: the file does not exist.');
    expect(result.issues).toEqual([]);
  });
});

describe('discoverVmware on a synthetic macOS home (Fusion)', () => {
  it('reads vmInventory and the Virtual Machines.localized folder; looks for vmrun in Fusion', async () => {
    const fs = posixFs('/Users/learner', path.join(FIX, 'mac'));
    const probed: string[] = [];
    const result = await discoverVmware({
      platform: 'darwin',
      env: {},
      homedir: '/Users/learner',
      readFile: fs.readFile,
      readdir: fs.readdir,
      exists: async (p) => {
        probed.push(p);
        return false;
      },
    });
    expect(result.vms.map((v) => [v.path, v.via, v.summary.name, v.summary.memoryMB])).toEqual([
      [
        '/Users/learner/Virtual Machines.localized/macOS Dev.vmwarevm/macOS Dev.vmx',
        ['inventory', 'folder'],
        'macOS Dev',
        8192,
      ],
    ]);
    expect(result.vms[0].config?.native?.['vmware.options.guestOs']?.value).toBe('darwin');
    expect(probed).toEqual([
      '/Applications/VMware Fusion.app/Contents/Library/vmrun',
      '/Applications/VMware Fusion.app/Contents/Public/vmrun',
    ]);
    expect(result.vmrun.path).toBeUndefined();
    expect(result.issues).toEqual([]);
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../app/core/api/errors.ts';
import { DEMO_NAME_SUFFIX, demoId, loadDemoVms } from '../../app/core/demo.ts';
import { InventoryService, NOT_FOUND_MESSAGE } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { VmIdSchema } from '../../app/shared/contract.ts';
import {
  STAND_IN,
  assertOnlyReadVerbs,
  loadScenario,
  readStandInLog,
  standInEnv,
  tempLog,
  writeScenario,
} from '../helpers/stand-in.ts';

const LAB = loadScenario('lab');
const MISSING = '/nonexistent/vbox/VBoxManage';

let dir: string;
let logFile: string;
let store: Store;

beforeEach(() => {
  ({ dir, logFile } = tempLog());
  store = openStore(path.join(dir, 'data'));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadDemoVms', () => {
  it('builds five demo VMs from resources/demo with demo ids, suffixed names and source demo', () => {
    const demo = loadDemoVms();
    expect(demo.issues).toEqual([]);
    expect(demo.vms.map((v) => v.name)).toEqual([
      'SERVER1919C v114 (demo)',
      'xtec-1 (demo)',
      'Win2016SRV (demo)',
      'Sailfish OS Build Engine (demo)',
      'alpine_python2_base_default_1534882594143_11004 (demo)',
    ]);
    for (const vm of demo.vms) {
      expect(vm.source).toBe('demo');
      expect(vm.accessible).toBe(true);
      expect(vm.name.endsWith(DEMO_NAME_SUFFIX)).toBe(true);
      expect(VmIdSchema.safeParse(vm.id).success).toBe(true);
      const config = demo.configs.get(vm.id);
      expect(config?.source).toBe('demo');
      expect(config?.id).toBe(vm.id);
    }
    const efi = demo.configs.get('demo-8c722e19-bd30-4eb3-b36a-95fc4e20c072')!;
    expect(efi.system.cpus?.value).toBe(7);
    expect(efi.system.memoryMB?.value).toBe(11827);
    expect(efi.system.firmware?.value).toBe('EFI');
    expect(demo.vms.map((v) => v.state)).toEqual(['poweroff', 'poweroff', 'poweroff', 'poweroff', 'running']);
  });

  it('reports a missing folder and unusable files without failing', () => {
    expect(loadDemoVms(path.join(dir, 'nope')).issues[0].message).toMatch(
      /^Demo VMs are missing: cannot read /,
    );
    const d = path.join(dir, 'demo');
    fs.mkdirSync(d);
    fs.copyFileSync(
      path.resolve(import.meta.dirname, '../../resources/demo/02-ubuntu-nat-forwarding-hostonly-vrde.txt'),
      path.join(d, 'a.txt'),
    );
    fs.copyFileSync(path.join(d, 'a.txt'), path.join(d, 'b.txt'));
    fs.writeFileSync(path.join(d, 'c.txt'), 'name="no uuid here"\n');
    fs.writeFileSync(path.join(d, 'notes.md'), 'ignored');
    const demo = loadDemoVms(d);
    expect(demo.vms.map((v) => v.id)).toEqual(['demo-02fd76af-2bae-4c98-add1-4d802a2f77fa']);
    expect(demo.issues.map((i) => i.message)).toEqual([
      'Demo file b.txt repeats the UUID of another demo VM; skipped.',
      'Demo file c.txt has no VM UUID; skipped.',
    ]);
    expect(demoId('{ABCDEF01-2345-6789-ABCD-EF0123456789}')).toBe(
      'demo-abcdef01-2345-6789-abcd-ef0123456789',
    );
  });
});

describe('InventoryService without VBoxManage', () => {
  it('falls back to demo VMs with a plain error and the paths it tried', async () => {
    const plain = await new InventoryService({ store, env: { PATH: '' }, platform: 'linux' }).list();
    expect(plain.vbox.error).toBe(NOT_FOUND_MESSAGE);

    store.setPrefs({ vboxManagePath: MISSING });
    const svc = new InventoryService({ store, env: { PATH: '' }, platform: 'linux' });
    const inv = await svc.list();
    expect(inv.demo).toBe(true);
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.error).toBe(
      `The path you set (${MISSING}) does not exist. No other VBoxManage was found in the usual places either. Demo VMs are shown meanwhile.`,
    );
    expect(inv.vbox.tried[0]).toBe(MISSING);
    expect(inv.vbox.tried).toContain('/usr/bin/VBoxManage');
    expect(inv.vms).toHaveLength(5);
    expect(inv.vms.every((v) => v.source === 'demo' && v.id.startsWith('demo-'))).toBe(true);
    expect(inv.host.fromHostInfo).toBe(false);
    expect(inv.host.cores).toBeGreaterThan(0);

    const detail = await svc.get('demo-02fd76af-2bae-4c98-add1-4d802a2f77fa');
    expect(detail.summary.name).toBe('xtec-1 (demo)');
    expect(detail.config?.network[0].attachment.value).toBe('nat');
    expect(detail.config?.network[0].portForwards[0]).toMatchObject({
      hostIp: '127.0.0.1',
      hostPort: 2201,
      guestPort: 22,
    });
    await expect(svc.get('02fd76af-2bae-4c98-add1-4d802a2f77fa')).rejects.toThrow(NotFoundError);
  });

  it('a saved path to a file that is not an executable VBoxManage is named as the problem; no <file>/VBoxManage in "tried"', async () => {
    const notes = path.join(dir, 'passwd');
    fs.writeFileSync(notes, 'root:x:0:0:root:/root:/bin/sh\n', { mode: 0o644 });
    store.setPrefs({ vboxManagePath: notes });
    const inv = await new InventoryService({ store, env: { PATH: '' }, platform: 'linux' }).list();
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.error).toMatch(
      new RegExp(`^The path you set \\(${notes}\\) is not an executable VBoxManage\\. No other VBoxManage`),
    );
    expect(inv.vbox.tried[0]).toBe(notes);
    expect(inv.vbox.tried).not.toContain(path.join(notes, 'VBoxManage'));

    const empty = path.join(dir, 'empty-folder');
    fs.mkdirSync(empty);
    store.setPrefs({ vboxManagePath: empty });
    const folder = await new InventoryService({ store, env: { PATH: '' }, platform: 'linux' }).list();
    expect(folder.vbox.error).toMatch(
      new RegExp(`^The path you set \\(${empty}\\) is a folder without an executable VBoxManage in it\\.`),
    );
    expect(folder.vbox.tried.slice(0, 2)).toEqual([empty, path.join(empty, 'VBoxManage')]);
  });

  it('falls back when the executable is not a working VBoxManage, naming it', async () => {
    const fake = path.join(dir, 'VBoxManage');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Segmentation fault" >&2\nexit 139\n', { mode: 0o755 });
    const svc = new InventoryService({ store, env: { PATH: '', VBOXMANAGE: fake }, platform: 'linux' });
    const inv = await svc.list();
    expect(inv.demo).toBe(true);
    expect(inv.vbox).toMatchObject({ found: false, path: fake, via: 'user' });
    expect(inv.vbox.error).toMatch(new RegExp(`^VBoxManage at ${fake} could not be used: .*exit code 139`));
  });

  it('falls back when VBoxManage prints nothing (LANG=C trouble)', async () => {
    const scenario = writeScenario(dir, { emptyOutput: true });
    const svc = new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv(scenario, logFile) },
      platform: 'linux',
    });
    const inv = await svc.list();
    expect(inv.demo).toBe(true);
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.error).toMatch(/printed nothing/);
  });
});

describe('InventoryService with the stand-in lab', () => {
  const labEnv = (): NodeJS.ProcessEnv => ({ PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) });

  it('lists every lab VM, the inaccessible one included, with version and host facts', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const inv = await svc.list();
    expect(inv.demo).toBe(false);
    expect(inv.vbox).toEqual({
      found: true,
      path: STAND_IN,
      via: 'user',
      version: '7.1.12r169651',
      tried: [STAND_IN],
    });
    expect(inv.vms.map((v) => v.id)).toEqual(LAB.vms.map((v) => v.uuid));
    const bad = inv.vms.find((v) => v.id === '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13')!;
    expect(bad.accessible).toBe(false);
    expect(bad.error).toMatch(/Old lab\.vbox/);
    const sailfish = inv.vms.find((v) => v.id === '5bc88aa7-3372-4122-9d67-52b62310fdc4')!;
    expect(sailfish).toMatchObject({
      name: 'Sailfish OS Build Engine',
      cpus: 6,
      memoryMB: 8192,
      source: 'vboxmanage',
    });
    // hostinfo fixture: i7-6700HQ, 4 cores / 8 threads
    expect(inv.host.fromHostInfo).toBe(true);
    expect(inv.host.cores).toBe(4);
    expect(inv.host.threads).toBe(8);
    assertOnlyReadVerbs(logFile);
  });

  it('caches, shares concurrent reads, and re-reads on refresh', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const [a, b] = await Promise.all([svc.list(), svc.list()]);
    expect(a).toBe(b);
    const versions = (): number => readStandInLog(logFile).filter((argv) => argv[0] === '--version').length;
    expect(versions()).toBe(1);
    const calls = readStandInLog(logFile).length;
    expect(await svc.list()).toBe(a);
    // get() reads the snapshot list of a VM whose showvminfo has none — once, then it is cached.
    await svc.get(LAB.vms[0].uuid);
    await svc.get(LAB.vms[0].uuid.toUpperCase());
    const after = readStandInLog(logFile).slice(calls);
    expect(after).toEqual([['snapshot', LAB.vms[0].uuid, 'list', '--machinereadable']]);
    const c = await svc.list(true);
    expect(c).not.toBe(a);
    expect(versions()).toBe(2);
  });

  it('get() returns the configuration; inaccessible VMs have none; unknown ids are NotFound', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const d = await svc.get('8C722E19-BD30-4EB3-B36A-95FC4E20C072');
    expect(d.summary.name).toBe('SERVER1919C v114');
    expect(d.config?.system.firmware?.value).toBe('EFI');
    expect(d.config?.network[0]).toMatchObject({ attachment: { value: 'bridged' } });
    expect(d.host.cores).toBe(4);
    expect((await svc.get('3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13')).config).toBeNull();
    await expect(svc.get('00000000-0000-4000-8000-000000000000')).rejects.toThrow(
      /No VM with id 00000000-0000-4000-8000-000000000000/,
    );
  });

  it('the saved path wins over VBOXMANAGE; a bad saved path falls back to VBOXMANAGE', async () => {
    store.setPrefs({ vboxManagePath: STAND_IN });
    const svc = new InventoryService({ store, env: { ...labEnv(), VBOXMANAGE: MISSING }, platform: 'linux' });
    expect((await svc.list()).vbox).toMatchObject({ found: true, path: STAND_IN, via: 'user' });

    store.setPrefs({ vboxManagePath: MISSING });
    const svc2 = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const inv = await svc2.list();
    expect(inv.vbox).toMatchObject({ found: true, path: STAND_IN, via: 'user' });
    expect(inv.vbox.tried.slice(0, 3)).toEqual([
      MISSING,
      '/usr/bin/VBoxManage',
      '/usr/lib/virtualbox/VBoxManage',
    ]);
    expect(inv.vbox.tried.at(-1)).toBe(STAND_IN);
  });

  it('a folder holding VBoxManage works as the saved path; a bad saved path with a working VBOXMANAGE is a warning', async () => {
    store.setPrefs({ vboxManagePath: path.dirname(STAND_IN) });
    const env = { PATH: '', ...standInEnv('lab', logFile) };
    const inv = await new InventoryService({ store, env, platform: 'linux' }).list();
    expect(inv.vbox).toMatchObject({ found: true, path: STAND_IN, via: 'user' });
    expect(inv.vbox.warning).toBeUndefined();

    const notes = path.join(dir, 'notes.txt');
    fs.writeFileSync(notes, 'hello\n', { mode: 0o644 });
    store.setPrefs({ vboxManagePath: notes });
    const warned = await new InventoryService({
      store,
      env: { ...env, VBOXMANAGE: STAND_IN },
      platform: 'linux',
    }).list();
    expect(warned.vbox).toMatchObject({ found: true, path: STAND_IN, via: 'user' });
    expect(warned.vbox.warning).toBe(
      `The path you set (${notes}) is not an executable VBoxManage. ${STAND_IN} is used instead.`,
    );
  });

  it('invalidate() makes the next list locate again (after the user changes the path)', async () => {
    store.setPrefs({ vboxManagePath: MISSING });
    const svc = new InventoryService({
      store,
      env: { PATH: '', ...standInEnv('lab', logFile) },
      platform: 'linux',
    });
    expect((await svc.list()).demo).toBe(true);
    store.setPrefs({ vboxManagePath: STAND_IN });
    expect((await svc.list()).demo).toBe(true); // still cached
    svc.invalidate();
    const inv = await svc.list();
    expect(inv.demo).toBe(false);
    expect(inv.vms).toHaveLength(LAB.vms.length);
  });

  it('problems with the list vms output reach Inventory.issues (absent when there are none)', async () => {
    const scenario = writeScenario(dir, {
      vms: [...LAB.vms.slice(0, 2), { uuid: '0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6', name: 'odd\n"quoted' }],
    });
    const svc = new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv(scenario, logFile) },
      platform: 'linux',
    });
    const inv = await svc.list();
    expect(inv.issues).toEqual([{ line: 3, message: 'list vms: not a "<name>" {<uuid>} row: "odd' }]);
    expect(inv.vms).toHaveLength(3);
    const clean = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    expect((await clean.list()).issues).toBeUndefined();
  });

  it('keeps going when some VMs fail (failing scenario with a hanging VM)', async () => {
    const svc = new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('failing', logFile) },
      platform: 'linux',
      runnerOptions: { timeoutMs: 1500, killGraceMs: 200 },
    });
    const inv = await svc.list();
    const failing = loadScenario('failing');
    expect(inv.demo).toBe(false);
    expect(inv.vms).toHaveLength(failing.vms.length);
    const denied = inv.vms.find((v) => v.id === '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f')!;
    expect(denied.accessible).toBe(false);
    expect(denied.error).toMatch(/E_ACCESSDENIED|limited/);
    // the Linux wrapper's banner is surfaced once, for VirtualBox as a whole
    expect(inv.vbox.warning).toMatch(
      /^VBoxManage warns: The vboxdrv kernel module is not loaded\. .* until this problem is fixed\.$/,
    );
    const issabel = await svc.get('7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127');
    expect(issabel.config?.issues.some((i) => /vboxdrv/.test(i.message))).toBe(false);
    expect(inv.vms.find((v) => v.id === '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127')?.accessible).toBe(true);
  });
});

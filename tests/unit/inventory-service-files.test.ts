/**
 * InventoryService (issue 3): advice findings on the stand-in lab, completion from `.vbox` files,
 * discovery through `VirtualBox.xml` when VBoxManage is absent, and files the user opens.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../app/core/api/errors.ts';
import type { OsFacts } from '../../app/core/host.ts';
import { runnerFor } from '../../app/core/media.ts';
import { InventoryService, NOT_FOUND_ELSEWHERE, registryNote } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { VmIdSchema } from '../../app/shared/contract.ts';
import { FIXTURES_DIR, STAND_IN, assertOnlyReadVerbs, standInEnv, tempLog } from '../helpers/stand-in.ts';

const MISSING = '/nonexistent/vbox/VBoxManage';
/** Start of vbox.error when the saved path MISSING is unusable and no other VBoxManage exists. */
const MISSING_NOTE = `The path you set (${MISSING}) does not exist. ${NOT_FOUND_ELSEWHERE}`;
const CLIENTBASSO = '827810e0-21ce-4282-bfc2-cfd981a45ce0';
const VAGRANT = '623842dc-0947-4143-aa4e-7d180c5eb348';
const GONE = '0badc0de-0000-4000-8000-000000000001';
/** A small host (2 cores, 4 GB) so that findings do not depend on the machine running the tests. */
const SMALL_HOST: OsFacts = {
  threads: 2,
  estimatedCores: 2,
  memoryMB: 4096,
  os: 'Linux 6.1.0',
  platform: 'linux',
  arch: 'x64',
};

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

const fixture = (rel: string): string => path.join(FIXTURES_DIR, rel);
const labEnv = (): NodeJS.ProcessEnv => ({ PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) });

/** Copies the clientbasso `.vbox` fixture into `<dir>/VirtualBox VMs/clientbasso/clientbasso.vbox`. */
function clientbassoVbox(): string {
  const vmDir = path.join(dir, 'VirtualBox VMs', 'clientbasso');
  fs.mkdirSync(vmDir, { recursive: true });
  const file = path.join(vmDir, 'clientbasso.vbox');
  fs.copyFileSync(fixture('vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox'), file);
  return file;
}

/**
 * The lab's SERVER1919C dump with its `CfgFile` pointing at the clientbasso copy — but clientbasso
 * is another VM; used to check that a UUID mismatch is refused.
 */
function dumpWithCfgFile(src: string, cfgFile: string): string {
  return fs
    .readFileSync(fixture(src), 'utf8')
    .replace(/^CfgFile=".*"$/m, `CfgFile="${cfgFile.replace(/\\/g, '\\\\')}"`);
}

describe('findings on the stand-in lab (VirtualBox 7.1.12, 4-core / 16 GB host from list hostinfo)', () => {
  it('summaries carry the findings count; get() returns the findings, most serious first', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const inv = await svc.list();
    expect(inv.demo).toBe(false);
    for (const vm of inv.vms) {
      const d = await svc.get(vm.id);
      expect(vm.findings).toBe(d.findings?.length ?? 0);
      expect(d.summary).toBe(vm);
    }
    const server = await svc.get('8c722e19-bd30-4eb3-b36a-95fc4e20c072');
    expect(server.summary.findings).toBe(2);
    expect(server.findings?.map((f) => [f.id, f.severity, f.settingId, f.fix?.command])).toEqual([
      [
        'vbox.processor.cpus-over-cores',
        'warning',
        'system.processor.cpus',
        'VBoxManage modifyvm 8c722e19-bd30-4eb3-b36a-95fc4e20c072 --cpus 3',
      ],
      [
        'host.memory.running-total',
        'warning',
        'system.motherboard.memory',
        'VBoxManage modifyvm 8c722e19-bd30-4eb3-b36a-95fc4e20c072 --memory 5632',
      ],
    ]);
    // 7 vCPUs vs the 4 cores of the hostinfo fixture, in both languages.
    expect(server.findings?.[0].numbers).toMatchObject({ cpus: 7, hostCores: 4 });
    expect(server.findings?.[0].reason['zh-CN']).toMatch(/7/);
    // The running lab VMs (2048 + 512 + 4096 MB) count against this VM's 11827 MB.
    expect(server.findings?.[1].numbers).toMatchObject({ memoryMB: 11827, othersMB: 6656, runningVms: 3 });
    // 7.1 spelling of a flag that has an x86 variant.
    const vagrantbug = await svc.get('c8775131-d296-4ad5-bf03-84ff719e6e4c');
    expect(vagrantbug.findings?.map((f) => f.fix?.command)).toContain(
      'VBoxManage modifyvm c8775131-d296-4ad5-bf03-84ff719e6e4c --paravirt-provider hyperv',
    );
    const issabel = await svc.get('7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127');
    expect(issabel.findings).toEqual([]);
    expect(issabel.summary.findings).toBe(0);
    // The inaccessible VM has no config, hence no findings at all.
    const bad = await svc.get('3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13');
    expect(bad.findings).toBeUndefined();
    expect(bad.summary.findings).toBe(0);
    assertOnlyReadVerbs(logFile);
  });

  it('remembers its VBoxManage runner for media:info, and forgets it without VBoxManage', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    expect(runnerFor(svc)).toBeUndefined();
    await svc.list();
    expect(runnerFor(svc)?.path).toBe(STAND_IN);
    store.setPrefs({ vboxManagePath: MISSING });
    const off = new InventoryService({ store, env: { PATH: '' }, platform: 'linux', homedir: dir });
    await off.list();
    expect(runnerFor(off)).toBeUndefined();
  });

  it('records why each lab VM settings file was not read, never failing the read', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const server = await svc.get('8c722e19-bd30-4eb3-b36a-95fc4e20c072');
    expect(server.provenance).toEqual({
      vboxFile: {
        path: '/opt/user/VirtualBox_VMs/SERVER1919C v114/SERVER1919C v114.vbox',
        read: false,
        error: 'the settings file could not be read: no such file',
      },
      discrepancies: [],
      readAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(server.extras).toBeUndefined();
    const homestead = await svc.get('9155aa93-6360-4d1e-8cd9-20c32ecacf6d');
    expect(homestead.provenance?.vboxFile).toMatchObject({
      path: 'C:\\Users\\user\\VirtualBox VMs\\homestead-7\\homestead-7.vbox',
      read: false,
      error: expect.stringMatching(/^not an absolute path on this computer/),
    });
  });

  it('completes a VM from its readable .vbox and reports where the two disagree', async () => {
    const vbox = clientbassoVbox();
    // A scenario whose only VM is clientbasso: its dump says 2048 MB, the file 1024 MB.
    const fx = path.join(dir, 'fx');
    fs.mkdirSync(path.join(fx, 'hostinfo'), { recursive: true });
    fs.copyFileSync(
      fixture('hostinfo/vbox7x-macos-intel-darwin24-i7-6700HQ-vmsave-vmload-line.txt'),
      path.join(fx, 'hostinfo', 'h.txt'),
    );
    const dump = dumpWithCfgFile('showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt', vbox)
      .replace(/^UUID=".*"$/m, `UUID="${CLIENTBASSO}"`)
      .replace(/^name=".*"$/m, 'name="clientbasso"')
      .replace(/^cpuexecutioncap=100$/m, 'cpuexecutioncap=30');
    fs.writeFileSync(path.join(fx, 'clientbasso.txt'), dump);
    const scenario = path.join(dir, 'scenario.json');
    fs.writeFileSync(
      scenario,
      JSON.stringify({
        version: '6.1.32r149290',
        hostinfo: 'hostinfo/h.txt',
        fixturesDir: fx,
        vms: [{ uuid: CLIENTBASSO, name: 'clientbasso', showvminfo: 'clientbasso.txt' }],
      }),
    );
    const svc = new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv(scenario, logFile) },
      platform: 'linux',
    });
    const d = await svc.get(CLIENTBASSO);
    expect(d.summary.source).toBe('vboxmanage');
    expect(d.provenance?.vboxFile).toEqual({ path: vbox, read: true });
    // The Issabel dump's values (2048 MB, 2 vCPUs, enp1s0, vmsvga…) against clientbasso's file.
    // (Defaults the file does not write — vCPUs, graphics controller — are not compared.)
    expect(d.provenance?.discrepancies.map((x) => [x.settingId, x.showvminfo.raw, x.vboxFile.raw])).toEqual([
      ['system.motherboard.memory', '2048', '1024'],
      ['system.motherboard.bootOrder#1', 'dvd', 'Floppy'],
      ['system.motherboard.bootOrder#2', 'disk', 'DVD'],
      ['system.motherboard.bootOrder#3', 'none', 'HardDisk'],
      ['system.motherboard.bootOrder#4', 'none', 'Network'],
      ['system.processor.pae', 'on', 'false'],
      ['network.adapter.name#1', 'enp1s0', 'br0'],
    ]);
    expect(d.provenance?.discrepancies[0]).toEqual({
      settingId: 'system.motherboard.memory',
      showvminfo: { key: 'memory', raw: '2048' },
      vboxFile: { key: 'Machine/Hardware/Memory/@RAMSize', raw: '1024' },
    });
    // showvminfo's values stay; the file fills TPM and the audio controller.
    expect(d.config?.system.memoryMB).toEqual({ value: 2048, key: 'memory', raw: '2048' });
    expect(d.config?.system.tpm?.key).toBe('Machine/Hardware/TrustedPlatformModule/@type');
    expect(d.config?.audio.controller?.value).toBe('ac97');
    expect(d.extras?.['storage.controller.hostIoCache@IDE']).toMatchObject({ value: true, raw: 'true' });
    expect(d.extras?.['network.adapter.promiscuous@1']?.value).toBe('deny');
    // Version 6.1 → the legacy spelling in the fix of the low execution cap.
    expect(d.findings?.find((f) => f.id === 'vbox.processor.cap-low')?.fix?.command).toBe(
      `VBoxManage modifyvm ${CLIENTBASSO} --cpuexecutioncap 100`,
    );
  });
});

describe('VirtualBox.xml discovery when VBoxManage is absent', () => {
  /** `<dir>/vbox-home/VirtualBox.xml` registering clientbasso (absolute src), vagrant (relative src) and a missing file. */
  function vboxHome(): string {
    const home = path.join(dir, 'vbox-home');
    fs.mkdirSync(path.join(home, 'VMs', 'vagrant'), { recursive: true });
    fs.copyFileSync(
      fixture('vbox/vagrant-test-trimmed-snapshot-natfwd.vbox'),
      path.join(home, 'VMs', 'vagrant', 'vagrant.vbox'),
    );
    const clientbasso = clientbassoVbox();
    fs.writeFileSync(
      path.join(home, 'VirtualBox.xml'),
      [
        '<?xml version="1.0"?>',
        '<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">',
        '  <Global>',
        '    <MachineRegistry>',
        `      <MachineEntry uuid="{${CLIENTBASSO}}" src="${clientbasso}"/>`,
        `      <MachineEntry uuid="{${VAGRANT}}" src="VMs/vagrant/vagrant.vbox"/>`,
        `      <MachineEntry uuid="{${GONE}}" src="${path.join(dir, 'gone', 'gone.vbox')}"/>`,
        '    </MachineRegistry>',
        '  </Global>',
        '</VirtualBox>',
        '',
      ].join('\n'),
    );
    return home;
  }

  const service = (env: NodeJS.ProcessEnv): InventoryService => {
    store.setPrefs({ vboxManagePath: MISSING });
    return new InventoryService({
      store,
      env: { PATH: '', ...env },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
      osFacts: SMALL_HOST,
    });
  };

  it('lists the registered VMs (source file, labelled, state only when saved) instead of demo VMs', async () => {
    const home = vboxHome();
    const svc = service({ VBOX_USER_HOME: home });
    const inv = await svc.list();
    expect(inv.demo).toBe(false);
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.tried[0]).toBe(MISSING);
    expect(inv.vbox.error).toBe(`${MISSING_NOTE} ${registryNote(path.join(home, 'VirtualBox.xml'))}`);
    expect(inv.host).toMatchObject({ cores: 2, memoryMB: 4096, fromHostInfo: false });
    expect(inv.vms.map((v) => [v.id, v.source, v.name, v.state, v.accessible])).toEqual([
      [CLIENTBASSO, 'file', 'clientbasso', 'saved', true],
      [VAGRANT, 'file', 'vagrant-test_default_1665781960041_56631', undefined, true],
      [GONE, 'file', 'gone', undefined, false],
    ]);
    expect(inv.vms[2].error).toMatch(/^settings file not found: .*gone\.vbox$/);
    for (const vm of inv.vms) expect(VmIdSchema.safeParse(vm.id).success).toBe(true);

    const d = await svc.get(CLIENTBASSO);
    expect(d.config?.source).toBe('file');
    expect(d.config?.system.memoryMB).toEqual({
      value: 1024,
      key: 'Machine/Hardware/Memory/@RAMSize',
      raw: '1024',
    });
    expect(d.provenance).toEqual({
      vboxFile: { path: path.join(dir, 'VirtualBox VMs', 'clientbasso', 'clientbasso.vbox'), read: true },
      discrepancies: [],
      readAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(d.extras?.['general.basic.osTypeId']?.value).toBe('Debian_64');
    expect(d.summary.findings).toBe(d.findings?.length);
    const gone = await svc.get(GONE);
    expect(gone.config).toBeNull();
    expect(gone.provenance?.vboxFile).toMatchObject({
      read: false,
      error: expect.stringMatching(/not found/),
    });
    // The NAT-only vagrant VM with a port forward: no "unreachable" finding, the fix uses its UUID.
    const vagrant = await svc.get(VAGRANT);
    expect(vagrant.findings?.some((f) => f.id === 'host.network.nat-unreachable')).toBe(false);
    for (const f of vagrant.findings ?? []) if (f.fix) expect(f.fix.command).toContain(VAGRANT);
  });

  it('falls back to the demo VMs when no registry holds VMs', async () => {
    const empty = path.join(dir, 'empty-home');
    fs.mkdirSync(empty);
    fs.writeFileSync(
      path.join(empty, 'VirtualBox.xml'),
      '<VirtualBox version="1.19-linux"><Global><MachineRegistry/></Global></VirtualBox>',
    );
    for (const env of [{ VBOX_USER_HOME: empty }, {}]) {
      const inv = await service(env).list();
      expect(inv.demo).toBe(true);
      expect(inv.vbox.error).toBe(`${MISSING_NOTE} Demo VMs are shown meanwhile.`);
      expect(inv.vms).toHaveLength(5);
      // Demo VMs get findings too (on the small host), with real UUIDs in the commands.
      const efi = inv.vms.find((v) => v.id === 'demo-8c722e19-bd30-4eb3-b36a-95fc4e20c072')!;
      expect(efi.findings).toBeGreaterThan(0);
    }
  });

  it('uses the registry too when the VBoxManage found cannot be used', async () => {
    const home = vboxHome();
    const fake = path.join(dir, 'VBoxManage');
    fs.writeFileSync(fake, '#!/bin/sh\necho "Segmentation fault" >&2\nexit 139\n', { mode: 0o755 });
    store.setPrefs({ vboxManagePath: fake });
    const svc = new InventoryService({
      store,
      env: { PATH: '', VBOX_USER_HOME: home },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
      osFacts: SMALL_HOST,
    });
    const inv = await svc.list();
    expect(inv.demo).toBe(false);
    expect(inv.vbox.error).toMatch(
      new RegExp(`^VBoxManage at ${fake} could not be used: .*exit code 139.*\\. The VMs registered in `),
    );
    expect(inv.vms.map((v) => v.source)).toEqual(['file', 'file', 'file']);
  });
});

describe('openFile', () => {
  const demoService = (): InventoryService => {
    store.setPrefs({ vboxManagePath: MISSING });
    return new InventoryService({
      store,
      env: { PATH: '' },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
      osFacts: SMALL_HOST,
    });
  };

  it('opens a .vbox: VM added to the list (source file), get() works, re-opening replaces it', async () => {
    const svc = demoService();
    const vbox = clientbassoVbox();
    const d = await svc.openFile(vbox);
    expect(d.summary).toMatchObject({ id: CLIENTBASSO, source: 'file', name: 'clientbasso', state: 'saved' });
    expect(d.config?.general.cfgFile?.value).toBe(vbox);
    expect(d.provenance).toEqual({
      vboxFile: { path: vbox, read: true },
      discrepancies: [],
      readAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(d.extras?.['storage.controller.hostIoCache@SATA']?.value).toBe(false);
    expect(d.summary.findings).toBe(d.findings?.length);
    const inv = await svc.list();
    expect(inv.demo).toBe(true);
    expect(inv.vms.map((v) => v.id)).toContain(CLIENTBASSO);
    expect((await svc.get(CLIENTBASSO.toUpperCase())).summary.name).toBe('clientbasso');

    fs.writeFileSync(vbox, fs.readFileSync(vbox, 'utf8').replace('RAMSize="1024"', 'RAMSize="1536"'));
    expect((await svc.openFile(vbox)).config?.system.memoryMB?.value).toBe(1536);
    expect((await svc.list()).vms.filter((v) => v.id === CLIENTBASSO)).toHaveLength(1);
    // Opened files survive a refresh.
    expect((await svc.list(true)).vms.map((v) => v.id)).toContain(CLIENTBASSO);
    expect((await svc.get(CLIENTBASSO)).summary.memoryMB).toBe(1536);
  });

  it('opens a saved showvminfo dump (any name), reading its CfgFile when it is here', async () => {
    const svc = demoService();
    const vbox = clientbassoVbox();
    const file = path.join(dir, 'server.dump');
    fs.writeFileSync(
      file,
      dumpWithCfgFile('showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt', vbox),
    );
    const d = await svc.openFile(file);
    expect(d.summary).toMatchObject({
      id: '8c722e19-bd30-4eb3-b36a-95fc4e20c072',
      source: 'file',
      name: 'SERVER1919C v114',
      cpus: 7,
    });
    // The CfgFile is clientbasso's: another VM, so nothing is merged and the reason is kept.
    expect(d.provenance?.vboxFile).toEqual({
      path: vbox,
      read: false,
      error: `the file describes another VM (UUID ${CLIENTBASSO}, not 8c722e19-bd30-4eb3-b36a-95fc4e20c072)`,
    });
    // 7 vCPUs on the 2-core test host: more than twice the cores (VirtualBox's error), 11827 MB of 4096 MB.
    expect(d.findings?.map((f) => [f.id, f.severity])).toEqual(
      expect.arrayContaining([
        ['vbox.processor.cpus-over-twice-cores', 'error'],
        ['vbox.system.ram-over-error', 'error'],
      ]),
    );
    expect(d.findings?.find((f) => f.id === 'vbox.processor.cpus-over-twice-cores')?.numbers).toMatchObject({
      cpus: 7,
      hostCores: 2,
    });
  });

  it('a UUID VBoxManage already lists returns the listed VM with a note, and is not added twice', async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const before = await svc.list();
    const file = fixture('showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt');
    const d = await svc.openFile(file);
    expect(d.summary.source).toBe('vboxmanage');
    expect(d.config?.issues.at(-1)?.message).toBe(
      "vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt describes this VM, which VirtualBox already lists: the values VBoxManage reports are shown, not the file's.",
    );
    expect((await svc.get(d.summary.id)).config?.issues.some((i) => /already lists/.test(i.message))).toBe(
      false,
    );
    expect((await svc.list()).vms.map((v) => v.id)).toEqual(before.vms.map((v) => v.id));
    // A new UUID joins the live list, with the live host facts.
    const alpine = await svc.openFile(
      fixture('showvminfo/vbox5212-macos-host-running-alpine-no-guest-additions.txt'),
    );
    expect(alpine.summary).toMatchObject({ id: 'ef90cf0f-349b-4539-b97f-b4a6caad3397', source: 'file' });
    expect(alpine.host.cores).toBe(4);
    const after = await svc.list();
    expect(after.vms).toHaveLength(before.vms.length + 1);
    // A dump's "running" state is not this host's present: it does not count as a running VM.
    expect(after.vms.find((v) => v.id === alpine.summary.id)?.state).toBe('running');
    const server = await svc.get('8c722e19-bd30-4eb3-b36a-95fc4e20c072');
    expect(server.findings?.find((f) => f.id === 'host.memory.running-total')?.numbers?.runningVms).toBe(3);
  });

  it('refuses unusable files with clear errors', async () => {
    const svc = demoService();
    const human = fixture('showvminfo-human/vbox60-windows-host-human-readable-not-machinereadable.txt');
    const fragment = fixture('showvminfo/vbox70-fragment-nic-hostonlynetwork-forwarding.txt');
    const global = fixture(
      'virtualbox-xml/ragnarlocker-1.7-windows-relative-src-global-mediaregistry-annotated.xml',
    );
    const folder = path.join(dir, 'folder.vbox');
    fs.mkdirSync(folder);
    const cases: [string, typeof ValidationError | typeof NotFoundError, RegExp][] = [
      ['relative/x.vbox', ValidationError, /absolute path on this computer \(got "relative\/x\.vbox"\)/],
      ['C:\\VMs\\x.vbox', ValidationError, /absolute path on this computer/],
      [path.join(dir, 'nope.vbox'), NotFoundError, /^No file at .*nope\.vbox\.$/],
      [folder, ValidationError, /^Cannot open .*folder\.vbox: it is a folder, not a file\.$/],
      [human, ValidationError, /is the human-readable output of "VBoxManage showvminfo"/],
      [fragment, ValidationError, /has no VM UUID \(no UUID= line\), so the VM cannot be listed\.$/],
      [
        global,
        ValidationError,
        /is not a VirtualBox machine settings file \(\.vbox\): .*global VirtualBox\.xml/,
      ],
    ];
    for (const [file, type, why] of cases) {
      const err = await svc.openFile(file).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(type);
      expect((err as Error).message).toMatch(why);
    }
    expect((await svc.list()).vms).toHaveLength(5);
  });
});

/**
 * InventoryService, issue 6 (speed): VMs that are not running are read from their registered `.vbox`
 * files instead of one `showvminfo` each; a persistent cache lets a relaunch make at most 3
 * VBoxManage calls. The stand-in VBoxManage answers with real recordings; a temporary
 * `VBOX_USER_HOME` registers copies of the real `.vbox` fixtures (tests/helpers/stand-in.ts,
 * `writeVboxLab`). The real home folder is never read (`homedir` points into the temp folder).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OsFacts } from '../../app/core/host.ts';
import { FILE_POWEROFF_STATE_KEY, InventoryService } from '../../app/core/inventory-service.ts';
import {
  INVENTORY_CACHE_FORMAT,
  INVENTORY_CACHE_VERSION,
  type InventoryCacheData,
} from '../../app/core/vbox/inventory-cache.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import {
  FIXTURES_DIR,
  STAND_IN,
  assertOnlyReadVerbs,
  readStandInLog,
  setRunning,
  standInEnv,
  tempLog,
  writeVboxLab,
  type VboxLab,
} from '../helpers/stand-in.ts';

const SMALL_HOST: OsFacts = {
  threads: 2,
  estimatedCores: 2,
  memoryMB: 4096,
  os: 'Linux 6.1.0',
  platform: 'linux',
  arch: 'x64',
};

/** The lab: four real settings files, each paired with a real showvminfo recording (new UUIDs and names). */
const VMS = [
  {
    // 4096 MB, 4 vCPUs, NIC 1 host-only vboxnet0 (virtio), one snapshot.
    vbox: 'vbox/genymotion-macos-1.12-pixel-snapshot-guestproperties.vbox',
    showvminfo: 'showvminfo/vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt',
  },
  {
    // clientbasso: saved state, 1024 MB, NIC 1 bridged to br0.
    vbox: 'vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox',
    showvminfo: 'showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt',
  },
  {
    // libvirt's file: 192 MB, bridged to hns0000000v, ISO-8859-1.
    vbox: 'vbox/libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox',
    showvminfo: 'showvminfo/vbox516-linux-host-lsilogic-scsi-controller-poweroff.txt',
  },
  {
    // VirtualBox 3.2 machine file named .xml: 512 MB, NAT, EFI.
    vbox: 'vbox/vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.xml',
    showvminfo: 'showvminfo/vbox514-windows-host-CRLF-sata-only-poweroff.txt',
  },
];

/**
 * VirtualBox 7.0 for most tests: its showvminfo does not print Secure Boot, so EFI VMs (the 3.2
 * `.xml`) are read from their files too. With 7.1, EFI VMs need showvminfo (see the last test).
 */
const V70 = { version: '7.0.18r162988' };

let dir: string;
let logFile: string;
let store: Store;
let cacheFile: string;

beforeEach(() => {
  ({ dir, logFile } = tempLog());
  store = openStore(path.join(dir, 'data'));
  cacheFile = path.join(dir, 'data', 'inventory-cache.json');
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function service(lab: VboxLab, extra: Partial<ConstructorParameters<typeof InventoryService>[0]> = {}) {
  return new InventoryService({
    store,
    env: {
      PATH: '',
      VBOXMANAGE: STAND_IN,
      VBOX_USER_HOME: lab.home,
      ...standInEnv(lab.scenarioFile, logFile),
    },
    platform: 'linux',
    homedir: path.join(dir, 'home'),
    osFacts: SMALL_HOST,
    vmware: { vmrunPath: null },
    locateVirsh: async () => ({ tried: [] }),
    ...extra,
  });
}

/** Calls logged from index `from` on, as `verb …` strings. */
const callsSince = (from: number): string[] =>
  readStandInLog(logFile)
    .slice(from)
    .map((a) => a.join(' '));
const showvminfos = (from = 0): string[] =>
  callsSince(from)
    .filter((c) => c.startsWith('showvminfo '))
    .map((c) => c.split(' ')[1]);

describe('cold read: settings files instead of showvminfo', () => {
  it('makes no showvminfo for readable VMs that are not running, and shows the files’ real values', async () => {
    const lab = writeVboxLab(dir, VMS, V70);
    const svc = service(lab);
    const inv = await svc.list();
    expect(callsSince(0).sort()).toEqual(['--version', 'list hostinfo', 'list runningvms', 'list vms']);
    assertOnlyReadVerbs(logFile);
    const [geny, basso, libvirt, old] = lab.vms.map((v) => inv.vms.find((x) => x.id === v.uuid)!);
    expect(geny).toMatchObject({
      name: 'PREVIEW - Google Pixel - 8.0 - API 26 - 1080x1920',
      memoryMB: 4096,
      cpus: 4,
    });
    expect(geny.state).toBe('poweroff');
    expect(basso).toMatchObject({
      name: 'clientbasso',
      state: 'saved',
      memoryMB: 1024,
      osType: 'Debian (64-bit)',
    });
    expect(libvirt).toMatchObject({ name: lab.vms[2].uuid, state: 'poweroff', memoryMB: 192, cpus: 1 });
    expect(old).toMatchObject({ name: 'Ubuntu Linux', memoryMB: 512, osType: 'Ubuntu (32-bit)' });
    // VirtualBox lists them (summary source), the values come from the files (config source, keys).
    for (const vm of inv.vms) expect(vm.source).toBe('vboxmanage');

    const d = await svc.get(lab.vms[0].uuid);
    expect(d.config?.source).toBe('file');
    expect(d.config?.system.memoryMB).toEqual({
      value: 4096,
      key: 'Machine/Hardware/Memory/@RAMSize',
      raw: '4096',
    });
    expect(d.config?.network[0]).toMatchObject({
      attachment: { value: 'hostonly' },
      attachmentName: { value: 'vboxnet0' },
      adapterType: { value: 'virtio' },
    });
    expect(d.config?.state).toEqual({ value: 'poweroff', key: FILE_POWEROFF_STATE_KEY, raw: '' });
    expect(d.provenance).toEqual({
      vboxFile: { path: lab.vms[0].vboxFile, read: true },
      discrepancies: [],
      readAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    expect(d.config?.snapshots.map((s) => s.name)).toHaveLength(1);
    const b = await svc.get(lab.vms[1].uuid);
    expect(b.config?.state?.key).toBe('Machine/@stateFile');
    expect(b.config?.network[0]).toMatchObject({
      attachment: { value: 'bridged' },
      attachmentName: { value: 'br0' },
    });
    expect(b.extras?.['general.basic.osTypeId']?.value).toBe('Debian_64');
    // The file holds the whole snapshot tree: get() asks VBoxManage nothing more.
    expect(callsSince(0)).toHaveLength(4);
    // Advice runs on file values too (1 vCPU, 192 MB on a 2-core / 4 GB host: nothing to say).
    expect(libvirt.findings).toBe((await svc.get(lab.vms[2].uuid)).findings?.length);
  });

  it('a running VM is read with showvminfo and completed from its file', async () => {
    const lab = writeVboxLab(dir, VMS, V70);
    setRunning(lab.scenarioFile, [lab.vms[0].uuid]);
    const svc = service(lab);
    const inv = await svc.list();
    expect(showvminfos()).toEqual([lab.vms[0].uuid]);
    const geny = inv.vms.find((v) => v.id === lab.vms[0].uuid)!;
    // The running recording's values (512 MB, running), not the file's 4096 MB.
    expect(geny).toMatchObject({ state: 'running', memoryMB: 512, source: 'vboxmanage' });
    const d = await svc.get(geny.id);
    expect(d.config?.source).toBe('vboxmanage');
    expect(d.config?.system.memoryMB).toEqual({ value: 512, key: 'memory', raw: '512' });
    expect(d.provenance?.vboxFile).toEqual({ path: lab.vms[0].vboxFile, read: true });
    expect(d.provenance?.discrepancies.find((x) => x.settingId === 'system.motherboard.memory')).toEqual({
      settingId: 'system.motherboard.memory',
      showvminfo: { key: 'memory', raw: '512' },
      vboxFile: { key: 'Machine/Hardware/Memory/@RAMSize', raw: '4096' },
    });
    // The running VM counts for the memory of running VMs; the file-read ones never do.
    expect(inv.vms.filter((v) => v.id !== geny.id).every((v) => v.state !== 'running')).toBe(true);
  });

  it('missing, damaged, encrypted or foreign settings files, and a name that differs, fall back to showvminfo', async () => {
    const lab = writeVboxLab(
      dir,
      [...VMS, { ...VMS[1], name: 'listed-name', fileName: 'old-file-name' }],
      V70,
    );
    fs.rmSync(lab.vms[0].vboxFile);
    fs.writeFileSync(lab.vms[1].vboxFile, '<?xml version="1.0"?>\n<VirtualBox><Machine uuid="{');
    fs.writeFileSync(
      lab.vms[2].vboxFile,
      `<?xml version="1.0"?>\n<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">\n  <MachineEncrypted uuid="{${lab.vms[2].uuid}}" keyId="k" keyStore="x"/>\n</VirtualBox>\n`,
    );
    // VM 3's registry entry points at VM 4's file (another UUID).
    const xml = path.join(lab.home, 'VirtualBox.xml');
    fs.writeFileSync(xml, fs.readFileSync(xml, 'utf8').replace(lab.vms[3].vboxFile, lab.vms[4].vboxFile));
    const svc = service(lab);
    const inv = await svc.list();
    expect(showvminfos().sort()).toEqual(lab.vms.map((v) => v.uuid).sort());
    for (const vm of inv.vms) expect(vm.accessible).toBe(true);
    const gone = await svc.get(lab.vms[0].uuid);
    expect(gone.config?.source).toBe('vboxmanage');
    expect(gone.provenance?.vboxFile).toEqual({
      path: lab.vms[0].vboxFile,
      read: false,
      error: 'the settings file could not be read: no such file',
    });
    expect((await svc.get(lab.vms[1].uuid)).provenance?.vboxFile?.error).toMatch(/^the file is not a usable/);
    expect((await svc.get(lab.vms[2].uuid)).provenance?.vboxFile?.error).toMatch(/encrypted/);
    const renamed = await svc.get(lab.vms[4].uuid);
    expect(renamed.summary.name).toBe('listed-name');
    // The file of a renamed VM is still read for completion; the name differs and says so.
    expect(renamed.provenance?.discrepancies.map((x) => x.settingId)).toContain('general.basic.name');
  });
});

describe('persistent cache', () => {
  it('a warm relaunch makes at most 3 VBoxManage calls and shows the same inventory', async () => {
    const lab = writeVboxLab(dir, [...VMS, VMS[1]], V70);
    // VM 4's file cannot be parsed: it needs showvminfo, whose answer the cache keeps.
    fs.writeFileSync(lab.vms[4].vboxFile, '<VirtualBox><Machine uuid="{broken');
    const first = await service(lab, { cacheFile }).list();
    expect(showvminfos()).toEqual([lab.vms[4].uuid]);
    const cache = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData;
    expect(cache).toMatchObject({ format: INVENTORY_CACHE_FORMAT, version: INVENTORY_CACHE_VERSION });
    expect(cache.vboxManage?.version).toBe('7.0.18r162988');
    expect(cache.vms[lab.vms[4].uuid].showvminfo?.name).toBe(lab.vms[4].name);
    expect(cache.vms[lab.vms[0].uuid].file?.result.config.system.memoryMB?.value).toBe(4096);

    const n = readStandInLog(logFile).length;
    const relaunched = service(lab, { cacheFile });
    const second = await relaunched.list();
    const calls = callsSince(n);
    expect(calls.length).toBeLessThanOrEqual(3);
    expect(calls.sort()).toEqual(['list runningvms', 'list vms']);
    expect(second.vms).toEqual(first.vms);
    expect(second.host).toEqual(first.host);
    expect(second.vbox).toEqual(first.vbox);
    const d = await relaunched.get(lab.vms[4].uuid);
    expect(d.config?.source).toBe('vboxmanage');
    expect(d.config?.system.memoryMB?.key).toBe('memory');
  });

  it('a changed settings file is read again; a changed state needs showvminfo again', async () => {
    const lab = writeVboxLab(dir, [...VMS, VMS[1]], V70);
    fs.writeFileSync(lab.vms[4].vboxFile, '<VirtualBox><Machine uuid="{broken');
    await service(lab, { cacheFile }).list();

    // clientbasso gets 1536 MB; the broken file changes (mtime) too.
    const basso = lab.vms[1].vboxFile;
    fs.writeFileSync(
      basso,
      fs.readFileSync(basso, 'latin1').replace('RAMSize="1024"', 'RAMSize="1536"'),
      'latin1',
    );
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(basso, later, later);
    fs.utimesSync(lab.vms[4].vboxFile, later, later);
    let n = readStandInLog(logFile).length;
    const inv = await service(lab, { cacheFile }).list();
    expect(inv.vms.find((v) => v.id === lab.vms[1].uuid)?.memoryMB).toBe(1536);
    expect(showvminfos(n)).toEqual([lab.vms[4].uuid]);

    // Nothing changed now: no showvminfo at all.
    n = readStandInLog(logFile).length;
    await service(lab, { cacheFile }).list();
    expect(showvminfos(n)).toEqual([]);

    // VM 2 started (and VM 4, whose showvminfo read was cached): both are read live.
    setRunning(lab.scenarioFile, [lab.vms[2].uuid, lab.vms[4].uuid]);
    n = readStandInLog(logFile).length;
    const running = await service(lab, { cacheFile }).list();
    expect(showvminfos(n).sort()).toEqual([lab.vms[2].uuid, lab.vms[4].uuid].sort());
    expect(running.vms.find((v) => v.id === lab.vms[2].uuid)?.memoryMB).not.toBe(192);
    // A running VM's read is never kept: stopped again, the file is used.
    setRunning(lab.scenarioFile, []);
    n = readStandInLog(logFile).length;
    const stopped = await service(lab, { cacheFile }).list();
    expect(showvminfos(n)).toEqual([lab.vms[4].uuid]);
    expect(stopped.vms.find((v) => v.id === lab.vms[2].uuid)?.memoryMB).toBe(192);
  });

  it('refresh re-runs --version, list hostinfo and the cached showvminfo reads', async () => {
    const lab = writeVboxLab(dir, [...VMS, VMS[1]], V70);
    fs.writeFileSync(lab.vms[4].vboxFile, '<VirtualBox><Machine uuid="{broken');
    await service(lab, { cacheFile }).list();
    const svc = service(lab, { cacheFile });
    await svc.list();
    const n = readStandInLog(logFile).length;
    await svc.list(true);
    expect(callsSince(n).sort()).toEqual([
      '--version',
      'list hostinfo',
      'list runningvms',
      'list vms',
      `showvminfo ${lab.vms[4].uuid} --machinereadable`,
    ]);
  });

  it('a corrupt or foreign cache file is ignored, the VMs are read normally, and the file is rewritten', async () => {
    const lab = writeVboxLab(dir, VMS, V70);
    const expected = (await service(lab).list()).vms;
    for (const junk of [
      '{"format":"vm-companion-inventory-cache","version":1,"vms":{',
      JSON.stringify({ format: INVENTORY_CACHE_FORMAT, version: 99, vms: {} }),
      JSON.stringify({ hello: 'world' }),
    ]) {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      fs.writeFileSync(cacheFile, junk);
      const n = readStandInLog(logFile).length;
      const inv = await service(lab, { cacheFile }).list();
      expect(inv.vms).toEqual(expected);
      expect(callsSince(n).sort()).toEqual(['--version', 'list hostinfo', 'list runningvms', 'list vms']);
      const rewritten = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData;
      expect(rewritten.version).toBe(INVENTORY_CACHE_VERSION);
      expect(Object.keys(rewritten.vms).sort()).toEqual(lab.vms.map((v) => v.uuid).sort());
    }
    // A cache of another app version is not used either.
    const n = readStandInLog(logFile).length;
    await service(lab, { cacheFile, appVersion: '9.9.9' }).list();
    expect(callsSince(n)).toContain('--version');
    expect((JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData).appVersion).toBe('9.9.9');
  });

  it('a damaged VM entry is dropped alone; the lab without settings files keeps calling showvminfo', async () => {
    const lab = writeVboxLab(dir, VMS, V70);
    await service(lab, { cacheFile }).list();
    const data = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData;
    (data.vms[lab.vms[0].uuid] as unknown as Record<string, unknown>).file = { stamp: 'x' };
    fs.writeFileSync(cacheFile, JSON.stringify(data));
    const n = readStandInLog(logFile).length;
    const inv = await service(lab, { cacheFile }).list();
    expect(callsSince(n).sort()).toEqual(['list runningvms', 'list vms']);
    expect(inv.vms.find((v) => v.id === lab.vms[0].uuid)?.memoryMB).toBe(4096);

    // The stand-in lab has no VirtualBox.xml and its CfgFiles do not exist here: showvminfo every time.
    const labSvc = (): InventoryService =>
      new InventoryService({
        store,
        env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) },
        platform: 'linux',
        homedir: path.join(dir, 'home'),
        registryCandidates: [],
        cacheFile: path.join(dir, 'lab-cache.json'),
      });
    await labSvc().list();
    const m = readStandInLog(logFile).length;
    const again = await labSvc().list();
    expect(showvminfos(m)).toHaveLength(again.vms.length);
  });

  it('with VirtualBox 7.1, an EFI VM is read with showvminfo (Secure Boot), kept while its .vbox and NVRAM are unchanged', async () => {
    const efiDump = 'showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt';
    const lab = writeVboxLab(dir, [VMS[1], { vbox: VMS[3].vbox, showvminfo: efiDump }]);
    const efi = lab.vms[1];
    const inv = await service(lab, { cacheFile }).list();
    expect(inv.vbox.version).toBe('7.1.12r169651');
    expect(showvminfos()).toEqual([efi.uuid]);
    expect(inv.vms.find((v) => v.id === efi.uuid)).toMatchObject({ cpus: 7, source: 'vboxmanage' });
    const nvram = path.join(
      path.dirname(efi.vboxFile),
      'vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.nvram',
    );
    const cached = (JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData).vms[efi.uuid];
    expect(cached.showvminfo?.nvram).toEqual({ path: nvram, stamp: null });

    let n = readStandInLog(logFile).length;
    await service(lab, { cacheFile }).list();
    expect(callsSince(n).sort()).toEqual(['list runningvms', 'list vms']);
    // Secure Boot changed (modifynvram writes the NVRAM file, not the .vbox): read again.
    fs.writeFileSync(nvram, 'NVRAM');
    n = readStandInLog(logFile).length;
    await service(lab, { cacheFile }).list();
    expect(showvminfos(n)).toEqual([efi.uuid]);
    n = readStandInLog(logFile).length;
    await service(lab, { cacheFile }).list();
    expect(showvminfos(n)).toEqual([]);
  });
});

describe('settings file and showvminfo of the same VM', () => {
  it('no fixture pair exists; what each reader gives that the other cannot', async () => {
    const { parseVboxFile, decodeSettingsBytes } = await import('../../app/core/vbox/vbox-file.ts');
    const { showVmInfoToConfig } = await import('../../app/core/vbox/to-config.ts');
    const dirOf = (kind: string): string => path.join(FIXTURES_DIR, kind);
    const files = fs.readdirSync(dirOf('vbox')).map((f) =>
      parseVboxFile(decodeSettingsBytes(fs.readFileSync(path.join(dirOf('vbox'), f))), {
        path: `/vms/${f}`,
      }),
    );
    const dumps = fs
      .readdirSync(dirOf('showvminfo'))
      .map((f) => fs.readFileSync(path.join(dirOf('showvminfo'), f), 'utf8'))
      .filter((t) => /^UUID="/m.test(t)) // the NIC fragment has none
      .map((t) => showVmInfoToConfig(t, 'vboxmanage'));
    // tests/fixtures has no showvminfo recording and .vbox of the same VM (FIXTURES.md): if one is
    // added, compare the mirror's values of the pair here.
    const dumpIds = new Set(dumps.map((d) => d.id).filter(Boolean));
    expect(files.map((f) => f.config.id).filter((id) => dumpIds.has(id))).toEqual([]);
    // Only showvminfo: the effective paravirtualization provider, the log folder, the controllers'
    // maximum port counts (and, at run time, Guest Additions, session, Secure Boot on 7.1).
    expect(files.every((f) => f.config.system.effectiveParavirtProvider === undefined)).toBe(true);
    expect(files.every((f) => f.config.general.logFolder === undefined)).toBe(true);
    expect(files.every((f) => f.config.storage.every((c) => c.maxPortCount === undefined))).toBe(true);
    expect(files.every((f) => f.config.system.secureBoot === undefined)).toBe(true);
    const sailfish = dumps.find((d) => d.id === '5bc88aa7-3372-4122-9d67-52b62310fdc4')!;
    expect(sailfish.system.effectiveParavirtProvider?.value).toBe('kvm');
    // Only the file: TPM, audio controller, platform architecture (showvminfo completes the first two from it).
    const basso = files.find((f) => f.config.general.name?.value === 'clientbasso')!;
    expect(basso.config.audio.controller).toMatchObject({ value: 'ac97' });
    expect(basso.config.system.tpm?.key).toBe('Machine/Hardware/TrustedPlatformModule/@type');
    expect(dumps.every((d) => d.audio.controller === undefined && d.system.tpm === undefined)).toBe(true);
  });
});

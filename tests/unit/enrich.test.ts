/**
 * Joining `showvminfo` and the `.vbox` settings file (app/core/enrich.ts) on real fixtures:
 * a temporary VM folder holds a copy of a real `.vbox` fixture and a `showvminfo --machinereadable`
 * dump of the same VM (same UUID) whose `CfgFile` points at the copy.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIRROR_CONTROL_IDS } from '../../app/shared/catalog-ids.ts';
import type { VmConfig, VmSummary } from '../../app/shared/model.ts';
import {
  FileReadError,
  SettingsFileCache,
  VmFileError,
  enrichFromCfgFile,
  enrichWithVboxFile,
  findingsFor,
  hostOsFor,
  isLocalAbsolutePath,
  mapBounded,
  parseVmFile,
  readCfgFile,
  readRegularFile,
  runningVmsOf,
  versionOf,
} from '../../app/core/enrich.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import { decodeSettingsBytes, parseVboxFile, readVboxFile } from '../../app/core/vbox/vbox-file.ts';

const FIX = path.resolve(import.meta.dirname, '../fixtures');
const CLIENTBASSO = 'vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox';
const CLIENTBASSO_UUID = '827810e0-21ce-4282-bfc2-cfd981a45ce0';

/**
 * A VirtualBox 6.1 `showvminfo --machinereadable` dump of the VM in the `clientbasso` fixture
 * (same UUID, values as its `.vbox` says), with `CfgFile` and a few values replaceable.
 */
function clientbassoDump(o: {
  cfgFile: string;
  memory?: number;
  nic1?: string;
  mac1?: string;
  sataUuid?: string;
}) {
  const dir = path.dirname(o.cfgFile);
  const bridged = (o.nic1 ?? 'bridged') === 'bridged';
  return [
    'name="clientbasso"',
    'groups="/"',
    'ostype="Debian (64-bit)"',
    `UUID="${CLIENTBASSO_UUID}"`,
    `CfgFile="${o.cfgFile}"`,
    `SnapFldr="${dir}/Snapshots"`,
    `LogFldr="${dir}/Logs"`,
    `hardwareuuid="${CLIENTBASSO_UUID}"`,
    `memory=${o.memory ?? 1024}`,
    'pagefusion="off"',
    'vram=16',
    'cpuexecutioncap=100',
    'hpet="off"',
    'cpu-profile="host"',
    'chipset="piix3"',
    'firmware="BIOS"',
    'cpus=1',
    'pae="off"',
    'longmode="on"',
    'nested-hw-virt="off"',
    'boot1="floppy"',
    'boot2="dvd"',
    'boot3="disk"',
    'boot4="net"',
    'acpi="on"',
    'ioapic="on"',
    'rtcuseutc="on"',
    'hwvirtex="on"',
    'nestedpaging="on"',
    'largepages="off"',
    'vtxvpid="on"',
    'vtxux="on"',
    'paravirtprovider="default"',
    'effparavirtprovider="kvm"',
    'VMState="saved"',
    'VMStateChangeTime="2019-09-26T10:37:25.000000000"',
    'graphicscontroller="vboxvga"',
    'monitorcount=1',
    'accelerate3d="off"',
    'accelerate2dvideo="off"',
    'storagecontrollername0="IDE"',
    'storagecontrollertype0="PIIX4"',
    'storagecontrollerinstance0="0"',
    'storagecontrollermaxportcount0="2"',
    'storagecontrollerportcount0="2"',
    'storagecontrollerbootable0="on"',
    '"IDE-0-0"="none"',
    '"IDE-0-1"="none"',
    '"IDE-1-0"="emptydrive"',
    '"IDE-IsEjected"="off"',
    '"IDE-1-1"="none"',
    'storagecontrollername1="SATA"',
    'storagecontrollertype1="IntelAhci"',
    'storagecontrollerinstance1="0"',
    'storagecontrollermaxportcount1="30"',
    'storagecontrollerportcount1="1"',
    'storagecontrollerbootable1="on"',
    `"SATA-0-0"="${dir}/clientbasso.vdi"`,
    `"SATA-ImageUUID-0-0"="${o.sataUuid ?? 'a0015833-8303-4824-8dda-026fa8fa07ed'}"`,
    ...(bridged ? ['bridgeadapter1="br0"'] : ['natnet1="nat"']),
    `macaddress1="${o.mac1 ?? '080027AABB01'}"`,
    'cableconnected1="on"',
    `nic1="${o.nic1 ?? 'bridged'}"`,
    'nictype1="82540EM"',
    'nicspeed1="0"',
    ...[2, 3, 4, 5, 6, 7, 8].map((n) => `nic${n}="none"`),
    'hidpointing="usbtablet"',
    'hidkeyboard="ps2kbd"',
    'uart1="off"',
    'uart2="off"',
    'uart3="off"',
    'uart4="off"',
    'audio="pulse"',
    'audio_out="on"',
    'audio_in="on"',
    'clipboard="disabled"',
    'draganddrop="disabled"',
    'vrde="off"',
    'usb="on"',
    'ehci="off"',
    'xhci="off"',
    'videocap="off"',
    '',
  ].join('\n');
}

let dir: string;
let vmDir: string;
let vboxPath: string;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-enrich-'));
  vmDir = path.join(dir, 'VirtualBox VMs', 'clientbasso');
  fs.mkdirSync(vmDir, { recursive: true });
  vboxPath = path.join(vmDir, 'clientbasso.vbox');
  fs.copyFileSync(path.join(FIX, 'vbox', CLIENTBASSO), vboxPath);
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const live = (o: Partial<Parameters<typeof clientbassoDump>[0]> = {}): VmConfig =>
  showVmInfoToConfig(clientbassoDump({ cfgFile: vboxPath, ...o }), 'vboxmanage');

describe('enrichWithVboxFile on the clientbasso pair', () => {
  it('fills TPM and audio controller, passes the .vbox extras through, finds no discrepancy when both agree', async () => {
    const config = live();
    const before = structuredClone(config);
    const vbox = await readVboxFile(vboxPath);
    const e = enrichWithVboxFile(config, vbox);
    expect(config).toEqual(before); // input untouched
    expect(e.discrepancies).toEqual([]);
    // Values showvminfo printed stay as it printed them.
    expect(e.config.system.memoryMB).toEqual({ value: 1024, key: 'memory', raw: '1024' });
    expect(e.config.network[0].attachment).toEqual({ value: 'bridged', key: 'nic1', raw: 'bridged' });
    // What showvminfo never prints comes from the file, keyed by XML path.
    expect(before.system.tpm).toBeUndefined();
    expect(e.config.system.tpm).toEqual({
      value: 'none',
      key: 'Machine/Hardware/TrustedPlatformModule/@type',
      raw: '',
    });
    expect(e.config.audio.controller).toEqual({
      value: 'ac97',
      key: 'Machine/Hardware/AudioAdapter/@controller',
      raw: '',
    });
    expect(e.extras['general.basic.osTypeId']).toEqual({
      value: 'Debian_64',
      key: 'Machine/@OSType',
      raw: 'Debian_64',
    });
    expect(e.extras['audio.cli.codec']).toMatchObject({ value: 'AD1980', raw: 'AD1980' });
    expect(e.extras['storage.controller.hostIoCache@IDE']).toEqual({
      value: true,
      key: 'Machine/StorageControllers/StorageController[@name="IDE"]/@useHostIOCache',
      raw: 'true',
    });
    expect(e.extras['storage.controller.hostIoCache@SATA']).toMatchObject({ value: false, raw: 'false' });
    expect(e.extras['network.adapter.promiscuous@1']).toMatchObject({ value: 'deny', raw: '' });
    expect(e.extras['system.cli.cpuHotPlug']).toMatchObject({ value: false });
    expect(e.extras['system.cli.executionEngine']).toMatchObject({ value: 'default' });
    expect(Object.keys(e.extras)).toHaveLength(Object.keys(vbox.extras).length);
  });

  it('keeps the running truth and records each disagreement with both keys and raw values', async () => {
    const config = live({ memory: 2048, nic1: 'nat', sataUuid: '11111111-2222-4333-8444-555555555555' });
    const e = enrichWithVboxFile(config, await readVboxFile(vboxPath));
    expect(e.config.system.memoryMB?.value).toBe(2048);
    expect(e.config.network[0].attachment.value).toBe('nat');
    expect(e.discrepancies).toEqual([
      {
        settingId: 'system.motherboard.memory',
        showvminfo: { key: 'memory', raw: '2048' },
        vboxFile: { key: 'Machine/Hardware/Memory/@RAMSize', raw: '1024' },
      },
      {
        settingId: 'storage.attachment.medium#SATA:0:0',
        showvminfo: { key: 'SATA-ImageUUID-0-0', raw: '11111111-2222-4333-8444-555555555555' },
        vboxFile: {
          key: 'Machine/StorageControllers/StorageController[@name="SATA"]/AttachedDevice[@port=0][@device=0]/Image/@uuid',
          raw: '{a0015833-8303-4824-8dda-026fa8fa07ed}',
        },
      },
      {
        settingId: 'network.adapter.attachedTo#1',
        showvminfo: { key: 'nic1', raw: 'nat' },
        vboxFile: {
          key: 'Machine/Hardware/Network/Adapter[@slot=0]/BridgedInterface',
          raw: 'BridgedInterface',
        },
      },
    ]);
    // Every discrepancy names a control the mirror shows.
    for (const d of e.discrepancies)
      expect(MIRROR_CONTROL_IDS as readonly string[]).toContain(d.settingId.split('#')[0]);
  });

  it('compares case-insensitively for enums (MAC) but reports a real MAC change', async () => {
    const same = enrichWithVboxFile(live({ mac1: '080027aabb01' }), await readVboxFile(vboxPath));
    expect(same.discrepancies).toEqual([]);
    const changed = enrichWithVboxFile(live({ mac1: '080027AABB99' }), await readVboxFile(vboxPath));
    expect(changed.discrepancies.map((d) => [d.settingId, d.showvminfo.raw, d.vboxFile.raw])).toEqual([
      ['network.adapter.mac#1', '080027AABB99', '080027AABB01'],
    ]);
  });

  it('does not compare defaults the file does not write (raw "")', async () => {
    // The fixture has no <CPU count>, so 1 is the reader's default: 4 live vCPUs are no discrepancy.
    const config = live();
    config.system.cpus = { value: 4, key: 'cpus', raw: '4' };
    expect(enrichWithVboxFile(config, await readVboxFile(vboxPath)).discrepancies).toEqual([]);
  });

  it('merges nothing from a file that describes another VM', async () => {
    const other = await readVboxFile(path.join(FIX, 'vbox', 'vagrant-test-trimmed-snapshot-natfwd.vbox'));
    const e = enrichWithVboxFile(live({ memory: 2048 }), other);
    expect(e.extras).toEqual({});
    expect(e.discrepancies).toEqual([]);
    expect(e.config.system.tpm).toBeUndefined();
  });

  it('a file with TPM 2.0 and promiscuous "allow all" fills the model and extras', async () => {
    const xml = fs
      .readFileSync(vboxPath, 'utf8')
      .replace(
        '<Memory RAMSize="1024"/>',
        '<Memory RAMSize="1024"/>\n      <TrustedPlatformModule type="v2_0"/>',
      )
      .replace(
        'MACAddress="080027AABB01" type="82540EM">',
        'MACAddress="080027AABB01" type="82540EM" promiscuousModePolicy="AllowAll">',
      );
    fs.writeFileSync(vboxPath, xml);
    const e = enrichWithVboxFile(live(), await readVboxFile(vboxPath));
    expect(e.config.system.tpm).toEqual({
      value: 'v2_0',
      key: 'Machine/Hardware/TrustedPlatformModule/@type',
      raw: 'v2_0',
    });
    expect(e.extras['system.motherboard.tpm'].value).toBe('v2_0');
    expect(e.extras['network.adapter.promiscuous@1']).toEqual({
      value: 'allow-all',
      key: 'Machine/Hardware/Network/Adapter[@slot=0]/@promiscuousModePolicy',
      raw: 'AllowAll',
    });
    expect(e.discrepancies).toEqual([]);
  });

  it.each(fs.readdirSync(path.join(FIX, 'vbox')).sort())(
    '%s compared with itself has no discrepancy (no false alarms from the comparison)',
    (file) => {
      const text = decodeSettingsBytes(fs.readFileSync(path.join(FIX, 'vbox', file)));
      const r = parseVboxFile(text, { path: `/vms/x/${file}` });
      const e = enrichWithVboxFile(r.config, r);
      expect(e.discrepancies).toEqual([]);
      expect(Object.keys(e.extras).length).toBeGreaterThan(5);
    },
  );
});

describe('readCfgFile / enrichFromCfgFile', () => {
  it('reads the CfgFile of a showvminfo config and records provenance', async () => {
    const x = await enrichFromCfgFile(live({ memory: 2048 }), { platform: 'linux' });
    expect(x.provenance?.vboxFile).toEqual({ path: vboxPath, read: true });
    expect(x.provenance?.discrepancies.map((d) => d.settingId)).toEqual(['system.motherboard.memory']);
    expect(x.extras?.['system.motherboard.tpm'].value).toBe('none');
  });

  it('a config without CfgFile is returned unchanged, with no settings file in the provenance', async () => {
    const config = live();
    delete config.general.cfgFile;
    const x = await enrichFromCfgFile(config, { platform: 'linux' });
    expect(x.config).toBe(config);
    expect(x.provenance).toEqual({ discrepancies: [] });
    expect(await readCfgFile(config, { platform: 'linux' })).toBeUndefined();
  });

  it('never fails: every unusable CfgFile becomes read:false with the reason', async () => {
    const cases: [string, RegExp][] = [
      [path.join(vmDir, 'gone.vbox'), /^the settings file could not be read: no such file$/],
      [
        'C:\\Users\\user\\VirtualBox VMs\\clientbasso\\clientbasso.vbox',
        /not an absolute path on this computer/,
      ],
      ['VirtualBox VMs/clientbasso/clientbasso.vbox', /not an absolute path on this computer/],
      ['/etc/hostname', /does not end in \.vbox or \.xml/],
    ];
    fs.mkdirSync(path.join(vmDir, 'folder.vbox'));
    cases.push([path.join(vmDir, 'folder.vbox'), /it is a folder, not a file/]);
    fs.writeFileSync(
      path.join(vmDir, 'broken.vbox'),
      '<VirtualBox>\n  <Machine uuid="{x}">\n</VirtualBox>\n',
    );
    cases.push([
      path.join(vmDir, 'broken.vbox'),
      /^the file is not a usable VirtualBox settings file: line \d+: /,
    ]);
    fs.copyFileSync(
      path.join(FIX, 'vbox', 'vagrant-test-trimmed-snapshot-natfwd.vbox'),
      path.join(vmDir, 'other.vbox'),
    );
    cases.push([
      path.join(vmDir, 'other.vbox'),
      /describes another VM \(UUID 623842dc-0947-4143-aa4e-7d180c5eb348/,
    ]);
    for (const [cfgFile, why] of cases) {
      const config = live({ cfgFile });
      const x = await enrichFromCfgFile(config, { platform: 'linux' });
      expect(x.provenance?.vboxFile?.path).toBe(cfgFile);
      expect(x.provenance?.vboxFile?.read).toBe(false);
      expect(x.provenance?.vboxFile?.error).toMatch(why);
      expect(x.config).toBe(config);
      expect(x.extras).toBeUndefined();
    }
  });

  it('a FIFO named like a settings file is refused without blocking', async () => {
    const fifo = path.join(vmDir, 'pipe.vbox');
    execFileSync('mkfifo', [fifo]);
    const x = await enrichFromCfgFile(live({ cfgFile: fifo }), { platform: 'linux' });
    expect(x.provenance?.vboxFile).toMatchObject({
      read: false,
      error: expect.stringMatching(/not a regular file/),
    });
  });

  it.skipIf(process.getuid?.() === 0)('an unreadable file is reported as permission denied', async () => {
    fs.chmodSync(vboxPath, 0o000);
    const x = await enrichFromCfgFile(live(), { platform: 'linux' });
    expect(x.provenance?.vboxFile?.error).toMatch(/permission denied/);
  });

  it('Windows paths are local on win32 only', () => {
    expect(isLocalAbsolutePath('C:\\VMs\\a.vbox', 'win32')).toBe(true);
    expect(isLocalAbsolutePath('\\\\server\\share\\a.vbox', 'win32')).toBe(true);
    expect(isLocalAbsolutePath('/home/a.vbox', 'win32')).toBe(false);
    expect(isLocalAbsolutePath('C:\\VMs\\a.vbox', 'darwin')).toBe(false);
    expect(isLocalAbsolutePath('/home/a.vbox', 'linux')).toBe(true);
    expect(isLocalAbsolutePath('/home/a\0.vbox', 'linux')).toBe(false);
  });
});

describe('SettingsFileCache', () => {
  it('parses once while the file is unchanged, again after it changes (mtime)', async () => {
    const cache = new SettingsFileCache();
    const a = await cache.read(vboxPath);
    expect(await cache.read(vboxPath)).toBe(a);
    fs.writeFileSync(vboxPath, fs.readFileSync(vboxPath, 'utf8').replace('RAMSize="1024"', 'RAMSize="3072"'));
    fs.utimesSync(vboxPath, new Date(), new Date(Date.now() + 5000));
    const b = await cache.read(vboxPath);
    expect(b).not.toBe(a);
    expect(b.config.system.memoryMB?.value).toBe(3072);
  });

  it('keeps a parse failure until the file changes; file errors are FileReadErrors', async () => {
    const cache = new SettingsFileCache();
    fs.writeFileSync(vboxPath, '<VirtualBox><Global/></VirtualBox>');
    await expect(cache.read(vboxPath)).rejects.toThrow(/global VirtualBox\.xml/);
    await expect(cache.read(vboxPath)).rejects.toThrow(/global VirtualBox\.xml/);
    await expect(cache.read(path.join(vmDir, 'none.vbox'))).rejects.toBeInstanceOf(FileReadError);
  });

  it('readRegularFile refuses files over the limit', async () => {
    await expect(readRegularFile(vboxPath, 100)).rejects.toMatchObject({ code: 'TOO_LARGE' });
    expect((await readRegularFile(vboxPath)).stamp.size).toBe(fs.statSync(vboxPath).size);
  });
});

describe('parseVmFile (content detection)', () => {
  const file = (rel: string): Buffer => fs.readFileSync(path.join(FIX, rel));

  it('reads a .vbox as a settings file and a dump as showvminfo output, whatever the name', () => {
    const v = parseVmFile(file(`vbox/${CLIENTBASSO}`), '/vms/clientbasso/clientbasso.txt');
    expect(v.kind).toBe('vbox');
    expect(v.config).toMatchObject({ id: CLIENTBASSO_UUID, source: 'file' });
    expect(v.config.general.cfgFile?.value).toBe('/vms/clientbasso/clientbasso.txt');
    const d = parseVmFile(
      file('showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt'),
      '/tmp/dump.vbox',
    );
    expect(d.kind).toBe('showvminfo');
    expect(d.config).toMatchObject({ id: '8c722e19-bd30-4eb3-b36a-95fc4e20c072', source: 'file' });
    expect(d.config.system.cpus?.value).toBe(7);
    // An ISO-8859-1 .vbox (libvirt) is decoded per its XML declaration.
    const latin = parseVmFile(
      file('vbox/libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox'),
      '/x.vbox',
    );
    expect(latin.config.id).toBe('74864f52-a7b7-4172-a7a5-54b6f3e9cd21');
  });

  it('refuses other files with a message naming the file and the reason', () => {
    const cases: [Buffer, string, RegExp][] = [
      [Buffer.from('  \n'), 'empty.txt', /^Cannot use empty\.txt: the file is empty\.$/],
      [
        file('showvminfo-human/vbox60-windows-host-human-readable-not-machinereadable.txt'),
        'human.txt',
        /^Cannot use human\.txt: it is the human-readable output of "VBoxManage showvminfo"; save .*--machinereadable" instead\.$/,
      ],
      [
        file('virtualbox-xml/ragnarlocker-1.7-windows-relative-src-global-mediaregistry-annotated.xml'),
        'VirtualBox.xml',
        /^Cannot use VirtualBox\.xml: it is not a VirtualBox machine settings file \(\.vbox\): .*global VirtualBox\.xml/,
      ],
      [
        Buffer.from('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaa">]>\n<VirtualBox/>'),
        'evil.vbox',
        /^Cannot use evil\.vbox: it is not a VirtualBox machine settings file \(\.vbox\): line 2: .*declares XML entities/,
      ],
      [
        file('vmx/esx-hw8-rhel71-uefi.vmx'),
        'rhel.vmx',
        /^Cannot use rhel\.vmx: it does not look like "VBoxManage showvminfo <vm> --machinereadable" output nor like a VirtualBox settings file/,
      ],
    ];
    for (const [bytes, name, why] of cases) {
      expect(() => parseVmFile(bytes, `/tmp/${name}`)).toThrow(VmFileError);
      expect(() => parseVmFile(bytes, `/tmp/${name}`)).toThrow(why);
    }
  });
});

describe('advice context helpers', () => {
  const vm = (id: string, source: VmSummary['source'], state?: string, memoryMB?: number): VmSummary => ({
    id,
    hypervisor: 'virtualbox',
    source,
    name: id,
    accessible: true,
    findings: 0,
    ...(state ? { state } : {}),
    ...(memoryMB ? { memoryMB } : {}),
  });

  it('running VMs: running/paused with known memory, never VMs read from files', () => {
    expect(
      runningVmsOf([
        vm('a', 'vboxmanage', 'running', 2048),
        vm('b', 'vboxmanage', 'paused', 1024),
        vm('c', 'vboxmanage', 'poweroff', 4096),
        vm('d', 'vboxmanage', 'saved', 4096),
        vm('e', 'file', 'running', 4096),
        vm('f', 'vboxmanage', 'running'),
        vm('demo-g', 'demo', 'running', 512),
      ]),
    ).toEqual([
      { id: 'a', memoryMB: 2048 },
      { id: 'b', memoryMB: 1024 },
      { id: 'demo-g', memoryMB: 512 },
    ]);
  });

  it('host OS and version mapping', () => {
    expect(['win32', 'darwin', 'linux', 'freebsd', 'sunos'].map(hostOsFor)).toEqual([
      'win32',
      'darwin',
      'linux',
      'linux',
      'linux',
    ]);
    expect(versionOf('7.1.12r169651')).toEqual({ major: 7, minor: 1 });
    expect(versionOf('6.1.32_Ubuntur149290')).toEqual({ major: 6, minor: 1 });
    expect(versionOf('garbage')).toBeUndefined();
    expect(versionOf(undefined)).toBeUndefined();
  });

  it('findingsFor evaluates a demo VM under its real UUID, with the version spelling', () => {
    const config = showVmInfoToConfig(
      fs.readFileSync(
        path.join(FIX, 'showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt'),
        'utf8',
      ),
      'demo',
    );
    const demo = { ...config, id: `demo-${config.id}` };
    const host = { cores: 4, threads: 8, memoryMB: 16384, os: 'Linux', fromHostInfo: true };
    const f = findingsFor(demo, {
      host,
      hostOs: 'linux',
      runningVms: [],
      vboxVersion: { major: 7, minor: 1 },
    });
    const cpu = f.find((x) => x.id === 'vbox.processor.cpus-over-cores')!;
    expect(cpu.numbers).toMatchObject({ cpus: 7 });
    expect(cpu.fix?.command).toBe('VBoxManage modifyvm 8c722e19-bd30-4eb3-b36a-95fc4e20c072 --cpus 3');
    // On a 16-core host there is no vCPU finding.
    const big = findingsFor(demo, {
      host: { ...host, cores: 16, threads: 32 },
      hostOs: 'linux',
      runningVms: [],
    });
    expect(big.some((x) => x.id === 'vbox.processor.cpus-over-cores')).toBe(false);
  });

  it('mapBounded keeps order and never runs more than the limit at once', async () => {
    let active = 0;
    let peak = 0;
    const out = await mapBounded([5, 1, 4, 2, 3, 0], 2, async (n) => {
      active++;
      peak = Math.max(peak, active);
      await new Promise((r) => setTimeout(r, n * 3));
      active--;
      return n * 10;
    });
    expect(out).toEqual([50, 10, 40, 20, 30, 0]);
    expect(peak).toBe(2);
    expect(await mapBounded([], 4, async () => 1)).toEqual([]);
  });
});

describe('VmFileError', () => {
  it('ends its message with one full stop, also when the reason already ends a sentence', () => {
    expect(new VmFileError('a.vbox', 'the file is empty').message).toBe(
      'Cannot use a.vbox: the file is empty.',
    );
    expect(new VmFileError('a.vbox', 'EACCES: permission denied.').message).toBe(
      'Cannot use a.vbox: EACCES: permission denied.',
    );
    expect(new VmFileError('a.vbox', 'line 3: unexpected "<"?').message).toBe(
      'Cannot use a.vbox: line 3: unexpected "<"?',
    );
  });
});

/**
 * compareVms and its normalisers, on configurations read from the real fixtures: a VirtualBox
 * `showvminfo` dump, VMware `.vmx` files and libvirt domain XML (no I/O besides reading them).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  compareVms,
  controllerBus,
  formatMac,
  neutralAttachment,
  nicFamily,
  osKey,
} from '../../app/core/compare.ts';
import { parseDomainXml } from '../../app/core/kvm/domain-xml.ts';
import { summaryFromKvmConfig } from '../../app/core/kvm/inventory.ts';
import { showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import { readVmx } from '../../app/core/vmware/index.ts';
import type { ComparisonRow, VmDetail } from '../../app/shared/contract.ts';
import type { HostFacts, Hypervisor, NetworkAdapter } from '../../app/shared/model.ts';

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (p: string): string => fs.readFileSync(path.join(root, 'tests/fixtures', p), 'utf8');
const HOST: HostFacts = { cores: 4, threads: 8, memoryMB: 16384, os: 'Linux', fromHostInfo: false };

function vbox(file: string): VmDetail {
  const config = showVmInfoToConfig(fixture(`showvminfo/${file}`), 'file');
  return { summary: summaryFromConfig(config), config, host: HOST };
}
function vmware(file: string): VmDetail {
  const r = readVmx(fs.readFileSync(path.join(root, 'tests/fixtures/vmx', file)), {
    path: `/vms/${file}`,
    platform: 'linux',
  });
  return { summary: r.summary, config: r.config, host: HOST };
}
/** One `<domain>` of the test node XML by name, or the libvirt fixture. */
function kvm(name?: string): VmDetail {
  let xml = fixture('libvirt/vagrant-libvirt-existing-qemu-domain.xml');
  if (name) {
    const node = fixture('libvirt-test/node.xml');
    xml = node
      .split(/(?=<domain )/)
      .slice(1)
      .map((d) => d.slice(0, d.indexOf('</domain>') + '</domain>'.length))
      .find((d) => d.includes(`<name>${name}</name>`))!;
  }
  const config = parseDomainXml(xml);
  return { summary: summaryFromKvmConfig(config), config, host: HOST };
}

const XTEC = 'vbox70-encryption-line-nat-forwarding-empty-guestip-hostonly-windows-adapter-name-vrde-on.txt';
const SERVER1919 = 'vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt';
const rowsOf = (a: VmDetail, b: VmDetail, lang: 'en' | 'zh-CN' = 'en'): Map<string, ComparisonRow> =>
  new Map(
    compareVms(a, b, lang)
      .pages.flatMap((p) => p.rows)
      .map((r) => [r.key, r]),
  );

/** An adapter as a reader builds it: `value` its neutral word, `raw` the file's own word (libvirt's interface type). */
function nic(value: string, raw: string, name?: string): NetworkAdapter {
  const a: NetworkAdapter = { slot: 1, attachment: { value, key: 'k', raw }, portForwards: [] };
  if (name) a.attachmentName = { value: name, key: 'n', raw: name };
  return a;
}

describe('neutralAttachment', () => {
  it('maps every hypervisor onto VirtualBox’s words and one family per meaning', () => {
    const cases: [Hypervisor, string, string, string | undefined, string, string][] = [
      // hypervisor, reader value, raw, name → value, family
      ['virtualbox', 'nat', 'nat', 'nat', 'nat', 'nat'],
      ['virtualbox', 'natnetwork', 'natnetwork', 'NatNet1', 'natnetwork', 'natnetwork'],
      ['virtualbox', 'bridged', 'bridged', 'eth0', 'bridged', 'bridged'],
      ['virtualbox', 'hostonlynetwork', 'hostonlynetwork', 'HostOnly1', 'hostonlynetwork', 'hostonly'],
      ['virtualbox', 'intnet', 'intnet', 'intnet', 'intnet', 'internal'],
      ['virtualbox', 'null', 'null', undefined, 'null', 'notattached'],
      ['vmware', 'nat', 'nat', undefined, 'nat', 'nat'],
      ['vmware', 'custom', 'custom', '/dev/vmnet8', 'nat', 'nat'],
      ['vmware', 'custom', 'custom', 'VMnet0', 'bridged', 'bridged'],
      ['vmware', 'custom', 'custom', '/dev/vmnet1', 'hostonly', 'hostonly'],
      ['vmware', 'custom', 'custom', '/dev/vmnet2', 'custom', 'custom:vmnet2'],
      ['vmware', 'intnet', 'pvn', '52 f6', 'intnet', 'internal'],
      ['kvm', 'nat', 'user', undefined, 'nat', 'nat'],
      ['kvm', 'natnetwork', 'network', 'default', 'nat', 'nat'],
      ['kvm', 'natnetwork', 'network', 'isolated-lab', 'hostonly', 'hostonly'],
      ['kvm', 'natnetwork', 'network', 'host-only', 'hostonly', 'hostonly'],
      ['kvm', 'natnetwork', 'network', 'vagrant-libvirt', 'natnetwork', 'natnetwork'],
      ['kvm', 'bridged', 'bridge', 'br0', 'bridged', 'bridged'],
      ['kvm', 'bridged', 'direct', 'eno1', 'bridged', 'bridged'],
      ['kvm', 'Generic', 'vhostuser', undefined, 'Generic', 'generic'],
    ];
    for (const [hv, value, raw, name, want, family] of cases) {
      const n = neutralAttachment(nic(value, raw, name), hv);
      expect([hv, raw, name, n.value, n.family]).toEqual([hv, raw, name, want, family]);
    }
    // VirtualBox's NAT adapter names its engine `nat`: not shown as a name.
    expect(neutralAttachment(nic('nat', 'nat', 'nat'), 'virtualbox').name).toBeUndefined();
    expect(neutralAttachment(nic('natnetwork', 'network', 'default'), 'kvm').name).toBe('default');
  });
});

describe('small normalisers', () => {
  it('NIC chips by family, MACs, buses, OS types', () => {
    expect(['82540EM', '82543GC', '82545EM', 'e1000'].map((c) => nicFamily(c).family)).toEqual(
      Array(4).fill('e1000'),
    );
    expect(['Am79C970A', 'Am79C973', 'vlance', 'pcnet'].map((c) => nicFamily(c).family)).toEqual(
      Array(4).fill('pcnet'),
    );
    expect(nicFamily('virtio').family).toBe(nicFamily('virtio-net').family);
    expect(nicFamily('e1000e').family).not.toBe(nicFamily('e1000').family);
    expect(nicFamily('Weird9000')).toEqual({ family: 'weird9000', name: 'Weird9000' });
    expect(formatMac('080027aabb01')).toBe('08:00:27:AA:BB:01');
    expect(formatMac('not a mac')).toBe('not a mac');
    expect(
      ['IntelAhci', 'PIIX3', 'ICH6', 'pvscsi', 'LsiLogicSas', 'NVMe', 'I82078', 'virtio'].map((t) =>
        controllerBus(t),
      ),
    ).toEqual(['SATA', 'IDE', 'IDE', 'SCSI', 'SAS', 'NVMe', 'Floppy', 'VirtIO']);
    expect(controllerBus('mystery', 'ctl0')).toBe('ctl0');
    expect(new Set(['Ubuntu (64-bit)', 'ubuntu-64', 'Ubuntu 22.04'].map(osKey))).toEqual(new Set(['ubuntu']));
    expect(osKey('Windows 11 (64-bit)')).toBe(osKey('Windows 11'));
    expect(osKey('windows9-64')).toBe(osKey('Windows 10 (64-bit)'));
    expect(osKey('Windows 10 (64-bit)')).not.toBe(osKey('Windows 11 (64-bit)'));
    expect(osKey('Haiku')).toBe('haiku');
  });
});

describe('compareVms', () => {
  it('a VM against itself differs nowhere; pages in VirtualBox order; rows where both lack a value are left out', () => {
    const a = vbox(XTEC);
    const c = compareVms(a, a);
    expect(c.pages.map((p) => p.page)).toEqual([
      'general',
      'system',
      'display',
      'storage',
      'network',
      'usb',
      'audio',
    ]);
    const rows = c.pages.flatMap((p) => p.rows);
    expect(rows.filter((r) => r.differs)).toEqual([]);
    expect(rows.every((r) => r.a !== null || r.b !== null)).toBe(true);
    expect(new Map(rows.map((r) => [r.key, r.a]))).toEqual(
      new Map([
        ['general.name', 'xtec-1'],
        ['general.os', 'Ubuntu (64-bit)'],
        ['system.memory', '6144 MB'],
        ['system.cpus', '4'],
        ['system.firmware', 'BIOS'],
        ['system.chipset', 'PIIX3'],
        ['system.bootOrder', 'Hard Disk, Optical'],
        ['system.nestedHwVirt', 'off'],
        ['system.paravirt', 'Default'],
        ['display.vram', '4 MB'],
        ['display.accelerate3d', 'off'],
        ['display.monitors', '1'],
        ['display.controller', 'VBoxVGA'],
        ['storage.controller.1', 'IDE: PIIX4 (Default IDE)'],
        ['storage.device.1', 'IDE 0:0 · hard disk'],
        ['storage.medium.1', 'xtec-disk001.vmdk'],
        ['network.1.attachment', 'NAT'],
        ['network.1.adapterType', 'Intel PRO/1000 MT Desktop (82540EM)'],
        ['network.1.mac', '08:00:27:AA:BB:01'],
        ['network.1.portForwarding', 'tcp 127.0.0.1:2201 → 22'],
        ['network.2.attachment', 'Host-only Adapter · VirtualBox Host-Only Ethernet Adapter'],
        ['network.2.adapterType', 'Intel PRO/1000 MT Desktop (82540EM)'],
        ['network.2.mac', '08:00:27:AA:BB:02'],
        ['usb.controller', 'off'],
        ['audio.enabled', 'off'],
      ]),
    );
    expect(rows.find((r) => r.key === 'storage.device.1')?.settingIds).toEqual({
      a: 'storage.attachment.medium#IDE Controller:0:0',
      b: 'storage.attachment.medium#IDE Controller:0:0',
    });
  });

  it('VirtualBox vs VMware: adapters aligned by slot, a slot on one side only differs, a missing setting does not', () => {
    const rows = rowsOf(vbox(XTEC), vmware('fusion-all-lowercase-keys-4-nics-static-mac.vmx'));
    // xtec-1: adapters 1 (NAT) and 2 (host-only); core01: ethernet1..3 = adapters 2 (bridged), 3 (NAT), 4 (host-only).
    expect(rows.get('network.1.attachment')).toMatchObject({ a: 'NAT', b: null, differs: true });
    expect(rows.get('network.2.attachment')).toMatchObject({
      a: 'Host-only Adapter · VirtualBox Host-Only Ethernet Adapter',
      b: 'Bridged Adapter',
      differs: true,
      settingIds: { a: 'network.adapter.attachedTo#2', b: 'vmware.network.connection#ethernet1' },
    });
    expect(rows.get('network.2.adapterType')).toMatchObject({ b: 'Intel PRO/1000 (e1000)', differs: false });
    expect(rows.get('network.3.attachment')).toMatchObject({ a: null, b: 'NAT', differs: true });
    expect(rows.get('network.3.adapterType')).toMatchObject({ a: null, differs: false });
    // VMware has no chipset nor paravirtualization setting: shown, not counted as a difference.
    expect(rows.get('system.chipset')).toMatchObject({
      a: 'PIIX3',
      b: null,
      differs: false,
      settingIds: { a: 'system.motherboard.chipset' },
    });
    expect(rows.get('system.paravirt')).toMatchObject({ b: null, differs: false });
    // vhv.enable absent = off (vmware-vmx.md); both off.
    expect(rows.get('system.nestedHwVirt')).toMatchObject({ a: 'off', b: 'off', differs: false });
    expect(rows.get('system.bootOrder')).toMatchObject({
      a: 'Hard Disk, Optical',
      b: 'Hard Disk, Optical',
      differs: false,
    });
    expect(rows.get('storage.controller.1')).toMatchObject({
      differs: false,
      settingIds: { a: 'storage.controller.type#IDE Controller' },
    });
    expect(rows.get('storage.controller.2')).toMatchObject({
      a: null,
      b: 'SCSI: LsiLogic (Default SCSI)',
      differs: true,
      settingIds: { b: 'vmware.disks.controllerType#scsi0' },
    });
    expect(rows.get('storage.device.1')).toMatchObject({
      a: 'IDE 0:0 · hard disk',
      b: 'IDE 1:0 · optical drive',
      differs: true,
      settingIds: { b: 'vmware.cdrom.isoImage#ide1:0' },
    });
    expect(rows.get('storage.device.3')?.settingIds).toEqual({ b: 'vmware.disks.file#scsi0:0' });
    expect(rows.get('usb.controller')).toMatchObject({
      a: 'off',
      b: 'off',
      differs: false,
      settingIds: { b: 'vmware.usb.compatibility' },
    });
    expect(rows.get('audio.enabled')).toMatchObject({ a: 'off', b: 'off', differs: false });
  });

  it('KVM vs VirtualBox: chipset from the machine type, virtio family, storage ids by target device', () => {
    const rows = rowsOf(kvm('web-bridge'), vbox(SERVER1919));
    expect(rows.get('system.chipset')).toMatchObject({
      a: 'PIIX3 (pc-i440fx-7.2)',
      b: 'PIIX3',
      differs: false,
    });
    expect(rows.get('network.1.attachment')).toMatchObject({ a: 'Bridged Adapter · br0', differs: false });
    expect(rows.get('network.1.attachment')?.b).toMatch(/^Bridged Adapter/);
    expect(rows.get('storage.controller.1')).toMatchObject({
      a: 'SATA: AHCI (SATA)',
      settingIds: { a: 'kvm.disks.controllerType#sata0' },
    });
    expect(rows.get('storage.device.1')?.settingIds.a).toBe('kvm.disks.source#sda');
    expect(rows.get('storage.device.2')).toMatchObject({
      a: 'IDE 1:0 · optical drive',
      settingIds: { a: 'kvm.disks.source#hdc' },
    });
    expect(rows.get('network.2.adapterType')).toMatchObject({
      a: 'Paravirtualized Network (virtio-net)',
      settingIds: { a: 'kvm.nics.model#2' },
    });

    const db = rowsOf(kvm('db-server'), vbox(XTEC));
    expect(db.get('storage.controller.1')?.settingIds.a).toBe('kvm.disks.bus#vda');
    expect(db.get('sharedFolders.1')).toMatchObject({
      a: 'hostshare → /srv/share',
      b: null,
      differs: true,
      settingIds: { a: 'kvm.devices.fsSource#1' },
    });
    expect(db.get('usb.controller')).toMatchObject({ a: 'USB 3.0 (xHCI)', b: 'off', differs: true });
    expect(db.get('audio.controller')).toMatchObject({ a: 'Intel HD Audio', b: null, differs: false });
    expect(db.get('general.os')).toMatchObject({ a: 'Ubuntu 22.04', b: 'Ubuntu (64-bit)', differs: false });
  });

  it('values in Chinese with --lang zh-CN; labels carry both languages', () => {
    const rows = rowsOf(kvm('legacy-user-net'), vbox(XTEC), 'zh-CN');
    expect(rows.get('network.1.attachment')).toMatchObject({
      label: { en: 'Adapter 1 · Attached to', 'zh-CN': '网卡 1 · 连接方式' },
      a: '网络地址转换(NAT)',
      b: '网络地址转换(NAT)',
      differs: false,
    });
    expect(rows.get('storage.device.1')?.a).toBe('IDE 0:0 · 硬盘');
    expect(rows.get('audio.enabled')).toMatchObject({ a: '关闭', b: '关闭' });
  });

  it('an inaccessible VM contributes its summary only', () => {
    const a = vbox(XTEC);
    const gone: VmDetail = {
      summary: {
        id: '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13',
        hypervisor: 'virtualbox',
        source: 'vboxmanage',
        name: '<inaccessible>',
        accessible: false,
        findings: 0,
      },
      config: null,
      host: HOST,
    };
    const c = compareVms(a, gone);
    expect(c.b).toBe(gone.summary);
    const rows = c.pages.flatMap((p) => p.rows);
    expect(rows.find((r) => r.key === 'general.name')).toMatchObject({ b: '<inaccessible>', differs: true });
    expect(rows.find((r) => r.key === 'network.1.attachment')).toMatchObject({
      a: 'NAT',
      b: null,
      differs: true,
    });
    expect(rows.find((r) => r.key === 'system.memory')).toMatchObject({ b: null, differs: false });
  });
});

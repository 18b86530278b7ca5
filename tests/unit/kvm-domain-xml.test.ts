import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  KvmParseError,
  memoryUnitBytes,
  osInfoName,
  parseDomainXml,
  targetIndex,
} from '../../app/core/kvm/domain-xml.ts';
import { readDomainXmlFile } from '../../app/core/kvm/inventory.ts';
import { KVM_CONTROL_IDS } from '../../app/shared/kvm-ids.ts';

/** libvirt domain XML → VmConfig, on the real fixture and on focused variants of it. */

const FIXTURE = 'tests/fixtures/libvirt/vagrant-libvirt-existing-qemu-domain.xml';
const fixtureText = readFileSync(FIXTURE, 'utf8');

/** The fixture with `from` replaced by `to` (each must occur exactly once). */
function variant(...pairs: [string, string][]): string {
  let s = fixtureText;
  for (const [from, to] of pairs) {
    expect(s.split(from).length, `"${from}" occurs once`).toBe(2);
    s = s.replace(from, to);
  }
  return s;
}

describe('vagrant-libvirt fixture (libvirt/vagrant-libvirt-existing-qemu-domain.xml)', () => {
  const c = parseDomainXml(fixtureText, { path: FIXTURE });

  it('identity, overview and provenance keys', () => {
    expect(c.id).toBe('881a931b-0110-4d10-81aa-47a1a19f5726');
    expect(c.hypervisor).toBe('kvm');
    expect(c.source).toBe('file');
    expect(c.general.name).toEqual({
      value: 'vagrant-libvirt_default',
      key: 'domain/name',
      raw: 'vagrant-libvirt_default',
    });
    expect(c.general.description?.value).toBe('Source: /home/test/vagrant-libvirt/Vagrantfile');
    expect(c.general.cfgFile?.value).toBe(FIXTURE);
    expect(c.general.osType).toBeUndefined();
    expect(c.state).toBeUndefined();
    expect(c.issues).toEqual([]);
    expect(c.unknownKeys).toEqual([]);
    expect(c.native?.['kvm.overview.hypervisor']).toEqual({
      value: 'qemu',
      key: 'domain/@type',
      raw: 'qemu',
    });
    expect(c.system.hwVirtEx).toEqual({ value: false, key: 'domain/@type', raw: 'qemu' });
    expect(c.native?.['kvm.overview.emulator']?.value).toBe('/usr/bin/qemu-system-x86_64');
    expect(c.native?.['kvm.overview.onCrash']?.value).toBe('destroy');
  });

  it('system: memory (KiB → MiB), vCPUs, i440FX → piix3, BIOS, boot order, features, CPU mode', () => {
    expect(c.system.memoryMB).toEqual({ value: 2048, key: 'domain/currentMemory', raw: '2097152 KiB' });
    expect(c.native?.['kvm.memory.maximum']).toEqual({
      value: '2048',
      key: 'domain/memory',
      raw: '2097152 KiB',
    });
    expect(c.system.cpus).toEqual({ value: 2, key: 'domain/vcpu', raw: '2' });
    expect(c.system.chipset).toEqual({
      value: 'piix3',
      key: 'domain/os/type/@machine',
      raw: 'pc-i440fx-6.0',
    });
    expect(c.native?.['kvm.overview.chipset']?.value).toBe('pc-i440fx-6.0');
    expect(c.system.firmware?.value).toBe('BIOS');
    expect(c.system.secureBoot).toBeUndefined();
    expect(c.system.platformArchitecture).toEqual({
      value: 'x86',
      key: 'domain/os/type/@arch',
      raw: 'x86_64',
    });
    expect(c.system.bootOrder).toEqual([{ value: 'disk', key: 'domain/os/boot/@dev', raw: 'hd' }]);
    expect(c.native?.['kvm.boot.bootMenu']?.value).toBe('no');
    expect([c.system.acpi?.value, c.system.ioApic?.value, c.system.pae?.value]).toEqual([true, true, true]);
    expect(c.system.rtcUseUtc?.value).toBe(true);
    expect(c.native?.['kvm.cpus.mode']).toEqual({
      value: 'host-model',
      key: 'domain/cpu/@mode',
      raw: 'host-model',
    });
    expect(c.native?.['kvm.cpus.model']).toBeUndefined();
  });

  it('storage: one virtio disk on a synthetic VirtIO controller', () => {
    expect(c.storage).toHaveLength(1);
    const ctl = c.storage[0];
    expect(ctl.name).toEqual({ value: 'VirtIO', key: 'domain/devices/disk[1]/target/@bus', raw: '' });
    expect(ctl.type?.value).toBe('virtio');
    expect(ctl.attachments).toEqual([
      {
        port: 0,
        device: 0,
        kind: 'hdd',
        medium: {
          value: '/var/lib/libvirt/images/vagrant-libvirt_default.img',
          key: 'domain/devices/disk[1]/source/@file',
          raw: '/var/lib/libvirt/images/vagrant-libvirt_default.img',
        },
      },
    ]);
    expect(c.native?.['kvm.disks.bus#vda']?.value).toBe('virtio');
    expect(c.native?.['kvm.disks.format#vda']).toEqual({
      value: 'qcow2',
      key: 'domain/devices/disk[1]/driver/@type',
      raw: 'qcow2',
    });
    expect(c.native?.['kvm.disks.device#vda']?.value).toBe('disk');
  });

  it('network: virtio NIC on network vagrant-libvirt, MAC normalized, raw kept', () => {
    expect(c.network).toHaveLength(1);
    const nic = c.network[0];
    expect(nic.slot).toBe(1);
    expect(nic.attachment).toEqual({
      value: 'natnetwork',
      key: 'domain/devices/interface[1]/@type',
      raw: 'network',
    });
    expect(nic.attachmentName?.value).toBe('vagrant-libvirt');
    expect(nic.adapterType).toEqual({
      value: 'virtio',
      key: 'domain/devices/interface[1]/model/@type',
      raw: 'virtio',
    });
    expect(nic.macAddress).toEqual({
      value: '525400AABB01',
      key: 'domain/devices/interface[1]/mac/@address',
      raw: '52:54:00:aa:bb:01',
    });
    expect(nic.cableConnected).toBeUndefined();
    expect(nic.portForwards).toEqual([]);
    expect(c.native?.['kvm.nics.source#1']?.value).toBe('network');
    expect(c.native?.['kvm.nics.sourceName#1']?.value).toBe('vagrant-libvirt');
  });

  it('display, audio, serial/console, input, USB, balloon', () => {
    expect(c.display.graphicsController).toEqual({
      value: 'cirrus',
      key: 'domain/devices/video[1]/model/@type',
      raw: 'cirrus',
    });
    expect(c.display.vramMB?.value).toBe(16);
    expect(c.display.monitorCount?.value).toBe(1);
    expect(c.display.vrdeEnabled?.value).toBe(true);
    expect(c.display.vrdePorts).toEqual({
      value: 'auto',
      key: 'domain/devices/graphics[1]/@port',
      raw: '-1',
    });
    expect(c.native?.['kvm.display.graphicsType']?.value).toBe('vnc');
    expect(c.native?.['kvm.display.listen']?.value).toBe('127.0.0.1');
    expect(c.native?.['kvm.display.password']).toBeUndefined();
    expect(c.audio.driver?.value).toBe('none');
    expect(c.audio.enabled).toBeUndefined();
    expect(c.serial).toEqual([
      {
        slot: 1,
        enabled: { value: true, key: 'domain/devices/serial[1]', raw: 'pty' },
        mode: { value: 'pty', key: 'domain/devices/serial[1]/@type', raw: 'pty' },
        uartType: {
          value: 'isa-serial',
          key: 'domain/devices/serial[1]/target/model/@name',
          raw: 'isa-serial',
        },
      },
    ]);
    expect(c.native?.['kvm.devices.console#1']?.value).toBe('pty serial');
    expect(c.native?.['kvm.devices.input#1']?.value).toBe('mouse (ps2)');
    expect(c.native?.['kvm.devices.input#2']?.value).toBe('keyboard (ps2)');
    expect(c.usb.ohci?.raw).toBe('piix3-uhci');
    expect(c.usb.ehci).toBeUndefined();
    expect(c.native?.['kvm.devices.usbController']?.value).toBe('piix3-uhci');
    expect(c.native?.['kvm.memory.balloon']?.value).toBe('virtio');
  });

  it('every native key is a KVM control id with an optional #instance', () => {
    const ids = new Set<string>(KVM_CONTROL_IDS);
    const keys = Object.keys(c.native ?? {});
    expect(keys.length).toBeGreaterThan(40);
    for (const k of keys) expect(ids.has(k.split('#')[0]), k).toBe(true);
  });

  it('readDomainXmlFile reads the same file from disk', async () => {
    const fromFile = await readDomainXmlFile(FIXTURE);
    expect(fromFile).toEqual(c);
  });
});

describe('variants of the fixture', () => {
  it('Q35 + UEFI with Secure Boot, loader path, TPM, Hyper-V, topology, per-device boot order', () => {
    const c = parseDomainXml(
      variant(
        [
          "machine='pc-i440fx-6.0'>hvm</type>",
          "machine='pc-q35-8.2'>hvm</type>\n    <loader readonly='yes' secure='yes' type='pflash'>/usr/share/OVMF/OVMF_CODE.secboot.fd</loader>",
        ],
        ["    <boot dev='hd'/>\n", ''],
        ['<pae/>', "<pae/>\n    <hyperv mode='custom'><relaxed state='on'/><vapic state='off'/></hyperv>"],
        [
          "<cpu mode='host-model' check='partial'/>",
          "<cpu mode='host-passthrough'><topology sockets='1' cores='2' threads='1'/></cpu>",
        ],
        ["<target dev='vda' bus='virtio'/>", "<target dev='vda' bus='virtio'/>\n      <boot order='2'/>"],
        [
          "<model type='virtio'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x05'",
          "<model type='virtio'/>\n      <boot order='1'/>\n      <address type='pci' domain='0x0000' bus='0x00' slot='0x05'",
        ],
        [
          "<audio id='1' type='none'/>",
          "<audio id='1' type='none'/>\n    <tpm model='tpm-crb'><backend type='emulator' version='2.0'/></tpm>",
        ],
      ),
    );
    expect(c.system.chipset).toEqual({ value: 'ich9', key: 'domain/os/type/@machine', raw: 'pc-q35-8.2' });
    expect(c.system.firmware).toEqual({
      value: 'EFI',
      key: 'domain/os/loader',
      raw: '/usr/share/OVMF/OVMF_CODE.secboot.fd',
    });
    expect(c.system.secureBoot).toEqual({ value: true, key: 'domain/os/loader/@secure', raw: 'yes' });
    expect(c.system.tpm).toEqual({
      value: 'v2_0',
      key: 'domain/devices/tpm[1]/backend/@version',
      raw: '2.0',
    });
    expect(c.native?.['kvm.devices.tpm']?.value).toBe('tpm-crb emulator 2.0');
    expect(c.native?.['kvm.overview.hyperv']?.value).toBe('relaxed');
    expect(c.system.paravirtProvider?.value).toBe('hyperv');
    expect([
      c.native?.['kvm.cpus.sockets']?.value,
      c.native?.['kvm.cpus.cores']?.value,
      c.native?.['kvm.cpus.threads']?.value,
    ]).toEqual(['1', '2', '1']);
    expect(c.system.bootOrder.map((b) => [b.value, b.key])).toEqual([
      ['net', 'domain/devices/interface[1]/boot/@order'],
      ['disk', 'domain/devices/disk[1]/boot/@order'],
    ]);
    expect(c.native?.['kvm.boot.order']?.value).toBe('interface 1, vda');
    expect(c.issues).toEqual([]);
  });

  it('memory units, vcpu current, missing currentMemory, custom CPU model with nested-virt feature', () => {
    const c = parseDomainXml(
      variant(
        ["<memory unit='KiB'>2097152</memory>", "<memory unit='GiB'>4</memory>"],
        ["<currentMemory unit='KiB'>2097152</currentMemory>\n", ''],
        ["<vcpu placement='static'>2</vcpu>", "<vcpu placement='static' current='3'>6</vcpu>"],
        [
          "<cpu mode='host-model' check='partial'/>",
          "<cpu mode='custom' match='exact'><model fallback='allow'>Skylake-Client</model><feature policy='require' name='vmx'/></cpu>",
        ],
      ),
    );
    expect(c.system.memoryMB).toEqual({ value: 4096, key: 'domain/memory', raw: '4 GiB' });
    expect(c.native?.['kvm.memory.current']?.value).toBe('4096');
    expect(c.system.cpus).toEqual({ value: 3, key: 'domain/vcpu/@current', raw: '3' });
    expect(c.native?.['kvm.cpus.maxVcpus']?.value).toBe('6');
    expect(c.native?.['kvm.cpus.model']?.value).toBe('Skylake-Client');
    expect(c.native?.['kvm.cpus.features']?.value).toBe('require vmx');
    expect(c.system.nestedHwVirt?.value).toBe(true);
    expect(memoryUnitBytes('KB')).toBe(1000);
    expect(memoryUnitBytes('k')).toBe(1024);
    expect(memoryUnitBytes('MiB')).toBe(1024 ** 2);
    expect(memoryUnitBytes('G')).toBe(1024 ** 3);
    expect(memoryUnitBytes('bytes')).toBe(1);
    expect(memoryUnitBytes('furlongs')).toBeUndefined();
  });

  it('bridge / direct / user NICs, link down, port forwards (passt), SATA + IDE drives with addresses', () => {
    const c = parseDomainXml(
      variant(
        [
          "<interface type='network'>\n      <mac address='52:54:00:aa:bb:01'/>\n      <source network='vagrant-libvirt'/>",
          "<interface type='bridge'>\n      <mac address='52:54:00:aa:bb:01'/>\n      <source bridge='br0'/>\n      <link state='down'/>",
        ],
        [
          "<serial type='pty'>",
          "<interface type='direct'><source dev='eno1' mode='vepa'/><model type='e1000e'/></interface>\n    <interface type='user'><backend type='passt'/><portForward proto='tcp' address='127.0.0.1'><range start='2222' to='22'/><range start='8080'/></portForward></interface>\n    <disk type='file' device='cdrom'><target dev='hdc' bus='ide'/><readonly/></disk>\n    <disk type='block' device='disk'><driver name='qemu' type='raw' cache='none' discard='unmap'/><source dev='/dev/vg0/data'/><target dev='sdb' bus='sata' rotation_rate='1'/><address type='drive' controller='0' bus='0' target='0' unit='3'/></disk>\n    <controller type='sata' index='0'/>\n    <serial type='pty'>",
        ],
      ),
    );
    expect(
      c.network.map((n) => [
        n.slot,
        n.attachment.value,
        n.attachment.raw,
        n.attachmentName?.value,
        n.adapterType?.value,
      ]),
    ).toEqual([
      [1, 'bridged', 'bridge', 'br0', 'virtio'],
      [2, 'bridged', 'direct', 'eno1', 'e1000e'],
      [3, 'nat', 'user', undefined, undefined],
    ]);
    expect(c.network[0].cableConnected).toEqual({
      value: false,
      key: 'domain/devices/interface[1]/link/@state',
      raw: 'down',
    });
    expect(c.native?.['kvm.nics.sourceMode#2']?.value).toBe('vepa');
    expect(c.native?.['kvm.nics.backend#3']?.value).toBe('passt');
    expect(c.network[2].portForwards).toEqual([
      {
        name: 'tcp 2222',
        protocol: 'tcp',
        hostIp: '127.0.0.1',
        hostPort: 2222,
        guestIp: '',
        guestPort: 22,
        key: 'domain/devices/interface[3]/portForward/range[1]',
        raw: 'proto=tcp address=127.0.0.1 start=2222 to=22',
      },
      expect.objectContaining({
        hostPort: 8080,
        guestPort: 8080,
        key: 'domain/devices/interface[3]/portForward/range[2]',
      }),
    ]);
    expect(c.native?.['kvm.nics.portForward#3']?.value).toBe('tcp 2222→22, tcp 8080→8080');
    const byName = Object.fromEntries(c.storage.map((s) => [s.name.value, s]));
    // Controllers in order of first use (disks come before <controller> elements in dumpxml output).
    expect(Object.keys(byName)).toEqual(['VirtIO', 'IDE 0', 'SATA 0']);
    expect(byName['SATA 0'].type).toEqual({
      value: 'IntelAhci',
      key: 'domain/devices/controller[3]/@type',
      raw: 'sata',
    });
    expect(byName['SATA 0'].name.key).toBe('domain/devices/controller[3]');
    expect(byName['IDE 0'].name.key).toBe('domain/devices/disk[2]/target/@bus');
    expect(byName['SATA 0'].attachments).toEqual([
      {
        port: 3,
        device: 0,
        kind: 'hdd',
        medium: { value: '/dev/vg0/data', key: 'domain/devices/disk[3]/source/@dev', raw: '/dev/vg0/data' },
        discard: { value: true, key: 'domain/devices/disk[3]/driver/@discard', raw: 'unmap' },
        nonRotational: { value: true, key: 'domain/devices/disk[3]/target/@rotation_rate', raw: '1' },
      },
    ]);
    expect(byName['IDE 0'].type?.value).toBe('PIIX4');
    expect(byName['IDE 0'].attachments).toEqual([
      {
        port: 1,
        device: 0,
        kind: 'empty',
        medium: { value: 'emptydrive', key: 'domain/devices/disk[2]/source', raw: '' },
      },
    ]);
    expect(c.native?.['kvm.disks.readonly#hdc']?.value).toBe('yes');
    expect(c.native?.['kvm.disks.cache#sdb']?.value).toBe('none');
  });

  it('filesystem share, sound, spice with a password (never stored), channels, hostdev USB, redirdev, watchdog, rng, unknown devices', () => {
    const c = parseDomainXml(
      variant(
        [
          "<graphics type='vnc' port='-1' autoport='yes' listen='127.0.0.1' keymap='en-us' websocket='-1'>",
          "<graphics type='spice' autoport='yes' passwd='s3cret' listen='0.0.0.0'><gl enable='no'/>",
        ],
        [
          "<audio id='1' type='none'/>",
          "<audio id='1' type='spice'/>\n    <sound model='ich9'/>\n    <filesystem type='mount' accessmode='passthrough'><driver type='virtiofs'/><source dir='/srv/data'/><target dir='data'/></filesystem>\n    <channel type='unix'><target type='virtio' name='org.qemu.guest_agent.0'/></channel>\n    <hostdev mode='subsystem' type='usb'><source><vendor id='0x046d'/><product id='0xc52b'/></source></hostdev>\n    <redirdev bus='usb' type='spicevmc'/>\n    <watchdog model='i6300esb' action='reset'/>\n    <rng model='virtio'><backend model='random'>/dev/urandom</backend></rng>\n    <panic model='isa'/>\n    <vsock model='virtio'><cid auto='yes'/></vsock>",
        ],
        ['<on_crash>destroy</on_crash>', '<on_crash>destroy</on_crash>\n  <iothreads>2</iothreads>'],
      ),
    );
    expect(c.native?.['kvm.display.password']).toEqual({
      value: 'set',
      key: 'domain/devices/graphics[1]/@passwd',
      raw: '(hidden)',
    });
    expect(JSON.stringify(c)).not.toContain('s3cret');
    expect(c.native?.['kvm.display.opengl']?.value).toBe('no');
    expect(c.audio).toMatchObject({
      enabled: true,
      controller: { value: 'hda', raw: 'ich9' },
      driver: { value: 'spice' },
    });
    expect(c.sharedFolders).toEqual([
      {
        index: 1,
        name: { value: 'data', key: 'domain/devices/filesystem[1]/target/@dir', raw: 'data' },
        hostPath: { value: '/srv/data', key: 'domain/devices/filesystem[1]/source/@dir', raw: '/srv/data' },
        transient: false,
      },
    ]);
    expect(c.native?.['kvm.devices.fsDriver#1']?.value).toBe('virtiofs');
    expect(c.native?.['kvm.devices.channel#1']?.value).toBe('unix virtio org.qemu.guest_agent.0');
    expect(c.usb.filters).toEqual([
      { index: 1, name: 'hostdev 1', active: true, vendorId: '046d', productId: 'c52b' },
    ]);
    expect(c.native?.['kvm.devices.hostdev#1']?.value).toBe('usb 0x046d:0xc52b');
    expect(c.native?.['kvm.devices.usbRedirect#1']?.value).toBe('usb spicevmc');
    expect(c.native?.['kvm.devices.watchdog']?.value).toBe('i6300esb, reset');
    expect(c.native?.['kvm.devices.rng']?.value).toBe('virtio /dev/urandom');
    expect(c.unknownKeys.map((u) => [u.key, u.value])).toEqual([
      ['domain/devices/panic[1]', 'model=isa'],
      ['domain/devices/vsock[1]', 'model=virtio'],
      ['domain/iothreads', '2'],
    ]);
    expect(c.unknownKeys.every((u) => u.line > 20)).toBe(true);
  });

  it('odd values become issues with line numbers; the rest still reads', () => {
    const c = parseDomainXml(
      variant(
        ["<memory unit='KiB'>2097152</memory>", "<memory unit='parsecs'>2097152</memory>"],
        ["<vcpu placement='static'>2</vcpu>", '<vcpu>two</vcpu>'],
        ["<mac address='52:54:00:aa:bb:01'/>", "<mac address='52:54:00:aa'/>"],
      ),
    );
    expect(c.issues).toEqual([
      { line: 7, message: 'line 7: <vcpu> "two" is not a number' },
      { line: 5, message: 'line 5: <memory> "2097152 parsecs" is not a memory size' },
      { line: 36, message: 'line 36: MAC address "52:54:00:aa" is not 6 bytes' },
    ]);
    expect(c.system.memoryMB?.value).toBe(2048);
    expect(c.system.cpus).toBeUndefined();
    expect(c.network[0].macAddress).toBeUndefined();
    expect(c.network[0].adapterType?.value).toBe('virtio');
  });

  it('a domain without uuid/name/vcpu/memory still parses, with issues', () => {
    const c = parseDomainXml("<domain type='kvm'><os><type>hvm</type></os></domain>");
    expect(c.id).toBe('');
    expect(c.issues.map((i) => i.message)).toEqual([
      'no <uuid>: the domain cannot be addressed through virsh',
      'no <name>',
      'no <vcpu>: libvirt then gives the domain 1 vCPU',
      'no <memory>: the memory size is unknown',
    ]);
    expect(c.storage).toEqual([]);
    expect(c.native?.['kvm.devices.usbController']).toBeUndefined();
  });

  it('libosinfo metadata is found whatever namespace prefix the writer chose', () => {
    const c = parseDomainXml(
      variant([
        '<description>',
        "<metadata><osi:libosinfo xmlns:osi='http://libosinfo.org/xmlns/libvirt/domain/1.0'><osi:os id='http://fedoraproject.org/fedora/40'/></osi:libosinfo></metadata>\n  <description>",
      ]),
    );
    expect(c.general.osType).toEqual({
      value: 'Fedora 40',
      key: 'domain/metadata/osi:libosinfo/osi:os/@id',
      raw: 'http://fedoraproject.org/fedora/40',
    });
  });

  it('a 32-digit UUID without dashes is normalized', () => {
    const c = parseDomainXml(
      '<domain type="kvm"><name>n</name><uuid>4DEA22B31D52D8F32516782E98AB3FA0</uuid></domain>',
    );
    expect(c.id).toBe('4dea22b3-1d52-d8f3-2516-782e98ab3fa0');
  });
});

describe('refused or broken documents', () => {
  it('refuses a DOCTYPE with entities (billion laughs) and external DTDs, with the line', () => {
    const bomb = `<?xml version="1.0"?>\n<!DOCTYPE domain [\n <!ENTITY a "aaaa">\n <!ENTITY b "&a;&a;&a;&a;">\n]>\n<domain><name>&b;</name></domain>`;
    expect(() => parseDomainXml(bomb)).toThrow(KvmParseError);
    expect(() => parseDomainXml(bomb)).toThrow(/line 2: the domain XML declares XML entities/);
    const ext = `<!DOCTYPE domain SYSTEM "file:///etc/passwd">\n<domain><name>x</name></domain>`;
    expect(() => parseDomainXml(ext)).toThrow(/line 1: .*external DTD/);
  });

  it('a harmless DOCTYPE is ignored with an issue', () => {
    const c = parseDomainXml(
      `<!DOCTYPE domain>\n<domain type='kvm'><name>x</name><uuid>881a931b-0110-4d10-81aa-47a1a19f5726</uuid></domain>`,
    );
    expect(c.issues[0]).toEqual({
      line: 1,
      message: 'line 1: <!DOCTYPE> ignored (libvirt never writes one)',
    });
  });

  it('not well-formed XML → KvmParseError with its line; other roots and empty input refused', () => {
    let err: unknown;
    try {
      parseDomainXml('<domain>\n  <name>x</name>\n  <devices>\n</domain>\n', { path: '/tmp/x.xml' });
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(KvmParseError);
    expect((err as KvmParseError).line).toBe(4);
    expect((err as Error).message).toMatch(/^line 4: the domain XML \/tmp\/x\.xml is not well-formed XML/);
    expect(() => parseDomainXml('<network><name>default</name></network>')).toThrow(
      'line 1: the root element is <network>, not <domain>: this is not a libvirt domain XML',
    );
    expect(() => parseDomainXml('  \n')).toThrow('the domain XML is empty');
    expect(() =>
      parseDomainXml(readFileSync('tests/fixtures/vbox/vagrant-test-trimmed-snapshot-natfwd.vbox', 'utf8')),
    ).toThrow(/root element is <VirtualBox>/);
  });

  it('decodes predefined entities and character references only', () => {
    const c = parseDomainXml(
      "<domain type='kvm'><name>a&amp;b</name><description>x &lt; y &#x4e2d;&#25991; &unknown;</description></domain>",
    );
    expect(c.general.name?.value).toBe('a&b');
    expect(c.general.description?.value).toBe('x < y 中文 &unknown;');
  });
});

describe('helpers', () => {
  it('targetIndex and osInfoName', () => {
    expect(['vda', 'vdb', 'sdc', 'hdd', 'hdaa', 'nvme0n1', 'xyz'].map(targetIndex)).toEqual([
      0,
      1,
      2,
      3,
      26,
      undefined,
      undefined,
    ]);
    expect(osInfoName('http://ubuntu.com/ubuntu/22.04')).toBe('Ubuntu 22.04');
    expect(osInfoName('http://microsoft.com/win/11')).toBe('Windows 11');
    expect(osInfoName('http://redhat.com/rhel/9.2')).toBe('Red Hat Enterprise Linux 9.2');
    expect(osInfoName('http://centos.org/centos/7.0')).toBe('CentOS 7.0');
    expect(osInfoName('not a url')).toBe('not a url');
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { SnapshotNode, VmConfig } from '../../app/shared/model.ts';
import { decodeSettingsBytes, parseVboxFile, type VboxFileResult } from '../../app/core/vbox/vbox-file.ts';

const DIR = new URL('../fixtures/vbox/', import.meta.url);
const bytes = (file: string): Buffer => readFileSync(new URL(file, DIR));
/** Parses a fixture as if it lived at `/vms/<vm>/<file>`. */
const load = (file: string, vmDir = '/vms/vm'): VboxFileResult =>
  parseVboxFile(decodeSettingsBytes(bytes(file)), { path: `${vmDir}/${file}` });

/** `[port, device, kind, medium, imageUuid]` per attachment. */
type Att = [number, number, string, string, string | undefined];
/** `[name, type, portCount, attachments]` per controller. */
type Ctl = [string, string, number | undefined, Att[]];
/** `[slot, attachment, name, type, mac, forwards as name|proto|hostIp|hostPort|guestIp|guestPort]` per enabled adapter. */
type Nic = [number, string, string | undefined, string | undefined, string | undefined, string[]];

const ctls = (c: VmConfig): Ctl[] =>
  c.storage.map((s) => [
    s.name.value,
    s.type?.value ?? '',
    s.portCount?.value,
    s.attachments.map((a) => [a.port, a.device, a.kind, a.medium.value, a.imageUuid?.value]),
  ]);
const nics = (c: VmConfig): Nic[] =>
  c.network
    .filter((n) => n.attachment.value !== 'none')
    .map((n) => [
      n.slot,
      n.attachment.value,
      n.attachmentName?.value,
      n.adapterType?.value,
      n.macAddress?.value,
      n.portForwards.map((f) => [f.name, f.protocol, f.hostIp, f.hostPort, f.guestIp, f.guestPort].join('|')),
    ]);
/** Snapshot tree as `path name [*current]` lines, depth-first. */
const tree = (nodes: SnapshotNode[]): string[] =>
  nodes.flatMap((n) => [`${n.path} ${n.name}${n.current ? ' *' : ''}`, ...tree(n.children)]);

describe('parseVboxFile on every real .vbox fixture', () => {
  it('covers every file of tests/fixtures/vbox', () => {
    expect(readdirSync(DIR).sort()).toEqual(
      [
        'genymotion-macos-1.12-pixel-snapshot-guestproperties.vbox',
        'libvirt-2disks-2snap-nested-Snapshots-3-level-differencing-chain.vbox',
        'libvirt-2disks-3snap-brother-sibling-snapshots-current-is-second-child.vbox',
        'libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox',
        'vagrant-test-trimmed-snapshot-natfwd.vbox',
        'vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.xml',
        'vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox',
      ].sort(),
    );
  });

  it('genymotion 1.12: identity, hardware, differencing disks, host-only + NAT virtio NICs, current snapshot', () => {
    const res = load('genymotion-macos-1.12-pixel-snapshot-guestproperties.vbox', '/vms/pixel');
    const c = res.config;
    expect(res.settingsVersion).toBe('1.12-macosx');
    expect(res.issues).toEqual([]);
    expect(c.source).toBe('file');
    expect(c.id).toBe('a9364ace-c263-433a-b137-1c8d4e70c348');
    expect(c.general.name?.value).toBe('PREVIEW - Google Pixel - 8.0 - API 26 - 1080x1920');
    expect(c.general.osType).toMatchObject({ key: 'Machine/@OSType', raw: 'Linux_64' });
    expect(res.extras['general.basic.osTypeId'].value).toBe('Linux_64');
    expect(c.system.memoryMB).toEqual({ value: 4096, key: 'Machine/Hardware/Memory/@RAMSize', raw: '4096' });
    expect(c.system.cpus).toEqual({ value: 4, key: 'Machine/Hardware/CPU/@count', raw: '4' });
    expect(res.extras['system.cli.cpuHotPlug']).toEqual({
      value: false,
      key: 'Machine/Hardware/CPU/@hotplug',
      raw: 'false',
    });
    expect(c.system.pae?.value).toBe(false);
    expect(c.system.largePages?.value).toBe(false);
    expect(c.system.ioApic).toEqual({
      value: true,
      key: 'Machine/Hardware/BIOS/IOAPIC/@enabled',
      raw: 'true',
    });
    expect(c.system.rtcUseUtc).toEqual({ value: true, key: 'Machine/Hardware/RTC/@localOrUTC', raw: 'UTC' });
    expect(c.system.chipset).toEqual({ value: 'piix3', key: 'Machine/Hardware/Chipset/@type', raw: 'PIIX3' });
    expect(c.system.firmware).toEqual({ value: 'BIOS', key: 'Machine/Hardware/Firmware/@type', raw: '' });
    // Settings 1.12 predates 1.16: the absent paravirt provider means "legacy".
    expect(c.system.paravirtProvider).toMatchObject({ value: 'legacy', raw: '' });
    expect(c.system.bootOrder.map((b) => b.value)).toEqual(['disk', 'none', 'none', 'none']);
    expect(c.system.bootOrder[0]).toEqual({
      value: 'disk',
      key: 'Machine/Hardware/Boot/Order[@position=1]/@device',
      raw: 'HardDisk',
    });
    expect(c.display.vramMB?.value).toBe(32);
    expect(c.display.vrdeEnabled?.value).toBe(false);
    expect(c.audio).toMatchObject({ enabled: true, driver: { value: 'coreaudio', raw: 'CoreAudio' } });
    expect(c.audio.controller).toEqual({
      value: 'ac97',
      key: 'Machine/Hardware/AudioAdapter/@controller',
      raw: 'AC97',
    });
    expect([c.usb.ohci?.value, c.usb.ehci?.value, c.usb.xhci?.value]).toEqual([true, false, false]);

    // StorageControllers directly under <Machine> (pre-1.17); current state uses the differencing children.
    expect(ctls(c)).toEqual([
      [
        'IDEController',
        'PIIX4',
        2,
        [
          [
            0,
            0,
            'hdd',
            '/vms/pixel/Snapshots/{bf3e15cd-2a62-4561-91ba-78f9ca9b2d40}.vmdk',
            'bf3e15cd-2a62-4561-91ba-78f9ca9b2d40',
          ],
          [
            0,
            1,
            'hdd',
            '/vms/pixel/Snapshots/{96fb3733-225f-4780-929b-d723216b9b9a}.vmdk',
            '96fb3733-225f-4780-929b-d723216b9b9a',
          ],
        ],
      ],
    ]);
    const disk = c.storage[0].attachments[0];
    expect(disk.medium.raw).toBe('Snapshots/{bf3e15cd-2a62-4561-91ba-78f9ca9b2d40}.vmdk');
    expect(disk.imageUuid?.key).toBe(
      'Machine/StorageControllers/StorageController[@name="IDEController"]/AttachedDevice[@port=0][@device=0]/Image/@uuid',
    );
    expect(res.extras['storage.controller.hostIoCache@IDEController']).toMatchObject({
      value: true,
      raw: 'true',
    });
    expect(res.media.map((m) => [m.uuid, m.parent, m.location])).toEqual([
      ['72f9660a-2e75-4576-bb09-5480cc0e0462', undefined, '/vms/pixel/android_system_disk.vmdk'],
      [
        'bf3e15cd-2a62-4561-91ba-78f9ca9b2d40',
        '72f9660a-2e75-4576-bb09-5480cc0e0462',
        '/vms/pixel/Snapshots/{bf3e15cd-2a62-4561-91ba-78f9ca9b2d40}.vmdk',
      ],
      ['5b9870b6-b99d-4eff-a723-c149071c550b', undefined, '/vms/pixel/android_data_disk.vmdk'],
      [
        '96fb3733-225f-4780-929b-d723216b9b9a',
        '5b9870b6-b99d-4eff-a723-c149071c550b',
        '/vms/pixel/Snapshots/{96fb3733-225f-4780-929b-d723216b9b9a}.vmdk',
      ],
    ]);

    expect(c.network).toHaveLength(8);
    expect(nics(c)).toEqual([
      [1, 'hostonly', 'vboxnet0', 'virtio', '080027AABB01', []],
      [2, 'nat', 'nat', 'virtio', '080027AABB02', []],
    ]);
    expect(c.network[0].attachment).toEqual({
      value: 'hostonly',
      key: 'Machine/Hardware/Network/Adapter[@slot=0]/HostOnlyInterface',
      raw: 'HostOnlyInterface',
    });
    expect(c.network[2]).toMatchObject({ slot: 3, attachment: { value: 'none', raw: 'false' } });
    expect(c.network[2].adapterType?.value).toBe('Am79C973');
    expect(res.extras['network.adapter.promiscuous@1']).toEqual({
      value: 'deny',
      key: 'Machine/Hardware/Network/Adapter[@slot=0]/@promiscuousModePolicy',
      raw: '',
    });

    expect(tree(c.snapshots)).toEqual([' factory-backup *']);
    expect(c.snapshots[0]).toMatchObject({
      uuid: 'c760517a-3c69-4b8e-8941-b8e4a0eea992',
      description: 'Initial snapshot to reset factory state',
    });
    expect(res.extras['snapshot.timeStamp@c760517a-3c69-4b8e-8941-b8e4a0eea992'].value).toBe(
      '2017-11-13T06:08:59Z',
    );
    expect(c.state).toBeUndefined();
    expect(c.stateChangeTime?.value).toBe('2017-11-13T11:19:41Z');
    expect(res.extraData.CustomVideoMode1).toBe('480x640x16');
    expect(c.unknownKeys).toEqual([]);
  });

  it('libvirt 2snap: snapshot inside a snapshot, 3-level differencing chain resolved to the leaf', () => {
    const res = load('libvirt-2disks-2snap-nested-Snapshots-3-level-differencing-chain.vbox');
    const c = res.config;
    expect(res.issues).toEqual([]);
    expect(c.id).toBe('74864f52-a7b7-4172-a7a5-54b6f3e9cd21');
    expect(c.general.name?.value).toBe('74864f52-a7b7-4172-a7a5-54b6f3e9cd21');
    expect(c.general.snapshotFolder?.value).toBe(
      '/home/libvirt/vbox/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/Snapshots',
    );
    expect([c.system.memoryMB?.value, c.system.cpus?.value, c.system.rtcUseUtc?.value]).toEqual([
      192,
      1,
      false,
    ]);
    expect(c.display).toMatchObject({ vrdeEnabled: { value: true }, vrdePorts: { value: '5900' } });
    expect(ctls(c)).toEqual([
      [
        'IDE Controller',
        'PIIX4',
        2,
        [
          [
            0,
            0,
            'hdd',
            '/root/VirtualBox VMs/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/fakedisk-0.vdi',
            'df6194b0-7eec-4b3c-a838-8323dd9075eb',
          ],
          [
            0,
            1,
            'hdd',
            '/root/VirtualBox VMs/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/fakedisk-1.vdi',
            '43fc566a-4c66-426b-9b43-3568fe653efd',
          ],
        ],
      ],
      ['SATA Controller', 'IntelAhci', 30, []],
      ['SCSI Controller', 'LsiLogic', 16, []],
      ['Floppy Controller', 'I82078', 1, []],
    ]);
    const chain = (uuid: string): string[] => {
      const byId = new Map(res.media.map((m) => [m.uuid, m]));
      const out: string[] = [];
      for (let m = byId.get(uuid); m; m = m.parent ? byId.get(m.parent) : undefined)
        out.push(m.uuid.slice(0, 8));
      return out;
    };
    expect(chain('df6194b0-7eec-4b3c-a838-8323dd9075eb')).toEqual(['df6194b0', 'de551924', '105122e9']);
    expect(res.extras['storage.controller.hostIoCache@Floppy Controller'].value).toBe(true);
    expect(res.extras['storage.controller.hostIoCache@SATA Controller'].value).toBe(false);
    expect(nics(c)).toEqual([[1, 'bridged', 'hns0000000v', '82540EM', '080027AABB01', []]]);
    expect(tree(c.snapshots)).toEqual([' 15052014-115228', '-1 15052014-115248 *']);
    expect(c.snapshots[0].children[0].uuid).toBe('94afa063-9281-4e15-b586-a5e1fc5e17bf');
  });

  it('libvirt 3snap: sibling snapshots, the current one is the second child', () => {
    const c = load('libvirt-2disks-3snap-brother-sibling-snapshots-current-is-second-child.vbox').config;
    expect(c.issues).toEqual([]);
    expect(tree(c.snapshots)).toEqual([
      ' 15052014-115228',
      '-1 15052014-115248',
      '-1-1 15052014-115306',
      '-1-2 15052014-115334 *',
    ]);
    expect(c.snapshots[0].children[0].children.map((n) => n.uuid)).toEqual([
      '574d0edf-0f9d-47ef-82e3-1b6d2d54a537',
      '5d8b609b-f5af-4025-8aca-220480fa6394',
    ]);
    expect(c.storage[0].attachments.map((a) => a.medium.value)).toEqual([
      '/home/libvirt/vbox/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/Snapshots/{f79158b5-258d-4afa-a0ad-2e7c113da30c}.vdi',
      '/home/libvirt/vbox/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/Snapshots/{71030c24-a668-41c6-be9c-7704d39e2618}.vdi',
    ]);
  });

  it('libvirt nosnap: ISO-8859-1 declaration, comment before the root, two disks on one IDE channel', () => {
    const raw = bytes('libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox');
    expect(raw.subarray(0, 60).toString('latin1')).toContain('encoding="ISO-8859-1"');
    const res = load('libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox');
    const c = res.config;
    expect(res.issues).toEqual([]);
    expect(c.snapshots).toEqual([]);
    expect(c.storage[0].attachments.map((a) => [a.port, a.device, a.medium.value])).toEqual([
      [0, 0, '/home/libvirt/vbox/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/libvirtTest-disk1.vdi'],
      [0, 1, '/home/libvirt/vbox/74864f52-a7b7-4172-a7a5-54b6f3e9cd21/libvirtTest-disk2.vdi'],
    ]);
    expect(c.audio).toMatchObject({ enabled: false, driver: { value: 'pulse' } });
    expect(c.serial.map((s) => [s.slot, s.enabled.value, s.ioBase, s.irq, s.mode?.value])).toEqual([
      [1, false, '0x03f8', 4, 'disconnected'],
      [2, false, '0x03f8', 4, 'disconnected'],
      [3, false, undefined, undefined, undefined],
      [4, false, undefined, undefined, undefined],
    ]);
    expect(c.usb).toMatchObject({ ohci: { value: false }, ehci: { value: false }, xhci: { value: false } });
  });

  it('vagrant 1.19 (7.0, trimmed to the network): NAT forwarding rules, host-only, missing memory reported', () => {
    const res = load('vagrant-test-trimmed-snapshot-natfwd.vbox');
    const c = res.config;
    expect(res.settingsVersion).toBe('1.19-linux');
    expect(c.id).toBe('623842dc-0947-4143-aa4e-7d180c5eb348');
    expect(c.general.name?.value).toBe('vagrant-test_default_1665781960041_56631');
    expect(c.general.osType?.value).toBe('Ubuntu (64-bit)');
    expect(nics(c)).toEqual([
      [1, 'nat', 'nat', '82540EM', '080027AABB01', ['ssh|tcp|127.0.0.1|2222||22', 'tcp7700|tcp||7700||80']],
      [2, 'hostonly', 'vboxnet0', '82540EM', '080027AABB02', []],
    ]);
    const ssh = c.network[0].portForwards[0];
    expect(ssh.key).toBe('Machine/Hardware/Network/Adapter[@slot=0]/NAT/Forwarding[@name="ssh"]');
    expect(ssh.raw).toBe('name="ssh" proto="1" hostip="127.0.0.1" hostport="2222" guestport="22"');
    expect(c.network[0].natSettings?.localhostReachable).toMatchObject({ value: '1', raw: 'true' });
    // 1.19 defaults: cable connected, the snapshot's own hardware is not the current state.
    expect(c.network[0].cableConnected).toMatchObject({ value: true, raw: '' });
    expect(c.network).toHaveLength(8);
    expect(tree(c.snapshots)).toEqual([' Snapshot 1']);
    expect(c.system.memoryMB).toBeUndefined();
    expect(res.issues).toEqual([
      { line: 23, message: 'line 23: Machine/Hardware/Memory/@RAMSize is missing (VirtualBox requires it)' },
    ]);
    expect(c.system.paravirtProvider).toMatchObject({ value: 'default', raw: '' });
    expect(c.audio).toMatchObject({ enabled: false, input: { value: false }, output: { value: false } });
  });

  it('VirtualBox 3.2 .xml (1.10): innotek namespace, EFI, USBController element, medium only in the global registry', () => {
    const res = load('vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.xml');
    const c = res.config;
    expect(c.id).toBe('72506531-3b7b-40bf-a566-59dcec9e9670');
    expect(c.general.name?.value).toBe('Ubuntu Linux');
    expect(c.system.firmware).toEqual({ value: 'EFI', key: 'Machine/Hardware/Firmware/@type', raw: 'EFI' });
    expect([c.system.memoryMB?.value, c.system.pointingDevice?.value, c.system.ioApic?.value]).toEqual([
      512,
      'usbtablet',
      false,
    ]);
    expect(c.system.bootOrder.map((b) => b.value)).toEqual(['dvd', 'disk', 'none', 'none']);
    expect(c.general.clipboard).toMatchObject({ value: 'bidirectional', raw: 'Bidirectional' });
    expect([c.usb.ohci?.value, c.usb.ehci?.value]).toEqual([true, true]);
    expect(c.usb.ohci?.key).toBe('Machine/Hardware/USBController/@enabled');
    expect(nics(c)).toEqual([[1, 'nat', 'nat', '82540EM', '080027AABB01', []]]);
    expect(c.network.filter((n) => n.attachment.value === 'none')).toHaveLength(7);
    expect(ctls(c)).toEqual([
      ['IDE Controller', 'PIIX4', 2, [[1, 0, 'empty', 'emptydrive', undefined]]],
      [
        'SATA Controller',
        'IntelAhci',
        1,
        [[0, 0, 'hdd', 'f2ed7960-8dcc-495c-9250-986e754807c9', 'f2ed7960-8dcc-495c-9250-986e754807c9']],
      ],
    ]);
    expect(c.storage[0].attachments[0]).toMatchObject({ passthrough: { value: false, raw: 'false' } });
    expect(res.issues).toEqual([
      {
        line: 133,
        message:
          'line 133: medium {f2ed7960-8dcc-495c-9250-986e754807c9} attached to SATA Controller 0-0 is not in the media registry; its path is unknown',
      },
    ]);
    // With the global registry's media the path resolves.
    const withGlobal = parseVboxFile(
      decodeSettingsBytes(bytes('vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.xml')),
      {
        globalMedia: [
          {
            uuid: 'f2ed7960-8dcc-495c-9250-986e754807c9',
            kind: 'hdd',
            location: '/Users/user/Library/VirtualBox/HardDisks/ubuntu.vdi',
            rawLocation: 'HardDisks/ubuntu.vdi',
            key: 'Global/MediaRegistry/HardDisks/HardDisk[@uuid={f2ed7960-8dcc-495c-9250-986e754807c9}]/@location',
            line: 12,
          },
        ],
      },
    );
    expect(withGlobal.issues).toEqual([]);
    expect(withGlobal.config.storage[1].attachments[0].medium.value).toBe(
      '/Users/user/Library/VirtualBox/HardDisks/ubuntu.vdi',
    );
  });

  it('6.x 1.16: saved state, hand-edited bare adapters and XML comment, storage under <Machine>, extra data', () => {
    const res = load(
      'vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox',
      '/home/user/VirtualBox VMs/clientbasso',
    );
    const c = res.config;
    expect(res.issues).toEqual([]);
    expect(c.id).toBe('827810e0-21ce-4282-bfc2-cfd981a45ce0');
    expect(c.general.name?.value).toBe('clientbasso');
    expect(c.general.osType?.value).toBe('Debian (64-bit)');
    expect(c.state).toEqual({
      value: 'saved',
      key: 'Machine/@stateFile',
      raw: 'Snapshots/2019-09-26T10-37-22-586364000Z.sav',
    });
    expect(c.general.cfgFile?.value).toBe(
      '/home/user/VirtualBox VMs/clientbasso/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox',
    );
    expect(c.general.snapshotFolder?.value).toBe('/home/user/VirtualBox VMs/clientbasso/Snapshots');
    expect([
      c.system.memoryMB?.value,
      c.system.cpus?.value,
      c.system.pae?.value,
      c.system.longMode?.value,
    ]).toEqual([1024, 1, false, true]);
    expect(c.system.bootOrder.map((b) => b.value)).toEqual(['floppy', 'dvd', 'disk', 'net']);
    expect(c.system.pointingDevice).toMatchObject({ value: 'usbtablet', raw: 'USBTablet' });
    expect(c.display.vramMB?.value).toBe(16);
    expect(ctls(c)).toEqual([
      ['IDE', 'PIIX4', 2, [[1, 0, 'empty', 'emptydrive', undefined]]],
      [
        'SATA',
        'IntelAhci',
        1,
        [
          [
            0,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/clientbasso/clientbasso.vdi',
            'a0015833-8303-4824-8dda-026fa8fa07ed',
          ],
        ],
      ],
    ]);
    expect(c.storage[1].type).toEqual({
      value: 'IntelAhci',
      key: 'Machine/StorageControllers/StorageController[@name="SATA"]/@type',
      raw: 'AHCI',
    });
    expect(nics(c)).toEqual([[1, 'bridged', 'br0', '82540EM', '080027AABB01', []]]);
    expect(c.network.slice(1).map((n) => [n.slot, n.attachment.value, n.adapterType?.value])).toEqual(
      [2, 3, 4, 5, 6, 7, 8].map((s) => [s, 'none', '82540EM']),
    );
    expect(c.audio).toMatchObject({ enabled: true, driver: { value: 'pulse' } });
    expect(res.extras['audio.cli.codec']).toMatchObject({ value: 'AD1980', raw: 'AD1980' });
    expect(res.extras['storage.controller.hostIoCache@SATA']).toMatchObject({ value: false, raw: 'false' });
    expect(c.usb.ohci).toMatchObject({ value: true, raw: 'OHCI' });
    expect(res.extraData['GUI/LastCloseAction']).toBe('SaveState');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';
import { TRUNCATED_MESSAGE, showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';

const HEAD = 'name="vm"\nUUID="{0B4E7C3A-2F61-4D8E-A5B0-91C2D3E4F5A6}"\n';
/** Config of a synthetic excerpt; such excerpts lack VMState, so the "looks truncated" issue is dropped here (tested on its own). */
const cfg = (body: string, source: 'file' | 'vboxmanage' | 'demo' = 'vboxmanage') => {
  const c = showVmInfoToConfig(HEAD + body, source);
  c.issues = c.issues.filter((i) => !i.message.startsWith(TRUNCATED_MESSAGE));
  return c;
};

describe('showVmInfoToConfig — synthetic edge cases', () => {
  it('id is the UUID lower-cased without braces', () => {
    expect(cfg('').id).toBe('0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6');
  });

  it('NAT blocks of two NAT adapters go to their own adapter; Forwarding(i) restarts per adapter (7.1.12 keys)', () => {
    const c = cfg(
      [
        'natnet1="nat"',
        'macaddress1="080027000001"',
        'cableconnected1="on"',
        'nic1="nat"',
        'nictype1="82540EM"',
        'nicspeed1="0"',
        'mtu="0"',
        'sockSnd="64"',
        'sockRcv="64"',
        'tcpWndSnd="64"',
        'tcpWndRcv="64"',
        'localhostReachable="1"',
        'forwardBroadcast="0"',
        'Forwarding(0)="ssh,tcp,,2222,,22"',
        'bridgeadapter2="en0: Wi-Fi"',
        'macaddress2="080027000002"',
        'cableconnected2="off"',
        'nic2="bridged"',
        'nictype2="virtio"',
        'nicspeed2="1000000"',
        'natnet3="10.0.3.0/24"',
        'macaddress3="080027000003"',
        'cableconnected3="on"',
        'nic3="nat"',
        'nictype3="Am79C973"',
        'nicspeed3="0"',
        'mtu="1500"',
        'sockSnd="128"',
        'sockRcv="64"',
        'tcpWndSnd="64"',
        'tcpWndRcv="64"',
        'Forwarding(0)="web,tcp,127.0.0.1,8080,10.0.3.15,80"',
        'Forwarding(1)="dns,udp,,5353,,53"',
        'nic4="none"',
      ].join('\n'),
    );
    expect(c.issues).toEqual([]);
    const [n1, n2, n3, n4] = c.network;
    expect(n1.natSettings?.localhostReachable).toEqual({ value: '1', key: 'localhostReachable', raw: '1' });
    expect(n1.natSettings?.forwardBroadcast?.value).toBe('0');
    expect(n1.portForwards.map((p) => p.name)).toEqual(['ssh']);
    expect(n2).toMatchObject({
      slot: 2,
      attachment: { value: 'bridged', key: 'nic2' },
      attachmentName: { value: 'en0: Wi-Fi', key: 'bridgeadapter2' },
      adapterType: { value: 'virtio' },
      cableConnected: { value: false, raw: 'off' },
      speedKbps: { value: 1000000, key: 'nicspeed2' },
      portForwards: [],
    });
    expect(n2.natSettings).toBeUndefined();
    expect(n3.attachmentName?.value).toBe('10.0.3.0/24');
    expect(n3.natSettings?.mtu.value).toBe('1500');
    expect(n3.natSettings?.sockSnd.value).toBe('128');
    expect(n3.natSettings?.localhostReachable).toBeUndefined();
    expect(n3.portForwards).toEqual([
      {
        name: 'web',
        protocol: 'tcp',
        hostIp: '127.0.0.1',
        hostPort: 8080,
        guestIp: '10.0.3.15',
        guestPort: 80,
        key: 'Forwarding(0)',
        raw: 'web,tcp,127.0.0.1,8080,10.0.3.15,80',
      },
      {
        name: 'dns',
        protocol: 'udp',
        hostIp: '',
        hostPort: 5353,
        guestIp: '',
        guestPort: 53,
        key: 'Forwarding(1)',
        raw: 'dns,udp,,5353,,53',
      },
    ]);
    expect(n4).toEqual({
      slot: 4,
      attachment: { value: 'none', key: 'nic4', raw: 'none' },
      portForwards: [],
    });
    expect(c.unknownKeys).toEqual([]);
  });

  it('every attachment type takes its own Name key', () => {
    const c = cfg(
      [
        'intnet1="lab"',
        'nic1="intnet"',
        'hostonlyadapter2="vboxnet0"',
        'nic2="hostonly"',
        'nat-network3="NatNetwork"',
        'nic3="natnetwork"',
        'generic4="UDPTunnel"',
        'nic4="Generic"',
        'cloud-network5="oci"',
        'nic5="cloudnetwork"',
        'hostonly-network6="HostNetwork"',
        'nic6="hostonlynetwork"',
        'macaddress7="080027000007"',
        'nic7="null"',
      ].join('\n'),
    );
    expect(
      c.network.map((n) => [n.attachment.value, n.attachmentName?.key, n.attachmentName?.value]),
    ).toEqual([
      ['intnet', 'intnet1', 'lab'],
      ['hostonly', 'hostonlyadapter2', 'vboxnet0'],
      ['natnetwork', 'nat-network3', 'NatNetwork'],
      ['Generic', 'generic4', 'UDPTunnel'],
      ['cloudnetwork', 'cloud-network5', 'oci'],
      ['hostonlynetwork', 'hostonly-network6', 'HostNetwork'],
      ['null', undefined, undefined],
    ]);
  });

  it('NAT tuning or Forwarding without a preceding NAT adapter: issue + unknown key', () => {
    const c = cfg('bridgeadapter1="eth0"\nnic1="bridged"\nForwarding(0)="ssh,tcp,,2222,,22"\nmtu="0"\n');
    expect(c.network[0].portForwards).toEqual([]);
    expect(c.unknownKeys.map((u) => u.key)).toEqual(['Forwarding(0)', 'mtu']);
    expect(c.issues.map((i) => i.line)).toEqual([5, 6]);
    expect(c.issues[0].message).toContain('nic1="bridged"');
  });

  it('7.x storage: suffixed flag keys, controller names with spaces and dashes, overlapping names', () => {
    const c = cfg(
      [
        'storagecontrollername0="SATA"',
        'storagecontrollertype0="IntelAhci"',
        'storagecontrollerinstance0="0"',
        'storagecontrollermaxportcount0="30"',
        'storagecontrollerportcount0="2"',
        'storagecontrollerbootable0="on"',
        'storagecontrollername1="SATA Controller"',
        'storagecontrollertype1="IntelAhci"',
        'storagecontrollername2="My-Ctl-2"',
        'storagecontrollertype2="NVMe"',
        'storagecontrollername3="IDE"',
        'storagecontrollertype3="PIIX4"',
        'storagecontrollername4="Floppy"',
        'storagecontrollertype4="I82078"',
        '"SATA-0-0"="/vm/a.vdi"',
        '"SATA-ImageUUID-0-0"="aaaaaaaa-0000-0000-0000-000000000001"',
        '"SATA-hot-pluggable-0-0"="on"',
        '"SATA-nonrotational-0-0"="on"',
        '"SATA-discard-0-0"="on"',
        '"SATA-1-0"="none"',
        '"SATA Controller-0-0"="/vm/b.vmdk"',
        '"SATA Controller-nonrotational-0-0"="off"',
        '"My-Ctl-2-0-0"="/vm/c.vhd"',
        '"My-Ctl-2-1-0"="none"',
        '"IDE-0-0"="/isos/ubuntu.iso"',
        '"IDE-tempeject-0-0"="on"',
        '"IDE-IsEjected-0-0"="off"',
        '"IDE-0-1"="host:/dev/sr0"',
        '"IDE-dvdpassthrough-0-1"="on"',
        '"IDE-1-0"="emptydrive"',
        '"IDE-1-1"="/vm/odd-name"',
        '"IDE-IsEjected-1-1"="off"',
        '"Floppy-0-0"="/fd/boot.img"',
        '"Floppy-0-1"="emptydrive"',
      ].join('\n'),
    );
    expect(c.issues).toEqual([]);
    expect(c.unknownKeys).toEqual([]);
    const [sata, sataCtl, nvme, ide, fd] = c.storage;
    expect(sata).toMatchObject({
      index: 0,
      name: { value: 'SATA', key: 'storagecontrollername0' },
      type: { value: 'IntelAhci' },
      instance: { value: 0 },
      maxPortCount: { value: 30 },
      portCount: { value: 2 },
      bootable: { value: true },
    });
    expect(sata.attachments[0]).toEqual({
      port: 0,
      device: 0,
      kind: 'hdd',
      medium: { value: '/vm/a.vdi', key: 'SATA-0-0', raw: '/vm/a.vdi' },
      imageUuid: {
        value: 'aaaaaaaa-0000-0000-0000-000000000001',
        key: 'SATA-ImageUUID-0-0',
        raw: 'aaaaaaaa-0000-0000-0000-000000000001',
      },
      hotPluggable: { value: true, key: 'SATA-hot-pluggable-0-0', raw: 'on' },
      nonRotational: { value: true, key: 'SATA-nonrotational-0-0', raw: 'on' },
      discard: { value: true, key: 'SATA-discard-0-0', raw: 'on' },
    });
    expect(sata.attachments[1]).toMatchObject({ port: 1, device: 0, kind: 'none' });
    expect(sataCtl.attachments).toHaveLength(1);
    expect(sataCtl.attachments[0]).toMatchObject({
      medium: { value: '/vm/b.vmdk' },
      nonRotational: { value: false },
    });
    expect(nvme.attachments.map((a) => [a.port, a.device, a.kind])).toEqual([
      [0, 0, 'hdd'],
      [1, 0, 'none'],
    ]);
    expect(ide.attachments.map((a) => [a.port, a.device, a.kind])).toEqual([
      [0, 0, 'dvd'],
      [0, 1, 'dvd'],
      [1, 0, 'empty'],
      [1, 1, 'dvd'],
    ]);
    expect(ide.attachments[0].tempEject?.value).toBe(true);
    expect(ide.attachments[1].passthrough).toEqual({ value: true, key: 'IDE-dvdpassthrough-0-1', raw: 'on' });
    expect(fd.attachments.map((a) => a.kind)).toEqual(['floppy', 'empty']);
  });

  it('6.1 unsuffixed flag with no attachment before it stays an unknown key with an issue', () => {
    const c = cfg('storagecontrollername0="IDE"\n"IDE-IsEjected"="off"\n"IDE-0-0"="emptydrive"\n');
    expect(c.storage[0].attachments[0].isEjected).toBeUndefined();
    expect(c.unknownKeys.map((u) => u.key)).toEqual(['IDE-IsEjected']);
    expect(c.issues[0].line).toBe(4);
  });

  it('glued cpuid line does not hide the key after it', () => {
    const c = cfg(
      'cpuid=00000001,00000000,000306a9,00100800,7fbae3ff,bfebfbffhwvirtex="on"\nnestedpaging="off"\n',
    );
    expect(c.system.hwVirtEx).toEqual({ value: true, key: 'hwvirtex', raw: 'on' });
    expect(c.system.nestedPaging?.value).toBe(false);
    expect(c.unknownKeys).toEqual([
      { key: 'cpuid', value: '00000001,00000000,000306a9,00100800,7fbae3ff,bfebfbff', line: 3 },
    ]);
  });

  it('snapshot tree with children, descriptions and the current one by UUID', () => {
    const c = cfg(
      [
        'SnapshotName="Fresh install"',
        'SnapshotUUID="11111111-0000-0000-0000-000000000000"',
        'SnapshotName-1="Before update"',
        'SnapshotUUID-1="22222222-0000-0000-0000-000000000000"',
        'SnapshotDescription-1="kernel 6.1',
        'then 6.2"',
        'SnapshotName-1-1="After update"',
        'SnapshotUUID-1-1="33333333-0000-0000-0000-000000000000"',
        'CurrentSnapshotName="After update"',
        'CurrentSnapshotUUID="33333333-0000-0000-0000-000000000000"',
        'CurrentSnapshotNode="SnapshotName-1-1"',
        'SnapshotName-2="Other branch"',
        'SnapshotUUID-2="44444444-0000-0000-0000-000000000000"',
      ].join('\n'),
    );
    expect(c.issues).toEqual([]);
    expect(c.unknownKeys).toEqual([]);
    expect(c.snapshots).toEqual([
      {
        name: 'Fresh install',
        uuid: '11111111-0000-0000-0000-000000000000',
        path: '',
        current: false,
        children: [
          {
            name: 'Before update',
            uuid: '22222222-0000-0000-0000-000000000000',
            description: 'kernel 6.1\nthen 6.2',
            path: '-1',
            current: false,
            children: [
              {
                name: 'After update',
                uuid: '33333333-0000-0000-0000-000000000000',
                path: '-1-1',
                current: true,
                children: [],
              },
            ],
          },
          {
            name: 'Other branch',
            uuid: '44444444-0000-0000-0000-000000000000',
            path: '-2',
            current: false,
            children: [],
          },
        ],
      },
    ]);
  });

  it('serial port modes, USB controllers, transient shared folders, 7.1 keys', () => {
    const c = cfg(
      [
        'platformArchitecture="x86"',
        'firmware="EFI"',
        'SecureBoot="on"',
        'NvramFile="/vm/vm.nvram"',
        'uart1="0x03f8,4"',
        'uartmode1="tcpserver,2023"',
        'uarttype1="16550A"',
        'uart2="0x02f8,3"',
        'uartmode2="/dev/ttyS0"',
        'uart3="0x03e8,4"',
        'uartmode3="disconnected"',
        'uart4="off"',
        'usb="off"',
        'ehci="off"',
        'xhci="on"',
        'SharedFolderNameMachineMapping1="share"',
        'SharedFolderPathMachineMapping1="/home/me/share"',
        'SharedFolderNameTransientMapping1="tmp"',
        'SharedFolderPathTransientMapping1="/tmp/x"',
      ].join('\n'),
    );
    expect(c.system.platformArchitecture?.value).toBe('x86');
    expect(c.system.secureBoot).toEqual({ value: true, key: 'SecureBoot', raw: 'on' });
    expect(c.unknownKeys.map((u) => u.key)).toEqual(['NvramFile']);
    expect(
      c.serial.map((s) => [
        s.slot,
        s.enabled.value,
        s.ioBase,
        s.irq,
        s.mode?.value,
        s.path,
        s.uartType?.value,
      ]),
    ).toEqual([
      [1, true, '0x03f8', 4, 'tcpserver', '2023', '16550A'],
      [2, true, '0x02f8', 3, 'device', '/dev/ttyS0', undefined],
      [3, true, '0x03e8', 4, 'disconnected', undefined, undefined],
      [4, false, undefined, undefined, undefined, undefined, undefined],
    ]);
    expect([c.usb.ohci?.value, c.usb.ehci?.value, c.usb.xhci?.value]).toEqual([false, false, true]);
    expect(
      c.sharedFolders.map((f) => [f.index, f.name.value, f.hostPath.value, f.transient, f.name.key]),
    ).toEqual([
      [1, 'share', '/home/me/share', false, 'SharedFolderNameMachineMapping1'],
      [1, 'tmp', '/tmp/x', true, 'SharedFolderNameTransientMapping1'],
    ]);
  });

  it('bad numbers and booleans, repeated keys: issue + unknown key, never fatal', () => {
    const c = cfg('memory=lots\ncpus=2\ncpus=4\nioapic="maybe"\nvram=16\n');
    expect(c.system.memoryMB).toBeUndefined();
    expect(c.system.cpus?.value).toBe(2);
    expect(c.system.ioApic).toBeUndefined();
    expect(c.display.vramMB?.value).toBe(16);
    expect(c.unknownKeys).toEqual([
      { key: 'memory', value: 'lots', line: 3 },
      { key: 'cpus', value: '4', line: 5 },
      { key: 'ioapic', value: 'maybe', line: 6 },
    ]);
    expect(c.issues.map((i) => i.line).sort()).toEqual([3, 5, 6]);
  });

  it('issue messages never start with "line N:" (the line field carries it, printers add it once)', () => {
    const c = cfg(
      [
        'WARNING: The vboxdrv kernel module is not loaded.',
        'memory=lots',
        'cpus=2',
        'cpus=4',
        'junk line',
        'mtu="0"',
        'macaddress3="080027000003"',
        'uart1="weird"',
        'SharedFolderNameMachineMapping1="share"',
        'Forwarding(0)="bad"',
        'ostype="Ubuntu',
      ].join('\n'),
    );
    expect(c.issues.length).toBeGreaterThanOrEqual(9);
    for (const i of c.issues) {
      expect(i.line).toBeGreaterThan(0);
      expect(i.message).not.toMatch(/^line \d+/);
    }
    expect(c.issues.find((i) => i.line === 7)?.message).toBe('not a key=value line, skipped: junk line');
  });

  it('numbers that are not exact, negative or outside sane ranges are not believed: issue + raw kept', () => {
    // Within the sane ranges but beyond VirtualBox's limits: kept, so the advice can flag them.
    const api = cfg('cpuexecutioncap=0\nmonitorcount=65\nuart1="0x03f8,300"\n');
    expect(api.system.executionCapPercent?.value).toBe(0);
    expect(api.display.monitorCount?.value).toBe(65);
    expect(api.serial[0].irq).toBe(300);

    const c = cfg(
      [
        'memory=20',
        'cpus=99999999999999999999',
        'cpuexecutioncap=1001',
        'vram=-1',
        'monitorcount=1025',
        'storagecontrollername0="SATA"',
        'storagecontrollerportcount0=-4',
        'nic1="nat"',
        'nicspeed1=4294967296',
        'Forwarding(0)="web,tcp,,70000,,80"',
        'uart1="0x03f8,99999999999999999999"',
      ].join('\n'),
    );
    expect(c.system.memoryMB?.value).toBe(20);
    expect(c.system.cpus).toBeUndefined();
    expect(c.system.executionCapPercent).toBeUndefined();
    expect(c.display.vramMB).toBeUndefined();
    expect(c.display.monitorCount).toBeUndefined();
    expect(c.storage[0].portCount).toBeUndefined();
    expect(c.network[0].speedKbps).toBeUndefined();
    expect(c.network[0].portForwards).toEqual([]);
    expect(c.serial[0]).toMatchObject({ slot: 1, enabled: { value: true } });
    expect(c.serial[0].irq).toBeUndefined();
    expect(c.unknownKeys.find((u) => u.key === 'cpus')).toEqual({
      key: 'cpus',
      value: '99999999999999999999',
      line: 4,
    });
    expect(c.issues.map((i) => [i.line, i.message])).toEqual([
      [4, 'value "99999999999999999999" of "cpus" is out of range (1–1024); kept as unknown key'],
      [5, 'value "1001" of "cpuexecutioncap" is out of range (0–1000); kept as unknown key'],
      [6, 'value "-1" of "vram" is out of range (0–4096); kept as unknown key'],
      [7, 'value "1025" of "monitorcount" is out of range (0–1024); kept as unknown key'],
      [9, 'value "-4" of "storagecontrollerportcount0" is out of range (0–…); kept as unknown key'],
      [
        12,
        '"Forwarding(0)" is not name,protocol,hostIP,hostPort,guestIP,guestPort (ports 0–65535): "web,tcp,,70000,,80"; kept as unknown key',
      ],
      [11, 'value "4294967296" of "nicspeed1" is out of range (0–4294967295); kept as unknown key'],
      [13, '"uart1" has an IRQ too large to be true: "0x03f8,99999999999999999999"'],
    ]);
  });

  it('audio enabled follows the driver; 7.x on/off audio_in/out', () => {
    const c = cfg('audio="default"\naudio_out="on"\naudio_in="off"\n');
    expect(c.audio).toEqual({
      driver: { value: 'default', key: 'audio', raw: 'default' },
      enabled: true,
      output: { value: true, key: 'audio_out', raw: 'on' },
      input: { value: false, key: 'audio_in', raw: 'off' },
    });
  });

  it('inaccessible VM: summary is flagged, not fatal', () => {
    const c = showVmInfoToConfig(
      'name="<inaccessible>"\nUUID="7a9d1e20-c3b4-4f5a-8e6d-2b1c0a9f8e7d"\n',
      'vboxmanage',
    );
    const s = summaryFromConfig(c);
    expect(s).toMatchObject({
      id: '7a9d1e20-c3b4-4f5a-8e6d-2b1c0a9f8e7d',
      name: '<inaccessible>',
      accessible: false,
      findings: 0,
    });
    expect(s.error).toMatch(/could not read/);
  });

  it('no UUID: throws for live VBoxManage output, empty id + issue for files and demos', () => {
    expect(() => showVmInfoToConfig('', 'vboxmanage')).toThrow(VBoxParseError);
    expect(() => showVmInfoToConfig('', 'vboxmanage')).toThrow(/no key=value lines/);
    expect(() => showVmInfoToConfig('name="x"\n', 'vboxmanage')).toThrow(/no UUID/);
    const c = showVmInfoToConfig('name="x"\n', 'demo');
    expect(c.id).toBe('');
    expect(c.issues).toEqual([
      { message: 'no UUID line: this dump does not identify its VM (id left empty)' },
      { line: 1, message: 'output looks truncated (no VMState line)' },
    ]);
  });

  it('a dump cut short is flagged on its last line; complete dumps, fragments and inaccessible VMs are not', () => {
    const full = readFileSync(
      new URL(
        '../fixtures/showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt',
        import.meta.url,
      ),
      'utf8',
    );
    expect(showVmInfoToConfig(full, 'vboxmanage').issues).toEqual([]);

    // Cut in the middle of `memory=2048`: the 20 MB must not be taken at face value silently.
    const atMemory = full.slice(0, full.indexOf('memory=') + 'memory=20'.length);
    const c = showVmInfoToConfig(atMemory, 'vboxmanage');
    const lastLine = atMemory.split('\n').length;
    expect(c.system.memoryMB?.value).toBe(20);
    expect(c.state).toBeUndefined();
    expect(c.issues).toEqual([{ line: lastLine, message: 'output looks truncated (no VMState line)' }]);

    // Cut after VMState, before the storage, network, audio and USB lines.
    const afterState = full.slice(0, full.indexOf('storagecontrollername0'));
    const d = showVmInfoToConfig(afterState, 'vboxmanage');
    expect(d.state?.value).toBe('poweroff');
    expect(d.issues).toEqual([
      {
        line: afterState.trimEnd().split('\n').length,
        message: 'output looks truncated (no audio or usb line, which every complete dump has)',
      },
    ]);

    expect(
      showVmInfoToConfig('name="<inaccessible>"\nUUID="0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6"\n', 'vboxmanage')
        .issues,
    ).toEqual([]);
    expect(showVmInfoToConfig('nic1="nat"\n', 'file').issues).toEqual([
      { message: 'no UUID line: this dump does not identify its VM (id left empty)' },
    ]);
  });

  it('T26: name with " - " and Windows paths with doubled backslashes', () => {
    const c = showVmInfoToConfig(
      'name="Events - Linux"\nUUID="5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f"\nCfgFile="D:\\\\Server VM\\\\Events -  Linux\\\\Events - Linux.vbox"\nSnapFldr="D:\\\\Server VM\\\\Events -  Linux\\\\Snapshots"\n',
      'file',
    );
    expect(c.general.name?.value).toBe('Events - Linux');
    expect(c.general.cfgFile?.value).toBe('D:\\Server VM\\Events -  Linux\\Events - Linux.vbox');
    expect(c.general.snapshotFolder?.value).toBe('D:\\Server VM\\Events -  Linux\\Snapshots');
  });

  it('prints all 36 ICH9 NIC slots when present', () => {
    const body = Array.from({ length: 36 }, (_, i) => `nic${i + 1}="none"`).join('\n');
    const c = cfg(`chipset="ich9"\n${body}\n`);
    expect(c.network).toHaveLength(36);
    expect(c.network[35].slot).toBe(36);
    expect(c.system.chipset?.value).toBe('ich9');
  });
});

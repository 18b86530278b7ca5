/**
 * `vm-companion inspect` and `compare` on VMware `.vmx` files, libvirt domain XML and libvirt
 * connections (the real `virsh` with its test driver, skipped when virsh is absent), run in-process
 * with runCli. Every `.vmx` fixture is read with asserted values, and checked against its own lines.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { InspectJson, InspectJsonVm } from '../../app/core/cli-format.ts';
import { parseCompareArgs, parseInspectArgs, runCli } from '../../app/core/cli.ts';
import { locateVirsh } from '../../app/core/kvm/virsh.ts';
import { normalizeVmwareUuid, pathHashId } from '../../app/core/vmware/to-config.ts';
import type { Comparison } from '../../app/shared/contract.ts';

const root = path.resolve(import.meta.dirname, '../..');
const VMX_DIR = path.join(root, 'tests/fixtures/vmx');
const DOMAIN = 'tests/fixtures/libvirt/vagrant-libvirt-existing-qemu-domain.xml';
const NODE_URI = `test://${path.join(root, 'tests/fixtures/libvirt-test/node.xml')}`;
const VIRSH = (await locateVirsh()).path;
const HOST = ['--host-cores', '4', '--host-memory', '16384'];
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in-process from the repository root with a clean environment (no VBoxManage on PATH). */
async function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: os.tmpdir(), ...env },
    platform: 'linux',
  });
  return { code, stdout, stderr };
}

async function inspectJson(args: string[]): Promise<InspectJsonVm[]> {
  const r = await cli(['inspect', ...args, '--json', ...HOST]);
  expect(r.stderr.replace(/^vm-companion: warning: .*\n/gm, '')).toBe('');
  expect(r.code).toBe(0);
  return (JSON.parse(r.stdout) as InspectJson).vms;
}

/** The asserted shape of one VM: network as `slot attachment chip mac`, storage as `name type: port:device medium-file, …`. */
function brief(vm: InspectJsonVm) {
  return {
    uuid: vm.uuid,
    name: vm.name,
    osType: vm.osType,
    memoryMB: vm.memoryMB,
    cpus: vm.cpus,
    firmware: vm.firmware,
    network: vm.network.map((n) => `${n.slot} ${n.attachment} ${n.adapterType} ${n.mac}`),
    storage: vm.storage.map((s) =>
      `${s.name} ${s.type}: ${s.attachments.map((a) => `${a.port}:${a.device} ${a.medium.split(/[\\/]/).pop()}`).join(', ')}`.trim(),
    ),
    findings: vm.findings.map((f) => f.id),
  };
}

/** Every `.vmx` fixture as `inspect --file … --json` shows it (host: 4 cores, 16 GiB). */
const VMX: Record<string, ReturnType<typeof brief>> = {
  'coreos-hw4-shebang-unquoted-value.vmx': {
    // No uuid.bios in this file: the id is a hash of the file's absolute path (checked below).
    uuid: 'path-hash',
    name: 'coreos_production_vmware-410-0-0',
    osType: 'other26xlinux-64',
    memoryMB: 1024,
    cpus: 1,
    firmware: null,
    network: ['1 bridged null null'],
    storage: ['scsi0 LsiLogic: 0:0 coreos_production_vmware_image.vmdk', 'floppy I82078:'],
    findings: [],
  },
  'esx-hw10-fedora20-name-with-space-sata-cdrom.vmx': {
    uuid: '421b4b87-e6b7-d881-07a0-c9d221cd3c6b',
    name: 'Fedora 20',
    osType: 'rhel7-64',
    memoryMB: 2048,
    cpus: 1,
    firmware: null,
    network: ['1 bridged vmxnet3 005056AABB01'],
    storage: [
      'sata0 IntelAhci: 0:0 Fedora-20-x86_64-netinst.iso',
      'scsi0 pvscsi: 0:0 Fedora-20.vmdk',
      'floppy I82078: 0:0 emptydrive',
    ],
    findings: [],
  },
  'esx-hw17-windows2019-memSize-camelcase.vmx': {
    uuid: '564d6c27-96ea-1207-6f0b-b11d81469b0b',
    name: 'win2019',
    osType: 'windows2019srv-64',
    memoryMB: 4096,
    cpus: 2,
    firmware: 'EFI',
    network: ['1 bridged vmxnet3 000C29AABB02'],
    storage: [
      'sata0 IntelAhci: 0:0 en-us_windows_server_2019_updated_aug_2021_x64_dvd_a6431a28.iso, 3:0 win2019_1.vmdk',
      'scsi0 LsiLogicSas: 0:0 win2019.vmdk',
      'floppy I82078:',
    ],
    findings: ['vmware.network.vmxnet3-windows'],
  },
  'esx-hw8-rhel6-21-disks-pvscsi.vmx': {
    uuid: '564d96af-e646-bd86-5c4d-654e7736ef31',
    name: 'BZ1308535_21disks',
    osType: 'rhel6-64',
    memoryMB: 2048,
    cpus: 1,
    firmware: null,
    network: ['1 bridged vmxnet3 000C29AABB02'],
    storage: [
      'ide PIIX4: 1:0 RHEL-7.1-20150219.1-Server-x86_64-boot.iso',
      'scsi0 pvscsi: 0:0 BZ1308535_21disks.vmdk, 1:0 BZ1308535_21disks_1.vmdk, 2:0 BZ1308535_21disks_2.vmdk, 3:0 BZ1308535_21disks_3.vmdk, 4:0 BZ1308535_21disks_4.vmdk, 5:0 BZ1308535_21disks_5.vmdk, 6:0 BZ1308535_21disks_6.vmdk, 8:0 BZ1308535_21disks_7.vmdk, 9:0 BZ1308535_21disks_8.vmdk, 10:0 BZ1308535_21disks_9.vmdk, 11:0 BZ1308535_21disks_10.vmdk, 12:0 BZ1308535_21disks_11.vmdk, 13:0 BZ1308535_21disks_12.vmdk, 14:0 BZ1308535_21disks_13.vmdk, 15:0 BZ1308535_21disks_14.vmdk',
      'scsi1 pvscsi: 0:0 BZ1308535_21disks_15.vmdk, 1:0 BZ1308535_21disks_16.vmdk, 2:0 BZ1308535_21disks_17.vmdk, 3:0 BZ1308535_21disks_18.vmdk, 4:0 BZ1308535_21disks_19.vmdk, 5:0 BZ1308535_21disks_20.vmdk',
      'floppy I82078: 0:0 emptydrive',
    ],
    findings: [],
  },
  'esx-hw8-rhel71-uefi.vmx': {
    uuid: '564d9989-a721-910d-cc28-e2dbd54b2b8c',
    name: 'RHEL 7.1 UEFI',
    osType: 'rhel6-64',
    memoryMB: 2048,
    cpus: 1,
    firmware: 'EFI',
    network: ['1 bridged vmxnet3 000C29AABB02'],
    storage: [
      'ide PIIX4: 1:0 RHEL-7.1-20150219.1-Server-x86_64-boot.iso',
      'scsi0 pvscsi: 0:0 RHEL-7.1-UEFI.vmdk',
      'floppy I82078: 0:0 emptydrive',
    ],
    findings: [],
  },
  'fusion-all-lowercase-keys-4-nics-static-mac.vmx': {
    uuid: '564d591a-1a9b-5fd8-296c-70d0bf204199',
    name: 'core01',
    osType: 'other3xlinux-64',
    memoryMB: 1024,
    cpus: 1,
    firmware: null,
    network: ['2 bridged e1000 000C29AABB01', '3 nat e1000 005056AABBCC', '4 hostonly e1000 000C29AABB02'],
    storage: [
      'ide PIIX4: 1:0 e159f7e70f4ccc346ee76b2a32cbdf059549a7ca82e91edbeed5d747bcdd50f9.iso, 1:1 coreos.iso',
      'scsi0 LsiLogic: 0:0 disk-cl1.vmdk, 1:0',
      'floppy I82078:',
    ],
    findings: [],
  },
  'gsx-hw4-router-blank-lines-custom-vmnet.vmx': {
    uuid: '564ddebe-e86f-d586-0854-a0879cc4be5a',
    name: 'Router',
    osType: 'other26xlinux',
    memoryMB: 32,
    cpus: 1,
    firmware: null,
    network: ['1 hostonly null 000C29AABB01', '2 custom null 000C29AABB02'],
    storage: ['ide PIIX4: 0:0 Debian-System1-0-cl1.vmdk', 'scsi0 LsiLogic:', 'floppy I82078:'],
    findings: [],
  },
  'wild-esx-in-the-wild-1-hw4-fedora11-cdrom-raw-no-virtualDev-nic.vmx': {
    uuid: '50115e16-9bdc-49d7-f171-53c4d7f91710',
    name: 'Fedora11',
    osType: 'rhel5',
    memoryMB: 1024,
    cpus: 1,
    firmware: null,
    network: ['1 bridged null 005056AABB01'],
    storage: ['ide PIIX4: 0:0', 'scsi0 LsiLogic: 0:0 Fedora11.vmdk', 'floppy I82078:'],
    findings: [],
  },
  'wild-esx-in-the-wild-10-hw17-win2019-sata-boot-usb_xhci-negative-slot-genidX.vmx': {
    uuid: '421a6177-5aa9-abb7-5924-fc376c18a1b4',
    name: 'w2019biosvmware',
    osType: 'windows2019srv-64',
    memoryMB: 4096,
    cpus: 2,
    firmware: null,
    network: ['1 bridged e1000e 005056AABB01'],
    storage: ['sata0 IntelAhci: 0:0 windows2019biosvmware.vmdk, 1:0 emptydrive', 'floppy I82078:'],
    findings: [],
  },
  'wild-esx-in-the-wild-12-hw20-esx8-efi-secureboot-empty-cdrom-guestinfo-quotes.vmx': {
    uuid: '4220fca7-11dd-d67e-19cc-fcad0a37c342',
    name: 'Auto-esx8.0-rhell9.3-efi-with-empty-cdrom',
    osType: 'rhel9-64',
    memoryMB: 2048,
    cpus: 1,
    firmware: 'EFI',
    network: ['1 bridged vmxnet3 005056AABB01'],
    storage: [
      'sata0 IntelAhci: 0:0 emptydrive',
      'scsi0 pvscsi: 0:0 Auto-esx8.0-rhell9.3-efi-with-empty-cdrom.vmdk',
      'floppy I82078:',
    ],
    findings: [],
  },
  'wild-esx-in-the-wild-14-hw19-hardened-isolation-keys-pciPassthru-star-mixed-case-bools.vmx': {
    uuid: '421b223a-f2c1-c7c9-a399-34d2d9fde26d',
    name: 'wild14',
    osType: 'rhel7-64',
    memoryMB: 32768,
    cpus: 12,
    firmware: null,
    network: ['1 bridged vmxnet3 000000000000'],
    storage: ['ide PIIX4: 0:0 emptydrive', 'scsi0 pvscsi: 0:0 wild1.vmdk, 1:0 wild2.vmdk', 'floppy I82078:'],
    findings: ['vmware.memory.over-host', 'vmware.processors.over-host'],
  },
  'wild-esx-in-the-wild-15-hw19-nvme-2-disks-debian12-appInfo-json-pipe22-escapes.vmx': {
    uuid: '420338bd-1c9e-ad50-99a2-59e92ddda8b6',
    name: 'dokuwiki',
    osType: 'debian11-64',
    memoryMB: 2048,
    cpus: 2,
    firmware: null,
    network: ['1 bridged vmxnet3 005056AABB01'],
    storage: [
      'ide PIIX4: 0:0 mpx.vmhba0:C0:T0:L0',
      'nvme0 NVMe: 0:0 dokuwiki.vmdk, 1:0 dokuwiki_1.vmdk',
      'floppy I82078:',
    ],
    findings: [],
  },
  'wild-esx-in-the-wild-17-hw20-win11-usb_xhci-e1000e-disk-in-subfolder.vmx': {
    uuid: '42256ec1-e066-9364-3dd1-36a0b75263dd',
    name: 'esx8.0-win11-with-second-disk-in-subfolder',
    osType: 'windows2019srvNext-64',
    memoryMB: 4096,
    cpus: 2,
    firmware: null,
    network: ['1 bridged e1000e 005056AABB01'],
    storage: [
      'sata0 IntelAhci: 0:0 windows_11_x64_official_dvd.iso',
      'scsi0 LsiLogicSas: 0:0 esx8.0-win11-with-second-disk-in-subfolder.vmdk, 1:0 esx8.0-win11-with-second-disk-in-subfolder_1.vmdk',
      'floppy I82078:',
    ],
    findings: [],
  },
  'wild-esx-in-the-wild-2-hw4-shebang-debian-vlance-floppy-affinity.vmx': {
    uuid: '564dcd37-3685-8889-35ea-719fc93c983e',
    name: 'virtDebian1',
    osType: 'ubuntu-64',
    memoryMB: 1000,
    cpus: 4,
    firmware: null,
    network: ['1 bridged vlance 000C29AABB01'],
    storage: [
      'ide PIIX4: 0:0 linux.iso, 0:1 scd0, 1:1 Debian1-IDE.vmdk',
      'scsi0 LsiLogic: 0:0 Debian1.vmdk',
      'scsi1 BusLogic: 0:0 Debian1-cdrom.iso',
      'floppy I82078: 0:0 fd0, 1:0 fd0',
    ],
    findings: ['vmware.processors.all-cores', 'vmware.network.vlance-modern'],
  },
  'wild-esx-in-the-wild-5-hw7-centos-cpuid-mask-dashes-snapshot-disk.vmx': {
    uuid: '423e94a9-a1c7-b31d-7161-76c7586c830e',
    name: 'vmtest.local',
    osType: 'centos-64',
    memoryMB: 2048,
    cpus: 2,
    firmware: null,
    network: ['1 bridged e1000 005056AABB02'],
    storage: [
      'ide PIIX4: 0:0 CentOS-5.5-x86_64-bin-DVD-1of2.iso, 1:0',
      'scsi0 LsiLogic: 0:0 vmtest-000001.vmdk',
      'floppy I82078:',
    ],
    findings: [],
  },
  'wild-esx-in-the-wild-6-hw7-encoding-pvscsi-cpuid-pcieRootPort.vmx': {
    uuid: '564d15d4-d062-fe9a-80f5-eb8e1a2c3afc',
    name: 'el6-test',
    osType: 'rhel6-64',
    memoryMB: 1024,
    cpus: 1,
    firmware: null,
    network: ['1 bridged vmxnet3 000C29AABB01'],
    storage: [
      'ide PIIX4: 1:0 linux.iso',
      'scsi0 pvscsi: 0:0 el6-test-000001.vmdk',
      'floppy I82078: 0:0 emptydrive',
    ],
    findings: [],
  },
  'wild-esx-in-the-wild-7-hw8-rhel6-scsi-passthru-cdrom-raw.vmx': {
    uuid: '564d9176-621f-0239-f5ad-3a002371953b',
    name: 'esx-rhel6-mini-with-scsi-device',
    osType: 'rhel6-64',
    memoryMB: 2048,
    cpus: 1,
    firmware: null,
    network: ['1 bridged vmxnet3 005056AABB01'],
    storage: [
      'ide PIIX4: 1:0',
      'scsi0 pvscsi: 0:0 esx-rhel6-mini.vmdk, 1:0 mpx.vmhba32:C0:T0:L0',
      'floppy I82078: 0:0 emptydrive',
    ],
    findings: [],
  },
  'wild-esx-in-the-wild-8-hw11-rhel7-10-nics-independent-nonpersistent-null-floppy.vmx': {
    uuid: '42359420-99dc-4261-5264-ba58ddae20e4',
    name: 'RHEL7_10_NICs',
    osType: 'rhel7-64',
    memoryMB: 2048,
    cpus: 8,
    firmware: null,
    network: [
      '1 bridged vmxnet3 001A4AAABB01',
      '2 bridged e1000 001A4AAABB03',
      '3 bridged e1000e 001A4AAABB04',
      '4 bridged vmxnet3 001A4AAABB05',
      '5 bridged vmxnet3 001A4AAABB06',
      '6 bridged vmxnet3 001A4AAABB07',
      '7 bridged vmxnet3 001A4AAABB08',
      '8 bridged vmxnet3 001A4AAABB09',
      '9 bridged vmxnet3 001A4AAABB0A',
      '10 bridged vmxnet3 001A4AAABB0B',
    ],
    storage: [
      'sata0 IntelAhci: 0:0 CentOS-4.7.ServerCD-x86_64.iso',
      'scsi0 pvscsi: 0:0 RHEL7_6.vmdk, 1:0 RHEL7_6_1.vmdk, 2:0 block4.vmdk',
      'floppy I82078: 0:0 emptydrive',
    ],
    findings: ['vmware.processors.over-host', 'vmware.disks.nonpersistent'],
  },
  'wild-gsx-in-the-wild-1-hw4-32MB-vmnet1-empty-workingDir-double-blank-lines.vmx': {
    uuid: '564d1223-f835-c4b1-bbf6-e32390d62bd3',
    name: 'Server1',
    osType: 'other26xlinux',
    memoryMB: 32,
    cpus: 1,
    firmware: null,
    network: ['1 hostonly null 000C29AABB01'],
    storage: ['ide PIIX4: 0:0 Debian-System1-0-cl2.vmdk', 'scsi0 LsiLogic:', 'floppy I82078:'],
    findings: [],
  },
  'wild-gsx-in-the-wild-4-hw4-264MB-vmnet2-pvnID-sound-usb.vmx': {
    uuid: '564dad58-0629-d3e6-ecfe-8ff839c5e35d',
    name: 'Client',
    osType: 'other26xlinux',
    memoryMB: 264,
    cpus: 1,
    firmware: null,
    network: ['1 custom null 000C29AABB01'],
    storage: ['ide PIIX4: 0:0 Debian-System1-0-cl2.vmdk', 'scsi0 LsiLogic:', 'floppy I82078:'],
    findings: [],
  },
  'workstation-hw11-msedge-win10-crlf.vmx': {
    uuid: '564d5459-5d0c-518d-d340-384ffebfe45d',
    name: 'MSEdge - Win10_preview',
    osType: 'windows9-64',
    memoryMB: 2048,
    cpus: 1,
    firmware: null,
    network: ['1 bridged e1000e 000C29AABB01'],
    storage: ['scsi0 LsiLogicSas: 0:0 MSEdge-Win10_preview.vmdk'],
    findings: [],
  },
};

describe('inspect --file <.vmx>', () => {
  it('reads every .vmx fixture with the same JSON shape as VirtualBox VMs', async () => {
    const files = fs
      .readdirSync(VMX_DIR)
      .filter((f) => f.endsWith('.vmx'))
      .sort();
    expect(files).toEqual(Object.keys(VMX).sort());
    for (const f of files) {
      const [vm] = await inspectJson(['--file', `tests/fixtures/vmx/${f}`]);
      expect(Object.keys(vm)).toEqual([
        'uuid',
        'name',
        'state',
        'osType',
        'memoryMB',
        'cpus',
        'firmware',
        'chipset',
        'network',
        'storage',
        'findings',
      ]);
      const expected = { ...VMX[f] };
      if (expected.uuid === 'path-hash') expected.uuid = pathHashId(path.resolve(VMX_DIR, f));
      expect(brief(vm), f).toEqual(expected);
      // VMware has no chipset setting; a file says nothing about the running state.
      expect(vm.chipset).toBeNull();
      expect(vm.state).toBeNull();
    }
  });

  it('agrees with each .vmx file’s own lines (uuid.bios, displayName, memsize, numvcpus, firmware)', async () => {
    for (const f of Object.keys(VMX)) {
      const text = fs.readFileSync(path.join(VMX_DIR, f), 'latin1');
      const line = (key: string): string | undefined => {
        const all = [...text.matchAll(new RegExp(`^\\s*${key}\\s*=\\s*"?([^"\\r\\n]*)"?\\s*$`, 'gim'))];
        return all.at(-1)?.[1]; // the last of duplicates wins
      };
      const vm = VMX[f];
      const uuid = normalizeVmwareUuid(line('uuid\\.bios'));
      if (uuid) expect(vm.uuid, f).toBe(uuid);
      const name = line('displayName');
      if (name && !name.includes('|')) expect(vm.name, f).toBe(name);
      const mem = line('memsize');
      if (mem) expect(vm.memoryMB, f).toBe(Number(mem));
      expect(vm.cpus, f).toBe(Number(line('numvcpus') ?? 1));
      const fw = line('firmware');
      expect(vm.firmware, f).toBe(fw ? fw.toUpperCase() : null);
    }
  });

  it('spells VMware attachments as VirtualBox does: VMnet1 → hostonly, other custom VMnets stay custom', async () => {
    const [router] = await inspectJson([
      '--file',
      'tests/fixtures/vmx/gsx-hw4-router-blank-lines-custom-vmnet.vmx',
    ]);
    expect(router.network.map((n) => n.attachment)).toEqual(['hostonly', 'custom']);
    const [fusion] = await inspectJson([
      '--file',
      'tests/fixtures/vmx/fusion-all-lowercase-keys-4-nics-static-mac.vmx',
    ]);
    expect(fusion.network.map((n) => [n.slot, n.attachment, n.cableConnected])).toEqual([
      [2, 'bridged', true],
      [3, 'nat', true],
      [4, 'hostonly', true],
    ]);
  });

  it('text output names the hypervisor and borrows VirtualBox labels without its explanations', async () => {
    const r = await cli(['inspect', '--file', 'tests/fixtures/vmx/esx-hw8-rhel71-uefi.vmx', ...HOST]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('RHEL 7.1 UEFI {564d9989-a721-910d-cc28-e2dbd54b2b8c}');
    expect(r.stdout).toContain('Source: file   Hypervisor: VMware');
    expect(r.stdout).toContain('  Base Memory: 2048 MB\n');
    expect(r.stdout).toContain('  Adapter 1: bridged (Bridged Adapter)\n');
    expect(r.stdout).not.toContain('The amount of RAM');
  });

  it('an empty .vmx is refused; a text file that is no VM file still names what was expected', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cli-hv-'));
    dirs.push(tmp);
    fs.writeFileSync(path.join(tmp, 'empty.vmx'), '\n');
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'hello\nworld\n');
    const empty = await cli(['inspect', '--file', path.join(tmp, 'empty.vmx')]);
    expect(empty).toMatchObject({ code: 1, stdout: '' });
    expect(empty.stderr).toBe(
      `vm-companion: Cannot use ${path.join(tmp, 'empty.vmx')}: the file is empty.\n`,
    );
    const notes = await cli(['inspect', '--file', path.join(tmp, 'notes.txt')]);
    expect(notes.code).toBe(1);
    expect(notes.stderr).toContain(
      'does not look like "VBoxManage showvminfo <vm> --machinereadable" output',
    );
  });
});

describe('inspect --file <domain XML>', () => {
  it('reads the libvirt fixture with the same JSON shape and KVM advice', async () => {
    const [vm] = await inspectJson(['--file', DOMAIN]);
    expect(brief(vm)).toEqual({
      uuid: '881a931b-0110-4d10-81aa-47a1a19f5726',
      name: 'vagrant-libvirt_default',
      osType: null,
      memoryMB: 2048,
      cpus: 2,
      firmware: 'BIOS',
      // <interface type='network'> on network vagrant-libvirt: a shared virtual network, not 'default'.
      network: ['1 natnetwork virtio 525400AABB01'],
      storage: ['VirtIO virtio: 0:0 vagrant-libvirt_default.img'],
      findings: ['kvm.overview.emulated-cpu', 'kvm.display.legacy-video'],
    });
    expect(vm.chipset).toBe('piix3');
    expect(vm.findings[0]).toMatchObject({
      severity: 'warning',
      settingId: 'kvm.overview.hypervisor',
      fix: 'virsh edit 881a931b-0110-4d10-81aa-47a1a19f5726',
    });
  });

  it('a file and a .vmx together; --vm picks among them', async () => {
    const both = await inspectJson([
      '--file',
      DOMAIN,
      '--file',
      'tests/fixtures/vmx/esx-hw8-rhel71-uefi.vmx',
    ]);
    expect(both.map((v) => v.name)).toEqual(['vagrant-libvirt_default', 'RHEL 7.1 UEFI']);
    const one = await inspectJson([
      '--file',
      DOMAIN,
      '--file',
      'tests/fixtures/vmx/esx-hw8-rhel71-uefi.vmx',
      '--vm',
      'RHEL 7.1 UEFI',
    ]);
    expect(one.map((v) => v.uuid)).toEqual(['564d9989-a721-910d-cc28-e2dbd54b2b8c']);
  });
});

describe('inspect --vmware-folder', () => {
  it('reads the .vmx files one level down, nothing else of the machine', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cli-vmw-'));
    dirs.push(tmp);
    fs.mkdirSync(path.join(tmp, 'Win10'));
    fs.copyFileSync(
      path.join(VMX_DIR, 'workstation-hw11-msedge-win10-crlf.vmx'),
      path.join(tmp, 'Win10', 'Win10.vmx'),
    );
    fs.copyFileSync(
      path.join(VMX_DIR, 'coreos-hw4-shebang-unquoted-value.vmx'),
      path.join(tmp, 'coreos.vmx'),
    );
    fs.writeFileSync(path.join(tmp, 'Win10', 'Win10.vmss'), '');
    const vms = await inspectJson(['--vmware-folder', tmp]);
    vms.sort((x, y) => (x.name ?? '').localeCompare(y.name ?? ''));
    expect(vms.map((v) => [v.name, v.state, v.uuid])).toEqual([
      // no uuid.bios: the id is made from the file's path
      ['coreos_production_vmware-410-0-0', null, pathHashId(path.join(tmp, 'coreos.vmx'), 'linux')],
      ['MSEdge - Win10_preview', 'saved', '564d5459-5d0c-518d-d340-384ffebfe45d'],
    ]);
  });
});

describe.skipIf(!VIRSH)('inspect --libvirt (real virsh, test driver)', () => {
  it('reads every domain of the node XML', async () => {
    const vms = await inspectJson(['--libvirt', NODE_URI]);
    expect(vms.map(brief)).toEqual([
      {
        uuid: '881a931b-0110-4d10-81aa-47a1a19f5726',
        name: 'vagrant-libvirt_default',
        osType: null,
        memoryMB: 2048,
        cpus: 2,
        firmware: 'BIOS',
        network: ['1 natnetwork virtio 525400AABB01'],
        storage: ['VirtIO virtio: 0:0 vagrant-libvirt_default.img'],
        findings: ['kvm.display.legacy-video'],
      },
      {
        uuid: '5f3c8a2e-7b41-4c9d-a1e6-2d8f0b7c9e12',
        name: 'db-server',
        osType: 'Ubuntu 22.04',
        memoryMB: 4096,
        cpus: 2,
        firmware: 'BIOS',
        network: ['1 nat virtio 525400123456'],
        storage: ['VirtIO virtio: 0:0 db-server.qcow2, 1:0 db-data.raw'],
        findings: [],
      },
      {
        uuid: 'c4e1b2a3-9d8f-4e7a-b6c5-0f1e2d3c4b5a',
        name: 'win11-q35',
        osType: 'Windows 11',
        memoryMB: 8192,
        cpus: 8,
        firmware: 'EFI',
        network: ['1 nat e1000e 525400C4E1B2'],
        storage: ['SATA 0 IntelAhci: 0:0 win11.qcow2, 1:0 emptydrive'],
        findings: ['kvm.cpus.over-host-threads'],
      },
      {
        uuid: 'e9f8d7c6-b5a4-4392-8170-6f5e4d3c2b1a',
        name: 'legacy-user-net',
        osType: 'CentOS 7.0',
        memoryMB: 24576,
        cpus: 12,
        firmware: 'BIOS',
        network: ['1 nat rtl8139 5254000E9F8D'],
        storage: ['IDE 0 PIIX4: 0:0 legacy.qcow2'],
        findings: [
          'kvm.cpus.over-host-threads',
          'kvm.memory.over-host',
          'kvm.disks.not-virtio-linux',
          'kvm.disks.cache-unsafe',
          'kvm.nics.not-virtio-linux',
          'kvm.display.listen-all-addresses',
          'kvm.nics.user-unreachable',
          'kvm.display.legacy-video',
        ],
      },
      {
        uuid: 'a7d2e4f6-1b3c-4d5e-8f90-1a2b3c4d5e6f',
        name: 'web-bridge',
        osType: 'Debian 12',
        memoryMB: 1024,
        cpus: 1,
        firmware: 'BIOS',
        network: ['1 bridged e1000e 525400ABCD01', '2 bridged virtio 525400ABCD02'],
        storage: [
          'SATA 0 IntelAhci: 0:0 web-bridge.qcow2',
          'IDE 0 PIIX4: 1:0 debian-12.5.0-amd64-netinst.iso',
          'SCSI 0 VirtioSCSI: 1:0 web-shared-content.raw',
        ],
        findings: ['kvm.disks.not-virtio-linux', 'kvm.nics.not-virtio-linux', 'kvm.nics.link-down'],
      },
    ]);
    expect(vms.map((v) => v.state)).toEqual(['running', 'running', 'paused', 'saved', 'poweroff']);
    // fix commands name the connection
    const legacy = vms[3].findings.find((f) => f.id === 'kvm.memory.over-host')!;
    expect(legacy.fix).toContain(`--connect ${NODE_URI}`);
  });

  it('a connection that fails is one clear error; a refused URI is a usage error', async () => {
    const bad = await cli(['inspect', '--libvirt', 'test:///nonexistent/node.xml']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(
      /^vm-companion: Could not read the domains of test:\/\/\/nonexistent\/node\.xml: .*failed to connect to the hypervisor/,
    );
    const refused = await cli(['inspect', '--libvirt', 'qemu+ssh://-oProxyCommand=x/system']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--libvirt: Connection URI');
    expect(() => parseInspectArgs(['--libvirt', 'xen:///system'])).toThrow(/not accepted/);
  });
});

describe('compare', () => {
  it('two files: a KVM domain and a VMware VM, text with differences marked', async () => {
    const r = await cli(['compare', DOMAIN, 'tests/fixtures/vmx/esx-hw8-rhel71-uefi.vmx']);
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines.slice(0, 2)).toEqual([
      'A: vagrant-libvirt_default (KVM/libvirt, 881a931b-0110-4d10-81aa-47a1a19f5726)',
      'B: RHEL 7.1 UEFI (VMware, 564d9989-a721-910d-cc28-e2dbd54b2b8c)',
    ]);
    expect(lines).toContain('  Base Memory: 2048 MB | 2048 MB');
    expect(lines).toContain('* Firmware: BIOS | EFI');
    expect(lines).toContain(
      '* Adapter 1 · Attached to: NAT Network · vagrant-libvirt | Bridged Adapter · VM Network',
    );
    expect(lines).toContain('* Controller 2: — | SCSI: pvscsi');
    expect(lines.at(-2)).toBe('* = differs');
    const diff = await cli([
      'compare',
      DOMAIN,
      'tests/fixtures/vmx/esx-hw8-rhel71-uefi.vmx',
      '--differences',
    ]);
    expect(diff.stdout).not.toContain('Base Memory');
    expect(diff.stdout).toContain('* Firmware: BIOS | EFI');
  });

  it('JSON is the Comparison of vms:compare; --lang zh-CN translates labels and words', async () => {
    const r = await cli([
      'compare',
      'tests/fixtures/vmx/gsx-hw4-router-blank-lines-custom-vmnet.vmx',
      'tests/fixtures/vmx/wild-gsx-in-the-wild-1-hw4-32MB-vmnet1-empty-workingDir-double-blank-lines.vmx',
      '--json',
      '--lang',
      'zh-CN',
    ]);
    expect(r.code).toBe(0);
    const c = JSON.parse(r.stdout) as Comparison;
    expect(c.a.name).toBe('Router');
    expect(c.b.name).toBe('Server1');
    const rows = c.pages.flatMap((p) => p.rows);
    const att = rows.find((x) => x.key === 'network.1.attachment')!;
    // both on VMnet1, VMware's host-only network
    expect(att).toMatchObject({
      a: '仅主机(Host-Only)网络 · /dev/vmnet1',
      b: '仅主机(Host-Only)网络 · /dev/vmnet1',
      differs: false,
      settingIds: { a: 'vmware.network.connection#ethernet0', b: 'vmware.network.connection#ethernet0' },
    });
    expect(rows.find((x) => x.key === 'system.memory')).toMatchObject({
      a: '32 MB',
      b: '32 MB',
      differs: false,
    });
    expect(rows.find((x) => x.key === 'network.2.attachment')).toMatchObject({
      a: '自定义 · /dev/vmnet2',
      b: null,
      differs: true,
    });
    expect(c.pages.map((p) => p.label['zh-CN'])).toContain('网络');
  });

  it.skipIf(!VIRSH)(
    'ids and names from --libvirt and --vmware-folder; one missing VM is an error naming it',
    async () => {
      const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cli-cmp-'));
      dirs.push(tmp);
      fs.copyFileSync(
        path.join(VMX_DIR, 'workstation-hw11-msedge-win10-crlf.vmx'),
        path.join(tmp, 'msedge.vmx'),
      );
      const r = await cli([
        'compare',
        'web-bridge',
        '564d5459-5d0c-518d-d340-384ffebfe45d',
        '--libvirt',
        NODE_URI,
        '--vmware-folder',
        tmp,
        '--json',
      ]);
      expect(r.code).toBe(0);
      const c = JSON.parse(r.stdout) as Comparison;
      expect([c.a.hypervisor, c.a.source, c.b.hypervisor, c.b.source]).toEqual([
        'kvm',
        'virsh',
        'vmware',
        'vmrun',
      ]);
      const att = c.pages.flatMap((p) => p.rows).find((x) => x.key === 'network.1.attachment')!;
      // libvirt <interface type='bridge'> on br0 and VMware bridged: the same thing.
      expect(att).toMatchObject({ a: 'Bridged Adapter · br0', b: 'Bridged Adapter · en0', differs: false });
      const chip = c.pages.flatMap((p) => p.rows).find((x) => x.key === 'network.1.adapterType')!;
      expect(chip).toMatchObject({
        differs: false,
        settingIds: { a: 'kvm.nics.model#1', b: 'vmware.network.adapterType#ethernet0' },
      });

      const missing = await cli([
        'compare',
        'web-bridge',
        'nope',
        '--libvirt',
        NODE_URI,
        '--vboxmanage',
        '/nonexistent/VBoxManage',
      ]);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(
        /^vm-companion: No VM named "nope"\. Known VMs: "vagrant-libvirt_default"/,
      );
      expect(missing.stderr).toContain(
        '(VirtualBox: --vboxmanage /nonexistent/VBoxManage: not an executable VBoxManage',
      );
    },
  );

  it('usage: exactly two VMs; --help', async () => {
    expect(() => parseCompareArgs(['a'])).toThrow(
      'compare needs exactly two VMs (files, UUIDs or names); got 1.',
    );
    const three = await cli(['compare', 'a', 'b', 'c']);
    expect(three.code).toBe(2);
    expect(parseCompareArgs(['--help'])).toBe('help');
    const help = await cli(['compare', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('vm-companion compare <a> <b>');
  });
});

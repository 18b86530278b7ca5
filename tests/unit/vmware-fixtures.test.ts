import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VmConfig } from '../../app/shared/model.ts';
import { parseVmx, type ParsedVmx } from '../../app/core/vmware/parse-vmx.ts';
import { vmwareSummary, vmxToConfig } from '../../app/core/vmware/to-config.ts';
import { vmwareControlValue, vmwareInstances } from '../../app/shared/vmware-ids.ts';

const DIR = new URL('../fixtures/vmx/', import.meta.url);

/** `[slot, attachment, attachmentName, adapterType, mac]` per adapter. */
type Nic = [number, string, string | undefined, string | undefined, string | undefined];
/** `[controller, type, [port, device, kind, medium][]]`. */
type Ctl = [string, string | undefined, [number, number, string, string][]];

interface Expected {
  id: string;
  name: string;
  guestOS: string;
  memoryMB: number | undefined;
  cpus: number | undefined;
  firmware: string | undefined;
  hw: string;
  lineEnding: ParsedVmx['lineEnding'];
  shebang: boolean;
  nics: Nic[];
  storage: Ctl[];
  trait: (c: VmConfig, p: ParsedVmx) => void;
}

const unknown = (c: VmConfig, key: string) => c.unknownKeys.find((u) => u.key === key);
const nat = (c: VmConfig, id: string) => c.native?.[id]?.value;
const FLOPPY_NONE: Ctl = ['floppy', 'I82078', [[0, 0, 'none', '']]];
const FLOPPY_NULL: Ctl = ['floppy', 'I82078', [[0, 0, 'empty', 'vmware-null-remote-floppy']]];

const EXPECTED: Record<string, Expected> = {
  'coreos-hw4-shebang-unquoted-value.vmx': {
    id: '', // no uuid.bios: path hash (checked in the trait)
    name: 'coreos_production_vmware-410-0-0',
    guestOS: 'other26xlinux-64',
    memoryMB: 1024,
    cpus: undefined,
    firmware: undefined,
    hw: '4',
    lineEnding: 'lf',
    shebang: true,
    nics: [[1, 'bridged', undefined, undefined, undefined]],
    storage: [['scsi0', 'LsiLogic', [[0, 0, 'hdd', 'coreos_production_vmware_image.vmdk']]], FLOPPY_NONE],
    trait(c, p) {
      const rtc = p.map.get('rtc.difffromutc');
      expect(rtc).toMatchObject({ key: 'rtc.diffFromUTC', value: '0', quoted: false, line: 23 });
      expect(unknown(c, 'rtc.diffFromUTC')?.value).toBe('0');
      expect(c.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
      expect(c.general.hardwareUuid).toBeUndefined();
      expect(nat(c, 'vmware.usb.autoConnect')).toBe('false');
      expect(c.usb.ohci?.value).toBe(true);
      expect(c.audio.enabled).toBe(false);
      expect(vmwareSummary(c).cpus).toBe(1);
    },
  },
  'esx-hw10-fedora20-name-with-space-sata-cdrom.vmx': {
    id: '421b4b87-e6b7-d881-07a0-c9d221cd3c6b',
    name: 'Fedora 20',
    guestOS: 'rhel7-64',
    memoryMB: 2048,
    cpus: undefined,
    firmware: undefined,
    hw: '10',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '005056AABB01']],
    storage: [
      [
        'sata0',
        'IntelAhci',
        [
          [
            0,
            0,
            'dvd',
            '/vmfs/volumes/5458b680-34ec3500-9f36-001320aabb02/ISOs/Fedora-20-x86_64-netinst.iso',
          ],
        ],
      ],
      ['scsi0', 'pvscsi', [[0, 0, 'hdd', 'Fedora-20.vmdk']]],
      FLOPPY_NULL,
    ],
    trait(c) {
      expect(c.system.memoryMB?.key).toBe('memSize');
      expect(nat(c, 'vmware.cdrom.connectAtPowerOn#sata0:0')).toBe('false');
      expect(nat(c, 'vmware.network.macType#ethernet0')).toBe('vpx');
      expect(c.display.vramMB).toEqual({ value: 8, key: 'svga.vramSize', raw: '8388608' });
      expect(c.network[0].attachment).toEqual({ value: 'bridged', key: 'ethernet0.connectionType', raw: '' });
    },
  },
  'esx-hw17-windows2019-memSize-camelcase.vmx': {
    id: '564d6c27-96ea-1207-6f0b-b11d81469b0b',
    name: 'win2019',
    guestOS: 'windows2019srv-64',
    memoryMB: 4096,
    cpus: 2,
    firmware: 'EFI',
    hw: '17',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '000C29AABB02']],
    storage: [
      [
        'sata0',
        'IntelAhci',
        [
          [
            0,
            0,
            'dvd',
            '/vmfs/volumes/624d796f-52b87554-ccba-a4ae11aabb01/iso/en-us_windows_server_2019_updated_aug_2021_x64_dvd_a6431a28.iso',
          ],
          [3, 0, 'hdd', 'win2019_1.vmdk'],
        ],
      ],
      ['scsi0', 'LsiLogicSas', [[0, 0, 'hdd', 'win2019.vmdk']]],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(c.system.memoryMB?.key).toBe('memSize');
      expect(c.system.secureBoot).toEqual({ value: true, key: 'uefi.secureBoot.enabled', raw: 'TRUE' });
      expect(c.usb.xhci?.value).toBe(true);
      expect(unknown(c, 'vm.genidX')?.value).toBe('-5104727847056752683');
      // usb_xhci:4.* are USB devices written at run time, not drives
      expect(unknown(c, 'usb_xhci:4.deviceType')?.value).toBe('hid');
      expect(nat(c, 'vmware.disks.controllerType#scsi0')).toBe('lsisas1068');
      expect(nat(c, 'vmware.options.toolsUpdate')).toBe('manual');
    },
  },
  'esx-hw8-rhel6-21-disks-pvscsi.vmx': {
    id: '564d96af-e646-bd86-5c4d-654e7736ef31',
    name: 'BZ1308535_21disks',
    guestOS: 'rhel6-64',
    memoryMB: 2048,
    cpus: undefined,
    firmware: undefined,
    hw: '8',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '000C29AABB02']],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [
            1,
            0,
            'dvd',
            '/vmfs/volumes/5458b680-34ec3500-9f36-001320aabb01/ISOs/RHEL-7.1-20150219.1-Server-x86_64-boot.iso',
          ],
        ],
      ],
      [
        'scsi0',
        'pvscsi',
        [0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15].map((u, i): [number, number, string, string] => [
          u,
          0,
          'hdd',
          i === 0 ? 'BZ1308535_21disks.vmdk' : `BZ1308535_21disks_${i}.vmdk`,
        ]),
      ],
      [
        'scsi1',
        'pvscsi',
        [0, 1, 2, 3, 4, 5].map((u): [number, number, string, string] => [
          u,
          0,
          'hdd',
          `BZ1308535_21disks_${15 + u}.vmdk`,
        ]),
      ],
      FLOPPY_NULL,
    ],
    trait(c) {
      const disks = c.storage.flatMap((s) => s.attachments).filter((a) => a.kind === 'hdd');
      expect(disks).toHaveLength(21);
      expect(c.storage[1].attachments.some((a) => a.port === 7)).toBe(false);
      expect(vmwareInstances(c, 'vmware.disks.file')).toHaveLength(21);
    },
  },
  'esx-hw8-rhel71-uefi.vmx': {
    id: '564d9989-a721-910d-cc28-e2dbd54b2b8c',
    name: 'RHEL 7.1 UEFI',
    guestOS: 'rhel6-64',
    memoryMB: 2048,
    cpus: undefined,
    firmware: 'EFI',
    hw: '8',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '000C29AABB02']],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [
            1,
            0,
            'dvd',
            '/vmfs/volumes/5458b680-34ec3500-9f36-001320aabb01/ISOs/RHEL-7.1-20150219.1-Server-x86_64-boot.iso',
          ],
        ],
      ],
      ['scsi0', 'pvscsi', [[0, 0, 'hdd', 'RHEL-7.1-UEFI.vmdk']]],
      FLOPPY_NULL,
    ],
    trait(c) {
      expect(c.system.firmware).toEqual({ value: 'EFI', key: 'firmware', raw: 'efi' });
      expect(nat(c, 'vmware.cdrom.connectAtPowerOn#ide1:0')).toBe('false');
      expect(vmwareControlValue(c, 'vmware.options.firmware')?.value).toBe('efi');
    },
  },
  'fusion-all-lowercase-keys-4-nics-static-mac.vmx': {
    id: '564d591a-1a9b-5fd8-296c-70d0bf204199',
    name: 'core01',
    guestOS: 'other3xlinux-64',
    memoryMB: 1024,
    cpus: 1,
    firmware: undefined,
    hw: '9',
    lineEnding: 'lf',
    shebang: false,
    nics: [
      [2, 'bridged', undefined, 'e1000', '000C29AABB01'],
      [3, 'nat', undefined, 'e1000', '005056AABBCC'],
      [4, 'hostonly', undefined, 'e1000', '000C29AABB02'],
    ],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [
            1,
            0,
            'dvd',
            '/Users/user/Dropbox/Development/hooklift/dobby-boxes/coreos/packer_cache/e159f7e70f4ccc346ee76b2a32cbdf059549a7ca82e91edbeed5d747bcdd50f9.iso',
          ],
          [1, 1, 'dvd', 'coreos.iso'],
        ],
      ],
      [
        'scsi0',
        'LsiLogic',
        [
          [0, 0, 'hdd', 'disk-cl1.vmdk'],
          [1, 0, 'dvd', ''],
        ],
      ],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(c.general.name?.key).toBe('displayname');
      expect(c.general.osType?.key).toBe('guestos');
      expect(c.system.memoryMB?.key).toBe('memsize');
      expect(c.storage[1].type).toEqual({ value: 'LsiLogic', key: 'scsi0.virtualdev', raw: 'lsilogic' });
      expect(c.storage[0].attachments[0].medium.key).toBe('ide1:0.filename');
      expect(c.network[1].macAddress).toEqual({
        value: '005056AABBCC',
        key: 'ethernet2.address',
        raw: '00:50:56:aa:bb:cc',
      });
      expect(c.general.description?.value).toBe('Terraform VMWARE VIX test');
      expect(c.system.bootOrder.map((b) => b.value)).toEqual(['disk', 'dvd']);
      expect(vmwareControlValue(c, 'vmware.options.bootOrder')?.value).toBe('hdd,cdrom');
      expect(c.storage[1].attachments[1].passthrough?.value).toBe(true);
      expect(nat(c, 'vmware.cdrom.connection#scsi0:1')).toBe('physical');
      expect(nat(c, 'vmware.network.replicateState#ethernet1')).toBe('true');
      expect(c.display.vrdeEnabled?.value).toBe(true);
      expect(c.display.vrdePorts?.value).toBe('5919');
      expect(nat(c, 'vmware.options.sharedFolders')).toBe('always');
      expect(unknown(c, 'usb:0.deviceType')?.value).toBe('hid');
      expect(vmwareInstances(c, 'vmware.network.connection')).toEqual([
        'ethernet1',
        'ethernet2',
        'ethernet3',
      ]);
      expect(vmwareControlValue(c, 'vmware.network.connection', 'ethernet3')).toEqual({
        value: 'hostonly',
        key: 'ethernet3.connectionType',
        raw: 'hostonly',
      });
    },
  },
  'gsx-hw4-router-blank-lines-custom-vmnet.vmx': {
    id: '564ddebe-e86f-d586-0854-a0879cc4be5a',
    name: 'Router',
    guestOS: 'other26xlinux',
    memoryMB: 32,
    cpus: undefined,
    firmware: undefined,
    hw: '4',
    lineEnding: 'lf',
    shebang: true,
    nics: [
      [1, 'custom', '/dev/vmnet1', undefined, '000C29AABB01'],
      [2, 'custom', '/dev/vmnet2', undefined, '000C29AABB02'],
    ],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [0, 0, 'hdd', 'Debian-System1-0-cl1.vmdk'],
          [1, 0, 'none', '/dev/hda'],
        ],
      ],
      ['scsi0', 'LsiLogic', []],
      ['floppy', 'I82078', [[0, 0, 'none', '/dev/fd0']]],
    ],
    trait(c, p) {
      expect(p.entries).toHaveLength(45);
      expect(nat(c, 'vmware.disks.mode#ide0:0')).toBe('independent-persistent');
      expect(vmwareControlValue(c, 'vmware.network.vnet', 'ethernet1')?.value).toBe('/dev/vmnet2');
      expect(vmwareControlValue(c, 'vmware.network.lanSegment', 'ethernet1')).toBeUndefined();
      expect(vmwareInstances(c, 'vmware.cdrom.connection')).toEqual([]);
    },
  },
  'wild-esx-in-the-wild-1-hw4-fedora11-cdrom-raw-no-virtualDev-nic.vmx': {
    id: '50115e16-9bdc-49d7-f171-53c4d7f91710',
    name: 'Fedora11',
    guestOS: 'rhel5',
    memoryMB: 1024,
    cpus: undefined,
    firmware: undefined,
    hw: '4',
    lineEnding: 'lf',
    shebang: true,
    nics: [[1, 'bridged', 'VM Network', undefined, '005056AABB01']],
    storage: [
      ['ide', 'PIIX4', [[0, 0, 'dvd', '']]],
      ['scsi0', 'LsiLogic', [[0, 0, 'hdd', 'Fedora11.vmdk']]],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(c.network[0].adapterType).toBeUndefined();
      expect(unknown(c, 'sched.cpu.max')?.value).toBe('unlimited');
      expect(unknown(c, 'guestOSAltName')?.value).toBe('Red Hat Enterprise Linux 5 (32-Bit)');
      expect(c.storage[1].name).toEqual({ value: 'scsi0', key: 'scsi0.present', raw: 'scsi0' });
      expect(nat(c, 'vmware.options.snapshotPowerOff')).toBe('keep');
      expect(nat(c, 'vmware.options.powerControls#powerOff')).toBe('default');
    },
  },
  'wild-esx-in-the-wild-10-hw17-win2019-sata-boot-usb_xhci-negative-slot-genidX.vmx': {
    id: '421a6177-5aa9-abb7-5924-fc376c18a1b4',
    name: 'w2019biosvmware',
    guestOS: 'windows2019srv-64',
    memoryMB: 4096,
    cpus: 2,
    firmware: undefined,
    hw: '17',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'e1000e', '005056AABB01']],
    storage: [
      [
        'sata0',
        'IntelAhci',
        [
          [0, 0, 'hdd', 'windows2019biosvmware.vmdk'],
          [1, 0, 'empty', 'emptyBackingString'],
        ],
      ],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(c.usb.xhci).toBeUndefined();
      expect(unknown(c, 'usb_xhci.pciSlotNumber')?.value).toBe('-1');
      expect(unknown(c, 'guestOS.detailed.data')?.value).toBe('');
      expect(nat(c, 'vmware.processors.coresPerProcessor')).toBe('2');
      expect(nat(c, 'vmware.processors.processors')).toBe('1');
      expect(unknown(c, 'sched.swap.derivedName')?.value).toBe('windows2019biosvmware-79c21733.vswp');
    },
  },
  'wild-esx-in-the-wild-12-hw20-esx8-efi-secureboot-empty-cdrom-guestinfo-quotes.vmx': {
    id: '4220fca7-11dd-d67e-19cc-fcad0a37c342',
    name: 'Auto-esx8.0-rhell9.3-efi-with-empty-cdrom',
    guestOS: 'rhel9-64',
    memoryMB: 2048,
    cpus: undefined,
    firmware: 'EFI',
    hw: '20',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '005056AABB01']],
    storage: [
      ['sata0', 'IntelAhci', [[0, 0, 'empty', '']]],
      ['scsi0', 'pvscsi', [[0, 0, 'hdd', 'Auto-esx8.0-rhell9.3-efi-with-empty-cdrom.vmdk']]],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(c.system.secureBoot?.value).toBe(true);
      expect(unknown(c, 'guestInfo.detailed.data')?.value).toContain("distroName='Red Hat Enterprise Linux'");
      expect(unknown(c, 'pciBridge1:0.pxm')?.value).toBe('0');
      expect(vmwareControlValue(c, 'vmware.cdrom.isoImage', 'sata0:0')?.value).toBe('');
    },
  },
  'wild-esx-in-the-wild-14-hw19-hardened-isolation-keys-pciPassthru-star-mixed-case-bools.vmx': {
    id: '421b223a-f2c1-c7c9-a399-34d2d9fde26d',
    name: 'wild14',
    guestOS: 'rhel7-64',
    memoryMB: 32768,
    cpus: 12,
    firmware: undefined,
    hw: '19',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', undefined, 'vmxnet3', '000000000000']],
    storage: [
      ['ide', 'PIIX4', [[0, 0, 'empty', 'emptyBackingString']]],
      [
        'scsi0',
        'pvscsi',
        [
          [0, 0, 'hdd', 'wild1.vmdk'],
          [1, 0, 'hdd', 'wild2.vmdk'],
        ],
      ],
      FLOPPY_NONE,
    ],
    trait(c, p) {
      expect(p.map.get('displayname')?.line).toBe(2);
      expect(c.display.accelerate3d).toEqual({ value: false, key: 'mks.enable3d', raw: 'False' });
      expect(c.general.clipboard?.value).toBe('disabled');
      expect(c.general.dragAndDrop).toEqual({
        value: 'disabled',
        key: 'isolation.tools.dnd.disable',
        raw: 'true',
      });
      expect(unknown(c, 'pciPassthru*.present')?.value).toBe('False');
      expect(c.network[0].macAddress).toEqual({
        value: '000000000000',
        key: 'ethernet0.address',
        raw: '00:00:00:00:00:00',
      });
      expect(unknown(c, 'isolation.tools.diskWiper.disable')?.value).toBe('True');
      expect(c.general.description?.value).toBe('execution env sandbox automation platform');
    },
  },
  'wild-esx-in-the-wild-15-hw19-nvme-2-disks-debian12-appInfo-json-pipe22-escapes.vmx': {
    id: '420338bd-1c9e-ad50-99a2-59e92ddda8b6',
    name: 'dokuwiki',
    guestOS: 'debian11-64',
    memoryMB: 2048,
    cpus: 2,
    firmware: undefined,
    hw: '19',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'inside', 'vmxnet3', '005056AABB01']],
    storage: [
      ['ide', 'PIIX4', [[0, 0, 'dvd', '/vmfs/devices/cdrom/mpx.vmhba0:C0:T0:L0']]],
      [
        'nvme0',
        'NVMe',
        [
          [0, 0, 'hdd', 'dokuwiki.vmdk'],
          [1, 0, 'hdd', 'dokuwiki_1.vmdk'],
        ],
      ],
      FLOPPY_NONE,
    ],
    trait(c, p) {
      const app = p.map.get('guestinfo.appinfo');
      expect(app?.raw.length).toBeGreaterThan(5000);
      expect(app?.raw.startsWith('{|0A|22version|22:|221|22')).toBe(true);
      expect(app?.value.startsWith('{\n"version":"1", \n"updateCounter":"4"')).toBe(true);
      expect(app?.value).not.toContain('|22');
      expect(unknown(c, 'guestinfo.appInfo')?.value).toBe(app?.value);
      expect(nat(c, 'vmware.cdrom.connection#ide0:0')).toBe('physical');
      expect(vmwareControlValue(c, 'vmware.cdrom.physicalDrive', 'ide0:0')?.value).toBe(
        '/vmfs/devices/cdrom/mpx.vmhba0:C0:T0:L0',
      );
    },
  },
  'wild-esx-in-the-wild-17-hw20-win11-usb_xhci-e1000e-disk-in-subfolder.vmx': {
    id: '42256ec1-e066-9364-3dd1-36a0b75263dd',
    name: 'esx8.0-win11-with-second-disk-in-subfolder',
    guestOS: 'windows2019srvNext-64',
    memoryMB: 4096,
    cpus: 2,
    firmware: undefined,
    hw: '20',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'Mgmt Network', 'e1000e', '005056AABB01']],
    storage: [
      [
        'sata0',
        'IntelAhci',
        [[0, 0, 'dvd', '/vmfs/volumes/f84f070c-0d65498d/win-iso/windows_11_x64_official_dvd.iso']],
      ],
      [
        'scsi0',
        'LsiLogicSas',
        [
          [0, 0, 'hdd', 'esx8.0-win11-with-second-disk-in-subfolder.vmdk'],
          [1, 0, 'hdd', 'subfolder/esx8.0-win11-with-second-disk-in-subfolder_1.vmdk'],
        ],
      ],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(c.usb.xhci?.value).toBe(true);
      expect(vmwareControlValue(c, 'vmware.usb.compatibility')?.value).toBe('3.1');
      expect(unknown(c, 'chipset.motherboardLayout')?.value).toBe('i440bx');
      expect(unknown(c, 'vmxstats.filename')?.value).toBe('esx8.0-win11-x86_64-latest.scoreboard');
    },
  },
  'wild-esx-in-the-wild-2-hw4-shebang-debian-vlance-floppy-affinity.vmx': {
    id: '564dcd37-3685-8889-35ea-719fc93c983e',
    name: 'virtDebian1',
    guestOS: 'ubuntu-64',
    memoryMB: 1000,
    cpus: 4,
    firmware: undefined,
    hw: '4',
    lineEnding: 'lf',
    shebang: true,
    nics: [[1, 'bridged', 'VM Network', 'vlance', '000C29AABB01']],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [0, 0, 'dvd', '/vmimages/tools-isoimages/linux.iso'],
          [0, 1, 'dvd', '/dev/scd0'],
          [1, 1, 'hdd', 'Debian1-IDE.vmdk'],
        ],
      ],
      ['scsi0', 'LsiLogic', [[0, 0, 'hdd', 'Debian1.vmdk']]],
      ['scsi1', 'BusLogic', [[0, 0, 'dvd', 'Debian1-cdrom.iso']]],
      [
        'floppy',
        'I82078',
        [
          [0, 0, 'floppy', '/dev/fd0'],
          [1, 0, 'floppy', '/dev/fd0'],
        ],
      ],
    ],
    trait(c) {
      expect(unknown(c, 'sched.cpu.affinity')?.value).toBe('0,1,2,5,6,7');
      expect(unknown(c, 'floppy0.fileType')?.value).toBe('device');
      expect(nat(c, 'vmware.cdrom.connectAtPowerOn#ide0:0')).toBe('false');
      expect(nat(c, 'vmware.cdrom.connectAtPowerOn#ide0:1')).toBe('true');
      expect(c.storage[0].attachments[1].passthrough?.value).toBe(true);
      expect(vmwareInstances(c, 'vmware.cdrom.connection')).toEqual(['ide0:0', 'ide0:1', 'scsi1:0']);
      expect(vmwareInstances(c, 'vmware.disks.file')).toEqual(['ide1:1', 'scsi0:0']);
    },
  },
  'wild-esx-in-the-wild-5-hw7-centos-cpuid-mask-dashes-snapshot-disk.vmx': {
    id: '423e94a9-a1c7-b31d-7161-76c7586c830e',
    name: 'vmtest.local',
    guestOS: 'centos-64',
    memoryMB: 2048,
    cpus: 2,
    firmware: undefined,
    hw: '7',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM-LAN', 'e1000', '005056AABB02']],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [
            0,
            0,
            'dvd',
            '/vmfs/volumes/4af0231d-1eff559a-6369-0024e8aabb01/isos/CentOS-5.5-x86_64-bin-DVD-1of2.iso',
          ],
          [1, 0, 'dvd', ''],
        ],
      ],
      ['scsi0', 'LsiLogic', [[0, 0, 'hdd', 'vmtest-000001.vmdk']]],
      FLOPPY_NONE,
    ],
    trait(c) {
      expect(unknown(c, 'cpuid.80000001.edx')?.value).toBe('-----------H--------------------');
      expect(unknown(c, 'guest.commands.sharedSecretLogin.hostd-quiescedsnap')?.value).toMatch(/^x+=$/);
      expect(c.general.description?.value).toBe('Centos 5.5 64bit Server');
      expect(c.storage[1].name.key).toBe('scsi0.present');
    },
  },
  'wild-esx-in-the-wild-6-hw7-encoding-pvscsi-cpuid-pcieRootPort.vmx': {
    id: '564d15d4-d062-fe9a-80f5-eb8e1a2c3afc',
    name: 'el6-test',
    guestOS: 'rhel6-64',
    memoryMB: 1024,
    cpus: undefined,
    firmware: undefined,
    hw: '7',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '000C29AABB01']],
    storage: [
      ['ide', 'PIIX4', [[1, 0, 'dvd', '/usr/lib/vmware/isoimages/linux.iso']]],
      ['scsi0', 'pvscsi', [[0, 0, 'hdd', 'el6-test-000001.vmdk']]],
      ['floppy', 'I82078', [[0, 0, 'empty', '']]],
    ],
    trait(c, p) {
      expect(p.map.get('ide1:0.filename')?.line).toBe(79);
      expect(unknown(c, 'pciBridge4.virtualDev')?.value).toBe('pcieRootPort');
      expect(c.storage[2].attachments[0].medium).toEqual({ value: '', key: 'floppy0.fileName', raw: '' });
    },
  },
  'wild-esx-in-the-wild-7-hw8-rhel6-scsi-passthru-cdrom-raw.vmx': {
    id: '564d9176-621f-0239-f5ad-3a002371953b',
    name: 'esx-rhel6-mini-with-scsi-device',
    guestOS: 'rhel6-64',
    memoryMB: 2048,
    cpus: undefined,
    firmware: undefined,
    hw: '8',
    lineEnding: 'lf',
    shebang: false,
    nics: [[1, 'bridged', 'VM Network', 'vmxnet3', '005056AABB01']],
    storage: [
      ['ide', 'PIIX4', [[1, 0, 'dvd', '']]],
      [
        'scsi0',
        'pvscsi',
        [
          [0, 0, 'hdd', 'esx-rhel6-mini.vmdk'],
          [1, 0, 'dvd', '/vmfs/devices/cdrom/mpx.vmhba32:C0:T0:L0'],
          [3, 0, 'none', ''],
        ],
      ],
      ['floppy', 'I82078', [[0, 0, 'empty', '']]],
    ],
    trait(c) {
      const passthru = c.storage[1].attachments[1];
      expect(passthru.passthrough).toEqual({ value: true, key: 'scsi0:1.deviceType', raw: 'scsi-passthru' });
      expect(c.general.name?.value).not.toBe('esx-rhel6-mini');
    },
  },
  'wild-esx-in-the-wild-8-hw11-rhel7-10-nics-independent-nonpersistent-null-floppy.vmx': {
    id: '42359420-99dc-4261-5264-ba58ddae20e4',
    name: 'RHEL7_10_NICs',
    guestOS: 'rhel7-64',
    memoryMB: 2048,
    cpus: 8,
    firmware: undefined,
    hw: '11',
    lineEnding: 'lf',
    shebang: false,
    nics: [
      [1, 'bridged', 'VM Network', 'vmxnet3', '001A4AAABB01'],
      [2, 'bridged', 'VM Network', 'e1000', '001A4AAABB03'],
      [3, 'bridged', 'VM Network', 'e1000e', '001A4AAABB04'],
      ...[4, 5, 6, 7, 8, 9, 10].map((slot): Nic => [
        slot,
        'bridged',
        'VM Network',
        'vmxnet3',
        `001A4AAABB${(slot + 1).toString(16).toUpperCase().padStart(2, '0')}`,
      ]),
    ],
    storage: [
      [
        'sata0',
        'IntelAhci',
        [[0, 0, 'dvd', '/vmfs/volumes/692eb778-2d4937fe/CentOS-4.7.ServerCD-x86_64.iso']],
      ],
      [
        'scsi0',
        'pvscsi',
        [
          [0, 0, 'hdd', 'RHEL7_6.vmdk'],
          [1, 0, 'hdd', 'RHEL7_6_1.vmdk'],
          [2, 0, 'hdd', '/vmfs/volumes/5669422e-699d77db-c144-00e081aabb02/block4/block4.vmdk'],
        ],
      ],
      FLOPPY_NULL,
    ],
    trait(c) {
      expect(c.network).toHaveLength(10);
      expect(nat(c, 'vmware.network.macType#ethernet0')).toBe('static');
      expect(nat(c, 'vmware.disks.mode#scsi0:1')).toBe('independent-nonpersistent');
      expect(c.system.hpet).toEqual({ value: true, key: 'hpet0.present', raw: 'true' });
      expect(nat(c, 'vmware.processors.processors')).toBe('4');
      expect(unknown(c, 'ethernet9.pciSlotNumber')?.value).toBe('2240');
    },
  },
  'wild-gsx-in-the-wild-1-hw4-32MB-vmnet1-empty-workingDir-double-blank-lines.vmx': {
    id: '564d1223-f835-c4b1-bbf6-e32390d62bd3',
    name: 'Server1',
    guestOS: 'other26xlinux',
    memoryMB: 32,
    cpus: undefined,
    firmware: undefined,
    hw: '4',
    lineEnding: 'lf',
    shebang: true,
    nics: [[1, 'custom', '/dev/vmnet1', undefined, '000C29AABB01']],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [0, 0, 'hdd', 'Debian-System1-0-cl2.vmdk'],
          [1, 0, 'none', '/dev/hda'],
        ],
      ],
      ['scsi0', 'LsiLogic', []],
      ['floppy', 'I82078', [[0, 0, 'none', '/dev/fd0']]],
    ],
    trait(c) {
      expect(c.general.snapshotFolder).toEqual({ value: '', key: 'workingDir', raw: '' });
      expect(c.network[0].cableConnected?.value).toBe(true);
      expect(unknown(c, 'checkpoint.vmState')?.value).toBe('');
    },
  },
  'wild-gsx-in-the-wild-4-hw4-264MB-vmnet2-pvnID-sound-usb.vmx': {
    id: '564dad58-0629-d3e6-ecfe-8ff839c5e35d',
    name: 'Client',
    guestOS: 'other26xlinux',
    memoryMB: 264,
    cpus: undefined,
    firmware: undefined,
    hw: '4',
    lineEnding: 'lf',
    shebang: true,
    nics: [[1, 'custom', '/dev/vmnet2', undefined, '000C29AABB01']],
    storage: [
      [
        'ide',
        'PIIX4',
        [
          [0, 0, 'hdd', 'Debian-System1-0-cl2.vmdk'],
          [1, 0, 'none', '/dev/hda'],
        ],
      ],
      ['scsi0', 'LsiLogic', []],
      ['floppy', 'I82078', [[0, 0, 'none', '/dev/fd0']]],
    ],
    trait(c) {
      expect(c.audio.enabled).toBe(false);
      expect(c.audio.controller).toEqual({ value: 'es1371', key: 'sound.virtualDev', raw: 'es1371' });
      expect(nat(c, 'vmware.usb.autoConnect')).toBe('false');
      expect(unknown(c, 'inVMTeam')?.value).toBe('FALSE');
      expect(c.usb.ohci?.value).toBe(true);
    },
  },
  'workstation-hw11-msedge-win10-crlf.vmx': {
    id: '564d5459-5d0c-518d-d340-384ffebfe45d',
    name: 'MSEdge - Win10_preview',
    guestOS: 'windows9-64',
    memoryMB: 2048,
    cpus: undefined,
    firmware: undefined,
    hw: '11',
    lineEnding: 'crlf',
    shebang: false,
    nics: [[1, 'bridged', 'en0', 'e1000e', '000C29AABB01']],
    storage: [['scsi0', 'LsiLogicSas', [[0, 0, 'hdd', 'MSEdge-Win10_preview.vmdk']]]],
    trait(c, p) {
      expect(p.entries.every((e) => !e.value.includes('\r') && !e.key.includes('\r'))).toBe(true);
      expect(unknown(c, 'cleanshutdown')?.value).toBe('TRUE');
      expect(unknown(c, 'virtualhw.productcompatibility')?.value).toBe('hosted');
      expect(unknown(c, 'migrate.hostlog')?.value).toBe('.\\MSEdge - Win10_preview-aee69569.hlog');
      expect(c.network[0].attachment).toEqual({
        value: 'bridged',
        key: 'ethernet0.connectionType',
        raw: 'bridged',
      });
      expect(nat(c, 'vmware.options.toolsUpdate')).toBe('useglobal');
      expect(nat(c, 'vmware.options.toolsSyncTime')).toBe('true');
    },
  },
};

describe('every .vmx fixture reads with its values', () => {
  it('covers all 21 fixtures', () => {
    const files = readdirSync(DIR).filter((f) => f.endsWith('.vmx'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
    expect(files).toHaveLength(21);
  });

  for (const [file, exp] of Object.entries(EXPECTED)) {
    it(file, () => {
      const bytes = readFileSync(new URL(file, DIR));
      const parsed = parseVmx(bytes, { path: `/vms/${file}` });
      const c = vmxToConfig(parsed, { path: `/vms/${file}`, platform: 'linux' });

      expect(parsed.encoding).toBe('utf-8');
      expect(parsed.duplicates).toEqual([]);
      expect(c.issues).toEqual([]);
      expect(parsed.lineEnding).toBe(exp.lineEnding);
      expect(parsed.shebang === '#!/usr/bin/vmware').toBe(exp.shebang);
      const hasEncoding = /^\.encoding = "UTF-8"/m.test(bytes.toString('latin1'));
      expect(parsed.declaredEncoding).toBe(hasEncoding ? 'UTF-8' : undefined);

      expect(c.hypervisor).toBe('vmware');
      expect(c.source).toBe('file');
      if (exp.id) {
        expect(c.id).toBe(exp.id);
        expect(c.general.hardwareUuid?.value).toBe(exp.id);
      }
      expect(c.general.name?.value).toBe(exp.name);
      expect(c.general.osType?.value).toBe(exp.guestOS);
      expect(c.system.memoryMB?.value).toBe(exp.memoryMB);
      expect(c.system.cpus?.value).toBe(exp.cpus);
      expect(c.system.firmware?.value).toBe(exp.firmware);
      expect(c.native?.['vmware.options.hardwareVersion']?.value).toBe(exp.hw);

      const nics: Nic[] = c.network.map((n) => [
        n.slot,
        n.attachment.value,
        n.attachmentName?.value,
        n.adapterType?.value,
        n.macAddress?.value,
      ]);
      expect(nics).toEqual(exp.nics);

      const storage: Ctl[] = c.storage.map((s) => [
        s.name.value,
        s.type?.value,
        s.attachments.map((a): [number, number, string, string] => [
          a.port,
          a.device,
          a.kind,
          a.medium.value,
        ]),
      ]);
      expect(storage).toEqual(exp.storage);

      // Every Sourced key is spelled as in the file.
      for (const s of [c.general.name, c.general.osType, c.system.memoryMB, c.system.cpus])
        if (s) expect(parsed.entries.some((e) => e.key === s.key)).toBe(true);

      // Nothing read is lost: mapped keys + unknown keys = all keys.
      expect(c.unknownKeys.length).toBeLessThan(parsed.map.size);
      const summary = vmwareSummary(c);
      expect(summary).toMatchObject({ id: c.id, name: exp.name, hypervisor: 'vmware', accessible: true });
      expect(summary.cpus).toBe(exp.cpus ?? 1);
      exp.trait(c, parsed);
    });
  }
});

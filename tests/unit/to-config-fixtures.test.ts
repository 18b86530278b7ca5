import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { VmConfig } from '../../app/shared/model.ts';
import { parseShowVmInfo } from '../../app/core/vbox/parse-showvminfo.ts';
import { TRUNCATED_MESSAGE, showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';

const DIR = new URL('../fixtures/showvminfo/', import.meta.url);
const read = (file: string): string => readFileSync(new URL(file, DIR), 'utf8');

/** `[slot, attachment, name, type, mac, cable, forwards]` for each enabled adapter; forwards as `name|proto|hostIp|hostPort|guestIp|guestPort`. */
type Nic = [number, string, string | undefined, string | undefined, string, boolean, string[]];
/** `[controller, type, slots printed, [port, device, kind, medium][] for every slot that is not a free 'none' slot]`. */
type Ctl = [string, string, number, [number, number, string, string][]];

interface Expected {
  name: string;
  uuid: string;
  state: string;
  memoryMB: number;
  cpus: number;
  osType: string;
  firmware: string | undefined;
  chipset: string | undefined;
  nicSlots: number;
  nics: Nic[];
  storage: Ctl[];
  shared: [string, string][];
  snapshots: string[];
  /** The fixture's special trait (FIXTURES.md). */
  trait: (c: VmConfig, text: string) => void;
}

const unknown = (c: VmConfig, key: string): string | undefined =>
  c.unknownKeys.find((u) => u.key === key)?.value;
const FW_SSH = 'ssh|tcp|127.0.0.1|2222||22';

const EXPECTED: Record<string, Expected> = {
  'vbox312-macos-banner-null-values-floppy-bridged-airport.txt': {
    name: 'foo',
    uuid: '8710d3db-d96a-46ed-9004-59fa891fda90',
    state: 'poweroff',
    memoryMB: 360,
    cpus: 1,
    osType: 'Ubuntu',
    firmware: undefined,
    chipset: undefined,
    nicSlots: 8,
    nics: [[1, 'bridged', 'en1: AirPort', undefined, '080027AABB01', true, []]],
    storage: [
      [
        'IDE Controller',
        'PIIX4',
        4,
        [
          [0, 0, 'hdd', '/Users/user/Library/VirtualBox/HardDisks/HoboBase.vmdk'],
          [1, 0, 'empty', 'emptydrive'],
        ],
      ],
      ['Floppy Controller', 'I82078', 2, [[0, 0, 'empty', 'emptydrive']]],
    ],
    shared: [],
    snapshots: [],
    trait: (c) => {
      // 3-line copyright banner reported, not fatal; `vrdp` instead of `vrde`; "<NULL>" kept raw.
      expect(c.issues.map((i) => i.line)).toEqual([1, 2, 3]);
      expect(c.issues[0].message).toContain('logo');
      expect(c.display.vrdeEnabled).toEqual({ value: false, key: 'vrdp', raw: 'off' });
      expect(unknown(c, 'teleporteraddress')).toBe('<NULL>');
      expect(c.usb.ohci).toEqual({ value: false, key: 'usb', raw: 'off' });
      expect(c.storage[0].attachments[0].imageUuid?.value).toBe('5e090af6-7d71-4f40-8b03-33aa665f9ecf');
      expect(c.system.bootOrder.map((b) => b.value)).toEqual(['floppy', 'dvd', 'disk', 'none']);
    },
  },
  'vbox5040-ubuntu-host-poweroff-emptydrive-IsEjected-no-suffix-usb-on.txt': {
    name: 'real-time-forms_default_1506940511446_6707',
    uuid: '60390da3-a196-41f4-8e18-d669ff63c247',
    state: 'poweroff',
    memoryMB: 512,
    cpus: 4,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH, 'tcp8080|tcp||8080||80']],
      [2, 'hostonly', 'vboxnet0', '82540EM', '080027AABB02', true, []],
    ],
    storage: [
      ['IDE', 'PIIX4', 4, [[0, 0, 'empty', 'emptydrive']]],
      [
        'SATA',
        'IntelAhci',
        1,
        [
          [
            0,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/real-time-forms_default_1506940511446_6707/box-disk001.vmdk',
          ],
        ],
      ],
    ],
    shared: [
      ['vagrant-root', '/home/user/GitHub/real-time-forms'],
      ['vagrant', '/home/user/GitHub/real-time-forms'],
    ],
    snapshots: [],
    trait: (c) => {
      // 6.1-style "IDE-IsEjected" without port/device belongs to the emptydrive printed just before it.
      expect(c.storage[0].attachments[0].isEjected).toEqual({
        value: false,
        key: 'IDE-IsEjected',
        raw: 'off',
      });
      expect(c.storage[0].attachments[1].isEjected).toBeUndefined();
      expect(c.usb.ohci?.value).toBe(true);
      expect(c.sessionName).toBeUndefined();
      expect(c.network[0].natSettings?.sockSnd).toEqual({ value: '64', key: 'sockSnd', raw: '64' });
      expect(c.system.pointingDevice?.value).toBe('usbtablet');
      expect(c.display.recordingEnabled).toEqual({ value: false, key: 'vcpenabled', raw: 'off' });
      expect(c.issues).toEqual([]);
    },
  },
  'vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt': {
    name: 'real-time-forms_default_1506940511446_6707',
    uuid: '60390da3-a196-41f4-8e18-d669ff63c247',
    state: 'running',
    memoryMB: 512,
    cpus: 4,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH, 'tcp8080|tcp||8080||80']],
      [2, 'hostonly', 'vboxnet0', '82540EM', '080027AABB02', true, []],
    ],
    storage: [
      ['IDE', 'PIIX4', 4, [[0, 0, 'empty', 'emptydrive']]],
      [
        'SATA',
        'IntelAhci',
        1,
        [
          [
            0,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/real-time-forms_default_1506940511446_6707/box-disk001.vmdk',
          ],
        ],
      ],
    ],
    shared: [
      ['vagrant-root', '/home/user/GitHub/real-time-forms'],
      ['vagrant', '/home/user/GitHub/real-time-forms'],
    ],
    snapshots: [],
    trait: (c, text) => {
      expect(c.sessionName?.value).toBe('headless');
      expect(c.guestAdditionsVersion?.value).toBe('5.0.18_Ubuntu r106667');
      const video = parseShowVmInfo(text).entries.find((e) => e.key === 'VideoMode');
      expect(video).toMatchObject({ value: '800,600,32', suffix: '@0,0 1', quoted: true });
      expect(unknown(c, 'GuestAdditionsFacility_VirtualBox Base Driver')).toBe('50,1507023555825');
      expect(unknown(c, 'VRDEClients')).toBe('0');
      expect(c.issues).toEqual([]);
    },
  },
  'vbox5122-macos-host-running-packer-centos-box-guest-additions-5.0.8.txt': {
    name: 'vagrant_default_1503409825713_63868',
    uuid: 'a1e9a7e8-5ac8-49fe-966c-f35fb666ba7d',
    state: 'running',
    memoryMB: 2048,
    cpus: 1,
    osType: 'Red Hat (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH]],
      [2, 'hostonly', 'vboxnet0', '82540EM', '080027AABB02', true, []],
    ],
    storage: [
      [
        'IDE Controller',
        'PIIX4',
        4,
        [
          [
            0,
            0,
            'hdd',
            '/Users/user/VirtualBox VMs/vagrant_default_1503409825713_63868/packer-CentOS-6.7-x86_64-v20151108-1447009321-disk1.vmdk',
          ],
        ],
      ],
    ],
    shared: [['vagrant', '/Users/user/Projects/vagrant']],
    snapshots: [],
    trait: (c, text) => {
      expect(c.guestAdditionsVersion?.value).toBe('5.0.8 r103449');
      expect(c.system.effectiveParavirtProvider?.value).toBe('kvm');
      expect(unknown(c, 'biosapic')).toBe('apic');
      expect(unknown(c, 'triplefaultreset')).toBe('off');
      expect(parseShowVmInfo(text).entries.find((e) => e.key === 'VideoMode')?.value).toBe('720,400,0');
    },
  },
  'vbox5126-windows-host-CRLF-homestead-poweroff-5-forwards-2-shared-folders.txt': {
    name: 'homestead-7',
    uuid: '9155aa93-6360-4d1e-8cd9-20c32ecacf6d',
    state: 'poweroff',
    memoryMB: 2048,
    cpus: 2,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [
        1,
        'nat',
        'nat',
        '82540EM',
        '080027AABB01',
        true,
        [
          FW_SSH,
          'tcp33060|tcp||33060||3306',
          'tcp44300|tcp||44300||443',
          'tcp54320|tcp||54320||5432',
          'tcp8000|tcp||8000||80',
        ],
      ],
      [2, 'hostonly', 'VirtualBox Host-Only Ethernet Adapter #3', '82540EM', '080027AABB02', true, []],
    ],
    storage: [
      ['IDE Controller', 'PIIX4', 4, []],
      [
        'SATA Controller',
        'IntelAhci',
        1,
        [[0, 0, 'hdd', 'C:\\Users\\user\\VirtualBox VMs\\homestead-7\\box-disk1.vmdk']],
      ],
    ],
    shared: [
      ['home_vagrant_Code', '\\\\?\\C:\\Users\\user\\Code\\sites'],
      ['vagrant', '\\\\?\\C:\\Users\\user\\Code'],
    ],
    snapshots: [],
    trait: (c, text) => {
      expect(text).toContain('\r\n');
      // Escaped (doubled) backslashes are undone; raw single ones are kept.
      expect(c.general.cfgFile?.value).toBe('C:\\Users\\user\\VirtualBox VMs\\homestead-7\\homestead-7.vbox');
      expect(c.general.cfgFile?.raw).toBe('C:\\Users\\user\\VirtualBox VMs\\homestead-7\\homestead-7.vbox');
      expect(unknown(c, 'vcpfile')).toBe('C:\\Users\\user\\VirtualBox VMs\\homestead-7\\homestead-7.webm');
      expect(parseShowVmInfo(text).entries.some((e) => e.value.includes('\r') || e.key.includes('\r'))).toBe(
        false,
      );
      expect(c.display.vrdeEnabled?.value).toBe(true);
      expect(c.display.vrdePorts?.value).toBe('5966');
      expect(c.audio.driver?.value).toBe('dsound');
      expect(c.audio.enabled).toBe(true);
    },
  },
  'vbox514-windows-host-CRLF-sata-only-poweroff.txt': {
    name: 'learn-rails_default_1473271510806_71611',
    uuid: '9ceb5ca5-4f40-49e2-abfe-1a9fa9b05e7d',
    state: 'poweroff',
    memoryMB: 512,
    cpus: 1,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, ['guestssh|tcp||2222||22']]],
    storage: [
      [
        'SATAController',
        'IntelAhci',
        1,
        [
          [
            0,
            0,
            'hdd',
            'C:\\Users\\user\\VirtualBox VMs\\learn-rails_default_1473271510806_71611\\box-disk1.vmdk',
          ],
        ],
      ],
    ],
    shared: [],
    snapshots: [],
    trait: (c) => {
      expect(c.general.snapshotFolder?.value).toBe(
        'C:\\Users\\user\\VirtualBox VMs\\learn-rails_default_1473271510806_71611\\Snapshots',
      );
      expect(c.system.paravirtProvider?.value).toBe('legacy');
      expect(c.system.effectiveParavirtProvider?.value).toBe('none');
      expect(c.network[0].portForwards[0]).toEqual({
        name: 'guestssh',
        protocol: 'tcp',
        hostIp: '',
        hostPort: 2222,
        guestIp: '',
        guestPort: 22,
        key: 'Forwarding(0)',
        raw: 'guestssh,tcp,,2222,,22',
      });
    },
  },
  'vbox516-linux-host-lsilogic-scsi-controller-poweroff.txt': {
    name: 'wordpress_default_1475437342268_2146',
    uuid: 'fa400fae-c08e-472e-b9a6-5509e3e12b7e',
    state: 'poweroff',
    memoryMB: 1024,
    cpus: 2,
    osType: 'Linux 2.6 / 3.x / 4.x (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [1, 'nat', 'nat', '82540EM', '02A03DAABB01', true, [FW_SSH]],
      [2, 'hostonly', 'vboxnet0', '82540EM', '080027AABB02', true, []],
    ],
    storage: [
      ['IDE', 'PIIX4', 4, []],
      [
        'SCSI',
        'LsiLogic',
        16,
        [
          [
            0,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/wordpress_default_1475437342268_2146/ubuntu-xenial-16.04-cloudimg.vmdk',
          ],
          [
            1,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/wordpress_default_1475437342268_2146/ubuntu-xenial-16.04-cloudimg-configdrive.vmdk',
          ],
        ],
      ],
    ],
    shared: [['vagrant', '/home/user/working/dev/vagrant/wordpress']],
    snapshots: [],
    trait: (c) => {
      expect(c.serial).toHaveLength(4);
      expect(c.serial[0]).toEqual({
        slot: 1,
        enabled: { value: true, key: 'uart1', raw: '0x03f8,4' },
        ioBase: '0x03f8',
        irq: 4,
        mode: {
          value: 'file',
          key: 'uartmode1',
          raw: 'file,/home/user/working/dev/vagrant/wordpress/ubuntu-xenial-16.04-cloudimg-console.log',
        },
        path: '/home/user/working/dev/vagrant/wordpress/ubuntu-xenial-16.04-cloudimg-console.log',
      });
      expect(c.serial[1].enabled.value).toBe(false);
      expect(c.audio.driver?.value).toBe('pulse');
      expect(c.storage[1].portCount?.value).toBe(16);
      expect(c.storage[1].attachments[1].imageUuid?.value).toBe('661a91aa-e212-4ab9-bcf5-6318b0de5ce7');
    },
  },
  'vbox516-linux-host-xenial-base-vm-bridged-wireless-wlp2s0-scsi-configdrive.txt': {
    name: 'ubuntu-xenial-16.04-cloudimg-20160930_1475530658842_73711',
    uuid: 'f806551c-98ef-41c4-bc1e-1deb968f6e9c',
    state: 'poweroff',
    memoryMB: 1024,
    cpus: 2,
    osType: 'Linux 2.6 / 3.x / 4.x (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'bridged', 'wlp2s0', '82540EM', '080027AABB01', true, []]],
    storage: [
      ['IDE', 'PIIX4', 4, []],
      [
        'SCSI',
        'LsiLogic',
        16,
        [
          [
            0,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/ubuntu-xenial-16.04-cloudimg-20160930_1475530658842_73711/ubuntu-xenial-16.04-cloudimg.vmdk',
          ],
          [
            1,
            0,
            'hdd',
            '/home/user/VirtualBox VMs/ubuntu-xenial-16.04-cloudimg-20160930_1475530658842_73711/ubuntu-xenial-16.04-cloudimg-configdrive.vmdk',
          ],
        ],
      ],
    ],
    shared: [],
    snapshots: [],
    trait: (c) => {
      expect(c.system.rtcUseUtc).toEqual({ value: false, key: 'rtcuseutc', raw: 'off' });
      expect(c.network[0].attachmentName).toEqual({ value: 'wlp2s0', key: 'bridgeadapter1', raw: 'wlp2s0' });
      expect(c.storage[1].attachments[0].imageUuid?.value).toBe('ebb04634-c029-4106-bb97-ff709cfca734');
    },
  },
  'vbox52-macos-host-multiple-groups-comma-sata1-30-ports-leading-blank-line.txt': {
    name: 'testvm1',
    uuid: '6aa44e71-71c6-4e68-a61f-f69e133ecffa',
    state: 'poweroff',
    memoryMB: 128,
    cpus: 1,
    osType: 'Other Linux (32-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', 'Am79C973', '080027AABB01', true, []]],
    storage: [
      ['SATA1', 'IntelAhci', 30, [[0, 0, 'hdd', '/Users/user/VirtualBox VMs/tess/testvm1/disk1.vdi']]],
    ],
    shared: [],
    snapshots: [],
    trait: (c, text) => {
      expect(text.startsWith('\n')).toBe(true);
      expect(parseShowVmInfo(text).entries[0]).toEqual({
        key: 'name',
        value: 'testvm1',
        line: 2,
        quoted: true,
      });
      expect(c.general.groups).toEqual({ value: ['/tess', '/tess2'], key: 'groups', raw: '/tess,/tess2' });
      expect(c.general.cfgFile?.value).toBe('/Users/user/VirtualBox VMs/tess/testvm1/testvm1.vbox');
      expect(c.system.bootOrder.map((b) => b.value)).toEqual(['floppy', 'dvd', 'disk', 'none']);
      expect(c.system.longMode?.value).toBe(false);
      expect(c.system.ioApic?.value).toBe(false);
      expect(c.storage[0].attachments[29]).toMatchObject({ port: 29, device: 0, kind: 'none' });
      expect(c.issues).toEqual([]);
    },
  },
  'vbox52-windows-host-sailfish-name-spaces-5-shared-folders-mixed-slashes-intnet-virtio-from-csharp.txt': {
    name: 'Sailfish OS Build Engine',
    uuid: '5bc88aa7-3372-4122-9d67-52b62310fdc4',
    state: 'poweroff',
    memoryMB: 8192,
    cpus: 6,
    osType: 'Linux 2.6 / 3.x / 4.x (32-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [
        1,
        'nat',
        'nat',
        'virtio',
        '080027AABB01',
        true,
        ['guestssh|tcp|127.0.0.1|2222||22', 'guestwww|tcp|127.0.0.1|8080||9292'],
      ],
      [2, 'intnet', 'SailfishOS-SDK', 'virtio', '08005AAABB02', true, []],
    ],
    storage: [['SATA', 'IntelAhci', 2, [[1, 0, 'hdd', 'C:\\SailfishOS\\mersdk\\mer.vdi']]]],
    shared: [
      ['home', 'C:/Users/user'],
      ['targets', 'C:\\SailfishOS/mersdk/targets'],
      ['ssh', 'C:\\SailfishOS/mersdk/ssh'],
      ['config', 'C:\\SailfishOS/vmshare'],
      ['src1', 'C:/Users/user'],
    ],
    snapshots: [],
    trait: (c) => {
      expect(unknown(c, 'videocapopts')).toBe('ac_enabled=false');
      expect(unknown(c, 'SessionType')).toBe('headless');
      expect(c.storage[0].attachments[0]).toMatchObject({ port: 0, device: 0, kind: 'none' });
      expect(c.audio.input).toEqual({ value: false, key: 'audio_in', raw: 'false' });
      expect(c.general.cfgFile?.value).toBe(
        'C:\\SailfishOS\\mersdk\\Sailfish OS Build Engine\\Sailfish OS Build Engine.vbox',
      );
      expect(c.display.recordingEnabled?.key).toBe('videocap');
    },
  },
  'vbox5212-macos-host-running-alpine-no-guest-additions.txt': {
    name: 'alpine_python2_base_default_1534882594143_11004',
    uuid: 'ef90cf0f-349b-4539-b97f-b4a6caad3397',
    state: 'running',
    memoryMB: 2048,
    cpus: 2,
    osType: 'Other Linux (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH]]],
    storage: [
      [
        'IDE Controller',
        'PIIX4',
        4,
        [
          [
            0,
            0,
            'hdd',
            '/Users/user/VirtualBox VMs/alpine_python2_base_default_1534882594143_11004/generic-alpine38-virtualbox-disk001.vmdk',
          ],
        ],
      ],
    ],
    shared: [],
    snapshots: [],
    trait: (c, text) => {
      const props = parseShowVmInfo(text).entries.filter((e) => e.key.startsWith('vrdeproperty['));
      expect(props).toHaveLength(19);
      expect(props.filter((e) => e.value === '<not set>' && !e.quoted)).toHaveLength(17);
      expect(unknown(c, 'vrdeproperty[TCP/Ports]')).toBe('11890');
      expect(unknown(c, 'vrdeport')).toBe('11890');
      expect(unknown(c, 'VRDEClients')).toBe('0');
      expect(unknown(c, 'videocapopts')).toBe('');
      expect(unknown(c, 'GuestAdditionsRunLevel')).toBe('0');
      expect(c.guestAdditionsVersion).toBeUndefined();
      expect(c.display.vramMB?.value).toBe(256);
    },
  },
  'vbox5x-macos-host-saved-no-trailing-newline.txt': {
    name: 'go-virtualbox',
    uuid: '37f5d336-bf07-48dd-947c-37e6a56420a7',
    state: 'saved',
    memoryMB: 1024,
    cpus: 1,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH]]],
    storage: [
      ['IDE Controller', 'PIIX4', 4, []],
      [
        'SATA Controller',
        'IntelAhci',
        1,
        [[0, 0, 'hdd', '/Users/user/VirtualBox VMs/go-virtualbox/ubuntu-16.04-amd64-disk001.vmdk']],
      ],
    ],
    shared: [['vagrant', '/Users/user/Desktop/GO/src/github.com/terra-farm/go-virtualbox']],
    snapshots: [],
    trait: (c, text) => {
      expect(text.endsWith('GuestMemoryBalloon=0')).toBe(true);
      expect(unknown(c, 'GuestMemoryBalloon')).toBe('0');
      // Same model as the copy with a final newline.
      expect(c).toEqual(showVmInfoToConfig(read('vbox5x-macos-host-saved-state-ide-sata.txt'), 'file'));
    },
  },
  'vbox5x-macos-host-saved-state-ide-sata.txt': {
    name: 'go-virtualbox',
    uuid: '37f5d336-bf07-48dd-947c-37e6a56420a7',
    state: 'saved',
    memoryMB: 1024,
    cpus: 1,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH]]],
    storage: [
      ['IDE Controller', 'PIIX4', 4, []],
      [
        'SATA Controller',
        'IntelAhci',
        1,
        [[0, 0, 'hdd', '/Users/user/VirtualBox VMs/go-virtualbox/ubuntu-16.04-amd64-disk001.vmdk']],
      ],
    ],
    shared: [['vagrant', '/Users/user/Desktop/GO/src/github.com/terra-farm/go-virtualbox']],
    snapshots: [],
    trait: (c) => {
      expect(unknown(c, 'VMStateFile')).toBe(
        '/Users/user/VirtualBox VMs/go-virtualbox/Snapshots/2018-04-23T09-29-48-014952000Z.sav',
      );
      expect(c.stateChangeTime?.value).toBe('2018-04-23T09:29:53.476000000');
      expect(c.display.vrdePorts?.value).toBe('5914');
      expect(c.issues).toEqual([]);
    },
  },
  'vbox5x-running-multiline-description-usbfilters-from-vagrant-log.txt': {
    name: 'batman_default_1550612196654_90183',
    uuid: '7a6fec6f-ace1-4d51-95ea-f3b20eacc5c7',
    state: 'running',
    memoryMB: 4096,
    cpus: 4,
    osType: 'Red Hat (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH]]],
    storage: [
      [
        'SATA',
        'IntelAhci',
        1,
        [[0, 0, 'hdd', '/root/VirtualBox VMs/batman_default_1550612196654_90183/box-disk001.vmdk']],
      ],
      ['IDE', 'PIIX4', 4, [[1, 0, 'empty', 'emptydrive']]],
    ],
    shared: [
      ['root_Desktop_synced_data', '/root/batman/synced_data'],
      ['vagrant', '/root/batman'],
    ],
    snapshots: [],
    trait: (c) => {
      const d = c.general.description?.value ?? '';
      expect(d.split('\n')).toHaveLength(13);
      expect(d.startsWith('installed with:\nCentOS-7.0-1406-x86_64-NetInstall.iso\n\n')).toBe(true);
      expect(d).toContain('# yum groupinstall "GNOME Desktop" "Graphical Administration Tools"');
      expect(d.endsWith('centos / xxxxxxx\n')).toBe(true);
      // The lines after the description are still read.
      expect(unknown(c, 'GuestMemoryBalloon')).toBe('0');
      expect(c.guestAdditionsVersion?.value).toBe('5.1.18 r114002');
      expect(c.storage[1].attachments[2].isEjected?.value).toBe(false);
      expect(c.usb.filters).toEqual([
        { index: 1, name: 'TDKMedia TF090 Drive [1100]', active: true, vendorId: '0718', productId: '0703' },
        {
          index: 2,
          name: 'Western Digital Elements 25A2 [1019]',
          active: true,
          vendorId: '1058',
          productId: '25a2',
        },
      ]);
      expect(unknown(c, 'USBFilterManufacturer2')).toBe('Western Digital');
      expect(c.general.clipboard?.value).toBe('bidirectional');
      expect(c.issues).toEqual([]);
    },
  },
  'vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt': {
    name: 'SERVER1919C v114',
    uuid: '8c722e19-bd30-4eb3-b36a-95fc4e20c072',
    state: 'poweroff',
    memoryMB: 11827,
    cpus: 7,
    osType: 'Debian (32-bit)',
    firmware: 'EFI',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'bridged', 'em1', 'virtio', '080027AABB01', true, []]],
    storage: [
      [
        'SATA Controller',
        'IntelAhci',
        30,
        [[0, 0, 'hdd', '/opt/user/VirtualBox_VMs/SERVER1919C v114/box-disk001.vmdk']],
      ],
    ],
    shared: [['media_usb1', '/home/user/ktp-jako']],
    snapshots: [],
    trait: (c) => {
      expect(c.general.description).toEqual({
        value: 'digabi/ktp-qa',
        key: 'description',
        raw: 'digabi/ktp-qa',
      });
      expect(c.general.clipboard?.value).toBe('bidirectional');
      expect(c.storage[0].attachments[0].imageUuid?.value).toBe('ced7cfb7-82cd-4f36-9e83-c933ba0e0220');
    },
  },
  'vbox60-linux-host-vrde-snapshot-differencing-disk.txt': {
    name: 'ubuntu-18.04-amd64_1549746024485_35372',
    uuid: '6294f16b-4f05-4430-afb9-773bdb237aec',
    state: 'poweroff',
    memoryMB: 1024,
    cpus: 1,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, []]],
    storage: [
      ['IDE Controller', 'PIIX4', 4, []],
      [
        'SATA Controller',
        'IntelAhci',
        1,
        [
          [
            0,
            0,
            'hdd',
            '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/Snapshots/{1c182745-4b09-41a1-a147-d3ced46f72f6}.vmdk',
          ],
        ],
      ],
    ],
    shared: [],
    snapshots: ['base'],
    trait: (c) => {
      expect(c.snapshots).toEqual([
        { name: 'base', uuid: '085cbbec-70cd-4864-9208-5d938dcabb71', path: '', current: true, children: [] },
      ]);
      expect(c.display.vrdePorts?.value).toBe('5947');
      expect(c.unknownKeys.some((u) => u.key.startsWith('CurrentSnapshot'))).toBe(false);
    },
  },
  'vbox60-windows-host-bridged-wifi-mixed-backslash-escaping.txt': {
    name: 'Xubuntu 22.04',
    uuid: '7e261a39-d356-4eb1-a8ed-75675b149241',
    state: 'running',
    memoryMB: 4096,
    cpus: 1,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'bridged', 'Intel(R) Wi-Fi 6E AX211 160MHz', '82540EM', '080027AABB01', true, []]],
    storage: [
      ['IDE', 'PIIX4', 4, [[1, 0, 'dvd', 'C:\\Program Files\\Oracle\\VirtualBox\\VBoxGuestAdditions.iso']]],
      ['SATA', 'IntelAhci', 1, [[0, 0, 'hdd', 'C:\\Virtual Machines\\xubuntu22.04-3.vdi']]],
    ],
    shared: [],
    snapshots: [],
    trait: (c) => {
      expect(c.sessionName?.value).toBe('GUI/Qt');
      expect(c.general.logFolder?.value).toBe('C:\\Users\\user\\VirtualBox VMs\\Xubuntu 22.04\\Logs');
      const dvd = c.storage[0].attachments[2];
      expect(dvd.tempEject).toEqual({ value: false, key: 'IDE-tempeject', raw: 'off' });
      expect(dvd.isEjected).toEqual({ value: false, key: 'IDE-IsEjected', raw: 'off' });
      expect(dvd.imageUuid?.value).toBe('ca34e2f3-e32a-45d3-a259-ff90719abe5c');
      expect(unknown(c, 'videocapfile')).toBe(
        'C:\\Users\\user\\VirtualBox VMs\\Xubuntu 22.04\\Xubuntu 22.04.webm',
      );
      expect(unknown(c, 'videocapopts')).toBe('ac_enabled=false');
      expect(c.audio.output?.value).toBe(true);
      expect(c.guestAdditionsVersion?.value).toBe('6.0.0 r127566');
    },
  },
  'vbox612-macos-host-running-4-forwarding-rules-VRDEClients-double-equals-GUI-Qt-session.txt': {
    name: 'vagrantbug_default_1581551652753_65338',
    uuid: 'c8775131-d296-4ad5-bf03-84ff719e6e4c',
    state: 'running',
    memoryMB: 2048,
    cpus: 2,
    osType: 'Windows 2016 (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [
        1,
        'nat',
        'nat',
        '82540EM',
        '080027AABB01',
        true,
        [
          'rdp|tcp||3389||3389',
          FW_SSH,
          'winrm|tcp|127.0.0.1|55985||5985',
          'winrm-ssl|tcp|127.0.0.1|55986||5986',
        ],
      ],
    ],
    storage: [
      [
        'IDE Controller',
        'PIIX4',
        4,
        [
          [
            0,
            0,
            'hdd',
            '/Users/test/VirtualBox VMs/vagrantbug_default_1581551652753_65338/WindowsServer2019-disk001.vmdk',
          ],
        ],
      ],
    ],
    shared: [['vagrant', '/Users/test/Documents/vagrantbug']],
    snapshots: [],
    trait: (c, text) => {
      expect(text).toContain('VRDEClients==0');
      expect(parseShowVmInfo(text).entries.find((e) => e.key === 'VRDEClients')).toMatchObject({
        value: '0',
      });
      expect(c.issues).toEqual([]);
      expect(c.sessionName?.value).toBe('GUI/Qt');
      expect(unknown(c, 'GuestOSType')).toBe('Windows10_64');
      expect(unknown(c, 'capturescreens')).toBe('0');
      expect(c.display.accelerate3d?.value).toBe(true);
      expect(c.display.accelerate2dVideo?.value).toBe(true);
      expect(c.display.graphicsController?.value).toBe('vboxvga');
      expect(c.display.vramMB?.value).toBe(128);
      expect(c.system.cpuProfile?.value).toBe('host');
      expect(c.system.nestedHwVirt?.value).toBe(false);
    },
  },
  'vbox612-macos-host-windows2019-box-poweroff-ide-vrde-on-capture-keys-from-vagrant-log.txt': {
    name: 'WindowsServer2019_1581551572524_39748',
    uuid: 'c8775131-d296-4ad5-bf03-84ff719e6e4c',
    state: 'poweroff',
    memoryMB: 2048,
    cpus: 2,
    osType: 'Windows 2016 (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'nat', 'nat', '82540EM', '080027AABB01', true, []]],
    storage: [
      [
        'IDE Controller',
        'PIIX4',
        4,
        [
          [
            0,
            0,
            'hdd',
            '/Users/test/VirtualBox VMs/WindowsServer2019_1581551572524_39748/WindowsServer2019-disk001.vmdk',
          ],
        ],
      ],
    ],
    shared: [],
    snapshots: [],
    trait: (c) => {
      expect(c.display.vrdeEnabled?.value).toBe(true);
      expect(c.display.vrdePorts?.value).toBe('5973');
      expect(c.system.effectiveParavirtProvider?.value).toBe('none');
      expect(unknown(c, 'captureopts')).toBe('');
      expect(c.display.recordingEnabled).toEqual({ value: false, key: 'videocap', raw: 'off' });
    },
  },
  'vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt': {
    name: 'Issabel',
    uuid: '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127',
    state: 'poweroff',
    memoryMB: 2048,
    cpus: 2,
    osType: 'Other Linux (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'bridged', 'enp1s0', '82540EM', '080027AABB01', true, []]],
    storage: [
      [
        'IDE',
        'PIIX4',
        4,
        [
          [0, 0, 'hdd', '/homeFS/1.IT/VM/Issabel/Issabel.vhd'],
          [1, 0, 'empty', 'emptydrive'],
        ],
      ],
    ],
    shared: [],
    snapshots: [],
    trait: (c) => {
      const [disk, , drive] = c.storage[0].attachments;
      expect(drive.isEjected).toEqual({ value: false, key: 'IDE-IsEjected', raw: 'off' });
      expect(disk.isEjected).toBeUndefined();
      expect(c.display.graphicsController?.value).toBe('vmsvga');
      expect(c.system.bootOrder[0]).toEqual({ value: 'dvd', key: 'boot1', raw: 'dvd' });
      expect(c.general.cfgFile?.value).toBe('/homeFS/1.IT/VM/Issabel/Issabel.vbox');
    },
  },
  'vbox6132-ubuntu-host-win2016srv-sata-only-bridged-snapshot-clear.txt': {
    name: 'Win2016SRV',
    uuid: 'cc6f308c-ca75-4060-b9b7-90c0e0882377',
    state: 'poweroff',
    memoryMB: 4096,
    cpus: 2,
    osType: 'Windows 2016 (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [[1, 'bridged', 'enp1s0', '82540EM', '080027AABB01', true, []]],
    storage: [
      [
        'SATA',
        'IntelAhci',
        3,
        [
          [0, 0, 'hdd', '/homeFS/1.IT/VM/Win2016SRV/Snapshots/{344f8fd8-cfd3-4e0d-9046-a39ff4ea07c3}.vhd'],
          [1, 0, 'empty', 'emptydrive'],
          [2, 0, 'hdd', '/homeFS/1.IT/VM/Win2016SRV/Win2016SRV_1.vhd'],
        ],
      ],
    ],
    shared: [],
    snapshots: ['Clear'],
    trait: (c) => {
      expect(c.storage[0].attachments[1].isEjected?.key).toBe('SATA-IsEjected');
      expect(c.storage[0].attachments[2].isEjected).toBeUndefined();
      expect(c.storage[0].attachments[2].imageUuid?.value).toBe('2bbce716-f24d-45d8-83d6-3e1a09751906');
      expect(c.snapshots[0]).toMatchObject({ uuid: 'f478c629-629c-48f5-bde7-82e85af13694', current: true });
      expect(c.display.graphicsController?.value).toBe('vboxsvga');
      expect(c.system.effectiveParavirtProvider?.value).toBe('hyperv');
      expect(c.system.pae?.value).toBe(false);
    },
  },
  'vbox70-encryption-line-nat-forwarding-empty-guestip-hostonly-windows-adapter-name-vrde-on.txt': {
    name: 'xtec-1',
    uuid: '02fd76af-2bae-4c98-add1-4d802a2f77fa',
    state: 'poweroff',
    memoryMB: 6144,
    cpus: 4,
    osType: 'Ubuntu (64-bit)',
    firmware: 'BIOS',
    chipset: 'piix3',
    nicSlots: 8,
    nics: [
      [1, 'nat', 'nat', '82540EM', '080027AABB01', true, ['ssh|tcp|127.0.0.1|2201||22']],
      [2, 'hostonly', 'VirtualBox Host-Only Ethernet Adapter', '82540EM', '080027AABB02', true, []],
    ],
    storage: [['IDE Controller', 'PIIX4', 4, [[0, 0, 'hdd', '/home/user/.xtec/xtec-1/xtec-disk001.vmdk']]]],
    shared: [],
    snapshots: [],
    trait: (c, text) => {
      expect(c.issues).toHaveLength(1);
      expect(c.issues[0].line).toBe(2);
      expect(c.issues[0].message).toContain('Encryption:     disabled');
      expect(unknown(c, 'BIOS NVRAM File')).toBe('/home/user/.xtec/xtec-1/xtec-1.nvram');
      const entries = parseShowVmInfo(text).entries;
      const marker = entries.findIndex((e) => e.key === 'rec_screen0');
      expect(entries[marker]).toEqual({ key: 'rec_screen0', value: '', line: 126, quoted: false });
      expect(entries[marker + 1].key).toBe('rec_screen_enabled');
      expect(unknown(c, 'rec_screen_opts')).toBe('vc_enabled=true,ac_enabled=true,ac_profile=med');
      const disk = c.storage[0].attachments[0];
      expect(disk.nonRotational).toEqual({
        value: false,
        key: 'IDE Controller-nonrotational-0-0',
        raw: 'off',
      });
      expect(disk.discard).toEqual({ value: false, key: 'IDE Controller-discard-0-0', raw: 'off' });
      expect(c.display.recordingEnabled).toEqual({ value: false, key: 'recording_enabled', raw: 'off' });
      expect(c.display.vrdePorts?.value).toBe('5983');
      expect(unknown(c, 'vrdeaddress')).toBe('0.0.0.0');
      expect(c.system.effectiveParavirtProvider?.value).toBe('kvm');
      expect(unknown(c, 'iommu')).toBe('none');
    },
  },
  'vbox70-fragment-nic-hostonlynetwork-forwarding.txt': {
    name: '',
    uuid: '',
    state: '',
    memoryMB: Number.NaN,
    cpus: Number.NaN,
    osType: '',
    firmware: undefined,
    chipset: undefined,
    nicSlots: 8,
    nics: [
      [1, 'nat', 'nat', '82540EM', '080027AABB01', true, [FW_SSH]],
      [2, 'hostonlynetwork', 'vagrantnet-vbox1', '82540EM', '080027AABB02', true, []],
    ],
    storage: [],
    shared: [],
    snapshots: [],
    trait: (c) => {
      expect(c.id).toBe('');
      expect(c.issues.map((i) => i.message)).toEqual([
        'no UUID line: this dump does not identify its VM (id left empty)',
      ]);
      expect(c.network[1].attachmentName).toEqual({
        value: 'vagrantnet-vbox1',
        key: 'hostonly-network2',
        raw: 'vagrantnet-vbox1',
      });
      expect(c.unknownKeys).toEqual([]);
      expect(() =>
        showVmInfoToConfig(read('vbox70-fragment-nic-hostonlynetwork-forwarding.txt'), 'vboxmanage'),
      ).toThrow(/no UUID/);
    },
  },
};

describe('showVmInfoToConfig — every real showvminfo fixture', () => {
  it('covers all 23 fixtures', () => {
    const files = readdirSync(DIR).sort();
    expect(files).toHaveLength(23);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  for (const [file, x] of Object.entries(EXPECTED)) {
    describe(file, () => {
      const text = read(file);
      const c = showVmInfoToConfig(text, 'file');

      it('identity, state and system basics', () => {
        expect(c.id).toBe(x.uuid);
        expect(c.hypervisor).toBe('virtualbox');
        expect(c.source).toBe('file');
        expect(c.general.name?.value ?? '').toBe(x.name);
        expect(c.state?.value ?? '').toBe(x.state);
        expect(c.general.osType?.value ?? '').toBe(x.osType);
        expect(c.system.memoryMB?.value ?? Number.NaN).toBe(x.memoryMB);
        expect(c.system.cpus?.value ?? Number.NaN).toBe(x.cpus);
        expect(c.system.firmware?.value).toBe(x.firmware);
        expect(c.system.chipset?.value).toBe(x.chipset);
        if (x.name) expect(c.general.name).toEqual({ value: x.name, key: 'name', raw: x.name });
        if (x.memoryMB)
          expect(c.system.memoryMB).toEqual({ value: x.memoryMB, key: 'memory', raw: String(x.memoryMB) });
      });

      it('network adapters and port forwarding', () => {
        expect(c.network).toHaveLength(x.nicSlots);
        expect(c.network.map((n) => n.slot)).toEqual(Array.from({ length: x.nicSlots }, (_, i) => i + 1));
        const enabled = c.network.filter((n) => n.attachment.value !== 'none');
        expect(
          enabled.map((n): Nic => [
            n.slot,
            n.attachment.value,
            n.attachmentName?.value,
            n.adapterType?.value,
            n.macAddress?.value ?? '',
            n.cableConnected?.value ?? false,
            n.portForwards.map((p) =>
              [p.name, p.protocol, p.hostIp, p.hostPort, p.guestIp, p.guestPort].join('|'),
            ),
          ]),
        ).toEqual(x.nics);
        for (const n of enabled) {
          expect(n.attachment.key).toBe(`nic${n.slot}`);
          expect(n.macAddress?.key).toBe(`macaddress${n.slot}`);
          if (n.attachment.value === 'nat') {
            expect(n.natSettings?.mtu?.value).toBe('0');
            expect(Object.keys(n.natSettings ?? {})).toEqual([
              'mtu',
              'sockSnd',
              'sockRcv',
              'tcpWndSnd',
              'tcpWndRcv',
            ]);
          } else {
            expect(n.natSettings).toBeUndefined();
            expect(n.portForwards).toEqual([]);
          }
        }
      });

      it('storage controllers and attachments', () => {
        expect(
          c.storage.map((s): Ctl => [
            s.name.value,
            s.type?.value ?? '',
            s.attachments.length,
            s.attachments
              .filter((a) => a.kind !== 'none')
              .map((a): [number, number, string, string] => [a.port, a.device, a.kind, a.medium.value]),
          ]),
        ).toEqual(x.storage);
        c.storage.forEach((s, i) => {
          expect(s.index).toBe(i);
          expect(s.name.key).toBe(`storagecontrollername${i}`);
          for (const a of s.attachments) {
            expect(a.medium.key).toBe(`${s.name.value}-${a.port}-${a.device}`);
            if (a.kind === 'hdd') expect(a.imageUuid?.value).toMatch(/^[0-9a-f-]{36}$/);
          }
        });
      });

      it('shared folders and snapshots', () => {
        expect(c.sharedFolders.map((f) => [f.name.value, f.hostPath.value])).toEqual(x.shared);
        expect(c.sharedFolders.every((f) => !f.transient)).toBe(true);
        const names: string[] = [];
        const walk = (nodes: VmConfig['snapshots']): void =>
          nodes.forEach((n) => {
            names.push(n.name);
            walk(n.children);
          });
        walk(c.snapshots);
        expect(names).toEqual(x.snapshots);
      });

      it('special trait', () => {
        x.trait(c, text);
      });

      it('issue messages never repeat their line number (the line field carries it)', () => {
        for (const i of c.issues) expect(i.message).not.toMatch(/^line \d+/);
      });

      it('a complete dump is not flagged as truncated (missing final newline included)', () => {
        expect(c.issues.filter((i) => i.message.startsWith(TRUNCATED_MESSAGE))).toEqual([]);
      });

      it('is lossless: every parsed entry is mapped or kept as unknown key', () => {
        const parsed = parseShowVmInfo(text);
        expect(c.unknownKeys.length).toBeLessThan(parsed.entries.length);
        for (const u of c.unknownKeys) {
          expect(
            parsed.entries.some((e) => e.key === u.key && e.value === u.value && e.line === u.line),
          ).toBe(true);
        }
      });

      it('summary', () => {
        const s = summaryFromConfig(c);
        expect(s).toMatchObject({
          id: x.uuid,
          name: x.name,
          hypervisor: 'virtualbox',
          source: 'file',
          findings: 0,
        });
        expect(s.accessible).toBe(true);
        expect(s.state).toBe(x.state || undefined);
        expect(s.memoryMB).toBe(Number.isNaN(x.memoryMB) ? undefined : x.memoryMB);
        expect(s.cpus).toBe(Number.isNaN(x.cpus) ? undefined : x.cpus);
        expect(s.osType).toBe(x.osType || undefined);
      });
    });
  }
});

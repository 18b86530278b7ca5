/**
 * `vm-companion inspect --file <fixture> --json`, run as a child process (the real bin script on
 * the Node running vitest) for EVERY recorded showvminfo dump in tests/fixtures/showvminfo.
 * Expected values were read from the fixture files themselves (UUID, name, ostype, memory, cpus,
 * firmware, chipset, VMState, nicN/nictypeN/macaddressN/cableconnectedN/Forwarding(i), storage
 * controller names/types and every slot whose medium is not `none`).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'bin', 'vm-companion.mjs');
const DIR = path.join(root, 'tests', 'fixtures', 'showvminfo');

/** uuid, name, state, osType, memoryMB, cpus, firmware, chipset */
type Head = [
  string | null,
  string | null,
  string | null,
  string | null,
  number | null,
  number | null,
  string | null,
  string | null,
];
/** slot, attachment, adapterType, mac, cableConnected, forwards as "name,proto,hostIp,hostPort,guestIp,guestPort" */
type Nic = [number, string, string | null, string, boolean, string[]];
/** controller name, type, attachments as "port:device=medium" */
type Ctl = [string, string, string[]];
interface Expected {
  head: Head;
  nics: Nic[];
  ctls: Ctl[];
}

const SSH = 'ssh,tcp,127.0.0.1,2222,,22';
const natHostonly = (fwd: string[]): Nic[] => [
  [1, 'nat', '82540EM', '080027AABB01', true, fwd],
  [2, 'hostonly', '82540EM', '080027AABB02', true, []],
];

const EXPECTED: Record<string, Expected> = {
  'vbox312-macos-banner-null-values-floppy-bridged-airport.txt': {
    head: ['8710d3db-d96a-46ed-9004-59fa891fda90', 'foo', 'poweroff', 'Ubuntu', 360, 1, null, null],
    nics: [[1, 'bridged', null, '080027AABB01', true, []]],
    ctls: [
      [
        'IDE Controller',
        'PIIX4',
        ['0:0=/Users/user/Library/VirtualBox/HardDisks/HoboBase.vmdk', '1:0=emptydrive'],
      ],
      ['Floppy Controller', 'I82078', ['0:0=emptydrive']],
    ],
  },
  'vbox5040-ubuntu-host-poweroff-emptydrive-IsEjected-no-suffix-usb-on.txt': {
    head: [
      '60390da3-a196-41f4-8e18-d669ff63c247',
      'real-time-forms_default_1506940511446_6707',
      'poweroff',
      'Ubuntu (64-bit)',
      512,
      4,
      'BIOS',
      'piix3',
    ],
    nics: natHostonly([SSH, 'tcp8080,tcp,,8080,,80']),
    ctls: [
      ['IDE', 'PIIX4', ['0:0=emptydrive']],
      [
        'SATA',
        'IntelAhci',
        ['0:0=/home/user/VirtualBox VMs/real-time-forms_default_1506940511446_6707/box-disk001.vmdk'],
      ],
    ],
  },
  'vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt': {
    head: [
      '60390da3-a196-41f4-8e18-d669ff63c247',
      'real-time-forms_default_1506940511446_6707',
      'running',
      'Ubuntu (64-bit)',
      512,
      4,
      'BIOS',
      'piix3',
    ],
    nics: natHostonly([SSH, 'tcp8080,tcp,,8080,,80']),
    ctls: [
      ['IDE', 'PIIX4', ['0:0=emptydrive']],
      [
        'SATA',
        'IntelAhci',
        ['0:0=/home/user/VirtualBox VMs/real-time-forms_default_1506940511446_6707/box-disk001.vmdk'],
      ],
    ],
  },
  'vbox5122-macos-host-running-packer-centos-box-guest-additions-5.0.8.txt': {
    head: [
      'a1e9a7e8-5ac8-49fe-966c-f35fb666ba7d',
      'vagrant_default_1503409825713_63868',
      'running',
      'Red Hat (64-bit)',
      2048,
      1,
      'BIOS',
      'piix3',
    ],
    nics: natHostonly([SSH]),
    ctls: [
      [
        'IDE Controller',
        'PIIX4',
        [
          '0:0=/Users/user/VirtualBox VMs/vagrant_default_1503409825713_63868/packer-CentOS-6.7-x86_64-v20151108-1447009321-disk1.vmdk',
        ],
      ],
    ],
  },
  'vbox5126-windows-host-CRLF-homestead-poweroff-5-forwards-2-shared-folders.txt': {
    head: [
      '9155aa93-6360-4d1e-8cd9-20c32ecacf6d',
      'homestead-7',
      'poweroff',
      'Ubuntu (64-bit)',
      2048,
      2,
      'BIOS',
      'piix3',
    ],
    nics: natHostonly([
      SSH,
      'tcp33060,tcp,,33060,,3306',
      'tcp44300,tcp,,44300,,443',
      'tcp54320,tcp,,54320,,5432',
      'tcp8000,tcp,,8000,,80',
    ]),
    ctls: [
      ['IDE Controller', 'PIIX4', []],
      ['SATA Controller', 'IntelAhci', ['0:0=C:\\Users\\user\\VirtualBox VMs\\homestead-7\\box-disk1.vmdk']],
    ],
  },
  'vbox514-windows-host-CRLF-sata-only-poweroff.txt': {
    head: [
      '9ceb5ca5-4f40-49e2-abfe-1a9fa9b05e7d',
      'learn-rails_default_1473271510806_71611',
      'poweroff',
      'Ubuntu (64-bit)',
      512,
      1,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, ['guestssh,tcp,,2222,,22']]],
    ctls: [
      [
        'SATAController',
        'IntelAhci',
        ['0:0=C:\\Users\\user\\VirtualBox VMs\\learn-rails_default_1473271510806_71611\\box-disk1.vmdk'],
      ],
    ],
  },
  'vbox516-linux-host-lsilogic-scsi-controller-poweroff.txt': {
    head: [
      'fa400fae-c08e-472e-b9a6-5509e3e12b7e',
      'wordpress_default_1475437342268_2146',
      'poweroff',
      'Linux 2.6 / 3.x / 4.x (64-bit)',
      1024,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [
      [1, 'nat', '82540EM', '02A03DAABB01', true, [SSH]],
      [2, 'hostonly', '82540EM', '080027AABB02', true, []],
    ],
    ctls: [
      ['IDE', 'PIIX4', []],
      [
        'SCSI',
        'LsiLogic',
        [
          '0:0=/home/user/VirtualBox VMs/wordpress_default_1475437342268_2146/ubuntu-xenial-16.04-cloudimg.vmdk',
          '1:0=/home/user/VirtualBox VMs/wordpress_default_1475437342268_2146/ubuntu-xenial-16.04-cloudimg-configdrive.vmdk',
        ],
      ],
    ],
  },
  'vbox516-linux-host-xenial-base-vm-bridged-wireless-wlp2s0-scsi-configdrive.txt': {
    head: [
      'f806551c-98ef-41c4-bc1e-1deb968f6e9c',
      'ubuntu-xenial-16.04-cloudimg-20160930_1475530658842_73711',
      'poweroff',
      'Linux 2.6 / 3.x / 4.x (64-bit)',
      1024,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'bridged', '82540EM', '080027AABB01', true, []]],
    ctls: [
      ['IDE', 'PIIX4', []],
      [
        'SCSI',
        'LsiLogic',
        [
          '0:0=/home/user/VirtualBox VMs/ubuntu-xenial-16.04-cloudimg-20160930_1475530658842_73711/ubuntu-xenial-16.04-cloudimg.vmdk',
          '1:0=/home/user/VirtualBox VMs/ubuntu-xenial-16.04-cloudimg-20160930_1475530658842_73711/ubuntu-xenial-16.04-cloudimg-configdrive.vmdk',
        ],
      ],
    ],
  },
  'vbox52-macos-host-multiple-groups-comma-sata1-30-ports-leading-blank-line.txt': {
    head: [
      '6aa44e71-71c6-4e68-a61f-f69e133ecffa',
      'testvm1',
      'poweroff',
      'Other Linux (32-bit)',
      128,
      1,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', 'Am79C973', '080027AABB01', true, []]],
    ctls: [['SATA1', 'IntelAhci', ['0:0=/Users/user/VirtualBox VMs/tess/testvm1/disk1.vdi']]],
  },
  'vbox52-windows-host-sailfish-name-spaces-5-shared-folders-mixed-slashes-intnet-virtio-from-csharp.txt': {
    head: [
      '5bc88aa7-3372-4122-9d67-52b62310fdc4',
      'Sailfish OS Build Engine',
      'poweroff',
      'Linux 2.6 / 3.x / 4.x (32-bit)',
      8192,
      6,
      'BIOS',
      'piix3',
    ],
    nics: [
      [
        1,
        'nat',
        'virtio',
        '080027AABB01',
        true,
        ['guestssh,tcp,127.0.0.1,2222,,22', 'guestwww,tcp,127.0.0.1,8080,,9292'],
      ],
      [2, 'intnet', 'virtio', '08005AAABB02', true, []],
    ],
    ctls: [['SATA', 'IntelAhci', ['1:0=C:\\SailfishOS\\mersdk\\mer.vdi']]],
  },
  'vbox5212-macos-host-running-alpine-no-guest-additions.txt': {
    head: [
      'ef90cf0f-349b-4539-b97f-b4a6caad3397',
      'alpine_python2_base_default_1534882594143_11004',
      'running',
      'Other Linux (64-bit)',
      2048,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, [SSH]]],
    ctls: [
      [
        'IDE Controller',
        'PIIX4',
        [
          '0:0=/Users/user/VirtualBox VMs/alpine_python2_base_default_1534882594143_11004/generic-alpine38-virtualbox-disk001.vmdk',
        ],
      ],
    ],
  },
  'vbox5x-macos-host-saved-no-trailing-newline.txt': {
    head: [
      '37f5d336-bf07-48dd-947c-37e6a56420a7',
      'go-virtualbox',
      'saved',
      'Ubuntu (64-bit)',
      1024,
      1,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, [SSH]]],
    ctls: [
      ['IDE Controller', 'PIIX4', []],
      [
        'SATA Controller',
        'IntelAhci',
        ['0:0=/Users/user/VirtualBox VMs/go-virtualbox/ubuntu-16.04-amd64-disk001.vmdk'],
      ],
    ],
  },
  'vbox5x-macos-host-saved-state-ide-sata.txt': {
    head: [
      '37f5d336-bf07-48dd-947c-37e6a56420a7',
      'go-virtualbox',
      'saved',
      'Ubuntu (64-bit)',
      1024,
      1,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, [SSH]]],
    ctls: [
      ['IDE Controller', 'PIIX4', []],
      [
        'SATA Controller',
        'IntelAhci',
        ['0:0=/Users/user/VirtualBox VMs/go-virtualbox/ubuntu-16.04-amd64-disk001.vmdk'],
      ],
    ],
  },
  'vbox5x-running-multiline-description-usbfilters-from-vagrant-log.txt': {
    head: [
      '7a6fec6f-ace1-4d51-95ea-f3b20eacc5c7',
      'batman_default_1550612196654_90183',
      'running',
      'Red Hat (64-bit)',
      4096,
      4,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, [SSH]]],
    ctls: [
      ['SATA', 'IntelAhci', ['0:0=/root/VirtualBox VMs/batman_default_1550612196654_90183/box-disk001.vmdk']],
      ['IDE', 'PIIX4', ['1:0=emptydrive']],
    ],
  },
  'vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt': {
    head: [
      '8c722e19-bd30-4eb3-b36a-95fc4e20c072',
      'SERVER1919C v114',
      'poweroff',
      'Debian (32-bit)',
      11827,
      7,
      'EFI',
      'piix3',
    ],
    nics: [[1, 'bridged', 'virtio', '080027AABB01', true, []]],
    ctls: [
      ['SATA Controller', 'IntelAhci', ['0:0=/opt/user/VirtualBox_VMs/SERVER1919C v114/box-disk001.vmdk']],
    ],
  },
  'vbox60-linux-host-vrde-snapshot-differencing-disk.txt': {
    head: [
      '6294f16b-4f05-4430-afb9-773bdb237aec',
      'ubuntu-18.04-amd64_1549746024485_35372',
      'poweroff',
      'Ubuntu (64-bit)',
      1024,
      1,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, []]],
    ctls: [
      ['IDE Controller', 'PIIX4', []],
      [
        'SATA Controller',
        'IntelAhci',
        [
          '0:0=/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/Snapshots/{1c182745-4b09-41a1-a147-d3ced46f72f6}.vmdk',
        ],
      ],
    ],
  },
  'vbox60-windows-host-bridged-wifi-mixed-backslash-escaping.txt': {
    head: [
      '7e261a39-d356-4eb1-a8ed-75675b149241',
      'Xubuntu 22.04',
      'running',
      'Ubuntu (64-bit)',
      4096,
      1,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'bridged', '82540EM', '080027AABB01', true, []]],
    ctls: [
      ['IDE', 'PIIX4', ['1:0=C:\\Program Files\\Oracle\\VirtualBox\\VBoxGuestAdditions.iso']],
      ['SATA', 'IntelAhci', ['0:0=C:\\Virtual Machines\\xubuntu22.04-3.vdi']],
    ],
  },
  'vbox612-macos-host-running-4-forwarding-rules-VRDEClients-double-equals-GUI-Qt-session.txt': {
    head: [
      'c8775131-d296-4ad5-bf03-84ff719e6e4c',
      'vagrantbug_default_1581551652753_65338',
      'running',
      'Windows 2016 (64-bit)',
      2048,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [
      [
        1,
        'nat',
        '82540EM',
        '080027AABB01',
        true,
        [
          'rdp,tcp,,3389,,3389',
          SSH,
          'winrm,tcp,127.0.0.1,55985,,5985',
          'winrm-ssl,tcp,127.0.0.1,55986,,5986',
        ],
      ],
    ],
    ctls: [
      [
        'IDE Controller',
        'PIIX4',
        [
          '0:0=/Users/test/VirtualBox VMs/vagrantbug_default_1581551652753_65338/WindowsServer2019-disk001.vmdk',
        ],
      ],
    ],
  },
  'vbox612-macos-host-windows2019-box-poweroff-ide-vrde-on-capture-keys-from-vagrant-log.txt': {
    head: [
      'c8775131-d296-4ad5-bf03-84ff719e6e4c',
      'WindowsServer2019_1581551572524_39748',
      'poweroff',
      'Windows 2016 (64-bit)',
      2048,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'nat', '82540EM', '080027AABB01', true, []]],
    ctls: [
      [
        'IDE Controller',
        'PIIX4',
        [
          '0:0=/Users/test/VirtualBox VMs/WindowsServer2019_1581551572524_39748/WindowsServer2019-disk001.vmdk',
        ],
      ],
    ],
  },
  'vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt': {
    head: [
      '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127',
      'Issabel',
      'poweroff',
      'Other Linux (64-bit)',
      2048,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'bridged', '82540EM', '080027AABB01', true, []]],
    ctls: [['IDE', 'PIIX4', ['0:0=/homeFS/1.IT/VM/Issabel/Issabel.vhd', '1:0=emptydrive']]],
  },
  'vbox6132-ubuntu-host-win2016srv-sata-only-bridged-snapshot-clear.txt': {
    head: [
      'cc6f308c-ca75-4060-b9b7-90c0e0882377',
      'Win2016SRV',
      'poweroff',
      'Windows 2016 (64-bit)',
      4096,
      2,
      'BIOS',
      'piix3',
    ],
    nics: [[1, 'bridged', '82540EM', '080027AABB01', true, []]],
    ctls: [
      [
        'SATA',
        'IntelAhci',
        [
          '0:0=/homeFS/1.IT/VM/Win2016SRV/Snapshots/{344f8fd8-cfd3-4e0d-9046-a39ff4ea07c3}.vhd',
          '1:0=emptydrive',
          '2:0=/homeFS/1.IT/VM/Win2016SRV/Win2016SRV_1.vhd',
        ],
      ],
    ],
  },
  'vbox70-encryption-line-nat-forwarding-empty-guestip-hostonly-windows-adapter-name-vrde-on.txt': {
    head: [
      '02fd76af-2bae-4c98-add1-4d802a2f77fa',
      'xtec-1',
      'poweroff',
      'Ubuntu (64-bit)',
      6144,
      4,
      'BIOS',
      'piix3',
    ],
    nics: natHostonly(['ssh,tcp,127.0.0.1,2201,,22']),
    ctls: [['IDE Controller', 'PIIX4', ['0:0=/home/user/.xtec/xtec-1/xtec-disk001.vmdk']]],
  },
  // A fragment (network lines only): no UUID, name or hardware keys, so those are null.
  'vbox70-fragment-nic-hostonlynetwork-forwarding.txt': {
    head: [null, null, null, null, null, null, null, null],
    nics: [
      [1, 'nat', '82540EM', '080027AABB01', true, [SSH]],
      [2, 'hostonlynetwork', '82540EM', '080027AABB02', true, []],
    ],
    ctls: [],
  },
};

/** Number of read warnings each dump gives (banner lines of 3.1.2, the 7.0 `Encryption:` line, the fragment's missing UUID). */
function expectedWarnings(file: string): number {
  if (file.startsWith('vbox312-')) return 3;
  if (file.startsWith('vbox70-')) return 1;
  return 0;
}

const KEYS = [
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
];
const files = fs
  .readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();
const results = new Map<string, { stdout: string; stderr: string }>();

beforeAll(async () => {
  // Two children at a time (the build machine has two cores).
  const queue = [...files];
  const worker = async (): Promise<void> => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) {
      const r = await run(process.execPath, [BIN, 'inspect', '--file', path.join(DIR, f), '--json'], {
        cwd: root,
      });
      results.set(f, r);
    }
  };
  await Promise.all([worker(), worker()]);
}, 120_000);

describe('inspect --file <fixture> --json', () => {
  it('has an expectation for every fixture file, and every expectation has its file', () => {
    expect(files.length).toBe(23);
    expect(Object.keys(EXPECTED).sort()).toEqual(files);
  });

  it.each(files)('%s', (file) => {
    const { stdout, stderr } = results.get(file)!;
    const exp = EXPECTED[file];
    // Read issues (skipped banner lines, a missing UUID line) are reported as warnings on stderr.
    const warnings = stderr.split('\n').filter((l) => l !== '');
    for (const w of warnings)
      expect(w.startsWith(`vm-companion: warning: ${path.join(DIR, file)}: `)).toBe(true);
    expect(warnings.length).toBe(expectedWarnings(file));
    const doc = JSON.parse(stdout) as { vms: Record<string, unknown>[] };
    expect(Object.keys(doc)).toEqual(['vms']);
    expect(doc.vms).toHaveLength(1);
    const vm = doc.vms[0] as {
      network: {
        slot: number;
        attachment: string;
        adapterType: string | null;
        mac: string | null;
        cableConnected: boolean | null;
        portForwards: Record<string, unknown>[];
      }[];
      storage: {
        name: string;
        type: string | null;
        attachments: { port: number; device: number; medium: string }[];
      }[];
    } & Record<string, unknown>;
    expect(Object.keys(vm)).toEqual(KEYS);
    // Findings depend on the host running the test; their shape does not.
    for (const f of vm.findings as Record<string, unknown>[]) {
      expect(Object.keys(f)).toEqual(['id', 'severity', 'settingId', 'title', 'reason', 'fix']);
      expect(['error', 'warning', 'info']).toContain(f.severity);
    }
    expect([vm.uuid, vm.name, vm.state, vm.osType, vm.memoryMB, vm.cpus, vm.firmware, vm.chipset]).toEqual(
      exp.head,
    );
    expect(
      vm.network.map((n) => {
        for (const f of n.portForwards)
          expect(Object.keys(f)).toEqual(['name', 'protocol', 'hostIp', 'hostPort', 'guestIp', 'guestPort']);
        return [
          n.slot,
          n.attachment,
          n.adapterType,
          n.mac,
          n.cableConnected,
          n.portForwards.map((f) =>
            [f.name, f.protocol, f.hostIp, f.hostPort, f.guestIp, f.guestPort].join(','),
          ),
        ];
      }),
    ).toEqual(exp.nics);
    for (const n of vm.network) {
      expect(Object.keys(n)).toEqual([
        'slot',
        'attachment',
        'adapterType',
        'mac',
        'cableConnected',
        'portForwards',
      ]);
      for (const f of n.portForwards) {
        expect(typeof f.hostPort).toBe('number');
        expect(typeof f.guestPort).toBe('number');
      }
    }
    expect(
      vm.storage.map((c) => [c.name, c.type, c.attachments.map((a) => `${a.port}:${a.device}=${a.medium}`)]),
    ).toEqual(exp.ctls);
  });
});

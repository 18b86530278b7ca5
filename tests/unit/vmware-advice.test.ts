import { readFileSync, readdirSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import type { HostFacts } from '../../app/shared/model.ts';
import { getVmwareEntry } from '../../app/shared/vmware-catalog-data.ts';
import { VMWARE_CONTROL_IDS } from '../../app/shared/vmware-ids.ts';
import {
  VMWARE_ADVICE_RULES,
  evaluateVmwareAdvice,
  readVmx,
  type VmwareAdviceContext,
  type VmwareFinding,
} from '../../app/core/vmware/index.ts';

const HOST: HostFacts = { cores: 8, threads: 16, memoryMB: 16384, os: 'Linux 6.1', fromHostInfo: false };
const fired = new Set<string>();

/** Findings for a `.vmx` text (lines joined with LF) on HOST/linux unless overridden. */
function advise(lines: string[], ctx: Partial<VmwareAdviceContext> = {}): VmwareFinding[] {
  const r = readVmx(lines.join('\n'), { path: '/vms/t/t.vmx', platform: 'linux' });
  const findings = evaluateVmwareAdvice(r.config, {
    host: HOST,
    hostOs: 'linux',
    duplicates: r.parsed.duplicates,
    ...ctx,
  });
  for (const f of findings) fired.add(f.id);
  return findings;
}
const ids = (fs: VmwareFinding[]) => fs.map((f) => f.id);
const one = (fs: VmwareFinding[], id: string) => {
  const hits = fs.filter((f) => f.id === id);
  expect(hits, id).toHaveLength(1);
  return hits[0];
};

describe('rules table', () => {
  it('ids are unique and every setting is a VMware control with a catalog entry', () => {
    const list = VMWARE_ADVICE_RULES.map((r) => r.id);
    expect(new Set(list).size).toBe(list.length);
    expect(list.length).toBe(20);
    for (const r of VMWARE_ADVICE_RULES) {
      expect(VMWARE_CONTROL_IDS as readonly string[]).toContain(r.settingId);
      expect(getVmwareEntry(r.settingId)).toBeDefined();
      expect(r.id.startsWith('vmware.')).toBe(true);
      expect(r.ref).toMatch(/^vmware-vmx\.md §/);
    }
  });
});

describe('VMware rules', () => {
  it('T19/T20: a duplicated key is an error on the control of that key', () => {
    const f = advise(['displayname = "imported-vm"', 'memsize = "512"', 'displayName = "dev-vm"']);
    const d = one(f, 'vmware.vmx.duplicate-key');
    expect(d).toMatchObject({ severity: 'error', source: 'vmware', settingId: 'vmware.options.name' });
    expect(d.reason.en).toContain('Lines 1, 3 all set displayName');
    expect(d.reason['zh-CN']).toContain('第 1, 3 行');
    const nic = advise([
      'ethernet1.present = "TRUE"',
      'ethernet1.virtualDev = "e1000"',
      'Ethernet1.VirtualDev = "vmxnet3"',
    ]);
    expect(one(nic, 'vmware.vmx.duplicate-key').settingId).toBe('vmware.network.adapterType#ethernet1');
    // a key no control shows falls back to the rule's own control
    expect(
      one(advise(['msg.autoanswer = "true"', 'msg.autoAnswer = "true"']), 'vmware.vmx.duplicate-key')
        .settingId,
    ).toBe('vmware.options.name');
  });

  it('memory not a multiple of 4', () => {
    const f = one(advise(['memSize = "510"']), 'vmware.memory.not-multiple-of-4');
    expect(f.severity).toBe('error');
    expect(f.fix?.command).toBe('memSize = "508"');
    expect(f.numbers).toEqual({ memoryMB: 510, suggestedMB: 508 });
  });

  it('memory vs host: above the host RAM, above 70 %, with other running VMs', () => {
    const over = advise(['memsize = "20480"']);
    expect(ids(over)).toEqual(['vmware.memory.over-host']);
    expect(over[0].fix?.command).toBe('memsize = "8192"');
    const share = one(advise(['memsize = "12288"']), 'vmware.memory.host-share');
    expect(share.numbers).toMatchObject({ percent: 75, totalMB: 12288, othersMB: 0 });
    expect(share.fix?.command).toBe('memsize = "11468"');
    expect(ids(advise(['memsize = "8192"']))).toEqual([]);
    const together = one(
      advise(['memsize = "8192"', 'uuid.bios = "56 4d 00 00 00 00 00 09-00 00 00 00 00 00 00 09"'], {
        runningVms: [
          { id: 'other', memoryMB: 4096 },
          { id: '564d0000-0000-0009-0000-000000000009', memoryMB: 8192 },
        ],
      }),
      'vmware.memory.host-share',
    );
    expect(together.numbers).toMatchObject({ memoryMB: 8192, othersMB: 4096, totalMB: 12288 });
    expect(together.reason.en).toContain('4096 MB of other running VMs');
  });

  it('vCPUs vs host processors', () => {
    const over = one(advise(['numvcpus = "20"']), 'vmware.processors.over-host');
    expect(over.severity).toBe('warning');
    expect(over.fix?.command).toBe('numvcpus = "7"');
    expect(ids(advise(['numvcpus = "8"']))).toEqual(['vmware.processors.all-cores']);
    expect(ids(advise(['numvcpus = "4"']))).toEqual([]);
  });

  it('cores per processor must divide the vCPUs', () => {
    const f = advise(['numvcpus = "6"', 'cpuid.coresPerSocket = "4"']);
    expect(one(f, 'vmware.processors.cores-split').fix?.command).toBe('cpuid.coresPerSocket = "1"');
  });

  it('virtualized VT-x without host support, and on Windows hosts (Hyper-V)', () => {
    const noHw = advise(['vhv.enable = "TRUE"'], { host: { ...HOST, supportsHwVirt: false } });
    expect(ids(noHw)).toEqual(['vmware.processors.vtx-no-host-support']);
    expect(noHw[0].fix?.command).toBe('vhv.enable = "FALSE"');
    const noEpt = advise(['vhv.enable = "TRUE"'], {
      host: { ...HOST, supportsNestedPaging: false },
      hostOs: 'win32',
    });
    expect(ids(noEpt)).toEqual(['vmware.processors.vtx-no-host-support']);
    expect(ids(advise(['vhv.enable = "TRUE"'], { hostOs: 'win32' }))).toEqual([
      'vmware.processors.vtx-hyperv-host',
    ]);
    expect(ids(advise(['vhv.enable = "TRUE"']))).toEqual([]);
    expect(ids(advise(['vhv.enable = "FALSE"'], { host: { ...HOST, supportsHwVirt: false } }))).toEqual([]);
    expect(ids(advise(['vpmc.enable = "TRUE"'], { hostOs: 'win32' }))).toEqual([
      'vmware.processors.perfcounters-windows-host',
    ]);
  });

  it('adapter type vs guest drivers', () => {
    const win = advise([
      'guestOS = "windows9-64"',
      'ethernet0.present = "TRUE"',
      'ethernet0.virtualDev = "vmxnet3"',
      'ethernet0.connectionType = "bridged"',
    ]);
    const v = one(win, 'vmware.network.vmxnet3-windows');
    expect(v).toMatchObject({ settingId: 'vmware.network.adapterType#ethernet0', severity: 'info' });
    expect(v.fix?.command).toBe('ethernet0.virtualDev = "e1000e"');
    expect(
      ids(
        advise([
          'guestOS = "ubuntu-64"',
          'ethernet0.present = "TRUE"',
          'ethernet0.virtualDev = "vmxnet3"',
          'ethernet0.connectionType = "bridged"',
        ]),
      ),
    ).toEqual([]);
    const xp = advise([
      'guestOS = "winxppro"',
      'ethernet1.present = "TRUE"',
      'ethernet1.virtualDev = "e1000e"',
      'ethernet1.connectionType = "bridged"',
    ]);
    expect(one(xp, 'vmware.network.e1000e-old-windows')).toMatchObject({
      severity: 'warning',
      settingId: 'vmware.network.adapterType#ethernet1',
      fix: { command: 'ethernet1.virtualDev = "e1000"' },
    });
    expect(one(xp, 'vmware.network.e1000e-old-windows').reason.en).toContain('Network Adapter 2 is e1000e');
    const lance = advise([
      'guestOS = "ubuntu-64"',
      'ethernet0.present = "TRUE"',
      'ethernet0.virtualDev = "vlance"',
      'ethernet0.connectionType = "bridged"',
    ]);
    expect(ids(lance)).toEqual(['vmware.network.vlance-modern']);
    expect(
      ids(
        advise([
          'guestOS = "other26xlinux"',
          'ethernet0.present = "TRUE"',
          'ethernet0.virtualDev = "vlance"',
          'ethernet0.connectionType = "bridged"',
        ]),
      ),
    ).toEqual([]);
  });

  it('NAT only: not reachable from other machines', () => {
    const nat = advise([
      'ethernet0.present = "TRUE"',
      'ethernet0.connectionType = "nat"',
      'ethernet1.present = "TRUE"',
      'ethernet1.connectionType = "NAT"',
    ]);
    expect(one(nat, 'vmware.network.nat-unreachable')).toMatchObject({
      settingId: 'vmware.network.connection#ethernet0',
      fix: { command: 'ethernet0.connectionType = "bridged"' },
    });
    expect(
      ids(
        advise([
          'ethernet0.present = "TRUE"',
          'ethernet0.connectionType = "nat"',
          'ethernet1.present = "TRUE"',
          'ethernet1.connectionType = "hostonly"',
        ]),
      ),
    ).toEqual([]);
    // an absent connectionType is bridged
    expect(ids(advise(['ethernet0.present = "TRUE"']))).toEqual([]);
    expect(ids(advise(['ethernet0.present = "FALSE"', 'ethernet0.connectionType = "nat"']))).toEqual([]);
  });

  it('hardware version too old for USB 2/3, secure boot and vTPM', () => {
    const x = one(
      advise(['virtualHW.version = "7"', 'usb_xhci.present = "TRUE"']),
      'vmware.usb.xhci-hardware-version',
    );
    expect(x.severity).toBe('error');
    expect(x.numbers).toEqual({ hardwareVersion: 7 });
    expect(x.fix?.command).toBe('usb_xhci.present = "FALSE"\nehci.present = "TRUE"');
    expect(
      one(advise(['virtualHW.version = "4"', 'ehci.present = "TRUE"']), 'vmware.usb.xhci-hardware-version')
        .title.en,
    ).toBe('USB 2.0 needs hardware compatibility 6 or later');
    expect(ids(advise(['virtualHW.version = "8"', 'usb_xhci.present = "TRUE"']))).toEqual([]);
    const old = one(
      advise([
        'virtualHW.version = "13"',
        'firmware = "efi"',
        'uefi.secureBoot.enabled = "TRUE"',
        'vtpm.present = "TRUE"',
      ]),
      'vmware.options.hardware-version-features',
    );
    expect(old.reason.en).toContain('secure boot and a vTPM');
    expect(old.fix?.command).toBe('virtualHW.version = "14"');
    expect(
      ids(advise(['virtualHW.version = "14"', 'firmware = "efi"', 'uefi.secureBoot.enabled = "TRUE"'])),
    ).toEqual([]);
  });

  it('secure boot needs UEFI', () => {
    const f = advise(['uefi.secureBoot.enabled = "TRUE"']);
    expect(one(f, 'vmware.options.secure-boot-needs-uefi').fix?.command).toBe(
      'uefi.secureBoot.enabled = "FALSE"',
    );
    expect(ids(advise(['firmware = "EFI"', 'uefi.secureBoot.enabled = "TRUE"']))).toEqual([]);
  });

  it('Windows 11 requirements', () => {
    const f = one(
      advise(['guestOS = "windows11-64"', 'memsize = "2048"']),
      'vmware.options.windows11-requirements',
    );
    expect(f.settingId).toBe('vmware.options.firmware');
    expect(f.reason.en).toContain(
      'UEFI firmware, a TPM 2.0 (vTPM), 4096 MB of memory (has 2048 MB), 2 vCPUs (has 1)',
    );
    expect(f.reason['zh-CN']).toContain(
      'UEFI 固件、TPM 2.0（vTPM）、4096 MB 内存（当前 2048 MB）、2 个虚拟 CPU（当前 1 个）',
    );
    expect(f.fix?.command).toBe('firmware = "efi"\nmemsize = "4096"\nnumvcpus = "2"');
    expect(
      ids(
        advise([
          'guestOS = "windows11-64"',
          'memsize = "4096"',
          'numvcpus = "2"',
          'firmware = "efi"',
          'uefi.secureBoot.enabled = "TRUE"',
          'vtpm.present = "TRUE"',
          'virtualHW.version = "21"',
        ]),
      ),
    ).toEqual([]);
  });

  it('PVSCSI boot disk in a Windows guest', () => {
    const f = advise([
      'guestOS = "windows2019srv-64"',
      'scsi0.present = "TRUE"',
      'scsi0.virtualDev = "pvscsi"',
      'scsi0:0.present = "TRUE"',
      'scsi0:0.fileName = "w.vmdk"',
    ]);
    expect(one(f, 'vmware.disks.pvscsi-windows')).toMatchObject({
      settingId: 'vmware.disks.controllerType#scsi0',
      fix: { command: 'scsi0.virtualDev = "lsisas1068"' },
    });
    expect(
      ids(
        advise([
          'guestOS = "rhel9-64"',
          'scsi0.present = "TRUE"',
          'scsi0.virtualDev = "pvscsi"',
          'scsi0:0.present = "TRUE"',
          'scsi0:0.fileName = "w.vmdk"',
        ]),
      ),
    ).toEqual([]);
  });

  it('findings are sorted errors first, then by rule order; texts in both languages', () => {
    const f = advise([
      'memsize = "20481"',
      'numvcpus = "32"',
      'guestOS = "windows11-64"',
      'uefi.secureBoot.enabled = "TRUE"',
    ]);
    expect(ids(f)).toEqual([
      'vmware.memory.not-multiple-of-4',
      'vmware.memory.over-host',
      'vmware.processors.over-host',
      'vmware.options.secure-boot-needs-uefi',
      'vmware.options.windows11-requirements',
    ]);
    for (const x of f) {
      expect(x.title['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(x.reason['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      expect(x.fix?.note?.en ?? '').not.toContain('VBoxManage');
    }
  });
});

describe('advice on the real fixtures (8 cores, 16 threads, 16 GB Linux host)', () => {
  const EXPECTED: Record<string, [string, string][]> = {
    'esx-hw17-windows2019-memSize-camelcase.vmx': [
      ['vmware.network.vmxnet3-windows', 'vmware.network.adapterType#ethernet0'],
    ],
    'wild-esx-in-the-wild-14-hw19-hardened-isolation-keys-pciPassthru-star-mixed-case-bools.vmx': [
      ['vmware.memory.over-host', 'vmware.memory.size'],
      ['vmware.processors.all-cores', 'vmware.processors.totalCores'],
    ],
    'wild-esx-in-the-wild-2-hw4-shebang-debian-vlance-floppy-affinity.vmx': [
      ['vmware.network.vlance-modern', 'vmware.network.adapterType#ethernet0'],
    ],
    'wild-esx-in-the-wild-8-hw11-rhel7-10-nics-independent-nonpersistent-null-floppy.vmx': [
      ['vmware.processors.all-cores', 'vmware.processors.totalCores'],
      ['vmware.disks.nonpersistent', 'vmware.disks.mode#scsi0:1'],
    ],
  };
  const dir = new URL('../fixtures/vmx/', import.meta.url);
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.vmx'))) {
    it(file, () => {
      const r = readVmx(readFileSync(new URL(file, dir)), { path: `/v/${file}`, platform: 'linux' });
      const f = evaluateVmwareAdvice(r.config, {
        host: HOST,
        hostOs: 'linux',
        duplicates: r.parsed.duplicates,
      });
      for (const x of f) fired.add(x.id);
      expect(f.map((x) => [x.id, x.settingId])).toEqual(EXPECTED[file] ?? []);
    });
  }
  it('wild-14 reasons carry the real numbers', () => {
    const file = 'wild-esx-in-the-wild-14-hw19-hardened-isolation-keys-pciPassthru-star-mixed-case-bools.vmx';
    const r = readVmx(readFileSync(new URL(file, dir)), { platform: 'linux' });
    const [mem] = evaluateVmwareAdvice(r.config, { host: HOST, hostOs: 'linux' });
    expect(mem.reason.en).toBe(
      "The VM asks for 32768 MB but this host has 16384 MB in total. The host would have to swap the guest's memory to disk, which makes the VM and the host crawl.",
    );
    expect(mem.fix?.command).toBe('memSize = "8192"');
  });
});

afterAll(() => {
  // Every rule of the table is exercised by at least one test above.
  const missing = VMWARE_ADVICE_RULES.map((r) => r.id).filter((id) => !fired.has(id));
  if (missing.length) throw new Error(`rules never fired in tests: ${missing.join(', ')}`);
});

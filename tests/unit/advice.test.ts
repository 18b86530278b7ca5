import { describe, expect, it } from 'vitest';
import {
  evaluateAdvice,
  modifyFlag,
  quoteArg,
  ramLimits,
  requiredVideoMemoryMB,
  guestProfile,
  type AdviceContext,
} from '../../app/core/advice/index.ts';
import type { Finding } from '../../app/shared/advice.ts';
import type { HostFacts, VmConfig } from '../../app/shared/model.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';

/** UUID of the synthetic test VM. */
const UUID = '0b1f2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d';

/**
 * A plain, healthy VM as `showvminfo --machinereadable` lines (Ubuntu 64-bit, 2 vCPUs, 2048 MB,
 * NAT with an SSH forward, SATA disk). Values that are numbers are printed unquoted.
 */
const BASE: [string, string | number][] = [
  ['name', 'Test VM'],
  ['ostype', 'Ubuntu (64-bit)'],
  ['UUID', UUID],
  ['memory', 2048],
  ['vram', 16],
  ['cpuexecutioncap', 100],
  ['chipset', 'piix3'],
  ['firmware', 'BIOS'],
  ['cpus', 2],
  ['hidpointing', 'ps2mouse'],
  ['ioapic', 'on'],
  ['hwvirtex', 'on'],
  ['nestedpaging', 'on'],
  ['nested-hw-virt', 'off'],
  ['paravirtprovider', 'default'],
  ['effparavirtprovider', 'kvm'],
  ['VMState', 'poweroff'],
  ['monitorcount', 1],
  ['graphicscontroller', 'vmsvga'],
  ['accelerate3d', 'off'],
  ['vrde', 'off'],
  ['storagecontrollername0', 'SATA'],
  ['storagecontrollertype0', 'IntelAhci'],
  ['storagecontrollerinstance0', '0'],
  ['storagecontrollermaxportcount0', '30'],
  ['storagecontrollerportcount0', '1'],
  ['storagecontrollerbootable0', 'on'],
  ['"SATA-0-0"', '/vms/Test VM/disk.vdi'],
  ['"SATA-ImageUUID-0-0"', 'aaaaaaaa-0000-4000-8000-000000000001'],
  ['natnet1', 'nat'],
  ['macaddress1', '080027AABB01'],
  ['cableconnected1', 'on'],
  ['nic1', 'nat'],
  ['nictype1', '82540EM'],
  ['nicspeed1', '0'],
  ['Forwarding(0)', 'ssh,tcp,127.0.0.1,2222,,22'],
  ['nic2', 'none'],
  ['uart1', 'off'],
  ['uart2', 'off'],
  ['usb', 'off'],
  ['ehci', 'off'],
  ['xhci', 'off'],
];

/**
 * Builds a dump from {@link BASE} with changes: a string/number replaces the key's value in place
 * (or appends the key), `null` removes it. Keys are written exactly as given (quote storage keys yourself).
 */
function dump(
  changes: Record<string, string | number | null> = {},
  extra: [string, string | number][] = [],
): string {
  const lines = BASE.map(([k, v]) => [k, k in changes ? changes[k] : v] as [string, string | number | null]);
  for (const [k, v] of Object.entries(changes)) if (!BASE.some(([b]) => b === k)) lines.push([k, v]);
  for (const e of extra) lines.push(e);
  return (
    lines
      .filter(([, v]) => v !== null)
      .map(([k, v]) => (typeof v === 'number' ? `${k}=${v}` : `${k}="${v}"`))
      .join('\n') + '\n'
  );
}

/** The VM model for a dump built with {@link dump}. */
function vm(
  changes: Record<string, string | number | null> = {},
  extra: [string, string | number][] = [],
): VmConfig {
  return showVmInfoToConfig(dump(changes, extra), 'file');
}

/** A 4-core / 8-thread host with 8192 MB. */
const HOST: HostFacts = { cores: 4, threads: 8, memoryMB: 8192, os: 'Linux', fromHostInfo: true };

const V61 = { major: 6, minor: 1 };
const V70 = { major: 7, minor: 0 };
const V71 = { major: 7, minor: 1 };

/** Ids of the findings, in order. */
const ids = (findings: Finding[]): string[] => findings.map((f) => f.id);

/** The one finding with this id (throws when there is none or more than one). */
function only(findings: Finding[], id: string): Finding {
  const hits = findings.filter((f) => f.id === id);
  if (hits.length !== 1)
    throw new Error(`expected exactly one ${id}, got ${hits.length}: ${ids(findings).join(', ')}`);
  return hits[0];
}

/** Evaluates with the default host (4 cores, 8192 MB, Linux) and VirtualBox 7.0 unless overridden. */
function advise(config: VmConfig, ctx: Partial<AdviceContext> = {}): Finding[] {
  return evaluateAdvice(config, { host: HOST, hostOs: 'linux', vboxVersion: V70, ...ctx });
}

const hostWith = (h: Partial<HostFacts>): HostFacts => ({ ...HOST, ...h });

describe('baseline', () => {
  it('a plain, healthy VM has no findings on any version and host OS', () => {
    for (const vboxVersion of [V61, V70, V71, undefined])
      for (const hostOs of ['linux', 'darwin', 'win32'] as const)
        expect(
          ids(advise(vm(), { vboxVersion, hostOs })),
          `${JSON.stringify(vboxVersion)} ${hostOs}`,
        ).toEqual([]);
  });
});

describe('base memory (UIBaseMemoryEditor table)', () => {
  // [host MB, warn above MB, error above MB, warn %, error %] — fractions of host RAM truncated to whole MB.
  const ROWS: [number, number, number, number, number][] = [
    [2048, 1024, 1536, 50, 75],
    [3071, 1535, 2303, 50, 75],
    [3072, 1536, 2457, 50, 80],
    [4096, 2457, 3440, 60, 84],
    [6144, 3993, 5406, 65, 88],
    [8191, 5324, 7208, 65, 88],
    [8192, 5734, 7372, 70, 90],
    [16384, 12288, 15237, 75, 93],
    [32768, 26214, 30801, 80, 94],
    [65536, 55705, 62259, 85, 95],
    [131072, 117964, 125829, 90, 96],
  ];

  it.each(ROWS)('host %i MB: warn above %i, error above %i', (hostMB, warn, err, warnPct, errPct) => {
    expect(ramLimits(hostMB)).toEqual({
      hostMB,
      warnAboveMB: warn,
      errorAboveMB: err,
      warnPercent: warnPct,
      errorPercent: errPct,
    });
    const at = (memory: number): string[] =>
      ids(advise(vm({ memory }), { host: hostWith({ memoryMB: hostMB }) })).filter((id) =>
        id.startsWith('vbox.system.ram'),
      );
    expect(at(warn)).toEqual([]);
    expect(at(warn + 1)).toEqual(['vbox.system.ram-over-warning']);
    expect(at(err)).toEqual(['vbox.system.ram-over-warning']);
    expect(at(err + 1)).toEqual(['vbox.system.ram-over-error']);
  });

  it('8 GB host: 5734 MB is fine, 5735 MB warns with the numbers, 7373 MB is an error', () => {
    const host = hostWith({ memoryMB: 8192 });
    expect(ids(advise(vm({ memory: 5734 }), { host }))).toEqual([]);
    const w = only(advise(vm({ memory: 5735 }), { host }), 'vbox.system.ram-over-warning');
    expect(w.severity).toBe('warning');
    expect(w.settingId).toBe('system.motherboard.memory');
    expect(w.numbers).toEqual({
      memoryMB: 5735,
      hostMB: 8192,
      percent: 70,
      warnAboveMB: 5734,
      errorAboveMB: 7372,
    });
    expect(w.reason.en).toContain(
      "5735 MB is 70 % of this host's 8192 MB; VirtualBox warns above 70 % (5734 MB)",
    );
    expect(w.reason['zh-CN']).toContain('5735 MB 占本机 8192 MB 内存的 70%');
    expect(w.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --memory 5632`);
    const e = only(advise(vm({ memory: 7373 }), { host }), 'vbox.system.ram-over-error');
    expect(e.severity).toBe('error');
    expect(e.reason.en).toContain('refuses more than 90 % (7372 MB)');
  });

  it('6 GB host: 4096 MB is 67 % and warns above 65 %', () => {
    const f = only(
      advise(vm({ memory: 4096 }), { host: hostWith({ memoryMB: 6144 }) }),
      'vbox.system.ram-over-warning',
    );
    expect(f.reason.en).toContain(
      "4096 MB is 67 % of this host's 6144 MB; VirtualBox warns above 65 % (3993 MB)",
    );
  });

  it('no host RAM known → no memory finding', () => {
    expect(ids(advise(vm({ memory: 999999 }), { host: hostWith({ memoryMB: 0 }) }))).not.toContain(
      'vbox.system.ram-over-error',
    );
  });
});

describe('vCPUs vs host cores (UIMachineSettingsSystem)', () => {
  const cpuIds = (cpus: number, cores = 4): string[] =>
    ids(advise(vm({ cpus }), { host: hostWith({ cores, threads: cores * 2 }) })).filter(
      (id) => id.includes('cpus') || id.includes('cores'),
    );

  it('cores → info only, cores+1 → warning, 2×cores → warning, 2×cores+1 → error', () => {
    expect(cpuIds(3)).toEqual([]);
    expect(cpuIds(4)).toEqual(['host.processor.all-physical-cores']);
    expect(cpuIds(5)).toEqual(['vbox.processor.cpus-over-cores']);
    expect(cpuIds(8)).toEqual(['vbox.processor.cpus-over-cores']);
    expect(cpuIds(9)).toEqual(['vbox.processor.cpus-over-twice-cores']);
  });

  it('reasons carry the numbers and mention hyper-threads; the fix leaves a core free', () => {
    const e = only(advise(vm({ cpus: 9 })), 'vbox.processor.cpus-over-twice-cores');
    expect(e.numbers).toEqual({ cpus: 9, hostCores: 4, hostThreads: 8, limit: 8 });
    expect(e.reason.en).toContain("9 vCPUs is more than twice this host's 4 physical cores (limit 8)");
    expect(e.reason.en).toContain('8 hardware threads do not count');
    expect(e.reason['zh-CN']).toContain('9 个虚拟 CPU 超过了本机 4 个物理核心的两倍');
    expect(e.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --cpus 3`);
  });

  it('a single-core host: 1 vCPU fine, 2 warns, 3 errors; the fix suggests 1', () => {
    expect(cpuIds(1, 1)).toEqual([]);
    expect(cpuIds(2, 1)).toEqual(['vbox.processor.cpus-over-cores']);
    expect(cpuIds(3, 1)).toEqual(['vbox.processor.cpus-over-twice-cores']);
    expect(
      only(
        advise(vm({ cpus: 3 }), { host: hostWith({ cores: 1, threads: 1 }) }),
        'vbox.processor.cpus-over-twice-cores',
      ).fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --cpus 1`);
  });

  it('more than one vCPU needs the I/O APIC; one does not', () => {
    expect(only(advise(vm({ cpus: 2, ioapic: 'off' })), 'vbox.processor.smp-needs-ioapic').fix?.command).toBe(
      `VBoxManage modifyvm ${UUID} --ioapic on`,
    );
    expect(ids(advise(vm({ cpus: 1, ioapic: 'off' })))).toEqual([]);
  });

  it('6.1 only: more than one vCPU with VT-x/AMD-V off', () => {
    const config = vm({ cpus: 2, hwvirtex: 'off' });
    expect(ids(advise(config, { vboxVersion: V61 }))).toContain('vbox.processor.smp-needs-hwvirt');
    expect(ids(advise(config, { vboxVersion: V70 }))).not.toContain('vbox.processor.smp-needs-hwvirt');
    expect(ids(advise(config, { vboxVersion: undefined }))).not.toContain('vbox.processor.smp-needs-hwvirt');
    expect(
      ids(advise(config, { vboxVersion: V61, host: hostWith({ supportsHwVirt: false }) })),
    ).not.toContain('vbox.processor.smp-needs-hwvirt');
  });
});

describe('execution cap', () => {
  const capIds = (cap: number, cpus: number): string[] =>
    ids(advise(vm({ cpuexecutioncap: cap, cpus }))).filter((id) => id.includes('cap'));

  it('below 40 % warns as low; any cap below 100 % warns by vCPU count', () => {
    expect(capIds(39, 2)).toEqual(['vbox.processor.cap-low', 'vbox.processor.cap-with-smp']);
    expect(capIds(40, 2)).toEqual(['vbox.processor.cap-with-smp']);
    expect(capIds(99, 2)).toEqual(['vbox.processor.cap-with-smp']);
    expect(capIds(100, 2)).toEqual([]);
    expect(capIds(39, 1)).toEqual(['vbox.processor.cap-low', 'vbox.processor.cap-single-cpu']);
    expect(capIds(99, 1)).toEqual(['vbox.processor.cap-single-cpu']);
    expect(capIds(100, 1)).toEqual([]);
  });

  it('suggests the equivalent vCPU count at 100 %, in the spelling of the version', () => {
    const f = (v: typeof V61) =>
      only(advise(vm({ cpuexecutioncap: 50, cpus: 3 }), { vboxVersion: v }), 'vbox.processor.cap-with-smp');
    expect(f(V70).numbers).toEqual({ capPercent: 50, cpus: 3, equivalentCpus: 2 });
    expect(f(V70).fix?.command).toBe(`VBoxManage modifyvm ${UUID} --cpu-execution-cap 100 --cpus 2`);
    expect(f(V61).fix?.command).toBe(`VBoxManage modifyvm ${UUID} --cpuexecutioncap 100 --cpus 2`);
    expect(f(V71).fix?.command).toBe(`VBoxManage modifyvm ${UUID} --cpu-execution-cap 100 --cpus 2`);
  });
});

describe('motherboard and acceleration', () => {
  it('nested VT-x/AMD-V needs nested paging; flag spelled per version', () => {
    const config = vm({ 'nested-hw-virt': 'on', nestedpaging: 'off' });
    const cmd = (v?: typeof V61) =>
      only(advise(config, { vboxVersion: v }), 'vbox.processor.nested-hwvirt-needs-nested-paging').fix
        ?.command;
    expect(cmd(V61)).toBe(`VBoxManage modifyvm ${UUID} --nestedpaging on`);
    expect(cmd(V70)).toBe(`VBoxManage modifyvm ${UUID} --nested-paging on`);
    expect(cmd(V71)).toBe(`VBoxManage modifyvm ${UUID} --x86-nested-paging on`);
    expect(cmd({ major: 7, minor: 2 })).toBe(`VBoxManage modifyvm ${UUID} --x86-nested-paging on`);
    expect(cmd(undefined)).toBe(`VBoxManage modifyvm ${UUID} --nested-paging on`);
    expect(ids(advise(config, { host: hostWith({ supportsNestedPaging: false }) }))).toEqual([]);
    expect(ids(advise(vm({ 'nested-hw-virt': 'on', nestedpaging: 'on' })))).toEqual([]);
  });

  it('6.1 only: VT-x/AMD-V off with a 64-bit guest, nested HW virt or nested paging', () => {
    const config = vm({ hwvirtex: 'off', 'nested-hw-virt': 'on', cpus: 1 });
    expect(ids(advise(config, { vboxVersion: V61 })).sort()).toEqual([
      'vbox.acceleration.nested-paging-needs-hwvirt',
      'vbox.general.64bit-needs-hwvirt',
      'vbox.processor.nested-hwvirt-needs-hwvirt',
    ]);
    expect(only(advise(config, { vboxVersion: V61 }), 'vbox.general.64bit-needs-hwvirt').fix?.command).toBe(
      `VBoxManage modifyvm ${UUID} --hwvirtex on`,
    );
    expect(ids(advise(config, { vboxVersion: V71 }))).toEqual([]);
    expect(
      ids(
        advise(vm({ hwvirtex: 'off', ostype: 'Ubuntu (32-bit)', nestedpaging: 'off', cpus: 1 }), {
          vboxVersion: V61,
        }),
      ),
    ).toEqual([]);
  });

  it('ICH9 needs the I/O APIC', () => {
    expect(ids(advise(vm({ chipset: 'ich9', ioapic: 'off', cpus: 1 })))).toEqual([
      'vbox.system.ich9-needs-ioapic',
    ]);
    expect(ids(advise(vm({ chipset: 'ich9', ioapic: 'on' })))).toEqual([]);
    expect(ids(advise(vm({ chipset: 'piix3', ioapic: 'off', cpus: 1 })))).toEqual([]);
  });

  it('a USB pointing device needs a USB controller', () => {
    const config = vm({ hidpointing: 'usbtablet' });
    expect(
      only(advise(config, { vboxVersion: V70 }), 'vbox.system.usb-pointing-needs-usb').fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --usb-ohci on`);
    expect(
      only(advise(config, { vboxVersion: V61 }), 'vbox.system.usb-pointing-needs-usb').fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --usbohci on`);
    expect(ids(advise(vm({ hidpointing: 'usbtablet', xhci: 'on' })))).toEqual([]);
    expect(ids(advise(vm({ hidpointing: 'ps2mouse' })))).toEqual([]);
    // No USB keys at all (very old dumps): unknown, so no finding.
    expect(ids(advise(vm({ hidpointing: 'usbmouse', usb: null, ehci: null, xhci: null })))).toEqual([]);
  });

  it('an empty name is an error', () => {
    const f = only(advise(vm({ name: '  ' })), 'vbox.general.name-empty');
    expect(f.severity).toBe('error');
    expect(f.settingId).toBe('general.basic.name');
  });
});

describe('display', () => {
  it('required video memory as the GUI computes it', () => {
    const ubuntu = guestProfile('Ubuntu (64-bit)');
    expect(requiredVideoMemoryMB(ubuntu, 1)).toBe(9);
    expect(requiredVideoMemoryMB(ubuntu, 2)).toBe(18);
    expect(requiredVideoMemoryMB(guestProfile('Windows 10 (64-bit)'), 1)).toBe(27);
    expect(requiredVideoMemoryMB(guestProfile('Windows XP (32-bit)'), 1)).toBe(18);
    expect(requiredVideoMemoryMB(guestProfile('Windows 2022 (64-bit)'), 1)).toBe(18);
    // Two host screens, largest first: 2560×1440 then 1920×1080.
    expect(
      requiredVideoMemoryMB(ubuntu, 2, [
        { width: 1920, height: 1080 },
        { width: 2560, height: 1440 },
      ]),
    ).toBe(24);
    // Three guest monitors on one host screen reuse it.
    expect(requiredVideoMemoryMB(ubuntu, 3, [{ width: 1280, height: 1024 }])).toBe(19);
  });

  it('VRAM below the requirement warns, at it does not', () => {
    expect(ids(advise(vm({ vram: 8 })))).toEqual(['vbox.display.vram-below-required']);
    expect(ids(advise(vm({ vram: 9 })))).toEqual([]);
    const win = {
      ostype: 'Windows 10 (64-bit)',
      graphicscontroller: 'vboxsvga',
      effparavirtprovider: 'hyperv',
    };
    const f = only(advise(vm({ ...win, vram: 26 })), 'vbox.display.vram-below-required');
    expect(f.numbers).toEqual({ vramMB: 26, requiredMB: 27, monitors: 1 });
    expect(f.reason.en).toContain('assuming one 1920×1080 host screen');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --vram 27`);
    expect(ids(advise(vm({ ...win, vram: 27 })))).toEqual([]);
    expect(ids(advise(vm({ vram: 17, monitorcount: 2 })))).toEqual(['vbox.display.vram-below-required']);
    expect(ids(advise(vm({ vram: 18, monitorcount: 2 })))).toEqual([]);
  });

  it('no VRAM warning for Other/DOS types or without a graphics controller', () => {
    expect(ids(advise(vm({ vram: 1, ostype: 'Other/Unknown', graphicscontroller: 'vboxvga' })))).toEqual([]);
    expect(ids(advise(vm({ vram: 1, ostype: 'DOS', graphicscontroller: 'vboxvga' })))).toEqual([]);
    // "None" is judged by the controller rule only, not by the VRAM rules.
    expect(ids(advise(vm({ vram: 1, graphicscontroller: 'null' })))).toEqual([
      'vbox.display.controller-not-recommended',
    ]);
  });

  it('3D for a WDDM Windows guest asks for 128 MB', () => {
    const win = {
      ostype: 'Windows 10 (64-bit)',
      graphicscontroller: 'vboxsvga',
      effparavirtprovider: 'hyperv',
      accelerate3d: 'on',
    };
    expect(ids(advise(vm({ ...win, vram: 127 })))).toEqual(['vbox.display.vram-below-3d']);
    expect(only(advise(vm({ ...win, vram: 127 })), 'vbox.display.vram-below-3d').fix?.command).toBe(
      `VBoxManage modifyvm ${UUID} --vram 128`,
    );
    expect(ids(advise(vm({ ...win, vram: 128 })))).toEqual([]);
    // Below the basic requirement only the basic warning shows (the GUI's else-if).
    expect(ids(advise(vm({ ...win, vram: 16 })))).toEqual(['vbox.display.vram-below-required']);
    // Not a WDDM type: no 3D VRAM warning.
    expect(ids(advise(vm({ vram: 16, accelerate3d: 'on' })))).toEqual([]);
  });

  it('graphics controller vs the recommended one, with and without 3D', () => {
    const f = only(advise(vm({ graphicscontroller: 'vboxvga' })), 'vbox.display.controller-not-recommended');
    expect(f.reason.en).toContain(
      'VirtualBox recommends VMSVGA for Ubuntu (64-bit), but this VM uses VBoxVGA',
    );
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --graphicscontroller vmsvga`);
    const win = {
      ostype: 'Windows 11 (64-bit)',
      vram: 128,
      graphicscontroller: 'vmsvga',
      effparavirtprovider: 'hyperv',
      firmware: 'EFI',
      SecureBoot: 'on',
      cpus: 2,
      memory: 4096,
    };
    expect(ids(advise(vm({ ...win, accelerate3d: 'on' }))).filter((i) => i.startsWith('vbox.'))).toEqual([
      'vbox.display.3d-needs-recommended-controller',
    ]);
    // Guests without a clear recommendation are not judged.
    expect(
      ids(
        advise(
          vm({ ostype: 'FreeBSD (64-bit)', graphicscontroller: 'vboxvga', effparavirtprovider: 'none' }),
        ),
      ),
    ).toEqual([]);
    // Older dumps print no controller.
    expect(ids(advise(vm({ graphicscontroller: null })))).toEqual([]);
  });

  it('Remote Display: Extension Pack only when known missing; empty port is an error', () => {
    expect(ids(advise(vm({ vrde: 'on', vrdeports: '3389' })))).toEqual([]);
    expect(ids(advise(vm({ vrde: 'on', vrdeports: '3389' }), { extensionPack: false }))).toEqual([
      'vbox.display.vrde-needs-extpack',
    ]);
    const f = only(
      advise(vm({ vrde: 'on', vrdeports: '' }), { vboxVersion: V61 }),
      'vbox.display.vrde-port-empty',
    );
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --vrdeport 3389`);
  });
});

describe('storage', () => {
  const second: [string, string | number][] = [
    ['storagecontrollername1', 'SATA2'],
    ['storagecontrollertype1', 'IntelAhci'],
    ['"SATA2-0-0"', '/vms/Test VM/other.vdi'],
  ];

  it('two SATA controllers exceed PIIX3 (fix: ICH9) but not ICH9', () => {
    const f = only(advise(vm({}, second)), 'vbox.storage.too-many-controllers');
    expect(f.settingId).toBe('storage.controller.type#SATA2');
    expect(f.numbers).toEqual({ controllers: 2, limit: 1 });
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --chipset ich9`);
    expect(ids(advise(vm({ chipset: 'ich9' }, second)))).toEqual([]);
  });

  it('the same disk attached twice is an error on the second slot, with a detach command', () => {
    const twice: [string, string | number][] = [['"SATA-1-0"', '/vms/Test VM/disk.vdi']];
    const f = only(
      advise(vm({ storagecontrollerportcount0: '2' }, twice)),
      'vbox.storage.medium-attached-twice',
    );
    expect(f.settingId).toBe('storage.attachment.medium#SATA:1:0');
    expect(f.fix?.command).toBe(
      `VBoxManage storageattach ${UUID} --storagectl SATA --port 1 --device 0 --medium none`,
    );
  });

  it('duplicate controller names are an error', () => {
    const dup: [string, string | number][] = [
      ['storagecontrollername1', 'SATA'],
      ['storagecontrollertype1', 'LsiLogic'],
    ];
    const f = only(advise(vm({}, dup)), 'vbox.storage.controller-name-duplicate');
    expect(f.settingId).toBe('storage.controller.name#1');
  });

  it('guest drivers: virtio-scsi for Windows, AHCI for XP, NVMe before 8.1', () => {
    const ctl = (type: string, ostype: string) =>
      ids(
        advise(
          vm({
            storagecontrollertype0: type,
            ostype,
            effparavirtprovider: 'hyperv',
            graphicscontroller: 'vboxsvga',
            vram: 128,
          }),
        ),
      ).filter((i) => i.startsWith('learner.storage'));
    expect(ctl('VirtioSCSI', 'Windows 10 (64-bit)')).toEqual(['learner.storage.guest-lacks-driver']);
    expect(ctl('IntelAhci', 'Windows 10 (64-bit)')).toEqual([]);
    expect(ctl('IntelAhci', 'Windows XP (32-bit)')).toEqual(['learner.storage.guest-lacks-driver']);
    expect(ctl('PIIX4', 'Windows XP (32-bit)')).toEqual([]);
    expect(ctl('NVMe', 'Windows 7 (64-bit)')).toEqual([
      'learner.storage.guest-lacks-driver',
      'learner.storage.boot-needs-efi',
    ]);
    expect(ctl('NVMe', 'Windows 8.1 (64-bit)')).toEqual(['learner.storage.boot-needs-efi']);
    expect(ctl('VirtioSCSI', 'Ubuntu (64-bit)')).toEqual([]);
  });

  it('boot disks only on NVMe need EFI', () => {
    expect(ids(advise(vm({ storagecontrollertype0: 'NVMe' })))).toEqual(['learner.storage.boot-needs-efi']);
    expect(ids(advise(vm({ storagecontrollertype0: 'NVMe', firmware: 'EFI' })))).toEqual([]);
    const f = only(advise(vm({ storagecontrollertype0: 'NVMe' })), 'learner.storage.boot-needs-efi');
    expect(f.settingId).toBe('storage.controller.type#SATA');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --firmware efi`);
  });
});

describe('network', () => {
  const nic2 = (attachment: string, nameKey?: string, name = ''): [string, string | number][] => [
    ...(nameKey ? ([[`${nameKey}2`, name]] as [string, string][]) : []),
    ['macaddress2', '080027AABB02'],
    ['cableconnected2', 'on'],
    ['nic2', attachment],
    ['nictype2', '82540EM'],
  ];
  const net = (extra: [string, string | number][], ctx: Partial<AdviceContext> = {}) =>
    advise(vm({ nic2: null }, extra), ctx);

  it('attachments without a name are errors with the right fix', () => {
    const b = only(net(nic2('bridged', 'bridgeadapter')), 'vbox.network.bridged-no-interface');
    expect(b.settingId).toBe('network.adapter.name#2');
    expect(b.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --bridge-adapter2 <host interface>`);
    expect(
      only(net(nic2('bridged', 'bridgeadapter'), { vboxVersion: V61 }), 'vbox.network.bridged-no-interface')
        .fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --bridgeadapter2 <host interface>`);
    expect(ids(net(nic2('bridged', 'bridgeadapter', 'enp1s0')))).toEqual([]);
    expect(only(net(nic2('intnet', 'intnet')), 'vbox.network.intnet-no-name').fix?.command).toBe(
      `VBoxManage modifyvm ${UUID} --intnet2 intnet`,
    );
    expect(ids(net(nic2('hostonly', 'hostonlyadapter')))).toEqual(['vbox.network.hostonly-no-adapter']);
    expect(ids(net(nic2('natnetwork', 'nat-network')))).toEqual(['vbox.network.natnetwork-no-name']);
    expect(ids(net(nic2('Generic', 'generic')))).toEqual(['vbox.network.generic-no-driver']);
    expect(
      only(net(nic2('Generic', 'generic'), { vboxVersion: V61 }), 'vbox.network.generic-no-driver').fix,
    ).toBeUndefined();
    // "Not attached" has nothing to name.
    expect(ids(net(nic2('null')))).toEqual([]);
  });

  it('host-only adapters on macOS with 7.x are an error, elsewhere fine', () => {
    const vbox = vm({}, []);
    const config = showVmInfoToConfig(
      dump({ nic2: null }, nic2('hostonly', 'hostonlyadapter', 'vboxnet0')),
      'file',
    );
    expect(ids(advise(vbox, { hostOs: 'darwin' }))).toEqual([]);
    const f = only(
      advise(config, { hostOs: 'darwin', vboxVersion: V70 }),
      'vbox.network.hostonly-adapter-macos',
    );
    expect(f.severity).toBe('error');
    expect(f.settingId).toBe('network.adapter.attachedTo#2');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --nic2 hostonlynet --host-only-net2 <network>`);
    expect(ids(advise(config, { hostOs: 'darwin', vboxVersion: V61 }))).toEqual([]);
    expect(ids(advise(config, { hostOs: 'linux', vboxVersion: V71 }))).toEqual([]);
    // With no name on macOS 7.x only the macOS error shows, not "no adapter selected".
    expect(ids(net(nic2('hostonly', 'hostonlyadapter'), { hostOs: 'darwin' }))).toEqual([
      'vbox.network.hostonly-adapter-macos',
    ]);
  });

  it('MAC addresses: 12 hex digits, unicast', () => {
    expect(ids(advise(vm({ macaddress1: '080027AABB0' })))).toEqual(['vbox.network.mac-length']);
    const m = only(advise(vm({ macaddress1: '090027AABB01' })), 'vbox.network.mac-multicast');
    expect(m.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --mac-address1 auto`);
    expect(
      only(advise(vm({ macaddress1: '090027AABB01' }), { vboxVersion: V61 }), 'vbox.network.mac-multicast')
        .fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --macaddress1 auto`);
    expect(ids(advise(vm({ macaddress1: '0A0027AABB01' })))).toEqual([]);
  });

  it('NAT without port forwards: the host cannot reach the guest', () => {
    const f = only(advise(vm({ 'Forwarding(0)': null })), 'host.network.nat-unreachable');
    expect(f.severity).toBe('info');
    expect(f.settingId).toBe('network.adapter.portForwarding#1');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --nat-pf1 ssh,tcp,127.0.0.1,2222,,22`);
    expect(
      only(advise(vm({ 'Forwarding(0)': null }), { vboxVersion: V61 }), 'host.network.nat-unreachable').fix
        ?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --natpf1 ssh,tcp,127.0.0.1,2222,,22`);
    // A host-only second adapter makes the guest reachable.
    expect(
      ids(advise(vm({ 'Forwarding(0)': null, nic2: null }, nic2('hostonly', 'hostonlyadapter', 'vboxnet0')))),
    ).toEqual([]);
  });

  it('forwards to host ports below 1024 on Linux/macOS', () => {
    const fw = (hostPort: number) => vm({ 'Forwarding(0)': `http,tcp,,${hostPort},,80` });
    const f = only(advise(fw(80)), 'host.network.privileged-host-port');
    expect(f.numbers).toEqual({ hostPort: 80, guestPort: 80, suggestedHostPort: 8080 });
    expect(f.fix?.command).toBe(
      `VBoxManage modifyvm ${UUID} --nat-pf1 delete http --nat-pf1 http,tcp,,8080,,80`,
    );
    expect(ids(advise(fw(1023), { hostOs: 'darwin' }))).toEqual(['host.network.privileged-host-port']);
    expect(ids(advise(fw(1024)))).toEqual([]);
    expect(ids(advise(fw(80), { hostOs: 'win32' }))).toEqual([]);
  });

  it('bridged over Wi-Fi by interface name', () => {
    const bridged = (name: string) =>
      ids(advise(vm({ nic1: 'bridged', natnet1: null, bridgeadapter1: name, 'Forwarding(0)': null })));
    for (const name of [
      'en0: Wi-Fi',
      'en1: AirPort',
      'wlp2s0',
      'wlan0',
      'Intel(R) Wireless-AC 9560 160MHz',
      'Intel(R) Wi-Fi 6E AX211 160MHz',
    ])
      expect(bridged(name), name).toEqual(['host.network.bridged-wifi']);
    for (const name of ['enp1s0', 'em1', 'eth0', 'en0: Ethernet', 'Realtek PCIe GbE Family Controller'])
      expect(bridged(name), name).toEqual([]);
  });

  it('virtio for Windows (info) and PCnet for 64-bit Windows (warning)', () => {
    const win = {
      ostype: 'Windows 10 (64-bit)',
      graphicscontroller: 'vboxsvga',
      effparavirtprovider: 'hyperv',
      vram: 128,
    };
    const v = only(advise(vm({ ...win, nictype1: 'virtio' })), 'learner.network.virtio-windows');
    expect(v.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --nic-type1 82540EM`);
    expect(
      only(advise(vm({ ...win, nictype1: 'virtio' }), { vboxVersion: V61 }), 'learner.network.virtio-windows')
        .fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --nictype1 82540EM`);
    expect(ids(advise(vm({ ...win, nictype1: 'Am79C973' })))).toEqual([
      'learner.network.pcnet-64bit-windows',
    ]);
    expect(
      ids(
        advise(
          vm({
            ostype: 'Windows XP (32-bit)',
            graphicscontroller: 'vboxvga',
            effparavirtprovider: 'none',
            vram: 18,
            nictype1: 'Am79C973',
            storagecontrollertype0: 'PIIX4',
          }),
        ),
      ),
    ).toEqual([]);
    expect(ids(advise(vm({ nictype1: 'virtio' })))).toEqual([]);
  });
});

describe('serial ports and USB', () => {
  it('two ports with the same I/O port and IRQ; the fix moves the second to a free COM address', () => {
    const f = only(
      advise(
        vm({ uart1: '0x03f8,4', uartmode1: 'disconnected', uart2: '0x03f8,4', uartmode2: 'disconnected' }),
      ),
      'vbox.serial.duplicate-settings',
    );
    expect(f.settingId).toBe('serial.port.number#2');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --uart2 0x2f8 3`);
    expect(ids(advise(vm({ uart1: '0x03f8,4', uart2: '0x02f8,3' })))).toEqual([]);
  });

  it('a connected port needs a path, and two ports may not share one', () => {
    const f = only(advise(vm({ uart1: '0x03f8,4', uartmode1: 'file,' })), 'vbox.serial.path-empty');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --uart-mode1 disconnected`);
    expect(ids(advise(vm({ uart1: '0x03f8,4', uartmode1: 'file,/tmp/com1.log' })))).toEqual([]);
    const d = only(
      advise(
        vm({
          uart1: '0x03f8,4',
          uartmode1: 'file,/tmp/com.log',
          uart2: '0x02f8,3',
          uartmode2: 'file,/tmp/com.log',
        }),
      ),
      'vbox.serial.duplicate-path',
    );
    expect(d.settingId).toBe('serial.port.path#2');
  });

  it('an IRQ out of range is an API error', () => {
    expect(ids(advise(vm({ uart1: '0x03f8,300' })))).toEqual(['vbox.limits.serial-range']);
  });

  it('USB 2.0/3.0 needs the Extension Pack on 6.1 only', () => {
    const f = only(advise(vm({ ehci: 'on', usb: 'on' }), { vboxVersion: V61 }), 'vbox.usb.extpack-needed-61');
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --usbehci off --usbohci on`);
    expect(f.reason.en).toContain('USB 2.0 (EHCI) is on. In VirtualBox 6.1');
    expect(
      only(advise(vm({ xhci: 'on' }), { vboxVersion: V61 }), 'vbox.usb.extpack-needed-61').reason.en,
    ).toContain('USB 3.0 (xHCI)');
    expect(ids(advise(vm({ ehci: 'on', usb: 'on' }), { vboxVersion: V61, extensionPack: true }))).toEqual([]);
    expect(ids(advise(vm({ ehci: 'on', usb: 'on' }), { vboxVersion: V70 }))).toEqual([]);
    expect(ids(advise(vm({ ehci: 'on', usb: 'on' }), { vboxVersion: undefined }))).toEqual([]);
  });
});

describe('API limits', () => {
  it('values outside the API ranges are errors', () => {
    expect(ids(advise(vm({ memory: 3 })))).toEqual(['vbox.limits.memory-range']);
    expect(ids(advise(vm({ cpuexecutioncap: 0 })))).toContain('vbox.limits.execution-cap-range');
    expect(ids(advise(vm({ monitorcount: 65, vram: 256 })))).toContain('vbox.limits.monitors-range');
    expect(ids(advise(vm({ vram: 257 })))).toEqual(['vbox.limits.vram-range']);
    // vCPU maximum: 32 on 6.1, 64 on 7.x.
    const big = vm({ cpus: 33 });
    const many = hostWith({ cores: 64, threads: 128 });
    expect(ids(advise(big, { vboxVersion: V61, host: many }))).toEqual(['vbox.limits.cpus-range']);
    expect(ids(advise(big, { vboxVersion: V70, host: many }))).toEqual([]);
  });

  it('7.1 per-controller VRAM minimum (16 MB for VMSVGA with 3D)', () => {
    const config = vm({ vram: 12, accelerate3d: 'on', ostype: 'Other/Unknown', effparavirtprovider: 'none' });
    expect(ids(advise(config, { vboxVersion: V71 }))).toEqual(['vbox.limits.vram-range']);
    expect(ids(advise(config, { vboxVersion: V70 }))).toEqual([]);
  });
});

describe('host memory of all running VMs', () => {
  it('warns when this VM plus the running ones pass the warning line', () => {
    const config = vm({ memory: 2048 });
    const f = only(advise(config, { runningVms: [{ memoryMB: 4096 }] }), 'host.memory.running-total');
    expect(f.numbers).toEqual({
      memoryMB: 2048,
      othersMB: 4096,
      totalMB: 6144,
      hostMB: 8192,
      percent: 75,
      runningVms: 1,
    });
    expect(f.reason.en).toContain(
      "This VM's 2048 MB plus 4096 MB for 1 other running VM make 6144 MB, 75 % of this host's 8192 MB",
    );
    expect(f.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --memory 1536`);
    expect(ids(advise(config, { runningVms: [{ memoryMB: 3686 }] }))).toEqual([]);
    expect(ids(advise(config, { runningVms: [{ memoryMB: 3687 }] }))).toEqual(['host.memory.running-total']);
    // The VM itself in the running list is not counted twice.
    expect(
      ids(advise(config, { runningVms: [{ id: UUID.toUpperCase(), memoryMB: 2048 }, { memoryMB: 3000 }] })),
    ).toEqual([]);
    expect(ids(advise(config, { runningVms: [] }))).toEqual([]);
  });

  it('a host without VT-x/AMD-V is reported', () => {
    expect(ids(advise(vm(), { host: hostWith({ supportsHwVirt: false }) }))).toEqual([
      'host.acceleration.no-hwvirt',
    ]);
  });
});

describe('Windows 11', () => {
  const win11 = {
    ostype: 'Windows 11 (64-bit)',
    graphicscontroller: 'vboxsvga',
    effparavirtprovider: 'hyperv',
    vram: 128,
    cpus: 2,
    memory: 4096,
  };

  it('BIOS, too little memory and one vCPU', () => {
    const f = advise(vm({ ...win11, memory: 2048, cpus: 1 }));
    expect(
      ids(f)
        .filter((i) => i.startsWith('learner.win11'))
        .sort(),
    ).toEqual([
      'learner.win11.cpus',
      'learner.win11.efi',
      'learner.win11.memory',
      'learner.win11.tpm-not-reported',
    ]);
    expect(only(f, 'learner.win11.efi').fix?.command).toBe(`VBoxManage modifyvm ${UUID} --firmware efi`);
    expect(only(f, 'learner.win11.memory').fix?.command).toBe(`VBoxManage modifyvm ${UUID} --memory 4096`);
  });

  it('EFI with Secure Boot off (7.1 prints it) or not reported (7.0)', () => {
    const off = advise(vm({ ...win11, firmware: 'EFI', SecureBoot: 'off' }), { vboxVersion: V71 });
    expect(ids(off)).toEqual(['learner.win11.secure-boot-off', 'learner.win11.tpm-not-reported']);
    expect(only(off, 'learner.win11.secure-boot-off').fix?.command).toBe(
      `VBoxManage modifynvram ${UUID} secureboot --enable`,
    );
    expect(ids(advise(vm({ ...win11, firmware: 'EFI', SecureBoot: 'on' }), { vboxVersion: V71 }))).toEqual([
      'learner.win11.tpm-not-reported',
    ]);
    expect(ids(advise(vm({ ...win11, firmware: 'EFI' }), { vboxVersion: V70 }))).toEqual([
      'learner.win11.secure-boot-not-reported',
      'learner.win11.tpm-not-reported',
    ]);
  });

  it('TPM: from the .vbox when known; 6.1 has none', () => {
    const withTpm = (value: string): VmConfig => {
      const c = vm({ ...win11, firmware: 'EFI', SecureBoot: 'on' });
      c.system.tpm = { value, key: 'TrustedPlatformModule/@type', raw: value };
      return c;
    };
    expect(ids(advise(withTpm('v2_0'), { vboxVersion: V71 }))).toEqual([]);
    const missing = only(advise(withTpm('none'), { vboxVersion: V71 }), 'learner.win11.tpm-missing');
    expect(missing.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --tpm-type 2.0`);
    const old = advise(vm({ ...win11, firmware: 'EFI' }), { vboxVersion: V61 });
    expect(ids(old)).toEqual(['learner.win11.secure-boot-off', 'learner.win11.tpm-missing']);
    expect(old.every((f) => f.fix === undefined)).toBe(true);
    expect(only(old, 'learner.win11.tpm-missing').reason.en).toContain('VirtualBox 6.1 has no virtual TPM');
  });

  it('not for Windows 10', () => {
    expect(ids(advise(vm({ ...win11, ostype: 'Windows 10 (64-bit)' })))).toEqual([]);
  });
});

describe('paravirtualization interface', () => {
  it('Linux with Hyper-V, Windows with KVM, legacy None', () => {
    const lin = only(
      advise(vm({ paravirtprovider: 'hyperv', effparavirtprovider: 'hyperv' })),
      'learner.acceleration.paravirt-mismatch',
    );
    expect(lin.fix?.command).toBe(`VBoxManage modifyvm ${UUID} --paravirt-provider kvm`);
    expect(
      only(
        advise(vm({ paravirtprovider: 'hyperv', effparavirtprovider: 'hyperv' }), { vboxVersion: V61 }),
        'learner.acceleration.paravirt-mismatch',
      ).fix?.command,
    ).toBe(`VBoxManage modifyvm ${UUID} --paravirtprovider kvm`);
    const win = { ostype: 'Windows 10 (64-bit)', graphicscontroller: 'vboxsvga', vram: 128 };
    expect(ids(advise(vm({ ...win, paravirtprovider: 'kvm', effparavirtprovider: 'kvm' })))).toEqual([
      'learner.acceleration.paravirt-mismatch',
    ]);
    expect(ids(advise(vm({ ...win, paravirtprovider: 'default', effparavirtprovider: 'hyperv' })))).toEqual(
      [],
    );
    // Without effparavirtprovider: legacy resolves to None.
    expect(ids(advise(vm({ paravirtprovider: 'legacy', effparavirtprovider: null })))).toEqual([
      'learner.acceleration.paravirt-mismatch',
    ]);
    expect(ids(advise(vm({ paravirtprovider: 'default', effparavirtprovider: null })))).toEqual([]);
    // Guests without a paravirtual interface are not judged.
    expect(
      ids(
        advise(vm({ ostype: 'FreeBSD (64-bit)', graphicscontroller: 'vboxvga', effparavirtprovider: 'kvm' })),
      ),
    ).toEqual([]);
  });

  it('macOS guests need Minimal', () => {
    const mac = { ostype: 'macOS 10.13 High Sierra (64-bit)', graphicscontroller: 'vboxvga', vram: 128 };
    expect(ids(advise(vm({ ...mac, paravirtprovider: 'kvm', effparavirtprovider: 'kvm' })))).toEqual([
      'learner.acceleration.paravirt-macos-minimal',
    ]);
    expect(ids(advise(vm({ ...mac, paravirtprovider: 'default', effparavirtprovider: 'minimal' })))).toEqual(
      [],
    );
  });
});

describe('flag spelling and quoting', () => {
  it('modifyFlag: 6.1 legacy, 7.0 dashed, 7.1+ --x86-… where it exists, unknown → 7.x', () => {
    const cap = (v?: { major: number; minor: number }) =>
      modifyFlag('--cpu-execution-cap', '--cpuexecutioncap', undefined, v);
    expect(cap({ major: 5, minor: 2 })).toBe('--cpuexecutioncap');
    expect(cap(V61)).toBe('--cpuexecutioncap');
    expect(cap(V70)).toBe('--cpu-execution-cap');
    expect(cap(V71)).toBe('--cpu-execution-cap');
    expect(cap(undefined)).toBe('--cpu-execution-cap');
    const np = (v?: { major: number; minor: number }) =>
      modifyFlag('--nested-paging', '--nestedpaging', '--x86-nested-paging', v);
    expect(np(V61)).toBe('--nestedpaging');
    expect(np(V70)).toBe('--nested-paging');
    expect(np(V71)).toBe('--x86-nested-paging');
    expect(np({ major: 8, minor: 0 })).toBe('--x86-nested-paging');
    expect(np(undefined)).toBe('--nested-paging');
    expect(modifyFlag('--nested-hw-virt', undefined, '--x86-nested-hw-virt', V61)).toBe('--nested-hw-virt');
  });

  it('quoteArg keeps plain words bare and quotes the rest per host OS', () => {
    expect(quoteArg('--cpus', 'linux')).toBe('--cpus');
    expect(quoteArg('ssh,tcp,127.0.0.1,2222,,22', 'linux')).toBe('ssh,tcp,127.0.0.1,2222,,22');
    expect(quoteArg('<host interface>', 'linux')).toBe('<host interface>');
    expect(quoteArg('en0: Wi-Fi', 'darwin')).toBe('"en0: Wi-Fi"');
    expect(quoteArg('SATA Controller', 'win32')).toBe('"SATA Controller"');
    expect(quoteArg('a$b', 'linux')).toBe("'a$b'");
    expect(quoteArg("it's $x", 'linux')).toBe("'it'\\''s $x'");
    expect(quoteArg('say "hi"', 'win32')).toBe('"say ""hi"""');
  });

  it('controller names with spaces are quoted in storage commands', () => {
    const c = vm(
      {
        storagecontrollername0: 'SATA Controller',
        '"SATA-0-0"': null,
        '"SATA-ImageUUID-0-0"': null,
        storagecontrollerportcount0: '2',
      },
      [
        ['"SATA Controller-0-0"', '/d.vdi'],
        ['"SATA Controller-1-0"', '/d.vdi'],
      ],
    );
    expect(only(advise(c), 'vbox.storage.medium-attached-twice').fix?.command).toBe(
      `VBoxManage storageattach ${UUID} --storagectl "SATA Controller" --port 1 --device 0 --medium none`,
    );
  });

  it('a dump without a UUID gets findings but no commands', () => {
    const f = advise(showVmInfoToConfig(dump({ UUID: null, memory: 8000 }), 'file'));
    expect(ids(f)).toEqual(['vbox.system.ram-over-error']);
    expect(f[0].fix).toBeUndefined();
  });
});

describe('ordering', () => {
  it('errors first, then warnings, then info', () => {
    const f = advise(vm({ memory: 8000, cpus: 4, 'Forwarding(0)': null, vram: 8 }));
    expect(ids(f)).toEqual([
      'vbox.system.ram-over-error',
      'vbox.display.vram-below-required',
      'host.processor.all-physical-cores',
      'host.network.nat-unreachable',
    ]);
  });
});

import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ADVICE_RULES, evaluateAdvice, type AdviceContext } from '../../app/core/advice/index.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import type { AdviceRuleInfo, Finding } from '../../app/shared/advice.ts';
import { CATALOG, getEntry } from '../../app/shared/catalog-data.ts';
import { MIRROR_CONTROL_IDS } from '../../app/shared/catalog-ids.ts';
import { SettingIdSchema } from '../../app/shared/contract.ts';
import type { HostFacts, VmConfig } from '../../app/shared/model.ts';

const DIR = new URL('../fixtures/showvminfo/', import.meta.url);
const FILES = readdirSync(DIR)
  .filter((f) => f.endsWith('.txt'))
  .sort();
const load = (file: string): VmConfig => showVmInfoToConfig(readFileSync(new URL(file, DIR), 'utf8'), 'file');
const fixture = (prefix: string): VmConfig => {
  const file = FILES.find((f) => f.startsWith(prefix));
  if (!file) throw new Error(`no fixture ${prefix}`);
  return load(file);
};

const HOST: HostFacts = { cores: 4, threads: 8, memoryMB: 8192, os: 'Linux', fromHostInfo: true };
const V61 = { major: 6, minor: 1 };
const V70 = { major: 7, minor: 0 };
const V71 = { major: 7, minor: 1 };
const advise = (config: VmConfig, ctx: Partial<AdviceContext> = {}): Finding[] =>
  evaluateAdvice(config, { host: HOST, hostOs: 'linux', vboxVersion: V70, ...ctx });
const ids = (findings: Finding[]): string[] => findings.map((f) => f.id);
const only = (findings: Finding[], id: string): Finding => {
  const hits = findings.filter((f) => f.id === id);
  if (hits.length !== 1)
    throw new Error(`expected one ${id}, got ${hits.length}: ${ids(findings).join(', ')}`);
  return hits[0];
};

/** Setting ids of rules that are not mirror controls or have no catalog entry. */
function unknownSettingIds(rules: readonly AdviceRuleInfo[]): string[] {
  const mirror = new Set<string>(MIRROR_CONTROL_IDS);
  return rules
    .map((r) => r.settingId as string)
    .filter((id) => !mirror.has(id) || getEntry(id) === undefined);
}

describe('rules table', () => {
  it('every rule names a setting the mirror shows and the catalog explains', () => {
    expect(unknownSettingIds(ADVICE_RULES)).toEqual([]);
    // The check itself catches a misspelt id.
    const bad = { ...ADVICE_RULES[0], settingId: 'system.processor.cpuz' } as unknown as AdviceRuleInfo;
    expect(unknownSettingIds([...ADVICE_RULES, bad])).toEqual(['system.processor.cpuz']);
  });

  it('ids are unique, stable-looking and prefixed by their source; VirtualBox rules cite a source file', () => {
    const seen = new Set<string>();
    for (const r of ADVICE_RULES) {
      expect(seen.has(r.id), r.id).toBe(false);
      seen.add(r.id);
      expect(r.id).toMatch(/^(vbox|host|learner)\.[a-z0-9]+\.[a-z0-9-]+$/);
      expect({ vbox: 'virtualbox', host: 'host', learner: 'learner' }[r.id.split('.')[0]]).toBe(r.source);
      if (r.source === 'virtualbox') expect(r.ref).toMatch(/\.(cpp|xsd)\b/);
      else expect(r.ref.length).toBeGreaterThan(10);
    }
  });

  it('counts by source', () => {
    const count = (s: string): number => ADVICE_RULES.filter((r) => r.source === s).length;
    expect({ virtualbox: count('virtualbox'), host: count('host'), learner: count('learner') }).toEqual({
      virtualbox: 47,
      host: 6,
      learner: 13,
    });
    expect(ADVICE_RULES).toHaveLength(66);
  });
});

/** A VM built from a real dump and changed so that nearly every rule with a fix fires. */
function kitchenSink(): VmConfig {
  const c = fixture('vbox70-encryption');
  const s = c.system;
  s.memoryMB!.value = 9000;
  s.cpus!.value = 9;
  s.executionCapPercent!.value = 30;
  s.ioApic!.value = false;
  s.chipset!.value = 'ich9';
  s.nestedHwVirt!.value = true;
  s.nestedPaging!.value = false;
  s.hwVirtEx!.value = false;
  s.pointingDevice!.value = 'usbtablet';
  s.paravirtProvider!.value = 'hyperv';
  s.effectiveParavirtProvider!.value = 'hyperv';
  c.display.vramMB!.value = 300;
  c.display.monitorCount!.value = 65;
  c.display.vrdePorts!.value = '';
  c.usb.ehci!.value = true;
  c.network[0].macAddress!.value = '090027AABB01';
  c.network[0].portForwards[0].hostPort = 22;
  c.serial[0].enabled.value = true;
  c.serial[0].ioBase = '0x3f8';
  c.serial[0].irq = 4;
  c.serial[0].mode = { value: 'file', key: 'uartmode1', raw: 'file,' };
  c.serial[0].path = '';
  c.serial[1].enabled.value = true;
  c.serial[1].ioBase = '0x3f8';
  c.serial[1].irq = 4;
  return c;
}

describe('fix commands use the catalog spellings', () => {
  /** Every `--flag` of every modifyvm fix, with indexes turned into N. */
  const flagsOf = (findings: Finding[]): Set<string> => {
    const out = new Set<string>();
    for (const f of findings) {
      const cmd = f.fix?.command ?? '';
      if (!cmd.startsWith('VBoxManage modifyvm ')) continue;
      for (const m of cmd.matchAll(/\s(--[a-z0-9-]+)/g)) out.add(m[1].replace(/\d+$/, 'N'));
    }
    return out;
  };
  const modify = CATALOG.flatMap((e) => (e.modifyvm && !e.modifyvm.command ? [e.modifyvm] : []));
  // Options the mirror has no own control for (reference §2.5, §2.8, §2.10): the other "Name" fields of a NIC, the VRDE port, EHCI.
  const EXTRA_7X = [
    '--intnetN',
    '--host-only-adapterN',
    '--host-only-netN',
    '--nat-networkN',
    '--cloud-networkN',
    '--nic-generic-drvN',
    '--vrde-port',
    '--usb-ehci',
  ];
  const EXTRA_61 = ['--intnetN', '--hostonlyadapterN', '--nat-networkN', '--vrdeport', '--usbehci'];
  const sink = kitchenSink();
  const ctx = { extensionPack: false, runningVms: [{ memoryMB: 4096 }] };

  it('7.0 uses the catalog flags (7.x spelling)', () => {
    const allowed = new Set([...modify.map((m) => m.flag), ...EXTRA_7X]);
    const used = flagsOf(advise(sink, { ...ctx, vboxVersion: V70 }));
    expect(used.size).toBeGreaterThan(12);
    expect([...used].filter((f) => !allowed.has(f))).toEqual([]);
  });

  it('6.1 uses the catalog legacy spellings', () => {
    const allowed = new Set([...modify.map((m) => m.legacy ?? m.flag), ...EXTRA_61]);
    const used = flagsOf(advise(sink, { ...ctx, vboxVersion: V61 }));
    expect(used.has('--cpuexecutioncap')).toBe(true);
    expect([...used].filter((f) => !allowed.has(f))).toEqual([]);
  });

  it('7.1 adds --x86-… only for x86 CPU options', () => {
    const allowed = new Set([...modify.map((m) => m.flag), ...EXTRA_7X]);
    const used = flagsOf(advise(sink, { ...ctx, vboxVersion: V71 }));
    const x86 = [...used].filter((f) => f.startsWith('--x86-'));
    expect(x86.sort()).toEqual(['--x86-nested-paging']);
    expect(x86.every((f) => allowed.has(f.replace('--x86-', '--')))).toBe(true);
    expect([...used].filter((f) => !f.startsWith('--x86-') && !allowed.has(f))).toEqual([]);
  });
});

describe('every real showvminfo fixture', () => {
  const RULE = new Map(ADVICE_RULES.map((r) => [r.id, r]));
  const CJK = /[\u4e00-\u9fff]/;

  it.each(FILES)('%s: evaluates on every version and host OS with well-formed findings', (file) => {
    const config = load(file);
    for (const vboxVersion of [V61, V70, V71, undefined])
      for (const hostOs of ['linux', 'darwin', 'win32'] as const) {
        const findings = advise(config, { vboxVersion, hostOs, runningVms: [{ memoryMB: 1024 }] });
        for (const f of findings) {
          const rule = RULE.get(f.id);
          expect(rule, f.id).toBeDefined();
          expect([f.severity, f.source, f.ref]).toEqual([rule!.severity, rule!.source, rule!.ref]);
          expect(f.settingId === rule!.settingId || f.settingId.startsWith(`${rule!.settingId}#`)).toBe(true);
          expect(SettingIdSchema.safeParse(f.settingId).success, f.settingId).toBe(true);
          for (const t of [f.title, f.reason, ...(f.fix?.note ? [f.fix.note] : [])]) {
            expect(t.en.trim().length).toBeGreaterThan(5);
            expect(t['zh-CN']).toMatch(CJK);
          }
          if (f.fix) {
            expect(config.id).not.toBe('');
            expect(f.fix.command).toMatch(
              new RegExp(`^VBoxManage (modifyvm|storageattach|modifynvram) ${config.id} \\S`),
            );
            const name = config.general.name?.value ?? '';
            if (name.length >= 4) expect(f.fix.command).not.toContain(name);
          }
          for (const n of Object.values(f.numbers ?? {})) expect(Number.isFinite(n)).toBe(true);
        }
      }
  });

  it('the EFI/virtio/7-vCPU dump: vCPU warning on 4 cores, error on 3, memory error on 8 GB', () => {
    const c = fixture('vbox60-linux-efi-virtio-bridged-7cpus');
    const four = advise(c);
    expect(ids(four)).toEqual(['vbox.system.ram-over-error', 'vbox.processor.cpus-over-cores']);
    expect(only(four, 'vbox.processor.cpus-over-cores').numbers).toEqual({
      cpus: 7,
      hostCores: 4,
      hostThreads: 8,
    });
    expect(only(four, 'vbox.system.ram-over-error').numbers).toMatchObject({
      memoryMB: 11827,
      hostMB: 8192,
      percent: 144,
    });
    expect(only(four, 'vbox.processor.cpus-over-cores').fix?.command).toBe(
      'VBoxManage modifyvm 8c722e19-bd30-4eb3-b36a-95fc4e20c072 --cpus 3',
    );
    const three = advise(c, { host: { ...HOST, cores: 3, threads: 6, memoryMB: 16384 } });
    expect(ids(three)).toEqual(['vbox.processor.cpus-over-twice-cores']);
    expect(only(three, 'vbox.processor.cpus-over-twice-cores').numbers).toMatchObject({ cpus: 7, limit: 6 });
  });

  it('the 7.0 dump on an 8 GB host: memory warning, 4 MB VRAM, VBoxVGA for Ubuntu, all cores', () => {
    const f = advise(fixture('vbox70-encryption'));
    expect(ids(f)).toEqual([
      'vbox.system.ram-over-warning',
      'vbox.display.vram-below-required',
      'vbox.display.controller-not-recommended',
      'host.processor.all-physical-cores',
    ]);
    expect(only(f, 'vbox.system.ram-over-warning').reason.en).toContain(
      "6144 MB is 75 % of this host's 8192 MB; VirtualBox warns above 70 % (5734 MB)",
    );
    expect(only(f, 'vbox.display.vram-below-required').numbers).toEqual({
      vramMB: 4,
      requiredMB: 9,
      monitors: 1,
    });
  });

  it('the Sailfish SDK dump: 8192 MB on an 8 GB host and 6 vCPUs', () => {
    expect(ids(advise(fixture('vbox52-windows-host-sailfish')))).toEqual([
      'vbox.system.ram-over-error',
      'vbox.processor.cpus-over-cores',
    ]);
  });

  it('the running Windows 2016 box: 3D with VBoxVGA, paravirtualization None', () => {
    const f = advise(fixture('vbox612-macos-host-running'), {
      hostOs: 'darwin',
      vboxVersion: { major: 6, minor: 1 },
    });
    expect(only(f, 'vbox.display.3d-needs-recommended-controller').fix?.command).toBe(
      'VBoxManage modifyvm c8775131-d296-4ad5-bf03-84ff719e6e4c --graphicscontroller vboxsvga',
    );
    expect(only(f, 'learner.acceleration.paravirt-mismatch').fix?.command).toBe(
      'VBoxManage modifyvm c8775131-d296-4ad5-bf03-84ff719e6e4c --paravirtprovider hyperv',
    );
  });

  it('bridged over Wi-Fi in three dumps, not over wired interfaces', () => {
    const wifi = FILES.filter((file) => ids(advise(load(file))).includes('host.network.bridged-wifi'));
    expect(wifi).toEqual([
      'vbox312-macos-banner-null-values-floppy-bridged-airport.txt',
      'vbox516-linux-host-xenial-base-vm-bridged-wireless-wlp2s0-scsi-configdrive.txt',
      'vbox60-windows-host-bridged-wifi-mixed-backslash-escaping.txt',
    ]);
  });

  it('NAT without forwards and no host-only adapter', () => {
    expect(only(advise(fixture('vbox52-macos')), 'host.network.nat-unreachable').settingId).toBe(
      'network.adapter.portForwarding#1',
    );
    expect(ids(advise(fixture('vbox5040-ubuntu-host-poweroff')))).not.toContain(
      'host.network.nat-unreachable',
    );
  });

  it('host-only adapter on a macOS host with 7.x', () => {
    const c = fixture('vbox5040-ubuntu-host-poweroff');
    const f = only(advise(c, { hostOs: 'darwin', vboxVersion: V70 }), 'vbox.network.hostonly-adapter-macos');
    expect(f.settingId).toBe('network.adapter.attachedTo#2');
    expect(f.fix?.command).toBe(
      'VBoxManage modifyvm 60390da3-a196-41f4-8e18-d669ff63c247 --nic2 hostonlynet --host-only-net2 <network>',
    );
    expect(ids(advise(c, { hostOs: 'linux', vboxVersion: V70 }))).not.toContain(
      'vbox.network.hostonly-adapter-macos',
    );
    // The 7.0 fragment already uses a host-only network.
    expect(ids(advise(fixture('vbox70-fragment'), { hostOs: 'darwin', vboxVersion: V70 }))).toEqual([]);
  });

  it('legacy paravirtualization for an Ubuntu guest, spelled for 6.1', () => {
    const f = only(
      advise(fixture('vbox514-windows'), { vboxVersion: V61, hostOs: 'win32' }),
      'learner.acceleration.paravirt-mismatch',
    );
    expect(f.reason.en).toContain('The interface is Legacy (in effect: None)');
    expect(f.fix?.command).toBe(
      'VBoxManage modifyvm 9ceb5ca5-4f40-49e2-abfe-1a9fa9b05e7d --paravirtprovider kvm',
    );
  });

  it('dumps with nothing to say', () => {
    for (const prefix of [
      'vbox516-linux-host-lsilogic',
      'vbox6132-ubuntu-host-non-vagrant',
      'vbox6132-ubuntu-host-win2016srv',
    ])
      expect(ids(advise(fixture(prefix))), prefix).toEqual([]);
  });
});

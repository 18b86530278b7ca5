import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseDomainXml } from '../../app/core/kvm/domain-xml.ts';
import { getEntry } from '../../app/shared/catalog-data.ts';
import { MIRROR_CONTROL_IDS } from '../../app/shared/catalog-ids.ts';
import { ForeignCatalogSchema, KVM_PAGES } from '../../app/shared/foreign-catalog.ts';
import { KVM_CATALOG, getKvmEntry, kvmCatalogById } from '../../app/shared/kvm-catalog-data.ts';
import { KVM_CONTROL_IDS } from '../../app/shared/kvm-ids.ts';
import { VMWARE_CONTROL_IDS } from '../../app/shared/vmware-ids.ts';

/** The KVM catalog: schema, ids, texts in both languages, cross-hypervisor links, and coverage by the reader. */

const DIR = 'resources/catalog/kvm';
const CJK = /[\u4e00-\u9fff]/;

describe('KVM catalog files', () => {
  it('one file per KVM page, each valid against ForeignCatalogSchema', () => {
    expect(
      readdirSync(DIR)
        .filter((f) => f.endsWith('.json'))
        .sort(),
    ).toEqual(KVM_PAGES.map((p) => `${p}.json`).sort());
    for (const page of KVM_PAGES) {
      const raw = JSON.parse(readFileSync(`${DIR}/${page}.json`, 'utf8')) as unknown[];
      const parsed = ForeignCatalogSchema.safeParse(raw);
      expect(parsed.success, `${page}.json: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      expect(raw.length, page).toBeGreaterThan(0);
    }
  });

  it('ids are exactly KVM_CONTROL_IDS, in the same order, unique, kvm.<page>.<control>', () => {
    expect(KVM_CATALOG.map((e) => e.id)).toEqual([...KVM_CONTROL_IDS]);
    expect(kvmCatalogById.size).toBe(KVM_CATALOG.length);
    expect(KVM_CATALOG).toHaveLength(86);
    const perPage = Object.fromEntries(
      KVM_PAGES.map((p) => [p, KVM_CATALOG.filter((e) => e.page === p).length]),
    );
    expect(perPage).toEqual({
      overview: 20,
      cpus: 8,
      memory: 5,
      boot: 6,
      disks: 13,
      nics: 9,
      display: 9,
      devices: 16,
    });
    for (const e of KVM_CATALOG) {
      expect(e.hypervisor).toBe('kvm');
      expect(e.id.startsWith(`kvm.${e.page}.`)).toBe(true);
    }
  });

  it('getKvmEntry strips instance suffixes and returns undefined for unknown ids', () => {
    expect(getKvmEntry('kvm.disks.bus#vda')?.label).toEqual({ en: 'Disk bus', 'zh-CN': '磁盘总线' });
    expect(getKvmEntry('kvm.nics.model#2')?.id).toBe('kvm.nics.model');
    expect(getKvmEntry('kvm.nope.nothing')).toBeUndefined();
    expect(getKvmEntry('network.adapter.mac')).toBeUndefined();
  });

  it('texts: English without Chinese, zh-CN in Chinese, no empty or placeholder text', () => {
    for (const e of KVM_CATALOG) {
      for (const field of ['label', 'what', 'tradeoffs', 'range', 'default'] as const) {
        const t = e[field];
        expect(CJK.test(t.en), `${e.id}.${field}.en`).toBe(false);
        // Acronym labels (UUID, ACPI, TPM, OpenGL) stay as they are in Chinese UIs; every other text is Chinese.
        if (!(field === 'label' && t['zh-CN'] === t.en))
          expect(CJK.test(t['zh-CN']), `${e.id}.${field}.zh-CN`).toBe(true);
        expect(t.en).not.toMatch(/TODO|TBD|lorem/i);
      }
      expect(e.what.en.length, e.id).toBeGreaterThan(40);
      expect(e.tradeoffs.en.length, e.id).toBeGreaterThan(40);
      for (const v of e.values ?? []) {
        expect(v.label.en.length).toBeGreaterThan(0);
        if (v.note) expect(CJK.test(v.note['zh-CN']), `${e.id} value ${v.value}`).toBe(true);
      }
      const values = (e.values ?? []).map((v) => v.value);
      expect(new Set(values).size, e.id).toBe(values.length);
    }
  });

  it('keys are libvirt XML paths (or dominfo labels); changes are virt-xml / virsh commands', () => {
    for (const e of KVM_CATALOG) {
      expect(e.keys.length, e.id).toBeGreaterThan(0);
      for (const k of e.keys) expect(k, e.id).toMatch(/^(domain\/|dominfo\/)/);
      if (e.change !== undefined) expect(e.change, e.id).toMatch(/^(virt-xml|virsh) --connect <uri> /);
    }
    expect(KVM_CATALOG.filter((e) => e.change === undefined).map((e) => e.id)).toEqual([
      'kvm.overview.uuid',
      'kvm.overview.status',
      'kvm.overview.architecture',
      'kvm.disks.device',
      'kvm.disks.target',
      'kvm.nics.target',
    ]);
  });

  it('equivalents point at existing VirtualBox and VMware controls', () => {
    const vbox = new Set<string>(MIRROR_CONTROL_IDS);
    const vmware = new Set<string>(VMWARE_CONTROL_IDS);
    let vboxLinks = 0;
    let vmwareLinks = 0;
    for (const e of KVM_CATALOG) {
      expect(e.equivalent.kvm, e.id).toBeUndefined();
      if (e.equivalent.virtualbox) {
        vboxLinks++;
        expect(vbox.has(e.equivalent.virtualbox), `${e.id} → ${e.equivalent.virtualbox}`).toBe(true);
        expect(getEntry(e.equivalent.virtualbox), e.equivalent.virtualbox).toBeDefined();
      }
      if (e.equivalent.vmware) {
        vmwareLinks++;
        expect(vmware.has(e.equivalent.vmware), `${e.id} → ${e.equivalent.vmware}`).toBe(true);
      }
    }
    expect([vboxLinks, vmwareLinks]).toEqual([61, 37]);
    // The example: VirtualBox "Attached to: NAT" ↔ VMware "NAT" ↔ libvirt <interface type='network'>.
    expect(getKvmEntry('kvm.nics.source')?.equivalent).toEqual({
      virtualbox: 'network.adapter.attachedTo',
      vmware: 'vmware.network.connection',
    });
    expect(getKvmEntry('kvm.memory.current')?.equivalent).toEqual({
      virtualbox: 'system.motherboard.memory',
      vmware: 'vmware.memory.size',
    });
  });
});

describe('the reader fills the catalog', () => {
  const node = readFileSync('tests/fixtures/libvirt-test/node.xml', 'utf8');
  const docs = node
    .split(/(?=<domain )/)
    .slice(1)
    .map((b) => b.slice(0, b.indexOf('</domain>') + '</domain>'.length));
  docs.push(readFileSync('tests/fixtures/libvirt/vagrant-libvirt-existing-qemu-domain.xml', 'utf8'));
  const configs = docs.map((d) => parseDomainXml(d));

  it('every native key of the fixture and the five node domains has a catalog entry', () => {
    expect(configs).toHaveLength(6);
    for (const c of configs)
      for (const k of Object.keys(c.native ?? {})) expect(getKvmEntry(k), k).toBeDefined();
  });

  it('all but five catalog controls are read from these files; the rest come from virsh or newer libvirt', () => {
    const seen = new Set(configs.flatMap((c) => Object.keys(c.native ?? {}).map((k) => k.split('#')[0])));
    expect(KVM_CONTROL_IDS.filter((id) => !seen.has(id))).toEqual([
      'kvm.overview.status', // virsh dominfo
      'kvm.boot.autostart', // virsh dominfo
      'kvm.nics.target', // live XML of a running domain only
      'kvm.nics.backend', // passt: libvirt 9.2+ (covered by kvm-domain-xml.test.ts)
      'kvm.nics.portForward', // passt: libvirt 9.2+ (covered by kvm-domain-xml.test.ts)
    ]);
  });

  it('a password in a domain file is reported as set, never kept', () => {
    const web = configs.find((c) => c.general.name?.value === 'web-bridge')!;
    expect(web.native?.['kvm.display.password']).toEqual({
      value: 'set',
      key: 'domain/devices/graphics[1]/@passwd',
      raw: '(hidden)',
    });
    expect(JSON.stringify(web)).not.toContain('web-vnc-pw');
  });
});

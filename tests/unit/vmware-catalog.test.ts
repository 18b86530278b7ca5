import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { getEntry } from '../../app/shared/catalog-data.ts';
import { ForeignCatalogSchema, VMWARE_PAGES } from '../../app/shared/foreign-catalog.ts';
import {
  VMWARE_CATALOG,
  getVmwareEntry,
  vmwareControlForKey,
  vmxKeyPattern,
} from '../../app/shared/vmware-catalog-data.ts';
import {
  VMWARE_CONTROL_IDS,
  isVmwareControlId,
  vmwareControlValue,
  vmwareInstanceKind,
  vmwareInstances,
  type VmwareControlId,
} from '../../app/shared/vmware-ids.ts';
import { readVmx } from '../../app/core/vmware/index.ts';
import { parseVmx } from '../../app/core/vmware/parse-vmx.ts';

const CAT_DIR = new URL('../../resources/catalog/vmware/', import.meta.url);
const VMX_DIR = new URL('../fixtures/vmx/', import.meta.url);
const CJK = /[\u4e00-\u9fff]/;

/** Controls whose value is not in the .vmx at all. */
const KEYLESS = ['vmware.disks.capacity', 'vmware.cdrom.connected', 'vmware.network.connected'];

const fixtures = readdirSync(VMX_DIR)
  .filter((f) => f.endsWith('.vmx'))
  .map((f) => ({
    file: f,
    config: readVmx(readFileSync(new URL(f, VMX_DIR)), { path: `/v/${f}`, platform: 'linux' }).config,
  }));

describe('VMware catalog files', () => {
  it('one file per page, each valid against ForeignCatalogEntrySchema', () => {
    const files = readdirSync(CAT_DIR).sort();
    expect(files).toEqual([...VMWARE_PAGES].map((p) => `${p}.json`).sort());
    for (const page of VMWARE_PAGES) {
      const raw = JSON.parse(readFileSync(new URL(`${page}.json`, CAT_DIR), 'utf8'));
      const parsed = ForeignCatalogSchema.safeParse(raw);
      expect(parsed.success, `${page}.json: ${parsed.success ? '' : parsed.error.message}`).toBe(true);
      for (const e of raw) {
        expect(e.page).toBe(page);
        expect(e.hypervisor).toBe('vmware');
        expect(['hardware', 'options']).toContain(e.tab);
        expect(e.tab).toBe(page === 'options' ? 'options' : 'hardware');
      }
    }
  });

  it('VMWARE_CONTROL_IDS lists exactly the catalog ids, each once', () => {
    const ids = VMWARE_CATALOG.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect([...ids].sort()).toEqual([...VMWARE_CONTROL_IDS].sort());
    expect(VMWARE_CONTROL_IDS).toHaveLength(77);
    for (const id of VMWARE_CONTROL_IDS) {
      expect(getVmwareEntry(id)?.id).toBe(id);
      expect(getVmwareEntry(`${id}#ethernet0`)?.id).toBe(id);
      expect(isVmwareControlId(`${id}#x`)).toBe(true);
    }
    expect(getVmwareEntry('vmware.memory.nope')).toBeUndefined();
    expect(isVmwareControlId('system.processor.cpus')).toBe(false);
  });

  it('every page has entries, in VMware Hardware-list order', () => {
    expect([...new Set(VMWARE_CATALOG.map((e) => e.page))]).toEqual([...VMWARE_PAGES]);
    const counts = Object.fromEntries(
      VMWARE_PAGES.map((p) => [p, VMWARE_CATALOG.filter((e) => e.page === p).length]),
    );
    expect(counts).toEqual({
      memory: 1,
      processors: 6,
      disks: 7,
      cdrom: 6,
      network: 9,
      usb: 5,
      sound: 4,
      display: 6,
      serial: 6,
      options: 27,
    });
  });

  it('every equivalent.virtualbox id exists in the VirtualBox catalog', () => {
    const withEq = VMWARE_CATALOG.filter((e) => e.equivalent.virtualbox);
    expect(withEq.length).toBeGreaterThanOrEqual(50);
    for (const e of withEq)
      expect(
        getEntry(e.equivalent.virtualbox as string),
        `${e.id} → ${e.equivalent.virtualbox}`,
      ).toBeDefined();
    expect(getVmwareEntry('vmware.memory.size')?.equivalent.virtualbox).toBe('system.motherboard.memory');
    expect(getVmwareEntry('vmware.network.connection')?.equivalent.virtualbox).toBe(
      'network.adapter.attachedTo',
    );
  });

  it('texts are written in both languages', () => {
    for (const e of VMWARE_CATALOG) {
      for (const field of ['label', 'what', 'tradeoffs', 'range', 'default'] as const) {
        const text = e[field];
        expect(text.en.trim().length, `${e.id}.${field}.en`).toBeGreaterThan(0);
        expect(CJK.test(text.en), `${e.id}.${field}.en has Chinese`).toBe(false);
        if (field === 'what' || field === 'tradeoffs')
          expect(CJK.test(text['zh-CN']), `${e.id}.${field}.zh-CN`).toBe(true);
      }
      for (const v of e.values ?? []) expect(v.label['zh-CN'].length).toBeGreaterThan(0);
    }
  });

  it('keys are .vmx keys; only runtime and .vmdk values have none', () => {
    expect(VMWARE_CATALOG.filter((e) => e.keys.length === 0).map((e) => e.id)).toEqual(KEYLESS);
    for (const e of VMWARE_CATALOG)
      for (const k of e.keys)
        expect(k, e.id).toMatch(/^(<bus>N:M|[A-Za-z_.]+N?(:M)?)?(\.[A-Za-z0-9_]+)*$|^<bus>N:M$/);
  });

  it("every change line is a valid .vmx line for one of the entry's own keys", () => {
    const withChange = VMWARE_CATALOG.filter((e) => e.change);
    expect(withChange.length).toBeGreaterThanOrEqual(60);
    for (const e of withChange) {
      const p = parseVmx(e.change as string);
      expect(p.issues, e.id).toEqual([]);
      expect(p.entries.length).toBeGreaterThan(0);
      for (const line of p.entries) {
        const ok = e.keys.some((k) => vmxKeyPattern(k).test(line.key));
        // `<bus>N:M` itself names a node, not a key: Custom network lines name connectionType too.
        const sibling = e.id === 'vmware.network.vnet' && line.key === 'ethernet0.connectionType';
        expect(ok || sibling, `${e.id}: ${line.key}`).toBe(true);
      }
    }
  });

  it('vmwareControlForKey finds the control and device of a .vmx key', () => {
    expect(vmwareControlForKey('ethernet3.connectionType')).toEqual({
      id: 'vmware.network.connection',
      instance: 'ethernet3',
    });
    expect(vmwareControlForKey('MEMSIZE')).toEqual({ id: 'vmware.memory.size' });
    expect(vmwareControlForKey('nvme0:1.fileName')).toEqual({ id: 'vmware.disks.file', instance: 'nvme0:1' });
    expect(vmwareControlForKey('sharedFolder3.hostPath')).toEqual({
      id: 'vmware.options.sharedFolderHostPath',
      instance: 'sharedFolder3',
    });
    expect(vmwareControlForKey('powertype.suspend')).toEqual({
      id: 'vmware.options.powerControls',
      instance: 'suspend',
    });
    expect(vmwareControlForKey('pciBridge4.functions')).toBeUndefined();
  });
});

describe('values the reader produces match the catalog', () => {
  it('every enumerated control value on every fixture is one of the catalog values', () => {
    let checked = 0;
    for (const { file, config } of fixtures) {
      for (const id of VMWARE_CONTROL_IDS) {
        const entry = getVmwareEntry(id);
        const instances = vmwareInstanceKind(id) ? vmwareInstances(config, id) : [undefined];
        for (const inst of instances) {
          const v = vmwareControlValue(config, id, inst);
          if (!v || !entry?.values) continue;
          const allowed = entry.values.map((x) => x.value);
          const parts = id === 'vmware.options.bootOrder' ? v.value.split(',') : [v.value];
          for (const part of parts) expect(allowed, `${file} ${id}#${inst ?? ''} = ${part}`).toContain(part);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(150);
  });

  it('every native value is keyed by a VMware control id (with a device where the control has one)', () => {
    for (const { file, config } of fixtures)
      for (const key of Object.keys(config.native ?? {})) {
        const [id, inst] = key.split('#');
        expect(VMWARE_CONTROL_IDS as readonly string[], `${file}: ${key}`).toContain(id);
        expect(Boolean(inst), `${file}: ${key}`).toBe(
          vmwareInstanceKind(id as VmwareControlId) !== undefined,
        );
      }
  });

  it('the accessor answers for every control on every fixture without throwing, and knows the key', () => {
    let values = 0;
    for (const { config } of fixtures)
      for (const id of VMWARE_CONTROL_IDS) {
        const instances = vmwareInstanceKind(id) ? vmwareInstances(config, id) : [undefined];
        for (const inst of instances) {
          const v = vmwareControlValue(config, id, inst);
          if (KEYLESS.includes(id)) expect(v).toBeUndefined();
          if (!v) continue;
          values++;
          expect(v.key.length, id).toBeGreaterThan(0);
        }
      }
    expect(values).toBeGreaterThan(600);
  });

  it('values read from a fixture, in VMware words', () => {
    const by = (name: string) => fixtures.find((f) => f.file.startsWith(name))?.config;
    const fusion = by('fusion') as NonNullable<ReturnType<typeof by>>;
    expect(vmwareControlValue(fusion, 'vmware.memory.size')).toEqual({
      value: '1024',
      key: 'memsize',
      raw: '1024',
    });
    expect(vmwareControlValue(fusion, 'vmware.network.adapterType', 'ethernet2')?.value).toBe('e1000');
    expect(vmwareControlValue(fusion, 'vmware.network.mac', 'ethernet2')?.value).toBe('00:50:56:aa:bb:cc');
    expect(vmwareControlValue(fusion, 'vmware.network.connected', 'ethernet2')).toBeUndefined();
    // ehci.present = "FALSE" and no usb.present: no USB controller value.
    expect(vmwareControlValue(fusion, 'vmware.usb.compatibility')).toBeUndefined();
    expect(vmwareControlValue(fusion, 'vmware.usb.controller')).toEqual({
      value: 'false',
      key: 'ehci.present',
      raw: 'FALSE',
    });
    const gsx = by('wild-gsx-in-the-wild-4') as NonNullable<ReturnType<typeof by>>;
    expect(vmwareControlValue(gsx, 'vmware.usb.compatibility')).toEqual({
      value: '1.1',
      key: 'usb.present',
      raw: 'TRUE',
    });
    expect(vmwareControlValue(fusion, 'vmware.options.powerControls', 'powerOn')?.value).toBe('soft');
    expect(vmwareInstances(fusion, 'vmware.options.powerControls')).toEqual([
      'powerOff',
      'powerOn',
      'suspend',
      'reset',
    ]);
    expect(vmwareControlValue(fusion, 'vmware.disks.diskType', 'scsi0:0')?.value).toBe('scsi');
    expect(vmwareInstances(fusion, 'vmware.disks.controllerType')).toEqual(['scsi0']);
    const esx = by('esx-hw10') as NonNullable<ReturnType<typeof by>>;
    expect(vmwareControlValue(esx, 'vmware.display.vram')).toEqual({
      value: '8388608',
      key: 'svga.vramSize',
      raw: '8388608',
    });
    expect(vmwareControlValue(esx, 'vmware.network.connection', 'ethernet0')).toEqual({
      value: 'bridged',
      key: 'ethernet0.connectionType',
      raw: '',
    });
  });
});

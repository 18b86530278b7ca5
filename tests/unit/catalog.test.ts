import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CatalogSchema, VBOX_PAGES, type CatalogEntry, type Localized } from '../../app/shared/catalog.ts';
import { MIRROR_CONTROL_IDS } from '../../app/shared/catalog-ids.ts';

/**
 * Checks the knowledge catalog (resources/catalog/*.json) against its schema, the mirror's control ids,
 * the showvminfo key set of the reference and the real showvminfo fixtures in tests/fixtures/showvminfo.
 */

const CATALOG_DIR = new URL('../../resources/catalog/', import.meta.url);
const SHOWVMINFO_DIR = new URL('../fixtures/showvminfo/', import.meta.url);

/** Parsed JSON of every page file (unvalidated), keyed by page. Missing files are `undefined`. */
const rawByPage = new Map<string, unknown>();
for (const page of VBOX_PAGES) {
  try {
    rawByPage.set(page, JSON.parse(readFileSync(new URL(`${page}.json`, CATALOG_DIR), 'utf8')));
  } catch {
    rawByPage.set(page, undefined);
  }
}
/** Every entry of every file that parses with the schema. */
const entries: CatalogEntry[] = VBOX_PAGES.flatMap((page) => {
  const parsed = CatalogSchema.safeParse(rawByPage.get(page));
  return parsed.success ? parsed.data : [];
});
const byId = new Map(entries.map((e) => [e.id, e]));
const mine = entries.filter((e) => ['general', 'system', 'display'].includes(e.page));

/**
 * showvminfo --machinereadable keys as the reference (virtualbox-settings.md §2.1–2.13) writes them,
 * extracted once into tests/fixtures/reference-keys.txt: `N` = 1-based index, `i` = 0-based index,
 * `<…>` = placeholder. The `GUI/…` lines are extra-data keys.
 */
const REFERENCE_KEYS = readFileSync(new URL('../fixtures/reference-keys.txt', import.meta.url), 'utf8')
  .split(/\r?\n/)
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

/**
 * Keys printed by older VirtualBox versions that the reference does not list but the real fixtures show:
 * the recording switch and options (`videocap*` in 5.2–6.1, `vcp*` in 5.0/5.1, `capture*` in 6.1.2) and
 * 3.x's `vrdp` for the remote-display switch. Each must occur in a fixture.
 */
const FIXTURE_ONLY_KEYS = [
  ...['videocap', 'vcpenabled', 'vrdp', 'videocapopts', 'captureopts', 'videocap_audio', 'videocapaudio'],
  ...['videocapfile', 'vcpfile', 'capturefilename', 'videocapres', 'captureres', 'vcpwidth', 'vcpheight'],
  ...['videocapfps', 'vcpfps', 'capturevideofps', 'videocaprate', 'vcprate', 'capturevideorate'],
  ...['videocapscreens', 'vcpscreens', 'capturescreens'],
];

/** Makes key patterns comparable: no quotes, any `<placeholder>` alike, any index (N, i, digits) alike. */
function normalizeKey(key: string): string {
  return key
    .trim()
    .replace(/^"(.*)"$/, '$1')
    .replace(/<[^>]*>/g, '<>')
    .replace(/\[[^\]]*\]/g, '[]')
    .replace(/\((?:i|\d+|<>)\)$/, '(#)')
    .replace(/(?:N|i|\d+)$/, '#');
}
const KNOWN_KEYS = new Set([...REFERENCE_KEYS, ...FIXTURE_ONLY_KEYS].map(normalizeKey));

/** Reads every showvminfo fixture into key → values (simple `key=value` / `key="value"` lines only). */
function readShowvminfoFixtures(): Map<string, Map<string, string>> {
  const files = new Map<string, Map<string, string>>();
  for (const name of readdirSync(SHOWVMINFO_DIR)) {
    const pairs = new Map<string, string>();
    for (const line of readFileSync(new URL(name, SHOWVMINFO_DIR), 'utf8').split(/\r?\n/)) {
      const m = /^([A-Za-z][\w-]*)=(?:"([^"]*)"|(\S*))\s*$/.exec(line);
      if (m) pairs.set(m[1], m[2] ?? m[3]);
    }
    files.set(name, pairs);
  }
  return files;
}
const fixtures = readShowvminfoFixtures();

const CJK = /[\u3400-\u9fff]/;

describe('catalog files', () => {
  it.each(VBOX_PAGES.map((p) => [p]))(
    'resources/catalog/%s.json exists and parses with CatalogSchema',
    (page) => {
      const raw = rawByPage.get(page);
      expect(raw, `${page}.json missing or not JSON`).toBeDefined();
      const parsed = CatalogSchema.safeParse(raw);
      expect(parsed.success ? [] : parsed.error.issues.slice(0, 3)).toEqual([]);
      for (const entry of parsed.data ?? []) expect(entry.page, entry.id).toBe(page);
    },
  );

  it('holds no catalog file for an unknown page', () => {
    const files = readdirSync(CATALOG_DIR).filter((f) => f.endsWith('.json'));
    expect(
      files.filter((f) => !(VBOX_PAGES as readonly string[]).includes(f.replace(/\.json$/, ''))),
    ).toEqual([]);
  });

  it('has unique ids across all files', () => {
    const seen = new Set<string>();
    const duplicates = entries.map((e) => e.id).filter((id) => seen.size === seen.add(id).size);
    expect(duplicates).toEqual([]);
  });

  it('has an entry for every mirror control id, and no entry outside MIRROR_CONTROL_IDS', () => {
    const mirror = new Set<string>(MIRROR_CONTROL_IDS);
    expect(MIRROR_CONTROL_IDS.filter((id) => !byId.has(id))).toEqual([]);
    expect(entries.map((e) => e.id).filter((id) => !mirror.has(id))).toEqual([]);
  });

  it('covers exactly the general./system./display. mirror ids in general, system and display.json', () => {
    const wanted = MIRROR_CONTROL_IDS.filter((id) => /^(general|system|display)\./.test(id));
    expect(mine.map((e) => e.id).sort()).toEqual([...wanted].sort());
    expect(mine).toHaveLength(90);
  });

  it('has the expected number of entries per page (166 in all)', () => {
    const perPage = Object.fromEntries(
      VBOX_PAGES.map((p) => [p, entries.filter((e) => e.page === p).length]),
    );
    expect(perPage).toEqual({
      general: 20,
      system: 46,
      display: 24,
      storage: 19,
      audio: 6,
      network: 13,
      serial: 9,
      usb: 13,
      sharedFolders: 8,
      userInterface: 8,
    });
    expect(entries).toHaveLength(166);
    expect(MIRROR_CONTROL_IDS).toHaveLength(166);
  });

  it('puts every entry on the page and tab its id names', () => {
    const wrong = entries.filter((e) => `${e.page}.${e.tab}` !== e.id.split('.').slice(0, 2).join('.'));
    expect(wrong.map((e) => e.id)).toEqual([]);
  });

  it('gives label, what and tradeoffs in two different languages, zh-CN in Chinese', () => {
    const bad: string[] = [];
    for (const e of entries) {
      for (const field of ['label', 'what', 'tradeoffs'] as const) {
        const text: Localized = e[field];
        if (text.en === text['zh-CN']) bad.push(`${e.id}.${field}: identical`);
        if (!CJK.test(text['zh-CN'])) bad.push(`${e.id}.${field}: zh-CN has no Chinese`);
        if (CJK.test(text.en)) bad.push(`${e.id}.${field}: en contains Chinese`);
      }
    }
    expect(bad).toEqual([]);
  });

  it('names only showvminfo keys that VBoxManage really prints', () => {
    const unknown = entries.flatMap((e) =>
      e.showvminfo.filter((k) => !KNOWN_KEYS.has(normalizeKey(k))).map((k) => `${e.id}: ${k}`),
    );
    expect(unknown).toEqual([]);
  });

  it('only lists fixture-only keys that appear in the real showvminfo fixtures', () => {
    for (const key of FIXTURE_ONLY_KEYS) {
      const files = [...fixtures].filter(([, pairs]) => pairs.has(key)).map(([name]) => name);
      expect(files.length, key).toBeGreaterThan(0);
    }
    expect(fixtures.get('vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt')?.get('videocap')).toBe(
      'off',
    );
    expect(fixtures.get('vbox514-windows-host-CRLF-sata-only-poweroff.txt')?.get('vcpenabled')).toBe('off');
  });

  it('marks settings VBoxManage does not print with an empty key list and a .vbox / extra-data source', () => {
    for (const id of ['system.motherboard.tpm', 'display.screen.scaleFactor']) {
      const e = byId.get(id);
      expect(e?.showvminfo, id).toEqual([]);
      expect(e?.vbox, id).toBeTruthy();
      expect(e?.what.en, id).toMatch(/showvminfo does not print/);
    }
    expect(byId.get('display.screen.scaleFactor')?.modifyvm).toMatchObject({
      command: 'setextradata',
      flag: 'GUI/ScaleFactor',
    });
  });
});

describe('VBoxManage flags', () => {
  /** Dashed options 6.1 already knew (§2.14), plus 7.0 options that have no 6.1 form at all. */
  const DASHED_IN_61 = [
    ...[
      'autostart-delay',
      'autostart-enabled',
      'autostop-type',
      'clipboard-mode',
      'clipboard-file-transfers',
    ],
    ...[
      'cpu-profile',
      'cpuid-portability-level',
      'cpuid-remove',
      'cpuid-set',
      'ibpb-on-vm-entry',
      'ibpb-on-vm-exit',
    ],
    ...[
      'l1d-flush-on-sched',
      'l1d-flush-on-vm-entry',
      'mds-clear-on-sched',
      'mds-clear-on-vm-entry',
      'nat-network',
    ],
    ...['nested-hw-virt', 'spec-ctrl', 'system-uuid-le', 'tracing-allow-vm-access', 'tracing-config'],
    ...['tracing-enabled', 'vm-process-priority'],
  ];
  const NEW_IN_70 = ['tpm-type', 'tpm-location', 'iommu', 'audio-driver', 'audio-enabled', 'host-only-net'];
  const NEW_IN_70_MORE = ['cloud-network', 'nat-localhostreachable', 'virt-vmsave-vmload'];
  const bare = (flag: string) => flag.replace(/^--/, '').replace(/N$/, '');

  it('starts every modifyvm flag (and its 6.1 spelling) with --', () => {
    const bad = entries
      .filter((e) => e.modifyvm && !e.modifyvm.command)
      .filter(
        (e) =>
          !e.modifyvm!.flag.startsWith('--') || (e.modifyvm!.legacy && !e.modifyvm!.legacy.startsWith('--')),
      );
    expect(bad.map((e) => e.id)).toEqual([]);
  });

  it('gives the 6.1 spelling whenever the 7.x dashed flag did not exist in 6.1', () => {
    const bad: string[] = [];
    for (const e of entries) {
      const m = e.modifyvm;
      if (!m || m.command) continue;
      const name = bare(m.flag);
      const newerThan61 = e.since !== undefined && Number(e.since) >= 7;
      const needsLegacy =
        name.includes('-') &&
        !DASHED_IN_61.includes(name) &&
        ![...NEW_IN_70, ...NEW_IN_70_MORE].includes(name) &&
        !newerThan61;
      if (needsLegacy && !m.legacy) bad.push(`${e.id}: ${m.flag} lacks its 6.1 spelling`);
      if (m.legacy === m.flag) bad.push(`${e.id}: legacy equals flag`);
      if (m.legacy && bare(m.legacy).includes('-') && !DASHED_IN_61.includes(bare(m.legacy)))
        bad.push(`${e.id}: legacy ${m.legacy} is not a 6.1 spelling`);
    }
    expect(bad).toEqual([]);
  });

  it('uses the spellings of reference §2.14 for General/System/Display', () => {
    const flags = Object.fromEntries(mine.map((e) => [e.id, [e.modifyvm?.flag, e.modifyvm?.legacy]]));
    expect(flags['system.processor.executionCap']).toEqual(['--cpu-execution-cap', '--cpuexecutioncap']);
    expect(flags['system.acceleration.paravirtProvider']).toEqual([
      '--paravirt-provider',
      '--paravirtprovider',
    ]);
    expect(flags['system.acceleration.nestedPaging']).toEqual(['--nested-paging', '--nestedpaging']);
    expect(flags['system.processor.nestedHwVirt']).toEqual(['--nested-hw-virt', undefined]);
    expect(flags['general.advanced.clipboard']).toEqual(['--clipboard-mode', undefined]);
    expect(flags['system.motherboard.tpm']).toEqual(['--tpm-type', undefined]);
    expect(flags['display.screen.monitorCount']).toEqual(['--monitor-count', '--monitorcount']);
    expect(byId.get('system.motherboard.secureBoot')?.modifyvm).toMatchObject({ command: 'modifynvram' });
  });
});

describe('combo values against real showvminfo output', () => {
  /** Catalog id → showvminfo key(s) whose printed values must all be listed in the entry's `values`. */
  const COMBOS: [string, string[]][] = [
    ['system.motherboard.chipset', ['chipset']],
    ['system.motherboard.pointingDevice', ['hidpointing']],
    ['system.motherboard.efi', ['firmware']],
    ['system.motherboard.bootOrder', ['boot1', 'boot2', 'boot3', 'boot4']],
    ['system.acceleration.paravirtProvider', ['paravirtprovider', 'effparavirtprovider']],
    ['display.screen.graphicsController', ['graphicscontroller']],
    ['general.advanced.clipboard', ['clipboard']],
    ['general.advanced.dragAndDrop', ['draganddrop']],
  ];

  it.each(COMBOS)('%s lists every value the fixtures print', (id, keys) => {
    const known = new Set(byId.get(id)?.values?.map((v) => v.value));
    const seen = new Set<string>();
    for (const pairs of fixtures.values())
      for (const key of keys) if (pairs.has(key)) seen.add(pairs.get(key)!);
    expect(seen.size, `no fixture prints ${keys.join('/')}`).toBeGreaterThan(0);
    expect([...seen].filter((v) => !known.has(v))).toEqual([]);
  });

  it('labels real fixture values the way VirtualBox does', () => {
    const label = (id: string, value: string) =>
      byId.get(id)?.values?.find((v) => v.value === value)?.label.en;
    const win2016 = fixtures.get('vbox6132-ubuntu-host-win2016srv-sata-only-bridged-snapshot-clear.txt')!;
    expect(label('display.screen.graphicsController', win2016.get('graphicscontroller')!)).toBe('VBoxSVGA');
    expect(label('system.acceleration.paravirtProvider', win2016.get('effparavirtprovider')!)).toBe(
      'Hyper-V',
    );
    expect(label('system.motherboard.bootOrder', win2016.get('boot1')!)).toBe('Optical');
    expect(label('system.motherboard.pointingDevice', win2016.get('hidpointing')!)).toBe('USB Tablet');
    const efiVm = fixtures.get('vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt')!;
    expect(label('system.motherboard.efi', efiVm.get('firmware')!)).toBe('EFI');
    expect(label('general.advanced.clipboard', efiVm.get('clipboard')!)).toBe('Bidirectional');
    expect(label('system.motherboard.chipset', efiVm.get('chipset')!)).toBe('PIIX3');
    expect(label('system.motherboard.chipset', 'ich9')).toBe('ICH9');
    expect(label('system.motherboard.bootOrder', 'disk')).toBe('Hard Disk');
  });
});

describe('catalog-data loader', () => {
  it('exports every entry, an id map and getEntry that strips instance suffixes', async () => {
    const { CATALOG, catalogById, getEntry } = await import('../../app/shared/catalog-data.ts');
    expect(CATALOG).toHaveLength(entries.length);
    expect(CATALOG.map((e) => e.page)).toEqual(entries.map((e) => e.page));
    expect(catalogById.size).toBe(CATALOG.length);
    expect(CATALOG[0].id).toBe('general.basic.name');
    expect(getEntry('system.processor.cpus')?.label.en).toBe('Processors');
    expect(getEntry('system.motherboard.memory#0')?.label['zh-CN']).toBe('内存大小');
    expect(getEntry('display.screen.vram#x')?.showvminfo).toEqual(['vram']);
    expect(getEntry('system.processor.nope')).toBeUndefined();
    expect(getEntry('')).toBeUndefined();
  });
});

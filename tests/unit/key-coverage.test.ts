import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseShowVmInfo } from '../../app/core/vbox/parse-showvminfo.ts';
import { CATALOG, catalogById } from '../../app/shared/catalog-data.ts';
import {
  NOT_SHOWN,
  classifyKey,
  keyPatternRegExp,
  keyToSettingId,
  type KeyContext,
} from '../../app/shared/key-coverage.ts';

/**
 * Coverage of raw keys by the catalog (issue 3 §1): every key of every real showvminfo dump in
 * tests/fixtures/showvminfo and every key the reference names (§2, kept in
 * tests/fixtures/reference-keys.txt) is explained by a catalog entry or listed once, with a reason, as
 * not shown; unknown keys come out as "unexplained".
 */

const SHOWVMINFO_DIR = new URL('../fixtures/showvminfo/', import.meta.url);
const VBOX_DIR = new URL('../fixtures/vbox/', import.meta.url);

/** Every parsed showvminfo fixture: file name → entries (the real parser, as the app uses it). */
const dumps = new Map(
  readdirSync(SHOWVMINFO_DIR).map((name) => [
    name,
    parseShowVmInfo(readFileSync(new URL(name, SHOWVMINFO_DIR), 'utf8')).entries,
  ]),
);

/** Storage controller names by index, as the dump prints them (`storagecontrollernameN`). */
function controllersOf(entries: { key: string; value: string }[]): string[] {
  const names: string[] = [];
  for (const e of entries) {
    const m = /^storagecontrollername(\d+)$/.exec(e.key);
    if (m) names[Number(m[1])] = e.value;
  }
  return names;
}

/** Key patterns of reference §2 (placeholders as the reference writes them). */
const REFERENCE_PATTERNS = readFileSync(new URL('../fixtures/reference-keys.txt', import.meta.url), 'utf8')
  .split(/\r?\n/)
  .filter((line) => line.trim() !== '' && !line.startsWith('#'));

/** Turns a key pattern into a concrete key: `nicN` → `nic2`, `"<ctl>-<port>-<device>"` → `SATA Controller-1-0`. */
function instantiate(pattern: string): string {
  return pattern
    .replace(/^"(.*)"$/, '$1')
    .replace('<ctl>', 'SATA Controller')
    .replace('<port>', '1')
    .replace('<device>', '0')
    .replace('<name>', 'Client/DisableAudio')
    .replace('<Facility Name>', 'VirtualBox Base Driver')
    .replace(/\(i\)$/, '(0)')
    .replace(/N$/, '2')
    .replace(/^(storagecontroller[a-z]+|BandwidthGroup)i$/, '$11');
}
const REFERENCE_KEYS = REFERENCE_PATTERNS.map(instantiate);

/** Every distinct key of every showvminfo fixture. */
const FIXTURE_KEYS = [...new Set([...dumps.values()].flatMap((entries) => entries.map((e) => e.key)))];

/** GUI extra-data item names of the real .vbox fixtures. */
const EXTRA_DATA_GUI_KEYS = [
  ...new Set(
    readdirSync(VBOX_DIR).flatMap((name) =>
      [...readFileSync(new URL(name, VBOX_DIR), 'utf8').matchAll(/ExtraDataItem name="(GUI\/[^"]+)"/g)].map(
        (m) => m[1],
      ),
    ),
  ),
];

describe('every known key is explained or deliberately not shown', () => {
  it('reads the 23 real showvminfo fixtures and 237 reference keys', () => {
    expect(dumps.size).toBe(23);
    expect(REFERENCE_KEYS).toHaveLength(237);
    expect(REFERENCE_KEYS.filter((k) => /[<>]/.test(k))).toEqual([]);
    expect(FIXTURE_KEYS.length).toBeGreaterThan(300);
  });

  it('classifies every key of every showvminfo fixture as setting or not-shown', () => {
    const unexplained: string[] = [];
    for (const [name, entries] of dumps)
      for (const e of entries)
        if (classifyKey(e.key).kind === 'unexplained') unexplained.push(`${name}: ${e.key}`);
    expect(unexplained).toEqual([]);
  });

  it('still classifies every fixture key when the real controller names are given as context', () => {
    const unexplained: string[] = [];
    for (const [name, entries] of dumps) {
      const context: KeyContext = { controllers: controllersOf(entries) };
      for (const e of entries)
        if (classifyKey(e.key, context).kind === 'unexplained') unexplained.push(`${name}: ${e.key}`);
    }
    expect(unexplained).toEqual([]);
  });

  it('classifies every key named in reference §2 as setting or not-shown', () => {
    expect(REFERENCE_KEYS.filter((k) => classifyKey(k).kind === 'unexplained')).toEqual([]);
  });

  it('classifies the GUI extra-data items of the real .vbox fixtures', () => {
    expect(EXTRA_DATA_GUI_KEYS.length).toBeGreaterThanOrEqual(10);
    expect(EXTRA_DATA_GUI_KEYS.filter((k) => classifyKey(k).kind === 'unexplained')).toEqual([]);
    expect(keyToSettingId('GUI/MiniToolBarAlignment')?.id).toBe('userInterface.main.miniToolBarAtTop');
    expect(keyToSettingId('GUI/RestrictedRuntimeDevicesMenuActions')?.id).toBe(
      'userInterface.main.menuBarContents',
    );
    expect(keyToSettingId('GUI/StatusBar/IndicatorOrder')?.id).toBe('userInterface.main.statusBarContents');
    expect(classifyKey('GUI/LastCloseAction')).toMatchObject({ kind: 'not-shown', pattern: 'GUI/*' });
  });

  it('shows a made-up key from a future VirtualBox as unexplained instead of dropping it', () => {
    const text = readFileSync(
      new URL('vbox5212-macos-host-running-alpine-no-guest-additions.txt', SHOWVMINFO_DIR),
      'utf8',
    );
    const entries = parseShowVmInfo(`${text}futureFeature="on"\n`).entries;
    const unexplained = entries.filter((e) => classifyKey(e.key).kind === 'unexplained');
    expect(unexplained.map((e) => [e.key, e.value])).toEqual([['futureFeature', 'on']]);
    expect(classifyKey('futureFeature')).toEqual({ kind: 'unexplained' });
    expect(keyToSettingId('futureFeature')).toBeNull();
    expect(classifyKey('')).toEqual({ kind: 'unexplained' });
  });
});

describe('keyToSettingId', () => {
  const allKeys = [...FIXTURE_KEYS, ...REFERENCE_KEYS, ...EXTRA_DATA_GUI_KEYS];

  it('only returns ids that exist in the catalog', () => {
    const missing = allKeys
      .map((k) => [k, keyToSettingId(k)?.id] as const)
      .filter(([, id]) => id !== undefined && !catalogById.has(id));
    expect(missing).toEqual([]);
  });

  it('maps each showvminfo key to an entry that lists the key among its showvminfo patterns', () => {
    const wrong: string[] = [];
    for (const key of allKeys) {
      const target = keyToSettingId(key);
      if (!target || key.startsWith('GUI/')) continue;
      const entry = catalogById.get(target.id);
      if (!entry?.showvminfo.some((p) => keyPatternRegExp(p).test(key))) wrong.push(`${key} → ${target.id}`);
    }
    expect(wrong).toEqual([]);
  });

  it('maps GUI extra-data keys to the entries that name them', () => {
    for (const key of allKeys.filter((k) => k.startsWith('GUI/'))) {
      const target = keyToSettingId(key);
      if (!target) continue;
      const text = JSON.stringify(catalogById.get(target.id));
      expect(
        text.includes(key) || text.includes(key.replace(/Runtime\w+MenuActions$/, 'Runtime<Menu>')),
        key,
      ).toBe(true);
    }
  });

  it('maps every showvminfo pattern any catalog entry lists back to a setting', () => {
    const unmapped: string[] = [];
    for (const entry of CATALOG)
      for (const pattern of entry.showvminfo) {
        const key = instantiate(pattern);
        if (!keyToSettingId(key)) unmapped.push(`${entry.id}: ${pattern} (${key})`);
      }
    expect(unmapped).toEqual([]);
  });

  it('gives the instance of indexed keys in the mirror convention', () => {
    expect(keyToSettingId('nic3')).toEqual({ id: 'network.adapter.attachedTo', instance: '3' });
    expect(keyToSettingId('macaddress1')).toEqual({ id: 'network.adapter.mac', instance: '1' });
    expect(keyToSettingId('hostonly-network2')).toEqual({ id: 'network.adapter.name', instance: '2' });
    expect(keyToSettingId('Forwarding(2)')).toEqual({ id: 'network.adapter.portForwarding' });
    expect(keyToSettingId('uartmode1')).toEqual({ id: 'serial.port.mode', instance: '1' });
    expect(keyToSettingId('lpt2')).toEqual({ id: 'serial.cli.parallelPort', instance: '2' });
    expect(keyToSettingId('boot4')).toEqual({ id: 'system.motherboard.bootOrder', instance: '4' });
    expect(keyToSettingId('USBFilterProductId2')).toEqual({ id: 'usb.filter.productId', instance: '2' });
    expect(keyToSettingId('USBFilterProduct2')).toEqual({ id: 'usb.filter.product', instance: '2' });
    expect(keyToSettingId('SharedFolderNameMachineMapping5')).toEqual({
      id: 'sharedFolders.main.name',
      instance: '5',
    });
    expect(keyToSettingId('SharedFolderPathTransientMapping1')).toEqual({
      id: 'sharedFolders.main.path',
      instance: 'transient-1',
    });
    expect(keyToSettingId('rec_screen0')).toEqual({ id: 'display.recording.screens', instance: '0' });
    expect(keyToSettingId('vrdeproperty[TCP/Ports]')).toEqual({ id: 'display.remote.port' });
    expect(keyToSettingId('vrdeproperty[Security/Method]')).toEqual({ id: 'display.remote.securityMethod' });
    expect(keyToSettingId('vrdeproperty[Client/DisableUSB]')).toEqual({ id: 'display.cli.vrdeProperties' });
    expect(keyToSettingId('BandwidthGroup0')).toEqual({ id: 'storage.cli.bandwidthGroup' });
  });

  it('splits storage keys from the right, with or without quotes, 6.1 and 7.x spellings', () => {
    expect(keyToSettingId('SATA-0-0')).toEqual({ id: 'storage.attachment.medium', instance: 'SATA-0-0' });
    expect(keyToSettingId('"IDE Controller-ImageUUID-0-0"')).toEqual({
      id: 'storage.attachment.medium',
      instance: 'IDE Controller-0-0',
    });
    expect(keyToSettingId('SATA-hot-pluggable-0-0')).toEqual({
      id: 'storage.attachment.hotPluggable',
      instance: 'SATA-0-0',
    });
    expect(keyToSettingId('"My-Disk-Ctl-nonrotational-2-0"')).toEqual({
      id: 'storage.attachment.ssd',
      instance: 'My-Disk-Ctl-2-0',
    });
    expect(keyToSettingId('IDE-tempeject')).toEqual({ id: 'storage.attachment.liveCd', instance: 'IDE' });
    expect(keyToSettingId('SATA-IsEjected')).toEqual({ id: 'storage.attachment.medium', instance: 'SATA' });
    // Snapshot tree keys look like slots but never are.
    expect(keyToSettingId('SnapshotName-1-1')).toBeNull();
    expect(classifyKey('SnapshotName-1-1')).toMatchObject({ kind: 'not-shown', pattern: 'Snapshot*' });
  });

  it('uses the real controller names of a dump as context', () => {
    const entries = dumps.get(
      'vbox52-macos-host-multiple-groups-comma-sata1-30-ports-leading-blank-line.txt',
    )!;
    const context = { controllers: controllersOf(entries) };
    expect(context.controllers).toEqual(['SATA1']);
    expect(keyToSettingId('storagecontrollerportcount0', context)).toEqual({
      id: 'storage.controller.portCount',
      instance: 'SATA1',
    });
    expect(keyToSettingId('storagecontrollerportcount0')).toEqual({
      id: 'storage.controller.portCount',
      instance: '0',
    });
    expect(keyToSettingId('SATA1-29-0', context)).toEqual({
      id: 'storage.attachment.medium',
      instance: 'SATA1-29-0',
    });
    expect(keyToSettingId('Floppy-0-0', context)).toBeNull();
    const slots = entries.filter((e) => keyToSettingId(e.key, context)?.id === 'storage.attachment.medium');
    expect(slots.length).toBeGreaterThanOrEqual(30);
  });

  it('maps the older recording, remote-display and NAT spellings of real dumps', () => {
    const old = dumps.get(
      'vbox612-macos-host-windows2019-box-poweroff-ide-vrde-on-capture-keys-from-vagrant-log.txt',
    )!;
    const ids = new Map(old.map((e) => [e.key, keyToSettingId(e.key)?.id]));
    expect(ids.get('capturefilename')).toBe('display.recording.filePath');
    expect(ids.get('captureres')).toBe('display.recording.frameSize');
    expect(ids.get('capturevideofps')).toBe('display.recording.frameRate');
    expect(ids.get('videocap')).toBe('display.recording.enabled');
    expect(keyToSettingId('vcpwidth')?.id).toBe('display.recording.frameSize');
    expect(keyToSettingId('vrdp')?.id).toBe('display.remote.enabled');
    expect(keyToSettingId('sockSnd')?.id).toBe('network.cli.natTuning');
    expect(keyToSettingId('BIOS NVRAM File')?.id).toBe('system.cli.nvramFile');
  });
});

describe('NOT_SHOWN', () => {
  it('lists each pattern once, with en and zh-CN reasons', () => {
    const patterns = NOT_SHOWN.map((n) => n.pattern);
    expect(new Set(patterns).size).toBe(patterns.length);
    expect(patterns).toHaveLength(19);
    for (const n of NOT_SHOWN) {
      expect(n.reason.en.length, n.pattern).toBeGreaterThan(20);
      expect(n.reason['zh-CN'], n.pattern).toMatch(/[\u3400-\u9fff]/);
    }
  });

  it('has no dead pattern: each one hides a real fixture, reference or .vbox extra-data key', () => {
    const keys = [...FIXTURE_KEYS, ...REFERENCE_KEYS, ...EXTRA_DATA_GUI_KEYS];
    const used = new Set(
      keys.map((k) => classifyKey(k)).flatMap((c) => (c.kind === 'not-shown' ? [c.pattern] : [])),
    );
    expect(NOT_SHOWN.map((n) => n.pattern).filter((p) => !used.has(p))).toEqual([]);
  });

  it('never hides a key a catalog entry explains', () => {
    const hidden = CATALOG.flatMap((e) => e.showvminfo.map(instantiate)).filter(
      (k) => classifyKey(k).kind !== 'setting',
    );
    expect(hidden).toEqual([]);
  });

  it('gives the reasons of typical runtime and identity keys of a running VM', () => {
    const running = dumps.get('vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt')!;
    const kinds = new Map(running.map((e) => [e.key, classifyKey(e.key)]));
    expect(kinds.get('UUID')).toMatchObject({ kind: 'not-shown', pattern: 'UUID' });
    expect(kinds.get('VMState')).toMatchObject({ kind: 'not-shown', pattern: 'VMState' });
    expect(kinds.get('SessionName')).toMatchObject({ kind: 'not-shown', pattern: 'Session*' });
    expect(kinds.get('VideoMode')).toMatchObject({ kind: 'not-shown', pattern: 'VideoMode' });
    expect(kinds.get('VRDEClients')).toMatchObject({ kind: 'not-shown', pattern: 'VRDE*' });
    expect(kinds.get('GuestAdditionsFacility_VirtualBox Base Driver')).toMatchObject({
      kind: 'not-shown',
      pattern: 'GuestAdditions*',
    });
    expect(kinds.get('vrde')).toMatchObject({ kind: 'setting', id: 'display.remote.enabled' });
  });
});

describe('keyPatternRegExp', () => {
  it('matches raw keys against catalog key patterns', () => {
    expect(keyPatternRegExp('nicN').test('nic12')).toBe(true);
    expect(keyPatternRegExp('nicN').test('nictype1')).toBe(false);
    expect(keyPatternRegExp('storagecontrollernamei').test('storagecontrollername0')).toBe(true);
    expect(keyPatternRegExp('Forwarding(i)').test('Forwarding(3)')).toBe(true);
    expect(keyPatternRegExp('"<ctl>-<port>-<device>"').test('IDE Controller-1-0')).toBe(true);
    expect(keyPatternRegExp('"<ctl>-<port>-<device>"').test('IDE-tempeject')).toBe(false);
    expect(keyPatternRegExp('vrdeproperty[<name>]').test('vrdeproperty[Client/DisableAudio]')).toBe(true);
    expect(keyPatternRegExp('vrdeproperty[TCP/Ports]').test('vrdeproperty[TCP/Address]')).toBe(false);
    expect(keyPatternRegExp('BIOS NVRAM File').test('BIOS NVRAM File')).toBe(true);
    expect(keyPatternRegExp('memory').test('memory2')).toBe(false);
  });
});

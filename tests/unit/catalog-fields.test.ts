import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseShowVmInfo } from '../../app/core/vbox/parse-showvminfo.ts';
import { VBOX_PAGES, canChangeIn } from '../../app/shared/catalog.ts';
import { CATALOG, catalogById } from '../../app/shared/catalog-data.ts';

/**
 * The per-entry facts added for issue 3: `basic` (VirtualBox 7.1 Basic mode, reference §1.2),
 * `access` (reference §1.5 and the modifyvm/controlvm facts), `readOnly`, `since`/`until`.
 */

const CATALOG_DIR = new URL('../../resources/catalog/', import.meta.url);
const SHOWVMINFO_DIR = new URL('../fixtures/showvminfo/', import.meta.url);
const raw = VBOX_PAGES.flatMap(
  (page) =>
    JSON.parse(readFileSync(new URL(`${page}.json`, CATALOG_DIR), 'utf8')) as Record<string, unknown>[],
);
const get = (id: string) => {
  const e = catalogById.get(id);
  if (!e) throw new Error(`no catalog entry ${id}`);
  return e;
};

/** VMState of a real fixture. */
function stateOf(file: string): string {
  const entries = parseShowVmInfo(readFileSync(new URL(file, SHOWVMINFO_DIR), 'utf8')).entries;
  return entries.find((e) => e.key === 'VMState')?.value ?? '';
}

describe('basic, access, readOnly, since, until', () => {
  it('states basic and access explicitly in every JSON entry (no silent defaults)', () => {
    const missing = raw.filter((e) => typeof e.basic !== 'boolean' || typeof e.access !== 'string');
    expect(missing.map((e) => e.id)).toEqual([]);
    expect(raw).toHaveLength(CATALOG.length);
  });

  it("marks exactly the editors of 7.1's Basic mode (reference §1.2) as basic", () => {
    const expected = [
      ...['general.basic.name', 'general.basic.type', 'general.basic.subtype', 'general.basic.version'],
      ...['general.advanced.clipboard', 'general.advanced.dragAndDrop', 'general.description.text'],
      ...['system.motherboard.memory', 'system.motherboard.bootOrder', 'system.motherboard.pointingDevice'],
      ...['system.processor.cpus', 'display.screen.vram', 'display.screen.monitorCount'],
      ...['display.screen.scaleFactor', 'audio.main.output', 'audio.main.input'],
      ...[
        'network.adapter.attachedTo',
        'network.adapter.name',
        'usb.main.enabled',
        'usb.main.controllerType',
      ],
      ...CATALOG.filter((e) => e.page === 'storage' && e.tab !== 'cli').map((e) => e.id),
      ...CATALOG.filter((e) => e.page === 'sharedFolders' && e.tab !== 'cli').map((e) => e.id),
    ];
    const basic = CATALOG.filter((e) => e.basic).map((e) => e.id);
    expect([...basic].sort()).toEqual([...new Set(expected)].sort());
    expect(basic).toHaveLength(45);
  });

  it('never puts a VBoxManage-only (cli) entry into Basic mode', () => {
    expect(CATALOG.filter((e) => e.tab === 'cli' && e.basic).map((e) => e.id)).toEqual([]);
  });

  it('follows the access levels of reference §1.5', () => {
    const access = (id: string) => get(id).access;
    // Name editable when offline or saved; OS type, paths, snapshot folder, disk encryption, USB controller only offline.
    expect(access('general.basic.name')).toBe('saved');
    for (const id of ['general.basic.type', 'general.basic.subtype', 'general.basic.version'])
      expect(access(id), id).toBe('offline');
    expect(access('general.advanced.snapshotFolder')).toBe('offline');
    for (const id of CATALOG.filter((e) => e.tab === 'encryption').map((e) => e.id))
      expect(access(id), id).toBe('offline');
    expect(access('usb.main.controllerType')).toBe('offline');
    // Clipboard, DnD, description, network cable/attachment, VRDE, shared folders, USB filters at runtime.
    for (const id of [
      'general.advanced.clipboard',
      'general.advanced.dragAndDrop',
      'general.description.text',
      'network.adapter.cable',
      'network.adapter.attachedTo',
      'display.remote.enabled',
      'usb.main.filters',
      'sharedFolders.main.list',
    ])
      expect(access(id), id).toBe('runtime');
    for (const e of CATALOG.filter(
      (x) => x.tab === 'filter' || (x.page === 'sharedFolders' && x.tab === 'main'),
    ))
      expect(e.access, e.id).toBe('runtime');
    // Hardware is fixed while the VM runs or is saved.
    for (const id of [
      'system.motherboard.memory',
      'system.processor.cpus',
      'display.screen.vram',
      'system.motherboard.chipset',
    ])
      expect(access(id), id).toBe('offline');
    expect(CATALOG.filter((e) => e.access === 'saved').length).toBeGreaterThanOrEqual(8);
  });

  it('keeps read-only entries free of change commands', () => {
    const ro = CATALOG.filter((e) => e.readOnly);
    expect(ro.map((e) => e.id).sort()).toEqual(
      [
        'general.cli.logFolder',
        'storage.info.actualSize',
        'storage.info.attachedTo',
        'storage.info.encryption',
        'storage.info.location',
        'storage.info.type',
        'storage.info.virtualSize',
        'system.cli.platformArchitecture',
      ].sort(),
    );
    expect(ro.filter((e) => e.modifyvm).map((e) => e.id)).toEqual([]);
  });

  it('gives since/until where the Settings dialog or VBoxManage changed (reference §1.3, §1.4)', () => {
    expect(get('system.motherboard.tpm').since).toBe('7.0');
    expect(get('system.motherboard.secureBoot').since).toBe('7.0');
    expect(get('system.motherboard.resetKeys').since).toBe('7.0');
    expect(get('userInterface.main.visualState').since).toBe('7.0');
    expect(get('general.basic.subtype').since).toBe('7.1');
    expect(get('display.remote.securityMethod').since).toBe('7.1');
    expect(get('system.cli.platformArchitecture').since).toBe('7.1');
    expect(get('system.acceleration.hwVirtEx').until).toBe('6.1');
    expect(get('display.screen.accelerate2dVideo').until).toBe('6.1');
    for (const e of CATALOG) {
      if (e.since && e.until) expect(Number(e.since), e.id).toBeLessThanOrEqual(Number(e.until));
      for (const v of [e.since, e.until]) if (v) expect(['6.1', '7.0', '7.1'], e.id).toContain(v);
    }
  });

  it('gives every VBoxManage-only entry a source: a showvminfo key or a .vbox path', () => {
    const cli = CATALOG.filter((e) => e.tab === 'cli');
    expect(cli).toHaveLength(51);
    expect(cli.filter((e) => e.showvminfo.length === 0 && !e.vbox).map((e) => e.id)).toEqual([]);
  });
});

describe('canChangeIn on the states of real dumps', () => {
  const files = readdirSync(SHOWVMINFO_DIR);
  const changeable = (state: string) => CATALOG.filter((e) => canChangeIn(e, state)).map((e) => e.id);

  it('reads powered-off, saved and running dumps', () => {
    const states = new Set(files.map(stateOf).filter(Boolean));
    expect([...states].sort()).toEqual(['poweroff', 'running', 'saved']);
  });

  it('allows every editable setting of a powered-off VM', () => {
    const state = stateOf('vbox514-windows-host-CRLF-sata-only-poweroff.txt');
    expect(state).toBe('poweroff');
    expect(changeable(state)).toHaveLength(CATALOG.filter((e) => !e.readOnly).length);
  });

  it('allows only saved- and runtime-level settings of a saved VM', () => {
    const state = stateOf('vbox5x-macos-host-saved-state-ide-sata.txt');
    expect(state).toBe('saved');
    const ids = changeable(state);
    expect(ids).toContain('general.basic.name');
    expect(ids).toContain('display.remote.authType');
    expect(ids).toContain('network.adapter.cable');
    expect(ids).not.toContain('general.basic.type');
    expect(ids).not.toContain('system.motherboard.memory');
  });

  it('allows only runtime-level settings of a running VM', () => {
    const state = stateOf('vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt');
    expect(state).toBe('running');
    const ids = changeable(state);
    expect(ids).toEqual(CATALOG.filter((e) => e.access === 'runtime' && !e.readOnly).map((e) => e.id));
    expect(ids).toContain('system.processor.executionCap');
    expect(ids).toContain('sharedFolders.main.name');
    expect(ids).not.toContain('general.basic.name');
    expect(ids).not.toContain('display.remote.authType');
  });
});

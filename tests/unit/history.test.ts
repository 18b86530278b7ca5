import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  HISTORY_KEEP_PER_VM,
  configHash,
  diffConfigs,
  historyFor,
  normalizeConfig,
  recordConfig,
} from '../../app/core/history.ts';
import {
  DB_FILE_NAME,
  MIGRATIONS,
  applyMigrations,
  openStore,
  type Store,
} from '../../app/core/store/index.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import type { VmConfig } from '../../app/shared/model.ts';

const config = (name: string): VmConfig =>
  showVmInfoToConfig(
    readFileSync(new URL(`../fixtures/showvminfo/${name}`, import.meta.url), 'utf8'),
    'vboxmanage',
  );

const UBUNTU = 'vbox60-linux-host-vrde-snapshot-differencing-disk.txt';
const RTF_OFF = 'vbox5040-ubuntu-host-poweroff-emptydrive-IsEjected-no-suffix-usb-on.txt';
const RTF_RUNNING = 'vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt';
const WIN_IMPORTED =
  'vbox612-macos-host-windows2019-box-poweroff-ide-vrde-on-capture-keys-from-vagrant-log.txt';
const WIN_RUNNING =
  'vbox612-macos-host-running-4-forwarding-rules-VRDEClients-double-equals-GUI-Qt-session.txt';
const VAGRANTBUG = 'c8775131-d296-4ad5-bf03-84ff719e6e4c';

describe('normalizeConfig — real showvminfo fixtures', () => {
  it('ubuntu-18.04 (6.0): settings by path, sorted, free slots and runtime values left out', () => {
    const n = normalizeConfig(config(UBUNTU));
    const keys = Object.keys(n);
    expect(keys).toEqual([...keys].sort());
    expect(n).toMatchObject({
      'general.name': 'ubuntu-18.04-amd64_1549746024485_35372',
      'general.osType': 'Ubuntu (64-bit)',
      'general.groups': '/',
      'system.memoryMB': '1024',
      'system.cpus': '1',
      'system.ioApic': 'on',
      'system.rtcUseUtc': 'off',
      'system.bootOrder.1': 'disk',
      'system.bootOrder.2': 'dvd',
      'display.vramMB': '8',
      'display.vrdeEnabled': 'on',
      'display.vrdePorts': '5947',
      'storage.SATA Controller.type': 'IntelAhci',
      'storage.SATA Controller.portCount': '1',
      'storage.SATA Controller.0-0.medium':
        '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/Snapshots/{1c182745-4b09-41a1-a147-d3ced46f72f6}.vmdk',
      'storage.SATA Controller.0-0.kind': 'hdd',
      'network.1.attachment': 'nat',
      'network.1.nat.sockSnd': '64',
      'audio.driver': 'pulse',
      'snapshots.085cbbec-70cd-4864-9208-5d938dcabb71.name': 'base',
      'snapshots.current': 'base (085cbbec-70cd-4864-9208-5d938dcabb71)',
    });
    // The four free IDE slots and the disabled adapters' details are not settings worth tracking.
    expect(keys.filter((k) => k.startsWith('storage.IDE Controller.') && /\d-\d/.test(k))).toEqual([]);
    expect(n['network.2.attachment']).toBe('none');
    expect(keys.filter((k) => k.startsWith('network.2.'))).toEqual(['network.2.attachment']);
    // No runtime state, identity or reader bookkeeping.
    expect(
      keys.some((k) => /^(state|stateChangeTime|sessionName|guestAdditions|unknownKeys|issues|id)\b/.test(k)),
    ).toBe(false);
    expect(keys.some((k) => /isEjected|imageUuid/.test(k))).toBe(false);
  });

  it('the same VM powered off and running (60390da3, 5.0.40): same settings, same hash', () => {
    const off = config(RTF_OFF);
    const running = config(RTF_RUNNING);
    expect(off.id).toBe(running.id);
    expect(off.state?.value).toBe('poweroff');
    expect(running.state?.value).toBe('running');
    expect(normalizeConfig(running)).toEqual(normalizeConfig(off));
    expect(configHash(normalizeConfig(running))).toBe(configHash(normalizeConfig(off)));
  });

  it('the Windows 2019 box as imported vs as configured by Vagrant (c8775131, 6.1.2): the real changes', () => {
    const changes = diffConfigs(normalizeConfig(config(WIN_IMPORTED)), normalizeConfig(config(WIN_RUNNING)));
    expect(changes).toEqual(
      expect.arrayContaining([
        { path: 'display.vramMB', before: '8', after: '128' },
        { path: 'display.accelerate3d', before: 'off', after: 'on' },
        { path: 'general.clipboard', before: 'disabled', after: 'bidirectional' },
        {
          path: 'general.name',
          before: 'WindowsServer2019_1581551572524_39748',
          after: 'vagrantbug_default_1581551652753_65338',
        },
        { path: 'network.1.forward.ssh', before: null, after: 'tcp 127.0.0.1:2222 -> :22' },
        { path: 'network.1.forward.rdp', before: null, after: 'tcp :3389 -> :3389' },
        { path: 'sharedFolders.vagrant.hostPath', before: null, after: '/Users/test/Documents/vagrantbug' },
        { path: 'system.rtcUseUtc', before: 'off', after: 'on' },
      ]),
    );
    expect(changes.map((c) => c.path)).toEqual([...changes.map((c) => c.path)].sort());
    expect(changes.some((c) => /state|session|VRDE|VideoMode/i.test(c.path))).toBe(false);
  });

  it('every real showvminfo fixture normalizes without throwing and hashes deterministically', () => {
    const dir = new URL('../fixtures/showvminfo/', import.meta.url);
    // The 7.0 fragment has no UUID= line (not a whole dump), so it is not a VM configuration.
    const files = readdirSync(dir).filter((f) => f.endsWith('.txt') && !f.includes('fragment'));
    expect(files.length).toBeGreaterThan(20);
    for (const f of files) {
      const c = showVmInfoToConfig(readFileSync(new URL(f, dir), 'utf8'), 'vboxmanage');
      const a = normalizeConfig(c);
      expect(Object.keys(a).length, f).toBeGreaterThan(30);
      expect(Object.values(a).every((v) => typeof v === 'string')).toBe(true);
      expect(configHash(a)).toMatch(/^[0-9a-f]{64}$/);
      expect(configHash(normalizeConfig(structuredClone(c)))).toBe(configHash(a));
    }
  });
});

describe('recordConfig / historyFor with the SQLite store', () => {
  let dir: string;
  let store: Store;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'vmc-history-'));
    store = openStore(dir);
  });
  afterEach(() => store.close());

  const at = (s: string) => new Date(`2025-03-0${s}T10:00:00.000Z`);

  it('stores only when the settings change; history is newest first with per-path diffs', () => {
    expect(recordConfig(store, VAGRANTBUG, config(WIN_IMPORTED), at('1'))).toBe(true);
    expect(recordConfig(store, VAGRANTBUG, config(WIN_IMPORTED), at('2'))).toBe(false);
    expect(recordConfig(store, VAGRANTBUG.toUpperCase(), config(WIN_RUNNING), at('3'))).toBe(true);
    expect(recordConfig(store, VAGRANTBUG, config(WIN_RUNNING), at('4'))).toBe(false);
    const h = historyFor(store, VAGRANTBUG.toUpperCase());
    expect(h.map((e) => [e.at, e.first])).toEqual([
      ['2025-03-03T10:00:00.000Z', false],
      ['2025-03-01T10:00:00.000Z', true],
    ]);
    expect(h[0].changes).toContainEqual({ path: 'display.vramMB', before: '8', after: '128' });
    expect(h[0].changes).toHaveLength(15);
    // The first entry lists the whole configuration as new values.
    expect(h[1].changes.every((c) => c.before === null && c.after !== null)).toBe(true);
    expect(h[1].changes).toContainEqual({ path: 'display.vramMB', before: null, after: '8' });
    expect(h[1].changes).toHaveLength(Object.keys(normalizeConfig(config(WIN_IMPORTED))).length);
    // Stored rows are the canonical JSON with its hash.
    const rows = store.configHistory(VAGRANTBUG);
    expect(rows).toHaveLength(2);
    expect(rows[0].hash).toBe(configHash(JSON.parse(rows[0].configJson)));
  });

  it('going back to an earlier configuration is a change again', () => {
    recordConfig(store, VAGRANTBUG, config(WIN_IMPORTED), at('1'));
    recordConfig(store, VAGRANTBUG, config(WIN_RUNNING), at('2'));
    expect(recordConfig(store, VAGRANTBUG, config(WIN_IMPORTED), at('3'))).toBe(true);
    const h = historyFor(store, VAGRANTBUG);
    expect(h).toHaveLength(3);
    expect(h[0].changes).toContainEqual({ path: 'display.vramMB', before: '128', after: '8' });
  });

  it('VMs are kept apart; an unknown VM has no history', () => {
    const ubuntu = config(UBUNTU);
    recordConfig(store, ubuntu.id, ubuntu, at('1'));
    recordConfig(store, VAGRANTBUG, config(WIN_RUNNING), at('1'));
    expect(historyFor(store, ubuntu.id)).toHaveLength(1);
    expect(historyFor(store, VAGRANTBUG)).toHaveLength(1);
    expect(historyFor(store, '00000000-0000-4000-8000-000000000000')).toEqual([]);
  });

  it('keeps only the newest rows per VM (cap), the oldest kept is flagged first', () => {
    const base = config(UBUNTU);
    for (let i = 1; i <= 5; i++) {
      const c = structuredClone(base);
      c.system.memoryMB = { value: 1024 * i, key: 'memory', raw: String(1024 * i) };
      expect(recordConfig(store, base.id, c, at(String(i)), 3)).toBe(true);
    }
    const h = historyFor(store, base.id);
    expect(h.map((e) => e.at.slice(0, 10))).toEqual(['2025-03-05', '2025-03-04', '2025-03-03']);
    expect(h.map((e) => e.first)).toEqual([false, false, true]);
    expect(h[0].changes).toEqual([{ path: 'system.memoryMB', before: '4096', after: '5120' }]);
    expect(HISTORY_KEEP_PER_VM).toBe(200);
  });

  it('a damaged stored row is skipped and its neighbours are compared directly', () => {
    recordConfig(store, VAGRANTBUG, config(WIN_IMPORTED), at('1'));
    const db = new Database(path.join(dir, DB_FILE_NAME));
    db.prepare(
      "INSERT INTO config_history (vm_id, at, config_json, hash) VALUES (?, ?, '{not json', 'x')",
    ).run(VAGRANTBUG, '2025-03-02T10:00:00.000Z');
    db.close();
    recordConfig(store, VAGRANTBUG, config(WIN_RUNNING), at('3'));
    const h = historyFor(store, VAGRANTBUG);
    expect(h.map((e) => e.at.slice(0, 10))).toEqual(['2025-03-03', '2025-03-01']);
    expect(h[0].changes).toContainEqual({ path: 'display.vramMB', before: '8', after: '128' });
  });
});

describe('migration 0003 (config history)', () => {
  it('is registered as version 3 and adds the table and its index to an existing v2 database, keeping notes', () => {
    expect(MIGRATIONS.map((m) => m.version).slice(0, 3)).toEqual([1, 2, 3]);
    const dir = mkdtempSync(path.join(tmpdir(), 'vmc-history-mig-'));
    const db = new Database(path.join(dir, DB_FILE_NAME));
    expect(applyMigrations(db, MIGRATIONS.slice(0, 2))).toBe(2);
    db.prepare("INSERT INTO notes VALUES ('vm', '', 'old note', '2024-01-01T00:00:00.000Z')").run();
    expect(applyMigrations(db, MIGRATIONS.slice(0, 3))).toBe(3);
    const names = db
      .prepare<[], { name: string }>(
        "SELECT name FROM sqlite_master WHERE name LIKE 'config_history%' ORDER BY name",
      )
      .all()
      .map((r) => r.name);
    expect(names).toEqual(['config_history', 'config_history_vm']);
    db.close();
    const s = openStore(dir);
    expect(s.listNotes('vm').map((n) => n.body)).toEqual(['old note']);
    expect(s.configHistory('vm')).toEqual([]);
    s.close();
  });
});

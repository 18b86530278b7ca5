import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  DB_FILE_NAME,
  MIGRATIONS,
  StoreSchemaError,
  applyMigrations,
  openStore,
  type Store,
} from '../../app/core/store/index.ts';

const VM = '3f5c1f0e-6b0a-4c39-9a55-0c3b1b2d4e5f';
const VM2 = 'demo-0a1b2c3d-0000-4000-8000-000000000001';

let dir: string;
const open: Store[] = [];
const openT = (d = dir, now?: () => Date): Store => {
  const s = openStore(d, now ? { now } : {});
  open.push(s);
  return s;
};

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-store-'));
});
afterEach(() => {
  for (const s of open.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Defaults of the preferences added for VMware and KVM (issue 4). */
const NEW_DEFAULTS = { libvirtUri: '', vmwareFolders: [], vmrunPath: '' };

describe('openStore', () => {
  it('creates the data dir and the database file, in WAL mode with foreign keys on', () => {
    const nested = path.join(dir, 'a', 'b');
    const s = openT(nested);
    expect(s.file).toBe(path.join(nested, DB_FILE_NAME));
    expect(fs.existsSync(s.file)).toBe(true);
    const db = new Database(s.file, { readonly: true });
    try {
      expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      const tables = db
        .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
        .all()
        .map((r) => (r as { name: string }).name);
      expect(tables).toEqual(expect.arrayContaining(['config_history', 'notes', 'prefs']));
    } finally {
      db.close();
    }
    expect(fs.existsSync(`${s.file}-wal`)).toBe(true);
  });

  it('re-opening is idempotent: no migration runs twice and data stays', () => {
    const s1 = openT();
    s1.saveNote(VM, '', 'keep me');
    s1.close();
    const s2 = openT();
    expect(s2.listNotes(VM).map((n) => n.body)).toEqual(['keep me']);
    s2.close();
    const db = new Database(path.join(dir, DB_FILE_NAME));
    try {
      expect(applyMigrations(db, MIGRATIONS)).toBe(MIGRATIONS.length);
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    } finally {
      db.close();
    }
  });

  it('applies only the missing migrations to an older database', () => {
    const db = new Database(path.join(dir, DB_FILE_NAME));
    expect(applyMigrations(db, MIGRATIONS.slice(0, 1))).toBe(1);
    db.prepare("INSERT INTO notes VALUES (?, '', 'old note', '2024-01-01T00:00:00.000Z')").run(VM);
    db.close();
    const s = openT();
    expect(s.listNotes(VM)).toEqual([
      { vmId: VM, settingId: '', body: 'old note', updatedAt: '2024-01-01T00:00:00.000Z' },
    ]);
    expect(s.getPrefs()).toEqual({ language: null, vboxManagePath: '', ...NEW_DEFAULTS });
  });

  it('rolls back a failing migration and names it', () => {
    const db = new Database(path.join(dir, DB_FILE_NAME));
    try {
      const bad = [
        ...MIGRATIONS,
        { version: MIGRATIONS.length + 1, name: 'broken', sql: 'CREATE TABLE x (a); CREATE TABLE oops (' },
      ];
      expect(() => applyMigrations(db, bad)).toThrow(
        new RegExp(`migration ${MIGRATIONS.length + 1} \\(broken\\) failed`),
      );
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'x'").get()).toEqual({ n: 0 });
    } finally {
      db.close();
    }
  });

  it('refuses a database from a newer schema without touching it', () => {
    const file = path.join(dir, DB_FILE_NAME);
    const db = new Database(file);
    db.pragma('user_version = 99');
    db.close();
    expect(() => openStore(dir)).toThrow(StoreSchemaError);
    expect(() => openStore(dir)).toThrow(
      new RegExp(
        `newer version of VM Companion \\(schema 99; this version understands up to ${MIGRATIONS.length}\\)`,
      ),
    );
    const check = new Database(file, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(99);
      expect(check.prepare("SELECT count(*) AS n FROM sqlite_master WHERE type = 'table'").get()).toEqual({
        n: 0,
      });
    } finally {
      check.close();
    }
  });

  it('rejects a file that is not a database', () => {
    fs.writeFileSync(path.join(dir, DB_FILE_NAME), 'this is not sqlite '.repeat(100));
    expect(() => openStore(dir)).toThrow(/not a database/);
  });
});

describe('notes', () => {
  it('round-trips VM-wide and per-setting notes with ISO times', () => {
    let t = Date.parse('2025-03-04T05:06:07.890Z');
    const s = openT(dir, () => new Date(t));
    const a = s.saveNote(VM, 'system.processor.cpus', 'Two cores are enough.');
    expect(a).toEqual({
      vmId: VM,
      settingId: 'system.processor.cpus',
      body: 'Two cores are enough.',
      updatedAt: '2025-03-04T05:06:07.890Z',
    });
    t += 1000;
    s.saveNote(VM, '', '整台虚拟机的笔记\n**Markdown**');
    s.saveNote(VM, 'network.adapter.mac#2', 'second adapter');
    s.saveNote(VM2, '', 'other VM');
    const notes = s.listNotes(VM);
    expect(notes.map((n) => n.settingId)).toEqual(['', 'network.adapter.mac#2', 'system.processor.cpus']);
    expect(notes[0]).toEqual({
      vmId: VM,
      settingId: '',
      body: '整台虚拟机的笔记\n**Markdown**',
      updatedAt: '2025-03-04T05:06:08.890Z',
    });
    expect(s.listNotes(VM2)).toHaveLength(1);
    expect(s.listNotes('00000000-0000-0000-0000-000000000000')).toEqual([]);
  });

  it('replaces an existing note and updates its time', () => {
    let t = 0;
    const s = openT(dir, () => new Date(t));
    s.saveNote(VM, '', 'first');
    t = 60_000;
    const b = s.saveNote(VM, '', 'second');
    expect(b.updatedAt).toBe('1970-01-01T00:01:00.000Z');
    expect(s.listNotes(VM)).toEqual([b]);
  });

  it('deletes on an empty or whitespace-only body', () => {
    const s = openT();
    s.saveNote(VM, '', 'x');
    s.saveNote(VM, 'general.basic.name', 'y');
    const del = s.saveNote(VM, '', '');
    expect(del.body).toBe('');
    expect(s.listNotes(VM).map((n) => n.settingId)).toEqual(['general.basic.name']);
    s.saveNote(VM, 'general.basic.name', '  \n\t ');
    expect(s.listNotes(VM)).toEqual([]);
    // deleting a note that does not exist is fine
    expect(s.saveNote(VM, 'display.screen.vram', '').body).toBe('');
  });

  it('survives a reopen', () => {
    const s1 = openT();
    s1.saveNote(VM, 'system.motherboard.memory', '4096 MB');
    s1.setPrefs({ language: 'zh-CN' });
    s1.close();
    const s2 = openT();
    expect(s2.listNotes(VM).map((n) => [n.settingId, n.body])).toEqual([
      ['system.motherboard.memory', '4096 MB'],
    ]);
    expect(s2.getPrefs().language).toBe('zh-CN');
  });
});

describe('prefs', () => {
  it('has defaults, saves partial updates and keeps other fields', () => {
    const s = openT();
    expect(s.getPrefs()).toEqual({ language: null, vboxManagePath: '', ...NEW_DEFAULTS });
    expect(s.setPrefs({ vboxManagePath: '/opt/vbox/VBoxManage' })).toEqual({
      language: null,
      vboxManagePath: '/opt/vbox/VBoxManage',
      ...NEW_DEFAULTS,
    });
    expect(s.setPrefs({ language: 'en' })).toEqual({
      language: 'en',
      vboxManagePath: '/opt/vbox/VBoxManage',
      ...NEW_DEFAULTS,
    });
    expect(s.setPrefs({ vboxManagePath: '' })).toEqual({
      language: 'en',
      vboxManagePath: '',
      ...NEW_DEFAULTS,
    });
    expect(s.setPrefs({ language: null })).toEqual({ language: null, vboxManagePath: '', ...NEW_DEFAULTS });
    expect(s.setPrefs({})).toEqual({ language: null, vboxManagePath: '', ...NEW_DEFAULTS });
  });

  it('ignores damaged or unknown saved values', () => {
    const s = openT();
    s.close();
    const db = new Database(path.join(dir, DB_FILE_NAME));
    const ins = db.prepare('INSERT INTO prefs (key, value) VALUES (?, ?)');
    ins.run('language', '"fr"');
    ins.run('vboxManagePath', 'not json');
    ins.run('futureKey', '{"a":1}');
    db.close();
    const s2 = openT();
    expect(s2.getPrefs()).toEqual({ language: null, vboxManagePath: '', ...NEW_DEFAULTS });
  });

  it('close() twice is safe; calls after close throw', () => {
    const s = openT();
    s.close();
    s.close();
    expect(() => s.listNotes(VM)).toThrow();
  });
});

import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  APPLICATION_ID,
  DB_FILE_NAME,
  MIGRATIONS,
  StoreReadOnlyError,
  StoreSchemaError,
  applyMigrations,
  inspectDatabaseFile,
  moveAside,
  openStore,
  openStoreSafely,
  type Store,
} from '../../app/core/store/index.ts';

/**
 * Issue 6, data safety: pragmas, and what the app does with a corrupt, foreign, empty or newer
 * data file (`openStoreSafely`). The SIGKILL test is in store-safety-kill.test.ts.
 */

const VM = '3f5c1f0e-6b0a-4c39-9a55-0c3b1b2d4e5f';
const WHEN = new Date('2026-03-04T05:06:07.890Z');
const STAMP = '2026-03-04T05-06-07-890Z';

let dir: string;
let file: string;
const opened: Store[] = [];
const safe = (options: Parameters<typeof openStoreSafely>[1] = {}): Store => {
  const s = openStoreSafely(dir, { clock: () => WHEN, ...options });
  opened.push(s);
  return s;
};
const files = (): string[] => fs.readdirSync(dir).sort();

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-safety-'));
  file = path.join(dir, DB_FILE_NAME);
});
afterEach(() => {
  for (const s of opened.splice(0)) s.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A database of this version with one note, closed. */
function seedOurs(body = 'keep me'): void {
  const s = openStore(dir);
  s.saveNote(VM, '', body);
  s.close();
}

/** The fresh store works: saves and lists a note. */
function expectWorking(s: Store): void {
  s.saveNote(VM, 'system.processor.cpus', 'after recovery');
  expect(s.listNotes(VM).map((n) => n.body)).toEqual(['after recovery']);
  expect(s.db.pragma('integrity_check', { simple: true })).toBe('ok');
}

describe('pragmas', () => {
  it('WAL, synchronous=NORMAL, foreign keys on, application_id set, every migration applied', () => {
    const s = safe();
    expect(s.db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(s.db.pragma('synchronous', { simple: true })).toBe(1); // 1 = NORMAL, 2 = FULL
    expect(s.db.pragma('foreign_keys', { simple: true })).toBe(1);
    expect(s.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
    expect(s.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
    expect(s.recovered).toBeUndefined();
    expect(s.readOnly).toBeUndefined();
  });

  it('each migration runs in a transaction: a failing one leaves no trace and the file is not moved', () => {
    seedOurs();
    const broken = [
      ...MIGRATIONS,
      {
        version: MIGRATIONS.length + 1,
        name: 'half',
        sql: 'CREATE TABLE half_done (a); INSERT INTO nope VALUES (1);',
      },
    ];
    expect(() => openStoreSafely(dir, { migrations: broken })).toThrow(
      new RegExp(`migration ${MIGRATIONS.length + 1} \\(half\\) failed: no such table: nope`),
    );
    expect(files().filter((f) => f.includes('corrupt'))).toEqual([]);
    const db = new Database(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
      expect(db.prepare("SELECT count(*) AS n FROM sqlite_master WHERE name = 'half_done'").get()).toEqual({
        n: 0,
      });
    } finally {
      db.close();
    }
    expect(
      safe()
        .listNotes(VM)
        .map((n) => n.body),
    ).toEqual(['keep me']);
  });

  it('an older database (schema 2, before application_id) is recognised as ours and migrated, notes kept', () => {
    const db = new Database(file);
    applyMigrations(db, MIGRATIONS.slice(0, 2));
    db.prepare("INSERT INTO notes VALUES (?, '', 'old note', '2024-01-01T00:00:00.000Z')").run(VM);
    db.close();
    expect(inspectDatabaseFile(file)).toMatchObject({ kind: 'ours', version: 2, applicationId: 0 });
    const s = safe();
    expect(s.recovered).toBeUndefined();
    expect(s.listNotes(VM).map((n) => n.body)).toEqual(['old note']);
    expect(s.db.pragma('application_id', { simple: true })).toBe(APPLICATION_ID);
  });
});

describe('a corrupt data file is moved aside and a fresh one created', () => {
  it('random bytes: moved to vm-companion.sqlite.corrupt-<timestamp> byte for byte, user told where', () => {
    const junk = crypto.randomBytes(8192);
    fs.writeFileSync(file, junk);
    expect(inspectDatabaseFile(file)).toEqual({
      kind: 'corrupt',
      detail: 'file is not a database (no SQLite header)',
    });
    const s = safe();
    const movedTo = path.join(dir, `${DB_FILE_NAME}.corrupt-${STAMP}`);
    expect(s.recovered).toEqual({
      reason: 'corrupt',
      detail: 'file is not a database (no SQLite header)',
      movedTo,
      moved: [{ from: file, to: movedTo }],
      message:
        `The data file ${file} was damaged (file is not a database (no SQLite header)). It was moved to ${movedTo} ` +
        'and a new, empty data file was created. Notes saved before are in the moved file.',
    });
    expect(fs.readFileSync(movedTo).equals(junk)).toBe(true);
    expectWorking(s);
    expect(s.db.pragma('user_version', { simple: true })).toBe(MIGRATIONS.length);
  });

  it('moves the -wal, -shm and -journal files with it, keeping the suffixes', () => {
    fs.writeFileSync(file, 'not sqlite at all '.repeat(20));
    fs.writeFileSync(`${file}-wal`, crypto.randomBytes(4096));
    fs.writeFileSync(`${file}-shm`, crypto.randomBytes(32768));
    fs.writeFileSync(`${file}-journal`, crypto.randomBytes(512));
    const s = safe();
    const movedTo = path.join(dir, `${DB_FILE_NAME}.corrupt-${STAMP}`);
    expect(s.recovered?.moved.map((m) => path.basename(m.to))).toEqual([
      `${DB_FILE_NAME}.corrupt-${STAMP}`,
      `${DB_FILE_NAME}.corrupt-${STAMP}-wal`,
      `${DB_FILE_NAME}.corrupt-${STAMP}-shm`,
      `${DB_FILE_NAME}.corrupt-${STAMP}-journal`,
    ]);
    expect(fs.existsSync(`${movedTo}-wal`)).toBe(true);
    expect(fs.existsSync(`${file}-journal`)).toBe(false);
    expectWorking(s);
  });

  it('an SQLite header over garbage pages is corrupt too', () => {
    seedOurs();
    const bytes = fs.readFileSync(file);
    const damaged = Buffer.concat([bytes.subarray(0, 100), crypto.randomBytes(bytes.length - 100)]);
    fs.writeFileSync(file, damaged);
    fs.rmSync(`${file}-wal`, { force: true });
    fs.rmSync(`${file}-shm`, { force: true });
    const found = inspectDatabaseFile(file);
    expect(found.kind).toBe('corrupt');
    const s = safe();
    expect(s.recovered?.reason).toBe('corrupt');
    expectWorking(s);
  });

  it('a database cut in half is corrupt', () => {
    const s0 = openStore(dir);
    for (let i = 0; i < 400; i++) s0.saveNote(VM, `n${i}`, 'x'.repeat(500));
    s0.close(); // checkpoints the WAL into the file
    const bytes = fs.readFileSync(file);
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const s = safe();
    expect(s.recovered?.reason).toBe('corrupt');
    expect(s.recovered?.detail).toMatch(/malformed|integrity check failed|corrupt/i);
    expectWorking(s);
  });

  it('a file shorter than a database header is corrupt', () => {
    fs.writeFileSync(file, 'SQLite format 3\0');
    expect(safe().recovered?.detail).toBe('file is not a database (only 16 bytes)');
  });

  it('a write-ahead log without its database is moved aside', () => {
    fs.writeFileSync(`${file}-wal`, crypto.randomBytes(4096));
    const s = safe();
    expect(s.recovered?.detail).toBe('a write-ahead log (-wal) was left without its database');
    expect(s.recovered?.moved.map((m) => path.basename(m.from))).toEqual([`${DB_FILE_NAME}-wal`]);
    expectWorking(s);
  });

  it('a second recovery in the same millisecond does not overwrite the first one', () => {
    fs.writeFileSync(file, 'first junk '.repeat(20));
    safe().close();
    fs.rmSync(file);
    for (const side of ['-wal', '-shm']) fs.rmSync(file + side, { force: true });
    fs.writeFileSync(file, 'second junk '.repeat(20));
    const s = safe();
    expect(path.basename(s.recovered!.movedTo)).toBe(`${DB_FILE_NAME}.corrupt-${STAMP}-1`);
    expect(fs.readFileSync(path.join(dir, `${DB_FILE_NAME}.corrupt-${STAMP}`), 'utf8')).toMatch(
      /^first junk/,
    );
  });

  it('moveAside names the file and what to do when a rename fails; nothing is opened then', () => {
    fs.writeFileSync(file, 'junk '.repeat(40));
    const spy = vi.spyOn(fs, 'renameSync').mockImplementation(() => {
      throw Object.assign(new Error('EBUSY: resource busy or locked, rename'), { code: 'EBUSY' });
    });
    try {
      expect(() => moveAside(file, WHEN)).toThrow(
        `VM Companion's data file ${file} cannot be used and could not be moved aside (EBUSY: resource busy or locked, rename). ` +
          'Close other programs using it, or move it yourself, then start VM Companion again.',
      );
      expect(() => openStoreSafely(dir)).toThrow(/could not be moved aside/);
    } finally {
      spy.mockRestore();
    }
    expect(files()).toEqual([DB_FILE_NAME]);
  });
});

describe('a foreign database is moved aside', () => {
  it('another program’s tables (schema 0, no application id)', () => {
    const db = new Database(file);
    db.exec(
      "CREATE TABLE users (id INTEGER PRIMARY KEY, email TEXT); CREATE TABLE posts (id, body); INSERT INTO users VALUES (1, 'a@b.c');",
    );
    db.close();
    const s = safe();
    expect(s.recovered).toMatchObject({
      reason: 'foreign',
      detail: 'a database of another program (tables: posts, users)',
    });
    expect(s.recovered?.message).toMatch(
      /belongs to another program \(a database of another program \(tables: posts, users\)\)\. It was moved to /,
    );
    const old = new Database(s.recovered!.movedTo, { readonly: true });
    try {
      expect(old.prepare('SELECT email FROM users').get()).toEqual({ email: 'a@b.c' });
    } finally {
      old.close();
    }
    expectWorking(s);
  });

  it('another program’s application id, even with a table called notes', () => {
    const db = new Database(file);
    db.exec('CREATE TABLE notes (id, text)');
    db.pragma('application_id = 1234567');
    db.pragma('user_version = 3');
    db.close();
    expect(inspectDatabaseFile(file)).toMatchObject({ kind: 'foreign', applicationId: 1234567, version: 3 });
    expect(safe().recovered?.detail).toBe(
      'a database of another program (application id 1234567; tables: notes)',
    );
  });

  it('a schema version without our notes table (and no application id)', () => {
    const db = new Database(file);
    db.exec('CREATE TABLE things (a)');
    db.pragma('user_version = 7');
    db.close();
    expect(safe().recovered?.detail).toBe('a database of another program (schema version 7; tables: things)');
  });

  it('our application id but a table of its schema missing → corrupt', () => {
    seedOurs();
    const db = new Database(file);
    db.exec('DROP TABLE prefs');
    db.close();
    const s = safe();
    expect(s.recovered).toMatchObject({ reason: 'corrupt', detail: 'tables of schema 4 are missing: prefs' });
    expectWorking(s);
  });
});

describe('empty or missing file', () => {
  it('a zero-length file is fine as new: nothing moved, nothing reported', () => {
    fs.writeFileSync(file, '');
    expect(inspectDatabaseFile(file)).toEqual({ kind: 'empty', detail: '' });
    const s = safe();
    expect(s.recovered).toBeUndefined();
    expectWorking(s);
    expect(files().filter((f) => f.includes('corrupt'))).toEqual([]);
  });

  it('no file: created', () => {
    expect(inspectDatabaseFile(file)).toEqual({ kind: 'missing', detail: '' });
    expectWorking(safe());
  });
});

describe('a database from a newer VM Companion', () => {
  /** Our database, written by "a future version": schema 99 with an extra table. */
  function seedNewer(): void {
    seedOurs('written by the future');
    const db = new Database(file);
    db.exec('CREATE TABLE future_things (a)');
    db.prepare("INSERT INTO prefs VALUES ('language', '\"zh-CN\"')").run();
    db.pragma('user_version = 99');
    db.close();
  }

  it('is opened read-only with a clear message: reads work, writes throw, nothing changed or moved', () => {
    seedNewer();
    const before = fs.readFileSync(file);
    const s = safe();
    expect(s.recovered).toBeUndefined();
    expect(s.readOnly).toEqual({
      found: 99,
      supported: MIGRATIONS.length,
      message:
        `The data file ${file} was written by a newer version of VM Companion (schema 99; this version understands up to ${MIGRATIONS.length}). ` +
        'It was opened read-only and left unchanged: notes and settings can be read but not saved. Update VM Companion to edit them.',
    });
    expect(s.listNotes(VM).map((n) => n.body)).toEqual(['written by the future']);
    expect(s.listAllNotes()).toHaveLength(1);
    expect(s.getPrefs().language).toBe('zh-CN');
    expect(() => s.saveNote(VM, '', 'new text')).toThrow(StoreReadOnlyError);
    expect(() => s.saveNote(VM, '', 'new text')).toThrow(
      /^Not saved: VM Companion opened its data file .* read-only because a newer version wrote it \(schema 99; this version understands up to \d+\)\. Update VM Companion/,
    );
    expect(() => s.setPrefs({ language: 'en' })).toThrow(StoreReadOnlyError);
    expect(s.appendConfigHistory(VM, { at: WHEN.toISOString(), configJson: '{}', hash: 'h' }, 5)).toBe(false);
    expect(() => s.db.exec('INSERT INTO future_things VALUES (1)')).toThrow(/readonly/);
    s.close();
    expect(fs.readFileSync(file).equals(before)).toBe(true);
    expect(files().filter((f) => f.includes('corrupt'))).toEqual([]);
    const check = new Database(file, { readonly: true });
    try {
      expect(check.pragma('user_version', { simple: true })).toBe(99);
      expect(check.prepare('SELECT body FROM notes').all()).toEqual([{ body: 'written by the future' }]);
    } finally {
      check.close();
    }
  });

  it('the strict openStore still refuses it', () => {
    seedNewer();
    expect(() => openStore(dir)).toThrow(StoreSchemaError);
  });

  it('a newer schema that dropped a table this version reads cannot be opened, with a clear error', () => {
    seedNewer();
    const db = new Database(file);
    db.exec('DROP TABLE config_history');
    db.close();
    expect(() => openStoreSafely(dir)).toThrow(StoreSchemaError);
    expect(() => openStoreSafely(dir)).toThrow(
      /newer version of VM Companion \(schema 99;.*no such table: config_history/,
    );
    expect(files().filter((f) => f.includes('corrupt'))).toEqual([]);
  });
});

describe('errors that are not about the content are not "recovered"', () => {
  it('a data file locked by another writer makes the open fail after the busy timeout, file kept', () => {
    seedOurs();
    const other = new Database(file, { timeout: 0 });
    other.pragma('locking_mode = EXCLUSIVE');
    other.exec('BEGIN EXCLUSIVE');
    try {
      const t0 = Date.now();
      expect(() => openStoreSafely(dir)).toThrow(/locked|busy/i);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(4000);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(files().filter((f) => f.includes('corrupt'))).toEqual([]);
    expect(
      safe()
        .listNotes(VM)
        .map((n) => n.body),
    ).toEqual(['keep me']);
  }, 30_000);
});

/**
 * The SQLite store: the user's notes and preferences, and the history of each VM's normalized
 * configuration, in `<dataDir>/vm-companion.sqlite`.
 *
 * better-sqlite3 13 (Node-API build; Node ≥ 22, i.e. Electron 45's Node 24 or the pinned `node`
 * devDependency). The database runs in WAL mode with `synchronous=NORMAL` and foreign keys on:
 * a save that returned survives a crash or kill of the app (tested with SIGKILL in
 * tests/unit/store-safety-kill.test.ts); only a power loss or OS crash can drop the last saves
 * before the next checkpoint, never corrupt the file.
 * The schema is built by numbered migrations (`migrations/NNNN-*.ts`), each applied in its own
 * transaction and recorded in `PRAGMA user_version`; `PRAGMA application_id` is set to
 * {@link APPLICATION_ID} so that another program's database is recognised.
 *
 * The app opens the store through `openStoreSafely` (open.ts), which moves a corrupt or foreign
 * file aside and opens a newer schema read-only; {@link openStore} is the strict low-level opener.
 */

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LANGUAGES } from '../../shared/catalog.ts';
import type { Note, Preferences } from '../../shared/contract.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/** File name of the database inside the data directory. */
export const DB_FILE_NAME = 'vm-companion.sqlite';

/**
 * `PRAGMA application_id` of VM Companion databases: the bytes `VMC1`. Written on every writable
 * open (files created before it was introduced have 0).
 */
export const APPLICATION_ID = 0x564d4331;

/** Preferences used when nothing is saved yet. */
export const DEFAULT_PREFS: Readonly<Preferences> = Object.freeze({
  language: null,
  vboxManagePath: '',
  libvirtUri: '',
  vmwareFolders: [],
  vmrunPath: '',
});

/** One stored normalized configuration of a VM (see `app/core/history.ts`). */
export interface ConfigHistoryRow {
  /** ISO 8601 UTC time of the read that stored it. */
  at: string;
  /** JSON object of path → value, keys sorted. */
  configJson: string;
  /** SHA-256 (hex) of `configJson`. */
  hash: string;
}

/** The store API used by the handlers and the inventory service. All calls are synchronous. */
export interface Store {
  /** Absolute path of the database file. */
  readonly file: string;
  /** Notes of one VM, the VM-wide note (`settingId: ''`) first, then by setting id. */
  listNotes(vmId: string): Note[];
  /**
   * Creates or replaces the note of `(vmId, settingId)` (`settingId` `''` = VM-wide note).
   * A body that is empty or only whitespace deletes the note; the returned Note then has `body: ''`.
   * With `baseUpdatedAt` (optimistic concurrency): the `updatedAt` of the note the caller edited,
   * `''` when it edited a note that did not exist; when the stored note's `updatedAt` (`''` for none)
   * differs, nothing is written and {@link NoteConflictError} is thrown. Without it, the save
   * always overwrites. Each save's `updatedAt` is later than the note's previous one (bumped by 1 ms
   * when the clock has not moved on), so two saves never share a base.
   * @returns the saved note, `updatedAt` an ISO 8601 UTC time.
   * @throws NoteConflictError when `baseUpdatedAt` is given and the note changed since.
   */
  saveNote(vmId: string, settingId: string, body: string, baseUpdatedAt?: string): Note;
  /** Saved preferences merged over {@link DEFAULT_PREFS}; unreadable saved values fall back to defaults. */
  getPrefs(): Preferences;
  /** Saves the given fields (others unchanged) and returns the full preferences afterwards. */
  setPrefs(partial: Partial<Preferences>): Preferences;
  /** Stored configurations of one VM (exact `vmId` match), newest first. */
  configHistory(vmId: string): ConfigHistoryRow[];
  /**
   * Stores `row` for `vmId` unless the newest stored row of that VM has the same hash, then deletes
   * the VM's oldest rows beyond the newest `keep` (≥ 1). One IMMEDIATE transaction, so two
   * processes reading the same VM store it once.
   * @returns true when the row was stored.
   */
  appendConfigHistory(vmId: string, row: ConfigHistoryRow, keep: number): boolean;
  /** Every note of every VM, ordered by VM id then setting id (the VM-wide note `''` first). */
  listAllNotes(): Note[];
  /**
   * The open database, for feature modules that own tables of their own (study progress and the
   * search index, migration 0004: app/core/study, app/core/search). Do not close it; use
   * {@link Store.close}.
   */
  readonly db: Database.Database;
  /** Closes the database. Further calls throw. Safe to call twice. */
  close(): void;
  /**
   * Set when the database was opened read-only (a newer VM Companion wrote it): reads work,
   * {@link Store.saveNote} and {@link Store.setPrefs} throw {@link StoreReadOnlyError},
   * {@link Store.appendConfigHistory} stores nothing and returns false. Feature modules writing
   * through {@link Store.db} get SQLite's `SQLITE_READONLY` error and should check this first.
   */
  readonly readOnly?: StoreReadOnly;
  /** Set when the previous data file was unusable and moved aside (see `openStoreSafely`). */
  readonly recovered?: StoreRecovery;
}

/** Why a store is read-only. */
export interface StoreReadOnly {
  /** Schema version found in the file. */
  found: number;
  /** Highest schema version this build knows. */
  supported: number;
  /** English sentence for the user (shown by the UI and printed by the CLI). */
  message: string;
}

/** A data file that could not be used, moved aside so that a fresh one could be created. */
export interface StoreRecovery {
  /** `corrupt`: not a readable SQLite database; `foreign`: a valid database of another program. */
  reason: 'corrupt' | 'foreign';
  /** What was wrong, in English (e.g. `file is not a database`, `tables of another program: users`). */
  detail: string;
  /** Absolute path the old database file was moved to (`vm-companion.sqlite.corrupt-<timestamp>`). */
  movedTo: string;
  /** Every file moved (the database and its `-wal`, `-shm`, `-journal` when present). */
  moved: { from: string; to: string }[];
  /** English sentence for the user: what happened and where the old file is now. */
  message: string;
}

/** Options for {@link openStore}. */
export interface StoreOptions {
  /** Clock for `updatedAt` (tests pass a fixed one). Default: `() => new Date()`. */
  now?: () => Date;
  /** Migrations to apply (tests only). Default: {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
  /**
   * Open an existing database read-only, whatever its schema version (no migration, no
   * `application_id` write); used for a database from a newer version. Default false.
   */
  readOnly?: boolean;
}

/** The database was written by a newer VM Companion (its schema version is above ours). */
export class StoreSchemaError extends Error {
  /** Schema version found in the file. */
  readonly found: number;
  /** Highest schema version this build knows. */
  readonly supported: number;

  /**
   * @param detail why even a read-only open failed (e.g. the newer schema dropped a table this
   *   version reads); appended to the message.
   */
  constructor(file: string, found: number, supported: number, detail?: string) {
    super(
      `The data file ${file} was written by a newer version of VM Companion (schema ${found}; this version understands up to ${supported}). ` +
        `Update VM Companion to open it. The file was left unchanged.${detail ? ` (${detail})` : ''}`,
    );
    this.name = 'StoreSchemaError';
    this.found = found;
    this.supported = supported;
  }
}

/** A write was attempted on a store opened read-only (see {@link Store.readOnly}). */
export class StoreReadOnlyError extends Error {
  constructor(file: string, found: number, supported: number) {
    super(
      found > supported
        ? `Not saved: VM Companion opened its data file ${file} read-only because a newer version wrote it ` +
            `(schema ${found}; this version understands up to ${supported}). Update VM Companion to edit notes and settings.`
        : `Not saved: VM Companion opened its data file ${file} read-only.`,
    );
    this.name = 'StoreReadOnlyError';
  }
}

/**
 * A note save was refused because the stored note changed since the caller read it (its
 * `updatedAt` is not the `baseUpdatedAt` given). `current` is the stored note, null when none.
 */
export class NoteConflictError extends Error {
  /** The note as stored now (null: there is none, e.g. another window emptied it). */
  readonly current: Note | null;
  constructor(vmId: string, settingId: string, current: Note | null) {
    super(
      `Not saved: the note ${settingId === '' ? 'of this VM' : `on ${settingId}`} was changed in another window` +
        ` since it was opened here (stored version: ${current ? current.updatedAt : 'none'}).`,
    );
    this.name = 'NoteConflictError';
    this.current = current;
    void vmId;
  }
}

/**
 * Applies the migrations above the database's `user_version`, each in an IMMEDIATE transaction
 * (so two processes opening the same file do not both migrate), re-reading the version inside.
 *
 * @returns the schema version afterwards.
 * @throws StoreSchemaError when the database is newer than the last migration.
 * @throws Error when the migration list is not numbered 1, 2, 3… or a migration's SQL fails (that
 *   migration is rolled back; earlier ones stay applied).
 */
export function applyMigrations(
  db: Database.Database,
  migrations: readonly Migration[],
  file = db.name,
): number {
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`Migration list out of order: ${m.name} has version ${m.version}, expected ${i + 1}.`);
  });
  const latest = migrations.length;
  const current = (): number => db.pragma('user_version', { simple: true }) as number;
  if (current() > latest) throw new StoreSchemaError(file, current(), latest);
  for (const m of migrations) {
    const step = db.transaction(() => {
      const v = current();
      if (v > latest) throw new StoreSchemaError(file, v, latest);
      if (v >= m.version) return;
      try {
        db.exec(m.sql);
      } catch (err) {
        throw new Error(`Database migration ${m.version} (${m.name}) failed: ${(err as Error).message}`, {
          cause: err,
        });
      }
      db.pragma(`user_version = ${m.version}`);
    });
    step.immediate();
  }
  return current();
}

interface NoteRow {
  vm_id: string;
  setting_id: string;
  body: string;
  updated_at: string;
}

const toNote = (r: NoteRow): Note => ({
  vmId: r.vm_id,
  settingId: r.setting_id,
  body: r.body,
  updatedAt: r.updated_at,
});

/**
 * Opens (creating if needed) `<dataDir>/vm-companion.sqlite`, creating `dataDir` recursively,
 * and brings its schema up to date (WAL, `synchronous=NORMAL`, foreign keys on, migrations each in
 * a transaction, `application_id` set). Strict: does not recover anything; the app uses
 * `openStoreSafely` (open.ts).
 *
 * With `options.readOnly`, opens an existing file read-only whatever its schema version; the store
 * then has {@link Store.readOnly} set.
 *
 * @throws StoreSchemaError when the file comes from a newer schema (it is not modified), unless
 *   `readOnly`; also in read-only mode when the newer schema lacks a table or column this version reads.
 * @throws Error (SqliteError) when the file is not a database or cannot be opened (`SQLITE_NOTADB`,
 *   `SQLITE_CORRUPT`, `SQLITE_BUSY` when another process holds a write lock for over 5 s, `SQLITE_CANTOPEN`).
 */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  const now = options.now ?? (() => new Date());
  const migrations = options.migrations ?? MIGRATIONS;
  const file = path.resolve(dataDir, DB_FILE_NAME);
  if (!options.readOnly) prepareFiles(dataDir, file);
  let readOnly: StoreReadOnly | undefined;
  const db = options.readOnly
    ? new Database(file, { timeout: 5000, readonly: true, fileMustExist: true })
    : new Database(file, { timeout: 5000 });
  try {
    if (options.readOnly) {
      db.pragma('foreign_keys = ON');
      const found = db.pragma('user_version', { simple: true }) as number;
      const supported = migrations.length;
      readOnly = {
        found,
        supported,
        message:
          found > supported
            ? `The data file ${file} was written by a newer version of VM Companion (schema ${found}; this version understands up to ${supported}). ` +
              'It was opened read-only and left unchanged: notes and settings can be read but not saved. Update VM Companion to edit them.'
            : `The data file ${file} was opened read-only: notes and settings can be read but not saved.`,
      };
    } else {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      applyMigrations(db, migrations, file);
      if (db.pragma('application_id', { simple: true }) !== APPLICATION_ID)
        db.pragma(`application_id = ${APPLICATION_ID}`);
      restrictModes(file);
    }
  } catch (err) {
    db.close();
    throw err;
  }
  try {
    return buildStore(db, file, now, readOnly);
  } catch (err) {
    db.close();
    if (readOnly && readOnly.found > readOnly.supported)
      throw new StoreSchemaError(file, readOnly.found, readOnly.supported, (err as Error).message);
    throw err;
  }
}

/** Whether file modes are applied (POSIX systems; Windows has no such modes). */
const POSIX_MODES = process.platform !== 'win32';

/**
 * Creates `dataDir` recursively; every folder this call creates gets mode 0700 whatever the umask
 * (POSIX). An existing folder is left as it is (the user may have chosen its mode).
 * @throws Error (ENOTDIR, EACCES…) when it cannot be created.
 */
export function makeDataDir(dataDir: string): void {
  const created = fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  if (!POSIX_MODES || created === undefined) return;
  const first = path.resolve(created);
  for (let dir = path.resolve(dataDir); ; dir = path.dirname(dir)) {
    fs.chmodSync(dir, 0o700);
    if (dir === first || path.dirname(dir) === dir) break;
  }
}

/**
 * Creates the data folder (mode 0700, whatever the umask, when this call creates it; an existing
 * folder is left as it is) and the database file (mode 0600) before SQLite opens it. SQLite creates
 * the `-wal` and `-shm` files with the mode of the database file, so they are 0600 too.
 */
function prepareFiles(dataDir: string, file: string): void {
  makeDataDir(dataDir);
  if (!POSIX_MODES) return;
  fs.closeSync(fs.openSync(file, 'a', 0o600));
  restrictModes(file);
}

/**
 * Sets mode 0600 on the database file and on its `-wal` / `-shm` files when they exist (the notes
 * are the user's private text; files made by an older version were 0644). POSIX only; never throws
 * (a file owned by someone else keeps its mode).
 */
function restrictModes(file: string): void {
  if (!POSIX_MODES) return;
  for (const f of [file, `${file}-wal`, `${file}-shm`]) {
    try {
      if ((fs.statSync(f).mode & 0o777) !== 0o600) fs.chmodSync(f, 0o600);
    } catch {
      // Missing (no WAL yet) or not ours: nothing to do.
    }
  }
}

/** Prepares the statements and returns the store API over an open database. */
function buildStore(
  db: Database.Database,
  file: string,
  now: () => Date,
  readOnly: StoreReadOnly | undefined,
): Store {
  const refuse = (): never => {
    throw new StoreReadOnlyError(file, readOnly!.found, readOnly!.supported);
  };

  const selectNotes = db.prepare<[string], NoteRow>(
    'SELECT vm_id, setting_id, body, updated_at FROM notes WHERE vm_id = ? ORDER BY setting_id',
  );
  const upsertNote = db.prepare<[string, string, string, string]>(
    `INSERT INTO notes (vm_id, setting_id, body, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (vm_id, setting_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
  );
  const selectNote = db.prepare<[string, string], NoteRow>(
    'SELECT vm_id, setting_id, body, updated_at FROM notes WHERE vm_id = ? AND setting_id = ?',
  );
  const saveNoteTx = db.transaction(
    (vmId: string, settingId: string, body: string, baseUpdatedAt: string | undefined): Note => {
      const row = selectNote.get(vmId, settingId);
      if (baseUpdatedAt !== undefined && (row?.updated_at ?? '') !== baseUpdatedAt)
        throw new NoteConflictError(vmId, settingId, row ? toNote(row) : null);
      let updatedAt = now().toISOString();
      if (row && updatedAt <= row.updated_at) {
        const prev = Date.parse(row.updated_at);
        if (Number.isFinite(prev)) updatedAt = new Date(prev + 1).toISOString();
      }
      if (body.trim() === '') {
        deleteNote.run(vmId, settingId);
        return { vmId, settingId, body: '', updatedAt };
      }
      upsertNote.run(vmId, settingId, body, updatedAt);
      return { vmId, settingId, body, updatedAt };
    },
  );
  const deleteNote = db.prepare<[string, string]>('DELETE FROM notes WHERE vm_id = ? AND setting_id = ?');
  const selectAllNotes = db.prepare<[], NoteRow>(
    'SELECT vm_id, setting_id, body, updated_at FROM notes ORDER BY vm_id, setting_id',
  );
  const selectPrefs = db.prepare<[], { key: string; value: string }>('SELECT key, value FROM prefs');
  const upsertPref = db.prepare<[string, string]>(
    'INSERT INTO prefs (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
  );

  const selectHistory = db.prepare<[string], { at: string; config_json: string; hash: string }>(
    'SELECT at, config_json, hash FROM config_history WHERE vm_id = ? ORDER BY id DESC',
  );
  const selectLastHash = db.prepare<[string], { hash: string }>(
    'SELECT hash FROM config_history WHERE vm_id = ? ORDER BY id DESC LIMIT 1',
  );
  const insertHistory = db.prepare<[string, string, string, string]>(
    'INSERT INTO config_history (vm_id, at, config_json, hash) VALUES (?, ?, ?, ?)',
  );
  const trimHistory = db.prepare<[string, string, number]>(
    `DELETE FROM config_history WHERE vm_id = ? AND id NOT IN
       (SELECT id FROM config_history WHERE vm_id = ? ORDER BY id DESC LIMIT ?)`,
  );
  const appendHistoryTx = db.transaction((vmId: string, row: ConfigHistoryRow, keep: number): boolean => {
    if (selectLastHash.get(vmId)?.hash === row.hash) return false;
    insertHistory.run(vmId, row.at, row.configJson, row.hash);
    trimHistory.run(vmId, vmId, Math.max(1, Math.floor(keep)));
    return true;
  });

  const getPrefs = (): Preferences => {
    const prefs: Preferences = { ...DEFAULT_PREFS, vmwareFolders: [] };
    for (const { key, value } of selectPrefs.all()) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(value);
      } catch {
        continue; // hand-edited or damaged value: keep the default
      }
      if (key === 'language' && (parsed === null || (LANGUAGES as readonly unknown[]).includes(parsed))) {
        prefs.language = parsed as Preferences['language'];
      } else if (key === 'vboxManagePath' && typeof parsed === 'string') {
        prefs.vboxManagePath = parsed;
      } else if (key === 'libvirtUri' && typeof parsed === 'string') {
        prefs.libvirtUri = parsed;
      } else if (key === 'vmrunPath' && typeof parsed === 'string') {
        prefs.vmrunPath = parsed;
      } else if (
        key === 'vmwareFolders' &&
        Array.isArray(parsed) &&
        parsed.every((f): f is string => typeof f === 'string')
      ) {
        prefs.vmwareFolders = parsed;
      }
      // Unknown keys (from newer versions) are kept in the table and ignored here.
    }
    return prefs;
  };

  const setPrefsTx = db.transaction((partial: Partial<Preferences>) => {
    if (partial.language !== undefined) upsertPref.run('language', JSON.stringify(partial.language));
    if (partial.vboxManagePath !== undefined)
      upsertPref.run('vboxManagePath', JSON.stringify(partial.vboxManagePath));
    if (partial.libvirtUri !== undefined) upsertPref.run('libvirtUri', JSON.stringify(partial.libvirtUri));
    if (partial.vmwareFolders !== undefined)
      upsertPref.run('vmwareFolders', JSON.stringify(partial.vmwareFolders));
    if (partial.vmrunPath !== undefined) upsertPref.run('vmrunPath', JSON.stringify(partial.vmrunPath));
  });

  return {
    file,
    ...(readOnly ? { readOnly } : {}),
    listNotes: (vmId) => selectNotes.all(vmId).map(toNote),
    saveNote(vmId, settingId, body, baseUpdatedAt) {
      if (readOnly) refuse();
      return saveNoteTx.immediate(vmId, settingId, body, baseUpdatedAt);
    },
    getPrefs,
    setPrefs(partial) {
      if (readOnly) refuse();
      setPrefsTx(partial);
      return getPrefs();
    },
    configHistory: (vmId) =>
      selectHistory.all(vmId).map((r) => ({ at: r.at, configJson: r.config_json, hash: r.hash })),
    appendConfigHistory: (vmId, row, keep) => (readOnly ? false : appendHistoryTx.immediate(vmId, row, keep)),
    listAllNotes: () => selectAllNotes.all().map(toNote),
    db,
    close() {
      if (db.open) db.close();
    },
  };
}

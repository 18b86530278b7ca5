/**
 * The SQLite store: the user's notes and preferences, and the history of each VM's normalized
 * configuration, in `<dataDir>/vm-companion.sqlite`.
 *
 * better-sqlite3 13 (Node-API build; Node ≥ 22, i.e. Electron 45's Node 24 or the pinned `node`
 * devDependency). The database runs in WAL mode with `synchronous=NORMAL` and foreign keys on.
 * The schema is built by numbered migrations (`migrations/NNNN-*.ts`), each applied in its own
 * transaction and recorded in `PRAGMA user_version`.
 */

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { LANGUAGES } from '../../shared/catalog.ts';
import type { Note, Preferences } from '../../shared/contract.ts';
import { MIGRATIONS, type Migration } from './migrations/index.ts';

/** File name of the database inside the data directory. */
export const DB_FILE_NAME = 'vm-companion.sqlite';

/** Preferences used when nothing is saved yet. */
export const DEFAULT_PREFS: Readonly<Preferences> = Object.freeze({ language: null, vboxManagePath: '' });

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
   * @returns the saved note, `updatedAt` an ISO 8601 UTC time.
   */
  saveNote(vmId: string, settingId: string, body: string): Note;
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
}

/** Options for {@link openStore}. */
export interface StoreOptions {
  /** Clock for `updatedAt` (tests pass a fixed one). Default: `() => new Date()`. */
  now?: () => Date;
  /** Migrations to apply (tests only). Default: {@link MIGRATIONS}. */
  migrations?: readonly Migration[];
}

/** The database was written by a newer VM Companion (its schema version is above ours). */
export class StoreSchemaError extends Error {
  /** Schema version found in the file. */
  readonly found: number;
  /** Highest schema version this build knows. */
  readonly supported: number;

  constructor(file: string, found: number, supported: number) {
    super(
      `The data file ${file} was written by a newer version of VM Companion (schema ${found}; this version understands up to ${supported}). ` +
        'Update VM Companion to open it. The file was left unchanged.',
    );
    this.name = 'StoreSchemaError';
    this.found = found;
    this.supported = supported;
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
 * and brings its schema up to date.
 *
 * @throws StoreSchemaError when the file comes from a newer schema (it is not modified).
 * @throws Error (SqliteError) when the file is not a database or cannot be opened.
 */
export function openStore(dataDir: string, options: StoreOptions = {}): Store {
  const now = options.now ?? (() => new Date());
  fs.mkdirSync(dataDir, { recursive: true });
  const file = path.resolve(dataDir, DB_FILE_NAME);
  const db = new Database(file, { timeout: 5000 });
  try {
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    applyMigrations(db, options.migrations ?? MIGRATIONS, file);
  } catch (err) {
    db.close();
    throw err;
  }

  const selectNotes = db.prepare<[string], NoteRow>(
    'SELECT vm_id, setting_id, body, updated_at FROM notes WHERE vm_id = ? ORDER BY setting_id',
  );
  const upsertNote = db.prepare<[string, string, string, string]>(
    `INSERT INTO notes (vm_id, setting_id, body, updated_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (vm_id, setting_id) DO UPDATE SET body = excluded.body, updated_at = excluded.updated_at`,
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
    const prefs: Preferences = { ...DEFAULT_PREFS };
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
      }
      // Unknown keys (from newer versions) are kept in the table and ignored here.
    }
    return prefs;
  };

  const setPrefsTx = db.transaction((partial: Partial<Preferences>) => {
    if (partial.language !== undefined) upsertPref.run('language', JSON.stringify(partial.language));
    if (partial.vboxManagePath !== undefined)
      upsertPref.run('vboxManagePath', JSON.stringify(partial.vboxManagePath));
  });

  return {
    file,
    listNotes: (vmId) => selectNotes.all(vmId).map(toNote),
    saveNote(vmId, settingId, body) {
      const updatedAt = now().toISOString();
      if (body.trim() === '') {
        deleteNote.run(vmId, settingId);
        return { vmId, settingId, body: '', updatedAt };
      }
      upsertNote.run(vmId, settingId, body, updatedAt);
      return { vmId, settingId, body, updatedAt };
    },
    getPrefs,
    setPrefs(partial) {
      setPrefsTx(partial);
      return getPrefs();
    },
    configHistory: (vmId) =>
      selectHistory.all(vmId).map((r) => ({ at: r.at, configJson: r.config_json, hash: r.hash })),
    appendConfigHistory: (vmId, row, keep) => appendHistoryTx.immediate(vmId, row, keep),
    listAllNotes: () => selectAllNotes.all().map(toNote),
    db,
    close() {
      if (db.open) db.close();
    },
  };
}

/**
 * Opening the user's data file robustly: the app must start whatever it finds.
 *
 * - No file, or a zero-length one → a fresh database.
 * - A corrupt file (random bytes, a damaged SQLite file, a write-ahead log without its database)
 *   or a valid SQLite database of another program → moved aside with its `-wal`/`-shm`/`-journal`
 *   to `vm-companion.sqlite.corrupt-<timestamp>` (+ the same suffixes), a fresh database is created
 *   and the store carries a {@link StoreRecovery} notice telling the user where the old file went.
 * - A database written by a newer VM Companion (schema version above this build's migrations) →
 *   opened read-only, never migrated, moved or downgraded; the store carries
 *   {@link Store.readOnly} with a message, and writes throw `StoreReadOnlyError`.
 * - Errors that say nothing about the file's content (locked by another process for over 5 s,
 *   permission denied, disk I/O error) are thrown unchanged: moving the file would not help.
 */

import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { MIGRATIONS, type Migration } from './migrations/index.ts';
import {
  APPLICATION_ID,
  DB_FILE_NAME,
  makeDataDir,
  openStore,
  type Store,
  type StoreOptions,
  type StoreRecovery,
} from './store.ts';

/** What {@link inspectDatabaseFile} found. */
export interface DatabaseInspection {
  /**
   * `missing`/`empty`: nothing to keep (a fresh database will be created); `ours`: a VM Companion
   * database this build can open (possibly older, to be migrated); `newer`: a VM Companion database
   * from a newer build; `foreign`: a valid SQLite database of another program; `corrupt`: not a
   * usable SQLite database.
   */
  kind: 'missing' | 'empty' | 'ours' | 'newer' | 'foreign' | 'corrupt';
  /** `PRAGMA user_version`, when the file could be read. */
  version?: number;
  /** `PRAGMA application_id`, when the file could be read. */
  applicationId?: number;
  /** English explanation for `foreign` and `corrupt` (e.g. `file is not a database`). */
  detail: string;
}

/** Options of {@link openStoreSafely}. */
export interface SafeStoreOptions extends Omit<StoreOptions, 'readOnly'> {
  /** Clock for the `.corrupt-<timestamp>` suffix (tests pass a fixed one). Default: `options.now` or `new Date()`. */
  clock?: () => Date;
}

const SQLITE_MAGIC = 'SQLite format 3\0';
const SIDE_FILES = ['-wal', '-shm', '-journal'] as const;

/** SQLite error codes that say the file's content is unusable (as opposed to locks, permissions, I/O). */
const isContentError = (err: unknown): boolean => {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' && (code === 'SQLITE_NOTADB' || code.startsWith('SQLITE_CORRUPT'));
};

/** Tables each migration creates minus those it drops (`CREATE [VIRTUAL] TABLE [IF NOT EXISTS] name`). */
function tablesUpTo(migrations: readonly Migration[], version: number): Set<string> {
  const tables = new Set<string>();
  for (const m of migrations.slice(0, Math.max(0, version))) {
    for (const c of m.sql.matchAll(/\bCREATE\s+(?:VIRTUAL\s+)?TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?["`]?(\w+)/gi))
      tables.add(c[1].toLowerCase());
    for (const d of m.sql.matchAll(/\bDROP\s+TABLE\s+(?:IF\s+EXISTS\s+)?["`]?(\w+)/gi))
      tables.delete(d[1].toLowerCase());
  }
  return tables;
}

const sizeOf = (file: string): number | undefined => {
  try {
    return fs.statSync(file).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
};

/**
 * Looks at a database file without changing its content (a read-write connection is opened so that
 * a write-ahead log left by a crash is recovered; closing it may checkpoint that log, which keeps the
 * same data). Runs `PRAGMA quick_check`, so the cost grows with the file (a few ms for 10 000 notes).
 *
 * @param file absolute path of the database.
 * @param migrations this build's migrations (their count is the newest known schema; their
 *   `CREATE TABLE`s are the tables a VM Companion database of a given version must have).
 * @throws the file-system or SQLite error when the file cannot be examined for a reason other than
 *   its content (EACCES, `SQLITE_BUSY`, `SQLITE_CANTOPEN`, `SQLITE_IOERR`…).
 */
export function inspectDatabaseFile(
  file: string,
  migrations: readonly Migration[] = MIGRATIONS,
): DatabaseInspection {
  const size = sizeOf(file);
  const walSize = sizeOf(`${file}-wal`) ?? 0;
  if (size === undefined || size === 0) {
    if (walSize > 0)
      return { kind: 'corrupt', detail: 'a write-ahead log (-wal) was left without its database' };
    return { kind: size === undefined ? 'missing' : 'empty', detail: '' };
  }
  if (size < 100) return { kind: 'corrupt', detail: `file is not a database (only ${size} bytes)` };
  const header = Buffer.alloc(16);
  const fd = fs.openSync(file, 'r');
  try {
    fs.readSync(fd, header, 0, 16, 0);
  } finally {
    fs.closeSync(fd);
  }
  if (header.toString('latin1') !== SQLITE_MAGIC)
    return { kind: 'corrupt', detail: 'file is not a database (no SQLite header)' };

  let db: Database.Database | undefined;
  try {
    db = new Database(file, { fileMustExist: true, timeout: 5000 });
    const check = db.pragma('quick_check', { simple: true }) as string;
    if (check !== 'ok') return { kind: 'corrupt', detail: `integrity check failed: ${check}` };
    const applicationId = db.pragma('application_id', { simple: true }) as number;
    const version = db.pragma('user_version', { simple: true }) as number;
    const tables = new Set(
      db
        .prepare<[], { name: string }>(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'",
        )
        .all()
        .map((r) => r.name.toLowerCase()),
    );
    const latest = migrations.length;
    const missing = [...tablesUpTo(migrations, Math.min(version, latest))].filter((t) => !tables.has(t));
    const listed = [...tables].sort().slice(0, 8).join(', ');
    const base = { version, applicationId };

    if (applicationId !== 0 && applicationId !== APPLICATION_ID)
      return {
        ...base,
        kind: 'foreign',
        detail: `a database of another program (application id ${applicationId}${listed ? `; tables: ${listed}` : ''})`,
      };
    if (applicationId === 0) {
      // Written before application_id existed (schema ≤ 4), or by another program.
      if (version === 0 && tables.size > 0)
        return { ...base, kind: 'foreign', detail: `a database of another program (tables: ${listed})` };
      if (version > 0 && !tables.has('notes'))
        return {
          ...base,
          kind: 'foreign',
          detail: `a database of another program (schema version ${version}${listed ? `; tables: ${listed}` : '; no tables'})`,
        };
    }
    if (version > latest) return { ...base, kind: 'newer', detail: '' };
    if (missing.length > 0)
      return {
        ...base,
        kind: 'corrupt',
        detail: `tables of schema ${version} are missing: ${missing.slice(0, 8).join(', ')}`,
      };
    return { ...base, kind: 'ours', detail: '' };
  } catch (err) {
    if (isContentError(err)) return { kind: 'corrupt', detail: (err as Error).message };
    throw err;
  } finally {
    db?.close();
  }
}

/** `2026-11-29T12:15:57.123Z` → `2026-11-29T12-15-57-123Z` (valid in file names on every OS). */
const stamp = (d: Date): string => d.toISOString().replace(/[:.]/g, '-');

/**
 * Moves the database `file` and its `-wal`/`-shm`/`-journal` files to
 * `<file>.corrupt-<timestamp>[-n]` (+ the same suffixes, so the set still opens as one database).
 * Files that do not exist are skipped.
 *
 * @returns the new path of the database file and every move made.
 * @throws Error naming the file when a rename fails (e.g. EBUSY on Windows, EACCES).
 */
export function moveAside(
  file: string,
  when: Date,
): { movedTo: string; moved: { from: string; to: string }[] } {
  let target = `${file}.corrupt-${stamp(when)}`;
  for (let n = 1; [target, ...SIDE_FILES.map((s) => target + s)].some((f) => fs.existsSync(f)); n++)
    target = `${file}.corrupt-${stamp(when)}-${n}`;
  const moved: { from: string; to: string }[] = [];
  for (const suffix of ['', ...SIDE_FILES]) {
    const from = file + suffix;
    const to = target + suffix;
    try {
      fs.renameSync(from, to);
      moved.push({ from, to });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') continue;
      throw new Error(
        `VM Companion's data file ${file} cannot be used and could not be moved aside (${(err as Error).message}). ` +
          'Close other programs using it, or move it yourself, then start VM Companion again.',
        { cause: err },
      );
    }
  }
  return { movedTo: target, moved };
}

function recoveryMessage(
  file: string,
  reason: StoreRecovery['reason'],
  detail: string,
  movedTo: string,
): string {
  const what =
    reason === 'foreign'
      ? `The data file ${file} belongs to another program (${detail}).`
      : `The data file ${file} was damaged (${detail}).`;
  return `${what} It was moved to ${movedTo} and a new, empty data file was created. Notes saved before are in the moved file.`;
}

/**
 * Opens `<dataDir>/vm-companion.sqlite` for the app: like `openStore`, but a corrupt or foreign
 * file is moved aside (see {@link moveAside}) and replaced by a fresh database — the store's
 * `recovered` says where the old file went — and a database from a newer VM Companion is opened
 * read-only (the store's `readOnly` carries the message; it is not migrated, moved or changed).
 *
 * @throws StoreSchemaError when even a read-only open of a newer database fails (its schema lacks
 *   something this version reads).
 * @throws Error when the file cannot be examined or moved for reasons other than its content
 *   (locked by another process, permissions, disk errors), with SQLite's or the system's message.
 */
export function openStoreSafely(dataDir: string, options: SafeStoreOptions = {}): Store {
  const { clock, ...storeOptions } = options;
  const when = (): Date => (clock ?? options.now ?? (() => new Date()))();
  const migrations = options.migrations ?? MIGRATIONS;
  makeDataDir(dataDir);
  const file = path.resolve(dataDir, DB_FILE_NAME);

  const recover = (reason: StoreRecovery['reason'], detail: string): Store => {
    const { movedTo, moved } = moveAside(file, when());
    const store = openStore(dataDir, storeOptions);
    const recovered: StoreRecovery = {
      reason,
      detail,
      movedTo,
      moved,
      message: recoveryMessage(file, reason, detail, movedTo),
    };
    return { ...store, recovered };
  };

  const found = inspectDatabaseFile(file, migrations);
  switch (found.kind) {
    case 'corrupt':
    case 'foreign':
      return recover(found.kind, found.detail);
    case 'newer':
      return openStore(dataDir, { ...storeOptions, readOnly: true });
    default:
      try {
        return openStore(dataDir, storeOptions);
      } catch (err) {
        // Damage that quick_check did not see but a migration or statement did.
        if (!isContentError(err)) throw err;
        return recover('corrupt', (err as Error).message);
      }
  }
}

import type { Migration } from './types.ts';

/** Preferences as key/value pairs; `value` holds JSON (e.g. `"zh-CN"`, `null`). */
const migration: Migration = {
  version: 2,
  name: 'prefs',
  sql: `
    CREATE TABLE prefs (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    ) WITHOUT ROWID;
  `,
};

export default migration;

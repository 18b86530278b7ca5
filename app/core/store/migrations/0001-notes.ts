import type { Migration } from './types.ts';

/**
 * Notes per VM and per setting. `setting_id` is `''` for the VM-wide note, else a catalog setting id
 * (optionally with an instance suffix such as `network.adapter.mac#2`). `updated_at` is ISO 8601 UTC.
 */
const migration: Migration = {
  version: 1,
  name: 'notes',
  sql: `
    CREATE TABLE notes (
      vm_id TEXT NOT NULL,
      setting_id TEXT NOT NULL DEFAULT '',
      body TEXT NOT NULL,
      updated_at TEXT NOT NULL,
      PRIMARY KEY (vm_id, setting_id)
    ) WITHOUT ROWID;
  `,
};

export default migration;

import type { Migration } from './types.ts';

/**
 * "What changed since last look": each read of a VM stores its normalized configuration
 * (`app/core/history.ts`) when it differs from the last stored one. `config_json` is a JSON object
 * of path → value with sorted keys; `hash` is its SHA-256 (hex); `at` is ISO 8601 UTC; `id` orders
 * the rows of one VM (newer rows have larger ids, whatever the clock said).
 */
const migration: Migration = {
  version: 3,
  name: 'config history',
  sql: `
    CREATE TABLE config_history (
      id INTEGER PRIMARY KEY,
      vm_id TEXT NOT NULL,
      at TEXT NOT NULL,
      config_json TEXT NOT NULL,
      hash TEXT NOT NULL
    );
    CREATE INDEX config_history_vm ON config_history (vm_id, id);
  `,
};

export default migration;

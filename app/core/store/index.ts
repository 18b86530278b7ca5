export { openStore, applyMigrations, StoreSchemaError, DB_FILE_NAME, DEFAULT_PREFS } from './store.ts';
export type { Store, StoreOptions } from './store.ts';
export { MIGRATIONS } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';

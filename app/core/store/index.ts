export {
  openStore,
  applyMigrations,
  StoreSchemaError,
  StoreReadOnlyError,
  NoteConflictError,
  makeDataDir,
  APPLICATION_ID,
  DB_FILE_NAME,
  DEFAULT_PREFS,
} from './store.ts';
export type { Store, StoreOptions, StoreReadOnly, StoreRecovery } from './store.ts';
export { openStoreSafely, inspectDatabaseFile, moveAside } from './open.ts';
export type { DatabaseInspection, SafeStoreOptions } from './open.ts';
export { MIGRATIONS } from './migrations/index.ts';
export type { Migration } from './migrations/index.ts';

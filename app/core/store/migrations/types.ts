/** One schema step of the SQLite store. */
export interface Migration {
  /** Schema version this migration produces (1, 2, 3… with no gaps); stored in `PRAGMA user_version`. */
  version: number;
  /** Short English name, for error messages and logs. */
  name: string;
  /** SQL run in one transaction (may hold several statements). */
  sql: string;
}

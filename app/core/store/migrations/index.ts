import type { Migration } from './types.ts';
import notes from './0001-notes.ts';
import prefs from './0002-prefs.ts';
import history from './0003-history.ts';
import studySearch from './0004-study-search.ts';

export type { Migration } from './types.ts';

/** Every migration, in version order. Add new files here; never edit a released one. */
export const MIGRATIONS: readonly Migration[] = [notes, prefs, history, studySearch];

import type { Migration } from './types.ts';

/**
 * Study progress and the search index.
 *
 * - `tour_progress`: one row per guided tour — the VM it last ran on (`''` = none), the 0-based
 *   current step, when it was first completed (ISO 8601 UTC or NULL) and last saved.
 * - `lesson_progress`: when each lesson was first marked read.
 * - `quiz_cards`: the ts-fsrs card of each answered quiz question (`card_id` = `<lessonId>/<questionId>`):
 *   `fsrs_json` holds the whole card (dates as ISO strings), `due`/`last_review` copy its dates
 *   (ISO 8601 UTC, so text order = time order) for indexed queries, `last_correct` is 0/1.
 * - `quiz_reviews`: every answer (append-only log), with the ts-fsrs review log as JSON.
 * - `search_meta`: key/value facts about the index (the hash of the indexed study content).
 * - `search_docs`: FTS5 (trigram tokenizer, so any substring of 3+ characters, Chinese included,
 *   matches) over catalog entries, lesson sections and tours, one row per item and language; rebuilt
 *   by app/core/search when the content changes. `title_en`/`title_zh`/`target` are stored, not indexed.
 * - `search_notes` (FTS5 trigram over note bodies) with `search_note_ids` giving each note an
 *   integer rowid; triggers on `notes` keep both in step, so every saved note is searchable at once.
 */
const migration: Migration = {
  version: 4,
  name: 'study progress and search',
  sql: `
    CREATE TABLE tour_progress (
      tour_id TEXT PRIMARY KEY NOT NULL,
      vm_id TEXT NOT NULL DEFAULT '',
      current_step INTEGER NOT NULL DEFAULT 0,
      completed_at TEXT,
      updated_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE lesson_progress (
      lesson_id TEXT PRIMARY KEY NOT NULL,
      read_at TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE TABLE quiz_cards (
      card_id TEXT PRIMARY KEY NOT NULL,
      lesson_id TEXT NOT NULL,
      fsrs_json TEXT NOT NULL,
      due TEXT NOT NULL,
      last_review TEXT,
      reps INTEGER NOT NULL DEFAULT 0,
      lapses INTEGER NOT NULL DEFAULT 0,
      last_correct INTEGER
    ) WITHOUT ROWID;
    CREATE INDEX quiz_cards_due ON quiz_cards (due);
    CREATE INDEX quiz_cards_lesson ON quiz_cards (lesson_id);

    CREATE TABLE quiz_reviews (
      id INTEGER PRIMARY KEY,
      card_id TEXT NOT NULL,
      lesson_id TEXT NOT NULL,
      at TEXT NOT NULL,
      correct INTEGER NOT NULL,
      rating INTEGER NOT NULL,
      log_json TEXT NOT NULL
    );
    CREATE INDEX quiz_reviews_card ON quiz_reviews (card_id, id);

    CREATE TABLE search_meta (
      key TEXT PRIMARY KEY NOT NULL,
      value TEXT NOT NULL
    ) WITHOUT ROWID;

    CREATE VIRTUAL TABLE search_docs USING fts5(
      kind UNINDEXED, ref UNINDEXED, lang UNINDEXED, title, body,
      title_en UNINDEXED, title_zh UNINDEXED, target UNINDEXED,
      tokenize = 'trigram'
    );

    CREATE TABLE search_note_ids (
      id INTEGER PRIMARY KEY,
      vm_id TEXT NOT NULL,
      setting_id TEXT NOT NULL,
      UNIQUE (vm_id, setting_id)
    );
    CREATE VIRTUAL TABLE search_notes USING fts5(body, tokenize = 'trigram');

    CREATE TRIGGER notes_search_insert AFTER INSERT ON notes BEGIN
      INSERT OR IGNORE INTO search_note_ids (vm_id, setting_id) VALUES (new.vm_id, new.setting_id);
      INSERT INTO search_notes (rowid, body)
        SELECT id, new.body FROM search_note_ids WHERE vm_id = new.vm_id AND setting_id = new.setting_id;
    END;
    CREATE TRIGGER notes_search_delete AFTER DELETE ON notes BEGIN
      DELETE FROM search_notes WHERE rowid =
        (SELECT id FROM search_note_ids WHERE vm_id = old.vm_id AND setting_id = old.setting_id);
      DELETE FROM search_note_ids WHERE vm_id = old.vm_id AND setting_id = old.setting_id;
    END;
    CREATE TRIGGER notes_search_update AFTER UPDATE ON notes BEGIN
      DELETE FROM search_notes WHERE rowid =
        (SELECT id FROM search_note_ids WHERE vm_id = old.vm_id AND setting_id = old.setting_id);
      DELETE FROM search_note_ids WHERE vm_id = old.vm_id AND setting_id = old.setting_id;
      INSERT OR IGNORE INTO search_note_ids (vm_id, setting_id) VALUES (new.vm_id, new.setting_id);
      INSERT INTO search_notes (rowid, body)
        SELECT id, new.body FROM search_note_ids WHERE vm_id = new.vm_id AND setting_id = new.setting_id;
    END;

    INSERT INTO search_note_ids (vm_id, setting_id) SELECT vm_id, setting_id FROM notes;
    INSERT INTO search_notes (rowid, body)
      SELECT i.id, n.body FROM notes n JOIN search_note_ids i ON i.vm_id = n.vm_id AND i.setting_id = n.setting_id;
  `,
};

export default migration;

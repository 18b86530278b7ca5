import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadStudyContent } from '../../app/core/study/content.ts';
import {
  answerQuestion,
  dueCards,
  getCardSchedule,
  getTourProgress,
  lessonOfCard,
  lessonProgress,
  listTourProgress,
  markLessonRead,
  reviewCount,
  saveTourProgress,
  studyProgress,
} from '../../app/core/study/progress.ts';
import {
  DB_FILE_NAME,
  MIGRATIONS,
  applyMigrations,
  openStore,
  type Store,
} from '../../app/core/store/index.ts';

const CONTENT = loadStudyContent(path.resolve(import.meta.dirname, '../fixtures/study/good'));
const VM = '3f5c1f0e-6b0a-4c39-9a55-0c3b1b2d4e5f';
const T0 = new Date('2025-03-01T10:00:00.000Z');
const MIN = 60_000;
const DAY = 86_400_000;

let dir: string;
let store: Store;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-progress-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});
const reopen = (): Store => {
  store.close();
  store = openStore(dir);
  return store;
};

describe('quiz cards with ts-fsrs', () => {
  it('schedules a right answer in the future, stores it, and reads it back after a restart', () => {
    const s = answerQuestion(store, 'memory-basics/q1', true, T0);
    expect(s).toMatchObject({
      cardId: 'memory-basics/q1',
      lessonId: 'memory-basics',
      state: 'learning',
      reps: 1,
      lapses: 0,
      lastCorrect: true,
      lastReview: T0.toISOString(),
    });
    // FSRS default learning steps: Good on a new card comes back after 10 minutes.
    expect(Date.parse(s.due) - T0.getTime()).toBe(10 * MIN);
    expect(s.stability).toBeGreaterThan(0);
    expect(s.difficulty).toBeGreaterThanOrEqual(1);
    expect(s.difficulty).toBeLessThanOrEqual(10);
    reopen();
    expect(getCardSchedule(store, 'memory-basics/q1')).toEqual(s);
  });

  it('schedules a wrong answer sooner than a right one', () => {
    const right = answerQuestion(store, 'memory-basics/q1', true, T0);
    const wrong = answerQuestion(store, 'memory-basics/q2', false, T0);
    expect(wrong.lastCorrect).toBe(false);
    expect(Date.parse(wrong.due) - T0.getTime()).toBe(1 * MIN);
    expect(Date.parse(wrong.due)).toBeLessThan(Date.parse(right.due));
    expect(wrong.difficulty).toBeGreaterThan(right.difficulty);
  });

  it('moves a card to days once learnt, and a lapse brings it back to minutes', () => {
    let s = answerQuestion(store, 'memory-basics/q3', true, T0);
    s = answerQuestion(store, 'memory-basics/q3', true, new Date(Date.parse(s.due)));
    expect(s.state).toBe('review');
    const reviewAt = Date.parse(s.due);
    expect(reviewAt - Date.parse(s.lastReview!)).toBeGreaterThanOrEqual(DAY);
    const lapse = answerQuestion(store, 'memory-basics/q3', false, new Date(reviewAt));
    expect(lapse).toMatchObject({ state: 'relearning', lapses: 1, reps: 3, lastCorrect: false });
    expect(Date.parse(lapse.due) - reviewAt).toBeLessThan(DAY);
    expect(reviewCount(store, 'memory-basics/q3')).toBe(3);
  });

  it('lists due cards at a given time, soonest first', () => {
    answerQuestion(store, 'memory-basics/q1', true, T0); // due +10 min
    answerQuestion(store, 'memory-basics/q2', false, T0); // due +1 min
    expect(dueCards(store, T0)).toEqual([]);
    expect(dueCards(store, new Date(T0.getTime() + 5 * MIN)).map((c) => c.cardId)).toEqual([
      'memory-basics/q2',
    ]);
    expect(dueCards(store, new Date(T0.getTime() + DAY)).map((c) => c.cardId)).toEqual([
      'memory-basics/q2',
      'memory-basics/q1',
    ]);
  });

  it('logs each answer in quiz_reviews with the rating', () => {
    answerQuestion(store, 'network-modes/q1', true, T0);
    answerQuestion(store, 'network-modes/q1', false, new Date(T0.getTime() + 20 * MIN));
    const db = new Database(store.file, { readonly: true });
    try {
      const rows = db.prepare('SELECT card_id, correct, rating, at FROM quiz_reviews ORDER BY id').all();
      expect(rows).toEqual([
        { card_id: 'network-modes/q1', correct: 1, rating: 3, at: '2025-03-01T10:00:00.000Z' },
        { card_id: 'network-modes/q1', correct: 0, rating: 1, at: '2025-03-01T10:20:00.000Z' },
      ]);
    } finally {
      db.close();
    }
  });

  it('rejects a card id without a lesson', () => {
    expect(() => answerQuestion(store, 'q1', true, T0)).toThrow(/not <lessonId>\/<questionId>/);
    expect(lessonOfCard('a/b')).toBe('a');
  });
});

describe('lesson progress', () => {
  it('counts answered, right and due questions per lesson, and the first read time', () => {
    expect(markLessonRead(store, 'memory-basics', T0)).toBe(T0.toISOString());
    expect(markLessonRead(store, 'memory-basics', new Date(T0.getTime() + DAY))).toBe(T0.toISOString());
    answerQuestion(store, 'memory-basics/q1', true, T0);
    answerQuestion(store, 'memory-basics/q2', false, T0);
    answerQuestion(store, 'memory-basics/gone', true, T0); // no longer in the quiz: not counted
    const at = new Date(T0.getTime() + 5 * MIN);
    expect(lessonProgress(store, CONTENT, at)).toEqual([
      { lessonId: 'network-modes', readAt: null, total: 5, answered: 0, correct: 0, due: 0 },
      { lessonId: 'memory-basics', readAt: T0.toISOString(), total: 5, answered: 2, correct: 1, due: 1 },
    ]);
    const all = studyProgress(store, CONTENT, at);
    expect(all.cards.map((c) => c.cardId)).toEqual([
      'memory-basics/q2',
      'memory-basics/gone',
      'memory-basics/q1',
    ]);
    expect(all.dueNow).toBe(1);
  });
});

describe('tour progress', () => {
  it('saves the current step and resumes it after a restart', () => {
    const saved = saveTourProgress(store, { tourId: 'first-look', vmId: VM, step: 2 }, T0);
    expect(saved).toEqual({
      tourId: 'first-look',
      vmId: VM,
      step: 2,
      completedAt: null,
      updatedAt: T0.toISOString(),
    });
    reopen();
    expect(getTourProgress(store, 'first-look')).toEqual(saved);
    expect(getTourProgress(store, 'other')).toBeNull();
  });

  it('keeps the VM when it is not given, and the first completion time when run again', () => {
    saveTourProgress(store, { tourId: 'first-look', vmId: VM, step: 3 }, T0);
    const T1 = new Date(T0.getTime() + MIN);
    const done = saveTourProgress(store, { tourId: 'first-look', step: 4, completed: true }, T1);
    expect(done).toMatchObject({ vmId: VM, step: 4, completedAt: T1.toISOString() });
    const T2 = new Date(T0.getTime() + DAY);
    const again = saveTourProgress(store, { tourId: 'first-look', vmId: null, step: 0 }, T2);
    expect(again).toEqual({
      tourId: 'first-look',
      vmId: null,
      step: 0,
      completedAt: T1.toISOString(),
      updatedAt: T2.toISOString(),
    });
  });

  it('lists tours most recently updated first', () => {
    saveTourProgress(store, { tourId: 'a', step: 1 }, T0);
    saveTourProgress(store, { tourId: 'b', step: 0 }, new Date(T0.getTime() + MIN));
    expect(listTourProgress(store).map((t) => t.tourId)).toEqual(['b', 'a']);
  });
});

describe('migration 0004', () => {
  it('indexes notes that existed before it ran', () => {
    store.close();
    fs.rmSync(path.join(dir, DB_FILE_NAME));
    const db = new Database(path.join(dir, DB_FILE_NAME));
    applyMigrations(db, MIGRATIONS.slice(0, 3));
    db.prepare(
      "INSERT INTO notes VALUES (?, '', '旧笔记 about bridged mode', '2024-01-01T00:00:00.000Z')",
    ).run(VM);
    db.close();
    store = openStore(dir);
    expect(MIGRATIONS[3].version).toBe(4);
    const rows = store.db
      .prepare(
        'SELECT i.vm_id, n.body FROM search_notes n JOIN search_note_ids i ON i.id = n.rowid WHERE search_notes MATCH \'"bridged"\'',
      )
      .all();
    expect(rows).toEqual([{ vm_id: VM, body: '旧笔记 about bridged mode' }]);
  });

  it('keeps the note index in step with inserts, updates and deletes', () => {
    const count = (q: string) =>
      (
        store.db.prepare('SELECT COUNT(*) AS n FROM search_notes WHERE search_notes MATCH ?').get(q) as {
          n: number;
        }
      ).n;
    store.saveNote(VM, 'system.motherboard.memory', 'give it 4096 MB');
    expect(count('"4096"')).toBe(1);
    store.saveNote(VM, 'system.motherboard.memory', 'now 8192 MB');
    expect(count('"4096"')).toBe(0);
    expect(count('"8192"')).toBe(1);
    store.saveNote(VM, 'system.motherboard.memory', '   ');
    expect(count('"8192"')).toBe(0);
    expect((store.db.prepare('SELECT COUNT(*) AS n FROM search_note_ids').get() as { n: number }).n).toBe(0);
  });
});

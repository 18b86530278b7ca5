/**
 * Study progress in the SQLite store (tables of migration 0004): lessons read, guided-tour
 * progress, and quiz cards scheduled with ts-fsrs 5 (FSRS-6 default parameters, fuzz off so a
 * schedule is reproducible, short-term learning steps on: a first right answer comes back after
 * 10 minutes, a wrong one after 1 minute, then days as the card is learnt).
 *
 * All functions are synchronous. Times are `Date`s in, ISO 8601 UTC strings out.
 */

import type Database from 'better-sqlite3';
import { Rating, State, createEmptyCard, fsrs, type Card, type Grade } from 'ts-fsrs';
import type {
  CardState,
  LessonProgress,
  QuizSchedule,
  StudyProgress,
  TourProgress,
} from '../../shared/study.ts';
import type { Store } from '../store/index.ts';
import type { StudyContent } from './content.ts';

/** The scheduler used for every card. */
export const SCHEDULER = fsrs({ enable_fuzz: false });

const STATE_NAMES: Record<State, CardState> = {
  [State.New]: 'new',
  [State.Learning]: 'learning',
  [State.Review]: 'review',
  [State.Relearning]: 'relearning',
};

interface CardRow {
  card_id: string;
  lesson_id: string;
  fsrs_json: string;
  due: string;
  last_review: string | null;
  reps: number;
  lapses: number;
  last_correct: number | null;
}

interface TourRow {
  tour_id: string;
  vm_id: string;
  current_step: number;
  completed_at: string | null;
  updated_at: string;
}

/** Prepares the statements of this module on `db`. */
function prepare(db: Database.Database) {
  return {
    getCard: db.prepare<[string], CardRow>('SELECT * FROM quiz_cards WHERE card_id = ?'),
    allCards: db.prepare<[], CardRow>('SELECT * FROM quiz_cards ORDER BY due, card_id'),
    dueCards: db.prepare<[string], CardRow>('SELECT * FROM quiz_cards WHERE due <= ? ORDER BY due, card_id'),
    upsertCard: db.prepare(
      `INSERT INTO quiz_cards (card_id, lesson_id, fsrs_json, due, last_review, reps, lapses, last_correct)
     VALUES (@card_id, @lesson_id, @fsrs_json, @due, @last_review, @reps, @lapses, @last_correct)
     ON CONFLICT (card_id) DO UPDATE SET lesson_id = excluded.lesson_id, fsrs_json = excluded.fsrs_json,
       due = excluded.due, last_review = excluded.last_review, reps = excluded.reps,
       lapses = excluded.lapses, last_correct = excluded.last_correct`,
    ),
    insertReview: db.prepare(
      `INSERT INTO quiz_reviews (card_id, lesson_id, at, correct, rating, log_json)
     VALUES (?, ?, ?, ?, ?, ?)`,
    ),
    reviewCount: db.prepare<[string], { n: number }>(
      'SELECT COUNT(*) AS n FROM quiz_reviews WHERE card_id = ?',
    ),
    markRead: db.prepare('INSERT OR IGNORE INTO lesson_progress (lesson_id, read_at) VALUES (?, ?)'),
    getRead: db.prepare<[string], { read_at: string }>(
      'SELECT read_at FROM lesson_progress WHERE lesson_id = ?',
    ),
    lessonRead: db.prepare<[], { lesson_id: string; read_at: string }>(
      'SELECT lesson_id, read_at FROM lesson_progress',
    ),
    getTour: db.prepare<[string], TourRow>('SELECT * FROM tour_progress WHERE tour_id = ?'),
    allTours: db.prepare<[], TourRow>('SELECT * FROM tour_progress ORDER BY updated_at DESC, tour_id'),
    upsertTour: db.prepare(
      `INSERT INTO tour_progress (tour_id, vm_id, current_step, completed_at, updated_at)
     VALUES (@tour_id, @vm_id, @current_step, @completed_at, @updated_at)
     ON CONFLICT (tour_id) DO UPDATE SET vm_id = excluded.vm_id, current_step = excluded.current_step,
       completed_at = excluded.completed_at, updated_at = excluded.updated_at`,
    ),
  };
}

const cache = new WeakMap<Database.Database, ReturnType<typeof prepare>>();

/** Prepared statements per database (prepared once, on first use). */
function statements(db: Database.Database): ReturnType<typeof prepare> {
  let s = cache.get(db);
  if (!s) {
    s = prepare(db);
    cache.set(db, s);
  }
  return s;
}

/** Lesson id of a card id `<lessonId>/<questionId>`. @throws Error when there is no `/`. */
export function lessonOfCard(cardId: string): string {
  const slash = cardId.indexOf('/');
  if (slash <= 0) throw new Error(`Card id "${cardId}" is not <lessonId>/<questionId>.`);
  return cardId.slice(0, slash);
}

/** Reads the stored ts-fsrs card (dates revived). */
function cardOf(row: CardRow): Card {
  const raw = JSON.parse(row.fsrs_json) as Card & { due: string; last_review?: string };
  return {
    ...raw,
    due: new Date(raw.due),
    last_review: raw.last_review ? new Date(raw.last_review) : undefined,
  };
}

function scheduleOf(row: CardRow): QuizSchedule {
  const card = cardOf(row);
  return {
    cardId: row.card_id,
    lessonId: row.lesson_id,
    due: row.due,
    stability: card.stability,
    difficulty: card.difficulty,
    state: STATE_NAMES[card.state] ?? 'new',
    reps: row.reps,
    lapses: row.lapses,
    lastReview: row.last_review,
    lastCorrect: row.last_correct === null ? null : row.last_correct === 1,
  };
}

/**
 * Records an answer to quiz card `cardId` (`<lessonId>/<questionId>`) at `now`: a right answer is
 * FSRS `Good`, a wrong one `Again`. The card (new when never answered) is rescheduled, stored, and
 * the answer appended to `quiz_reviews`, in one transaction.
 *
 * The caller checks that the card exists in the content (the handler does).
 * @returns the new schedule (`due` is after `now`: minutes while learning, days once learnt).
 * @throws Error for a card id without `/`.
 */
export function answerQuestion(
  store: Store,
  cardId: string,
  correct: boolean,
  now: Date = new Date(),
): QuizSchedule {
  const lessonId = lessonOfCard(cardId);
  const s = statements(store.db);
  const tx = store.db.transaction((): QuizSchedule => {
    const row = s.getCard.get(cardId);
    const card = row ? cardOf(row) : createEmptyCard(now);
    const grade: Grade = correct ? Rating.Good : Rating.Again;
    const next = SCHEDULER.next(card, now, grade);
    const stored: CardRow = {
      card_id: cardId,
      lesson_id: lessonId,
      fsrs_json: JSON.stringify(next.card),
      due: next.card.due.toISOString(),
      last_review: (next.card.last_review ?? now).toISOString(),
      reps: next.card.reps,
      lapses: next.card.lapses,
      last_correct: correct ? 1 : 0,
    };
    s.upsertCard.run(stored);
    s.insertReview.run(cardId, lessonId, now.toISOString(), correct ? 1 : 0, grade, JSON.stringify(next.log));
    return scheduleOf(stored);
  });
  return tx.immediate();
}

/** The stored schedule of one card, or `null` when it was never answered. */
export function getCardSchedule(store: Store, cardId: string): QuizSchedule | null {
  const row = statements(store.db).getCard.get(cardId);
  return row ? scheduleOf(row) : null;
}

/** Number of answers recorded for a card. */
export function reviewCount(store: Store, cardId: string): number {
  return statements(store.db).reviewCount.get(cardId)?.n ?? 0;
}

/** Answered cards whose review is due at `now` (due ≤ now), soonest first. New cards are not included. */
export function dueCards(store: Store, now: Date = new Date()): QuizSchedule[] {
  return statements(store.db).dueCards.all(now.toISOString()).map(scheduleOf);
}

/** Every answered card, soonest due first. */
export function allCards(store: Store): QuizSchedule[] {
  return statements(store.db).allCards.all().map(scheduleOf);
}

/** Marks a lesson read at `now` (the first time only). @returns the stored read time (ISO 8601 UTC). */
export function markLessonRead(store: Store, lessonId: string, now: Date = new Date()): string {
  const s = statements(store.db);
  s.markRead.run(lessonId, now.toISOString());
  return s.getRead.get(lessonId)!.read_at;
}

/**
 * Per-lesson progress for every lesson of `content` (in content order): read time, questions in the
 * quiz, answered, last answer right, and due at `now`. Cards of questions no longer in the quiz are
 * not counted.
 */
export function lessonProgress(
  store: Store,
  content: StudyContent,
  now: Date = new Date(),
): LessonProgress[] {
  const s = statements(store.db);
  const read = new Map(s.lessonRead.all().map((r) => [r.lesson_id, r.read_at]));
  const cards = new Map(s.allCards.all().map((r) => [r.card_id, r]));
  const nowIso = now.toISOString();
  return content.lessons.map(({ meta, quiz }) => {
    let answered = 0;
    let correct = 0;
    let due = 0;
    for (const q of quiz) {
      const row = cards.get(`${meta.id}/${q.id}`);
      if (!row) continue;
      answered++;
      if (row.last_correct === 1) correct++;
      if (row.due <= nowIso) due++;
    }
    return {
      lessonId: meta.id,
      readAt: read.get(meta.id) ?? null,
      total: quiz.length,
      answered,
      correct,
      due,
    };
  });
}

const tourOf = (r: TourRow): TourProgress => ({
  tourId: r.tour_id,
  vmId: r.vm_id === '' ? null : r.vm_id,
  step: r.current_step,
  completedAt: r.completed_at,
  updatedAt: r.updated_at,
});

/** What {@link saveTourProgress} takes. */
export interface TourProgressInput {
  tourId: string;
  /** VM the tour runs on; omitted = keep the stored one; `null` = none. */
  vmId?: string | null;
  /** 0-based current step (≥ 0). */
  step: number;
  /** True when the user finished the tour: `completedAt` is set (the first completion time is kept). */
  completed?: boolean;
}

/**
 * Saves a tour's progress at `now`. A tour completed once stays completed (`completedAt` keeps the
 * first completion time) even when it is run again from step 0.
 * @returns the stored progress.
 */
export function saveTourProgress(
  store: Store,
  input: TourProgressInput,
  now: Date = new Date(),
): TourProgress {
  const s = statements(store.db);
  const tx = store.db.transaction((): TourProgress => {
    const before = s.getTour.get(input.tourId);
    const at = now.toISOString();
    const row: TourRow = {
      tour_id: input.tourId,
      vm_id: input.vmId === undefined ? (before?.vm_id ?? '') : (input.vmId ?? ''),
      current_step: Math.max(0, Math.floor(input.step)),
      completed_at: before?.completed_at ?? (input.completed ? at : null),
      updated_at: at,
    };
    s.upsertTour.run(row);
    return tourOf(row);
  });
  return tx.immediate();
}

/** Saved progress of one tour, or `null`. */
export function getTourProgress(store: Store, tourId: string): TourProgress | null {
  const row = statements(store.db).getTour.get(tourId);
  return row ? tourOf(row) : null;
}

/** Every saved tour progress, most recently updated first. */
export function listTourProgress(store: Store): TourProgress[] {
  return statements(store.db).allTours.all().map(tourOf);
}

/** Everything `study:progress` returns. */
export function studyProgress(store: Store, content: StudyContent, now: Date = new Date()): StudyProgress {
  const cards = allCards(store);
  const nowIso = now.toISOString();
  return {
    lessons: lessonProgress(store, content, now),
    tours: listTourProgress(store),
    cards,
    dueNow: cards.filter((c) => c.due <= nowIso).length,
  };
}

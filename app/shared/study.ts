import { z } from 'zod';
import type { Language } from './catalog.ts';

/**
 * Study content (lessons, quizzes, guided tours, diagram strings) as it lives in `resources/`, and
 * the shapes the study, quiz, tour, search and export channels return.
 *
 * Files (all UTF-8):
 * - `resources/lessons/<id>/meta.json` ({@link LessonMetaSchema}) with `en.md` and `zh-CN.md` beside it.
 *   The Markdown may hold a line `![[diagram:<id>]]` (draws `resources/diagrams/<id>.svg`), links
 *   `[text](setting:<catalog id>)` (open the setting on the mirror) and `[text](lesson:<id>)`.
 * - `resources/quizzes/<lessonId>.json`: an array of {@link QuizQuestionSchema}.
 * - `resources/tours/<id>.json`: one {@link TourSchema}.
 * - `resources/diagrams/<id>.svg` and `resources/diagrams/strings-*.json` ({@link DiagramStringsSchema}).
 *
 * Objects are loose: unknown keys are kept (content from a newer version never fails to load).
 */

/** Ids of lessons, tours, quiz questions and diagrams: letters, digits, `.`, `_`, `-`; 1–80 characters. */
export const ContentIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'must be 1–80 letters, digits, ".", "_" or "-"');

/** A text in both UI languages (extra languages are kept). */
export const TextSchema = z.looseObject({ en: z.string().min(1), 'zh-CN': z.string().min(1) });
export type Text = z.infer<typeof TextSchema>;

/** `resources/lessons/<id>/meta.json`. `id` must equal the folder name. */
export const LessonMetaSchema = z.looseObject({
  id: ContentIdSchema,
  /** Position in the lesson list (ascending; ties broken by id). */
  order: z.number(),
  title: TextSchema,
  summary: TextSchema,
  /** Diagram ids (`resources/diagrams/<id>.svg`) the lesson draws. */
  diagrams: z.array(ContentIdSchema).default([]),
  /** Catalog ids (`system.processor.cpus`) the lesson explains. */
  settings: z.array(z.string().min(1)).default([]),
  /** Quiz file id (`resources/quizzes/<quiz>.json`), usually the lesson id; `''` = no quiz. */
  quiz: z.union([ContentIdSchema, z.literal('')]).default(''),
});
export type LessonMeta = z.infer<typeof LessonMetaSchema>;

/** One quiz question: `answer` is the 0-based index of the right choice. Ids are unique within a quiz file. */
export const QuizQuestionSchema = z
  .looseObject({
    id: z.union([ContentIdSchema, z.number().int().nonnegative().transform(String)]),
    question: TextSchema,
    choices: z.array(TextSchema).min(2),
    answer: z.number().int().nonnegative(),
    explain: TextSchema,
  })
  .refine((q) => q.answer < q.choices.length, {
    message: 'answer must be the 0-based index of one of the choices',
    path: ['answer'],
  });
export type QuizQuestion = z.infer<typeof QuizQuestionSchema>;
export const QuizSchema = z.array(QuizQuestionSchema);

/**
 * One step of a guided tour: highlights the control `control` (a catalog id) on page `page`
 * (a VirtualBox Settings page, `VBOX_PAGES`) and tab `tab`; `ask` invites the user to look at their
 * own value.
 */
export const TourStepSchema = z.looseObject({
  page: z.string().min(1),
  tab: z.string().min(1).optional(),
  control: z.string().min(1),
  title: TextSchema,
  body: TextSchema,
  ask: TextSchema.optional(),
});
export type TourStep = z.infer<typeof TourStepSchema>;

/** `resources/tours/<id>.json`. `id` must equal the file name. */
export const TourSchema = z.looseObject({
  id: ContentIdSchema,
  order: z.number(),
  title: TextSchema,
  summary: TextSchema,
  steps: z.array(TourStepSchema).min(1),
});
export type Tour = z.infer<typeof TourSchema>;

/** `resources/diagrams/strings-*.json`: diagram id → string key → text in both languages. */
export const DiagramStringsSchema = z.record(ContentIdSchema, z.record(z.string(), TextSchema));
export type DiagramStrings = z.infer<typeof DiagramStringsSchema>;

/**
 * Anchor slug of a Markdown heading, shared by the search index (result targets) and the renderer
 * (heading ids): lower case, letters (any script) and digits kept, runs of anything else → `-`,
 * trimmed of `-`, at most 60 code points; `section` when nothing is left.
 */
export function slugify(heading: string): string {
  const slug = heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, '-')
    .replace(/^-+|-+$/g, '');
  const cut = Array.from(slug).slice(0, 60).join('').replace(/-+$/, '');
  return cut || 'section';
}

/** Card id of a quiz question: `<lessonId>/<questionId>`. */
export function cardIdOf(lessonId: string, questionId: string): string {
  return `${lessonId}/${questionId}`;
}

/** Schema of a card id (`<lessonId>/<questionId>`). */
export const CardIdSchema = z
  .string()
  .max(161)
  .regex(
    /^[A-Za-z0-9][A-Za-z0-9._-]{0,79}\/[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/,
    'must be <lessonId>/<questionId>',
  );

// ---------------------------------------------------------------------------------------------
// Channel outputs

/** A lesson in the `study:content` list (no Markdown body). */
export interface LessonSummary {
  id: string;
  order: number;
  title: Text;
  summary: Text;
  diagrams: string[];
  settings: string[];
  quiz: string;
  /** Number of quiz questions (0 when the lesson has no quiz yet). */
  questionCount: number;
  /** Languages whose Markdown file exists. */
  languages: Language[];
}

/** What `study:content` returns: every lesson (metadata) and tour (with steps), and the diagrams. */
export interface StudyContentSummary {
  lessons: LessonSummary[];
  tours: Tour[];
  diagrams: {
    /** Ids of `resources/diagrams/<id>.svg`, sorted. */
    ids: string[];
    strings: DiagramStrings;
  };
}

/** A quiz question with the card id that `quiz:answer` takes. */
export type QuizQuestionWithCard = QuizQuestion & { cardId: string };

/** What `study:lesson` returns. A language whose Markdown is missing has `''`. */
export interface LessonPayload {
  meta: LessonMeta;
  markdown: { en: string; 'zh-CN': string };
  quiz: QuizQuestionWithCard[];
}

/** FSRS card states (ts-fsrs `State`), spelled out. */
export type CardState = 'new' | 'learning' | 'review' | 'relearning';

/** A quiz card's schedule, as `quiz:answer` and `study:progress` return it. Times are ISO 8601 UTC. */
export interface QuizSchedule {
  cardId: string;
  lessonId: string;
  /** Next review time. */
  due: string;
  /** FSRS stability, in days. */
  stability: number;
  /** FSRS difficulty, 1–10. */
  difficulty: number;
  state: CardState;
  reps: number;
  lapses: number;
  lastReview: string | null;
  /** Whether the last answer was right (`null` before any answer). */
  lastCorrect: boolean | null;
}

/** Progress of one lesson: read time and quiz counts. */
export interface LessonProgress {
  lessonId: string;
  /** ISO 8601 UTC time the lesson was first marked read, or null. */
  readAt: string | null;
  /** Questions in the lesson's quiz. */
  total: number;
  /** Questions answered at least once. */
  answered: number;
  /** Questions whose last answer was right. */
  correct: number;
  /** Answered questions whose next review is due now. */
  due: number;
}

/** Saved progress of a guided tour (one row per tour). */
export interface TourProgress {
  tourId: string;
  /** VM the tour last ran on (`null` = none chosen). */
  vmId: string | null;
  /** 0-based index of the current step. */
  step: number;
  /** ISO 8601 UTC time the tour was first completed, or null. */
  completedAt: string | null;
  updatedAt: string;
}

/** What `study:progress` returns. */
export interface StudyProgress {
  lessons: LessonProgress[];
  tours: TourProgress[];
  /** Every answered card, soonest due first. */
  cards: QuizSchedule[];
  /** Cards due now. */
  dueNow: number;
}

/** Kinds of search results. */
export type SearchKind = 'setting' | 'lesson' | 'tour' | 'note';

/** Where a search result leads. `screen: 'mirror'` without `vmId` means "the VM on screen". */
export interface SearchTarget {
  screen: 'mirror' | 'lesson' | 'tour';
  vmId?: string;
  page?: string;
  tab?: string;
  /** Catalog id, possibly with an instance suffix (`network.adapter.mac#2`). */
  settingId?: string;
  lessonId?: string;
  /** Heading slug ({@link slugify}) of the lesson section. */
  section?: string;
  tourId?: string;
}

/** One search hit. `id`: setting id, lesson id, tour id, or `<vmId>/<settingId>` for a note. */
export interface SearchResult {
  kind: SearchKind;
  id: string;
  title: string;
  /** Plain text around the first match (at most about 140 code points, `…` where cut). */
  snippet: string;
  target: SearchTarget;
}

/** A file produced by an export channel, for the UI to save. */
export interface ExportFile {
  filename: string;
  /** `text/markdown; charset=utf-8` or `text/html; charset=utf-8`. */
  mime: string;
  content: string;
}

/**
 * Handlers of the study, tour, quiz, search and export channels (issue 5), merged into the API by
 * `createHandlers` (app/core/api/handlers.ts). Inputs arrive validated by the contract's schemas.
 *
 * The study content is loaded from the resources folder on first use and kept for the life of the
 * process; its problems are logged once (a half-written lesson never stops the others). The search
 * index of settings, lessons and tours is brought up to date on the first search.
 */

import type { Api, Inventory, VmDetail } from '../../shared/contract.ts';
import { cardIdOf, type LessonSummary, type StudyContentSummary } from '../../shared/study.ts';
import { NotFoundError, ValidationError } from '../api/errors.ts';
import { exportNotes, exportVmReport } from '../export/index.ts';
import { ensureSearchIndex, search } from '../search/index.ts';
import type { Store } from '../store/index.ts';
import { DEFAULT_RESOURCES_DIR, loadStudyContent, type StudyContent } from './content.ts';
import { answerQuestion, markLessonRead, saveTourProgress, studyProgress } from './progress.ts';

/** The channels implemented here. */
export type StudyChannel =
  | 'study:content'
  | 'study:lesson'
  | 'study:read'
  | 'study:progress'
  | 'quiz:answer'
  | 'tours:progress'
  | 'search'
  | 'export:notes'
  | 'export:report';

/** Dependencies of {@link createStudyHandlers}. */
export interface StudyDeps {
  store: Store;
  /** The VM inventory: VM names for note titles and exports, VM details for reports. */
  inventory: {
    list(refresh?: boolean): Promise<Inventory>;
    get(id: string): Promise<VmDetail>;
  };
  /** Resources folder holding `lessons/`, `quizzes/`, `tours/`, `diagrams/` (default {@link DEFAULT_RESOURCES_DIR}). */
  resourcesDir?: string;
  /** Clock (tests pass a fixed one). Default: `() => new Date()`. */
  now?: () => Date;
  /** Where content problems are reported once. Default: `console.warn`. */
  warn?: (message: string) => void;
}

/** The `study:content` payload of loaded content (metadata only, no Markdown bodies). */
export function contentSummary(content: StudyContent): StudyContentSummary {
  const lessons: LessonSummary[] = content.lessons.map(({ meta, markdown, quiz }) => ({
    id: meta.id,
    order: meta.order,
    title: meta.title,
    summary: meta.summary,
    diagrams: meta.diagrams,
    settings: meta.settings,
    quiz: meta.quiz,
    questionCount: quiz.length,
    languages: (['en', 'zh-CN'] as const).filter((l) => markdown[l] !== ''),
  }));
  return {
    lessons,
    tours: content.tours,
    diagrams: { ids: content.diagramIds, strings: content.diagramStrings },
  };
}

/**
 * Builds the handlers of {@link StudyChannel}. Errors: unknown lesson, tour or card →
 * {@link NotFoundError}; a tour step beyond the tour's last step → {@link ValidationError}.
 */
export function createStudyHandlers(deps: StudyDeps): Pick<Api, StudyChannel> {
  const { store, inventory } = deps;
  const now = deps.now ?? (() => new Date());
  let content: StudyContent | null = null;
  let indexed = false;

  const getContent = (): StudyContent => {
    if (!content) {
      content = loadStudyContent(deps.resourcesDir ?? DEFAULT_RESOURCES_DIR);
      if (content.problems.length > 0) {
        (deps.warn ?? console.warn)(
          `[vm-companion] study content: ${content.problems.length} problem(s):\n` +
            content.problems.map((p) => `  ${p.file}: ${p.message}`).join('\n'),
        );
      }
    }
    return content;
  };
  const lessonOf = (id: string) => {
    const lesson = getContent().lessons.find((l) => l.meta.id === id);
    if (!lesson) throw new NotFoundError(`No lesson "${id}".`);
    return lesson;
  };
  /** VM names from the inventory; an unavailable inventory just means ids are shown. */
  const vmNames = async (): Promise<Map<string, string>> => {
    try {
      const inv = await inventory.list(false);
      return new Map(inv.vms.map((vm) => [vm.id, vm.name]));
    } catch {
      return new Map();
    }
  };

  return {
    // `lang` is accepted but changes nothing: every text comes in both languages, so the UI can
    // switch language without asking again.
    'study:content': async () => contentSummary(getContent()),
    'study:lesson': async ({ id }) => {
      const { meta, markdown, quiz } = lessonOf(id);
      return { meta, markdown, quiz: quiz.map((q) => ({ ...q, cardId: cardIdOf(meta.id, q.id) })) };
    },
    'study:read': async ({ lessonId }) => {
      lessonOf(lessonId);
      return { lessonId, readAt: markLessonRead(store, lessonId, now()) };
    },
    'study:progress': async () => studyProgress(store, getContent(), now()),
    'quiz:answer': async ({ cardId, correct }) => {
      const [lessonId, questionId] = cardId.split('/');
      const lesson = lessonOf(lessonId);
      if (!lesson.quiz.some((q) => q.id === questionId))
        throw new NotFoundError(`Lesson "${lessonId}" has no quiz question "${questionId}".`);
      return answerQuestion(store, cardId, correct, now());
    },
    'tours:progress': async ({ tourId, vmId, step, completed }) => {
      const tour = getContent().tours.find((t) => t.id === tourId);
      if (!tour) throw new NotFoundError(`No tour "${tourId}".`);
      if (step >= tour.steps.length)
        throw new ValidationError(
          `Tour "${tourId}" has ${tour.steps.length} steps (0–${tour.steps.length - 1}); step ${step} does not exist.`,
        );
      return saveTourProgress(store, { tourId, vmId, step, completed }, now());
    },
    search: async ({ q, lang, limit }) => {
      if (!indexed) {
        ensureSearchIndex(store, getContent());
        indexed = true;
      }
      const names = await vmNames();
      return search(store, q, { lang, limit, vmName: (id) => names.get(id) });
    },
    'export:notes': async ({ format, lang }) => {
      const names = await vmNames();
      return exportNotes(store, format, lang, { vmName: (id) => names.get(id), now: now() });
    },
    'export:report': async ({ vmId, format, lang }) => {
      const detail = await inventory.get(vmId);
      return exportVmReport(detail, store.listNotes(vmId), lang, format, now());
    },
  };
}

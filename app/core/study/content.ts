/**
 * Loads and checks the study content in a resources folder: lessons (`lessons/<id>/meta.json`,
 * `en.md`, `zh-CN.md`), quizzes (`quizzes/<id>.json`), tours (`tours/<id>.json`) and diagrams
 * (`diagrams/<id>.svg`, `diagrams/strings-*.json`). Formats: app/shared/study.ts.
 *
 * Loading never stops at the first bad file: every problem is collected (with the file it concerns,
 * relative to the resources folder, and for JSON the line and column, for schemas the field path)
 * and everything usable is kept. Call {@link assertContentValid} where any problem must fail.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { z } from 'zod';
import { DEFAULT_DEMO_DIR } from '../demo.ts';
import { catalogById } from '../../shared/catalog-data.ts';
import { VBOX_PAGES } from '../../shared/catalog.ts';
import {
  DiagramStringsSchema,
  LessonMetaSchema,
  QuizQuestionSchema,
  TourSchema,
  cardIdOf,
  type DiagramStrings,
  type LessonMeta,
  type QuizQuestion,
  type Tour,
} from '../../shared/study.ts';

/**
 * Default resources folder: `<project or app root>/resources`, found next to the demo VMs
 * (`DEFAULT_DEMO_DIR`, which resolves correctly both from the sources and from the bundled main).
 */
export const DEFAULT_RESOURCES_DIR = path.dirname(DEFAULT_DEMO_DIR);

/** Largest content file read, in bytes (4 MiB); bigger files are reported and skipped. */
export const MAX_CONTENT_FILE_BYTES = 4 * 1024 * 1024;

/**
 * A problem found while loading.
 * - `invalid`: the file is unreadable, not JSON, or does not match its schema (the item is skipped,
 *   or for a quiz only the bad questions are);
 * - `missing`: a file the content needs does not exist (e.g. `zh-CN.md`, a lesson's quiz file);
 * - `reference`: an id that names nothing (unknown catalog id, diagram, lesson or page).
 */
export interface ContentProblem {
  /** Path relative to the resources folder, with `/` separators (e.g. `tours/networking.json`). */
  file: string;
  kind: 'invalid' | 'missing' | 'reference';
  message: string;
}

/** One lesson with its Markdown and quiz. */
export interface Lesson {
  meta: LessonMeta;
  /** Markdown per language; `''` when the file is missing. */
  markdown: { en: string; 'zh-CN': string };
  /** Valid questions of the lesson's quiz, in file order (empty when there is none). */
  quiz: QuizQuestion[];
}

/** Everything {@link loadStudyContent} found. */
export interface StudyContent {
  /** Absolute resources folder. */
  dir: string;
  /** Lessons sorted by `order`, then id. */
  lessons: Lesson[];
  /** Tours sorted by `order`, then id. */
  tours: Tour[];
  /** Ids of `diagrams/<id>.svg`, sorted. */
  diagramIds: string[];
  /** All `diagrams/strings-*.json` files merged. */
  diagramStrings: DiagramStrings;
  problems: ContentProblem[];
}

/** Thrown by {@link assertContentValid}; the message lists every problem, one per line. */
export class StudyContentError extends Error {
  readonly problems: ContentProblem[];
  constructor(problems: ContentProblem[]) {
    super(
      `Study content has ${problems.length} problem(s):\n` +
        problems.map((p) => `  ${p.file}: ${p.message}`).join('\n'),
    );
    this.name = 'StudyContentError';
    this.problems = problems;
  }
}

/** @throws StudyContentError when `content.problems` (optionally only those of `kinds`) is not empty. */
export function assertContentValid(
  content: StudyContent,
  kinds: readonly ContentProblem['kind'][] = ['invalid', 'missing', 'reference'],
): void {
  const problems = content.problems.filter((p) => kinds.includes(p.kind));
  if (problems.length > 0) throw new StudyContentError(problems);
}

/** Formats zod issues as `steps.2.control: Required; title.en: …`. */
export function formatZodIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues
    .map((i) => `${i.path.length > 0 ? i.path.map(String).join('.') : '(top level)'}: ${i.message}`)
    .join('; ');
}

/** Line and column (1-based) of a character offset in `text`. */
function lineCol(text: string, offset: number): string {
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  const col = offset - before.lastIndexOf('\n');
  return `line ${line}, column ${col}`;
}

/**
 * Offset of the first syntax error in JSON `text` (a small strict scanner: RFC 8259 grammar), or
 * `null` when the text is valid JSON. Used to give line and column, which V8's messages do not
 * always carry.
 */
export function jsonErrorOffset(text: string): number | null {
  let i = 0;
  const fail = (): never => {
    throw i;
  };
  const ws = (): void => {
    while (i < text.length && ' \t\n\r'.includes(text[i])) i++;
  };
  const literal = (word: string): void => {
    if (text.startsWith(word, i)) i += word.length;
    else fail();
  };
  const string = (): void => {
    i++; // opening quote
    while (i < text.length && text[i] !== '"') {
      if (text.charCodeAt(i) < 0x20) fail();
      if (text[i] === '\\') {
        i++;
        if (text[i] === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 1, i + 5))) fail();
          i += 4;
        } else if (!'"\\/bfnrt'.includes(text[i] ?? 'x')) fail();
      }
      i++;
    }
    if (i >= text.length) fail();
    i++;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail();
        string();
        ws();
        if (text[i] !== ':') fail();
        i++;
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === '}') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (;;) {
        value();
        ws();
        if (text[i] === ',') i++;
        else if (text[i] === ']') {
          i++;
          return;
        } else fail();
      }
    } else if (c === '"') string();
    else if (c === 't') literal('true');
    else if (c === 'f') literal('false');
    else if (c === 'n') literal('null');
    else {
      const m = /^-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/.exec(text.slice(i, i + 400));
      if (!m) fail();
      i += m![0].length;
    }
  };
  try {
    value();
    ws();
    if (i < text.length) fail();
    return null;
  } catch (pos) {
    if (typeof pos === 'number') return Math.min(pos, text.length);
    throw pos;
  }
}

/** Markdown references: diagrams, settings and lessons named by a lesson body. */
export interface MarkdownRefs {
  diagrams: { id: string; line: number }[];
  settings: { id: string; line: number }[];
  lessons: { id: string; line: number }[];
}

/** Finds `![[diagram:<id>]]`, `](setting:<id>)` and `](lesson:<id>)` in Markdown, with 1-based line numbers. */
export function markdownRefs(markdown: string): MarkdownRefs {
  const refs: MarkdownRefs = { diagrams: [], settings: [], lessons: [] };
  markdown.split(/\r?\n/).forEach((text, i) => {
    const line = i + 1;
    for (const m of text.matchAll(/!\[\[diagram:([^\]\s]*)\]\]/g)) refs.diagrams.push({ id: m[1], line });
    for (const m of text.matchAll(/\]\(setting:([^)\s]*)\)/g)) refs.settings.push({ id: m[1], line });
    for (const m of text.matchAll(/\]\(lesson:([^)\s#]*)(?:#[^)\s]*)?\)/g))
      refs.lessons.push({ id: m[1], line });
  });
  return refs;
}

/** Catalog id without an instance suffix (`network.adapter.mac#2` → `network.adapter.mac`). */
const baseSettingId = (id: string): string => id.split('#')[0];

/**
 * Loads all study content under `dir` (default {@link DEFAULT_RESOURCES_DIR}). Missing folders
 * (`lessons/`, `quizzes/`, `tours/`, `diagrams/`) simply give no items. Problems are listed in
 * {@link StudyContent.problems}, never thrown (except when `dir` itself cannot be read as a folder:
 * then every part is empty and one problem says so).
 *
 * Checks, besides the schemas: lesson `id` = folder name, tour `id` = file name; quiz question ids
 * unique in their file; lesson `settings`, tour step `control`s and Markdown `setting:` links name
 * catalog entries; tour step `page`s are VirtualBox Settings pages and match the control's page, and
 * a step's `tab` is the control's catalog tab or a numbered instance of it (`adapter-1` for `adapter`);
 * lesson `diagrams` and `![[diagram:…]]` lines name existing SVGs; `lesson:` links name lessons;
 * a lesson's `quiz` file exists; both Markdown files exist; diagram string ids are not defined twice.
 */
export function loadStudyContent(dir: string = DEFAULT_RESOURCES_DIR): StudyContent {
  const root = path.resolve(dir);
  const problems: ContentProblem[] = [];
  const problem = (file: string, kind: ContentProblem['kind'], message: string): void => {
    problems.push({ file, kind, message });
  };
  const rel = (...parts: string[]): string => parts.join('/');

  const listDir = (sub: string): fs.Dirent[] => {
    try {
      return fs.readdirSync(path.join(root, sub), { withFileTypes: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT') problem(sub, 'invalid', `cannot read the folder: ${(err as Error).message}`);
      return [];
    }
  };

  /** Reads a text file; `null` when missing (not reported) or unreadable (reported). */
  const readText = (file: string): string | null => {
    const abs = path.join(root, ...file.split('/'));
    try {
      const stat = fs.statSync(abs);
      if (!stat.isFile()) {
        problem(file, 'invalid', 'is not a regular file');
        return null;
      }
      if (stat.size > MAX_CONTENT_FILE_BYTES) {
        problem(file, 'invalid', `is ${stat.size} bytes, more than the ${MAX_CONTENT_FILE_BYTES} allowed`);
        return null;
      }
      return fs.readFileSync(abs, 'utf8').replace(/^\uFEFF/, '');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
      problem(file, 'invalid', `cannot read: ${(err as Error).message}`);
      return null;
    }
  };

  /** Reads and parses a JSON file; `undefined` when missing or invalid (invalid is reported). */
  const readJson = (file: string): unknown => {
    const text = readText(file);
    if (text === null) return undefined;
    try {
      return JSON.parse(text) as unknown;
    } catch (err) {
      const offset = jsonErrorOffset(text);
      const where = offset === null ? '' : `${lineCol(text, offset)}: `;
      problem(file, 'invalid', `is not valid JSON: ${where}${(err as Error).message.replace(/\s+/g, ' ')}`);
      return undefined;
    }
  };

  // Diagrams: SVG ids and strings.
  const diagramIds: string[] = [];
  const diagramStrings: DiagramStrings = {};
  const stringsOwner = new Map<string, string>();
  for (const entry of listDir('diagrams').sort((a, b) => a.name.localeCompare(b.name))) {
    if (!entry.isFile()) continue;
    if (entry.name.endsWith('.svg')) {
      diagramIds.push(entry.name.slice(0, -'.svg'.length));
    } else if (/^strings-.*\.json$/.test(entry.name)) {
      const file = rel('diagrams', entry.name);
      const raw = readJson(file);
      if (raw === undefined) continue;
      const parsed = DiagramStringsSchema.safeParse(raw);
      if (!parsed.success) {
        problem(file, 'invalid', formatZodIssues(parsed.error.issues));
        continue;
      }
      for (const [id, strings] of Object.entries(parsed.data)) {
        const owner = stringsOwner.get(id);
        if (owner) {
          problem(
            file,
            'invalid',
            `strings of diagram "${id}" are already defined in ${owner}; ignored here`,
          );
          continue;
        }
        stringsOwner.set(id, file);
        diagramStrings[id] = strings;
      }
    }
  }
  diagramIds.sort();
  const diagramSet = new Set(diagramIds);
  for (const id of stringsOwner.keys()) {
    if (!diagramSet.has(id))
      problem(stringsOwner.get(id)!, 'reference', `strings for unknown diagram "${id}"`);
  }

  // Quizzes, keyed by file id.
  const quizzes = new Map<string, QuizQuestion[]>();
  for (const entry of listDir('quizzes')) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const id = entry.name.slice(0, -'.json'.length);
    const file = rel('quizzes', entry.name);
    const raw = readJson(file);
    if (raw === undefined) continue;
    if (!Array.isArray(raw)) {
      problem(file, 'invalid', 'must be a JSON array of questions');
      continue;
    }
    const questions: QuizQuestion[] = [];
    const seen = new Set<string>();
    raw.forEach((item: unknown, index) => {
      const parsed = QuizQuestionSchema.safeParse(item);
      if (!parsed.success) {
        problem(file, 'invalid', `question ${index + 1}: ${formatZodIssues(parsed.error.issues)}`);
        return;
      }
      if (seen.has(parsed.data.id)) {
        problem(file, 'invalid', `question ${index + 1}: duplicate id "${parsed.data.id}"; ignored`);
        return;
      }
      seen.add(parsed.data.id);
      questions.push(parsed.data);
    });
    quizzes.set(id, questions);
  }

  // Lessons.
  const lessons: Lesson[] = [];
  for (const entry of listDir('lessons')) {
    if (!entry.isDirectory()) continue;
    const metaFile = rel('lessons', entry.name, 'meta.json');
    const raw = readJson(metaFile);
    if (raw === undefined) {
      if (!problems.some((p) => p.file === metaFile))
        problem(metaFile, 'missing', 'lesson folder has no meta.json');
      continue;
    }
    const parsed = LessonMetaSchema.safeParse(raw);
    if (!parsed.success) {
      problem(metaFile, 'invalid', formatZodIssues(parsed.error.issues));
      continue;
    }
    const meta = parsed.data;
    if (meta.id !== entry.name) {
      problem(metaFile, 'invalid', `id "${meta.id}" must equal the folder name "${entry.name}"`);
      continue;
    }
    const markdown = { en: '', 'zh-CN': '' };
    for (const lang of ['en', 'zh-CN'] as const) {
      const file = rel('lessons', entry.name, `${lang}.md`);
      const text = readText(file);
      if (text === null) {
        if (!problems.some((p) => p.file === file))
          problem(file, 'missing', `lesson "${meta.id}" has no ${lang} text`);
      } else {
        markdown[lang] = text;
      }
    }
    let quiz: QuizQuestion[] = [];
    if (meta.quiz !== '') {
      const q = quizzes.get(meta.quiz);
      if (q) quiz = q;
      else if (!problems.some((p) => p.file === rel('quizzes', `${meta.quiz}.json`)))
        problem(rel('quizzes', `${meta.quiz}.json`), 'missing', `quiz of lesson "${meta.id}" not found`);
    }
    lessons.push({ meta, markdown, quiz });
  }
  lessons.sort((a, b) => a.meta.order - b.meta.order || a.meta.id.localeCompare(b.meta.id));
  const lessonIds = new Set(lessons.map((l) => l.meta.id));

  for (const { meta, markdown } of lessons) {
    const metaFile = rel('lessons', meta.id, 'meta.json');
    for (const id of meta.settings) {
      if (!catalogById.has(baseSettingId(id)))
        problem(metaFile, 'reference', `settings: unknown catalog id "${id}"`);
    }
    for (const id of meta.diagrams) {
      if (!diagramSet.has(id)) problem(metaFile, 'reference', `diagrams: no diagrams/${id}.svg`);
    }
    for (const lang of ['en', 'zh-CN'] as const) {
      const file = rel('lessons', meta.id, `${lang}.md`);
      const refs = markdownRefs(markdown[lang]);
      for (const r of refs.diagrams) {
        if (!diagramSet.has(r.id)) problem(file, 'reference', `line ${r.line}: no diagrams/${r.id}.svg`);
      }
      for (const r of refs.settings) {
        if (!catalogById.has(baseSettingId(r.id)))
          problem(file, 'reference', `line ${r.line}: unknown catalog id "${r.id}" in a setting: link`);
      }
      for (const r of refs.lessons) {
        if (!lessonIds.has(r.id))
          problem(file, 'reference', `line ${r.line}: unknown lesson "${r.id}" in a lesson: link`);
      }
    }
  }

  // Tours.
  const tours: Tour[] = [];
  const pages: readonly string[] = VBOX_PAGES;
  for (const entry of listDir('tours')) {
    if (!entry.isFile() || !entry.name.endsWith('.json')) continue;
    const file = rel('tours', entry.name);
    const raw = readJson(file);
    if (raw === undefined) continue;
    const parsed = TourSchema.safeParse(raw);
    if (!parsed.success) {
      problem(file, 'invalid', formatZodIssues(parsed.error.issues));
      continue;
    }
    const tour = parsed.data;
    const expected = entry.name.slice(0, -'.json'.length);
    if (tour.id !== expected) {
      problem(file, 'invalid', `id "${tour.id}" must equal the file name "${expected}"`);
      continue;
    }
    tour.steps.forEach((step, i) => {
      const entryOf = catalogById.get(baseSettingId(step.control));
      if (!entryOf) problem(file, 'reference', `steps.${i}.control: unknown catalog id "${step.control}"`);
      if (!pages.includes(step.page)) {
        problem(
          file,
          'reference',
          `steps.${i}.page: "${step.page}" is not a Settings page (${pages.join(', ')})`,
        );
      } else if (entryOf && entryOf.page !== step.page) {
        problem(
          file,
          'reference',
          `steps.${i}.page: "${step.control}" is on page "${entryOf.page}", not "${step.page}"`,
        );
      }
      // The mirror numbers instance tabs (`adapter-1` … `adapter-4` for the catalog's `adapter`).
      if (
        entryOf &&
        step.tab !== undefined &&
        entryOf.tab !== step.tab &&
        !step.tab.startsWith(`${entryOf.tab}-`)
      ) {
        problem(
          file,
          'reference',
          `steps.${i}.tab: "${step.control}" is on tab "${entryOf.tab}", not "${step.tab}"`,
        );
      }
    });
    tours.push(tour);
  }
  tours.sort((a, b) => a.order - b.order || a.id.localeCompare(b.id));

  return { dir: root, lessons, tours, diagramIds, diagramStrings, problems };
}

/** Every card id of the content (`<lessonId>/<questionId>`), lesson by lesson. */
export function allCardIds(content: StudyContent): string[] {
  return content.lessons.flatMap((l) => l.quiz.map((q) => cardIdOf(l.meta.id, q.id)));
}

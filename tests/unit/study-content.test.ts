import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_RESOURCES_DIR,
  StudyContentError,
  allCardIds,
  assertContentValid,
  jsonErrorOffset,
  loadStudyContent,
  markdownRefs,
} from '../../app/core/study/content.ts';
import { LessonMetaSchema, QuizQuestionSchema, TourSchema, slugify } from '../../app/shared/study.ts';
import { catalogById } from '../../app/shared/catalog-data.ts';

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures/study');
const GOOD = path.join(FIXTURES, 'good');
const BAD = path.join(FIXTURES, 'bad');

const tmpDirs: string[] = [];
afterEach(() => {
  for (const d of tmpDirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe('loadStudyContent on valid fixtures', () => {
  const content = loadStudyContent(GOOD);

  it('finds no problems', () => {
    expect(content.problems).toEqual([]);
    expect(() => assertContentValid(content)).not.toThrow();
  });

  it('loads lessons sorted by order, with both Markdown files and their quizzes', () => {
    expect(content.lessons.map((l) => l.meta.id)).toEqual(['network-modes', 'memory-basics']);
    const memory = content.lessons[1];
    expect(memory.meta.title['zh-CN']).toBe('内存基础');
    expect(memory.meta.settings).toEqual(['system.motherboard.memory', 'display.screen.vram']);
    expect(memory.markdown.en).toMatch(/^# Memory basics/);
    expect(memory.markdown['zh-CN']).toContain('## 基础内存');
    expect(memory.quiz).toHaveLength(5);
    expect(memory.quiz[0]).toMatchObject({ id: 'q1', answer: 1 });
    expect(memory.quiz[0].choices[1]).toEqual({ en: 'Yes', 'zh-CN': '是' });
  });

  it('keeps unknown keys of a lesson meta', () => {
    expect((content.lessons[1].meta as Record<string, unknown>).futureField).toEqual({ kept: true });
  });

  it('loads tours with their steps, diagram ids (SVG only) and merged strings', () => {
    expect(content.tours.map((t) => t.id)).toEqual(['first-look']);
    expect(content.tours[0].steps).toHaveLength(5);
    expect(content.tours[0].steps[1]).toMatchObject({
      page: 'system',
      tab: 'motherboard',
      control: 'system.motherboard.memory',
    });
    expect(content.tours[0].steps[1].ask?.en).toBe('How much does yours have?');
    expect(content.diagramIds).toEqual(['memory-split']);
    expect(content.diagramStrings['memory-split'].host).toEqual({ en: 'Host', 'zh-CN': '主机' });
  });

  it('gives card ids as <lessonId>/<questionId>', () => {
    const ids = allCardIds(content);
    expect(ids).toHaveLength(10);
    expect(ids[0]).toBe('network-modes/q1');
    expect(ids).toContain('memory-basics/q5');
  });
});

describe('loadStudyContent on broken fixtures', () => {
  const content = loadStudyContent(BAD);
  const find = (file: string) => content.problems.filter((p) => p.file === file);

  it('names the file, the kind and the field of every problem', () => {
    expect(find('lessons/no-title/meta.json')).toEqual([
      { file: 'lessons/no-title/meta.json', kind: 'invalid', message: expect.stringMatching(/^title: /) },
    ]);
    expect(find('lessons/wrong-folder/meta.json')[0].message).toBe(
      'id "other-name" must equal the folder name "wrong-folder"',
    );
    expect(find('lessons/empty-folder/meta.json')[0].kind).toBe('missing');
    expect(find('lessons/half-written/zh-CN.md')).toEqual([
      {
        file: 'lessons/half-written/zh-CN.md',
        kind: 'missing',
        message: 'lesson "half-written" has no zh-CN text',
      },
    ]);
    expect(find('tours/no-steps.json')[0].message).toMatch(/^steps: /);
    expect(find('tours/misnamed.json')[0].message).toBe(
      'id "something-else" must equal the file name "misnamed"',
    );
  });

  it('gives the line and column of a JSON syntax error', () => {
    const [p] = find('quizzes/broken.json');
    expect(p.kind).toBe('invalid');
    expect(p.message).toMatch(/^is not valid JSON: line 3, column 17: /);
  });

  it('drops only the bad questions of a quiz and keeps the rest of the lesson', () => {
    const messages = find('quizzes/half-written.json').map((p) => p.message);
    expect(messages).toEqual([
      'question 2: answer: answer must be the 0-based index of one of the choices',
      'question 3: duplicate id "q1"; ignored',
    ]);
    const lesson = content.lessons.find((l) => l.meta.id === 'half-written')!;
    expect(lesson.quiz.map((q) => q.question.en)).toEqual(['Fine?']);
    expect(lesson.markdown).toEqual({ en: expect.stringContaining('# Half'), 'zh-CN': '' });
  });

  it('reports ids that name nothing: catalog ids, diagrams, lessons, pages', () => {
    const refs = content.problems.filter((p) => p.kind === 'reference').map((p) => `${p.file}: ${p.message}`);
    expect(refs).toEqual(
      expect.arrayContaining([
        'lessons/half-written/meta.json: settings: unknown catalog id "no.such.setting"',
        'lessons/half-written/meta.json: diagrams: no diagrams/nope.svg',
        'lessons/half-written/en.md: line 5: no diagrams/missing-one.svg',
        'lessons/half-written/en.md: line 3: unknown catalog id "system.bogus.id" in a setting: link',
        'lessons/half-written/en.md: line 3: unknown lesson "ghost" in a lesson: link',
        'tours/bad-steps.json: steps.0.control: unknown catalog id "system.processor.nope"',
        'tours/bad-steps.json: steps.2.page: "system.processor.cpus" is on page "system", not "network"',
      ]),
    );
    expect(
      refs.some((r) => r.startsWith('tours/bad-steps.json: steps.1.page: "machines" is not a Settings page')),
    ).toBe(true);
    // The tour with bad references is still loaded (the UI can show what is usable).
    expect(content.tours.map((t) => t.id)).toEqual(['bad-steps']);
  });

  it('keeps the first definition of diagram strings defined twice, and rejects a half-translated string', () => {
    expect(content.diagramStrings.d1.k.en).toBe('A');
    expect(find('diagrams/strings-b.json').map((p) => p.message)).toEqual([
      expect.stringMatching(/^d2\.k\.zh-CN: /),
    ]);
  });

  it('assertContentValid throws one error listing every problem', () => {
    expect(() => assertContentValid(content)).toThrow(StudyContentError);
    try {
      assertContentValid(content, ['missing']);
    } catch (err) {
      expect((err as StudyContentError).problems.every((p) => p.kind === 'missing')).toBe(true);
      expect((err as Error).message).toContain(
        'lessons/half-written/zh-CN.md: lesson "half-written" has no zh-CN text',
      );
    }
  });
});

describe('loadStudyContent edge cases', () => {
  it('gives empty content for a folder without study folders, and one problem for an unreadable one', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-study-'));
    tmpDirs.push(dir);
    expect(loadStudyContent(dir)).toMatchObject({ lessons: [], tours: [], diagramIds: [], problems: [] });
    fs.writeFileSync(path.join(dir, 'lessons'), 'not a folder');
    expect(loadStudyContent(dir).problems).toEqual([
      {
        file: 'lessons',
        kind: 'invalid',
        message: expect.stringMatching(/^cannot read the folder: ENOTDIR/),
      },
    ]);
  });

  it('reports a quiz file that is not an array', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-study-'));
    tmpDirs.push(dir);
    fs.mkdirSync(path.join(dir, 'quizzes'));
    fs.writeFileSync(path.join(dir, 'quizzes', 'x.json'), '{"id": "q1"}');
    expect(loadStudyContent(dir).problems).toEqual([
      { file: 'quizzes/x.json', kind: 'invalid', message: 'must be a JSON array of questions' },
    ]);
  });
});

describe('jsonErrorOffset', () => {
  it('is null for valid JSON and points at the first error otherwise', () => {
    expect(jsonErrorOffset('{"a": [1, -2.5e3, true, null, "x\\u00e9"]}')).toBeNull();
    expect(jsonErrorOffset('{"a": 1,}')).toBe(8);
    expect(jsonErrorOffset('[1, 2')).toBe(5);
    expect(jsonErrorOffset('{"a" 1}')).toBe(5);
    expect(jsonErrorOffset('"tab\there"')).toBe(4);
    expect(jsonErrorOffset('[] x')).toBe(3);
  });
});

describe('markdownRefs and slugify', () => {
  it('finds diagram, setting and lesson references with line numbers', () => {
    const refs = markdownRefs(
      '# T\n![[diagram:a-b]]\nSee [x](setting:system.processor.cpus) and [y](lesson:intro#part).',
    );
    expect(refs).toEqual({
      diagrams: [{ id: 'a-b', line: 2 }],
      settings: [{ id: 'system.processor.cpus', line: 3 }],
      lessons: [{ id: 'intro', line: 3 }],
    });
  });

  it('slugifies English and Chinese headings', () => {
    expect(slugify('The overview table')).toBe('the-overview-table');
    expect(slugify('基础内存 (Base memory)')).toBe('基础内存-base-memory');
    expect(slugify('!!!')).toBe('section');
  });
});

describe('schemas', () => {
  it('accept numeric question ids as strings and reject out-of-range answers', () => {
    const q = {
      id: 3,
      question: { en: 'q', 'zh-CN': '问' },
      choices: [
        { en: 'a', 'zh-CN': '甲' },
        { en: 'b', 'zh-CN': '乙' },
      ],
      answer: 1,
      explain: { en: 'e', 'zh-CN': '解' },
    };
    expect(QuizQuestionSchema.parse(q).id).toBe('3');
    expect(QuizQuestionSchema.safeParse({ ...q, answer: 2 }).success).toBe(false);
    expect(LessonMetaSchema.safeParse({ id: 'a b', order: 1 }).success).toBe(false);
    expect(
      TourSchema.safeParse({ id: 't', order: 1, title: q.question, summary: q.question, steps: [] }).success,
    ).toBe(false);
  });
});

describe('the real resources folder', () => {
  const content = loadStudyContent(DEFAULT_RESOURCES_DIR);

  it('is <repo>/resources', () => {
    expect(DEFAULT_RESOURCES_DIR).toBe(path.resolve(import.meta.dirname, '../../resources'));
  });

  // Lessons, quizzes, tours and diagrams are being written: files that exist must be valid and
  // name real catalog ids; a missing translation, quiz or diagram is not (yet) an error here.
  it('has no invalid file', () => {
    expect(content.problems.filter((p) => p.kind === 'invalid')).toEqual([]);
  });

  it('names only catalog ids that exist (lessons, links and tour steps)', () => {
    const bad = content.problems.filter(
      (p) => p.kind === 'reference' && /catalog id|Settings page|is on (page|tab)/.test(p.message),
    );
    expect(bad).toEqual([]);
    for (const l of content.lessons)
      for (const id of l.meta.settings) expect(catalogById.has(id.split('#')[0])).toBe(true);
  });

  it('has at least five questions per quiz that exists', () => {
    for (const l of content.lessons)
      if (l.quiz.length > 0) expect(l.quiz.length, l.meta.id).toBeGreaterThanOrEqual(5);
  });
});

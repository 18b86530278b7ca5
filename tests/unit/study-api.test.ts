import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../app/core/api/dispatch.ts';
import { NotFoundError } from '../../app/core/api/errors.ts';
import { createHandlers, type InventoryProvider } from '../../app/core/api/handlers.ts';
import { createStudyHandlers } from '../../app/core/study/api.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import type { Api, Inventory, VmDetail } from '../../app/shared/contract.ts';
import type {
  ExportFile,
  LessonPayload,
  QuizSchedule,
  SearchResult,
  StudyContentSummary,
  StudyProgress,
  TourProgress,
} from '../../app/shared/study.ts';

const RESOURCES = path.resolve(import.meta.dirname, '../fixtures/study/good');
const config = showVmInfoToConfig(
  fs.readFileSync(
    path.resolve(
      import.meta.dirname,
      '../fixtures/showvminfo/vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt',
    ),
    'utf8',
  ),
  'file',
);
const VM = config.id;
const DETAIL: VmDetail = {
  summary: { ...summaryFromConfig(config), name: 'Forms <dev>' },
  config,
  host: { cores: 4, threads: 8, memoryMB: 16384, os: 'Linux', fromHostInfo: false },
  findings: [],
};
const INVENTORY: Inventory = {
  vbox: { found: true, tried: [] },
  host: DETAIL.host,
  vms: [DETAIL.summary],
  demo: false,
};

let dir: string;
let store: Store;
let handlers: Api;
const inventory = {
  list: vi.fn(async () => INVENTORY),
  get: vi.fn(async (id: string) => {
    if (id !== VM) throw new NotFoundError(`No VM with id ${id}.`);
    return DETAIL;
  }),
  openFile: vi.fn(async () => DETAIL),
  invalidate: vi.fn(),
} satisfies InventoryProvider;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-study-api-'));
  store = openStore(dir);
  handlers = createHandlers({
    store,
    inventory,
    mode: 'browser',
    dataDir: dir,
    systemLocale: 'en-US',
    version: '0.1.0',
    resourcesDir: RESOURCES,
  });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const call = async <T>(channel: string, input: unknown): Promise<T> => {
  const r = await dispatch(handlers, channel, input);
  if (!r.ok) throw new Error(`${r.status} ${r.error.code}: ${r.error.error}`);
  return r.value as T;
};
const fail = async (channel: string, input: unknown) => {
  const r = await dispatch(handlers, channel, input, { onInternalError: () => {} });
  if (r.ok) throw new Error(`${channel} unexpectedly succeeded`);
  return r;
};

describe('study channels', () => {
  it('study:content lists lessons (metadata only), tours and diagrams', async () => {
    const c = await call<StudyContentSummary>('study:content', {});
    expect(c.lessons.map((l) => [l.id, l.questionCount, l.languages])).toEqual([
      ['network-modes', 5, ['en', 'zh-CN']],
      ['memory-basics', 5, ['en', 'zh-CN']],
    ]);
    expect(c.lessons[1]).not.toHaveProperty('markdown');
    expect(c.tours.map((t) => [t.id, t.steps.length])).toEqual([['first-look', 5]]);
    expect(c.diagrams.ids).toEqual(['memory-split']);
    expect(c.diagrams.strings['memory-split'].guest['zh-CN']).toBe('客户机');
  });

  it('study:lesson gives both Markdown texts and the quiz with card ids; unknown ids are 404', async () => {
    const l = await call<LessonPayload>('study:lesson', { id: 'memory-basics' });
    expect(l.meta.title.en).toBe('Memory basics');
    expect(l.markdown['zh-CN']).toMatch(/^# 内存基础/);
    expect(l.quiz.map((q) => q.cardId)).toEqual([1, 2, 3, 4, 5].map((i) => `memory-basics/q${i}`));
    expect((await fail('study:lesson', { id: 'nope' })).status).toBe(404);
    expect((await fail('study:lesson', { id: '../etc' })).status).toBe(400);
  });

  it('quiz:answer stores the next review in the future; study:progress shows it', async () => {
    const before = Date.now();
    const s = await call<QuizSchedule>('quiz:answer', { cardId: 'memory-basics/q2', correct: true });
    expect(Date.parse(s.due)).toBeGreaterThan(before);
    expect(s).toMatchObject({ cardId: 'memory-basics/q2', state: 'learning', reps: 1, lastCorrect: true });
    await call('study:read', { lessonId: 'memory-basics' });
    const p = await call<StudyProgress>('study:progress', {});
    expect(p.cards).toEqual([s]);
    expect(p.lessons[1]).toMatchObject({
      lessonId: 'memory-basics',
      total: 5,
      answered: 1,
      correct: 1,
      due: 0,
    });
    expect(p.lessons[1].readAt).not.toBeNull();
    expect((await fail('quiz:answer', { cardId: 'memory-basics/q99', correct: true })).status).toBe(404);
    expect((await fail('quiz:answer', { cardId: 'no-slash', correct: true })).status).toBe(400);
    expect((await fail('quiz:answer', { cardId: 'memory-basics/q1', correct: 'yes' })).status).toBe(400);
  });

  it('tours:progress saves and study:progress returns it after a restart', async () => {
    const saved = await call<TourProgress>('tours:progress', {
      tourId: 'first-look',
      vmId: VM,
      step: 4,
      completed: true,
    });
    expect(saved).toMatchObject({ tourId: 'first-look', vmId: VM, step: 4 });
    expect(saved.completedAt).not.toBeNull();
    store.close();
    store = openStore(dir);
    handlers = createHandlers({
      store,
      inventory,
      mode: 'browser',
      dataDir: dir,
      systemLocale: 'en-US',
      version: '0.1.0',
      resourcesDir: RESOURCES,
    });
    expect((await call<StudyProgress>('study:progress', {})).tours).toEqual([saved]);
    const past = await fail('tours:progress', { tourId: 'first-look', step: 5 });
    expect(past.status).toBe(400);
    expect(past.error.error).toMatch(/has 5 steps \(0–4\)/);
    expect((await fail('tours:progress', { tourId: 'ghost', step: 0 })).status).toBe(404);
    expect((await fail('tours:progress', { tourId: 'first-look', step: -1 })).status).toBe(400);
  });
});

describe('search channel', () => {
  it('finds Chinese and English terms and names the VM of a note', async () => {
    await handlers['notes:save']({
      vmId: VM,
      settingId: 'system.motherboard.memory',
      body: '这台机器的内存不够',
    });
    const zh = await call<SearchResult[]>('search', { q: '内存', lang: 'zh-CN', limit: 50 });
    expect(zh[0]).toMatchObject({ kind: 'setting', target: { screen: 'mirror' } });
    expect(zh.find((r) => r.kind === 'note')?.title).toBe('Forms <dev> · 内存大小');
    const en = await call<SearchResult[]>('search', { q: 'Bridged networking', lang: 'en' });
    expect(en[0]).toMatchObject({
      kind: 'lesson',
      id: 'network-modes',
      target: { section: 'bridged-networking' },
    });
  });

  it('validates the query size and language', async () => {
    expect((await fail('search', { q: 'x'.repeat(201), lang: 'en' })).status).toBe(400);
    expect((await fail('search', { q: 'x', lang: 'fr' })).status).toBe(400);
    expect(await call('search', { q: 'NEAR("', lang: 'en' })).toEqual(expect.any(Array));
  });
});

describe('export channels', () => {
  it('export:report returns an HTML file for the VM, with its notes', async () => {
    await handlers['notes:save']({ vmId: VM, settingId: '', body: 'VM note <script>x</script>' });
    const f = await call<ExportFile>('export:report', { vmId: VM, format: 'html', lang: 'en' });
    expect(f.filename).toBe('real-time-forms_default_1506940511446_6707-report.html');
    expect(f.mime).toBe('text/html; charset=utf-8');
    expect(f.content).toContain('&#60;script&#62;x&#60;/script&#62;');
    expect(f.content).not.toMatch(/<script/i);
    expect(
      (
        await fail('export:report', {
          vmId: 'aaaaaaaa-0000-4000-8000-000000000009',
          format: 'html',
          lang: 'en',
        })
      ).status,
    ).toBe(404);
    expect((await fail('export:report', { vmId: VM, format: 'pdf', lang: 'en' })).status).toBe(400);
  });

  it('export:notes titles VMs with their inventory names', async () => {
    await handlers['notes:save']({ vmId: VM, settingId: 'system.processor.cpus', body: 'two is enough' });
    const f = await call<ExportFile>('export:notes', { format: 'markdown', lang: 'en' });
    expect(f.filename).toMatch(/^vm-companion-notes-\d{4}-\d{2}-\d{2}\.md$/);
    expect(f.content).toContain('## Forms &lt;dev&gt;');
    expect(f.content).toContain('### System › Processors\n\n');
  });
});

describe('createStudyHandlers', () => {
  it('logs content problems once and still serves the rest', async () => {
    const warn = vi.fn();
    const h = createStudyHandlers({
      store,
      inventory,
      resourcesDir: path.resolve(import.meta.dirname, '../fixtures/study/bad'),
      warn,
    });
    const c = await h['study:content']({});
    await h['study:content']({});
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(/study content: \d+ problem\(s\):\n {2}/);
    expect(c.lessons.map((l) => l.id)).toEqual(['half-written']);
  });

  it('uses the injected clock', async () => {
    const h = createStudyHandlers({
      store,
      inventory,
      resourcesDir: RESOURCES,
      now: () => new Date('2030-01-01T00:00:00Z'),
    });
    const s = await h['quiz:answer']({ cardId: 'network-modes/q1', correct: false });
    expect(s.due).toBe('2030-01-01T00:01:00.000Z');
  });
});

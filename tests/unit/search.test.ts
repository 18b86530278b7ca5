import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildSearchDocs,
  codePointLength,
  ensureSearchIndex,
  ftsQuote,
  likePattern,
  markdownSections,
  queryTerms,
  search,
  snippetOf,
} from '../../app/core/search/index.ts';
import { loadStudyContent } from '../../app/core/study/content.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { CATALOG, catalogById } from '../../app/shared/catalog-data.ts';

const CONTENT = loadStudyContent(path.resolve(import.meta.dirname, '../fixtures/study/good'));
const VM = '3f5c1f0e-6b0a-4c39-9a55-0c3b1b2d4e5f';
const VM2 = 'demo-0a1b2c3d-0000-4000-8000-000000000001';

let dir: string;
let store: Store;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-search-'));
  store = openStore(dir);
  expect(ensureSearchIndex(store, CONTENT)).toBe(true);
  store.saveNote(VM, 'network.adapter.attachedTo#1', '桥接模式下客户机拿到局域网地址 192.168.1.50');
  store.saveNote(VM, '', 'Remember: snapshot before upgrading the kernel');
  store.saveNote(VM2, 'system.motherboard.memory', 'Gave it more memory after the OOM killer fired');
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const memory = catalogById.get('system.motherboard.memory')!;

describe('search: settings', () => {
  it('finds a setting by a 2-character Chinese word through LIKE, titled in the asked language', () => {
    expect(codePointLength('内存')).toBe(2);
    const results = search(store, '内存', { lang: 'zh-CN', limit: 50 });
    const hit = results.find((r) => r.kind === 'setting' && r.id === 'system.motherboard.memory');
    expect(hit).toEqual({
      kind: 'setting',
      id: 'system.motherboard.memory',
      title: memory.label['zh-CN'],
      snippet: expect.stringContaining('内存'),
      target: {
        screen: 'mirror',
        page: 'system',
        tab: 'motherboard',
        settingId: 'system.motherboard.memory',
      },
    });
    // Titles containing the word come first, settings before lessons.
    const firstNonTitle = results.findIndex((r) => !r.title.includes('内存'));
    const titled = results.slice(0, firstNonTitle === -1 ? results.length : firstNonTitle);
    expect(titled.length).toBeGreaterThan(1);
    const kinds = titled.map((r) => r.kind);
    expect(kinds).toEqual(
      [...kinds].sort(
        (a, b) =>
          ['setting', 'lesson', 'tour', 'note'].indexOf(a) - ['setting', 'lesson', 'tour', 'note'].indexOf(b),
      ),
    );
  });

  it('finds a setting by a Chinese word of 3+ characters through FTS', () => {
    const label = memory.label['zh-CN'];
    expect(codePointLength(label)).toBeGreaterThanOrEqual(3);
    const [first] = search(store, label, { lang: 'zh-CN' });
    expect(first).toMatchObject({ kind: 'setting', id: 'system.motherboard.memory', title: label });
  });

  it('puts the setting whose label equals an English query first, and matches any case', () => {
    const [first] = search(store, memory.label.en.toUpperCase(), { lang: 'en' });
    expect(first).toMatchObject({ kind: 'setting', id: 'system.motherboard.memory', title: memory.label.en });
  });

  it('finds a setting by its showvminfo key or modifyvm flag', () => {
    const byKey = search(store, 'nictype', { lang: 'en' });
    expect(byKey.map((r) => r.id)).toContain('network.adapter.adapterType');
    const flag = memory.modifyvm!.flag;
    expect(search(store, flag, { lang: 'en' }).map((r) => r.id)).toContain('system.motherboard.memory');
  });

  it('titles a result in the asked language even when the match is in the other one', () => {
    const hit = search(store, '内存', { lang: 'en', limit: 100 }).find(
      (r) => r.id === 'system.motherboard.memory',
    );
    expect(hit?.title).toBe(memory.label.en);
  });

  it('requires every term (AND), mixing long and short terms', () => {
    const both = search(store, 'memory 内存', { lang: 'en', limit: 100 });
    expect(both.length).toBeGreaterThan(0);
    expect(search(store, 'memory zzqqxx', { lang: 'en' })).toEqual([]);
  });
});

describe('search: lessons, tours and notes', () => {
  it('finds a lesson section and points at its heading slug in the asked language', () => {
    const results = search(store, 'ballooning', { lang: 'en' });
    expect(results[0]).toEqual({
      kind: 'lesson',
      id: 'memory-basics',
      title: 'Memory basics › Video memory',
      snippet: expect.stringContaining('ballooning'),
      target: { screen: 'lesson', lessonId: 'memory-basics', section: 'video-memory' },
    });
    const zh = search(store, '桥接网卡', { lang: 'zh-CN' });
    expect(zh[0]).toMatchObject({
      kind: 'lesson',
      id: 'network-modes',
      title: '网络模式 › 桥接网络',
      target: { screen: 'lesson', lessonId: 'network-modes', section: '桥接网络' },
    });
  });

  it('shows a lesson once when its summary and its untitled intro both match', () => {
    const hits = search(store, 'guest', { lang: 'en', limit: 100 }).filter(
      (r) => r.kind === 'lesson' && r.id === 'memory-basics' && r.target.section === undefined,
    );
    expect(hits).toHaveLength(1);
  });

  it('ranks a section by its own heading, not by its lesson title', () => {
    const results = search(store, 'Memory basics', { lang: 'en', limit: 100 }).filter(
      (r) => r.kind === 'lesson',
    );
    expect(results[0].target).toEqual({ screen: 'lesson', lessonId: 'memory-basics' });
  });

  it('finds a lesson by its title first', () => {
    expect(search(store, 'Network modes', { lang: 'en' })[0]).toMatchObject({
      kind: 'lesson',
      id: 'network-modes',
      title: 'Network modes',
      target: { screen: 'lesson', lessonId: 'network-modes' },
    });
  });

  it('finds a tour by a step text', () => {
    const hit = search(store, 'How much does yours', { lang: 'en' }).find((r) => r.kind === 'tour');
    expect(hit).toEqual({
      kind: 'tour',
      id: 'first-look',
      title: "Your first look at a VM's settings",
      snippet: expect.stringContaining('How much does yours have?'),
      target: { screen: 'tour', tourId: 'first-look', page: 'general' },
    });
  });

  it('finds note text (Chinese 2 characters, English) and opens the VM on the note setting', () => {
    const zh = search(store, '桥接', { lang: 'zh-CN', limit: 100 }).filter((r) => r.kind === 'note');
    expect(zh).toEqual([
      {
        kind: 'note',
        id: `${VM}/network.adapter.attachedTo#1`,
        title: `${VM} · ${catalogById.get('network.adapter.attachedTo')!.label['zh-CN']}`,
        snippet: '桥接模式下客户机拿到局域网地址 192.168.1.50',
        target: {
          screen: 'mirror',
          vmId: VM,
          page: 'network',
          tab: 'adapter',
          settingId: 'network.adapter.attachedTo#1',
        },
      },
    ]);
    const en = search(store, 'OOM killer', {
      lang: 'en',
      vmName: (id) => (id === VM2 ? 'Lab VM' : undefined),
    });
    expect(en.filter((r) => r.kind === 'note')).toEqual([
      expect.objectContaining({
        title: `Lab VM · ${memory.label.en}`,
        target: expect.objectContaining({ vmId: VM2 }),
      }),
    ]);
    const vmWide = search(store, 'kernel', { lang: 'en', limit: 100 }).find((r) => r.kind === 'note');
    expect(vmWide).toMatchObject({
      id: `${VM}/`,
      title: `${VM} · VM note`,
      target: { screen: 'mirror', vmId: VM },
    });
  });

  it('finds a note as soon as it is saved, and forgets it once deleted', () => {
    store.saveNote(VM, 'system.processor.cpus', 'xylophone-marker');
    expect(search(store, 'xylophone', { lang: 'en' }).map((r) => r.id)).toEqual([
      `${VM}/system.processor.cpus`,
    ]);
    store.saveNote(VM, 'system.processor.cpus', '');
    expect(search(store, 'xylophone', { lang: 'en' })).toEqual([]);
  });

  it('lists matching notes most recently saved first', () => {
    store.saveNote(VM, 'system.processor.cpus', 'quokka one');
    store.saveNote(VM2, 'system.processor.cpus', 'quokka two');
    store.saveNote(VM, 'system.processor.cpus', 'quokka one, edited');
    expect(search(store, 'quokka', { lang: 'en' }).map((r) => r.snippet)).toEqual([
      'quokka one, edited',
      'quokka two',
    ]);
    expect(search(store, 'quokka 一', { lang: 'en' })).toEqual([]);
    store.saveNote(VM, 'system.processor.cpus', '');
    store.saveNote(VM2, 'system.processor.cpus', '');
  });

  it('interleaves notes with text matches so both show up', () => {
    const results = search(store, 'memory', { lang: 'en', limit: 30 });
    expect(results.some((r) => r.kind === 'note')).toBe(true);
    expect(results.some((r) => r.kind === 'setting')).toBe(true);
    expect(results.length).toBeLessThanOrEqual(30);
  });
});

describe('search: hostile and odd input', () => {
  const nasty = [
    '"',
    '""',
    '*',
    'mem*',
    'NEAR(',
    'NEAR(memory, 2)',
    'a AND',
    'OR',
    '(',
    ')',
    ':',
    'title:x',
    '-',
    '^',
    '%',
    '_',
    '\\',
    "'",
    '内"存',
    '%内%',
    'AND OR NOT',
    '{title body}: x',
    '\u0000',
    '😀',
    '😀😀',
  ];

  it.each(nasty)('does not throw on %j', (q) => {
    expect(() => search(store, q, { lang: 'en' })).not.toThrow();
  });

  it('treats FTS and LIKE syntax as plain text', () => {
    store.saveNote(VM, 'system.processor.pae', 'weird 100%_done "quoted" NEAR(x) end');
    expect(search(store, '100%_done', { lang: 'en' }).map((r) => r.id)).toEqual([
      `${VM}/system.processor.pae`,
    ]);
    expect(search(store, '"quoted"', { lang: 'en' }).map((r) => r.id)).toEqual([
      `${VM}/system.processor.pae`,
    ]);
    expect(search(store, 'NEAR(x)', { lang: 'en' }).map((r) => r.id)).toEqual([`${VM}/system.processor.pae`]);
    // `%` and `_` alone are not wildcards: only rows that contain them match.
    expect(search(store, '%_', { lang: 'en' }).map((r) => r.id)).toEqual([`${VM}/system.processor.pae`]);
    store.saveNote(VM, 'system.processor.pae', '');
  });

  it('gives nothing for a blank query and caps the limit', () => {
    expect(search(store, '   ', { lang: 'en' })).toEqual([]);
    expect(search(store, 'e', { lang: 'en', limit: 500 }).length).toBe(100);
    expect(search(store, 'e', { lang: 'en', limit: 0 }).length).toBe(1);
  });

  it('counts code points, not UTF-16 units, to choose LIKE or FTS', () => {
    expect('😀😀'.length).toBe(4);
    expect(codePointLength('😀😀')).toBe(2);
    store.saveNote(VM, 'system.processor.cpus', 'party 😀😀 time');
    expect(search(store, '😀😀', { lang: 'en' }).map((r) => r.id)).toEqual([`${VM}/system.processor.cpus`]);
    store.saveNote(VM, 'system.processor.cpus', '');
  });
});

describe('index maintenance', () => {
  it('does not rebuild an unchanged index, and rebuilds when content changes', () => {
    expect(ensureSearchIndex(store, CONTENT)).toBe(false);
    const fewer = { lessons: CONTENT.lessons.slice(0, 1), tours: CONTENT.tours };
    expect(ensureSearchIndex(store, fewer)).toBe(true);
    expect(search(store, 'ballooning', { lang: 'en' })).toEqual([]);
    expect(ensureSearchIndex(store, CONTENT)).toBe(true);
    expect(search(store, 'ballooning', { lang: 'en' })).toHaveLength(1);
  });

  it('keeps the existing index of a database opened read-only', () => {
    const db = new Database(store.file, { readonly: true });
    try {
      const readOnly = { db } as unknown as Store;
      expect(ensureSearchIndex(readOnly, { lessons: [], tours: [] })).toBe(false);
      expect(search(readOnly, 'ballooning', { lang: 'en' })).toHaveLength(1);
    } finally {
      db.close();
    }
  });

  it('indexes every catalog entry in both languages', () => {
    const docs = buildSearchDocs(CONTENT);
    expect(docs.filter((d) => d.kind === 'setting')).toHaveLength(CATALOG.length * 2);
    expect(docs.filter((d) => d.kind === 'tour')).toHaveLength(2);
  });
});

describe('text helpers', () => {
  it('splits Markdown into sections without markup, diagrams or the level-1 title', () => {
    const sections = markdownSections(CONTENT.lessons[1].markdown.en);
    expect(sections.map((s) => [s.heading, s.slug])).toEqual([
      ['', ''],
      ['Base memory', 'base-memory'],
      ['Video memory', 'video-memory'],
    ]);
    expect(sections[0].text).toBe('Intro paragraph about guest memory and the host.');
    expect(sections[1].text).toBe(
      "The Base Memory slider sets the RAM the guest sees. Keep the host's share in mind. Host RAM Guest 8 GB 2 GB",
    );
    expect(sections[2].text).toContain(
      'See networking. first point about ballooning second point about vboxmanage commands',
    );
  });

  it('quotes FTS terms and escapes LIKE patterns', () => {
    expect(ftsQuote('a"b')).toBe('"a""b"');
    expect(likePattern('50%_\\')).toBe('%50\\%\\_\\\\%');
    expect(queryTerms('  Memory  memory 内存 a b c d e f g h i ')).toEqual([
      'Memory',
      '内存',
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
    ]);
  });

  it('cuts snippets around the first match, counting code points', () => {
    const text = `${'前'.repeat(200)}内存${'后'.repeat(200)}`;
    const s = snippetOf(text, ['内存'], 40);
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
    expect(s).toContain('内存');
    expect(codePointLength(s)).toBe(42);
    expect(snippetOf('short text', ['zzz'])).toBe('short text');
  });
});

describe('search over the real resources', () => {
  let realDir: string;
  let real: Store;
  beforeAll(() => {
    realDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-search-real-'));
    real = openStore(realDir);
    ensureSearchIndex(real, loadStudyContent());
  });
  afterAll(() => {
    real.close();
    fs.rmSync(realDir, { recursive: true, force: true });
  });

  it('lands a Chinese and an English term on the port forwarding setting of the mirror', () => {
    const entry = catalogById.get('network.adapter.portForwarding')!;
    const target = { screen: 'mirror', page: 'network', tab: entry.tab, settingId: entry.id };
    expect(search(real, entry.label['zh-CN'], { lang: 'zh-CN' })[0]).toMatchObject({
      kind: 'setting',
      target,
    });
    expect(search(real, entry.label.en, { lang: 'en' })[0]).toMatchObject({ kind: 'setting', target });
  });

  it('finds the 2-character word 内存 in settings and lessons', () => {
    const kinds = new Set(search(real, '内存', { lang: 'zh-CN', limit: 50 }).map((r) => r.kind));
    expect(kinds.has('setting')).toBe(true);
    expect(kinds.has('lesson')).toBe(true);
  });
});

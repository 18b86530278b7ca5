/**
 * One search over settings (the catalog), lessons (section by section), tours and the user's notes,
 * in English and Chinese, on SQLite FTS5 with the trigram tokenizer (migration 0004).
 *
 * How a query runs:
 * - it is split at white space into terms (at most {@link MAX_TERMS}); every term must match
 *   (AND), case-insensitively, as a substring of the title or the text;
 * - terms of 3 or more code points go to FTS5 `MATCH`, each quoted (so `"`, `*`, `NEAR(`, `:`, `-`
 *   are plain text); terms of 1–2 code points (most Chinese words: 内存, 网络, 桥接) cannot be
 *   looked up in a trigram index and are matched with `LIKE '%…%' ESCAPE '\'` (on the rows MATCH
 *   selected, or on every row when the query has no longer term);
 * - ranking: items whose title equals the query come first, then items whose title contains every
 *   term — settings before lessons before tours in both groups — then the remaining items (by
 *   bm25, title weighted 10× the text) interleaved with matching notes (most recently saved first).
 *
 * Settings, lessons and tours are indexed in both languages; a query finds them in either, and the
 * result is titled in the requested language. Notes are indexed by triggers on the `notes` table,
 * so a saved note is searchable at once.
 */

import crypto from 'node:crypto';
import type Database from 'better-sqlite3';
import { CATALOG, getEntry } from '../../shared/catalog-data.ts';
import { LANGUAGES, type Language } from '../../shared/catalog.ts';
import type { SearchKind, SearchResult, SearchTarget } from '../../shared/study.ts';
import type { Store } from '../store/index.ts';
import type { StudyContent } from '../study/content.ts';
import { codePointLength, ftsQuote, likePattern, markdownSections, snippetOf } from './text.ts';

/** Most terms a query may have; further terms are ignored. */
export const MAX_TERMS = 8;
/** Default and largest number of results. */
export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;
/** Bump when the way documents are built changes, to force a rebuild of the index. */
const DOCS_VERSION = 1;

/** One indexed item in one language (a row of `search_docs`). */
export interface SearchDoc {
  kind: Exclude<SearchKind, 'note'>;
  /** Setting id, lesson id, `<lessonId>#<section index>`, or tour id. */
  ref: string;
  lang: Language;
  /** The item's own title in `lang` (setting label, lesson title or section heading, tour title). */
  title: string;
  /** Plain text. */
  body: string;
  /** Display title of the item (or its lesson) in English and Chinese. */
  titleEn: string;
  titleZh: string;
  target: StoredTarget;
}

/** A target as stored: lesson sections keep the slug of the section in each language. */
interface StoredTarget extends SearchTarget {
  sections?: Partial<Record<Language, string>>;
}

/**
 * Builds the documents of the index: every catalog entry (label; what it does, trade-offs, raw keys,
 * modifyvm flag, value labels), every lesson (title + summary, then each section of its Markdown),
 * every tour (title, summary, steps), each in `en` and `zh-CN`.
 */
export function buildSearchDocs(content: Pick<StudyContent, 'lessons' | 'tours'>): SearchDoc[] {
  const docs: SearchDoc[] = [];
  for (const e of CATALOG) {
    const keys = [e.id, ...e.showvminfo, e.modifyvm?.flag ?? ''].filter(Boolean).join(' ');
    for (const lang of LANGUAGES) {
      const values = (e.values ?? []).map((v) => `${v.value} ${v.label[lang]}`).join(' ');
      docs.push({
        kind: 'setting',
        ref: e.id,
        lang,
        title: e.label[lang],
        body: `${e.what[lang]} ${e.tradeoffs[lang]} ${values} ${keys}`.replace(/\s+/g, ' ').trim(),
        titleEn: e.label.en,
        titleZh: e.label['zh-CN'],
        target: { screen: 'mirror', page: e.page, tab: e.tab, settingId: e.id },
      });
    }
  }
  for (const { meta, markdown } of content.lessons) {
    const sections = { en: markdownSections(markdown.en), 'zh-CN': markdownSections(markdown['zh-CN']) };
    for (const lang of LANGUAGES) {
      const common = { kind: 'lesson' as const, lang, titleEn: meta.title.en, titleZh: meta.title['zh-CN'] };
      docs.push({
        ...common,
        ref: meta.id,
        title: meta.title[lang],
        body: meta.summary[lang],
        target: { screen: 'lesson', lessonId: meta.id },
      });
      sections[lang].forEach((s, i) => {
        const slugs: Partial<Record<Language, string>> = {};
        for (const l of LANGUAGES) if (sections[l][i]?.slug) slugs[l] = sections[l][i].slug;
        docs.push({
          ...common,
          ref: `${meta.id}#${i}`,
          title: s.heading,
          body: s.text,
          target: { screen: 'lesson', lessonId: meta.id, sections: slugs },
        });
      });
    }
  }
  for (const tour of content.tours) {
    for (const lang of LANGUAGES) {
      const steps = tour.steps
        .map((s) => `${s.title[lang]} ${s.body[lang]} ${s.ask?.[lang] ?? ''}`)
        .join(' ');
      docs.push({
        kind: 'tour',
        ref: tour.id,
        lang,
        title: tour.title[lang],
        body: `${tour.summary[lang]} ${steps}`.replace(/\s+/g, ' ').trim(),
        titleEn: tour.title.en,
        titleZh: tour.title['zh-CN'],
        target: { screen: 'tour', tourId: tour.id, page: tour.steps[0]?.page },
      });
    }
  }
  return docs;
}

/**
 * Makes the `search_docs` table hold exactly the documents of `content` (see
 * {@link buildSearchDocs}). Skipped when the stored hash of the documents is unchanged, so calling
 * it at every start is cheap. One transaction. On a read-only database the existing index is kept.
 * @returns true when the index was rebuilt.
 */
export function ensureSearchIndex(store: Store, content: Pick<StudyContent, 'lessons' | 'tours'>): boolean {
  const docs = buildSearchDocs(content);
  const hash = crypto
    .createHash('sha256')
    .update(`${DOCS_VERSION}\n${JSON.stringify(docs)}`)
    .digest('hex');
  const db = store.db;
  const stored = db
    .prepare<[], { value: string }>("SELECT value FROM search_meta WHERE key = 'docs_hash'")
    .get();
  if (stored?.value === hash) return false;
  const insert = db.prepare(
    `INSERT INTO search_docs (kind, ref, lang, title, body, title_en, title_zh, target)
     VALUES (@kind, @ref, @lang, @title, @body, @titleEn, @titleZh, @target)`,
  );
  try {
    db.transaction(() => {
      db.exec('DELETE FROM search_docs');
      for (const d of docs) insert.run({ ...d, target: JSON.stringify(d.target) });
      db.prepare(
        "INSERT INTO search_meta (key, value) VALUES ('docs_hash', ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value",
      ).run(hash);
    }).immediate();
  } catch (err) {
    // A database opened read-only (written by a newer VM Companion) keeps the index it has.
    if ((err as { code?: string }).code === 'SQLITE_READONLY') return false;
    throw err;
  }
  return true;
}

/** Options of {@link search}. */
export interface SearchOptions {
  /** Language of titles (default `en`); matching covers both languages. */
  lang?: Language;
  /** Most results (default {@link DEFAULT_LIMIT}, at most {@link MAX_LIMIT}). */
  limit?: number;
  /** VM display names for note titles (e.g. from the inventory); the VM id is shown otherwise. */
  vmName?: (vmId: string) => string | undefined;
}

/** Splits a query into distinct terms at white space (at most {@link MAX_TERMS}). */
export function queryTerms(q: string): string[] {
  const seen = new Set<string>();
  const terms: string[] = [];
  for (const t of q.normalize('NFC').split(/\s+/u)) {
    if (!t || seen.has(t.toLowerCase())) continue;
    seen.add(t.toLowerCase());
    terms.push(t);
    if (terms.length === MAX_TERMS) break;
  }
  return terms;
}

interface DocRow {
  kind: SearchDoc['kind'];
  ref: string;
  lang: Language;
  title: string;
  body: string;
  title_en: string;
  title_zh: string;
  target: string;
  score: number;
}

interface NoteRow {
  vm_id: string;
  setting_id: string;
  body: string;
}

const statementCache = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/** Prepared statement for a query shape (`docs`/`notes`, with or without MATCH, number of LIKE terms). */
function statementFor(
  db: Database.Database,
  table: 'docs' | 'notes',
  match: boolean,
  likes: number,
): Database.Statement {
  let map = statementCache.get(db);
  if (!map) statementCache.set(db, (map = new Map()));
  const key = `${table}:${match}:${likes}`;
  let st = map.get(key);
  if (!st) {
    if (table === 'docs') {
      const conds = [
        ...(match ? ['search_docs MATCH @match'] : []),
        ...Array.from(
          { length: likes },
          (_, i) => `(title LIKE @l${i} ESCAPE '\\' OR body LIKE @l${i} ESCAPE '\\')`,
        ),
      ];
      st = db.prepare(
        `SELECT kind, ref, lang, title, body, title_en, title_zh, target,
           ${match ? 'bm25(search_docs, 0, 0, 0, 10, 1, 0, 0, 0)' : '0'} AS score
         FROM search_docs WHERE ${conds.join(' AND ')} ${match ? 'ORDER BY score' : ''} LIMIT @limit`,
      );
    } else {
      const conds = [
        ...(match ? ['search_notes MATCH @match'] : []),
        ...Array.from({ length: likes }, (_, i) => `body LIKE @l${i} ESCAPE '\\'`),
      ];
      // Newest first: the triggers give a note a new rowid each time it is saved. (Ranking notes
      // by bm25 would score every matching note — thousands for a common word — on each keystroke.)
      st = db.prepare(
        `SELECT i.vm_id, i.setting_id, f.body FROM
           (SELECT rowid AS rid, body FROM search_notes
            WHERE ${conds.join(' AND ')} ORDER BY rowid DESC LIMIT @limit) AS f
         JOIN search_note_ids AS i ON i.id = f.rid ORDER BY f.rid DESC`,
      );
    }
    map.set(key, st);
  }
  return st;
}

const KIND_ORDER: Record<SearchKind, number> = { setting: 0, lesson: 1, tour: 2, note: 3 };

/**
 * Searches settings, lessons, tours and notes for `q` (see the module comment for the rules).
 * Never throws on user input: any text, including FTS5 syntax (`"`, `*`, `NEAR(`, `AND`, `:`), is
 * searched for literally. An empty or blank query gives `[]`. Call {@link ensureSearchIndex} first
 * for settings, lessons and tours to be found (notes always are).
 */
export function search(store: Store, q: string, options: SearchOptions = {}): SearchResult[] {
  const lang = options.lang ?? 'en';
  const limit = Math.min(MAX_LIMIT, Math.max(1, Math.floor(options.limit ?? DEFAULT_LIMIT)));
  const terms = queryTerms(q);
  if (terms.length === 0) return [];
  const long = terms.filter((t) => codePointLength(t) >= 3);
  const short = terms.filter((t) => codePointLength(t) < 3);
  const params: Record<string, string | number> = {};
  if (long.length > 0) params.match = long.map(ftsQuote).join(' AND ');
  short.forEach((t, i) => (params[`l${i}`] = likePattern(t)));

  const db = store.db;
  const docRows = statementFor(db, 'docs', long.length > 0, short.length).all({
    ...params,
    limit: long.length > 0 ? limit * 4 : 2000,
  }) as DocRow[];
  const noteRows = statementFor(db, 'notes', long.length > 0, short.length).all({
    ...params,
    limit,
  }) as NoteRow[];

  // Best row per item (and per lesson section): rows in the requested language win.
  const best = new Map<string, DocRow>();
  for (const row of docRows) {
    const key = `${row.kind}:${row.ref}`;
    const prev = best.get(key);
    if (!prev || (prev.lang !== lang && row.lang === lang)) best.set(key, row);
  }
  const query = terms.join(' ').toLowerCase();
  const lowerTerms = terms.map((t) => t.toLowerCase());
  const isSection = (row: DocRow): boolean => row.kind === 'lesson' && row.ref.includes('#');
  const tierOf = (row: DocRow): number => {
    // A lesson section ranks by its own heading, not by its lesson's title.
    const titles = (isSection(row) ? [row.title] : [row.title, row.title_en, row.title_zh]).map((t) =>
      t.toLowerCase(),
    );
    if (titles.some((t) => t === query)) return 0;
    if (titles.some((t) => lowerTerms.every((term) => t.includes(term)))) return 1;
    return 2;
  };
  const ranked = [...best.values()]
    .map((row, i) => ({ row, tier: tierOf(row), i }))
    .sort(
      (a, b) =>
        a.tier - b.tier ||
        (a.tier < 2 ? KIND_ORDER[a.row.kind] - KIND_ORDER[b.row.kind] : 0) ||
        a.row.score - b.row.score ||
        a.i - b.i,
    );

  const docResult = ({ row }: { row: DocRow }): SearchResult => {
    const stored = JSON.parse(row.target) as StoredTarget;
    const { sections, ...target } = stored;
    const section = sections?.[lang] ?? sections?.[row.lang];
    if (section) target.section = section;
    const parent = lang === 'zh-CN' ? row.title_zh : row.title_en;
    const title = isSection(row) && row.title ? `${parent} › ${row.title}` : parent;
    const text = lowerTerms.some((t) => row.body.toLowerCase().includes(t))
      ? row.body
      : `${row.title} ${row.body}`;
    return {
      kind: row.kind,
      id: row.kind === 'lesson' ? row.ref.split('#')[0] : row.ref,
      title,
      snippet: snippetOf(text, terms),
      target,
    };
  };
  const noteResult = (row: NoteRow): SearchResult => {
    const entry = row.setting_id ? getEntry(row.setting_id) : undefined;
    const vm = options.vmName?.(row.vm_id) ?? row.vm_id;
    const what = row.setting_id
      ? (entry?.label[lang] ?? row.setting_id)
      : lang === 'zh-CN'
        ? '虚拟机笔记'
        : 'VM note';
    const target: SearchTarget = { screen: 'mirror', vmId: row.vm_id };
    if (row.setting_id) {
      target.settingId = row.setting_id;
      if (entry) {
        target.page = entry.page;
        target.tab = entry.tab;
      }
    }
    return {
      kind: 'note',
      id: `${row.vm_id}/${row.setting_id}`,
      title: `${vm} · ${what}`,
      snippet: snippetOf(row.body, terms),
      target,
    };
  };

  // A lesson's summary and its untitled first section lead to the same place: keep the first.
  const results: SearchResult[] = [];
  const seen = new Set<string>();
  const add = (r: SearchResult): void => {
    const key = `${r.kind}|${r.id}|${r.target.section ?? ''}`;
    if (seen.has(key) || results.length >= limit) return;
    seen.add(key);
    results.push(r);
  };
  for (const r of ranked) {
    if (r.tier === 2 || results.length >= limit) break;
    add(docResult(r));
  }
  const rest = ranked.filter((r) => r.tier === 2);
  for (let i = 0; results.length < limit && (i < rest.length || i < noteRows.length); i++) {
    if (i < rest.length) add(docResult(rest[i]));
    if (i < noteRows.length) add(noteResult(noteRows[i]));
  }
  return results;
}

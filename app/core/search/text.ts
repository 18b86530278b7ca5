/**
 * Plain-text helpers for the search index: lesson Markdown split into sections with the markup
 * stripped, query escaping for FTS5 and LIKE, and snippets. Lengths are counted in Unicode code
 * points, never UTF-16 units, so a Chinese character (or an emoji) counts as one.
 */

import { Lexer, type Token, type Tokens } from 'marked';
import { slugify } from '../../shared/study.ts';

/** A lesson section: the text under one heading (level 2 or deeper) up to the next such heading. */
export interface MarkdownSection {
  /** Heading text without markup; `''` for the text before the first heading. */
  heading: string;
  /** {@link slugify} of the heading (`''` for the intro). */
  slug: string;
  /** Plain text of the section (headings, paragraphs, lists, table cells, code), one space between blocks. */
  text: string;
}

/** Number of Unicode code points in `s`. */
export function codePointLength(s: string): number {
  let n = 0;
  for (const _ of s) n++;
  return n;
}

/** Inline token types: no space is added after them. */
const INLINE = new Set(['text', 'escape', 'codespan', 'strong', 'em', 'del', 'link', 'image']);

/** Plain text of Markdown tokens (links → their text, images → alt text, HTML → dropped). */
export function tokensText(tokens: readonly Token[]): string {
  const out: string[] = [];
  const walk = (list: readonly Token[]): void => {
    for (const t of list) {
      switch (t.type) {
        case 'html':
        case 'space':
        case 'hr':
        case 'def':
          break;
        case 'table': {
          const table = t as Tokens.Table;
          for (const cell of [...table.header, ...table.rows.flat()]) {
            walk(cell.tokens);
            out.push(' ');
          }
          break;
        }
        case 'list':
          for (const item of (t as Tokens.List).items) {
            walk(item.tokens);
            out.push(' ');
          }
          break;
        case 'code':
        case 'codespan':
          out.push((t as Tokens.Code | Tokens.Codespan).text);
          break;
        case 'br':
          out.push(' ');
          break;
        default: {
          const withTokens = t as Token & { tokens?: Token[]; text?: string };
          if (withTokens.tokens && withTokens.tokens.length > 0) walk(withTokens.tokens);
          else if (typeof withTokens.text === 'string') out.push(decodeEntities(withTokens.text));
        }
      }
      if (!INLINE.has(t.type)) out.push(' ');
    }
  };
  walk(tokens);
  return out.join('').replace(/\s+/g, ' ').trim();
}

/** Decodes the few entities marked leaves in text tokens (`&amp;`, `&lt;`, `&gt;`, `&quot;`, `&#39;`). */
function decodeEntities(s: string): string {
  return s
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

/**
 * Splits lesson Markdown into sections at headings of level 2 and deeper (the level-1 heading is
 * the lesson title and is dropped). `![[diagram:…]]` lines are removed first. Sections without text
 * and without heading are dropped.
 */
export function markdownSections(markdown: string): MarkdownSection[] {
  const source = markdown.replace(/^[ \t]*!\[\[diagram:[^\]]*\]\][ \t]*$/gm, '');
  const tokens = Lexer.lex(source, { gfm: true });
  const sections: MarkdownSection[] = [];
  let current: { heading: string; tokens: Token[] } = { heading: '', tokens: [] };
  const flush = (): void => {
    const text = tokensText(current.tokens);
    if (text || current.heading) {
      sections.push({
        heading: current.heading,
        slug: current.heading ? slugify(current.heading) : '',
        text,
      });
    }
  };
  for (const t of tokens) {
    if (t.type === 'heading') {
      const h = t as Tokens.Heading;
      if (h.depth === 1) continue;
      flush();
      current = { heading: tokensText(h.tokens), tokens: [] };
    } else {
      current.tokens.push(t);
    }
  }
  flush();
  return sections;
}

/** Quotes one term for an FTS5 MATCH expression (`"` doubled), so `*`, `NEAR(`, `:`… are plain text. */
export function ftsQuote(term: string): string {
  return `"${term.replace(/"/g, '""')}"`;
}

/** A LIKE pattern `%term%` with `\`, `%` and `_` escaped (use with `ESCAPE '\'`). */
export function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/**
 * Plain-text snippet of `text` around the first occurrence of any of `terms` (case-insensitive):
 * up to `width` code points (default 140), with `…` at the cut ends. Without a match, the start of
 * the text.
 */
export function snippetOf(text: string, terms: readonly string[], width = 140): string {
  const chars = Array.from(text.replace(/\s+/g, ' ').trim());
  if (chars.length <= width) return chars.join('');
  const lower = chars.map((c) => c.toLowerCase());
  let at = -1;
  for (const term of terms) {
    const t = Array.from(term.toLowerCase());
    if (t.length === 0) continue;
    outer: for (let i = 0; i + t.length <= lower.length; i++) {
      for (let j = 0; j < t.length; j++) if (lower[i + j] !== t[j]) continue outer;
      if (at === -1 || i < at) at = i;
      break;
    }
  }
  let start = at <= 0 ? 0 : Math.max(0, at - Math.floor(width / 3));
  if (start + width > chars.length) start = Math.max(0, chars.length - width);
  const end = Math.min(chars.length, start + width);
  return `${start > 0 ? '…' : ''}${chars.slice(start, end).join('').trim()}${end < chars.length ? '…' : ''}`;
}

/**
 * Escaping and safe Markdown rendering for exported files.
 *
 * HTML exports are self-contained (inline CSS, no scripts, no external resources) and carry a
 * Content-Security-Policy that forbids scripts and remote loads, as a second line of defence.
 * Every user-controlled text (notes, VM names, paths, values) goes through {@link escapeHtml}, or,
 * for note bodies, through {@link renderNoteMarkdown}, which renders Markdown with `marked` while
 * escaping any raw HTML, dropping links that are not http(s)/mailto and showing images as text.
 */

import { Marked, type Tokens } from 'marked';
import type { Language } from '../../shared/catalog.ts';

/** Escapes `& < > " '` for HTML text and double- or single-quoted attributes. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** True for link targets an exported file may keep: `http:`, `https:`, `mailto:` and in-page `#…`. */
export function isSafeHref(href: string): boolean {
  // eslint-disable-next-line no-control-regex
  const h = href.trim().replace(/[\u0000-\u0020]/g, '');
  if (h.startsWith('#')) return true;
  return /^(https?:|mailto:)/i.test(h);
}

const safeMarked = new Marked({
  gfm: true,
  async: false,
  renderer: {
    html({ text }: Tokens.HTML | Tokens.Tag): string {
      return escapeHtml(text);
    },
    link({ href, title, tokens }: Tokens.Link): string {
      const inner = this.parser.parseInline(tokens);
      if (!isSafeHref(href)) return inner;
      const t = title ? ` title="${escapeHtml(title)}"` : '';
      return `<a href="${escapeHtml(href)}"${t} rel="noopener noreferrer">${inner}</a>`;
    },
    image({ text, href }: Tokens.Image): string {
      const label = `[${text || 'image'}]`;
      return isSafeHref(href) && !href.startsWith('#')
        ? `<a href="${escapeHtml(href)}" rel="noopener noreferrer">${escapeHtml(label)}</a>`
        : escapeHtml(label);
    },
  },
});

/**
 * Renders a note's Markdown (GFM) to HTML that is safe to embed: raw HTML in the note is shown as
 * text, `javascript:` and other non-web links lose their link, images become bracketed text links
 * (nothing is loaded). Text is escaped by marked itself.
 */
export function renderNoteMarkdown(markdown: string): string {
  return safeMarked.parse(markdown, { async: false });
}

const CSS = `
  :root { color-scheme: light dark; --fg: #1d1f23; --bg: #ffffff; --muted: #5b6270; --line: #d6d9de; --accent: #2456a6;
    --err: #b3261e; --warn: #8a5a00; --info: #2456a6; --code: #f3f4f6; }
  @media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --bg: #16181c; --muted: #a0a7b4; --line: #3a3f47;
    --accent: #8ab4f8; --err: #f2b8b5; --warn: #f6c56b; --info: #8ab4f8; --code: #23262c; } }
  body { font: 15px/1.5 system-ui, -apple-system, "Segoe UI", "Noto Sans", "PingFang SC", "Microsoft YaHei", sans-serif;
    color: var(--fg); background: var(--bg); max-width: 60rem; margin: 2rem auto; padding: 0 1rem; }
  h1 { font-size: 1.6rem; margin-bottom: .2rem; } h2 { font-size: 1.25rem; margin-top: 2rem; border-bottom: 1px solid var(--line); }
  h3 { font-size: 1.05rem; margin-top: 1.4rem; }
  .meta, .explain, .muted { color: var(--muted); } .meta { margin-top: 0; }
  table { border-collapse: collapse; width: 100%; margin: .5rem 0 1rem; }
  th, td { text-align: left; vertical-align: top; padding: .3rem .5rem; border-bottom: 1px solid var(--line); }
  th { font-weight: 600; } td.explain { font-size: .9em; }
  code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, Consolas, monospace; font-size: .9em; background: var(--code); border-radius: 3px; }
  code { padding: 0 .2em; overflow-wrap: anywhere; } pre { padding: .5rem; overflow-x: auto; }
  .sev-error { color: var(--err); font-weight: 600; } .sev-warning { color: var(--warn); font-weight: 600; } .sev-info { color: var(--info); font-weight: 600; }
  .note { border-left: 3px solid var(--accent); padding: .1rem .8rem; margin: .5rem 0 1rem; }
  a { color: var(--accent); }
  @media print { body { margin: 0; max-width: none; } }
`;

/**
 * A complete HTML document: `<!doctype html>`, `lang`, UTF-8, a CSP allowing only inline styles,
 * the inline stylesheet, the escaped `title`, and `bodyHtml` (already safe HTML) inside `<body>`.
 */
export function htmlDocument(title: string, lang: Language, bodyHtml: string): string {
  return `<!doctype html>
<html lang="${lang}">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${CSS}</style>
</head>
<body>
${bodyHtml}
</body>
</html>
`;
}

/**
 * Escapes text for inline Markdown (headings, list items, table cells): backslash-escapes Markdown
 * emphasis, code, link and table punctuation (`\\ \` * _ [ ] | ~`), turns `<`/`>` into entities (no raw HTML), `|` is escaped for tables and line breaks
 * become spaces.
 */
export function escapeMarkdownInline(s: string): string {
  return s
    .replace(/\r?\n|\r/g, ' ')
    .replace(/[\\`*_[\]|~]/g, (c) => `\\${c}`)
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;');
}

/** File-name-safe version of `name`: letters (any script), digits, `.`, `-`, `_`; others → `_`; at most 60 code points; `vm` when empty. */
export function safeFileName(name: string): string {
  const cleaned = Array.from(name.replace(/[^\p{L}\p{N}._-]+/gu, '_').replace(/^[._]+|_+$/g, ''))
    .slice(0, 60)
    .join('');
  return cleaned || 'vm';
}

/** `YYYY-MM-DD` of a date, in UTC. */
export function isoDate(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** MIME types of the export formats. */
export const EXPORT_MIME = {
  markdown: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
} as const;
/** File extensions of the export formats. */
export const EXPORT_EXT = { markdown: 'md', html: 'html' } as const;
/** Export formats. */
export type ExportFormat = keyof typeof EXPORT_MIME;

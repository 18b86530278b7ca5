/**
 * Lesson Markdown → sanitized HTML (marked 18 with GFM tables, DOMPurify 3).
 *
 * What the lesson format adds to Markdown (see app/shared/study.ts):
 * - a line `![[diagram:<id>]]` becomes `<figure class="diagram" data-diagram="<id>">`, filled with the
 *   inline SVG afterwards (see {@link fillDiagrams} and `lib/diagram.ts`);
 * - `[text](setting:<catalog id>)` becomes `<a href="#" class="setting-link" data-setting="<id>">`;
 * - `[text](lesson:<id>)` becomes `<a href="#/study/lesson/<id>" class="lesson-link" data-lesson="<id>">`.
 *   These are rewritten while rendering, before sanitizing: DOMPurify would drop the unknown
 *   `setting:` / `lesson:` schemes;
 * - headings of level 2 and deeper get `id="sec-<slug>"`, `slug` being the same `slugify` of the
 *   heading's plain text that the search index uses for result targets (`target.section`).
 *
 * Other links keep `http(s):` / `mailto:` targets and open outside the app (`target="_blank"`,
 * `rel="noopener noreferrer"`); anything else is dropped by the sanitizer. Raw HTML in the Markdown
 * is sanitized like the rest.
 */
import DOMPurify from 'dompurify';
import { Marked, type Tokens } from 'marked';
import { slugify } from '../../../app/shared/study.ts';
import { escapeHtml } from './study.ts';

/** The id attribute of a lesson section's heading (`sec-` keeps it clear of DOM property names). */
export function sectionElementId(slug: string): string {
  return `sec-${slug}`;
}

/** Plain text of inline HTML (tags dropped, the entities marked produces decoded). */
function plainText(html: string): string {
  return html
    .replace(/<[^>]*>/g, '')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&');
}

const DIAGRAM_LINE = /^[ \t]*!\[\[diagram:([A-Za-z0-9][A-Za-z0-9._-]{0,79})\]\][ \t]*$/gm;

const marked = new Marked({
  gfm: true,
  renderer: {
    heading(
      this: { parser: { parseInline(tokens: Tokens.Heading['tokens']): string } },
      token: Tokens.Heading,
    ) {
      const inner = this.parser.parseInline(token.tokens);
      if (token.depth === 1) return `<h1>${inner}</h1>\n`;
      const id = sectionElementId(slugify(plainText(inner)));
      return `<h${token.depth} id="${escapeHtml(id)}">${inner}</h${token.depth}>\n`;
    },
    link(this: { parser: { parseInline(tokens: Tokens.Link['tokens']): string } }, token: Tokens.Link) {
      const inner = this.parser.parseInline(token.tokens);
      const href = token.href.trim();
      const title = token.title ? ` title="${escapeHtml(token.title)}"` : '';
      const setting = /^setting:(.+)$/.exec(href);
      if (setting) {
        const id = escapeHtml(setting[1]);
        return `<a href="#" class="setting-link" data-setting="${id}"${title}>${inner}</a>`;
      }
      const lesson = /^lesson:(.+)$/.exec(href);
      if (lesson) {
        const id = escapeHtml(lesson[1]);
        return `<a href="#/study/lesson/${encodeURIComponent(lesson[1])}" class="lesson-link" data-lesson="${id}"${title}>${inner}</a>`;
      }
      if (/^(https?:|mailto:)/i.test(href)) {
        return `<a href="${escapeHtml(href)}" target="_blank" rel="noopener noreferrer"${title}>${inner}</a>`;
      }
      return `<span class="dead-link">${inner}</span>`;
    },
  },
});

/**
 * Renders lesson Markdown to sanitized HTML. Diagram lines become empty
 * `<figure class="diagram" data-diagram="<id>">` placeholders.
 */
export function renderLessonMarkdown(markdown: string): string {
  const source = markdown.replace(
    DIAGRAM_LINE,
    (_m, id: string) => `\n<figure class="diagram" data-diagram="${id}"></figure>\n`,
  );
  const html = marked.parse(source, { async: false });
  return DOMPurify.sanitize(html, {
    ADD_ATTR: ['target'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|#)/i,
  });
}

/**
 * Fills the diagram placeholders of rendered lesson HTML with sanitized inline SVG markup
 * (`svgById[id]`, see `renderDiagram`): `undefined` = still loading (the figure stays empty),
 * `null` or `''` = not available (the figure says `missing`).
 */
export function fillDiagrams(
  html: string,
  svgById: Record<string, string | null | undefined>,
  missing: string,
): string {
  return html.replace(/<figure class="diagram" data-diagram="([^"]+)"><\/figure>/g, (_m, id: string) => {
    const svg = svgById[id];
    const inner =
      svg === undefined
        ? ''
        : svg
          ? svg
          : `<figcaption class="diagram-missing">${escapeHtml(missing)}</figcaption>`;
    return `<figure class="diagram" data-diagram="${id}" data-testid="diagram" data-loaded="${svg ? 'true' : 'false'}">${inner}</figure>`;
  });
}

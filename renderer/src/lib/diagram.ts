/**
 * Lesson diagrams (`resources/diagrams/<id>.svg`), drawn inline so that the page's CSS colours them
 * (`dg-*` classes, see `components/study/lesson.css`) and their texts follow the UI language.
 *
 * Each SVG is bundled as its own lazily loaded chunk (Vite `?raw`), sanitized with DOMPurify's SVG
 * profile (no scripts, no event handlers, no foreign objects), and every element carrying
 * `data-i18n="<key>"` (`<text>`, `<title>`) gets `strings[<diagram id>][<key>][lang]` (from
 * `study:content`) as its text; keys without a string keep the SVG's own (English) text.
 */
import DOMPurify from 'dompurify';
import type { Language } from '../../../app/shared/catalog.ts';
import type { DiagramStrings } from '../../../app/shared/study.ts';

const files = import.meta.glob<string>('../../../resources/diagrams/*.svg', {
  query: '?raw',
  import: 'default',
});

/** Diagram ids the bundle holds (file names without `.svg`), sorted. */
export const DIAGRAM_IDS: readonly string[] = Object.keys(files)
  .map((p) => p.replace(/^.*\/([^/]+)\.svg$/, '$1'))
  .sort();

const cache = new Map<string, Promise<string>>();

/**
 * The raw SVG text of a diagram (loaded once).
 * @throws Error `No diagram "<id>".` when the bundle has no such file.
 */
export function loadDiagram(id: string): Promise<string> {
  const loader = files[`../../../resources/diagrams/${id}.svg`];
  if (!loader) return Promise.reject(new Error(`No diagram "${id}".`));
  let p = cache.get(id);
  if (!p) {
    p = loader();
    cache.set(id, p);
  }
  return p;
}

/**
 * Sanitizes one diagram's SVG and puts its texts into `lang`. Returns the SVG markup (a single
 * `<svg>` element, `class="diagram-svg"`, with `data-diagram="<id>"`), or `''` when nothing safe is
 * left. Element ids get a `<id>--` prefix (`aria-labelledby`, `url(#…)` and `href="#…"` follow) so
 * two diagrams on one page never share an id.
 */
export function renderDiagram(svgText: string, id: string, strings: DiagramStrings, lang: Language): string {
  const fragment = DOMPurify.sanitize(svgText, {
    USE_PROFILES: { svg: true, svgFilters: true },
    ADD_ATTR: ['data-i18n', 'role', 'aria-labelledby', 'aria-label'],
    RETURN_DOM_FRAGMENT: true,
  });
  const svg = fragment.querySelector('svg');
  if (!svg) return '';
  const texts = strings[id] ?? {};
  for (const el of svg.querySelectorAll('[data-i18n]')) {
    const key = el.getAttribute('data-i18n') ?? '';
    const t = texts[key];
    if (t) el.textContent = t[lang] || t.en;
  }
  const all = [svg, ...svg.querySelectorAll('*')];
  for (const el of all) {
    const own = el.getAttribute('id');
    if (own) el.setAttribute('id', `${id}--${own}`);
    for (const attr of [...el.attributes]) {
      if (attr.value.includes('url(#'))
        el.setAttribute(attr.name, attr.value.replace(/url\(#/g, `url(#${id}--`));
      else if (/(^|:)href$/.test(attr.name) && attr.value.startsWith('#'))
        el.setAttribute(attr.name, `#${id}--${attr.value.slice(1)}`);
    }
    const refs = el.getAttribute('aria-labelledby');
    if (refs) {
      const prefixed = refs.split(/\s+/).filter(Boolean);
      el.setAttribute('aria-labelledby', prefixed.map((r) => `${id}--${r}`).join(' '));
    }
  }
  svg.setAttribute('class', 'diagram-svg');
  svg.setAttribute('data-diagram', id);
  if (!svg.hasAttribute('role')) svg.setAttribute('role', 'img');
  svg.removeAttribute('width');
  svg.removeAttribute('height');
  return svg.outerHTML;
}

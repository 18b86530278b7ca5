/**
 * Content-Security-Policy checks shared by the unit tests (tests/unit/csp.test.ts), the Chromium
 * e2e test (tests/e2e/csp.spec.ts) and the Electron e2e test (tests/e2e-electron/security.spec.ts).
 *
 * The floor is checklist item 7 of the Electron security baseline (electron-and-toolchain.md §2.1):
 * `default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'`. A policy passes when
 * it is at least that strict: each of those directives is present with no source beyond the
 * checklist's, no directive allows `'unsafe-eval'`, script directives never allow inline code, and
 * no directive names a host or a network scheme (checklist item 1: no http(s) resources).
 * Pure TypeScript: no DOM, no `electron`.
 */

/** A parsed policy: directive name (lower case) → its source expressions, in order. */
export type ParsedCsp = Map<string, string[]>;

/** The checklist's minimum policy (item 7), directive → the only sources it may list. */
export const CHECKLIST_CSP: Readonly<Record<string, readonly string[]>> = Object.freeze({
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
});

/** Directives that decide whether script runs; none of them may allow inline code, eval or hosts. */
const SCRIPT_DIRECTIVES = ['script-src', 'script-src-elem', 'script-src-attr', 'worker-src'];

/**
 * Keyword sources that are always acceptable. `'unsafe-inline'` is accepted only in `style-src`
 * (Svelte sets `style` attributes; Electronegativity rates it LOW), `data:` only in `img-src`
 * (inline SVG icons).
 */
const EXTRA_SOURCES: Readonly<Record<string, readonly string[]>> = {
  'style-src': ["'self'", "'unsafe-inline'", "'none'"],
  'style-src-elem': ["'self'", "'unsafe-inline'", "'none'"],
  'style-src-attr': ["'unsafe-inline'", "'none'"],
  'img-src': ["'self'", 'data:', "'none'"],
};

/**
 * Parses a serialized policy (`directive src src; directive …`). Directive names are lower-cased;
 * a repeated directive keeps its first occurrence, as browsers do. Empty parts are ignored.
 */
export function parseCsp(policy: string): ParsedCsp {
  const out: ParsedCsp = new Map();
  for (const part of policy.split(';')) {
    const tokens = part.trim().split(/\s+/).filter(Boolean);
    if (tokens.length === 0) continue;
    const name = tokens[0].toLowerCase();
    if (!out.has(name)) out.set(name, tokens.slice(1));
  }
  return out;
}

/**
 * What is weaker in `policy` than the checklist floor, one English sentence per problem; `[]`
 * when the policy is at least as strict.
 */
export function cspProblems(policy: string): string[] {
  const csp = parseCsp(policy);
  const problems: string[] = [];
  for (const [name, allowed] of Object.entries(CHECKLIST_CSP)) {
    const sources = csp.get(name);
    if (!sources) {
      problems.push(`${name} is missing (the checklist requires "${name} ${allowed.join(' ')}").`);
      continue;
    }
    const extra = sources.filter((s) => !allowed.includes(s) && s !== "'none'");
    if (extra.length > 0) problems.push(`${name} allows ${extra.join(' ')} beyond ${allowed.join(' ')}.`);
    if (sources.length === 0) problems.push(`${name} lists no source (write 'none').`);
  }
  for (const [name, sources] of csp) {
    if (sources.some((s) => s.toLowerCase() === "'unsafe-eval'"))
      problems.push(`${name} allows 'unsafe-eval'.`);
    if (SCRIPT_DIRECTIVES.includes(name)) {
      const loose = sources.filter((s) => s !== "'self'" && s !== "'none'");
      if (loose.length > 0) problems.push(`${name} allows ${loose.join(' ')} (only 'self' may run script).`);
      continue;
    }
    if (name in CHECKLIST_CSP) continue;
    const ok = EXTRA_SOURCES[name] ?? ["'self'", "'none'"];
    const foreign = sources.filter((s) => !ok.includes(s));
    if (foreign.length > 0) problems.push(`${name} allows ${foreign.join(' ')}.`);
  }
  return problems;
}

/**
 * The `content` of every `<meta http-equiv="Content-Security-Policy">` in an HTML document, in
 * document order (attributes in any order, quoted with `"` or `'`, spread over lines). Whitespace
 * runs inside the content are collapsed to one space.
 */
export function metaCspPolicies(html: string): string[] {
  const out: string[] = [];
  for (const m of html.matchAll(/<meta\b([^>]*)>/gi)) {
    const attrs = new Map<string, string>();
    for (const a of m[1].matchAll(/([\w-]+)\s*=\s*("([^"]*)"|'([^']*)')/g))
      attrs.set(a[1].toLowerCase(), a[3] ?? a[4] ?? '');
    if ((attrs.get('http-equiv') ?? '').toLowerCase() === 'content-security-policy')
      out.push((attrs.get('content') ?? '').replace(/\s+/g, ' ').trim());
  }
  return out;
}

/**
 * The policy a `<meta>` tag should carry when the server sends `headerPolicy`: the same directives
 * minus those browsers ignore in `<meta>` (`frame-ancestors`, `report-uri`, `sandbox`), normalised
 * to `name src src; …`.
 */
export function metaEquivalent(headerPolicy: string): string {
  const ignoredInMeta = new Set(['frame-ancestors', 'report-uri', 'sandbox']);
  return normaliseCsp(
    [...parseCsp(headerPolicy)]
      .filter(([name]) => !ignoredInMeta.has(name))
      .map(([name, src]) => [name, ...src].join(' '))
      .join('; '),
  );
}

/** A policy re-serialised as `name src src; …` in its own order, for comparisons. */
export function normaliseCsp(policy: string): string {
  return [...parseCsp(policy)].map(([name, src]) => [name, ...src].join(' ')).join('; ');
}

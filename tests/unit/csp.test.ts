import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CSP as BROWSER_MODE_CSP } from '../../app/core/server.ts';
import { CONTENT_SECURITY_POLICY as ELECTRON_CSP } from '../../app/main/security.ts';
import {
  cspProblems,
  metaCspPolicies,
  metaEquivalent,
  normaliseCsp,
  parseCsp,
} from '../e2e-electron/csp-policy.ts';

/**
 * Checklist item 7 (CSP) and item 1 (only bundled content), statically: the policies the code
 * declares (browser-mode header, Electron `app://` header, the renderer's `<meta>`) are at least
 * as strict as the checklist's, and the renderer's HTML loads nothing from outside the bundle.
 * The same policies are exercised in Chromium by tests/e2e/csp.spec.ts.
 */

const root = path.resolve(import.meta.dirname, '../..');
const sourceHtml = fs.readFileSync(path.join(root, 'renderer/index.html'), 'utf8');
const builtHtml = ['out/renderer/index.html', 'out/web/index.html'].filter((f) =>
  fs.existsSync(path.join(root, f)),
);

describe('the checker (cspProblems)', () => {
  const floor = "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'none'";

  it("accepts the checklist's own policy and stricter ones", () => {
    expect(cspProblems(floor)).toEqual([]);
    expect(cspProblems("default-src 'none'; script-src 'self'; object-src 'none'; base-uri 'none'")).toEqual(
      [],
    );
    expect(cspProblems(`${floor}; style-src 'self' 'unsafe-inline'; img-src 'self' data:`)).toEqual([]);
  });

  const weaker: [string, RegExp][] = [
    [
      "default-src 'self'; script-src 'self' 'unsafe-eval'; object-src 'none'; base-uri 'none'",
      /unsafe-eval/,
    ],
    [
      "default-src 'self'; script-src 'self' 'unsafe-inline'; object-src 'none'; base-uri 'none'",
      /unsafe-inline/,
    ],
    [`${floor}; script-src-attr 'unsafe-inline'`, /script-src-attr allows 'unsafe-inline'/],
    [`${floor}; script-src-elem 'self' https://cdn.example`, /script-src-elem allows https:\/\/cdn\.example/],
    [
      "default-src 'self'; script-src 'self' https:; object-src 'none'; base-uri 'none'",
      /script-src allows https:/,
    ],
    ["default-src *; script-src 'self'; object-src 'none'; base-uri 'none'", /default-src allows \*/],
    ["default-src 'self'; object-src 'none'; base-uri 'none'", /script-src is missing/],
    ["default-src 'self'; script-src 'self'; base-uri 'none'", /object-src is missing/],
    ["default-src 'self'; script-src 'self'; object-src 'none'", /base-uri is missing/],
    ["default-src 'self'; script-src 'self'; object-src 'self'; base-uri 'none'", /object-src allows 'self'/],
    [`${floor}; style-src 'self' https://fonts.example`, /style-src allows https:\/\/fonts\.example/],
    [`${floor}; connect-src 'self' http://127.0.0.1:9000`, /connect-src allows http:\/\/127\.0\.0\.1:9000/],
    [`${floor}; img-src 'self' 'unsafe-eval'`, /img-src allows 'unsafe-eval'/],
  ];
  it.each(weaker)('refuses %s', (policy, problem) => {
    expect(cspProblems(policy).join(' ')).toMatch(problem);
  });

  it('parses directives case-insensitively and keeps the first of a repeated one', () => {
    const p = parseCsp("Script-Src 'self';  script-src 'unsafe-eval' ; ; object-src 'none'");
    expect([...p]).toEqual([
      ['script-src', ["'self'"]],
      ['object-src', ["'none'"]],
    ]);
  });

  it('finds <meta http-equiv> policies in any attribute order, quoting and line layout', () => {
    const html = `<head><meta content="default-src 'self';\n   script-src 'self'" http-equiv="content-security-policy">
      <meta http-equiv='Content-Security-Policy' content='object-src &apos;none&apos;'><meta name="x" content="y"></head>`;
    expect(metaCspPolicies(html)).toEqual([
      "default-src 'self'; script-src 'self'",
      'object-src &apos;none&apos;',
    ]);
  });
});

describe('declared policies (checklist item 7)', () => {
  it('browser mode and Electron send one and the same header policy, at least the checklist', () => {
    expect(ELECTRON_CSP).toBe(BROWSER_MODE_CSP);
    expect(cspProblems(BROWSER_MODE_CSP)).toEqual([]);
    expect(parseCsp(BROWSER_MODE_CSP).get('script-src')).toEqual(["'self'"]);
    expect(parseCsp(BROWSER_MODE_CSP).get('frame-ancestors')).toEqual(["'none'"]);
  });

  it("renderer/index.html carries one CSP meta, script-src 'self' only (no 'unsafe-eval', no 'unsafe-inline')", () => {
    const metas = metaCspPolicies(sourceHtml);
    expect(metas).toHaveLength(1);
    expect(cspProblems(metas[0])).toEqual([]);
    const csp = parseCsp(metas[0]);
    expect(csp.get('script-src')).toEqual(["'self'"]);
    expect(metas[0]).not.toMatch(/unsafe-eval/);
    // The meta is the header policy minus what browsers ignore in <meta> (frame-ancestors).
    expect(normaliseCsp(metas[0])).toBe(metaEquivalent(BROWSER_MODE_CSP));
  });

  it.skipIf(builtHtml.length === 0)(
    `the built index.html files keep the same meta (${builtHtml.join(', ') || 'not built'})`,
    () => {
      for (const file of builtHtml) {
        const metas = metaCspPolicies(fs.readFileSync(path.join(root, file), 'utf8'));
        expect(metas, file).toEqual(metaCspPolicies(sourceHtml));
      }
    },
  );
});

/** Every `src`/`href` attribute value of an HTML document. */
function resourceUrls(html: string): string[] {
  return [...html.matchAll(/\s(?:src|href)\s*=\s*(?:"([^"]*)"|'([^']*)')/gi)].map((m) => m[1] ?? m[2]);
}

describe('only bundled content (checklist item 1)', () => {
  it('renderer/index.html loads its script from the bundle and nothing from a network URL', () => {
    const urls = resourceUrls(sourceHtml);
    expect(urls).toContain('./src/main.ts');
    for (const u of urls) expect(u, u).toMatch(/^(\.\/|data:image\/svg\+xml,)/);
  });

  it.skipIf(builtHtml.length === 0)(
    `the built index.html files reference only ./assets/ files and data: icons (${builtHtml.join(', ') || 'not built'})`,
    () => {
      for (const file of builtHtml) {
        const html = fs.readFileSync(path.join(root, file), 'utf8');
        const urls = resourceUrls(html);
        expect(urls.filter((u) => u.startsWith('./assets/')).length, file).toBeGreaterThanOrEqual(2);
        for (const u of urls) {
          expect(u, `${file}: ${u}`).toMatch(/^(\.\/assets\/[\w.-]+|data:image\/svg\+xml,)/);
          if (u.startsWith('./')) expect(fs.existsSync(path.join(root, path.dirname(file), u)), u).toBe(true);
        }
        expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/i); // no inline script at all
      }
    },
  );
});

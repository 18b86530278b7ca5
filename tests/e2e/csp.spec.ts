import { expect, test, type BrowserContext, type Page, type Response } from '@playwright/test';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import config from '../../playwright.config.ts';
import { CSP as BROWSER_MODE_CSP } from '../../app/core/server.ts';
import { CONTENT_SECURITY_POLICY as ELECTRON_CSP } from '../../app/main/security.ts';
import {
  cspProblems,
  metaCspPolicies,
  metaEquivalent,
  normaliseCsp,
  parseCsp,
} from '../e2e-electron/csp-policy.ts';
import {
  probeEval,
  probeForeignFetch,
  probeForeignScript,
  probeInlineHandler,
  probeInlineScript,
} from '../e2e-electron/csp-probes.ts';

/**
 * Checklist item 7 (Content-Security-Policy) in Debian's Chromium, against the real browser-mode
 * host (tests/e2e/global-setup.ts): the app page is opened as a user opens it, then code the policy
 * must stop is tried inside it (tests/e2e-electron/csp-probes.ts).
 *
 * Negative control: every probe is also run on the very same app page, same origin, served with
 * its CSP header and `<meta>` removed (a Playwright route rewrites the document response), and
 * `eval` on a fresh `about:blank`. There the probes report the code as having run, so each test
 * here fails if the policy stops working, and shows that it is the CSP (not the probe or
 * Playwright) that blocks the code.
 */

// Chromium's Local Network Access checks would refuse the control page's request to the other
// loopback port (a response fulfilled by Playwright has no address space, so it counts as public).
// Turned off here so that only the CSP decides; the CSP assertions do not depend on it.
const launch = config.use?.launchOptions ?? {};
test.use({
  launchOptions: { ...launch, args: [...(launch.args ?? []), '--disable-features=LocalNetworkAccessChecks'] },
});

const root = path.resolve(import.meta.dirname, '../..');
const sourceIndex = fs.readFileSync(path.join(root, 'renderer/index.html'), 'utf8');

/** A tiny server on another origin (127.0.0.1, another port), counting what it is asked for. */
let foreign: http.Server;
let foreignOrigin = '';
const foreignHits: string[] = [];

test.beforeAll(async () => {
  foreign = http.createServer((req, res) => {
    foreignHits.push(req.url ?? '');
    const cors = { 'access-control-allow-origin': '*', 'cache-control': 'no-store' };
    if (req.url?.startsWith('/x.js')) {
      res.writeHead(200, { ...cors, 'content-type': 'text/javascript; charset=utf-8' });
      res.end('window.__cspProbeForeign = true;');
    } else if (req.url?.startsWith('/data.json')) {
      res.writeHead(200, { ...cors, 'content-type': 'application/json' });
      res.end('{"ok":true}');
    } else {
      res.writeHead(404, cors);
      res.end();
    }
  });
  await new Promise<void>((resolve) => foreign.listen(0, '127.0.0.1', resolve));
  foreignOrigin = `http://127.0.0.1:${(foreign.address() as AddressInfo).port}`;
});

test.afterAll(async () => {
  await new Promise((r) => foreign?.close(r));
});

function appUrl(): string {
  const url = process.env.E2E_URL;
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  return url;
}

/** Opens the app as a user does (the printed URL with its token) and waits for the VM list. */
async function openApp(page: Page): Promise<Response> {
  const response = await page.goto(appUrl());
  if (!response) throw new Error('no response for the app page');
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
  return response;
}

/**
 * The negative control: the same app page at the same URL, with the CSP header and `<meta>`
 * stripped from the document response. Returns the page, checked to carry no policy at all.
 */
async function openAppWithoutCsp(context: BrowserContext): Promise<Page> {
  const page = await context.newPage();
  const origin = new URL(appUrl()).origin;
  await page.route(
    (u) => u.origin === origin && (u.pathname === '/' || u.pathname === '/index.html'),
    async (route) => {
      const response = await route.fetch();
      const headers = { ...response.headers() };
      for (const h of ['content-security-policy', 'content-length', 'content-encoding']) delete headers[h];
      const body = (await response.text()).replace(/<meta\b[^>]*content-security-policy[^>]*>/gi, '');
      await route.fulfill({ response, headers, body });
    },
  );
  const response = await openApp(page);
  expect(response.headers()['content-security-policy']).toBeUndefined();
  await expect(page.locator('meta[http-equiv="Content-Security-Policy" i]')).toHaveCount(0);
  return page;
}

test('the page gets the declared policy: header = browser mode = Electron, meta = renderer/index.html, both at least the checklist', async ({
  page,
}) => {
  const response = await openApp(page);
  const header = response.headers()['content-security-policy'];
  // (e) What the page got is what the code declares, and Electron's protocol sends the same.
  expect(header).toBe(BROWSER_MODE_CSP);
  expect(header).toBe(ELECTRON_CSP);
  expect(cspProblems(header)).toEqual([]);
  const scriptSrc = parseCsp(header).get('script-src');
  expect(scriptSrc).toEqual(["'self'"]);

  const metas = await page
    .locator('meta[http-equiv="Content-Security-Policy" i]')
    .evaluateAll((els) => els.map((e) => e.getAttribute('content') ?? ''));
  expect(metas).toHaveLength(1);
  const [sourceMeta] = metaCspPolicies(sourceIndex);
  expect(normaliseCsp(metas[0])).toBe(normaliseCsp(sourceMeta));
  // The meta repeats the header (minus frame-ancestors, which browsers ignore in <meta>): the
  // Electron window gets both, and a copy of out/web opened without the host still has a policy.
  expect(normaliseCsp(metas[0])).toBe(metaEquivalent(header));
  expect(cspProblems(metas[0])).toEqual([]);
});

test('eval and new Function throw EvalError and a string timer never runs; without the CSP all three run', async ({
  page,
  context,
}) => {
  await openApp(page);
  const blocked = await page.evaluate(probeEval);
  expect(blocked.eval).toBe('EvalError');
  expect(blocked.newFunction).toBe('EvalError');
  expect(blocked.stringTimerRan).toBe(false);
  // One report per policy and attempt: the header and the <meta> both enforce (3 attempts × 2).
  expect(blocked.violations).toHaveLength(6);
  for (const v of blocked.violations)
    expect(v).toEqual({
      violatedDirective: 'script-src',
      effectiveDirective: 'script-src',
      blockedURI: 'eval',
      disposition: 'enforce',
    });

  // Negative controls: a fresh about:blank, and the app page itself without its policy.
  const blank = await context.newPage();
  await blank.goto('about:blank');
  expect(await blank.evaluate(probeEval)).toEqual({
    eval: '2',
    newFunction: '2',
    stringTimerRan: true,
    violations: [],
  });
  const open = await openAppWithoutCsp(context);
  expect(await open.evaluate(probeEval)).toEqual({
    eval: '2',
    newFunction: '2',
    stringTimerRan: true,
    violations: [],
  });
});

test('an inline <script> inserted into the DOM does not run and fires securitypolicyviolation (script-src)', async ({
  page,
  context,
}) => {
  await openApp(page);
  const blocked = await page.evaluate(probeInlineScript);
  expect(blocked.ran).toBe(false);
  // One report from the header's policy and one from the <meta>'s.
  expect(blocked.violations).toEqual(
    Array(2).fill({
      violatedDirective: 'script-src-elem',
      effectiveDirective: 'script-src-elem',
      blockedURI: 'inline',
      disposition: 'enforce',
    }),
  );

  const open = await openAppWithoutCsp(context);
  expect(await open.evaluate(probeInlineScript)).toEqual({ ran: true, outcome: 'inserted', violations: [] });
});

test('an inline onerror attribute on an <img> does not run (script-src)', async ({ page, context }) => {
  await openApp(page);
  const blocked = await page.evaluate(probeInlineHandler);
  expect(blocked.outcome).toBe('error'); // the error event itself fired…
  expect(blocked.ran).toBe(false); // …but the attribute's code did not run
  expect(blocked.violations).toEqual(
    Array(2).fill({
      violatedDirective: 'script-src-attr',
      effectiveDirective: 'script-src-attr',
      blockedURI: 'inline',
      disposition: 'enforce',
    }),
  );

  const open = await openAppWithoutCsp(context);
  expect(await open.evaluate(probeInlineHandler)).toEqual({ ran: true, outcome: 'error', violations: [] });
});

test('a script and a fetch from another origin are blocked before any request leaves the page', async ({
  page,
  context,
}) => {
  await openApp(page);
  expect(new URL(foreignOrigin).origin).not.toBe(new URL(appUrl()).origin);
  foreignHits.length = 0;
  const script = await page.evaluate(probeForeignScript, `${foreignOrigin}/x.js?csp`);
  expect(script.outcome).toBe('error');
  expect(script.ran).toBe(false);
  expect(script.violations).toEqual(
    Array(2).fill({
      violatedDirective: 'script-src-elem',
      effectiveDirective: 'script-src-elem',
      blockedURI: `${foreignOrigin}/x.js?csp`,
      disposition: 'enforce',
    }),
  );
  // default-src 'self' also covers connect-src: no data leaves for another origin either.
  const fetched = await page.evaluate(probeForeignFetch, `${foreignOrigin}/data.json?csp`);
  expect(fetched.outcome).toBe('TypeError');
  expect(fetched.violations).toEqual(
    Array(2).fill({
      violatedDirective: 'connect-src',
      effectiveDirective: 'connect-src',
      blockedURI: `${foreignOrigin}/data.json?csp`,
      disposition: 'enforce',
    }),
  );
  // CSP stops them in the page: the other origin never saw a request.
  expect(foreignHits).toEqual([]);

  const open = await openAppWithoutCsp(context);
  const loaded = await open.evaluate(probeForeignScript, `${foreignOrigin}/x.js?control`);
  expect(loaded).toEqual({ ran: true, outcome: 'load', violations: [] });
  const answered = await open.evaluate(probeForeignFetch, `${foreignOrigin}/data.json?control`);
  expect(answered).toEqual({ ran: true, outcome: 'ok', violations: [] });
  expect(foreignHits).toEqual(['/x.js?control', '/data.json?control']);
});

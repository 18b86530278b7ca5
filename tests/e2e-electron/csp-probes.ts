/**
 * Page-side probes of the Content-Security-Policy (checklist item 7), run with `page.evaluate` by
 * the Chromium test (tests/e2e/csp.spec.ts) and the Electron test (tests/e2e-electron/security.spec.ts).
 *
 * Each probe is self-contained (Playwright serialises the function into the page, so it may not
 * call helpers of this module), tries one kind of code the policy must stop, and reports what
 * happened plus every `securitypolicyviolation` event seen meanwhile. On a page without a CSP the
 * same probe reports the code as having run: the tests use that as their negative control.
 */

/** One `securitypolicyviolation` event, as the page saw it. */
export interface SeenViolation {
  violatedDirective: string;
  effectiveDirective: string;
  /** `'inline'`, `'eval'` or the blocked URL. */
  blockedURI: string;
  disposition: string;
}

/** Result of {@link probeEval}. */
export interface EvalProbe {
  /** `'2'` when `eval('1+1')` ran, else the thrown error's name (`'EvalError'`). */
  eval: string;
  /** `'2'` when `new Function('return 1+1')()` ran, else the thrown error's name. */
  newFunction: string;
  /** Whether `setTimeout('<code>', 0)` ran its string within 300 ms. */
  stringTimerRan: boolean;
  violations: SeenViolation[];
}

/** Result of the element probes. */
export interface ElementProbe {
  /** Whether the injected code ran (it sets a window flag). */
  ran: boolean;
  /** `'load'` / `'error'` of the element, when it has one. */
  outcome: string;
  violations: SeenViolation[];
}

/**
 * `eval`, `new Function` and a string passed to `setTimeout`, all tried from a task of the page's
 * own (after a `setTimeout(0)`), never synchronously inside the `page.evaluate` call.
 */
export async function probeEval(): Promise<EvalProbe> {
  const violations: SeenViolation[] = [];
  const on = (e: SecurityPolicyViolationEvent): void => {
    violations.push({
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
    });
  };
  document.addEventListener('securitypolicyviolation', on);
  const w = window as unknown as Record<string, unknown>;
  w.__cspProbeTimer = false;
  // Leave Playwright's evaluation first: code run synchronously inside a DevTools evaluation may
  // generate code from strings whatever the CSP says (Playwright itself compiles the probe with
  // eval), so eval tried there "works" on any page. From a later task the page's policy applies.
  await new Promise((r) => setTimeout(r, 0));
  let evalResult: string;
  try {
    evalResult = String(eval('1+1'));
  } catch (e) {
    evalResult = (e as Error).name;
  }
  let fnResult: string;
  try {
    fnResult = String(new Function('return 1+1')());
  } catch (e) {
    fnResult = (e as Error).name;
  }
  try {
    setTimeout('window.__cspProbeTimer = true', 0);
  } catch {
    // Some engines throw instead of ignoring the string; either way it must not run.
  }
  await new Promise((r) => setTimeout(r, 300));
  document.removeEventListener('securitypolicyviolation', on);
  return { eval: evalResult, newFunction: fnResult, stringTimerRan: w.__cspProbeTimer === true, violations };
}

/** An inline `<script>` element inserted into the DOM; it would set `window.__cspProbeInline`. */
export async function probeInlineScript(): Promise<ElementProbe> {
  const violations: SeenViolation[] = [];
  const on = (e: SecurityPolicyViolationEvent): void => {
    violations.push({
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
    });
  };
  document.addEventListener('securitypolicyviolation', on);
  const w = window as unknown as Record<string, unknown>;
  w.__cspProbeInline = false;
  const script = document.createElement('script');
  script.textContent = 'window.__cspProbeInline = true;';
  document.body.append(script);
  await new Promise((r) => setTimeout(r, 300));
  script.remove();
  document.removeEventListener('securitypolicyviolation', on);
  return { ran: w.__cspProbeInline === true, outcome: 'inserted', violations };
}

/**
 * An `<img>` whose `onerror` attribute would set `window.__cspProbeAttr`; its `src` is an
 * undecodable `data:` image (allowed by `img-src`), so the error event certainly fires.
 */
export async function probeInlineHandler(): Promise<ElementProbe> {
  const violations: SeenViolation[] = [];
  const on = (e: SecurityPolicyViolationEvent): void => {
    violations.push({
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
    });
  };
  document.addEventListener('securitypolicyviolation', on);
  const w = window as unknown as Record<string, unknown>;
  w.__cspProbeAttr = false;
  const img = document.createElement('img');
  img.setAttribute('onerror', 'window.__cspProbeAttr = true');
  const outcome = new Promise<string>((resolve) => {
    img.addEventListener('error', () => resolve('error'), { once: true });
    img.addEventListener('load', () => resolve('load'), { once: true });
  });
  img.src = 'data:image/png;base64,AAAA';
  document.body.append(img);
  const result = await outcome;
  await new Promise((r) => setTimeout(r, 300));
  img.remove();
  document.removeEventListener('securitypolicyviolation', on);
  return { ran: w.__cspProbeAttr === true, outcome: result, violations };
}

/**
 * A `<script src>` from another origin (`url`); the script would set `window.__cspProbeForeign`.
 * Resolves when the element reports `load` or `error` (or after 5 s: `'timeout'`).
 */
export async function probeForeignScript(url: string): Promise<ElementProbe> {
  const violations: SeenViolation[] = [];
  const on = (e: SecurityPolicyViolationEvent): void => {
    violations.push({
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
    });
  };
  document.addEventListener('securitypolicyviolation', on);
  const w = window as unknown as Record<string, unknown>;
  w.__cspProbeForeign = false;
  const script = document.createElement('script');
  const outcome = new Promise<string>((resolve) => {
    script.addEventListener('load', () => resolve('load'), { once: true });
    script.addEventListener('error', () => resolve('error'), { once: true });
    setTimeout(() => resolve('timeout'), 5000);
  });
  script.src = url;
  document.head.append(script);
  const result = await outcome;
  await new Promise((r) => setTimeout(r, 300));
  script.remove();
  document.removeEventListener('securitypolicyviolation', on);
  return { ran: w.__cspProbeForeign === true, outcome: result, violations };
}

/** `fetch(url)` to another origin: `'ok'` when it answered, else the rejection's name. */
export async function probeForeignFetch(url: string): Promise<ElementProbe> {
  const violations: SeenViolation[] = [];
  const on = (e: SecurityPolicyViolationEvent): void => {
    violations.push({
      violatedDirective: e.violatedDirective,
      effectiveDirective: e.effectiveDirective,
      blockedURI: e.blockedURI,
      disposition: e.disposition,
    });
  };
  document.addEventListener('securitypolicyviolation', on);
  const outcome = await fetch(url).then(
    (r) => (r.ok ? 'ok' : `HTTP ${r.status}`),
    (e: Error) => e.name,
  );
  await new Promise((r) => setTimeout(r, 300));
  document.removeEventListener('securitypolicyviolation', on);
  return { ran: outcome === 'ok', outcome, violations };
}

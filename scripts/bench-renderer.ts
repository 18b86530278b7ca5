/**
 * Renderer benchmark (issue 6): the built browser-mode renderer (`out/web`, from `npm run build:web`;
 * this script builds nothing) served by the real browser-mode host (`app/core/serve.ts`) with the
 * stand-in VBoxManage replaying the "lab" scenario, as tests/e2e/global-setup.ts starts it, driven in
 * Chromium (Debian's `/usr/bin/chromium`, or `CHROMIUM_PATH`) through playwright-core.
 *
 * Measured:
 * - cold load: navigation start → the first `vm-row` is laid out, visible and the topmost element at
 *   its centre (clickable), read as `performance.now()` in the page (ms since navigation start); a new
 *   browser context each time (empty HTTP cache and storage); median of 5 (BENCH_RENDERER_LOADS),
 *   after one warm-up load that lets the host read the inventory once (that read is the inventory
 *   benchmark's business, not the renderer's). Target ≤ 500 ms.
 * - page switch in the mirror: a click on `page-network` (from `page-general`) → the Network page's
 *   first control is laid out, then one animation frame (painted), timed inside the page; median of
 *   20 (BENCH_RENDERER_SWITCHES). Target ≤ 50 ms.
 * - first-screen JS: the sum of the gzip sizes (zlib, level 9) of the JS files `out/web/index.html`
 *   loads initially (its module scripts and modulepreload links; lazy chunks excluded), in KB
 *   (1 KB = 1024 bytes). Target ≤ 250 KB.
 *
 * Used as the `renderer` section of `npm run bench` (scripts/bench.ts), or alone:
 * `npx node scripts/bench-renderer.ts` (prints its own table).
 */

import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import zlib from 'node:zlib';
import { chromium, type Browser, type Page } from 'playwright-core';
import type { BenchRow } from './bench.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const WEB = path.join(ROOT, 'out/web');

/** A laid-out element, as the page-side functions below use it. */
interface PageElement {
  getBoundingClientRect(): { left: number; top: number; width: number; height: number };
  contains(other: unknown): boolean;
  click(): void;
}

/**
 * The few browser globals the page-side functions use: this file is type-checked as Node code
 * (tsconfig.node.json, no DOM lib), and the functions run in the page, where these exist.
 */
interface PageGlobals {
  document: {
    querySelector(selector: string): PageElement | null;
    elementFromPoint(x: number, y: number): unknown;
  };
  requestAnimationFrame(callback: () => void): number;
}

/** One measured quantity against its target. `unit` is 'ms' or 'KB'. */
export interface RendererMeasure {
  case: string;
  value: number;
  unit: 'ms' | 'KB';
  target: number;
  /** Samples behind a median (ms), empty for sizes. */
  samples: number[];
}

/** Median of samples (mean of the middle two for an even count); NaN when empty. */
export function median(samples: readonly number[]): number {
  if (samples.length === 0) return NaN;
  const s = [...samples].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * JS files `index.html` loads before any lazy `import()`: `<script type="module" src>` and
 * `<link rel="modulepreload" href>`, as paths relative to `webDir`. Throws when index.html is missing.
 */
export function initialScripts(webDir: string = WEB): string[] {
  const html = fs.readFileSync(path.join(webDir, 'index.html'), 'utf8');
  const files = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*\bsrc="([^"]+\.js)"/g)) files.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\brel="modulepreload"[^>]*\bhref="([^"]+\.js)"/g))
    files.add(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*\bhref="([^"]+\.js)"[^>]*\brel="modulepreload"/g))
    files.add(m[1]);
  return [...files].map((f) => f.replace(/^\.?\//, ''));
}

/** Gzip size in bytes (zlib level 9) of each initial JS file of `webDir`, and their sum. */
export function firstScreenGzip(webDir: string = WEB): {
  files: { file: string; gzip: number }[];
  total: number;
} {
  const files = initialScripts(webDir).map((file) => ({
    file,
    gzip: zlib.gzipSync(fs.readFileSync(path.join(webDir, file)), { level: 9 }).length,
  }));
  return { files, total: files.reduce((a, f) => a + f.gzip, 0) };
}

/** Starts the browser-mode host on the lab scenario; resolves its URL (with token) and a stop function. */
async function startHost(): Promise<{ url: string; stop: () => void }> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-bench-renderer-'));
  const child: ChildProcess = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
    cwd: ROOT,
    env: {
      ...process.env,
      VBOXMANAGE: path.join(ROOT, 'tests/stand-in/VBoxManage'),
      VBOX_STANDIN_SCENARIO: path.join(ROOT, 'tests/stand-in/scenarios/lab.json'),
      VBOX_STANDIN_LOG: path.join(dataDir, 'standin.log'),
      VM_COMPANION_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = (): void => {
    child.kill('SIGTERM');
    setTimeout(() => fs.rmSync(dataDir, { recursive: true, force: true }), 200);
  };
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`browser host did not print its URL in 20 s:\n${out}`)),
      20_000,
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited with ${code}:\n${out}`));
    });
  }).catch((e: unknown) => {
    stop();
    throw e;
  });
  return { url, stop };
}

/** ms since navigation start when the first VM row is visible and the topmost element at its centre. */
async function coldLoad(browser: Browser, url: string): Promise<number> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  try {
    const page = await context.newPage();
    await page.goto(url, { waitUntil: 'commit' });
    const handle = await page.waitForFunction(
      () => {
        const { document } = globalThis as unknown as PageGlobals;
        const row = document.querySelector('[data-testid="vm-row"]');
        if (!row) return false;
        const r = row.getBoundingClientRect();
        if (r.width === 0 || r.height === 0) return false;
        const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
        return top !== null && row.contains(top) ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    return (await handle.jsonValue()) as number;
  } finally {
    await context.close();
  }
}

/** One page switch General → Network timed inside the page: click → first control laid out → next frame. */
async function pageSwitch(page: Page): Promise<number> {
  await page.click('[data-testid="page-general"]');
  await page.waitForSelector('[data-control^="general."]', { state: 'visible' });
  return page.evaluate(
    () =>
      new Promise<number>((resolve, reject) => {
        const { document, requestAnimationFrame } = globalThis as unknown as PageGlobals;
        const t0 = performance.now();
        document.querySelector('[data-testid="page-network"]')!.click();
        const check = (): void => {
          const el = document.querySelector('[data-control^="network."]');
          const r = el?.getBoundingClientRect();
          if (r && r.width > 0 && r.height > 0) requestAnimationFrame(() => resolve(performance.now() - t0));
          else if (performance.now() - t0 > 10_000)
            reject(new Error('the Network page did not show in 10 s'));
          else requestAnimationFrame(check);
        };
        check();
      }),
  );
}

/** Runs all renderer measurements (needs `out/web`; starts and stops its own host and Chromium). */
export async function measureRenderer(): Promise<{ measures: RendererMeasure[]; info: string[] }> {
  if (!fs.existsSync(path.join(WEB, 'index.html')))
    throw new Error('out/web is missing: run `npm run build:web` before the renderer benchmark.');
  const loads = Number(process.env.BENCH_RENDERER_LOADS ?? 5);
  const switches = Number(process.env.BENCH_RENDERER_SWITCHES ?? 20);
  const gz = firstScreenGzip();
  const host = await startHost();
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--no-first-run'],
  });
  try {
    const warmup = await coldLoad(browser, host.url);
    const loadSamples: number[] = [];
    for (let i = 0; i < loads; i++) loadSamples.push(await coldLoad(browser, host.url));

    const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    const page = await context.newPage();
    await page.goto(host.url);
    await page.click('[data-testid="vm-row"]:not(:has([data-testid="vm-error"]))');
    await page.waitForSelector('[data-testid="page-network"]', { state: 'visible' });
    await pageSwitch(page); // the first switch loads nothing new, but warms the JIT like a user's second
    const switchSamples: number[] = [];
    for (let i = 0; i < switches; i++) switchSamples.push(await pageSwitch(page));
    await context.close();

    const measures: RendererMeasure[] = [
      {
        case: 'cold load → interactive VM list',
        value: median(loadSamples),
        unit: 'ms',
        target: 500,
        samples: loadSamples,
      },
      {
        case: 'mirror page switch (→ Network)',
        value: median(switchSamples),
        unit: 'ms',
        target: 50,
        samples: switchSamples,
      },
      { case: 'first-screen JS (gzip)', value: gz.total / 1024, unit: 'KB', target: 250, samples: [] },
    ];
    const info = [
      `renderer: cold loads (ms) ${loadSamples.map((v) => v.toFixed(0)).join(', ')}; warm-up load ${warmup.toFixed(0)} ms (host read the inventory) not counted`,
      `renderer: first-screen JS ${gz.files.map((f) => `${f.file} ${(f.gzip / 1024).toFixed(1)} KB`).join(', ')}`,
    ];
    return { measures, info };
  } finally {
    await browser.close();
    host.stop();
  }
}

/** Formats the measures as a table: case, median/size, target, met. */
export function formatRendererTable(measures: readonly RendererMeasure[]): string {
  const head = ['case', 'n', 'median / size', 'target', 'met'];
  const body = measures.map((m) => [
    m.case,
    m.samples.length ? String(m.samples.length) : '',
    `${m.value.toFixed(m.unit === 'KB' ? 1 : 1)} ${m.unit}`,
    `≤ ${m.target} ${m.unit}`,
    m.value <= m.target ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string => `| ${cells.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

/**
 * The `renderer` section of `npm run bench`: timing rows (p50 is the median of the samples; no p95
 * target, since the issue's targets are medians) and the target table as info lines.
 */
export async function rendererBench(): Promise<{ rows: BenchRow[]; info: string[] }> {
  const { measures, info } = await measureRenderer();
  const rows: BenchRow[] = measures
    .filter((m) => m.unit === 'ms')
    .map((m) => {
      const s = [...m.samples].sort((a, b) => a - b);
      const rank = (p: number): number =>
        s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
      return {
        case: m.case,
        n: s.length,
        p50: m.value,
        p95: rank(95),
        p99: rank(99),
        max: s[s.length - 1],
      };
    });
  return { rows, info: ['Renderer targets (medians, size):', formatRendererTable(measures), ...info] };
}

if (import.meta.main) {
  const { measures, info } = await measureRenderer();
  console.log(formatRendererTable(measures));
  console.log(`\n${info.join('\n')}`);
}

/**
 * `npm run fuzz`: property-based fuzzing of every parser (issue 6). For each parser, FUZZ_RUNS
 * generated inputs (default 100 000: mutated real fixtures, other parsers' fixtures, arbitrary
 * strings; see tests/helpers/fuzz-targets.ts) are checked: no untyped exception, typed errors name
 * lines inside the input, results keep their invariants.
 *
 * Cases run in a worker thread watched by the main thread: a case that runs longer than
 * FUZZ_CASE_TIMEOUT_MS (default 10 000) is a hang — the worker is terminated, the input saved, and
 * a new worker goes on with the next case. Inputs are drawn in chunks of 1000 with
 * `fc.sample(arbitrary, { seed: seed + chunk })`, so every case can be regenerated from its index.
 *
 * Prints one line per parser as it finishes, then a table parser × cases × failures × hangs ×
 * known (reported bugs; a hang of a parser with a reported slow-regex bug counts as `slow-regex hang`)
 * × slow (> FUZZ_SLOW_MS, default 1000 ms) × worst ms × time. The first input of each new failure
 * or hang is written to a temporary file. Exit code 1 when any parser has a new failure or a hang
 * no reported bug explains.
 *
 * Environment: FUZZ_RUNS (cases per parser), FUZZ_SEED (default: fixed per parser),
 * FUZZ_ONLY (comma-separated parts of parser names to run), FUZZ_SLOW_MS, FUZZ_CASE_TIMEOUT_MS.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Worker, isMainThread, parentPort, workerData } from 'node:worker_threads';
import fc from 'fast-check';
import {
  FuzzViolation,
  allTargets,
  knownBugOf,
  seedFor,
  type FuzzTarget,
} from '../tests/helpers/fuzz-targets.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const SLOW_MS = Number(process.env.FUZZ_SLOW_MS ?? 1000);
const CASE_TIMEOUT_MS = Number(process.env.FUZZ_CASE_TIMEOUT_MS ?? 10_000);
const ONLY = (process.env.FUZZ_ONLY ?? '')
  .split(',')
  .map((s) => s.trim())
  .filter((s) => s !== '');
const CHUNK = 1000;

/** Counts of a stretch of cases. */
interface Stats {
  cases: number;
  failures: number;
  known: Record<string, number>;
  slow: number;
  worstMs: number;
  firstFailure?: { index: number; message: string };
}

const emptyStats = (): Stats => ({ cases: 0, failures: 0, known: {}, slow: 0, worstMs: 0 });

/** Inputs of chunk `chunk` of `target` (deterministic). */
function chunkInputs(target: FuzzTarget, chunk: number): string[] {
  const n = Math.min(CHUNK, RUNS - chunk * CHUNK);
  return fc.sample(target.arbitrary, { seed: seedFor(target.name) + chunk, numRuns: n });
}

/** Regenerates case `index` of `target`. */
const inputAt = (target: FuzzTarget, index: number): string =>
  chunkInputs(target, Math.floor(index / CHUNK))[index % CHUNK];

// ---------------------------------------------------------------------------------------------
// Worker: runs cases [start, RUNS) minus `skip`, reports progress in shared memory, stats per chunk.
// ---------------------------------------------------------------------------------------------

interface WorkerJob {
  name: string;
  start: number;
  skip: number[];
  progress: SharedArrayBuffer;
}

async function workerMain(job: WorkerJob): Promise<void> {
  const target = (await allTargets()).find((t) => t.name === job.name)!;
  const progress = new Int32Array(job.progress);
  const skip = new Set(job.skip);
  let stats = emptyStats();
  let inputs: string[] = [];
  let chunkOf = -1;
  for (let i = job.start; i < RUNS; i++) {
    const chunk = Math.floor(i / CHUNK);
    if (chunk !== chunkOf) {
      inputs = chunkInputs(target, chunk);
      chunkOf = chunk;
    }
    if (!skip.has(i)) {
      Atomics.store(progress, 0, i);
      Atomics.add(progress, 1, 1);
      const t0 = performance.now();
      try {
        target.check(inputs[i % CHUNK]);
      } catch (err) {
        const bug = knownBugOf(target, err);
        if (bug) stats.known[bug] = (stats.known[bug] ?? 0) + 1;
        else {
          stats.failures++;
          stats.firstFailure ??= {
            index: i,
            message: err instanceof FuzzViolation ? err.message : `harness error: ${String(err)}`,
          };
        }
      }
      const ms = performance.now() - t0;
      stats.cases++;
      if (ms > stats.worstMs) stats.worstMs = ms;
      if (ms > SLOW_MS) stats.slow++;
    }
    if (i % CHUNK === CHUNK - 1 || i === RUNS - 1) {
      parentPort!.postMessage({ upTo: i + 1, stats });
      stats = emptyStats();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Main thread
// ---------------------------------------------------------------------------------------------

interface Row extends Stats {
  name: string;
  hangs: number;
  seconds: number;
  firstHang?: { index: number; file: string };
  failureFile?: string;
}

const add = (into: Row, s: Stats): void => {
  into.cases += s.cases;
  into.failures += s.failures;
  into.slow += s.slow;
  into.worstMs = Math.max(into.worstMs, s.worstMs);
  for (const [k, v] of Object.entries(s.known)) into.known[k] = (into.known[k] ?? 0) + v;
  into.firstFailure ??= s.firstFailure;
};

const saveInput = (name: string, index: number, kind: string, input: string): string => {
  const file = path.join(os.tmpdir(), `fuzz-${name.replace(/\W+/g, '_')}-${kind}-${index}.txt`);
  fs.writeFileSync(file, input);
  return file;
};

/** Fuzzes one target in workers, restarting after each hang. */
async function fuzzTarget(target: FuzzTarget): Promise<Row> {
  const row: Row = { name: target.name, ...emptyStats(), hangs: 0, seconds: 0 };
  const t0 = performance.now();
  const skip: number[] = [];
  let posted = 0;
  let lastReport = t0;
  while (posted < RUNS) {
    const progress = new SharedArrayBuffer(8);
    const view = new Int32Array(progress);
    Atomics.store(view, 0, posted);
    const job: WorkerJob = { name: target.name, start: posted, skip, progress };
    const worker = new Worker(new URL(import.meta.url), { workerData: job });
    const hung = await new Promise<number | undefined>((resolve, reject) => {
      let seenTick = -1;
      let hungAt: number | undefined;
      let since = performance.now();
      const timer = setInterval(() => {
        const tick = Atomics.load(view, 1);
        const now = performance.now();
        if (tick !== seenTick) {
          seenTick = tick;
          since = now;
        } else if (tick > 0 && now - since > CASE_TIMEOUT_MS) {
          clearInterval(timer);
          hungAt = Atomics.load(view, 0);
          void worker.terminate();
        }
        if (now - lastReport > 30_000) {
          lastReport = now;
          process.stderr.write(`  ${target.name}: ${Atomics.load(view, 0)}/${RUNS}…\n`);
        }
      }, 200);
      worker.on('message', (m: { upTo: number; stats: Stats }) => {
        posted = m.upTo;
        add(row, m.stats);
      });
      worker.on('error', (err) => {
        clearInterval(timer);
        reject(err);
      });
      // Also after terminate(): then the hung case's index.
      worker.on('exit', () => {
        clearInterval(timer);
        resolve(hungAt);
      });
    });
    if (hung === undefined) break;
    // Cases between the last report and the hang run again in the next worker (same inputs, same results).
    row.hangs++;
    row.cases++;
    const slowBug = target.knownBugs?.find((b) => b.hangs);
    if (slowBug) row.known[`${slowBug.id} hang`] = (row.known[`${slowBug.id} hang`] ?? 0) + 1;
    skip.push(hung);
    if (!row.firstHang) {
      const input = inputAt(target, hung);
      row.firstHang = { index: hung, file: saveInput(target.name, hung, 'hang', input) };
    }
    process.stderr.write(`  ${target.name}: case ${hung} ran over ${CASE_TIMEOUT_MS} ms: hang recorded\n`);
  }
  if (row.firstFailure)
    row.failureFile = saveInput(
      target.name,
      row.firstFailure.index,
      'failure',
      inputAt(target, row.firstFailure.index),
    );
  row.seconds = (performance.now() - t0) / 1000;
  return row;
}

function table(rows: Row[]): string {
  const head = ['parser', 'cases', 'failures', 'hangs', 'known bugs', 'slow', 'worst ms', 'time s'];
  const body = rows.map((r) => [
    r.name,
    String(r.cases),
    String(r.failures),
    String(r.hangs),
    Object.keys(r.known).length === 0
      ? '0'
      : Object.entries(r.known)
          .map(([id, n]) => `${n} (${id})`)
          .join(', '),
    String(r.slow),
    r.worstMs.toFixed(1),
    r.seconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 || i === 4 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const rule = `|${widths.map((w, i) => (i === 0 || i === 4 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`;
  return [line(head), rule, ...body.map(line)].join('\n');
}

async function main(): Promise<void> {
  const targets = (await allTargets()).filter(
    (t) => ONLY.length === 0 || ONLY.some((o) => t.name.includes(o)),
  );
  console.log(
    `Fuzzing ${targets.length} parsers, ${RUNS} cases each, hang after ${CASE_TIMEOUT_MS} ms (Node ${process.versions.node}).`,
  );
  const rows: Row[] = [];
  for (const t of targets) {
    process.stderr.write(`${t.name} (${t.file})…\n`);
    const row = await fuzzTarget(t);
    rows.push(row);
    // Each row as soon as it is known (a long run that is stopped still leaves its results).
    const known = Object.entries(row.known).map(([id, n]) => `${id}×${n}`);
    process.stderr.write(
      `  done: ${row.cases} cases, ${row.failures} failures, ${row.hangs} hangs, known ${known.join(' ') || '0'}, ${row.slow} slow, worst ${row.worstMs.toFixed(1)} ms, ${row.seconds.toFixed(1)} s\n`,
    );
  }
  console.log(table(rows));
  for (const r of rows) {
    if (r.firstFailure)
      console.log(
        `\n${r.name}: ${r.failures} failing case(s); first (case ${r.firstFailure.index}): ${r.firstFailure.message}\n  input: ${r.failureFile}`,
      );
    if (r.firstHang) console.log(`\n${r.name}: ${r.hangs} hang(s); first input: ${r.firstHang.file}`);
  }
  const known = [...new Set(rows.flatMap((r) => Object.keys(r.known)))];
  if (known.length > 0)
    console.log(`\nKnown (reported) bugs seen: ${known.join(', ')} — see tests/helpers/fuzz-targets.ts.`);
  const unexplainedHangs = (r: Row): number => r.hangs - (r.known['slow-regex hang'] ?? 0);
  process.exitCode = rows.some((r) => r.failures > 0 || unexplainedHangs(r) > 0) ? 1 : 0;
}

if (isMainThread) await main();
else await workerMain(workerData as WorkerJob);

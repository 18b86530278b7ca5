/**
 * `npm run fuzz`: property-based fuzzing of every parser (issue 6). For each parser, FUZZ_RUNS
 * generated inputs (default 100 000: mutated real fixtures, other parsers' fixtures, arbitrary
 * strings; see tests/helpers/fuzz-targets.ts) are checked: no untyped exception, typed errors name
 * lines inside the input, results keep their invariants.
 *
 * Prints a table parser × cases × failures × known (reported bugs) × slow (> FUZZ_SLOW_MS, default
 * 1000 ms) × worst ms × time. For a new failure, a shrunk counterexample is printed and written to
 * a temporary file. Exit code 1 when any parser has a new failure.
 *
 * Environment: FUZZ_RUNS (cases per parser), FUZZ_SEED (default: fixed per parser),
 * FUZZ_ONLY (run the parsers whose name contains this text), FUZZ_SLOW_MS.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import fc from 'fast-check';
import { allTargets, knownBugOf, seedFor, type FuzzTarget } from '../tests/helpers/fuzz-targets.ts';

const RUNS = Number(process.env.FUZZ_RUNS ?? 100_000);
const SLOW_MS = Number(process.env.FUZZ_SLOW_MS ?? 1000);
const ONLY = process.env.FUZZ_ONLY ?? '';

/** Counts of one parser's run. */
interface Row {
  name: string;
  cases: number;
  failures: number;
  known: Map<string, number>;
  slow: number;
  worstMs: number;
  seconds: number;
  firstFailure?: string;
  counterexample?: string;
}

function fuzzOne(t: FuzzTarget): Row {
  const row: Row = { name: t.name, cases: 0, failures: 0, known: new Map(), slow: 0, worstMs: 0, seconds: 0 };
  const seed = seedFor(t.name);
  const t0 = performance.now();
  let nextReport = t0 + 30_000;
  fc.assert(
    fc.property(t.arbitrary, (input) => {
      row.cases++;
      const a = performance.now();
      try {
        t.check(input);
      } catch (err) {
        const bug = knownBugOf(t, err);
        if (bug) row.known.set(bug, (row.known.get(bug) ?? 0) + 1);
        else {
          row.failures++;
          row.firstFailure ??= err instanceof Error ? err.message : String(err);
        }
      }
      const ms = performance.now() - a;
      if (ms > row.worstMs) row.worstMs = ms;
      if (ms > SLOW_MS) row.slow++;
      if (a > nextReport) {
        nextReport = a + 30_000;
        process.stderr.write(`  ${t.name}: ${row.cases}/${RUNS}…\n`);
      }
    }),
    { numRuns: RUNS, seed },
  );
  row.seconds = (performance.now() - t0) / 1000;

  if (row.failures > 0) {
    // Same seed, a property that fails: fast-check finds the first failing case again and shrinks it.
    const details = fc.check(
      fc.property(t.arbitrary, (input) => {
        try {
          t.check(input);
        } catch (err) {
          if (!knownBugOf(t, err)) throw err;
        }
      }),
      { numRuns: RUNS, seed },
    );
    if (details.failed && details.counterexample) {
      const input = details.counterexample[0];
      const file = path.join(os.tmpdir(), `fuzz-${t.name.replace(/\W+/g, '_')}-${seed}.txt`);
      fs.writeFileSync(file, input);
      row.counterexample = `${JSON.stringify(input.slice(0, 400))}${input.length > 400 ? '…' : ''} (full input: ${file})`;
      row.firstFailure =
        details.errorInstance instanceof Error ? details.errorInstance.message : row.firstFailure;
    }
  }
  return row;
}

function table(rows: Row[]): string {
  const head = ['parser', 'cases', 'failures', 'known bugs', 'slow', 'worst ms', 'time s'];
  const body = rows.map((r) => [
    r.name,
    String(r.cases),
    String(r.failures),
    r.known.size === 0 ? '0' : [...r.known].map(([id, n]) => `${n} (${id})`).join(', '),
    String(r.slow),
    r.worstMs.toFixed(1),
    r.seconds.toFixed(1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  return [
    line(head),
    `|${widths.map((w, i) => (i === 0 ? '-' : '') + '-'.repeat(w + 1) + (i === 0 ? '' : ':')).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const targets = (await allTargets()).filter((t) => t.name.includes(ONLY));
  console.log(`Fuzzing ${targets.length} parsers, ${RUNS} cases each (Node ${process.versions.node}).`);
  const rows: Row[] = [];
  for (const t of targets) {
    process.stderr.write(`${t.name} (${t.file})…\n`);
    const row = fuzzOne(t);
    rows.push(row);
    // Each row as soon as it is known (a long run that is stopped still leaves its results).
    process.stderr.write(
      `  done: ${row.cases} cases, ${row.failures} failures, known ${[...row.known].map(([id, n]) => `${id}×${n}`).join(' ') || '0'}, ${row.slow} slow, worst ${row.worstMs.toFixed(1)} ms, ${row.seconds.toFixed(1)} s\n`,
    );
  }
  console.log(table(rows));
  for (const r of rows) {
    if (r.failures === 0) continue;
    console.log(`\n${r.name}: ${r.failures} failing case(s). ${r.firstFailure ?? ''}`);
    if (r.counterexample) console.log(`  shrunk counterexample: ${r.counterexample}`);
  }
  const known = rows.flatMap((r) => [...r.known.keys()]);
  if (known.length > 0)
    console.log(
      `\nKnown (reported) bugs seen: ${[...new Set(known)].join(', ')} — see tests/helpers/fuzz-targets.ts.`,
    );
  process.exitCode = rows.some((r) => r.failures > 0) ? 1 : 0;
}

await main();

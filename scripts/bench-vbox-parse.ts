/**
 * Per-file parse time of `.vbox` settings files (issue 6, the CPU part of the cold inventory): the
 * same 100 files the inventory bench registers (copies of the real fixtures of tests/fixtures/vbox,
 * round-robin, with new UUIDs and names; see `makeBenchScenario` of scripts/bench-inventory.ts),
 * each parsed with `parseVboxFile` (bytes already in memory, decoded per file as the service does).
 *
 * Prints, per run, the mean time of one parse in milliseconds over the 100 files, then the mean and
 * the best of the runs, and the same per fixture (the copies of one fixture averaged). Two warm-up
 * passes first (V8 compiles the parser; the first one is printed too: it is what a cold inventory
 * read in a fresh process pays), then `BENCH_RUNS` runs (default 5).
 *
 * `npx node scripts/bench-vbox-parse.ts` (BENCH_VMS, BENCH_RUNS to change the counts).
 */

import fs from 'node:fs';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { decodeSettingsBytes, parseVboxFile } from '../app/core/vbox/vbox-file.ts';
import { makeBenchScenario } from './bench-inventory.ts';

const n = Number(process.env.BENCH_VMS ?? 100);
const runs = Number(process.env.BENCH_RUNS ?? 5);
const { dir, lab } = makeBenchScenario(n, 0);
try {
  const files = lab.vms.map((v) => ({ path: v.vboxFile, bytes: fs.readFileSync(v.vboxFile) }));
  const parseAll = (perFile?: Map<string, number[]>): number => {
    const t0 = performance.now();
    for (const f of files) {
      const t = performance.now();
      parseVboxFile(decodeSettingsBytes(f.bytes), { path: f.path });
      if (perFile) {
        const key = path.basename(f.path);
        const list = perFile.get(key) ?? [];
        list.push(performance.now() - t);
        perFile.set(key, list);
      }
    }
    return (performance.now() - t0) / files.length;
  };
  const cold = parseAll();
  parseAll();
  const perFile = new Map<string, number[]>();
  const means: number[] = [];
  for (let i = 0; i < runs; i++) means.push(parseAll(perFile));
  const mean = (xs: number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;
  console.log(`first pass in this process (code not yet optimised by V8): ${cold.toFixed(3)} ms per parse`);
  console.log(
    `runs (ms per parse, mean over ${files.length} files): ${means.map((m) => m.toFixed(3)).join(' ')}`,
  );
  console.log(`mean ${mean(means).toFixed(3)} ms, best ${Math.min(...means).toFixed(3)} ms per parse`);
  for (const [name, times] of [...perFile].sort()) {
    const size = files.find((f) => path.basename(f.path) === name)!.bytes.length;
    console.log(`  ${mean(times).toFixed(3)} ms  ${(size / 1024).toFixed(1).padStart(5)} KiB  ${name}`);
  }
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

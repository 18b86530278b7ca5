/**
 * Inventory benchmark (issue 6): the stand-in VBoxManage (tests/stand-in) with N VMs (default 100;
 * BENCH_VMS) answering every call after a fixed latency (default 100 ms; BENCH_LATENCY_MS).
 *
 * The N VMs are the real `showvminfo --machinereadable` recordings of tests/fixtures/showvminfo,
 * copied into a temporary folder with a new `UUID=` and `name=` each (the stand-in checks that a
 * recording's UUID matches its scenario entry), round-robin over the recordings.
 *
 * Measured, in wall-clock milliseconds:
 * - the VM list: one `list vms` call through the runner (what a list-first design could show);
 * - the cold full inventory through `readInventory` (app/core/vbox/inventory.ts) with the runner's
 *   default concurrency c, the same run sequentially (c = 1, one `showvminfo` after another as
 *   wrappers like Vagrant do), and c = 4 and 8 for comparison;
 * - the ideal `ceil(N/c) × latency`, with the configured latency and with the measured latency of
 *   one call (which includes starting the stand-in process, as starting VBoxManage does);
 * - the inventory service (app/core/inventory-service.ts): cold `list()`, a relaunch (a new
 *   service on the same data folder, nothing changed) with the VBoxManage calls it made counted
 *   from the stand-in's log (target ≤ 3), and `list()` again on the same service (memory cache);
 * - host RSS of a separate Node process after the service loaded the N VMs (target ≤ 150 MB).
 *
 * Used as the `inventory` section of `npm run bench` (scripts/bench.ts), or alone:
 * `npx node scripts/bench-inventory.ts`.
 */

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { InventoryService } from '../app/core/inventory-service.ts';
import { openStore } from '../app/core/store/index.ts';
import { readInventory } from '../app/core/vbox/inventory.ts';
import { VBoxRunner } from '../app/core/vbox/runner.ts';
import type { BenchRow } from './bench.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const STAND_IN = path.join(ROOT, 'tests/stand-in/VBoxManage');
const FIXTURES = path.join(ROOT, 'tests/fixtures');
const LAB = path.join(ROOT, 'tests/stand-in/scenarios/lab.json');

/** A generated stand-in setup. */
export interface BenchScenario {
  dir: string;
  scenarioFile: string;
  uuids: string[];
}

/**
 * Writes a stand-in scenario with `n` VMs and `delayMs` per call into a new temporary folder:
 * copies of the showvminfo recordings with rewritten `UUID=`/`name=` lines, plus the lab's
 * hostinfo and systemproperties recordings.
 */
export function makeBenchScenario(n: number, delayMs: number): BenchScenario {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-bench-inv-'));
  const fx = path.join(dir, 'fixtures');
  fs.mkdirSync(path.join(fx, 'showvminfo'), { recursive: true });
  const lab = JSON.parse(fs.readFileSync(LAB, 'utf8')) as { hostinfo: string; systemproperties: string };
  for (const rel of [lab.hostinfo, lab.systemproperties]) {
    fs.mkdirSync(path.dirname(path.join(fx, rel)), { recursive: true });
    fs.copyFileSync(path.join(FIXTURES, rel), path.join(fx, rel));
  }
  const recordings = fs
    .readdirSync(path.join(FIXTURES, 'showvminfo'))
    .sort()
    .map((f) => fs.readFileSync(path.join(FIXTURES, 'showvminfo', f), 'utf8'))
    .filter((t) => /^UUID="[^"\r\n]*"/m.test(t) && /^name="[^"\r\n]*"/m.test(t));
  const vms: { uuid: string; name: string; showvminfo: string }[] = [];
  const uuids: string[] = [];
  for (let i = 0; i < n; i++) {
    const uuid = `b3a70000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const name = `bench-vm-${String(i).padStart(3, '0')}`;
    const text = recordings[i % recordings.length]
      .replace(/^UUID="[^"\r\n]*"/m, `UUID="${uuid}"`)
      .replace(/^name="[^"\r\n]*"/m, `name="${name}"`);
    const rel = `showvminfo/vm-${i}.txt`;
    fs.writeFileSync(path.join(fx, rel), text);
    vms.push({ uuid, name, showvminfo: rel });
    uuids.push(uuid);
  }
  const scenarioFile = path.join(dir, 'scenario.json');
  fs.writeFileSync(
    scenarioFile,
    JSON.stringify(
      {
        description: `bench: ${n} VMs, ${delayMs} ms per call`,
        version: '7.1.12r169651',
        hostinfo: lab.hostinfo,
        systemproperties: lab.systemproperties,
        fixturesDir: 'fixtures',
        delayMs,
        vms,
      },
      null,
      2,
    ),
  );
  return { dir, scenarioFile, uuids };
}

/** Number of calls in a stand-in log (one JSON line per call). */
function countCalls(logFile: string): { total: number; byVerb: Record<string, number> } {
  if (!fs.existsSync(logFile)) return { total: 0, byVerb: {} };
  const byVerb: Record<string, number> = {};
  let total = 0;
  for (const line of fs.readFileSync(logFile, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    const argv = (JSON.parse(line) as { argv: string[] }).argv;
    const verb = argv[0] === 'list' ? `list ${argv[1]}` : argv[0];
    byVerb[verb] = (byVerb[verb] ?? 0) + 1;
    total++;
  }
  return { total, byVerb };
}

const row = (name: string, ms: number, target?: number): BenchRow => ({
  case: name,
  n: 1,
  p50: ms,
  p95: ms,
  p99: ms,
  max: ms,
  ...(target === undefined ? {} : { targetP95: Math.round(target) }),
});

/**
 * The rows as a table (used when this file runs alone: importing scripts/bench.ts from here would
 * be an import cycle, since bench.ts imports this file to register the section).
 */
export function formatInventoryRows(rows: readonly BenchRow[]): string {
  const head = ['case', 'ms', 'target ms', 'met'];
  const body = rows.map((r) => [
    r.case,
    r.p50.toFixed(0),
    r.targetP95 === undefined ? '' : `≤ ${r.targetP95}`,
    r.targetP95 === undefined ? '' : r.p50 <= r.targetP95 ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

const time = async <T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> => {
  const t0 = performance.now();
  const value = await fn();
  return { ms: performance.now() - t0, value };
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** A new inventory service over `dataDir`, pointed at the stand-in with `logFile`. */
function service(
  scenarioFile: string,
  logFile: string,
  dataDir: string,
): { svc: InventoryService; close(): void } {
  const store = openStore(dataDir);
  const svc = new InventoryService({
    store,
    env: { VBOXMANAGE: STAND_IN, VBOX_STANDIN_SCENARIO: scenarioFile, VBOX_STANDIN_LOG: logFile, PATH: '' },
    platform: process.platform,
    registryCandidates: [],
  });
  return { svc, close: () => store.close() };
}

/** Child mode: load the inventory through the service, print RSS and heap in bytes as JSON. */
async function rssChild(scenarioFile: string, dataDir: string): Promise<void> {
  const { svc, close } = service(scenarioFile, path.join(dataDir, 'rss.log'), dataDir);
  const inv = await svc.list();
  const details = await Promise.all(inv.vms.map((v) => svc.get(v.id)));
  const m = process.memoryUsage();
  process.stdout.write(
    JSON.stringify({
      vms: inv.vms.length,
      configs: details.filter((d) => d.config).length,
      rss: m.rss,
      heapUsed: m.heapUsed,
    }),
  );
  close();
}

function measureRss(
  scenarioFile: string,
  dataDir: string,
): Promise<{ vms: number; configs: number; rss: number; heapUsed: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [import.meta.filename, '--rss-child', scenarioFile, dataDir], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`RSS child exited with ${code}`);
        resolve(JSON.parse(out) as { vms: number; configs: number; rss: number; heapUsed: number });
      } catch (err) {
        reject(err as Error);
      }
    });
  });
}

/** The `inventory` bench section. */
export async function inventoryBench(): Promise<{ rows: BenchRow[]; info: string[] }> {
  const n = Number(process.env.BENCH_VMS ?? 100);
  const latency = Number(process.env.BENCH_LATENCY_MS ?? 100);
  const { dir, scenarioFile } = makeBenchScenario(n, latency);
  const log = (name: string): string => path.join(dir, `${name}.log`);
  const runner = (c: number, logFile: string): VBoxRunner =>
    new VBoxRunner(STAND_IN, {
      concurrency: c,
      env: { VBOX_STANDIN_SCENARIO: scenarioFile, VBOX_STANDIN_LOG: logFile },
    });
  const info: string[] = [];
  const rows: BenchRow[] = [];
  try {
    const c = new VBoxRunner(STAND_IN).concurrency;

    // One call, three times: the VM list, and the real latency of one call (spawn + delay).
    const listTimes: number[] = [];
    let listed = 0;
    for (let i = 0; i < 3; i++) {
      const r = await time(() => runner(c, log('list')).run(['list', 'vms']));
      listTimes.push(r.ms);
      listed = r.value.stdout.split('\n').filter((l) => l.trim() !== '').length;
    }
    const oneCall = median(listTimes);
    const ideal = Math.ceil(n / c) * latency;
    const idealMeasured = Math.ceil(n / c) * oneCall;

    const cold = async (cc: number): Promise<{ ms: number; vms: number; calls: number }> => {
      const file = log(`cold-c${cc}`);
      const r = await time(() => readInventory(runner(cc, file)));
      const readable = r.value.vms.filter((v) => v.accessible).length;
      if (readable !== n) info.push(`inventory: WARNING c=${cc} read ${readable} of ${n} VMs`);
      return { ms: r.ms, vms: r.value.vms.length, calls: countCalls(file).total };
    };
    const coldC = await cold(c);
    const seq = await cold(1);
    const extra = [];
    for (const cc of [4, 8]) if (cc !== c) extra.push({ cc, ...(await cold(cc)) });

    rows.push(row(`VM list: list vms (${listed} rows, 1 call)`, oneCall));
    rows.push(
      row(`cold readInventory, c=${c} (runner default)`, coldC.ms, Math.min(seq.ms / 4, 1.2 * idealMeasured)),
    );
    rows.push(row(`cold readInventory, sequential c=1`, seq.ms));
    for (const e of extra)
      rows.push(
        row(`cold readInventory, c=${e.cc}`, e.ms, Math.min(seq.ms / 4, 1.2 * Math.ceil(n / e.cc) * oneCall)),
      );
    rows.push(row(`ideal ceil(${n}/${c}) × ${latency} ms`, ideal));
    rows.push(row(`ideal ceil(${n}/${c}) × ${oneCall.toFixed(0)} ms (measured call)`, idealMeasured));

    // The inventory service: cold, relaunch (new service, same data folder), same service again.
    const dataDir = path.join(dir, 'data');
    const coldLog = log('service-cold');
    const first = service(scenarioFile, coldLog, dataDir);
    const svcCold = await time(() => first.svc.list());
    const again = await time(() => first.svc.list());
    const callsAfterFirst = countCalls(coldLog).total;
    first.close();
    const warmLog = log('service-relaunch');
    const second = service(scenarioFile, warmLog, dataDir);
    const relaunch = await time(() => second.svc.list());
    second.close();
    const warmCalls = countCalls(warmLog);
    rows.push(row(`service cold list() (${svcCold.value.vms.length} VMs)`, svcCold.ms));
    rows.push(row(`service relaunch list(), nothing changed`, relaunch.ms));
    rows.push(row(`service list() again, same process`, again.ms));

    const rss = await measureRss(scenarioFile, path.join(dir, 'rss'));
    const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);

    const speedup = seq.ms / coldC.ms;
    const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
    info.push(
      `inventory: stand-in with ${n} VMs (${n} copies of the real showvminfo recordings, new UUIDs and names), ${latency} ms added to every call; one call measured ${listTimes.map((t) => t.toFixed(0)).join('/')} ms (process start + delay); runner default concurrency c=${c}`,
      `inventory: VM list after 1 VBoxManage call (list vms): ${oneCall.toFixed(0)} ms. The service returns its list only after the full inventory: ${svcCold.ms.toFixed(0)} ms cold (${callsAfterFirst} calls)`,
      `inventory: cold c=${c} ${coldC.ms.toFixed(0)} ms (${coldC.calls} calls) vs sequential ${seq.ms.toFixed(0)} ms (${seq.calls} calls): ${speedup.toFixed(2)}× faster — target ≥ 4×: ${verdict(speedup >= 4)}; ${(coldC.ms / idealMeasured).toFixed(2)}× the measured ideal — target ≤ 1.2×: ${verdict(coldC.ms <= 1.2 * idealMeasured)}`,
      ...extra.map(
        (e) =>
          `inventory: cold c=${e.cc} ${e.ms.toFixed(0)} ms: ${(seq.ms / e.ms).toFixed(2)}× faster than sequential, ${(e.ms / (Math.ceil(n / e.cc) * oneCall)).toFixed(2)}× its measured ideal`,
      ),
      `inventory: relaunch with nothing changed made ${warmCalls.total} VBoxManage calls (${Object.entries(
        warmCalls.byVerb,
      )
        .map(([v, k]) => `${v} ×${k}`)
        .join(', ')}) in ${relaunch.ms.toFixed(0)} ms — target ≤ 3 calls: ${verdict(warmCalls.total <= 3)}`,
      `inventory: host RSS of a fresh Node process after the service loaded ${rss.vms} VMs (${rss.configs} configurations): ${mb(rss.rss)} MB (heap ${mb(rss.heapUsed)} MB) — target ≤ 150 MB: ${verdict(rss.rss <= 150 * 1024 * 1024)}`,
      `inventory: Node ${process.versions.node}, ${os.cpus().length} CPU(s), load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end`,
    );
    return { rows, info };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.argv[2] === '--rss-child') {
    await rssChild(process.argv[3], process.argv[4]);
  } else {
    const { rows, info } = await inventoryBench();
    console.log(formatInventoryRows(rows));
    console.log(`\n${info.join('\n')}`);
  }
}

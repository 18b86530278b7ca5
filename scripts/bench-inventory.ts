/**
 * Inventory benchmark (issue 6): the stand-in VBoxManage (tests/stand-in) with N VMs (default 100;
 * BENCH_VMS) answering every call after a fixed latency (default 100 ms; BENCH_LATENCY_MS), and a
 * VirtualBox home folder (`VBOX_USER_HOME`) whose `VirtualBox.xml` registers one real-looking `.vbox`
 * per VM.
 *
 * Setup (`writeVboxLab` of tests/helpers/stand-in.ts): VM i gets a copy of the real `.vbox` fixtures
 * of tests/fixtures/vbox (round-robin) with a new `Machine/@uuid` and name, and a copy of the real
 * `showvminfo --machinereadable` recordings of tests/fixtures/showvminfo (round-robin over the
 * recordings of running VMs for running VMs, over the others for the rest) with the same UUID, name
 * and `CfgFile`, which the stand-in answers. The two files of one VM come from different
 * real machines (no fixture pair of the same VM exists), so they disagree on values; the bench only
 * measures time and calls.
 *
 * Measured, in wall-clock milliseconds, through the inventory service (app/core/inventory-service.ts)
 * with a fresh data folder:
 * - time to the VM list: until `progress().listed` is first non-empty (polled every 2 ms), and the
 *   VBoxManage calls started by then;
 * - cold full inventory (`list()`): calls by verb;
 * - the sequential baseline: `readInventory` with concurrency 1 (`list vms`, then one `showvminfo`
 *   after another for all N, as wrappers like Vagrant do), and the previous design (a `showvminfo`
 *   per VM at the runner's default concurrency c);
 * - the ideal of this design: (1 + ⌈(k−1)/c⌉ + ⌈S/c⌉) × latency when `--version` is run (it runs
 *   first and alone, checked before any other verb; (⌈k/c⌉ + ⌈S/c⌉) × latency when it is cached),
 *   k = listing calls made (`--version`, `list vms`, `list runningvms`, `list hostinfo`), S =
 *   `showvminfo` calls made: the other listing calls run c at a time, the `showvminfo` calls start once `list vms` and `list runningvms` answered — with the
 *   configured latency and with the measured latency of one call (process start + delay);
 * - warm relaunch: a new service on the same data folder, nothing changed: calls by verb (target ≤ 3);
 * - the same with 10 VMs running (they need `showvminfo`): cold and warm;
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
import { INVENTORY_CACHE_FILE } from '../app/core/vbox/inventory-cache.ts';
import { readInventory } from '../app/core/vbox/inventory.ts';
import { VBoxRunner } from '../app/core/vbox/runner.ts';
import { writeVboxLab, type VboxLab } from '../tests/helpers/stand-in.ts';
import type { BenchRow } from './bench.ts';

const ROOT = path.resolve(import.meta.dirname, '..');
const STAND_IN = path.join(ROOT, 'tests/stand-in/VBoxManage');
const FIXTURES = path.join(ROOT, 'tests/fixtures');

/** A generated bench setup: the lab (VirtualBox home, scenario) in `dir`. */
export interface BenchScenario {
  dir: string;
  lab: VboxLab;
  uuids: string[];
}

/**
 * Writes the bench lab with `n` VMs and `delayMs` per call into a new temporary folder: `.vbox`
 * fixtures round-robin, names `bench-vm-000`…; the first `running` VMs are running (listed by
 * `list runningvms`) and answer with recordings of running VMs, the others with recordings of VMs
 * that were not running (powered off or saved), so each VM's answers agree with each other.
 */
export function makeBenchScenario(n: number, delayMs: number, running = 0): BenchScenario {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-bench-inv-'));
  const vboxes = fs
    .readdirSync(path.join(FIXTURES, 'vbox'))
    .sort()
    .map((f) => `vbox/${f}`);
  const recordings = fs
    .readdirSync(path.join(FIXTURES, 'showvminfo'))
    .sort()
    .map((f) => ({
      rel: `showvminfo/${f}`,
      text: fs.readFileSync(path.join(FIXTURES, 'showvminfo', f), 'utf8'),
    }))
    .filter((r) => /^UUID="[^"\r\n]*"/m.test(r.text) && /^name="[^"\r\n]*"/m.test(r.text));
  const live = (t: string): boolean => /^VMState="(running|paused)"/m.test(t);
  const runningDumps = recordings.filter((r) => live(r.text)).map((r) => r.rel);
  const stoppedDumps = recordings.filter((r) => !live(r.text)).map((r) => r.rel);
  const vms = Array.from({ length: n }, (_, i) => ({
    vbox: vboxes[i % vboxes.length],
    showvminfo: i < running ? runningDumps[i % runningDumps.length] : stoppedDumps[i % stoppedDumps.length],
    name: `bench-vm-${String(i).padStart(3, '0')}`,
    ...(i < running ? { running: true } : {}),
  }));
  const lab = writeVboxLab(dir, vms, { delayMs, uuidPrefix: 'b3a70000' });
  return { dir, lab, uuids: lab.vms.map((v) => v.uuid) };
}

/** Calls in a stand-in log (one JSON line per call), in total and by verb (`list vms`, `showvminfo`, …). */
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

const verbs = (c: { byVerb: Record<string, number> }): string =>
  Object.entries(c.byVerb)
    .map(([v, k]) => `${v} ×${k}`)
    .join(', ');

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

/** A new inventory service over `dataDir` (its cache file there), pointed at the stand-in and the lab's VirtualBox home. */
function service(lab: VboxLab, logFile: string, dataDir: string): { svc: InventoryService; close(): void } {
  const store = openStore(dataDir);
  const svc = new InventoryService({
    store,
    env: {
      VBOXMANAGE: STAND_IN,
      VBOX_STANDIN_SCENARIO: lab.scenarioFile,
      VBOX_STANDIN_LOG: logFile,
      VBOX_USER_HOME: lab.home,
      PATH: '',
    },
    platform: process.platform,
    homedir: path.dirname(lab.home),
    vmware: { vmrunPath: null },
    locateVirsh: async () => ({ tried: [] }),
    cacheFile: path.join(dataDir, INVENTORY_CACHE_FILE),
  });
  return { svc, close: () => store.close() };
}

/** One service read: wall time, time until `progress().listed` was first non-empty and the calls started by then. */
async function measuredList(
  lab: VboxLab,
  logFile: string,
  dataDir: string,
): Promise<{
  ms: number;
  cpuMs: number;
  listedMs: number;
  callsAtListed: number;
  perVmAtListed: number;
  vms: number;
  readable: number;
}> {
  const { svc, close } = service(lab, logFile, dataDir);
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let listedMs = NaN;
  let callsAtListed = 0;
  let perVmAtListed = 0;
  let settled = false;
  const p = svc.list().finally(() => (settled = true));
  while (!settled && Number.isNaN(listedMs)) {
    if ((svc.progress().listed?.length ?? 0) > 0) {
      listedMs = performance.now() - t0;
      const calls = countCalls(logFile);
      callsAtListed = calls.total;
      perVmAtListed = calls.byVerb.showvminfo ?? 0;
      break;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  const inv = await p;
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  if (Number.isNaN(listedMs)) {
    listedMs = ms;
    const calls = countCalls(logFile);
    callsAtListed = calls.total;
    perVmAtListed = calls.byVerb.showvminfo ?? 0;
  }
  close();
  const mine = inv.vms.filter((v) => v.hypervisor === 'virtualbox');
  return {
    ms,
    cpuMs,
    listedMs,
    callsAtListed,
    perVmAtListed,
    vms: mine.length,
    readable: mine.filter((v) => v.accessible).length,
  };
}

/** Child mode: load the inventory through the service, print RSS and heap in bytes as JSON. */
async function rssChild(home: string, scenarioFile: string, dataDir: string): Promise<void> {
  const lab: VboxLab = { home, scenarioFile, vms: [] };
  const rssStart = process.memoryUsage().rss;
  const { svc, close } = service(lab, path.join(dataDir, 'rss.log'), dataDir);
  const inv = await svc.list();
  const details = await Promise.all(inv.vms.map((v) => svc.get(v.id)));
  const m = process.memoryUsage();
  process.stdout.write(
    JSON.stringify({
      vms: inv.vms.length,
      configs: details.filter((d) => d.config).length,
      rss: m.rss,
      rssStart,
      heapUsed: m.heapUsed,
      heapTotal: m.heapTotal,
    }),
  );
  close();
}

/** What the RSS child prints: VMs and configurations loaded, RSS at its start and at the end, heap (bytes). */
interface RssResult {
  vms: number;
  configs: number;
  rss: number;
  rssStart: number;
  heapUsed: number;
  heapTotal: number;
}

function measureRss(lab: VboxLab, dataDir: string): Promise<RssResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [import.meta.filename, '--rss-child', lab.home, lab.scenarioFile, dataDir],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (c: string) => (out += c));
    child.on('error', reject);
    child.on('close', (code) => {
      try {
        if (code !== 0) throw new Error(`RSS child exited with ${code}`);
        resolve(JSON.parse(out) as RssResult);
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
  const runningCount = Math.min(10, n);
  const { dir, lab } = makeBenchScenario(n, latency);
  const dirs = [dir];
  const log = (name: string): string => path.join(dir, `${name}.log`);
  const runner = (c: number, logFile: string): VBoxRunner =>
    new VBoxRunner(STAND_IN, {
      concurrency: c,
      env: { VBOX_STANDIN_SCENARIO: lab.scenarioFile, VBOX_STANDIN_LOG: logFile },
    });
  const info: string[] = [];
  const rows: BenchRow[] = [];
  const verdict = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  try {
    const c = new VBoxRunner(STAND_IN).concurrency;

    // One call, three times: the real latency of one call (process start + delay).
    const callTimes: number[] = [];
    for (let i = 0; i < 3; i++)
      callTimes.push((await time(() => runner(c, log('one-call')).run(['list', 'vms']))).ms);
    const oneCall = median(callTimes);
    /**
     * Ideal of this design: `--version` alone first when it is run (v = 1; not when cached, v = 0),
     * the other listing calls c at a time, then the showvminfo calls c at a time.
     */
    const ideal = (k: number, s: number, lat: number, v: number): number =>
      (v + Math.ceil((k - v) / c) + Math.ceil(s / c)) * lat;
    /** 1 when the read ran `--version` (its own round), else 0. */
    const vOf = (calls: { byVerb: Record<string, number> }): number =>
      (calls.byVerb['--version'] ?? 0) > 0 ? 1 : 0;
    /** The formula as shown: `(1 + ⌈3/4⌉ + ⌈40/4⌉)`. */
    const shown = (k: number, s: number, v: number): string =>
      v ? `(1 + ⌈${k - 1}/${c}⌉ + ⌈${s}/${c}⌉)` : `(⌈${k}/${c}⌉ + ⌈${s}/${c}⌉)`;

    // The inventory service: cold (fresh data folder), then a relaunch on the same folder.
    const dataDir = path.join(dir, 'data');
    const coldLog = log('service-cold');
    const cold = await measuredList(lab, coldLog, dataDir);
    const coldCalls = countCalls(coldLog);
    const k = coldCalls.total - (coldCalls.byVerb.showvminfo ?? 0);
    const s = coldCalls.byVerb.showvminfo ?? 0;
    const coldIdeal = ideal(k, s, latency, vOf(coldCalls));
    const coldIdealMeasured = ideal(k, s, oneCall, vOf(coldCalls));
    const warmLog = log('service-relaunch');
    const warm = await measuredList(lab, warmLog, dataDir);
    const warmCalls = countCalls(warmLog);

    // Baselines: one showvminfo after another (Vagrant-like), and the previous design at c.
    const baseline = async (cc: number): Promise<{ ms: number; calls: number }> => {
      const file = log(`readInventory-c${cc}`);
      const r = await time(() => readInventory(runner(cc, file)));
      const readable = r.value.vms.filter((v) => v.accessible).length;
      if (readable !== n) info.push(`inventory: WARNING readInventory c=${cc} read ${readable} of ${n} VMs`);
      return { ms: r.ms, calls: countCalls(file).total };
    };
    const seq = await baseline(1);
    const previous = await baseline(c);

    // 10 VMs running: they are read with showvminfo (never from the cache).
    const runLab = makeBenchScenario(n, latency, runningCount);
    dirs.push(runLab.dir);
    const runData = path.join(runLab.dir, 'data');
    const runColdLog = log('running-cold');
    const runCold = await measuredList(runLab.lab, runColdLog, runData);
    const runColdCalls = countCalls(runColdLog);
    const rk = runColdCalls.total - (runColdCalls.byVerb.showvminfo ?? 0);
    const rs = runColdCalls.byVerb.showvminfo ?? 0;
    const runWarmLog = log('running-relaunch');
    const runWarm = await measuredList(runLab.lab, runWarmLog, runData);
    const runWarmCalls = countCalls(runWarmLog);
    const wk = runWarmCalls.total - (runWarmCalls.byVerb.showvminfo ?? 0);
    const ws = runWarmCalls.byVerb.showvminfo ?? 0;

    const rss = await measureRss(lab, path.join(dir, 'rss'));
    const rssWarm = await measureRss(lab, path.join(dir, 'rss'));
    const mb = (b: number): string => (b / 1024 / 1024).toFixed(1);

    rows.push(row(`time to the VM list (cold; ${cold.callsAtListed} calls started by then)`, cold.listedMs));
    rows.push(
      row(`time to the VM list (relaunch; ${warm.callsAtListed} calls started by then)`, warm.listedMs),
    );
    rows.push(
      row(
        `service cold list(): ${coldCalls.total} calls (${verbs(coldCalls)})`,
        cold.ms,
        Math.min(seq.ms / 4, 1.2 * coldIdealMeasured),
      ),
    );
    rows.push(row(`sequential: list vms + ${n} showvminfo one after another (c=1)`, seq.ms));
    rows.push(row(`previous design: list vms + ${n} showvminfo, c=${c}`, previous.ms));
    rows.push(row(`ideal ${shown(k, s, vOf(coldCalls))} × ${latency} ms`, coldIdeal));
    rows.push(
      row(
        `ideal ${shown(k, s, vOf(coldCalls))} × ${oneCall.toFixed(0)} ms (measured call)`,
        coldIdealMeasured,
      ),
    );
    rows.push(
      row(
        `service relaunch list(), nothing changed: ${warmCalls.total} calls (${verbs(warmCalls)})`,
        warm.ms,
      ),
    );
    rows.push(
      row(
        `${runningCount} running, cold: ${runColdCalls.total} calls (${verbs(runColdCalls)})`,
        runCold.ms,
        1.2 * ideal(rk, rs, oneCall, vOf(runColdCalls)),
      ),
    );
    rows.push(
      row(
        `${runningCount} running, ideal ${shown(rk, rs, vOf(runColdCalls))} × ${oneCall.toFixed(0)} ms`,
        ideal(rk, rs, oneCall, vOf(runColdCalls)),
      ),
    );
    rows.push(
      row(
        `${runningCount} running, relaunch: ${runWarmCalls.total} calls (${verbs(runWarmCalls)})`,
        runWarm.ms,
        1.2 * ideal(wk, ws, oneCall, vOf(runWarmCalls)),
      ),
    );

    const speedup = seq.ms / cold.ms;
    info.push(
      `inventory: stand-in with ${n} VMs registered in a VirtualBox.xml (copies of the ${'real .vbox fixtures'} with new UUIDs and names; showvminfo answers from copies of the real recordings), ${latency} ms added to every call; one call measured ${callTimes.map((t) => t.toFixed(0)).join('/')} ms (process start + delay); runner default concurrency c=${c}`,
      `inventory: ideal of this design = (1 + ⌈(k−1)/c⌉ + ⌈S/c⌉) × latency when --version is run (it runs first and alone: its output is checked before any other verb), (⌈k/c⌉ + ⌈S/c⌉) × latency when it is cached; k = listing calls made (--version, list vms, list runningvms, list hostinfo; cached ones are not made), S = showvminfo calls made; verdicts use the measured call latency`,
      `inventory: VM list on screen (progress().listed) after ${cold.listedMs.toFixed(0)} ms cold, ${cold.callsAtListed} calls started by then (--version first and alone, then list vms), and ${warm.listedMs.toFixed(0)} ms on relaunch, ${warm.callsAtListed} calls started (list runningvms alongside) — target "list after one call" (published when list vms answers, before any per-VM call: ${cold.perVmAtListed} and ${warm.perVmAtListed} showvminfo started by then): ${verdict(cold.perVmAtListed === 0 && warm.perVmAtListed === 0)}; that is ${(cold.listedMs / oneCall).toFixed(2)}× (cold) and ${(warm.listedMs / oneCall).toFixed(2)}× (relaunch) the ${oneCall.toFixed(0)} ms of one call made alone`,
      `inventory: cold full inventory ${cold.ms.toFixed(0)} ms, ${cold.readable} of ${cold.vms} VMs readable, ${coldCalls.total} calls (${verbs(coldCalls)}) vs sequential ${seq.ms.toFixed(0)} ms (${seq.calls} calls): ${speedup.toFixed(1)}× faster — target ≥ 4×: ${verdict(speedup >= 4)}; ${(cold.ms / coldIdealMeasured).toFixed(2)}× the ideal of this design with the measured call latency (${coldIdealMeasured.toFixed(0)} ms) — target ≤ 1.2×: ${verdict(cold.ms <= 1.2 * coldIdealMeasured)}; ${(cold.ms / coldIdeal).toFixed(2)}× the ideal with the configured latency (${coldIdeal.toFixed(0)} ms)`,
      `inventory: CPU time of this process during the cold read: ${cold.cpuMs.toFixed(0)} ms (starting the VBoxManage children, reading and parsing ${cold.vms} settings files and the showvminfo outputs, writing the cache file; the stand-in children are separate processes — the .vbox parse alone: scripts/bench-vbox-parse.ts), during the relaunch: ${warm.cpuMs.toFixed(0)} ms (parses reused from the cache file)`,
      `inventory: previous design (showvminfo for every VM, c=${c}) ${previous.ms.toFixed(0)} ms, ${(seq.ms / previous.ms).toFixed(2)}× faster than sequential`,
      `inventory: relaunch with nothing changed: ${warmCalls.total} VBoxManage calls (${verbs(warmCalls)}) in ${warm.ms.toFixed(0)} ms — target ≤ 3 calls: ${verdict(warmCalls.total <= 3)}`,
      `inventory: ${runningCount} VMs running: cold ${runCold.ms.toFixed(0)} ms with ${runColdCalls.total} calls (${verbs(runColdCalls)}), ${(runCold.ms / ideal(rk, rs, oneCall, vOf(runColdCalls))).toFixed(2)}× its ideal; relaunch ${runWarm.ms.toFixed(0)} ms with ${runWarmCalls.total} calls (${verbs(runWarmCalls)}) — running VMs are always read with showvminfo`,
      `inventory: host RSS of a fresh Node process after the service loaded ${rss.vms} VMs (${rss.configs} configurations, cold): ${mb(rss.rss)} MB (${mb(rss.rssStart)} MB after loading the app's modules, before the read; heap used ${mb(rss.heapUsed)} MB of ${mb(rss.heapTotal)} MB) — target ≤ 150 MB: ${verdict(rss.rss <= 150 * 1024 * 1024)}; after a relaunch (same data folder): ${mb(rssWarm.rss)} MB (${mb(rssWarm.rssStart)} MB before the read; heap used ${mb(rssWarm.heapUsed)} MB of ${mb(rssWarm.heapTotal)} MB) — ${verdict(rssWarm.rss <= 150 * 1024 * 1024)}`,
      `inventory: Node ${process.versions.node}, ${os.cpus().length} CPU(s), load average ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')} at the end`,
    );
    return { rows, info };
  } finally {
    for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  if (process.argv[2] === '--rss-child') {
    await rssChild(process.argv[3], process.argv[4], process.argv[5]);
  } else {
    const { rows, info } = await inventoryBench();
    console.log(formatInventoryRows(rows));
    console.log(`\n${info.join('\n')}`);
  }
}

/**
 * `npm run bench`: performance measurements, printed as a table. Not a test: it never fails the
 * build; each row says whether its target was met.
 *
 * Sections register with {@link registerBench}; each returns rows of timings. Run all with
 * `npm run bench`, or some with `npm run bench -- search inventory` (section names).
 *
 * Section `search` (issue 5): the SQLite FTS5 trigram search over the catalog, the lessons and tours
 * of `resources/`, and 10 000 generated notes (mixed English and Chinese) in a temporary database;
 * 1000 queries mixing 1–2-character Chinese words (LIKE path), 3+-character Chinese words and
 * English words (FTS path); p50/p95/p99/max of wall-clock milliseconds per query kind and overall
 * (target: p95 ≤ 10 ms), and of the process CPU time per query (`process.cpuUsage`, user + system),
 * which shows the cost of a query when other processes compete for the CPU.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { ensureSearchIndex, search } from '../app/core/search/index.ts';
import { openStore } from '../app/core/store/index.ts';
import { DEFAULT_RESOURCES_DIR, loadStudyContent } from '../app/core/study/content.ts';
import { CATALOG } from '../app/shared/catalog-data.ts';

/** One printed row: timings of one case, in milliseconds. */
export interface BenchRow {
  case: string;
  n: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  /** Target for p95 in ms, when there is one. */
  targetP95?: number;
}

/** A named group of measurements. `info` lines are printed under the table (setup sizes, build times). */
export interface BenchSection {
  name: string;
  run: () => Promise<{ rows: BenchRow[]; info?: string[] }>;
}

/** Registered sections, in registration order. */
export const SECTIONS: BenchSection[] = [];

/** Adds a section (other benchmarks — inventory, renderer — register here). */
export function registerBench(name: string, run: BenchSection['run']): void {
  SECTIONS.push({ name, run });
}

/** Nearest-rank percentile of sorted samples (`p` in 0–100). */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
}

/** Summarises samples (ms) into a row. */
export function summarize(name: string, samples: readonly number[], targetP95?: number): BenchRow {
  const sorted = [...samples].sort((a, b) => a - b);
  return {
    case: name,
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
    max: sorted[sorted.length - 1] ?? NaN,
    targetP95,
  };
}

/** Formats rows of several sections as a plain-text table. */
export function formatTable(rows: readonly (BenchRow & { section: string })[]): string {
  const head = ['section', 'case', 'n', 'p50 ms', 'p95 ms', 'p99 ms', 'max ms', 'target p95', 'met'];
  const ms = (v: number): string => v.toFixed(3);
  const body = rows.map((r) => [
    r.section,
    r.case,
    String(r.n),
    ms(r.p50),
    ms(r.p95),
    ms(r.p99),
    ms(r.max),
    r.targetP95 === undefined ? '' : `≤ ${r.targetP95}`,
    r.targetP95 === undefined ? '' : r.p95 <= r.targetP95 ? 'yes' : 'NO',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((b) => b[i].length)));
  const line = (cells: string[]): string =>
    `| ${cells.map((c, i) => (i >= 2 && i <= 6 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join(' | ')} |`;
  return [line(head), `|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`, ...body.map(line)].join('\n');
}

// ---------------------------------------------------------------------------------------------
// Search

/** Deterministic PRNG (mulberry32), so every run measures the same data and queries. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const EN_SENTENCES = [
  'Gave the VM more memory after the guest started swapping.',
  'Bridged adapter on the wired interface so the LAN can reach the web server.',
  'NAT with a port forwarding rule 2222 to 22 for ssh.',
  'Two vCPUs are enough; four made the host sluggish.',
  'Enable nested paging, it was off after the import.',
  'Take a snapshot before upgrading the kernel.',
  'The disk image is dynamic and grows up to 64 GB.',
  'Host-only network for the database, no internet needed.',
  'Video memory raised to 128 MB for the desktop guest.',
  'USB 3.0 controller needs the extension pack.',
  'Shared folder mounted at /mnt/project with auto-mount.',
  'Execution cap at 50 percent during the class demo.',
  'Check the MAC address after cloning the machine.',
  'Serial port redirected to a file for kernel logs.',
  'EFI firmware required for this installer.',
];
const ZH_SENTENCES = [
  '客户机开始频繁换页后，给虚拟机加了内存。',
  '桥接到有线网卡，局域网里的电脑可以访问网站服务。',
  '网络地址转换加一条端口转发规则，把 2222 转到 22 用于登录。',
  '两个虚拟处理器就够了，四个会拖慢主机。',
  '导入后嵌套分页是关闭的，要记得打开。',
  '升级内核之前先拍一个快照。',
  '磁盘映像是动态分配的，最多增长到 64 GB。',
  '数据库用仅主机网络，不需要上网。',
  '桌面客户机的显存调到 128 MB。',
  'USB 3.0 控制器需要安装扩展包。',
  '共享文件夹自动挂载到 /mnt/project。',
  '课堂演示时把运行峰值设为百分之五十。',
  '克隆虚拟机之后检查 MAC 地址。',
  '串口重定向到文件，用来保存内核日志。',
  '这个安装程序需要 EFI 固件。',
];

const QUERIES = {
  'zh 1–2 chars (LIKE)': [
    '内存',
    '网络',
    '桥接',
    '磁盘',
    '快照',
    '显存',
    '端口',
    '主机',
    '核',
    '盘',
    '固件',
    '串口',
    '扇区', // matches nothing: a full scan of every note
  ],
  'zh 3+ chars (FTS)': [
    '虚拟机',
    '端口转发',
    '网络地址转换',
    '嵌套分页',
    '处理器',
    '共享文件夹',
    '仅主机网络',
    '扩展包',
  ],
  'en words (FTS)': [
    'memory',
    'bridged',
    'port forwarding',
    'snapshot',
    'NAT',
    'nested paging',
    'video memory',
    'execution cap',
    'host-only',
    'firmware',
    'shared folder',
    'zzyzx',
  ],
} as const;

function uuidFrom(next: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
}

async function searchBench(): Promise<{ rows: BenchRow[]; info: string[] }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-bench-'));
  const store = openStore(dir);
  try {
    const next = rng(20250501);
    const t0 = performance.now();
    const content = loadStudyContent(DEFAULT_RESOURCES_DIR);
    const tLoad = performance.now() - t0;
    const t1 = performance.now();
    ensureSearchIndex(store, content);
    const tIndex = performance.now() - t1;
    const docs = (store.db.prepare('SELECT COUNT(*) AS n FROM search_docs').get() as { n: number }).n;

    const vms = Array.from({ length: 40 }, () => uuidFrom(next));
    const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)];
    const t2 = performance.now();
    let made = 0;
    const used = new Set<string>();
    store.db.transaction(() => {
      while (made < 10_000) {
        const vm = pick(vms);
        const setting =
          next() < 0.1 ? '' : `${pick(CATALOG).id}${next() < 0.2 ? `#${1 + Math.floor(next() * 4)}` : ''}`;
        const sentences = 1 + Math.floor(next() * 4);
        const parts: string[] = [];
        for (let i = 0; i < sentences; i++) parts.push(pick(next() < 0.5 ? EN_SENTENCES : ZH_SENTENCES));
        if (used.has(`${vm} ${setting}`)) continue;
        used.add(`${vm} ${setting}`);
        store.saveNote(vm, setting, `${parts.join(' ')} (#${made})`);
        made++;
      }
    })();
    const tNotes = performance.now() - t2;
    const notes = (store.db.prepare('SELECT COUNT(*) AS n FROM search_notes').get() as { n: number }).n;

    const kinds = Object.keys(QUERIES) as (keyof typeof QUERIES)[];
    const plan = Array.from({ length: 1000 }, (_, i) => {
      const kind = kinds[i % kinds.length];
      return { kind, q: pick(QUERIES[kind]), lang: next() < 0.5 ? ('en' as const) : ('zh-CN' as const) };
    });
    const load = os
      .loadavg()
      .map((l) => l.toFixed(1))
      .join(' ');
    for (const p of plan.slice(0, 50)) search(store, p.q, { lang: p.lang }); // warm-up, not measured
    const samples = new Map<string, number[]>(kinds.map((k) => [k, []]));
    const all: number[] = [];
    const cpu: number[] = [];
    let hits = 0;
    for (const p of plan) {
      const c = process.cpuUsage();
      const s = performance.now();
      const results = search(store, p.q, { lang: p.lang, limit: 20 });
      const ms = performance.now() - s;
      const used = process.cpuUsage(c);
      cpu.push((used.user + used.system) / 1000);
      hits += results.length;
      samples.get(p.kind)!.push(ms);
      all.push(ms);
    }
    return {
      rows: [
        ...kinds.map((k) => summarize(k, samples.get(k)!, 10)),
        summarize('all queries', all, 10),
        summarize('all queries, CPU time', cpu),
      ],
      info: [
        `search: ${docs} indexed rows (catalog ${CATALOG.length} entries, ${content.lessons.length} lessons, ${content.tours.length} tours, both languages) + ${notes} notes; limit 20, ${(hits / plan.length).toFixed(1)} results per query on average`,
        `search: content load ${tLoad.toFixed(0)} ms, index build ${tIndex.toFixed(0)} ms, 10 000 notes inserted (triggers indexing them) in ${tNotes.toFixed(0)} ms`,
        `search: Node ${process.versions.node}, SQLite ${(store.db.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v}, ${os.cpus().length} CPU(s) ${os.cpus()[0]?.model ?? ''}, load average ${load} before the queries`,
      ],
    };
  } finally {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

registerBench('search', searchBench);
// Renderer (scripts/bench-renderer.ts): cold load, page switch, first-screen JS; needs out/web built.
registerBench('renderer', async () => (await import('./bench-renderer.ts')).rendererBench());
// Inventory (scripts/bench-inventory.ts): 100 stand-in VMs at 100 ms per call; cold, sequential, ideal, relaunch, RSS.
registerBench('inventory', async () => (await import('./bench-inventory.ts')).inventoryBench());

/** Runs the sections named in `names` (all when empty) and prints the table. */
export async function main(names: readonly string[] = []): Promise<void> {
  const chosen = names.length === 0 ? SECTIONS : SECTIONS.filter((s) => names.includes(s.name));
  if (chosen.length === 0) {
    console.error(
      `No bench section named ${names.join(', ')}. Sections: ${SECTIONS.map((s) => s.name).join(', ')}`,
    );
    process.exitCode = 2;
    return;
  }
  const rows: (BenchRow & { section: string })[] = [];
  const info: string[] = [];
  for (const section of chosen) {
    const result = await section.run();
    rows.push(...result.rows.map((r) => ({ ...r, section: section.name })));
    info.push(...(result.info ?? []));
  }
  console.log(formatTable(rows));
  if (info.length > 0) console.log(`\n${info.join('\n')}`);
}

if (import.meta.main) await main(process.argv.slice(2));

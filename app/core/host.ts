import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { HostFacts } from '../shared/model.ts';
import type { HostInfo } from './vbox/parse-hostinfo.ts';

/**
 * Facts about the machine the app runs on, measured against VM settings by the advice rules:
 * from Node's `os` module, completed by `VBoxManage list hostinfo` when VirtualBox is installed
 * (VirtualBox's own vCPU warnings use its "Processor online core count", its RAM warnings its
 * "Memory size"; reference/virtualbox-settings.md §4.3).
 */

/** The parts of Node's `os` module this file uses (injectable for tests). */
export interface OsLike {
  availableParallelism?: () => number;
  cpus: () => { model: string }[];
  totalmem: () => number;
  type: () => string;
  release: () => string;
  arch: () => string;
  platform: () => NodeJS.Platform;
}

/** Host facts Node can see by itself. */
export interface OsFacts {
  /** Logical processors available to this process (`os.availableParallelism()`, else `os.cpus().length`, at least 1). */
  threads: number;
  /**
   * Physical cores: counted from the CPU topology when the system shows it (see
   * {@link countPhysicalCores}), else estimated from the thread count ({@link estimateCores}).
   */
  estimatedCores: number;
  /** True when `estimatedCores` is the estimate, not a count. */
  coresEstimated?: boolean;
  /** Total RAM in MB (MiB): `os.totalmem() / 1048576`, rounded. */
  memoryMB: number;
  /** First CPU's model string, when Node reports one. */
  cpuModel?: string;
  /** Operating system name and kernel release, e.g. `Linux 6.1.0-21-amd64`, `Darwin 24.0.0`, `Windows_NT 10.0.22631`. */
  os: string;
  platform: NodeJS.Platform;
  /** CPU architecture as Node names it (`x64`, `arm64`, `ia32`, …). */
  arch: string;
}

/**
 * Estimates physical cores from the logical processor count. Node cannot see cores, only
 * threads. x86 CPUs (`x64`, `ia32`) with an even thread count are assumed to run two threads per
 * core (Hyper-Threading / SMT), so cores = ceil(threads / 2); other architectures (Apple Silicon
 * and most ARM chips have no SMT) and odd counts are taken as one thread per core. The estimate can
 * be low on x86 chips without SMT; `list hostinfo` replaces it whenever VirtualBox is available.
 */
export function estimateCores(threads: number, arch: string): number {
  const t = Math.max(1, Math.floor(threads));
  const smtLikely = (arch === 'x64' || arch === 'ia32') && t >= 2 && t % 2 === 0;
  return smtLikely ? Math.ceil(t / 2) : t;
}

/**
 * Where {@link countPhysicalCores} looks (injectable for tests). Each function may throw when the
 * file, folder or command is missing.
 */
export interface TopologySource {
  /** Names in a folder (`fs.readdirSync`). */
  readdir: (path: string) => string[];
  /** A text file's content (`fs.readFileSync(path, 'utf8')`). */
  readFile: (path: string) => string;
  /** macOS: stdout of `sysctl -n <name>`. */
  sysctl: (name: string) => string;
}

/** The real file system and `/usr/sbin/sysctl` (run without a shell, 2 s deadline). */
export const SYSTEM_TOPOLOGY: TopologySource = {
  readdir: (p) => fs.readdirSync(p),
  readFile: (p) => fs.readFileSync(p, 'utf8'),
  sysctl: (name) =>
    execFileSync('/usr/sbin/sysctl', ['-n', name], {
      encoding: 'utf8',
      timeout: 2000,
      stdio: ['ignore', 'pipe', 'ignore'],
      windowsHide: true,
    }),
};

const CPU_DIR = '/sys/devices/system/cpu';

/**
 * Counts the host's physical cores (online ones), or returns undefined when the system does not
 * tell:
 * - Linux: unique (`physical_package_id`, `die_id`, `core_id`) triples of the online CPUs under
 *   `/sys/devices/system/cpu/cpuN/topology/` (a CPU whose `online` file says `0` is skipped);
 *   without that, unique (`physical id`, `core id`) pairs of `/proc/cpuinfo` (absent on most ARM
 *   kernels → undefined);
 * - macOS: `sysctl -n hw.physicalcpu`;
 * - other systems (Windows): undefined.
 * Never throws.
 */
export function countPhysicalCores(
  platform: NodeJS.Platform,
  src: TopologySource = SYSTEM_TOPOLOGY,
): number | undefined {
  const attempt = <T>(f: () => T): T | undefined => {
    try {
      return f();
    } catch {
      return undefined;
    }
  };
  if (platform === 'darwin') {
    const n = Number(attempt(() => src.sysctl('hw.physicalcpu'))?.trim());
    return Number.isSafeInteger(n) && n > 0 ? n : undefined;
  }
  if (platform !== 'linux') return undefined;

  const cores = new Set<string>();
  for (const name of attempt(() => src.readdir(CPU_DIR)) ?? []) {
    if (!/^cpu\d+$/.test(name)) continue;
    const dir = `${CPU_DIR}/${name}`;
    if (attempt(() => src.readFile(`${dir}/online`))?.trim() === '0') continue;
    const core = attempt(() => src.readFile(`${dir}/topology/core_id`))?.trim();
    const pkg = attempt(() => src.readFile(`${dir}/topology/physical_package_id`))?.trim();
    if (!core || !pkg) continue;
    const die = attempt(() => src.readFile(`${dir}/topology/die_id`))?.trim() ?? '0';
    cores.add(`${pkg}/${die}/${core}`);
  }
  if (cores.size > 0) return cores.size;

  const cpuinfo = attempt(() => src.readFile('/proc/cpuinfo'));
  if (!cpuinfo) return undefined;
  for (const block of cpuinfo.split(/\n\s*\n/)) {
    const pkg = /^physical id\s*:\s*(\d+)/m.exec(block)?.[1];
    const core = /^core id\s*:\s*(\d+)/m.exec(block)?.[1];
    if (pkg !== undefined && core !== undefined) cores.add(`${pkg}/${core}`);
  }
  return cores.size > 0 ? cores.size : undefined;
}

/**
 * Reads host facts from Node's `os` module (or an injected look-alike) and the physical core
 * count from `topology` (see {@link countPhysicalCores}; never more than the thread count). When
 * the cores cannot be counted they are estimated and `coresEstimated` is true.
 */
export function hostFactsFromOs(o: OsLike = os, topology: TopologySource = SYSTEM_TOPOLOGY): OsFacts {
  const cpus = o.cpus();
  const threads = Math.max(1, o.availableParallelism ? o.availableParallelism() : cpus.length);
  const arch = o.arch();
  const model = cpus[0]?.model?.trim();
  const counted = countPhysicalCores(o.platform(), topology);
  const facts: OsFacts = {
    threads,
    estimatedCores: counted === undefined ? estimateCores(threads, arch) : Math.min(counted, threads),
    coresEstimated: counted === undefined,
    memoryMB: Math.round(o.totalmem() / 1048576),
    os: `${o.type()} ${o.release()}`.trim(),
    platform: o.platform(),
    arch,
  };
  if (model) facts.cpuModel = model;
  return facts;
}

/**
 * Combines Node's view with `list hostinfo` (optional). From hostinfo when present: cores
 * (`Processor online core count`), threads (`Processor online count`), memory (`Memory size`, MB),
 * CPU model (`Processor#0 description`), OS (`Operating system` + `Operating system version`),
 * HW virtualization and nested paging support; missing values fall back to `osFacts`.
 * `fromHostInfo` is true when hostinfo supplied at least the core count or the memory size;
 * `coresEstimated` is set (true) only when neither hostinfo nor the topology gave the core count.
 */
export function combineHostFacts(osFacts: OsFacts, hostInfo?: HostInfo): HostFacts {
  const h = hostInfo ?? ({ issues: [] } as HostInfo);
  const cores = positive(h.coreOnlineCount) ?? positive(h.coreCount);
  const threads = positive(h.cpuOnlineCount) ?? positive(h.cpuCount);
  const memoryMB = positive(h.memoryMB);
  const facts: HostFacts = {
    cores: cores ?? osFacts.estimatedCores,
    threads: threads ?? osFacts.threads,
    memoryMB: memoryMB ?? osFacts.memoryMB,
    os: h.os ? [h.os, h.osVersion].filter(Boolean).join(' ') : osFacts.os,
    fromHostInfo: cores !== undefined || memoryMB !== undefined,
  };
  // Facts without the flag (older callers, tests) are taken as estimates, as they used to be.
  if (cores === undefined && osFacts.coresEstimated !== false) facts.coresEstimated = true;
  const cpuModel = h.cpuDescription?.trim() || osFacts.cpuModel;
  if (cpuModel) facts.cpuModel = cpuModel;
  if (h.supportsHwVirt !== undefined) facts.supportsHwVirt = h.supportsHwVirt;
  if (h.supportsNestedPaging !== undefined) facts.supportsNestedPaging = h.supportsNestedPaging;
  return facts;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

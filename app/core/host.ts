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
  /** Estimated physical cores; see {@link estimateCores}. */
  estimatedCores: number;
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

/** Reads host facts from Node's `os` module (or an injected look-alike). */
export function hostFactsFromOs(o: OsLike = os): OsFacts {
  const cpus = o.cpus();
  const threads = Math.max(1, o.availableParallelism ? o.availableParallelism() : cpus.length);
  const arch = o.arch();
  const model = cpus[0]?.model?.trim();
  const facts: OsFacts = {
    threads,
    estimatedCores: estimateCores(threads, arch),
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
 * `fromHostInfo` is true when hostinfo supplied at least the core count or the memory size.
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
  const cpuModel = h.cpuDescription?.trim() || osFacts.cpuModel;
  if (cpuModel) facts.cpuModel = cpuModel;
  if (h.supportsHwVirt !== undefined) facts.supportsHwVirt = h.supportsHwVirt;
  if (h.supportsNestedPaging !== undefined) facts.supportsNestedPaging = h.supportsNestedPaging;
  return facts;
}

function positive(n: number | undefined): number | undefined {
  return n !== undefined && Number.isFinite(n) && n > 0 ? n : undefined;
}

import { constants as fsConstants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { Finding } from '../../shared/advice.ts';
import type { HostFacts, ReadIssue, VmConfig, VmSummary } from '../../shared/model.ts';
import { evaluateKvmAdvice } from './advice.ts';
import { parseDomainXml } from './domain-xml.ts';
import {
  hostFactsFromNodeinfo,
  neutralState,
  parseDominfo,
  parseListAll,
  parseNodeinfo,
  type Dominfo,
  type ListedDomain,
  type Nodeinfo,
} from './parse-virsh.ts';
import { VirshError, type VirshRunner } from './virsh.ts';
import { KvmParseError } from './xml.ts';

/**
 * Reading every libvirt domain of one connection through `virsh`: `list --all --uuid --name`, then per
 * domain `dominfo <uuid>` and `dumpxml [--inactive] <uuid>` through the runner's bounded queue, plus
 * `nodeinfo` for the host. One domain that cannot be read never hides the others: it becomes a summary
 * with `accessible: false` and an English `error`.
 */

/** Result of {@link readKvmInventory}. */
export interface KvmInventoryRead {
  /** The connection URI that was read. */
  uri: string;
  /** One summary per listed domain, in `virsh list` order (failed domains included). */
  vms: VmSummary[];
  /** Configuration of each domain that could be read, by id (lower-case UUID). */
  configs: Map<string, VmConfig>;
  /** Advice findings per readable domain (empty arrays included), by id; the summaries carry the counts. */
  findings: Map<string, Finding[]>;
  /** `virsh nodeinfo`, when it could be read. */
  node?: Nodeinfo;
  /** Host facts of the libvirt host (from `nodeinfo`), when available. */
  host?: HostFacts;
  /** Problems with the listing or with `nodeinfo` (per-domain problems are in the summaries and configs). */
  issues: ReadIssue[];
}

/** Options of {@link readKvmInventory}. */
export interface ReadKvmInventoryOptions {
  signal?: AbortSignal;
  /** Read the persistent (next-boot) definition with `dumpxml --inactive` instead of the live one. Default false. */
  inactive?: boolean;
  /** Host facts to judge the domains against when `nodeinfo` fails (e.g. the local machine for `qemu:///session`). */
  fallbackHost?: HostFacts;
  /** Called with (0, total) after the listing, then after each domain. */
  onProgress?: (done: number, total: number) => void;
}

/** Summary row of a parsed domain (memory = current allocation in MiB, vCPUs = current count). */
export function summaryFromKvmConfig(config: VmConfig, findings = 0): VmSummary {
  const s: VmSummary = {
    id: config.id,
    hypervisor: 'kvm',
    source: config.source,
    name: config.general.name?.value ?? config.id,
    accessible: true,
    findings,
  };
  if (config.state) s.state = config.state.value;
  if (config.general.osType) s.osType = config.general.osType.value;
  if (config.system.cpus) s.cpus = config.system.cpus.value;
  if (config.system.memoryMB) s.memoryMB = config.system.memoryMB.value;
  return s;
}

/** English text for a domain whose `dumpxml` failed. */
export function describeKvmFailure(err: unknown): string {
  if (err instanceof VirshError) {
    if (err.kind === 'exit')
      return `virsh could not read this domain (exit code ${err.exitCode}): ${(err.virshMessage ?? err.stderr?.trim() ?? 'no error text').split('\n').join(': ')}`;
    return err.message;
  }
  if (err instanceof KvmParseError) return `The domain XML could not be read: ${err.message}`;
  return `Reading this domain failed: ${err instanceof Error ? err.message : String(err)}`;
}

/** Adds `dominfo` facts (state, autostart) to a parsed config, with `dominfo/<Label>` as provenance key. */
export function applyDominfo(config: VmConfig, info: Dominfo): void {
  const native = (config.native ??= {});
  const state = info.fields['State'];
  if (state) {
    const managed = info.managedSave === true;
    const raw = managed && state.value === 'shut off' ? 'shut off (managed save)' : state.value;
    config.state = { value: neutralState(state.value, managed), key: 'dominfo/State', raw };
    native['kvm.overview.status'] = { value: state.value, key: 'dominfo/State', raw };
  }
  const autostart = info.fields['Autostart'];
  if (autostart)
    native['kvm.boot.autostart'] = { value: autostart.value, key: 'dominfo/Autostart', raw: autostart.value };
}

function failedSummary(row: ListedDomain, error: string, info?: Dominfo): VmSummary {
  const s: VmSummary = {
    id: row.uuid ?? '',
    hypervisor: 'kvm',
    source: 'file',
    name: row.name ?? info?.name ?? row.uuid ?? '?',
    accessible: false,
    error,
    findings: 0,
  };
  if (info?.state) s.state = neutralState(info.state, info.managedSave === true);
  return s;
}

/**
 * Reads all domains of the runner's connection. Rejects (with `VirshError`) only when the listing
 * itself fails (e.g. `failed to connect to the hypervisor`) or the read is aborted. Per domain:
 * `dominfo` failing only loses the state (an issue on the config); `dumpxml` failing, XML that cannot
 * be parsed, or XML of another UUID makes the domain `accessible: false` with the reason.
 * Advice is evaluated against the libvirt host's `nodeinfo` (or `fallbackHost`).
 * Format: virsh 6.x–10.x text output and libvirt domain XML.
 */
export async function readKvmInventory(
  runner: VirshRunner,
  opts: ReadKvmInventoryOptions = {},
): Promise<KvmInventoryRead> {
  const { signal, onProgress } = opts;
  const listed = await runner.run(['list', '--all', '--uuid', '--name'], { signal });
  const parsed = parseListAll(listed.stdout);
  const issues: ReadIssue[] = parsed.issues.map((i) => ({ ...i, message: `virsh list: ${i.message}` }));
  const rows: ListedDomain[] = [];
  const seen = new Set<string>();
  for (const row of parsed.domains) {
    if (!row.uuid) {
      issues.push({ line: row.line, message: `virsh list: line ${row.line} has no UUID; ignored` });
      continue;
    }
    if (seen.has(row.uuid)) {
      issues.push({
        line: row.line,
        message: `virsh list: UUID ${row.uuid} is listed twice; the second row was ignored`,
      });
      continue;
    }
    seen.add(row.uuid);
    rows.push(row);
  }

  let node: Nodeinfo | undefined;
  try {
    node = parseNodeinfo((await runner.run(['nodeinfo'], { signal })).stdout);
    issues.push(...node.issues);
  } catch (err) {
    if (err instanceof VirshError && err.kind === 'aborted') throw err;
    issues.push({ message: `virsh nodeinfo failed; host limits unknown: ${describeKvmFailure(err)}` });
  }
  const host = (node && hostFactsFromNodeinfo(node)) ?? opts.fallbackHost;

  const total = rows.length;
  let done = 0;
  onProgress?.(0, total);
  const results = await Promise.all(
    rows.map(async (row) => {
      const r = await readOne(runner, row, opts.inactive === true, signal);
      done++;
      onProgress?.(done, total);
      return r;
    }),
  );

  const vms: VmSummary[] = [];
  const configs = new Map<string, VmConfig>();
  const findings = new Map<string, Finding[]>();
  for (const r of results) {
    if (!r.config) {
      vms.push(r.summary);
      continue;
    }
    const list = host
      ? evaluateKvmAdvice(r.config, { host, uri: runner.uri })
      : evaluateKvmAdvice(r.config, { uri: runner.uri });
    findings.set(r.config.id, list);
    configs.set(r.config.id, r.config);
    vms.push(summaryFromKvmConfig(r.config, list.length));
  }
  const out: KvmInventoryRead = { uri: runner.uri, vms, configs, findings, issues };
  if (node) out.node = node;
  if (host) out.host = host;
  return out;
}

async function readOne(
  runner: VirshRunner,
  row: ListedDomain,
  inactive: boolean,
  signal?: AbortSignal,
): Promise<{ summary: VmSummary; config?: VmConfig }> {
  const uuid = row.uuid!;
  let info: Dominfo | undefined;
  let infoError: string | undefined;
  try {
    info = parseDominfo((await runner.run(['dominfo', uuid], { signal })).stdout);
  } catch (err) {
    if (err instanceof VirshError && err.kind === 'aborted') throw err;
    infoError = describeKvmFailure(err);
  }
  let config: VmConfig;
  try {
    const { stdout } = await runner.run(inactive ? ['dumpxml', '--inactive', uuid] : ['dumpxml', uuid], {
      signal,
    });
    config = parseDomainXml(stdout);
  } catch (err) {
    if (err instanceof VirshError && err.kind === 'aborted') throw err;
    return { summary: failedSummary(row, describeKvmFailure(err), info) };
  }
  if (config.id !== uuid) {
    return {
      summary: failedSummary(
        row,
        `dumpxml ${uuid} answered with the XML of domain ${config.id || '(no UUID)'}; ignored`,
        info,
      ),
    };
  }
  if (info) {
    applyDominfo(config, info);
    for (const i of info.issues) config.issues.push({ ...i, message: `dominfo: ${i.message}` });
  } else if (infoError)
    config.issues.push({ message: `dominfo failed, so the state is unknown: ${infoError}` });
  return { summary: summaryFromKvmConfig(config), config };
}

/** Largest domain XML file {@link readDomainXmlFile} accepts (8 MiB; real domains are a few KiB). */
export const MAX_DOMAIN_XML_BYTES = 8 * 1024 * 1024;

/**
 * Reads a domain XML file (e.g. `/etc/libvirt/qemu/<name>.xml` or a saved `virsh dumpxml`) as UTF-8
 * and parses it with `parseDomainXml` (`general.cfgFile` = the path, source `file`).
 * @throws Error when the file cannot be read, is not a regular file or exceeds {@link MAX_DOMAIN_XML_BYTES};
 *   KvmParseError when it is not a libvirt domain.
 */
export async function readDomainXmlFile(path: string): Promise<VmConfig> {
  // Non-blocking open: a FIFO is not waited for (it is refused by the stat check below).
  const handle = await open(path, fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0));
  try {
    const st = await handle.stat();
    if (!st.isFile()) throw new Error(`${path} is not a regular file`);
    if (st.size > MAX_DOMAIN_XML_BYTES)
      throw new Error(
        `${path} is ${st.size} bytes; domain XML files above ${MAX_DOMAIN_XML_BYTES} bytes are refused`,
      );
    const text = await handle.readFile({ encoding: 'utf8' });
    return parseDomainXml(text, { path });
  } finally {
    await handle.close();
  }
}

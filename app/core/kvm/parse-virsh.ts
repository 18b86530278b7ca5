import type { HostFacts, ReadIssue } from '../../shared/model.ts';

/**
 * Parsers for virsh's text output (English labels; the runner sets `LC_ALL=C.UTF-8`).
 * Format source: virsh 6.x–10.x (`tools/virsh-domain-monitor.c`, `tools/virsh-host.c`), checked against
 * libvirt-clients 9.0.0 with the `test:///` driver. Lenient: odd lines become issues with their
 * 1-based line number; nothing here throws.
 */

/** State words virsh prints (`virshDomainStateToString`), English. */
export const VIRSH_STATES = [
  'no state',
  'running',
  'idle',
  'blocked',
  'paused',
  'in shutdown',
  'shut off',
  'crashed',
  'pmsuspended',
  'dying',
] as const;

/** One domain as `virsh list --all` printed it. Which fields are set depends on the form. */
export interface ListedDomain {
  /** Domain id of a running domain (table form; `-` = inactive → undefined). */
  id?: number;
  name?: string;
  uuid?: string;
  /** Raw state word (table form), e.g. `shut off`. */
  state?: string;
  /** `--title` column, when printed. */
  title?: string;
  /** 1-based line of the row. */
  line: number;
}

const UUID_LINE =
  /^([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})(?:\s+(.*))?$/;
const STATE_ALT = VIRSH_STATES.map((s) => s.replace(' ', '\\s')).join('|');
const TABLE_ROW = new RegExp(`^(\\d+|-)\\s+(.+?)\\s+(${STATE_ALT})(?:\\s+(.*))?$`);

/**
 * Parses `virsh list --all` in any of its forms: the table (`Id Name State [Title]`), `--uuid --name`
 * (`<uuid> <name>` per line), `--uuid` (UUIDs only) or `--name` (names only). Names may contain spaces.
 */
export function parseListAll(text: string): { domains: ListedDomain[]; issues: ReadIssue[] } {
  const domains: ListedDomain[] = [];
  const issues: ReadIssue[] = [];
  const lines = text.split(/\r?\n/);
  let table = false;
  lines.forEach((raw, i) => {
    const line = i + 1;
    const s = raw.trim();
    if (s === '') return;
    if (/^Id\s+Name\s+State\b/.test(s)) {
      table = true;
      return;
    }
    if (table) {
      if (/^-+$/.test(s)) return;
      const m = TABLE_ROW.exec(s);
      if (!m) {
        issues.push({ line, message: `line ${line}: not a "virsh list" table row: ${s}` });
        return;
      }
      const d: ListedDomain = { name: m[2], state: m[3].replace(/\s+/g, ' '), line };
      if (m[1] !== '-') d.id = Number(m[1]);
      if (m[4]) d.title = m[4];
      domains.push(d);
      return;
    }
    const u = UUID_LINE.exec(s);
    if (u) {
      const d: ListedDomain = { uuid: u[1].toLowerCase(), line };
      if (u[2]) d.name = u[2];
      domains.push(d);
      return;
    }
    domains.push({ name: s, line });
  });
  return { domains, issues };
}

/** A `label: value` line of virsh's key-value listings, with its line number. */
export interface VirshField {
  value: string;
  line: number;
}

function fields(text: string): { map: Record<string, VirshField>; issues: ReadIssue[] } {
  const map: Record<string, VirshField> = {};
  const issues: ReadIssue[] = [];
  text.split(/\r?\n/).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    const m = /^([^:]+):[ \t]*(.*?)\s*$/.exec(raw);
    if (!m) {
      issues.push({ line, message: `line ${line}: expected "Label: value": ${raw.trim()}` });
      return;
    }
    const label = m[1].trim();
    if (Object.hasOwn(map, label))
      issues.push({ line, message: `line ${line}: "${label}" repeated; last kept` });
    map[label] = { value: m[2], line };
  });
  return { map, issues };
}

const num = (f: VirshField | undefined): number | undefined => {
  const m = f ? /^-?\d+(?:\.\d+)?/.exec(f.value) : null;
  return m ? Number(m[0]) : undefined;
};

/** `virsh dominfo <uuid>`, parsed. Memory in KiB as printed; `fields` keeps every line by its label. */
export interface Dominfo {
  id?: number;
  name?: string;
  uuid?: string;
  osType?: string;
  /** Raw state word, e.g. `running`, `shut off`. */
  state?: string;
  cpus?: number;
  cpuTimeSeconds?: number;
  maxMemoryKiB?: number;
  usedMemoryKiB?: number;
  persistent?: boolean;
  autostart?: boolean;
  managedSave?: boolean;
  fields: Record<string, VirshField>;
  issues: ReadIssue[];
}

const yes = (f: VirshField | undefined): boolean | undefined =>
  f === undefined ? undefined : ['yes', 'enable', 'enabled'].includes(f.value.toLowerCase());

/** Parses `virsh dominfo` (`Id:`, `Name:`, `UUID:`, `State:`, `CPU(s):`, `Max memory: N KiB`, `Autostart: enable|disable`, …). */
export function parseDominfo(text: string): Dominfo {
  const { map, issues } = fields(text);
  const out: Dominfo = { fields: map, issues };
  const id = map['Id']?.value;
  if (id !== undefined && /^\d+$/.test(id)) out.id = Number(id);
  if (map['Name']) out.name = map['Name'].value;
  if (map['UUID']) out.uuid = map['UUID'].value.toLowerCase();
  if (map['OS Type']) out.osType = map['OS Type'].value;
  if (map['State']) out.state = map['State'].value;
  out.cpus = num(map['CPU(s)']);
  out.cpuTimeSeconds = num(map['CPU time']);
  out.maxMemoryKiB = num(map['Max memory']);
  out.usedMemoryKiB = num(map['Used memory']);
  out.persistent = yes(map['Persistent']);
  out.autostart = yes(map['Autostart']);
  out.managedSave = yes(map['Managed save']);
  for (const k of Object.keys(out) as (keyof Dominfo)[]) if (out[k] === undefined) delete out[k];
  return out;
}

/** `virsh nodeinfo`, parsed: the libvirt host's CPU and memory. */
export interface Nodeinfo {
  /** `CPU model:` — the host architecture as libvirt names it (e.g. `x86_64`). */
  cpuModel?: string;
  /** `CPU(s):` — logical CPUs (NUMA cells × sockets × cores × threads). */
  cpus?: number;
  mhz?: number;
  /** `CPU socket(s):` — sockets per NUMA cell. */
  sockets?: number;
  coresPerSocket?: number;
  threadsPerCore?: number;
  numaCells?: number;
  /** `Memory size:` in KiB. */
  memoryKiB?: number;
  issues: ReadIssue[];
}

/** Parses `virsh nodeinfo`. */
export function parseNodeinfo(text: string): Nodeinfo {
  const { map, issues } = fields(text);
  const out: Nodeinfo = { issues };
  if (map['CPU model']) out.cpuModel = map['CPU model'].value;
  out.cpus = num(map['CPU(s)']);
  out.mhz = num(map['CPU frequency']);
  out.sockets = num(map['CPU socket(s)']);
  out.coresPerSocket = num(map['Core(s) per socket']);
  out.threadsPerCore = num(map['Thread(s) per core']);
  out.numaCells = num(map['NUMA cell(s)']);
  out.memoryKiB = num(map['Memory size']);
  for (const k of Object.keys(out) as (keyof Nodeinfo)[]) if (out[k] === undefined) delete out[k];
  if (out.cpus === undefined) issues.push({ message: 'nodeinfo: no "CPU(s):" line' });
  if (out.memoryKiB === undefined) issues.push({ message: 'nodeinfo: no "Memory size:" line' });
  return out;
}

/**
 * Host facts of the libvirt host from `nodeinfo`: physical cores = NUMA cells × sockets × cores per
 * socket (virsh counts sockets per cell), threads = `CPU(s)`, memory in MiB. `os` is `linux` (libvirt's
 * QEMU/KVM hosts) and `fromHostInfo` false. Returns undefined when CPU(s) or memory is missing.
 */
export function hostFactsFromNodeinfo(info: Nodeinfo): HostFacts | undefined {
  if (info.cpus === undefined || info.memoryKiB === undefined) return undefined;
  const perCell = (info.sockets ?? 0) * (info.coresPerSocket ?? 0);
  const cores = perCell > 0 ? perCell * Math.max(1, info.numaCells ?? 1) : info.cpus;
  return {
    cores: Math.min(cores, info.cpus),
    threads: info.cpus,
    memoryMB: Math.floor(info.memoryKiB / 1024),
    ...(info.cpuModel ? { cpuModel: info.cpuModel } : {}),
    os: 'linux',
    fromHostInfo: false,
  };
}

/** `virsh version`, parsed. */
export interface VirshVersion {
  /** `Compiled against library: libvirt 9.0.0` → `9.0.0`. */
  compiledAgainst?: string;
  /** `Using library: libvirt 9.0.0` → `9.0.0`. */
  library?: string;
  /** `Using API: QEMU 9.0.0` → `QEMU`. */
  api?: string;
  /** `Running hypervisor: QEMU 7.2.0` → `QEMU 7.2.0`. */
  hypervisor?: string;
  issues: ReadIssue[];
}

/** Parses `virsh version` (absent lines stay undefined; a remote host may omit the hypervisor line). */
export function parseVirshVersion(text: string): VirshVersion {
  const { map, issues } = fields(text);
  const out: VirshVersion = { issues };
  const lastWord = (f: VirshField | undefined): string | undefined => f?.value.split(/\s+/).pop();
  const c = lastWord(map['Compiled against library']);
  const l = lastWord(map['Using library']);
  const a = map['Using API']?.value.split(/\s+/)[0];
  const h = map['Running hypervisor']?.value;
  if (c) out.compiledAgainst = c;
  if (l) out.library = l;
  if (a) out.api = a;
  if (h) out.hypervisor = h;
  return out;
}

/** Neutral machine state for a virsh state word: `running`, `paused`, `poweroff`, `saved`, `stopping`, `aborted` or `unknown`. */
export function neutralState(raw: string | undefined, managedSave = false): string {
  switch ((raw ?? '').trim().toLowerCase()) {
    case 'running':
    case 'idle':
    case 'blocked':
      return 'running';
    case 'paused':
    case 'pmsuspended':
      return 'paused';
    case 'shut off':
      return managedSave ? 'saved' : 'poweroff';
    case 'in shutdown':
    case 'dying':
      return 'stopping';
    case 'crashed':
      return 'aborted';
    default:
      return 'unknown';
  }
}

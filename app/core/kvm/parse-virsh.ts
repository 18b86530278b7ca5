import type { HostFacts, ReadIssue } from '../../shared/model.ts';
import { readSafeInteger, safeNumber, tooLargeIssue } from '../vbox/parse-common.ts';

/**
 * Parsers for virsh's text output (English labels; the runner sets `LC_ALL=C.UTF-8`).
 * Format source: virsh 6.x–10.x (`tools/virsh-domain-monitor.c`, `tools/virsh-host.c`), checked against
 * libvirt-clients 9.0.0 with the `test:///` driver. Lenient: odd lines become issues with their
 * 1-based line number; nothing here throws. Lines end at LF, CRLF or a lone CR. Numbers too large to
 * be exact (only in damaged output) are left out with an issue. Every parser runs in time linear in
 * its input (no regular expression with overlapping quantifiers over a whole line).
 */

/** Splits virsh output into lines at LF, CRLF or a lone CR (line `i` of the result is line `i + 1`). */
function virshLines(text: string): string[] {
  return text.split(/\r\n|\n|\r/);
}

const isBlank = (c: string | undefined): boolean => c !== undefined && c !== '' && c.trim() === '';

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
/** A state word at the start of the text, followed by the end or white space. */
const STATE_AT = new RegExp(`^(?:${STATE_ALT})(?=\\s|$)`);

/** One `virsh list` table row: id, name, state, title. */
interface TableRow {
  id: string;
  name: string;
  state: string;
  title?: string;
}

/**
 * Reads a trimmed table row `<id> <name> <state> [<title>]`: the id is digits or `-`; the name (which
 * may hold spaces) ends at the first run of white space followed by a state word (and then the end
 * or white space and the title). Scans each run of white space once: linear in the row's length.
 */
function tableRow(s: string): TableRow | undefined {
  const idEnd = s.search(/\s/);
  if (idEnd <= 0) return undefined;
  const id = s.slice(0, idEnd);
  if (id !== '-' && !/^\d+$/.test(id)) return undefined;
  let start = idEnd;
  while (isBlank(s[start])) start++;
  for (let j = start + 1; j < s.length; j++) {
    if (!isBlank(s[j]) || isBlank(s[j - 1])) continue;
    let k = j;
    while (isBlank(s[k])) k++;
    const state = STATE_AT.exec(s.slice(k, k + 12));
    if (!state) {
      j = k - 1;
      continue;
    }
    const row: TableRow = { id, name: s.slice(start, j), state: state[0] };
    const title = s.slice(k + state[0].length).trimStart();
    if (title !== '') row.title = title;
    return row;
  }
  return undefined;
}

/**
 * Parses `virsh list --all` in any of its forms: the table (`Id Name State [Title]`), `--uuid --name`
 * (`<uuid> <name>` per line), `--uuid` (UUIDs only) or `--name` (names only). Names may contain spaces.
 */
export function parseListAll(text: string): { domains: ListedDomain[]; issues: ReadIssue[] } {
  const domains: ListedDomain[] = [];
  const issues: ReadIssue[] = [];
  const lines = virshLines(text);
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
      const m = tableRow(s);
      if (!m) {
        issues.push({ line, message: `line ${line}: not a "virsh list" table row: ${s}` });
        return;
      }
      const d: ListedDomain = { name: m.name, state: m.state.replace(/\s+/g, ' '), line };
      if (m.id !== '-') {
        const id = readSafeInteger(m.id, issues, 'domain id', line);
        if (id !== undefined) d.id = id;
      }
      if (m.title) d.title = m.title;
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
  virshLines(text).forEach((raw, i) => {
    const line = i + 1;
    if (raw.trim() === '') return;
    // `Label: value`: the label is the text before the first colon; the value loses leading spaces
    // and tabs and trailing white space. String methods, not `/^([^:]+):[ \t]*(.*?)\s*$/`, whose
    // overlapping quantifiers took cubic time on a long run of blanks.
    const colon = raw.indexOf(':');
    if (colon <= 0) {
      issues.push({ line, message: `line ${line}: expected "Label: value": ${raw.trim()}` });
      return;
    }
    const label = raw.slice(0, colon).trim();
    let from = colon + 1;
    while (raw[from] === ' ' || raw[from] === '\t') from++;
    const value = raw.slice(from).trimEnd();
    if (Object.hasOwn(map, label))
      issues.push({ line, message: `line ${line}: "${label}" repeated; last kept` });
    // defineProperty: a label such as `__proto__` becomes a field, not the map's prototype.
    Object.defineProperty(map, label, {
      value: { value, line },
      enumerable: true,
      writable: true,
      configurable: true,
    });
  });
  return { map, issues };
}

/**
 * The number the value of field `label` starts with (`2`, `12.3s`, `2097152 KiB`), or undefined when
 * the field is absent or starts with no number. A number too large to be exact (beyond 2^53 − 1) is
 * left out too, with an issue naming the field's line.
 */
function num(map: Record<string, VirshField>, label: string, issues: ReadIssue[]): number | undefined {
  const f = Object.hasOwn(map, label) ? map[label] : undefined;
  const m = f ? /^-?\d+(?:\.\d+)?/.exec(f.value) : null;
  if (!f || !m) return undefined;
  const n = safeNumber(m[0]);
  if (n === undefined) issues.push(tooLargeIssue(`"${label}"`, m[0], f.line));
  return n;
}

/** True when field `label` starts with a number (so a missing value was too large and is reported already). */
const startsWithNumber = (map: Record<string, VirshField>, label: string): boolean =>
  Object.hasOwn(map, label) && /^-?\d/.test(map[label].value);

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
  if (id !== undefined && /^\d+$/.test(id)) out.id = readSafeInteger(id, issues, '"Id"', map['Id'].line);
  if (map['Name']) out.name = map['Name'].value;
  if (map['UUID']) out.uuid = map['UUID'].value.toLowerCase();
  if (map['OS Type']) out.osType = map['OS Type'].value;
  if (map['State']) out.state = map['State'].value;
  out.cpus = num(map, 'CPU(s)', issues);
  out.cpuTimeSeconds = num(map, 'CPU time', issues);
  out.maxMemoryKiB = num(map, 'Max memory', issues);
  out.usedMemoryKiB = num(map, 'Used memory', issues);
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
  out.cpus = num(map, 'CPU(s)', issues);
  out.mhz = num(map, 'CPU frequency', issues);
  out.sockets = num(map, 'CPU socket(s)', issues);
  out.coresPerSocket = num(map, 'Core(s) per socket', issues);
  out.threadsPerCore = num(map, 'Thread(s) per core', issues);
  out.numaCells = num(map, 'NUMA cell(s)', issues);
  out.memoryKiB = num(map, 'Memory size', issues);
  for (const k of Object.keys(out) as (keyof Nodeinfo)[]) if (out[k] === undefined) delete out[k];
  if (out.cpus === undefined && !startsWithNumber(map, 'CPU(s)'))
    issues.push({ message: 'nodeinfo: no "CPU(s):" line' });
  if (out.memoryKiB === undefined && !startsWithNumber(map, 'Memory size'))
    issues.push({ message: 'nodeinfo: no "Memory size:" line' });
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

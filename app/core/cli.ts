/**
 * `vm-companion` command line (entry: bin/vm-companion.mjs).
 *
 *   vm-companion inspect [--vm <uuid|name>] [--file <path>]... [--libvirt <uri>] [--vmware-folder <dir>]...
 *                        [--json] [--lang en|zh-CN] [--vboxmanage <path>] [--host-cores <n>] [--host-memory <MB>]
 *   vm-companion compare <a> <b> [--json] [--lang en|zh-CN] [--differences] [same source options]
 *   vm-companion --help | inspect --help | compare --help | --version
 *
 * `inspect --file` reads saved `VBoxManage showvminfo <vm> --machinereadable` dumps, VirtualBox
 * machine settings files (`.vbox`), VMware `.vmx` files and libvirt domain XML files, told apart by
 * content (no VBoxManage needed). `--libvirt <uri>` reads every domain of a libvirt connection
 * through `virsh` (read-only); `--vmware-folder <dir>` reads the `.vmx` files in that folder and its
 * immediate sub-folders. Without any of these it locates VBoxManage (`--vboxmanage`, then the `VBOXMANAGE` environment variable, then the
 * standard search of `locateVBoxManage`), runs `--version` first and alone (its output must be a
 * VirtualBox version, else exit 1 before any other verb), then `list vms`, and reads every VM's configuration by
 * UUID — with `--vm`, only the VM it names (mapped to its UUID through `list vms` first; names are
 * never passed to VBoxManage) — then `list hostinfo` for the advice. Only read-only VBoxManage verbs are used
 * (the runner refuses others). A `showvminfo` configuration is completed from its `CfgFile` when
 * that is a readable local `.vbox` (see `enrich.ts`).
 *
 * Every readable VM is checked by the advice rules against this host (Node's view, completed by
 * `list hostinfo`; `--host-cores`/`--host-memory` replace the cores and RAM, e.g. to judge VMs
 * for another machine or to make output reproducible in tests).
 *
 * Output: page-by-page text with catalog explanations and a Findings section, or with `--json`
 * the document described in `cli-format.ts` (`{ "vms": [...] }`, each VM with `findings`).
 * Errors: one clear line on stderr and exit code 1; usage errors exit 2.
 */

import fs from 'node:fs';
import { homedir as osHomedir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Finding } from '../shared/advice.ts';
import type { Language } from '../shared/catalog.ts';
import { getEntry } from '../shared/catalog-data.ts';
import type { Comparison, VmDetail } from '../shared/contract.ts';
import type { HostFacts, VmConfig, VmSummary } from '../shared/model.ts';
import { compareVms } from './compare.ts';
import { sentence } from './sentence.ts';
import {
  formatComparisonText,
  formatInspectText,
  terminalSafeJson,
  toInspectJson,
  visibleControls,
  type CatalogLookup,
  type InspectItem,
} from './cli-format.ts';
import {
  SettingsFileCache,
  VmFileError,
  enrichFromCfgFile,
  findingsFor,
  hostOsFor,
  looksLikeShowVmInfo as looksLikeDump,
  mapBounded,
  parseVmFile,
  runningVmsOf,
  versionOf,
} from './enrich.ts';
import { combineHostFacts, hostFactsFromOs } from './host.ts';
import type { HostInfo } from './vbox/parse-hostinfo.ts';
import { listVms, readHostInfo, readListedVms, readVm, type VmListing } from './vbox/inventory.ts';
import { parseListVms, type ListedVm } from './vbox/parse-list-vms.ts';
import { locateVBoxManage } from './vbox/locate.ts';
import { VBoxError, VBoxRunner, getVersion, isVmUuid } from './vbox/runner.ts';
import { summaryFromConfig } from './vbox/to-config.ts';
import { looksLikeDomainXml } from './inventory-service.ts';
import { evaluateKvmAdvice } from './kvm/advice.ts';
import { parseDomainXml } from './kvm/domain-xml.ts';
import { readKvmInventory, summaryFromKvmConfig } from './kvm/inventory.ts';
import { VirshRunner, locateVirsh, validateConnectionUri } from './kvm/virsh.ts';
import { KvmParseError } from './kvm/xml.ts';
import { NotVmxError, discoverVmware, evaluateVmwareAdvice, looksLikeVmx, readVmx } from './vmware/index.ts';
import { readVmwareFile } from './vmware/discover.ts';
import { parseVmx } from './vmware/parse-vmx.ts';

/** Where the CLI writes and what it reads from its surroundings (tests replace these). */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: NodeJS.ProcessEnv;
  cwd: string;
  platform: NodeJS.Platform;
}

/** A user-facing error: printed as one line on stderr, exit code `exitCode`. */
export class CliError extends Error {
  exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** `--help` text. */
export const USAGE = `Usage:
  vm-companion inspect [options]     Show VMs setting by setting, with explanations
  vm-companion compare <a> <b>       Show two VMs side by side (files, UUIDs or names)
  vm-companion --help                Show this help
  vm-companion --version             Show the version

inspect options:
  --vm <uuid|name>     Only this VM (a UUID, or a VM name matched exactly)
  --file <path>        Read a file instead of asking VBoxManage (repeat for several files; the
                       kind is told by the content): a saved "VBoxManage showvminfo <vm>
                       --machinereadable" dump, a VirtualBox settings file (.vbox), a VMware
                       .vmx file or a libvirt domain XML file ("virsh dumpxml <domain>")
  --libvirt <uri>      Read the KVM domains of this libvirt connection through virsh
                       (qemu:///system, qemu:///session, qemu+ssh://[user@]host/system,
                       test:///default, test:///<absolute path of a test-driver XML>)
  --vmware-folder <dir> Read the VMware .vmx files in this folder and its sub-folders (repeatable)
  --json               Print JSON: { "vms": [ { uuid, name, state, osType, memoryMB, cpus,
                       firmware, chipset, network: [...], storage: [...],
                       findings: [ { id, severity, settingId, title, reason, fix } ] } ] }
                       (network attachments in VirtualBox's words for every hypervisor)
  --lang <en|zh-CN>    Language of labels, explanations and findings (default: en)
  --vboxmanage <path>  VBoxManage executable to use (else $VBOXMANAGE, else the usual
                       install locations and PATH)
  --host-cores <n>     Judge the VMs against a host with n physical cores (default: this host)
  --host-memory <MB>   Judge the VMs against a host with this much RAM (default: this host)
  -h, --help           Show this help

Without --file, --libvirt or --vmware-folder, VirtualBox VMs are read through VBoxManage.

compare options: --json, --lang, --vboxmanage, --libvirt, --vmware-folder as above, and
  --differences        Only the rows whose values differ
<a> and <b> are files (any kind --file reads) or a UUID or exact name of a VM found through
VBoxManage, --libvirt or --vmware-folder.

Only read-only commands are run (VBoxManage list, showvminfo, --version; virsh --readonly list,
dumpxml, dominfo, nodeinfo); VMs are addressed by UUID. Findings come with the command or
.vmx line that would fix them; it is shown, never run.
`;

const LANG_VALUES: readonly Language[] = ['en', 'zh-CN'];

/** Parsed `inspect` options. */
export interface InspectOptions {
  vm?: string;
  files: string[];
  /** `--libvirt`: a libvirt connection URI to read through virsh. */
  libvirt?: string;
  /** `--vmware-folder`: folders with `.vmx` files (as given; resolved against the working folder). */
  vmwareFolders: string[];
  json: boolean;
  lang: Language;
  vboxmanage?: string;
  /** `--host-cores`: physical cores the advice assumes (also taken as the thread count). */
  hostCores?: number;
  /** `--host-memory`: host RAM in MB the advice assumes. */
  hostMemoryMB?: number;
}

/**
 * Parses `inspect` arguments. @throws CliError (exit 2) for unknown options, missing values or a
 * bad `--lang`.
 */
export function parseInspectArgs(args: string[]): InspectOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: false,
      strict: true,
      options: {
        vm: { type: 'string' },
        file: { type: 'string', multiple: true },
        libvirt: { type: 'string' },
        'vmware-folder': { type: 'string', multiple: true },
        json: { type: 'boolean', default: false },
        lang: { type: 'string', default: 'en' },
        vboxmanage: { type: 'string' },
        'host-cores': { type: 'string' },
        'host-memory': { type: 'string' },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nRun "vm-companion --help" for the options.`, 2);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const lang = v.lang as string;
  if (!(LANG_VALUES as readonly string[]).includes(lang)) {
    throw new CliError(`--lang must be one of ${LANG_VALUES.join(', ')} (got "${lang}").`, 2);
  }
  if (v.vm !== undefined && v.vm.trim() === '') throw new CliError('--vm needs a UUID or a VM name.', 2);
  const opts: InspectOptions = {
    vm: v.vm,
    files: v.file ?? [],
    vmwareFolders: v['vmware-folder'] ?? [],
    json: v.json === true,
    lang: lang as Language,
    vboxmanage: v.vboxmanage,
  };
  if (v.libvirt !== undefined) opts.libvirt = checkedUri(v.libvirt);
  const cores = positiveInt(v['host-cores'], '--host-cores', 1024);
  if (cores !== undefined) opts.hostCores = cores;
  const memory = positiveInt(v['host-memory'], '--host-memory', 64 * 1024 * 1024);
  if (memory !== undefined) opts.hostMemoryMB = memory;
  return opts;
}

/** `--libvirt` checked by `validateConnectionUri`. @throws CliError (exit 2) with the reason. */
function checkedUri(uri: string): string {
  try {
    return validateConnectionUri(uri);
  } catch (err) {
    throw new CliError(`--libvirt: ${(err as Error).message}`, 2);
  }
}

function positiveInt(text: string | undefined, flag: string, max: number): number | undefined {
  if (text === undefined) return undefined;
  const n = /^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN;
  if (!Number.isSafeInteger(n) || n < 1 || n > max) {
    throw new CliError(`${flag} must be a whole number from 1 to ${max} (got "${text}").`, 2);
  }
  return n;
}

/** Strips `{…}` braces and lower-cases a UUID; returns other text unchanged. */
function normaliseUuid(text: string): string {
  const t = text.trim().replace(/^\{(.*)\}$/, '$1');
  return isVmUuid(t) ? t.toLowerCase() : text;
}

/**
 * Picks the entries `--vm` names from `list`: a UUID (with or without braces, any case) or an exact
 * VM name. `idOf`/`nameOf` read an entry's UUID and name (`undefined`: no name to match).
 * @throws CliError when nothing matches, or when a name matches several VMs (lists their UUIDs).
 */
function pick<T>(list: T[], vm: string, idOf: (t: T) => string, nameOf: (t: T) => string | undefined): T[] {
  const known = (): string => {
    if (list.length === 0) return 'No VMs were found.';
    const names = list.map((t) => `"${nameOf(t) ?? '<inaccessible>'}" (${idOf(t)})`);
    return `Known VMs: ${names.slice(0, 20).join(', ')}${names.length > 20 ? ', …' : ''}.`;
  };
  const wanted = normaliseUuid(vm);
  if (isVmUuid(wanted)) {
    const hit = list.filter((t) => idOf(t).toLowerCase() === wanted);
    if (hit.length === 0) throw new CliError(`No VM with UUID ${wanted}. ${known()}`);
    return hit;
  }
  const byName = list.filter((t) => nameOf(t) === vm);
  if (byName.length === 0) throw new CliError(`No VM named "${vm}". ${known()}`);
  if (byName.length > 1) {
    throw new CliError(
      `${byName.length} VMs are named "${vm}"; pick one by UUID: ${byName.map(idOf).join(', ')}.`,
    );
  }
  return byName;
}

/**
 * Picks the VMs `--vm` names: a UUID (with or without braces, any case) or an exact VM name.
 * @throws CliError when nothing matches, or when a name matches several VMs (lists their UUIDs).
 */
export function selectVms(items: InspectItem[], vm: string | undefined): InspectItem[] {
  if (vm === undefined) return items;
  return pick(
    items,
    vm,
    (i) => i.summary.id,
    (i) => i.summary.name,
  );
}

/**
 * Picks the `list vms` rows `--vm` names (UUID, or exact name as `list vms` prints it; rows of
 * inaccessible VMs match by UUID only), so that only those VMs are read afterwards.
 * @throws CliError as {@link selectVms}.
 */
export function selectListedVms(rows: ListedVm[], vm: string | undefined): ListedVm[] {
  if (vm === undefined) return rows;
  return pick(
    rows,
    vm,
    (r) => r.uuid,
    (r) => (r.accessible ? r.name : undefined),
  );
}

/**
 * Reads one `--file`, told apart by content: a libvirt domain XML (root `<domain>`, `parseDomainXml`),
 * a VMware `.vmx` (by extension, or text that looks like one: `readVmx`), else a saved `showvminfo
 * --machinereadable` dump or a `.vbox` settings file (see `parseVmFile`). The file is opened
 * non-blocking and must be a regular file. An encrypted `.vbox` gives an inaccessible VM.
 * @throws CliError when the file cannot be read or used.
 */
export function readDumpFile(
  file: string,
  cwd: string,
  platform: NodeJS.Platform = process.platform,
): InspectItem {
  const full = path.resolve(cwd, file);
  let bytes: Buffer;
  try {
    const fd = fs.openSync(full, fs.constants.O_RDONLY | (fs.constants.O_NONBLOCK ?? 0));
    try {
      const st = fs.fstatSync(fd);
      if (st.isDirectory()) throw Object.assign(new Error('folder'), { code: 'EISDIR' });
      if (!st.isFile()) throw Object.assign(new Error('not a file'), { code: 'NOT_FILE' });
      bytes = fs.readFileSync(fd);
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT'
        ? 'no such file'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'EACCES'
            ? 'permission denied'
            : code === 'NOT_FILE'
              ? 'it is not a regular file (a device, pipe or socket)'
              : (err as Error).message;
    throw new CliError(`Cannot read ${file}: ${sentence(why)}`);
  }
  const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 1024 * 1024));
  if (looksLikeDomainXml(head)) {
    let config: VmConfig;
    try {
      config = parseDomainXml(new TextDecoder('utf-8').decode(bytes), { path: full });
    } catch (err) {
      if (err instanceof KvmParseError)
        throw new CliError(
          `Cannot use ${file}: it is not a libvirt domain XML file: ${sentence(err.message)}`,
        );
      throw err;
    }
    return { summary: summaryFromKvmConfig(config), config, origin: file, kind: 'domain' };
  }
  if (!head.trimStart().startsWith('<') && (/\.vmx$/i.test(full) || looksLikeVmx(head))) {
    if (head.trim() === '') throw new CliError(`Cannot use ${file}: the file is empty.`);
    const read = readVmx(bytes, { path: full, platform });
    const item: InspectItem = { summary: read.summary, config: read.config, origin: file, kind: 'vmx' };
    if (read.parsed.duplicates.length > 0) item.vmxDuplicates = read.parsed.duplicates;
    return item;
  }
  let parsed;
  try {
    parsed = parseVmFile(bytes, full);
  } catch (err) {
    if (err instanceof VmFileError) throw new CliError(`Cannot use ${file}: ${sentence(err.reason)}`);
    throw err;
  }
  const summary = summaryFromConfig(parsed.config);
  if (parsed.kind === 'vbox' && parsed.result.encrypted) {
    return {
      summary: {
        ...summary,
        name: path.basename(full).replace(/\.(vbox|xml)$/i, ''),
        accessible: false,
        error: 'The VM settings are encrypted; only VirtualBox can read them with the password.',
      },
      config: null,
      origin: file,
      kind: 'vbox',
    };
  }
  return { summary, config: parsed.config, origin: file, kind: parsed.kind };
}

/**
 * True when a parsed dump carries at least one identifying or hardware line (a `.vmx` file or a
 * random text parsed leniently yields none of these). Fragments with only NIC lines pass.
 */
export function looksLikeShowVmInfo(config: VmConfig): boolean {
  return looksLikeDump(config);
}

/** One read issue as text: `line N: message` (the line number is added only when the message lacks it). */
export function issueText(issue: { line?: number; message: string }): string {
  if (issue.line === undefined || /^line \d+/.test(issue.message)) return issue.message;
  return `line ${issue.line}: ${issue.message}`;
}

/** Environment for the VBoxManage child: the stand-in's `VBOX_STANDIN_*` settings pass through. */
function runnerExtraEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(env)) if (k.startsWith('VBOX_STANDIN_') && v !== undefined) out[k] = v;
  return out;
}

/** Why a path given for VBoxManage is unusable: `does not exist`, `is a folder without VBoxManage in it`, `is not executable`. */
function whatIsThere(p: string): string {
  let st: fs.Stats;
  try {
    st = fs.statSync(p);
  } catch {
    return 'does not exist';
  }
  return st.isDirectory() ? 'is a folder without VBoxManage in it' : 'is not an executable program';
}

/** The message for a VBoxManage that printed nothing for `--version` (exit code 0; TROUBLE T11). */
export function silentVBoxManage(vboxManage: string): string {
  return (
    `VBoxManage at ${vboxManage} printed nothing for "--version" (exit code 0), so no VM can be read. ` +
    'Some VirtualBox 7.0 hosts do this under the C locale; VM Companion runs VBoxManage with en_US.UTF-8, ' +
    'which falls back to C when that locale is not installed (see "locale -a").'
  );
}

/** What {@link readLive} found: the VMs, and for the advice the version and host info (when they could be read). */
export interface LiveRead {
  items: InspectItem[];
  /** `VBoxManage --version`, e.g. `7.1.12r169651`. */
  version?: string;
  hostInfo?: HostInfo;
  /**
   * With `--vm`: the other VMs running now (state and memory), read only so the host-memory advice
   * can count them; not reported. Empty without `--vm` (then `items` hold every VM).
   */
  otherRunning: VmSummary[];
}

/** Deadline in ms for reading the other running VMs with `--vm` (they only feed one advice rule). */
export const CONTEXT_TIMEOUT_MS = 5_000;

/**
 * The VMs running now other than `selected`: `list runningvms`, then `showvminfo` of each with a
 * short deadline ({@link CONTEXT_TIMEOUT_MS}). Best effort: a VM that cannot be read is left out;
 * never rejects.
 */
async function otherRunningVms(
  vboxManage: string,
  env: NodeJS.ProcessEnv,
  selected: ListedVm[],
): Promise<VmSummary[]> {
  const runner = new VBoxRunner(vboxManage, { env, timeoutMs: CONTEXT_TIMEOUT_MS, killGraceMs: 1_000 });
  try {
    const { stdout } = await runner.run(['list', 'runningvms']);
    const skip = new Set(selected.map((r) => r.uuid));
    const rows = parseListVms(stdout).vms.filter((r) => r.accessible && !skip.has(r.uuid));
    const read = await Promise.all(rows.map((row) => readVm(runner, row)));
    return read.map((r) => r.summary).filter((s) => s.accessible);
  } catch {
    return [];
  }
}

/**
 * Reads the VMs through VBoxManage: `list vms`; with `--vm`, the named VM is picked from that list
 * (by UUID or exact name) and only it is read in full — a hanging or locked stopped VM elsewhere
 * cannot slow the command down; the other running VMs are read alongside with a 5 s deadline, only
 * for the host-memory advice (`otherRunning`). Without `--vm`, every VM is read. Then `list hostinfo`
 * (failure ignored). Before all that, `--version` runs alone and must print a VirtualBox version. The wrapper's warning banner and odd `list vms` lines are printed once on
 * stderr. @throws CliError when VBoxManage cannot be found, `--version` fails or prints no version
 * (`<path> is not VBoxManage: \`--version\` printed …`) (with where we looked and how to point
 * at it), `list vms` fails, or `--vm` matches no VM or several.
 */
export async function readLive(opts: InspectOptions, io: CliIo): Promise<LiveRead> {
  const given = opts.vboxmanage ?? (io.env.VBOXMANAGE ? io.env.VBOXMANAGE : undefined);
  const givenBy = opts.vboxmanage !== undefined ? '--vboxmanage' : 'VBOXMANAGE';
  const userPath = given === undefined ? undefined : path.resolve(io.cwd, given);
  const located = await locateVBoxManage({ userPath, env: io.env, platform: io.platform });
  if (userPath !== undefined && located.via !== 'user') {
    throw new CliError(
      `${givenBy} ${given}: not an executable VBoxManage (${userPath} ${whatIsThere(userPath)}). ` +
        `Point ${givenBy} at the VBoxManage program (or the folder holding it), or read a saved dump with --file <path>.`,
    );
  }
  if (!located.path) {
    const tried = located.tried.length > 0 ? ` Looked in: ${located.tried.join(', ')}.` : '';
    throw new CliError(
      `VBoxManage not found.${tried} Install VirtualBox, or point at VBoxManage with --vboxmanage <path> ` +
        `or the VBOXMANAGE environment variable; or read a saved dump with --file <path>.`,
    );
  }
  const runner = new VBoxRunner(located.path, { env: runnerExtraEnv(io.env) });
  // `--version` FIRST and alone: a program that does not print a VirtualBox version never gets
  // another verb (a wrong path must not be run with `list …`). Empty output is the C-locale case (T11).
  let version: string;
  try {
    version = await getVersion(runner);
  } catch (err) {
    if (err instanceof VBoxError && err.kind === 'empty') throw new CliError(silentVBoxManage(located.path));
    const msg = (err as Error).message;
    throw new CliError(
      msg.startsWith(`${located.path} is not VBoxManage`) ? msg : `Could not use ${located.path}: ${msg}`,
    );
  }
  let listing: VmListing;
  try {
    listing = await listVms(runner);
  } catch (err) {
    throw new CliError(`Could not list VMs with ${located.path}: ${(err as Error).message}`);
  }
  if (listing.warning) io.stderr(`vm-companion: warning: ${listing.warning}\n`);
  for (const issue of listing.issues) io.stderr(`vm-companion: warning: ${issueText(issue)}\n`);
  const rows = selectListedVms(listing.rows, opts.vm);
  const [inventory, otherRunning] = await Promise.all([
    readListedVms(runner, { ...listing, rows, issues: [] }),
    opts.vm === undefined ? [] : otherRunningVms(located.path, runnerExtraEnv(io.env), rows),
  ]);
  for (const issue of inventory.issues) io.stderr(`vm-companion: warning: ${issueText(issue)}\n`);
  const hostInfo = await readHostInfo(runner).catch(() => undefined);
  const items = inventory.vms.map((summary: VmSummary): InspectItem => {
    const config = inventory.configs.get(summary.id) ?? null;
    if (config === null && summary.accessible) {
      return {
        summary: {
          ...summary,
          accessible: false,
          error: summary.error ?? 'Its configuration could not be read.',
        },
        config,
      };
    }
    return { summary, config };
  });
  return { items, version, hostInfo, otherRunning };
}

/**
 * Host facts for the advice: Node's view, completed by `list hostinfo` when given, then
 * `--host-cores` (cores and threads) and `--host-memory` (MB) when set.
 */
export function cliHostFacts(opts: InspectOptions, hostInfo?: HostInfo): HostFacts {
  const host = combineHostFacts(hostFactsFromOs(), hostInfo);
  if (opts.hostCores !== undefined) {
    host.cores = opts.hostCores;
    host.threads = opts.hostCores;
  }
  if (opts.hostMemoryMB !== undefined) host.memoryMB = opts.hostMemoryMB;
  return host;
}

/**
 * Completes each `showvminfo` configuration from its readable local `.vbox` (`CfgFile`) and adds
 * the advice findings of every readable VM. Running VMs (for the "all running VMs" memory rule)
 * are taken from all items given (with `--file`, before `--vm` selects some) plus
 * `ctx.otherRunning` (live with `--vm`: the other running VMs, see {@link LiveRead}).
 */
export async function analyseItems(
  items: InspectItem[],
  ctx: { host: HostFacts; version?: string; platform: string; otherRunning?: VmSummary[] },
): Promise<InspectItem[]> {
  const cache = new SettingsFileCache();
  const completed = await mapBounded(items, 4, async (item): Promise<InspectItem> => {
    if (!item.config || item.kind === 'vbox' || item.summary.hypervisor !== 'virtualbox') return item;
    const e = await enrichFromCfgFile(item.config, { platform: ctx.platform, cache });
    return { ...item, config: e.config };
  });
  // Memory in use here: every VM of this computer (remote libvirt domains and test:/// ones excluded).
  const local = completed.filter(
    (i) => i.summary.hypervisor !== 'kvm' || (i.kvmUri !== undefined && i.kvmUri.startsWith('qemu:///')),
  );
  const env = {
    host: ctx.host,
    vboxVersion: versionOf(ctx.version),
    hostOs: hostOsFor(ctx.platform),
    runningVms: runningVmsOf([...local.map((i) => i.summary), ...(ctx.otherRunning ?? [])]),
  };
  return completed.map((item) => {
    if (!item.config || !item.summary.accessible) return item;
    let findings: Finding[];
    if (item.summary.hypervisor === 'vmware') {
      findings = evaluateVmwareAdvice(item.config, {
        host: ctx.host,
        hostOs: env.hostOs,
        runningVms: env.runningVms,
        ...(item.vmxDuplicates ? { duplicates: item.vmxDuplicates } : {}),
      });
    } else if (item.summary.hypervisor === 'kvm') {
      const host = item.host ?? ctx.host;
      findings = evaluateKvmAdvice(item.config, item.kvmUri ? { host, uri: item.kvmUri } : { host });
    } else findings = findingsFor(item.config, env);
    return { ...item, findings };
  });
}

/**
 * Reads every domain of a libvirt connection through `virsh` (found with `locateVirsh`: `VIRSH`,
 * PATH, /usr/bin, …), as `source: 'virsh'` items. Domains of a remote URI (`qemu+ssh://`) are judged
 * against the libvirt node (`nodeinfo`), local ones against this computer. Listing and `nodeinfo`
 * problems are printed on stderr as warnings.
 * @throws CliError when virsh is not found or cannot list the domains.
 */
export async function readLibvirt(uri: string, io: CliIo): Promise<InspectItem[]> {
  const located = await locateVirsh({ env: io.env, platform: io.platform });
  if (!located.path) {
    throw new CliError(
      `virsh not found (looked in: ${located.tried.join(', ') || 'nowhere'}). Install libvirt's client tools ` +
        '(Debian/Ubuntu: libvirt-clients), or set VIRSH to its path.',
    );
  }
  let inv: Awaited<ReturnType<typeof readKvmInventory>>;
  try {
    inv = await readKvmInventory(new VirshRunner(located.path, { uri }));
  } catch (err) {
    throw new CliError(`Could not read the domains of ${uri}: ${(err as Error).message}`);
  }
  for (const issue of inv.issues) io.stderr(`vm-companion: warning: ${uri}: ${issueText(issue)}\n`);
  const remote = /^[a-z]+:\/\/\//.test(uri) ? undefined : inv.host;
  return inv.vms.map((s): InspectItem => {
    const config = inv.configs.get(s.id);
    const item: InspectItem = {
      summary: { ...s, source: 'virsh' },
      config: config ? { ...config, source: 'virsh' } : null,
      origin: uri,
      kvmUri: uri,
    };
    if (remote) item.host = remote;
    return item;
  });
}

/**
 * Reads the VMware VMs in `folders` (each folder and its immediate sub-folders, like
 * `discoverVmware`): only these folders — not VMware's library lists, default folders or `vmrun` —
 * so the result depends on nothing else on the machine. State `saved` when a `.vmss` sits next to
 * a `.vmx`, else unknown. Unreadable folders and files are printed on stderr as warnings; an
 * unreadable `.vmx` is listed as an inaccessible VM.
 */
export async function readVmwareFolders(folders: string[], io: CliIo): Promise<InspectItem[]> {
  const p = io.platform === 'win32' ? path.win32 : path.posix;
  const roots = folders.map((f) => p.resolve(io.cwd, f));
  const inside = (q: string): boolean =>
    roots.some((r) => q === r || q.startsWith(r.endsWith(p.sep) ? r : `${r}${p.sep}`));
  const missing = (q: string): Error =>
    Object.assign(new Error(`${q} is outside the given folders`), { code: 'ENOENT' });
  const bytesOf = new Map<string, Uint8Array>();
  const disc = await discoverVmware({
    platform: io.platform,
    env: io.env,
    homedir: io.env.HOME ?? io.env.USERPROFILE ?? osHomedir(),
    extraFolders: roots,
    vmrunPath: null,
    readFile: async (q) => {
      if (!inside(q)) throw missing(q);
      const b = await readVmwareFile(q);
      bytesOf.set(q, b);
      return b;
    },
    readdir: async (q) => {
      if (!inside(q)) throw missing(q);
      return fs.promises.readdir(q, { withFileTypes: true });
    },
  });
  for (const issue of disc.issues) io.stderr(`vm-companion: warning: ${issueText(issue)}\n`);
  return disc.vms.map((vm): InspectItem => {
    if (!vm.config) return { summary: vm.summary, config: null, origin: vm.path };
    const item: InspectItem = {
      summary: { ...vm.summary, source: 'vmrun' },
      config: { ...vm.config, source: 'vmrun' },
      origin: vm.path,
      kind: 'vmx',
    };
    const bytes = bytesOf.get(vm.path);
    const duplicates = bytes ? parseVmx(bytes, { path: vm.path }).duplicates : [];
    if (duplicates.length > 0) item.vmxDuplicates = duplicates;
    return item;
  });
}

/** Runs `inspect`. Returns the exit code; throws {@link CliError} for user-facing failures. */
export async function inspect(opts: InspectOptions, io: CliIo): Promise<number> {
  let items: InspectItem[];
  let version: string | undefined;
  let hostInfo: HostInfo | undefined;
  let otherRunning: VmSummary[] = [];
  const other = opts.files.length > 0 || opts.libvirt !== undefined || opts.vmwareFolders.length > 0;
  if (other) {
    items = opts.files.map((f) => readDumpFile(f, io.cwd, io.platform));
    if (opts.vmwareFolders.length > 0) items.push(...(await readVmwareFolders(opts.vmwareFolders, io)));
    if (opts.libvirt !== undefined) items.push(...(await readLibvirt(opts.libvirt, io)));
  } else {
    ({ items, version, hostInfo, otherRunning } = await readLive(opts, io));
  }
  items = await analyseItems(items, {
    host: cliHostFacts(opts, hostInfo),
    version,
    platform: io.platform,
    otherRunning,
  });
  // Live reads are already limited to the --vm VM (see readLive); other items are picked here.
  if (other) items = selectVms(items, opts.vm);
  if (opts.json) {
    // The text report lists read issues itself; with --json they go to stderr.
    for (const item of items) {
      const where = item.origin ?? item.summary.id;
      for (const issue of item.config?.issues ?? [])
        io.stderr(`vm-companion: warning: ${where}: ${issueText(issue)}\n`);
    }
    io.stdout(`${terminalSafeJson(JSON.stringify(toInspectJson(items, opts.lang), null, 2))}\n`);
  } else {
    const lookup: CatalogLookup = getEntry;
    io.stdout(items.length === 0 ? 'No VMs found.\n' : formatInspectText(items, opts.lang, lookup));
  }
  return 0;
}

/** Parsed `compare` options. */
export interface CompareOptions {
  /** The two VMs: file paths, or UUIDs / exact names of VMs the sources below list. */
  a: string;
  b: string;
  json: boolean;
  lang: Language;
  /** `--differences`: only rows that differ. */
  differences: boolean;
  vboxmanage?: string;
  libvirt?: string;
  vmwareFolders: string[];
}

/** Parses `compare` arguments. @throws CliError (exit 2) for unknown options, a bad `--lang` or not exactly two VMs. */
export function parseCompareArgs(args: string[]): CompareOptions | 'help' {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      allowPositionals: true,
      strict: true,
      options: {
        json: { type: 'boolean', default: false },
        lang: { type: 'string', default: 'en' },
        differences: { type: 'boolean', default: false },
        vboxmanage: { type: 'string' },
        libvirt: { type: 'string' },
        'vmware-folder': { type: 'string', multiple: true },
        help: { type: 'boolean', short: 'h', default: false },
      },
    });
  } catch (err) {
    throw new CliError(`${(err as Error).message}\nRun "vm-companion --help" for the options.`, 2);
  }
  const v = parsed.values;
  if (v.help) return 'help';
  const lang = v.lang as string;
  if (!(LANG_VALUES as readonly string[]).includes(lang)) {
    throw new CliError(`--lang must be one of ${LANG_VALUES.join(', ')} (got "${lang}").`, 2);
  }
  if (parsed.positionals.length !== 2 || parsed.positionals.some((x) => x.trim() === '')) {
    throw new CliError(
      `compare needs exactly two VMs (files, UUIDs or names); got ${parsed.positionals.length}.`,
      2,
    );
  }
  const opts: CompareOptions = {
    a: parsed.positionals[0],
    b: parsed.positionals[1],
    json: v.json === true,
    lang: lang as Language,
    differences: v.differences === true,
    vboxmanage: v.vboxmanage,
    vmwareFolders: v['vmware-folder'] ?? [],
  };
  if (v.libvirt !== undefined) opts.libvirt = checkedUri(v.libvirt);
  return opts;
}

/** True when `arg` names an existing regular file (relative to `cwd`). */
function isFile(arg: string, cwd: string): boolean {
  try {
    return fs.statSync(path.resolve(cwd, arg)).isFile();
  } catch {
    return false;
  }
}

/**
 * Runs `compare`: reads each VM — a file (any kind `inspect --file` reads), else a UUID or exact name
 * looked up among the VMs of `--vmware-folder`, `--libvirt` and, when still needed, VBoxManage —
 * completes `.vbox` data, and prints {@link formatComparisonText} or, with `--json`, the
 * {@link Comparison} (`{ a, b, pages: [{ page, label, rows: [{ key, label, a, b, differs, settingIds }] }] }`).
 * Returns the exit code; throws {@link CliError} when a VM cannot be found or read.
 */
export async function compare(opts: CompareOptions, io: CliIo): Promise<number> {
  const byArg = new Map<string, InspectItem>();
  for (const arg of [opts.a, opts.b])
    if (isFile(arg, io.cwd)) byArg.set(arg, readDumpFile(arg, io.cwd, io.platform));
  const pool: InspectItem[] = [];
  let vboxProblem: string | undefined;
  if (!byArg.has(opts.a) || !byArg.has(opts.b)) {
    if (opts.vmwareFolders.length > 0) pool.push(...(await readVmwareFolders(opts.vmwareFolders, io)));
    if (opts.libvirt !== undefined) pool.push(...(await readLibvirt(opts.libvirt, io)));
    const wanted = [opts.a, opts.b].filter((x) => !byArg.has(x));
    const found = (x: string) => {
      try {
        return selectVms(pool, x).length > 0;
      } catch {
        return false;
      }
    };
    if (!wanted.every(found)) {
      const live: InspectOptions = { files: [], vmwareFolders: [], json: false, lang: opts.lang };
      if (opts.vboxmanage !== undefined) live.vboxmanage = opts.vboxmanage;
      try {
        pool.push(...(await readLive(live, io)).items);
      } catch (err) {
        if (!(err instanceof CliError)) throw err;
        vboxProblem = err.message;
      }
    }
  }
  const pick = (arg: string): InspectItem => {
    const file = byArg.get(arg);
    if (file) return file;
    try {
      const hits = selectVms(pool, arg);
      if (hits.length > 1)
        io.stderr(
          `vm-companion: warning: ${hits.length} VMs have the id ${arg}; the first (${hits[0].summary.name}) is used.\n`,
        );
      return hits[0];
    } catch (err) {
      if (err instanceof CliError && vboxProblem)
        throw new CliError(`${err.message} (VirtualBox: ${vboxProblem})`);
      throw err;
    }
  };
  const host = cliHostFacts({ files: [], vmwareFolders: [], json: false, lang: opts.lang });
  const [a, b] = await analyseItems([pick(opts.a), pick(opts.b)], { host, platform: io.platform });
  const detail = (i: InspectItem): VmDetail => ({
    summary: i.summary,
    config: i.config,
    host: i.host ?? host,
  });
  const comparison: Comparison = compareVms(detail(a), detail(b), opts.lang);
  if (opts.json) {
    const shown = opts.differences
      ? {
          ...comparison,
          pages: comparison.pages
            .map((p) => ({ ...p, rows: p.rows.filter((r) => r.differs) }))
            .filter((p) => p.rows.length > 0),
        }
      : comparison;
    io.stdout(`${terminalSafeJson(JSON.stringify(shown, null, 2))}\n`);
  } else io.stdout(formatComparisonText(comparison, opts.lang, opts.differences));
  return 0;
}

function readVersion(): string {
  try {
    const pkg = JSON.parse(fs.readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
      version?: string;
    };
    return pkg.version ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Runs the CLI with `argv` (arguments after the program name) and returns the exit code:
 * 0 success, 1 failure (message on stderr), 2 usage error.
 */
export async function runCli(argv: string[], ioOverrides: Partial<CliIo> = {}): Promise<number> {
  const io: CliIo = {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
    platform: process.platform,
    ...ioOverrides,
  };
  // Messages quote VM names, paths and VBoxManage's own text: never let them drive the terminal.
  const writeErr = io.stderr;
  io.stderr = (t) => writeErr(visibleControls(t));
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    }
    if (command === '--version' || command === '-v') {
      io.stdout(`${readVersion()}\n`);
      return 0;
    }
    if (command === 'compare') {
      const copts = parseCompareArgs(rest);
      if (copts === 'help') {
        io.stdout(USAGE);
        return 0;
      }
      return await compare(copts, io);
    }
    if (command !== 'inspect') throw new CliError(`Unknown command "${command}".\n\n${USAGE}`, 2);
    const opts = parseInspectArgs(rest);
    if (opts === 'help') {
      io.stdout(USAGE);
      return 0;
    }
    return await inspect(opts, io);
  } catch (err) {
    if (err instanceof CliError) {
      io.stderr(`vm-companion: ${err.message}\n`);
      return err.exitCode;
    }
    if (err instanceof NotVmxError) {
      io.stderr(`vm-companion: ${err.message}\n`);
      return 1;
    }
    io.stderr(
      `vm-companion: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

/**
 * `vm-companion` command line (entry: bin/vm-companion.mjs).
 *
 *   vm-companion inspect [--vm <uuid|name>] [--file <path>]... [--json] [--lang en|zh-CN] [--vboxmanage <path>]
 *                        [--host-cores <n>] [--host-memory <MB>]
 *   vm-companion --help | inspect --help | --version
 *
 * `inspect --file` reads saved `VBoxManage showvminfo <vm> --machinereadable` dumps or VirtualBox
 * machine settings files (`.vbox`), told apart by content (no VBoxManage needed). Without `--file`
 * it locates VBoxManage (`--vboxmanage`, then the `VBOXMANAGE` environment variable, then the
 * standard search of `locateVBoxManage`), runs `list vms` and reads every VM's configuration by
 * UUID — with `--vm`, only the VM it names (mapped to its UUID through `list vms` first; names are
 * never passed to VBoxManage) — then `--version` and `list hostinfo` for the advice. Only read-only VBoxManage verbs are used
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
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { Language } from '../shared/catalog.ts';
import { getEntry } from '../shared/catalog-data.ts';
import type { HostFacts, VmConfig, VmSummary } from '../shared/model.ts';
import {
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
import { VBoxRunner, getVersion, isVmUuid } from './vbox/runner.ts';
import { summaryFromConfig } from './vbox/to-config.ts';

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
  vm-companion inspect [options]     Show VirtualBox VMs setting by setting, with explanations
  vm-companion --help                Show this help
  vm-companion --version             Show the version

inspect options:
  --vm <uuid|name>     Only this VM (a UUID, or a VM name matched exactly)
  --file <path>        Read a saved "VBoxManage showvminfo <vm> --machinereadable" dump or a
                       VM settings file (.vbox) instead of asking VBoxManage (repeat for
                       several files; the kind is told by the content)
  --json               Print JSON: { "vms": [ { uuid, name, state, osType, memoryMB, cpus,
                       firmware, chipset, network: [...], storage: [...],
                       findings: [ { id, severity, settingId, title, reason, fix } ] } ] }
  --lang <en|zh-CN>    Language of labels, explanations and findings (default: en)
  --vboxmanage <path>  VBoxManage executable to use (else $VBOXMANAGE, else the usual
                       install locations and PATH)
  --host-cores <n>     Judge the VMs against a host with n physical cores (default: this host)
  --host-memory <MB>   Judge the VMs against a host with this much RAM (default: this host)
  -h, --help           Show this help

Only read-only VBoxManage commands are run (list, showvminfo, --version); VMs are addressed by
UUID. Findings come with the VBoxManage command that would fix them; it is shown, never run.
`;

const LANG_VALUES: readonly Language[] = ['en', 'zh-CN'];

/** Parsed `inspect` options. */
export interface InspectOptions {
  vm?: string;
  files: string[];
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
    json: v.json === true,
    lang: lang as Language,
    vboxmanage: v.vboxmanage,
  };
  const cores = positiveInt(v['host-cores'], '--host-cores', 1024);
  if (cores !== undefined) opts.hostCores = cores;
  const memory = positiveInt(v['host-memory'], '--host-memory', 64 * 1024 * 1024);
  if (memory !== undefined) opts.hostMemoryMB = memory;
  return opts;
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
 * Reads one `--file`: a saved `showvminfo --machinereadable` dump or a `.vbox` settings file, told
 * apart by content (see `parseVmFile`). The file is opened non-blocking and must be a regular file.
 * An encrypted `.vbox` gives an inaccessible VM.
 * @throws CliError when the file cannot be read or used.
 */
export function readDumpFile(file: string, cwd: string): InspectItem {
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
    throw new CliError(`Cannot read ${file}: ${why}.`);
  }
  let parsed;
  try {
    parsed = parseVmFile(bytes, full);
  } catch (err) {
    if (err instanceof VmFileError) throw new CliError(`Cannot use ${file}: ${err.reason}.`);
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
 * for the host-memory advice (`otherRunning`). Without `--vm`, every VM is read. Then `--version` and `list hostinfo`
 * (failures ignored). The wrapper's warning banner and odd `list vms` lines are printed once on
 * stderr. @throws CliError when VBoxManage cannot be found (with where we looked and how to point
 * at it), `list vms` fails, or `--vm` matches no VM or several.
 */
export async function readLive(opts: InspectOptions, io: CliIo): Promise<LiveRead> {
  const given = opts.vboxmanage ?? (io.env.VBOXMANAGE ? io.env.VBOXMANAGE : undefined);
  const givenBy = opts.vboxmanage !== undefined ? '--vboxmanage' : 'VBOXMANAGE';
  const userPath = given === undefined ? undefined : path.resolve(io.cwd, given);
  const located = await locateVBoxManage({ userPath, env: io.env, platform: io.platform });
  if (userPath !== undefined && located.via !== 'user') {
    throw new CliError(`${givenBy} ${given}: not an executable VBoxManage (looked at ${userPath}).`);
  }
  if (!located.path) {
    const tried = located.tried.length > 0 ? ` Looked in: ${located.tried.join(', ')}.` : '';
    throw new CliError(
      `VBoxManage not found.${tried} Install VirtualBox, or point at VBoxManage with --vboxmanage <path> ` +
        `or the VBOXMANAGE environment variable; or read a saved dump with --file <path>.`,
    );
  }
  const runner = new VBoxRunner(located.path, { env: runnerExtraEnv(io.env) });
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
  const version = await getVersion(runner).catch(() => undefined);
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
    if (!item.config || item.kind === 'vbox') return item;
    const e = await enrichFromCfgFile(item.config, { platform: ctx.platform, cache });
    return { ...item, config: e.config };
  });
  const env = {
    host: ctx.host,
    vboxVersion: versionOf(ctx.version),
    hostOs: hostOsFor(ctx.platform),
    runningVms: runningVmsOf([...completed.map((i) => i.summary), ...(ctx.otherRunning ?? [])]),
  };
  return completed.map((item) =>
    item.config && item.summary.accessible ? { ...item, findings: findingsFor(item.config, env) } : item,
  );
}

/** Runs `inspect`. Returns the exit code; throws {@link CliError} for user-facing failures. */
export async function inspect(opts: InspectOptions, io: CliIo): Promise<number> {
  let items: InspectItem[];
  let version: string | undefined;
  let hostInfo: HostInfo | undefined;
  let otherRunning: VmSummary[] = [];
  if (opts.files.length > 0) {
    items = opts.files.map((f) => readDumpFile(f, io.cwd));
  } else {
    ({ items, version, hostInfo, otherRunning } = await readLive(opts, io));
  }
  items = await analyseItems(items, {
    host: cliHostFacts(opts, hostInfo),
    version,
    platform: io.platform,
    otherRunning,
  });
  // Live reads are already limited to the --vm VM (see readLive); --file items are picked here.
  if (opts.files.length > 0) items = selectVms(items, opts.vm);
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
    io.stderr(
      `vm-companion: unexpected error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`,
    );
    return 1;
  }
}

import type { ReadIssue, VmConfig, VmSummary } from '../../shared/model.ts';
import { sentence, sentences } from '../sentence.ts';
import { VBoxParseError } from './errors.ts';
import { parseHostInfo, type HostInfo } from './parse-hostinfo.ts';
import { parseListVms, type ListedVm } from './parse-list-vms.ts';
import { WRAPPER_WARNING_ISSUE } from './parse-showvminfo.ts';
import { VBoxError, extractVBoxMessage, type VBoxRunner } from './runner.ts';
import { showVmInfoToConfig, summaryFromConfig } from './to-config.ts';

/**
 * Reading every VirtualBox VM through `VBoxManage`: `list vms`, then
 * `showvminfo <uuid> --machinereadable` per VM through the runner's bounded queue. One VM that
 * cannot be read never stops the others (TROUBLE T01–T03): it becomes a summary with
 * `accessible: false` and an English `error`.
 */

/** Result of {@link readInventory}. */
export interface InventoryRead {
  /** One summary per `list vms` row, in that order (inaccessible and failed VMs included). */
  vms: VmSummary[];
  /** Full configuration of each VM that could be read, by VM id (lower-case UUID). */
  configs: Map<string, VmConfig>;
  /** Problems with the listing itself (odd `list vms` lines, repeated or mismatched UUIDs). */
  issues: ReadIssue[];
  /**
   * The Linux wrapper script's `WARNING:` banner(s) printed before `list vms` (e.g. "The vboxdrv
   * kernel module is not loaded. …"), condensed to one line; absent when there was none. The same
   * banner is then left out of each VM's `config.issues`, so it is reported once.
   */
  warning?: string;
}

/** Options of {@link readInventory}. */
export interface ReadInventoryOptions {
  /** Cancels the whole read; rejects with `VBoxError` kind `aborted`. */
  signal?: AbortSignal;
  /** Called with (0, total) after `list vms`, then after each VM (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** Reason shown for an inaccessible VM when VirtualBox gives no details. */
export const INACCESSIBLE_REASON =
  'VirtualBox could not read this VM (its settings file is missing or damaged).';

/** Result of {@link listVms}: the rows of `list vms`, repeated UUIDs dropped. */
export interface VmListing {
  /** One row per VM, in list order (`<inaccessible>` rows included), each UUID once. */
  rows: ListedVm[];
  /** Odd `list vms` lines and repeated UUIDs, messages prefixed with `list vms: `. */
  issues: ReadIssue[];
  /** The Linux wrapper's banner, condensed (see {@link InventoryRead.warning}). */
  warning?: string;
}

/**
 * Runs `VBoxManage list vms` and parses it (format `"name" {uuid}`, VirtualBox 3.x–7.x): no
 * per-VM call is made. A UUID listed twice keeps its first row and becomes an issue.
 * Rejects with `VBoxError` when the call fails or is aborted.
 */
export async function listVms(runner: VBoxRunner, opts: { signal?: AbortSignal } = {}): Promise<VmListing> {
  const listed = await runner.run(['list', 'vms'], { signal: opts.signal });
  const parsed = parseListVms(listed.stdout);
  const issues: ReadIssue[] = parsed.issues.map((i) => ({ ...i, message: `list vms: ${i.message}` }));
  const seen = new Set<string>();
  const rows: ListedVm[] = [];
  for (const vm of parsed.vms) {
    if (seen.has(vm.uuid)) {
      issues.push({ message: `list vms: UUID ${vm.uuid} is listed twice; the second row was ignored` });
      continue;
    }
    seen.add(vm.uuid);
    rows.push(vm);
  }
  const warning = condenseWarnings(parsed.warnings);
  return warning ? { rows, issues, warning } : { rows, issues };
}

/**
 * Runs `VBoxManage list runningvms` (same row format as `list vms`; VirtualBox 3.x–7.x) and returns
 * the UUIDs it lists, lower case. The command lists VMs that are Running, Paused, Teleporting,
 * LiveSnapshotting or TeleportingPausedVM — not Starting, Saving, Restoring or Stuck (reference
 * §4.1). Rejects with `VBoxError` when the call fails or is aborted.
 */
export async function listRunningVms(
  runner: VBoxRunner,
  opts: { signal?: AbortSignal } = {},
): Promise<Set<string>> {
  const { stdout } = await runner.run(['list', 'runningvms'], { signal: opts.signal });
  return new Set(parseListVms(stdout).vms.map((vm) => vm.uuid.toLowerCase()));
}

/**
 * Removes the Linux wrapper's `WARNING:` banner issues from a `showvminfo` configuration (in place),
 * for when the banner is already reported once for VirtualBox as a whole (`VmListing.warning`).
 */
export function dropWrapperWarningIssues(config: VmConfig): void {
  config.issues = config.issues.filter((i) => !i.message.startsWith(WRAPPER_WARNING_ISSUE));
}

/**
 * Reads the VMs of `listing` (all its rows, or the ones the caller kept) with
 * `showvminfo <uuid> --machinereadable`, through the runner's bounded queue; see
 * {@link readInventory} for how failures are reported. `listing.issues` and `warning` are passed
 * through. Rejects only when aborted.
 */
export async function readListedVms(
  runner: VBoxRunner,
  listing: VmListing,
  opts: ReadInventoryOptions = {},
): Promise<InventoryRead> {
  const { signal, onProgress } = opts;
  const { rows, warning } = listing;
  const issues = [...listing.issues];
  const total = rows.length;
  let done = 0;
  onProgress?.(0, total);
  const results = await Promise.all(
    rows.map(async (row) => {
      const result = await readOne(runner, row, signal);
      done++;
      onProgress?.(done, total);
      return result;
    }),
  );

  const configs = new Map<string, VmConfig>();
  const vms: VmSummary[] = [];
  for (const r of results) {
    vms.push(r.summary);
    if (r.config) {
      if (warning) dropWrapperWarningIssues(r.config);
      configs.set(r.summary.id, r.config);
    }
    if (r.issue) issues.push(r.issue);
  }
  return warning ? { vms, configs, issues, warning } : { vms, configs, issues };
}

/**
 * Reads one VM by UUID as `list vms` listed it (`row`: its name and UUID, `accessible: false` for
 * an `<inaccessible>` row): `showvminfo <uuid> --machinereadable`, or for an inaccessible VM the
 * reason from the human-readable `showvminfo`. Never rejects except when aborted; failures give
 * `accessible: false` and an `error` naming the kind (see {@link describeFailure}).
 */
export async function readVm(
  runner: VBoxRunner,
  row: ListedVm,
  opts: { signal?: AbortSignal } = {},
): Promise<{ summary: VmSummary; config?: VmConfig; issue?: ReadIssue }> {
  return readOne(runner, row, opts.signal);
}

/**
 * Reads all VMs: {@link listVms}, then {@link readListedVms}. Rejects (with `VBoxError`) only when
 * `list vms` itself fails or the read is aborted; per-VM failures (inaccessible, `E_ACCESSDENIED`,
 * missing saved state, timeout, output that is not a VM dump) become summaries with
 * `accessible: false` and `error`. For a VM listed as `<inaccessible>` the reason is read from the
 * human-readable `showvminfo <uuid>` (its "Access error details", printed to stderr). Summaries of
 * readable VMs carry the dump's name, state (`VMState`), OS type, vCPUs and memory (MB).
 * Formats: `list vms` and `showvminfo --machinereadable`, VirtualBox 3.x–7.x.
 */
export async function readInventory(
  runner: VBoxRunner,
  opts: ReadInventoryOptions = {},
): Promise<InventoryRead> {
  return readListedVms(runner, await listVms(runner, { signal: opts.signal }), opts);
}

/** Longest banner text kept in {@link InventoryRead.warning}, in characters. */
const MAX_WARNING = 400;

/** The wrapper's warning texts as one line: `VBoxManage warns: <text> <text>`, cut at {@link MAX_WARNING}. */
function condenseWarnings(texts: string[]): string | undefined {
  if (texts.length === 0) return undefined;
  const text = `VBoxManage warns: ${texts.join(' ')}`;
  return text.length > MAX_WARNING ? `${text.slice(0, MAX_WARNING - 1)}…` : text;
}

interface OneVm {
  summary: VmSummary;
  config?: VmConfig;
  issue?: ReadIssue;
}

function failed(row: ListedVm, error: string): VmSummary {
  return {
    id: row.uuid,
    hypervisor: 'virtualbox',
    source: 'vboxmanage',
    name: row.name,
    accessible: false,
    error,
    findings: 0,
  };
}

async function readOne(runner: VBoxRunner, row: ListedVm, signal?: AbortSignal): Promise<OneVm> {
  if (!row.accessible) {
    return { summary: failed(row, await inaccessibleReason(runner, row.uuid, signal)) };
  }
  let config: VmConfig;
  try {
    const { stdout } = await runner.run(['showvminfo', row.uuid, '--machinereadable'], { signal });
    config = showVmInfoToConfig(stdout, 'vboxmanage');
  } catch (err) {
    if (err instanceof VBoxError && err.kind === 'aborted') throw err;
    return { summary: failed(row, describeFailure(err, runner.timeoutMs)) };
  }
  if (config.id !== row.uuid) {
    const message = `showvminfo ${row.uuid} answered with the data of VM ${config.id || '(no UUID)'}; ignored`;
    return { summary: failed(row, message), issue: { message } };
  }
  const summary = summaryFromConfig(config);
  if (!summary.accessible) {
    // Listed by name a moment ago, inaccessible now (or an older VirtualBox): same handling as above.
    return { summary: failed(row, await inaccessibleReason(runner, row.uuid, signal)) };
  }
  return { summary, config };
}

/** Likely cause added to an `E_ACCESSDENIED` failure. */
export const ACCESS_DENIED_CAUSE =
  "the VM belongs to another user, or VirtualBox's service (VBoxSVC) runs as another user";

/** `12 s`, `0.4 s`: a duration in ms as seconds for messages. */
function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(ms < 10_000 ? 1 : 0))} s`;
}

/** Start of {@link describeFailure}'s text for a VM whose `showvminfo` timed out (worth trying again). */
export const TIMED_OUT_PREFIX = 'Timed out';

/**
 * True for a failure text of {@link describeFailure} that says VBoxManage timed out: reading the VM
 * again may work, so the UI adds "Refresh to try again." and the CLI "Run the command again…".
 */
export function isTimeoutFailure(error: string | undefined): boolean {
  return error !== undefined && /^Timed out(?: after [^:]+)?: /.test(error);
}

/**
 * English text for a VM whose `showvminfo` failed, starting with the kind of failure so the
 * machines list can tell them apart: `Timed out after 15 s: …` (VBoxManage did not answer and was
 * stopped; see {@link isTimeoutFailure} — what to do next is left to the UI and the CLI),
 * `Access denied: … (likely cause)` (`E_ACCESSDENIED`), `Saved state unusable: …` (the saved-state
 * file is missing or invalid, TROUBLE T02), `VBoxManage failed (exit code N): …`,
 * `Output too large: …`, `No output: …`, `Unreadable output: …` (not a VM dump). VBoxManage's own
 * lines are joined as sentences (a full stop added where one is missing); the text always ends
 * with a full stop.
 *
 * @param err what the runner or the converter threw.
 * @param timeoutMs the runner's deadline in ms, named in the timeout text.
 */
export function describeFailure(err: unknown, timeoutMs?: number): string {
  if (err instanceof VBoxError) {
    switch (err.kind) {
      case 'timeout':
        return `${TIMED_OUT_PREFIX}${timeoutMs === undefined ? '' : ` after ${seconds(timeoutMs)}`}: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).`;
      case 'exit': {
        const text = sentences(err.vboxMessage ?? err.stderr ?? '');
        if (/E_ACCESSDENIED|0x80070005/i.test(text)) {
          return `Access denied: ${text} Likely cause: ${ACCESS_DENIED_CAUSE}.`;
        }
        if (/saved state/i.test(text)) return `Saved state unusable: ${text}`;
        return `VBoxManage failed (exit code ${err.exitCode}): ${text || 'no error text.'}`;
      }
      case 'too_large':
        return `Output too large: ${sentence(err.message)}`;
      case 'empty':
        return `No output: ${sentence(err.message)}`;
      default:
        return sentence(err.message);
    }
  }
  if (err instanceof VBoxParseError)
    return `Unreadable output: VBoxManage's answer for this VM is not a VM dump (${err.message}).`;
  return `Reading this VM failed: ${sentence(err instanceof Error ? err.message : String(err))}`;
}

/**
 * Why VirtualBox cannot read a VM: from human-readable `showvminfo <uuid>`, which prints
 * `Config file:` on stdout and the access error as `VBoxManage: error:` lines on stderr
 * (VBoxManageInfo.cpp). Build-path lines (`…/MachineImpl.cpp[708] (…)`) are dropped. Falls back to
 * {@link INACCESSIBLE_REASON} when VirtualBox gives no details or the call fails (except abort).
 */
async function inaccessibleReason(runner: VBoxRunner, uuid: string, signal?: AbortSignal): Promise<string> {
  try {
    const { stdout, stderr } = await runner.run(['showvminfo', uuid], { signal });
    const lines = extractVBoxMessage(`${stderr}\n${stdout}`)
      ?.split('\n')
      .filter((l) => !/\.(cpp|c|h)\[\d+\]/.test(l));
    const message = lines && sentences(lines.join('\n'));
    const cfg = /^Config file:[ \t]*(\S.*?)[ \t]*\r?$/m.exec(stdout)?.[1];
    if (!message) return cfg ? `${INACCESSIBLE_REASON.slice(0, -1)}: ${cfg}` : INACCESSIBLE_REASON;
    return `VirtualBox could not read this VM${cfg ? ` (settings file ${cfg})` : ''}: ${message}`;
  } catch (err) {
    if (err instanceof VBoxError && err.kind === 'aborted') throw err;
    return INACCESSIBLE_REASON;
  }
}

/**
 * `VBoxManage list hostinfo`, parsed (VirtualBox 4.x–7.x; English labels thanks to the runner's
 * locale). Rejects with `VBoxError` when the call fails; odd lines are in the result's `issues`.
 */
export async function readHostInfo(
  runner: VBoxRunner,
  opts: { signal?: AbortSignal } = {},
): Promise<HostInfo> {
  const { stdout } = await runner.run(['list', 'hostinfo'], opts);
  return parseHostInfo(stdout);
}

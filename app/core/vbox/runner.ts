import {
  ChildRunError,
  RunQueue,
  byteSize,
  failureText,
  minimalEnv,
  runChild,
  type ChildFailure,
} from '../child-run.ts';
import { parseVBoxVersion } from './parse-version.ts';

/**
 * Running `VBoxManage` safely: read verbs only, VMs addressed by UUID, argument arrays without a
 * shell, a minimal environment, a deadline with SIGTERM → SIGKILL, an output cap, cancellation,
 * and at most `concurrency` calls at once (VBoxSVC contends on locks).
 * Facts: reference/electron-and-toolchain.md §2.3, reference/virtualbox-settings.md §3.1, §3.8, §4.12.
 */

/** The only first arguments the runner will ever pass to `VBoxManage`. */
export const READ_VERBS = [
  'list',
  'showvminfo',
  'showmediuminfo',
  'snapshot',
  'getextradata',
  '--version',
] as const;

/** A read verb (see {@link READ_VERBS}). */
export type ReadVerb = (typeof READ_VERBS)[number];

/** What went wrong when running `VBoxManage`. */
export type VBoxErrorKind = 'not_found' | 'timeout' | 'exit' | 'too_large' | 'refused' | 'aborted' | 'empty';

/**
 * Error of a `VBoxManage` call.
 * - `not_found`: the binary is missing (ENOENT) or cannot be executed (EACCES, …);
 * - `timeout`: no answer before the deadline (the process was killed);
 * - `exit`: non-zero exit code (`exitCode`, `stderr`, and `vboxMessage` = VBoxManage's own
 *   `VBoxManage: error:` lines without the prefix, joined by `\n`, `Details: code …` kept, `Context:` dropped);
 * - `too_large`: stdout or stderr exceeded `maxBufferBytes` (process killed);
 * - `refused`: the arguments are not a read-only command (nothing was spawned);
 * - `aborted`: the caller's AbortSignal fired (queued calls never spawn);
 * - `empty`: exit 0 but no output where VBoxManage always prints something (TROUBLE T11: `LANG=C`).
 */
export class VBoxError extends Error {
  kind: VBoxErrorKind;
  exitCode?: number;
  stderr?: string;
  vboxMessage?: string;
  constructor(
    kind: VBoxErrorKind,
    message: string,
    extra: { exitCode?: number; stderr?: string; vboxMessage?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'VBoxError';
    this.kind = kind;
    if (extra.exitCode !== undefined) this.exitCode = extra.exitCode;
    if (extra.stderr !== undefined) this.stderr = extra.stderr;
    if (extra.vboxMessage !== undefined) this.vboxMessage = extra.vboxMessage;
  }
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** `VBoxManage list <what>` targets, all read-only listings (VBoxManageList.cpp, 6.1–7.1). */
const LIST_TARGETS = new Set([
  'vms',
  'runningvms',
  'ostypes',
  'ossubtypes',
  'hostdvds',
  'hostfloppies',
  'intnets',
  'bridgedifs',
  'hostonlyifs',
  'hostonlynets',
  'natnets',
  'natnetworks',
  'dhcpservers',
  'hostinfo',
  'hostcpuids',
  'hostdrives',
  'hddbackends',
  'hdds',
  'dvds',
  'floppies',
  'usbhost',
  'usbfilters',
  'systemproperties',
  'extpacks',
  'groups',
  'webcams',
  'screenshotformats',
  'cloudproviders',
  'cloudprofiles',
  'cloudnets',
  'cpu-profiles',
]);

/** True for a VirtualBox UUID as `list vms` prints it (no braces). */
export function isVmUuid(s: string): boolean {
  return UUID_RE.test(s);
}

function refuse(args: readonly string[], why: string): never {
  throw new VBoxError('refused', `Refused to run VBoxManage ${JSON.stringify(args)}: ${why}`);
}

/**
 * Throws `VBoxError` kind `refused` unless `args` is one of these read-only forms:
 * `--version`; `list [--long|-l] [--sorted|-s] <what>`; `showvminfo <uuid> [--machinereadable]`;
 * `showmediuminfo [disk|dvd|floppy] <uuid|path>`; `snapshot <uuid> list [--machinereadable|--details]`;
 * `getextradata <uuid|global> <key|enumerate>`. VMs are addressed by UUID only (a VM named
 * `--something` can never become an option), and no argument may contain a NUL character.
 */
export function assertReadOnlyArgs(args: readonly string[]): void {
  if (!Array.isArray(args) || args.length === 0) refuse(args ?? [], 'no command');
  for (const a of args) {
    if (typeof a !== 'string') refuse(args, 'arguments must be strings');
    if (a.includes('\0')) refuse(args, 'NUL character in an argument');
  }
  const [verb, ...rest] = args;
  switch (verb) {
    case '--version':
      if (rest.length === 0) return;
      return refuse(args, '--version takes no arguments');
    case 'list': {
      const flags = rest.slice(0, -1);
      const what = rest[rest.length - 1];
      if (what === undefined || !LIST_TARGETS.has(what)) refuse(args, 'unknown list target');
      for (const f of flags) {
        if (!['--long', '-l', '--sorted', '-s'].includes(f)) refuse(args, `option ${f} not allowed`);
      }
      if (new Set(flags).size !== flags.length) refuse(args, 'repeated option');
      return;
    }
    case 'showvminfo':
      if (!isVmUuid(rest[0] ?? '')) refuse(args, 'the VM must be given by UUID');
      if (rest.length === 1 || (rest.length === 2 && rest[1] === '--machinereadable')) return;
      return refuse(args, 'only --machinereadable may follow the UUID');
    case 'showmediuminfo': {
      const target = rest.length === 2 ? rest[1] : rest[0];
      if (rest.length === 2 && !['disk', 'dvd', 'floppy'].includes(rest[0]))
        refuse(args, 'unknown medium type');
      if (rest.length < 1 || rest.length > 2 || !target || target.startsWith('-')) {
        refuse(args, 'expected [disk|dvd|floppy] <uuid|path>');
      }
      return;
    }
    case 'snapshot': {
      if (!isVmUuid(rest[0] ?? '')) refuse(args, 'the VM must be given by UUID');
      if (rest[1] !== 'list') refuse(args, 'only "snapshot <uuid> list" is allowed');
      const opts = rest.slice(2);
      for (const o of opts) {
        if (!['--machinereadable', '--details'].includes(o)) refuse(args, `option ${o} not allowed`);
      }
      if (new Set(opts).size !== opts.length) refuse(args, 'repeated option');
      return;
    }
    case 'getextradata': {
      if (rest.length !== 2) refuse(args, 'expected <uuid|global> <key|enumerate>');
      if (rest[0] !== 'global' && !isVmUuid(rest[0])) refuse(args, 'the VM must be given by UUID');
      if (!rest[1] || rest[1].startsWith('-')) refuse(args, 'the key must not be empty or start with "-"');
      return;
    }
    default:
      return refuse(args, `"${String(verb)}" is not a read verb`);
  }
}

/** Commands after which VBoxManage always prints something on stdout; empty means a broken locale (T11). */
function mustPrint(args: readonly string[]): boolean {
  const [verb, ...rest] = args;
  if (verb === '--version' || verb === 'showvminfo' || verb === 'showmediuminfo') return true;
  if (verb === 'list') return ['hostinfo', 'systemproperties', 'ostypes'].includes(rest[rest.length - 1]);
  return false;
}

/**
 * VBoxManage's own error text from stderr: the `VBoxManage: error:` (or `VBoxManage.exe: error:`)
 * lines without that prefix, `Context:` lines dropped (they name source lines), joined by `\n`.
 * Falls back to `Syntax error:` lines. Returns `undefined` when stderr holds none of these.
 */
export function extractVBoxMessage(stderr: string): string | undefined {
  const out: string[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    const m = /^(?:.*[\\/])?vboxmanage(?:\.exe)?: error: ?(.*)$/i.exec(raw.trimEnd());
    const text = m ? m[1].trim() : /^Syntax error: /.test(raw) ? raw.trim() : undefined;
    if (text === undefined || text === '' || /^Context: /.test(text)) continue;
    out.push(text);
  }
  return out.length > 0 ? out.join('\n') : undefined;
}

/** Locale for the child on Unix: English labels (T10) and a UTF-8 codeset (T12), never `C` (T11). */
export const CHILD_LOCALE = 'en_US.UTF-8';

const PASS_THROUGH_UNIX = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'XDG_CONFIG_HOME',
  'VBOX_USER_HOME',
  'VBOX_IPC_SOCKETID',
];
const PASS_THROUGH_WIN = [
  'PATH',
  'USERPROFILE',
  'HOMEDRIVE',
  'HOMEPATH',
  'SystemRoot',
  'SystemDrive',
  'windir',
  'TEMP',
  'TMP',
  'VBOX_USER_HOME',
];

/**
 * The environment a `VBoxManage` child gets: only the variables VBoxManage needs, copied from
 * `source` (Windows names matched case-insensitively), plus on Unix `LC_ALL` and `LANG` set to
 * {@link CHILD_LOCALE} — English labels for human-readable listings (T10) and UTF-8 for non-ASCII
 * VM names (T12). `LANG=C` is avoided on purpose: some 7.0 hosts then print nothing (T11). If
 * en_US.UTF-8 is not installed, the C library falls back to the C locale and non-ASCII names may
 * show as `?` (identity uses UUIDs, so only display suffers). `extra` is merged last (tests and
 * demo mode pass the stand-in's `VBOX_STANDIN_*` variables this way).
 */
export function childEnv(
  source: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return minimalEnv(
    source,
    platform,
    { unix: PASS_THROUGH_UNIX, win: PASS_THROUGH_WIN },
    CHILD_LOCALE,
    extra,
  );
}

/** Options of {@link VBoxRunner}. */
export interface VBoxRunnerOptions {
  /** Deadline per call in ms (default 15000); then SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs?: number;
  /** Cap on stdout and on stderr, each, in bytes (default 16 MiB). */
  maxBufferBytes?: number;
  /** Calls running at once (default 2); later calls wait in FIFO order. */
  concurrency?: number;
  /** Extra environment variables merged over the minimal child environment (see {@link childEnv}). */
  env?: NodeJS.ProcessEnv;
  /** Wait after SIGTERM before SIGKILL, in ms (default 2000). */
  killGraceMs?: number;
}

/** Output of a successful call (exit code 0). Text is decoded as UTF-8. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/** Runs read-only `VBoxManage` commands; see the module documentation. */
export class VBoxRunner {
  readonly path: string;
  readonly timeoutMs: number;
  readonly maxBufferBytes: number;
  readonly concurrency: number;
  readonly killGraceMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly queue: RunQueue;

  /** @param path Absolute path of the VBoxManage executable (Windows: the `.exe`, unquoted). */
  constructor(path: string, opts: VBoxRunnerOptions = {}) {
    this.path = path;
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.maxBufferBytes = opts.maxBufferBytes ?? 16 * 1024 * 1024;
    this.queue = new RunQueue(opts.concurrency ?? 2);
    this.concurrency = this.queue.concurrency;
    this.killGraceMs = opts.killGraceMs ?? 2_000;
    this.env = childEnv(process.env, process.platform, opts.env);
  }

  /**
   * Runs `VBoxManage <args>` once a queue slot is free. Rejects with {@link VBoxError}:
   * `refused` (checked before anything is queued or spawned), `aborted`, `not_found`, `timeout`,
   * `too_large`, `exit`, `empty`. Resolves with stdout/stderr on exit code 0 (stderr may hold
   * harmless warnings, e.g. TROUBLE T07).
   */
  async run(args: string[], opts: { signal?: AbortSignal } = {}): Promise<RunResult> {
    assertReadOnlyArgs(args);
    const { signal } = opts;
    if (signal?.aborted) throw abortedError(args);
    await this.queue.acquire(signal, () => abortedError(args));
    try {
      if (signal?.aborted) throw abortedError(args);
      const result = await runChild(this.path, args, {
        timeoutMs: this.timeoutMs,
        maxBufferBytes: this.maxBufferBytes,
        killGraceMs: this.killGraceMs,
        env: this.env,
        signal,
      }).catch((err: unknown) => {
        throw err instanceof ChildRunError ? this.mapFailure(err.failure, args, err.cause) : err;
      });
      if (result.stdout.trim() === '' && mustPrint(args)) {
        throw new VBoxError(
          'empty',
          `VBoxManage ${args.join(' ')} exited 0 but printed nothing (a locale problem such as LANG=C can cause this)`,
          { exitCode: 0, stderr: result.stderr },
        );
      }
      return result;
    } finally {
      this.queue.release();
    }
  }

  /** The {@link VBoxError} for a failed call, with its English message. */
  private mapFailure(f: ChildFailure, args: readonly string[], cause: unknown): VBoxError {
    const command = `VBoxManage ${args.join(' ')}`;
    if (f.kind !== 'exit') {
      const { kind, message } = failureText(f, {
        tool: 'VBoxManage',
        path: this.path,
        command,
        timeoutMs: this.timeoutMs,
        maxBufferBytes: this.maxBufferBytes,
      });
      return new VBoxError(kind, message, 'stderr' in f ? { stderr: f.stderr, cause } : { cause });
    }
    const vboxMessage = extractVBoxMessage(f.stderr);
    const firstLine =
      f.stderr.trim().split(/\r?\n/)[0] || f.stdout.trim().split(/\r?\n/)[0] || 'no error text';
    return new VBoxError(
      'exit',
      `${command} failed with exit code ${f.exitCode}: ${vboxMessage ?? firstLine}`,
      {
        exitCode: f.exitCode,
        stderr: f.stderr,
        ...(vboxMessage === undefined ? {} : { vboxMessage }),
        cause,
      },
    );
  }
}

/** A byte count for messages (see child-run.ts): `16 MiB (16777216 bytes)`. */
export { byteSize };

function abortedError(args: readonly string[]): VBoxError {
  return new VBoxError('aborted', `VBoxManage ${args.join(' ')} was cancelled`);
}

/**
 * The message for a program that is not VBoxManage: `<path> is not VBoxManage: \`--version\`
 * printed "<first 200 characters of its output, trimmed>"` (or `printed nothing`).
 */
export function notVBoxManageMessage(path: string, printed: string): string {
  const t = printed.trim();
  const shown = t === '' ? 'nothing' : JSON.stringify(t.length > 200 ? `${t.slice(0, 200)}…` : t);
  return `${path} is not VBoxManage: \`--version\` printed ${shown}`;
}

/**
 * `VBoxManage --version` → the version string as printed (e.g. `7.1.12r169651`), read with
 * `parseVBoxVersion` so leading Linux wrapper WARNING banners (TROUBLE T04/T05) are skipped. This is
 * the check that the program is VBoxManage at all: callers run it FIRST and alone, before any other
 * verb. Throws {@link VBoxError} from the runner (`empty` when it printed nothing), or a
 * `VBoxError` of kind `exit` worded by {@link notVBoxManageMessage} when no version line is found.
 */
export async function getVersion(runner: VBoxRunner, opts: { signal?: AbortSignal } = {}): Promise<string> {
  const { stdout } = await runner.run(['--version'], opts);
  try {
    return parseVBoxVersion(stdout).version;
  } catch (err) {
    throw new VBoxError('exit', notVBoxManageMessage(runner.path, stdout), { cause: err });
  }
}

import { execFile, type ChildProcess, type ExecFileException } from 'node:child_process';
import { tmpdir } from 'node:os';

/**
 * Running a command-line tool as a child process, the one way the read-only runners do it
 * (`VBoxRunner` for VBoxManage, `VirshRunner` for virsh): no shell (an argument array, so nothing in
 * an argument is ever interpreted), a minimal environment, a deadline after which the child gets
 * SIGTERM and, after a grace period, SIGKILL (and if its pipes still do not close — a grandchild
 * holding them — the call gives up after another grace period), a cap on stdout and on stderr, and
 * cancellation through an `AbortSignal`. Failures are typed ({@link ChildRunError}) so each runner
 * maps them to its own error class and English messages. Also: a FIFO queue bounding how many
 * calls run at once ({@link RunQueue}), and the minimal environment ({@link minimalEnv}).
 */

/** Options of {@link runChild}. */
export interface ChildRunOptions {
  /** Deadline in ms, then SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs: number;
  /** Cap on stdout and on stderr, each, in bytes; over it the child is stopped (`too_large`). */
  maxBufferBytes: number;
  /** Wait after SIGTERM before SIGKILL, and after SIGKILL before giving up on closed pipes, in ms. */
  killGraceMs: number;
  /** The child's whole environment (see {@link minimalEnv}). */
  env: NodeJS.ProcessEnv;
  /**
   * Cancels the call: the call fails `aborted` at once and the child is stopped exactly like on the
   * deadline (SIGTERM, then SIGKILL after `killGraceMs` if it is still alive).
   */
  signal?: AbortSignal;
  /** Working folder of the child (default `os.tmpdir()`; never the host's own working folder). */
  cwd?: string;
}

/** Children started by {@link runChild} that have not exited yet. */
const live = new Set<ChildProcess>();

/**
 * Stops every child {@link runChild} started that is still running (host shutdown): SIGTERM now,
 * SIGKILL to those still alive after `graceMs` (ms; `0` or less: SIGKILL at once, synchronously).
 * Resolves once the SIGKILL round was sent (at most `graceMs` later; at once when nothing runs)
 * with how many children were signalled.
 */
export function killAllChildren(graceMs: number): Promise<number> {
  const kids = [...live];
  if (graceMs <= 0) {
    for (const c of kids) c.kill('SIGKILL');
    return Promise.resolve(kids.length);
  }
  for (const c of kids) c.kill('SIGTERM');
  if (kids.length === 0) return Promise.resolve(0);
  return new Promise((resolve) => {
    setTimeout(() => {
      for (const c of kids) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
      resolve(kids.length);
    }, graceMs); // not unref'd: the host must not end before the SIGKILL round
  });
}

/** Output of a call that exited with code 0, decoded as UTF-8. */
export interface ChildRunResult {
  stdout: string;
  stderr: string;
}

/**
 * Why a call failed:
 * - `aborted`: the signal fired;
 * - `not_found`: no executable at the path (`ENOENT`);
 * - `cannot_run`: something is there but cannot be executed (`code`: EACCES, EPERM, ENOEXEC, EISDIR,
 *   ENOTDIR, EINVAL);
 * - `too_large`: stdout or stderr went over `maxBufferBytes`;
 * - `timeout`: no answer before the deadline (`afterKill`: not even the pipes closed after SIGKILL);
 * - `exit`: a non-zero exit code (`exitCode`), with what was printed;
 * - `signal`: the child was ended by a signal it was not sent by us (`signal`);
 * - `error`: anything else Node reports (`message`).
 */
export type ChildFailure =
  | { kind: 'aborted' }
  | { kind: 'not_found' }
  | { kind: 'cannot_run'; code: string }
  | { kind: 'too_large' }
  | { kind: 'timeout'; afterKill: boolean }
  | { kind: 'exit'; exitCode: number; stdout: string; stderr: string }
  | { kind: 'signal'; signal: string; stderr: string }
  | { kind: 'error'; message: string; stderr: string };

/** Rejection of {@link runChild}: `failure` says why; `cause` is Node's own error, when there is one. */
export class ChildRunError extends Error {
  failure: ChildFailure;
  constructor(failure: ChildFailure, cause?: unknown) {
    super(`child process failed: ${failure.kind}`, cause === undefined ? undefined : { cause });
    this.name = 'ChildRunError';
    this.failure = failure;
  }
}

const CANNOT_RUN = ['EACCES', 'EPERM', 'ENOEXEC', 'EISDIR', 'ENOTDIR', 'EINVAL'];

/**
 * Runs `file` with `args` (no shell, hidden window on Windows, stdin closed) and resolves with its
 * output when it exits with code 0. Rejects with {@link ChildRunError} otherwise (see
 * {@link ChildFailure}); a child that does not stop on SIGTERM gets SIGKILL after `killGraceMs`.
 */
export function runChild(
  file: string,
  args: readonly string[],
  opts: ChildRunOptions,
): Promise<ChildRunResult> {
  const { timeoutMs, maxBufferBytes, killGraceMs, env, signal } = opts;
  const cwd = opts.cwd ?? tmpdir();
  return new Promise<ChildRunResult>((resolve, reject) => {
    let settled = false;
    let timedOut = false;
    let overflow = false;
    let killArmed = false;
    const timers: { deadline?: NodeJS.Timeout; giveUp?: NodeJS.Timeout } = {};
    let child: ChildProcess | undefined;
    const finish = (failure: ChildFailure | null, result?: ChildRunResult, cause?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timers.deadline);
      clearTimeout(timers.giveUp);
      if (failure) reject(new ChildRunError(failure, cause));
      else resolve(result as ChildRunResult);
    };
    // SIGTERM first (also what execFile sends on its timeout, abort and maxBuffer), SIGKILL after the
    // grace period; if the pipes still do not close, stop waiting after another grace period.
    const killLater = (): void => {
      if (killArmed) return;
      killArmed = true;
      child?.kill('SIGTERM');
      // Runs even after the call settled (abort settles at once), so an abort escalates like the deadline.
      const t = setTimeout(() => {
        if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
        if (!settled) {
          timers.giveUp = setTimeout(() => {
            child?.stdout?.destroy();
            child?.stderr?.destroy();
            finish({ kind: 'timeout', afterKill: true });
          }, killGraceMs);
        }
      }, killGraceMs);
      t.unref();
    };
    const failureOf = (error: ExecFileException, stdout: string, stderr: string): ChildFailure => {
      const code = (error as { code?: unknown }).code;
      if (error.name === 'AbortError' || code === 'ABORT_ERR') return { kind: 'aborted' };
      if (code === 'ENOENT') return { kind: 'not_found' };
      if (typeof code === 'string' && CANNOT_RUN.includes(code)) return { kind: 'cannot_run', code };
      if (code === 'ERR_CHILD_PROCESS_STDIO_MAXBUFFER' || overflow) return { kind: 'too_large' };
      if (timedOut || (error.killed && error.signal)) return { kind: 'timeout', afterKill: false };
      if (typeof code === 'number') return { kind: 'exit', exitCode: code, stdout, stderr };
      if (error.signal) return { kind: 'signal', signal: error.signal, stderr };
      return { kind: 'error', message: error.message, stderr };
    };

    try {
      child = execFile(
        file,
        args,
        {
          shell: false,
          windowsHide: true,
          timeout: timeoutMs,
          killSignal: 'SIGTERM',
          maxBuffer: maxBufferBytes,
          encoding: 'utf8',
          cwd,
          env,
        },
        (error, stdout, stderr) => {
          if (!error) return finish(null, { stdout, stderr });
          finish(failureOf(error, String(stdout ?? ''), String(stderr ?? '')), undefined, error);
        },
      );
    } catch (e) {
      finish(failureOf(e as ExecFileException, '', ''), undefined, e);
      return;
    }
    child.stdin?.end();
    const started = child;
    live.add(started);
    started.once('exit', () => live.delete(started));
    started.once('error', () => live.delete(started));
    timers.deadline = setTimeout(() => {
      timedOut = true;
      killLater();
    }, timeoutMs);
    if (signal) {
      // Not handed to execFile: its own abort only sends SIGTERM (and its 'error' event used to detach
      // this listener before it ran). Here: fail `aborted` at once, SIGTERM, SIGKILL after the grace.
      const onAbort = (): void => {
        killLater();
        finish({ kind: 'aborted' });
      };
      if (signal.aborted) onAbort();
      else {
        signal.addEventListener('abort', onAbort, { once: true });
        const detach = (): void => signal.removeEventListener('abort', onAbort);
        child.once('exit', detach);
        child.once('error', detach);
      }
    }
    const counted = { out: 0, err: 0 };
    const count = (which: 'out' | 'err') => (chunk: string) => {
      counted[which] += Buffer.byteLength(chunk);
      if (counted[which] > maxBufferBytes && !overflow) {
        overflow = true;
        killLater();
      }
    };
    child.stdout?.on('data', count('out'));
    child.stderr?.on('data', count('err'));
  });
}

/** What a runner needs to word a failure: the program's name, its path and the command as shown. */
export interface FailureContext {
  /** Program name in messages (`VBoxManage`, `virsh`). */
  tool: string;
  path: string;
  /** The command as shown in messages (`VBoxManage list vms`, `virsh list --all (qemu:///system)`). */
  command: string;
  timeoutMs: number;
  maxBufferBytes: number;
}

/**
 * The English message and error kind for any failure but `exit` (whose text depends on the tool's
 * own error format), as both runners word them: `<command> was cancelled` (`aborted`), `<tool> was
 * not found at <path>` / `<tool> at <path> cannot be run (EACCES)` (`not_found`), `<command> printed
 * more than 16 MiB (16777216 bytes) and was stopped` (`too_large`), `<command> timed out (no answer
 * within 15000 ms); it was stopped` (`timeout`), `<command> was stopped by signal SIGSEGV` and
 * `<command> failed: <Node's message>` (`exit`).
 */
export function failureText(
  f: Exclude<ChildFailure, { kind: 'exit' }>,
  ctx: FailureContext,
): { kind: 'aborted' | 'not_found' | 'too_large' | 'timeout' | 'exit'; message: string } {
  const { tool, path, command } = ctx;
  switch (f.kind) {
    case 'aborted':
      return { kind: 'aborted', message: `${command} was cancelled` };
    case 'not_found':
      return { kind: 'not_found', message: `${tool} was not found at ${path}` };
    case 'cannot_run':
      return { kind: 'not_found', message: `${tool} at ${path} cannot be run (${f.code})` };
    case 'too_large':
      return {
        kind: 'too_large',
        message: `${command} printed more than ${byteSize(ctx.maxBufferBytes)} and was stopped`,
      };
    case 'timeout': {
      const why = f.afterKill ? 'no answer even after SIGKILL' : `no answer within ${ctx.timeoutMs} ms`;
      return { kind: 'timeout', message: `${command} timed out (${why}); it was stopped` };
    }
    case 'signal':
      return { kind: 'exit', message: `${command} was stopped by signal ${f.signal}` };
    case 'error':
      return { kind: 'exit', message: `${command} failed: ${f.message}` };
  }
}

/**
 * At most `concurrency` holders at once; later callers wait in FIFO order. A waiting caller whose
 * signal fires leaves the queue and gets `abortError()` (it never runs).
 */
export class RunQueue {
  readonly concurrency: number;
  private active = 0;
  private readonly waiting: (() => void)[] = [];

  /** @param concurrency slots (at least 1; fractions are rounded down). */
  constructor(concurrency: number) {
    this.concurrency = Math.max(1, Math.floor(concurrency));
  }

  /** Waits for a slot. @throws the value of `abortError()` when `signal` fires while waiting. */
  acquire(signal: AbortSignal | undefined, abortError: () => Error): Promise<void> {
    if (this.active < this.concurrency) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = (): void => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(abortError());
      };
      const grant = (): void => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      };
      this.waiting.push(grant);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot to the next waiting caller, or frees it. */
  release(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.active--;
  }
}

/**
 * A minimal child environment: only the variables named in `pass` for the platform, copied from
 * `source` (on Windows matched case-insensitively and stored under the given spelling), plus on Unix
 * `LC_ALL` and `LANG` set to `locale`; `extra` is merged last.
 */
export function minimalEnv(
  source: NodeJS.ProcessEnv,
  platform: NodeJS.Platform,
  pass: { unix: readonly string[]; win: readonly string[] },
  locale: string,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  const win = platform === 'win32';
  const out: NodeJS.ProcessEnv = {};
  for (const name of win ? pass.win : pass.unix) {
    const key = win ? Object.keys(source).find((k) => k.toLowerCase() === name.toLowerCase()) : name;
    const value = key === undefined ? undefined : source[key];
    if (value !== undefined) out[name] = value;
  }
  if (!win) {
    out.LC_ALL = locale;
    out.LANG = locale;
  }
  return { ...out, ...extra };
}

/**
 * A byte count for messages: `16 MiB (16777216 bytes)`, `64 KiB (65536 bytes)`, `300 bytes`
 * (KiB/MiB only when the count is a whole number of them).
 */
export function byteSize(bytes: number): string {
  const MiB = 1024 * 1024;
  if (bytes >= MiB && bytes % MiB === 0) return `${bytes / MiB} MiB (${bytes} bytes)`;
  if (bytes >= 1024 && bytes % 1024 === 0) return `${bytes / 1024} KiB (${bytes} bytes)`;
  return `${bytes} bytes`;
}

import {
  ChildRunError,
  RunQueue,
  failureText,
  minimalEnv,
  runChild,
  type ChildFailure,
} from '../child-run.ts';
import path from 'node:path';
import { defaultIsExecutable } from '../vbox/locate.ts';

/**
 * Running libvirt's `virsh` safely: a validated connection URI passed with `--connect` on every
 * call, a read-only connection (`--readonly`), read verbs only, domains addressed by UUID, argument
 * arrays without a shell, a minimal environment, a deadline (SIGTERM, then SIGKILL), an output cap,
 * cancellation, and at most `concurrency` calls at once.
 *
 * Formats: virsh 6.x–10.x (`list`, `dumpxml`, `dominfo`, `nodeinfo`, `uri`, `version`); checked against
 * Debian 12's libvirt-clients 9.0.0 and its built-in `test:///` driver.
 */

/** The only commands the runner will ever pass to `virsh`. */
export const VIRSH_READ_VERBS = ['list', 'dumpxml', 'dominfo', 'nodeinfo', 'uri', 'version'] as const;

/** A read verb (see {@link VIRSH_READ_VERBS}). */
export type VirshVerb = (typeof VIRSH_READ_VERBS)[number];

/** What went wrong when running `virsh`. */
export type VirshErrorKind =
  'not_found' | 'timeout' | 'exit' | 'too_large' | 'refused' | 'aborted' | 'bad_uri';

/**
 * Error of a `virsh` call.
 * - `not_found`: the binary is missing (ENOENT) or cannot be executed;
 * - `timeout`: no answer before the deadline (the process was stopped);
 * - `exit`: non-zero exit code; `virshMessage` holds virsh's own `error: …` lines without the prefix,
 *   joined by `\n` (e.g. `failed to connect to the hypervisor`), `exitCode` and `stderr` the rest;
 * - `too_large`: stdout or stderr exceeded `maxBufferBytes`;
 * - `refused`: the arguments are not a read-only command (nothing was spawned);
 * - `aborted`: the caller's AbortSignal fired (queued calls never spawn);
 * - `bad_uri`: the connection URI is not one of the accepted forms (see {@link validateConnectionUri}).
 */
export class VirshError extends Error {
  kind: VirshErrorKind;
  exitCode?: number;
  stderr?: string;
  virshMessage?: string;
  constructor(
    kind: VirshErrorKind,
    message: string,
    extra: { exitCode?: number; stderr?: string; virshMessage?: string; cause?: unknown } = {},
  ) {
    super(message, extra.cause === undefined ? undefined : { cause: extra.cause });
    this.name = 'VirshError';
    this.kind = kind;
    if (extra.exitCode !== undefined) this.exitCode = extra.exitCode;
    if (extra.stderr !== undefined) this.stderr = extra.stderr;
    if (extra.virshMessage !== undefined) this.virshMessage = extra.virshMessage;
  }
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;

/** True for a libvirt domain UUID in its dashed form (what `list --uuid` and `dominfo` print). */
export function isDomainUuid(s: string): boolean {
  return UUID_RE.test(s);
}

/** Well-known connection URIs offered to the user. */
export const COMMON_URIS = ['qemu:///system', 'qemu:///session', 'test:///default'] as const;

const HOST_LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
const SSH_AUTHORITY = new RegExp(
  `^(?:([A-Za-z0-9._][A-Za-z0-9._-]{0,63})@)?(${HOST_LABEL}(?:\\.${HOST_LABEL})*|\\[[0-9A-Fa-f:.]+\\])(?::(\\d{1,5}))?$`,
);
/** Query parameters of `qemu+ssh://` URIs that only tune ssh and cannot run commands (libvirt remote URI docs). */
const SSH_PARAMS: Record<string, RegExp> = {
  keyfile: /^\/[A-Za-z0-9._/~+-]+$/,
  known_hosts: /^\/[A-Za-z0-9._/~+-]+$/,
  no_verify: /^[01]$/,
  no_tty: /^[01]$/,
};

function badUri(uri: string, why: string): never {
  throw new VirshError('bad_uri', `Connection URI ${JSON.stringify(uri)} is not accepted: ${why}`);
}

/**
 * Checks a libvirt connection URI and returns it trimmed. Accepted forms:
 * `qemu:///system`, `qemu:///session`, `qemu+ssh://[user@]host[:port]/system` (or `/session`, with
 * optional `keyfile`, `known_hosts`, `no_verify`, `no_tty` query parameters), `test:///default`, and
 * `test:///<absolute path to a test-driver node XML>`.
 * Anything else — other drivers, `netcat=`/`command=`-style parameters that run programs, host or
 * user names starting with `-` (they would reach ssh as options), control characters — is refused.
 * @throws VirshError kind `bad_uri` with the reason in English.
 */
export function validateConnectionUri(uri: string): string {
  if (typeof uri !== 'string') badUri(String(uri), 'not a string');
  const u = uri.trim();
  if (u === '') badUri(uri, 'empty');
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f\s]/.test(u)) badUri(uri, 'spaces or control characters');
  if (u === 'qemu:///system' || u === 'qemu:///session' || u === 'test:///default') return u;
  if (u.startsWith('test:')) {
    if (!u.startsWith('test:///'))
      badUri(uri, 'use test:///default or test:///<absolute path to a node XML>');
    const file = u.slice('test://'.length);
    if (/[?#]/.test(file)) badUri(uri, 'a test-driver URI takes no query or fragment');
    if (!path.posix.isAbsolute(file) || file.length < 2) badUri(uri, 'the node XML path must be absolute');
    if (file.split('/').includes('..')) badUri(uri, 'the node XML path must not contain ".."');
    return u;
  }
  const ssh = /^qemu\+ssh:\/\/([^/]+)\/(system|session)(?:\?(.*))?$/.exec(u);
  if (ssh) {
    const [, authority, , query] = ssh;
    if (/^-|@-/.test(authority)) badUri(uri, 'user and host must not start with "-"');
    const m = SSH_AUTHORITY.exec(authority);
    if (!m) badUri(uri, 'expected [user@]host[:port] after qemu+ssh://');
    if (m[3] !== undefined && (Number(m[3]) < 1 || Number(m[3]) > 65535)) badUri(uri, 'port out of range');
    if (query !== undefined) {
      const seen = new Set<string>();
      for (const pair of query.split('&')) {
        const eq = pair.indexOf('=');
        const key = eq === -1 ? pair : pair.slice(0, eq);
        const value = eq === -1 ? '' : pair.slice(eq + 1);
        const rule = Object.hasOwn(SSH_PARAMS, key) ? SSH_PARAMS[key] : undefined;
        if (!rule)
          badUri(uri, `query parameter "${key}" is not allowed (only ${Object.keys(SSH_PARAMS).join(', ')})`);
        if (seen.has(key)) badUri(uri, `query parameter "${key}" repeated`);
        seen.add(key);
        if (!rule.test(value)) badUri(uri, `bad value for "${key}"`);
      }
    }
    return u;
  }
  if (/^qemu(\+\w+)?:/.test(u)) {
    return badUri(uri, 'use qemu:///system, qemu:///session or qemu+ssh://host/system');
  }
  return badUri(
    uri,
    'only qemu:///system, qemu:///session, qemu+ssh://…, test:///default and test:///<file> are read',
  );
}

function refuse(args: readonly string[], why: string): never {
  throw new VirshError('refused', `Refused to run virsh ${JSON.stringify(args)}: ${why}`);
}

const LIST_FLAGS = new Set(['--all', '--uuid', '--name', '--title']);

/**
 * Throws `VirshError` kind `refused` unless `args` is one of these read-only forms:
 * `list --all [--uuid] [--name] [--title]` (flags in any order, each once; `--title` not with `--uuid`),
 * `dumpxml [--inactive] <uuid>`, `dominfo <uuid>`, `nodeinfo`, `uri`, `version`. Domains are addressed
 * by UUID only (a domain named `--something` can never become an option); `dumpxml --security-info`
 * (which would print graphics passwords) and every other option are refused; no NUL characters.
 */
export function assertReadOnlyVirshArgs(args: readonly string[]): void {
  if (!Array.isArray(args) || args.length === 0) refuse(args ?? [], 'no command');
  for (const a of args) {
    if (typeof a !== 'string') refuse(args, 'arguments must be strings');
    if (a.includes('\0')) refuse(args, 'NUL character in an argument');
  }
  const [verb, ...rest] = args;
  switch (verb) {
    case 'list': {
      if (!rest.includes('--all')) refuse(args, 'list needs --all');
      for (const f of rest) if (!LIST_FLAGS.has(f)) refuse(args, `option ${f} not allowed`);
      if (new Set(rest).size !== rest.length) refuse(args, 'repeated option');
      if (rest.includes('--title') && rest.includes('--uuid')) refuse(args, '--title cannot go with --uuid');
      return;
    }
    case 'dumpxml': {
      const opts = rest.slice(0, -1);
      const target = rest[rest.length - 1] ?? '';
      if (!isDomainUuid(target)) refuse(args, 'the domain must be given by UUID, last');
      if (opts.length > 1 || (opts.length === 1 && opts[0] !== '--inactive'))
        refuse(args, 'only --inactive may precede the UUID');
      return;
    }
    case 'dominfo':
      if (rest.length !== 1 || !isDomainUuid(rest[0])) refuse(args, 'expected dominfo <uuid>');
      return;
    case 'nodeinfo':
    case 'uri':
    case 'version':
      if (rest.length === 0) return;
      return refuse(args, `${verb} takes no arguments`);
    default:
      return refuse(args, `"${String(verb)}" is not a read verb`);
  }
}

/**
 * virsh's own error text: its `error: ` lines on stderr without that prefix, joined by `\n`
 * (e.g. `failed to connect to the hypervisor\nFailed to connect socket to '/var/run/libvirt/libvirt-sock': …`).
 * Returns `undefined` when stderr holds none.
 */
export function extractVirshMessage(stderr: string): string | undefined {
  const out: string[] = [];
  for (const raw of stderr.split(/\r?\n/)) {
    const m = /^error: ?(.*)$/.exec(raw.trim());
    if (m && m[1].trim() !== '') out.push(m[1].trim());
  }
  return out.length > 0 ? out.join('\n') : undefined;
}

/** Locale for the child on Unix: untranslated messages and state words, UTF-8 names. */
export const VIRSH_LOCALE = 'C.UTF-8';

const PASS_UNIX = [
  'PATH',
  'HOME',
  'USER',
  'LOGNAME',
  'TMPDIR',
  'XDG_RUNTIME_DIR',
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'SSH_AUTH_SOCK',
];
const PASS_WIN = ['PATH', 'USERPROFILE', 'APPDATA', 'LOCALAPPDATA', 'SystemRoot', 'TEMP', 'TMP'];

/**
 * Environment of a `virsh` child: only what it needs (home and runtime folders for `qemu:///session`,
 * `SSH_AUTH_SOCK` for `qemu+ssh://`), copied from `source`, plus on Unix `LC_ALL`/`LANG` =
 * {@link VIRSH_LOCALE} so state words (`shut off`) and labels (`CPU(s):`) are English. Variables such as
 * `LIBVIRT_DEFAULT_URI` are deliberately not passed (the URI is always explicit). `extra` is merged last.
 */
export function virshChildEnv(
  source: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  extra: NodeJS.ProcessEnv = {},
): NodeJS.ProcessEnv {
  return minimalEnv(source, platform, { unix: PASS_UNIX, win: PASS_WIN }, VIRSH_LOCALE, extra);
}

/** Options of {@link VirshRunner}. */
export interface VirshRunnerOptions {
  /** Connection URI, checked by {@link validateConnectionUri}; passed as `--connect <uri>` on every call. */
  uri: string;
  /** Deadline per call in ms (default 15000; remote hosts can be slow), then SIGTERM and SIGKILL. */
  timeoutMs?: number;
  /** Calls running at once (default 2); later calls wait in FIFO order. */
  concurrency?: number;
  /** Cap on stdout and on stderr, each, in bytes (default 16 MiB). */
  maxBufferBytes?: number;
  /** Wait after SIGTERM before SIGKILL, in ms (default 2000). */
  killGraceMs?: number;
  /** Extra environment variables merged over the minimal child environment. */
  env?: NodeJS.ProcessEnv;
}

/** Output of a successful call (exit code 0), decoded as UTF-8. */
export interface VirshResult {
  stdout: string;
  stderr: string;
}

/** Runs read-only `virsh` commands against one connection; see the module documentation. */
export class VirshRunner {
  readonly path: string;
  readonly uri: string;
  readonly timeoutMs: number;
  readonly concurrency: number;
  readonly maxBufferBytes: number;
  readonly killGraceMs: number;
  private readonly env: NodeJS.ProcessEnv;
  private readonly queue: RunQueue;

  /**
   * @param path absolute path of the `virsh` executable.
   * @throws VirshError kind `bad_uri` when `opts.uri` is not accepted (nothing is spawned).
   */
  constructor(path: string, opts: VirshRunnerOptions) {
    this.path = path;
    this.uri = validateConnectionUri(opts.uri);
    this.timeoutMs = opts.timeoutMs ?? 15_000;
    this.queue = new RunQueue(opts.concurrency ?? 2);
    this.concurrency = this.queue.concurrency;
    this.maxBufferBytes = opts.maxBufferBytes ?? 16 * 1024 * 1024;
    this.killGraceMs = opts.killGraceMs ?? 2_000;
    this.env = virshChildEnv(process.env, process.platform, opts.env);
  }

  /** The full argument vector for `args`: `--readonly --connect <uri> <args…>`. */
  argv(args: readonly string[]): string[] {
    return ['--readonly', '--connect', this.uri, ...args];
  }

  /**
   * Runs `virsh --readonly --connect <uri> <args>` once a queue slot is free. Rejects with
   * {@link VirshError}: `refused` (checked before anything is queued or spawned), `aborted`,
   * `not_found`, `timeout`, `too_large`, `exit`. Resolves with stdout/stderr on exit code 0.
   */
  async run(args: string[], opts: { signal?: AbortSignal } = {}): Promise<VirshResult> {
    assertReadOnlyVirshArgs(args);
    const { signal } = opts;
    if (signal?.aborted) throw this.aborted(args);
    await this.queue.acquire(signal, () => this.aborted(args));
    try {
      if (signal?.aborted) throw this.aborted(args);
      return await runChild(this.path, this.argv(args), {
        timeoutMs: this.timeoutMs,
        maxBufferBytes: this.maxBufferBytes,
        killGraceMs: this.killGraceMs,
        env: this.env,
        signal,
      }).catch((err: unknown) => {
        throw err instanceof ChildRunError ? this.mapFailure(err.failure, args, err.cause) : err;
      });
    } finally {
      this.queue.release();
    }
  }

  private aborted(args: readonly string[]): VirshError {
    return new VirshError('aborted', `virsh ${args.join(' ')} was cancelled`);
  }

  /** The {@link VirshError} for a failed call, with its English message. */
  private mapFailure(f: ChildFailure, args: readonly string[], cause: unknown): VirshError {
    const command = `virsh ${args.join(' ')} (${this.uri})`;
    if (f.kind !== 'exit') {
      const { kind, message } = failureText(f, {
        tool: 'virsh',
        path: this.path,
        command,
        timeoutMs: this.timeoutMs,
        maxBufferBytes: this.maxBufferBytes,
      });
      return new VirshError(kind, message, 'stderr' in f ? { stderr: f.stderr, cause } : { cause });
    }
    const virshMessage = extractVirshMessage(f.stderr);
    const first = f.stderr.trim().split(/\r?\n/)[0] || f.stdout.trim().split(/\r?\n/)[0] || 'no error text';
    return new VirshError(
      'exit',
      `${command} failed with exit code ${f.exitCode}: ${virshMessage?.split('\n').join(': ') ?? first}`,
      {
        exitCode: f.exitCode,
        stderr: f.stderr,
        ...(virshMessage === undefined ? {} : { virshMessage }),
        cause,
      },
    );
  }
}

/** Result of {@link locateVirsh}: `path` is absent when nothing was found. */
export interface VirshLocation {
  path?: string;
  /** Every candidate checked, in order, up to and including the one found. */
  tried: string[];
}

/**
 * Candidate paths of `virsh`, in search order: the user's path (file, or folder holding `virsh`),
 * the `VIRSH` environment variable, every absolute folder on `PATH`, then `/usr/bin/virsh`,
 * `/usr/local/bin/virsh` and (macOS, Homebrew) `/opt/homebrew/bin/virsh`. Windows: `virsh.exe` on PATH.
 */
export function virshCandidates(opts: {
  userPath?: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}): string[] {
  const win = opts.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exe = win ? 'virsh.exe' : 'virsh';
  const out: string[] = [];
  const user = opts.userPath?.trim();
  if (user) {
    out.push(user);
    if (p.basename(user).toLowerCase() !== exe) out.push(p.join(user, exe));
  }
  const fromEnv = opts.env.VIRSH?.trim();
  if (fromEnv && p.isAbsolute(fromEnv)) out.push(fromEnv);
  const pathVar = win
    ? Object.entries(opts.env).find(([k]) => k.toLowerCase() === 'path')?.[1]
    : opts.env.PATH;
  for (const dir of (pathVar ?? '').split(win ? ';' : ':')) {
    const d = dir.trim().replace(/^"(.*)"$/, '$1');
    if (d && p.isAbsolute(d)) out.push(p.join(d, exe));
  }
  if (!win) {
    out.push('/usr/bin/virsh', '/usr/local/bin/virsh');
    if (opts.platform === 'darwin') out.push('/opt/homebrew/bin/virsh');
  }
  return [...new Set(out)];
}

/**
 * Finds `virsh` (see {@link virshCandidates} for the order). Never throws for a missing binary:
 * `path` is then absent and `tried` lists where it looked.
 */
export async function locateVirsh(
  opts: {
    userPath?: string;
    env?: NodeJS.ProcessEnv;
    platform?: NodeJS.Platform;
    isExecutable?: (p: string) => Promise<boolean>;
  } = {},
): Promise<VirshLocation> {
  const isExecutable = opts.isExecutable ?? defaultIsExecutable;
  const tried: string[] = [];
  for (const c of virshCandidates({
    userPath: opts.userPath,
    env: opts.env ?? process.env,
    platform: opts.platform ?? process.platform,
  })) {
    tried.push(c);
    if (await isExecutable(c)) return { path: c, tried };
  }
  return { tried };
}

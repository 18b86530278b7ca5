import { execFile } from 'node:child_process';
import path from 'node:path';

/**
 * `vmrun` — VMware's command-line tool (Workstation Pro/Player, Fusion) — used read-only, for one
 * verb only: `vmrun list` (the running VMs). Facts: reference `vmware-vmx.md` §7.
 */

/** What {@link parseVmrunList} returns. */
export interface VmrunList {
  /** The count from `Total running VMs: N`, when the line is there. */
  total?: number;
  /** One absolute `.vmx` path per running VM, as printed. */
  paths: string[];
  /** `Error: …` text when vmrun printed one (vmrun writes its errors to stdout). */
  error?: string;
}

/**
 * Parses `vmrun list` output: `Total running VMs: N` then one `.vmx` path per line (no further lines
 * when N is 0). CRLF tolerated; blank lines skipped; an `Error: …` line is returned as `error`. A
 * count that disagrees with the number of paths is kept as printed (the paths are what matter).
 */
export function parseVmrunList(stdout: string): VmrunList {
  const out: VmrunList = { paths: [] };
  for (const rawLine of stdout.split(/\r\n|\n|\r/)) {
    const line = rawLine.trim();
    if (line === '') continue;
    const total = /^Total running VMs:\s*(\d+)$/i.exec(line);
    if (total) {
      out.total = Number(total[1]);
      continue;
    }
    if (/^Error:/i.test(line)) {
      out.error = line;
      continue;
    }
    out.paths.push(line);
  }
  return out;
}

/**
 * A comparable form of a `.vmx` path: `\` → `/`, and lower case on Windows and macOS (whose file
 * systems ignore case), as Vagrant compares `vmrun list` output with its own paths.
 */
export function comparablePath(p: string, platform: NodeJS.Platform): string {
  const slashes = p.trim().replace(/\\/g, '/');
  return platform === 'win32' || platform === 'darwin' ? slashes.toLowerCase() : slashes;
}

/** Options of {@link locateVmrun}. */
export interface LocateVmrunOptions {
  platform: NodeJS.Platform;
  env: Record<string, string | undefined>;
  /** True when a regular file exists at the path (injected; tests use a fake). */
  exists: (p: string) => Promise<boolean>;
  /** A path the user chose; tried first. */
  userPath?: string;
}

/** Result of {@link locateVmrun}. */
export interface LocateVmrunResult {
  path?: string;
  /** Every path tried, in order. */
  tried: string[];
}

/**
 * Finds `vmrun`: the user's path, then `VMRUN` from the environment, then the standard install
 * locations — Windows `%ProgramFiles(x86)%\VMware\VMware Workstation\vmrun.exe` (and under
 * `%ProgramFiles%`), Linux `/usr/bin/vmrun`, macOS
 * `/Applications/VMware Fusion.app/Contents/Library/vmrun` (and `Contents/Public/vmrun`) — then each
 * `PATH` folder. Never throws; `path` is undefined when none exists.
 */
export async function locateVmrun(opts: LocateVmrunOptions): Promise<LocateVmrunResult> {
  const p = opts.platform === 'win32' ? path.win32 : path.posix;
  const exe = opts.platform === 'win32' ? 'vmrun.exe' : 'vmrun';
  const candidates: string[] = [];
  if (opts.userPath) candidates.push(opts.userPath);
  if (opts.env.VMRUN) candidates.push(opts.env.VMRUN);
  if (opts.platform === 'win32') {
    for (const root of [opts.env['ProgramFiles(x86)'], opts.env.ProgramFiles, 'C:\\Program Files (x86)']) {
      if (root) candidates.push(p.join(root, 'VMware', 'VMware Workstation', exe));
    }
  } else if (opts.platform === 'darwin') {
    candidates.push('/Applications/VMware Fusion.app/Contents/Library/vmrun');
    candidates.push('/Applications/VMware Fusion.app/Contents/Public/vmrun');
  } else {
    candidates.push('/usr/bin/vmrun', '/usr/local/bin/vmrun');
  }
  const pathVar = opts.env.PATH ?? opts.env.Path ?? '';
  for (const dir of pathVar.split(opts.platform === 'win32' ? ';' : ':'))
    if (dir.trim()) candidates.push(p.join(dir.trim(), exe));
  const tried: string[] = [];
  for (const c of candidates) {
    if (tried.includes(c)) continue;
    tried.push(c);
    if (await opts.exists(c).catch(() => false)) return { path: c, tried };
  }
  return { tried };
}

/** Runs a program without a shell and returns its stdout; rejects with an Error naming the reason. */
export type ExecFileText = (file: string, args: string[], timeoutMs: number) => Promise<string>;

/** Default {@link ExecFileText}: `child_process.execFile`, no shell, hidden window, 1 MB output cap. */
export const execFileText: ExecFileText = (file, args, timeoutMs) =>
  new Promise((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, shell: false, windowsHide: true, maxBuffer: 1024 * 1024, encoding: 'utf8' },
      (err, stdout) => {
        if (err) {
          const e = err as NodeJS.ErrnoException & { killed?: boolean };
          const printed = parseVmrunList(String(stdout ?? '')).error;
          reject(
            new Error(
              e.killed
                ? `vmrun did not answer within ${timeoutMs} ms.`
                : printed
                  ? printed
                  : `vmrun failed: ${e.code ?? ''} ${e.message}`.trim(),
            ),
          );
        } else resolve(String(stdout));
      },
    );
  });

/**
 * Runs `vmrun list` (the only verb this app runs) and parses it.
 * @param vmrunPath absolute path of vmrun.
 * @param timeoutMs how long to wait (default 5000 ms).
 * @throws Error with vmrun's own `Error: …` text, a timeout message or the spawn failure.
 */
export async function vmrunList(
  vmrunPath: string,
  timeoutMs = 5000,
  run: ExecFileText = execFileText,
): Promise<VmrunList> {
  const list = parseVmrunList(await run(vmrunPath, ['list'], timeoutMs));
  if (list.error) throw new Error(list.error);
  return list;
}

import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import path from 'node:path';

/**
 * Finding the `VBoxManage` executable on Windows, macOS and Linux.
 *
 * Search order (facts from reference/virtualbox-settings.md §6.1 and electron-and-toolchain.md §2.3):
 * 1. the path the user set in Preferences (`user`);
 * 2. `VBOX_MSI_INSTALL_PATH`, then `VBOX_INSTALL_PATH` — folders, possibly a list separated by the
 *    platform's PATH delimiter (`;` on Windows) (`env`);
 * 3. the standard install locations of the platform (`standard`);
 * 4. every absolute folder on `PATH` (`path`).
 * The Windows registry value `HKLM\SOFTWARE\Oracle\VirtualBox\InstallDir` is not queried.
 */

/** How {@link locateVBoxManage} found the binary. */
export type LocateVia = 'user' | 'env' | 'standard' | 'path';

/** Inputs of {@link locateVBoxManage}; everything is injectable so tests can act as any platform. */
export interface LocateOptions {
  /** Path the user set (to the executable, or to the folder holding it). Empty = not set. */
  userPath?: string;
  /** Environment to read `VBOX_MSI_INSTALL_PATH`, `VBOX_INSTALL_PATH`, `ProgramW6432`, `ProgramFiles`, `PATH` from (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Platform whose rules apply (default `process.platform`). */
  platform?: NodeJS.Platform;
  /** Whether a candidate is an executable file (default: a regular file with execute permission). */
  isExecutable?: (p: string) => Promise<boolean>;
}

/** Result of {@link locateVBoxManage}: `path`/`via` are absent when nothing was found. */
export interface LocateResult {
  path?: string;
  via?: LocateVia;
  /** Every candidate checked, in order, up to and including the one found (duplicates removed). */
  tried: string[];
}

/** Default executable check: an existing regular file the current user may execute. */
export async function defaultIsExecutable(p: string): Promise<boolean> {
  try {
    const s = await stat(p);
    if (!s.isFile()) return false;
    await access(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** Reads an environment variable; Windows variable names are case-insensitive (`Path` = `PATH`). */
function envValue(env: NodeJS.ProcessEnv, name: string, win: boolean): string | undefined {
  const direct = env[name];
  if (direct !== undefined || !win) return direct;
  const lower = name.toLowerCase();
  for (const key of Object.keys(env)) {
    if (key.toLowerCase() === lower) return env[key];
  }
  return undefined;
}

/** Splits a folder list, dropping empty entries and surrounding double quotes (`"C:\x";D:\y`). */
function splitList(value: string | undefined, delimiter: string): string[] {
  if (!value) return [];
  return value
    .split(delimiter)
    .map((s) => s.trim().replace(/^"(.*)"$/, '$1'))
    .filter((s) => s.length > 0);
}

/**
 * The candidate list for a platform, in search order, without touching the file system.
 * Exported for tests and for showing "where we looked" to the user.
 */
export function vboxManageCandidates(opts: {
  userPath?: string;
  env: NodeJS.ProcessEnv;
  platform: NodeJS.Platform;
}): { path: string; via: LocateVia }[] {
  const win = opts.platform === 'win32';
  const p = win ? path.win32 : path.posix;
  const exe = win ? 'VBoxManage.exe' : 'VBoxManage';
  // Windows file names are case-insensitive, so `vboxmanage.exe` would only repeat `VBoxManage.exe`.
  const pathNames = win ? ['VBoxManage.exe'] : ['VBoxManage', 'vboxmanage'];
  const delimiter = win ? ';' : ':';
  const out: { path: string; via: LocateVia }[] = [];

  const user = opts.userPath?.trim();
  if (user) {
    out.push({ path: user, via: 'user' });
    const base = p.basename(user).toLowerCase();
    if (base !== exe.toLowerCase() && base !== 'vboxmanage')
      out.push({ path: p.join(user, exe), via: 'user' });
  }

  for (const name of ['VBOX_MSI_INSTALL_PATH', 'VBOX_INSTALL_PATH']) {
    for (const dir of splitList(envValue(opts.env, name, win), delimiter)) {
      out.push({ path: p.join(dir, exe), via: 'env' });
    }
  }

  if (win) {
    const roots = [envValue(opts.env, 'ProgramW6432', win), envValue(opts.env, 'ProgramFiles', win)].filter(
      (r): r is string => !!r,
    );
    if (roots.length === 0) roots.push('C:\\Program Files');
    for (const root of roots) out.push({ path: p.join(root, 'Oracle', 'VirtualBox', exe), via: 'standard' });
  } else if (opts.platform === 'darwin') {
    out.push({ path: '/usr/local/bin/VBoxManage', via: 'standard' });
    out.push({ path: '/Applications/VirtualBox.app/Contents/MacOS/VBoxManage', via: 'standard' });
  } else {
    // Linux and other Unix-likes: distro/Oracle packages, a local build, then the `.run` installer's folder.
    for (const c of [
      '/usr/bin/VBoxManage',
      '/usr/lib/virtualbox/VBoxManage',
      '/usr/local/bin/VBoxManage',
      '/opt/VirtualBox/VBoxManage',
    ]) {
      out.push({ path: c, via: 'standard' });
    }
  }

  for (const dir of splitList(envValue(opts.env, 'PATH', win), delimiter)) {
    // Relative PATH entries (`.`, `bin`) would depend on the working folder: never trust them.
    if (!p.isAbsolute(dir)) continue;
    for (const name of pathNames) out.push({ path: p.join(dir, name), via: 'path' });
  }

  const seen = new Set<string>();
  return out.filter((c) => {
    const key = win ? c.path.toLowerCase() : c.path;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Finds `VBoxManage`: returns the first candidate (see module doc for the order) that
 * `isExecutable` accepts, how it was found, and every path tried. Never throws for a missing
 * binary: `path` is then absent and `tried` lists where it looked.
 */
export async function locateVBoxManage(opts: LocateOptions = {}): Promise<LocateResult> {
  const env = opts.env ?? process.env;
  const platform = opts.platform ?? process.platform;
  const isExecutable = opts.isExecutable ?? defaultIsExecutable;
  const tried: string[] = [];
  for (const c of vboxManageCandidates({ userPath: opts.userPath, env, platform })) {
    tried.push(c.path);
    if (await isExecutable(c.path)) return { path: c.path, via: c.via, tried };
  }
  return { tried };
}

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import type { ReadIssue, Sourced, VmConfig, VmSummary } from '../../shared/model.ts';
import { FileReadError, MAX_SETTINGS_FILE_BYTES, readRegularFile } from '../enrich.ts';
import { vmxContentProblem } from './content-check.ts';
import { parseVmx } from './parse-vmx.ts';
import { pathHashId, vmwareSummary, vmxToConfig } from './to-config.ts';
import { comparablePath, execFileText, locateVmrun, vmrunList, type ExecFileText } from './vmrun.ts';

/**
 * Finds the user's VMware VMs without VMware running (reference `vmware-vmx.md` §6.1, §7):
 *
 * 1. the library lists — Workstation `inventory.vmls` (`vmlistN.config = "<path to .vmx>"`; entries
 *    `"folderN"` are library folders and skipped), Fusion `vmInventory` (same keys);
 * 2. the preferences — `preferences.ini` / `preferences` (`pref.mruVM<N>.filename` recent VMs,
 *    `prefvmx.defaultVMPath` the default VM folder, scanned like the folders below);
 * 3. the default VM folders per OS — Windows `%USERPROFILE%\Documents\Virtual Machines`, Linux
 *    `~/vmware`, macOS `~/Virtual Machines.localized` and `~/Documents/Virtual Machines.localized` —
 *    and the folders the user added: each folder and its immediate sub-folders are searched for `*.vmx`
 *    (VMs live one level down: `<folder>/<VM>/<VM>.vmx`, Fusion `<folder>/<VM>.vmwarevm/<VM>.vmx`);
 * 4. `vmrun list` when vmrun is found, for the running state (and running VMs not listed elsewhere).
 *
 * Paths are compared case-insensitively with `/` separators on Windows and macOS. Every `.vmx` is
 * read and mapped with `vmxToConfig`; one that cannot be read is listed with its `error`, never hidden,
 * except a path that is no regular file (FIFO, device such as a symlink to `/dev/zero`, socket), is
 * larger than 16 MiB, or holds no `.vmx` text: it is skipped and reported in `issues` with the reason.
 * Every file is read with `readRegularFile` (non-blocking open, regular files only, size capped), so a
 * FIFO or device can neither hang nor exhaust memory.
 * A VM is `saved` when `<name>.vmss` sits next to its `.vmx`, `running` when `vmrun list` names it,
 * `poweroff` when vmrun answered and did not name it; otherwise its state is unknown.
 */

/** A directory entry as `fs.promises.readdir(p, { withFileTypes: true })` returns it. */
export interface DirEntryLike {
  name: string;
  isDirectory(): boolean;
}

/** Where a VM path was found. */
export type VmwareFoundVia = 'inventory' | 'preferences' | 'folder' | 'user-folder' | 'vmrun';

/** One VM found. */
export interface DiscoveredVmwareVm {
  /** The `.vmx` path as found (inventory spelling, or folder + name). */
  path: string;
  /** Every source that named it, in the order they were read. */
  via: VmwareFoundVia[];
  /** The mapped configuration; absent when the file could not be read. */
  config?: VmConfig;
  /** Machines-list row (also for unreadable files: `accessible: false` with `error`). */
  summary: VmSummary;
  /** Why the file could not be read (`Cannot read <path>: <reason>`). */
  error?: string;
  /** Display name the library list gives (`vmlistN.DisplayName`), when any. */
  inventoryName?: string;
}

/** A problem met during discovery; `file` names the file it concerns. */
export interface DiscoveryIssue extends ReadIssue {
  file?: string;
}

/** Result of {@link discoverVmware}. */
export interface VmwareDiscovery {
  vms: DiscoveredVmwareVm[];
  /** Every file and folder looked at, in order (for "we looked in …" messages). */
  tried: string[];
  issues: DiscoveryIssue[];
  /** What `vmrun` said: its path, the running `.vmx` paths, or why it could not be used. */
  vmrun: { path?: string; running?: string[]; error?: string; tried: string[] };
}

/** Options of {@link discoverVmware}. */
export interface DiscoverVmwareOptions {
  platform: NodeJS.Platform;
  /** Environment (`APPDATA`, `USERPROFILE`, `ProgramFiles(x86)`, `PATH`, `VMRUN`). */
  env: Record<string, string | undefined>;
  homedir: string;
  /** Folders the user added (scanned one level deep for `*.vmx`). */
  extraFolders?: string[];
  /**
   * Reads a whole file (default {@link readVmwareFile}: regular files of at most 16 MiB only). A
   * replacement should refuse non-regular files too (it is only called after a `stat` check that
   * refuses FIFOs, devices and files above 16 MiB); errors with code `NOT_FILE` or `TOO_LARGE` skip
   * the file with an issue.
   */
  readFile?: (p: string) => Promise<Uint8Array>;
  /** Lists a folder (default `fs.promises.readdir(p, { withFileTypes: true })`). */
  readdir?: (p: string) => Promise<DirEntryLike[]>;
  /** vmrun to use; when absent it is searched with `locateVmrun` (using `exists`). `null` = do not use vmrun. */
  vmrunPath?: string | null;
  /** Whether a file exists (for the vmrun search; default `fs.promises.stat(p).isFile()`). */
  exists?: (p: string) => Promise<boolean>;
  /** Runs vmrun (injectable for tests; default `execFile`, no shell). */
  run?: ExecFileText;
  /** vmrun timeout in ms (default 5000). */
  timeoutMs?: number;
  /** Biggest `.vmx` read, in bytes (default 4 MiB); bigger files are reported, not read. */
  maxBytes?: number;
}

const DEFAULT_MAX_BYTES = 4 * 1024 * 1024;

/**
 * Default file reader of {@link discoverVmware}: `readRegularFile` (opened non-blocking, regular files
 * only, at most 16 MiB = `MAX_SETTINGS_FILE_BYTES`).
 * @returns the bytes.
 * @throws FileReadError (`ENOENT`, `EACCES`, `EISDIR`, `NOT_FILE`, `TOO_LARGE`, …).
 */
export async function readVmwareFile(filePath: string): Promise<Uint8Array> {
  return (await readRegularFile(filePath, MAX_SETTINGS_FILE_BYTES)).bytes;
}

/**
 * Checks a path on the real file system before an injected reader reads it: a FIFO, device or socket
 * (also through a symlink) or a file above 16 MiB is refused with a `FileReadError` (`NOT_FILE`,
 * `TOO_LARGE`) so that a plain `readFile` can neither hang nor exhaust memory. A path that cannot be
 * stat'ed (missing, or a virtual path of a test) or a folder is left to the reader.
 */
async function checkBeforeRead(filePath: string): Promise<void> {
  let st;
  try {
    st = await fsp.stat(filePath);
  } catch {
    return;
  }
  if (st.isDirectory()) return;
  if (!st.isFile())
    throw new FileReadError(filePath, 'not a regular file (a device, pipe or socket)', 'NOT_FILE');
  if (st.size > MAX_SETTINGS_FILE_BYTES)
    throw new FileReadError(
      filePath,
      `the file is too large (${st.size} bytes; at most ${MAX_SETTINGS_FILE_BYTES} bytes are read)`,
      'TOO_LARGE',
    );
}

/** Whether a read error means "this path is not a file we may read" (skip it with an issue). */
function refusedFile(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException)?.code;
  return code === 'NOT_FILE' || code === 'TOO_LARGE';
}

async function defaultExists(p: string): Promise<boolean> {
  try {
    return (await fsp.stat(p)).isFile();
  } catch {
    return false;
  }
}

/** The library and preference files VMware keeps for this user, per OS. */
export function vmwareConfigFiles(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  homedir: string,
): { inventories: string[]; preferences: string[] } {
  if (platform === 'win32') {
    const appData = env.APPDATA || path.win32.join(homedir, 'AppData', 'Roaming');
    return {
      inventories: [path.win32.join(appData, 'VMware', 'inventory.vmls')],
      preferences: [path.win32.join(appData, 'VMware', 'preferences.ini')],
    };
  }
  if (platform === 'darwin') {
    return {
      inventories: [
        path.posix.join(homedir, 'Library', 'Application Support', 'VMware Fusion', 'vmInventory'),
      ],
      preferences: [path.posix.join(homedir, 'Library', 'Preferences', 'VMware Fusion', 'preferences')],
    };
  }
  return {
    inventories: [path.posix.join(homedir, '.vmware', 'inventory.vmls')],
    preferences: [
      path.posix.join(homedir, '.vmware', 'preferences'),
      path.posix.join(homedir, '.vmware', 'preferences.ini'),
    ],
  };
}

/** VMware's default VM folders per OS. */
export function defaultVmFolders(
  platform: NodeJS.Platform,
  env: Record<string, string | undefined>,
  homedir: string,
): string[] {
  if (platform === 'win32') {
    const profile = env.USERPROFILE || homedir;
    return [path.win32.join(profile, 'Documents', 'Virtual Machines')];
  }
  if (platform === 'darwin')
    return [
      path.posix.join(homedir, 'Virtual Machines.localized'),
      path.posix.join(homedir, 'Documents', 'Virtual Machines.localized'),
    ];
  return [path.posix.join(homedir, 'vmware')];
}

/** `vmlistN.config` paths of an `inventory.vmls` / `vmInventory` (library folders skipped), with display names. */
export function parseInventory(
  bytes: Uint8Array | string,
  file?: string,
): { paths: { path: string; name?: string }[]; issues: DiscoveryIssue[] } {
  const parsed = parseVmx(bytes, file ? { path: file } : {});
  const items: { n: number; path: string; name?: string }[] = [];
  for (const e of parsed.map.values()) {
    const m = /^vmlist(\d+)\.config$/.exec(e.keyLower);
    if (!m) continue;
    const value = e.value.trim();
    if (value === '' || /^folder\d+$/i.test(value)) continue;
    const name = parsed.map.get(`vmlist${m[1]}.displayname`)?.value;
    items.push({ n: Number(m[1]), path: value, ...(name ? { name } : {}) });
  }
  items.sort((a, b) => a.n - b.n);
  return {
    paths: items.map(({ path: p, name }) => (name ? { path: p, name } : { path: p })),
    issues: parsed.issues.map((i) => (file ? { ...i, file } : i)),
  };
}

/** Recent VMs (`pref.mruVM<N>.filename`, by N) and the default VM folder (`prefvmx.defaultVMPath`) of a preferences file. */
export function parsePreferences(
  bytes: Uint8Array | string,
  file?: string,
): { recent: string[]; defaultVmPath?: string; issues: DiscoveryIssue[] } {
  const parsed = parseVmx(bytes, file ? { path: file } : {});
  const recent: { n: number; path: string }[] = [];
  for (const e of parsed.map.values()) {
    const m = /^pref\.mruvm(\d+)\.filename$/.exec(e.keyLower);
    if (m && e.value.trim()) recent.push({ n: Number(m[1]), path: e.value.trim() });
  }
  recent.sort((a, b) => a.n - b.n);
  const out: { recent: string[]; defaultVmPath?: string; issues: DiscoveryIssue[] } = {
    recent: recent.map((r) => r.path),
    issues: parsed.issues.map((i) => (file ? { ...i, file } : i)),
  };
  const def = parsed.map.get('prefvmx.defaultvmpath')?.value.trim();
  if (def) out.defaultVmPath = def;
  return out;
}

function reason(err: unknown): string {
  if (err instanceof FileReadError) return err.reason;
  const e = err as NodeJS.ErrnoException;
  if (e?.code === 'ENOENT') return 'the file does not exist';
  if (e?.code === 'EACCES' || e?.code === 'EPERM') return 'permission denied';
  if (e?.code === 'EISDIR') return 'it is a folder';
  return e?.message ?? String(err);
}

/**
 * Finds and reads the user's VMware VMs (see the module comment for the sources and their order).
 * Never throws: unreadable lists are skipped (missing ones silently, others as issues), unreadable
 * `.vmx` files are returned with `error`, a failing vmrun is reported in `vmrun.error`.
 */
export async function discoverVmware(opts: DiscoverVmwareOptions): Promise<VmwareDiscovery> {
  const { platform, env, homedir } = opts;
  const p = platform === 'win32' ? path.win32 : path.posix;
  const injected = opts.readFile;
  const readFile = injected
    ? async (f: string): Promise<Uint8Array> => {
        await checkBeforeRead(f);
        return injected(f);
      }
    : readVmwareFile;
  const readdir = opts.readdir ?? ((d: string) => fsp.readdir(d, { withFileTypes: true }));
  const maxBytes = opts.maxBytes ?? DEFAULT_MAX_BYTES;
  const out: VmwareDiscovery = { vms: [], tried: [], issues: [], vmrun: { tried: [] } };

  const found = new Map<string, { path: string; via: VmwareFoundVia[]; name?: string }>();
  const add = (vmx: string, via: VmwareFoundVia, name?: string) => {
    const key = comparablePath(vmx, platform);
    const prev = found.get(key);
    if (prev) {
      if (!prev.via.includes(via)) prev.via.push(via);
      if (name && !prev.name) prev.name = name;
    } else found.set(key, { path: vmx, via: [via], ...(name ? { name } : {}) });
  };
  const tryRead = async (file: string): Promise<Uint8Array | undefined> => {
    out.tried.push(file);
    try {
      const bytes = await readFile(file);
      const problem = vmxContentProblem(bytes);
      if (problem) {
        out.issues.push({
          file,
          message: `Skipped ${file}: it ${problem.replace('.vmx file', 'settings file')}.`,
        });
        return undefined;
      }
      return bytes;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR')
        out.issues.push({ file, message: `Cannot read ${file}: ${reason(err)}.` });
      return undefined;
    }
  };

  // 1. Library lists.
  const files = vmwareConfigFiles(platform, env, homedir);
  for (const inv of files.inventories) {
    const bytes = await tryRead(inv);
    if (!bytes) continue;
    const list = parseInventory(bytes, inv);
    out.issues.push(...list.issues);
    for (const item of list.paths) add(item.path, 'inventory', item.name);
  }
  // 2. Preferences.
  const folders: { dir: string; via: VmwareFoundVia }[] = [];
  for (const pref of files.preferences) {
    const bytes = await tryRead(pref);
    if (!bytes) continue;
    const prefs = parsePreferences(bytes, pref);
    out.issues.push(...prefs.issues);
    for (const r of prefs.recent) add(r, 'preferences');
    if (prefs.defaultVmPath) folders.push({ dir: prefs.defaultVmPath, via: 'folder' });
  }
  // 3. Folders.
  for (const dir of defaultVmFolders(platform, env, homedir)) folders.push({ dir, via: 'folder' });
  for (const dir of opts.extraFolders ?? []) folders.push({ dir, via: 'user-folder' });
  const scanned = new Set<string>();
  for (const { dir, via } of folders) {
    const key = comparablePath(dir, platform).replace(/\/+$/, '');
    if (scanned.has(key)) continue;
    scanned.add(key);
    out.tried.push(dir);
    let entries: DirEntryLike[];
    try {
      entries = await readdir(dir);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException)?.code;
      if (via === 'user-folder' || (code !== 'ENOENT' && code !== 'ENOTDIR'))
        out.issues.push({ file: dir, message: `Cannot list ${dir}: ${reason(err)}.` });
      continue;
    }
    for (const entry of entries) {
      const full = p.join(dir, entry.name);
      if (!entry.isDirectory()) {
        if (/\.vmx$/i.test(entry.name)) add(full, via);
        continue;
      }
      try {
        for (const inner of await readdir(full))
          if (!inner.isDirectory() && /\.vmx$/i.test(inner.name)) add(p.join(full, inner.name), via);
      } catch (err) {
        out.issues.push({ file: full, message: `Cannot list ${full}: ${reason(err)}.` });
      }
    }
  }

  // 4. vmrun list.
  let running: Set<string> | undefined;
  if (opts.vmrunPath !== null) {
    let vmrunPath = opts.vmrunPath;
    if (!vmrunPath) {
      const located = await locateVmrun({ platform, env, exists: opts.exists ?? defaultExists });
      out.vmrun.tried = located.tried;
      vmrunPath = located.path;
    } else out.vmrun.tried = [vmrunPath];
    if (vmrunPath) {
      out.vmrun.path = vmrunPath;
      try {
        const list = await vmrunList(vmrunPath, opts.timeoutMs ?? 5000, opts.run ?? execFileText);
        out.vmrun.running = list.paths;
        running = new Set(list.paths.map((r) => comparablePath(r, platform)));
        for (const r of list.paths) add(r, 'vmrun');
      } catch (err) {
        out.vmrun.error = err instanceof Error ? err.message : String(err);
      }
    }
  }

  // Read every .vmx (one at a time: these are small files, and ids must be unique).
  const ids = new Map<string, string>();
  for (const item of found.values()) {
    const vm = await readOne(item.path, item.via, item.name);
    if (vm) out.vms.push(vm);
  }
  return out;

  /** One VM, or `undefined` when the path is skipped (the reason is then in `out.issues`). */
  async function readOne(
    vmx: string,
    via: VmwareFoundVia[],
    name?: string,
  ): Promise<DiscoveredVmwareVm | undefined> {
    out.tried.push(vmx);
    const base: Omit<DiscoveredVmwareVm, 'summary'> = {
      path: vmx,
      via,
      ...(name ? { inventoryName: name } : {}),
    };
    let bytes: Uint8Array;
    try {
      bytes = await readFile(vmx);
    } catch (err) {
      if (refusedFile(err)) {
        out.issues.push({ file: vmx, message: `Skipped ${vmx}: ${reason(err)}.` });
        return undefined;
      }
      const error = `Cannot read ${vmx}: ${reason(err)}.`;
      return { ...base, error, summary: unreadableSummary(vmx, error, name) };
    }
    const problem = vmxContentProblem(bytes);
    if (problem) {
      out.issues.push({ file: vmx, message: `Skipped ${vmx}: it ${problem}.` });
      return undefined;
    }
    if (bytes.length > maxBytes) {
      const error = `Cannot read ${vmx}: ${bytes.length} bytes is too large for a .vmx file.`;
      return { ...base, error, summary: unreadableSummary(vmx, error, name) };
    }
    const state = await stateOf(vmx);
    const parsed = parseVmx(bytes, { path: vmx });
    let config = vmxToConfig(parsed, { path: vmx, platform, ...(state ? { state } : {}) });
    const first = ids.get(config.id);
    if (first !== undefined) {
      const message = `${vmx} has the same uuid.bios as ${first} (a copy whose owner answered "I moved it"); it is listed under an id made from its path.`;
      out.issues.push({ file: vmx, message });
      config = vmxToConfig(parsed, {
        path: vmx,
        platform,
        id: pathHashId(vmx, platform),
        ...(state ? { state } : {}),
      });
      config.issues.push({ message });
    }
    ids.set(config.id, vmx);
    return { ...base, config, summary: vmwareSummary(config) };
  }

  async function stateOf(vmx: string): Promise<Sourced<string> | undefined> {
    const cmp = comparablePath(vmx, platform);
    if (running?.has(cmp)) return { value: 'running', key: 'vmrun list', raw: vmx };
    const dir = p.dirname(vmx);
    const vmss = `${p.basename(vmx).replace(/\.vmx$/i, '')}.vmss`.toLowerCase();
    try {
      const hit = (await readdir(dir)).find((e) => !e.isDirectory() && e.name.toLowerCase() === vmss);
      if (hit) return { value: 'saved', key: 'vmss', raw: p.join(dir, hit.name) };
    } catch {
      // The folder cannot be listed: the state stays unknown.
    }
    if (running) return { value: 'poweroff', key: 'vmrun list', raw: '' };
    return undefined;
  }

  function unreadableSummary(vmx: string, error: string, name?: string): VmSummary {
    return {
      id: pathHashId(vmx, platform),
      hypervisor: 'vmware',
      source: 'file',
      name: name || p.basename(vmx).replace(/\.vmx$/i, ''),
      accessible: false,
      error,
      findings: 0,
    };
  }
}

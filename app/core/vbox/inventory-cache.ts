import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import { uptime } from 'node:os';
import path from 'node:path';
import type { Provenance } from '../../shared/contract.ts';
import type { Sourced, VmConfig, VmSummary } from '../../shared/model.ts';
import type { HostInfo } from './parse-hostinfo.ts';
import type { VboxFileResult } from './vbox-file.ts';

/**
 * The inventory service's persistent cache: one JSON file in the app's data folder
 * ({@link INVENTORY_CACHE_FILE}) that lets a relaunch skip VBoxManage calls whose answer cannot have
 * changed. It holds, per VirtualBox VM (lower-case UUID):
 *
 * - `cfgFile`: the VM's settings file path (from `VirtualBox.xml` or learnt from `showvminfo`'s `CfgFile`);
 * - `file`: the parsed settings file (`parseVboxFile` result) and the file's stamp (mtime in ms, size
 *   in bytes) when it was parsed — reused while the file keeps that stamp;
 * - `showvminfo`: for a VM that had to be read with `showvminfo` (its settings file not usable
 *   directly) while it was not running, that read (summary, configuration, `.vbox` extras,
 *   provenance) with the settings file's stamp taken before and after the call — reused while the
 *   file keeps that stamp, the VM is still not running and `list vms` prints the same name;
 *
 * and, for VBoxManage as a whole, `--version` keyed by the executable's resolved path, size and
 * mtime, and `list hostinfo` keyed by the same plus the host's boot time.
 *
 * The file is written atomically (temporary file + rename), carries a format name and version (and
 * the app version), is ignored when it cannot be read, is not JSON, or has another format/version
 * (the next read rewrites it), and is bounded ({@link MAX_INVENTORY_CACHE_BYTES}, at most
 * {@link MAX_CACHED_VMS} VMs).
 */

/** File name of the cache inside the app's data folder. */
export const INVENTORY_CACHE_FILE = 'inventory-cache.json';

/** `format` field of the cache file. */
export const INVENTORY_CACHE_FORMAT = 'vm-companion-inventory-cache';

/** `version` field of the cache file; files of any other version are ignored (and rewritten). */
export const INVENTORY_CACHE_VERSION = 1;

/** Largest cache file written or read, in bytes (16 MiB); parsed settings files are dropped first to fit. */
export const MAX_INVENTORY_CACHE_BYTES = 16 * 1024 * 1024;

/** Most VMs kept in the cache. */
export const MAX_CACHED_VMS = 2000;

/** How far two computed boot times may differ and still be the same boot, in ms. */
export const BOOT_TIME_TOLERANCE_MS = 60_000;

/** Modification time (ms since the epoch) and size (bytes) of a file. */
export interface Stamp {
  mtimeMs: number;
  size: number;
}

/** Identity of a VBoxManage executable: its resolved path (symbolic links followed), size and mtime. */
export interface ExeStamp extends Stamp {
  path: string;
}

/** A `showvminfo` read of a VM that was not running, as the service built it. */
export interface CachedVmRead {
  /** Stamp of the VM's settings file, the same before and after the `showvminfo` call. */
  stamp: Stamp;
  /** The name `list vms` printed at the time. */
  name: string;
  /** When the VM was read, ms since the epoch. */
  readAt: number;
  /**
   * For an EFI VM: its NVRAM file (where Secure Boot lives) and that file's stamp before and after
   * the call (`null`: no such file); the read is reused only while it is unchanged too.
   */
  nvram?: { path: string; stamp: Stamp | null };
  summary: VmSummary;
  config: VmConfig;
  extras?: Record<string, Sourced<string | number | boolean>>;
  provenance?: Provenance;
}

/** What the cache keeps of one VM. */
export interface CachedVm {
  /** Absolute path of the VM's settings file. */
  cfgFile: string;
  /** The settings file parsed at `stamp`. */
  file?: { stamp: Stamp; result: VboxFileResult };
  /** The last `showvminfo` read, when it may be reused (see the module documentation). */
  showvminfo?: CachedVmRead;
}

/** Content of the cache file. */
export interface InventoryCacheData {
  format: typeof INVENTORY_CACHE_FORMAT;
  version: typeof INVENTORY_CACHE_VERSION;
  /** Version of the app that wrote it; a cache of another app version is ignored. */
  appVersion?: string;
  /** ISO 8601 time of writing. */
  writtenAt: string;
  /** `VBoxManage --version` of the executable `exe`. */
  vboxManage?: { exe: ExeStamp; version: string };
  /** `list hostinfo` of `exe`, read during the boot that started at `bootTimeMs` (ms since the epoch). */
  hostInfo?: { exe: ExeStamp; bootTimeMs: number; info: HostInfo };
  /** Per VM, by lower-case UUID. */
  vms: Record<string, CachedVm>;
}

/** An empty cache for `appVersion`. */
export function emptyInventoryCache(appVersion?: string): InventoryCacheData {
  return {
    format: INVENTORY_CACHE_FORMAT,
    version: INVENTORY_CACHE_VERSION,
    ...(appVersion === undefined ? {} : { appVersion }),
    writtenAt: new Date().toISOString(),
    vms: {},
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

function isStamp(v: unknown): v is Stamp {
  return isObject(v) && Number.isFinite(v.mtimeMs) && Number.isFinite(v.size);
}

function isExeStamp(v: unknown): v is ExeStamp {
  return isStamp(v) && typeof (v as unknown as Record<string, unknown>).path === 'string';
}

/** A configuration of VM `id` with the arrays every reader of the model relies on. */
function isConfigOf(v: unknown, id: string): v is VmConfig {
  return (
    isObject(v) &&
    v.id === id &&
    v.hypervisor === 'virtualbox' &&
    isObject(v.general) &&
    isObject(v.system) &&
    Array.isArray((v.system as Record<string, unknown>).bootOrder) &&
    isObject(v.display) &&
    Array.isArray(v.storage) &&
    isObject(v.audio) &&
    Array.isArray(v.network) &&
    Array.isArray(v.serial) &&
    isObject(v.usb) &&
    Array.isArray(v.sharedFolders) &&
    Array.isArray(v.snapshots) &&
    Array.isArray(v.unknownKeys) &&
    Array.isArray(v.issues)
  );
}

/** The entry when it is well-formed for VM `id`, else undefined (a damaged entry is dropped, not fatal). */
function checkVm(id: string, v: unknown): CachedVm | undefined {
  if (!UUID.test(id) || !isObject(v) || typeof v.cfgFile !== 'string' || v.cfgFile === '') return undefined;
  const out: CachedVm = { cfgFile: v.cfgFile };
  const file = v.file;
  if (
    isObject(file) &&
    isStamp(file.stamp) &&
    isObject(file.result) &&
    file.result.encrypted === false &&
    isObject(file.result.extras) &&
    Array.isArray(file.result.media) &&
    isConfigOf(file.result.config, id)
  )
    out.file = file as unknown as CachedVm['file'];
  const read = v.showvminfo;
  if (
    isObject(read) &&
    isStamp(read.stamp) &&
    typeof read.name === 'string' &&
    Number.isFinite(read.readAt) &&
    isObject(read.summary) &&
    read.summary.id === id &&
    isConfigOf(read.config, id) &&
    (read.nvram === undefined ||
      (isObject(read.nvram) &&
        typeof read.nvram.path === 'string' &&
        (read.nvram.stamp === null || isStamp(read.nvram.stamp))))
  )
    out.showvminfo = read as unknown as CachedVmRead;
  return out;
}

/** Result of {@link loadInventoryCache}. */
export interface LoadedInventoryCache {
  data: InventoryCacheData;
  /** Why the file was not used (absent file: no problem, an empty cache). */
  problem?: string;
}

/**
 * Reads the cache file. Never rejects: a missing file gives an empty cache; a file that cannot be
 * read, is larger than {@link MAX_INVENTORY_CACHE_BYTES}, is not JSON, has another `format`,
 * `version` or `appVersion` gives an empty cache and a `problem` in English. Damaged VM entries
 * are dropped one by one.
 *
 * @param file absolute path of the cache file.
 * @param appVersion the running app's version (a cache written by another version is not used).
 */
export async function loadInventoryCache(file: string, appVersion?: string): Promise<LoadedInventoryCache> {
  const empty = emptyInventoryCache(appVersion);
  let text: string;
  try {
    const st = await fsp.stat(file);
    if (st.size > MAX_INVENTORY_CACHE_BYTES)
      return { data: empty, problem: `${file} is too large (${st.size} bytes); it is ignored` };
    text = await fsp.readFile(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return { data: empty };
    return { data: empty, problem: `${file} could not be read (${code ?? (err as Error).message})` };
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    return { data: empty, problem: `${file} is not valid JSON (${(err as Error).message}); it is ignored` };
  }
  if (!isObject(raw) || raw.format !== INVENTORY_CACHE_FORMAT)
    return { data: empty, problem: `${file} is not an inventory cache; it is ignored` };
  if (raw.version !== INVENTORY_CACHE_VERSION)
    return {
      data: empty,
      problem: `${file} has cache format version ${String(raw.version)}, not ${INVENTORY_CACHE_VERSION}; it is ignored`,
    };
  if (appVersion !== undefined && raw.appVersion !== appVersion)
    return {
      data: empty,
      problem: `${file} was written by app version ${String(raw.appVersion)}, not ${appVersion}; it is ignored`,
    };
  const data: InventoryCacheData = { ...empty };
  if (typeof raw.writtenAt === 'string') data.writtenAt = raw.writtenAt;
  const vbm = raw.vboxManage;
  if (isObject(vbm) && isExeStamp(vbm.exe) && typeof vbm.version === 'string' && vbm.version !== '')
    data.vboxManage = { exe: vbm.exe, version: vbm.version };
  const hi = raw.hostInfo;
  if (isObject(hi) && isExeStamp(hi.exe) && Number.isFinite(hi.bootTimeMs) && isObject(hi.info))
    data.hostInfo = {
      exe: hi.exe,
      bootTimeMs: hi.bootTimeMs as number,
      info: { ...(hi.info as unknown as HostInfo), issues: [] },
    };
  if (isObject(raw.vms)) {
    for (const [id, v] of Object.entries(raw.vms)) {
      const vm = checkVm(id, v);
      if (vm) data.vms[id] = vm;
      if (Object.keys(data.vms).length >= MAX_CACHED_VMS) break;
    }
  }
  return { data };
}

/**
 * Fits `data` within `maxBytes` of JSON: keeps at most {@link MAX_CACHED_VMS} VMs, then drops parsed
 * settings files (largest first), then `showvminfo` reads (oldest first) until the estimated size
 * fits. Returns a copy (the VM entries are shallow copies; `data` is not changed) and how many
 * payloads were dropped. Each VM is serialized once to measure it (no whole-file text is built).
 */
export function fitInventoryCache(
  data: InventoryCacheData,
  maxBytes = MAX_INVENTORY_CACHE_BYTES,
): { data: InventoryCacheData; dropped: number } {
  const vms: Record<string, CachedVm> = {};
  for (const [id, vm] of Object.entries(data.vms).slice(0, MAX_CACHED_VMS)) vms[id] = { ...vm };
  const out: InventoryCacheData = { ...data, vms };
  const bytes = (v: unknown): number => (v === undefined ? 0 : Buffer.byteLength(JSON.stringify(v)));
  const { vms: _vms, ...head } = out;
  let total = bytes(head) + 16;
  const fileSizes: [string, number][] = [];
  const readSizes: [string, number][] = [];
  for (const [id, vm] of Object.entries(vms)) {
    // Each payload also costs its key and comma (`,"showvminfo":`): counted generously.
    const f = vm.file ? bytes(vm.file) + 16 : 0;
    const r = vm.showvminfo ? bytes(vm.showvminfo) + 16 : 0;
    total += id.length + 4 + bytes({ ...vm, file: undefined, showvminfo: undefined }) + f + r;
    if (vm.file) fileSizes.push([id, f]);
    if (vm.showvminfo) readSizes.push([id, r]);
  }
  let dropped = 0;
  let excess = total - maxBytes;
  if (excess <= 0) return { data: out, dropped };
  for (const [id, size] of fileSizes.sort((a, b) => b[1] - a[1])) {
    if (excess <= 0) break;
    delete vms[id].file;
    excess -= size;
    dropped++;
  }
  readSizes.sort((a, b) => vms[a[0]].showvminfo!.readAt - vms[b[0]].showvminfo!.readAt);
  for (const [id, size] of readSizes) {
    if (excess <= 0) break;
    delete vms[id].showvminfo;
    excess -= size;
    dropped++;
  }
  return { data: out, dropped };
}

/** Text gathered before one write to the cache file (UTF-16 code units): bounds memory, saves most writes. */
const WRITE_CHUNK_CHARS = 1024 * 1024;

/**
 * Writes the cache atomically: the JSON goes to a temporary file next to `file` (mode 0600), VM after
 * VM in chunks of about {@link WRITE_CHUNK_CHARS} characters (no whole-file string is held in
 * memory), which is then renamed over `file`, so a reader sees either the old or the new cache,
 * never half of one. Creates the folder when missing.
 *
 * Bounded by `maxBytes` (default {@link MAX_INVENTORY_CACHE_BYTES}) and {@link MAX_CACHED_VMS}: a
 * cache within both is written as is, each VM serialized once and measured while written; one that
 * turns out larger is abandoned and written again as {@link fitInventoryCache} trims it.
 * @returns bytes written and payloads dropped to fit.
 * @throws the file-system error (the temporary file is removed first).
 */
export async function saveInventoryCache(
  file: string,
  data: InventoryCacheData,
  maxBytes = MAX_INVENTORY_CACHE_BYTES,
): Promise<{ bytes: number; dropped: number }> {
  const stamped = { ...data, writtenAt: new Date().toISOString() };
  await fsp.mkdir(path.dirname(file), { recursive: true });
  if (Object.keys(stamped.vms).length <= MAX_CACHED_VMS) {
    const bytes = await writeCacheFile(file, stamped, maxBytes);
    if (bytes !== undefined) return { bytes, dropped: 0 };
  }
  const fitted = fitInventoryCache(stamped, maxBytes);
  return { bytes: (await writeCacheFile(file, fitted.data, Infinity))!, dropped: fitted.dropped };
}

/**
 * One atomic write of `data` to `file` (see {@link saveInventoryCache}); `undefined` (nothing
 * written, the temporary file removed) as soon as the JSON exceeds `maxBytes`.
 * @throws the file-system error (the temporary file is removed first).
 */
async function writeCacheFile(
  file: string,
  data: InventoryCacheData,
  maxBytes: number,
): Promise<number | undefined> {
  const { vms, ...head } = data;
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  let bytes = 0;
  let handle: fsp.FileHandle | undefined;
  let complete = false;
  try {
    handle = await fsp.open(tmp, 'w', 0o600);
    let chunk = '';
    const flush = async (): Promise<boolean> => {
      bytes += Buffer.byteLength(chunk);
      if (bytes > maxBytes) return false;
      await handle!.write(chunk);
      chunk = '';
      return true;
    };
    chunk = `${JSON.stringify(head).slice(0, -1)},"vms":{`;
    let first = true;
    let fits = true;
    for (const [id, vm] of Object.entries(vms)) {
      chunk += `${first ? '' : ','}${JSON.stringify(id)}:${JSON.stringify(vm)}`;
      first = false;
      if (chunk.length >= WRITE_CHUNK_CHARS && !(fits = await flush())) break;
    }
    if (fits) {
      chunk += '}}';
      fits = await flush();
    }
    await handle.close();
    handle = undefined;
    if (!fits) return undefined;
    await fsp.rename(tmp, file);
    complete = true;
    return bytes;
  } finally {
    if (!complete) {
      await handle?.close().catch(() => undefined);
      await fsp.rm(tmp, { force: true }).catch(() => undefined);
    }
  }
}

/** Stamp of the file at `p` (symbolic links followed); undefined when it cannot be examined or is not a file. */
export async function fileStamp(p: string): Promise<Stamp | undefined> {
  try {
    const st = await fsp.stat(p);
    return st.isFile() ? { mtimeMs: st.mtimeMs, size: st.size } : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Identity of the VBoxManage at `p`: the real path behind symbolic links (e.g. `/usr/bin/VBoxManage`
 * → the installed wrapper script), its size and mtime, which change when VirtualBox is installed
 * again or upgraded. Undefined when the file cannot be examined.
 */
export async function exeStamp(p: string): Promise<ExeStamp | undefined> {
  try {
    const real = await fsp.realpath(p);
    const st = await fsp.stat(real);
    return { path: real, mtimeMs: st.mtimeMs, size: st.size };
  } catch {
    return undefined;
  }
}

/** True when both stamps are absent (`null`: no file) or describe the same file version. */
export function sameOptionalStamp(a: Stamp | null, b: Stamp | null): boolean {
  return a === null || b === null ? a === b : a.mtimeMs === b.mtimeMs && a.size === b.size;
}

/** True when both describe the same executable file version. */
export function sameExe(a: ExeStamp, b: ExeStamp): boolean {
  return a.path === b.path && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** When this computer booted, ms since the epoch (now minus `os.uptime()`; suspend time is counted on Linux, macOS and Windows). */
export function hostBootTimeMs(now = Date.now(), uptimeSeconds = uptime()): number {
  return Math.round(now - uptimeSeconds * 1000);
}

/** True when two computed boot times are the same boot (within {@link BOOT_TIME_TOLERANCE_MS}). */
export function sameBoot(a: number, b: number): boolean {
  return Math.abs(a - b) <= BOOT_TIME_TOLERANCE_MS;
}

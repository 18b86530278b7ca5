/**
 * Joining the two views of a VirtualBox VM and judging it:
 *
 * - the running truth printed by `VBoxManage showvminfo <uuid> --machinereadable` (VirtualBox
 *   3.x–7.x), and
 * - the VM's settings file (`CfgFile`, the `.vbox`; `.xml` for VirtualBox ≤ 3.x), read directly with
 *   `parseVboxFile` (settings versions 1.3–1.20), which holds what `showvminfo` never prints (TPM,
 *   audio controller, promiscuous mode, host I/O cache, shared-folder flags, OS type id, CPU
 *   hot-plug, execution engine — reference `virtualbox-settings.md` §2 and §6).
 *
 * Also here: reading a VM file the user names (a `.vbox` or a saved `showvminfo` dump, told apart
 * by content), and the advice context shared by the inventory service and the CLI.
 *
 * Safety: paths that come from VM configurations (`CfgFile`) are only ever opened read-only, as a
 * settings file to be parsed as XML (no entities, see `vbox-file.ts`): never executed, never
 * followed anywhere else. Only absolute local paths ending in `.vbox`/`.xml` are opened; the file
 * is opened non-blocking and must be a regular file (a FIFO or device named as `CfgFile` cannot
 * hang or feed the reader) of at most {@link MAX_SETTINGS_FILE_BYTES}.
 */

import { constants as fsConstants } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import path from 'node:path';
import type { Finding } from '../shared/advice.ts';
import type { Discrepancy, Provenance } from '../shared/contract.ts';
import type { HostFacts, Sourced, VmConfig, VmSummary } from '../shared/model.ts';
import { evaluateAdvice, type HostOs, type VersionLike } from './advice/index.ts';
import { VBoxParseError } from './vbox/errors.ts';
import { sentence } from './sentence.ts';
import { parseVBoxVersion } from './vbox/parse-version.ts';
import { showVmInfoToConfig } from './vbox/to-config.ts';
import {
  decodeSettingsBytes,
  parseVboxFile,
  type VboxExtra,
  type VboxFileResult,
  type VboxMedium,
} from './vbox/vbox-file.ts';

// ---------------------------------------------------------------------------------------------
// Reading settings files safely
// ---------------------------------------------------------------------------------------------

/** Largest settings file or VM dump read: 16 MiB (real `.vbox` files are a few KB to about 1 MB). */
export const MAX_SETTINGS_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Why a file could not be read. `message` is `<path>: <reason>`; `reason` is the part after the
 * path; `code` is Node's errno code, or `NOT_FILE` / `TOO_LARGE`.
 */
export class FileReadError extends Error {
  code: string;
  reason: string;
  constructor(filePath: string, reason: string, code: string) {
    super(`${filePath}: ${reason}`);
    this.name = 'FileReadError';
    this.code = code;
    this.reason = reason;
  }
}

function fileError(err: unknown, filePath: string): FileReadError {
  if (err instanceof FileReadError) return err;
  const code = (err as NodeJS.ErrnoException)?.code ?? 'EIO';
  const why =
    code === 'ENOENT'
      ? 'no such file'
      : code === 'EACCES' || code === 'EPERM'
        ? 'permission denied'
        : code === 'EISDIR'
          ? 'it is a folder, not a file'
          : code === 'ENOTDIR'
            ? 'a part of the path is not a folder'
            : code === 'ELOOP'
              ? 'too many symbolic links'
              : ((err as Error)?.message ?? String(err));
  return new FileReadError(filePath, why, code);
}

/** Size and modification time of a file (for caching), without opening it. */
export interface FileStamp {
  /** Modification time in ms since the epoch. */
  mtimeMs: number;
  /** Size in bytes. */
  size: number;
}

/**
 * Reads a whole file for parsing: opened read-only and non-blocking (`O_NONBLOCK` where the OS has
 * it), then checked to be a regular file of at most `maxBytes` before any byte is read.
 *
 * @returns the bytes and the file's stamp (mtime in ms, size in bytes).
 * @throws FileReadError with an English message naming the path: `ENOENT` (no such file),
 *   `EACCES`/`EPERM` (permission denied), `EISDIR`, `NOT_FILE` (FIFO, device, socket…),
 *   `TOO_LARGE`, or another errno code.
 */
export async function readRegularFile(
  filePath: string,
  maxBytes = MAX_SETTINGS_FILE_BYTES,
): Promise<{ bytes: Uint8Array; stamp: FileStamp }> {
  const flags = fsConstants.O_RDONLY | (fsConstants.O_NONBLOCK ?? 0);
  let handle;
  try {
    handle = await open(filePath, flags);
  } catch (err) {
    throw fileError(err, filePath);
  }
  try {
    const st = await handle.stat();
    if (st.isDirectory()) throw new FileReadError(filePath, 'it is a folder, not a file', 'EISDIR');
    if (!st.isFile())
      throw new FileReadError(filePath, 'not a regular file (a device, pipe or socket)', 'NOT_FILE');
    if (st.size > maxBytes)
      throw new FileReadError(
        filePath,
        `the file is too large (${st.size} bytes; at most ${maxBytes} bytes are read)`,
        'TOO_LARGE',
      );
    const bytes = await handle.readFile();
    if (bytes.length > maxBytes)
      throw new FileReadError(filePath, 'the file is too large (it grew while being read)', 'TOO_LARGE');
    return { bytes, stamp: { mtimeMs: st.mtimeMs, size: st.size } };
  } catch (err) {
    throw fileError(err, filePath);
  } finally {
    await handle.close();
  }
}

/** One cached parse of a settings file: the stamp it was read at and the result or the error text. */
interface CacheEntry {
  stamp: FileStamp;
  result?: VboxFileResult;
  error?: string;
  /** Number of global (pre-4.0 `VirtualBox.xml`) media the parse was made with; absent = none. */
  mediaCount?: number;
}

/**
 * Parsed `.vbox` files by path, re-read only when the file's modification time or size changes.
 * Failures are cached the same way (a broken file is not parsed again until it changes).
 * Results are shared between callers: treat them as read-only. The inventory service primes it
 * with the parses kept in its persistent cache ({@link SettingsFileCache.prime}) and saves the
 * parses it holds ({@link SettingsFileCache.peek}), so an unchanged file is not parsed again after a
 * relaunch.
 */
export class SettingsFileCache {
  private readonly entries = new Map<string, CacheEntry>();
  private readonly maxEntries: number;

  /** @param maxEntries how many files to remember (oldest dropped first); default 500. */
  constructor(maxEntries = 500) {
    this.maxEntries = maxEntries;
  }

  /**
   * The parsed settings file at `filePath` (absolute).
   * @throws FileReadError when the file cannot be read, VBoxParseError when it is not a machine
   *   settings file (both also for a cached failure, as long as the file is unchanged).
   */
  async read(filePath: string): Promise<VboxFileResult> {
    return (await this.readWithStamp(filePath)).result;
  }

  /**
   * Like {@link read}, with the stamp (mtime in ms, size in bytes) of the file version parsed.
   * `opts.globalMedia` (media of a pre-4.0 `VirtualBox.xml` registry) are handed to the parser; a
   * parse made with them is only reused with the same number of global media.
   * @throws like {@link read}.
   */
  async readWithStamp(
    filePath: string,
    opts: { globalMedia?: VboxMedium[] } = {},
  ): Promise<{ result: VboxFileResult; stamp: FileStamp }> {
    const media = opts.globalMedia?.length ? opts.globalMedia : undefined;
    let current: FileStamp | undefined;
    try {
      const st = await stat(filePath);
      current = { mtimeMs: st.mtimeMs, size: st.size };
    } catch {
      current = undefined; // let readRegularFile produce the precise error
    }
    const hit = this.entries.get(filePath);
    if (hit && current && sameStamp(hit.stamp, current) && (hit.mediaCount ?? 0) === (media?.length ?? 0)) {
      if (hit.result) return { result: hit.result, stamp: hit.stamp };
      throw new VBoxParseError(hit.error ?? 'unreadable');
    }
    const { bytes, stamp } = await readRegularFile(filePath);
    let entry: CacheEntry;
    try {
      const result = parseVboxFile(decodeSettingsBytes(bytes), {
        path: filePath,
        ...(media ? { globalMedia: media } : {}),
      });
      entry = { stamp, result };
    } catch (err) {
      entry = { stamp, error: (err as Error).message };
    }
    if (media) entry.mediaCount = media.length;
    this.remember(filePath, entry);
    if (entry.result) return { result: entry.result, stamp };
    throw new VBoxParseError(entry.error!);
  }

  /**
   * Stores a parse made earlier (e.g. kept in a cache file) of the file at `filePath` as it was at
   * `stamp`; it is used only while the file keeps that modification time and size.
   */
  prime(filePath: string, stamp: FileStamp, result: VboxFileResult): void {
    if (!this.entries.has(filePath)) this.remember(filePath, { stamp, result });
  }

  /** The successful parse held for `filePath` and the stamp it was made at (no file access); undefined when none. */
  peek(filePath: string): { result: VboxFileResult; stamp: FileStamp } | undefined {
    const hit = this.entries.get(filePath);
    return hit?.result && !hit.mediaCount ? { result: hit.result, stamp: hit.stamp } : undefined;
  }

  /** Forgets every cached file. */
  clear(): void {
    this.entries.clear();
  }

  private remember(filePath: string, entry: CacheEntry): void {
    this.entries.delete(filePath);
    this.entries.set(filePath, entry);
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }
}

/** True when two stamps describe the same file version (same modification time and size). */
export function sameStamp(a: FileStamp, b: FileStamp): boolean {
  return a.mtimeMs === b.mtimeMs && a.size === b.size;
}

/** True when `p` is an absolute path of this host's kind (`C:\…`/UNC on Windows, `/…` elsewhere). */
export function isLocalAbsolutePath(p: string, platform: string): boolean {
  if (p === '' || p.includes('\0')) return false;
  if (platform === 'win32') return /^[A-Za-z]:[\\/]|^\\\\[^\\]/.test(p);
  return p.startsWith('/');
}

/** Outcome of {@link readCfgFile} and {@link readSettingsFileOf}. */
export interface CfgFileRead {
  /** What the provenance shows: the path, whether it was read, and why not. */
  vboxFile: { path: string; read: boolean; error?: string };
  /** The parsed settings file, when `vboxFile.read`. */
  result?: VboxFileResult;
  /** Modification time and size of the file version parsed, when `vboxFile.read`. */
  stamp?: FileStamp;
}

/** Options of {@link readCfgFile}. */
export interface ReadCfgFileOptions {
  /** Host platform (`process.platform`): decides which paths are local. */
  platform: string;
  /** Cache to use (default: a fresh one, i.e. no caching). */
  cache?: SettingsFileCache;
  /** Media of a pre-4.0 `VirtualBox.xml` registry, for attachments the machine's own registry lacks. */
  globalMedia?: VboxMedium[];
}

/**
 * Reads the settings file `cfg` of the VM with id `vmId` (lower-case UUID; empty = do not check).
 * Never rejects: every failure is returned as `{ read: false, error }` with an English reason — a
 * path of another OS or not absolute, a name not ending in `.vbox`/`.xml`,
 * missing/unreadable/non-regular/too large file, malformed or non-machine XML, an encrypted VM, or
 * a file that describes another VM (UUID differs).
 */
export async function readSettingsFileOf(
  vmId: string,
  cfg: string,
  opts: ReadCfgFileOptions,
): Promise<CfgFileRead> {
  const fail = (error: string): CfgFileRead => ({ vboxFile: { path: cfg, read: false, error } });
  if (!isLocalAbsolutePath(cfg, opts.platform))
    return fail(
      'not an absolute path on this computer (the VM was probably read on another host); the settings file was not read',
    );
  if (!/\.(vbox|xml)$/i.test(cfg))
    return fail('the path does not end in .vbox or .xml; it was not read as a settings file');
  let read: { result: VboxFileResult; stamp: FileStamp };
  try {
    read = await (opts.cache ?? new SettingsFileCache(1)).readWithStamp(
      cfg,
      opts.globalMedia ? { globalMedia: opts.globalMedia } : {},
    );
  } catch (err) {
    if (err instanceof FileReadError) return fail(`the settings file could not be read: ${err.reason}`);
    return fail(`the file is not a usable VirtualBox settings file: ${(err as Error).message}`);
  }
  const { result, stamp } = read;
  if (result.encrypted)
    return fail(
      'the settings file is encrypted (VirtualBox 7 full-VM encryption); only VirtualBox can read it',
    );
  if (vmId && result.config.id && result.config.id !== vmId.toLowerCase())
    return fail(`the file describes another VM (UUID ${result.config.id}, not ${vmId})`);
  return { vboxFile: { path: cfg, read: true }, result, stamp };
}

/**
 * Reads the settings file a VM configuration names in `general.cfgFile` (`CfgFile` of
 * `showvminfo`), see {@link readSettingsFileOf}; `undefined` when the configuration names none.
 * Never rejects.
 */
export async function readCfgFile(
  config: VmConfig,
  opts: ReadCfgFileOptions,
): Promise<CfgFileRead | undefined> {
  const cfg = config.general.cfgFile?.value.trim();
  if (!cfg) return undefined;
  return readSettingsFileOf(config.id, cfg, opts);
}

// ---------------------------------------------------------------------------------------------
// Enrichment and discrepancies
// ---------------------------------------------------------------------------------------------

/** Result of {@link enrichWithVboxFile}. */
export interface Enriched {
  /** The `showvminfo` configuration with the file's TPM and audio controller filled in (a copy). */
  config: VmConfig;
  /** Settings `showvminfo` never prints, by catalog id `[@instance]` (as `parseVboxFile` names them). */
  extras: Record<string, VboxExtra>;
  /** Settings both sources report, with different values (the `showvminfo` value is kept). */
  discrepancies: Discrepancy[];
}

type Compare = 'enum' | 'text';
type AnySourced = Sourced<string | number | boolean | string[]>;

/** Instance suffix allowed by the setting-id pattern (`#` + 1–80 of `[A-Za-z0-9 _.:-]`), else the fallback. */
function instance(name: string, fallback: string | number): string {
  return /^[A-Za-z0-9 _.:-]{1,80}$/.test(name) ? name : String(fallback);
}

function norm(v: AnySourced['value'], how: Compare): string {
  const s = Array.isArray(v) ? v.join(',') : String(v);
  const t = s.replace(/\r\n?/g, '\n').trim();
  return how === 'enum' ? t.toLowerCase() : t;
}

/**
 * Fills a `showvminfo` configuration with what only the `.vbox` file holds and lists the settings
 * where the two disagree.
 *
 * - Returns a copy; `config` and `vbox` are not changed.
 * - `system.tpm` and `audio.controller` (never printed by `showvminfo`) are taken from the file
 *   (their `key` is the XML path, e.g. `Machine/Hardware/TrustedPlatformModule/@type`) unless the
 *   configuration already has them.
 * - `extras` are the file's extras as `parseVboxFile` produces them (`system.motherboard.tpm`,
 *   `audio.main.controller`, `network.adapter.promiscuous@<slot>`,
 *   `storage.controller.hostIoCache@<controller>`, `sharedFolders.main.writable@<name>`,
 *   `general.basic.osTypeId`, `system.cli.cpuHotPlug`, `system.cli.executionEngine`, …).
 * - A discrepancy is recorded for each compared setting whose value is written explicitly in the
 *   file (defaults the reader inferred for absent attributes are not compared) and differs from
 *   `showvminfo`'s (enums compared case-insensitively, texts exactly after trimming): name,
 *   clipboard, drag and drop, description, memory, boot order, chipset, pointing device, I/O APIC,
 *   RTC in UTC, firmware, vCPUs, execution cap, PAE, nested VT-x, paravirtualization, nested paging,
 *   VT-x/AMD-V, video memory, monitors, graphics controller, 3D, remote display, recording, storage
 *   controller type/port count/bootable, attached medium UUIDs, network attachment/name/adapter
 *   type/MAC/cable, USB controllers and shared-folder host paths. `settingId` is the catalog id
 *   with `#<instance>` (adapter slot, controller name, `<controller>:<port>:<device>`, boot position,
 *   shared-folder name).
 * - When the file describes another VM (different UUID) or is encrypted, nothing is merged.
 */
export function enrichWithVboxFile(config: VmConfig, vbox: VboxFileResult): Enriched {
  const out: VmConfig = structuredClone(config);
  const file = vbox.config;
  if (vbox.encrypted || (config.id && file.id && file.id !== config.id.toLowerCase())) {
    return { config: out, extras: {}, discrepancies: [] };
  }
  const extras: Record<string, VboxExtra> = {};
  for (const [k, v] of Object.entries(vbox.extras)) extras[k] = { ...v };
  if (!out.system.tpm && file.system.tpm) out.system.tpm = { ...file.system.tpm };
  if (!out.audio.controller && file.audio.controller) out.audio.controller = { ...file.audio.controller };

  const discrepancies: Discrepancy[] = [];
  const cmp = (
    settingId: string,
    live: AnySourced | undefined,
    saved: AnySourced | undefined,
    how: Compare = 'enum',
  ): void => {
    if (!live || !saved || saved.raw === '') return;
    if (norm(live.value, how) === norm(saved.value, how)) return;
    discrepancies.push({
      settingId,
      showvminfo: { key: live.key, raw: live.raw },
      vboxFile: { key: saved.key, raw: saved.raw },
    });
  };

  const lg = config.general;
  const fg = file.general;
  cmp('general.basic.name', lg.name, fg.name, 'text');
  cmp('general.advanced.clipboard', lg.clipboard, fg.clipboard);
  cmp('general.advanced.dragAndDrop', lg.dragAndDrop, fg.dragAndDrop);
  cmp('general.description.text', lg.description, fg.description, 'text');

  const ls = config.system;
  const fsys = file.system;
  cmp('system.motherboard.memory', ls.memoryMB, fsys.memoryMB);
  ls.bootOrder.forEach((b, i) => cmp(`system.motherboard.bootOrder#${i + 1}`, b, fsys.bootOrder[i]));
  cmp('system.motherboard.chipset', ls.chipset, fsys.chipset);
  cmp('system.motherboard.pointingDevice', ls.pointingDevice, fsys.pointingDevice);
  cmp('system.motherboard.ioApic', ls.ioApic, fsys.ioApic);
  cmp('system.motherboard.rtcUseUtc', ls.rtcUseUtc, fsys.rtcUseUtc);
  cmp('system.motherboard.efi', ls.firmware, fsys.firmware);
  cmp('system.processor.cpus', ls.cpus, fsys.cpus);
  cmp('system.processor.executionCap', ls.executionCapPercent, fsys.executionCapPercent);
  cmp('system.processor.pae', ls.pae, fsys.pae);
  cmp('system.processor.nestedHwVirt', ls.nestedHwVirt, fsys.nestedHwVirt);
  cmp('system.acceleration.paravirtProvider', ls.paravirtProvider, fsys.paravirtProvider);
  cmp('system.acceleration.nestedPaging', ls.nestedPaging, fsys.nestedPaging);
  cmp('system.acceleration.hwVirtEx', ls.hwVirtEx, fsys.hwVirtEx);

  const ld = config.display;
  const fd = file.display;
  cmp('display.screen.vram', ld.vramMB, fd.vramMB);
  cmp('display.screen.monitorCount', ld.monitorCount, fd.monitorCount);
  cmp('display.screen.graphicsController', ld.graphicsController, fd.graphicsController);
  cmp('display.screen.accelerate3d', ld.accelerate3d, fd.accelerate3d);
  cmp('display.remote.enabled', ld.vrdeEnabled, fd.vrdeEnabled);
  cmp('display.recording.enabled', ld.recordingEnabled, fd.recordingEnabled);

  for (const lc of config.storage) {
    const fc = file.storage.find((c) => c.name.value === lc.name.value);
    if (!fc) continue;
    const inst = instance(lc.name.value, lc.index);
    cmp(`storage.controller.type#${inst}`, lc.type, fc.type);
    cmp(`storage.controller.portCount#${inst}`, lc.portCount, fc.portCount);
    cmp(`storage.controller.bootable#${inst}`, lc.bootable, fc.bootable);
    for (const la of lc.attachments) {
      const fa = fc.attachments.find((a) => a.port === la.port && a.device === la.device);
      if (!fa) continue;
      cmp(
        `storage.attachment.medium#${instance(`${lc.name.value}:${la.port}:${la.device}`, `${lc.index}:${la.port}:${la.device}`)}`,
        la.imageUuid,
        fa.imageUuid,
      );
    }
  }

  for (const ln of config.network) {
    const fn = file.network.find((n) => n.slot === ln.slot);
    if (!fn) continue;
    cmp(`network.adapter.attachedTo#${ln.slot}`, ln.attachment, fn.attachment);
    if (ln.attachment.value === 'none' || fn.attachment.value === 'none') continue;
    if (
      ln.attachment.value.toLowerCase() === fn.attachment.value.toLowerCase() &&
      ln.attachment.value !== 'nat'
    )
      cmp(`network.adapter.name#${ln.slot}`, ln.attachmentName, fn.attachmentName, 'text');
    cmp(`network.adapter.adapterType#${ln.slot}`, ln.adapterType, fn.adapterType);
    cmp(`network.adapter.mac#${ln.slot}`, ln.macAddress, fn.macAddress);
    cmp(`network.adapter.cable#${ln.slot}`, ln.cableConnected, fn.cableConnected);
  }

  cmp('usb.main.controllerType', config.usb.ohci, file.usb.ohci);
  cmp('usb.main.controllerType', config.usb.ehci, file.usb.ehci);
  cmp('usb.main.controllerType', config.usb.xhci, file.usb.xhci);

  for (const lf of config.sharedFolders) {
    if (lf.transient) continue;
    const ff = file.sharedFolders.find((f) => f.name.value === lf.name.value);
    if (ff)
      cmp(`sharedFolders.main.list#${instance(lf.name.value, lf.index)}`, lf.hostPath, ff.hostPath, 'text');
  }

  return { config: out, extras, discrepancies };
}

/** Everything the app knows about a VM besides its summary: the enriched config, extras and provenance. */
export interface VmExtraInfo {
  config: VmConfig;
  extras?: Record<string, VboxExtra>;
  provenance?: Provenance;
}

/**
 * Reads a `showvminfo` configuration's settings file (see {@link readCfgFile}) and merges it
 * (see {@link enrichWithVboxFile}). Never rejects. Without a `CfgFile` the config is returned
 * unchanged with `provenance: { discrepancies: [] }`; when the file cannot be used, with
 * `provenance.vboxFile = { path, read: false, error }`.
 */
export async function enrichFromCfgFile(config: VmConfig, opts: ReadCfgFileOptions): Promise<VmExtraInfo> {
  const read = await readCfgFile(config, opts);
  if (!read) return { config, provenance: { discrepancies: [] } };
  if (!read.result) return { config, provenance: { vboxFile: read.vboxFile, discrepancies: [] } };
  const e = enrichWithVboxFile(config, read.result);
  return {
    config: e.config,
    extras: e.extras,
    provenance: { vboxFile: read.vboxFile, discrepancies: e.discrepancies },
  };
}

/** Runs `fn` over `items` with at most `limit` calls in flight; results keep the input order. */
export async function mapBounded<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  return out;
}

// ---------------------------------------------------------------------------------------------
// VM files the user opens
// ---------------------------------------------------------------------------------------------

/**
 * A VM file that cannot be used. `reason` says why in English, as a clause without the file name
 * (e.g. `the file is empty`); `message` is `Cannot use <file name>: <reason>.` (one full stop, also when
 * `reason` already ends a sentence).
 */
export class VmFileError extends Error {
  reason: string;
  constructor(fileName: string, reason: string) {
    super(sentence(`Cannot use ${fileName}: ${reason}`));
    this.name = 'VmFileError';
    this.reason = reason;
  }
}

/** A parsed VM file: a machine settings file, or a saved `showvminfo --machinereadable` dump. */
export type VmFile =
  { kind: 'vbox'; result: VboxFileResult; config: VmConfig } | { kind: 'showvminfo'; config: VmConfig };

/**
 * True when a parsed dump carries at least one identifying or hardware line (a `.vmx` file or a
 * random text parsed leniently yields none of these). Fragments with only NIC lines pass.
 */
export function looksLikeShowVmInfo(config: VmConfig): boolean {
  return Boolean(
    config.id ||
    config.general.name ||
    config.state ||
    config.system.memoryMB ||
    config.system.cpus ||
    config.network.length > 0 ||
    config.storage.length > 0,
  );
}

/**
 * Tells a VM file apart by its content and parses it: text whose first non-blank character is `<`
 * is read as a VirtualBox machine settings file (`parseVboxFile`, path = `filePath`); anything else
 * as `VBoxManage showvminfo <vm> --machinereadable` output (`source: 'file'`).
 *
 * @param bytes the whole file (decoded per BOM / XML declaration, see `decodeSettingsBytes`).
 * @param filePath the file's path (relative media in a `.vbox` resolve against its folder; used in messages).
 * @throws VmFileError (see its `reason`) for an empty file, XML that is not a machine settings file (malformed, a DOCTYPE
 *   with entities, the global VirtualBox.xml, …), human-readable `showvminfo` output, or text in
 *   which no `showvminfo` line was recognised.
 */
export function parseVmFile(bytes: Uint8Array, filePath: string): VmFile {
  const text = decodeSettingsBytes(bytes);
  const fail = (reason: string): VmFileError => new VmFileError(path.basename(filePath), reason);
  if (text.trim() === '') throw fail('the file is empty');
  if (text.trimStart().startsWith('<')) {
    let result: VboxFileResult;
    try {
      result = parseVboxFile(text, { path: filePath });
    } catch (err) {
      throw fail(`it is not a VirtualBox machine settings file (.vbox): ${(err as Error).message}`);
    }
    return { kind: 'vbox', result, config: result.config };
  }
  if (/^\s*Name:\s+\S/m.test(text) && /^UUID:\s+[0-9a-fA-F-]{36}\s*$/m.test(text)) {
    throw fail(
      'it is the human-readable output of "VBoxManage showvminfo"; save the output of ' +
        '"VBoxManage showvminfo <uuid> --machinereadable" instead',
    );
  }
  let config: VmConfig;
  try {
    config = showVmInfoToConfig(text, 'file');
  } catch (err) {
    throw fail(`it could not be read as "showvminfo --machinereadable" output: ${(err as Error).message}`);
  }
  if (!looksLikeShowVmInfo(config)) {
    throw fail(
      'it does not look like "VBoxManage showvminfo <vm> --machinereadable" output nor like a VirtualBox ' +
        'settings file (no UUID, name, state, memory, network or storage lines were recognised)',
    );
  }
  return { kind: 'showvminfo', config };
}

// ---------------------------------------------------------------------------------------------
// Advice context
// ---------------------------------------------------------------------------------------------

/** States in which a VM holds its memory on the host (`VMState` spellings). */
export const ACTIVE_STATES: ReadonlySet<string> = new Set([
  'running',
  'paused',
  'stuck',
  'teleporting',
  'livesnapshotting',
  'onlinesnapshotting',
  'teleportingpausedvm',
]);

/** Node's `process.platform` → the advice engine's host OS (`linux` for every other Unix). */
export function hostOsFor(platform: string): HostOs {
  return platform === 'win32' ? 'win32' : platform === 'darwin' ? 'darwin' : 'linux';
}

/** `{ major, minor }` of a version string such as `7.1.12r169651`; undefined when absent or unparsable. */
export function versionOf(version: string | undefined): VersionLike | undefined {
  if (!version) return undefined;
  try {
    const v = parseVBoxVersion(version);
    return { major: v.major, minor: v.minor };
  } catch {
    return undefined;
  }
}

/**
 * The VMs that currently use host memory, for the "memory of all running VMs" rule: VMs whose
 * state is in {@link ACTIVE_STATES} and whose memory is known. VMs read from files (`source: 'file'`)
 * are left out — a saved dump's or settings file's state is not the host's present.
 */
export function runningVmsOf(vms: readonly VmSummary[]): { id: string; memoryMB: number }[] {
  return vms
    .filter((v) => v.source !== 'file' && v.state !== undefined && ACTIVE_STATES.has(v.state))
    .filter((v) => v.memoryMB !== undefined)
    .map((v) => ({ id: v.id, memoryMB: v.memoryMB! }));
}

/** What {@link findingsFor} needs besides the VM. */
export interface AdviceEnv {
  host: HostFacts;
  /** Detected VirtualBox version (`VBoxManage --version`); undefined when unknown. */
  vboxVersion?: VersionLike;
  hostOs: HostOs;
  /** VMs using host memory now (see {@link runningVmsOf}). */
  runningVms: { id: string; memoryMB: number }[];
}

/**
 * Advice findings for one VM (see `evaluateAdvice`). A demo VM's id `demo-<uuid>` is evaluated as
 * `<uuid>`, so suggested commands carry a real UUID; the running-VMs list is matched the same way.
 */
export function findingsFor(config: VmConfig, env: AdviceEnv): Finding[] {
  const id = config.id.replace(/^demo-/, '');
  const vm = id === config.id ? config : { ...config, id };
  return evaluateAdvice(vm, {
    host: env.host,
    vboxVersion: env.vboxVersion,
    hostOs: env.hostOs,
    runningVms: env.runningVms.map((r) => ({ id: r.id.replace(/^demo-/, ''), memoryMB: r.memoryMB })),
  });
}

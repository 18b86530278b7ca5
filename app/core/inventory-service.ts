/**
 * The inventory service behind `vms:list`, `vms:get` and `vms:openFile`: finds VBoxManage, reads
 * every VM and the host facts, completes each VM from its `.vbox` settings file, evaluates the
 * advice rules, caches the result, and falls back — when VirtualBox's tools are absent or unusable —
 * to the VMs registered in `VirtualBox.xml` (read from their settings files), then to the bundled
 * demo VMs. Shared by Electron and browser mode.
 */

import { stat } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import path from 'node:path';
import type { Finding } from '../shared/advice.ts';
import type { Inventory, Provenance, VmDetail } from '../shared/contract.ts';
import type { HostFacts, ReadIssue, Sourced, VBoxStatus, VmConfig, VmSummary } from '../shared/model.ts';
import { NotFoundError, ValidationError } from './api/errors.ts';
import type { InventoryProvider } from './api/handlers.ts';
import { loadDemoVms, type DemoInventory } from './demo.ts';
import {
  FileReadError,
  SettingsFileCache,
  VmFileError,
  enrichFromCfgFile,
  findingsFor,
  hostOsFor,
  isLocalAbsolutePath,
  mapBounded,
  parseVmFile,
  readRegularFile,
  runningVmsOf,
  versionOf,
  type AdviceEnv,
} from './enrich.ts';
import type { VersionLike } from './advice/index.ts';
import { combineHostFacts, hostFactsFromOs, type OsFacts } from './host.ts';
import type { Store } from './store/index.ts';
import { readHostInfo, readInventory } from './vbox/inventory.ts';
import { rememberRunner } from './media.ts';
import { locateVBoxManage, type LocateResult } from './vbox/locate.ts';
import { VBoxRunner, getVersion, type VBoxRunnerOptions } from './vbox/runner.ts';
import { summaryFromConfig } from './vbox/to-config.ts';
import { discoverFromRegistry, type RegistryDiscovery } from './vbox/vbox-registry.ts';

/** Options of {@link InventoryService}. */
export interface InventoryServiceOptions {
  /** Where the user's VBoxManage path preference is read (`getPrefs().vboxManagePath`). */
  store: Pick<Store, 'getPrefs'>;
  /**
   * Environment for locating VBoxManage (`VBOXMANAGE`, `VBOX_MSI_INSTALL_PATH`, `VBOX_INSTALL_PATH`,
   * `ProgramFiles`, `PATH`). `VBOXMANAGE` is a session path used after the saved preference.
   * Variables starting with `VBOX_STANDIN_` are passed to the child (the test stand-in reads them).
   */
  env: NodeJS.ProcessEnv;
  /** Platform whose search rules apply (`process.platform`). */
  platform: NodeJS.Platform;
  /** Runner settings (timeout, concurrency, extra child env). */
  runnerOptions?: VBoxRunnerOptions;
  /** Folder of the demo dumps (default: `resources/demo`, see `DEFAULT_DEMO_DIR`). */
  demoDir?: string;
  /** Home folder for the standard `VirtualBox.xml` locations (default `os.homedir()`). */
  homedir?: string;
  /** Explicit `VirtualBox.xml` paths to try instead of the standard locations (tests). */
  registryCandidates?: string[];
  /** Host facts as Node sees them (default `hostFactsFromOs()`); tests pass fixed values. */
  osFacts?: OsFacts;
  /** How many `.vbox` files are read at the same time (default 4). */
  fileConcurrency?: number;
}

/** One VM as read, before advice. */
interface Entry {
  summary: VmSummary;
  config: VmConfig | null;
  extras?: Record<string, Sourced<string | number | boolean>>;
  provenance?: Provenance;
}

/** The inventory minus its VMs: what a read found about VirtualBox and the host. */
interface Base {
  vbox: VBoxStatus;
  host: HostFacts;
  demo: boolean;
  /** Problems with the `list vms` output (see `Inventory.issues`); absent when none. */
  issues?: ReadIssue[];
}

interface Snapshot {
  base: Base;
  /** `VBoxManage --version`, parsed; undefined without a working VBoxManage. */
  version?: VersionLike;
  /** VMs of the read itself (VBoxManage, registry or demo), before files the user opened. */
  entries: Entry[];
  inventory: Inventory;
  /** Detail per lower-case VM id, findings included. */
  details: Map<string, VmDetail>;
  /** The runner of the VBoxManage that was read (none when falling back to files or demo VMs). */
  runner?: VBoxRunner;
}

/** First sentence of {@link NOT_FOUND_MESSAGE}: why no VBoxManage is used. */
export const NOT_FOUND_REASON =
  'VBoxManage was not found. Install VirtualBox, or set the path to VBoxManage.';

/** Plain-English explanation shown when VBoxManage is not found anywhere and demo VMs are shown. */
export const NOT_FOUND_MESSAGE = `${NOT_FOUND_REASON} Demo VMs are shown meanwhile.`;

/** Follows the explanation of an unusable user-set path when no other VBoxManage was found. */
export const NOT_FOUND_ELSEWHERE = 'No other VBoxManage was found in the usual places either.';

/** What is at a path: a folder, a file (anything else that exists), or nothing. */
async function pathKind(p: string): Promise<'folder' | 'file' | 'missing'> {
  try {
    return (await stat(p)).isDirectory() ? 'folder' : 'file';
  } catch {
    return 'missing';
  }
}

/**
 * Why a VBoxManage path the user gave cannot be used, in plain English: `<what> (<path>) does not
 * exist.`, `<what> (<path>) is a folder without VBoxManage in it.` or `<what> (<path>) is not an
 * executable VBoxManage.` (a file that is not executable, or not a program at all).
 */
export function userPathProblem(
  what: string,
  userPath: string,
  kind: 'folder' | 'file' | 'missing',
  exe = 'VBoxManage',
): string {
  if (kind === 'missing') return `${what} (${userPath}) does not exist.`;
  if (kind === 'folder') return `${what} (${userPath}) is a folder without an executable ${exe} in it.`;
  return `${what} (${userPath}) is not an executable VBoxManage.`;
}

/** Appended to the reason when the VMs of `VirtualBox.xml` are shown instead of live data. */
export function registryNote(registryPath: string): string {
  return `The VMs registered in ${registryPath} are shown, read from their settings files; their running state is unknown.`;
}

const VM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Reads the VM inventory on demand and caches it.
 *
 * VBoxManage is located in this order: the path saved in preferences, then the `VBOXMANAGE`
 * environment variable (both count as `via: 'user'`; either may also name the folder holding
 * VBoxManage), then the automatic search of `locateVBoxManage` (installer variables, standard
 * folders, PATH). A path the user gave that cannot be used is explained ("The path you set (…) is
 * not an executable VBoxManage.") at the start of `vbox.error`, or in `vbox.warning` when another
 * VBoxManage was found.
 *
 * Each readable VM is completed from its settings file (`CfgFile`, when it is a readable local
 * file; parses cached by modification time) and judged by the advice rules against the host facts
 * (`list hostinfo` when available), the detected VirtualBox version, the host OS and the memory of
 * the VMs running now. Summaries carry the number of findings.
 *
 * Without a usable VBoxManage, the VMs registered in `VirtualBox.xml` (`VBOX_USER_HOME`, then the
 * standard per-OS location) are read from their settings files (`source: 'file'`, state known only
 * when saved or aborted); the demo VMs are shown only when no registry with VMs exists.
 */
export class InventoryService implements InventoryProvider {
  private readonly opts: InventoryServiceOptions;
  private snapshot: Snapshot | undefined;
  private pending: Promise<Snapshot> | undefined;
  private generation = 0;
  private demo: DemoInventory | undefined;
  private readonly cache = new SettingsFileCache();
  /** Files the user opened this session, by lower-case VM id (kept across refreshes). */
  private readonly opened = new Map<string, Entry>();

  constructor(opts: InventoryServiceOptions) {
    this.opts = opts;
  }

  /**
   * The inventory: VirtualBox status, host facts and every VM (inaccessible ones included, with
   * their reason; files opened with {@link openFile} too), each with its findings count. Cached
   * after the first call; `refresh` reads again. Concurrent calls share one read. When VBoxManage
   * is missing or unusable, `vbox.found`/`vbox.error` say why and the registry's or demo VMs are
   * returned (`demo: true` for the latter). Problems with the `list vms` output itself (rows that
   * cannot be read, repeated UUIDs) are in `issues`; a warning banner VBoxManage printed (Linux:
   * kernel module not loaded) is in `vbox.warning`, once. Rejects only on unexpected internal errors.
   */
  async list(refresh = false): Promise<Inventory> {
    return (await this.load(refresh)).inventory;
  }

  /**
   * One VM from the (cached) inventory with its configuration (`null` for an inaccessible VM),
   * the host facts, its advice `findings` (most serious first), the `.vbox`-only `extras` and the
   * `provenance` (settings file read or why not; where `.vbox` and `showvminfo` disagree). Ids are
   * compared case-insensitively.
   * @throws NotFoundError when no VM has this id.
   */
  async get(id: string): Promise<VmDetail> {
    const snap = await this.load(false);
    const detail = snap.details.get(id.toLowerCase());
    if (!detail) {
      throw new NotFoundError(`No VM with id ${id}. It may have been removed; refresh the machines list.`);
    }
    return detail;
  }

  /**
   * Opens a VM file the user chose: a VirtualBox machine settings file (`.vbox`/`.xml`, XML) or a
   * saved `VBoxManage showvminfo <vm> --machinereadable` dump (text), told apart by content. The VM
   * (id = its UUID, `source: 'file'`) is added to this session's inventory, so `list` and `get`
   * show it afterwards (opening the same UUID again replaces it). A dump is completed from its
   * `CfgFile` like a live VM. When VBoxManage already lists that UUID, the listed VM is returned
   * instead, with a note as the last entry of `config.issues` (or appended to `summary.error`
   * when it is inaccessible). Nothing in the file is executed; paths inside it are only read as
   * settings files.
   *
   * @param filePath absolute path on this computer.
   * @throws ValidationError for a relative path, a folder, a device, a file over 16 MiB, a file
   *   that cannot be read, an empty file, a file that is neither format, or a file without a VM
   *   UUID; NotFoundError when no file exists at the path.
   */
  async openFile(filePath: string): Promise<VmDetail> {
    const { platform } = this.opts;
    if (!isLocalAbsolutePath(filePath, platform)) {
      throw new ValidationError(`Open a VM file by its absolute path on this computer (got "${filePath}").`);
    }
    const snap = await this.load(false);
    let bytes: Uint8Array;
    try {
      ({ bytes } = await readRegularFile(filePath));
    } catch (err) {
      if (err instanceof FileReadError && err.code === 'ENOENT')
        throw new NotFoundError(`No file at ${filePath}.`);
      throw new ValidationError(`Cannot open ${err instanceof FileReadError ? err.message : filePath}.`);
    }
    let file;
    try {
      file = parseVmFile(bytes, filePath);
    } catch (err) {
      if (err instanceof VmFileError) throw new ValidationError(err.message);
      throw err;
    }
    const name = path.basename(filePath);
    const id = file.config.id.toLowerCase();
    if (!VM_UUID.test(id)) {
      throw new ValidationError(
        `Cannot use ${name}: it has no VM UUID${file.kind === 'showvminfo' ? ' (no UUID= line)' : ''}, so the VM cannot be listed.`,
      );
    }

    const listed = snap.entries.find((e) => e.summary.id.toLowerCase() === id);
    if (listed && listed.summary.source === 'vboxmanage') {
      const detail = snap.details.get(id)!;
      const note = `${name} describes this VM, which VirtualBox already lists: the values VBoxManage reports are shown, not the file's.`;
      if (detail.config)
        return {
          ...detail,
          config: { ...detail.config, issues: [...detail.config.issues, { message: note }] },
        };
      return {
        ...detail,
        summary: { ...detail.summary, error: `${detail.summary.error ?? ''} ${note}`.trim() },
      };
    }

    let entry: Entry;
    if (file.kind === 'vbox') {
      const summary = summaryFromConfig(file.config);
      if (!summary.name) summary.name = name.replace(/\.(vbox|xml)$/i, '');
      if (file.result.encrypted) {
        const error = 'The VM settings are encrypted; only VirtualBox can read them with the password.';
        entry = {
          summary: { ...summary, accessible: false, error },
          config: null,
          provenance: { vboxFile: { path: filePath, read: false, error }, discrepancies: [] },
        };
      } else {
        entry = {
          summary,
          config: file.config,
          extras: file.result.extras,
          provenance: { vboxFile: { path: filePath, read: true }, discrepancies: [] },
        };
      }
    } else {
      const e = await enrichFromCfgFile(file.config, { platform, cache: this.cache });
      const summary = summaryFromConfig(file.config);
      if (!summary.name) summary.name = name;
      entry = { summary, config: e.config, extras: e.extras, provenance: e.provenance };
    }
    this.opened.set(id, entry);
    const current = this.snapshot ?? snap;
    const next = { ...this.finalize(current.base, current.version, current.entries), runner: current.runner };
    if (this.snapshot === current) this.snapshot = next;
    return next.details.get(id)!;
  }

  /** Drops the cache (and forgets a read in progress), so the next call locates and reads again. Opened files stay. */
  invalidate(): void {
    this.generation++;
    this.snapshot = undefined;
    this.pending = undefined;
    rememberRunner(this, undefined);
  }

  private load(refresh: boolean): Promise<Snapshot> {
    if (this.pending) return this.pending;
    if (this.snapshot && !refresh) return Promise.resolve(this.snapshot);
    const gen = this.generation;
    const p = this.read().then(
      (snap) => {
        if (gen === this.generation) {
          this.snapshot = snap;
          this.pending = undefined;
          // media:info and other handlers reuse the same VBoxManage (see media.ts).
          rememberRunner(this, snap.runner);
        }
        return snap;
      },
      (err: unknown) => {
        if (gen === this.generation) this.pending = undefined;
        throw err;
      },
    );
    this.pending = p;
    return p;
  }

  /**
   * Locates VBoxManage: saved preference, then `VBOXMANAGE`, then the automatic search. A path
   * the user gave that cannot be used is explained in `problem` (see {@link userPathProblem}); the
   * `<path>/VBoxManage` candidate is left out of `tried` when the path is not a folder.
   */
  private async locate(): Promise<LocateResult & { problem?: string }> {
    const { env, platform } = this.opts;
    const userPaths = [
      { path: this.opts.store.getPrefs().vboxManagePath.trim(), what: 'The path you set' },
      { path: (env.VBOXMANAGE ?? '').trim(), what: 'The VBOXMANAGE path' },
    ].filter((u, i, all) => u.path !== '' && all.findIndex((o) => o.path === u.path) === i);
    if (userPaths.length === 0) return locateVBoxManage({ env, platform });
    const p = platform === 'win32' ? path.win32 : path.posix;
    const exe = platform === 'win32' ? 'VBoxManage.exe' : 'VBoxManage';
    const tried: string[] = [];
    const problems: string[] = [];
    let last: LocateResult = { tried: [] };
    for (const user of userPaths) {
      last = await locateVBoxManage({ userPath: user.path, env, platform });
      const kind = await pathKind(user.path);
      const inFolder = p.join(user.path, exe);
      for (const t of last.tried) {
        if (t === inFolder && kind !== 'folder') continue;
        if (!tried.includes(t)) tried.push(t);
      }
      if (last.via === 'user') break;
      problems.push(userPathProblem(user.what, user.path, kind, exe));
    }
    return problems.length > 0 ? { ...last, tried, problem: problems.join(' ') } : { ...last, tried };
  }

  private osFacts(): OsFacts {
    return this.opts.osFacts ?? hostFactsFromOs();
  }

  /**
   * Builds the finished snapshot: merges the opened files (a VM VBoxManage lists wins over an
   * opened file with its UUID; an opened file replaces a registry VM), evaluates advice for every
   * readable VM and sets the findings counts.
   */
  private finalize(base: Base, version: VersionLike | undefined, entries: Entry[]): Snapshot {
    const all = [...entries];
    const index = new Map(all.map((e, i) => [e.summary.id.toLowerCase(), i]));
    for (const [id, entry] of this.opened) {
      const i = index.get(id);
      if (i === undefined) {
        index.set(id, all.length);
        all.push(entry);
      } else if (all[i].summary.source !== 'vboxmanage') {
        all[i] = entry;
      }
    }
    const env: AdviceEnv = {
      host: base.host,
      vboxVersion: version,
      hostOs: hostOsFor(this.opts.platform),
      runningVms: runningVmsOf(all.map((e) => e.summary)),
    };
    const details = new Map<string, VmDetail>();
    const vms: VmSummary[] = [];
    for (const e of all) {
      let findings: Finding[] | undefined;
      if (e.config && e.summary.accessible) {
        try {
          findings = findingsFor(e.config, env);
        } catch (err) {
          console.warn(`[vm-companion] advice failed for ${e.summary.id}: ${(err as Error).message}`);
          findings = [];
        }
      }
      const summary: VmSummary = { ...e.summary, findings: findings?.length ?? 0 };
      vms.push(summary);
      const detail: VmDetail = { summary, config: e.config, host: base.host };
      if (findings) detail.findings = findings;
      if (e.extras) detail.extras = e.extras;
      if (e.provenance) detail.provenance = e.provenance;
      details.set(summary.id.toLowerCase(), detail);
    }
    return { base, version, entries, inventory: { ...base, vms }, details };
  }

  /**
   * No usable VBoxManage: the VMs of `VirtualBox.xml` when a registry with VMs is found, else the
   * demo VMs. `reason` (one or more sentences) becomes `vbox.error` with what is shown appended.
   */
  private async fallback(vbox: VBoxStatus, reason: string): Promise<Snapshot> {
    const host = combineHostFacts(this.osFacts());
    let disc: RegistryDiscovery | undefined;
    try {
      disc = await discoverFromRegistry({
        platform: this.opts.platform,
        env: this.opts.env,
        homedir: this.opts.homedir ?? osHomedir(),
        candidates: this.opts.registryCandidates,
      });
    } catch (err) {
      console.warn(`[vm-companion] VirtualBox.xml discovery failed: ${(err as Error).message}`);
    }
    if (disc?.registryPath && disc.machines.length > 0) {
      for (const issue of disc.issues) console.warn(`[vm-companion] ${issue.message}`);
      const entries: Entry[] = disc.machines.map((m) => {
        if (m.result && !m.result.encrypted) {
          return {
            summary: m.summary,
            config: m.result.config,
            extras: m.result.extras,
            provenance: { vboxFile: { path: m.src, read: true }, discrepancies: [] },
          };
        }
        const error = m.error ?? m.summary.error ?? 'The settings file could not be read.';
        return {
          summary: m.summary,
          config: null,
          provenance: { vboxFile: { path: m.src, read: false, error }, discrepancies: [] },
        };
      });
      const error = `${reason} ${registryNote(disc.registryPath)}`;
      return this.finalize({ vbox: { ...vbox, error }, host, demo: false }, undefined, entries);
    }
    this.demo ??= loadDemoVms(this.opts.demoDir);
    for (const issue of this.demo.issues) console.warn(`[vm-companion] ${issue.message}`);
    const demo = this.demo;
    const entries: Entry[] = demo.vms.map((summary) => ({
      summary,
      config: demo.configs.get(summary.id) ?? null,
    }));
    return this.finalize(
      { vbox: { ...vbox, error: `${reason} Demo VMs are shown meanwhile.` }, host, demo: true },
      undefined,
      entries,
    );
  }

  private async read(): Promise<Snapshot> {
    const found = await this.locate();
    if (!found.path) {
      const reason = found.problem ? `${found.problem} ${NOT_FOUND_ELSEWHERE}` : NOT_FOUND_REASON;
      return this.fallback({ found: false, tried: found.tried }, reason);
    }
    const base: Omit<VBoxStatus, 'found'> = { path: found.path, via: found.via, tried: found.tried };
    if (found.problem) base.warning = `${found.problem} ${found.path} is used instead.`;
    const standIn: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(this.opts.env)) if (k.startsWith('VBOX_STANDIN_')) standIn[k] = v;
    const runner = new VBoxRunner(found.path, {
      ...this.opts.runnerOptions,
      env: { ...standIn, ...this.opts.runnerOptions?.env },
    });

    let version: string;
    try {
      version = await getVersion(runner);
    } catch (err) {
      return this.fallback(
        { ...base, found: false },
        `VBoxManage at ${found.path} could not be used: ${(err as Error).message}.`,
      );
    }

    const hostInfo = readHostInfo(runner).catch(() => undefined);
    let inv: Awaited<ReturnType<typeof readInventory>>;
    try {
      inv = await readInventory(runner, {});
    } catch (err) {
      await hostInfo;
      return this.fallback(
        { ...base, found: true, version },
        `VBoxManage ${version} could not list the VMs: ${(err as Error).message}.`,
      );
    }
    const host = combineHostFacts(this.osFacts(), (await hostInfo) ?? undefined);
    const { platform } = this.opts;
    const entries = await mapBounded(
      inv.vms,
      this.opts.fileConcurrency ?? 4,
      async (summary): Promise<Entry> => {
        const config = inv.configs.get(summary.id);
        if (!config) return { summary, config: null };
        const e = await enrichFromCfgFile(config, { platform, cache: this.cache });
        return { summary, config: e.config, extras: e.extras, provenance: e.provenance };
      },
    );
    const vbox: VBoxStatus = { ...base, found: true, version };
    if (inv.warning) vbox.warning = vbox.warning ? `${vbox.warning} ${inv.warning}` : inv.warning;
    const listBase: Base = { vbox, host, demo: false };
    if (inv.issues.length > 0) listBase.issues = inv.issues;
    const snap = this.finalize(listBase, versionOf(version), entries);
    return { ...snap, runner };
  }
}

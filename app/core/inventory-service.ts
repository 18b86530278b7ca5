/**
 * The inventory service behind `vms:list`, `vms:get`, `vms:openFile` and `vms:compare`: reads the
 * VMs of every hypervisor it can reach, side by side and independently (one failing never hides the
 * others):
 *
 * - VirtualBox: finds VBoxManage, lists the VMs, reads each VM that is not running from its `.vbox`
 *   settings file and the others with `showvminfo` (completed from the `.vbox`), reads the host
 *   facts, and falls back — when VirtualBox's tools are absent or unusable — to the VMs registered in
 *   `VirtualBox.xml` (read from their settings files);
 * - VMware: `discoverVmware` (VMware's library lists and preferences, its default VM folders, the
 *   folders the user added, `vmrun list` for running states);
 * - KVM/libvirt: when a connection URI is set (preference `libvirtUri`, else the environment variables
 *   `VM_COMPANION_LIBVIRT_URI`, then `LIBVIRT_DEFAULT_URI`), every domain through `virsh`.
 *
 * It evaluates each hypervisor's own advice rules, caches the result, and shows the bundled demo VMs
 * only when no hypervisor has any VM. Shared by Electron and browser mode.
 */

import { createHash } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { homedir as osHomedir } from 'node:os';
import path from 'node:path';
import { severityRank, type Finding } from '../shared/advice.ts';
import type { Language } from '../shared/catalog.ts';
import type {
  Comparison,
  Inventory,
  KvmStatus,
  Provenance,
  ReadProgress,
  VmDetail,
  VmwareStatus,
} from '../shared/contract.ts';
import type {
  HostFacts,
  Hypervisor,
  ReadIssue,
  SnapshotNode,
  Sourced,
  VBoxStatus,
  VmConfig,
  VmSummary,
} from '../shared/model.ts';
import { compareVms } from './compare.ts';
import { sentence, sentences } from './sentence.ts';
import { NotFoundError, ValidationError } from './api/errors.ts';
import type { InventoryProvider } from './api/handlers.ts';
import { loadDemoVms, type DemoInventory } from './demo.ts';
import {
  ACTIVE_STATES,
  FileReadError,
  SettingsFileCache,
  VmFileError,
  enrichFromCfgFile,
  findingsFor,
  hostOsFor,
  isLocalAbsolutePath,
  parseVmFile,
  readRegularFile,
  readSettingsFileOf,
  runningVmsOf,
  sameStamp,
  versionOf,
  type AdviceEnv,
  type CfgFileRead,
} from './enrich.ts';
import type { VersionLike } from './advice/index.ts';
import { combineHostFacts, hostFactsFromOs, type OsFacts } from './host.ts';
import type { Store } from './store/index.ts';
import {
  describeFailure,
  dropWrapperWarningIssues,
  listRunningVms,
  listVms,
  readHostInfo,
  readVm,
  type VmListing,
} from './vbox/inventory.ts';
import {
  MAX_CACHED_VMS,
  emptyInventoryCache,
  exeStamp,
  fileStamp,
  hostBootTimeMs,
  loadInventoryCache,
  sameBoot,
  sameExe,
  sameOptionalStamp,
  saveInventoryCache,
  type CachedVm,
  type CachedVmRead,
  type ExeStamp,
  type InventoryCacheData,
  type Stamp,
} from './vbox/inventory-cache.ts';
import type { HostInfo } from './vbox/parse-hostinfo.ts';
import type { ListedVm } from './vbox/parse-list-vms.ts';
import type { VboxFileResult, VboxMedium } from './vbox/vbox-file.ts';
import { rememberRunner } from './media.ts';
import { locateVBoxManage, type LocateResult } from './vbox/locate.ts';
import { VBoxError, VBoxRunner, getVersion, type VBoxRunnerOptions } from './vbox/runner.ts';
import { summaryFromConfig } from './vbox/to-config.ts';
import { readSnapshotList } from './vbox/parse-snapshots.ts';
import {
  discoverFromRegistry,
  readRegistry,
  type DiscoverOptions,
  type RegistryDiscovery,
} from './vbox/vbox-registry.ts';
import {
  comparablePath,
  discoverVmware,
  evaluateVmwareAdvice,
  looksLikeVmx,
  parseVmx,
  pathHashId,
  readVmwareFile,
  readVmx,
  type DiscoverVmwareOptions,
  type VmxDuplicate,
} from './vmware/index.ts';
import { evaluateKvmAdvice } from './kvm/advice.ts';
import { readDomainXmlFile, readKvmInventory, summaryFromKvmConfig } from './kvm/inventory.ts';
import { parseVirshVersion } from './kvm/parse-virsh.ts';
import { KvmParseError } from './kvm/xml.ts';
import { VirshRunner, locateVirsh, validateConnectionUri, type VirshRunnerOptions } from './kvm/virsh.ts';

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
  /**
   * Overrides for VMware discovery (tests: a fake `run` for vmrun, `vmrunPath: null` to skip it).
   * Platform, environment, home folder, the saved folders and vmrun path come from the options above
   * and the preferences.
   */
  vmware?: Partial<Omit<DiscoverVmwareOptions, 'platform' | 'env' | 'homedir'>>;
  /** Settings of the `virsh` runner besides the URI (timeout, concurrency). */
  virsh?: Omit<VirshRunnerOptions, 'uri'>;
  /** Finds `virsh` (default `locateVirsh` over `env`: `VIRSH`, PATH, /usr/bin, …); tests inject a path or none. */
  locateVirsh?: () => Promise<{ path?: string; tried: string[] }>;
  /**
   * Persistent cache file (normally `<data folder>/inventory-cache.json`, see `INVENTORY_CACHE_FILE`):
   * VBoxManage's version and host facts, each VM's settings file path and parse, and the
   * `showvminfo` reads of VMs that were not running (see `inventory-cache.ts`). Absent = nothing is
   * kept across launches (every first read calls `--version` and `list hostinfo`).
   */
  cacheFile?: string;
  /** Version of the app; a cache file written by another version is ignored and rewritten. */
  appVersion?: string;
}

/** One VM as read, before advice. */
interface Entry {
  summary: VmSummary;
  config: VmConfig | null;
  extras?: Record<string, Sourced<string | number | boolean>>;
  provenance?: Provenance;
  /** The machine the VM runs on when it is not this one (a remote libvirt host, from `virsh nodeinfo`). */
  host?: HostFacts;
  /** Connection URI of a KVM domain read through virsh (its fix commands name it). */
  kvmUri?: string;
  /** Keys repeated in a `.vmx` (VMware refuses to start such a VM; an advice rule says so). */
  vmxDuplicates?: VmxDuplicate[];
}

/** The inventory minus its VMs: what a read found about each hypervisor and the host. */
interface Base {
  vbox: VBoxStatus;
  host: HostFacts;
  demo: boolean;
  /** Problems with the `list vms` output (see `Inventory.issues`); absent when none. */
  issues?: ReadIssue[];
  kvm?: KvmStatus;
  vmware?: VmwareStatus;
  /** True when the user cancelled the read (see `Inventory.cancelled`). */
  cancelled?: boolean;
  /** See `Inventory.cancelledBeforeListing`. */
  cancelledBeforeListing?: boolean;
}

/** What the VirtualBox part of a read found. */
interface VboxPart {
  vbox: VBoxStatus;
  /** Why VBoxManage is not used (becomes `vbox.error`, with "Demo VMs are shown meanwhile." when they are). */
  reason?: string;
  host: HostFacts;
  version?: VersionLike;
  entries: Entry[];
  issues?: ReadIssue[];
  runner?: VBoxRunner;
  /** True when the user cancelled the read before every VM was read. */
  cancelled?: boolean;
  /** True when that cancel came before `list vms` answered (no VirtualBox VM was listed). */
  cancelledBeforeListing?: boolean;
}

/** One inventory read in progress: its cancel signal, whether the user asked to refresh, its progress. */
interface ReadContext {
  signal: AbortSignal;
  /** `list(true)`: the persistent cache's `--version`, `list hostinfo` and `showvminfo` results are not used. */
  refresh: boolean;
  /** This read's progress (what `progress()` answers while it is the current read). */
  progress: ReadProgress;
}

/** Snapshot tree read lazily with `snapshot <uuid> list --machinereadable` (see {@link InventoryService.get}). */
interface SnapshotTree {
  roots: SnapshotNode[];
  issues: ReadIssue[];
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
  /** Snapshot lists read by `get()`, by lower-case VM id (shared with snapshots derived by `openFile`). */
  snapshotTrees: Map<string, Promise<SnapshotTree>>;
}

/** First sentence of {@link NOT_FOUND_MESSAGE}: why no VBoxManage is used. */
export const NOT_FOUND_REASON =
  'VBoxManage was not found. Install VirtualBox, or set the path to VBoxManage.';

/** Plain-English explanation shown when VBoxManage is not found anywhere and demo VMs are shown. */
export const NOT_FOUND_MESSAGE = `${NOT_FOUND_REASON} Demo VMs are shown meanwhile.`;

/** `error` of a VM (and of the KVM status) left unread because the user cancelled the read. */
export const NOT_READ_CANCELLED = 'Not read: you cancelled reading the VMs. Refresh to read them.';

/**
 * `key` of the `poweroff` state of a VM read from its settings file: `list runningvms` does not list
 * it, and the file has no saved state (`Machine/@stateFile`) and is not marked aborted (`Machine/@aborted`).
 */
export const FILE_POWEROFF_STATE_KEY =
  '(not in list runningvms; settings file: no Machine/@stateFile, no Machine/@aborted)';

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

/** Names of the hypervisors in messages. */
const HV_NAME: Record<Hypervisor, string> = { virtualbox: 'VirtualBox', vmware: 'VMware', kvm: 'KVM' };

/**
 * A UUID-shaped id made from `seed` (first 128 bits of SHA-256, version nibble 8, RFC 4122 variant),
 * for a KVM domain whose UUID another VM of the inventory already has. Seeds are
 * `kvm:<connection URI>:<domain UUID>` (or `kvm-file:<path>` for an opened domain XML file), so the
 * same domain always gets the same id. (VMware VMs use the reader's `pathHashId` of their `.vmx`.)
 */
export function derivedVmId(seed: string): string {
  const hex = createHash('sha256').update(seed).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** The libvirt connection URI to read, and where it came from; undefined when none is set. */
export function chooseLibvirtUri(
  prefsUri: string,
  env: NodeJS.ProcessEnv,
): { uri: string; via: NonNullable<KvmStatus['uriVia']> } | undefined {
  const saved = prefsUri.trim();
  if (saved) return { uri: saved, via: 'prefs' };
  const own = (env.VM_COMPANION_LIBVIRT_URI ?? '').trim();
  if (own) return { uri: own, via: 'VM_COMPANION_LIBVIRT_URI' };
  const std = (env.LIBVIRT_DEFAULT_URI ?? '').trim();
  if (std) return { uri: std, via: 'LIBVIRT_DEFAULT_URI' };
  return undefined;
}

/**
 * Folders of `VM_COMPANION_VMWARE_FOLDERS` (separated like `PATH`: `;` on Windows, `:` elsewhere),
 * searched for `.vmx` files besides the saved ones (for `npm run serve` demos and tests). Relative
 * entries are ignored.
 */
export function vmwareFoldersFromEnv(env: NodeJS.ProcessEnv, platform: NodeJS.Platform): string[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  return (env.VM_COMPANION_VMWARE_FOLDERS ?? '')
    .split(platform === 'win32' ? ';' : ':')
    .map((f) => f.trim())
    .filter((f) => f !== '' && p.isAbsolute(f));
}

/** True for libvirt URIs of this computer (`qemu:///…`, `test:///…`); false for `qemu+ssh://host/…`. */
export function isLocalLibvirtUri(uri: string): boolean {
  return /^[a-z]+:\/\/\//.test(uri);
}

/** How one listed VirtualBox VM was read, for the inventory and the persistent cache. */
interface VmRead {
  entry: Entry;
  /** Where its values came from: its settings file, the persistent cache, `showvminfo`, or nowhere (cancelled). */
  via: 'file' | 'cache' | 'showvminfo' | 'none';
  /** A problem of the listing this VM revealed (`showvminfo` answered for another UUID). */
  issue?: ReadIssue;
  /** The VM's settings file path, when known. */
  cfgFile?: string;
  /** Set when this `showvminfo` read may be kept for the next launch: the settings file's stamp, the listed name, the NVRAM key. */
  cacheable?: { stamp: Stamp; name: string; nvram?: CachedVmRead['nvram'] };
  /** The cached read that was reused (kept as it is). */
  reused?: CachedVmRead;
  /** True when the VM was not read because the user cancelled. */
  cancelled?: boolean;
}

/** A `list vms` row as a machines-list row before the VM is read (no state, no values yet). */
function listedSummary(row: ListedVm): VmSummary {
  return {
    id: row.uuid,
    hypervisor: 'virtualbox',
    source: 'vboxmanage',
    name: row.name,
    accessible: row.accessible,
    findings: 0,
  };
}

/** A listed VM that could not be read, with the reason. */
function failedSummary(row: ListedVm, error: string): VmSummary {
  return { ...listedSummary(row), accessible: false, error };
}

/**
 * A listed, not running VM whose values come from its settings file `cfgFile`: the parse (shared,
 * not changed) with the state completed — `saved`/`aborted` as the file says, else `poweroff`
 * (`list runningvms` did not list it; key {@link FILE_POWEROFF_STATE_KEY}). The summary keeps
 * `source: 'vboxmanage'` (VirtualBox lists the VM); `config.source` is `file`.
 */
function entryFromFile(row: ListedVm, cfgFile: string, result: VboxFileResult): Entry {
  const readAt = new Date().toISOString();
  const config: VmConfig = { ...result.config };
  if (!config.state) config.state = { value: 'poweroff', key: FILE_POWEROFF_STATE_KEY, raw: '' };
  const summary: VmSummary = { ...summaryFromConfig(config), source: 'vboxmanage', name: row.name };
  return {
    summary,
    config,
    extras: result.extras,
    provenance: { vboxFile: { path: cfgFile, read: true }, discrepancies: [], readAt },
  };
}

/**
 * True for an EFI VM when VBoxManage is 7.1 or later: its Secure Boot setting lives in the VM's NVRAM
 * file (never in the `.vbox`), and only `showvminfo` of VirtualBox ≥ 7.1 prints it (`SecureBoot`,
 * reference §2.2) — so such a VM is read with `showvminfo` even when its settings file is readable.
 */
export function needsShowVmInfoForSecureBoot(config: VmConfig, version: VersionLike | undefined): boolean {
  if (!/^efi/i.test(config.system.firmware?.value ?? '') || !version) return false;
  return version.major > 7 || (version.major === 7 && version.minor >= 1);
}

/** Where VirtualBox keeps an EFI VM's NVRAM by default: `<settings file name>.nvram` beside the settings file. */
function defaultNvramPath(cfgFile: string): string {
  return path.join(path.dirname(cfgFile), `${path.basename(cfgFile).replace(/\.(vbox|xml)$/i, '')}.nvram`);
}

/** The NVRAM file `showvminfo` printed (`NvramFile`, 7.0.16+; `BIOS NVRAM File` before), if any. */
function printedNvramPath(config: VmConfig): string | undefined {
  return config.unknownKeys.find((k) => k.key === 'NvramFile' || k.key === 'BIOS NVRAM File')?.value;
}

/** `ms` (since the Unix epoch) as an ISO 8601 UTC time; undefined when it is no valid time. */
function isoTime(ms: number): string | undefined {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** Runs at most `n` of the functions given to it at once (FIFO). */
function limiter(n: number): <T>(fn: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: (() => void)[] = [];
  const next = (): void => {
    if (active >= Math.max(1, n) || queue.length === 0) return;
    active++;
    queue.shift()!();
  };
  return <T>(fn: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      queue.push(() => {
        fn()
          .then(resolve, reject)
          .finally(() => {
            active--;
            next();
          });
      });
      next();
    });
}

/** Severity of the most serious finding, or undefined without findings. */
function worstOf(findings: readonly Finding[] | undefined): VmSummary['worstSeverity'] {
  let worst: VmSummary['worstSeverity'];
  for (const f of findings ?? [])
    if (worst === undefined || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  return worst;
}

/** Text that starts like a libvirt domain XML (root element `<domain`, not a VirtualBox settings file). */
export function looksLikeDomainXml(text: string): boolean {
  const t = text.replace(/^\uFEFF/, '').trimStart();
  return t.startsWith('<') && /<domain[\s>]/.test(t) && !/<VirtualBox[\s>]/.test(t);
}

/**
 * Reads the VM inventory on demand and caches it.
 *
 * **VirtualBox.** VBoxManage is located in this order: the path saved in preferences, then the
 * `VBOXMANAGE` environment variable (both count as `via: 'user'`; either may also name the folder
 * holding VBoxManage), then the automatic search of `locateVBoxManage` (installer variables, standard
 * folders, PATH). A path the user gave that cannot be used is explained ("The path you set (…) is
 * not an executable VBoxManage.") at the start of `vbox.error`, or in `vbox.warning` when another
 * VBoxManage was found. A VM that is not running is read from its registered `.vbox` when that file
 * is usable, every other VM with `showvminfo` completed from its settings file (see `readVbox` for
 * the exact rules; a persistent cache, `cacheFile`, lets a relaunch skip calls whose answer cannot
 * have changed). Each VM is judged by the VirtualBox advice rules against the host facts
 * (`list hostinfo` when available), the detected VirtualBox version, the host OS and the memory of
 * the VMs running now. Progress and cancel: {@link InventoryService.progress},
 * {@link InventoryService.cancel}. Without a usable VBoxManage, the VMs registered in
 * `VirtualBox.xml` (`VBOX_USER_HOME`, then the standard per-OS location) are read from their settings
 * files (`source: 'file'`, state known only when saved or aborted).
 *
 * **VMware.** `discoverVmware` with the saved `vmwareFolders` (plus those of
 * `VM_COMPANION_VMWARE_FOLDERS`, see {@link vmwareFoldersFromEnv}) and `vmrunPath` (else `VMRUN` and
 * the standard locations); VMs found are `hypervisor: 'vmware'`, `source: 'vmrun'` (VMware discovery),
 * judged by `evaluateVmwareAdvice` (never by the VirtualBox rules). Status in `inventory.vmware`.
 *
 * **KVM.** With a connection URI (see {@link chooseLibvirtUri}), `virsh` (found by `locateVirsh`)
 * lists and reads every domain (`readKvmInventory`); domains are `hypervisor: 'kvm'`,
 * `source: 'virsh'`, judged by `evaluateKvmAdvice` against their host: the libvirt node's
 * `nodeinfo` for remote URIs (`qemu+ssh://`), this computer for `qemu:///…` and `test:///…`
 * (`VmDetail.host` is that host). Status in `inventory.kvm` (a refused URI or failed connection is
 * its `error`, never an exception).
 *
 * **Ids.** VMs are looked up by id (case-insensitive). VirtualBox VMs keep their UUIDs; a VMware VM
 * whose id another VM already has is listed under `pathHashId` of its `.vmx` path, a KVM domain under
 * {@link derivedVmId}(`kvm:<uri>:<uuid>`); the VM's `config.issues` says so. All ids stay UUID-shaped
 * (`VmIdSchema`). Order: VirtualBox, VMware, KVM, then files opened this session.
 *
 * The bundled demo VMs are listed in `vms` (`demo: true`) only when no hypervisor has any VM;
 * otherwise they are in `inventory.demoVms`, and `get('demo-<uuid>')` finds them either way (tours run
 * on them). Summaries carry the number of findings and the worst severity.
 */
export class InventoryService implements InventoryProvider {
  private readonly opts: InventoryServiceOptions;
  private snapshot: Snapshot | undefined;
  private pending: Promise<Snapshot> | undefined;
  private generation = 0;
  private demo: DemoInventory | undefined;
  private readonly cache = new SettingsFileCache(MAX_CACHED_VMS);
  /** Files the user opened this session, by lower-case VM id (kept across refreshes). */
  private readonly opened = new Map<string, Entry>();
  /** Progress of the current (or last) read; see {@link progress}. */
  private current: ReadProgress = { reading: false, phase: 'idle', done: 0, total: 0 };
  /** Cancels the read in progress (see {@link cancel}). */
  private abort: AbortController | undefined;
  /** The persistent cache as loaded (once) and last written; undefined until the first read. */
  private persisted: Promise<InventoryCacheData> | undefined;

  constructor(opts: InventoryServiceOptions) {
    this.opts = opts;
  }

  /**
   * Where the inventory read stands (`vms:progress`): phase `locating` (finding VBoxManage, its
   * version) → `listing` (`list vms` running) → `reading` (`done` of `total` VirtualBox VMs read, from
   * their settings file, the persistent cache or `showvminfo`) → `done` or `cancelled`. `listed` holds
   * the VMs of `list vms` from the moment it answers (name, id, `accessible`; each row is replaced by
   * the VM's summary — state, OS, vCPUs, memory, before advice — as soon as that VM is read). Without
   * VBoxManage, the VMs of `VirtualBox.xml` once read. A copy; never throws.
   */
  progress(): ReadProgress {
    const p = this.current;
    const out: ReadProgress = { reading: p.reading, phase: p.phase, done: p.done, total: p.total };
    if (p.listed) out.listed = p.listed.map((v) => ({ ...v }));
    if (p.startedAt !== undefined) out.startedAt = p.startedAt;
    return out;
  }

  /**
   * Cancels the read in progress (`vms:cancel`): calls not started yet never start, running
   * VBoxManage (and virsh) children are stopped. The pending `list()` then resolves with
   * `cancelled: true`: the VMs read before are complete, every other listed VirtualBox VM is
   * `accessible: false` with {@link NOT_READ_CANCELLED}; nothing of the cancelled read is written
   * to the persistent cache. `list(true)` reads again.
   * @returns true when a read was running.
   */
  cancel(): boolean {
    if (!this.pending || !this.abort || this.abort.signal.aborted) return false;
    this.abort.abort();
    return true;
  }

  /**
   * The inventory: VirtualBox status, host facts, VMware and KVM status, and every VM (inaccessible
   * ones included, with their reason; files opened with {@link openFile} too), each with its findings
   * count and worst severity. Cached after the first call; `refresh` reads again. Concurrent calls
   * share one read. When VBoxManage is missing or unusable, `vbox.found`/`vbox.error` say why and the
   * registry's VMs are listed — or the demo VMs (`demo: true`) when no hypervisor has any VM. Problems
   * with the `list vms` output itself (rows that cannot be read, repeated UUIDs) are in `issues`; a
   * warning banner VBoxManage printed (Linux: kernel module not loaded) is in `vbox.warning`, once.
   * Rejects only on unexpected internal errors.
   */
  async list(refresh = false): Promise<Inventory> {
    return (await this.load(refresh)).inventory;
  }

  /**
   * One VM from the (cached) inventory with its configuration (`null` for an inaccessible VM),
   * the host facts, its advice `findings` (most serious first), the `.vbox`-only `extras` and the
   * `provenance` (settings file read or why not; where `.vbox` and `showvminfo` disagree). Ids are
   * compared case-insensitively.
   *
   * For a VirtualBox VM read through VBoxManage whose `showvminfo` printed no snapshot keys, the
   * snapshot tree is read here — once per inventory read — with `snapshot <uuid> list
   * --machinereadable` and put in `config.snapshots` (its problems in `config.issues`; a failing call
   * leaves the tree empty and says why there). The machines list never pays for it.
   * @throws NotFoundError when no VM has this id.
   */
  async get(id: string): Promise<VmDetail> {
    const snap = await this.load(false);
    const key = id.toLowerCase();
    const detail = snap.details.get(key);
    if (!detail) {
      throw new NotFoundError(`No VM with id ${id}. It may have been removed; refresh the machines list.`);
    }
    return this.withSnapshots(snap, key, detail);
  }

  /**
   * Compares two VMs of the inventory (any hypervisors), see `compareVms`; values in `lang`.
   * @throws NotFoundError when either id is unknown.
   */
  async compare(a: string, b: string, lang: Language = 'en'): Promise<Comparison> {
    const [da, db] = await Promise.all([this.get(a), this.get(b)]);
    return compareVms(da, db, lang);
  }

  /**
   * Opens a VM file the user chose, told apart by content: a libvirt domain XML (root `<domain>`,
   * read with `readDomainXmlFile`), a VirtualBox machine settings file (`.vbox`/`.xml`, other XML), a
   * VMware `.vmx` (by extension, or text that looks like one: `readVmx`) or a saved `VBoxManage
   * showvminfo <vm> --machinereadable` dump (text). The VM (`source: 'file'`) is added to this
   * session's inventory, so `list` and `get` show it afterwards (opening the same id again replaces
   * it). A dump is completed from its `CfgFile` like a live VM. When the inventory already lists the
   * same VM — VBoxManage lists that UUID, VMware discovery found that `.vmx`, virsh lists that domain
   * — the listed VM is returned instead, with a note as the last entry of `config.issues` (or
   * appended to `summary.error` when it is inaccessible). A VMware/KVM file whose id another VM
   * already has gets its own id (see the class comment). Each hypervisor's own advice rules apply.
   * Nothing in the file is executed; paths inside it are only read as settings files.
   *
   * @param filePath absolute path on this computer.
   * @throws ValidationError for a relative path, a folder, a device, a file over 16 MiB, a file
   *   that cannot be read, an empty file, a file that is no known format, or a file without a VM
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
      throw new ValidationError(
        `Cannot open ${sentence(err instanceof FileReadError ? err.message : filePath)}`,
      );
    }
    const name = path.basename(filePath);
    const head = new TextDecoder('utf-8').decode(bytes.subarray(0, 1024 * 1024));
    let entry: Entry;
    if (looksLikeDomainXml(head)) entry = await this.openDomainXml(filePath, name);
    else if (!head.trimStart().startsWith('<') && (/\.vmx$/i.test(filePath) || looksLikeVmx(head))) {
      if (head.trim() === '') throw new ValidationError(`Cannot use ${name}: the file is empty.`);
      const read = readVmx(bytes, { path: filePath, platform });
      entry = { summary: read.summary, config: read.config, vmxDuplicates: read.parsed.duplicates };
    } else {
      const listedOrEntry = await this.openVirtualBoxFile(bytes, filePath, name, snap);
      if ('detail' in listedOrEntry) return listedOrEntry.detail;
      entry = listedOrEntry.entry;
    }

    const hv = entry.summary.hypervisor;
    let id = entry.summary.id.toLowerCase();
    if (!VM_UUID.test(id))
      throw new ValidationError(`Cannot use ${name}: it has no VM UUID, so the VM cannot be listed.`);
    const listed = snap.entries.find((e) => e.summary.id.toLowerCase() === id);
    if (listed && hv !== 'virtualbox') {
      const sameVm =
        listed.summary.hypervisor === hv &&
        listed.summary.source !== 'file' &&
        (hv === 'kvm' || this.sameFile(listed.config?.general.cfgFile?.value, filePath));
      if (sameVm) {
        const by = hv === 'kvm' ? 'virsh' : 'VMware discovery';
        return this.listedWithNote(
          snap,
          id,
          `${name} describes this VM, which ${by} already lists: the values read there are shown, not the file's.`,
        );
      }
      const newId = hv === 'vmware' ? pathHashId(filePath, platform) : derivedVmId(`kvm-file:${filePath}`);
      const note = `Its id ${id} is already the id of ${listed.summary.name} (${HV_NAME[listed.summary.hypervisor]}); it is listed under ${newId}.`;
      entry = this.withId(entry, newId, note);
      id = newId;
    }
    // Another opened file of another hypervisor with this id keeps it; this one gets a derived id.
    const prior = this.opened.get(id);
    if (prior && prior.summary.hypervisor !== hv) {
      const newId = derivedVmId(`opened:${hv}:${id}`);
      entry = this.withId(
        entry,
        newId,
        `Its id ${id} is already the id of ${prior.summary.name} (${HV_NAME[prior.summary.hypervisor]}); it is listed under ${newId}.`,
      );
      id = newId;
    }
    this.opened.set(id, entry);
    const current = this.snapshot ?? snap;
    const next = {
      ...this.finalize(current.base, current.version, current.entries),
      runner: current.runner,
      snapshotTrees: current.snapshotTrees,
    };
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

  private sameFile(a: string | undefined, b: string): boolean {
    if (!a) return false;
    const { platform } = this.opts;
    return comparablePath(path.resolve(a), platform) === comparablePath(path.resolve(b), platform);
  }

  /** The listed VM's detail with `note` added (last config issue, or appended to the error). */
  private listedWithNote(snap: Snapshot, id: string, note: string): VmDetail {
    const detail = snap.details.get(id)!;
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

  /** A copy of `entry` listed under `id`, with `note` in its config issues (or its error). */
  private withId(entry: Entry, id: string, note: string): Entry {
    const summary = { ...entry.summary, id };
    if (!entry.config)
      return { ...entry, summary: { ...summary, error: `${summary.error ?? ''} ${note}`.trim() } };
    return {
      ...entry,
      summary,
      config: { ...entry.config, id, issues: [...entry.config.issues, { message: note }] },
    };
  }

  /** A domain XML file the user opened. */
  private async openDomainXml(filePath: string, name: string): Promise<Entry> {
    let config: VmConfig;
    try {
      config = await readDomainXmlFile(filePath);
    } catch (err) {
      if (err instanceof KvmParseError)
        throw new ValidationError(
          `Cannot use ${name}: it is not a libvirt domain XML file: ${sentence(err.message)}`,
        );
      throw new ValidationError(`Cannot use ${name}: ${sentence((err as Error).message)}`);
    }
    config.id = config.id.toLowerCase();
    const summary = summaryFromKvmConfig(config);
    if (!config.id) summary.id = '';
    return { summary, config };
  }

  /**
   * A `.vbox` settings file or a `showvminfo` dump the user opened: the entry, or — when VBoxManage
   * already lists that UUID — the listed VM's detail with a note.
   */
  private async openVirtualBoxFile(
    bytes: Uint8Array,
    filePath: string,
    name: string,
    snap: Snapshot,
  ): Promise<{ entry: Entry } | { detail: VmDetail }> {
    const { platform } = this.opts;
    let file;
    try {
      file = parseVmFile(bytes, filePath);
    } catch (err) {
      if (err instanceof VmFileError) throw new ValidationError(err.message);
      throw err;
    }
    const id = file.config.id.toLowerCase();
    if (!VM_UUID.test(id)) {
      throw new ValidationError(
        `Cannot use ${name}: it has no VM UUID${file.kind === 'showvminfo' ? ' (no UUID= line)' : ''}, so the VM cannot be listed.`,
      );
    }
    const listed = snap.entries.find((e) => e.summary.id.toLowerCase() === id);
    if (listed && listed.summary.source === 'vboxmanage') {
      const note =
        listed.config?.source === 'file'
          ? `${name} describes this VM, which VirtualBox already lists: the values of its registered settings file are shown, not this file's.`
          : `${name} describes this VM, which VirtualBox already lists: the values VBoxManage reports are shown, not the file's.`;
      return { detail: this.listedWithNote(snap, id, note) };
    }
    if (file.kind === 'vbox') {
      const summary = summaryFromConfig(file.config);
      if (!summary.name) summary.name = name.replace(/\.(vbox|xml)$/i, '');
      if (file.result.encrypted) {
        const error = 'The VM settings are encrypted; only VirtualBox can read them with the password.';
        return {
          entry: {
            summary: { ...summary, accessible: false, error },
            config: null,
            provenance: { vboxFile: { path: filePath, read: false, error }, discrepancies: [] },
          },
        };
      }
      return {
        entry: {
          summary,
          config: file.config,
          extras: file.result.extras,
          provenance: {
            vboxFile: { path: filePath, read: true },
            discrepancies: [],
            readAt: new Date().toISOString(),
          },
        },
      };
    }
    const e = await enrichFromCfgFile(file.config, { platform, cache: this.cache });
    const summary = summaryFromConfig(file.config);
    if (!summary.name) summary.name = name;
    const provenance: Provenance = { discrepancies: [], ...e.provenance, readAt: new Date().toISOString() };
    return { entry: { summary, config: e.config, extras: e.extras, provenance } };
  }

  /** Adds the lazily read snapshot tree to a VirtualBox VM's detail (see {@link get}). */
  private async withSnapshots(snap: Snapshot, key: string, detail: VmDetail): Promise<VmDetail> {
    const config = detail.config;
    if (
      !snap.runner ||
      !config ||
      detail.summary.hypervisor !== 'virtualbox' ||
      detail.summary.source !== 'vboxmanage' ||
      config.source !== 'vboxmanage' ||
      config.snapshots.length > 0
    )
      return detail;
    let tree = snap.snapshotTrees.get(key);
    if (!tree) {
      const runner = snap.runner;
      tree = readSnapshotList(runner, detail.summary.id).then(
        (r) => ({
          roots: r.roots,
          issues: r.issues.map((i) => ({ ...i, message: `snapshot list: ${i.message}` })),
        }),
        (err: unknown) => ({
          roots: [],
          issues: [{ message: `The snapshot list could not be read: ${(err as Error).message}` }],
        }),
      );
      snap.snapshotTrees.set(key, tree);
    }
    const { roots, issues } = await tree;
    if (roots.length === 0 && issues.length === 0) return detail;
    const merged: VmDetail = {
      ...detail,
      config: { ...config, snapshots: roots, issues: [...config.issues, ...issues] },
    };
    if (snap.details.get(key) === detail) snap.details.set(key, merged);
    return merged;
  }

  private load(refresh: boolean): Promise<Snapshot> {
    if (this.pending) return this.pending;
    if (this.snapshot && !refresh) return Promise.resolve(this.snapshot);
    const gen = this.generation;
    const controller = new AbortController();
    const progress: ReadProgress = {
      reading: true,
      phase: 'locating',
      done: 0,
      total: 0,
      startedAt: Date.now(),
    };
    this.abort = controller;
    this.current = progress;
    const ctx: ReadContext = { signal: controller.signal, refresh, progress };
    const p = this.read(ctx).then(
      (snap) => {
        progress.reading = false;
        progress.phase = snap.inventory.cancelled ? 'cancelled' : 'done';
        if (gen === this.generation) {
          this.snapshot = snap;
          this.pending = undefined;
          // media:info and other handlers reuse the same VBoxManage (see media.ts).
          rememberRunner(this, snap.runner);
        }
        return snap;
      },
      (err: unknown) => {
        progress.reading = false;
        progress.phase = 'done';
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
   * opened file with its UUID; an opened file replaces a registry VM or another file of the same
   * hypervisor; one whose id a VM of another hypervisor has since taken gets a derived id),
   * evaluates each hypervisor's advice for every readable VM and sets the findings counts.
   */
  private finalize(
    base: Base,
    version: VersionLike | undefined,
    entries: Entry[],
    demoEntries: Entry[] = [],
  ): Snapshot {
    const all = [...entries];
    const index = new Map(all.map((e, i) => [e.summary.id.toLowerCase(), i]));
    for (const [id, opened] of this.opened) {
      let entry = opened;
      let i = index.get(id);
      if (i !== undefined && all[i].summary.hypervisor !== entry.summary.hypervisor) {
        const newId = derivedVmId(`opened:${entry.summary.hypervisor}:${id}`);
        entry = this.withId(
          entry,
          newId,
          `Its id ${id} is also the id of ${all[i].summary.name}; it is listed under ${newId}.`,
        );
        i = index.get(newId);
      }
      if (i === undefined) {
        index.set(entry.summary.id.toLowerCase(), all.length);
        all.push(entry);
      } else if (all[i].summary.source !== 'vboxmanage') {
        all[i] = entry;
      }
    }
    const hostOs = hostOsFor(this.opts.platform);
    // Memory in use on this computer: VirtualBox and VMware VMs, and domains of a local QEMU connection.
    const local = all.filter(
      (e) => e.summary.hypervisor !== 'kvm' || (e.kvmUri !== undefined && e.kvmUri.startsWith('qemu:///')),
    );
    const runningVms = runningVmsOf(local.map((e) => e.summary));
    const env: AdviceEnv = { host: base.host, vboxVersion: version, hostOs, runningVms };
    const details = new Map<string, VmDetail>();
    const vms: VmSummary[] = [];
    const judge = (e: Entry): VmSummary => {
      const host = e.host ?? base.host;
      let findings: Finding[] | undefined;
      if (e.config && e.summary.accessible) {
        try {
          if (e.summary.hypervisor === 'vmware') {
            findings = evaluateVmwareAdvice(e.config, {
              host,
              hostOs,
              runningVms,
              ...(e.vmxDuplicates ? { duplicates: e.vmxDuplicates } : {}),
            });
          } else if (e.summary.hypervisor === 'kvm') {
            findings = evaluateKvmAdvice(e.config, e.kvmUri ? { host, uri: e.kvmUri } : { host });
          } else findings = findingsFor(e.config, env);
        } catch (err) {
          console.warn(`[vm-companion] advice failed for ${e.summary.id}: ${(err as Error).message}`);
          findings = [];
        }
      }
      const summary: VmSummary = { ...e.summary, findings: findings?.length ?? 0 };
      const worst = worstOf(findings);
      if (worst) summary.worstSeverity = worst;
      else delete summary.worstSeverity;
      const detail: VmDetail = { summary, config: e.config, host };
      if (findings) detail.findings = findings;
      if (e.extras) detail.extras = e.extras;
      if (e.provenance) detail.provenance = e.provenance;
      details.set(summary.id.toLowerCase(), detail);
      return summary;
    };
    for (const e of all) vms.push(judge(e));
    const inventory: Inventory = { ...base, vms };
    // Demo VMs next to real ones (tours can run on them): judged like VirtualBox VMs, never counted as running.
    if (demoEntries.length > 0) inventory.demoVms = demoEntries.map(judge);
    return { base, version, entries, inventory, details, snapshotTrees: new Map() };
  }

  /**
   * No usable VBoxManage: the VMs of `VirtualBox.xml` when a registry with VMs is found (with a note
   * in the reason), else no VirtualBox VMs (the caller shows demo VMs when no other hypervisor has any).
   */
  private async fallback(vbox: VBoxStatus, reason: string, progress?: ReadProgress): Promise<VboxPart> {
    const host = combineHostFacts(this.osFacts());
    let disc: RegistryDiscovery | undefined;
    try {
      disc = await discoverFromRegistry(this.registryOptions());
    } catch (err) {
      console.warn(`[vm-companion] VirtualBox.xml discovery failed: ${(err as Error).message}`);
    }
    if (disc?.registryPath && disc.machines.length > 0) {
      for (const issue of disc.issues) console.warn(`[vm-companion] ${issue.message}`);
      const readAt = new Date().toISOString();
      const entries: Entry[] = disc.machines.map((m) => {
        if (m.result && !m.result.encrypted) {
          return {
            summary: m.summary,
            config: m.result.config,
            extras: m.result.extras,
            provenance: { vboxFile: { path: m.src, read: true }, discrepancies: [], readAt },
          };
        }
        const error = m.error ?? m.summary.error ?? 'The settings file could not be read.';
        return {
          summary: m.summary,
          config: null,
          provenance: { vboxFile: { path: m.src, read: false, error }, discrepancies: [] },
        };
      });
      const error = `${sentence(reason)} ${registryNote(disc.registryPath)}`;
      if (progress) {
        progress.phase = 'reading';
        progress.total = progress.done = entries.length;
        progress.listed = entries.map((e) => ({ ...e.summary }));
      }
      return { vbox: { ...vbox, error }, host, entries };
    }
    if (progress) {
      progress.total = progress.done = 0;
      delete progress.listed;
    }
    return { vbox, reason, host, entries: [] };
  }

  /** Where `VirtualBox.xml` is looked for (the same rules as the fallback). */
  private registryOptions(): DiscoverOptions {
    return {
      platform: this.opts.platform,
      env: this.opts.env,
      homedir: this.opts.homedir ?? osHomedir(),
      candidates: this.opts.registryCandidates,
    };
  }

  /**
   * The persistent cache, loaded once per service (a damaged or foreign file is logged and ignored;
   * the next successful read rewrites it); undefined without `cacheFile`. Parsed settings files it
   * holds prime the in-memory {@link SettingsFileCache}.
   */
  private loadPersisted(): Promise<InventoryCacheData> | undefined {
    const file = this.opts.cacheFile;
    if (!file) return undefined;
    this.persisted ??= loadInventoryCache(file, this.opts.appVersion).then(({ data, problem }) => {
      if (problem) console.warn(`[vm-companion] inventory cache: ${problem}`);
      for (const vm of Object.values(data.vms)) {
        if (vm.file) this.cache.prime(vm.cfgFile, vm.file.stamp, vm.file.result);
      }
      return data;
    });
    return this.persisted;
  }

  /** The VirtualBox part after a cancel that came before the VMs were listed: no VMs, `cancelled`. */
  private cancelledPart(vbox: VBoxStatus, runner: VBoxRunner, version?: string): VboxPart {
    const part: VboxPart = {
      vbox,
      host: combineHostFacts(this.osFacts()),
      entries: [],
      cancelled: true,
      cancelledBeforeListing: true,
      runner,
    };
    const v = versionOf(version);
    if (v) part.version = v;
    return part;
  }

  /**
   * The VirtualBox part of a read: VBoxManage's VMs, else the registry's (see {@link fallback}).
   *
   * Calls: `--version` FIRST and alone (skipped when the persistent cache has it for this very
   * executable); when its output is not a VirtualBox version no other verb runs and the reason is
   * `<path> is not VBoxManage: \`--version\` printed "…"`. Then `list vms`, `list runningvms`,
   * `list hostinfo` (skipped when cached for this executable and this boot of the host) — started together, at most `runnerOptions.concurrency` at once — then
   * `showvminfo <uuid> --machinereadable` only for the VMs that need it:
   *
   * - a listed VM that is not running (not in `list runningvms`), whose settings file is known
   *   (`VirtualBox.xml`'s machine registry, else the path learnt from an earlier `showvminfo`), is a
   *   readable local `.vbox`/`.xml` that parses, is not encrypted, has the VM's UUID and the name
   *   `list vms` printed, is read from that file (`config.source: 'file'`, values keyed by their XML
   *   path; state `saved`/`aborted` from the file, else `poweroff`);
   * - a VM read with `showvminfo` at an earlier launch while not running is taken from the
   *   persistent cache when its settings file has the same mtime and size, it is still not running
   *   and has the same name (not on `refresh`);
   * - every other VM — running or paused, `<inaccessible>`, settings file unknown, unreadable,
   *   damaged, encrypted or of another VM — is read with `showvminfo` and completed from its
   *   settings file when readable, as before.
   *
   * The summary's `source` stays `vboxmanage` for every VM VBoxManage lists (VirtualBox knows it and
   * gave its state); `config.source` and each value's `key` say where the values came from. Cancel:
   * see {@link cancel}.
   */
  private async readVbox(ctx: ReadContext): Promise<VboxPart> {
    const { signal, progress } = ctx;
    const found = await this.locate();
    if (!found.path) {
      const reason = found.problem ? `${found.problem} ${NOT_FOUND_ELSEWHERE}` : NOT_FOUND_REASON;
      return this.fallback({ found: false, tried: found.tried }, reason, progress);
    }
    const base: Omit<VBoxStatus, 'found'> = { path: found.path, via: found.via, tried: found.tried };
    if (found.problem) base.warning = `${found.problem} ${found.path} is used instead.`;
    const standIn: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(this.opts.env)) if (k.startsWith('VBOX_STANDIN_')) standIn[k] = v;
    const runner = new VBoxRunner(found.path, {
      ...this.opts.runnerOptions,
      env: { ...standIn, ...this.opts.runnerOptions?.env },
    });
    if (signal.aborted) return this.cancelledPart({ ...base, found: true }, runner);

    const persistedP = this.loadPersisted();
    const persisted = persistedP ? await persistedP : undefined;
    const exe = persisted ? await exeStamp(found.path) : undefined;
    const bootTimeMs = hostBootTimeMs();
    const reuse = persisted !== undefined && exe !== undefined && !ctx.refresh;
    const cachedVersion =
      reuse && persisted.vboxManage && sameExe(persisted.vboxManage.exe, exe)
        ? persisted.vboxManage.version
        : undefined;
    const cachedHost =
      reuse &&
      persisted.hostInfo &&
      sameExe(persisted.hostInfo.exe, exe) &&
      sameBoot(persisted.hostInfo.bootTimeMs, bootTimeMs)
        ? persisted.hostInfo.info
        : undefined;

    // Every call of this read stops on the user's cancel, and when VBoxManage turns out unusable.
    const calls = new AbortController();
    const stopCalls = (): void => calls.abort();
    signal.addEventListener('abort', stopCalls, { once: true });
    try {
      // Files first (no VBoxManage needed): where each VM's settings file is, and its parse.
      const registryP = readRegistry(this.registryOptions()).catch((err: unknown) => {
        console.warn(`[vm-companion] VirtualBox.xml could not be read: ${(err as Error).message}`);
        return undefined;
      });
      const fileReads = new Map<string, Promise<CfgFileRead>>();
      const limit = limiter(this.opts.fileConcurrency ?? 4);
      const { platform } = this.opts;
      let globalMedia: VboxMedium[] | undefined;
      const readFileOf = (id: string, cfg: string): Promise<CfgFileRead> => {
        let p = fileReads.get(cfg);
        if (!p) {
          p = limit(() => readSettingsFileOf(id, cfg, { platform, cache: this.cache, globalMedia }));
          fileReads.set(cfg, p);
        }
        return p;
      };
      const cfgOf = new Map<string, string>();
      for (const [id, vm] of Object.entries(persisted?.vms ?? {})) cfgOf.set(id, vm.cfgFile);
      const located = registryP.then((reg) => {
        const machines = reg?.registry?.machines ?? [];
        if (reg?.registry?.media.length) globalMedia = reg.registry.media;
        for (const m of machines) cfgOf.set(m.uuid, m.src);
        // Parse the registered files while VBoxManage answers (parses are cached by mtime and size).
        for (const m of machines) void readFileOf(m.uuid, m.src);
        return reg;
      });

      progress.phase = 'listing';
      // `--version` runs FIRST and alone: its output must be a VirtualBox version before any other verb
      // runs (a wrong program set as the path must never get `list …` arguments). A version from the
      // persistent cache (same path, size and mtime of the executable) was checked when it was saved.
      let version: string;
      if (cachedVersion !== undefined) version = cachedVersion;
      else {
        try {
          version = await getVersion(runner, { signal: calls.signal });
        } catch (err) {
          calls.abort();
          await located.catch(() => undefined);
          if (signal.aborted) return this.cancelledPart({ ...base, found: true }, runner);
          const msg = (err as Error).message;
          return this.fallback(
            { ...base, found: false },
            msg.startsWith(`${found.path} is not VBoxManage`)
              ? sentences(msg)
              : `VBoxManage at ${found.path} could not be used: ${sentences(msg)}`,
            progress,
          );
        }
      }
      const listingP = listVms(runner, { signal: calls.signal });
      const runningP = listRunningVms(runner, { signal: calls.signal });
      const hostP: Promise<HostInfo | undefined> = cachedHost
        ? Promise.resolve(cachedHost)
        : readHostInfo(runner, { signal: calls.signal }).catch(() => undefined);
      for (const p of [listingP, runningP]) p.catch(() => undefined);
      const settle = async (): Promise<void> => {
        calls.abort();
        await Promise.allSettled([listingP, runningP, hostP, located]);
      };
      listingP.then(
        (l) => {
          if (signal.aborted) return;
          progress.phase = 'reading';
          progress.total = l.rows.length;
          progress.listed = l.rows.map(listedSummary);
        },
        () => undefined,
      );

      let listing: VmListing;
      try {
        listing = await listingP;
      } catch (err) {
        await settle();
        if (signal.aborted) return this.cancelledPart({ ...base, found: true, version }, runner, version);
        return this.fallback(
          { ...base, found: true, version },
          `VBoxManage ${version} could not list the VMs: ${sentences((err as Error).message)}`,
          progress,
        );
      }
      const running = await runningP.catch(() => undefined);
      await located;

      const reads = await this.readListedVms(listing, running, {
        ctx,
        runner,
        calls: calls.signal,
        reuse: reuse ? persisted : undefined,
        cfgOf,
        readFileOf,
        globalMedia: () => globalMedia,
        version: versionOf(version),
      });
      const hostInfo = await hostP;
      const host = combineHostFacts(this.osFacts(), hostInfo ?? undefined);
      // A cancel that came after the last VM still cut `list hostinfo` short: the read counts as cancelled.
      const cancelled = signal.aborted;
      const vbox: VBoxStatus = { ...base, found: true, version };
      if (listing.warning)
        vbox.warning = vbox.warning ? `${vbox.warning} ${listing.warning}` : listing.warning;
      const part: VboxPart = {
        vbox,
        host,
        version: versionOf(version),
        entries: reads.map((r) => r.entry),
        runner,
      };
      const issues = [...listing.issues, ...reads.flatMap((r) => (r.issue ? [r.issue] : []))];
      if (issues.length > 0) part.issues = issues;
      if (cancelled) part.cancelled = true;
      else if (persisted && this.opts.cacheFile) {
        await this.savePersisted(this.opts.cacheFile, persisted, {
          exe,
          version,
          hostInfo: hostInfo ?? undefined,
          bootTimeMs,
          listing,
          reads,
          cfgOf,
        });
      }
      return part;
    } finally {
      signal.removeEventListener('abort', stopCalls);
    }
  }

  /**
   * Reads every VM of `listing` (see {@link readVbox} for which source each VM's values come from),
   * keeping `list vms` order; updates the read's progress as each VM is done. Never rejects: a VM
   * not read because of a cancel is an inaccessible entry with {@link NOT_READ_CANCELLED}.
   */
  private async readListedVms(
    listing: VmListing,
    running: Set<string> | undefined,
    how: {
      ctx: ReadContext;
      runner: VBoxRunner;
      calls: AbortSignal;
      reuse: InventoryCacheData | undefined;
      cfgOf: Map<string, string>;
      readFileOf: (id: string, cfg: string) => Promise<CfgFileRead>;
      globalMedia: () => VboxMedium[] | undefined;
      /** VBoxManage's version (decides whether EFI VMs need `showvminfo` for Secure Boot). */
      version: VersionLike | undefined;
    },
  ): Promise<VmRead[]> {
    const { ctx, runner, calls, reuse, cfgOf, readFileOf } = how;
    const { progress, signal } = ctx;
    const { platform } = this.opts;

    const fromShowVmInfo = async (row: ListedVm, cfg: string | undefined): Promise<VmRead> => {
      const notRunning = running !== undefined && !running.has(row.uuid);
      const before = notRunning && cfg ? await fileStamp(cfg) : undefined;
      const nvramGuess = before && cfg ? defaultNvramPath(cfg) : undefined;
      const nvramBefore = nvramGuess ? ((await fileStamp(nvramGuess)) ?? null) : null;
      const r = await readVm(runner, row, { signal: calls });
      const readAt = new Date().toISOString();
      if (!r.config)
        return { entry: { summary: r.summary, config: null }, issue: r.issue, via: 'showvminfo' };
      if (listing.warning) dropWrapperWarningIssues(r.config);
      const e = await enrichFromCfgFile(r.config, {
        platform,
        cache: this.cache,
        globalMedia: how.globalMedia(),
      });
      const entry: Entry = {
        summary: r.summary,
        config: e.config,
        extras: e.extras,
        provenance: { discrepancies: [], ...e.provenance, readAt },
      };
      const out: VmRead = { entry, via: 'showvminfo' };
      if (r.issue) out.issue = r.issue;
      const learnt = r.config.general.cfgFile?.value.trim();
      if (learnt && isLocalAbsolutePath(learnt, platform)) {
        out.cfgFile = learnt;
        // Kept for the next launch only when nothing can have changed during the read.
        const state = r.summary.state ?? '';
        if (before && learnt === cfg && r.summary.accessible && !ACTIVE_STATES.has(state)) {
          const after = await fileStamp(learnt);
          let nvram: CachedVmRead['nvram'];
          let unchanged = after !== undefined && sameStamp(before, after);
          if (unchanged && nvramGuess && /^efi/i.test(r.config.system.firmware?.value ?? '')) {
            // Secure Boot lives in the NVRAM file: it is part of the key (when it is where it is expected).
            const printed = printedNvramPath(r.config);
            const nvramAfter = (await fileStamp(nvramGuess)) ?? null;
            unchanged =
              (printed === undefined || printed === nvramGuess) && sameOptionalStamp(nvramBefore, nvramAfter);
            nvram = { path: nvramGuess, stamp: nvramAfter };
          }
          if (unchanged && after)
            out.cacheable = { stamp: after, name: row.name, ...(nvram ? { nvram } : {}) };
        }
      }
      return out;
    };

    const readOne = async (row: ListedVm): Promise<VmRead> => {
      if (signal.aborted) throw new VBoxError('aborted', 'cancelled');
      const cfg = cfgOf.get(row.uuid);
      const notRunning = running !== undefined && !running.has(row.uuid);
      if (!row.accessible || !notRunning || !cfg) return fromShowVmInfo(row, cfg);
      const earlier = reuse?.vms[row.uuid]?.showvminfo;
      if (earlier && earlier.name === row.name && reuse?.vms[row.uuid]?.cfgFile === cfg) {
        const now = await fileStamp(cfg);
        const nvramNow = earlier.nvram ? ((await fileStamp(earlier.nvram.path)) ?? null) : null;
        if (
          now &&
          sameStamp(now, earlier.stamp) &&
          (!earlier.nvram || sameOptionalStamp(earlier.nvram.stamp, nvramNow))
        ) {
          const entry: Entry = {
            summary: { ...earlier.summary, findings: 0 },
            config: earlier.config,
          };
          if (earlier.extras) entry.extras = earlier.extras;
          // Values of an earlier launch's call: its time, and that they were kept (cache files written
          // before `readAt` was kept in the provenance have it in the entry).
          const readAt = isoTime(earlier.readAt);
          entry.provenance = {
            discrepancies: [],
            ...earlier.provenance,
            ...(readAt ? { readAt } : {}),
            cached: true,
          };
          return {
            entry,
            via: 'cache',
            cfgFile: cfg,
            cacheable: { stamp: now, name: row.name },
            reused: earlier,
          };
        }
      }
      const file = await readFileOf(row.uuid, cfg);
      if (signal.aborted) throw new VBoxError('aborted', 'cancelled');
      const result = file.result;
      if (
        result &&
        result.config.id === row.uuid &&
        result.config.general.name?.value === row.name &&
        !needsShowVmInfoForSecureBoot(result.config, how.version)
      ) {
        return { entry: entryFromFile(row, cfg, result), via: 'file', cfgFile: cfg };
      }
      return fromShowVmInfo(row, cfg);
    };

    const rows = listing.rows;
    return Promise.all(
      rows.map(async (row, i): Promise<VmRead> => {
        let read: VmRead;
        try {
          read = await readOne(row);
        } catch (err) {
          if (!(err instanceof VBoxError && err.kind === 'aborted') && !signal.aborted) {
            read = {
              entry: { summary: failedSummary(row, describeFailure(err, runner.timeoutMs)), config: null },
              via: 'showvminfo',
            };
          } else {
            return {
              entry: { summary: failedSummary(row, NOT_READ_CANCELLED), config: null },
              via: 'none',
              cancelled: true,
            };
          }
        }
        progress.done++;
        if (progress.listed && progress.listed[i]?.id === row.uuid)
          progress.listed[i] = { ...read.entry.summary };
        return read;
      }),
    );
  }

  /**
   * Writes the persistent cache after a complete read: VBoxManage's version and host facts, and for
   * every listed VM its settings file path, its parse (when held), and its reusable `showvminfo`
   * read. A failure to write is logged, never fatal.
   */
  private async savePersisted(
    file: string,
    previous: InventoryCacheData,
    read: {
      exe: ExeStamp | undefined;
      version: string;
      hostInfo: HostInfo | undefined;
      bootTimeMs: number;
      listing: VmListing;
      reads: VmRead[];
      cfgOf: Map<string, string>;
    },
  ): Promise<void> {
    const next = emptyInventoryCache(this.opts.appVersion);
    if (read.exe) {
      next.vboxManage = { exe: read.exe, version: read.version };
      if (read.hostInfo) {
        const info: HostInfo = { ...read.hostInfo, issues: [] };
        delete info.memoryAvailableMB; // changes all the time; not used from the cache
        next.hostInfo = { exe: read.exe, bootTimeMs: read.bootTimeMs, info };
      } else if (previous.hostInfo && sameExe(previous.hostInfo.exe, read.exe)) {
        next.hostInfo = previous.hostInfo;
      }
    }
    read.listing.rows.forEach((row, i) => {
      const r = read.reads[i];
      const cfgFile = r.cfgFile ?? read.cfgOf.get(row.uuid);
      if (!cfgFile) return;
      const vm: CachedVm = { cfgFile };
      const parsed = this.cache.peek(cfgFile);
      if (parsed && parsed.result.config.id === row.uuid && !parsed.result.encrypted)
        vm.file = { stamp: parsed.stamp, result: parsed.result };
      if (r.cacheable && r.entry.config) {
        vm.showvminfo = r.reused ?? {
          stamp: r.cacheable.stamp,
          name: r.cacheable.name,
          readAt: Date.parse(r.entry.provenance?.readAt ?? '') || Date.now(),
          ...(r.cacheable.nvram ? { nvram: r.cacheable.nvram } : {}),
          summary: r.entry.summary,
          config: r.entry.config,
          ...(r.entry.extras ? { extras: r.entry.extras } : {}),
          ...(r.entry.provenance ? { provenance: r.entry.provenance } : {}),
        };
      }
      next.vms[row.uuid] = vm;
    });
    try {
      await saveInventoryCache(file, next);
      this.persisted = Promise.resolve(next);
    } catch (err) {
      console.warn(`[vm-companion] the inventory cache could not be written: ${(err as Error).message}`);
    }
  }

  /**
   * The VMware part of a read: `discoverVmware` with the saved folders and vmrun path. Every `.vmx`
   * read is kept in memory during discovery so that its repeated keys can be handed to the advice.
   * Never rejects (a failure is the status's `error`).
   */
  private async readVmware(): Promise<{ status: VmwareStatus; entries: Entry[] }> {
    const prefs = this.opts.store.getPrefs();
    const { platform, env } = this.opts;
    const files = new Map<string, Uint8Array>();
    const readFile = this.opts.vmware?.readFile ?? readVmwareFile;
    try {
      const disc = await discoverVmware({
        platform,
        env,
        homedir: this.opts.homedir ?? osHomedir(),
        ...(prefs.vmrunPath.trim() ? { vmrunPath: prefs.vmrunPath.trim() } : {}),
        ...this.opts.vmware,
        extraFolders: [
          ...(this.opts.vmware?.extraFolders ?? []),
          ...prefs.vmwareFolders,
          ...vmwareFoldersFromEnv(env, platform),
        ],
        readFile: async (p) => {
          const bytes = await readFile(p);
          if (/\.vmx$/i.test(p)) files.set(p, bytes);
          return bytes;
        },
      });
      const entries: Entry[] = disc.vms.map((vm) => {
        if (!vm.config) return { summary: vm.summary, config: null };
        const config: VmConfig = { ...vm.config, source: 'vmrun' };
        const summary: VmSummary = { ...vm.summary, source: 'vmrun' };
        const bytes = files.get(vm.path);
        const duplicates = bytes ? parseVmx(bytes, { path: vm.path }).duplicates : [];
        return duplicates.length > 0 ? { summary, config, vmxDuplicates: duplicates } : { summary, config };
      });
      const status: VmwareStatus = {
        found: disc.vms.length > 0 || disc.vmrun.path !== undefined,
        vmrun: {
          tried: disc.vmrun.tried,
          ...(disc.vmrun.path ? { path: disc.vmrun.path } : {}),
          ...(disc.vmrun.running ? { running: disc.vmrun.running.length } : {}),
          ...(disc.vmrun.error ? { error: disc.vmrun.error } : {}),
        },
        tried: disc.tried,
      };
      if (disc.issues.length > 0)
        status.issues = disc.issues.map(({ line, message }) =>
          line === undefined ? { message } : { line, message },
        );
      return { status, entries };
    } catch (err) {
      return {
        status: { found: false, tried: [], error: `VMware discovery failed: ${(err as Error).message}` },
        entries: [],
      };
    }
  }

  /**
   * The KVM part of a read: with a connection URI, every domain through virsh. Never rejects: no URI
   * (KVM not read), a refused URI, a missing virsh or a failed connection end up in the status.
   */
  private async readKvm(signal?: AbortSignal): Promise<{ status: KvmStatus; entries: Entry[] }> {
    const chosen = chooseLibvirtUri(this.opts.store.getPrefs().libvirtUri, this.opts.env);
    const located = await (
      this.opts.locateVirsh
        ? this.opts.locateVirsh()
        : locateVirsh({ env: this.opts.env, platform: this.opts.platform })
    ).catch((): { path?: string; tried: string[] } => ({ tried: [] }));
    const status: KvmStatus = { found: located.path !== undefined, tried: located.tried };
    if (located.path) status.path = located.path;
    if (!chosen) return { status, entries: [] };
    status.uri = chosen.uri;
    status.uriVia = chosen.via;
    let uri: string;
    try {
      uri = validateConnectionUri(chosen.uri);
    } catch (err) {
      status.error = (err as Error).message;
      return { status, entries: [] };
    }
    if (!located.path) {
      status.error = `virsh was not found, so the KVM domains of ${uri} cannot be read. Install libvirt's client tools (Debian/Ubuntu: libvirt-clients; Fedora: libvirt-client).`;
      return { status, entries: [] };
    }
    const runner = new VirshRunner(located.path, { ...this.opts.virsh, uri });
    const versionP = runner.run(['version']).then(
      (r) => parseVirshVersion(r.stdout).library,
      () => undefined,
    );
    let inv: Awaited<ReturnType<typeof readKvmInventory>>;
    try {
      inv = await readKvmInventory(runner, signal ? { signal } : {});
    } catch (err) {
      await versionP;
      status.error = signal?.aborted
        ? NOT_READ_CANCELLED
        : `virsh could not read the domains of ${uri}: ${(err as Error).message}`;
      return { status, entries: [] };
    }
    const version = await versionP;
    if (version) status.version = version;
    if (inv.issues.length > 0) status.issues = inv.issues;
    const remoteHost = isLocalLibvirtUri(uri) ? undefined : inv.host;
    const entries: Entry[] = inv.vms.map((s) => {
      const config = inv.configs.get(s.id);
      const entry: Entry = {
        summary: { ...s, source: 'virsh' },
        config: config ? { ...config, source: 'virsh' } : null,
        kvmUri: uri,
      };
      if (remoteHost) entry.host = remoteHost;
      return entry;
    });
    return { status, entries };
  }

  /** The bundled demo VMs as entries (read once, on first use; their file problems are logged then). */
  private demoEntries(): Entry[] {
    if (!this.demo) {
      this.demo = loadDemoVms(this.opts.demoDir);
      for (const issue of this.demo.issues) console.warn(`[vm-companion] ${issue.message}`);
    }
    const d = this.demo;
    return d.vms.map((summary) => ({ summary, config: d.configs.get(summary.id) ?? null }));
  }

  private async read(ctx: ReadContext): Promise<Snapshot> {
    const [vb, vmware, kvm] = await Promise.all([
      this.readVbox(ctx),
      this.readVmware(),
      this.readKvm(ctx.signal),
    ]);
    const { platform } = this.opts;
    const taken = new Map<string, Entry>(vb.entries.map((e) => [e.summary.id.toLowerCase(), e]));
    const unique = (e: Entry, newId: () => string): Entry => {
      const id = e.summary.id.toLowerCase();
      const other = taken.get(id);
      let out = e;
      if (other && id !== '') {
        const fresh = newId();
        out = this.withId(
          e,
          fresh,
          `Its id ${id} is already the id of ${other.summary.name} (${HV_NAME[other.summary.hypervisor]}); it is listed under ${fresh}.`,
        );
      }
      taken.set(out.summary.id.toLowerCase(), out);
      return out;
    };
    const vmwareEntries = vmware.entries.map((e) =>
      unique(e, () => pathHashId(e.config?.general.cfgFile?.value ?? e.summary.id, platform)),
    );
    const kvmEntries = kvm.entries.map((e) =>
      unique(e, () => derivedVmId(`kvm:${e.kvmUri ?? ''}:${e.summary.id.toLowerCase()}`)),
    );
    let entries = [...vb.entries, ...vmwareEntries, ...kvmEntries];
    let demo = false;
    const vbox = { ...vb.vbox };
    if (vb.reason !== undefined) {
      if (entries.length === 0) {
        entries = this.demoEntries();
        demo = true;
        vbox.error = `${sentence(vb.reason)} Demo VMs are shown meanwhile.`;
      } else vbox.error = vb.reason;
    }
    const base: Base = { vbox, host: vb.host, demo, kvm: kvm.status, vmware: vmware.status };
    if (vb.issues) base.issues = vb.issues;
    if (vb.cancelled || ctx.signal.aborted) base.cancelled = true;
    if (vb.cancelledBeforeListing) base.cancelledBeforeListing = true;
    const snap = this.finalize(base, vb.version, entries, demo ? [] : this.demoEntries());
    return vb.runner ? { ...snap, runner: vb.runner } : snap;
  }
}

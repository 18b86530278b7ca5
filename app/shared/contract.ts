import { z } from 'zod';
import type { HostFacts, ReadIssue, Sourced, VBoxStatus, VmConfig, VmSummary } from './model.ts';
import type { Finding } from './advice.ts';
import { LANGUAGES, type Localized } from './catalog.ts';
import { CardIdSchema, ContentIdSchema } from './study.ts';
import type {
  ExportFile,
  LessonPayload,
  QuizSchedule,
  SearchResult,
  StudyContentSummary,
  StudyProgress,
  TourProgress,
} from './study.ts';

/**
 * The API between renderer and core, declared once. Electron wires each channel to
 * `ipcMain.handle` (sender checked, input parsed with `input`); browser mode serves the same
 * handlers as `POST /api/<channel>` on 127.0.0.1 with a per-launch token. Inputs are validated
 * with the zod schemas below; outputs are typed (`z.custom`) and produced by our own core.
 */

const uuid = z
  .string()
  .regex(
    /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/,
    'must be a VM UUID',
  );
/**
 * VM ids: UUIDs — VirtualBox machine UUIDs, VMware `uuid.bios` (or the UUID-shaped path hash the
 * VMware reader uses without one), libvirt domain UUIDs, and the UUID-shaped ids the inventory gives
 * a VMware/KVM VM whose UUID another VM already has — or `demo-<uuid>` for demo VMs.
 */
export const VmIdSchema = z.union([uuid, z.string().regex(/^demo-[0-9a-f-]{36}$/)]);
/** Catalog / setting ids like `system.processor.cpus`, optionally with an instance suffix (`network.adapter.mac#2`). */
export const SettingIdSchema = z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z0-9]+){2}(#[A-Za-z0-9 _.:-]{1,80})?$/);
export const LanguageSchema = z.enum(LANGUAGES);
/** Formats of the export channels. */
export const ExportFormatSchema = z.enum(['markdown', 'html']);

/** Longest note body `notes:save` accepts, in UTF-16 code units (JavaScript string length). */
export const NOTE_MAX_CHARS = 100_000;

/** A user's note; `settingId` is `''` for the VM-wide note. `updatedAt` is an ISO 8601 UTC time. */
export interface Note {
  vmId: string;
  settingId: string;
  body: string;
  updatedAt: string;
}

/** Preferences saved in the store. `vboxManagePath` is `''` when the app should search for it. */
export interface Preferences {
  language: (typeof LANGUAGES)[number] | null;
  vboxManagePath: string;
  /**
   * libvirt connection URI for KVM domains (`qemu:///system`, `qemu:///session`,
   * `qemu+ssh://[user@]host/system`, `test:///default`, `test:///<absolute node XML>`); `''` = none set
   * (then `VM_COMPANION_LIBVIRT_URI`, then `LIBVIRT_DEFAULT_URI` from the environment, else KVM is not read).
   */
  libvirtUri: string;
  /** Folders (absolute paths) searched for VMware `.vmx` files besides VMware's own lists and default folders. */
  vmwareFolders: string[];
  /** Path of VMware's `vmrun` (for the running state); `''` = search for it. */
  vmrunPath: string;
}

/** What the app found of libvirt/KVM (`Inventory.kvm`). */
export interface KvmStatus {
  /** True when a `virsh` executable was found. */
  found: boolean;
  /** The `virsh` used. */
  path?: string;
  /** The connection URI read (absent when none is set: KVM is then not read). */
  uri?: string;
  /** Where the URI came from: the saved preference or an environment variable. */
  uriVia?: 'prefs' | 'VM_COMPANION_LIBVIRT_URI' | 'LIBVIRT_DEFAULT_URI';
  /** libvirt library version of `virsh version` (e.g. `9.0.0`). */
  version?: string;
  /** Why KVM domains could not be read (no virsh, refused URI, failed connection), in English. */
  error?: string;
  /** Problems that did not stop the read (`virsh list` rows, `nodeinfo`); absent when none. */
  issues?: ReadIssue[];
  /** Candidate `virsh` paths checked, in order. */
  tried: string[];
}

/** What the app found of VMware (`Inventory.vmware`). */
export interface VmwareStatus {
  /** True when VMware left traces: a `.vmx` was found or `vmrun` exists. */
  found: boolean;
  /** `vmrun` (for running states): its path, how many VMs it listed as running, or why it failed. */
  vmrun?: { path?: string; running?: number; error?: string; tried: string[] };
  /** Files and folders looked at (library lists, preferences, VM folders, `.vmx` files), in order. */
  tried: string[];
  /** Why VMware discovery failed as a whole (never for single unreadable files), in English. */
  error?: string;
  /** Files or folders that could not be read; absent when none. */
  issues?: ReadIssue[];
}

/** What `vms:list` returns: VirtualBox status, host facts and every VM (inaccessible ones included). */
export interface Inventory {
  vbox: VBoxStatus;
  host: HostFacts;
  vms: VmSummary[];
  /** True when `vms` are the bundled demo VMs (no VBoxManage found and no VMware or KVM VM either). */
  demo: boolean;
  /** libvirt/KVM status (always set; `uri` absent when no connection URI is configured). */
  kvm?: KvmStatus;
  /** VMware status (always set). */
  vmware?: VmwareStatus;
  /**
   * The bundled demo VMs (`source: 'demo'`, ids `demo-<uuid>`) when `vms` are real ones (`demo: false`),
   * so that tours can also run on a demo VM; `vms:get` finds them. Absent when `demo` is true.
   */
  demoVms?: VmSummary[];
  /**
   * Problems with the VM listing itself (`VBoxManage list vms` lines that are not rows, repeated
   * UUIDs), each with its line in that output when it concerns one line (the message does not
   * repeat it). Absent when there were none. Problems of one VM are in its `config.issues`.
   */
  issues?: ReadIssue[];
  /**
   * True when the user cancelled the read (`vms:cancel`): the VMs read before that are complete, the
   * others are listed with `accessible: false` and an `error` saying they were not read. Absent otherwise.
   */
  cancelled?: boolean;
  /**
   * True (with `cancelled`) when the cancel came before VirtualBox listed its VMs (`--version` or
   * `list vms` still running): no VirtualBox VM was listed, so an empty list does not mean there are
   * none. Absent otherwise.
   */
  cancelledBeforeListing?: boolean;
}

/**
 * Where an inventory read stands (`vms:progress`), polled by the machines list while `vms:list` is
 * pending. Counts are VirtualBox VMs (the ones read one by one); VMware and KVM are read alongside.
 */
export interface ReadProgress {
  /** True while a read is under way (`vms:list` has not resolved yet). */
  reading: boolean;
  /**
   * `idle`: no read yet; `locating`: finding VBoxManage and its version; `listing`: `list vms` is
   * running; `reading`: VMs are being read (`done` of `total`); `done`: the last read finished;
   * `cancelled`: the last read was cancelled.
   */
  phase: 'idle' | 'locating' | 'listing' | 'reading' | 'done' | 'cancelled';
  /** VirtualBox VMs read so far (from their settings file, a cache or `showvminfo`). */
  done: number;
  /** VirtualBox VMs listed by `list vms` (0 until the listing is known). */
  total: number;
  /**
   * The VMs as `list vms` listed them, once known, before they are read: name, id and `accessible`
   * from the listing, `state` only when already known; the machines list shows them at once.
   */
  listed?: VmSummary[];
  /** When the read started, ms since the Unix epoch. */
  startedAt?: number;
}

/**
 * A value that the settings file (`.vbox`) and `showvminfo` report differently. The mirror shows the
 * running truth (`showvminfo`) and says where each value came from.
 */
export interface Discrepancy {
  /** Catalog id (with instance suffix where needed) of the setting concerned. */
  settingId: string;
  showvminfo: { key: string; raw: string };
  vboxFile: { key: string; raw: string };
}

/** Where a VM's values came from. */
export interface Provenance {
  /** The `.vbox` settings file (`CfgFile`), when the app tried to read it. */
  vboxFile?: { path: string; read: boolean; error?: string };
  discrepancies: Discrepancy[];
  /**
   * ISO 8601 UTC time at which the values were read: the `showvminfo` call (`config.source:
   * 'vboxmanage'`) or the read of the settings file or opened file (`'file'`). Absent for demo VMs and
   * VMs without values.
   */
  readAt?: string;
  /**
   * True when the values are a `showvminfo` read kept from an earlier launch (the persistent
   * inventory cache) and reused because the VM's settings file (and NVRAM file) has not changed
   * since `readAt`; absent for a fresh read.
   */
  cached?: boolean;
}

/** What `vms:get` returns. */
export interface VmDetail {
  summary: VmSummary;
  config: VmConfig | null;
  host: HostFacts;
  /** Advice findings for this VM on this host, most serious first. */
  findings?: Finding[];
  /**
   * Values `showvminfo` never prints, read from the `.vbox` file, keyed by catalog id with an
   * optional `@instance` (e.g. `system.motherboard.tpm`, `network.adapter.promiscuous@1`).
   */
  extras?: Record<string, Sourced<string | number | boolean>>;
  provenance?: Provenance;
}

/** One stored change of a VM's normalized configuration ("what changed since last look"). */
export interface HistoryEntry {
  /** ISO 8601 UTC time of the read that saw the change. */
  at: string;
  /** Changed values by path in the normalized configuration (e.g. `system.memoryMB`); `null` = absent. */
  changes: { path: string; before: string | null; after: string | null }[];
  /** True for the first stored configuration (no `before`). */
  first: boolean;
}

/** `VBoxManage showmediuminfo` of one medium, with its differencing chain (base first). */
export interface MediumInfo {
  uuid: string;
  location: string;
  /** `VDI`, `VMDK`, `VHD`, … */
  format?: string;
  /** e.g. `dynamic default`, `fixed default`, `diff default`. */
  variant?: string;
  /** `normal`, `immutable`, `writethrough`, `shareable`, `readonly`, `multiattach`. */
  type?: string;
  state?: string;
  /** Capacity the guest sees, in MB (MiB). */
  virtualSizeMB?: number;
  /** Space the image file takes on the host, in bytes. */
  actualSizeBytes?: number;
  encrypted?: boolean;
  parentUuid?: string;
  chain: { uuid: string; location: string }[];
}

/** One compared setting (see {@link Comparison}). */
export interface ComparisonRow {
  /** Stable row key, e.g. `system.memory`, `network.1.attachment`, `storage.device.2`. */
  key: string;
  label: Localized;
  /** Value of VM a in a neutral form with units (`2048 MB`, `NAT`, `SATA 0:0 · hard disk`); null = not set / not reported. */
  a: string | null;
  b: string | null;
  /** True when the normalised values differ (e.g. VirtualBox `nat` and VMware `nat` are equal). */
  differs: boolean;
  /** The setting on each side in its own hypervisor's catalog (with `#instance`), when it has one. */
  settingIds: { a?: string; b?: string };
}

/** Two VMs (any hypervisors) side by side, grouped by page (`vms:compare`). */
export interface Comparison {
  a: VmSummary;
  b: VmSummary;
  pages: { page: string; label: Localized; rows: ComparisonRow[] }[];
}

/** About the running app. */
export interface AppInfo {
  version: string;
  mode: 'electron' | 'browser';
  /** System locale reported by the host (e.g. `zh-CN`, `en-US`). */
  systemLocale: string;
  dataDir: string;
}

export const contract = {
  'app:info': { input: z.object({}).strict(), output: z.custom<AppInfo>() },
  'vms:list': {
    input: z.object({ refresh: z.boolean().optional() }).strict(),
    output: z.custom<Inventory>(),
  },
  'vms:get': { input: z.object({ id: VmIdSchema }).strict(), output: z.custom<VmDetail>() },
  /** Where the inventory read in progress stands (see {@link ReadProgress}). */
  'vms:progress': { input: z.object({}).strict(), output: z.custom<ReadProgress>() },
  /** Cancels the inventory read in progress; `cancelled` is false when none was running. */
  'vms:cancel': { input: z.object({}).strict(), output: z.custom<{ cancelled: boolean }>() },
  'notes:list': { input: z.object({ vmId: VmIdSchema }).strict(), output: z.custom<Note[]>() },
  'notes:save': {
    input: z
      .object({
        vmId: VmIdSchema,
        settingId: z.union([z.literal(''), SettingIdSchema]),
        body: z.string().max(NOTE_MAX_CHARS),
        /**
         * `updatedAt` of the note the editor started from (`''`: there was none). When given and
         * the stored note changed since, the save is refused with code `conflict` (409). Omitted:
         * the save overwrites (CLI, older clients).
         */
        baseUpdatedAt: z.string().max(64).optional(),
      })
      .strict(),
    output: z.custom<Note>(),
  },
  'vms:history': { input: z.object({ id: VmIdSchema }).strict(), output: z.custom<HistoryEntry[]>() },
  'vms:compare': {
    input: z.object({ a: VmIdSchema, b: VmIdSchema, lang: LanguageSchema.optional() }).strict(),
    output: z.custom<Comparison>(),
  },
  'vms:openFile': {
    input: z.object({ path: z.string().min(1).max(4096) }).strict(),
    output: z.custom<VmDetail>(),
  },
  'media:info': {
    input: z.object({ vmId: VmIdSchema, medium: uuid }).strict(),
    output: z.custom<MediumInfo>(),
  },
  'prefs:get': { input: z.object({}).strict(), output: z.custom<Preferences>() },
  'prefs:set': {
    input: z
      .object({
        language: LanguageSchema.optional(),
        vboxManagePath: z.string().max(4096).optional(),
        libvirtUri: z.string().max(2048).optional(),
        vmwareFolders: z.array(z.string().max(4096)).max(64).optional(),
        vmrunPath: z.string().max(4096).optional(),
      })
      .strict(),
    output: z.custom<Preferences>(),
  },
  // Study, tours, quiz, search and export (issue 5; shapes in study.ts).
  'study:content': {
    input: z.object({ lang: LanguageSchema.optional() }).strict(),
    output: z.custom<StudyContentSummary>(),
  },
  'study:lesson': { input: z.object({ id: ContentIdSchema }).strict(), output: z.custom<LessonPayload>() },
  'study:read': {
    input: z.object({ lessonId: ContentIdSchema }).strict(),
    output: z.custom<{ lessonId: string; readAt: string }>(),
  },
  'study:progress': { input: z.object({}).strict(), output: z.custom<StudyProgress>() },
  'quiz:answer': {
    input: z.object({ cardId: CardIdSchema, correct: z.boolean() }).strict(),
    output: z.custom<QuizSchedule>(),
  },
  'tours:progress': {
    input: z
      .object({
        tourId: ContentIdSchema,
        vmId: VmIdSchema.nullable().optional(),
        step: z.number().int().min(0).max(1000),
        completed: z.boolean().optional(),
      })
      .strict(),
    output: z.custom<TourProgress>(),
  },
  search: {
    input: z
      .object({
        q: z.string().max(200),
        lang: LanguageSchema,
        limit: z.number().int().min(1).max(100).optional(),
      })
      .strict(),
    output: z.custom<SearchResult[]>(),
  },
  'export:notes': {
    input: z.object({ format: ExportFormatSchema, lang: LanguageSchema }).strict(),
    output: z.custom<ExportFile>(),
  },
  'export:report': {
    input: z.object({ vmId: VmIdSchema, format: ExportFormatSchema, lang: LanguageSchema }).strict(),
    output: z.custom<ExportFile>(),
  },
} as const;

export type Contract = typeof contract;
export type Channel = keyof Contract;
export type Input<C extends Channel> = z.input<Contract[C]['input']>;
export type Output<C extends Channel> = z.output<Contract[C]['output']>;
export const CHANNELS = Object.keys(contract) as Channel[];

/** Name of the function the preload exposes for a channel: `vms:list` → `vmsList`. */
export function functionName(channel: Channel): string {
  return channel.replace(/[:-](\w)/g, (_m, c: string) => c.toUpperCase());
}

/** The API the renderer talks to, whatever the transport. */
export type Api = { [C in Channel]: (input: Input<C>) => Promise<Output<C>> };

/** Error payload returned by both transports. */
export interface ApiError {
  error: string;
  code: 'validation' | 'not_found' | 'forbidden' | 'internal' | 'read_only' | 'conflict';
  /** With code `conflict` from `notes:save`: the note as stored now (null when there is none). */
  current?: Note | null;
}

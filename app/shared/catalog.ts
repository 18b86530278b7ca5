import { z } from 'zod';

/**
 * Knowledge catalog: one entry per control of the settings mirror.
 * Entries live as JSON in `resources/catalog/*.json` (an array of entries per file) and are
 * validated with {@link CatalogEntrySchema}. Every user-facing text is given in `en` and `zh-CN`.
 */

/** Supported UI languages. */
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in both languages. */
export const LocalizedSchema = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) }).strict();
export type Localized = z.infer<typeof LocalizedSchema>;

/** Pages of VirtualBox 7's Settings dialog, in its order. */
export const VBOX_PAGES = [
  'general',
  'system',
  'display',
  'storage',
  'audio',
  'network',
  'serial',
  'usb',
  'sharedFolders',
  'userInterface',
] as const;
export type VBoxPage = (typeof VBOX_PAGES)[number];

/** Kind of control, so the mirror can draw it the way VirtualBox does. */
export const ControlKindSchema = z.enum([
  'text',
  'combo',
  'checkbox',
  'slider',
  'spin',
  'list',
  'table',
  'tree',
  'textarea',
  'button',
]);

/**
 * VirtualBox's configuration access levels (reference §1.5), from most to least restrictive:
 * - `offline`: can be changed only while the VM is powered off (or aborted, or teleported away);
 * - `saved`: also while the VM is in the saved state (e.g. the name, VRDE options, autostart);
 * - `runtime`: also while it runs or is paused (clipboard, network cable, shared folders, USB filters…).
 */
export const ACCESS_LEVELS = ['offline', 'saved', 'runtime'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** A VirtualBox version as `major.minor` (`'6.1'`, `'7.0'`, `'7.1'`). */
const VersionSchema = z.string().regex(/^\d+\.\d+$/);

export const CatalogEntrySchema = z
  .object({
    /** Stable id, `<page>.<tab>.<control>` (e.g. `system.processor.cpus`). */
    id: z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z0-9]+){2}$/),
    page: z.enum(VBOX_PAGES),
    /**
     * Tab id inside the page (`basic`, `encryption`, `motherboard`, `remote`, `recording`, `adapter`,
     * `controller`, `attachment`, `info`, `filter`, …); `cli` is the "Advanced (VBoxManage only)" tab
     * holding keys VBoxManage prints (or the `.vbox` file holds) that the Settings dialog has no control for.
     */
    tab: z.string().min(1),
    control: ControlKindSchema,
    /** Label exactly as VirtualBox 7 shows it (en), and its zh-CN rendering. */
    label: LocalizedSchema,
    /** What the setting does. */
    what: LocalizedSchema,
    /** Trade-offs and when to change it. */
    tradeoffs: LocalizedSchema,
    /** `showvminfo --machinereadable` keys; `N` stands for a 1-based index, `i` for 0-based, `<ctl>` for a controller name. Empty when not printed. */
    showvminfo: z.array(z.string()),
    /** Where the value lives in the `.vbox` file (XPath-like), when known. */
    vbox: z.string().optional(),
    /** `VBoxManage modifyvm` flag (7.x spelling) and the 6.1 spelling when different; or another VBoxManage command. */
    modifyvm: z
      .object({
        flag: z.string(),
        legacy: z.string().optional(),
        /** Argument placeholder, e.g. `<MB>` or `on|off`. */
        arg: z.string(),
        /** Not `modifyvm` but another command (e.g. `storagectl`, `storageattach`, `setextradata`). */
        command: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Range or allowed values, in words. */
    range: LocalizedSchema,
    /** Default value, in words. */
    default: LocalizedSchema,
    /** Known raw values with their VirtualBox labels (e.g. `nat` → "NAT"). */
    values: z
      .array(
        z.object({ value: z.string(), label: LocalizedSchema, note: LocalizedSchema.optional() }).strict(),
      )
      .optional(),
    /** Shown in VirtualBox 7.1's Basic experience mode (reference §1.2); Expert-only otherwise. Default false. */
    basic: z.boolean().default(false),
    /**
     * The loosest machine state in which VirtualBox lets you change the setting, through the Settings
     * dialog or VBoxManage (`modifyvm` while powered off or saved, `controlvm` and similar commands
     * while running) — see {@link ACCESS_LEVELS}. Default `offline`.
     */
    access: z.enum(ACCESS_LEVELS).default('offline'),
    /** Information VirtualBox shows but never lets you edit here (identity, medium sizes): {@link canChangeIn} is always false. Default false. */
    readOnly: z.boolean().default(false),
    /** First VirtualBox version (`major.minor`) with this setting, when newer than 6.0 (e.g. Secure Boot `'7.0'`). */
    since: VersionSchema.optional(),
    /** Last VirtualBox version whose Settings dialog shows the control (e.g. Enable VT-x/AMD-V `'6.1'`; VBoxManage may still accept it). */
    until: VersionSchema.optional(),
  })
  .strict();

export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;
export const CatalogSchema = z.array(CatalogEntrySchema);

/** Localised text for the current language, falling back to English. */
export function pick(text: Localized, lang: Language): string {
  return text[lang] || text.en;
}

/**
 * What a `VMState` value (as `showvminfo --machinereadable` prints it, reference §2.13) means for
 * changing settings:
 * - `offline`: `poweroff`, `aborted`, `teleported` — every setting can be changed;
 * - `saved`: `saved`, `aborted-saved` (7.0+) — only `saved`/`runtime` settings;
 * - `runtime`: the VM process runs (`running`, `paused`, `gurumeditation`, `livesnapshotting`,
 *   `onlinesnapshotting`, `teleporting`, `teleportingpausedvm`, `deletingsnapshotlive`,
 *   `deletingsnapshotlivepaused`) — only `runtime` settings;
 * - `busy`: a transient state without a running VM (`starting`, `stopping`, `saving`, `restoring`,
 *   `teleportingin`, `snapshotting`, `restoringsnapshot`, `deletingsnapshot`, `settingup`) — the machine
 *   is locked and nothing can be changed until it settles;
 * - `unknown`: anything else (including an absent or empty state).
 * Matching ignores case and surrounding white space.
 */
export type StateAccess = AccessLevel | 'busy' | 'unknown';

const STATE_ACCESS: Record<string, StateAccess> = {
  poweroff: 'offline',
  aborted: 'offline',
  teleported: 'offline',
  saved: 'saved',
  'aborted-saved': 'saved',
  running: 'runtime',
  paused: 'runtime',
  gurumeditation: 'runtime',
  livesnapshotting: 'runtime',
  onlinesnapshotting: 'runtime',
  teleporting: 'runtime',
  teleportingpausedvm: 'runtime',
  deletingsnapshotlive: 'runtime',
  deletingsnapshotlivepaused: 'runtime',
  starting: 'busy',
  stopping: 'busy',
  saving: 'busy',
  restoring: 'busy',
  teleportingin: 'busy',
  snapshotting: 'busy',
  restoringsnapshot: 'busy',
  deletingsnapshot: 'busy',
  settingup: 'busy',
};

/** Classifies a `VMState` value; see {@link StateAccess}. Never throws. */
export function stateAccess(state: string | undefined | null): StateAccess {
  return STATE_ACCESS[(state ?? '').trim().toLowerCase()] ?? 'unknown';
}

/**
 * Whether VirtualBox lets you change the setting of `entry` while the VM is in `state` (a `VMState`
 * value such as `poweroff`, `saved`, `running`). Powered off allows every setting, saved allows
 * `saved` and `runtime` settings, a running or paused VM only `runtime` settings. Read-only entries,
 * transient (`busy`) and unknown states give false. Never throws.
 */
export function canChangeIn(entry: Pick<CatalogEntry, 'access' | 'readOnly'>, state: string): boolean {
  if (entry.readOnly) return false;
  const level = stateAccess(state);
  if (level === 'busy' || level === 'unknown') return false;
  const rank = (l: AccessLevel) => ACCESS_LEVELS.indexOf(l);
  return rank(entry.access ?? 'offline') >= rank(level);
}

/**
 * State shared by one settings-mirror page: which control is selected (the explanation panel shows
 * it), the VM's notes, and the host facts sliders measure against. Provided through Svelte context
 * by `pages/Mirror.svelte` and read by every `<Setting>`.
 */
import { getContext, setContext, tick } from 'svelte';
import type { Finding } from '../../../app/shared/advice.ts';
import type { Discrepancy, MediumInfo, Note, VmDetail } from '../../../app/shared/contract.ts';
import type { MirrorControlId } from '../../../app/shared/catalog-ids.ts';
import { CATALOG } from '../../../app/shared/catalog-data.ts';
import type { CatalogEntry, VBoxPage } from '../../../app/shared/catalog.ts';
import type { HostFacts, Sourced } from '../../../app/shared/model.ts';
import { api } from './api.ts';
import type { CommandContext } from './command.ts';
import { findingsFor, settingMatches } from './findings.ts';
import { collectValues, findExtra, indexValues } from './values.ts';

/**
 * Why a control has no value: `notReported` = this VM's dump lacks the key; `notPrinted` = VBoxManage
 * never prints this setting (it lives only in the `.vbox` file); `notReadYet` = stored in GUI
 * extra-data, which this version does not read; `featureOff` = VBoxManage prints it only while its
 * feature (Remote Display server, Recording) is enabled.
 */
export type AbsentReason = 'notReported' | 'notPrinted' | 'notReadYet' | 'notInFile' | 'featureOff';

/**
 * VirtualBox 7.1's experience mode of the Settings dialog (reference §1.2): `basic` shows only the
 * editors flagged for Basic mode (catalog `basic: true`) and only Adapter 1 on Network; `expert` all.
 */
export type SettingsMode = 'basic' | 'expert';

/** `localStorage` key remembering the Basic/Expert choice across VMs and launches. */
export const MODE_STORAGE_KEY = 'vm-companion.settingsMode';

/** The remembered mode; Expert when nothing was stored (what VirtualBox 7.1 picks when VMs already exist). */
export function storedMode(): SettingsMode {
  try {
    return localStorage.getItem(MODE_STORAGE_KEY) === 'basic' ? 'basic' : 'expert';
  } catch {
    return 'expert';
  }
}

/** One raw `key=value` a control's value came from. `quoteKey` for storage keys VirtualBox prints quoted. */
export interface SourceRef {
  key: string;
  raw: string;
  quoteKey?: boolean;
  /** Where the line came from: `showvminfo` output (default) or the VM's `.vbox` settings file. */
  origin?: 'showvminfo' | 'vbox';
  /** `.vbox` values only: the value VirtualBox uses when the attribute is absent (`raw` is then `''`). */
  defaultValue?: string;
}

/** A message key (chrome strings) with values, for host-aware remarks such as "25 % of host RAM". */
export interface Remark {
  key: string;
  values?: Record<string, string | number>;
  tone?: 'ok' | 'warn' | 'bad';
}

/** What the explanation panel needs about the selected control. */
export interface Selection {
  id: MirrorControlId;
  /** Instance suffix (adapter slot `2`, storage slot `SATA-0-0`, controller name…). */
  instance?: string;
  /** Note key: `id` or `id#instance` (sanitised for the contract). */
  settingId: string;
  /** Other instance spellings advice uses for this control (storage `SATA:0:0`, controller index). */
  aliases?: string[];
  /**
   * The value as the control shows it, in the current language. A plain snapshot: the control
   * publishes a fresh one while it is on screen (language switch, new values), so the panel never
   * reads state of a control that is gone.
   */
  text: string;
  /** `data-value` of the control. */
  dataValue: string;
  sources: SourceRef[];
  absent?: AbsentReason;
  /** True when the shown value is derived from the raw one (e.g. EFI checkbox from `firmware="EFI"`). */
  derived?: boolean;
  /** Host-aware remark on the value (snapshot, like `text`). */
  remark?: Remark;
  /** The item's controller, port, medium, folder… for the example command (see `command.ts`). */
  command?: CommandContext;
  /** The control's caption when the page overrides the catalog label ("Hard Disk" for a slot combo). */
  label?: string;
  /** The item in VirtualBox's words, when the page knows better than the instance ("Hard Disk — SATA Port 0"). */
  where?: string;
}

/** Per-page mirror state; create one per opened VM. */
export class MirrorState {
  readonly vmId: string;
  /** The VirtualBox UUID used in example commands (`demo-` prefix removed). */
  readonly uuid: string;
  readonly host: HostFacts;
  /** `VMState` as printed (`poweroff`, `running`, `saved`…); `''` when unknown. Drives the access locks. */
  readonly vmState: string;
  /** Advice findings for this VM, most serious first. */
  readonly findings: Finding[];
  /** `.vbox`-only values keyed by catalog id with optional `@instance`. */
  readonly extras: Record<string, Sourced<string | number | boolean>>;
  readonly discrepancies: Discrepancy[];
  /** True when the `.vbox` file was read (absent `.vbox` values then mean "not in the file"). */
  readonly vboxRead: boolean;
  /** Path of the VM's `.vbox` settings file, when known. */
  readonly vboxPath: string;
  /** Raw values by `<id>` / `<id>#<instance>`, from the config's sourced values and unknown keys. */
  private readonly values: Map<string, Sourced<unknown>[]>;
  selected = $state.raw<Selection | null>(null);
  notes = $state<Record<string, Note>>({});
  mode = $state<SettingsMode>(storedMode());
  /** A control to select as soon as it is on screen (set when a finding is clicked). */
  focus = $state<string | null>(null);
  /**
   * A control id to select again once the next tab is drawn: switching Adapter 1 → Adapter 2 with
   * "Port Forwarding" selected selects Adapter 2's Port Forwarding (see {@link retargetTo}).
   */
  retarget = $state<string | null>(null);
  /** `media:info` answers by medium UUID: `{}` while loading, then `info` or `error`. */
  media = $state<Record<string, { info?: MediumInfo; error?: string }>>({});

  constructor(
    vmId: string,
    host: HostFacts,
    detail?: Pick<VmDetail, 'findings' | 'extras' | 'provenance' | 'config'>,
    vmState = '',
  ) {
    this.vmId = vmId;
    this.uuid = vmId.replace(/^demo-/, '');
    this.host = host;
    this.vmState = vmState;
    this.findings = detail?.findings ?? [];
    this.extras = detail?.extras ?? {};
    this.discrepancies = detail?.provenance?.discrepancies ?? [];
    this.vboxRead = detail?.provenance?.vboxFile?.read === true;
    this.vboxPath = detail?.provenance?.vboxFile?.path ?? '';
    this.values = indexValues(detail?.config ? collectValues(detail.config) : []);
  }

  /**
   * Asks `media:info` (VBoxManage showmediuminfo) about a medium once; the answer lands in
   * {@link media}. Failures (unknown medium, no VBoxManage) are kept as `error` text, never thrown.
   */
  loadMedium(uuid: string): void {
    if (this.media[uuid]) return;
    this.media[uuid] = {};
    api['media:info']({ vmId: this.vmId, medium: uuid }).then(
      (info) => {
        this.media[uuid] = { info };
      },
      (e: unknown) => {
        this.media[uuid] = { error: e instanceof Error ? e.message : String(e) };
      },
    );
  }

  /** Switches Basic/Expert and remembers the choice. */
  setMode(mode: SettingsMode): void {
    this.mode = mode;
    try {
      localStorage.setItem(MODE_STORAGE_KEY, mode);
    } catch {
      // Storage disabled: the choice lasts for this page view.
    }
  }

  /** Whether the current mode shows the catalog entry (Basic: `basic: true` only). */
  shows(entry: Pick<CatalogEntry, 'basic'> | undefined): boolean {
    return this.mode === 'expert' || entry?.basic === true;
  }

  /** Whether the current mode shows any control of `page` (and of `tab`, a catalog tab id, when given). */
  showsTab(page: VBoxPage, tab?: string): boolean {
    if (this.mode === 'expert') return true;
    return CATALOG.some((e) => e.page === page && (tab === undefined || e.tab === tab) && e.basic);
  }

  /** Findings on a control (`id` + instance or one of its aliases), most serious first. */
  findingsOn(id: string, instance?: string, aliases: readonly string[] = []): Finding[] {
    return findingsFor(this.findings, id, instance, aliases);
  }

  /** Discrepancies between `.vbox` and `showvminfo` for a control. */
  discrepanciesOn(id: string, instance?: string, aliases: readonly string[] = []): Discrepancy[] {
    return this.discrepancies.filter((d) => settingMatches(d.settingId, id, instance, aliases));
  }

  /** The `.vbox` value for a control (`extras["<id>@<instance>"]` / `extras["<id>"]`, see `findExtra`). */
  extra(id: string, instance?: string): Sourced<string | number | boolean> | undefined {
    return findExtra(this.extras, id, instance);
  }

  /** The raw showvminfo values behind a control (sourced config values and kept unknown keys), printed order. */
  valuesOf(id: string, instance?: string): Sourced<unknown>[] {
    return this.values.get(instance === undefined ? id : `${id}#${instance}`) ?? [];
  }

  /** Instances (adapter slots, port numbers, …) that have values for a control, sorted naturally. */
  instancesOf(id: string): string[] {
    const out: string[] = [];
    for (const key of this.values.keys()) {
      if (key.startsWith(`${id}#`)) out.push(key.slice(id.length + 1));
    }
    return out.sort((a, b) => a.localeCompare(b, undefined, { numeric: true }));
  }

  /** Marks a control selected; the explanation panel follows. */
  select(sel: Selection): void {
    this.selected = sel;
  }

  /** Clears the selection (the explanation panel shows its hint again). */
  clearSelection(): void {
    this.selected = null;
    this.retarget = null;
  }

  /**
   * Clears the selection and asks the control with the same catalog id on the next drawn tab (the
   * same setting of another adapter or port) to select itself; when the new tab has no such control,
   * nothing stays selected. The request lapses after the next render.
   */
  retargetTo(id: string): void {
    this.selected = null;
    this.retarget = id;
    void tick().then(() => {
      if (this.retarget === id) this.retarget = null;
    });
  }

  /** Records a saved note (keeps the map in step with the store). */
  noteSaved(note: Note): void {
    this.notes[note.settingId] = note;
  }
}

const KEY = Symbol('mirror');

/** Provides the mirror state to child components. */
export function provideMirror(state: MirrorState): void {
  setContext(KEY, state);
}

/**
 * The mirror state of the enclosing page.
 * @throws Error when used outside a mirror page.
 */
export function useMirror(): MirrorState {
  const state = getContext<MirrorState | undefined>(KEY);
  if (!state) throw new Error('<Setting> must be used inside the settings mirror page.');
  return state;
}

/**
 * State shared by one settings-mirror page: which control is selected (the explanation panel shows
 * it), the VM's notes, and the host facts sliders measure against. Provided through Svelte context
 * by `pages/Mirror.svelte` and read by every `<Setting>`.
 */
import { getContext, setContext } from 'svelte';
import type { Note } from '../../../app/shared/contract.ts';
import type { MirrorControlId } from '../../../app/shared/catalog-ids.ts';
import type { HostFacts } from '../../../app/shared/model.ts';

/**
 * Why a control has no value: `notReported` = this VM's dump lacks the key; `notPrinted` = VBoxManage
 * never prints this setting (it lives only in the `.vbox` file); `notReadYet` = stored in GUI
 * extra-data, which this version does not read.
 */
export type AbsentReason = 'notReported' | 'notPrinted' | 'notReadYet';

/** One raw `key=value` a control's value came from. `quoteKey` for storage keys VirtualBox prints quoted. */
export interface SourceRef {
  key: string;
  raw: string;
  quoteKey?: boolean;
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
  /** The value as the control shows it, in the current language (a getter, so a language switch updates it). */
  text: () => string;
  /** `data-value` of the control. */
  dataValue: string;
  sources: SourceRef[];
  absent?: AbsentReason;
  /** True when the shown value is derived from the raw one (e.g. EFI checkbox from `firmware="EFI"`). */
  derived?: boolean;
  remark?: () => Remark | undefined;
}

/** Per-page mirror state; create one per opened VM. */
export class MirrorState {
  readonly vmId: string;
  /** The VirtualBox UUID used in example commands (`demo-` prefix removed). */
  readonly uuid: string;
  readonly host: HostFacts;
  selected = $state<Selection | null>(null);
  notes = $state<Record<string, Note>>({});

  constructor(vmId: string, host: HostFacts) {
    this.vmId = vmId;
    this.uuid = vmId.replace(/^demo-/, '');
    this.host = host;
  }

  /** Marks a control selected; the explanation panel follows. */
  select(sel: Selection): void {
    this.selected = sel;
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

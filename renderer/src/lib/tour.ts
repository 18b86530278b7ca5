/**
 * Pure helpers of the guided tours (resources/tours/*.json, shapes in app/shared/study.ts): which
 * setting (with instance) a step shows on a given VM, the step texts with their placeholders filled
 * in, and the HTML of the driver.js popover (every text escaped).
 */
import type { Language } from '../../../app/shared/catalog.ts';
import type { VmDetail } from '../../../app/shared/contract.ts';
import type { TourStep } from '../../../app/shared/study.ts';
import { escapeHtml, textIn } from './study.ts';

/**
 * The setting id a step asks the mirror for: the step's `control`, with the instance the mirror
 * needs to draw it — the first storage controller's name for `storage.controller.*` (its Attributes
 * panel shows only the selected controller), the adapter / port number of tabs `adapter-<n>` /
 * `port-<n>`; no instance otherwise.
 */
export function stepSettingId(step: Pick<TourStep, 'control' | 'tab'>, detail: VmDetail | null): string {
  const { control, tab } = step;
  if (control.startsWith('storage.controller.')) {
    const first = detail?.config?.storage[0]?.name.value;
    return first && /^[A-Za-z0-9 _.:-]{1,80}$/.test(first) ? `${control}#${first}` : control;
  }
  const slot = tab ? /^(?:adapter|port)-(\d+)$/.exec(tab) : null;
  if (slot && (control.startsWith('network.adapter.') || control.startsWith('serial.'))) {
    return `${control}#${slot[1]}`;
  }
  return control;
}

/** Values of a step's placeholders. */
export interface StepValues {
  /** The control's value as the mirror shows it (`—` when empty). */
  value: string;
  /** Host RAM in MB, formatted for the UI language. */
  hostMemoryMB: string;
  /** Physical host cores. */
  hostCores: string;
}

/** The placeholder values for a VM's host and a shown value. */
export function stepValues(detail: VmDetail | null, shown: string, lang: Language): StepValues {
  const nf = new Intl.NumberFormat(lang);
  return {
    value: shown.trim() || '—',
    hostMemoryMB: detail ? nf.format(detail.host.memoryMB) : '?',
    hostCores: detail ? nf.format(detail.host.cores) : '?',
  };
}

/** Replaces `{value}`, `{hostMemoryMB}`, `{hostCores}` in a text; other braces stay as written. */
export function fillPlaceholders(text: string, values: StepValues): string {
  return text.replace(/\{(value|hostMemoryMB|hostCores)\}/g, (_m, key: keyof StepValues) => values[key]);
}

/** Texts of the popover chrome, in the UI language. */
export interface PopoverLabels {
  yourTurn: string;
  notShown: string;
}

/**
 * The popover body of a step as HTML: the explanation, the `ask` prompt ("Your turn: …") when the
 * step has one, and a note when the control is not drawn for this VM. Texts are escaped.
 */
export function stepDescription(
  step: TourStep,
  values: StepValues,
  lang: Language,
  labels: PopoverLabels,
  found: boolean,
): string {
  const body = `<p class="vmc-tour-body">${escapeHtml(fillPlaceholders(textIn(step.body, lang), values))}</p>`;
  const ask = step.ask
    ? `<p class="vmc-tour-ask"><strong>${escapeHtml(labels.yourTurn)}</strong> ${escapeHtml(
        fillPlaceholders(textIn(step.ask, lang), values),
      )}</p>`
    : '';
  const missing = found ? '' : `<p class="vmc-tour-missing">${escapeHtml(labels.notShown)}</p>`;
  return body + ask + missing;
}

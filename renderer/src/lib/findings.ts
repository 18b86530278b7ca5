/**
 * Pure helpers that place advice findings (`app/shared/advice.ts`) and `.vbox` discrepancies on the
 * settings mirror: which control a finding belongs to, which page/tab shows it, the most serious
 * severity of a group. No DOM, no i18n.
 */
import type { AdviceSeverity, Finding } from '../../../app/shared/advice.ts';
import { findingControlId, severityRank } from '../../../app/shared/advice.ts';
import type { VBoxPage } from '../../../app/shared/catalog.ts';
import { getEntry } from '../../../app/shared/catalog-data.ts';
import type { StorageAttachment, StorageController } from '../../../app/shared/model.ts';

/** A setting id split into its catalog control id and optional `#instance` suffix. */
export function splitSettingId(settingId: string): { id: string; instance?: string } {
  const hash = settingId.indexOf('#');
  return hash === -1
    ? { id: settingId }
    : { id: settingId.slice(0, hash), instance: settingId.slice(hash + 1) || undefined };
}

/**
 * Whether a setting id (a finding's or a discrepancy's `settingId`) names the control `id` with
 * `instance` (or one of its `aliases`, e.g. the `SATA:0:0` / `1:0:0` forms advice uses for storage
 * attachments). A setting id without instance matches every instance of its control.
 */
export function settingMatches(
  settingId: string,
  id: string,
  instance: string | undefined,
  aliases: readonly string[] = [],
): boolean {
  const s = splitSettingId(settingId);
  if (s.id !== id) return false;
  if (s.instance === undefined) return true;
  return s.instance === instance || aliases.includes(s.instance);
}

/** Findings that concern the control `id` (+ instance/aliases), most serious first. */
export function findingsFor(
  findings: readonly Finding[],
  id: string,
  instance?: string,
  aliases: readonly string[] = [],
): Finding[] {
  return findings
    .filter((f) => settingMatches(f.settingId, id, instance, aliases))
    .sort((a, b) => severityRank(a.severity) - severityRank(b.severity));
}

/** The most serious severity among `findings`, or `undefined` when there are none. */
export function worstSeverity(findings: readonly { severity: AdviceSeverity }[]): AdviceSeverity | undefined {
  let worst: AdviceSeverity | undefined;
  for (const f of findings) if (!worst || severityRank(f.severity) < severityRank(worst)) worst = f.severity;
  return worst;
}

/** The Settings page of a finding's control (`undefined` when the catalog lacks its id). */
export function pageOf(settingId: string): VBoxPage | undefined {
  return getEntry(findingControlId(splitSettingId(settingId).id as Finding['settingId']))?.page;
}

/** Findings grouped by page; every page key is present only when it has findings. */
export function findingsByPage(findings: readonly Finding[]): Partial<Record<VBoxPage, Finding[]>> {
  const out: Partial<Record<VBoxPage, Finding[]>> = {};
  for (const f of findings) {
    const page = pageOf(f.settingId);
    if (page) (out[page] ??= []).push(f);
  }
  return out;
}

/**
 * The mirror's tab id (the `tab-<id>` of the page's tab bar) that shows a setting: `adapter-<n>` on
 * Network, `port-<n>` on Serial Ports, the catalog tab elsewhere; `undefined` for pages without tabs
 * (Storage, Audio, USB, Shared Folders, User Interface keep their single view).
 */
export function uiTabOf(settingId: string): string | undefined {
  const { id, instance } = splitSettingId(settingId);
  const entry = getEntry(id);
  if (!entry) return undefined;
  if (entry.tab === 'cli') return 'cli';
  if (entry.page === 'network') return `adapter-${instance && /^\d+$/.test(instance) ? instance : '1'}`;
  if (entry.page === 'serial') return `port-${instance && /^\d+$/.test(instance) ? instance : '1'}`;
  if (['general', 'system', 'display'].includes(entry.page)) return entry.tab;
  return undefined;
}

/** Characters advice allows in an instance suffix (contract.ts `SettingIdSchema`). */
const INSTANCE_OK = /^[A-Za-z0-9 _.:-]{1,80}$/;

/** The instance forms advice may use for a storage controller: its name, or its 0-based index. */
export function controllerAliases(c: StorageController): string[] {
  return INSTANCE_OK.test(c.name.value) ? [c.name.value, String(c.index)] : [String(c.index)];
}

/** The instance forms advice may use for an attachment: `<controller>:<port>:<device>` or `<index>:<port>:<device>`. */
export function attachmentAliases(c: StorageController, a: StorageAttachment): string[] {
  const byName = `${c.name.value}:${a.port}:${a.device}`;
  const byIndex = `${c.index}:${a.port}:${a.device}`;
  return INSTANCE_OK.test(byName) ? [byName, byIndex] : [byIndex];
}

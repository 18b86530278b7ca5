/**
 * The mirror's "where and when were these values read" line: from VBoxManage (`showvminfo`), from
 * the VM's settings file, or from a file the user opened, at `Provenance.readAt` — and, for a
 * `showvminfo` read kept from an earlier launch, that it was kept because the settings file did not
 * change. DOM-free (unit-tested in Node).
 */
import type { Provenance } from '../../../app/shared/contract.ts';
import type { VmSource } from '../../../app/shared/model.ts';
import { draftTimeText } from './note-drafts.ts';

/** Locale keys of the line (each takes `{time}`). */
export type ReadAtKey =
  | 'provenance.readVBoxManage'
  | 'provenance.readVBoxManageCached'
  | 'provenance.readSettingsFile'
  | 'provenance.readFile';

/** What {@link readAtLine} returns: the locale key, the time as shown, and the exact ISO time (for a tooltip). */
export interface ReadAtLine {
  key: ReadAtKey;
  time: string;
  iso: string;
  cached: boolean;
}

/**
 * The line for a VM's values, or undefined without a valid read time (demo VMs, VMs without values).
 *
 * - values from `showvminfo` of a VM VirtualBox lists (`summarySource` and `configSource`
 *   `vboxmanage`): `readVBoxManage`, or `readVBoxManageCached` when `provenance.cached`;
 * - values from the settings file of a VM VirtualBox lists (`configSource` `file`): `readSettingsFile`;
 * - a file the user opened or a VM of `VirtualBox.xml` shown without VBoxManage (`summarySource`
 *   `file`): `readFile`.
 *
 * `time` is the time of day when the read was on the same day as `now` (ms since the epoch), else
 * the date and the time, in `locale` and the system's time zone unless `timeZone` is given.
 */
export function readAtLine(
  provenance: Provenance | undefined,
  summarySource: VmSource,
  configSource: VmSource | undefined,
  locale: string,
  now: number = Date.now(),
  timeZone?: string,
): ReadAtLine | undefined {
  const iso = provenance?.readAt;
  if (!iso || configSource === undefined) return undefined;
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return undefined;
  let key: ReadAtKey;
  if (summarySource === 'vboxmanage' && configSource === 'vboxmanage')
    key = provenance.cached ? 'provenance.readVBoxManageCached' : 'provenance.readVBoxManage';
  else if (summarySource === 'vboxmanage' && configSource === 'file') key = 'provenance.readSettingsFile';
  else if (summarySource === 'file') key = 'provenance.readFile';
  else return undefined;
  return { key, time: draftTimeText(at, now, locale, timeZone), iso, cached: provenance.cached === true };
}

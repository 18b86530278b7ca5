/**
 * "What changed since last look": every read of a VM can store its normalized configuration in
 * the SQLite store when it differs from the last stored one, and the VM page lists the changes.
 *
 * The normalized configuration is a flat map of path → value built from the settings of a
 * {@link VmConfig} only — runtime noise is left out (machine state and its change time, session
 * name, Guest Additions version, ejected-disc flags, transient shared folders, unknown keys, read
 * issues and their line numbers), so a VM that merely started or stopped does not count as changed.
 *
 * Paths (values are the model's values as text: booleans `on`/`off`, numbers in decimal, lists
 * joined with `, `):
 * - `general.<field>`, `system.<field>`, `display.<field>`, `audio.<field>`, `usb.<field>`;
 * - `system.bootOrder.<1-4>`;
 * - `storage.<controller>.<field>` and `storage.<controller>.<port>-<device>.<field>` (`medium`,
 *   `kind`, `nonRotational`, …) for occupied slots (free slots are left out);
 * - `network.<slot>.attachment`, and for enabled adapters `network.<slot>.<field>`,
 *   `network.<slot>.nat.<setting>`, `network.<slot>.forward.<rule name>` =
 *   `<protocol> <host ip>:<host port> -> <guest ip>:<guest port>`;
 * - `serial.<slot>.enabled`, and for enabled ports `serial.<slot>.<field>`;
 * - `usb.filter.<index>.<name|active|vendorId|productId>`;
 * - `sharedFolders.<name>.hostPath` (permanent folders);
 * - `snapshots.<uuid>.name`, `snapshots.<uuid>.description`, `snapshots.current` = `<name> (<uuid>)`.
 *
 * Two sources. A VirtualBox VM that is not running is read from its settings file
 * (`config.source: 'file'`), a running one through `showvminfo` (`'vboxmanage'`), and each source
 * gives values the other does not (the file: platform architecture, hot-pluggable and passthrough
 * flags; `showvminfo`: log folder, maximum port counts, effective paravirtualization provider,
 * Secure Boot on 7.1; older `showvminfo` versions leave out more). A value one source does not give
 * is therefore never a change: each stored row names its source ({@link SOURCE_KEY}) and carries
 * forward the values only the other source gave ({@link CARRIED_KEY}, see {@link mergeRead}), and
 * the first value of a setting only a newly seen source gives is not listed (see {@link diffViews}).
 * A setting both sources give is compared as usual, across a switch too.
 */

import { createHash } from 'node:crypto';
import type { HistoryEntry } from '../shared/contract.ts';
import type { SnapshotNode, VmConfig } from '../shared/model.ts';
import type { ConfigHistoryRow, Store } from './store/store.ts';

/** Stored configurations kept per VM; older ones are deleted. */
export const HISTORY_KEEP_PER_VM = 200;

type Flat = Record<string, string>;

function isSourced(v: unknown): v is { value: unknown; key: string; raw: string } {
  return typeof v === 'object' && v !== null && 'value' in v && 'key' in v && 'raw' in v;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v ? 'on' : 'off';
  if (typeof v === 'number' || typeof v === 'string') return String(v);
  if (Array.isArray(v)) return v.map((x) => text(x) ?? '').join(', ');
  return undefined;
}

/**
 * Puts every Sourced or plain scalar field of `obj` under `prefix.<field>`, except the fields in
 * `skip`. Arrays and nested objects are left to the caller (new scalar fields of the model are
 * picked up without code changes).
 */
function putFields(out: Flat, prefix: string, obj: object, skip: readonly string[] = []): void {
  for (const [k, v] of Object.entries(obj)) {
    if (skip.includes(k)) continue;
    const value = isSourced(v) ? text(v.value) : typeof v === 'object' ? undefined : text(v);
    if (value !== undefined) out[`${prefix}.${k}`] = value;
  }
}

function putSnapshots(out: Flat, nodes: readonly SnapshotNode[]): void {
  for (const n of nodes) {
    const id = n.uuid || `path${n.path}`;
    out[`snapshots.${id}.name`] = n.name;
    if (n.description) out[`snapshots.${id}.description`] = n.description;
    if (n.current) out['snapshots.current'] = `${n.name} (${id})`;
    putSnapshots(out, n.children);
  }
}

/**
 * The settings of `config` as a flat path → value map with keys in code-point order (see the
 * module documentation for the paths). Pure; never throws.
 */
export function normalizeConfig(config: VmConfig): Flat {
  const out: Flat = {};
  putFields(out, 'general', config.general);
  putFields(out, 'system', config.system, ['bootOrder']);
  config.system.bootOrder.forEach((b, i) => (out[`system.bootOrder.${i + 1}`] = b.value));
  putFields(out, 'display', config.display);
  putFields(out, 'audio', config.audio);
  putFields(out, 'usb', config.usb, ['filters']);
  for (const f of config.usb.filters) {
    const p = `usb.filter.${f.index}`;
    out[`${p}.name`] = f.name;
    out[`${p}.active`] = text(f.active)!;
    out[`${p}.vendorId`] = f.vendorId;
    out[`${p}.productId`] = f.productId;
  }
  for (const c of config.storage) {
    const p = `storage.${c.name.value}`;
    putFields(out, p, c, ['index', 'name', 'attachments']);
    for (const a of c.attachments) {
      if (a.kind === 'none') continue;
      putFields(out, `${p}.${a.port}-${a.device}`, a, ['port', 'device', 'imageUuid', 'isEjected']);
    }
  }
  for (const n of config.network) {
    const p = `network.${n.slot}`;
    out[`${p}.attachment`] = n.attachment.value;
    if (n.attachment.value === 'none') continue;
    putFields(out, p, n, ['slot', 'attachment', 'natSettings', 'portForwards']);
    for (const [k, v] of Object.entries(n.natSettings ?? {})) out[`${p}.nat.${k}`] = v.value;
    for (const f of n.portForwards) {
      out[`${p}.forward.${f.name}`] =
        `${f.protocol} ${f.hostIp}:${f.hostPort} -> ${f.guestIp}:${f.guestPort}`;
    }
  }
  for (const s of config.serial) {
    const p = `serial.${s.slot}`;
    out[`${p}.enabled`] = text(s.enabled.value)!;
    if (s.enabled.value) putFields(out, p, s, ['slot', 'enabled']);
  }
  for (const f of config.sharedFolders) {
    if (!f.transient) out[`sharedFolders.${f.name.value}.hostPath`] = f.hostPath.value;
  }
  putSnapshots(out, config.snapshots);
  const sorted: Flat = {};
  for (const k of Object.keys(out).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) sorted[k] = out[k];
  return sorted;
}

/** SHA-256 (hex) of the canonical JSON of a normalized configuration (keys as given, see {@link normalizeConfig}). */
export function configHash(normalized: Flat): string {
  return createHash('sha256').update(JSON.stringify(normalized)).digest('hex');
}

// ---------------------------------------------------------------------------------------------
// Two sources: the settings file and showvminfo
// ---------------------------------------------------------------------------------------------

/** Key of a stored row that names the source of its read (`VmConfig.source`: `file` or `vboxmanage`). */
export const SOURCE_KEY = '@source';

/** Key of a stored row that lists its carried values: JSON object path → source that gave the value. */
export const CARRIED_KEY = '@carried';

/**
 * What the history knows of a VM after a read: `values` (path → value, see {@link normalizeConfig}),
 * the `source` of that read (`VmConfig.source`) and, among the values, those `carried` forward from
 * earlier reads of another source (path → that source) because this read's source does not give them.
 */
export interface HistoryView {
  values: Flat;
  source: string;
  carried: Record<string, string>;
}

const byCodePoint = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/**
 * The thing a path describes, for deciding whether a value missing from a read was removed or is
 * only not given by that read's source: `storage.<controller>.<port>-<device>` for an attachment's
 * fields, `storage.<controller>` for a controller's, `network.<slot>` for an enabled adapter's
 * fields and NAT settings, `serial.<slot>`, `usb.filter.<index>`, `snapshots.<uuid>`; a NAT
 * forwarding rule and a shared folder are each their own thing (their path); everything else — the
 * VM-wide fields of every page, boot order, `network.<slot>.attachment`, `serial.<slot>.enabled`,
 * `snapshots.current` — belongs to the VM itself, `''`. Pure.
 */
export function settingEntity(p: string): string {
  let m: RegExpExecArray | null;
  if ((m = /^(storage\..*\.\d+-\d+)\.[A-Za-z]+$/.exec(p))) return m[1];
  if ((m = /^(storage\..*)\.[A-Za-z]+$/.exec(p))) return m[1];
  if (/^network\.\d+\.attachment$/.test(p)) return '';
  if (/^network\.\d+\.forward\./.test(p)) return p;
  if ((m = /^(network\.\d+)\./.exec(p))) return m[1];
  if (/^serial\.\d+\.enabled$/.test(p)) return '';
  if ((m = /^(serial\.\d+)\./.exec(p))) return m[1];
  if ((m = /^(usb\.filter\.\d+)\./.exec(p))) return m[1];
  if (/^sharedFolders\./.test(p)) return p;
  if ((m = /^(snapshots\..*)\.(name|description)$/.exec(p))) return m[1];
  return '';
}

/** Paths only `showvminfo` gives (absent from every settings-file read). */
const SHOWVMINFO_ONLY = /^(general\.logFolder|system\.effectiveParavirtProvider|storage\..*\.maxPortCount)$/;
/** Paths only the settings file gives (absent from `showvminfo` before 7.1). */
const FILE_ONLY = /^(system\.platformArchitecture|storage\..*\.(hotPluggable|passthrough))$/;

/**
 * The source of a row stored before sources were recorded: `vboxmanage` when it has a value only
 * `showvminfo` prints (log folder, effective paravirtualization provider, maximum port count),
 * else `file` when it has one only the settings file gives, else `vboxmanage`.
 */
function guessSource(values: Flat): string {
  const keys = Object.keys(values);
  if (keys.some((k) => SHOWVMINFO_ONLY.test(k))) return 'vboxmanage';
  if (keys.some((k) => FILE_ONLY.test(k))) return 'file';
  return 'vboxmanage';
}

/**
 * The view after a read from `source` with normalized values `read`, given the view before it.
 *
 * A value of `previous` that the read lacks is carried forward (kept, with the source that gave it)
 * when that source is not the read's and the thing it belongs to ({@link settingEntity}) is still
 * there in the read: the settings file never gives the log folder, the maximum port counts, the
 * effective paravirtualization provider or Secure Boot, and `showvminfo` never gives the platform
 * architecture or the hot-pluggable/passthrough flags, and older versions of it leave out more
 * (graphics controller, SSD/discard flags…). A value the read's own source gave before and no longer
 * gives, or one whose thing is gone (a detached disk, a deleted forwarding rule), is dropped. Pure.
 */
export function mergeRead(previous: HistoryView | undefined, read: Flat, source: string): HistoryView {
  const values: Flat = { ...read };
  const carried: Record<string, string> = {};
  if (previous) {
    const present = new Set(Object.keys(read).map(settingEntity));
    present.add('');
    for (const [p, v] of Object.entries(previous.values)) {
      if (p in read) continue;
      const from = previous.carried[p] ?? previous.source;
      if (from !== source && present.has(settingEntity(p))) {
        values[p] = v;
        carried[p] = from;
      }
    }
  }
  const sorted: Flat = {};
  for (const k of Object.keys(values).sort(byCodePoint)) sorted[k] = values[k];
  return { values: sorted, source, carried };
}

/** True when both views hold the same paths with the same values (sources not compared). */
function sameValues(a: HistoryView, b: HistoryView): boolean {
  const ka = Object.keys(a.values);
  return ka.length === Object.keys(b.values).length && ka.every((k) => b.values[k] === a.values[k]);
}

/**
 * Per-path differences from `before` to `after`, sorted by path; `null` = absent on that side.
 * With `before` undefined, every path of `after` is listed with `before: null` (first look).
 *
 * A value `after` has and `before` lacks is not a change when `before` knows the thing it belongs
 * to ({@link settingEntity}) but holds no value of it from `after`'s source: it is the first value
 * of a setting only that source gives (e.g. the log folder at the first `showvminfo` read after
 * settings-file reads), not a setting that appeared.
 */
export function diffViews(before: HistoryView | undefined, after: HistoryView): HistoryEntry['changes'] {
  const changes: HistoryEntry['changes'] = [];
  if (!before) {
    for (const [path, a] of Object.entries(after.values)) changes.push({ path, before: null, after: a });
    return changes;
  }
  let bySource: Map<string, Set<string>> | undefined;
  const sourcesOf = (entity: string): Set<string> | undefined => {
    if (!bySource) {
      bySource = new Map();
      for (const p of Object.keys(before.values)) {
        const e = settingEntity(p);
        let s = bySource.get(e);
        if (!s) bySource.set(e, (s = new Set()));
        s.add(before.carried[p] ?? before.source);
      }
    }
    return bySource.get(entity);
  };
  const paths = new Set([...Object.keys(before.values), ...Object.keys(after.values)]);
  for (const path of [...paths].sort(byCodePoint)) {
    const b = before.values[path] ?? null;
    const a = after.values[path] ?? null;
    if (b === a) continue;
    if (b === null) {
      const known = sourcesOf(settingEntity(path));
      if (known && !known.has(after.carried[path] ?? after.source)) continue;
    }
    changes.push({ path, before: b, after: a });
  }
  return changes;
}

/**
 * Per-path differences between two normalized configurations of the same source, sorted by path;
 * `null` = absent on that side. With `before` undefined, every path of `after` is listed with
 * `before: null`.
 */
export function diffConfigs(before: Flat | undefined, after: Flat): HistoryEntry['changes'] {
  const view = (values: Flat): HistoryView => ({ values, source: '', carried: {} });
  return diffViews(before && view(before), view(after));
}

/** The stored JSON object of a view: its values plus {@link SOURCE_KEY} and {@link CARRIED_KEY}, keys in code-point order. */
function rowObject(view: HistoryView): Flat {
  const out: Flat = { ...view.values, [SOURCE_KEY]: view.source };
  if (Object.keys(view.carried).length > 0) out[CARRIED_KEY] = JSON.stringify(view.carried);
  const sorted: Flat = {};
  for (const k of Object.keys(out).sort(byCodePoint)) sorted[k] = out[k];
  return sorted;
}

/** The view a stored row holds; undefined when its JSON is damaged. Rows without a source get one guessed. */
function parseRow(row: ConfigHistoryRow): HistoryView | undefined {
  let v: unknown;
  try {
    v = JSON.parse(row.configJson);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
  const values: Flat = {};
  let source: string | undefined;
  const carried: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') continue;
    if (k === SOURCE_KEY) source = x;
    else if (k === CARRIED_KEY) {
      try {
        const c: unknown = JSON.parse(x);
        if (typeof c === 'object' && c !== null && !Array.isArray(c))
          for (const [p, s] of Object.entries(c)) if (typeof s === 'string') carried[p] = s;
      } catch {
        // a damaged list: the values count as the row's own
      }
    } else if (!k.startsWith('@')) values[k] = x;
  }
  for (const p of Object.keys(carried)) if (!(p in values)) delete carried[p];
  return { values, source: source ?? guessSource(values), carried };
}

/**
 * Stores what the history knows of `vmId` (ids are stored in lower case) after a read of `config`,
 * when it differs from what the newest stored row knows, keeping the newest
 * {@link HISTORY_KEEP_PER_VM} rows of that VM.
 *
 * The stored row is the read's normalized configuration merged with the newest row (see
 * {@link mergeRead}: values only the other source gives are carried forward), with the read's
 * source (`config.source`). So a VM read from its settings file while stopped and through
 * `showvminfo` while running is stored again only when a setting changed, not at every start and
 * stop. A row whose JSON is damaged is skipped (the next older one is used).
 *
 * @param now time of the read; stored as ISO 8601 UTC.
 * @returns true when a new row was stored, false when nothing changed.
 */
export function recordConfig(
  store: Pick<Store, 'appendConfigHistory' | 'configHistory'>,
  vmId: string,
  config: VmConfig,
  now: Date = new Date(),
  keep: number = HISTORY_KEEP_PER_VM,
): boolean {
  const id = vmId.toLowerCase();
  let previous: HistoryView | undefined;
  for (const row of store.configHistory(id)) {
    previous = parseRow(row);
    if (previous) break;
  }
  const view = mergeRead(previous, normalizeConfig(config), config.source);
  if (previous && sameValues(previous, view)) return false;
  const obj = rowObject(view);
  const row: ConfigHistoryRow = {
    at: now.toISOString(),
    configJson: JSON.stringify(obj),
    hash: configHash(obj),
  };
  return store.appendConfigHistory(id, row, keep);
}

/**
 * The change history of `vmId`, newest first: one entry per stored row with its differences from
 * the previous stored one (see {@link diffViews}); rows that only added values of a source seen for
 * the first time (no visible change) are left out. The oldest kept entry has `first: true` and
 * lists every value with `before: null`. Rows whose JSON is damaged are skipped (the next entry is
 * then compared with the one before the damaged row).
 */
export function historyFor(store: Pick<Store, 'configHistory'>, vmId: string): HistoryEntry[] {
  const rows = store
    .configHistory(vmId.toLowerCase())
    .map((r) => ({ at: r.at, view: parseRow(r) }))
    .filter((r): r is { at: string; view: HistoryView } => r.view !== undefined);
  const out: HistoryEntry[] = [];
  rows.forEach((r, i) => {
    const older = rows[i + 1]?.view;
    const changes = diffViews(older, r.view);
    if (older === undefined || changes.length > 0)
      out.push({ at: r.at, changes, first: older === undefined });
  });
  return out;
}

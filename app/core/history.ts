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

/**
 * Stores the normalized configuration of `vmId` (ids are stored in lower case) when it differs
 * from the last stored one, keeping the newest {@link HISTORY_KEEP_PER_VM} rows of that VM.
 *
 * @param now time of the read; stored as ISO 8601 UTC.
 * @returns true when a new row was stored, false when nothing changed.
 */
export function recordConfig(
  store: Pick<Store, 'appendConfigHistory'>,
  vmId: string,
  config: VmConfig,
  now: Date = new Date(),
  keep: number = HISTORY_KEEP_PER_VM,
): boolean {
  const normalized = normalizeConfig(config);
  const configJson = JSON.stringify(normalized);
  const row: ConfigHistoryRow = { at: now.toISOString(), configJson, hash: configHash(normalized) };
  return store.appendConfigHistory(vmId.toLowerCase(), row, keep);
}

/**
 * Per-path differences from `before` to `after`, sorted by path; `null` = absent on that side.
 * With `before` undefined, every path of `after` is listed with `before: null`.
 */
export function diffConfigs(before: Flat | undefined, after: Flat): HistoryEntry['changes'] {
  const paths = new Set([...Object.keys(before ?? {}), ...Object.keys(after)]);
  const changes: HistoryEntry['changes'] = [];
  for (const path of [...paths].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))) {
    const b = before?.[path] ?? null;
    const a = after[path] ?? null;
    if (b !== a) changes.push({ path, before: b, after: a });
  }
  return changes;
}

function parseRow(row: ConfigHistoryRow): Flat | undefined {
  try {
    const v: unknown = JSON.parse(row.configJson);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) return undefined;
    const out: Flat = {};
    for (const [k, x] of Object.entries(v)) if (typeof x === 'string') out[k] = x;
    return out;
  } catch {
    return undefined;
  }
}

/**
 * The change history of `vmId`, newest first: one entry per stored configuration with its
 * differences from the previous stored one. The oldest kept entry has `first: true` and lists
 * every path with `before: null`. Rows whose JSON is damaged are skipped (the next entry is then
 * compared with the one before the damaged row).
 */
export function historyFor(store: Pick<Store, 'configHistory'>, vmId: string): HistoryEntry[] {
  const rows = store
    .configHistory(vmId.toLowerCase())
    .map((r) => ({ at: r.at, config: parseRow(r) }))
    .filter((r): r is { at: string; config: Flat } => r.config !== undefined);
  return rows.map((r, i) => {
    const older = rows[i + 1]?.config;
    return { at: r.at, changes: diffConfigs(older, r.config), first: older === undefined };
  });
}

/**
 * Finds the raw values behind any catalog control in a VM's configuration, whatever part of the
 * model holds them: every {@link Sourced} value of the config (their `key` is the raw
 * `showvminfo --machinereadable` key) and every kept unknown key (`config.unknownKeys`) is classified
 * with `classifyKey` (app/shared/key-coverage.ts, VirtualBox 3.1–7.1 key spellings), so a control
 * such as "Authentication Method" (`vrdeauthtype`, kept as an unknown key by the parser) or
 * "Advanced (VBoxManage only)" entries get their real values. `.vbox`-only values (`extras`) are
 * matched by catalog id, or by the catalog entry's `.vbox` path when the reader used another id.
 * Pure; no DOM.
 */
import { classifyKey, type KeyContext } from '../../../app/shared/key-coverage.ts';
import { CATALOG, catalogById } from '../../../app/shared/catalog-data.ts';
import type { Sourced, VmConfig } from '../../../app/shared/model.ts';

/** One raw value attributed to a control (and an item: adapter `2`, slot `SATA-0-0`, …). */
export interface ControlValue {
  id: string;
  instance?: string;
  src: Sourced<unknown>;
  /** Line of the key in the tool output, for unknown keys (keeps printed order). */
  line?: number;
}

function isSourced(x: unknown): x is Sourced<unknown> {
  return (
    typeof x === 'object' &&
    x !== null &&
    'value' in x &&
    typeof (x as { key?: unknown }).key === 'string' &&
    typeof (x as { raw?: unknown }).raw === 'string'
  );
}

/**
 * Every value of `config` attributed to its catalog control. Values inside a network adapter or
 * serial port without an index in their key (NAT tuning lines `mtu`, `sockSnd`…) get that adapter's
 * or port's slot as instance. A key that maps to no control is not returned (see `RawKeys`).
 */
export function collectValues(config: VmConfig): ControlValue[] {
  const controllers: string[] = [];
  for (const c of config.storage) controllers[c.index] = c.name.value;
  const context: KeyContext = { controllers };
  const out: ControlValue[] = [];
  const seen = new Set<string>();

  const add = (src: Sourced<unknown>, slot: string | undefined, line?: number): void => {
    const cls = classifyKey(src.key, context);
    if (cls.kind !== 'setting') return;
    const instance = cls.instance ?? slot;
    const sig = `${cls.id}#${instance ?? ''}#${src.key}`;
    if (seen.has(sig)) return;
    seen.add(sig);
    out.push({ id: cls.id, instance, src, line });
  };

  const walk = (node: unknown, slot: string | undefined): void => {
    if (isSourced(node)) {
      add(node, slot);
      return;
    }
    if (Array.isArray(node)) {
      for (const item of node) walk(item, slot);
      return;
    }
    if (typeof node === 'object' && node !== null) {
      for (const value of Object.values(node)) walk(value, slot);
    }
  };

  const { unknownKeys, issues: _issues, snapshots: _snapshots, network, serial, ...rest } = config;
  walk(rest, undefined);
  for (const nic of network) walk(nic, String(nic.slot));
  for (const port of serial) walk(port, String(port.slot));
  for (const k of unknownKeys) add({ value: k.value, key: k.key, raw: k.value }, undefined, k.line);
  return out;
}

/** Groups {@link collectValues} results by `<id>#<instance>` (`<id>` alone without instance). */
export function indexValues(values: readonly ControlValue[]): Map<string, Sourced<unknown>[]> {
  const map = new Map<string, Sourced<unknown>[]>();
  for (const v of values) {
    const k = v.instance === undefined ? v.id : `${v.id}#${v.instance}`;
    let list = map.get(k);
    if (!list) map.set(k, (list = []));
    list.push(v.src);
  }
  return map;
}

/**
 * Finds the `.vbox` value of a control in `extras`: `<id>@<instance>` (or `<id>`), else — for
 * controls without instance — the extra whose `.vbox` key equals the catalog entry's `vbox` path
 * (the reader and the catalog may name a setting differently, e.g. `audio.main.codec` for
 * `audio.cli.codec`).
 */
export function findExtra(
  extras: Record<string, Sourced<string | number | boolean>>,
  id: string,
  instance?: string,
): Sourced<string | number | boolean> | undefined {
  const direct = instance !== undefined ? extras[`${id}@${instance}`] : extras[id];
  if (direct || instance !== undefined) return direct;
  const path = catalogById.get(id)?.vbox;
  if (!path) return undefined;
  for (const [key, value] of Object.entries(extras)) {
    if (key.includes('@') || catalogById.has(key)) continue;
    if (value.key === path) return value;
  }
  return undefined;
}

/** Catalog entries of a page's "Advanced (VBoxManage only)" tab, in catalog order. */
export function cliEntries(page: string): typeof CATALOG {
  return CATALOG.filter((e) => e.page === page && e.tab === 'cli');
}

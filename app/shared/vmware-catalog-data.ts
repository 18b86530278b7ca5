import { ForeignCatalogSchema, VMWARE_PAGES, type ForeignCatalogEntry } from './foreign-catalog.ts';
import type { VmwareControlId } from './vmware-ids.ts';
import memory from '../../resources/catalog/vmware/memory.json' with { type: 'json' };
import processors from '../../resources/catalog/vmware/processors.json' with { type: 'json' };
import disks from '../../resources/catalog/vmware/disks.json' with { type: 'json' };
import cdrom from '../../resources/catalog/vmware/cdrom.json' with { type: 'json' };
import network from '../../resources/catalog/vmware/network.json' with { type: 'json' };
import usb from '../../resources/catalog/vmware/usb.json' with { type: 'json' };
import sound from '../../resources/catalog/vmware/sound.json' with { type: 'json' };
import display from '../../resources/catalog/vmware/display.json' with { type: 'json' };
import serial from '../../resources/catalog/vmware/serial.json' with { type: 'json' };
import options from '../../resources/catalog/vmware/options.json' with { type: 'json' };

/**
 * The VMware catalog, loaded from `resources/catalog/vmware/<page>.json` (one file per page of
 * `VMWARE_PAGES`, each an array of {@link ForeignCatalogEntry}). Pure TypeScript like catalog-data.ts:
 * the JSON is imported statically, so this works in Node, Vitest and the renderer bundle.
 *
 * Conventions of the entries:
 * - `keys` are `.vmx` keys in VMware's usual spelling (matching is case-insensitive); `N`/`M` stand
 *   for device numbers and `<bus>N:M` for a drive node such as `scsi0:1`; empty when the value is not
 *   in the `.vmx` (runtime state, disk capacity from the `.vmdk`).
 * - `change` is the `.vmx` line(s) to edit, with the VM powered off and VMware closed (never run).
 * - `values[].value` are the words `VmConfig.native` and the accessor in vmware-ids.ts use: the `.vmx`
 *   word in lower case for enumerations, `true`/`false` for the two states of a list.
 * - `equivalent.virtualbox` is a VirtualBox catalog id (`getEntry` in catalog-data.ts).
 */

/** Raw JSON per page, in VMware's Hardware list order then Options. */
const RAW_BY_PAGE: Record<(typeof VMWARE_PAGES)[number], unknown> = {
  memory,
  processors,
  disks,
  cdrom,
  network,
  usb,
  sound,
  display,
  serial,
  options,
};

/**
 * Validates every page file with {@link ForeignCatalogSchema} and joins them in page order.
 * @throws Error naming the file, the entry index/id and the zod issue path when a file does not match
 *   the schema, or naming both files when an id occurs twice (the unit tests keep the shipped files valid).
 */
function loadVmwareCatalog(): ForeignCatalogEntry[] {
  const all: ForeignCatalogEntry[] = [];
  const fileOf = new Map<string, string>();
  for (const page of VMWARE_PAGES) {
    const file = `resources/catalog/vmware/${page}.json`;
    const raw = RAW_BY_PAGE[page];
    const parsed = ForeignCatalogSchema.safeParse(raw);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const index = typeof issue?.path[0] === 'number' ? issue.path[0] : undefined;
      const id =
        index !== undefined && Array.isArray(raw)
          ? (raw[index] as { id?: unknown } | undefined)?.id
          : undefined;
      throw new Error(
        `${file}: entry ${index ?? '?'}${typeof id === 'string' ? ` (${id})` : ''} is invalid at ` +
          `${issue?.path.join('.') || '(root)'}: ${issue?.message ?? parsed.error.message}`,
      );
    }
    for (const entry of parsed.data) {
      if (entry.page !== page) throw new Error(`${file}: entry ${entry.id} belongs to page ${entry.page}`);
      const previous = fileOf.get(entry.id);
      if (previous)
        throw new Error(`${file}: duplicate catalog id ${entry.id} (already defined in ${previous})`);
      fileOf.set(entry.id, file);
      all.push(entry);
    }
  }
  return all;
}

/** Every VMware catalog entry, validated, in page order (Memory … Options). */
export const VMWARE_CATALOG: ForeignCatalogEntry[] = loadVmwareCatalog();

/** VMware catalog entries by id (`vmware.<page>.<control>`, without instance suffix). */
export const vmwareCatalogById: Map<string, ForeignCatalogEntry> = new Map(
  VMWARE_CATALOG.map((entry) => [entry.id, entry]),
);

/**
 * Looks up a VMware catalog entry. An instance suffix (`vmware.network.connection#ethernet1`) is
 * stripped first. Returns undefined for unknown ids (never throws).
 */
export function getVmwareEntry(id: string): ForeignCatalogEntry | undefined {
  const hash = id.indexOf('#');
  return vmwareCatalogById.get(hash === -1 ? id : id.slice(0, hash));
}

/**
 * A catalog key (`ethernetN.virtualDev`, `<bus>N:M.fileName`, `ideN:M.present`, `memsize`) as a
 * case-insensitive pattern for real `.vmx` keys; its first capture group, when there is one, is the
 * device (`ethernet0`, `scsi0:1`).
 */
export function vmxKeyPattern(catalogKey: string): RegExp {
  const source = catalogKey
    .replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
    .replace(/<bus>N:M/g, '((?:ide|scsi|sata|nvme)\\d+:\\d+)')
    .replace(/([A-Za-z_]+)N:M/g, '($1\\d+:\\d+)')
    .replace(/([A-Za-z_]+)N(?=\\\.)/g, '($1\\d+)');
  return new RegExp(`^${source}$`, 'i');
}

/** Every catalog key compiled with {@link vmxKeyPattern}, in catalog order. */
const KEY_PATTERNS: { id: string; re: RegExp }[] = VMWARE_CATALOG.flatMap((entry) =>
  entry.keys.map((key) => ({ id: entry.id, re: vmxKeyPattern(key) })),
);

const POWER_BUTTONS = ['powerOff', 'powerOn', 'suspend', 'reset'];

/**
 * The VMware control a `.vmx` key belongs to, by the catalog's `keys` (case-insensitive), with the
 * device as instance for per-device keys: `ethernet1.virtualDev` → `{ id: 'vmware.network.adapterType',
 * instance: 'ethernet1' }`, `displayname` → `{ id: 'vmware.options.name' }`. When several controls list
 * the same key (a drive's `fileName`), the first in catalog order wins. Undefined for keys no control
 * shows (never throws).
 */
export function vmwareControlForKey(key: string): { id: VmwareControlId; instance?: string } | undefined {
  for (const { id, re } of KEY_PATTERNS) {
    const m = re.exec(key.trim());
    if (!m) continue;
    const out: { id: VmwareControlId; instance?: string } = { id: id as VmwareControlId };
    if (m[1]) out.instance = m[1].toLowerCase().replace(/^sharedfolder/, 'sharedFolder');
    else if (id === 'vmware.options.powerControls') {
      const button = key.trim().split('.').pop()?.toLowerCase();
      const canonical = POWER_BUTTONS.find((b) => b.toLowerCase() === button);
      if (canonical) out.instance = canonical;
    }
    return out;
  }
  return undefined;
}

import { ForeignCatalogSchema, KVM_PAGES, type ForeignCatalogEntry } from './foreign-catalog.ts';
import overview from '../../resources/catalog/kvm/overview.json' with { type: 'json' };
import cpus from '../../resources/catalog/kvm/cpus.json' with { type: 'json' };
import memory from '../../resources/catalog/kvm/memory.json' with { type: 'json' };
import boot from '../../resources/catalog/kvm/boot.json' with { type: 'json' };
import disks from '../../resources/catalog/kvm/disks.json' with { type: 'json' };
import nics from '../../resources/catalog/kvm/nics.json' with { type: 'json' };
import display from '../../resources/catalog/kvm/display.json' with { type: 'json' };
import devices from '../../resources/catalog/kvm/devices.json' with { type: 'json' };

/**
 * The KVM/libvirt catalog, loaded from `resources/catalog/kvm/<page>.json` (one file per page of
 * virt-manager's details view, each an array of {@link ForeignCatalogEntry}). Pure TypeScript with
 * static JSON imports: works in Node (type stripping), Vitest and the Vite renderer bundle.
 *
 * Conventions:
 * - ids are `kvm.<page>.<control>` and listed in `KVM_CONTROL_IDS` (kvm-ids.ts);
 * - `keys` are libvirt domain XML paths (`domain/devices/interface/model/@type`), or `dominfo/<Label>` for
 *   facts virsh reports outside the XML (state, autostart);
 * - `change` is a `virt-xml` / `virsh` command with `<uri>`, `<domain>` (name or UUID) and other
 *   placeholders in angle brackets — shown to the user, never run;
 * - `tab` `xml` marks settings virt-manager's details view has no control for;
 * - `equivalent.virtualbox` / `equivalent.vmware` name the closest setting of the other catalogs.
 */

const RAW_BY_PAGE: Record<(typeof KVM_PAGES)[number], unknown> = {
  overview,
  cpus,
  memory,
  boot,
  disks,
  nics,
  display,
  devices,
};

/**
 * Validates each page file with {@link ForeignCatalogSchema}, checks that every entry is a KVM entry
 * of that page, and joins them in page order.
 * @throws Error naming the file, the entry index/id and the zod issue path for an invalid entry, or
 *   both files for a duplicate id. The unit tests keep the shipped files valid.
 */
function loadKvmCatalog(): ForeignCatalogEntry[] {
  const all: ForeignCatalogEntry[] = [];
  const fileOf = new Map<string, string>();
  for (const page of KVM_PAGES) {
    const file = `resources/catalog/kvm/${page}.json`;
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
      if (entry.hypervisor !== 'kvm' || entry.page !== page)
        throw new Error(
          `${file}: entry ${entry.id} belongs to ${entry.hypervisor}/${entry.page}, not kvm/${page}`,
        );
      const previous = fileOf.get(entry.id);
      if (previous)
        throw new Error(`${file}: duplicate catalog id ${entry.id} (already defined in ${previous})`);
      fileOf.set(entry.id, file);
      all.push(entry);
    }
  }
  return all;
}

/** Every KVM catalog entry, validated, in page order (Overview … Devices). */
export const KVM_CATALOG: ForeignCatalogEntry[] = loadKvmCatalog();

/** KVM catalog entries by id. */
export const kvmCatalogById: Map<string, ForeignCatalogEntry> = new Map(KVM_CATALOG.map((e) => [e.id, e]));

/**
 * Looks up the KVM catalog entry for a setting id; an instance suffix (`kvm.nics.model#1`,
 * `kvm.disks.bus#vda`) is stripped first.
 * @returns the entry, or `undefined` for an unknown id (never throws).
 */
export function getKvmEntry(id: string): ForeignCatalogEntry | undefined {
  const hash = id.indexOf('#');
  return kvmCatalogById.get(hash === -1 ? id : id.slice(0, hash));
}

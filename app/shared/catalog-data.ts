import { CatalogSchema, VBOX_PAGES, type CatalogEntry, type VBoxPage } from './catalog.ts';
import general from '../../resources/catalog/general.json' with { type: 'json' };
import system from '../../resources/catalog/system.json' with { type: 'json' };
import display from '../../resources/catalog/display.json' with { type: 'json' };
import storage from '../../resources/catalog/storage.json' with { type: 'json' };
import audio from '../../resources/catalog/audio.json' with { type: 'json' };
import network from '../../resources/catalog/network.json' with { type: 'json' };
import serial from '../../resources/catalog/serial.json' with { type: 'json' };
import usb from '../../resources/catalog/usb.json' with { type: 'json' };
import sharedFolders from '../../resources/catalog/sharedFolders.json' with { type: 'json' };
import userInterface from '../../resources/catalog/userInterface.json' with { type: 'json' };

/**
 * The knowledge catalog, loaded from `resources/catalog/<page>.json` (one file per Settings page,
 * each an array of {@link CatalogEntry}). Pure TypeScript: the JSON files are imported statically,
 * so this module works unchanged in Node (type stripping), in Vitest and in the Vite renderer bundle.
 *
 * Conventions other code relies on:
 * - `showvminfo` keys use `N` for a 1-based index (`bootN`, `nicN`), `i` for a 0-based one and
 *   `<ctl>`/`<port>`/`<device>` placeholders for storage keys; an empty list means VBoxManage does not
 *   print the setting (read the `.vbox` file or extra data named in `vbox`).
 * - Without `command`, a suggested change reads `VBoxManage modifyvm <vm> <flag> <arg>`; an `N` in the
 *   flag (`--bootN`, `--nicN`) is the 1-based index to fill in. With `command`, `flag` holds the option,
 *   sub-command or key that follows the VM (`modifynvram <vm> secureboot --enable|--disable`,
 *   `setextradata <vm> GUI/ScaleFactor 1.5`); when `arg` itself contains `<vm>` the VM goes there instead.
 * - Tab `cli` of each page holds the "Advanced (VBoxManage only)" entries; `basic`, `access`, `readOnly`,
 *   `since` and `until` (see catalog.ts) say whether 7.1's Basic mode shows a control, in which machine
 *   states it can be changed (`canChangeIn` in catalog.ts) and which VirtualBox versions have it. Raw keys map to
 *   entries through key-coverage.ts.
 */

/** Raw JSON per page, in the Settings dialog's page order. */
const RAW_BY_PAGE: Record<VBoxPage, unknown> = {
  general,
  system,
  display,
  storage,
  audio,
  network,
  serial,
  usb,
  sharedFolders,
  userInterface,
};

/**
 * Validates every page file with {@link CatalogSchema} and joins them in page order.
 * @throws Error naming the file (`resources/catalog/<page>.json`), the entry index/id and the zod
 *   issue path when a file does not match the schema, or naming both files when an id occurs twice.
 *   The unit tests guarantee the shipped files are valid, so this only fires on a broken build.
 */
function loadCatalog(): CatalogEntry[] {
  const all: CatalogEntry[] = [];
  const fileOf = new Map<string, string>();
  for (const page of VBOX_PAGES) {
    const file = `resources/catalog/${page}.json`;
    const raw = RAW_BY_PAGE[page];
    const parsed = CatalogSchema.safeParse(raw);
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
      const previous = fileOf.get(entry.id);
      if (previous)
        throw new Error(`${file}: duplicate catalog id ${entry.id} (already defined in ${previous})`);
      fileOf.set(entry.id, file);
      all.push(entry);
    }
  }
  return all;
}

/** Every catalog entry, validated, in Settings-dialog page order (General … User Interface). */
export const CATALOG: CatalogEntry[] = loadCatalog();

/** Catalog entries by id (`<page>.<tab>.<control>`, without instance suffix). */
export const catalogById: Map<string, CatalogEntry> = new Map(CATALOG.map((entry) => [entry.id, entry]));

/**
 * Looks up the catalog entry for a setting id. An instance suffix (`network.adapter.mac#2`, see contract.ts) is stripped
 * first, so every adapter, port or attachment shares its control's entry.
 * @returns the entry, or `undefined` when the id is unknown (never throws).
 */
export function getEntry(id: string): CatalogEntry | undefined {
  const hash = id.indexOf('#');
  return catalogById.get(hash === -1 ? id : id.slice(0, hash));
}

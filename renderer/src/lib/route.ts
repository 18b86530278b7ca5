/**
 * Hash routes of the machines list and the settings mirror (the Study and Tours screens have theirs
 * in `study-route.ts`): `#/` is the machines list; `#/vm/<id>`, `#/vm/<id>/<page>` and
 * `#/vm/<id>/<page>/<tab>` a VM's Settings mirror on a page (`general`, `system`, … as in
 * `VBOX_PAGES`) and tab (`motherboard`, `adapter-2`, `cli`, …), so a reload reopens the same screen.
 * The VM id is URI-encoded; unknown pages are dropped. No runtime dependencies.
 */
import type { VBoxPage } from '../../../app/shared/catalog.ts';

/**
 * The pages of `VBOX_PAGES`, repeated here so the first screen does not load catalog.ts (and zod);
 * the type check below fails when a page is missing.
 */
const PAGES = [
  'general',
  'system',
  'display',
  'storage',
  'audio',
  'network',
  'serial',
  'usb',
  'sharedFolders',
  'userInterface',
] as const satisfies readonly VBoxPage[];
const _allPages: [Exclude<VBoxPage, (typeof PAGES)[number]>] extends [never] ? true : false = true;
void _allPages;

/** The hash of the machines list. */
export const MACHINES_HASH = '#/';

/** A VM's mirror, optionally on a page and tab. */
export interface VmRoute {
  vmId: string;
  page?: VBoxPage;
  tab?: string;
}

function decode(segment: string | undefined): string | undefined {
  if (!segment) return undefined;
  try {
    return decodeURIComponent(segment) || undefined;
  } catch {
    return undefined;
  }
}

/** Parses `location.hash`; `null` when it is not a VM route (machines list, study screens, token). */
export function parseVmRoute(hash: string): VmRoute | null {
  const m = /^#\/vm\/([^/?#]+)(?:\/([^/?#]*))?(?:\/([^/?#]*))?\/?$/.exec(hash);
  const vmId = decode(m?.[1]);
  if (!m || !vmId) return null;
  const page = decode(m[2]);
  const tab = decode(m[3]);
  const route: VmRoute = { vmId };
  if (page && (PAGES as readonly string[]).includes(page)) {
    route.page = page as VBoxPage;
    if (tab && /^[A-Za-z0-9_-]{1,40}$/.test(tab)) route.tab = tab;
  }
  return route;
}

/** The hash of a VM route (inverse of {@link parseVmRoute}). */
export function vmHash(route: VmRoute): string {
  let out = `#/vm/${encodeURIComponent(route.vmId)}`;
  if (route.page) {
    out += `/${route.page}`;
    if (route.tab) out += `/${encodeURIComponent(route.tab)}`;
  }
  return out;
}

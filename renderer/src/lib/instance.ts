/**
 * Words for the item a setting belongs to, as VirtualBox's dialog would name it, from a catalog id
 * and the mirror's instance suffix (see `KeyTarget.instance` in app/shared/key-coverage.ts):
 * `network.* #2` → "Adapter 2", `serial.* #1` → "Port 1", `storage.controller.* #SATA` →
 * "Controller: SATA", `storage.* #SATA-0-0` (or advice's `SATA:0:0`) → "SATA: Port 0, Device 0",
 * `usb.filter.* #1` → "USB filter 1", `sharedFolders.* #transient-1` → "Transient folder 1".
 * Used where the page that draws the control did not say more (e.g. "Hard Disk — SATA Port 0"
 * needs the bus, which only the Storage page knows). Pure; the caller passes its translate function.
 */

/** Translates a chrome message key with values (svelte-i18n's `$_` shape). */
export type Translate = (key: string, options?: { values?: Record<string, string | number> }) => string;

/** The words for `instance` of control `id`, or `undefined` when there is no instance. */
export function instanceWords(id: string, instance: string | undefined, t: Translate): string | undefined {
  if (!instance) return undefined;
  const numeric = /^\d+$/.test(instance);
  if (id.startsWith('network.') && numeric) return t('instance.adapter', { values: { n: instance } });
  if (id.startsWith('serial.') && numeric) return t('instance.port', { values: { n: instance } });
  if (id.startsWith('storage.controller.')) return t('instance.controller', { values: { name: instance } });
  if (id.startsWith('storage.')) {
    const m = /^(.*)[-:](\d+)[-:](\d+)$/.exec(instance);
    if (m) return t('instance.storageSlot', { values: { ctl: m[1], port: m[2], device: m[3] } });
  }
  if (id.startsWith('usb.filter.') && numeric) return t('instance.usbFilter', { values: { n: instance } });
  if (id.startsWith('sharedFolders.')) {
    const m = /^(transient-)?(\d+)$/.exec(instance);
    if (m) return t(m[1] ? 'instance.transientFolder' : 'instance.machineFolder', { values: { n: m[2] } });
  }
  return instance;
}

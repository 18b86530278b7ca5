/**
 * Showing one setting on the settings mirror from outside it (guided tours, search results, lesson
 * links), without reaching into the mirror's state:
 *
 * 1. the app shell opens the VM's mirror (`#/vm/<id>`);
 * 2. {@link showSetting} waits until the mirror is drawn, then dispatches the window event
 *    {@link MIRROR_GOTO_EVENT} with `{ settingId }`; the mirror (MirrorView) answers like a click on a
 *    finding: Expert mode when Basic hides the control, its page and tab, the storage node for a
 *    `storage.controller.*#<controller>` / `storage.attachment.*#<slot>` instance, and the control
 *    selected (the explanation panel shows it);
 * 3. it then waits for the control's element, `[data-control="<id>"]` (with `data-instance` when the
 *    setting id has an instance), and returns it.
 *
 * DOM only, no Svelte: usable from any chunk.
 */

/** Window event the settings mirror listens to; `detail: { settingId }` (catalog id, optional `#instance`). */
export const MIRROR_GOTO_EVENT = 'vmc:mirror-goto';

/** Detail of {@link MIRROR_GOTO_EVENT}. */
export interface MirrorGotoDetail {
  settingId: string;
}

/** Resolves after `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Whether an element takes space on screen (not `display: none`, not in a hidden subtree). */
export function isShown(el: Element): boolean {
  const r = el.getBoundingClientRect();
  return r.width > 0 || r.height > 0;
}

/**
 * Polls `find` every 50 ms until it returns an element or `timeoutMs` passes; `cancelled()` true
 * stops early. Resolves with the element or `null`.
 */
export async function waitFor<T>(
  find: () => T | null | undefined,
  timeoutMs: number,
  cancelled: () => boolean = () => false,
): Promise<T | null> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    if (cancelled()) return null;
    const found = find();
    if (found) return found;
    if (Date.now() >= end) return null;
    await sleep(50);
  }
}

/** The mirror's settings view is drawn (its page list exists). */
export function mirrorReady(): boolean {
  return document.querySelector('[data-testid="vm-name"]') !== null;
}

/** Attribute selector value, quoted for `querySelector` (`"` and `\` escaped). */
function quoted(value: string): string {
  return `"${value.replace(/["\\]/g, '\\$&')}"`;
}

/**
 * The visible element of a setting on the mirror: `[data-control="<id>"]`, the one whose
 * `data-instance` (or `data-setting-id`) matches the instance when the setting id has one, else the
 * first visible one. `null` when none is on screen.
 */
export function findControl(settingId: string): HTMLElement | null {
  const hash = settingId.indexOf('#');
  const id = hash === -1 ? settingId : settingId.slice(0, hash);
  const instance = hash === -1 ? undefined : settingId.slice(hash + 1);
  const all = [...document.querySelectorAll<HTMLElement>(`[data-control=${quoted(id)}]`)].filter(isShown);
  if (instance === undefined) return all[0] ?? null;
  return (
    all.find((el) => el.dataset.instance === instance || el.dataset.settingId === settingId) ?? all[0] ?? null
  );
}

/**
 * Brings a setting on screen on the mirror that is open (or opening): waits up to `readyMs` for the
 * mirror, asks it for the setting, and waits up to `controlMs` for the control.
 * @returns the control's element, or `null` when the mirror did not come up or does not draw the
 *   control for this VM (the mirror then still selects the setting in its explanation panel).
 */
export async function showSetting(
  settingId: string,
  opts: { readyMs?: number; controlMs?: number; cancelled?: () => boolean } = {},
): Promise<HTMLElement | null> {
  const cancelled = opts.cancelled ?? (() => false);
  const ready = await waitFor(() => mirrorReady() || null, opts.readyMs ?? 15_000, cancelled);
  if (!ready || cancelled()) return null;
  // Let the mirror's effects (its event listener among them) run before asking.
  await sleep(0);
  const detail: MirrorGotoDetail = { settingId };
  window.dispatchEvent(new CustomEvent(MIRROR_GOTO_EVENT, { detail }));
  const el = await waitFor(() => findControl(settingId), opts.controlMs ?? 3_000, cancelled);
  if (el) {
    // The mirror selects the control once it is drawn; give the explanation panel a moment.
    await waitFor(() => el.getAttribute('aria-pressed') === 'true' || null, 600, cancelled);
  }
  return el;
}

/**
 * The value a control shows, as the user reads it: the explanation panel's value line when it
 * describes this control, else the control's own field text (combo, spin box, slider, text), else
 * its raw `data-value`.
 */
export function shownValue(el: HTMLElement): string {
  const panel = document.querySelector('[data-testid="explain-value"]')?.textContent?.trim() ?? '';
  if (el.getAttribute('aria-pressed') === 'true' && panel && panel !== '—') return panel;
  const field = el.querySelector('.field-text, .spin-value, .field, .info-text')?.textContent?.trim();
  if (field) return field;
  return el.dataset.value ?? '';
}

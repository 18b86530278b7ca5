/**
 * Attaches the navigation, new-window and `<webview>` guards to a `webContents`. Type-only
 * `electron` import: tests pass a fake `webContents` (an EventEmitter with
 * `setWindowOpenHandler`) and check that `preventDefault` is called.
 */

import type { WebContents } from 'electron';
import { shouldAllowNavigation, windowOpenDecision } from './security.ts';

/** The part of `WebContents` that {@link hardenWebContents} uses. */
export type WebContentsLike = Pick<WebContents, 'on' | 'setWindowOpenHandler'>;

/** Options of {@link hardenWebContents}. */
export interface HardenOptions {
  /** Origin the contents may navigate within (`app://bundle`). */
  appOrigin: string;
  /** Safety test for URLs handed to the system browser (`isSafeExternalUrl`). */
  isSafeExternal: (url: string) => boolean;
  /** Opens a safe URL in the system browser (`safeOpenExternal`). */
  openInBrowser: (url: string) => Promise<unknown>;
  /** Called with a one-line English description whenever something is blocked (default: console.warn). */
  log?: (message: string) => void;
}

/**
 * Guards one `webContents`:
 * - `will-navigate`, `will-frame-navigate`, `will-redirect`: `preventDefault` unless the target is
 *   the app origin (parsed with `new URL`);
 * - `setWindowOpenHandler`: always deny; safe `https:` links go to the system browser instead;
 * - `will-attach-webview`: always `preventDefault` (the app uses no `<webview>`).
 */
export function hardenWebContents(contents: WebContentsLike, options: HardenOptions): void {
  const log = options.log ?? ((m: string) => console.warn(`[vm-companion] ${m}`));
  const guard = (kind: string) => (event: { url: string; preventDefault: () => void }) => {
    if (!shouldAllowNavigation(event.url, options.appOrigin)) {
      event.preventDefault();
      log(`blocked ${kind} to ${event.url}`);
    }
  };
  contents.on('will-navigate', guard('navigation'));
  contents.on('will-frame-navigate', guard('frame navigation'));
  contents.on('will-redirect', guard('redirect'));
  contents.on('will-attach-webview', (event) => {
    event.preventDefault();
    log('blocked a <webview>');
  });
  contents.setWindowOpenHandler(({ url }) => {
    const decision = windowOpenDecision(url, options.isSafeExternal);
    if (decision.openExternally) {
      options.openInBrowser(url).catch((err: unknown) => log(`could not open ${url}: ${String(err)}`));
    } else {
      log(`blocked a new window for ${url}`);
    }
    return { action: decision.action };
  });
}

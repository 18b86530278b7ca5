/**
 * Security policy of the Electron main process, as pure functions (no runtime `electron` import,
 * so every decision is unit-testable in Node). `app/main/index.ts` and `app/main/window.ts` wire
 * these into Electron's events. Checklist: /work/shared/reference/electron-and-toolchain.md §2.1.
 */

import type { WebPreferences } from 'electron';

/** Custom scheme the renderer is served from (registered standard + secure). */
export const APP_SCHEME = 'app';
/** Host part of the app URL: `app://bundle/`. */
export const APP_HOST = 'bundle';
/** Origin of the bundled renderer. */
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** URL the main window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Content-Security-Policy sent with every `app://bundle/` response; the same policy as browser
 * mode (`CSP` in app/core/server.ts). `style-src 'unsafe-inline'` is needed by Svelte's style
 * attributes.
 */
export const CONTENT_SECURITY_POLICY =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Options of {@link secureWebPreferences}. */
export interface SecureWebPreferencesOptions {
  /** Allow opening DevTools (development only; default false). */
  devTools?: boolean;
}

/**
 * The one place that builds `webPreferences` for app windows: sandboxed, context-isolated, no
 * Node integration, web security left at its default (on), no experimental or Blink features,
 * spellcheck off, no `<webview>` tag, DevTools off unless asked for.
 *
 * @param preloadPath absolute path to the CJS preload (`out/preload/index.cjs`).
 */
export function secureWebPreferences(
  preloadPath: string,
  options: SecureWebPreferencesOptions = {},
): WebPreferences {
  return {
    preload: preloadPath,
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    experimentalFeatures: false,
    spellcheck: false,
    devTools: options.devTools === true,
    safeDialogs: true,
    navigateOnDragDrop: false,
  };
}

/**
 * Origin of a URL as `<scheme>://<host[:port]>`, or `null` when the text is not a URL or has no
 * host (e.g. `data:`, `about:blank`, `javascript:`). Unlike `URL.origin`, works for custom
 * schemes (`app://bundle/x` → `app://bundle`; Node reports `"null"` for those).
 */
export function originOf(url: string): string | null {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return null;
  }
  if (!parsed.host) return null;
  return `${parsed.protocol}//${parsed.host}`.toLowerCase();
}

/** True when `url` belongs to `appOrigin` (compared as parsed origins, never by prefix). */
export function isAppUrl(url: string, appOrigin: string = APP_ORIGIN): boolean {
  const origin = originOf(url);
  return origin !== null && origin === originOf(appOrigin);
}

/**
 * Decision for `will-navigate` / `will-redirect` / `will-frame-navigate`: true only for URLs of the
 * app origin. Everything else (https sites, `file:`, `data:`, `javascript:`, look-alike hosts
 * such as `app://bundle.evil`) must be prevented.
 */
export function shouldAllowNavigation(url: string, appOrigin: string = APP_ORIGIN): boolean {
  return isAppUrl(url, appOrigin);
}

/**
 * Decision for `setWindowOpenHandler`: never open a window. `openExternally` is true when the URL
 * is safe to hand to the system browser (see `isSafeExternalUrl` in `external.ts`, passed in to
 * keep this module free of the opener).
 */
export function windowOpenDecision(
  url: string,
  isSafeExternal: (url: string) => boolean,
): { action: 'deny'; openExternally: boolean } {
  return { action: 'deny', openExternally: isSafeExternal(url) };
}

/** The only permission granted, and only to the app origin: writing (sanitized) text to the clipboard. */
export const ALLOWED_PERMISSIONS: readonly string[] = ['clipboard-sanitized-write'];

/**
 * Decision for `session.setPermissionRequestHandler` and `setPermissionCheckHandler`. Everything
 * is denied (camera and microphone `media`, `geolocation`, `notifications`, `clipboard-read`,
 * MIDI, HID, serial, USB, `openExternal`, `fullscreen`, …) except `clipboard-sanitized-write`
 * requested by the app origin itself: the explanation panel's "Copy command" button uses
 * `navigator.clipboard.writeText`, which Electron gates behind that permission. Writing
 * sanitized text cannot read anything from the user.
 *
 * @param permission Electron's permission name.
 * @param requestingUrl the requesting URL or origin (`details.requestingUrl` / `requestingOrigin`).
 * @param appOrigin the app origin (default `app://bundle`).
 */
export function decidePermission(
  permission: string,
  requestingUrl?: string,
  appOrigin: string = APP_ORIGIN,
): boolean {
  if (!ALLOWED_PERMISSIONS.includes(permission)) return false;
  return requestingUrl !== undefined && isAppUrl(requestingUrl, appOrigin);
}

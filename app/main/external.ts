/**
 * Opening links in the system browser. This is the ONLY file allowed to call
 * `shell.openExternal` (ESLint bans it elsewhere). The opener (Electron's `shell`) is installed
 * once by `app/main/index.ts`, so this module has no runtime `electron` import and its policy is
 * unit-testable in Node.
 */

import type { Shell } from 'electron';

/** Longest URL we hand to the system (guards against absurd payloads). */
export const MAX_EXTERNAL_URL_LENGTH = 2048;

/**
 * True only for plain `https:` URLs with a host name: no credentials (`https://user@host`), no
 * control characters or whitespace, at most {@link MAX_EXTERNAL_URL_LENGTH} characters. Refuses
 * `http:`, `file:`, `smb:`, `javascript:`, `data:`, UNC paths (`\\host\share`), Windows drive paths
 * and every custom scheme (`vscode:`, `ms-msdt:`, `app:` …).
 */
export function isSafeExternalUrl(url: unknown): url is string {
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_EXTERNAL_URL_LENGTH) return false;
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0020\u007f\\]/.test(url)) return false;
  if (!/^https:\/\//i.test(url)) return false;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol !== 'https:') return false;
  if (!parsed.hostname || parsed.username || parsed.password) return false;
  return true;
}

type Opener = Pick<Shell, 'openExternal'>;
let opener: Opener | null = null;

/** Installs the opener (Electron's `shell`); called once by the main process at start-up. */
export function setExternalOpener(value: Opener | null): void {
  opener = value;
}

/**
 * Opens `url` in the system browser when {@link isSafeExternalUrl} accepts it.
 *
 * @returns true when the URL was handed to the system, false when it was refused.
 * @throws Error when no opener has been installed (programming error).
 */
export async function safeOpenExternal(url: string): Promise<boolean> {
  if (!isSafeExternalUrl(url)) return false;
  if (!opener)
    throw new Error('safeOpenExternal: no opener installed (call setExternalOpener(shell) at start-up).');
  await opener.openExternal(url, { activate: true });
  return true;
}

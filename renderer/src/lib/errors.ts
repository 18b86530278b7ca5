/**
 * What to show for a failure, in the UI language: a sentence the app wrote (a message key of the
 * locales) and/or a detail that came from elsewhere in English — the core's message, or
 * VBoxManage's own output — which is shown as-is behind a label ("VBoxManage said:", "Details:").
 * Pure; components translate `key` and the label of `origin` (`raw.<origin>`).
 */
import { ApiCallError } from './api.ts';

/** Where a shown detail comes from: `core` = VM Companion's host (English), `vboxmanage` = VBoxManage's output. */
export type DetailOrigin = 'core' | 'vboxmanage';

/** A failure to show: an app sentence (`key`), a detail as printed (`detail`), or both. */
export interface ErrorText {
  key?: string;
  detail?: string;
  origin: DetailOrigin;
}

/**
 * Describes a thrown value: browser-mode token and transport failures get the app's own sentence
 * (`error.noToken`, `error.transport`, `error.bridge`) with the technical detail; every other
 * failure is a message from the core, shown as a detail. `origin` overrides the detail's source
 * (e.g. `vboxmanage` where the core passes VBoxManage's text through).
 */
export function describeError(e: unknown, origin: DetailOrigin = 'core'): ErrorText {
  if (e instanceof ApiCallError) {
    if (e.code === 'no_token') return { key: 'error.noToken', origin };
    if (e.code === 'transport') return { key: 'error.transport', detail: e.detail, origin: 'core' };
    if (e.code === 'bridge') return { key: 'error.bridge', detail: e.detail, origin: 'core' };
  }
  const detail = e instanceof Error ? e.message : typeof e === 'string' ? e : String(e);
  return { detail: detail || undefined, origin };
}

/** One line for places with room for text only: the app sentence, then the labelled detail. */
export function errorLine(
  err: ErrorText,
  t: (key: string, options?: { values?: Record<string, string | number> }) => string,
): string {
  const parts: string[] = [];
  if (err.key) parts.push(t(err.key));
  if (err.detail) parts.push(`${t(`raw.${err.origin}`)} ${err.detail}`);
  return parts.join(' ');
}

/**
 * The renderer's single API client, for both transports (see `app/shared/contract.ts`):
 *
 * - **Electron**: the preload exposes `window.api` with one function per channel, named
 *   `functionName(channel)` (`vms:list` → `vmsList`). Errors arrive as `Error('<code>: <message>')`.
 * - **Browser mode** (`npm run serve`): `POST /api/<channel>` with a JSON body and
 *   `Authorization: Bearer <token>`. The token comes from the printed URL's hash (`#token=…`); it is
 *   read once, kept in `sessionStorage` for reloads and removed from the address bar. Errors come
 *   back as JSON `{ error, code }`.
 *
 * Only types are imported from the contract, so zod stays out of the renderer's first screen.
 */
import type { Api, ApiError, Channel, Input, Output } from '../../../app/shared/contract.ts';
import { ApiCallError } from './api-error.ts';

export { ApiCallError };

/** Every channel of the contract; the type check below fails when the contract gains one we miss. */
const CHANNELS = [
  'app:info',
  'vms:list',
  'vms:get',
  'vms:progress',
  'vms:cancel',
  'notes:list',
  'notes:save',
  'vms:history',
  'vms:openFile',
  'media:info',
  'prefs:get',
  'prefs:set',
  'study:content',
  'study:lesson',
  'study:read',
  'study:progress',
  'quiz:answer',
  'tours:progress',
  'search',
  'export:notes',
  'export:report',
  'vms:compare',
] as const satisfies readonly Channel[];
type MissingChannels = Exclude<Channel, (typeof CHANNELS)[number]>;
const _allChannelsListed: [MissingChannels] extends [never] ? true : false = true;
void _allChannelsListed;

/** Key under which the browser-mode token is kept in `sessionStorage`. */
export const TOKEN_STORAGE_KEY = 'vm-companion.token';

/** Message shown when browser mode has no token (the page was opened without the printed URL). */
export const MISSING_TOKEN_MESSAGE = 'Open the URL printed by npm run serve (it carries the access token)';

const ERROR_CODES: readonly ApiError['code'][] = [
  'validation',
  'not_found',
  'forbidden',
  'internal',
  'read_only',
  'conflict',
];

/** Name of the preload function for a channel (same rule as `functionName` in the contract). */
export function preloadName(channel: Channel): string {
  return channel.replace(/[:-](\w)/g, (_m, c: string) => c.toUpperCase());
}

type PreloadApi = Record<string, ((input?: unknown) => Promise<unknown>) | undefined>;

function preload(): PreloadApi | undefined {
  const candidate = (globalThis as { api?: unknown }).api;
  return candidate && typeof candidate === 'object' ? (candidate as PreloadApi) : undefined;
}

/**
 * Takes the token from `location.hash` (`#token=…`) when present, stores it in `sessionStorage` and
 * removes it from the address bar; otherwise returns the stored one. Returns `null` when there is none.
 */
export function takeToken(): string | null {
  const hash = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  const fromHash = new URLSearchParams(hash).get('token');
  if (fromHash) {
    try {
      sessionStorage.setItem(TOKEN_STORAGE_KEY, fromHash);
    } catch {
      // Storage disabled: the token still works for this page view.
    }
    history.replaceState(history.state, '', location.pathname + location.search);
    return fromHash;
  }
  try {
    return sessionStorage.getItem(TOKEN_STORAGE_KEY);
  } catch {
    return null;
  }
}

let token: string | null | undefined;

function httpToken(channel: Channel): string {
  if (token === undefined) token = takeToken();
  if (!token) throw new ApiCallError(channel, 'no_token', MISSING_TOKEN_MESSAGE);
  return token;
}

async function callHttp<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
  const bearer = httpToken(channel);
  let res: Response;
  try {
    res = await fetch(`/api/${encodeURIComponent(channel)}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${bearer}` },
      body: JSON.stringify(input ?? {}),
    });
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    throw new ApiCallError(
      channel,
      'transport',
      `Cannot reach the VM Companion host (${detail}). Is npm run serve still running?`,
      detail,
    );
  }
  const text = await res.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!res.ok) {
    const err = body as Partial<ApiError> | undefined;
    if (err && typeof err.error === 'string') {
      // A host message with a code this client does not know is still the host's message.
      const code = ERROR_CODES.includes(err.code as ApiError['code'])
        ? (err.code as ApiError['code'])
        : 'internal';
      throw new ApiCallError(channel, code, err.error);
    }
    const detail = `${channel}: HTTP ${res.status} ${res.statusText}`.trim();
    throw new ApiCallError(
      channel,
      'transport',
      `${channel} failed: HTTP ${res.status} ${res.statusText}`.trim(),
      detail,
    );
  }
  return body as Output<C>;
}

async function callPreload<C extends Channel>(
  api: PreloadApi,
  channel: C,
  input: Input<C>,
): Promise<Output<C>> {
  const fn = api[preloadName(channel)];
  if (typeof fn !== 'function') {
    throw new ApiCallError(channel, 'bridge', `The app bridge has no function for ${channel}.`, channel);
  }
  try {
    return (await fn(input ?? {})) as Output<C>;
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const m = /^(?:Error invoking remote method '[^']*': (?:Error: )?)?([a-z_]+): ([\s\S]*)$/.exec(message);
    if (m && ERROR_CODES.includes(m[1] as ApiError['code'])) {
      throw new ApiCallError(channel, m[1] as ApiError['code'], m[2]);
    }
    throw new ApiCallError(channel, 'internal', message);
  }
}

/**
 * Calls one channel over whichever transport this page has.
 * @throws ApiCallError with the server's message (and code) when the call fails or browser mode has no token.
 */
export function call<C extends Channel>(channel: C, input: Input<C>): Promise<Output<C>> {
  const bridge = preload();
  return bridge ? callPreload(bridge, channel, input) : callHttp(channel, input);
}

/**
 * Browser mode: reads the token from the address bar now (and removes it from there), before any
 * hash-based navigation touches `location.hash`. Does nothing under Electron.
 */
export function primeToken(): void {
  if (!preload() && token === undefined) token = takeToken();
}

/** Which transport this page uses: `electron` when the preload bridge exists, else `browser`. */
export function transport(): 'electron' | 'browser' {
  return preload() ? 'electron' : 'browser';
}

function build(): Api {
  const out: Partial<Record<Channel, (input: never) => Promise<unknown>>> = {};
  for (const channel of CHANNELS) out[channel] = (input: never) => call(channel, input);
  return out as Api;
}

/** The API, keyed by channel: `await api['vms:list']({ refresh: true })`. */
export const api: Api = build();

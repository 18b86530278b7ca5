/**
 * Preload (sandboxed, built as CommonJS `out/preload/index.cjs`). Exposes exactly one object,
 * `window.api`, with one named function per contract channel (`functionName(channel)`, e.g.
 * `vmsList(input)`), each forwarding to `ipcRenderer.invoke(channel, input)`. Nothing else of
 * Electron or Node is exposed. Runtime imports: `electron` and the zod-free channel table in
 * `./channels.ts` (see there why `app/shared/contract.ts` is imported for types only).
 *
 * The main process answers with an envelope (`app/main/ipc.ts`): the value is returned, an error
 * becomes a rejected `Error` whose message is `<code>: <message>` (e.g. `validation: id: must be a
 * VM UUID`), since only the message survives the context bridge.
 */

import { contextBridge, ipcRenderer } from 'electron';
import type { Channel } from '../shared/contract.ts';
import { CHANNEL_FUNCTIONS } from './channels.ts';

type Envelope =
  { ok: true; value: unknown } | { ok: false; status: number; error: { error: string; code: string } };

async function call(channel: Channel, input: unknown): Promise<unknown> {
  const envelope = (await ipcRenderer.invoke(channel, input ?? {})) as Envelope | undefined;
  if (envelope && envelope.ok === true) return envelope.value;
  const error =
    envelope && envelope.ok === false ? envelope.error : { error: 'Malformed reply.', code: 'internal' };
  throw new Error(`${error.code}: ${error.error}`);
}

const api: Record<string, (input?: unknown) => Promise<unknown>> = {};
for (const [channel, name] of Object.entries(CHANNEL_FUNCTIONS) as [Channel, string][]) {
  api[name] = (input?: unknown) => call(channel, input);
}

contextBridge.exposeInMainWorld('api', Object.freeze(api));

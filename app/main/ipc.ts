/**
 * IPC wiring for the Electron transport: one `ipcMain.handle` per contract channel. Each call is
 * accepted only from the app's own top-level frame (sender origin === app origin, no parent
 * frame); then the shared {@link dispatch} validates the input with the channel's zod schema and
 * runs the handler. No runtime `electron` import: tests pass a fake `ipcMain`.
 *
 * Every handler resolves to an envelope (never throws across IPC): `{ ok: true, value }` or
 * `{ ok: false, status, error }`. The preload unwraps it into a resolved value or a rejected
 * `Error`, so the renderer sees the same behaviour as with the HTTP transport.
 */

import type { IpcMainInvokeEvent } from 'electron';
import { CHANNELS, type Api, type ApiError, type Channel } from '../shared/contract.ts';
import { dispatch, type DispatchResult } from '../core/api/dispatch.ts';
import { originOf } from './security.ts';

/** The part of a `WebFrameMain` the sender check reads. */
export interface SenderFrameLike {
  url: string;
  parent: unknown;
}

/** Why a sender was refused (`null` = accepted). English, for logs and the error payload. */
export function senderRejection(frame: SenderFrameLike | null | undefined, appOrigin: string): string | null {
  if (!frame) return 'no sender frame (the frame was destroyed or navigated away)';
  if (frame.parent !== null) return 'calls from sub-frames are not accepted';
  const origin = originOf(frame.url);
  const expected = originOf(appOrigin);
  if (origin === null || expected === null || origin !== expected) {
    return `calls from ${origin ?? 'an opaque origin'} are not accepted (expected ${expected ?? appOrigin})`;
  }
  return null;
}

/** True when an IPC call from `frame` may be served: app origin, top-level frame. */
export function isTrustedSender(frame: SenderFrameLike | null | undefined, appOrigin: string): boolean {
  return senderRejection(frame, appOrigin) === null;
}

/** What every IPC handler resolves to. */
export type IpcEnvelope = { ok: true; value: unknown } | { ok: false; status: number; error: ApiError };

/** The subset of `IpcMain` used here. */
export interface IpcMainLike {
  handle(channel: string, listener: (event: IpcMainInvokeEvent, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

/** The minimal event shape the wrapper reads (a real `IpcMainInvokeEvent` satisfies it). */
export interface InvokeEventLike {
  senderFrame: SenderFrameLike | null;
}

/**
 * Handles one IPC call: sender check, argument count check, then the shared dispatch
 * (validation + handler). Exposed separately from {@link registerIpc} for tests.
 */
export async function handleInvoke(
  handlers: Api,
  channel: Channel,
  appOrigin: string,
  event: InvokeEventLike,
  args: unknown[],
): Promise<IpcEnvelope> {
  const rejection = senderRejection(event.senderFrame, appOrigin);
  if (rejection !== null) {
    return {
      ok: false,
      status: 403,
      error: { error: `Refused IPC call on ${channel}: ${rejection}.`, code: 'forbidden' },
    };
  }
  if (args.length > 1) {
    return {
      ok: false,
      status: 400,
      error: { error: `${channel} takes one argument (an object), got ${args.length}.`, code: 'validation' },
    };
  }
  let result: DispatchResult;
  try {
    result = await dispatch(handlers, channel, args[0]);
  } catch (err) {
    console.error(`[vm-companion] ${channel} failed:`, err);
    return {
      ok: false,
      status: 500,
      error: { error: `Internal error while handling ${channel}.`, code: 'internal' },
    };
  }
  return result;
}

/**
 * Registers a handler for every channel of the contract on `ipcMain`.
 *
 * @param ipcMain Electron's `ipcMain` (or a fake with `handle`/`removeHandler`).
 * @param handlers the core API (`createHandlers(deps)`).
 * @param appOrigin origin allowed to call (`app://bundle`, or the dev server's origin in development).
 * @returns a function that removes all the handlers again.
 */
export function registerIpc(ipcMain: IpcMainLike, handlers: Api, appOrigin: string): () => void {
  for (const channel of CHANNELS) {
    ipcMain.handle(channel, (event, ...args) => handleInvoke(handlers, channel, appOrigin, event, args));
  }
  return () => {
    for (const channel of CHANNELS) ipcMain.removeHandler(channel);
  };
}

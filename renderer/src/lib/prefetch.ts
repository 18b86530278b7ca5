/**
 * Startup prefetch of the VM list: `main.ts` asks the host for `vms:list` while it still reads the
 * preferences and loads the translations, and the app shell takes that answer for its first list
 * instead of asking again after mounting (one host round trip less before the list is on screen).
 */
import type { Inventory } from '../../../app/shared/contract.ts';
import { api } from './api.ts';

let early: Promise<Inventory> | null = null;

/** Starts `vms:list` (without refresh) now; a failure is kept for {@link takePrefetchedList}'s caller. */
export function prefetchList(): void {
  early = api['vms:list']({});
  early.catch(() => undefined); // not unhandled: the taker sees the rejection
}

/** The prefetched answer, once (later calls, and calls without a prefetch, get null). */
export function takePrefetchedList(): Promise<Inventory> | null {
  const p = early;
  early = null;
  return p;
}

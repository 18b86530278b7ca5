/**
 * Progress of a long inventory read (issue 6): while `vms:list` is pending, the machines list asks
 * `vms:progress` every {@link POLL_MS} ms and shows the VMs `list vms` named before each one is read,
 * "n of N" and a Cancel button (`vms:cancel`). Plain TypeScript (no DOM, no Svelte), so the polling
 * and the counting are unit-tested in Node (tests/unit/read-progress.test.ts).
 */
import type { Inventory, ReadProgress } from '../../../app/shared/contract.ts';
import type { VmSummary } from '../../../app/shared/model.ts';

/** Pause between two `vms:progress` calls, in ms (also the delay before the first one). */
export const POLL_MS = 200;

/** Failed `vms:progress` calls in a row after which polling stops (a host without the channel). */
export const MAX_POLL_FAILURES = 3;

/** Timer functions, replaceable in tests. */
export interface Timers {
  setTimeout: (fn: () => void, ms: number) => unknown;
  clearTimeout: (handle: unknown) => void;
}

/** Options of {@link watchRead}. */
export interface WatchOptions {
  /** Pause between polls in ms (default {@link POLL_MS}); the first poll waits as long too. */
  intervalMs?: number;
  /** Timer functions (default: the global `setTimeout`/`clearTimeout`). */
  timers?: Timers;
}

/** A running watch; {@link ReadWatch.stop} ends it (idempotent). */
export interface ReadWatch {
  /** Stops polling; answers arriving later are dropped. */
  stop(): void;
  /** The last answer passed to `onProgress`, or null when none came yet. */
  last(): ReadProgress | null;
}

const globalTimers: Timers = {
  setTimeout: (fn, ms) => globalThis.setTimeout(fn, ms),
  clearTimeout: (h) => globalThis.clearTimeout(h as ReturnType<typeof globalThis.setTimeout>),
};

/**
 * Polls `poll` (normally `api['vms:progress']`) while `pending` (the `vms:list` call) is unsettled
 * and hands every answer to `onProgress`. The first poll waits `intervalMs`, so a list that comes
 * back quickly costs no extra call; a poll starts only after the previous one answered (never two at
 * once). Polling ends when `pending` settles (either way), when {@link ReadWatch.stop} is called,
 * or after {@link MAX_POLL_FAILURES} failed polls in a row. Never throws; `pending`'s rejection is
 * left to its owner.
 */
export function watchRead(
  pending: Promise<unknown>,
  poll: () => Promise<ReadProgress>,
  onProgress: (p: ReadProgress) => void,
  options: WatchOptions = {},
): ReadWatch {
  const interval = options.intervalMs ?? POLL_MS;
  const timers = options.timers ?? globalTimers;
  let stopped = false;
  let timer: unknown = null;
  let failures = 0;
  let latest: ReadProgress | null = null;

  const stop = (): void => {
    if (stopped) return;
    stopped = true;
    if (timer !== null) timers.clearTimeout(timer);
    timer = null;
  };
  const schedule = (): void => {
    if (stopped) return;
    timer = timers.setTimeout(tick, interval);
  };
  function tick(): void {
    timer = null;
    if (stopped) return;
    poll().then(
      (p) => {
        if (stopped) return;
        failures = 0;
        latest = p;
        onProgress(p);
        schedule();
      },
      () => {
        if (stopped) return;
        failures++;
        if (failures >= MAX_POLL_FAILURES) stop();
        else schedule();
      },
    );
  }

  pending.then(stop, stop);
  schedule();
  return { stop, last: () => latest };
}

/**
 * True when a progress answer polled while `vms:list` is still pending has something to show: any
 * phase but `idle` (a host without progress answers `idle`). `done` and `cancelled` count too: the
 * read can end a moment before its list arrives, and the line then stays until the list replaces it.
 */
export function hasProgress(p: ReadProgress | null | undefined): p is ReadProgress {
  return !!p && p.phase !== 'idle';
}

/**
 * The locale key and values of the progress line: "Looking for VBoxManage…", "Listing…", or
 * "n of N" (`readProgress.reading`) once the VMs are being read (also for `done`/`cancelled`).
 */
export function progressMessage(p: ReadProgress): { key: string; values?: { done: number; total: number } } {
  if (p.phase === 'locating' || p.phase === 'listing') return { key: `readProgress.${p.phase}` };
  return { key: 'readProgress.reading', values: { done: Math.min(p.done, p.total), total: p.total } };
}

/**
 * Whether a VM that `vms:progress` listed has been read already: `list vms` gives only a name, an
 * id and `accessible`, so a listed VM that carries what only reading it gives (OS type, vCPUs or
 * memory) is read. A VM listed as inaccessible has nothing to read (its row shows why). Others are
 * still "reading…".
 */
export function isListedVmRead(vm: VmSummary): boolean {
  if (!vm.accessible) return true;
  return vm.osType !== undefined || vm.cpus !== undefined || vm.memoryMB !== undefined;
}

/** What a cancelled read left out (see {@link notReadAfterCancel}). */
export interface NotRead {
  /** Ids of the VMs listed as readable and not read, inaccessible in the inventory (lower case). */
  ids: string[];
  /** How many VMs were not read: `ids.length` when the listing was known, else `total − done`. */
  count: number;
}

/**
 * The VMs a cancelled read (`Inventory.cancelled`) did not read, from the progress answer polled
 * after the list came back: the service replaces a VM's listing row by its summary once it is read
 * (an unreadable VM's row then says `accessible: false`), so the VMs the inventory lists as
 * inaccessible whose row is still a readable listing row are the ones left out. Without a listing in
 * `last`, only the count is known, from `total − done`. An inventory that was not cancelled left
 * nothing out.
 */
export function notReadAfterCancel(inventory: Inventory, last: ReadProgress | null | undefined): NotRead {
  if (!inventory.cancelled) return { ids: [], count: 0 };
  if (last?.listed) {
    const wasReadable = new Set(last.listed.filter((v) => v.accessible).map((v) => v.id.toLowerCase()));
    const ids = inventory.vms
      .filter((v) => !v.accessible && wasReadable.has(v.id.toLowerCase()))
      .map((v) => v.id.toLowerCase());
    return { ids, count: ids.length };
  }
  return { ids: [], count: last ? Math.max(0, last.total - last.done) : 0 };
}

/**
 * The notice after a cancelled read (`Inventory.cancelled`), as a locale key and its values:
 * `readProgress.cancelledBeforeListing` when the cancel came before VirtualBox listed its VMs
 * (`Inventory.cancelledBeforeListing`: an empty list then says nothing about the VMs), else
 * `readProgress.cancelled` with `n` VMs not read. Null for a read that was not cancelled.
 */
export function cancelledNotice(
  inventory: Inventory,
  notRead: NotRead,
): { key: string; values?: Record<string, number> } | null {
  if (!inventory.cancelled) return null;
  if (inventory.cancelledBeforeListing) return { key: 'readProgress.cancelledBeforeListing' };
  return { key: 'readProgress.cancelled', values: { n: notRead.count } };
}

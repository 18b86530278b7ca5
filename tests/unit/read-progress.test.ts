import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Inventory, ReadProgress } from '../../app/shared/contract.ts';
import type { VmSummary } from '../../app/shared/model.ts';
import {
  MAX_POLL_FAILURES,
  POLL_MS,
  hasProgress,
  isListedVmRead,
  notReadAfterCancel,
  progressMessage,
  watchRead,
} from '../../renderer/src/lib/read-progress.ts';

/** A promise with its resolve/reject exposed. */
function deferred<T>(): { promise: Promise<T>; resolve: (v: T) => void; reject: (e: unknown) => void } {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

const vm = (id: string, extra: Partial<VmSummary> = {}): VmSummary => ({
  id,
  hypervisor: 'virtualbox',
  source: 'vboxmanage',
  name: `vm ${id.slice(0, 4)}`,
  accessible: true,
  findings: 0,
  ...extra,
});

const A = '8c722e19-bd30-4eb3-b36a-95fc4e20c072';
const B = '02fd76af-2bae-4c98-add1-4d802a2f77fa';
const C = '9155aa93-6360-4d1e-8cd9-20c32ecacf6d';
const D = '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13';

const reading = (done: number, total: number, listed?: VmSummary[]): ReadProgress => ({
  reading: true,
  phase: 'reading',
  done,
  total,
  listed,
});

describe('watchRead', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('makes no call when the list comes back within the first interval', async () => {
    const list = deferred<string>();
    const poll = vi.fn(async () => reading(0, 3));
    const seen: ReadProgress[] = [];
    watchRead(list.promise, poll, (p) => seen.push(p));
    await vi.advanceTimersByTimeAsync(POLL_MS - 1);
    list.resolve('inventory');
    await vi.advanceTimersByTimeAsync(POLL_MS * 5);
    expect(poll).not.toHaveBeenCalled();
    expect(seen).toEqual([]);
  });

  it('polls every interval while the list is pending, hands each answer over, and stops when it resolves', async () => {
    const list = deferred<string>();
    let done = 0;
    const poll = vi.fn(async () => reading(done++, 8));
    const seen: number[] = [];
    const w = watchRead(list.promise, poll, (p) => seen.push(p.done));
    expect(w.last()).toBeNull();
    await vi.advanceTimersByTimeAsync(POLL_MS);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(POLL_MS * 3);
    expect(poll).toHaveBeenCalledTimes(4);
    expect(seen).toEqual([0, 1, 2, 3]);
    expect(w.last()?.done).toBe(3);
    list.resolve('inventory');
    await vi.advanceTimersByTimeAsync(POLL_MS * 10);
    expect(poll).toHaveBeenCalledTimes(4);
  });

  it('stops as well when the list call fails', async () => {
    const list = deferred<string>();
    list.promise.catch(() => undefined);
    const poll = vi.fn(async () => reading(1, 2));
    watchRead(list.promise, poll, () => undefined, { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(250);
    expect(poll).toHaveBeenCalledTimes(2);
    list.reject(new Error('internal: boom'));
    await vi.advanceTimersByTimeAsync(1000);
    expect(poll).toHaveBeenCalledTimes(2);
  });

  it('never has two polls in flight: the next waits for the previous answer', async () => {
    const list = deferred<string>();
    const answers: ReturnType<typeof deferred<ReadProgress>>[] = [];
    const poll = vi.fn(() => {
      const d = deferred<ReadProgress>();
      answers.push(d);
      return d.promise;
    });
    const seen: number[] = [];
    watchRead(list.promise, poll, (p) => seen.push(p.done), { intervalMs: 100 });
    await vi.advanceTimersByTimeAsync(1000); // the first answer is slow
    expect(poll).toHaveBeenCalledTimes(1);
    answers[0].resolve(reading(5, 9));
    await vi.advanceTimersByTimeAsync(99);
    expect(poll).toHaveBeenCalledTimes(1);
    await vi.advanceTimersByTimeAsync(1);
    expect(poll).toHaveBeenCalledTimes(2);
    expect(seen).toEqual([5]);
  });

  it('drops an answer that arrives after stop() and polls no more', async () => {
    const list = deferred<string>();
    const answer = deferred<ReadProgress>();
    const poll = vi.fn(() => answer.promise);
    const onProgress = vi.fn();
    const w = watchRead(list.promise, poll, onProgress, { intervalMs: 50 });
    await vi.advanceTimersByTimeAsync(50);
    w.stop();
    w.stop(); // idempotent
    answer.resolve(reading(1, 1));
    await vi.advanceTimersByTimeAsync(500);
    expect(onProgress).not.toHaveBeenCalled();
    expect(poll).toHaveBeenCalledTimes(1);
  });

  it(`gives up after ${MAX_POLL_FAILURES} failed polls in a row, and a success resets the count`, async () => {
    const list = deferred<string>();
    const results = ['fail', 'fail', 'ok', 'fail', 'fail', 'fail', 'ok'];
    const poll = vi.fn(async () => {
      if (results.shift() === 'fail') throw new Error('validation: unknown channel');
      return reading(1, 2);
    });
    const onProgress = vi.fn();
    watchRead(list.promise, poll, onProgress, { intervalMs: 10 });
    await vi.advanceTimersByTimeAsync(1000);
    expect(poll).toHaveBeenCalledTimes(6);
    expect(onProgress).toHaveBeenCalledTimes(1);
  });

  it('uses the timers it is given', async () => {
    const list = deferred<string>();
    const delays: number[] = [];
    let cleared = 0;
    const w = watchRead(
      list.promise,
      async () => reading(0, 1),
      () => undefined,
      {
        intervalMs: 250,
        timers: {
          setTimeout: (_fn, ms) => {
            delays.push(ms);
            return delays.length;
          },
          clearTimeout: () => {
            cleared++;
          },
        },
      },
    );
    expect(delays).toEqual([250]);
    w.stop();
    expect(cleared).toBe(1);
  });
});

describe('hasProgress and progressMessage', () => {
  it('shows nothing for a host that answers idle, something for every other phase', () => {
    expect(hasProgress(null)).toBe(false);
    expect(hasProgress({ reading: false, phase: 'idle', done: 0, total: 0 })).toBe(false);
    expect(hasProgress({ reading: true, phase: 'locating', done: 0, total: 0 })).toBe(true);
    expect(hasProgress({ reading: false, phase: 'done', done: 8, total: 8 })).toBe(true);
  });

  it('names the phase before the VMs are counted, then n of N', () => {
    expect(progressMessage({ reading: true, phase: 'locating', done: 0, total: 0 })).toEqual({
      key: 'readProgress.locating',
    });
    expect(progressMessage({ reading: true, phase: 'listing', done: 0, total: 0 })).toEqual({
      key: 'readProgress.listing',
    });
    expect(progressMessage(reading(12, 100))).toEqual({
      key: 'readProgress.reading',
      values: { done: 12, total: 100 },
    });
    // Never "9 of 8".
    expect(progressMessage({ reading: false, phase: 'done', done: 9, total: 8 }).values).toEqual({
      done: 8,
      total: 8,
    });
  });
});

describe('isListedVmRead', () => {
  it('a VM as list vms names it (name, id, accessible) is not read yet', () => {
    expect(isListedVmRead(vm(A))).toBe(false);
    expect(isListedVmRead(vm(A, { state: 'running' }))).toBe(false);
  });
  it('a VM with OS type, vCPUs or memory has been read; an inaccessible one has nothing to read', () => {
    expect(isListedVmRead(vm(A, { osType: 'Ubuntu (64-bit)' }))).toBe(true);
    expect(isListedVmRead(vm(A, { cpus: 2 }))).toBe(true);
    expect(isListedVmRead(vm(A, { memoryMB: 2048 }))).toBe(true);
    expect(isListedVmRead(vm(D, { accessible: false, name: '<inaccessible>' }))).toBe(true);
  });
});

describe('notReadAfterCancel', () => {
  const inventory = (vms: VmSummary[], cancelled?: boolean): Inventory =>
    ({ vms, demo: false, cancelled }) as unknown as Inventory;
  const notReadError = 'Not read: you cancelled reading the VMs. Refresh to read them.';

  it('an inventory that was not cancelled left nothing out', () => {
    expect(notReadAfterCancel(inventory([vm(A, { accessible: false })]), reading(0, 1, [vm(A)]))).toEqual({
      ids: [],
      count: 0,
    });
  });

  it('names the VMs still listed readable and inaccessible after the cancel, not those whose row says unreadable', () => {
    // A was read (its row replaced by its summary); B and C were not read; D was listed inaccessible.
    const listed = [
      vm(A, { osType: 'Ubuntu (64-bit)', cpus: 2 }),
      vm(B.toUpperCase()),
      vm(C),
      vm(D, { accessible: false, name: '<inaccessible>' }),
    ];
    const after = inventory(
      [
        vm(A, { osType: 'Ubuntu (64-bit)', cpus: 2 }),
        vm(B, { accessible: false, error: notReadError }),
        vm(C, { accessible: false, error: notReadError }),
        vm(D, { accessible: false, name: '<inaccessible>', error: 'File not found.' }),
      ],
      true,
    );
    expect(notReadAfterCancel(after, reading(1, 4, listed))).toEqual({ ids: [B, C], count: 2 });
  });

  it('a VM whose read failed before the cancel is not counted as not read', () => {
    const failed = 'VBoxManage: error: Could not find a registered machine with UUID {…}';
    const listed = [vm(A, { accessible: false, error: failed }), vm(B)];
    const after = inventory(
      [vm(A, { accessible: false, error: failed }), vm(B, { accessible: false, error: notReadError })],
      true,
    );
    expect(
      notReadAfterCancel(after, { reading: false, phase: 'cancelled', done: 1, total: 2, listed }),
    ).toEqual({ ids: [B], count: 1 });
  });

  it('without a listing, counts total − done (never below 0)', () => {
    const after = inventory([vm(A, { accessible: false })], true);
    expect(notReadAfterCancel(after, { reading: false, phase: 'cancelled', done: 3, total: 8 })).toEqual({
      ids: [],
      count: 5,
    });
    expect(notReadAfterCancel(after, { reading: false, phase: 'cancelled', done: 9, total: 8 }).count).toBe(
      0,
    );
    expect(notReadAfterCancel(after, null)).toEqual({ ids: [], count: 0 });
  });
});

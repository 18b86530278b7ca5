import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../../renderer/src/lib/api-error.ts';
import {
  DEBOUNCE_MS,
  DRAFT_KEY_PREFIX,
  NoteAutosave,
  RETRY_EVERY_MS,
  clearDraft,
  draftKey,
  draftTimeText,
  isRetryableSaveError,
  listDrafts,
  readDraft,
  retryDelay,
  unsavedDrafts,
  writeDraft,
  type DraftStorage,
} from '../../renderer/src/lib/note-drafts.ts';

/** A `localStorage` stand-in; `failWrites` makes setItem throw like a full or blocked storage. */
class MemoryStorage implements DraftStorage {
  readonly map = new Map<string, string>();
  failWrites = false;
  get length(): number {
    return this.map.size;
  }
  key(index: number): string | null {
    return [...this.map.keys()][index] ?? null;
  }
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    if (this.failWrites) throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

// The lab scenario's VMs (tests/fixtures): a readable one and another one.
const VM = '8c722e19-bd30-4eb3-b36a-95fc4e20c072';
const OTHER = '02fd76af-2bae-4c98-add1-4d802a2f77fa';
const CPUS = 'system.processor.cpus';
const NIC2 = 'network.adapter.attachment#2';

describe('draft storage', () => {
  it('keys a draft by VM id and setting id, both URI-encoded; the VM note has its own key', () => {
    expect(draftKey(VM, CPUS)).toBe(`vm-companion.noteDraft:${VM}:system.processor.cpus`);
    expect(draftKey(VM, NIC2)).toBe(`vm-companion.noteDraft:${VM}:network.adapter.attachment%232`);
    expect(draftKey(VM, '')).toBe(`vm-companion.noteDraft:${VM}:`);
    // A file-opened VM's id may hold a colon: encoding keeps the two parts apart.
    expect(draftKey('file:/vms/a.vbox', 'x')).toBe(`${DRAFT_KEY_PREFIX}file%3A%2Fvms%2Fa.vbox:x`);
    expect(draftKey('a:b', 'c')).not.toBe(draftKey('a', 'b:c'));
  });

  it('writes, reads and clears a draft with its text and time', () => {
    const s = new MemoryStorage();
    expect(readDraft(s, VM, CPUS)).toBeNull();
    expect(writeDraft(s, VM, CPUS, 'Two vCPUs are enough', 1_700_000_000_000)).toBe(true);
    expect(JSON.parse(s.getItem(draftKey(VM, CPUS))!)).toEqual({
      v: 1,
      body: 'Two vCPUs are enough',
      at: 1_700_000_000_000,
    });
    expect(readDraft(s, VM, CPUS)).toEqual({
      vmId: VM,
      settingId: CPUS,
      body: 'Two vCPUs are enough',
      at: 1_700_000_000_000,
    });
    expect(readDraft(s, OTHER, CPUS)).toBeNull();
    expect(clearDraft(s, VM, CPUS)).toBe(true);
    expect(readDraft(s, VM, CPUS)).toBeNull();
    expect(clearDraft(s, VM, CPUS)).toBe(false);
  });

  it('clears only a draft holding exactly the confirmed text when asked so', () => {
    const s = new MemoryStorage();
    writeDraft(s, VM, CPUS, 'typed after the save started', 2);
    expect(clearDraft(s, VM, CPUS, 'what the host confirmed')).toBe(false);
    expect(readDraft(s, VM, CPUS)?.body).toBe('typed after the save started');
    expect(clearDraft(s, VM, CPUS, 'typed after the save started')).toBe(true);
    expect(s.map.size).toBe(0);
  });

  it('ignores values that are not drafts without deleting them, and never throws', () => {
    const s = new MemoryStorage();
    for (const raw of [
      'not json',
      '{"body":1,"at":2}',
      '{"body":"x"}',
      '{"body":"x","at":null}',
      'null',
      '3',
    ]) {
      s.setItem(draftKey(VM, CPUS), raw);
      expect(readDraft(s, VM, CPUS), raw).toBeNull();
      expect(s.getItem(draftKey(VM, CPUS))).toBe(raw);
      expect(listDrafts(s, VM)).toEqual([]);
    }
    expect(readDraft(null, VM, CPUS)).toBeNull();
    expect(writeDraft(null, VM, CPUS, 'x', 1)).toBe(false);
    expect(clearDraft(null, VM, CPUS)).toBe(false);
    expect(listDrafts(null, VM)).toEqual([]);
    const throwing = {
      get length(): number {
        throw new Error('denied');
      },
      key: () => null,
      getItem: () => {
        throw new Error('denied');
      },
      setItem: () => {
        throw new Error('denied');
      },
      removeItem: () => {
        throw new Error('denied');
      },
    } satisfies DraftStorage;
    expect(readDraft(throwing, VM, CPUS)).toBeNull();
    expect(writeDraft(throwing, VM, CPUS, 'x', 1)).toBe(false);
    expect(clearDraft(throwing, VM, CPUS)).toBe(false);
    expect(listDrafts(throwing, VM)).toEqual([]);
  });

  it('reports a refused write (full or blocked storage)', () => {
    const s = new MemoryStorage();
    s.failWrites = true;
    expect(writeDraft(s, VM, CPUS, 'x', 1)).toBe(false);
    expect(readDraft(s, VM, CPUS)).toBeNull();
  });

  it('lists the drafts of one VM oldest first, and those the host does not have', () => {
    const s = new MemoryStorage();
    writeDraft(s, VM, CPUS, 'cpu draft', 300);
    writeDraft(s, VM, '', 'vm draft', 100);
    writeDraft(s, VM, NIC2, 'same as stored', 200);
    writeDraft(s, OTHER, CPUS, 'other vm', 50);
    s.setItem('vm-companion.settingsMode', 'basic');
    expect(listDrafts(s, VM).map((d) => [d.settingId, d.body])).toEqual([
      ['', 'vm draft'],
      [NIC2, 'same as stored'],
      [CPUS, 'cpu draft'],
    ]);
    const stored: Record<string, string> = { [NIC2]: 'same as stored', [CPUS]: 'older saved text' };
    expect(unsavedDrafts(s, VM, (id) => stored[id] ?? '').map((d) => d.settingId)).toEqual(['', CPUS]);
    expect(listDrafts(s, OTHER).map((d) => d.body)).toEqual(['other vm']);
  });
});

describe('retries and errors', () => {
  it('waits 1 s, 2 s, 5 s, then 10 s between retries', () => {
    expect([0, 1, 2, 3, 4, 50].map(retryDelay)).toEqual([1000, 2000, 5000, 10_000, 10_000, 10_000]);
    expect(RETRY_EVERY_MS).toBe(10_000);
  });

  it('retries an unreachable or failing host, not a wrong token or rejected input', () => {
    const t = (code: ApiCallError['code']): ApiCallError => new ApiCallError('notes:save', code, 'x');
    expect(isRetryableSaveError(t('transport'))).toBe(true);
    expect(isRetryableSaveError(t('internal'))).toBe(true);
    expect(isRetryableSaveError(new TypeError('Failed to fetch'))).toBe(true);
    expect(isRetryableSaveError('odd')).toBe(true);
    for (const code of ['forbidden', 'no_token', 'validation', 'read_only', 'bridge', 'not_found'] as const) {
      expect(isRetryableSaveError(t(code)), code).toBe(false);
    }
  });

  it('says when a draft was typed: the time alone on the same day, else the date too', () => {
    const at = Date.UTC(2025, 2, 14, 9, 5);
    expect(draftTimeText(at, Date.UTC(2025, 2, 14, 23, 0), 'en', 'UTC')).toMatch(/^9:05\sAM$/u);
    expect(draftTimeText(at, Date.UTC(2025, 2, 14, 23, 0), 'zh-CN', 'UTC')).toBe('09:05');
    expect(draftTimeText(at, Date.UTC(2025, 2, 15, 0, 30), 'en', 'UTC')).toMatch(
      /^Mar 14, 2025,?\s9:05\sAM$/u,
    );
    expect(draftTimeText(at, Date.UTC(2025, 2, 15, 0, 30), 'zh-CN', 'UTC')).toMatch(
      /^2025年3月14日\s?09:05$/u,
    );
  });
});

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

const down = (): ApiCallError =>
  new ApiCallError('notes:save', 'transport', 'Cannot reach the VM Companion host', 'Failed to fetch');

describe('NoteAutosave', () => {
  let storage: MemoryStorage;
  let host: Map<string, string>;
  let calls: string[];
  let hostUp: boolean;
  let clock: number;

  /** An autosave on CPUS whose `save` writes to `host` (or fails while `hostUp` is false). */
  function make(stored = '', extra: Partial<ConstructorParameters<typeof NoteAutosave<string>>[0]> = {}) {
    const saved: string[] = [];
    const auto = new NoteAutosave<string>({
      vmId: VM,
      settingId: CPUS,
      stored,
      storage,
      now: () => clock,
      save: async (body) => {
        calls.push(body);
        if (!hostUp) throw down();
        host.set(CPUS, body);
        return body;
      },
      onsaved: (r) => saved.push(r),
      ...extra,
    });
    return { auto, saved };
  }

  beforeEach(() => {
    vi.useFakeTimers();
    storage = new MemoryStorage();
    host = new Map();
    calls = [];
    hostUp = true;
    clock = 1_700_000_000_000;
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('keeps a draft from the first keystroke, saves 500 ms after the last one and then drops the draft', async () => {
    const { auto, saved } = make();
    expect(auto.state).toBe('idle');
    auto.input('F');
    expect(readDraft(storage, VM, CPUS)).toMatchObject({ body: 'F', at: clock });
    expect(auto.state).toBe('pending');
    clock += 200;
    auto.input('Fo');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS - 1);
    expect(calls).toEqual([]);
    expect(readDraft(storage, VM, CPUS)).toMatchObject({ body: 'Fo', at: clock });
    await vi.advanceTimersByTimeAsync(1);
    expect(calls).toEqual(['Fo']);
    expect(auto.state).toBe('saved');
    expect(saved).toEqual(['Fo']);
    expect(host.get(CPUS)).toBe('Fo');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
    expect(auto.dirty).toBe(false);
  });

  it('keeps the newer draft when text is typed while a save is in flight, and saves it next', async () => {
    const first = deferred<string>();
    const second = deferred<string>();
    const bodies: string[] = [];
    const { auto } = make('', {
      save: (body) => {
        bodies.push(body);
        return bodies.length === 1 ? first.promise : second.promise;
      },
    });
    auto.input('Four vCPUs');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(auto.state).toBe('saving');
    auto.input('Four vCPUs is too many');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS); // debounce fires while the first save is in flight
    expect(bodies).toEqual(['Four vCPUs']);
    first.resolve('Four vCPUs');
    await vi.advanceTimersByTimeAsync(0);
    // The confirmed save was of the older text: the draft with the newer one stays until it is saved.
    expect(bodies).toEqual(['Four vCPUs', 'Four vCPUs is too many']);
    expect(readDraft(storage, VM, CPUS)?.body).toBe('Four vCPUs is too many');
    expect(auto.state).toBe('saving');
    second.resolve('Four vCPUs is too many');
    await vi.advanceTimersByTimeAsync(0);
    expect(auto.state).toBe('saved');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('after a failed save says retrying, keeps the draft and retries after 1 s, 2 s, 5 s, then every 10 s', async () => {
    hostUp = false;
    const { auto } = make('old note');
    auto.input('new note');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls).toHaveLength(1);
    expect(auto.state).toBe('retrying');
    expect((auto.error as ApiCallError).code).toBe('transport');
    expect(auto.needsUnloadPrompt).toBe(true);
    expect(readDraft(storage, VM, CPUS)?.body).toBe('new note');
    const times: number[] = [];
    let t = 0;
    for (const step of [1000, 2000, 5000, 10_000, 10_000]) {
      await vi.advanceTimersByTimeAsync(step - 1);
      t += step - 1;
      const before = calls.length;
      await vi.advanceTimersByTimeAsync(1);
      t += 1;
      expect(calls.length, `retry after ${step} ms`).toBe(before + 1);
      times.push(t);
    }
    expect(times).toEqual([1000, 3000, 8000, 18_000, 28_000]);
    expect(auto.failures).toBe(6);
    expect(auto.state).toBe('retrying');

    hostUp = true;
    await vi.advanceTimersByTimeAsync(RETRY_EVERY_MS);
    expect(auto.state).toBe('saved');
    expect(auto.error).toBeNull();
    expect(auto.failures).toBe(0);
    expect(host.get(CPUS)).toBe('new note');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
    expect(auto.needsUnloadPrompt).toBe(false);
    const n = calls.length;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls.length).toBe(n);
  });

  it('keeps saying "retrying" while the user types on after a failure, and saves the latest text', async () => {
    hostUp = false;
    const { auto } = make();
    auto.input('a');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(auto.state).toBe('retrying');
    auto.input('ab');
    expect(auto.state).toBe('retrying');
    hostUp = true;
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls).toEqual(['a', 'ab']);
    expect(auto.state).toBe('saved');
    expect(host.get(CPUS)).toBe('ab');
  });

  it('"Retry now" saves at once and replaces the scheduled retry', async () => {
    hostUp = false;
    const { auto } = make();
    auto.input('x');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls).toHaveLength(1);
    hostUp = true;
    auto.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['x', 'x']);
    expect(auto.state).toBe('saved');
    await vi.advanceTimersByTimeAsync(30_000);
    expect(calls).toHaveLength(2);
  });

  it('does not retry by itself when a retry cannot help (wrong token), but "Retry now" still tries', async () => {
    const { auto } = make('', {
      save: async (body) => {
        calls.push(body);
        throw new ApiCallError('notes:save', 'forbidden', 'Missing or wrong API token.');
      },
    });
    auto.input('x');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(auto.state).toBe('failed');
    expect(auto.needsUnloadPrompt).toBe(true);
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toHaveLength(1);
    auto.retryNow();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(2);
    expect(readDraft(storage, VM, CPUS)?.body).toBe('x');
  });

  it('stops retrying once disposed and leaves the draft for the next editor', async () => {
    hostUp = false;
    const { auto } = make('saved text');
    auto.input('unsaved text');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    auto.dispose();
    // One last try as the editor goes away, then no more.
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual(['unsaved text', 'unsaved text']);
    expect(readDraft(storage, VM, CPUS)?.body).toBe('unsaved text');
    auto.input('ignored after dispose');
    expect(readDraft(storage, VM, CPUS)?.body).toBe('unsaved text');
  });

  it('saves text typed within the debounce once more when disposed (switching settings)', async () => {
    const { auto } = make();
    auto.input('quick');
    auto.dispose();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['quick']);
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('flush saves at once (blur, page hide); nothing to save leaves the state alone', async () => {
    const { auto } = make('same');
    auto.flush();
    expect(auto.state).toBe('idle');
    auto.input('same!');
    auto.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toEqual(['same!']);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS * 2);
    expect(calls).toEqual(['same!']);
  });

  it('typing back to the saved text needs no save and leaves no draft', async () => {
    const { auto } = make('abc');
    auto.input('abcd');
    auto.input('abc');
    expect(readDraft(storage, VM, CPUS)?.body).toBe('abc');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(calls).toEqual([]);
    expect(auto.state).toBe('saved');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('does not ask before leaving while only the debounce or a save is pending', async () => {
    const pending = deferred<string>();
    const { auto } = make('', { save: () => pending.promise });
    auto.input('x');
    expect(auto.needsUnloadPrompt).toBe(false);
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(auto.state).toBe('saving');
    expect(auto.needsUnloadPrompt).toBe(false);
    pending.resolve('x');
  });

  it('restores a draft the host does not have, shows it, and saves it on start', async () => {
    writeDraft(storage, VM, CPUS, 'draft typed while the host was down', 1_699_999_000_000);
    const { auto, saved } = make('older stored note');
    expect(auto.body).toBe('draft typed while the host was down');
    expect(auto.restored).toEqual({
      vmId: VM,
      settingId: CPUS,
      body: 'draft typed while the host was down',
      at: 1_699_999_000_000,
    });
    expect(auto.state).toBe('pending');
    auto.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(saved).toEqual(['draft typed while the host was down']);
    expect(auto.state).toBe('saved');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
    // The notice stays until dismissed.
    expect(auto.restored).not.toBeNull();
    auto.keepDraft();
    expect(auto.restored).toBeNull();
  });

  it('drops a draft equal to the stored note (saved just before the page went away) without showing it', () => {
    writeDraft(storage, VM, CPUS, 'same text', 5);
    const { auto } = make('same text');
    expect(auto.restored).toBeNull();
    expect(auto.body).toBe('same text');
    expect(auto.state).toBe('idle');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('"Discard draft" puts the stored note back, on the host too when the draft was saved over it', async () => {
    writeDraft(storage, VM, CPUS, 'draft', 5);
    host.set(CPUS, 'stored');
    const { auto } = make('stored');
    auto.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(host.get(CPUS)).toBe('draft');
    expect(auto.discardDraft()).toBe('stored');
    expect(auto.restored).toBeNull();
    await vi.advanceTimersByTimeAsync(0);
    expect(host.get(CPUS)).toBe('stored');
    expect(auto.state).toBe('saved');
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('"Discard draft" before the restored draft could be saved leaves the host untouched', async () => {
    hostUp = false;
    writeDraft(storage, VM, CPUS, 'draft', 5);
    const { auto } = make('stored');
    auto.start();
    await vi.advanceTimersByTimeAsync(0);
    expect(auto.state).toBe('retrying');
    expect(auto.discardDraft()).toBe('stored');
    expect(auto.state).toBe('saved');
    expect(auto.error).toBeNull();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(calls).toEqual(['draft']);
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('keeps working without storage (drafts off): autosave and retries as usual', async () => {
    hostUp = false;
    const { auto } = make('', { storage: null });
    auto.input('x');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    expect(auto.state).toBe('retrying');
    hostUp = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(auto.state).toBe('saved');
    expect(host.get(CPUS)).toBe('x');
  });

  it('tells its owner about every change of state', async () => {
    const seen: string[] = [];
    hostUp = false;
    const holder: { auto?: NoteAutosave<string> } = {};
    const { auto } = make('', { onchange: () => seen.push(holder.auto!.state) });
    holder.auto = auto;
    auto.input('x');
    await vi.advanceTimersByTimeAsync(DEBOUNCE_MS);
    hostUp = true;
    await vi.advanceTimersByTimeAsync(1000);
    expect(seen.filter((s, i) => s !== seen[i - 1])).toEqual(['pending', 'saving', 'retrying', 'saved']);
  });
});

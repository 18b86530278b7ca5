import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiCallError } from '../../renderer/src/lib/api-error.ts';
import {
  COUNTER_FROM_CHARS,
  NOTE_MAX_CHARS,
  NoteAutosave,
  draftKey,
  isConflictError,
  isRetryableSaveError,
  lengthInfo,
  readDraft,
  type DraftStorage,
  type StoredVersion,
} from '../../renderer/src/lib/note-drafts.ts';

class MemoryStorage implements DraftStorage {
  readonly map = new Map<string, string>();
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
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

const VM = '8c722e19-bd30-4eb3-b36a-95fc4e20c072';
const CPUS = 'system.processor.cpus';

/** A host with one note and optimistic concurrency like Store.saveNote. */
class FakeHost {
  note: StoredVersion | null = null;
  tick = 0;
  calls: { body: string; base: string | undefined }[] = [];
  save(body: string, base: string | undefined): StoredVersion {
    this.calls.push({ body, base });
    if (base !== undefined && (this.note?.updatedAt ?? '') !== base)
      throw new ApiCallError('notes:save', 'conflict', 'Not saved: changed in another window.');
    this.note = { body, updatedAt: `t${++this.tick}` };
    return this.note;
  }
}

describe('NoteAutosave conflict path', () => {
  let storage: MemoryStorage;
  let host: FakeHost;

  function make(stored: string, base: string) {
    return new NoteAutosave<StoredVersion>({
      vmId: VM,
      settingId: CPUS,
      stored,
      baseUpdatedAt: base,
      storage,
      save: async (body, b) => host.save(body, b),
      savedBase: (r) => r.updatedAt,
      fetchStored: async () => host.note,
    });
  }

  beforeEach(() => {
    vi.useFakeTimers();
    storage = new MemoryStorage();
    host = new FakeHost();
  });
  afterEach(() => vi.useRealTimers());

  it('a conflict is final: no retry, the draft keeps the text, both versions are offered', async () => {
    const a = make('', '');
    a.input('line 1 from tab A');
    await vi.advanceTimersByTimeAsync(600);
    expect(a.state).toBe('saved');
    expect(a.base).toBe('t1');
    // Tab B saves on top of it.
    const b = make('line 1 from tab A', 't1');
    b.input('line 1 from tab A\nline 2 added in tab B');
    await vi.advanceTimersByTimeAsync(600);
    expect(host.note).toEqual({ body: 'line 1 from tab A\nline 2 added in tab B', updatedAt: 't2' });
    // Tab A, still on its old copy.
    a.input('line 1 from tab A + more from A');
    await vi.advanceTimersByTimeAsync(600);
    expect(a.state).toBe('conflict');
    expect(isConflictError(a.error)).toBe(true);
    expect(isRetryableSaveError(a.error)).toBe(false);
    expect(a.conflict).toEqual({ body: 'line 1 from tab A\nline 2 added in tab B', updatedAt: 't2' });
    expect(readDraft(storage, VM, CPUS)?.body).toBe('line 1 from tab A + more from A');
    expect(a.needsUnloadPrompt).toBe(true);
    // No automatic retry, and typing or retryNow does not save either.
    const before = host.calls.length;
    a.input('line 1 from tab A + more from A!');
    a.retryNow();
    a.flush();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(host.calls.length).toBe(before);
    expect(host.note?.body).toBe('line 1 from tab A\nline 2 added in tab B');
    expect(readDraft(storage, VM, CPUS)?.body).toBe('line 1 from tab A + more from A!');
    // "Keep mine" saves over, with the other version as base.
    a.keepMine();
    await vi.advanceTimersByTimeAsync(0);
    expect(host.calls.at(-1)).toEqual({ body: 'line 1 from tab A + more from A!', base: 't2' });
    expect(host.note).toEqual({ body: 'line 1 from tab A + more from A!', updatedAt: 't3' });
    expect(a.state).toBe('saved');
    expect(a.conflict).toBeNull();
    expect(readDraft(storage, VM, CPUS)).toBeNull();
  });

  it('"Use theirs" shows the stored text, drops the draft and bases later saves on it', async () => {
    host.note = { body: 'theirs', updatedAt: 't7' };
    host.tick = 7;
    const a = make('old', 't5');
    a.input('mine');
    await vi.advanceTimersByTimeAsync(600);
    expect(a.state).toBe('conflict');
    expect(a.useTheirs()).toBe('theirs');
    expect(a.body).toBe('theirs');
    expect(a.state).toBe('saved');
    expect(a.dirty).toBe(false);
    expect(storage.getItem(draftKey(VM, CPUS))).toBeNull();
    a.input('theirs, then mine');
    await vi.advanceTimersByTimeAsync(600);
    expect(host.calls.at(-1)).toEqual({ body: 'theirs, then mine', base: 't7' });
    expect(a.state).toBe('saved');
  });

  it('dispose during a conflict sends nothing and keeps the draft', async () => {
    host.note = { body: 'theirs', updatedAt: 't1' };
    const a = make('', '');
    a.input('mine');
    await vi.advanceTimersByTimeAsync(600);
    expect(a.state).toBe('conflict');
    const n = host.calls.length;
    a.dispose();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(host.calls.length).toBe(n);
    expect(readDraft(storage, VM, CPUS)?.body).toBe('mine');
  });

  it('without a known base, saves are sent without baseUpdatedAt (overwrite, as before)', async () => {
    host.note = { body: 'theirs', updatedAt: 't1' };
    const a = new NoteAutosave<StoredVersion>({
      vmId: VM,
      settingId: CPUS,
      stored: 'theirs',
      storage,
      save: async (body, b) => host.save(body, b),
    });
    a.input('mine');
    await vi.advanceTimersByTimeAsync(600);
    expect(host.calls).toEqual([{ body: 'mine', base: undefined }]);
    expect(a.state).toBe('saved');
  });
});

describe('note length limit', () => {
  it('shows the counter from 90 000 characters and the amount over 100 000', () => {
    expect(NOTE_MAX_CHARS).toBe(100_000);
    expect(lengthInfo(89_999)).toEqual({ length: 89_999, max: 100_000, showCounter: false, over: 0 });
    expect(lengthInfo(COUNTER_FROM_CHARS)).toMatchObject({ showCounter: true, over: 0 });
    expect(lengthInfo(95_000)).toEqual({ length: 95_000, max: 100_000, showCounter: true, over: 0 });
    expect(lengthInfo(100_000).over).toBe(0);
    expect(lengthInfo(100_250)).toEqual({ length: 100_250, max: 100_000, showCounter: true, over: 250 });
  });

  it('does not send a text over the limit: state toolong, draft kept, no retry; back under it saves', async () => {
    vi.useFakeTimers();
    try {
      const storage = new MemoryStorage();
      const sent: string[] = [];
      const a = new NoteAutosave<string>({
        vmId: VM,
        settingId: CPUS,
        stored: '',
        storage,
        save: async (body) => {
          sent.push(body);
          return body;
        },
      });
      const long = 'x'.repeat(100_001);
      a.input(long);
      await vi.advanceTimersByTimeAsync(600);
      expect(a.state).toBe('toolong');
      expect(sent).toEqual([]);
      expect(readDraft(storage, VM, CPUS)?.body.length).toBe(100_001);
      expect(a.needsUnloadPrompt).toBe(true);
      a.flush();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(sent).toEqual([]);
      expect(a.state).toBe('toolong');
      a.input('x'.repeat(100_000));
      await vi.advanceTimersByTimeAsync(600);
      expect(sent.map((s) => s.length)).toEqual([100_000]);
      expect(a.state).toBe('saved');
      expect(readDraft(storage, VM, CPUS)).toBeNull();
    } finally {
      vi.useRealTimers();
    }
  });
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../app/core/api/dispatch.ts';
import { createHandlers, type InventoryProvider } from '../../app/core/api/handlers.ts';
import { DB_FILE_NAME, NoteConflictError, openStore, type Store } from '../../app/core/store/index.ts';
import type { Api } from '../../app/shared/contract.ts';

// The lab scenario's readable VM (tests/fixtures) and a setting the mirror shows.
const VM = '8c722e19-bd30-4eb3-b36a-95fc4e20c072';
const CPUS = 'system.processor.cpus';

let dir: string;
let store: Store;
let clock: number;
let handlers: Api;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-conflict-'));
  clock = Date.parse('2025-01-02T03:04:05.000Z');
  store = openStore(dir, { now: () => new Date(clock) });
  const inventory = {
    list: vi.fn(async () => {
      throw new Error('not used');
    }),
    get: vi.fn(async () => {
      throw new Error('not used');
    }),
    openFile: vi.fn(async () => {
      throw new Error('not used');
    }),
    invalidate: vi.fn(() => {}),
  } satisfies InventoryProvider;
  handlers = createHandlers({
    store,
    inventory,
    mode: 'browser',
    dataDir: dir,
    systemLocale: 'en',
    version: '0.1.0',
    platform: 'linux',
  });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Store.saveNote with baseUpdatedAt', () => {
  it('first save of a new note: base "" is accepted, a made-up base is refused', () => {
    expect(() => store.saveNote(VM, CPUS, 'x', '2025-01-01T00:00:00.000Z')).toThrow(NoteConflictError);
    expect(store.listNotes(VM)).toEqual([]);
    const first = store.saveNote(VM, CPUS, 'line 1 from tab A', '');
    expect(first.updatedAt).toBe('2025-01-02T03:04:05.000Z');
    expect(store.listNotes(VM).map((n) => n.body)).toEqual(['line 1 from tab A']);
  });

  it('accepts a save based on the stored version and refuses one based on an older version', () => {
    const a1 = store.saveNote(VM, CPUS, 'line 1 from tab A', '');
    clock += 1000;
    const b = store.saveNote(VM, CPUS, 'line 1 from tab A\nline 2 added in tab B', a1.updatedAt);
    expect(b.updatedAt).toBe('2025-01-02T03:04:06.000Z');
    clock += 1000;
    let caught: unknown;
    try {
      store.saveNote(VM, CPUS, 'line 1 from tab A + more from A', a1.updatedAt);
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(NoteConflictError);
    expect((caught as NoteConflictError).current).toEqual({
      vmId: VM,
      settingId: CPUS,
      body: 'line 1 from tab A\nline 2 added in tab B',
      updatedAt: '2025-01-02T03:04:06.000Z',
    });
    // Nothing written by the refused save.
    expect(store.listNotes(VM)[0]!.body).toBe('line 1 from tab A\nline 2 added in tab B');
    // "Keep mine": the same text with the new base goes through.
    const kept = store.saveNote(VM, CPUS, 'line 1 from tab A + more from A', b.updatedAt);
    expect(kept.updatedAt).toBe('2025-01-02T03:04:07.000Z');
    expect(store.listNotes(VM)[0]!.body).toBe('line 1 from tab A + more from A');
  });

  it('two saves within the same millisecond still get different updatedAt (no shared base)', () => {
    const a = store.saveNote(VM, CPUS, 'one', '');
    const b = store.saveNote(VM, CPUS, 'two', a.updatedAt);
    expect(b.updatedAt).toBe('2025-01-02T03:04:05.001Z');
    expect(() => store.saveNote(VM, CPUS, 'three', a.updatedAt)).toThrow(NoteConflictError);
  });

  it('a note emptied elsewhere conflicts with current null; without a base the save overwrites as before', () => {
    const a = store.saveNote(VM, CPUS, 'text', '');
    clock += 5;
    store.saveNote(VM, CPUS, '   ');
    expect(() => store.saveNote(VM, CPUS, 'mine', a.updatedAt)).toThrow(
      expect.objectContaining({ current: null }),
    );
    clock += 5;
    store.saveNote(VM, CPUS, 'overwrite 1');
    clock += 5;
    expect(store.saveNote(VM, CPUS, 'overwrite 2').body).toBe('overwrite 2');
    expect(store.listNotes(VM)[0]!.body).toBe('overwrite 2');
  });
});

describe('notes:save handler with baseUpdatedAt', () => {
  it('answers 409 conflict with the stored note; unchanged base and no base save', async () => {
    const first = await dispatch(handlers, 'notes:save', {
      vmId: VM,
      settingId: '',
      body: 'line 1 from tab A',
      baseUpdatedAt: '',
    });
    expect(first).toMatchObject({ ok: true, value: { body: 'line 1 from tab A' } });
    const base = (first as { value: { updatedAt: string } }).value.updatedAt;
    clock += 1000;
    const b = await dispatch(handlers, 'notes:save', {
      vmId: VM,
      settingId: '',
      body: 'line 1 from tab A\nline 2 added in tab B',
      baseUpdatedAt: base,
    });
    expect(b.ok).toBe(true);
    clock += 1000;
    const stale = await dispatch(handlers, 'notes:save', {
      vmId: VM,
      settingId: '',
      body: 'line 1 from tab A + more from A',
      baseUpdatedAt: base,
    });
    expect(stale).toEqual({
      ok: false,
      status: 409,
      error: {
        code: 'conflict',
        error: expect.stringContaining('changed in another window'),
        current: {
          vmId: VM,
          settingId: '',
          body: 'line 1 from tab A\nline 2 added in tab B',
          updatedAt: '2025-01-02T03:04:06.000Z',
        },
      },
    });
    // An old client without a base still overwrites.
    const old = await dispatch(handlers, 'notes:save', { vmId: VM, settingId: '', body: 'from the CLI' });
    expect(old).toMatchObject({ ok: true, value: { body: 'from the CLI' } });
    expect((await handlers['notes:list']({ vmId: VM }))[0]!.body).toBe('from the CLI');
  });
});

describe.skipIf(process.platform === 'win32')('file modes of the store', () => {
  it('creates the data folder 0700 and the database, -wal and -shm 0600 whatever the umask', () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-modes-'));
    const dataDir = path.join(root, 'a', 'vm-companion');
    const oldMask = process.umask(0o022);
    try {
      const s = openStore(dataDir);
      s.saveNote(VM, CPUS, 'private text');
      const file = path.join(dataDir, DB_FILE_NAME);
      const mode = (f: string): number => fs.statSync(f).mode & 0o777;
      expect(mode(dataDir)).toBe(0o700);
      expect(mode(path.join(root, 'a'))).toBe(0o700);
      expect(mode(file)).toBe(0o600);
      expect(fs.existsSync(`${file}-wal`)).toBe(true);
      expect(mode(`${file}-wal`)).toBe(0o600);
      expect(mode(`${file}-shm`)).toBe(0o600);
      s.close();
      // An older version's 0644 files are tightened on the next open; the user's folder mode is kept.
      fs.chmodSync(file, 0o644);
      fs.chmodSync(dataDir, 0o755);
      const again = openStore(dataDir);
      expect(mode(file)).toBe(0o600);
      expect(mode(dataDir)).toBe(0o755);
      again.close();
    } finally {
      process.umask(oldMask);
      fs.rmSync(root, { recursive: true, force: true });
    }
  });
});

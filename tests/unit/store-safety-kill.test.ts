import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStoreSafely } from '../../app/core/store/index.ts';

/**
 * Issue 6, data safety: a writer process saving notes is SIGKILLed at random points, STORE_KILLS
 * times (default 100) over STORE_KILL_LANES parallel data folders (default 2). After every kill
 * the database is reopened the way the app opens it: it must open cleanly (not "recovered", not
 * read-only), `PRAGMA integrity_check` must say `ok`, and every note whose save returned in the
 * child (it printed the acknowledgement after `saveNote` returned) must be there with its body.
 * One kill in five lands before the store is open — often during the migrations of a new folder.
 */

const KILLS = Number(process.env.STORE_KILLS ?? 100);
const LANES = Math.max(1, Number(process.env.STORE_KILL_LANES ?? 2));
const WRITER = path.resolve(import.meta.dirname, '../helpers/kill-writer.ts');
const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-kill-'));

afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

/** Same formula as kill-writer.ts. */
const bodyOf = (tag: string, i: number, len: number): string => `${tag}:${i}:${'x'.repeat(len)}`;

interface Run {
  opened: string | undefined;
  /** Milliseconds from spawn to the `open` line. */
  openMs: number;
  notes: Map<number, number>;
  lastAck: number;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts the writer, kills it `delayMs` after its `open` line (or after spawn when `beforeOpen`). */
function runAndKill(dir: string, tag: string, delayMs: number, beforeOpen: boolean): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [WRITER, dir, tag], { stdio: ['ignore', 'pipe', 'pipe'] });
    const t0 = performance.now();
    const run: Run = {
      opened: undefined,
      openMs: 0,
      notes: new Map(),
      lastAck: -1,
      signal: null,
      stderr: '',
    };
    let buf = '';
    let timer: NodeJS.Timeout | undefined;
    const kill = (): void => {
      child.kill('SIGKILL');
    };
    if (beforeOpen) timer = setTimeout(kill, delayMs);
    const safety = setTimeout(kill, 10_000);
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buf += chunk;
      const lines = buf.split('\n');
      buf = lines.pop()!; // a line cut by the kill is not an acknowledgement
      for (const line of lines) {
        const [kind, a, b] = line.split(' ');
        if (kind === 'n') run.notes.set(Number(a), Number(b));
        else if (kind === 'l') run.lastAck = Number(a);
        else {
          run.opened = line;
          run.openMs = performance.now() - t0;
          if (!beforeOpen) timer ??= setTimeout(kill, delayMs);
        }
      }
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (c: string) => (run.stderr += c));
    child.on('error', reject);
    child.on('close', (_code, signal) => {
      clearTimeout(timer);
      clearTimeout(safety);
      run.signal = signal;
      resolve(run);
    });
  });
}

/** Reopens `dir` like the app and checks integrity and every acknowledged note of `tag`s. */
function verify(dir: string, acked: Map<string, { notes: Map<number, number>; lastAck: number }>): number {
  const store = openStoreSafely(dir);
  try {
    expect(store.recovered?.message).toBeUndefined();
    expect(store.readOnly?.message).toBeUndefined();
    expect(store.db.pragma('integrity_check', { simple: true })).toBe('ok');
    let checked = 0;
    for (const [tag, { notes, lastAck }] of acked) {
      const saved = new Map(store.listNotes(`kill-${tag}`).map((n) => [n.settingId, n.body]));
      for (const [i, len] of notes) {
        expect(saved.get(`n${i}`), `note n${i} of run ${tag} was acknowledged`).toBe(bodyOf(tag, i, len));
        checked++;
      }
      if (lastAck >= 0) expect(Number(saved.get('last'))).toBeGreaterThanOrEqual(lastAck);
    }
    return checked;
  } finally {
    store.close();
  }
}

describe('SIGKILL while saving notes', () => {
  it(`loses no acknowledged note and keeps the database intact over ${KILLS} kills`, async () => {
    let seed = 20261129;
    const rand = (): number => {
      seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
      return seed / 2 ** 32;
    };
    let openMs = 250; // refined from the runs: how long the writer takes to open the store
    let kills = 0;
    let acknowledged = 0;
    let killedBeforeOpen = 0;

    const lane = async (l: number, count: number): Promise<void> => {
      const main = path.join(root, `lane${l}`);
      const acked = new Map<string, { notes: Map<number, number>; lastAck: number }>();
      for (let k = 0; k < count; k++) {
        const early = k % 5 === 4;
        // Early kills hit a brand-new folder half of the time: creation and migrations.
        const dir = early && k % 10 === 9 ? path.join(root, `lane${l}-fresh${k}`) : main;
        const tag = `${l}-${k}`;
        const delay = early ? rand() * openMs : rand() * 40;
        const run = await runAndKill(dir, tag, delay, early);
        expect(run.signal, `writer ${tag} died on its own: ${run.stderr}`).toBe('SIGKILL');
        if (run.opened !== undefined) {
          expect(run.opened).toBe('open');
          openMs = 0.7 * openMs + 0.3 * run.openMs;
        } else killedBeforeOpen++;
        kills++;
        if (dir === main) {
          acked.set(tag, { notes: run.notes, lastAck: run.lastAck });
          acknowledged += run.notes.size;
        }
        // This run's notes now (earlier runs' notes were checked after their own kill and are
        // checked again at the end; integrity_check covers damage in between).
        verify(dir, dir === main ? new Map([[tag, acked.get(tag)!]]) : new Map());
      }
      // The acknowledged notes of every run in this lane, once more at the end.
      verify(main, acked);
    };

    const per = Math.floor(KILLS / LANES);
    await Promise.all(Array.from({ length: LANES }, (_, l) => lane(l, per + (l < KILLS % LANES ? 1 : 0))));
    expect(kills).toBe(KILLS);
    expect(acknowledged).toBeGreaterThan(KILLS); // writes really happened between kills
    if (KILLS >= 20) expect(killedBeforeOpen).toBeGreaterThan(0);
    expect(
      (fs.readdirSync(root, { recursive: true }) as string[]).filter((f) => f.includes('.corrupt-')),
    ).toEqual([]);
    console.log(
      `store kill test: ${kills} SIGKILLs (${killedBeforeOpen} before the store was open), ${acknowledged} acknowledged notes all present, integrity ok`,
    );
  }, 600_000);
});

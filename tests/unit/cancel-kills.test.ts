import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ChildRunError, killAllChildren, runChild } from '../../app/core/child-run.ts';

/** A Node child that ignores SIGTERM, writes its pid and its working folder to `file`, then waits forever. */
const STUBBORN = `process.on('SIGTERM', () => {});
require('fs').writeFileSync(process.argv[1], JSON.stringify({ pid: process.pid, cwd: process.cwd() }));
setInterval(() => {}, 1000);`;

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ESRCH');
    return false;
  }
}

async function waitFor<T>(fn: () => T | undefined, ms: number): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = fn();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 25));
  }
}

function started(file: string): Promise<{ pid: number; cwd: string }> {
  return waitFor(() => {
    try {
      const text = fs.readFileSync(file, 'utf8');
      return text ? (JSON.parse(text) as { pid: number; cwd: string }) : undefined;
    } catch {
      return undefined;
    }
  }, 10_000);
}

function tmp(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'cancel-kills-'));
  dirs.push(d);
  return d;
}

describe('runChild abort escalates like the deadline', () => {
  it('abort: fails `aborted` at once, SIGTERM is ignored, SIGKILL after the grace: the pid is gone', async () => {
    const file = path.join(tmp(), 'pid.json');
    const ac = new AbortController();
    const grace = 500;
    const p = runChild(process.execPath, ['-e', STUBBORN, file], {
      timeoutMs: 60_000,
      maxBufferBytes: 1 << 20,
      killGraceMs: grace,
      env: { PATH: process.env.PATH ?? '' },
      signal: ac.signal,
    });
    const { pid, cwd } = await started(file);
    // Children run in a harmless folder, never the host's working folder.
    expect(fs.realpathSync(cwd)).toBe(fs.realpathSync(os.tmpdir()));
    expect(alive(pid)).toBe(true);
    const t0 = Date.now();
    ac.abort();
    const err = await p.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ChildRunError);
    expect((err as ChildRunError).failure).toEqual({ kind: 'aborted' });
    expect(Date.now() - t0).toBeLessThan(grace);
    // Still alive right after the abort (it ignores SIGTERM) …
    expect(alive(pid)).toBe(true);
    // … and gone within grace + 1 s.
    await waitFor(() => (alive(pid) ? undefined : true), grace + 1_000);
    expect(alive(pid)).toBe(false);
  });

  it('killAllChildren: SIGTERM, then SIGKILL after the grace, for every running child', async () => {
    const d = tmp();
    const files = [path.join(d, 'a.json'), path.join(d, 'b.json')];
    const runs = files.map((f) =>
      runChild(process.execPath, ['-e', STUBBORN, f], {
        timeoutMs: 60_000,
        maxBufferBytes: 1 << 20,
        killGraceMs: 60_000,
        env: { PATH: process.env.PATH ?? '' },
      }).catch((e: unknown) => e),
    );
    const pids = (await Promise.all(files.map(started))).map((s) => s.pid);
    expect(pids.every(alive)).toBe(true);
    const n = await killAllChildren(300);
    expect(n).toBe(2);
    await waitFor(() => (pids.some(alive) ? undefined : true), 1_300);
    const results = await Promise.all(runs);
    for (const r of results) expect(r).toBeInstanceOf(ChildRunError);
  });
});

/**
 * app/core/child-run.ts, the one way the read-only runners (VBoxManage, virsh) start a child: each
 * typed failure from a real child (Node itself, run with `-e`), no shell, the FIFO queue, the
 * minimal environment. The runners' own messages are tested in runner.test.ts and kvm-virsh.test.ts.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  ChildRunError,
  RunQueue,
  byteSize,
  failureText,
  minimalEnv,
  runChild,
  type ChildFailure,
  type ChildRunOptions,
} from '../../app/core/child-run.ts';

const NODE = process.execPath;
const opts = (over: Partial<ChildRunOptions> = {}): ChildRunOptions => ({
  timeoutMs: 5000,
  maxBufferBytes: 1024 * 1024,
  killGraceMs: 200,
  env: { PATH: process.env.PATH },
  ...over,
});

async function failure(p: Promise<unknown>): Promise<ChildFailure> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(ChildRunError);
  return (err as ChildRunError).failure;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('runChild', () => {
  it('passes arguments as they are (no shell) and resolves with the output on exit 0', async () => {
    const r = await runChild(
      NODE,
      ['-e', 'process.stdout.write(JSON.stringify(process.argv.slice(1)))', '$(touch x); ls | cat &', '-rf'],
      opts(),
    );
    expect(JSON.parse(r.stdout)).toEqual(['$(touch x); ls | cat &', '-rf']);
    expect(r.stderr).toBe('');
  });

  it('exit: the code and what was printed', async () => {
    const f = await failure(
      runChild(
        NODE,
        ['-e', 'process.stdout.write("out"); process.stderr.write("err"); process.exit(3)'],
        opts(),
      ),
    );
    expect(f).toEqual({ kind: 'exit', exitCode: 3, stdout: 'out', stderr: 'err' });
  });

  it('not_found for a missing file, cannot_run for a folder', async () => {
    expect(await failure(runChild('/nonexistent/tool', [], opts()))).toEqual({ kind: 'not_found' });
    const f = await failure(runChild('/tmp', [], opts()));
    expect(f.kind).toBe('cannot_run');
  });

  it('timeout: a child ignoring SIGTERM is killed after the grace period', async () => {
    const pidFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-child-')), 'pid');
    const started = Date.now();
    const f = await failure(
      runChild(
        NODE,
        [
          '-e',
          'require("fs").writeFileSync(process.argv[1], String(process.pid)); process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)',
          pidFile,
        ],
        opts({ timeoutMs: 500 }),
      ),
    );
    expect(f).toEqual({ kind: 'timeout', afterKill: false });
    expect(Date.now() - started).toBeLessThan(3000);
    expect(alive(Number(fs.readFileSync(pidFile, 'utf8')))).toBe(false);
    fs.rmSync(path.dirname(pidFile), { recursive: true, force: true });
  });

  it('too_large: output over the cap stops the child', async () => {
    const f = await failure(
      runChild(
        NODE,
        ['-e', 'const s = "x".repeat(65536); for (;;) process.stdout.write(s)'],
        opts({ maxBufferBytes: 100_000 }),
      ),
    );
    expect(f).toEqual({ kind: 'too_large' });
  });

  it('aborted: the signal stops a running child', async () => {
    const ac = new AbortController();
    const p = runChild(NODE, ['-e', 'setInterval(() => {}, 1000)'], opts({ signal: ac.signal }));
    setTimeout(() => ac.abort(), 100);
    expect(await failure(p)).toEqual({ kind: 'aborted' });
  });

  it('signal: a child ended by a signal nobody here sent', async () => {
    const f = await failure(runChild(NODE, ['-e', 'process.kill(process.pid, "SIGKILL")'], opts()));
    expect(f).toMatchObject({ kind: 'signal', signal: 'SIGKILL' });
  });

  it('the child gets exactly the environment given', async () => {
    const r = await runChild(
      NODE,
      ['-e', 'process.stdout.write(JSON.stringify(process.env))'],
      opts({ env: { A: '1' } }),
    );
    expect(JSON.parse(r.stdout)).toEqual({ A: '1' });
  });
});

describe('RunQueue', () => {
  it('runs at most `concurrency` holders, hands slots over in FIFO order, drops an aborted waiter', async () => {
    const q = new RunQueue(1.7);
    expect(q.concurrency).toBe(1);
    const order: string[] = [];
    await q.acquire(undefined, () => new Error('x'));
    const ac = new AbortController();
    const b = q.acquire(undefined, () => new Error('b')).then(() => order.push('b'));
    const c = q
      .acquire(ac.signal, () => new Error('c aborted'))
      .then(
        () => order.push('c'),
        (e: Error) => order.push(e.message),
      );
    const d = q.acquire(undefined, () => new Error('d')).then(() => order.push('d'));
    ac.abort();
    await c;
    q.release();
    await b;
    q.release();
    await d;
    expect(order).toEqual(['c aborted', 'b', 'd']);
    expect(new RunQueue(0).concurrency).toBe(1);
  });
});

describe('minimalEnv and byteSize', () => {
  it('copies only the named variables, sets the locale on Unix, matches Windows names case-insensitively', () => {
    const source = { PATH: '/bin', HOME: '/h', SECRET: 's', Path: 'C:\\w', systemroot: 'C:\\Windows' };
    expect(minimalEnv(source, 'linux', { unix: ['PATH', 'HOME'], win: [] }, 'C.UTF-8', { X: '1' })).toEqual({
      PATH: '/bin',
      HOME: '/h',
      LC_ALL: 'C.UTF-8',
      LANG: 'C.UTF-8',
      X: '1',
    });
    const win = minimalEnv(
      { Path: 'C:\\w', systemroot: 'C:\\Windows', SECRET: 's' },
      'win32',
      { unix: [], win: ['PATH', 'SystemRoot'] },
      'C.UTF-8',
    );
    expect(win).toEqual({ PATH: 'C:\\w', SystemRoot: 'C:\\Windows' });
  });

  it('names sizes in MiB/KiB when whole, always with the bytes', () => {
    expect(byteSize(16 * 1024 * 1024)).toBe('16 MiB (16777216 bytes)');
    expect(byteSize(2048)).toBe('2 KiB (2048 bytes)');
    expect(byteSize(1500)).toBe('1500 bytes');
  });
});

describe('failureText', () => {
  it('words every failure but exit the same way for both runners', () => {
    const ctx = {
      tool: 'virsh',
      path: '/usr/bin/virsh',
      command: 'virsh list --all (test:///default)',
      timeoutMs: 1500,
      maxBufferBytes: 2048,
    };
    expect(failureText({ kind: 'aborted' }, ctx)).toEqual({
      kind: 'aborted',
      message: 'virsh list --all (test:///default) was cancelled',
    });
    expect(failureText({ kind: 'cannot_run', code: 'EACCES' }, ctx)).toEqual({
      kind: 'not_found',
      message: 'virsh at /usr/bin/virsh cannot be run (EACCES)',
    });
    expect(failureText({ kind: 'too_large' }, ctx).message).toBe(
      'virsh list --all (test:///default) printed more than 2 KiB (2048 bytes) and was stopped',
    );
    expect(failureText({ kind: 'timeout', afterKill: true }, ctx).message).toBe(
      'virsh list --all (test:///default) timed out (no answer even after SIGKILL); it was stopped',
    );
    expect(failureText({ kind: 'signal', signal: 'SIGSEGV', stderr: '' }, ctx)).toEqual({
      kind: 'exit',
      message: 'virsh list --all (test:///default) was stopped by signal SIGSEGV',
    });
  });
});

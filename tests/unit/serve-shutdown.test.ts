/**
 * Browser mode stops on SIGTERM even while a read is stuck: `app/core/serve.ts` runs as a real child
 * process with a stand-in whose `list vms` never answers and which ignores SIGTERM; after SIGTERM the
 * host exits within a few seconds and no stand-in process is left (the stand-in log has their pids).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { STAND_IN, readStandInCalls, tempLog, writeScenario } from '../helpers/stand-in.ts';

const root = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

/** True while `pid` runs (a zombie waiting for its new parent to reap it counts as ended). */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    if (process.platform === 'linux') {
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z')) return false;
    }
    return true;
  } catch (err) {
    expect(['ESRCH', 'ENOENT']).toContain((err as NodeJS.ErrnoException).code);
    return false;
  }
}

const URL_LINE = /VM Companion \(browser mode\) at http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64})/;

describe('serve.ts shutdown', () => {
  it('SIGTERM during a stuck read: exits within 5 s, no stand-in child left', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'serve-shutdown-'));
    dirs.push(dataDir);
    const scenario = writeScenario(dir, {
      ignoreSigterm: true,
      commandErrors: [{ argv: ['list', 'vms'], hang: true }],
    });
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VM_COMPANION_DATA_DIR: dataDir,
      VBOXMANAGE: STAND_IN,
      VBOX_STANDIN_SCENARIO: scenario,
      VBOX_STANDIN_LOG: logFile,
      PORT: '0',
    };
    const child = spawn(process.execPath, ['app/core/serve.ts'], {
      cwd: root,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let out = '';
    child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
    const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    let m: RegExpExecArray | null = null;
    for (let i = 0; i < 300 && !m; i++) {
      m = URL_LINE.exec(out);
      if (!m) await new Promise((r) => setTimeout(r, 50));
    }
    if (!m) throw new Error(`serve printed no URL:\n${out}`);
    const [, port, token] = m;
    // The read hangs: do not await its answer.
    void fetch(`http://127.0.0.1:${port}/api/vms:list`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      body: '{}',
    }).catch(() => undefined);
    for (let i = 0; i < 200; i++) {
      if (readStandInCalls(logFile).some((c) => c.argv.join(' ') === 'list vms')) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const calls = readStandInCalls(logFile);
    expect(calls.map((c) => c.argv.join(' '))).toContain('list vms');
    const hung = calls.filter((c) => c.hang).map((c) => c.pid);
    expect(hung.length).toBeGreaterThan(0);
    expect(hung.every(alive)).toBe(true);

    const t0 = Date.now();
    child.kill('SIGTERM');
    const code = await Promise.race([exit, new Promise<'late'>((r) => setTimeout(() => r('late'), 5_000))]);
    expect(code, out).not.toBe('late');
    expect(Date.now() - t0).toBeLessThan(5_000);
    expect(out).toContain('SIGTERM received, stopping.');
    // SIGKILL was sent before the exit; give the kernel a moment to end and reap them.
    const pids = readStandInCalls(logFile).map((c) => c.pid);
    for (let i = 0; i < 80 && pids.some(alive); i++) await new Promise((r) => setTimeout(r, 25));
    for (const c of readStandInCalls(logFile))
      expect(alive(c.pid), `stand-in ${c.pid} ${c.argv.join(' ')} (code ${String(code)}):\n${out}`).toBe(
        false,
      );
  }, 20_000);
});

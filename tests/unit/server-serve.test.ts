import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { parsePort } from '../../app/core/serve.ts';
import type { Inventory, VmDetail } from '../../app/shared/contract.ts';
import { STAND_IN, assertOnlyReadVerbs, loadScenario, standInEnv, tempLog } from '../helpers/stand-in.ts';

/** `npm run serve`'s entry, started as a real process on the pinned Node, against the stand-in lab. */

const root = path.resolve(import.meta.dirname, '../..');
const LAB = loadScenario('lab');
const children: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function serve(
  args: string[],
  env: NodeJS.ProcessEnv,
): { child: ChildProcess; output: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, ['app/core/serve.ts', ...args], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.push(child);
  let out = '';
  child.stdout?.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (out += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, output: () => out, exit };
}

async function waitFor(
  re: RegExp,
  output: () => string,
  exit: Promise<number | null>,
): Promise<RegExpExecArray> {
  let exited = false;
  void exit.then(() => (exited = true));
  for (let i = 0; i < 200; i++) {
    const m = re.exec(output());
    if (m) return m;
    if (exited) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no match for ${re} in:\n${output()}`);
}

describe('npm run serve entry (app/core/serve.ts)', () => {
  it('serves the lab through HTTP: prints URL and data location, vms:list returns every lab VM, SIGTERM stops it', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const dataDir = path.join(dir, 'data');
    const port = await freePort();
    const { child, output, exit } = serve(['--port', String(port)], {
      ...process.env,
      VBOXMANAGE: STAND_IN,
      VM_COMPANION_DATA_DIR: dataDir,
      ...standInEnv('lab', logFile),
    });
    const m = await waitFor(
      /VM Companion \(browser mode\) at (http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64}))/,
      output,
      exit,
    );
    expect(Number(m[2])).toBe(port);
    await waitFor(/stored in .*vm-companion\.sqlite/, output, exit);
    expect(output()).toContain(path.join(dataDir, 'vm-companion.sqlite'));
    expect(output()).toContain(`VBoxManage for this session (VBOXMANAGE): ${STAND_IN}`);
    const token = m[3];
    const call = (channel: string, input: unknown, auth = token): Promise<Response> =>
      fetch(`http://127.0.0.1:${port}/api/${channel}`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${auth}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(input),
      });

    const res = await call('vms:list', {});
    expect(res.status).toBe(200);
    const inv = (await res.json()) as Inventory;
    expect(inv.demo).toBe(false);
    expect(inv.vbox).toMatchObject({ found: true, path: STAND_IN, via: 'user', version: '7.1.12r169651' });
    expect(inv.vms.map((v) => v.id).sort()).toEqual(LAB.vms.map((v) => v.uuid).sort());
    const inaccessible = inv.vms.filter((v) => !v.accessible);
    expect(inaccessible.map((v) => v.id)).toEqual(['3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13']);
    expect(inaccessible[0].error).toMatch(/Old lab\.vbox/);
    expect(inv.vms.find((v) => v.id === '02fd76af-2bae-4c98-add1-4d802a2f77fa')).toMatchObject({
      name: 'xtec-1',
      cpus: 4,
      memoryMB: 6144,
    });

    const detail = (await (
      await call('vms:get', { id: '9155aa93-6360-4d1e-8cd9-20c32ecacf6d' })
    ).json()) as VmDetail;
    expect(detail.summary.name).toBe('homestead-7');
    expect(detail.config?.network[0].portForwards).toHaveLength(5);

    const info = (await (await call('app:info', {})).json()) as {
      mode: string;
      dataDir: string;
      version: string;
    };
    expect(info).toMatchObject({ mode: 'browser', dataDir, version: '0.1.0' });
    const saved = await call('notes:save', {
      vmId: '9155aa93-6360-4d1e-8cd9-20c32ecacf6d',
      settingId: '',
      body: 'hi',
    });
    expect(saved.status).toBe(200);
    expect((await call('app:info', {}, 'f'.repeat(64))).status).toBe(401);
    assertOnlyReadVerbs(logFile);

    child.kill('SIGTERM');
    expect(await exit).toBe(0);
    expect(output()).toContain('SIGTERM received, stopping.');
    expect(fs.existsSync(path.join(dataDir, 'vm-companion.sqlite'))).toBe(true);
  });

  it('takes the port from PORT; a random one by default', async () => {
    const { dir } = tempLog();
    dirs.push(dir);
    const port = await freePort();
    const env = { ...process.env, VM_COMPANION_DATA_DIR: dir, VBOXMANAGE: '' };
    const a = serve([], { ...env, PORT: String(port) });
    const m = await waitFor(/at http:\/\/127\.0\.0\.1:(\d+)\//, a.output, a.exit);
    expect(Number(m[1])).toBe(port);
    a.child.kill('SIGINT');
    expect(await a.exit).toBe(0);
    const b = serve([], { ...env, PORT: '' });
    const m2 = await waitFor(/at http:\/\/127\.0\.0\.1:(\d+)\//, b.output, b.exit);
    expect(Number(m2[1])).toBeGreaterThan(0);
    b.child.kill('SIGTERM');
    expect(await b.exit).toBe(0);
  });

  it('exits 2 with a message for a bad port or an unknown option', async () => {
    const { dir } = tempLog();
    dirs.push(dir);
    const env = { ...process.env, VM_COMPANION_DATA_DIR: dir };
    const a = serve(['--port', 'eighty'], env);
    expect(await a.exit).toBe(2);
    expect(a.output()).toContain('Invalid port "eighty" (from --port)');
    const b = serve(['--bogus'], env);
    expect(await b.exit).toBe(2);
    expect(b.output()).toMatch(/Unknown option '--bogus'/);
  });

  it('parsePort accepts 0–65535 only', () => {
    expect(parsePort('0', 'x')).toBe(0);
    expect(parsePort('65535', 'x')).toBe(65535);
    expect(() => parsePort('65536', 'PORT')).toThrow('Invalid port "65536" (from PORT)');
    expect(() => parsePort('-1', 'x')).toThrow();
    expect(() => parsePort('1e3', 'x')).toThrow();
  });
});

/**
 * Browser mode keeps the port of its previous start (`<data folder>/browser-port`): the browser keeps
 * unsaved note drafts per origin (`127.0.0.1:<port>`), so a restart on the same port finds drafts a
 * crash left behind. The token stays new at every start. `npm run serve`'s entry runs as a real
 * process on the pinned Node.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { BROWSER_PORT_FILE, portNote, rememberPort, rememberedPort } from '../../app/core/serve.ts';

const root = path.resolve(import.meta.dirname, '../..');
const children: ChildProcess[] = [];
const dirs: string[] = [];
const servers: net.Server[] = [];

afterEach(async () => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  for (const s of servers.splice(0)) await new Promise((r) => s.close(r));
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-serve-port-'));
  dirs.push(d);
  return d;
}

const URL_LINE = /VM Companion \(browser mode\) at http:\/\/127\.0\.0\.1:(\d+)\/#token=([0-9a-f]{64})(.*)\n/;

/** Starts `app/core/serve.ts` with `args`, waits for its URL line; returns port, token, the rest of the line and a stop function. */
async function start(
  dataDir: string,
  args: string[] = [],
  extraEnv: NodeJS.ProcessEnv = {},
): Promise<{ port: number; token: string; note: string; stop: () => Promise<void> }> {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    VM_COMPANION_DATA_DIR: dataDir,
    VBOXMANAGE: '',
    ...extraEnv,
  };
  if (extraEnv.PORT === undefined) delete env.PORT;
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
  for (let i = 0; i < 300; i++) {
    const m = URL_LINE.exec(out);
    if (m) {
      return {
        port: Number(m[1]),
        token: m[2],
        note: m[3],
        stop: async () => {
          child.kill('SIGTERM');
          expect(await exit).toBe(0);
        },
      };
    }
    if (child.exitCode !== null) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`serve printed no URL:\n${out}`);
}

/** Holds `port` on 127.0.0.1 with a plain TCP server (as another program would). */
async function occupy(port: number): Promise<void> {
  const s = net.createServer();
  servers.push(s);
  await new Promise<void>((resolve, reject) => {
    s.once('error', reject);
    s.listen(port, '127.0.0.1', () => resolve());
  });
}

describe('rememberedPort / rememberPort', () => {
  it('round-trips a port; a missing, odd or out-of-range file is ignored', () => {
    const dir = tempDir();
    expect(rememberedPort(dir)).toBeUndefined();
    rememberPort(dir, 41234);
    expect(fs.readFileSync(path.join(dir, BROWSER_PORT_FILE), 'utf8')).toBe('41234\n');
    expect(rememberedPort(dir)).toBe(41234);
    if (process.platform !== 'win32')
      expect(fs.statSync(path.join(dir, BROWSER_PORT_FILE)).mode & 0o777).toBe(0o600);
    for (const text of ['0\n', '65536', 'abc', '80 81', '-1', `${'1'.repeat(40)}`, '']) {
      fs.writeFileSync(path.join(dir, BROWSER_PORT_FILE), text);
      expect(rememberedPort(dir)).toBeUndefined();
    }
    fs.rmSync(path.join(dir, BROWSER_PORT_FILE));
    fs.mkdirSync(path.join(dir, BROWSER_PORT_FILE));
    expect(rememberedPort(dir)).toBeUndefined();
  });

  it('the note of the URL line', () => {
    expect(portNote({ how: 'option' })).toBe('');
    expect(portNote({ how: 'new' })).toBe('');
    expect(portNote({ how: 'previous' })).toBe(' (same port as the last start)');
    expect(portNote({ how: 'previous-taken', previous: 5190, code: 'EADDRINUSE' })).toBe(
      ' (port 5190 of the last start is in use, so this is a new one; unsaved note drafts kept by the browser at http://127.0.0.1:5190/ do not show here — start again when that port is free to see them)',
    );
  });
});

describe('npm run serve keeps its port across starts', () => {
  it('same port on restart with a new token; a taken port gives a new one and says so', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const first = await start(dataDir);
    expect(first.note).toBe('');
    expect(rememberedPort(dataDir)).toBe(first.port);
    await first.stop();

    const second = await start(dataDir);
    expect(second.port).toBe(first.port);
    expect(second.token).not.toBe(first.token);
    expect(second.note).toBe(' (same port as the last start)');
    await second.stop();

    await occupy(first.port);
    const third = await start(dataDir);
    expect(third.port).not.toBe(first.port);
    expect(third.note).toContain(`port ${first.port} of the last start is in use, so this is a new one`);
    expect(rememberedPort(dataDir)).toBe(third.port);
    await third.stop();
  }, 60_000);

  it('--port and PORT still decide (and are remembered); --port 0 is any free port', async () => {
    const dataDir = path.join(tempDir(), 'data');
    const free = await new Promise<number>((resolve) => {
      const s = net.createServer().listen(0, '127.0.0.1', () => {
        const { port } = s.address() as net.AddressInfo;
        s.close(() => resolve(port));
      });
    });
    const a = await start(dataDir, [], { PORT: String(free) });
    expect(a.port).toBe(free);
    expect(a.note).toBe('');
    await a.stop();
    expect(rememberedPort(dataDir)).toBe(free);
    // Not reused when the option asks for any free port (the OS may still hand out the same one).
    const b = await start(dataDir, ['--port', '0']);
    expect(b.note).toBe('');
    await b.stop();
    const c = await start(dataDir);
    expect(c.port).toBe(b.port);
    await c.stop();
  }, 60_000);
});

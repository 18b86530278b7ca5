import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CSP,
  MAX_BODY_BYTES,
  ServerOptionsError,
  startServer,
  type RunningServer,
} from '../../app/core/server.ts';
import { NotFoundError } from '../../app/core/api/errors.ts';
import type { Api } from '../../app/shared/contract.ts';

/** Minimal handlers: the server's job is transport and security, not the API itself. */
const handlers = {
  'app:info': async () => ({ version: '9.9.9', mode: 'browser', systemLocale: 'en-US', dataDir: '/tmp/x' }),
  'vms:get': async ({ id }: { id: string }) => {
    throw new NotFoundError(`No VM with id ${id}.`);
  },
  'notes:save': async (input: { vmId: string; settingId: string; body: string }) => ({
    ...input,
    updatedAt: 'now',
  }),
  'prefs:get': async () => {
    throw new Error('disk on fire at /secret/path');
  },
} as unknown as Api;

interface Res {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
  json?: unknown;
}

let root: string;
let web: string;
let srv: RunningServer;

function request(
  method: string,
  urlPath: string,
  opts: { headers?: Record<string, string>; body?: string | Buffer; port?: number } = {},
): Promise<Res> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port: opts.port ?? srv.port,
        method,
        path: urlPath,
        headers: opts.headers,
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json });
        });
      },
    );
    req.on('error', reject);
    if (opts.body !== undefined) req.write(opts.body);
    req.end();
  });
}

const host = (): string => `127.0.0.1:${srv.port}`;
const api = (channel: string, input: unknown, headers: Record<string, string> = {}): Promise<Res> =>
  request('POST', `/api/${channel}`, {
    headers: {
      Host: host(),
      Authorization: `Bearer ${srv.token}`,
      'Content-Type': 'application/json',
      ...headers,
    },
    body: JSON.stringify(input),
  });

beforeAll(async () => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-server-'));
  web = path.join(root, 'web');
  fs.mkdirSync(path.join(web, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(web, 'index.html'), '<!doctype html><title>VM Companion</title>');
  fs.writeFileSync(path.join(web, 'assets', 'app.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'secret.txt'), 'TOP SECRET');
  fs.symlinkSync(path.join(root, 'secret.txt'), path.join(web, 'link.txt'));
  srv = await startServer({ handlers, webRoot: web, port: 0, onInternalError: () => {} });
});
afterAll(async () => {
  await srv.close();
  fs.rmSync(root, { recursive: true, force: true });
});

describe('startServer', () => {
  it('binds 127.0.0.1 on a random port with a 64-hex-digit token and prints the hash URL', () => {
    expect(srv.port).toBeGreaterThan(0);
    expect(srv.token).toMatch(/^[0-9a-f]{64}$/);
    expect(srv.url).toBe(`http://127.0.0.1:${srv.port}/#token=${srv.token}`);
  });

  it('is not reachable on other local addresses', async () => {
    const others = Object.values(os.networkInterfaces())
      .flat()
      .filter((i) => i && i.family === 'IPv4' && !i.internal)
      .map((i) => i!.address);
    for (const address of others) {
      await expect(
        new Promise((resolve, reject) => {
          const req = http.request({ host: address, port: srv.port, path: '/', agent: false }, resolve);
          req.on('error', reject);
          req.end();
        }),
      ).rejects.toMatchObject({ code: 'ECONNREFUSED' });
    }
    await expect(
      new Promise((resolve, reject) => {
        const req = http.request({ host: '::1', port: srv.port, path: '/', agent: false }, resolve);
        req.on('error', reject);
        req.end();
      }),
    ).rejects.toBeTruthy();
  });

  it('uses the given token and rejects bad options', async () => {
    const s2 = await startServer({ handlers, webRoot: web, token: 'a'.repeat(20) });
    try {
      expect(s2.token).toBe('a'.repeat(20));
      expect(s2.port).not.toBe(srv.port);
    } finally {
      await s2.close();
    }
    await expect(startServer({ handlers, webRoot: web, token: 'short' })).rejects.toThrow(ServerOptionsError);
    await expect(startServer({ handlers, webRoot: web, port: 70000 })).rejects.toThrow(/Invalid port 70000/);
    await expect(startServer({ handlers, webRoot: web, port: srv.port })).rejects.toMatchObject({
      code: 'EADDRINUSE',
    });
  });
});

describe('API', () => {
  it('answers a valid call with JSON', async () => {
    const r = await api('app:info', {});
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(r.headers['cache-control']).toBe('no-store');
    expect(r.json).toEqual({ version: '9.9.9', mode: 'browser', systemLocale: 'en-US', dataDir: '/tmp/x' });
  });

  it('accepts localhost:<port> and a same-origin Origin', async () => {
    const r = await api(
      'app:info',
      {},
      { Host: `localhost:${srv.port}`, Origin: `http://localhost:${srv.port}` },
    );
    expect(r.status).toBe(200);
    const r2 = await api(
      'app:info',
      {},
      { Origin: `http://127.0.0.1:${srv.port}`, 'Sec-Fetch-Site': 'same-origin' },
    );
    expect(r2.status).toBe(200);
  });

  it('401 without a token or with a wrong one', async () => {
    const none = await request('POST', '/api/app:info', {
      headers: { Host: host(), 'Content-Type': 'application/json' },
      body: '{}',
    });
    expect(none.status).toBe(401);
    expect(none.json).toEqual({
      error: 'Missing or wrong API token. Open the URL printed by `npm run serve`.',
      code: 'forbidden',
    });
    const wrong = await api('app:info', {}, { Authorization: `Bearer ${'0'.repeat(64)}` });
    expect(wrong.status).toBe(401);
    const prefix = await api('app:info', {}, { Authorization: `Bearer ${srv.token.slice(0, 32)}` });
    expect(prefix.status).toBe(401);
    const basic = await api('app:info', {}, { Authorization: `Basic ${srv.token}` });
    expect(basic.status).toBe(401);
  });

  it('403 for a foreign Host (DNS rebinding), even with the right token', async () => {
    for (const h of ['evil.example', `evil.example:${srv.port}`, `127.0.0.1:${srv.port + 1}`, '127.0.0.1']) {
      const r = await api('app:info', {}, { Host: h });
      expect(r.status, h).toBe(403);
      expect((r.json as { code: string }).code).toBe('forbidden');
    }
    const page = await request('GET', '/', { headers: { Host: 'rebind.example' } });
    expect(page.status).toBe(403);
  });

  it('403 for a foreign Origin or a cross-site fetch', async () => {
    for (const origin of [
      'https://evil.example',
      'null',
      `http://localhost:${srv.port + 1}`,
      `https://127.0.0.1:${srv.port}`,
    ]) {
      const r = await api('app:info', {}, { Origin: origin });
      expect(r.status, origin).toBe(403);
      expect(r.json).toEqual({ error: 'Cross-origin API calls are not allowed.', code: 'forbidden' });
    }
    expect((await api('app:info', {}, { 'Sec-Fetch-Site': 'cross-site' })).status).toBe(403);
  });

  it('413 for a body over 1 MiB', async () => {
    const body = JSON.stringify({ vmId: 'x', settingId: '', body: 'x'.repeat(MAX_BODY_BYTES) });
    const r = await request('POST', '/api/notes:save', {
      headers: { Host: host(), Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' },
      body,
    });
    expect(r.status).toBe(413);
    expect(r.json).toEqual({
      error: `Request body too large (limit ${MAX_BODY_BYTES} bytes).`,
      code: 'validation',
    });
  });

  it('413 also when the size is not declared (chunked upload)', async () => {
    const r = await new Promise<number>((resolve, reject) => {
      const req = http.request(
        {
          host: '127.0.0.1',
          port: srv.port,
          method: 'POST',
          path: '/api/notes:save',
          agent: false,
          headers: { Host: host(), Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' },
        },
        (res) => {
          res.resume();
          resolve(res.statusCode ?? 0);
        },
      );
      req.on('error', reject);
      const chunk = Buffer.alloc(256 * 1024, 'a');
      for (let i = 0; i < 5; i++) req.write(chunk);
      req.end();
    });
    expect(r).toBe(413);
  });

  it('415 without Content-Type: application/json', async () => {
    const r = await api('app:info', {}, { 'Content-Type': 'text/plain' });
    expect(r.status).toBe(415);
  });

  it('400 for malformed JSON and for input the contract refuses', async () => {
    const bad = await request('POST', '/api/app:info', {
      headers: { Host: host(), Authorization: `Bearer ${srv.token}`, 'Content-Type': 'application/json' },
      body: '{"a":',
    });
    expect(bad.status).toBe(400);
    expect((bad.json as { error: string }).error).toMatch(/^Request body is not valid JSON/);
    const r = await api('vms:get', { id: '../../etc/passwd' });
    expect(r.status).toBe(400);
    expect((r.json as { error: string }).error).toMatch(/^Invalid input for vms:get: id: must be a VM UUID/);
  });

  it('404 for an unknown channel or a NotFoundError; 500 hides details', async () => {
    expect((await api('vms:delete', {})).status).toBe(404);
    const nf = await api('vms:get', { id: '00000000-0000-4000-8000-000000000000' });
    expect(nf.status).toBe(404);
    expect(nf.json).toEqual({
      error: 'No VM with id 00000000-0000-4000-8000-000000000000.',
      code: 'not_found',
    });
    const boom = await api('prefs:get', {});
    expect(boom.status).toBe(500);
    expect(boom.body).not.toContain('secret');
  });

  it('405 for GET on the API', async () => {
    const r = await request('GET', '/api/app:info', {
      headers: { Host: host(), Authorization: `Bearer ${srv.token}` },
    });
    expect(r.status).toBe(405);
  });
});

describe('static files', () => {
  it('serves index.html for / with the CSP and nosniff headers', async () => {
    const r = await request('GET', '/', { headers: { Host: host() } });
    expect(r.status).toBe(200);
    expect(r.body).toContain('<title>VM Companion</title>');
    expect(r.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CSP);
    expect(CSP).toContain("script-src 'self'");
    expect(CSP).toContain("frame-ancestors 'none'");
    expect(r.headers['x-content-type-options']).toBe('nosniff');
  });

  it('serves assets with their type; query strings are ignored', async () => {
    const r = await request('GET', '/assets/app.js?v=1', { headers: { Host: host() } });
    expect(r.status).toBe(200);
    expect(r.body).toBe('console.log(1)');
    expect(r.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(r.headers['content-security-policy']).toBe(CSP);
  });

  it('404 for path traversal, encoded or not, and for symlinks leaving the root', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/assets/%2e%2e%2f%2e%2e%2fsecret.txt',
      '/..%5csecret.txt',
      '/%00index.html',
      '/link.txt',
      '/assets',
      '/missing.js',
      '/%E0%A4%A',
    ]) {
      const r = await request('GET', p, { headers: { Host: host() } });
      expect(r.status, p).toBe(404);
      expect(r.body).not.toContain('TOP SECRET');
      expect(r.headers['content-security-policy']).toBe(CSP);
    }
  });

  it('405 for POST to a file', async () => {
    const r = await request('POST', '/index.html', { headers: { Host: host() }, body: '' });
    expect(r.status).toBe(405);
  });

  it('says how to build when the web root is missing', async () => {
    const s2 = await startServer({ handlers, webRoot: path.join(root, 'nope') });
    try {
      const r = await request('GET', '/', { headers: { Host: `127.0.0.1:${s2.port}` }, port: s2.port });
      expect(r.status).toBe(404);
      expect((r.json as { error: string }).error).toMatch(/npm run build:web/);
    } finally {
      await s2.close();
    }
  });
});

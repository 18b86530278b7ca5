/**
 * Browser-mode host: serves the built renderer (`out/web`) and the API over HTTP on 127.0.0.1.
 *
 * Security model (the page is reachable by any local process and any website the user visits, so
 * every API call must prove it comes from our page):
 * - bound to `127.0.0.1` only, never to other interfaces;
 * - `Host` must be `127.0.0.1:<port>` or `localhost:<port>` (stops DNS-rebinding pages);
 * - API calls need `Authorization: Bearer <token>` with a per-launch random token the user gets in
 *   the printed URL's hash (`#token=…`, never sent to the server by the browser);
 * - `Origin`, when present, must be this server's origin; `Sec-Fetch-Site: cross-site` is refused;
 * - API bodies must be `application/json` (no CORS "simple request") and at most 1 MiB;
 * - static files are confined to the web root (traversal and symlinks out of it answer 404), and
 *   every response carries a strict CSP and `X-Content-Type-Options: nosniff`.
 */

import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Api, ApiError } from '../shared/contract.ts';
import { dispatch, type DispatchOptions } from './api/dispatch.ts';

/** Largest accepted API request body, in bytes (1 MiB). */
export const MAX_BODY_BYTES = 1024 * 1024;

/** Content-Security-Policy sent with every response. */
export const CSP =
  "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'";

/** Headers sent with every response. */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  'Content-Security-Policy': CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
});

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
};

/** Options for {@link startServer}. */
export interface ServerOptions {
  /** API implementation (from `createHandlers`). */
  handlers: Api;
  /** Directory of the built renderer (`out/web`); `/` serves its `index.html`. */
  webRoot: string;
  /** TCP port on 127.0.0.1; `0` (default) picks a free one. */
  port?: number;
  /** API token; default: 32 random bytes as 64 hex characters. Must be at least 16 characters. */
  token?: string;
  /** Passed to {@link dispatch} (e.g. to log internal errors). */
  onInternalError?: DispatchOptions['onInternalError'];
}

/** A running server. */
export interface RunningServer {
  /** URL to open: `http://127.0.0.1:<port>/#token=<token>`. */
  url: string;
  /** Port actually bound. */
  port: number;
  /** The API token. */
  token: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** Thrown by {@link startServer} for bad options. Listen errors (EADDRINUSE, …) are passed through. */
export class ServerOptionsError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServerOptionsError';
  }
}

class HttpError extends Error {
  readonly status: number;
  readonly code: ApiError['code'];
  constructor(status: number, code: ApiError['code'], message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

function send(
  res: http.ServerResponse,
  status: number,
  headers: Record<string, string>,
  body?: Buffer | string,
): void {
  if (res.headersSent) return;
  res.writeHead(status, { ...SECURITY_HEADERS, ...headers });
  res.end(body);
}

function sendJson(
  res: http.ServerResponse,
  status: number,
  value: unknown,
  extra: Record<string, string> = {},
): void {
  send(
    res,
    status,
    { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', ...extra },
    JSON.stringify(value),
  );
}

function sendError(res: http.ServerResponse, err: HttpError, extra: Record<string, string> = {}): void {
  sendJson(res, err.status, { error: err.message, code: err.code } satisfies ApiError, extra);
}

/** Constant-time comparison of the Authorization header with `Bearer <token>`. */
function tokenMatches(header: string | undefined, token: string): boolean {
  if (!header) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!m) return false;
  const given = Buffer.from(m[1], 'utf8');
  const want = Buffer.from(token, 'utf8');
  return given.length === want.length && crypto.timingSafeEqual(given, want);
}

/** Reads the request body up to `limit` bytes. @throws HttpError 413 when larger. */
function readBody(req: http.IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(new HttpError(413, 'validation', `Request body too large (limit ${limit} bytes).`));
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let failed = false;
    req.on('data', (chunk: Buffer) => {
      if (failed) return;
      size += chunk.length;
      if (size > limit) {
        failed = true;
        chunks.length = 0;
        reject(new HttpError(413, 'validation', `Request body too large (limit ${limit} bytes).`));
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (!failed) resolve(Buffer.concat(chunks));
    });
    req.on('error', (err) => {
      if (!failed) {
        failed = true;
        reject(err);
      }
    });
  });
}

/**
 * Starts the browser-mode host on 127.0.0.1.
 *
 * Routes: `POST /api/<channel>` (JSON in, JSON out; errors as `{ error, code }` with status 400,
 * 401, 403, 404, 405, 409 (`conflict`: a note changed elsewhere), 413, 415 or 500); `GET`/`HEAD` anything else → a file under `webRoot`
 * (`/` → `index.html`; missing files, directories and paths escaping the root → 404).
 *
 * @throws ServerOptionsError for a port outside 0–65535 or a token shorter than 16 characters.
 * @throws the listen error (e.g. `EADDRINUSE`) when the port cannot be bound.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const requestedPort = options.port ?? 0;
  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new ServerOptionsError(`Invalid port ${String(options.port)}: use an integer from 0 to 65535.`);
  }
  const token = options.token ?? crypto.randomBytes(32).toString('hex');
  if (token.length < 16 || /\s/.test(token)) {
    throw new ServerOptionsError('The API token must be at least 16 characters without spaces.');
  }
  const webRoot = path.resolve(options.webRoot);
  let port = requestedPort;

  const allowedHosts = (): Set<string> => new Set([`127.0.0.1:${port}`, `localhost:${port}`]);

  async function handleApi(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    channel: string,
  ): Promise<void> {
    if (req.method !== 'POST') {
      throw new HttpError(405, 'validation', 'API calls must use POST.');
    }
    const origin = req.headers.origin;
    const sameOrigin =
      origin === undefined || origin.toLowerCase() === `http://${(req.headers.host ?? '').toLowerCase()}`;
    const fetchSite = req.headers['sec-fetch-site'];
    if (!sameOrigin || fetchSite === 'cross-site' || fetchSite === 'same-site') {
      throw new HttpError(403, 'forbidden', 'Cross-origin API calls are not allowed.');
    }
    if (!tokenMatches(req.headers.authorization, token)) {
      throw new HttpError(
        401,
        'forbidden',
        'Missing or wrong API token. Open the URL printed by `npm run serve`.',
      );
    }
    const type = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
    if (type !== 'application/json') {
      throw new HttpError(415, 'validation', 'API calls must send Content-Type: application/json.');
    }
    const body = await readBody(req, MAX_BODY_BYTES);
    let input: unknown;
    if (body.length > 0) {
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (err) {
        throw new HttpError(400, 'validation', `Request body is not valid JSON: ${(err as Error).message}`);
      }
    }
    const result = await dispatch(options.handlers, channel, input, {
      onInternalError: options.onInternalError,
    });
    if (result.ok) sendJson(res, 200, result.value ?? null);
    else sendJson(res, result.status, result.error);
  }

  async function handleStatic(
    req: http.IncomingMessage,
    res: http.ServerResponse,
    pathname: string,
  ): Promise<void> {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      throw new HttpError(405, 'validation', 'Only GET and HEAD are allowed for files.');
    }
    const notFound = new HttpError(404, 'not_found', 'Not found.');
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      throw notFound;
    }
    if (rel.includes('\0') || rel.includes('\\')) throw notFound;
    if (rel === '/' || rel === '') rel = '/index.html';
    const target = path.resolve(webRoot, '.' + path.posix.normalize(rel));
    if (target !== webRoot && !target.startsWith(webRoot + path.sep)) throw notFound;
    let real: string;
    let realRoot: string;
    try {
      [real, realRoot] = await Promise.all([fs.realpath(target), fs.realpath(webRoot)]);
    } catch {
      if (rel === '/index.html') {
        throw new HttpError(
          404,
          'not_found',
          'The web UI is not built. Run `npm run build:web` (npm run serve does it).',
        );
      }
      throw notFound;
    }
    if (real !== realRoot && !real.startsWith(realRoot + path.sep)) throw notFound;
    const stat = await fs.stat(real);
    if (!stat.isFile()) throw notFound;
    const data = await fs.readFile(real);
    const ext = path.extname(real).toLowerCase();
    const headers: Record<string, string> = {
      'Content-Type': MIME[ext] ?? 'application/octet-stream',
      'Content-Length': String(data.length),
      'Cache-Control': ext === '.html' ? 'no-store' : 'no-cache',
    };
    if (req.method === 'HEAD') send(res, 200, headers);
    else send(res, 200, headers, data);
  }

  const server = http.createServer((req, res) => {
    const run = async (): Promise<void> => {
      const host = (req.headers.host ?? '').toLowerCase();
      if (!allowedHosts().has(host)) {
        throw new HttpError(
          403,
          'forbidden',
          `Host "${req.headers.host ?? ''}" is not allowed; use 127.0.0.1:${port}.`,
        );
      }
      const pathname = (req.url ?? '/').split(/[?#]/)[0];
      if (pathname === '/api' || pathname.startsWith('/api/')) {
        let channel: string;
        try {
          channel = decodeURIComponent(pathname.slice('/api/'.length));
        } catch {
          throw new HttpError(404, 'not_found', 'Unknown API channel.');
        }
        await handleApi(req, res, channel);
      } else {
        await handleStatic(req, res, pathname);
      }
    };
    run().catch((err: unknown) => {
      const httpErr =
        err instanceof HttpError
          ? err
          : new HttpError(500, 'internal', 'Internal server error. See the log for details.');
      if (!(err instanceof HttpError)) (options.onInternalError ?? console.error)(req.url ?? '', err);
      // After a refused upload, close the connection instead of reading the rest of the body.
      const extra: Record<string, string> = httpErr.status === 413 ? { Connection: 'close' } : {};
      sendError(res, httpErr, extra);
      if (!req.complete) req.resume();
    });
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen(requestedPort, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  port = (server.address() as AddressInfo).port;

  return {
    url: `http://127.0.0.1:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}

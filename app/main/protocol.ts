/**
 * The `app://bundle/` protocol: maps request URLs to files of the built renderer (`out/renderer`)
 * with a path-traversal guard, and builds the response (status, headers, body). Pure Node (no
 * runtime `electron` import); `app/main/index.ts` wraps {@link bundleResponse} in
 * `protocol.handle('app', …)`.
 */

import fs from 'node:fs';
import path from 'node:path';
import { APP_HOST, APP_SCHEME, CONTENT_SECURITY_POLICY } from './security.ts';

/** Content types by file extension (lower case, with the dot). Unknown extensions are served as bytes. */
export const CONTENT_TYPES: Readonly<Record<string, string>> = {
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
  '.txt': 'text/plain; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

/**
 * Resolves an `app://bundle/<path>` URL to an absolute file path inside `rootDir`, or `null` when
 * the URL must not be served: another scheme or host, undecodable percent escapes, NUL bytes, or a
 * path that leaves `rootDir` after decoding (`..%2f..%2fetc/passwd`, `%5c..%5c` on Windows).
 * `/` maps to `index.html`. Does not touch the file system.
 *
 * @param rootDir absolute path of the built renderer (`out/renderer`).
 * @param requestUrl the full request URL.
 */
export function resolveBundlePath(rootDir: string, requestUrl: string): string | null {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return null;
  }
  if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(url.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0')) return null;
  if (pathname === '' || pathname === '/') pathname = '/index.html';
  const root = path.resolve(rootDir);
  // Treat both separators as separators whatever the platform, then resolve under the root.
  const segments = pathname.split(/[\\/]+/).filter((s) => s.length > 0);
  if (segments.some((s) => s === '..')) return null;
  const resolved = path.resolve(root, ...segments);
  const relative = path.relative(root, resolved);
  if (relative === '' || relative.startsWith('..') || path.isAbsolute(relative)) return null;
  return resolved;
}

/** A response for the protocol handler, independent of Electron's `Response` class. */
export interface BundleResponse {
  status: 200 | 404 | 405;
  headers: Record<string, string>;
  body: Buffer | string;
}

/** Headers sent with every response, including errors. */
export function baseHeaders(): Record<string, string> {
  return {
    'Content-Security-Policy': CONTENT_SECURITY_POLICY,
    'X-Content-Type-Options': 'nosniff',
    'Cache-Control': 'no-cache',
  };
}

/**
 * Serves one request of the `app://bundle/` protocol from `rootDir`: 200 with the file and its
 * content type; 404 for anything {@link resolveBundlePath} refuses, missing files and folders;
 * 405 for methods other than GET/HEAD. Every response carries the CSP header.
 *
 * @param rootDir absolute path of the built renderer (`out/renderer`).
 * @param requestUrl the full request URL.
 * @param method HTTP method (default `GET`).
 */
export function bundleResponse(rootDir: string, requestUrl: string, method = 'GET'): BundleResponse {
  const headers = baseHeaders();
  if (method !== 'GET' && method !== 'HEAD') {
    return {
      status: 405,
      headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
      body: 'Method not allowed',
    };
  }
  const notFound: BundleResponse = {
    status: 404,
    headers: { ...headers, 'Content-Type': 'text/plain; charset=utf-8' },
    body: 'Not found',
  };
  const file = resolveBundlePath(rootDir, requestUrl);
  if (file === null) return notFound;
  let body: Buffer;
  try {
    if (!fs.statSync(file).isFile()) return notFound;
    body = fs.readFileSync(file);
  } catch {
    return notFound;
  }
  const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
  return { status: 200, headers: { ...headers, 'Content-Type': type }, body: method === 'HEAD' ? '' : body };
}

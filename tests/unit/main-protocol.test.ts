import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundleResponse, resolveBundlePath } from '../../app/main/protocol.ts';
import { CONTENT_SECURITY_POLICY } from '../../app/main/security.ts';

let base: string;
let root: string;

beforeAll(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-protocol-'));
  root = path.join(base, 'renderer');
  fs.mkdirSync(path.join(root, 'assets'), { recursive: true });
  fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>VM Companion</title>');
  fs.writeFileSync(path.join(root, 'assets', 'index-abc.js'), 'console.log(1)');
  fs.writeFileSync(path.join(root, 'assets', 'logo mark.svg'), '<svg/>');
  fs.writeFileSync(path.join(base, 'secret.txt'), 'outside the bundle');
  fs.mkdirSync(path.join(base, 'renderer-evil'));
  fs.writeFileSync(path.join(base, 'renderer-evil', 'x.js'), 'evil');
});

afterAll(() => {
  fs.rmSync(base, { recursive: true, force: true });
});

describe('resolveBundlePath', () => {
  it('maps app://bundle/ URLs into the root', () => {
    expect(resolveBundlePath(root, 'app://bundle/')).toBe(path.join(root, 'index.html'));
    expect(resolveBundlePath(root, 'app://bundle/index.html')).toBe(path.join(root, 'index.html'));
    expect(resolveBundlePath(root, 'app://bundle/assets/index-abc.js?v=1#x')).toBe(
      path.join(root, 'assets', 'index-abc.js'),
    );
    expect(resolveBundlePath(root, 'app://bundle/assets/logo%20mark.svg')).toBe(
      path.join(root, 'assets', 'logo mark.svg'),
    );
  });

  it.each([
    'app://bundle/..%2f..%2fetc%2fpasswd',
    'app://bundle/..%2fsecret.txt',
    'app://bundle/assets/..%2f..%2fsecret.txt',
    'app://bundle/..%5csecret.txt',
    'app://bundle/%2e%2e%2fsecret.txt',
    'app://bundle/..%2frenderer-evil/x.js',
    'app://bundle/index.html%00.png',
    'app://bundle/%E0%A4%A',
    'app://other/index.html',
    'https://bundle/index.html',
    'file:///etc/passwd',
    'not a url',
  ])('refuses %s', (url) => {
    expect(resolveBundlePath(root, url)).toBeNull();
  });

  it('lets the URL parser normalise plain dot segments, so they stay inside the root', () => {
    expect(resolveBundlePath(root, 'app://bundle/../../etc/passwd')).toBe(path.join(root, 'etc', 'passwd'));
    expect(resolveBundlePath(root, 'app://bundle/assets/../index.html')).toBe(path.join(root, 'index.html'));
  });
});

describe('bundleResponse', () => {
  it('serves files with their content type and the CSP header', () => {
    const html = bundleResponse(root, 'app://bundle/index.html');
    expect(html.status).toBe(200);
    expect(html.headers['Content-Type']).toBe('text/html; charset=utf-8');
    expect(html.headers['Content-Security-Policy']).toBe(CONTENT_SECURITY_POLICY);
    expect(html.headers['X-Content-Type-Options']).toBe('nosniff');
    expect(String(html.body)).toContain('<title>VM Companion</title>');
    const js = bundleResponse(root, 'app://bundle/assets/index-abc.js');
    expect(js.headers['Content-Type']).toBe('text/javascript; charset=utf-8');
    expect(String(js.body)).toBe('console.log(1)');
  });

  it('answers 404 (with the CSP header) for traversal, missing files and folders', () => {
    for (const url of [
      'app://bundle/../../etc/passwd',
      'app://bundle/..%2f..%2fetc%2fpasswd',
      'app://bundle/..%2fsecret.txt',
      'app://bundle/missing.js',
      'app://bundle/assets',
      'app://bundle/assets/',
    ]) {
      const r = bundleResponse(root, url);
      expect(r.status, url).toBe(404);
      expect(String(r.body), url).toBe('Not found');
      expect(r.headers['Content-Security-Policy'], url).toBe(CONTENT_SECURITY_POLICY);
    }
  });

  it('refuses methods other than GET and HEAD', () => {
    expect(bundleResponse(root, 'app://bundle/index.html', 'POST').status).toBe(405);
    const head = bundleResponse(root, 'app://bundle/index.html', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
  });
});

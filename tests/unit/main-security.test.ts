import { describe, expect, it } from 'vitest';
import {
  APP_ORIGIN,
  CONTENT_SECURITY_POLICY,
  decidePermission,
  isAppUrl,
  originOf,
  secureWebPreferences,
  shouldAllowNavigation,
  windowOpenDecision,
} from '../../app/main/security.ts';
import { isSafeExternalUrl } from '../../app/main/external.ts';
import { CSP as BROWSER_MODE_CSP } from '../../app/core/server.ts';

describe('secureWebPreferences', () => {
  const prefs = secureWebPreferences('/opt/app/out/preload/index.cjs');

  it('sandboxes, isolates and disables Node integration', () => {
    expect(prefs.preload).toBe('/opt/app/out/preload/index.cjs');
    expect(prefs.sandbox).toBe(true);
    expect(prefs.contextIsolation).toBe(true);
    expect(prefs.nodeIntegration).toBe(false);
    expect(prefs.nodeIntegrationInWorker).toBe(false);
    expect(prefs.nodeIntegrationInSubFrames).toBe(false);
    expect(prefs.webviewTag).toBe(false);
  });

  it('keeps webSecurity at its default and enables nothing experimental', () => {
    expect('webSecurity' in prefs).toBe(false);
    expect('allowRunningInsecureContent' in prefs).toBe(false);
    expect('enableBlinkFeatures' in prefs).toBe(false);
    expect(prefs.experimentalFeatures).toBe(false);
    expect(prefs.spellcheck).toBe(false);
  });

  it('turns DevTools off unless asked for', () => {
    expect(prefs.devTools).toBe(false);
    expect(secureWebPreferences('/p', { devTools: true }).devTools).toBe(true);
  });
});

describe('origins and navigation', () => {
  it('computes origins for custom schemes (URL.origin would say "null")', () => {
    expect(new URL('app://bundle/index.html').origin).toBe('null');
    expect(originOf('app://bundle/index.html')).toBe('app://bundle');
    expect(originOf('APP://Bundle/x')).toBe('app://bundle');
    expect(originOf('http://localhost:5173/x')).toBe('http://localhost:5173');
    expect(originOf('data:text/html,<b>x</b>')).toBeNull();
    expect(originOf('about:blank')).toBeNull();
    expect(originOf('not a url')).toBeNull();
  });

  const table: [string, boolean][] = [
    ['app://bundle/index.html', true],
    ['app://bundle/#/vms/60390da3-a196-41f4-8e18-d669ff63c247', true],
    ['app://bundle/../../etc/passwd', true], // normalised to app://bundle/etc/passwd: same origin, protocol handler answers 404
    ['app://bundle.evil.example/index.html', false],
    ['app://bundlex/', false],
    ['app://evil/', false],
    ['https://example.com/', false],
    ['https://bundle/', false],
    ['http://app//bundle', false],
    ['file:///etc/passwd', false],
    ['data:text/html,hello', false],
    ['javascript:alert(1)', false],
    ['about:blank', false],
    ['', false],
  ];
  it.each(table)('navigation to %s allowed = %s', (url, allowed) => {
    expect(shouldAllowNavigation(url)).toBe(allowed);
    expect(isAppUrl(url, APP_ORIGIN)).toBe(allowed);
  });

  it('accepts the dev-server origin when that is the app origin, and only that port', () => {
    expect(shouldAllowNavigation('http://localhost:5173/index.html', 'http://localhost:5173')).toBe(true);
    expect(shouldAllowNavigation('http://localhost:5174/index.html', 'http://localhost:5173')).toBe(false);
    expect(shouldAllowNavigation('app://bundle/index.html', 'http://localhost:5173')).toBe(false);
  });

  it('always denies new windows, and hands only safe https URLs to the system browser', () => {
    expect(windowOpenDecision('https://www.virtualbox.org/manual/', isSafeExternalUrl)).toEqual({
      action: 'deny',
      openExternally: true,
    });
    expect(windowOpenDecision('file:///C:/x.exe', isSafeExternalUrl)).toEqual({
      action: 'deny',
      openExternally: false,
    });
    expect(windowOpenDecision('app://bundle/index.html', isSafeExternalUrl)).toEqual({
      action: 'deny',
      openExternally: false,
    });
  });
});

describe('permissions', () => {
  it.each([
    'media',
    'geolocation',
    'notifications',
    'clipboard-read',
    'midi',
    'midiSysex',
    'hid',
    'serial',
    'usb',
    'openExternal',
    'fullscreen',
    'pointerLock',
    'display-capture',
    'unknown',
  ])('denies %s, from any origin', (permission) => {
    expect(decidePermission(permission, 'app://bundle/index.html')).toBe(false);
    expect(decidePermission(permission, 'https://evil.example')).toBe(false);
    expect(decidePermission(permission)).toBe(false);
  });

  it('allows sanitized clipboard writes only to the app origin (the "Copy command" button)', () => {
    expect(decidePermission('clipboard-sanitized-write', 'app://bundle/index.html')).toBe(true);
    expect(decidePermission('clipboard-sanitized-write', 'app://bundle')).toBe(true);
    expect(decidePermission('clipboard-sanitized-write', 'https://evil.example/')).toBe(false);
    expect(decidePermission('clipboard-sanitized-write', 'app://bundle.evil/')).toBe(false);
    expect(decidePermission('clipboard-sanitized-write', '')).toBe(false);
    expect(decidePermission('clipboard-sanitized-write')).toBe(false);
    expect(
      decidePermission('clipboard-sanitized-write', 'http://localhost:5173/', 'http://localhost:5173'),
    ).toBe(true);
  });
});

describe('isSafeExternalUrl', () => {
  const table: [unknown, boolean][] = [
    ['https://www.virtualbox.org/manual/ch06.html#network_nat', true],
    ['https://a.b', true],
    ['HTTPS://Example.COM/x?y=1', true],
    ['http://example.com/', false],
    ['file:///C:/x.exe', false],
    ['file:///etc/passwd', false],
    ['\\\\host\\share\\x.exe', false],
    ['//host/share', false],
    ['C:\\Windows\\system32\\calc.exe', false],
    ['smb://host/share', false],
    ['javascript:alert(1)', false],
    ['JaVaScRiPt:alert(1)', false],
    ['data:text/html,<script>alert(1)</script>', false],
    ['vscode://file/etc/passwd', false],
    ['ms-msdt:/id PCWDiagnostic', false],
    ['app://bundle/index.html', false],
    ['mailto:someone@example.com', false],
    ['https://user:pass@example.com/', false],
    ['https://user@example.com/', false],
    ['https://exa mple.com/', false],
    [' https://example.com/', false],
    ['https://example.com/\n', false],
    ['https:\\\\example.com', false],
    ['https:example.com', false],
    ['https://', false],
    [`https://example.com/${'a'.repeat(3000)}`, false],
    ['', false],
    [null, false],
    [42, false],
  ];
  it.each(table)('%s → %s', (url, safe) => {
    expect(isSafeExternalUrl(url)).toBe(safe);
  });
});

describe('CSP', () => {
  it('is the same policy as browser mode', () => {
    expect(CONTENT_SECURITY_POLICY).toBe(BROWSER_MODE_CSP);
  });

  it('keeps the required directives', () => {
    expect(CONTENT_SECURITY_POLICY).toContain("script-src 'self'");
    expect(CONTENT_SECURITY_POLICY).toContain("object-src 'none'");
    expect(CONTENT_SECURITY_POLICY).toContain("base-uri 'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-eval|https?:/);
  });
});

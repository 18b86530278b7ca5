/**
 * The Electron security checklist (reference: electron-and-toolchain.md §2.1), checked against the
 * real built app: `out/main/index.js` launched with Playwright's `_electron`, the stand-in
 * VBoxManage as its VirtualBox and a fresh user-data folder.
 *
 * Electron's binary is found the same way as `npm start` does (scripts/start.ts,
 * `findElectronBinary`), without requiring the `electron` package; when it is missing the whole
 * file is skipped with the reason.
 */
import { _electron as electron, expect, test, type ElectronApplication, type Page } from '@playwright/test';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CHANNELS, functionName } from '../../app/shared/contract.ts';
import { findElectronBinary } from '../../scripts/start.ts';

/**
 * The browser globals the page-side functions use (this file is type-checked without the DOM lib).
 * Functions passed to `page.evaluate` run in the page, so each casts `globalThis` inline.
 */
interface PageGlobals {
  open(url: string): unknown;
  location: { href: string };
  Notification: { requestPermission(): Promise<string> };
  navigator: { mediaDevices: { getUserMedia(c: object): Promise<unknown> } };
  document: {
    createElement(tag: string): { setAttribute(k: string, v: string): void };
    body: { append(node: unknown): void };
  };
}

const root = path.resolve(import.meta.dirname, '../..');
const mainJs = path.join(root, 'out', 'main', 'index.js');
const binary = findElectronBinary();

const skipReason = binary.found
  ? ''
  : `Electron's binary is not installed (${binary.reason}); the Electron e2e tests need a machine with it ` +
    '(or ELECTRON_OVERRIDE_DIST_PATH / ELECTRON_EXEC_PATH pointing at one). Skipping them.';
if (!binary.found) console.warn(`[e2e-electron] ${skipReason}`);
test.skip(!binary.found, skipReason);

let app: ElectronApplication;
let page: Page;
let userData: string;
const requests: string[] = [];

test.beforeAll(async () => {
  if (!binary.found) return;
  if (!fs.existsSync(mainJs))
    throw new Error(`${mainJs} is missing: run "npm run build" first (npm run test:e2e-electron does).`);
  userData = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-electron-'));
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== 'ELECTRON_RUN_AS_NODE') env[k] = v;
  Object.assign(env, {
    VBOXMANAGE: path.join(root, 'tests', 'stand-in', 'VBoxManage'),
    VBOX_STANDIN_SCENARIO: path.join(root, 'tests', 'stand-in', 'scenarios', 'lab.json'),
  });
  // Chromium refuses to start as root without --no-sandbox (the OS sandbox; the renderer's
  // `sandbox` web preference is still what the tests below check).
  const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
  app = await electron.launch({
    executablePath: binary.path,
    args: [...rootArgs, mainJs, `--user-data-dir=${userData}`],
    env,
  });
  page = await app.firstWindow();
  page.on('request', (r) => requests.push(r.url()));
  await page.waitForLoadState('domcontentloaded');
});

test.afterAll(async () => {
  await app?.close();
  if (userData) fs.rmSync(userData, { recursive: true, force: true });
});

test('loads the bundled renderer through app://bundle/ (#18)', async () => {
  expect(page.url()).toMatch(/^app:\/\/bundle\//);
  await expect(page.locator('#app')).not.toBeEmpty();
});

test('web preferences: sandbox, context isolation, no Node integration (#2 #3 #4)', async () => {
  const prefs = await app.evaluate(({ BrowserWindow }) => {
    // getLastWebPreferences() exists at runtime (Electron's own specs use it) but is not in electron.d.ts.
    const contents = BrowserWindow.getAllWindows()[0].webContents as unknown as {
      getLastWebPreferences(): Record<string, unknown> | null;
    };
    const p = contents.getLastWebPreferences();
    return {
      sandbox: p?.sandbox,
      contextIsolation: p?.contextIsolation,
      nodeIntegration: p?.nodeIntegration,
      webviewTag: p?.webviewTag,
      webSecurity: p?.webSecurity,
    };
  });
  expect(prefs).toEqual({
    sandbox: true,
    contextIsolation: true,
    nodeIntegration: false,
    webviewTag: false,
    webSecurity: true,
  });
  expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
});

test('exposes only window.api, with exactly the contract functions (#20)', async () => {
  const keys = await page.evaluate(() => Object.keys((globalThis as unknown as { api: object }).api).sort());
  expect(keys).toEqual(CHANNELS.map(functionName).sort());
  expect(await page.evaluate(() => typeof (globalThis as { electron?: unknown }).electron)).toBe('undefined');
  expect(await page.evaluate(() => typeof (globalThis as { ipcRenderer?: unknown }).ipcRenderer)).toBe(
    'undefined',
  );
});

test('the API works over IPC and validates its input (#17)', async () => {
  const info = await page.evaluate(() =>
    (
      globalThis as unknown as { api: { appInfo: () => Promise<{ mode: string; dataDir: string }> } }
    ).api.appInfo(),
  );
  expect(info.mode).toBe('electron');
  expect(path.resolve(info.dataDir)).toBe(path.resolve(userData));
  const list = await page.evaluate(() =>
    (
      globalThis as unknown as { api: { vmsList: (i: object) => Promise<{ vms: { id: string }[] }> } }
    ).api.vmsList({}),
  );
  expect(list.vms.map((v) => v.id)).toContain('5bc88aa7-3372-4122-9d67-52b62310fdc4');
  const bad = await page.evaluate(() =>
    (globalThis as unknown as { api: { vmsGet: (i: object) => Promise<unknown> } }).api
      .vmsGet({ id: '../../etc/passwd' })
      .then(
        () => 'resolved',
        (e: Error) => e.message,
      ),
  );
  expect(bad).toMatch(/validation: Invalid input for vms:get: id: /);
});

test('window.open is denied and opens no window; https links go to the system browser (#14 #15)', async () => {
  await app.evaluate(({ shell }) => {
    const calls: string[] = [];
    (globalThis as unknown as { __opened: string[] }).__opened = calls;
    // Test stub: record instead of opening a browser.
    // eslint-disable-next-line no-restricted-syntax
    shell.openExternal = async (url: string) => void calls.push(url);
  });
  const before = app.windows().length;
  const results = await page.evaluate(() => [
    (globalThis as unknown as PageGlobals).open('https://www.virtualbox.org/manual/') === null,
    (globalThis as unknown as PageGlobals).open('file:///etc/passwd') === null,
    (globalThis as unknown as PageGlobals).open('app://bundle/index.html') === null,
  ]);
  expect(results).toEqual([true, true, true]);
  await page.waitForTimeout(300);
  expect(app.windows().length).toBe(before);
  const opened = await app.evaluate(() => (globalThis as unknown as { __opened: string[] }).__opened);
  expect(opened).toEqual(['https://www.virtualbox.org/manual/']);
});

test('navigation away from the app origin is blocked (#13)', async () => {
  const before = page.url();
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).location.href = 'https://example.com/';
  });
  await page.waitForTimeout(500);
  expect(page.url()).toBe(before);
  await page.evaluate(() => {
    (globalThis as unknown as PageGlobals).location.href = 'file:///etc/passwd';
  });
  await page.waitForTimeout(300);
  expect(page.url()).toBe(before);
});

test('permissions are denied (#5)', async () => {
  expect(
    await page.evaluate(() => (globalThis as unknown as PageGlobals).Notification.requestPermission()),
  ).toBe('denied');
  const media = await page.evaluate(() =>
    (globalThis as unknown as PageGlobals).navigator.mediaDevices.getUserMedia({ audio: true }).then(
      () => 'granted',
      (e: Error) => e.name,
    ),
  );
  expect(media).toBe('NotAllowedError');
});

test('CSP blocks eval (#7) and the protocol refuses traversal (#18)', async () => {
  expect(
    await page.evaluate(() => {
      try {
        return eval('1') === 1 ? 'allowed' : 'odd';
      } catch {
        return 'blocked';
      }
    }),
  ).toBe('blocked');
  const status = await page.evaluate(() =>
    fetch('app://bundle/..%2f..%2fpackage.json').then((r) => r.status),
  );
  expect(status).toBe(404);
  const csp = await page.evaluate(() =>
    fetch('app://bundle/index.html').then((r) => r.headers.get('content-security-policy')),
  );
  expect(csp).toContain("script-src 'self'");
});

test('a <webview> never attaches (#11 #12)', async () => {
  const count = () => app.evaluate(({ webContents }) => webContents.getAllWebContents().length);
  const before = await count();
  await page.evaluate(() => {
    const view = (globalThis as unknown as PageGlobals).document.createElement('webview');
    view.setAttribute('src', 'https://example.com/');
    (globalThis as unknown as PageGlobals).document.body.append(view);
  });
  await page.waitForTimeout(500);
  expect(await count()).toBe(before);
});

test('DevTools are closed and no request leaves the app origin (#1, +)', async () => {
  expect(
    await app.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows()[0].webContents.isDevToolsOpened(),
    ),
  ).toBe(false);
  const foreign = requests.filter((u) => !u.startsWith('app://bundle/') && !u.startsWith('data:'));
  expect(foreign).toEqual([]);
});

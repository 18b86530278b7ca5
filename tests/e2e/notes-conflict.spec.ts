import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';

/**
 * Two windows on one note (optimistic concurrency): tab A saves "line 1 from tab A"; tab B opens the
 * note and adds "line 2 added in tab B" (saved); tab A, still showing its old copy, appends
 * " + more from A". Its save is refused (`conflict`): tab A shows "This note was changed in another
 * window" with tab B's version, keeps its text as a draft and does not retry on its own; "Keep mine"
 * saves tab A's text over it. Nothing is dropped without the user seeing it.
 * Own browser-mode host (own data folder, lab stand-in). Screenshot: test-results/screens/notes-conflict.png.
 */

const root = path.resolve(import.meta.dirname, '../..');
const lab = scenario('lab');
const vm = dumpFacts(lab.vms.find((v) => v.showvminfo && !v.inaccessible)!.showvminfo!);
const SETTING = 'system.processor.cpus';
const DRAFT_KEY = `vm-companion.noteDraft:${encodeURIComponent(vm.uuid)}:${encodeURIComponent(SETTING)}`;

const dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-conflict-'));
const token = randomBytes(32).toString('hex');
let port = 0;
let child: ChildProcess | undefined;

/**
 * The browser-mode host of app/core/serve.ts, but with a fixed port and token (startServer's
 * `token` option), so a page left open talks to the host again once it is back. Prints the URL.
 */
const HOST = `
import path from 'node:path';
import pkg from './package.json' with { type: 'json' };
import { createHandlers } from './app/core/api/handlers.ts';
import { InventoryService } from './app/core/inventory-service.ts';
import { INVENTORY_CACHE_FILE } from './app/core/vbox/inventory-cache.ts';
import { startServer } from './app/core/server.ts';
import { openStore } from './app/core/store/index.ts';
const dataDir = process.env.VM_COMPANION_DATA_DIR;
const store = openStore(dataDir);
const inventory = new InventoryService({
  store, env: process.env, platform: process.platform,
  cacheFile: path.join(dataDir, INVENTORY_CACHE_FILE), appVersion: pkg.version,
});
const handlers = createHandlers({
  store, inventory, mode: 'browser', dataDir, systemLocale: 'en-US', version: pkg.version,
});
const server = await startServer({
  handlers, webRoot: path.resolve('out/web'), port: Number(process.env.E2E_PORT), token: process.env.E2E_TOKEN,
});
process.on('SIGTERM', () => void server.close().then(() => { store.close(); process.exit(0); }));
console.log('VM Companion (browser mode) at ' + server.url);
`;

/** A free TCP port on 127.0.0.1. */
async function freePort(): Promise<number> {
  const srv = createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const { port: p } = srv.address() as { port: number };
  await new Promise((r) => srv.close(r));
  return p;
}

/** Starts the host on `port` with `token` (stopping the previous one first) and returns its URL. */
async function startHost(): Promise<string> {
  await stopHost('SIGTERM');
  if (!port) port = await freePort();
  child = spawn(process.execPath, ['--input-type=module', '--eval', HOST], {
    cwd: root,
    env: {
      ...process.env,
      VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
      VBOX_STANDIN_SCENARIO: path.join(root, 'tests/stand-in/scenarios/lab.json'),
      VBOX_STANDIN_LOG: path.join(dir, 'standin.log'),
      VM_COMPANION_DATA_DIR: dir,
      E2E_PORT: String(port),
      E2E_TOKEN: token,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = child;
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`no URL in 20 s:\n${out}`)), 20_000);
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited with ${code}:\n${out}`));
    });
  });
}

/** Stops the host with `signal` (SIGKILL: a crash, nothing flushed or closed) and waits for its exit. */
async function stopHost(signal: NodeJS.Signals): Promise<void> {
  const proc = child;
  child = undefined;
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((r) => proc.once('exit', r));
  proc.kill(signal);
  await exited;
}

/** Calls the host's API directly with the token. */
async function callApi<T>(url: string, channel: string, input: object): Promise<T> {
  const res = await fetch(`${new URL(url).origin}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  expect(res.ok, `${channel}: HTTP ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

/** The stored body of a note of the VM (`''` = the VM-wide note), from the database through the API. */
async function savedBody(url: string, settingId = SETTING): Promise<string | undefined> {
  const notes = await callApi<{ settingId: string; body: string }[]>(url, 'notes:list', { vmId: vm.uuid });
  return notes.find((n) => n.settingId === settingId)?.body;
}

/** The local draft of the vCPU note as the page keeps it, or null. */
async function draftIn(page: Page): Promise<{ body: string; at: number } | null> {
  const raw = await page.evaluate((key) => localStorage.getItem(key), DRAFT_KEY);
  return raw === null ? null : (JSON.parse(raw) as { body: string; at: number });
}

/** Opens the app at `url` and the lab VM's mirror (the app may reopen on the list or on the VM). */
async function openVm(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${vm.uuid}"]`);
  await expect(row.or(page.getByTestId('page-system'))).toBeVisible();
  if (await row.isVisible()) await row.click();
  await expect(page.getByTestId('page-system')).toBeVisible();
}

/** Opens the note editor of the vCPU setting (System → Processor). */
async function openNote(page: Page): Promise<void> {
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-processor').click();
  await page.locator(`[data-control="${SETTING}"]:visible`).click();
  await expect(page.getByTestId('note-input')).toBeVisible();
}

test.afterAll(async () => {
  await stopHost('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('two tabs on one note: the stale save is refused, both versions are shown, "Keep mine" saves tab A\'s text', async ({
  context,
}) => {
  const url = await startHost();
  const a = await context.newPage();
  await openVm(a, url);
  await openNote(a);
  const inputA = a.getByTestId('note-input');
  const statusA = a.getByTestId('note-status');
  await inputA.fill('line 1 from tab A');
  await expect(statusA).toHaveText('Saved');
  expect(await savedBody(url)).toBe('line 1 from tab A');

  const b = await context.newPage();
  await openVm(b, url);
  await openNote(b);
  const inputB = b.getByTestId('note-input');
  await expect(inputB).toHaveValue('line 1 from tab A');
  await inputB.press('End');
  await inputB.pressSequentially('\nline 2 added in tab B');
  await expect(b.getByTestId('note-status')).toHaveText('Saved');
  expect(await savedBody(url)).toBe('line 1 from tab A\nline 2 added in tab B');

  // Tab A still shows its old copy and appends to it.
  await a.bringToFront();
  await expect(inputA).toHaveValue('line 1 from tab A');
  await inputA.press('End');
  await inputA.pressSequentially(' + more from A');
  const conflict = a.getByTestId('note-conflict');
  await expect(conflict).toContainText('This note was changed in another window');
  await expect(a.getByTestId('note-conflict-theirs')).toHaveText('line 1 from tab A\nline 2 added in tab B');
  await expect(a.getByTestId('note-conflict-mine')).toHaveText('line 1 from tab A + more from A');
  await expect(a.getByTestId('note-retry')).toHaveCount(0);
  // Nothing overwritten, tab A's text kept as a draft, and no retry on its own.
  expect(await savedBody(url)).toBe('line 1 from tab A\nline 2 added in tab B');
  expect((await draftIn(a))?.body).toBe('line 1 from tab A + more from A');
  await a.waitForTimeout(2500);
  expect(await savedBody(url)).toBe('line 1 from tab A\nline 2 added in tab B');
  await expect(conflict).toBeVisible();
  mkdirSync(path.join(root, 'test-results/screens'), { recursive: true });
  await a.locator('.note-editor').screenshot({ path: 'test-results/screens/notes-conflict.png' });

  await a.getByTestId('note-keep-mine').click();
  await expect(statusA).toHaveText('Saved');
  await expect(conflict).toHaveCount(0);
  expect(await savedBody(url)).toBe('line 1 from tab A + more from A');
  expect(await draftIn(a)).toBeNull();
});

test('"Use theirs" shows the other version and drops the draft', async ({ context }) => {
  const url = await startHost();
  const a = await context.newPage();
  await openVm(a, url);
  await openNote(a);
  const inputA = a.getByTestId('note-input');
  await expect(inputA).toHaveValue('line 1 from tab A + more from A');
  // Another window (here: a direct API save without a base, like the CLI) changes the note.
  await callApi(url, 'notes:save', { vmId: vm.uuid, settingId: SETTING, body: 'changed elsewhere' });
  await inputA.press('End');
  await inputA.pressSequentially(' (A again)');
  await expect(a.getByTestId('note-conflict-theirs')).toHaveText('changed elsewhere');
  await a.getByTestId('note-use-theirs').click();
  await expect(inputA).toHaveValue('changed elsewhere');
  await expect(a.getByTestId('note-conflict')).toHaveCount(0);
  expect(await draftIn(a)).toBeNull();
  expect(await savedBody(url)).toBe('changed elsewhere');
});

test('a note near and over the 100 000 limit: counter, "Too long to save" without retry, draft kept', async ({
  page,
}) => {
  const url = await startHost();
  await openVm(page, url);
  await openNote(page);
  const input = page.getByTestId('note-input');
  const before = await savedBody(url);
  await input.fill('x'.repeat(95_000));
  await expect(page.getByTestId('note-counter')).toHaveText('95,000 / 100,000');
  await expect(page.getByTestId('note-status')).toHaveText('Saved');
  await input.fill('y'.repeat(100_250));
  const status = page.getByTestId('note-status');
  await expect(status).toContainText('Too long to save: 250 characters over the 100,000 limit');
  await expect(page.getByTestId('note-counter')).toHaveText('100,250 / 100,000');
  await expect(page.getByTestId('note-retry')).toHaveCount(0);
  expect((await draftIn(page))?.body.length).toBe(100_250);
  expect(await savedBody(url)).toBe('x'.repeat(95_000));
  expect(before).not.toBe('x'.repeat(95_000));
  await page.locator('.note-foot').screenshot({ path: 'test-results/screens/notes-too-long.png' });
});

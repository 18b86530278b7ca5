import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';

/**
 * Data safety: "Notes are never lost by a failed render or a crash: autosave with a visible saved
 * state." On a browser-mode host of its own (own data folder, so it can be killed and restarted):
 * a note typed on a setting shows "Saving…" then "Saved" and is in the database; text typed just
 * before a reload is saved on the way out; after the host is killed with SIGKILL and started again
 * on the same data folder the note is there; a save that fails says "Not saved." and keeps the text
 * in the editor, never claiming "Saved".
 */

const root = path.resolve(import.meta.dirname, '../..');
const lab = scenario('lab');
const vm = dumpFacts(lab.vms.find((v) => v.showvminfo && !v.inaccessible)!.showvminfo!);
const SETTING = 'system.processor.cpus';

const dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-notes-'));
let child: ChildProcess | undefined;

/**
 * Starts the browser host on `dir` (the lab scenario of the stand-in), after stopping the previous
 * one, and returns its URL with token.
 */
async function startHost(): Promise<string> {
  await stopHost('SIGTERM');
  child = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
    cwd: root,
    env: {
      ...process.env,
      VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
      VBOX_STANDIN_SCENARIO: path.join(root, 'tests/stand-in/scenarios/lab.json'),
      VBOX_STANDIN_LOG: path.join(dir, 'standin.log'),
      VM_COMPANION_DATA_DIR: dir,
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

/** Calls the host's API directly with the URL's token. */
async function callApi<T>(url: string, channel: string, input: object): Promise<T> {
  const u = new URL(url);
  const token = new URLSearchParams(u.hash.slice(1)).get('token');
  const res = await fetch(`${u.origin}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  expect(res.ok, `${channel}: HTTP ${res.status}`).toBe(true);
  return (await res.json()) as T;
}

async function savedBody(url: string): Promise<string | undefined> {
  const notes = await callApi<{ settingId: string; body: string }[]>(url, 'notes:list', { vmId: vm.uuid });
  return notes.find((n) => n.settingId === SETTING)?.body;
}

/** Opens the app at `url` and the note editor of the vCPU setting of the lab's first readable VM. */
async function openNote(page: Page, url: string): Promise<void> {
  await page.goto(url);
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${vm.uuid}"]`);
  // After a reload the app may reopen on the machines list or keep the VM open.
  await expect(row.or(page.getByTestId('page-system'))).toBeVisible();
  if (await row.isVisible()) await row.click();
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-processor').click();
  await page.locator(`[data-control="${SETTING}"]:visible`).click();
  await expect(page.getByTestId('note-input')).toBeVisible();
}

test.describe.configure({ mode: 'serial' });

test.afterAll(async () => {
  await stopHost('SIGTERM');
  rmSync(dir, { recursive: true, force: true });
});

test('autosave: "Saving…" while typing, "Saved" once stored; text typed just before a reload is kept', async ({
  page,
}) => {
  const url = await startHost();
  await openNote(page, url);
  const input = page.getByTestId('note-input');
  const status = page.getByTestId('note-status');

  const first = `Four vCPUs on a 4-core host leaves nothing for the host — ${Date.now()}`;
  await input.pressSequentially(first.slice(0, 20));
  await expect(status).toHaveText('Saving…');
  await input.pressSequentially(first.slice(20));
  await expect(status).toHaveText('Saved');
  await expect(status).toHaveClass(/status-saved/);
  expect(await savedBody(url)).toBe(first);

  // Keep typing and reload at once, well inside the 500 ms autosave delay.
  const more = ' Lower it to 2.';
  await input.pressSequentially(more);
  await expect(status).toHaveText('Saving…');
  await page.reload();
  await openNote(page, url);
  await expect(input).toHaveValue(first + more);
  expect(await savedBody(url)).toBe(first + more);
});

test('a note saved before the host is killed (SIGKILL) is there after a restart', async ({ page }) => {
  let url = await startHost();
  await openNote(page, url);
  const input = page.getByTestId('note-input');
  const text = `Crash-proof note ${Date.now()}`;
  await input.fill(text);
  await expect(page.getByTestId('note-status')).toHaveText('Saved');

  await stopHost('SIGKILL');
  url = await startHost();
  await openNote(page, url);
  await expect(input).toHaveValue(text);
  expect(await savedBody(url)).toBe(text);
});

test('a save that fails says "Not saved." and keeps the typed text; it never shows "Saved"', async ({
  page,
}) => {
  const url = await startHost();
  await openNote(page, url);
  const input = page.getByTestId('note-input');
  const status = page.getByTestId('note-status');
  const before = (await savedBody(url)) ?? '';

  await stopHost('SIGKILL');
  await input.fill(`${before} — typed while the host is down`);
  await expect(status).toHaveClass(/status-error/);
  await expect(status).toContainText('Not saved — retrying…');
  await expect(status).not.toContainText('Saved');
  await expect(input).toHaveValue(`${before} — typed while the host is down`);
});

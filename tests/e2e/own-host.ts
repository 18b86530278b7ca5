import { expect, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';

/**
 * A browser-mode host of a spec's own (own temp data folder, the lab scenario of the VBoxManage
 * stand-in), which the spec can stop, kill (SIGKILL, as a crash) and start again on the same data
 * folder; plus the note helpers the notes specs share (open a VM / a note, read a saved note, read
 * a local draft). Used by notes-autosave, notes-draft, notes-conflict and issue5.
 */

const root = path.resolve(import.meta.dirname, '../..');

/**
 * The browser-mode host of app/core/serve.ts, but with a fixed port and token (startServer's
 * `token` option), so a page left open talks to the host again once it is back. Prints the URL.
 */
const FIXED_HOST = `
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

/** A spec's own browser-mode host; see {@link ownHost}. */

/**
 * The URL (with its `#token=`) a browser-mode host prints when it is ready, read from `child`'s
 * stdout/stderr. Rejects when none came within `timeoutMs` or when the host exited first (both with
 * what it printed).
 */
export function hostUrl(child: ChildProcess, timeoutMs = 20_000): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(
      () => reject(new Error(`browser host did not print its URL in ${timeoutMs} ms:\n${out}`)),
      timeoutMs,
    );
    const onData = (chunk: Buffer): void => {
      out += chunk.toString();
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]);
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`browser host exited with ${code}:\n${out}`));
    });
  });
}

export interface OwnHost {
  /** The temp data folder (VM_COMPANION_DATA_DIR), kept across restarts. */
  readonly dir: string;
  /**
   * Stops the running host (SIGTERM), starts a new one on `dir` and resolves with its URL
   * (`http://127.0.0.1:<port>/#token=<hex>`). Rejects if no URL is printed within 20 s or the
   * host exits first.
   */
  start(): Promise<string>;
  /** Stops the host with `signal` (SIGKILL: a crash, nothing flushed or closed) and waits for its exit. */
  stop(signal?: NodeJS.Signals): Promise<void>;
  /** Stops the host (SIGTERM) and removes `dir`. */
  dispose(): Promise<void>;
}

/**
 * Creates (does not start) a host of the spec's own on a new temp folder named `<prefix>XXXXXX`.
 * `fixed`: run it on one free port with one token for all its restarts (a page left open talks to
 * it again once it is back); otherwise app/core/serve.ts on a new port and token each start.
 */
export function ownHost(prefix: string, options: { fixed?: boolean } = {}): OwnHost {
  const dir = mkdtempSync(path.join(tmpdir(), prefix));
  const token = randomBytes(32).toString('hex');
  let port = 0;
  let child: ChildProcess | undefined;

  async function stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
    const proc = child;
    child = undefined;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill(signal);
    await exited;
  }

  async function start(): Promise<string> {
    await stop('SIGTERM');
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
      VBOX_STANDIN_SCENARIO: path.join(root, 'tests/stand-in/scenarios/lab.json'),
      VBOX_STANDIN_LOG: path.join(dir, 'standin.log'),
      VM_COMPANION_DATA_DIR: dir,
    };
    let args = ['app/core/serve.ts', '--port', '0'];
    if (options.fixed) {
      if (!port) port = await freePort();
      args = ['--input-type=module', '--eval', FIXED_HOST];
      env.E2E_PORT = String(port);
      env.E2E_TOKEN = token;
    }
    child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    const proc = child;
    return hostUrl(proc);
  }

  async function dispose(): Promise<void> {
    await stop('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  }

  return { dir, start, stop, dispose };
}

/** Calls the host's API directly (POST /api/<channel>) with the token of `url`; expects HTTP 2xx. */
export async function callApi<T>(url: string, channel: string, input: object): Promise<T> {
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

/** The stored body of VM `vmId`'s note on `settingId` (`''` = the VM-wide note), through the API. */
export async function savedBody(url: string, vmId: string, settingId: string): Promise<string | undefined> {
  const notes = await callApi<{ settingId: string; body: string }[]>(url, 'notes:list', { vmId });
  return notes.find((n) => n.settingId === settingId)?.body;
}

/** The localStorage key under which the page keeps the draft of a note. */
export function draftKey(vmId: string, settingId: string): string {
  return `vm-companion.noteDraft:${encodeURIComponent(vmId)}:${encodeURIComponent(settingId)}`;
}

/** The local draft of a note as the page keeps it under `key` (see {@link draftKey}), or null. */
export async function draftIn(page: Page, key: string): Promise<{ body: string; at: number } | null> {
  const raw = await page.evaluate((k) => localStorage.getItem(k), key);
  return raw === null ? null : (JSON.parse(raw) as { body: string; at: number });
}

/** Opens the app at `url` and VM `vmId`'s mirror (the app may reopen on the list or on the VM). */
export async function openVm(page: Page, url: string, vmId: string): Promise<void> {
  await page.goto(url);
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${vmId}"]`);
  await expect(row.or(page.getByTestId('page-system'))).toBeVisible();
  if (await row.isVisible()) await row.click();
  await expect(page.getByTestId('page-system')).toBeVisible();
}

/** Opens the note editor of a System → Processor setting (e.g. `system.processor.cpus`). */
export async function openProcessorNote(page: Page, settingId: string): Promise<void> {
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-processor').click();
  await page.locator(`[data-control="${settingId}"]:visible`).click();
  await expect(page.getByTestId('note-input')).toBeVisible();
}

/** The note helpers above bound to one VM and one System → Processor setting; see {@link noteOn}. */
export interface NoteOn {
  /** Stored body of the setting's note, or of `settingId` (`''` = the VM-wide note). */
  savedBody(url: string, settingId?: string): Promise<string | undefined>;
  /** The page's local draft of the setting's note, or null. */
  draftIn(page: Page): Promise<{ body: string; at: number } | null>;
  /** Opens the app at `url` and the VM's mirror. */
  openVm(page: Page, url: string): Promise<void>;
  /** Opens the note editor of the setting (the VM's mirror must be open). */
  openNote(page: Page): Promise<void>;
}

/** Binds {@link savedBody}, {@link draftIn}, {@link openVm} and {@link openProcessorNote} to `vmId` and `settingId`. */
export function noteOn(vmId: string, settingId: string): NoteOn {
  const key = draftKey(vmId, settingId);
  return {
    savedBody: (url, id = settingId) => savedBody(url, vmId, id),
    draftIn: (page) => draftIn(page, key),
    openVm: (page, url) => openVm(page, url, vmId),
    openNote: (page) => openProcessorNote(page, settingId),
  };
}

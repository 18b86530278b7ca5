/**
 * Entry point of browser mode: `npm run serve` (= `npm run build:web && node app/core/serve.ts`).
 *
 * Opens the store in {@link defaultDataDir}, starts the inventory service and the HTTP host on
 * 127.0.0.1, and prints the URL with the per-launch token. Options:
 * - `--port <n>` or env `PORT` (`0` = a free port chosen by the OS). Without either, the port of the
 *   previous start ({@link BROWSER_PORT_FILE} in the data folder) is used again when it is free —
 *   the browser keeps unsaved note drafts per origin (`127.0.0.1:<port>`), so drafts left by a crash
 *   are found again after a restart — else a free one (the printed line says so). The port used is
 *   remembered for the next start; the access token is new at every start;
 * - env `VBOXMANAGE`: path to the VBoxManage executable for this session (e.g. the test stand-in),
 *   used when no path is saved in the app's preferences, before the automatic search;
 * - env `VM_COMPANION_DATA_DIR`: data folder instead of the platform default.
 * SIGINT / SIGTERM cancel the inventory read, stop every VBoxManage child (SIGTERM, SIGKILL after
 * 1 s), close the server and the database, then exit 0 — or exit 1 with a message after
 * {@link STOP_GRACE_MS} when something is still stuck.
 */

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { createHandlers } from './api/handlers.ts';
import { killAllChildren } from './child-run.ts';
import { InventoryService } from './inventory-service.ts';
import { INVENTORY_CACHE_FILE } from './vbox/inventory-cache.ts';
import { defaultDataDir } from './paths.ts';
import { startServer, type RunningServer } from './server.ts';
import { openStore, type Store } from './store/index.ts';

/** Longest wait in ms after SIGINT/SIGTERM before browser mode exits anyway (children SIGKILLed). */
export const STOP_GRACE_MS = 3_000;

/** File in the data folder holding the port of the last browser-mode start (decimal, one line). */
export const BROWSER_PORT_FILE = 'browser-port';

/** How the port of a browser-mode session was chosen (see {@link startBrowserMode}). */
export type PortChoice =
  /** `--port` or `PORT` named it (`0`: any free port). */
  | { how: 'option' }
  /** The port of the previous start, used again. */
  | { how: 'previous' }
  /** No previous port was remembered (first start, or the file was unusable): a free one. */
  | { how: 'new' }
  /** The previous start's port (`previous`) could not be used (`code`, e.g. `EADDRINUSE`): a free one. */
  | { how: 'previous-taken'; previous: number; code: string };

/** A running browser-mode session (see {@link startBrowserMode}). */
export interface BrowserModeSession {
  server: RunningServer;
  store: Store;
  dataDir: string;
  /** How the port was chosen. */
  portChoice: PortChoice;
  /** The inventory service (cancelled on shutdown). */
  inventory: InventoryService;
  /** Closes the server, then the store. */
  close(): Promise<void>;
}

/** Thrown for bad command-line options or environment values. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

const USAGE = `Usage: npm run serve [-- --port <n>]

Serves VM Companion on http://127.0.0.1:<port>/ with a random access token.
  --port <n>   TCP port (0 = any free port; default: $PORT, else the port of the
               last start when it is free, else any free port)
Environment:
  PORT                    port when --port is not given
  VBOXMANAGE              path to VBoxManage for this session (when none is saved in the app)
  VM_COMPANION_DATA_DIR   folder for the notes database instead of the platform default`;

/** Parses a port number 0–65535. @throws UsageError otherwise. */
export function parsePort(value: string, from: string): number {
  if (!/^\d{1,5}$/.test(value.trim()) || Number(value) > 65535) {
    throw new UsageError(`Invalid port "${value}" (from ${from}): use a number from 0 to 65535.`);
  }
  return Number(value);
}

/**
 * The port remembered in `<dataDir>/{@link BROWSER_PORT_FILE}`; undefined when there is none or the
 * file is not a small regular file holding one port from 1 to 65535 (anything else is ignored).
 */
export function rememberedPort(dataDir: string): number | undefined {
  const file = path.join(dataDir, BROWSER_PORT_FILE);
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > 16) return undefined;
    const text = fs.readFileSync(file, 'utf8');
    if (!/^\d{1,5}\s*$/.test(text)) return undefined;
    const port = Number(text.trim());
    return port >= 1 && port <= 65535 ? port : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Writes `port` to `<dataDir>/{@link BROWSER_PORT_FILE}` (mode 0600, through a temporary file and a
 * rename). A failure is logged, never fatal: the next start then takes a new port.
 */
export function rememberPort(dataDir: string, port: number): void {
  const file = path.join(dataDir, BROWSER_PORT_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  try {
    fs.writeFileSync(tmp, `${port}\n`, { mode: 0o600 });
    fs.renameSync(tmp, file);
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    console.warn(
      `[vm-companion] could not remember the browser-mode port in ${file}: ${(err as Error).message}`,
    );
  }
}

/** Listen errors after which another port is tried instead of the remembered one. */
const PORT_UNUSABLE = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/**
 * Starts browser mode: store, inventory service, HTTP host. Writes nothing to stdout itself.
 * Without `--port`/`PORT`, the port of the previous start is tried first, then a free one (see
 * {@link PortChoice}); the port used is remembered in the data folder.
 *
 * @param argv command-line arguments after the script name (`--port`, `--help`).
 * @param env environment (`PORT`, `VBOXMANAGE`, `VM_COMPANION_DATA_DIR`, `XDG_DATA_HOME`, `APPDATA`…).
 * @returns the session, or `'help'` when `--help` was given.
 * @throws UsageError for bad options; StoreSchemaError for a database from a newer version;
 *   the listen error (e.g. `EADDRINUSE`) when the port `--port`/`PORT` names is taken.
 */
export async function startBrowserMode(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
): Promise<BrowserModeSession | 'help'> {
  let values: { port?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { port: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    throw new UsageError(`${(err as Error).message}\n\n${USAGE}`);
  }
  if (values.help) return 'help';
  const option =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : env.PORT !== undefined && env.PORT !== ''
        ? parsePort(env.PORT, 'PORT')
        : undefined;

  const dataDir = path.resolve(defaultDataDir(process.platform, env, os.homedir()));
  const store = openStore(dataDir);
  try {
    const inventory = new InventoryService({
      store,
      env,
      platform: process.platform,
      cacheFile: path.join(dataDir, INVENTORY_CACHE_FILE),
      appVersion: pkg.version,
    });
    const handlers = createHandlers({
      store,
      inventory,
      mode: 'browser',
      dataDir,
      systemLocale: Intl.DateTimeFormat().resolvedOptions().locale,
      version: pkg.version,
    });
    const webRoot = path.resolve(import.meta.dirname, '../../out/web');
    const previous = option === undefined ? rememberedPort(dataDir) : undefined;
    let server: RunningServer;
    let portChoice: PortChoice;
    if (option !== undefined) {
      server = await startServer({ handlers, webRoot, port: option });
      portChoice = { how: 'option' };
    } else if (previous === undefined) {
      server = await startServer({ handlers, webRoot, port: 0 });
      portChoice = { how: 'new' };
    } else {
      try {
        server = await startServer({ handlers, webRoot, port: previous });
        portChoice = { how: 'previous' };
      } catch (err) {
        const code = (err as NodeJS.ErrnoException).code ?? '';
        if (!PORT_UNUSABLE.has(code)) throw err;
        server = await startServer({ handlers, webRoot, port: 0 });
        portChoice = { how: 'previous-taken', previous, code };
      }
    }
    if (server.port !== previous) rememberPort(dataDir, server.port);
    return {
      server,
      store,
      dataDir,
      portChoice,
      inventory,
      close: async () => {
        await server.close();
        store.close();
      },
    };
  } catch (err) {
    store.close();
    throw err;
  }
}

/**
 * What the URL line adds about the port: `(same port as the last start)`, or — when that port could
 * not be used — that a new one was chosen and drafts kept at the old address are not visible here.
 */
export function portNote(choice: PortChoice): string {
  if (choice.how === 'previous') return ' (same port as the last start)';
  if (choice.how === 'previous-taken') {
    const why = choice.code === 'EADDRINUSE' ? 'is in use' : `cannot be used (${choice.code})`;
    return ` (port ${choice.previous} of the last start ${why}, so this is a new one; unsaved note drafts kept by the browser at http://127.0.0.1:${choice.previous}/ do not show here — start again when that port is free to see them)`;
  }
  return '';
}

/** Runs browser mode as a program: prints the URL and the data location, stops on SIGINT/SIGTERM. */
async function main(): Promise<void> {
  let session: BrowserModeSession | 'help';
  try {
    session = await startBrowserMode(process.argv.slice(2), process.env);
  } catch (err) {
    console.error(`VM Companion could not start browser mode: ${(err as Error).message}`);
    process.exit(err instanceof UsageError ? 2 : 1);
  }
  if (session === 'help') {
    console.log(USAGE);
    return;
  }
  const s = session;
  // Signal handlers first, so a stop request that follows the printed URL is never lost.
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal} received, stopping.`);
    setTimeout(() => {
      void killAllChildren(0);
      console.error(`Not stopped within ${STOP_GRACE_MS} ms (a read is stuck): exiting anyway.`);
      process.exit(1);
    }, STOP_GRACE_MS).unref();
    s.inventory.cancel();
    Promise.all([killAllChildren(1_000), s.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`Error while stopping: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  console.log(`VM Companion (browser mode) at ${s.server.url}${portNote(s.portChoice)}`);
  console.log(`Open that URL in your browser (the token after # is your access key for this session).`);
  console.log(`Notes and preferences are stored in ${s.store.file}`);
  if (process.env.VBOXMANAGE)
    console.log(`VBoxManage for this session (VBOXMANAGE): ${process.env.VBOXMANAGE}`);
  console.log('Press Ctrl+C to stop.');
}

if (import.meta.main) await main();

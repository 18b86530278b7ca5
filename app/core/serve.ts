/**
 * Entry point of browser mode: `npm run serve` (= `npm run build:web && node app/core/serve.ts`).
 *
 * Opens the store in {@link defaultDataDir}, starts the inventory service and the HTTP host on
 * 127.0.0.1, and prints the URL with the per-launch token. Options:
 * - `--port <n>` or env `PORT` (default 0 = a free port chosen by the OS);
 * - env `VBOXMANAGE`: path to the VBoxManage executable for this session (e.g. the test stand-in),
 *   used when no path is saved in the app's preferences, before the automatic search;
 * - env `VM_COMPANION_DATA_DIR`: data folder instead of the platform default.
 * SIGINT / SIGTERM close the server and the database, then exit 0.
 */

import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import pkg from '../../package.json' with { type: 'json' };
import { createHandlers } from './api/handlers.ts';
import { InventoryService } from './inventory-service.ts';
import { INVENTORY_CACHE_FILE } from './vbox/inventory-cache.ts';
import { defaultDataDir } from './paths.ts';
import { startServer, type RunningServer } from './server.ts';
import { openStore, type Store } from './store/index.ts';

/** A running browser-mode session (see {@link startBrowserMode}). */
export interface BrowserModeSession {
  server: RunningServer;
  store: Store;
  dataDir: string;
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
  --port <n>   TCP port (0 = any free port; default: $PORT or 0)
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
 * Starts browser mode: store, inventory service, HTTP host. Writes nothing to stdout itself.
 *
 * @param argv command-line arguments after the script name (`--port`, `--help`).
 * @param env environment (`PORT`, `VBOXMANAGE`, `VM_COMPANION_DATA_DIR`, `XDG_DATA_HOME`, `APPDATA`…).
 * @returns the session, or `'help'` when `--help` was given.
 * @throws UsageError for bad options; StoreSchemaError for a database from a newer version;
 *   the listen error (e.g. `EADDRINUSE`) when the port is taken.
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
  const port =
    values.port !== undefined
      ? parsePort(values.port, '--port')
      : env.PORT !== undefined && env.PORT !== ''
        ? parsePort(env.PORT, 'PORT')
        : 0;

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
    const server = await startServer({ handlers, webRoot, port });
    return {
      server,
      store,
      dataDir,
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
    s.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error(`Error while stopping: ${(err as Error).message}`);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
  console.log(`VM Companion (browser mode) at ${s.server.url}`);
  console.log(`Open that URL in your browser (the token after # is your access key for this session).`);
  console.log(`Notes and preferences are stored in ${s.store.file}`);
  if (process.env.VBOXMANAGE)
    console.log(`VBoxManage for this session (VBOXMANAGE): ${process.env.VBOXMANAGE}`);
  console.log('Press Ctrl+C to stop.');
}

if (import.meta.main) await main();

/**
 * `npm start`: launch the Electron app (`out/main/index.js`) when Electron's binary is installed,
 * otherwise explain why and start browser mode (`app/core/serve.ts`) instead.
 *
 * The binary is found WITHOUT loading the `electron` package (its `index.js` would try to download
 * the binary): `ELECTRON_EXEC_PATH`, else `electron/package.json` → `path.txt` →
 * `dist/<path.txt>` (or `ELECTRON_OVERRIDE_DIST_PATH/<path.txt>`), the same lookup as Electron's
 * own `index.js` and electron-vite.
 *
 * Flags: `--browser` forces browser mode (as does `VM_COMPANION_MODE=browser`); other arguments
 * are passed on to Electron or to the browser host.
 */

import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** Result of {@link findElectronBinary}. */
export type ElectronBinary =
  | {
      found: true;
      path: string;
      via: 'ELECTRON_EXEC_PATH' | 'ELECTRON_OVERRIDE_DIST_PATH' | 'electron package';
    }
  | { found: false; reason: string };

/** Options of {@link findElectronBinary} (all default to the current process). */
export interface FindElectronOptions {
  env?: NodeJS.ProcessEnv;
  platform?: NodeJS.Platform;
  /** Directory to resolve the `electron` package from (default: the project root). */
  fromDir?: string;
  /** Existence check (tests replace it). */
  exists?: (file: string) => boolean;
}

/** Executable path inside Electron's `dist/` when `path.txt` is absent (mirrors electron/install.js). */
export function defaultElectronPlatformPath(platform: NodeJS.Platform): string {
  if (platform === 'darwin') return 'Electron.app/Contents/MacOS/Electron';
  if (platform === 'win32') return 'electron.exe';
  return 'electron';
}

const projectRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/**
 * Finds Electron's executable without requiring `electron`. Never throws; when nothing usable is
 * found, `reason` says what is missing in one English sentence fragment.
 */
export function findElectronBinary(options: FindElectronOptions = {}): ElectronBinary {
  const env = options.env ?? process.env;
  const platform = options.platform ?? process.platform;
  const exists = options.exists ?? ((f: string) => fs.existsSync(f));
  const fromDir = options.fromDir ?? projectRoot;

  if (env.ELECTRON_EXEC_PATH) {
    return exists(env.ELECTRON_EXEC_PATH)
      ? { found: true, path: env.ELECTRON_EXEC_PATH, via: 'ELECTRON_EXEC_PATH' }
      : {
          found: false,
          reason: `ELECTRON_EXEC_PATH points to ${env.ELECTRON_EXEC_PATH}, which does not exist`,
        };
  }
  let packageDir: string;
  try {
    const require = createRequire(path.join(fromDir, 'package.json'));
    packageDir = path.dirname(require.resolve('electron/package.json'));
  } catch {
    return { found: false, reason: 'the electron package is not installed in node_modules' };
  }
  const pathFile = path.join(packageDir, 'path.txt');
  let relative: string | undefined;
  if (exists(pathFile)) {
    try {
      relative = fs.readFileSync(pathFile, 'utf8').trim();
    } catch {
      relative = undefined;
    }
  }
  if (env.ELECTRON_OVERRIDE_DIST_PATH) {
    const candidate = path.join(
      env.ELECTRON_OVERRIDE_DIST_PATH,
      relative || defaultElectronPlatformPath(platform),
    );
    return exists(candidate)
      ? { found: true, path: candidate, via: 'ELECTRON_OVERRIDE_DIST_PATH' }
      : { found: false, reason: `ELECTRON_OVERRIDE_DIST_PATH is set but ${candidate} does not exist` };
  }
  if (!relative) {
    return {
      found: false,
      reason: `${pathFile} is missing, so the binary was never downloaded (electron >= 42 fetches it on first use)`,
    };
  }
  const candidate = path.join(packageDir, 'dist', relative);
  return exists(candidate)
    ? { found: true, path: candidate, via: 'electron package' }
    : { found: false, reason: `${candidate} does not exist` };
}

/** Runs a child with inherited stdio, forwarding SIGINT/SIGTERM, and exits with its code. */
function runAndExit(command: string, args: string[], env: NodeJS.ProcessEnv): void {
  const child = spawn(command, args, { stdio: 'inherit', env, cwd: projectRoot });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  process.on('SIGINT', forward('SIGINT'));
  process.on('SIGTERM', forward('SIGTERM'));
  child.on('error', (err) => {
    console.error(`vm-companion: could not start ${command}: ${err.message}`);
    process.exit(1);
  });
  child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
}

/** Entry point of `npm start`. */
export function main(argv: string[] = process.argv.slice(2), env: NodeJS.ProcessEnv = process.env): void {
  const forceBrowser = argv.includes('--browser') || env.VM_COMPANION_MODE === 'browser';
  const rest = argv.filter((a) => a !== '--browser');
  const serve = path.join(projectRoot, 'app', 'core', 'serve.ts');

  if (!forceBrowser) {
    const electron = findElectronBinary({ env });
    const mainJs = path.join(projectRoot, 'out', 'main', 'index.js');
    if (electron.found && fs.existsSync(mainJs)) {
      console.log(`vm-companion: starting Electron (${electron.path})`);
      const childEnv = { ...env };
      delete childEnv.ELECTRON_RUN_AS_NODE;
      runAndExit(electron.path, [mainJs, ...rest], childEnv);
      return;
    }
    const why = electron.found
      ? `${path.relative(projectRoot, mainJs)} is not built (run \`npm run build\`)`
      : `Electron's binary is not installed (${electron.reason})`;
    console.log(`vm-companion: ${why}; starting browser mode instead.`);
  } else {
    console.log('vm-companion: browser mode requested; starting the browser host.');
  }
  runAndExit(process.execPath, [serve, ...rest], env);
}

const invokedDirectly =
  process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) main();

/**
 * Where VM Companion keeps its data (the SQLite store) when it runs outside Electron: browser
 * mode (`npm run serve`) and the CLI. Electron passes `app.getPath('userData')` instead.
 */

import path from 'node:path';

/** Folder name used under the platform's data directory. */
export const APP_DIR_NAME = 'vm-companion';

/**
 * The platform's per-user data directory for the app.
 *
 * - `VM_COMPANION_DATA_DIR` in `env`, when set and non-empty, wins (tests and portable setups use it);
 * - Linux and other Unixes: `$XDG_DATA_HOME/vm-companion` when `XDG_DATA_HOME` is an absolute path
 *   (the XDG spec says to ignore relative ones), else `~/.local/share/vm-companion`;
 * - macOS (`darwin`): `~/Library/Application Support/vm-companion`;
 * - Windows (`win32`): `%APPDATA%\vm-companion`, else `<home>\AppData\Roaming\vm-companion`.
 *
 * Pure: reads only its arguments and creates nothing.
 *
 * @param platform `process.platform` value.
 * @param env environment variables (usually `process.env`).
 * @param homedir the user's home directory (usually `os.homedir()`).
 * @returns an absolute path (for the platform's path flavour).
 */
export function defaultDataDir(platform: NodeJS.Platform, env: NodeJS.ProcessEnv, homedir: string): string {
  const override = env.VM_COMPANION_DATA_DIR;
  if (override) return override;
  if (platform === 'win32') {
    const appData = env.APPDATA;
    if (appData) return path.win32.join(appData, APP_DIR_NAME);
    return path.win32.join(homedir, 'AppData', 'Roaming', APP_DIR_NAME);
  }
  if (platform === 'darwin') {
    return path.posix.join(homedir, 'Library', 'Application Support', APP_DIR_NAME);
  }
  const xdg = env.XDG_DATA_HOME;
  if (xdg && path.posix.isAbsolute(xdg)) return path.posix.join(xdg, APP_DIR_NAME);
  return path.posix.join(homedir, '.local', 'share', APP_DIR_NAME);
}

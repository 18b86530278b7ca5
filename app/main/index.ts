/**
 * Electron main process entry (built to `out/main/index.js`).
 *
 * Start-up order: register the `app:` scheme as privileged (standard + secure) and force the
 * sandbox for every renderer before `ready`; take the single-instance lock; on `ready` deny all
 * permissions (except sanitized clipboard writes by the app itself), serve `out/renderer` through `app://bundle/` (traversal-guarded, with the CSP
 * header), open the store in `userData`, register the IPC handlers (sender-checked), set the
 * minimal menu and open the window. Every `webContents` gets the navigation / new-window /
 * `<webview>` guards of `harden.ts`.
 *
 * Command line: `--user-data-dir=<dir>` (tests) selects the data folder; `VBOXMANAGE` (env) points
 * the inventory at a VBoxManage for this session. Development: when not packaged and
 * `ELECTRON_RENDERER_URL` is set (electron-vite dev), that URL is loaded and its origin becomes
 * the app origin; `VM_COMPANION_DEVTOOLS=1` enables DevTools when not packaged.
 */

import { app, BrowserWindow, dialog, ipcMain, Menu, protocol, session, shell } from 'electron';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createHandlers } from '../core/api/handlers.ts';
import { killAllChildren } from '../core/child-run.ts';
import { InventoryService } from '../core/inventory-service.ts';
import { INVENTORY_CACHE_FILE } from '../core/vbox/inventory-cache.ts';
import { openStore, type Store } from '../core/store/index.ts';
import { isSafeExternalUrl, safeOpenExternal, setExternalOpener } from './external.ts';
import { hardenWebContents } from './harden.ts';
import { registerIpc } from './ipc.ts';
import { buildMenuTemplate } from './menu.ts';
import { bundleResponse } from './protocol.ts';
import {
  APP_ENTRY_URL,
  APP_ORIGIN,
  APP_SCHEME,
  decidePermission,
  originOf,
  secureWebPreferences,
} from './security.ts';

const here = path.dirname(fileURLToPath(import.meta.url));
const rendererDir = path.resolve(here, '../renderer');
const preloadPath = path.resolve(here, '../preload/index.cjs');

const devServerUrl = !app.isPackaged ? process.env.ELECTRON_RENDERER_URL : undefined;
const appOrigin = (devServerUrl && originOf(devServerUrl)) || APP_ORIGIN;
const entryUrl = devServerUrl || APP_ENTRY_URL;
const devTools = !app.isPackaged && (process.env.VM_COMPANION_DEVTOOLS === '1' || Boolean(devServerUrl));

// Must happen before `ready`.
protocol.registerSchemesAsPrivileged([
  { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
]);
app.enableSandbox();
const userDataSwitch = app.commandLine.getSwitchValue('user-data-dir');
if (userDataSwitch) app.setPath('userData', path.resolve(userDataSwitch));

let mainWindow: BrowserWindow | null = null;
let store: Store | null = null;
/** The inventory service, cancelled on quit. */
let inventoryService: InventoryService | null = null;

function createMainWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1280,
    height: 860,
    minWidth: 900,
    minHeight: 600,
    show: false,
    title: 'VM Companion',
    autoHideMenuBar: process.platform !== 'darwin',
    webPreferences: secureWebPreferences(preloadPath, { devTools }),
  });
  win.once('ready-to-show', () => win.show());
  win.on('closed', () => {
    if (mainWindow === win) mainWindow = null;
  });
  void win.loadURL(entryUrl);
  return win;
}

function systemLocale(): string {
  const preferred = app.getPreferredSystemLanguages();
  return preferred[0] || app.getLocale() || 'en-US';
}

async function start(): Promise<void> {
  setExternalOpener(shell);

  const ses = session.defaultSession;
  ses.setPermissionRequestHandler((_wc, permission, callback, details) =>
    callback(decidePermission(permission, details.requestingUrl, appOrigin)),
  );
  ses.setPermissionCheckHandler((_wc, permission, requestingOrigin) =>
    decidePermission(permission, requestingOrigin),
  );

  protocol.handle(APP_SCHEME, (request) => {
    const r = bundleResponse(rendererDir, request.url, request.method);
    const body = typeof r.body === 'string' ? r.body : new Uint8Array(r.body);
    return new Response(request.method === 'HEAD' ? null : body, { status: r.status, headers: r.headers });
  });

  const dataDir = app.getPath('userData');
  store = openStore(dataDir);
  const inventory = new InventoryService({
    store,
    env: process.env,
    platform: process.platform,
    cacheFile: path.join(dataDir, INVENTORY_CACHE_FILE),
    appVersion: app.getVersion(),
  });
  inventoryService = inventory;
  const handlers = createHandlers({
    store,
    inventory,
    mode: 'electron',
    dataDir,
    systemLocale: systemLocale(),
    version: app.getVersion(),
  });
  registerIpc(ipcMain, handlers, appOrigin);

  Menu.setApplicationMenu(
    Menu.buildFromTemplate(
      buildMenuTemplate({ platform: process.platform, dev: devTools, appName: 'VM Companion' }),
    ),
  );
  mainWindow = createMainWindow();
}

if (!app.requestSingleInstanceLock()) {
  app.quit();
} else {
  app.on('second-instance', () => {
    if (!mainWindow) return;
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  });
  app.on('web-contents-created', (_event, contents) => {
    hardenWebContents(contents, {
      appOrigin,
      isSafeExternal: isSafeExternalUrl,
      openInBrowser: safeOpenExternal,
    });
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('activate', () => {
    if (app.isReady() && BrowserWindow.getAllWindows().length === 0) mainWindow = createMainWindow();
  });
  app.on('will-quit', () => {
    // A stuck read must not outlive the app: cancel it and SIGKILL every VBoxManage child still running.
    inventoryService?.cancel();
    void killAllChildren(0);
    store?.close();
    store = null;
  });
  app
    .whenReady()
    .then(start)
    .catch((err: unknown) => {
      console.error('[vm-companion] start-up failed:', err);
      dialog.showErrorBox('VM Companion could not start', err instanceof Error ? err.message : String(err));
      app.exit(1);
    });
}

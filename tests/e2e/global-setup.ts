import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hostUrl } from './own-host.ts';

/**
 * Starts the real browser-mode host (`app/core/serve.ts`) with the stand-in VBoxManage replaying the
 * "lab" scenario of real recorded outputs, and hands its URL (with token) to the tests through
 * `process.env.E2E_URL`. Requires `npm run build:web` first (npm test builds before e2e).
 */
export default async function globalSetup(): Promise<() => Promise<void>> {
  const root = path.resolve(import.meta.dirname, '../..');
  if (!existsSync(path.join(root, 'out/web/index.html'))) {
    throw new Error('out/web is missing: run `npm run build:web` (npm test does it) before the e2e tests.');
  }
  const dataDir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-'));
  const logFile = path.join(dataDir, 'standin.log');
  const env = {
    ...process.env,
    VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
    VBOX_STANDIN_SCENARIO: path.join(root, 'tests/stand-in/scenarios/lab.json'),
    VBOX_STANDIN_LOG: logFile,
    VM_COMPANION_DATA_DIR: dataDir,
  };
  const child: ChildProcess = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await hostUrl(child);
  process.env.E2E_URL = url;
  process.env.E2E_STANDIN_LOG = logFile;
  process.env.E2E_DATA_DIR = dataDir;
  return async () => {
    child.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    rmSync(dataDir, { recursive: true, force: true });
  };
}

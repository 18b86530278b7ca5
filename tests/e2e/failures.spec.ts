import { expect, test, type Locator, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hostUrl } from './own-host.ts';

/**
 * Issue 6 (a) in the UI: what the machines list says for each way VBoxManage can fail. Two
 * browser-mode hosts of this file's own (free ports, temporary data folders, no registry in reach):
 *
 * - one on the stand-in VBoxManage whose scenario file is swapped between tests (the stand-in reads
 *   it at every call; the list is then read again through `vms:list {refresh: true}`):
 *   per-VM failures (`failure-modes`: E_ACCESSDENIED, an exit-1 error, a hang, a flood, empty
 *   output, an inaccessible VM, the WARNING banner, VBoxSVC slow on the first call), odd names
 *   (`odd-names`), VBoxSVC down (`vboxsvc-down`), empty output and a flood on every call;
 * - one whose VBOXMANAGE names a path that does not exist: demo VMs, then — once a VirtualBox.xml
 *   registers a VM — the registry's VM.
 *
 * Messages are asserted as printed; the other VMs are always listed too.
 */

const root = path.resolve(import.meta.dirname, '../..');
const STAND_IN = path.join(root, 'tests/stand-in/VBoxManage');
const SCENARIOS = path.join(root, 'tests/stand-in/scenarios');
const MISSING = '/nonexistent/vbox/VBoxManage';
const DEMO_COUNT = 5;

interface ScenarioVm {
  uuid: string;
  name?: string;
  showvminfo?: string;
}
interface Scenario {
  vms: ScenarioVm[];
  [key: string]: unknown;
}
const readScenario = (name: string): Scenario =>
  JSON.parse(readFileSync(path.join(SCENARIOS, `${name}.json`), 'utf8')) as Scenario;

interface Host {
  child: ChildProcess;
  url: string;
  dir: string;
}

/** Starts `app/core/serve.ts` on a free port with `env` added; resolves with its URL (token included). */
async function startHost(dir: string, env: NodeJS.ProcessEnv): Promise<Host> {
  if (!existsSync(path.join(root, 'out/web/index.html'))) throw new Error('run `npm run build:web` first');
  const dataDir = path.join(dir, 'data');
  const home = path.join(dir, 'home');
  const vboxHome = path.join(dir, 'vbox-home');
  for (const d of [dataDir, home, vboxHome]) mkdirSync(d, { recursive: true });
  const child = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
    cwd: root,
    // No real VirtualBox.xml in reach: HOME and VBOX_USER_HOME are empty folders of this test.
    env: { ...process.env, HOME: home, VBOX_USER_HOME: vboxHome, VM_COMPANION_DATA_DIR: dataDir, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const url = await hostUrl(child);
  return { child, url, dir };
}

async function stopHost(host: Host | undefined): Promise<void> {
  if (!host) return;
  host.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  rmSync(host.dir, { recursive: true, force: true });
}

/** Reads the VM list again on the host (`vms:list {refresh: true}`), as the Refresh button does. */
async function refresh(host: Host): Promise<void> {
  const u = new URL(host.url);
  const token = /#token=([0-9a-f]+)/.exec(host.url)![1];
  const res = await fetch(`${u.origin}/api/vms:list`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: JSON.stringify({ refresh: true }),
  });
  expect(res.status).toBe(200);
}

function row(page: Page, id: string): Locator {
  return page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`);
}

/** The core's message shown in a VM row (the text behind "Details:"). */
function rowError(page: Page, id: string): Locator {
  return row(page, id).getByTestId('vm-error').getByTestId('raw-detail');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

interface LogEntry {
  argv: string[];
  pid: number;
  delayMs: number;
  hang?: boolean;
}
function readLog(file: string): LogEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as LogEntry);
}

/** The runner's read-only rule, restated: the first argument is one of the read verbs. */
const READ_VERBS = ['list', 'showvminfo', 'showmediuminfo', 'snapshot', 'getextradata', '--version'];
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

test.describe('VBoxManage failing in every way (stand-in host)', () => {
  test.describe.configure({ mode: 'serial' });
  let host: Host | undefined;
  let scenarioFile = '';
  let logFile = '';

  /** Replaces the scenario the stand-in reads (atomically), based on a bundled one. */
  function useScenario(name: string, overrides: Record<string, unknown> = {}): Scenario {
    const s = { ...readScenario(name), ...overrides, fixturesDir: path.join(root, 'tests/fixtures') };
    writeFileSync(`${scenarioFile}.tmp`, JSON.stringify(s, null, 2));
    renameSync(`${scenarioFile}.tmp`, scenarioFile);
    return s;
  }

  test.beforeAll(async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-failures-'));
    scenarioFile = path.join(dir, 'scenario.json');
    logFile = path.join(dir, 'standin.log');
    useScenario('failure-modes');
    host = await startHost(dir, {
      VBOXMANAGE: STAND_IN,
      VBOX_STANDIN_SCENARIO: scenarioFile,
      VBOX_STANDIN_LOG: logFile,
    });
  });
  test.afterAll(async () => stopHost(host));

  test('per-VM failures: each row says why; Issabel and Win2016SRV load; the banner is noted once', async ({
    page,
  }) => {
    test.setTimeout(90_000);
    const scenario = readScenario('failure-modes');
    const id = (name: string) => scenario.vms.find((v) => v.name === name)!.uuid;
    await page.goto(host!.url);
    // VBoxSVC answers the first call after 1.5 s and the hanging VM costs the 15 s deadline.
    await expect(page.getByTestId('vm-row')).toHaveCount(scenario.vms.length, { timeout: 45_000 });

    await expect(rowError(page, id('Lab Windows 10'))).toHaveText(
      "Access denied: The object functionality is limited. Details: code E_ACCESSDENIED (0x80070005), component MachineWrap, interface IMachine, callee nsISupports. Likely cause: the VM belongs to another user, or VirtualBox's service (VBoxSVC) runs as another user.",
    );
    await expect(rowError(page, id('Build'))).toHaveText(
      `VBoxManage failed (exit code 1): Could not find a registered machine with UUID {${id('Build')}}. Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports.`,
    );
    await expect(rowError(page, id('Lab'))).toHaveText(
      'Timed out after 15 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).',
    );
    // What to do next is the UI's own sentence, only for the timeout.
    await expect(row(page, id('Lab')).getByTestId('retry-hint')).toHaveText('Refresh to try again.');
    await expect(row(page, id('Lab')).getByTestId('vm-error')).toContainText('stuck). Refresh to try again.');
    await expect(page.getByTestId('retry-hint')).toHaveCount(1);
    await expect(rowError(page, id('Chatty'))).toHaveText(
      `Output too large: VBoxManage showvminfo ${id('Chatty')} --machinereadable printed more than 16 MiB (16777216 bytes) and was stopped.`,
    );
    await expect(rowError(page, id('Quiet'))).toHaveText(
      `No output: VBoxManage showvminfo ${id('Quiet')} --machinereadable exited 0 but printed nothing (a locale problem such as LANG=C can cause this).`,
    );
    await expect(rowError(page, '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13')).toContainText(
      "VirtualBox could not read this VM (settings file /home/user/VirtualBox VMs/Old lab/Old lab.vbox): Runtime error opening '/home/user/VirtualBox VMs/Old lab/Old lab.vbox' for reading",
    );
    // The others load: no error, real values from their recordings.
    for (const name of ['Issabel', 'Win2016SRV']) {
      await expect(row(page, id(name)).getByTestId('vm-error')).toHaveCount(0);
      await expect(row(page, id(name)).locator('.vm-name')).toHaveText(name);
    }
    await expect(row(page, id('Win2016SRV'))).toContainText('4096');
    await expect(page.getByTestId('vbox-error')).toHaveCount(0);

    // The WARNING banner: one note for VirtualBox as a whole.
    await page.getByTestId('list-notes').locator('summary').click();
    await expect(page.getByTestId('vbox-warning').getByTestId('raw-detail')).toHaveText(
      'VBoxManage warns: The vboxdrv kernel module is not loaded. Either there is no module available for the current kernel (6.1.0-21-amd64) or it failed to load. Please recompile the kernel module and install it by sudo /sbin/vboxconfig You will not be able to start VMs until this problem is fixed.',
    );

    const calls = readLog(logFile);
    expect(calls.map((c) => c.delayMs).filter((d) => d > 0)).toEqual([1500]);
    const hung = calls.find((c) => c.hang)!;
    expect(hung.argv).toEqual(['showvminfo', id('Lab'), '--machinereadable']);
    expect(alive(hung.pid)).toBe(false);
    for (const c of calls) expect(READ_VERBS).toContain(c.argv[0]);

    // The timed-out VM's own page says what to do as well.
    await row(page, id('Lab')).click();
    const card = page.getByRole('alert').filter({ has: page.getByTestId('retry-hint') });
    await expect(card.getByTestId('raw-detail')).toHaveText(/^Timed out after 15 s: /);
    await expect(card.getByTestId('retry-hint')).toHaveText('Refresh to try again.');
  });

  test('odd names are shown literally; VBoxManage only ever sees UUIDs', async ({ page }) => {
    const scenario = useScenario('odd-names');
    const before = readLog(logFile).length;
    const pwnedBefore = existsSync('/tmp/pwned');
    await refresh(host!);
    await page.goto(host!.url);
    await expect(page.getByTestId('vm-row')).toHaveCount(scenario.vms.length);
    for (const vm of scenario.vms) {
      const name = row(page, vm.uuid).locator('.vm-name');
      // textContent exactly the name (quotes, braces, newline, Chinese, shell characters kept).
      expect(await name.evaluate((el) => el.textContent)).toBe(vm.name);
      await expect(name).toHaveAttribute('title', vm.name!);
      await expect(row(page, vm.uuid).getByTestId('vm-error')).toHaveCount(0);
    }
    const calls = readLog(logFile).slice(before);
    expect(calls.filter((c) => c.argv[0] === 'showvminfo')).toHaveLength(scenario.vms.length);
    for (const c of calls) {
      expect(READ_VERBS).toContain(c.argv[0]);
      if (c.argv[0] === 'showvminfo' || c.argv[0] === 'snapshot') expect(c.argv[1]).toMatch(UUID);
      for (const vm of scenario.vms) expect(c.argv).not.toContain(vm.name);
    }
    if (!pwnedBefore) expect(existsSync('/tmp/pwned')).toBe(false);

    // A VM named "-rf" opens like any other, by its UUID.
    await row(page, scenario.vms[0].uuid).click();
    await expect(page.getByTestId('page-general')).toBeVisible();
    await expect(page.getByText('-rf', { exact: true }).first()).toBeVisible();
  });

  test('VBoxSVC down: "list vms" fails; the list says so with VBoxManage’s words and shows demo VMs', async ({
    page,
  }) => {
    useScenario('vboxsvc-down');
    await refresh(host!);
    await page.goto(host!.url);
    await expect(page.getByTestId('vm-row')).toHaveCount(DEMO_COUNT);
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    const error = page.getByTestId('vbox-error');
    await expect(error.locator('strong')).toHaveText('VBoxManage could not list your virtual machines');
    // VBoxManage's lines joined as sentences: one full stop each, never two.
    await expect(error.getByTestId('raw-detail')).toHaveText(
      'VBoxManage 7.1.12r169651 could not list the VMs: VBoxManage list vms failed with exit code 1: Failed to create the VirtualBox object! Code CO_E_SERVER_EXEC_FAILURE (0x80080005) - Server execution failed (extended info not available). Most likely, the VirtualBox COM server is not running or failed to start. Demo VMs are shown meanwhile.',
    );
  });

  for (const [what, overrides, detail] of [
    [
      'prints nothing (T11)',
      { emptyOutput: true },
      'VBoxManage --version exited 0 but printed nothing (a locale problem such as LANG=C can cause this)',
    ],
    [
      'floods every answer',
      { floodBytes: 17 * 1024 * 1024 },
      'VBoxManage --version printed more than 16 MiB (16777216 bytes) and was stopped',
    ],
  ] as const) {
    test(`VBoxManage ${what}: "could not be used", the reason, demo VMs`, async ({ page }) => {
      useScenario('lab', overrides);
      await refresh(host!);
      await page.goto(host!.url);
      await expect(page.getByTestId('vm-row')).toHaveCount(DEMO_COUNT);
      await expect(page.getByTestId('demo-banner')).toBeVisible();
      const status = page.getByTestId('vbox-status');
      await expect(status.locator('h2')).toHaveText('VBoxManage could not be used');
      await expect(status.getByTestId('raw-detail')).toHaveText(
        `VBoxManage at ${STAND_IN} could not be used: ${detail}. Demo VMs are shown meanwhile.`,
      );
      // The top bar says the same, not "not found".
      const summary = page.getByTestId('vbox-summary-text');
      await expect(summary).toHaveText('VBoxManage could not be used — showing demo machines');
      await expect(summary).toHaveAttribute('data-state', 'unusable');
    });
  }
});

test.describe('VBoxManage missing (VBOXMANAGE names a path that does not exist)', () => {
  test.describe.configure({ mode: 'serial' });
  let host: Host | undefined;

  test.beforeAll(async () => {
    test.skip(
      ['/usr/bin/VBoxManage', '/usr/lib/virtualbox/VBoxManage', '/usr/local/bin/VBoxManage'].some((p) =>
        existsSync(p),
      ),
      'a real VirtualBox is installed here: it would be found instead',
    );
    host = await startHost(mkdtempSync(path.join(tmpdir(), 'vmc-e2e-missing-')), { VBOXMANAGE: MISSING });
  });
  test.afterAll(async () => stopHost(host));

  test('the list names the missing path, lists the paths tried and shows the demo VMs', async ({ page }) => {
    await page.goto(host!.url);
    await expect(page.getByTestId('vm-row')).toHaveCount(DEMO_COUNT);
    const status = page.getByTestId('vbox-status');
    await expect(status.locator('h2')).toHaveText('VBoxManage was not found');
    await expect(status.getByTestId('raw-detail')).toHaveText(
      `The VBOXMANAGE path (${MISSING}) does not exist. No other VBoxManage was found in the usual places either. Demo VMs are shown meanwhile.`,
    );
    await expect(page.getByTestId('vbox-tried').locator('li').first()).toHaveText(MISSING);
    await expect(page.getByTestId('demo-banner')).toBeVisible();
    await expect(page.getByTestId('vbox-summary-text')).toHaveText(
      'VBoxManage was not found — showing demo machines',
    );
    await expect(page.getByTestId('vbox-summary-text')).toHaveAttribute('data-state', 'not-found');
    await expect(page.getByTestId('vbox-path-input')).toBeVisible();
  });

  test('with a VirtualBox.xml registering a VM, that VM is listed from its settings file instead', async ({
    page,
  }) => {
    const vboxHome = path.join(host!.dir, 'vbox-home');
    const vbox = path.join(host!.dir, 'vms', 'natfwd.vbox');
    mkdirSync(path.dirname(vbox), { recursive: true });
    copyFileSync(path.join(root, 'tests/fixtures/vbox/vagrant-test-trimmed-snapshot-natfwd.vbox'), vbox);
    const uuid = /<Machine uuid="\{([^}]+)\}"/.exec(readFileSync(vbox, 'utf8'))![1].toLowerCase();
    const registry = path.join(vboxHome, 'VirtualBox.xml');
    writeFileSync(
      registry,
      `<?xml version="1.0"?>\n<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">\n  <Global>\n    <MachineRegistry>\n      <MachineEntry uuid="{${uuid}}" src="${vbox}"/>\n    </MachineRegistry>\n  </Global>\n</VirtualBox>\n`,
    );
    await refresh(host!);
    await page.goto(host!.url);
    await expect(page.getByTestId('vm-row')).toHaveCount(1);
    await expect(row(page, uuid)).toBeVisible();
    await expect(page.getByTestId('demo-banner')).toHaveCount(0);
    // The registry's VMs are real ones: the top bar does not speak of demo machines.
    await expect(page.getByTestId('vbox-summary-text')).toHaveText('VBoxManage was not found');
    await expect(page.getByTestId('vbox-status').getByTestId('raw-detail')).toHaveText(
      `The VBOXMANAGE path (${MISSING}) does not exist. No other VBoxManage was found in the usual places either. The VMs registered in ${registry} are shown, read from their settings files; their running state is unknown.`,
    );
  });
});

import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpFacts } from './dump.ts';
import { hostUrl } from './own-host.ts';

/**
 * Long reads (issue 6) end to end: a browser-mode host of its own reads a slow VirtualBox (the
 * stand-in answers each `showvminfo` after {@link VM_DELAY_MS} ms, two calls at a time). The VM names
 * appear as soon as `list vms` answered, with "n of 8" and a progress bar that advances; Cancel stops
 * the read and says how many VMs were not read (those are marked and show why); Refresh reads all 8.
 * The same in Chinese. Screenshots: test-results/screens/progress-*.png.
 */

const root = path.resolve(import.meta.dirname, '../..');
/** Extra time every VM's `showvminfo` takes, in ms: 8 VMs two at a time ≈ 4 × 2 s of reading. */
const VM_DELAY_MS = 2000;

interface ScenarioVm {
  uuid: string;
  name?: string;
  showvminfo?: string;
  inaccessible?: boolean;
  delayMs?: number;
}
const lab = JSON.parse(readFileSync(path.join(root, 'tests/stand-in/scenarios/lab.json'), 'utf8')) as {
  vms: ScenarioVm[];
} & Record<string, unknown>;
/** The first 8 readable VMs of the lab, each slow to read. */
const vms: ScenarioVm[] = lab.vms
  .filter((vm) => vm.showvminfo && !vm.inaccessible)
  .slice(0, 8)
  .map((vm) => ({ ...vm, delayMs: VM_DELAY_MS }));
const names = new Map(vms.map((vm) => [vm.uuid, dumpFacts(vm.showvminfo!).name]));

let child: ChildProcess | undefined;
let url = '';
let dir = '';
let logFile = '';

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  if (!existsSync(path.join(root, 'out/web/index.html'))) throw new Error('run `npm run build:web` first');
  dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-progress-'));
  logFile = path.join(dir, 'standin.log');
  const scenarioFile = path.join(dir, 'slow.json');
  writeFileSync(
    scenarioFile,
    JSON.stringify(
      {
        description: 'e2e progress: 8 lab VMs, each showvminfo slow',
        version: lab.version,
        hostinfo: lab.hostinfo,
        systemproperties: lab.systemproperties,
        hdds: lab.hdds,
        fixturesDir: path.join(root, 'tests/fixtures'),
        vms,
      },
      null,
      2,
    ),
  );
  const dataDir = path.join(dir, 'data');
  mkdirSync(dataDir);
  child = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
    cwd: root,
    env: {
      ...process.env,
      VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
      VBOX_STANDIN_SCENARIO: scenarioFile,
      VBOX_STANDIN_LOG: logFile,
      VM_COMPANION_DATA_DIR: dataDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  url = await hostUrl(child!);
});

test.afterAll(async () => {
  child?.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 200));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/** Calls a channel of this host's API from the test (browser mode: POST /api/<channel> with the token). */
async function call(channel: string, input: object): Promise<unknown> {
  const u = new URL(url);
  const token = /token=([0-9a-f]+)/.exec(u.hash)![1];
  const res = await fetch(`${u.origin}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  if (!res.ok) throw new Error(`${channel}: HTTP ${res.status} ${await res.text()}`);
  return res.json();
}

/** How many `list vms` calls the stand-in answered so far (one per read of the inventory). */
function listVmsCalls(): number {
  if (!existsSync(logFile)) return 0;
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter(Boolean)
    .filter((line) => {
      const argv = (JSON.parse(line) as { argv: string[] }).argv;
      return argv[0] === 'list' && argv[1] === 'vms';
    }).length;
}

/** The "n" of the progress line's "n of N" / "n / N" (-1 when the line shows no count). */
async function doneOf(status: Locator): Promise<number> {
  const m = /(\d+) (?:of|\/) 8/.exec((await status.textContent()) ?? '');
  return m ? Number(m[1]) : -1;
}

/** axe (WCAG 2.0/2.1 A and AA): no serious or critical violation on the page as it is now. */
async function expectNoSeriousA11yViolations(page: Page, label: string): Promise<void> {
  const result = await new AxeBuilder({ page })
    .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
    .analyze();
  const bad = result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `[${label}] ${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  expect(bad).toEqual([]);
}

test('the VM list shows while the VMs are read; Cancel says which were not read; Refresh reads them all', async ({
  page,
}) => {
  test.setTimeout(120_000);
  await page.goto(url);

  // As soon as `list vms` answered: the 8 names, not yet openable, and "n of 8" with n < 8.
  const listed = page.getByTestId('vm-row-listed');
  await expect(listed).toHaveCount(8);
  await expect(page.getByTestId('vm-row')).toHaveCount(0);
  for (const [id, name] of names) {
    await expect(page.locator(`[data-testid="vm-row-listed"][data-vm-id="${id}"]`)).toContainText(name);
  }
  const status = page.getByTestId('read-status');
  await expect(status).toHaveAttribute('aria-live', 'polite');
  await expect(status).toHaveText(/^Reading VirtualBox VMs: \d of 8$/);
  const first = await doneOf(status);
  expect(first).toBeGreaterThanOrEqual(0);
  expect(first).toBeLessThan(8);
  const bar = page.getByRole('progressbar', { name: 'VirtualBox VMs read so far' });
  await expect(bar).toBeVisible();
  await expect(bar).toHaveAttribute('max', '8');
  await expect(page.getByTestId('vm-pending').first()).toHaveText('reading…');
  // One read at a time: the refresh button waits for this one.
  await expect(page.getByTestId('refresh')).toBeDisabled();
  // A VM not read yet does not open (the hint says when it will).
  await expect(listed.first()).toHaveAttribute('aria-disabled', 'true');
  await listed.first().click({ force: true }); // a user's click (Playwright would wait for it to be enabled)
  await expect(page.getByTestId('page-system')).toHaveCount(0);
  await expect(page.getByTestId('pending-hint')).toContainText('open once the read is done');

  // The count advances, and the bar with it.
  await expect.poll(() => doneOf(status), { timeout: 15_000 }).toBeGreaterThanOrEqual(Math.max(2, first + 1));
  const shown = await doneOf(status);
  expect(shown).toBeLessThan(8);
  await expect(bar).toHaveAttribute('value', String(shown));
  await page.screenshot({ path: 'test-results/screens/progress-en-reading.png' });
  await expectNoSeriousA11yViolations(page, 'reading');

  // Cancel: the list comes with the VMs read so far; the others are marked and say why.
  await page.getByTestId('read-cancel').click();
  const notice = page.getByTestId('read-cancelled');
  await expect(notice).toBeVisible({ timeout: 15_000 });
  await expect(status).toHaveText(
    /^Reading was cancelled: \d+ VMs? (?:was|were) not read\. Refresh to read them\.$/,
  );
  const notRead = Number(/(\d+) VM/.exec((await status.textContent()) ?? '')![1]);
  expect(notRead).toBeGreaterThanOrEqual(1);
  expect(notRead).toBeLessThanOrEqual(8 - 2);
  await expect(page.getByTestId('vm-row')).toHaveCount(8);
  await expect(page.getByTestId('read-progress')).toHaveCount(0);
  const skipped = page.locator('[data-testid="vm-row"][data-not-read="true"]');
  await expect(skipped).toHaveCount(notRead);
  await expect(page.getByTestId('vm-not-read')).toHaveCount(notRead);
  for (const row of await skipped.all()) {
    await expect(row.getByTestId('vm-not-read')).toHaveText('not read');
    await expect(row.getByTestId('vm-error')).toHaveText(
      'Not read: you cancelled the read before this VM was read. Refresh to read it.',
    );
    await expect(row.getByTestId('findings-count')).toHaveText('—');
  }
  // The VMs read before the cancel are complete (no error), and open.
  await expect(
    page.locator('[data-testid="vm-row"]:not([data-not-read]) [data-testid="vm-error"]'),
  ).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/progress-en-cancelled.png' });
  await expectNoSeriousA11yViolations(page, 'cancelled');
  expect(listVmsCalls()).toBe(1);

  // Refresh from the notice: all 8 read, nothing marked.
  await notice.getByTestId('read-cancelled-refresh').click();
  await expect(page.getByTestId('read-progress')).toBeVisible();
  await expect(page.getByTestId('refresh')).toBeDisabled();
  await expect(page.getByTestId('read-progress')).toHaveCount(0, { timeout: 30_000 });
  await expect(page.getByTestId('read-cancelled')).toHaveCount(0);
  await expect(page.getByTestId('vm-row')).toHaveCount(8);
  await expect(page.getByTestId('vm-error')).toHaveCount(0);
  await expect(page.getByTestId('vm-not-read')).toHaveCount(0);
  for (const [id, name] of names) {
    await expect(page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`)).toContainText(name);
  }
  expect(listVmsCalls()).toBe(2);
  // Its snapshot list is slow too (the VM's delay applies to it).
  await page.locator(`[data-testid="vm-row"][data-vm-id="${vms[0].uuid}"]`).click();
  await expect(page.getByTestId('page-system')).toBeVisible({ timeout: 15_000 });
});

test('in Chinese: "n / 8", 取消, and the notice of the VMs not read', async ({ page }) => {
  test.setTimeout(120_000);
  await call('prefs:set', { language: 'zh-CN' });
  // A read under way when the page opens (the page's own vms:list joins it).
  const read = call('vms:list', { refresh: true });
  try {
    await page.goto(url);
    await expect(page.locator('html')).toHaveAttribute('lang', 'zh-CN');
    await expect(page.getByTestId('vm-row-listed')).toHaveCount(8);
    const status = page.getByTestId('read-status');
    await expect(status).toHaveText(/^正在读取 VirtualBox 虚拟机：\d \/ 8$/);
    await expect(page.getByRole('progressbar', { name: '已读取的 VirtualBox 虚拟机' })).toBeVisible();
    await expect(page.getByTestId('vm-pending').first()).toHaveText('读取中…');
    await expect(page.getByTestId('read-cancel')).toHaveText('取消');
    await expect.poll(() => doneOf(status), { timeout: 15_000 }).toBeGreaterThanOrEqual(1);
    expect(await doneOf(status)).toBeLessThan(8);
    await page.screenshot({ path: 'test-results/screens/progress-zh-CN-reading.png' });

    await page.getByTestId('read-cancel').click();
    await expect(page.getByTestId('read-cancelled')).toBeVisible({ timeout: 15_000 });
    await expect(status).toHaveText(/^读取已取消：有 \d+ 台虚拟机没有读取。点“刷新”即可读取它们。$/);
    const notRead = Number(/有 (\d+) 台/.exec((await status.textContent()) ?? '')![1]);
    expect(notRead).toBeGreaterThanOrEqual(1);
    await expect(page.getByTestId('vm-not-read')).toHaveCount(notRead);
    await expect(page.getByTestId('vm-not-read').first()).toHaveText('未读取');
    await expect(
      page.locator('[data-testid="vm-row"][data-not-read="true"]').first().getByTestId('vm-error'),
    ).toHaveText('未读取：你在读到这台虚拟机之前取消了读取。点“刷新”即可读取。');
    await expect(page.getByTestId('read-cancelled-refresh')).toHaveText('刷新');
    await page.screenshot({ path: 'test-results/screens/progress-zh-CN-cancelled.png' });
    await expectNoSeriousA11yViolations(page, 'zh-CN cancelled');
  } finally {
    await read.catch(() => undefined);
    await call('prefs:set', { language: 'en' });
  }
  expect(((await read) as { cancelled?: boolean }).cancelled).toBe(true);
});

import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';
import { hostUrl } from './own-host.ts';

/**
 * Issue 3 end to end: advice findings on the mirror (strip, page and control badges, explanation
 * with the fix command), the Basic/Expert toggle, access levels by machine state, the snapshot tree,
 * the change history, medium information with its differencing chain, and settings files opened
 * directly (.vbox values with their provenance, .vbox vs showvminfo disagreements, unexplained keys).
 * The lab scenario's stand-in VBoxManage replays real recorded outputs; expected values are read
 * from the same fixture files with simple independent code.
 */

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (rel: string): string => path.join(root, 'tests/fixtures', rel);
const lab = scenario('lab');

/** The lab VM with a differencing disk and one snapshot ("ubuntu-18.04"); VirtualBox 6.0 dump, powered off. */
const ubuntuVm = lab.vms.find((vm) => vm.showvminfo?.includes('snapshot-differencing-disk'))!;
const ubuntu = dumpFacts(ubuntuVm.showvminfo!);
const ubuntuDump = readFileSync(fixture(ubuntuVm.showvminfo!), 'utf8');
/** A running lab VM (VirtualBox 6.1 dump with VMState="running"). */
const runningVm = lab.vms.find((vm) => vm.showvminfo?.includes('vbox612-macos-host-running'))!;
const running = dumpFacts(runningVm.showvminfo!);
const runningDump = readFileSync(fixture(runningVm.showvminfo!), 'utf8');

/** `key="value"` or `key=value` of a dump, first occurrence. */
function dumpValue(text: string, key: string): string | undefined {
  const re = new RegExp(`^"?${key.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"?=(?:"(.*)"|(.*))$`, 'm');
  const m = re.exec(text);
  return m ? (m[1] ?? m[2]) : undefined;
}

async function openApp(page: Page, url = process.env.E2E_URL): Promise<void> {
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
}

async function openVm(page: Page, id: string): Promise<void> {
  await page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`).click();
  await expect(page.getByTestId('page-general')).toBeVisible();
}

function control(page: Page, id: string, instance?: string) {
  const inst = instance === undefined ? '' : `[data-instance="${instance}"]`;
  return page.locator(`[data-control="${id}"]${inst}:visible`);
}

test('a VM with findings shows the strip, page badges and the count in the machines list', async ({
  page,
}) => {
  await openApp(page);
  // Fixture: vram=8 (MB) for one monitor — below what VirtualBox asks for full screen.
  expect(dumpValue(ubuntuDump, 'vram')).toBe('8');
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${ubuntu.uuid}"]`);
  const count = Number(await row.getByTestId('findings-count').getAttribute('data-count'));
  expect(count).toBeGreaterThan(0);

  await openVm(page, ubuntu.uuid);
  const strip = page.getByTestId('findings-strip');
  await expect(strip).toBeVisible();
  await expect(strip.getByTestId('finding')).toHaveCount(count);
  const vram = strip.locator('[data-testid="finding"][data-setting-id="display.screen.vram"]');
  await expect(vram).toHaveCount(1);
  await expect(vram).toHaveAttribute('data-severity', /^(warning|error)$/);
  await expect(page.getByTestId('page-badge-display')).toBeVisible();
  const displayFindings = await strip.locator('[data-testid="finding"][data-setting-id^="display."]').count();
  await expect(page.getByTestId('page-badge-display')).toHaveText(String(displayFindings));
  // Pages without findings carry no badge.
  await expect(page.getByTestId('page-badge-usb')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/issue3-findings.png' });
});

test('clicking a finding opens its page and tab and selects its control', async ({ page }) => {
  await openApp(page);
  await openVm(page, ubuntu.uuid);
  await page.locator('[data-testid="finding"][data-setting-id="display.screen.vram"]').click();

  await expect(page.getByTestId('tab-screen')).toHaveAttribute('aria-selected', 'true');
  const vram = control(page, 'display.screen.vram');
  await expect(vram).toHaveAttribute('aria-pressed', 'true');
  await expect(vram).toHaveAttribute('data-value', '8');
  await expect(vram.getByTestId('control-badge')).toBeVisible();
  const explain = page.getByTestId('explain');
  const finding = explain.getByTestId('explain-finding');
  await expect(finding).toHaveCount(1);
  await expect(finding).toContainText('8 MB');
  await expect(finding.getByTestId('finding-command')).toContainText(
    new RegExp(`^VBoxManage modifyvm ${ubuntu.uuid} --vram \\d+$`),
  );
  await page.screenshot({ path: 'test-results/screens/issue3-finding-selected.png' });

  // Adapter 1 is NAT without forwarding rules: the finding lands on that adapter's Port Forwarding
  // control, without opening its rules dialog.
  expect(dumpValue(ubuntuDump, 'nic1')).toBe('nat');
  expect(ubuntuDump).not.toMatch(/^Forwarding\(/m);
  await page.getByTestId('page-general').click();
  await page.locator('[data-testid="finding"][data-setting-id="network.adapter.portForwarding#1"]').click();
  await expect(page.getByTestId('tab-adapter-1')).toHaveAttribute('aria-selected', 'true');
  await expect(control(page, 'network.adapter.portForwarding', '1')).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('port-forwarding')).toHaveCount(0);
});

test('Basic mode hides expert-only controls, tabs, pages and adapters; the choice is remembered', async ({
  page,
}) => {
  await openApp(page);
  await openVm(page, ubuntu.uuid);
  await expect(page.getByTestId('mode-expert')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('page-system').click();
  await expect(control(page, 'system.motherboard.chipset')).toHaveCount(1);
  await expect(page.getByTestId('tab-acceleration')).toBeVisible();

  await page.getByTestId('mode-basic').click();
  await expect(page.getByTestId('mode-basic')).toHaveAttribute('aria-checked', 'true');
  await expect(control(page, 'system.motherboard.chipset')).toHaveCount(0);
  await expect(control(page, 'system.motherboard.memory')).toHaveAttribute('data-value', ubuntu.memory!);
  await expect(page.getByTestId('tab-acceleration')).toHaveCount(0);
  await expect(page.getByTestId('page-serial')).toHaveCount(0);
  await page.getByTestId('page-network').click();
  await expect(page.getByTestId('tab-adapter-1')).toBeVisible();
  await expect(page.getByTestId('tab-adapter-2')).toHaveCount(0);
  await expect(control(page, 'network.adapter.mac')).toHaveCount(0);
  await page.screenshot({ path: 'test-results/screens/issue3-basic.png' });

  await page.reload();
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${ubuntu.uuid}"]`);
  await expect(row.or(page.getByTestId('page-general'))).toBeVisible();
  if (await row.isVisible()) await openVm(page, ubuntu.uuid);
  await expect(page.getByTestId('mode-basic')).toHaveAttribute('aria-checked', 'true');
  await page.getByTestId('mode-expert').click();
  await page.getByTestId('page-system').click();
  await expect(control(page, 'system.motherboard.chipset')).toHaveCount(1);
});

test('controls say whether they can be changed in the VM state', async ({ page }) => {
  expect(dumpValue(runningDump, 'VMState')).toBe('running');
  await openApp(page);
  await openVm(page, running.uuid);
  await expect(page.getByTestId('access-note')).toBeVisible();
  await page.getByTestId('page-system').click();
  const memory = control(page, 'system.motherboard.memory');
  await expect(memory).toHaveAttribute('data-access', 'offline');
  await expect(memory).toHaveAttribute('data-changeable', 'no');
  await expect(memory.getByTestId('access-lock')).toBeVisible();
  await page.getByTestId('page-general').click();
  await page.getByTestId('tab-advanced').click();
  const clipboard = control(page, 'general.advanced.clipboard');
  await expect(clipboard).toHaveAttribute('data-value', dumpValue(runningDump, 'clipboard')!);
  await expect(clipboard).toHaveAttribute('data-access', 'runtime');
  await expect(clipboard).toHaveAttribute('data-changeable', 'yes');
  await control(page, 'general.advanced.clipboard').click();
  await expect(page.getByTestId('explain-access')).toHaveAttribute('data-changeable', 'yes');
  await page.screenshot({ path: 'test-results/screens/issue3-running-access.png' });

  // The same control on a powered-off VM can be changed.
  await page.getByTestId('back').click();
  await openVm(page, ubuntu.uuid);
  await page.getByTestId('page-system').click();
  await expect(control(page, 'system.motherboard.memory')).toHaveAttribute('data-changeable', 'yes');
  await expect(page.getByTestId('access-note')).toHaveCount(0);
});

test('VBoxManage-only settings have their own tab with the printed values', async ({ page }) => {
  await openApp(page);
  await openVm(page, running.uuid);
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-cli').click();
  await expect(page.getByTestId('cli-tab')).toBeVisible();
  await expect(control(page, 'system.cli.acpi')).toHaveAttribute(
    'data-value',
    dumpValue(runningDump, 'acpi')!,
  );
  await expect(control(page, 'system.cli.hpet')).toHaveAttribute(
    'data-value',
    dumpValue(runningDump, 'hpet')!,
  );
  await control(page, 'system.cli.acpi').click();
  await expect(page.getByTestId('explain-source')).toContainText(`acpi="${dumpValue(runningDump, 'acpi')}"`);
  await page.screenshot({ path: 'test-results/screens/issue3-cli-tab.png' });
});

test('the snapshot tree marks the current snapshot and the Current State', async ({ page }) => {
  const names = [...ubuntuDump.matchAll(/^SnapshotName(?:-[\d-]+)?="(.*)"$/gm)].map((m) => m[1]);
  const currentUuid = dumpValue(ubuntuDump, 'CurrentSnapshotUUID')!;
  expect(names.length).toBeGreaterThan(0);
  await openApp(page);
  await openVm(page, ubuntu.uuid);
  await page.getByTestId('snapshots').click();
  const nodes = page.getByTestId('snapshot-node');
  await expect(nodes).toHaveCount(names.length);
  for (const name of names) await expect(page.getByTestId('snapshots-view')).toContainText(name);
  const current = page.locator('[data-testid="snapshot-node"][data-current="true"]');
  await expect(current).toHaveCount(1);
  await expect(current).toHaveAttribute('data-snapshot-uuid', currentUuid);
  await expect(page.getByTestId('snapshot-current-state')).toContainText('Current State');
  await current.click();
  await expect(page.getByTestId('snapshot-details')).toContainText(currentUuid);
  await page.screenshot({ path: 'test-results/screens/issue3-snapshots.png' });
});

test('the history shows the first look of a VM', async ({ page }) => {
  await openApp(page);
  await openVm(page, ubuntu.uuid);
  await page.getByTestId('history').click();
  const entries = page.getByTestId('history-entry');
  await expect(entries.first()).toBeVisible();
  const first = page.locator('[data-testid="history-entry"][data-first="true"]');
  await expect(first).toHaveCount(1);
  await expect(first.getByTestId('history-first')).toHaveText('First look');
  await first.locator('summary').click();
  await expect(first).toContainText(`system.memoryMB`);
  await expect(first).toContainText(ubuntu.memory!);
  await page.screenshot({ path: 'test-results/screens/issue3-history.png' });
});

test('the Storage Information panel shows the medium and its differencing chain', async ({ page }) => {
  const hdds = readFileSync(fixture('hdds/list-hdds-base-and-differencing-locked-read.txt'), 'utf8');
  const diskUuid = dumpValue(ubuntuDump, 'SATA Controller-ImageUUID-0-0')!;
  const block = hdds.split(/\n\s*\n/).find((b) => b.includes(`UUID:           ${diskUuid}`))!;
  const parentUuid = /^Parent UUID:\s+(\S+)$/m.exec(block)![1];
  const capacityMB = Number(/^Capacity:\s+(\d+) MBytes$/m.exec(block)![1]);
  const format = /^Storage format:\s+(\S+)$/m.exec(block)![1];

  await openApp(page);
  await openVm(page, ubuntu.uuid);
  await page.getByTestId('page-storage').click();
  await control(page, 'storage.attachment.medium', 'SATA Controller-0-0').click();
  const info = page.getByTestId('storage-info');
  await expect(control(page, 'storage.info.type')).toContainText(`(${format})`);
  await expect(control(page, 'storage.info.virtualSize')).toHaveAttribute('data-value', String(capacityMB));
  await expect(info).toContainText(`${(capacityMB / 1024).toFixed(2)} GB`);
  const chain = page.getByTestId('chain-item');
  await expect(chain).toHaveCount(2);
  await expect(chain.first()).toHaveAttribute('data-uuid', parentUuid);
  await expect(chain.last()).toHaveAttribute('data-uuid', diskUuid);
  await page.getByTestId('medium-chain').scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/issue3-medium.png' });
});

/**
 * Files opened directly get their own browser host, so the VMs they add do not change the machines
 * list the other e2e files count.
 */
test.describe('settings files opened directly', () => {
  let child: ChildProcess | undefined;
  let url = '';
  let dir = '';

  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-files-'));
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
    url = await hostUrl(child!);
  });

  test.afterAll(async () => {
    child?.kill('SIGTERM');
    await new Promise((r) => setTimeout(r, 200));
    rmSync(dir, { recursive: true, force: true });
  });

  async function openFile(page: Page, file: string): Promise<void> {
    await openApp(page, url);
    await page.getByTestId('open-file-input').fill(file);
    await page.getByTestId('open-file-submit').click();
    await expect(page.getByTestId('page-general')).toBeVisible();
  }

  test('a .vbox file opens on the mirror; .vbox-only values show where they came from', async ({ page }) => {
    const file = fixture('vbox/genymotion-macos-1.12-pixel-snapshot-guestproperties.vbox');
    const xml = readFileSync(file, 'utf8');
    const name = /<Machine [^>]*name="([^"]+)"/.exec(xml)![1];
    const snapshot = /<Snapshot [^>]*name="([^"]+)"/.exec(xml)![1];
    await openFile(page, file);
    await expect(page.getByTestId('vm-name')).toContainText(name);
    await expect(page.getByTestId('vbox-file')).toHaveAttribute('data-read', 'true');
    await expect(page.getByTestId('vbox-file')).toContainText(file);
    // When and from where the values were read (a file the user opened, read just now).
    await expect(page.getByTestId('read-at')).toHaveAttribute('data-cached', 'false');
    await expect(page.getByTestId('read-at')).toContainText('Read from the file at');

    // No <TrustedPlatformModule> element: VirtualBox's default "none", with the .vbox path as source.
    expect(xml).not.toContain('TrustedPlatformModule');
    await page.getByTestId('page-system').click();
    const tpm = control(page, 'system.motherboard.tpm');
    await expect(tpm).toHaveAttribute('data-value', 'none');
    await tpm.click();
    await expect(page.getByTestId('explain-source')).toContainText(
      'Machine/Hardware/TrustedPlatformModule/@type',
    );
    await page.screenshot({ path: 'test-results/screens/issue3-vbox-file.png' });

    await page.getByTestId('page-network').click();
    const promiscuous = control(page, 'network.adapter.promiscuous', '1');
    await expect(promiscuous).toHaveAttribute('data-source', 'vbox');
    await expect(promiscuous).toHaveAttribute('data-value', 'deny');

    await page.getByTestId('snapshots').click();
    await expect(page.locator('[data-testid="snapshot-node"][data-current="true"]')).toContainText(snapshot);
  });

  test('a saved showvminfo output shows .vbox disagreements and keys no page explains', async ({ page }) => {
    // A real 6.0 dump whose CfgFile points at a real (other) .vbox file: their values disagree.
    const vbox = path.join(dir, 'lab.vbox');
    copyFileSync(fixture('vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox'), vbox);
    const xml = readFileSync(vbox, 'utf8');
    const uuid = /<Machine uuid="\{([0-9a-f-]+)\}"/.exec(xml)![1];
    const pointing = /<HID [^>]*Pointing="([^"]+)"/.exec(xml)![1];
    const dump = ubuntuDump
      .replace(/^UUID=.*$/m, `UUID="${uuid}"`)
      .replace(/^CfgFile=.*$/m, `CfgFile="${vbox}"`)
      .concat('futureSetting42="shiny"\n');
    const dumpPath = path.join(dir, 'saved-showvminfo.txt');
    writeFileSync(dumpPath, dump);
    expect(dumpValue(dump, 'hidpointing')).not.toBe(pointing);

    await openFile(page, dumpPath);
    await expect(page.getByTestId('vbox-file')).toHaveAttribute('data-read', 'true');
    const unexplained = page.getByTestId('unexplained-key');
    await expect(unexplained).toHaveCount(1);
    await expect(unexplained).toHaveAttribute('data-key', 'futureSetting42');

    await page.getByTestId('page-system').click();
    const pointingDevice = control(page, 'system.motherboard.pointingDevice');
    await expect(pointingDevice).toHaveAttribute('data-value', dumpValue(dump, 'hidpointing')!);
    await expect(pointingDevice.getByTestId('discrepancy')).toBeVisible();
    await pointingDevice.click();
    const note = page.getByTestId('explain-discrepancy');
    await expect(note).toContainText(`reports ${dumpValue(dump, 'hidpointing')} (hidpointing)`);
    await expect(note).toContainText(`says ${pointing} (Machine/Hardware/HID/@Pointing)`);
    await page.screenshot({ path: 'test-results/screens/issue3-discrepancy.png' });
  });
});

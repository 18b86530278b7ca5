import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';
import { hostUrl } from './own-host.ts';

/**
 * The main job end to end: the stand-in VBoxManage replays real recorded outputs, the real core reads
 * them, and the real renderer in Chromium shows them on the mirrored VirtualBox settings pages.
 */

const lab = scenario('lab') as ReturnType<typeof scenario> & { version: string };
const readable = lab.vms.filter((vm) => vm.showvminfo && !vm.inaccessible);

async function openApp(page: Page): Promise<void> {
  const url = process.env.E2E_URL;
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
}

async function openVm(page: Page, id: string): Promise<void> {
  await page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`).click();
  await expect(page.getByTestId('page-system')).toBeVisible();
}

function control(page: Page, id: string) {
  return page.locator(`[data-control="${id}"]:visible`);
}

test('machines list shows every VM of the lab, inaccessible ones with their reason', async ({ page }) => {
  await openApp(page);
  await expect(page.getByTestId('vm-row')).toHaveCount(lab.vms.length);
  for (const vm of readable) {
    const facts = dumpFacts(vm.showvminfo!);
    const row = page.locator(`[data-testid="vm-row"][data-vm-id="${facts.uuid}"]`);
    await expect(row).toContainText(facts.name);
  }
  for (const vm of lab.vms.filter((v) => v.inaccessible)) {
    const row = page.locator(`[data-testid="vm-row"][data-vm-id="${vm.uuid}"]`);
    await expect(row.getByTestId('vm-error')).toBeVisible();
  }
  await page.screenshot({ path: 'test-results/screens/machines.png', fullPage: true });
});

for (const vm of readable.slice(0, 6)) {
  const facts = dumpFacts(vm.showvminfo!);
  test(`System, Storage and Network of "${facts.name}" show the dump's values`, async ({ page }) => {
    await openApp(page);
    await openVm(page, facts.uuid);

    await page.getByTestId('page-system').click();
    await page.getByTestId('tab-motherboard').click();
    if (facts.memory)
      await expect(control(page, 'system.motherboard.memory')).toHaveAttribute('data-value', facts.memory);
    if (facts.chipset)
      await expect(control(page, 'system.motherboard.chipset')).toHaveAttribute('data-value', facts.chipset);
    if (facts.firmware) {
      const efi = facts.firmware.toUpperCase().startsWith('EFI') ? 'on' : 'off';
      await expect(control(page, 'system.motherboard.efi')).toHaveAttribute('data-value', efi);
    }
    await page.getByTestId('tab-processor').click();
    if (facts.cpus)
      await expect(control(page, 'system.processor.cpus')).toHaveAttribute('data-value', facts.cpus);
    await page.screenshot({ path: `test-results/screens/${facts.uuid}-system.png` });

    await page.getByTestId('page-storage').click();
    const media = control(page, 'storage.attachment.medium');
    for (const m of facts.media) {
      if (m.medium.includes('\\')) continue; // escaping differs between VirtualBox versions; covered by unit tests
      await expect(
        page.locator(`[data-control="storage.attachment.medium"][data-value="${cssEscape(m.medium)}"]`),
      ).toHaveCount(1);
    }
    expect(await media.count()).toBeGreaterThanOrEqual(
      facts.media.filter((m) => !m.medium.includes('\\')).length,
    );
    await page.screenshot({ path: `test-results/screens/${facts.uuid}-storage.png` });

    await page.getByTestId('page-network').click();
    for (const nic of facts.nics.filter((n) => n.slot <= 4)) {
      await page.getByTestId(`tab-adapter-${nic.slot}`).click();
      const enabled = nic.attachment === 'none' ? 'off' : 'on';
      await expect(control(page, 'network.adapter.enabled')).toHaveAttribute('data-value', enabled);
      if (nic.attachment !== 'none') {
        await expect(control(page, 'network.adapter.attachedTo')).toHaveAttribute(
          'data-value',
          nic.attachment,
        );
        if (nic.type)
          await expect(control(page, 'network.adapter.adapterType')).toHaveAttribute('data-value', nic.type);
        if (nic.mac)
          await expect(control(page, 'network.adapter.mac')).toHaveAttribute('data-value', nic.mac);
      }
    }
    await page.getByTestId('tab-adapter-1').click();
    await page.screenshot({ path: `test-results/screens/${facts.uuid}-network.png` });
  });
}

function cssEscape(value: string): string {
  return value.replace(/["\\]/g, '\\$&');
}

test('every control on every page has a catalog entry, and selecting one explains it', async ({ page }) => {
  const catalogIds = new Set<string>();
  for (const f of [
    'general',
    'system',
    'display',
    'storage',
    'audio',
    'network',
    'serial',
    'usb',
    'sharedFolders',
    'userInterface',
  ]) {
    const entries = JSON.parse(readFileSync(`resources/catalog/${f}.json`, 'utf8')) as { id: string }[];
    for (const e of entries) catalogIds.add(e.id);
  }
  const facts = dumpFacts(readable[0].showvminfo!);
  await openApp(page);
  await openVm(page, facts.uuid);
  const pages = [
    'general',
    'system',
    'display',
    'storage',
    'audio',
    'network',
    'serial',
    'usb',
    'sharedFolders',
    'userInterface',
  ];
  let seen = 0;
  for (const p of pages) {
    await page.getByTestId(`page-${p}`).click();
    const ids = await page
      .locator('[data-control]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-control')!));
    for (const id of ids) {
      expect(catalogIds.has(id.split('#')[0]), `control ${id} on page ${p} has a catalog entry`).toBe(true);
    }
    seen += ids.length;
  }
  expect(seen).toBeGreaterThan(30);

  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-motherboard').click();
  await control(page, 'system.motherboard.memory').click();
  const explain = page.getByTestId('explain');
  await expect(explain).toContainText('Base Memory');
  await expect(explain).toContainText(`memory=${facts.memory}`);
  await expect(explain).toContainText('--memory');
  await page.screenshot({ path: 'test-results/screens/explain.png' });
});

test('example commands fill the storage slot into the catalog arguments once, quoted', async ({ page }) => {
  // SERVER1919C v114: its SATA controller is named "SATA Controller" (with a space).
  const vm = readable.find((v) => v.showvminfo!.includes('name-with-space'))!;
  const facts = dumpFacts(vm.showvminfo!);
  const disk = facts.media.find((m) => m.key.startsWith('SATA Controller-'))!;
  const [, port, device] = /-(\d+)-(\d+)$/.exec(disk.key)!;
  await openApp(page);
  await openVm(page, facts.uuid);
  await page.getByTestId('page-storage').click();
  await control(page, 'storage.attachment.medium').first().click();
  await control(page, 'storage.attachment.ssd').click();
  const cmd = page.getByTestId('explain-command');
  await expect(cmd).toHaveText(
    `VBoxManage storageattach ${facts.uuid} --nonrotational on|off --storagectl "SATA Controller" --port ${port} --device ${device}`,
  );
  await control(page, 'storage.attachment.slot').click();
  const slotCmd = await cmd.innerText();
  expect(slotCmd).toContain(`--medium "${disk.medium}"`);
  await page.locator('[data-testid="storage-controller"][data-controller="SATA Controller"]').click();
  await control(page, 'storage.controller.bootable').click();
  await expect(cmd).toHaveText(
    `VBoxManage storagectl ${facts.uuid} --bootable on|off --name "SATA Controller"`,
  );
  for (const text of [slotCmd, await cmd.innerText()]) {
    const options = text.match(/(?<![\w-])--[a-z][a-z0-9-]*/g) ?? [];
    expect(new Set(options).size, `no option repeated in ${text}`).toBe(options.length);
    expect(text).not.toMatch(/<ctl>|<vm>/);
  }
});

test('the explanation follows tab and page changes, without Svelte warnings', async ({ page }) => {
  const warnings: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'warning' || m.type() === 'error') warnings.push(m.text());
  });
  // xtec-1: Adapter 1 is NAT with one forwarding rule, Adapter 2 is host-only.
  const vm = readable.find((v) => v.showvminfo!.includes('nat-forwarding-empty-guestip-hostonly'))!;
  const facts = dumpFacts(vm.showvminfo!);
  expect(facts.nics.slice(0, 2).map((n) => n.attachment)).toEqual(['nat', 'hostonly']);
  await openApp(page);
  await openVm(page, facts.uuid);
  await page.getByTestId('page-network').click();
  await control(page, 'network.adapter.portForwarding').click();
  await page.getByTestId('port-forwarding-close').click();
  const explain = page.getByTestId('explain');
  await expect(explain.getByTestId('explain-source')).toContainText('Forwarding(0)=');

  await page.getByTestId('tab-adapter-2').click();
  // Re-targeted to Adapter 2's Port Forwarding: its own values, not Adapter 1's.
  await expect(control(page, 'network.adapter.portForwarding')).toHaveAttribute('aria-pressed', 'true');
  await expect(explain.getByTestId('explain-source')).toContainText('nic2="hostonly"');
  await expect(explain.getByTestId('explain-source')).not.toContainText('Forwarding(0)');
  await expect(explain).toContainText('Adapter 2');

  await page.getByTestId('page-storage').click();
  await expect(explain.getByTestId('explain-value')).toHaveCount(0);
  await expect(explain).not.toContainText('Port Forwarding');
  expect(warnings.filter((w) => /derived_inert|svelte\.dev\/e\//.test(w))).toEqual([]);
});

test('Storage panels fit the window at 800, 1024 and 1280 px wide', async ({ page }) => {
  // The running VM with the longest name: "Attached to" and the medium path are long.
  const vm = readable.find((v) => v.showvminfo!.includes('vbox612-macos-host-running'))!;
  const facts = dumpFacts(vm.showvminfo!);
  await openApp(page);
  await openVm(page, facts.uuid);
  await page.getByTestId('page-storage').click();
  for (const width of [800, 1024, 1280]) {
    await page.setViewportSize({ width, height: 800 });
    for (const pick of ['controller', 'attachment'] as const) {
      if (pick === 'controller') await page.getByTestId('storage-controller').first().click();
      else await control(page, 'storage.attachment.medium').first().click();
      const overflow = await page.evaluate(() => {
        const out: string[] = [];
        for (const panel of document.querySelectorAll(
          '.attr-panel, .tree-panel, .page-content, .mirror-head',
        )) {
          const box = panel.getBoundingClientRect();
          for (const el of panel.querySelectorAll('*')) {
            const r = el.getBoundingClientRect();
            if (r.width > 0 && r.right > box.right + 1) out.push(`${el.tagName}.${String(el.className)}`);
          }
        }
        return out;
      });
      expect(overflow, `nothing sticks out at ${width} px (${pick})`).toEqual([]);
      await page.screenshot({ path: `test-results/screens/storage-${width}-${pick}.png` });
    }
  }
});

test("Remote Display and Recording show every field with the dump's values, greyed when off", async ({
  page,
}) => {
  // xtec-1 (VirtualBox 7.0): VRDE on, recording off but configured.
  const vm = readable.find((v) => v.showvminfo!.includes('nat-forwarding-empty-guestip-hostonly'))!;
  const dump = readFileSync(`tests/fixtures/${vm.showvminfo}`, 'utf8');
  const value = (key: string) =>
    new RegExp(`^${key}=(?:"(.*)"|(.*))$`, 'm')
      .exec(dump)
      ?.slice(1)
      .find((x) => x !== undefined);
  const facts = dumpFacts(vm.showvminfo!);
  await openApp(page);
  await openVm(page, facts.uuid);
  await page.getByTestId('page-display').click();
  await page.getByTestId('tab-remote').click();
  expect(value('vrde')).toBe('on');
  await expect(control(page, 'display.remote.port')).toHaveAttribute('data-value', value('vrdeports')!);
  await expect(control(page, 'display.remote.authType')).toHaveAttribute(
    'data-value',
    value('vrdeauthtype')!,
  );
  await expect(control(page, 'display.remote.multiConnections')).toHaveAttribute(
    'data-value',
    value('vrdemulticon')!,
  );
  await expect(control(page, 'display.remote.authTimeout')).toBeVisible();
  await page.getByTestId('tab-recording').click();
  expect(value('recording_enabled')).toBe('off');
  const file = control(page, 'display.recording.filePath');
  await expect(file).toHaveAttribute('data-value', value('rec_screen_dest_filename')!);
  await expect(file).toHaveClass(/inactive/);
  await expect(control(page, 'display.recording.frameSize')).toHaveAttribute(
    'data-value',
    value('rec_screen_video_res_xy')!,
  );
  await expect(control(page, 'display.recording.frameRate')).toHaveAttribute(
    'data-value',
    value('rec_screen_video_fps')!,
  );
  await expect(control(page, 'display.recording.videoQuality')).toHaveAttribute(
    'data-value',
    value('rec_screen_video_rate_kbps')!,
  );
  const profile = /ac_profile=(\w+)/.exec(value('rec_screen_opts')!)![1];
  await expect(control(page, 'display.recording.audioQuality')).toHaveAttribute('data-value', profile);
  await expect(page.getByTestId('recording-screen')).toHaveCount(1);
  await page.screenshot({ path: 'test-results/screens/display-recording.png' });

  // SERVER1919C v114 (6.0): VRDE off, so VBoxManage printed none of the server's details.
  const off = dumpFacts(readable.find((v) => v.showvminfo!.includes('name-with-space'))!.showvminfo!);
  await page.getByTestId('back').click();
  await openVm(page, off.uuid);
  await page.getByTestId('page-display').click();
  await page.getByTestId('tab-remote').click();
  const port = control(page, 'display.remote.port');
  await expect(port).toHaveAttribute('data-reported', 'false');
  await expect(port).toHaveClass(/inactive/);
  await port.click();
  await expect(page.getByTestId('explain')).toContainText('only while the feature');
});

test('Acceleration follows the detected VirtualBox 7.1 dialog: no VT-x/AMD-V box there', async ({ page }) => {
  const vm = readable[0];
  const facts = dumpFacts(vm.showvminfo!);
  const dump = readFileSync(`tests/fixtures/${vm.showvminfo}`, 'utf8');
  expect(lab.version).toMatch(/^7\.1\./);
  await openApp(page);
  await openVm(page, facts.uuid);
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-acceleration').click();
  await expect(control(page, 'system.acceleration.hwVirtEx')).toHaveCount(0);
  const order = await page
    .locator('[data-control]:visible')
    .evaluateAll((els) => els.map((e) => e.getAttribute('data-control')));
  expect(order).toEqual(['system.acceleration.paravirtProvider', 'system.acceleration.nestedPaging']);
  await expect(control(page, 'system.acceleration.nestedPaging')).toContainText('Hardware Virtualization:');
  // VBoxManage still prints it: it is on the VBoxManage-only tab with its value.
  await page.getByTestId('tab-cli').click();
  const hw = /^hwvirtex="(on|off)"$/m.exec(dump)![1];
  await expect(control(page, 'system.acceleration.hwVirtEx')).toHaveAttribute('data-value', hw);
});

test('labels: VirtualBox names for items, one phrase for missing values, visible EFI reason, aligned sliders', async ({
  page,
}) => {
  const gone = lab.vms.find((v) => v.inaccessible)! as { uuid: string; cfgFile?: string };
  await openApp(page);
  const file = gone.cfgFile!.split('/').pop()!;
  await expect(
    page.locator(`[data-testid="vm-row"][data-vm-id="${gone.uuid}"]`).getByTestId('vm-file'),
  ).toContainText(file);

  // SERVER1919C v114: EFI firmware, a SATA disk.
  const vm = readable.find((v) => v.showvminfo!.includes('name-with-space'))!;
  const facts = dumpFacts(vm.showvminfo!);
  expect(facts.firmware).toBe('EFI');
  await openVm(page, facts.uuid);
  await page.getByTestId('page-system').click();
  await expect(page.getByTestId('boot-order-efi')).toHaveText(
    'Boot order is ignored with EFI in VirtualBox 7.1.',
  );

  await page.getByTestId('page-storage').click();
  await control(page, 'storage.attachment.medium').first().click();
  await control(page, 'storage.attachment.slot').click();
  const explain = page.getByTestId('explain');
  await expect(explain.locator('h2')).toHaveText('Hard Disk');
  await expect(explain.getByTestId('explain-where')).toHaveText('Hard Disk — SATA Port 0');
  await expect(explain).not.toContainText('Slot SATA');

  // Missing values read the same everywhere; the tooltip says why.
  await page.getByTestId('page-userInterface').click();
  const absent = page.locator('[data-reported="false"]:visible');
  expect(await absent.count()).toBeGreaterThan(3);
  await expect(page.locator('main')).not.toContainText('Not read yet');
  await page.getByTestId('page-display').click();
  await expect(control(page, 'display.screen.scaleFactor')).toContainText('Not reported');
  const boxes = await page
    .locator('[data-control^="display.screen."]:visible .spin')
    .evaluateAll((els) =>
      els.map(
        (e) => `${Math.round(e.getBoundingClientRect().left)}/${Math.round(e.getBoundingClientRect().width)}`,
      ),
    );
  expect(boxes.length).toBe(3);
  expect(new Set(boxes).size, `slider spin boxes line up: ${boxes.join(' ')}`).toBe(1);
});

test('a note on a setting survives a reload', async ({ page }) => {
  const facts = dumpFacts(readable[1].showvminfo!);
  await openApp(page);
  await openVm(page, facts.uuid);
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-processor').click();
  await control(page, 'system.processor.cpus').click();
  const text = `Keep vCPUs at or below the host's physical cores — ${Date.now()}`;
  await page.getByTestId('note-input').fill(text);
  await expect(page.getByTestId('note-status')).toContainText(/Saved/);
  await page.reload();
  // After a reload the app may reopen on the machines list or keep the VM open.
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${facts.uuid}"]`);
  await expect(row.or(page.getByTestId('page-system'))).toBeVisible();
  if (await row.isVisible()) await openVm(page, facts.uuid);
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-processor').click();
  await control(page, 'system.processor.cpus').click();
  await expect(page.getByTestId('note-input')).toHaveValue(text);
});

test('switching to zh-CN shows Chinese labels, and the choice is remembered', async ({ page }) => {
  const facts = dumpFacts(readable[0].showvminfo!);
  await openApp(page);
  await page.getByTestId('lang-select').selectOption('zh-CN');
  await openVm(page, facts.uuid);
  await page.getByTestId('page-system').click();
  await page.getByTestId('tab-motherboard').click();
  const label = await control(page, 'system.motherboard.memory').innerText();
  expect(label).toMatch(/[\u4e00-\u9fff]/);
  await control(page, 'system.motherboard.memory').click();
  await expect(page.getByTestId('explain')).toContainText(/[\u4e00-\u9fff]{4,}/);
  await page.screenshot({ path: 'test-results/screens/zh-CN.png' });
  await page.reload();
  await expect(page.getByTestId('lang-select')).toHaveValue('zh-CN');
  await page.getByTestId('lang-select').selectOption('en');
});

test('zh-CN: app sentences come from the locales; English text from VBoxManage or the host is labelled', async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId('lang-select').selectOption('zh-CN');
  const gone = lab.vms.find((v) => v.inaccessible)!;
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${gone.uuid}"]`);
  // The reason mixes the host's words and VBoxManage's: shown as printed, labelled as English details.
  await expect(row.getByTestId('vm-error')).toContainText('详细信息（英文）：');
  await expect(row.getByTestId('raw-detail')).toHaveAttribute('lang', 'en');

  const status = page.getByTestId('open-file-status');
  await page.getByTestId('open-file-input').fill('relative/lab.vbox');
  await page.getByTestId('open-file-submit').click();
  await expect(status).toContainText('请输入文件的完整路径');
  await expect(status).not.toContainText(/[A-Za-z]{4,} [A-Za-z]{4,}/);
  await page.getByTestId('open-file-input').fill('/nonexistent/lab.vbox');
  await page.getByTestId('open-file-submit').click();
  await expect(status).toContainText('无法打开这个文件。');
  await expect(status).toContainText('详细信息（英文）：');
  await expect(status.getByTestId('raw-detail')).toContainText('/nonexistent/lab.vbox');

  // Read issues: a Chinese heading, then the reader's English messages behind a label.
  const vm = readable.find((v) => v.showvminfo!.includes('nat-forwarding-empty-guestip-hostonly'))!;
  await openVm(page, dumpFacts(vm.showvminfo!).uuid);
  const notes = page.getByTestId('read-issues');
  await notes.locator('summary').click();
  await expect(notes.locator('summary')).toContainText('读取说明');
  await expect(notes).toContainText('读取输出时的原始信息（英文）：');
  await page.getByTestId('page-storage').click();
  await control(page, 'storage.attachment.medium').first().click();
  await expect(page.getByTestId('medium-error')).toContainText('VBoxManage 输出：');
  await page.screenshot({ path: 'test-results/screens/zh-CN-labels.png' });
  await page.getByTestId('lang-select').selectOption('en');
});

test('keyboard: focus lands on the VM heading and returns to its row; arrows move through pages and tabs', async ({
  page,
}) => {
  const facts = dumpFacts(readable[1].showvminfo!);
  await openApp(page);
  const row = page.locator(`[data-testid="vm-row"][data-vm-id="${facts.uuid}"]`);
  await row.focus();
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('vm-name')).toBeFocused();

  const tree = page.getByRole('tree', { name: 'Settings pages' });
  await expect(tree.getByRole('treeitem')).toHaveCount(10);
  await page.getByTestId('page-general').focus();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('page-system')).toBeFocused();
  await expect(page.getByTestId('page-system')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('page-general')).toHaveAttribute('tabindex', '-1');
  await page.keyboard.press('End');
  await expect(page.getByTestId('page-userInterface')).toBeFocused();
  await page.keyboard.press('Home');
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('page-system')).toHaveAttribute('aria-selected', 'true');

  const tabs = page.getByRole('tablist', { name: 'System' });
  await expect(tabs.getByRole('tab')).toHaveCount(4);
  await page.getByTestId('tab-motherboard').focus();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-processor')).toBeFocused();
  await expect(page.getByTestId('tab-processor')).toHaveAttribute('aria-selected', 'true');
  await expect(control(page, 'system.processor.cpus')).toBeVisible();
  await page.keyboard.press('ArrowLeft');
  await page.keyboard.press('ArrowLeft');
  await expect(page.getByTestId('tab-cli')).toBeFocused();

  await page.getByTestId('back').click();
  await expect(row).toBeFocused();
});

test('the address keeps the VM, page and tab: reload restores them, browser Back and Forward work', async ({
  page,
}) => {
  const facts = dumpFacts(readable[1].showvminfo!);
  await openApp(page);
  await expect(page).toHaveURL(/#\/$/);
  await page.locator(`[data-testid="vm-row"][data-vm-id="${facts.uuid}"]`).click();
  await page.getByTestId('page-network').click();
  await page.getByTestId('tab-adapter-2').click();
  await expect(page).toHaveURL(new RegExp(`#/vm/${facts.uuid}/network/adapter-2$`));
  expect(await page.evaluate(() => location.hash)).not.toContain('token');

  await page.reload();
  await expect(page.getByTestId('page-network')).toHaveAttribute('aria-selected', 'true');
  await expect(page.getByTestId('tab-adapter-2')).toHaveAttribute('aria-selected', 'true');

  await page.goBack();
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
  await expect(page).toHaveURL(/#\/$/);
  await page.goForward();
  await expect(page.getByTestId('tab-adapter-2')).toHaveAttribute('aria-selected', 'true');
  await page.getByTestId('back').click();
  await expect(page).toHaveURL(/#\/$/);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
});

test('the mirror has a Refresh that reads the VM again and stays on the page and tab', async ({ page }) => {
  const facts = dumpFacts(readable[1].showvminfo!);
  const log = process.env.E2E_STANDIN_LOG!;
  await openApp(page);
  await page.locator(`[data-testid="vm-row"][data-vm-id="${facts.uuid}"]`).click();
  await page.getByTestId('page-network').click();
  await page.getByTestId('tab-adapter-2').click();
  const calls = () =>
    readFileSync(log, 'utf8')
      .split('\n')
      .filter((l) => l.includes('"list","vms"')).length;
  const before = calls();
  await page.getByTestId('refresh').click();
  await expect.poll(calls).toBeGreaterThan(before);
  await expect(page.getByTestId('tab-adapter-2')).toHaveAttribute('aria-selected', 'true');
  await expect(control(page, 'network.adapter.attachedTo')).toHaveAttribute(
    'data-value',
    facts.nics[1].attachment,
  );
});

test.describe('a VirtualBox that warns (failing scenario)', () => {
  let child: ChildProcess | undefined;
  let url = '';
  let dir = '';
  test.beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-failing-'));
    child = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
      env: {
        ...process.env,
        VBOXMANAGE: path.resolve('tests/stand-in/VBoxManage'),
        VBOX_STANDIN_SCENARIO: path.resolve('tests/stand-in/scenarios/failing.json'),
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

  test("the machines list folds VBoxManage's warning into a notice; unreadable VMs have no findings count", async ({
    page,
  }) => {
    const failing = JSON.parse(readFileSync('tests/stand-in/scenarios/failing.json', 'utf8')) as {
      warningBanner?: boolean;
      vms: { uuid: string; showvminfo?: string }[];
    };
    expect(failing.warningBanner).toBe(true);
    await page.goto(url);
    // One VM of this scenario never answers: the list waits for its timeout.
    await expect(page.getByTestId('vm-row').first()).toBeVisible({ timeout: 40_000 });
    const notes = page.getByTestId('list-notes');
    await expect(notes).toBeVisible();
    await expect(page.getByTestId('vbox-warning')).toBeHidden();
    await notes.locator('summary').click();
    await expect(page.getByTestId('vbox-warning')).toContainText('vboxdrv kernel module is not loaded');
    for (const vm of failing.vms.filter((v) => !v.showvminfo)) {
      const count = page
        .locator(`[data-testid="vm-row"][data-vm-id="${vm.uuid}"]`)
        .getByTestId('findings-count');
      await expect(count).toHaveText('—');
    }
    await page.screenshot({ path: 'test-results/screens/machines-notes.png', fullPage: true });
  });
});

test('the stand-in was only ever asked read verbs', async () => {
  const log = readFileSync(process.env.E2E_STANDIN_LOG!, 'utf8').trim().split('\n').filter(Boolean);
  expect(log.length).toBeGreaterThan(0);
  for (const line of log) {
    const argv = (JSON.parse(line) as { argv: string[] }).argv;
    expect(['list', 'showvminfo', 'showmediuminfo', 'snapshot', 'getextradata', '--version']).toContain(
      argv[0],
    );
  }
});

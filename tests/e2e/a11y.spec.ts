import AxeBuilder from '@axe-core/playwright';
import { expect, test, type Page } from '@playwright/test';
import { dumpFacts, scenario } from './dump.ts';

/**
 * Accessibility (issue 6): axe (WCAG 2.0/2.1 A and AA rules) reports no serious or critical violation
 * on any screen — the machines list, every mirror page (with the Storage selection, Network Adapter 1
 * and its Port Forwarding dialog), the explanation panel, Study, a lesson with its diagram and quiz,
 * Tours, the comparison of two VMs, open search results, Snapshots and History — in English and
 * Chinese, light and dark. Then the app is used by keyboard alone, with a visible focus ring on
 * every stop.
 */

const lab = scenario('lab');
/** xtec-1: VirtualBox 7.0 dump, adapter 1 on NAT with forwarding rules (the dialog has rows). */
const xtec = dumpFacts(
  lab.vms.find((vm) => vm.showvminfo?.includes('vbox70-encryption-line-nat-forwarding'))!.showvminfo!,
);
/** ubuntu-18.04: a snapshot and a differencing disk. */
const ubuntu = dumpFacts(
  lab.vms.find((vm) => vm.showvminfo?.includes('snapshot-differencing-disk'))!.showvminfo!,
);

type Lang = 'en' | 'zh-CN';
type Theme = 'light' | 'dark';

function control(page: Page, id: string, instance?: string) {
  const inst = instance === undefined ? '' : `[data-instance="${instance}"]`;
  return page.locator(`[data-control="${id}"]${inst}:visible`);
}

async function openApp(page: Page, lang: Lang, theme: Theme): Promise<void> {
  const url = process.env.E2E_URL;
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  await page.addInitScript((t) => localStorage.setItem('vmc-theme', t), theme);
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
  await page.getByTestId('lang-select').selectOption(lang);
  await expect(page.locator('html')).toHaveAttribute('lang', lang);
  await expect(page.locator('html')).toHaveAttribute('data-theme', theme);
}

async function openVm(page: Page, id: string): Promise<void> {
  await page.getByTestId('nav-machines').click();
  await page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`).click();
  await expect(page.getByTestId('page-system')).toBeVisible();
}

async function mirrorPage(page: Page, name: string, tab?: string): Promise<void> {
  await page.getByTestId(`page-${name}`).click();
  await expect(page.getByTestId(`page-${name}`)).toHaveAttribute('aria-selected', 'true');
  if (tab) {
    await page.getByTestId(`tab-${tab}`).click();
    await expect(page.getByTestId(`tab-${tab}`)).toHaveAttribute('aria-selected', 'true');
  }
}

/** Screens in visiting order; each brings the page to that screen from the previous one. */
const SCREENS: { name: string; go: (page: Page) => Promise<void> }[] = [
  {
    name: 'machines',
    go: async (page) => void (await expect(page.getByTestId('vm-row').first()).toBeVisible()),
  },
  {
    name: 'general',
    go: async (page) => {
      await openVm(page, xtec.uuid);
      await mirrorPage(page, 'general');
    },
  },
  { name: 'system-motherboard', go: (page) => mirrorPage(page, 'system', 'motherboard') },
  { name: 'system-processor', go: (page) => mirrorPage(page, 'system', 'processor') },
  { name: 'system-acceleration', go: (page) => mirrorPage(page, 'system', 'acceleration') },
  {
    name: 'explain-panel',
    go: async (page) => {
      await mirrorPage(page, 'system', 'motherboard');
      await control(page, 'system.motherboard.memory').click();
      await expect(page.getByTestId('explain')).toBeVisible();
    },
  },
  { name: 'display', go: (page) => mirrorPage(page, 'display') },
  {
    name: 'storage-selected',
    go: async (page) => {
      await mirrorPage(page, 'storage');
      await control(page, 'storage.attachment.medium').first().click();
    },
  },
  { name: 'network-adapter-1', go: (page) => mirrorPage(page, 'network', 'adapter-1') },
  {
    name: 'port-forwarding-dialog',
    go: async (page) => {
      await control(page, 'network.adapter.portForwarding', '1').click();
      await expect(page.getByTestId('port-forwarding')).toBeVisible();
    },
  },
  {
    name: 'audio',
    go: async (page) => {
      await page.getByTestId('port-forwarding-close').click();
      await expect(page.getByTestId('port-forwarding')).toBeHidden();
      await mirrorPage(page, 'audio');
    },
  },
  { name: 'serial', go: (page) => mirrorPage(page, 'serial') },
  { name: 'usb', go: (page) => mirrorPage(page, 'usb') },
  { name: 'shared-folders', go: (page) => mirrorPage(page, 'sharedFolders') },
  { name: 'user-interface', go: (page) => mirrorPage(page, 'userInterface') },
  {
    name: 'snapshots',
    go: async (page) => {
      await openVm(page, ubuntu.uuid);
      await page.getByTestId('snapshots').click();
      await expect(page.getByTestId('snapshot-node').first()).toBeVisible();
    },
  },
  {
    name: 'history',
    go: async (page) => {
      await page.getByTestId('history').click();
      await expect(page.getByTestId('history-entry').first()).toBeVisible();
    },
  },
  {
    name: 'study',
    go: async (page) => {
      await page.getByTestId('nav-study').click();
      await expect(page.getByTestId('lesson-item').first()).toBeVisible({ timeout: 15_000 });
    },
  },
  {
    name: 'lesson',
    go: async (page) => {
      await page.locator('[data-testid="lesson-item"][data-lesson-id="settings-network"]').click();
      await expect(page.locator('[data-testid="diagram"]').first()).toHaveAttribute('data-loaded', 'true');
      await expect(page.getByTestId('quiz')).toBeVisible();
    },
  },
  {
    name: 'tours',
    go: async (page) => {
      await page.getByTestId('nav-tours').click();
      await expect(page.getByTestId('tour-card').first()).toBeVisible();
    },
  },
  {
    name: 'compare',
    go: async (page) => {
      await page.getByTestId('nav-compare').click();
      await page.getByTestId('compare-a').selectOption(xtec.uuid);
      await page.getByTestId('compare-b').selectOption(ubuntu.uuid);
      await expect(page.getByTestId('compare-row').first()).toBeVisible();
    },
  },
  {
    name: 'search-results',
    go: async (page) => {
      await page.getByTestId('search-input').fill('memory');
      await expect(page.getByTestId('search-result').first()).toBeVisible();
    },
  },
];

const COMBOS: { lang: Lang; theme: Theme }[] = [
  { lang: 'en', theme: 'light' },
  { lang: 'zh-CN', theme: 'light' },
  { lang: 'en', theme: 'dark' },
  { lang: 'zh-CN', theme: 'dark' },
];

// The language choice is saved on the shared host: every test leaves it English for the next.
test.afterEach(async ({ page }) => {
  const select = page.getByTestId('lang-select');
  if ((await select.count()) > 0 && (await select.inputValue()) !== 'en') {
    const saved = page.waitForResponse((r) => decodeURIComponent(r.url()).includes('prefs:set'));
    await select.selectOption('en');
    await saved;
  }
});

for (const { lang, theme } of COMBOS) {
  test(`axe: no serious or critical violation on any screen (${lang}, ${theme})`, async ({ page }) => {
    test.setTimeout(180_000);
    await page.setViewportSize({ width: 1280, height: 860 });
    await openApp(page, lang, theme);
    const found: string[] = [];
    for (const screen of SCREENS) {
      await screen.go(page);
      const result = await new AxeBuilder({ page })
        .withTags(['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'])
        .analyze();
      for (const v of result.violations) {
        if (v.impact !== 'serious' && v.impact !== 'critical') continue;
        const targets = v.nodes
          .slice(0, 6)
          .map((n) => `${n.target.join(' ')} — ${n.failureSummary?.split('\n')[1] ?? ''}`);
        found.push(
          `[${screen.name}] ${v.id} (${v.impact}, ${v.nodes.length} nodes):\n    ${targets.join('\n    ')}`,
        );
      }
      if (theme === 'dark' && lang === 'en') {
        await page.screenshot({ path: `test-results/screens/dark-${screen.name}.png` });
        if (screen.name === 'lesson')
          await page
            .locator('[data-testid="diagram"]')
            .first()
            .screenshot({ path: 'test-results/screens/dark-diagram.png' });
      }
    }
    expect(found, found.join('\n')).toEqual([]);
  });
}

/** What the focused element is, and whether it shows a focus indicator (outline or box-shadow). */
async function focusInfo(page: Page): Promise<{ desc: string; visible: boolean; testid: string | null }> {
  return page.evaluate(() => {
    const el = document.activeElement as HTMLElement | null;
    if (!el || el === document.body) return { desc: 'body', visible: true, testid: null };
    const cs = getComputedStyle(el);
    const outline = cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0;
    const shadow = cs.boxShadow !== 'none' && cs.boxShadow !== '';
    const desc = `${el.tagName.toLowerCase()}${el.dataset.testid ? `[data-testid=${el.dataset.testid}]` : ''}${
      el.dataset.control ? `[data-control=${el.dataset.control}]` : ''
    }${el.getAttribute('role') ? `[role=${el.getAttribute('role')}]` : ''}`;
    return { desc, visible: outline || shadow, testid: el.dataset.testid ?? null };
  });
}

/**
 * Presses `key` (Tab or Shift+Tab) until the focused element matches `selector`; every stop on the
 * way must show a focus indicator (collected into `invisible`).
 */
async function tabUntil(page: Page, selector: string, invisible: Set<string>, key = 'Tab'): Promise<void> {
  for (let i = 0; i < 250; i++) {
    await page.keyboard.press(key);
    const info = await focusInfo(page);
    if (!info.visible) invisible.add(info.desc);
    if (await page.evaluate((s) => document.activeElement?.matches(s) ?? false, selector)) return;
  }
  throw new Error(`${key} never reached ${selector}`);
}

test('keyboard only: open a VM, move through pages and tabs, explain a control, write a note, go back', async ({
  page,
}) => {
  test.setTimeout(120_000);
  const invisible = new Set<string>();
  const url = process.env.E2E_URL;
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();

  const row = `[data-testid="vm-row"][data-vm-id="${xtec.uuid}"]`;
  await tabUntil(page, row, invisible);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('vm-name')).toBeFocused();

  // The page list is a tree: Tab enters it at the selected page, arrows move and select.
  await tabUntil(page, '[role="treeitem"]', invisible);
  await page.keyboard.press('Home');
  await expect(page.getByTestId('page-general')).toBeFocused();
  await page.keyboard.press('ArrowDown');
  await expect(page.getByTestId('page-system')).toBeFocused();
  await expect(page.getByTestId('page-system')).toHaveAttribute('aria-selected', 'true');

  // The tab bar is a tablist: Tab enters at the selected tab, Right moves to Processor.
  await tabUntil(page, '[role="tab"]', invisible);
  await expect(page.getByTestId('tab-motherboard')).toBeFocused();
  await page.keyboard.press('ArrowRight');
  await expect(page.getByTestId('tab-processor')).toHaveAttribute('aria-selected', 'true');

  // A control is selected with Enter: the explanation panel shows it.
  await tabUntil(page, '[data-control="system.processor.cpus"]', invisible);
  await page.keyboard.press('Enter');
  await expect(page.getByTestId('explain')).toContainText('Processor');
  await expect(page.getByTestId('explain-source')).toContainText(`cpus=${xtec.cpus}`);

  // The note on this setting: typed, saved on its own.
  await tabUntil(page, '[data-testid="explain"] textarea', invisible);
  const note = `keyboard note ${Date.now()}`;
  await page.keyboard.type(note);
  await expect(page.locator('[data-testid="explain"] textarea')).toHaveValue(note);
  await expect(page.locator('[data-testid="explain"] [role="status"]')).toHaveClass(/status-saved/, {
    timeout: 10_000,
  });
  await page.screenshot({ path: 'test-results/screens/keyboard-note.png' });

  // Back to the list with Shift+Tab and Enter: focus returns to the VM's row.
  await tabUntil(page, '[data-testid="back"]', invisible, 'Shift+Tab');
  await page.keyboard.press('Enter');
  await expect(page.locator(row)).toBeFocused();
  const rowFocus = await focusInfo(page);
  expect(rowFocus.visible, 'the VM row shows its focus').toBe(true);

  expect([...invisible], `focus is visible on every stop: ${[...invisible].join(', ')}`).toEqual([]);
});

test('theme: follows prefers-color-scheme until the top-bar toggle chooses, and the choice is remembered', async ({
  page,
}) => {
  const url = process.env.E2E_URL;
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  const background = (): Promise<string> =>
    page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  await page.emulateMedia({ colorScheme: 'dark' });
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
  const toggle = page.getByTestId('theme-toggle');
  await expect(page.locator('html')).not.toHaveAttribute('data-theme', /./);
  await expect(toggle).toHaveAttribute('aria-pressed', 'true');
  expect(await background()).toBe('rgb(22, 27, 33)'); // --content-bg of the dark palette

  await toggle.click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  await expect(toggle).toHaveAttribute('aria-pressed', 'false');
  expect(await background()).toBe('rgb(251, 251, 252)'); // --content-bg of the light palette
  expect(await page.evaluate(() => localStorage.getItem('vmc-theme'))).toBe('light');

  await page.reload();
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'light');
  expect(await background()).toBe('rgb(251, 251, 252)');

  await page.getByTestId('theme-toggle').click();
  await expect(page.locator('html')).toHaveAttribute('data-theme', 'dark');
  await page.emulateMedia({ colorScheme: 'light' });
  expect(await background()).toBe('rgb(22, 27, 33)'); // the user's choice wins over the system's
  await page.screenshot({ path: 'test-results/screens/dark-toggle.png' });
});

import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';
import { callApi, noteOn, ownHost } from './own-host.ts';

/**
 * Data safety (issue 6): "Notes are never lost by a failed render or a crash: autosave with a visible
 * saved state." On a browser-mode host of its own (own data folder) that can be killed and started
 * again on the same port with the same token, as a host that comes back would be:
 * (a) host killed, the user types → "Not saved — retrying…" and a local draft; leaving the page asks
 *     first; the page is reloaded while the host is down (it cannot load), the host comes back, the
 *     page is opened again → the mirror lists the note with an unsaved draft, opening it shows the
 *     draft with "Unsaved draft restored from <time>", it is saved and the database has it;
 * (b) host killed, the user types, the host comes back without a reload → the scheduled retry saves
 *     it and the status says "Saved"; "Retry now" saves at once;
 * (c) a page that throws while drawing the VM (the Network page given port-forwarding rules as an
 *     object keyed by rule name instead of a list, as a host of another version could send) shows
 *     "This page could not be shown: …" in its place; the other pages, the explanation panel and
 *     both note editors keep working.
 * Screenshots: test-results/screens/notes-retrying.png, notes-drafts-banner.png, notes-restored.png,
 * notes-boundary.png.
 */

const root = path.resolve(import.meta.dirname, '../..');
const lab = scenario('lab');
const vm = dumpFacts(lab.vms.find((v) => v.showvminfo && !v.inaccessible)!.showvminfo!);
const SETTING = 'system.processor.cpus';

const host = ownHost('vmc-e2e-drafts-', { fixed: true });
const startHost = host.start;
const stopHost = host.stop;
const { savedBody, draftIn, openVm, openNote } = noteOn(vm.uuid, SETTING);

test.describe.configure({ mode: 'serial' });

test.afterAll(() => host.dispose());

test('(a) typed while the host is down: retrying, draft kept over a reload, restored with a notice and saved once the host is back', async ({
  page,
}) => {
  let url = await startHost();
  await openVm(page, url);
  await openNote(page);
  const input = page.getByTestId('note-input');
  const status = page.getByTestId('note-status');
  const before = (await savedBody(url)) ?? '';
  await expect(input).toHaveValue(before);

  await stopHost('SIGKILL');
  const text = `Typed while the host was down — 2 vCPUs are enough (${Date.now()})`;
  await input.pressSequentially(text.slice(0, 12));
  // The draft is there from the first keystrokes, before any save.
  expect((await draftIn(page))?.body).toBe(text.slice(0, 12));
  await input.pressSequentially(text.slice(12));
  await expect(status).toContainText('Not saved — retrying…');
  await expect(status).toContainText('Cannot reach the VM Companion host');
  await expect(status).toHaveClass(/status-retrying/);
  await expect(status).toHaveAttribute('aria-live', 'polite');
  await expect(page.getByTestId('note-retry')).toBeVisible();
  const draft = await draftIn(page);
  expect(draft?.body).toBe(text);
  expect(Math.abs(draft!.at - Date.now())).toBeLessThan(60_000);
  mkdirSync(path.join(root, 'test-results/screens'), { recursive: true });
  await page.locator('.note-editor').screenshot({ path: 'test-results/screens/notes-retrying.png' });

  // Leaving now asks first (a save failed); the page then cannot load: the host is down.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await page.reload().catch((e: Error) => expect(e.message).toMatch(/ERR_CONNECTION_REFUSED/));
  expect(dialogs).toEqual(['beforeunload']);

  url = await startHost();
  expect(await savedBody(url)).toBe(before === '' ? undefined : before);
  await openVm(page, url);
  // The mirror says which note has an unsaved draft; opening it from there restores the draft.
  const banner = page.getByTestId('note-drafts');
  await expect(banner).toContainText('1 note on this VM has an unsaved draft');
  await expect(banner.getByTestId('note-draft-open')).toHaveText('Processors');
  await page.screenshot({
    path: 'test-results/screens/notes-drafts-banner.png',
    clip: { x: 0, y: 0, width: 1280, height: 300 },
  });
  await banner.getByTestId('note-draft-open').click();
  await expect(page.getByTestId('tab-processor')).toHaveAttribute('aria-selected', 'true');
  await expect(input).toHaveValue(text);
  const notice = page.getByTestId('note-restored');
  await expect(notice).toContainText(/^Unsaved draft restored from \d{1,2}:\d{2}\s[AP]M/u);
  await expect(status).toHaveText('Saved');
  expect(await savedBody(url)).toBe(text);
  expect(await draftIn(page)).toBeNull();
  await expect(banner).toBeHidden();
  await page.screenshot({ path: 'test-results/screens/notes-restored.png' });

  // "Keep" dismisses the notice; the text stays. Reopening the VM: no draft, no notice, the saved note.
  await page.getByTestId('note-keep').click();
  await expect(notice).toBeHidden();
  await expect(input).toHaveValue(text);
  await page.reload();
  await openVm(page, url);
  await expect(banner).toBeHidden();
  await openNote(page);
  await expect(input).toHaveValue(text);
  await expect(notice).toBeHidden();
  expect(dialogs).toEqual(['beforeunload']);
});

test('(b) the host comes back without a reload: the retry saves the note and says "Saved"', async ({
  page,
}) => {
  let url = await startHost();
  await openVm(page, url);
  await openNote(page);
  const input = page.getByTestId('note-input');
  const status = page.getByTestId('note-status');
  const retry = page.getByTestId('note-retry');

  await stopHost('SIGKILL');
  const text = `Saved by a retry ${Date.now()}`;
  await input.fill(text);
  await expect(status).toContainText('Not saved — retrying…');
  await expect(retry).toBeVisible();
  await expect(input).toHaveValue(text);
  expect((await draftIn(page))?.body).toBe(text);

  // Back on the same address: the next scheduled try (at most 10 s later) saves it, no click needed.
  url = await startHost();
  await expect(status).toHaveText('Saved', { timeout: 15_000 });
  await expect(status).toHaveClass(/status-saved/);
  await expect(retry).toBeHidden();
  expect(await savedBody(url)).toBe(text);
  expect(await draftIn(page)).toBeNull();

  // Once more with "Retry now": saved at once, without waiting for the schedule.
  await stopHost('SIGKILL');
  await input.pressSequentially(' And once more.');
  await expect(status).toContainText('Not saved — retrying…');
  url = await startHost();
  await retry.click();
  await expect(status).toHaveText('Saved', { timeout: 3000 });
  expect(await savedBody(url)).toBe(`${text} And once more.`);

  // Nothing pending: leaving does not ask.
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.type());
    void d.accept();
  });
  await page.reload();
  await openVm(page, url);
  expect(dialogs).toEqual([]);
});

test('(c) a page that throws while drawing the VM shows why; the other pages and the notes keep working', async ({
  page,
}) => {
  const url = await startHost();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(m.text());
  });
  // A host of another version sends Adapter 1's port-forwarding rules keyed by rule name instead of as a list.
  let altered = 0;
  await page.route(
    (u) => u.pathname === '/api/vms%3Aget',
    async (route) => {
      const res = await route.fetch();
      const detail = (await res.json()) as {
        config: { network: { slot: number; portForwards: { name: string }[] }[] };
      };
      const nic = detail.config.network.find((n) => n.slot === 1)!;
      nic.portForwards = Object.fromEntries(nic.portForwards.map((r) => [r.name, r])) as never;
      altered++;
      await route.fulfill({ response: res, json: detail });
    },
  );
  await openVm(page, url);
  expect(altered).toBeGreaterThan(0);

  await page.getByTestId('page-network').click();
  const failed = page.getByTestId('render-failed');
  await expect(failed).toBeVisible();
  await expect(failed).toHaveAttribute('data-kind', 'page');
  await expect(failed).toHaveAttribute('role', 'alert');
  await expect(page.getByTestId('render-failed-message')).toHaveText(
    /^This page could not be shown: \S+\.portForwards\.map is not a function$/,
  );
  await expect(failed).toContainText('The other pages of this VM still work');
  // The page title, page list and header are still there; "Try again" draws the page again (and fails again).
  await expect(page.locator('#page-title')).toHaveText('Network');
  await page.getByTestId('render-failed-retry').click();
  await expect(failed).toBeVisible();
  expect(errors.some((e) => e.includes('portForwards'))).toBe(true);
  mkdirSync(path.join(root, 'test-results/screens'), { recursive: true });
  await page.screenshot({ path: 'test-results/screens/notes-boundary.png' });

  // The VM-wide note works while the failing page is shown.
  await page.getByTestId('vm-note-toggle').click();
  const vmText = `VM note next to a failed page ${Date.now()}`;
  await page.getByTestId('vm-note-input').fill(vmText);
  await expect(page.getByTestId('vm-note-status')).toHaveText('Saved');
  expect(await savedBody(url, '')).toBe(vmText);

  // Other pages draw; the explanation panel and the setting's note work.
  await page.getByTestId('page-general').click();
  await expect(failed).toBeHidden();
  await expect(page.locator('[data-control="general.basic.name"]:visible')).toHaveAttribute(
    'data-value',
    vm.name,
  );
  await openNote(page);
  await expect(failed).toBeHidden();
  await expect(page.getByTestId('explain')).toContainText('Processors');
  const text = `Note after a failed page ${Date.now()}`;
  await page.getByTestId('note-input').fill(text);
  await expect(page.getByTestId('note-status')).toHaveText('Saved');
  expect(await savedBody(url)).toBe(text);

  // The failing page fails again when shown again; the rest of the mirror stays.
  await page.getByTestId('page-network').click();
  await expect(failed).toBeVisible();
  await expect(page.getByTestId('page-storage')).toBeVisible();
});

test('(d) a VM note left as a draft opens by itself, is saved, and "Discard draft" puts the stored note back', async ({
  page,
}) => {
  const url = await startHost();
  const stored = `Stored VM note ${Date.now()}`;
  await callApi(url, 'notes:save', { vmId: vm.uuid, settingId: '', body: stored });
  await openVm(page, url);
  // What a page closed while the host was down leaves behind: a draft of the VM-wide note, an hour old.
  const key = `vm-companion.noteDraft:${encodeURIComponent(vm.uuid)}:`;
  await page.evaluate(
    ([k, at]) => localStorage.setItem(k, JSON.stringify({ v: 1, body: 'Draft of the VM note', at })),
    [key, Date.now() - 3_600_000] as const,
  );
  await page.reload();
  await openVm(page, url);

  const input = page.getByTestId('vm-note-input');
  const status = page.getByTestId('vm-note-status');
  await expect(input).toHaveValue('Draft of the VM note');
  await expect(page.getByTestId('vm-note-restored')).toContainText(
    /^Unsaved draft restored from .*\d{1,2}:\d{2}\s[AP]M/u,
  );
  await expect(status).toHaveText('Saved');
  expect(await savedBody(url, '')).toBe('Draft of the VM note');
  await expect(page.getByTestId('note-drafts')).toBeHidden();

  await page.getByTestId('vm-note-discard').click();
  await expect(input).toHaveValue(stored);
  await expect(page.getByTestId('vm-note-restored')).toBeHidden();
  await expect(status).toHaveText('Saved');
  expect(await savedBody(url, '')).toBe(stored);
  expect(await page.evaluate((k) => localStorage.getItem(k), key)).toBeNull();
});

import { expect, test, type Page } from '@playwright/test';
import { dumpFacts, scenario } from './dump.ts';
import { noteOn, ownHost } from './own-host.ts';

/**
 * Data safety: "Notes are never lost by a failed render or a crash: autosave with a visible saved
 * state." On a browser-mode host of its own (own data folder, so it can be killed and restarted):
 * a note typed on a setting shows "Saving…" then "Saved" and is in the database; text typed just
 * before a reload is saved on the way out; after the host is killed with SIGKILL and started again
 * on the same data folder the note is there; a save that fails says "Not saved." and keeps the text
 * in the editor, never claiming "Saved".
 */

const lab = scenario('lab');
const vm = dumpFacts(lab.vms.find((v) => v.showvminfo && !v.inaccessible)!.showvminfo!);
const SETTING = 'system.processor.cpus';

const host = ownHost('vmc-e2e-notes-');
const startHost = host.start;
const stopHost = host.stop;
const { savedBody, openVm, openNote: openProcessorNote } = noteOn(vm.uuid, SETTING);

/** Opens the app at `url` and the note editor of the vCPU setting of the lab's first readable VM. */
async function openNote(page: Page, url: string): Promise<void> {
  await openVm(page, url);
  await openProcessorNote(page);
}

test.describe.configure({ mode: 'serial' });

test.afterAll(() => host.dispose());

test('autosave: "Saving…" while typing, "Saved" once stored; text typed just before a reload is kept', async ({
  page,
}) => {
  const url = await startHost();
  await openNote(page, url);
  const input = page.getByTestId('note-input');
  const status = page.getByTestId('note-status');

  const first = `Four vCPUs on a 4-core host leaves nothing for the host — ${Date.now()}`;
  await input.pressSequentially(first.slice(0, 20));
  await expect(status).toHaveText('Saving…');
  await input.pressSequentially(first.slice(20));
  await expect(status).toHaveText('Saved');
  await expect(status).toHaveClass(/status-saved/);
  expect(await savedBody(url)).toBe(first);

  // Keep typing and reload at once, well inside the 500 ms autosave delay.
  const more = ' Lower it to 2.';
  await input.pressSequentially(more);
  await expect(status).toHaveText('Saving…');
  await page.reload();
  await openNote(page, url);
  await expect(input).toHaveValue(first + more);
  expect(await savedBody(url)).toBe(first + more);
});

test('a note saved before the host is killed (SIGKILL) is there after a restart', async ({ page }) => {
  let url = await startHost();
  await openNote(page, url);
  const input = page.getByTestId('note-input');
  const text = `Crash-proof note ${Date.now()}`;
  await input.fill(text);
  await expect(page.getByTestId('note-status')).toHaveText('Saved');

  await stopHost('SIGKILL');
  url = await startHost();
  await openNote(page, url);
  await expect(input).toHaveValue(text);
  expect(await savedBody(url)).toBe(text);
});

test('a save that fails says "Not saved." and keeps the typed text; it never shows "Saved"', async ({
  page,
}) => {
  const url = await startHost();
  await openNote(page, url);
  const input = page.getByTestId('note-input');
  const status = page.getByTestId('note-status');
  const before = (await savedBody(url)) ?? '';

  await stopHost('SIGKILL');
  await input.fill(`${before} — typed while the host is down`);
  await expect(status).toHaveClass(/status-error/);
  await expect(status).toContainText('Not saved — retrying…');
  await expect(status).not.toContainText('Saved');
  await expect(input).toHaveValue(`${before} — typed while the host is down`);
});

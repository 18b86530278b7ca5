import { expect, test } from '@playwright/test';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';
import { callApi, noteOn, ownHost } from './own-host.ts';

/**
 * Two windows on one note (optimistic concurrency): tab A saves "line 1 from tab A"; tab B opens the
 * note and adds "line 2 added in tab B" (saved); tab A, still showing its old copy, appends
 * " + more from A". Its save is refused (`conflict`): tab A shows "This note was changed in another
 * window" with tab B's version, keeps its text as a draft and does not retry on its own; "Keep mine"
 * saves tab A's text over it. Nothing is dropped without the user seeing it.
 * Own browser-mode host (own data folder, lab stand-in). Screenshot: test-results/screens/notes-conflict.png.
 */

const root = path.resolve(import.meta.dirname, '../..');
const lab = scenario('lab');
const vm = dumpFacts(lab.vms.find((v) => v.showvminfo && !v.inaccessible)!.showvminfo!);
const SETTING = 'system.processor.cpus';

const host = ownHost('vmc-e2e-conflict-', { fixed: true });
const startHost = host.start;
const { savedBody, draftIn, openVm, openNote } = noteOn(vm.uuid, SETTING);

test.afterAll(() => host.dispose());

test('two tabs on one note: the stale save is refused, both versions are shown, "Keep mine" saves tab A\'s text', async ({
  context,
}) => {
  const url = await startHost();
  const a = await context.newPage();
  await openVm(a, url);
  await openNote(a);
  const inputA = a.getByTestId('note-input');
  const statusA = a.getByTestId('note-status');
  await inputA.fill('line 1 from tab A');
  await expect(statusA).toHaveText('Saved');
  expect(await savedBody(url)).toBe('line 1 from tab A');

  const b = await context.newPage();
  await openVm(b, url);
  await openNote(b);
  const inputB = b.getByTestId('note-input');
  await expect(inputB).toHaveValue('line 1 from tab A');
  await inputB.press('End');
  await inputB.pressSequentially('\nline 2 added in tab B');
  await expect(b.getByTestId('note-status')).toHaveText('Saved');
  expect(await savedBody(url)).toBe('line 1 from tab A\nline 2 added in tab B');

  // Tab A still shows its old copy and appends to it.
  await a.bringToFront();
  await expect(inputA).toHaveValue('line 1 from tab A');
  await inputA.press('End');
  await inputA.pressSequentially(' + more from A');
  const conflict = a.getByTestId('note-conflict');
  await expect(conflict).toContainText('This note was changed in another window');
  await expect(a.getByTestId('note-conflict-theirs')).toHaveText('line 1 from tab A\nline 2 added in tab B');
  await expect(a.getByTestId('note-conflict-mine')).toHaveText('line 1 from tab A + more from A');
  await expect(a.getByTestId('note-retry')).toHaveCount(0);
  // Nothing overwritten, tab A's text kept as a draft, and no retry on its own.
  expect(await savedBody(url)).toBe('line 1 from tab A\nline 2 added in tab B');
  expect((await draftIn(a))?.body).toBe('line 1 from tab A + more from A');
  await a.waitForTimeout(2500);
  expect(await savedBody(url)).toBe('line 1 from tab A\nline 2 added in tab B');
  await expect(conflict).toBeVisible();
  mkdirSync(path.join(root, 'test-results/screens'), { recursive: true });
  await a.locator('.note-editor').screenshot({ path: 'test-results/screens/notes-conflict.png' });

  await a.getByTestId('note-keep-mine').click();
  await expect(statusA).toHaveText('Saved');
  await expect(conflict).toHaveCount(0);
  expect(await savedBody(url)).toBe('line 1 from tab A + more from A');
  expect(await draftIn(a)).toBeNull();
});

test('"Use theirs" shows the other version and drops the draft', async ({ context }) => {
  const url = await startHost();
  const a = await context.newPage();
  await openVm(a, url);
  await openNote(a);
  const inputA = a.getByTestId('note-input');
  await expect(inputA).toHaveValue('line 1 from tab A + more from A');
  // Another window (here: a direct API save without a base, like the CLI) changes the note.
  await callApi(url, 'notes:save', { vmId: vm.uuid, settingId: SETTING, body: 'changed elsewhere' });
  await inputA.press('End');
  await inputA.pressSequentially(' (A again)');
  await expect(a.getByTestId('note-conflict-theirs')).toHaveText('changed elsewhere');
  await a.getByTestId('note-use-theirs').click();
  await expect(inputA).toHaveValue('changed elsewhere');
  await expect(a.getByTestId('note-conflict')).toHaveCount(0);
  expect(await draftIn(a)).toBeNull();
  expect(await savedBody(url)).toBe('changed elsewhere');
});

test('a note near and over the 100 000 limit: counter, "Too long to save" without retry, draft kept', async ({
  page,
}) => {
  const url = await startHost();
  await openVm(page, url);
  await openNote(page);
  const input = page.getByTestId('note-input');
  const before = await savedBody(url);
  await input.fill('x'.repeat(95_000));
  await expect(page.getByTestId('note-counter')).toHaveText('95,000 / 100,000');
  await expect(page.getByTestId('note-status')).toHaveText('Saved');
  await input.fill('y'.repeat(100_250));
  const status = page.getByTestId('note-status');
  await expect(status).toContainText('Too long to save: 250 characters over the 100,000 limit');
  await expect(page.getByTestId('note-counter')).toHaveText('100,250 / 100,000');
  await expect(page.getByTestId('note-retry')).toHaveCount(0);
  expect((await draftIn(page))?.body.length).toBe(100_250);
  expect(await savedBody(url)).toBe('x'.repeat(95_000));
  expect(before).not.toBe('x'.repeat(95_000));
  await page.locator('.note-foot').screenshot({ path: 'test-results/screens/notes-too-long.png' });
});

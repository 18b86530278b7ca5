import { expect, test, type Page } from '@playwright/test';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { dumpFacts, scenario } from './dump.ts';
import { callApi, ownHost } from './own-host.ts';

/**
 * Issue 5 end to end: guided tours over the mirror (driver.js) with progress that survives a restart
 * of the host, lessons with inline translated diagrams, quizzes whose next review date is stored,
 * search in Chinese and English landing on the right screens, and the notes / VM report export.
 * Expected texts come from the content files (resources/) and the lab scenario's real fixtures.
 */

const root = path.resolve(import.meta.dirname, '../..');
const lab = scenario('lab');

/** xtec-1: VirtualBox 7.0 dump, 6144 MB, 4 vCPUs, adapter 1 on NAT with forwarding rules. */
const xtecVm = lab.vms.find((vm) => vm.showvminfo?.includes('vbox70-encryption-line-nat-forwarding'))!;
const xtec = dumpFacts(xtecVm.showvminfo!);

interface TourStepFile {
  page: string;
  tab?: string;
  control: string;
  title: { en: string; 'zh-CN': string };
  body: { en: string; 'zh-CN': string };
  ask?: { en: string; 'zh-CN': string };
}
interface TourFile {
  id: string;
  title: { en: string; 'zh-CN': string };
  steps: TourStepFile[];
}
const tourFile = (id: string): TourFile =>
  JSON.parse(readFileSync(path.join(root, 'resources/tours', `${id}.json`), 'utf8')) as TourFile;
const quizFile = (
  id: string,
): { id: string; question: { en: string }; answer: number; choices: { en: string }[] }[] =>
  JSON.parse(readFileSync(path.join(root, 'resources/quizzes', `${id}.json`), 'utf8'));
const diagramStrings = JSON.parse(
  readFileSync(path.join(root, 'resources/diagrams/strings-settings.json'), 'utf8'),
) as Record<string, Record<string, { en: string; 'zh-CN': string }>>;
const catalogLabel = (page: string, id: string): { en: string; 'zh-CN': string } => {
  const entries = JSON.parse(readFileSync(path.join(root, 'resources/catalog', `${page}.json`), 'utf8')) as {
    id: string;
    label: { en: string; 'zh-CN': string };
  }[];
  return entries.find((e) => e.id === id)!.label;
};

async function openApp(page: Page, url = process.env.E2E_URL): Promise<void> {
  if (!url) throw new Error('E2E_URL is not set: the global setup did not start the browser host.');
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
}

async function openVm(page: Page, id: string): Promise<void> {
  await page.getByTestId('nav-machines').click();
  await page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`).click();
  await expect(page.getByTestId('page-general')).toBeVisible();
}

function control(page: Page, id: string) {
  return page.locator(`[data-control="${id}"]:visible`);
}

// ---------------------------------------------------------------------------------------------
// Lessons, search and export on the shared host.

test('a lesson renders its Markdown with the network diagram inline, themed and translated', async ({
  page,
}) => {
  await openApp(page);
  await page.getByTestId('nav-study').click();
  await expect(page.getByTestId('lesson-item')).toHaveCount(12);
  await page.locator('[data-testid="lesson-item"][data-lesson-id="settings-network"]').click();
  const lesson = page.getByTestId('lesson-view');
  await expect(lesson).toHaveAttribute('data-lesson-id', 'settings-network');
  await expect(lesson.locator('h1')).toHaveText('Networking modes: who can reach whom');

  const strings = diagramStrings['network-reachability'];
  const diagram = lesson.locator('[data-testid="diagram"][data-diagram="network-reachability"]');
  await expect(diagram).toHaveAttribute('data-loaded', 'true');
  const svg = diagram.locator('svg.diagram-svg');
  await expect(svg).toBeVisible();
  await expect(svg.locator('text[data-i18n="title"]')).toHaveText(strings.title.en);
  // Themed by the page's CSS: the "yes" cells are filled (the SVG itself says fill="none").
  const yesFill = await svg
    .locator('rect.dg-yes')
    .first()
    .evaluate((el) => getComputedStyle(el).fill);
  expect(yesFill).not.toBe('none');
  expect(await svg.locator('script, foreignObject').count()).toBe(0);
  // The Markdown table and setting links are there, with in-app handlers instead of setting: URLs.
  await expect(lesson.locator('table').first()).toBeVisible();
  const attached = lesson.locator('a.setting-link[data-setting="network.adapter.attachedTo"]').first();
  await expect(attached).toHaveAttribute('href', '#');
  // Opening a lesson marks it read.
  await expect(
    page.locator('[data-testid="lesson-item"][data-lesson-id="settings-network"]'),
  ).toHaveAttribute('data-read', 'true');

  await svg.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/issue5-lesson.png' });

  // zh-CN: the lesson text and the diagram's texts switch language.
  await page.getByTestId('lang-select').selectOption('zh-CN');
  await expect(lesson.locator('h1')).toHaveText('网络连接方式：谁能访问谁');
  await expect(svg.locator('text[data-i18n="title"]')).toHaveText(strings.title['zh-CN']);
  await expect(svg.locator('text[data-i18n="row-nat-note"]')).toHaveText(strings['row-nat-note']['zh-CN']);
  await svg.scrollIntoViewIfNeeded();
  await page.screenshot({ path: 'test-results/screens/issue5-lesson-zh.png' });
  await page.getByTestId('lang-select').selectOption('en');

  // A setting link opens the mirror of a VM on that control, selected.
  await lesson.locator('a.setting-link[data-setting="network.adapter.attachedTo"]').first().click();
  await expect(page.getByTestId('tab-adapter-1')).toHaveAttribute('aria-selected', 'true');
  await expect(control(page, 'network.adapter.attachedTo').first()).toHaveAttribute('aria-pressed', 'true');
});

test('search: 内存 lands on Base Memory of the VM on screen, "port forwarding" on Adapter 1', async ({
  page,
}) => {
  await openApp(page);
  await openVm(page, xtec.uuid);
  const search = page.getByTestId('search-input');

  await search.fill('内存');
  const memory = page.locator(
    '[data-testid="search-result"][data-kind="setting"][data-id="system.motherboard.memory"]',
  );
  await expect(memory).toBeVisible();
  // Lessons that mention the word are found too.
  await expect(page.locator('[data-testid="search-result"][data-kind="lesson"]').first()).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/issue5-search-zh.png' });
  await memory.click();
  await expect(page.getByTestId('tab-motherboard')).toHaveAttribute('aria-selected', 'true');
  const mem = control(page, 'system.motherboard.memory');
  await expect(mem).toHaveAttribute('aria-pressed', 'true');
  await expect(mem).toHaveAttribute('data-value', xtec.memory!);
  await expect(page.getByTestId('vm-name')).toContainText(xtec.name);

  // English, from another page, with Enter on the first result.
  await page.getByTestId('page-general').click();
  await search.fill('port forwarding');
  const first = page.getByTestId('search-result').first();
  await expect(first).toHaveAttribute('data-kind', 'setting');
  await expect(first).toHaveAttribute('data-id', 'network.adapter.portForwarding');
  await search.press('Enter');
  await expect(page.getByTestId('tab-adapter-1')).toHaveAttribute('aria-selected', 'true');
  await expect(
    page.locator('[data-control="network.adapter.portForwarding"][data-instance="1"]:visible'),
  ).toHaveAttribute('aria-pressed', 'true');
  await expect(page.getByTestId('explain')).toContainText(
    catalogLabel('network', 'network.adapter.portForwarding').en,
  );

  // A lesson result opens the lesson at its section.
  await search.fill('bridged');
  const lessonHit = page.locator('[data-testid="search-result"][data-kind="lesson"]').first();
  await expect(lessonHit).toBeVisible();
  const lessonId = (await lessonHit.getAttribute('data-id'))!.split('#')[0];
  await lessonHit.click();
  await expect(page.getByTestId('lesson-view')).toHaveAttribute('data-lesson-id', lessonId);
  await expect(page.getByTestId('lesson-body')).toContainText(/bridged/i);

  // A lesson section: the lesson opens scrolled to that heading.
  await search.fill('reading the symptoms');
  const sectionHit = page.locator('[data-testid="search-result"][data-kind="lesson"][data-section]').first();
  await expect(sectionHit).toBeVisible();
  const section = (await sectionHit.getAttribute('data-section'))!;
  await sectionHit.click();
  const heading = page.locator(`[data-testid="lesson-body"] [id="sec-${section}"]`);
  await expect(heading).toHaveText(/Reading the symptoms/i);
  await expect(heading).toBeInViewport();

  // A note: the mirror of the note's VM, on the note's setting (from the Study screen, no VM open).
  const word = `zebra${Date.now().toString(36)}`;
  await callApi(process.env.E2E_URL!, 'notes:save', {
    vmId: xtec.uuid,
    settingId: 'system.processor.cpus',
    body: `Keep 4 vCPUs, ${word} build box`,
  });
  await search.fill(word);
  const noteHit = page.locator('[data-testid="search-result"][data-kind="note"]');
  await expect(noteHit).toHaveCount(1);
  await noteHit.click();
  await expect(page.getByTestId('vm-name')).toContainText(xtec.name);
  await expect(page.getByTestId('tab-processor')).toHaveAttribute('aria-selected', 'true');
  await expect(control(page, 'system.processor.cpus')).toHaveAttribute('aria-pressed', 'true');
  await expect(control(page, 'system.processor.cpus')).toHaveAttribute('data-value', xtec.cpus!);
});

test('export: the VM report and all notes download as Markdown and HTML', async ({ page }) => {
  const url = process.env.E2E_URL!;
  const note = `Issue 5 export check ${Date.now()}`;
  await callApi(url, 'notes:save', { vmId: xtec.uuid, settingId: 'system.motherboard.memory', body: note });
  await openApp(page);
  await openVm(page, xtec.uuid);
  const memoryLabel = catalogLabel('system', 'system.motherboard.memory').en;

  await page.getByTestId('export-menu').click();
  const [md] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-report-md').click(),
  ]);
  expect(md.suggestedFilename()).toMatch(/\.md$/);
  const mdText = readFileSync((await md.path())!, 'utf8');
  expect(mdText).toContain(xtec.name);
  expect(mdText).toContain(memoryLabel);
  expect(mdText).toContain(note);
  await expect(page.getByTestId('export-status')).toContainText(md.suggestedFilename());

  await page.getByTestId('export-menu').click();
  const [html] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-report-html').click(),
  ]);
  expect(html.suggestedFilename()).toMatch(/\.html$/);
  const htmlText = readFileSync((await html.path())!, 'utf8');
  expect(htmlText).toMatch(/<html/i);
  expect(htmlText).toContain(xtec.name);
  expect(htmlText).toContain(memoryLabel);

  // All notes, from the machines list (no report there: no VM is open).
  await page.getByTestId('nav-machines').click();
  await page.getByTestId('export-menu').click();
  await expect(page.getByTestId('export-report-md')).toHaveCount(0);
  const [notes] = await Promise.all([
    page.waitForEvent('download'),
    page.getByTestId('export-notes-md').click(),
  ]);
  const notesText = readFileSync((await notes.path())!, 'utf8');
  expect(notesText).toContain(note);
  expect(notesText).toContain(xtec.name);
});

// ---------------------------------------------------------------------------------------------
// Tours and quiz progress across a restart of the host, on a host of their own.

test('a tour runs on a demo VM, offered next to the lab VMs', async ({ page }) => {
  // resources/demo/01-debian-efi-bridged-virtio.txt: SERVER1919C v114, 7 vCPUs; lab host: 4 cores.
  const demoId = 'demo-8c722e19-bd30-4eb3-b36a-95fc4e20c072';
  const steps = tourFile('cpu-memory').steps;
  await openApp(page);
  await page.getByTestId('nav-tours').click();
  const card = page.locator('[data-testid="tour-card"][data-tour-id="cpu-memory"]');
  await expect(card.getByTestId('tour-demo-vms').locator('option')).toHaveCount(5);
  await expect(card.locator(`option[value="${xtec.uuid}"]`)).toHaveCount(1);
  await card.getByTestId('tour-vm').selectOption(demoId);
  await card.getByTestId('tour-start').click();
  const popover = page.getByTestId('tour-popover');
  await expect(popover).toHaveAttribute('data-step', '0');
  await expect(popover.locator('.driver-popover-title')).toHaveText(steps[0].title.en);
  await expect(popover.locator('.driver-popover-description')).toContainText('This VM has 7 vCPUs');
  await expect(page.getByTestId('vm-name')).toContainText('SERVER1919C v114');
  await page.getByTestId('tour-close').click();
  await expect(popover).toHaveCount(0);
});

test.describe('tour and quiz progress survive a restart', () => {
  const host = ownHost('vmc-e2e-issue5-');
  const startHost = host.start;
  const stopHost = host.stop;

  test.afterAll(() => host.dispose());

  test('finish a tour, answer a quiz; after a restart both are still there', async ({ page }) => {
    test.setTimeout(120_000);
    const firstLook = tourFile('first-look');
    const netModes = tourFile('networking-modes');
    const quiz = quizFile('settings-network');
    let url = await startHost();
    await openApp(page, url);

    // --- A whole tour on xtec-1.
    await page.getByTestId('nav-tours').click();
    await expect(page.getByTestId('tour-card')).toHaveCount(6);
    const card = page.locator('[data-testid="tour-card"][data-tour-id="first-look"]');
    await expect(card).toHaveAttribute('data-state', 'new');
    await card.getByTestId('tour-vm').selectOption(xtec.uuid);
    await card.getByTestId('tour-start').click();

    const popover = page.getByTestId('tour-popover');
    for (const [i, step] of firstLook.steps.entries()) {
      await expect(popover).toHaveAttribute('data-step', String(i));
      await expect(popover).toHaveAttribute('data-settled', 'true');
      await expect(popover.locator('.driver-popover-title')).toHaveText(step.title.en);
      await expect(popover.locator('.driver-popover-progress-text')).toContainText(
        `Step ${i + 1} of ${firstLook.steps.length}`,
      );
      const text = (await popover.locator('.driver-popover-description').textContent()) ?? '';
      expect(text).not.toMatch(/\{(value|hostMemoryMB|hostCores)\}/);
      if (step.ask) expect(text).toContain(step.ask.en.slice(0, 30));
      // The step's control is on screen and highlighted.
      await expect(page.locator(`[data-control="${step.control}"].driver-active-element`)).toHaveCount(1);
      if (step.control === 'general.basic.name') expect(text).toContain(`called ${xtec.name}`);
      if (step.control === 'system.motherboard.memory') {
        expect(text).toContain('6144 MB');
        await page.screenshot({ path: 'test-results/screens/issue5-tour-step.png', animations: 'disabled' });
        // The popover follows the UI language.
        await page.getByTestId('lang-select').selectOption('zh-CN');
        await expect(popover.locator('.driver-popover-title')).toHaveText(step.title['zh-CN']);
        await expect(popover).toHaveAttribute('data-settled', 'true');
        await expect(popover.locator('.driver-popover-progress-text')).toContainText(
          `第 ${i + 1} 步，共 ${firstLook.steps.length} 步`,
        );
        await page.screenshot({
          path: 'test-results/screens/issue5-tour-step-zh.png',
          animations: 'disabled',
        });
        await page.getByTestId('lang-select').selectOption('en');
        await expect(popover.locator('.driver-popover-title')).toHaveText(step.title.en);
      }
      await page.getByTestId('tour-next').click();
    }
    // Finishing goes back to the tours list, the tour marked completed.
    await expect(popover).toHaveCount(0);
    await expect(card).toHaveAttribute('data-state', 'completed');
    await expect(card.getByTestId('tour-progress')).toContainText('Completed on');

    // --- Another tour stopped at step 3 of 6.
    const modes = page.locator('[data-testid="tour-card"][data-tour-id="networking-modes"]');
    await modes.getByTestId('tour-vm').selectOption(xtec.uuid);
    await modes.getByTestId('tour-start').click();
    await expect(popover).toHaveAttribute('data-step', '0');
    await expect(popover.locator('.driver-popover-title')).toHaveText(netModes.steps[0].title.en);
    await expect(page.getByTestId('tab-adapter-1')).toHaveAttribute('aria-selected', 'true');
    await page.getByTestId('tour-next').click();
    await expect(popover).toHaveAttribute('data-step', '1');
    // {value} is the adapter's attachment as the mirror shows it.
    await expect(popover.locator('.driver-popover-description')).toContainText('NAT');
    await page.getByTestId('tour-next').click();
    await expect(popover).toHaveAttribute('data-step', '2');
    await page.getByTestId('tour-close').click();
    await expect(popover).toHaveCount(0);

    // --- A quiz answer with its next review date.
    await page.getByTestId('nav-study').click();
    await page.locator('[data-testid="lesson-item"][data-lesson-id="settings-network"]').click();
    const q = page.getByTestId('quiz');
    await q.scrollIntoViewIfNeeded();
    await expect(q.getByTestId('quiz-question')).toHaveAttribute(
      'data-card-id',
      `settings-network/${quiz[0].id}`,
    );
    await expect(q.locator('legend')).toHaveText(quiz[0].question.en);
    await q.locator(`[data-testid="quiz-choice"][data-index="${quiz[0].answer}"]`).click();
    await q.getByTestId('quiz-check').click();
    await expect(q.getByTestId('quiz-result')).toHaveAttribute('data-correct', 'true');
    const next = q.getByTestId('quiz-next-review');
    await expect(next).toHaveText(/^in \d+ (minute|minutes|hour|hours)$|\d{4}/);
    const due = (await next.getAttribute('data-due'))!;
    expect(new Date(due).getTime()).toBeGreaterThan(Date.now());
    await page.screenshot({ path: 'test-results/screens/issue5-quiz.png' });

    // --- Restart the host (same data folder, new port and token).
    await stopHost();
    url = await startHost();
    await openApp(page, url);

    const progress = await callApi<{
      tours: { tourId: string; step: number; completedAt: string | null; vmId: string | null }[];
      cards: { cardId: string; due: string; lastCorrect: boolean | null }[];
    }>(url, 'study:progress', {});
    expect(progress.tours.find((t) => t.tourId === 'first-look')).toMatchObject({ vmId: xtec.uuid });
    expect(progress.tours.find((t) => t.tourId === 'first-look')!.completedAt).not.toBeNull();
    expect(progress.tours.find((t) => t.tourId === 'networking-modes')).toMatchObject({
      step: 2,
      completedAt: null,
    });
    expect(progress.cards.find((c) => c.cardId === `settings-network/${quiz[0].id}`)).toMatchObject({
      due,
      lastCorrect: true,
    });

    await page.getByTestId('nav-tours').click();
    await expect(card).toHaveAttribute('data-state', 'completed');
    await expect(card.getByTestId('tour-progress')).toContainText('Completed on');
    await expect(modes).toHaveAttribute('data-state', 'started');
    await expect(modes.getByTestId('tour-progress')).toContainText('At step 3 of 6');
    await expect(modes.getByTestId('tour-vm')).toHaveValue(xtec.uuid);
    await expect(modes.getByTestId('tour-start')).toHaveText('Resume at step 3');
    await page.screenshot({ path: 'test-results/screens/issue5-tours.png' });
    await modes.getByTestId('tour-start').click();
    await expect(popover).toHaveAttribute('data-step', '2');
    await expect(popover.locator('.driver-popover-title')).toHaveText(netModes.steps[2].title.en);
    await page.keyboard.press('Escape');
    await expect(popover).toHaveCount(0);

    // The quiz shows the stored answer and review date.
    await page.getByTestId('nav-study').click();
    const item = page.locator('[data-testid="lesson-item"][data-lesson-id="settings-network"]');
    await expect(item.getByTestId('lesson-progress')).toContainText(`1 of ${quiz.length} answered`);
    await item.click();
    await expect(page.getByTestId('quiz-prior')).toHaveAttribute('data-due', due);

    // Once the review time has come (the page's clock moved past it), the card is in "Review due cards".
    await page.clock.setFixedTime(new Date(new Date(due).getTime() + 60_000));
    await page.getByTestId('review-link').click();
    const review = page.getByTestId('review');
    await expect(review.getByTestId('review-card')).toHaveCount(1);
    await expect(review.getByTestId('review-card')).toHaveAttribute(
      'data-card-id',
      `settings-network/${quiz[0].id}`,
    );
    await review.locator(`[data-testid="quiz-choice"][data-index="${(quiz[0].answer + 1) % 4}"]`).click();
    await review.getByTestId('quiz-check').click();
    await expect(review.getByTestId('quiz-result')).toHaveAttribute('data-correct', 'false');
    await expect(review.getByTestId('quiz-next-review')).toHaveAttribute('data-due', /^\d{4}-/);
    await page.screenshot({ path: 'test-results/screens/issue5-review.png' });
  });
});

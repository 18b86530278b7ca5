/**
 * Checklist item 19 (fuses) on a packaged app: `VMC_PACKAGED_APP` names its executable
 * (`dist/linux-unpacked/vm-companion`, `dist/win-unpacked/VM Companion.exe`, or the macOS `.app`).
 * The fuse wire is read from the file (tests/e2e-electron/checklist.ts), without running it and
 * without loading the `electron` package. Where no packaged app is given (as on the build
 * machines, which cannot package Electron) the test skips itself and says why.
 */
import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { fuseFileOf, fuseProblems, readFuseWire, RELEASE_FUSES } from './checklist.ts';

const packaged = process.env.VMC_PACKAGED_APP ?? '';
const skipReason = !packaged
  ? 'VMC_PACKAGED_APP is not set: the fuse check needs a packaged app (electron-builder output), ' +
    'which only a machine with the Electron binary can build. Skipping it.'
  : !fs.existsSync(fuseFileOf(packaged))
    ? `VMC_PACKAGED_APP=${packaged} does not exist (looked for ${fuseFileOf(packaged)}). Skipping.`
    : '';
if (skipReason) console.warn(`[e2e-electron] ${skipReason}`);
test.skip(skipReason !== '', skipReason);

test('the packaged app has the release fuses: no run-as-node, no NODE_OPTIONS, no --inspect, asar only and checked (#19)', () => {
  const wire = readFuseWire(fs.readFileSync(fuseFileOf(packaged)));
  expect(fuseProblems(wire, RELEASE_FUSES)).toEqual([]);
});

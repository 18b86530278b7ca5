import { defineConfig } from '@playwright/test';

/**
 * Electron end-to-end tests (`npm run test:e2e-electron`): the built app (`out/main/index.js`)
 * launched with Playwright's `_electron`. They need Electron's binary; where it is not installed
 * (as on the build machines) every test skips itself and says why.
 */
export default defineConfig({
  testDir: 'tests/e2e-electron',
  outputDir: 'test-results/e2e-electron',
  timeout: 60_000,
  workers: 1,
  reporter: [['list']],
});

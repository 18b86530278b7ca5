import { defineConfig } from 'vitest/config';

const major = Number(process.versions.node.split('.')[0]);
if (major < 22) {
  throw new Error(
    `Tests need Node >= 22 (found ${process.versions.node}). Run them through npm scripts (npm test, npm run test:unit), which use the pinned Node 24.`,
  );
}

export default defineConfig({
  test: {
    include: ['tests/unit/**/*.test.ts'],
    environment: 'node',
    testTimeout: 20_000,
  },
});

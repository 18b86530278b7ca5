import { defineConfig } from 'electron-vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('./svelte.config.js', import.meta.url));

/** Electron build: main (ESM), preload (CJS, required by the sandbox), renderer (Svelte). */
export default defineConfig({
  main: {
    build: {
      externalizeDeps: true,
      rolldownOptions: { input: { index: 'app/main/index.ts' } },
    },
  },
  preload: {
    build: {
      rolldownOptions: {
        input: { index: 'app/preload/index.ts' },
        output: { format: 'cjs', entryFileNames: '[name].cjs' },
      },
    },
  },
  renderer: {
    root: 'renderer',
    plugins: [svelte({ configFile })],
    build: {
      minify: true,
      rolldownOptions: { input: { index: 'renderer/index.html' } },
    },
  },
});

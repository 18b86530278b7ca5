import { defineConfig } from 'vite';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { fileURLToPath } from 'node:url';

const configFile = fileURLToPath(new URL('./svelte.config.js', import.meta.url));

/** Renderer build for browser mode (`npm run serve`) and the Chromium e2e tests. */
export default defineConfig({
  root: 'renderer',
  base: './',
  plugins: [svelte({ configFile })],
  build: { outDir: '../out/web', emptyOutDir: true, minify: true },
});

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHANNELS, functionName } from '../../app/shared/contract.ts';
import { CHANNEL_FUNCTIONS } from '../../app/preload/channels.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-preload-'));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** `import … from '<spec>'` statements of a source file, with whether they are type-only. */
function imports(file: string): { spec: string; typeOnly: boolean }[] {
  const src = fs.readFileSync(path.join(root, file), 'utf8');
  return [...src.matchAll(/^import\s+(type\s+)?[^'"]*?from\s+'([^']+)';/gm)].map((m) => ({
    spec: m[2],
    typeOnly: Boolean(m[1]),
  }));
}

describe('preload channel table', () => {
  it('has exactly the contract channels, named with functionName()', () => {
    expect(Object.keys(CHANNEL_FUNCTIONS).sort()).toEqual([...CHANNELS].sort());
    for (const channel of CHANNELS) expect(CHANNEL_FUNCTIONS[channel]).toBe(functionName(channel));
    expect(Object.values(CHANNEL_FUNCTIONS)).toContain('vmsList');
  });
});

describe('preload sources', () => {
  it('import at runtime only electron and the zod-free channel table', () => {
    const runtime = imports('app/preload/index.ts')
      .filter((i) => !i.typeOnly)
      .map((i) => i.spec);
    expect(runtime.sort()).toEqual(['./channels.ts', 'electron']);
    const table = imports('app/preload/channels.ts');
    expect(table.length).toBeGreaterThan(0);
    expect(table.every((i) => i.typeOnly)).toBe(true);
  });

  it('expose one object, window.api, and nothing else', () => {
    const src = fs.readFileSync(path.join(root, 'app/preload/index.ts'), 'utf8');
    const exposures = [...src.matchAll(/exposeInMainWorld\(\s*'([^']+)'/g)].map((m) => m[1]);
    expect(exposures).toEqual(['api']);
    expect(src).not.toMatch(/exposeInIsolatedWorld|webFrame|require\(/);
  });
});

describe('built preload (real electron.vite.config.ts preload section)', () => {
  it('is CommonJS and requires nothing but electron', async () => {
    const { build } = await import('electron-vite');
    // A config that keeps only the real config's preload section. It lives under node_modules/.cache
    // (not /tmp) so that electron-vite's config loader resolves the real config's own imports.
    const cacheDir = path.join(root, 'node_modules', '.cache', 'vm-companion-tests');
    fs.mkdirSync(cacheDir, { recursive: true });
    const configFile = path.join(cacheDir, `preload-only-${process.pid}.config.mjs`);
    const realConfig = path
      .relative(cacheDir, path.join(root, 'electron.vite.config.ts'))
      .split(path.sep)
      .join('/');
    fs.writeFileSync(
      configFile,
      `import real from '${realConfig}';\nexport default { preload: real.preload };\n`,
    );
    const outDir = path.join(tmp, 'out');
    try {
      await build({ configFile, root, logLevel: 'silent', build: { outDir } });
    } finally {
      fs.rmSync(configFile, { force: true });
    }
    const outFile = path.join(outDir, 'preload', 'index.cjs');
    const out = fs.readFileSync(outFile, 'utf8');
    const required = [...out.matchAll(/require\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1]);
    expect(required).toEqual(['electron']);
    expect(out).not.toMatch(/^\s*(import|export)\s/m);
    expect(out).toContain('exposeInMainWorld("api"');
    for (const name of Object.values(CHANNEL_FUNCTIONS)) expect(out).toContain(`"${name}"`);
  }, 60_000);
});

/**
 * Writing the inventory cache (app/core/vbox/inventory-cache.ts `saveInventoryCache`): a cache within
 * its bound is written as is in one pass (in chunks); one over its bound is written again, trimmed
 * like `fitInventoryCache`; never a temporary file left, never a file over the bound. Real `.vbox`
 * parses (every fixture of tests/fixtures/vbox, round-robin, as many VMs as needed).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { decodeSettingsBytes, parseVboxFile } from '../../app/core/vbox/vbox-file.ts';
import {
  emptyInventoryCache,
  fitInventoryCache,
  loadInventoryCache,
  saveInventoryCache,
  type InventoryCacheData,
} from '../../app/core/vbox/inventory-cache.ts';
import { FIXTURES_DIR } from '../helpers/stand-in.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cache-save-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** `n` VMs, each with the parse of a real `.vbox` (round-robin over the fixtures) under its own UUID. */
function cacheOf(n: number): InventoryCacheData {
  const files = fs
    .readdirSync(path.join(FIXTURES_DIR, 'vbox'))
    .sort()
    .map((f) => path.join(FIXTURES_DIR, 'vbox', f));
  const data = emptyInventoryCache('9.9.9');
  for (let i = 0; i < n; i++) {
    const file = files[i % files.length];
    const result = parseVboxFile(decodeSettingsBytes(fs.readFileSync(file)), { path: file });
    const id = `b3a70000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    result.config.id = id; // the cache keeps a parse only under its own UUID
    data.vms[id] = { cfgFile: file, file: { stamp: { mtimeMs: i, size: 1000 + i }, result } };
  }
  return data;
}

describe('saveInventoryCache', () => {
  it('300 VMs (more than one write chunk): written whole, read back equal', async () => {
    const file = path.join(dir, 'inventory-cache.json');
    const data = cacheOf(300);
    const { bytes, dropped } = await saveInventoryCache(file, data);
    expect(dropped).toBe(0);
    expect(bytes).toBeGreaterThan(1024 * 1024 * 2); // several chunks
    expect(fs.statSync(file).size).toBe(bytes);
    expect(fs.readdirSync(dir)).toEqual(['inventory-cache.json']);
    const { data: back, problem } = await loadInventoryCache(file, '9.9.9');
    expect(problem).toBeUndefined();
    expect(Object.keys(back.vms)).toEqual(Object.keys(data.vms));
    const id = Object.keys(data.vms)[6];
    expect(back.vms[id].file?.result.config).toEqual(data.vms[id].file?.result.config);
  });

  it('over its bound: written again, trimmed as fitInventoryCache trims it, within the bound', async () => {
    const file = path.join(dir, 'inventory-cache.json');
    const data = cacheOf(40);
    const whole = Buffer.byteLength(JSON.stringify({ ...data, writtenAt: new Date().toISOString() }));
    const max = Math.floor(whole / 2);
    const { bytes, dropped } = await saveInventoryCache(file, data, max);
    expect(dropped).toBe(fitInventoryCache(data, max).dropped);
    expect(dropped).toBeGreaterThan(0);
    expect(bytes).toBeLessThanOrEqual(max);
    expect(fs.statSync(file).size).toBe(bytes);
    expect(fs.readdirSync(dir)).toEqual(['inventory-cache.json']);
    const { data: back } = await loadInventoryCache(file, '9.9.9');
    expect(Object.keys(back.vms)).toHaveLength(40);
    expect(Object.values(back.vms).filter((v) => v.file).length).toBe(40 - dropped);
    expect(Object.values(data.vms).every((v) => v.file)).toBe(true); // the input is not changed
  });
});

/**
 * The inventory cache file (app/core/vbox/inventory-cache.ts): written atomically and streamed, read
 * back, bounded, damaged parts dropped; VBoxManage and boot keys.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseVboxFile, decodeSettingsBytes } from '../../app/core/vbox/vbox-file.ts';
import { showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import {
  INVENTORY_CACHE_FORMAT,
  MAX_CACHED_VMS,
  emptyInventoryCache,
  exeStamp,
  fitInventoryCache,
  hostBootTimeMs,
  loadInventoryCache,
  sameBoot,
  sameExe,
  saveInventoryCache,
  type InventoryCacheData,
} from '../../app/core/vbox/inventory-cache.ts';
import { FIXTURES_DIR, STAND_IN } from '../helpers/stand-in.ts';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cache-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const BASSO = '827810e0-21ce-4282-bfc2-cfd981a45ce0';
const ISSABEL = '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127';

/** A cache with clientbasso's parsed .vbox and Issabel's showvminfo read (real fixtures). */
function sample(): InventoryCacheData {
  const vboxPath = path.join(FIXTURES_DIR, 'vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox');
  const result = parseVboxFile(decodeSettingsBytes(fs.readFileSync(vboxPath)), { path: vboxPath });
  const config = showVmInfoToConfig(
    fs.readFileSync(
      path.join(FIXTURES_DIR, 'showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt'),
      'utf8',
    ),
    'vboxmanage',
  );
  const data = emptyInventoryCache('1.2.3');
  data.vboxManage = { exe: { path: '/usr/bin/VBoxManage', size: 10, mtimeMs: 1 }, version: '7.1.12r169651' };
  data.vms[BASSO] = { cfgFile: vboxPath, file: { stamp: { mtimeMs: 5, size: 3415 }, result } };
  data.vms[ISSABEL] = {
    cfgFile: '/vms/Issabel/Issabel.vbox',
    showvminfo: {
      stamp: { mtimeMs: 7, size: 100 },
      name: 'Issabel',
      readAt: 1000,
      summary: summaryFromConfig(config),
      config,
      provenance: { discrepancies: [] },
    },
  };
  return data;
}

describe('inventory cache file', () => {
  it('round-trips through an atomic, streamed write; no temporary file is left', async () => {
    const file = path.join(dir, 'sub', 'inventory-cache.json');
    const data = sample();
    const { bytes, dropped } = await saveInventoryCache(file, data);
    expect(dropped).toBe(0);
    expect(fs.statSync(file).size).toBe(bytes);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['inventory-cache.json']);
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')) as InventoryCacheData;
    expect(raw.format).toBe(INVENTORY_CACHE_FORMAT);
    const { data: back, problem } = await loadInventoryCache(file, '1.2.3');
    expect(problem).toBeUndefined();
    expect(back.vboxManage).toEqual(data.vboxManage);
    expect(back.vms[BASSO].file?.result.config.system.memoryMB).toEqual({
      value: 1024,
      key: 'Machine/Hardware/Memory/@RAMSize',
      raw: '1024',
    });
    expect(back.vms[ISSABEL].showvminfo?.config.system.memoryMB?.value).toBe(2048);
    // Another app version: not used.
    expect((await loadInventoryCache(file, '1.2.4')).problem).toMatch(/app version 1\.2\.3, not 1\.2\.4/);
    // Missing file: empty, no problem.
    expect(await loadInventoryCache(path.join(dir, 'none.json'))).toMatchObject({ data: { vms: {} } });
  });

  it('drops damaged entries one by one and keeps the rest', async () => {
    const file = path.join(dir, 'c.json');
    const data = sample() as unknown as Record<string, unknown> & { vms: Record<string, unknown> };
    data.vms['not-a-uuid'] = { cfgFile: '/x.vbox' };
    data.vms['00000000-0000-4000-8000-000000000001'] = { cfgFile: 42 };
    (data.vms[ISSABEL] as Record<string, unknown>).showvminfo = { stamp: { mtimeMs: 1 }, name: 'x' };
    data.vboxManage = { exe: { path: 1 }, version: '' };
    fs.writeFileSync(file, JSON.stringify(data));
    const { data: back } = await loadInventoryCache(file, '1.2.3');
    expect(Object.keys(back.vms).sort()).toEqual([ISSABEL, BASSO].sort());
    expect(back.vms[ISSABEL]).toEqual({ cfgFile: '/vms/Issabel/Issabel.vbox' });
    expect(back.vms[BASSO].file).toBeDefined();
    expect(back.vboxManage).toBeUndefined();
  });

  it('is bounded: parsed files go first (largest first), then the oldest showvminfo reads', () => {
    const data = sample();
    const fileBytes = Buffer.byteLength(JSON.stringify(data.vms[BASSO].file));
    const full = fitInventoryCache(data);
    expect(full.dropped).toBe(0);
    const total = Buffer.byteLength(JSON.stringify(data));
    const tight = fitInventoryCache(data, total - 10);
    expect(tight.dropped).toBe(1);
    expect(tight.data.vms[BASSO].file).toBeUndefined();
    expect(tight.data.vms[ISSABEL].showvminfo).toBeDefined();
    expect(data.vms[BASSO].file).toBeDefined(); // the input is not changed
    const tiny = fitInventoryCache(data, total - fileBytes - 10);
    expect(tiny.dropped).toBe(2);
    expect(tiny.data.vms[ISSABEL]).toEqual({ cfgFile: '/vms/Issabel/Issabel.vbox' });
    expect(MAX_CACHED_VMS).toBe(2000);
  });

  it('keys: the real VBoxManage file (symbolic links followed) and the boot time', async () => {
    const link = path.join(dir, 'VBoxManage');
    fs.symlinkSync(STAND_IN, link);
    const a = await exeStamp(link);
    const b = await exeStamp(STAND_IN);
    expect(a?.path).toBe(fs.realpathSync(STAND_IN));
    expect(sameExe(a!, b!)).toBe(true);
    expect(sameExe(a!, { ...a!, mtimeMs: a!.mtimeMs + 1 })).toBe(false);
    expect(await exeStamp(path.join(dir, 'missing'))).toBeUndefined();
    expect(hostBootTimeMs(1_000_000, 100)).toBe(900_000);
    expect(sameBoot(900_000, 930_000)).toBe(true);
    expect(sameBoot(900_000, 1_000_000)).toBe(false);
  });
});

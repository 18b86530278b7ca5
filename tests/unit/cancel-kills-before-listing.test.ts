/**
 * A cancel while `list vms` is still running: the inventory says so (`cancelledBeforeListing`), the
 * notice is "cancelled before VirtualBox listed its VMs" (not "0 VMs were not read"), and the hanging
 * stand-in (which ignores SIGTERM) is gone within the grace period + 1 s.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import en from '../../renderer/src/locales/en.json' with { type: 'json' };
import zh from '../../renderer/src/locales/zh-CN.json' with { type: 'json' };
import { cancelledNotice } from '../../renderer/src/lib/read-progress.ts';
import { STAND_IN, readStandInCalls, standInEnv, tempLog, writeScenario } from '../helpers/stand-in.ts';

let dir: string;
let logFile: string;
let store: Store;
beforeEach(() => {
  ({ dir, logFile } = tempLog());
  store = openStore(path.join(dir, 'data'));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe('ESRCH');
    return false;
  }
}

describe('cancel before VirtualBox listed its VMs', () => {
  it('inventory: cancelled + cancelledBeforeListing, no VMs; the notice says so; the child is killed', async () => {
    const scenario = writeScenario(dir, {
      ignoreSigterm: true,
      commandErrors: [{ argv: ['list', 'vms'], hang: true }],
    });
    const grace = 300;
    const svc = new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv(scenario, logFile) },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
      registryCandidates: [],
      vmware: { vmrunPath: null },
      runnerOptions: { timeoutMs: 60_000, killGraceMs: grace },
    });
    const listP = svc.list();
    for (let i = 0; i < 200 && !readStandInCalls(logFile).some((c) => c.hang); i++)
      await new Promise((r) => setTimeout(r, 25));
    const hung = readStandInCalls(logFile).filter((c) => c.hang);
    expect(hung.map((c) => c.argv.join(' '))).toContain('list vms');
    // `--version` ran first and alone, before `list vms`.
    expect(readStandInCalls(logFile)[0].argv).toEqual(['--version']);
    expect(svc.cancel()).toBe(true);
    const inv = await listP;
    expect(inv.cancelled).toBe(true);
    expect(inv.cancelledBeforeListing).toBe(true);
    expect(inv.vms).toEqual([]);
    expect(inv.demo).toBe(false);
    expect(cancelledNotice(inv, { ids: [], count: 0 })).toEqual({
      key: 'readProgress.cancelledBeforeListing',
    });
    expect(en.readProgress.cancelledBeforeListing).toBe(
      'Reading was cancelled before VirtualBox listed its VMs. Refresh to read them.',
    );
    expect(zh.readProgress.cancelledBeforeListing).toContain('VirtualBox');
    const end = Date.now() + grace + 1_000;
    while (Date.now() < end && hung.some((c) => alive(c.pid))) await new Promise((r) => setTimeout(r, 25));
    for (const c of hung) expect(alive(c.pid)).toBe(false);
  });

  it('a cancel after the listing keeps the count notice', () => {
    const inv = { cancelled: true } as Parameters<typeof cancelledNotice>[0];
    expect(cancelledNotice(inv, { ids: ['a', 'b'], count: 2 })).toEqual({
      key: 'readProgress.cancelled',
      values: { n: 2 },
    });
    expect(cancelledNotice({ ...inv, cancelled: false }, { ids: [], count: 0 })).toBeNull();
  });
});

/**
 * InventoryService, issue 6: progress of a read (`vms:progress`: listed VMs right after `list vms`,
 * n of N) and cancelling it (`vms:cancel`: children stopped, list() resolves with what was read).
 * Stand-in VBoxManage with per-VM delays; a temporary VBOX_USER_HOME with real `.vbox` copies.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryService, NOT_READ_CANCELLED } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import type { ReadProgress } from '../../app/shared/contract.ts';
import {
  STAND_IN,
  readStandInCalls,
  readStandInLog,
  standInEnv,
  tempLog,
  writeVboxLab,
  type Scenario,
  type VboxLab,
  type VboxLabVm,
} from '../helpers/stand-in.ts';

const GENY = 'vbox/genymotion-macos-1.12-pixel-snapshot-guestproperties.vbox';
const BASSO = 'vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox';
const LIBVIRT = 'vbox/libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox';
const OLD = 'vbox/vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.xml';
const RUNNING_DUMP = 'showvminfo/vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt';
const OTHER_DUMP = 'showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt';

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

function service(lab: VboxLab, cacheFile?: string): InventoryService {
  return new InventoryService({
    store,
    env: {
      PATH: '',
      VBOXMANAGE: STAND_IN,
      VBOX_USER_HOME: lab.home,
      ...standInEnv(lab.scenarioFile, logFile),
    },
    platform: 'linux',
    homedir: path.join(dir, 'home'),
    vmware: { vmrunPath: null },
    locateVirsh: async () => ({ tried: [] }),
    runnerOptions: { killGraceMs: 300 },
    ...(cacheFile ? { cacheFile } : {}),
  });
}

/** Two running VMs whose showvminfo takes `delayMs`, two VMs read from their files. */
function lab(delayMs: number, scenarioDelayMs = 0): VboxLab {
  const vms: VboxLabVm[] = [
    { vbox: GENY, showvminfo: RUNNING_DUMP, running: true, delayMs },
    { vbox: BASSO, showvminfo: OTHER_DUMP },
    { vbox: LIBVIRT, showvminfo: RUNNING_DUMP, running: true, delayMs },
    { vbox: OLD, showvminfo: OTHER_DUMP },
  ];
  // VirtualBox 7.0: the EFI VM (OLD) is read from its file (7.1 would need showvminfo for Secure Boot).
  return writeVboxLab(dir, vms, { delayMs: scenarioDelayMs, version: '7.0.18r162988' });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

async function until<T>(what: () => T | undefined | false, timeoutMs = 10_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const v = what();
    if (v) return v;
    if (Date.now() > end) throw new Error('condition not met in time');
    await sleep(5);
  }
}

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('progress', () => {
  it('is idle before any read; lists the VMs right after list vms, then counts n of N', async () => {
    const l = lab(800, 100);
    const svc = service(l);
    expect(svc.progress()).toEqual({ reading: false, phase: 'idle', done: 0, total: 0 });
    expect(svc.cancel()).toBe(false);
    const seen: ReadProgress[] = [];
    let settled = false;
    const p = svc.list().finally(() => (settled = true));
    while (!settled) {
      seen.push(svc.progress());
      await sleep(5);
    }
    const inv = await p;
    expect(seen[0]).toMatchObject({ reading: true });
    expect(['locating', 'listing']).toContain(seen[0].phase);
    expect(seen[0].startedAt).toBeGreaterThan(0);
    const firstListed = seen.find((s) => s.listed !== undefined)!;
    expect(firstListed.phase).toBe('reading');
    expect(firstListed.total).toBe(4);
    expect(firstListed.listed?.map((v) => [v.id, v.name, v.accessible, v.source])).toEqual(
      l.vms.map((v) => [v.uuid, v.name, true, 'vboxmanage']),
    );
    // Before the phase "reading", nothing was listed; the listing came after one list vms call.
    expect(seen.filter((s) => s.phase === 'listing').every((s) => s.listed === undefined)).toBe(true);
    // The two files are read while the running VMs' showvminfo still runs: 2 of 4 for a while.
    const half = seen.find((s) => s.done === 2 && s.total === 4)!;
    expect(half).toBeDefined();
    expect(half.listed?.filter((v) => v.state !== undefined).map((v) => v.name)).toEqual([
      l.vms[1].name,
      l.vms[3].name,
    ]);
    expect(half.listed?.[1]).toMatchObject({ state: 'saved', memoryMB: 1024 });
    const end = svc.progress();
    expect(end).toMatchObject({ reading: false, phase: 'done', done: 4, total: 4 });
    expect(end.listed?.map((v) => v.state)).toEqual(['running', 'saved', 'running', 'poweroff']);
    expect(inv.cancelled).toBeUndefined();
    // Progress counts never go back.
    for (let i = 1; i < seen.length; i++) expect(seen[i].done).toBeGreaterThanOrEqual(seen[i - 1].done);
  });
});

describe('cancel', () => {
  it('stops the running showvminfo children; list() resolves with the VMs read so far and marks the others', async () => {
    const l = lab(4000);
    const cacheFile = path.join(dir, 'data', 'inventory-cache.json');
    const svc = service(l, cacheFile);
    const pending = svc.list();
    // Wait until both files are read and both slow showvminfo calls are running.
    await until(() => svc.progress().done === 2);
    const slow = await until(() => {
      const calls = readStandInCalls(logFile).filter((c) => c.argv[0] === 'showvminfo');
      return calls.length === 2 && calls;
    });
    expect(svc.cancel()).toBe(true);
    expect(svc.cancel()).toBe(false);
    const inv = await pending;
    const resolvedAt = Date.now();
    // Resolved long before the delayed calls would have answered: they were stopped.
    for (const c of slow) expect(resolvedAt).toBeLessThan(c.time + c.delayMs);
    await until(() => slow.every((c) => !alive(c.pid)), 5000);

    expect(inv.cancelled).toBe(true);
    const byId = new Map(inv.vms.map((v) => [v.id, v]));
    expect(byId.get(l.vms[1].uuid)).toMatchObject({ accessible: true, state: 'saved', memoryMB: 1024 });
    expect(byId.get(l.vms[3].uuid)).toMatchObject({ accessible: true, memoryMB: 512 });
    for (const i of [0, 2]) {
      expect(byId.get(l.vms[i].uuid)).toMatchObject({
        accessible: false,
        error: NOT_READ_CANCELLED,
        name: l.vms[i].name,
      });
      expect((await svc.get(l.vms[i].uuid)).config).toBeNull();
    }
    expect(svc.progress()).toMatchObject({ reading: false, phase: 'cancelled', done: 2, total: 4 });
    // Nothing of the cancelled read is cached; no call starts after the read resolved.
    expect(fs.existsSync(cacheFile)).toBe(false);
    await sleep(300);
    for (const c of readStandInCalls(logFile)) expect(c.time).toBeLessThanOrEqual(resolvedAt);
    // Without refresh the same (cancelled) inventory; list(true) reads everything again.
    expect(await svc.list()).toBe(inv);
    const scenario = JSON.parse(fs.readFileSync(l.scenarioFile, 'utf8')) as Scenario;
    for (const vm of scenario.vms) delete vm.delayMs;
    fs.writeFileSync(l.scenarioFile, JSON.stringify(scenario));
    const again = await svc.list(true);
    expect(again.cancelled).toBeUndefined();
    expect(again.vms.every((v) => v.accessible)).toBe(true);
    expect(again.vms.find((v) => v.id === l.vms[0].uuid)?.state).toBe('running');
    expect(fs.existsSync(cacheFile)).toBe(true);
    expect(svc.progress()).toMatchObject({ phase: 'done', done: 4, total: 4 });
  });

  it('a cancel before the listing answered gives no VirtualBox VMs, no demo VMs, cancelled: true', async () => {
    const l = lab(0, 3000);
    const svc = service(l);
    const pending = svc.list();
    const started = await until(() => {
      const calls = readStandInCalls(logFile).filter((c) => c.argv.join(' ') === 'list vms');
      return calls.length === 1 && calls[0];
    });
    expect(svc.progress()).toMatchObject({ reading: true, phase: 'listing' });
    expect(svc.cancel()).toBe(true);
    const inv = await pending;
    expect(Date.now()).toBeLessThan(started.time + started.delayMs);
    expect(inv).toMatchObject({ cancelled: true, demo: false, vms: [] });
    expect(inv.vbox).toMatchObject({ found: true, path: STAND_IN });
    expect(svc.progress()).toMatchObject({ reading: false, phase: 'cancelled' });
    expect(readStandInLog(logFile).filter((a) => a[0] === 'showvminfo')).toEqual([]);
  });

  it('concurrent list() calls share one read and one progress', async () => {
    const l = lab(0);
    const svc = service(l);
    const [a, b] = await Promise.all([svc.list(), svc.list()]);
    expect(a).toBe(b);
    expect(readStandInLog(logFile).filter((x) => x.join(' ') === 'list vms')).toHaveLength(1);
    expect(svc.progress()).toMatchObject({ phase: 'done', done: 4, total: 4 });
  });
});

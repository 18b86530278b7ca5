import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { dispatch } from '../../app/core/api/dispatch.ts';
import { createHandlers, type InventoryProvider } from '../../app/core/api/handlers.ts';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { rememberRunner } from '../../app/core/media.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { VBoxRunner } from '../../app/core/vbox/runner.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import type { Api, VmDetail } from '../../app/shared/contract.ts';
import { STAND_IN, readStandInCalls, standInEnv } from '../helpers/stand-in.ts';

const UBUNTU = '6294f16b-4f05-4430-afb9-773bdb237aec';
const BASE = 'ebb6dca0-879f-480b-a50e-9efe330bd021';
const DIFF = '1c182745-4b09-41a1-a147-d3ced46f72f6';
const WIN_IMPORTED =
  'vbox612-macos-host-windows2019-box-poweroff-ide-vrde-on-capture-keys-from-vagrant-log.txt';
const WIN_RUNNING =
  'vbox612-macos-host-running-4-forwarding-rules-VRDEClients-double-equals-GUI-Qt-session.txt';

let dir: string;
let store: Store;
let logFile: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-history-api-'));
  store = openStore(path.join(dir, 'data'));
  logFile = path.join(dir, 'standin.log');
});
afterEach(() => store.close());

const handlersFor = (inventory: InventoryProvider): Api =>
  createHandlers({
    store,
    inventory,
    mode: 'browser',
    dataDir: dir,
    systemLocale: 'en-US',
    version: '0.0.0',
  });

function labService(): InventoryService {
  return new InventoryService({
    store,
    env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) },
    platform: 'linux',
  });
}

/** A fake inventory whose one VM's configuration can be swapped between reads. */
function swappable(file: string, source: VmDetail['summary']['source'] = 'vboxmanage') {
  let current = file;
  const read = (): VmDetail => {
    const config = showVmInfoToConfig(
      fs.readFileSync(new URL(`../fixtures/showvminfo/${current}`, import.meta.url), 'utf8'),
      source,
    );
    return {
      summary: { id: config.id, hypervisor: 'virtualbox', source, name: 'vm', accessible: true, findings: 0 },
      config,
      host: { cores: 4, threads: 8, memoryMB: 16384, os: 'Linux', fromHostInfo: false },
    };
  };
  const inventory: InventoryProvider = {
    list: async () => ({
      vbox: { found: false, tried: [] },
      host: read().host,
      vms: [read().summary],
      demo: false,
    }),
    get: async () => read(),
    openFile: async () => read(),
    invalidate: () => {},
  };
  return { inventory, swap: (f: string) => (current = f) };
}

describe('vms:get records history; vms:history returns it', () => {
  it('lab VM through the real inventory service: first read stored once, repeated reads add nothing', async () => {
    const api = handlersFor(labService());
    await api['vms:get']({ id: UBUNTU });
    await api['vms:get']({ id: UBUNTU.toUpperCase() });
    const h = await api['vms:history']({ id: UBUNTU });
    expect(h).toHaveLength(1);
    expect(h[0].first).toBe(true);
    expect(h[0].changes).toContainEqual({ path: 'system.memoryMB', before: null, after: '1024' });
    expect(h[0].changes).toContainEqual({
      path: 'snapshots.current',
      before: null,
      after: 'base (085cbbec-70cd-4864-9208-5d938dcabb71)',
    });
    expect(Date.parse(h[0].at)).not.toBeNaN();
  });

  it('a changed configuration between reads becomes a second entry with the differences', async () => {
    const vm = swappable(WIN_IMPORTED);
    const api = handlersFor(vm.inventory);
    const id = 'c8775131-d296-4ad5-bf03-84ff719e6e4c';
    await api['vms:get']({ id });
    vm.swap(WIN_RUNNING);
    await api['vms:get']({ id });
    await api['vms:get']({ id });
    const h = await api['vms:history']({ id });
    expect(h.map((e) => e.first)).toEqual([false, true]);
    expect(h[0].changes).toContainEqual({
      path: 'general.clipboard',
      before: 'disabled',
      after: 'bidirectional',
    });
  });

  it('VMs read from files or demo VMs are not recorded', async () => {
    for (const source of ['file', 'demo'] as const) {
      const api = handlersFor(swappable(WIN_IMPORTED, source).inventory);
      await api['vms:get']({ id: 'c8775131-d296-4ad5-bf03-84ff719e6e4c' });
      expect(await api['vms:history']({ id: 'c8775131-d296-4ad5-bf03-84ff719e6e4c' })).toEqual([]);
    }
    expect(store.configHistory('c8775131-d296-4ad5-bf03-84ff719e6e4c')).toEqual([]);
  });

  it('vms:history validates the id through dispatch', async () => {
    const api = handlersFor(swappable(WIN_IMPORTED).inventory);
    const r = await dispatch(api, 'vms:history', { id: 'not a uuid' });
    expect(r).toMatchObject({ ok: false, status: 400, error: { code: 'validation' } });
  });
});

describe('media:info', () => {
  it("the ubuntu VM's disk through the inventory's runner: chain base → differencing", async () => {
    const svc = labService();
    // What InventoryService.read() does once it has listed the VMs (see the report of this change).
    rememberRunner(svc, new VBoxRunner(STAND_IN, { env: standInEnv('lab', logFile) }));
    const api = handlersFor(svc);
    const info = await api['media:info']({ vmId: UBUNTU, medium: DIFF.toUpperCase() });
    expect(info.chain.map((c) => c.uuid)).toEqual([BASE, DIFF]);
    expect(info).toMatchObject({ uuid: DIFF, format: 'VMDK', virtualSizeMB: 65536, parentUuid: BASE });
    const calls = readStandInCalls(logFile).map((c) => c.argv);
    expect(calls).toContainEqual(['showmediuminfo', 'disk', DIFF]);
    expect(calls).toContainEqual(['showmediuminfo', 'disk', BASE]);
  });

  it('unknown medium → 404 with VBoxManage’s message; unknown VM → 404; no runner → 404', async () => {
    const svc = labService();
    const api = handlersFor(svc);
    await svc.list();
    rememberRunner(svc, undefined); // as after a fallback: no usable VBoxManage
    const noRunner = await dispatch(api, 'media:info', { vmId: UBUNTU, medium: DIFF });
    expect(noRunner).toMatchObject({
      ok: false,
      status: 404,
      error: { error: expect.stringMatching(/not available/) },
    });
    rememberRunner(svc, new VBoxRunner(STAND_IN, { env: standInEnv('lab', logFile) }));
    const unknown = '00000000-0000-4000-8000-000000000003';
    const r = await dispatch(api, 'media:info', { vmId: UBUNTU, medium: unknown });
    expect(r).toMatchObject({
      ok: false,
      status: 404,
      error: {
        code: 'not_found',
        error: expect.stringContaining(`The given path '${unknown}' is not fully qualified`),
      },
    });
    const vm = await dispatch(api, 'media:info', { vmId: unknown, medium: DIFF });
    expect(vm).toMatchObject({ ok: false, status: 404 });
  });

  it('a VM not read through VBoxManage has no medium details', async () => {
    const fake = swappable(WIN_IMPORTED, 'file');
    rememberRunner(fake.inventory, new VBoxRunner(STAND_IN, { env: standInEnv('lab', logFile) }));
    const r = await dispatch(handlersFor(fake.inventory), 'media:info', {
      vmId: 'c8775131-d296-4ad5-bf03-84ff719e6e4c',
      medium: DIFF,
    });
    expect(r).toMatchObject({
      ok: false,
      status: 404,
      error: { error: expect.stringMatching(/not read through VBoxManage/) },
    });
    expect(readStandInCalls(logFile)).toEqual([]);
  });

  it('media:info rejects a medium that is not a UUID (400)', async () => {
    const r = await dispatch(handlersFor(swappable(WIN_IMPORTED).inventory), 'media:info', {
      vmId: UBUNTU,
      medium: '/etc/passwd',
    });
    expect(r).toMatchObject({ ok: false, status: 400 });
  });
});

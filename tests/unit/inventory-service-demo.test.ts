import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError } from '../../app/core/api/errors.ts';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { STAND_IN, loadScenario, standInEnv, tempLog } from '../helpers/stand-in.ts';

const LAB = loadScenario('lab');
const EFI_DEMO = 'demo-8c722e19-bd30-4eb3-b36a-95fc4e20c072';

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

describe('InventoryService: demo VMs next to real ones (tours on a demo VM)', () => {
  const labEnv = (): NodeJS.ProcessEnv => ({ PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) });

  it('lists the real VMs in vms and the five demo VMs in demoVms', async () => {
    const inv = await new InventoryService({ store, env: labEnv(), platform: 'linux' }).list();
    expect(inv.demo).toBe(false);
    expect(inv.vms.map((v) => v.id)).toEqual(LAB.vms.map((v) => v.uuid));
    expect(inv.vms.some((v) => v.source === 'demo')).toBe(false);
    expect(inv.demoVms?.map((v) => v.name)).toEqual([
      'SERVER1919C v114 (demo)',
      'xtec-1 (demo)',
      'Win2016SRV (demo)',
      'Sailfish OS Build Engine (demo)',
      'alpine_python2_base_default_1534882594143_11004 (demo)',
    ]);
    for (const vm of inv.demoVms ?? []) {
      expect(vm.source).toBe('demo');
      expect(vm.id).toMatch(/^demo-[0-9a-f-]{36}$/);
    }
  });

  it("get('demo-…') returns the demo VM with its configuration and findings, ids case-insensitive", async () => {
    const svc = new InventoryService({ store, env: labEnv(), platform: 'linux' });
    const detail = await svc.get(EFI_DEMO.toUpperCase().replace('DEMO-', 'demo-'));
    expect(detail.summary.id).toBe(EFI_DEMO);
    expect(detail.summary.source).toBe('demo');
    expect(detail.config?.system.cpus?.value).toBe(7);
    expect(detail.config?.system.memoryMB?.value).toBe(11827);
    expect(detail.config?.system.firmware?.value).toBe('EFI');
    // Judged against the lab host (4 cores / 8 threads): 7 vCPUs is more than the cores.
    expect(detail.host.cores).toBe(4);
    expect(detail.findings?.length).toBe(detail.summary.findings);
    expect(detail.summary.findings).toBeGreaterThan(0);
    const listed = (await svc.list()).demoVms?.find((v) => v.id === EFI_DEMO);
    expect(listed?.findings).toBe(detail.summary.findings);
    await expect(svc.get('demo-00000000-0000-4000-8000-000000000000')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('has no demoVms when the demo VMs are the list itself', async () => {
    const inv = await new InventoryService({ store, env: { PATH: '' }, platform: 'linux' }).list();
    expect(inv.demo).toBe(true);
    expect(inv.vms).toHaveLength(5);
    expect(inv.demoVms).toBeUndefined();
  });
});

/**
 * The inventory service behind `vms:list` and `vms:get`: finds VBoxManage, reads every VM and the
 * host facts, caches the result, and falls back to the bundled demo VMs when VirtualBox is absent
 * or unusable. Shared by Electron and browser mode.
 */

import type { Inventory, VmDetail } from '../shared/contract.ts';
import type { HostFacts, VBoxStatus, VmConfig } from '../shared/model.ts';
import { NotFoundError } from './api/errors.ts';
import type { InventoryProvider } from './api/handlers.ts';
import { loadDemoVms, type DemoInventory } from './demo.ts';
import { combineHostFacts, hostFactsFromOs } from './host.ts';
import type { Store } from './store/index.ts';
import { readHostInfo, readInventory } from './vbox/inventory.ts';
import { locateVBoxManage, type LocateResult } from './vbox/locate.ts';
import { VBoxRunner, getVersion, type VBoxRunnerOptions } from './vbox/runner.ts';

/** Options of {@link InventoryService}. */
export interface InventoryServiceOptions {
  /** Where the user's VBoxManage path preference is read (`getPrefs().vboxManagePath`). */
  store: Pick<Store, 'getPrefs'>;
  /**
   * Environment for locating VBoxManage (`VBOXMANAGE`, `VBOX_MSI_INSTALL_PATH`, `VBOX_INSTALL_PATH`,
   * `ProgramFiles`, `PATH`). `VBOXMANAGE` is a session path used after the saved preference.
   * Variables starting with `VBOX_STANDIN_` are passed to the child (the test stand-in reads them).
   */
  env: NodeJS.ProcessEnv;
  /** Platform whose search rules apply (`process.platform`). */
  platform: NodeJS.Platform;
  /** Runner settings (timeout, concurrency, extra child env). */
  runnerOptions?: VBoxRunnerOptions;
  /** Folder of the demo dumps (default: `resources/demo`, see `DEFAULT_DEMO_DIR`). */
  demoDir?: string;
}

interface Snapshot {
  inventory: Inventory;
  configs: Map<string, VmConfig>;
}

/** Plain-English explanation shown when VBoxManage is not found anywhere. */
export const NOT_FOUND_MESSAGE =
  'VBoxManage was not found. Install VirtualBox, or set the path to VBoxManage. Demo VMs are shown meanwhile.';

/**
 * Reads the VM inventory on demand and caches it.
 *
 * VBoxManage is located in this order: the path saved in preferences, then the `VBOXMANAGE`
 * environment variable (both count as `via: 'user'`), then the automatic search of
 * `locateVBoxManage` (installer variables, standard folders, PATH).
 */
export class InventoryService implements InventoryProvider {
  private readonly opts: InventoryServiceOptions;
  private snapshot: Snapshot | undefined;
  private pending: Promise<Snapshot> | undefined;
  private generation = 0;
  private demo: DemoInventory | undefined;

  constructor(opts: InventoryServiceOptions) {
    this.opts = opts;
  }

  /**
   * The inventory: VirtualBox status, host facts and every VM (inaccessible ones included, with
   * their reason). Cached after the first call; `refresh` reads again. Concurrent calls share one
   * read. When VBoxManage is missing or unusable, `vbox.found`/`vbox.error` say why and the demo VMs
   * are returned with `demo: true`. Rejects only on unexpected internal errors.
   */
  async list(refresh = false): Promise<Inventory> {
    return (await this.load(refresh)).inventory;
  }

  /**
   * One VM from the (cached) inventory with its configuration (`null` for an inaccessible VM) and
   * the host facts. Ids are compared case-insensitively.
   * @throws NotFoundError when no VM has this id.
   */
  async get(id: string): Promise<VmDetail> {
    const snap = await this.load(false);
    const key = id.toLowerCase();
    const summary = snap.inventory.vms.find((vm) => vm.id.toLowerCase() === key);
    if (!summary) {
      throw new NotFoundError(`No VM with id ${id}. It may have been removed; refresh the machines list.`);
    }
    return { summary, config: snap.configs.get(summary.id) ?? null, host: snap.inventory.host };
  }

  /** Drops the cache (and forgets a read in progress), so the next call locates and reads again. */
  invalidate(): void {
    this.generation++;
    this.snapshot = undefined;
    this.pending = undefined;
  }

  private load(refresh: boolean): Promise<Snapshot> {
    if (this.pending) return this.pending;
    if (this.snapshot && !refresh) return Promise.resolve(this.snapshot);
    const gen = this.generation;
    const p = this.read().then(
      (snap) => {
        if (gen === this.generation) {
          this.snapshot = snap;
          this.pending = undefined;
        }
        return snap;
      },
      (err: unknown) => {
        if (gen === this.generation) this.pending = undefined;
        throw err;
      },
    );
    this.pending = p;
    return p;
  }

  /** Locates VBoxManage: saved preference, then `VBOXMANAGE`, then the automatic search. */
  private async locate(): Promise<LocateResult> {
    const { env, platform } = this.opts;
    const userPaths = [
      this.opts.store.getPrefs().vboxManagePath.trim(),
      (env.VBOXMANAGE ?? '').trim(),
    ].filter((p, i, all) => p !== '' && all.indexOf(p) === i);
    if (userPaths.length === 0) return locateVBoxManage({ env, platform });
    const tried: string[] = [];
    let last: LocateResult = { tried: [] };
    for (const userPath of userPaths) {
      last = await locateVBoxManage({ userPath, env, platform });
      for (const t of last.tried) if (!tried.includes(t)) tried.push(t);
      if (last.via === 'user') break;
    }
    return { ...last, tried };
  }

  private hostFromOs(): HostFacts {
    return combineHostFacts(hostFactsFromOs());
  }

  private demoSnapshot(vbox: VBoxStatus): Snapshot {
    this.demo ??= loadDemoVms(this.opts.demoDir);
    for (const issue of this.demo.issues) console.warn(`[vm-companion] ${issue.message}`);
    return {
      inventory: { vbox, host: this.hostFromOs(), vms: this.demo.vms, demo: true },
      configs: this.demo.configs,
    };
  }

  private async read(): Promise<Snapshot> {
    const found = await this.locate();
    if (!found.path) {
      return this.demoSnapshot({ found: false, tried: found.tried, error: NOT_FOUND_MESSAGE });
    }
    const base = { path: found.path, via: found.via, tried: found.tried };
    const standIn: NodeJS.ProcessEnv = {};
    for (const [k, v] of Object.entries(this.opts.env)) if (k.startsWith('VBOX_STANDIN_')) standIn[k] = v;
    const runner = new VBoxRunner(found.path, {
      ...this.opts.runnerOptions,
      env: { ...standIn, ...this.opts.runnerOptions?.env },
    });

    let version: string;
    try {
      version = await getVersion(runner);
    } catch (err) {
      return this.demoSnapshot({
        ...base,
        found: false,
        error: `VBoxManage at ${found.path} could not be used: ${(err as Error).message}. Demo VMs are shown meanwhile.`,
      });
    }

    const hostInfo = readHostInfo(runner).catch(() => undefined);
    let inv: Awaited<ReturnType<typeof readInventory>>;
    try {
      inv = await readInventory(runner, {});
    } catch (err) {
      await hostInfo;
      return this.demoSnapshot({
        ...base,
        found: true,
        version,
        error: `VBoxManage ${version} could not list the VMs: ${(err as Error).message}. Demo VMs are shown meanwhile.`,
      });
    }
    const host = combineHostFacts(hostFactsFromOs(), (await hostInfo) ?? undefined);
    return {
      inventory: { vbox: { ...base, found: true, version }, host, vms: inv.vms, demo: false },
      configs: inv.configs,
    };
  }
}

/**
 * The API implementation: one async function per contract channel. Inputs arrive already
 * validated by {@link dispatch}; handlers only do the work.
 */

import path from 'node:path';
import type {
  Api,
  AppInfo,
  Comparison,
  Inventory,
  Preferences,
  ReadProgress,
  VmDetail,
} from '../../shared/contract.ts';
import type { Language } from '../../shared/catalog.ts';
import { compareVms } from '../compare.ts';
import { validateConnectionUri } from '../kvm/virsh.ts';
import { NoteConflictError, type Store } from '../store/index.ts';
import { historyFor, recordConfig } from '../history.ts';
import { readMediumChain, runnerFor, type MediumChainInfo, type MediumKind } from '../media.ts';
import { VBoxError } from '../vbox/runner.ts';
import { ConflictError, NotFoundError, ValidationError } from './errors.ts';
import { createStudyHandlers } from '../study/api.ts';

/** What the handlers need from the inventory service (implemented by `InventoryService`). */
export interface InventoryProvider {
  /** Inventory of VMs; `refresh` re-reads VBoxManage instead of returning the cached result. */
  list(refresh?: boolean): Promise<Inventory>;
  /**
   * One VM with its configuration, advice findings, `.vbox`-only extras and provenance.
   * @throws NotFoundError for an unknown id.
   */
  get(id: string): Promise<VmDetail>;
  /**
   * Opens a `.vbox` file, a saved `showvminfo --machinereadable` dump, a VMware `.vmx` or a libvirt
   * domain XML (absolute path) and adds the VM to the session's inventory.
   * @throws ValidationError (unusable file) or NotFoundError (no file).
   */
  openFile(path: string): Promise<VmDetail>;
  /**
   * Compares two VMs of the inventory (any hypervisors). Optional: without it, `vms:compare` uses
   * `get` and `compareVms`. @throws NotFoundError for an unknown id.
   */
  compare?(a: string, b: string, lang?: Language): Promise<Comparison>;
  /** Forget the cached inventory and the located VBoxManage (called when the user changes its path). */
  invalidate(): void;
  /** Where the read in progress stands. Optional: without it, `vms:progress` answers `idle`. */
  progress?(): ReadProgress;
  /** Cancels the read in progress; true when one was running. Optional: without it, nothing to cancel. */
  cancel?(): boolean;
}

/** Dependencies of {@link createHandlers}. */
export interface HandlerDeps {
  store: Store;
  inventory: InventoryProvider;
  mode: AppInfo['mode'];
  /** Absolute path of the data directory (shown in About / Settings). */
  dataDir: string;
  /** Host locale such as `zh-CN` or `en-US` (Electron: `app.getLocale()`; browser mode: `Intl`). */
  systemLocale: string;
  /** App version from package.json. */
  version: string;
  /** Platform used to judge whether a VBoxManage path is absolute. Default: `process.platform`. */
  platform?: NodeJS.Platform;
  /** Folder with the study content (`lessons/`, `quizzes/`, `tours/`, `diagrams/`). Default: `<app root>/resources`. */
  resourcesDir?: string;
}

/**
 * Builds the handlers for every channel of the contract.
 *
 * `prefs:set`:
 * - `vboxManagePath` and `vmrunPath` are trimmed; each must be `''` (search for it) or an absolute
 *   path without control characters, else {@link ValidationError}; a `vmrunPath` must also name a
 *   file called `vmrun` (`vmrun.exe`; any case on Windows), since vmrun has no harmless verb to
 *   check it with before `vmrun list` runs;
 * - `libvirtUri` is trimmed; `''` (read no KVM host) or a URI `validateConnectionUri` accepts
 *   (`qemu:///system`, `qemu:///session`, `qemu+ssh://[user@]host[:port]/system`, `test:///…`),
 *   else {@link ValidationError} with the reason;
 * - `vmwareFolders`: each trimmed, absolute, without control characters; empty entries and repeats
 *   are dropped.
 * Changing any of these invalidates the inventory cache so the next `vms:list` reads again.
 *
 * `vms:compare`: both VMs by id (see `compareVms`), values in `lang` (default `en`).
 */
export function createHandlers(deps: HandlerDeps): Api {
  const { store, inventory } = deps;
  const platformPath = (deps.platform ?? process.platform) === 'win32' ? path.win32 : path.posix;
  return {
    ...createStudyHandlers({ store, inventory, resourcesDir: deps.resourcesDir }),
    'app:info': async () => ({
      version: deps.version,
      mode: deps.mode,
      systemLocale: deps.systemLocale,
      dataDir: deps.dataDir,
    }),
    'vms:list': async ({ refresh }) => inventory.list(refresh ?? false),
    'vms:get': async ({ id }) => {
      const detail = await inventory.get(id);
      recordHistory(store, detail);
      return detail;
    },
    'vms:progress': async () =>
      inventory.progress?.() ?? { reading: false, phase: 'idle', done: 0, total: 0 },
    'vms:cancel': async () => ({ cancelled: inventory.cancel?.() ?? false }),
    'vms:openFile': async ({ path: filePath }) => inventory.openFile(filePath),
    'vms:compare': async ({ a, b, lang }) => {
      if (inventory.compare) return inventory.compare(a, b, lang ?? 'en');
      const [da, db] = await Promise.all([inventory.get(a), inventory.get(b)]);
      return compareVms(da, db, lang ?? 'en');
    },
    'notes:list': async ({ vmId }) => store.listNotes(vmId),
    'notes:save': async ({ vmId, settingId, body, baseUpdatedAt }) => {
      try {
        return store.saveNote(vmId, settingId, body, baseUpdatedAt);
      } catch (err) {
        if (err instanceof NoteConflictError) throw new ConflictError(err.message, err.current);
        throw err;
      }
    },
    'vms:history': async ({ id }) => historyFor(store, id),
    'media:info': async ({ vmId, medium }) => mediumInfo(inventory, vmId, medium),
    'prefs:get': async () => store.getPrefs(),
    'prefs:set': async (input) => {
      const partial: Partial<Preferences> = { ...input };
      if (partial.vboxManagePath !== undefined) {
        const p = partial.vboxManagePath.trim();
        checkControls(p);
        if (p !== '' && !platformPath.isAbsolute(p)) {
          throw new ValidationError(
            `Enter the full path to VBoxManage, e.g. /usr/bin/VBoxManage or C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe (you entered "${p}"). Leave it empty to let the app search for it.`,
          );
        }
        partial.vboxManagePath = p;
      }
      if (partial.vmrunPath !== undefined) {
        const p = partial.vmrunPath.trim();
        checkControls(p);
        if (p !== '' && !platformPath.isAbsolute(p)) {
          throw new ValidationError(
            `Enter the full path to vmrun, e.g. /usr/bin/vmrun or C:\\Program Files (x86)\\VMware\\VMware Workstation\\vmrun.exe (you entered "${p}"). Leave it empty to let the app search for it.`,
          );
        }
        // vmrun has no harmless version verb, so a wrong program would be run with `list`: only a
        // file named vmrun (vmrun.exe on Windows) is accepted.
        if (p !== '') {
          const base = platformPath.basename(p);
          const ok =
            platformPath === path.win32 ? /^vmrun(\.exe)?$/i.test(base) : /^vmrun(\.exe)?$/.test(base);
          if (!ok) {
            throw new ValidationError(
              `${p} is not vmrun: the path must end in vmrun (vmrun.exe on Windows), the program VMware installs, e.g. /usr/bin/vmrun. Leave it empty to let the app search for it.`,
            );
          }
        }
        partial.vmrunPath = p;
      }
      if (partial.libvirtUri !== undefined) {
        const u = partial.libvirtUri.trim();
        if (u !== '') {
          try {
            validateConnectionUri(u);
          } catch (err) {
            throw new ValidationError(
              `${(err as Error).message}. Examples: qemu:///system, qemu:///session, qemu+ssh://user@host/system. Leave it empty to read no KVM host.`,
            );
          }
        }
        partial.libvirtUri = u;
      }
      if (partial.vmwareFolders !== undefined) {
        const folders: string[] = [];
        for (const raw of partial.vmwareFolders) {
          const f = raw.trim();
          if (f === '') continue;
          checkControls(f);
          if (!platformPath.isAbsolute(f))
            throw new ValidationError(
              `Enter VMware VM folders as full paths, e.g. /home/me/vmware or C:\\Users\\me\\Documents\\Virtual Machines (you entered "${f}").`,
            );
          if (!folders.includes(f)) folders.push(f);
        }
        partial.vmwareFolders = folders;
      }
      const before = store.getPrefs();
      const after = store.setPrefs(partial);
      if (
        after.vboxManagePath !== before.vboxManagePath ||
        after.vmrunPath !== before.vmrunPath ||
        after.libvirtUri !== before.libvirtUri ||
        after.vmwareFolders.join('\n') !== before.vmwareFolders.join('\n')
      )
        inventory.invalidate();
      return after;
    },
  };
}

/** @throws ValidationError when a path or URI holds control characters (pasted from a terminal). */
function checkControls(text: string): void {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(text))
    throw new ValidationError('The path contains invisible control characters. Type it again.');
}

/**
 * Stores the configuration of a VM that VBoxManage lists in the change history (only when a setting
 * changed), whether its values came from its settings file (`config.source: 'file'`, VM not
 * running) or from `showvminfo` (`'vboxmanage'`): values only one of the two gives are not changes
 * (see `recordConfig`). Files the user opened, the VMs of `VirtualBox.xml` shown without VBoxManage
 * and demo VMs are not recorded. A store failure is logged, never fatal to `vms:get`.
 */
function recordHistory(store: Store, detail: VmDetail): void {
  const config = detail.config;
  if (!config || detail.summary.source !== 'vboxmanage') return;
  if (config.source !== 'vboxmanage' && config.source !== 'file') return;
  try {
    recordConfig(store, detail.summary.id, config, new Date());
  } catch (err) {
    console.warn(`[vm-companion] could not store the configuration history: ${(err as Error).message}`);
  }
}

/**
 * `media:info`: `showmediuminfo` of `medium` with its differencing chain, read with the runner of
 * the inventory's VBoxManage. The medium type (`dvd`/`floppy`/`disk`) is taken from the VM's
 * attachment with that image UUID, default `disk`.
 * @throws NotFoundError for an unknown VM, a VM not read through VBoxManage, or a medium
 *   VBoxManage cannot read (with its message).
 */
async function mediumInfo(
  inventory: InventoryProvider,
  vmId: string,
  medium: string,
): Promise<MediumChainInfo> {
  const detail = await inventory.get(vmId);
  if (detail.summary.source !== 'vboxmanage') {
    throw new NotFoundError(
      `Medium details come from VBoxManage, and ${detail.summary.name} was not read through VBoxManage.`,
    );
  }
  const runner = runnerFor(inventory);
  if (!runner)
    throw new NotFoundError('VBoxManage is not available for medium details; refresh the machines list.');
  const id = medium.toLowerCase();
  const attachment = detail.config?.storage
    .flatMap((c) => c.attachments)
    .find((a) => a.imageUuid?.value.toLowerCase() === id);
  const kind: MediumKind =
    attachment?.kind === 'dvd' || attachment?.kind === 'floppy' ? attachment.kind : 'disk';
  try {
    return await readMediumChain(runner, id, { kind });
  } catch (err) {
    if (err instanceof VBoxError && err.kind !== 'refused' && err.kind !== 'aborted') {
      throw new NotFoundError(`VBoxManage could not read medium ${id}: ${err.vboxMessage ?? err.message}`);
    }
    throw err;
  }
}

/**
 * Demo VMs, shown when no usable VBoxManage is found: real recorded
 * `VBoxManage showvminfo --machinereadable` outputs shipped in `resources/demo/*.txt`, read with the
 * same parser as live output. They are marked `source: 'demo'` (the UI labels them "Demo"), get ids
 * `demo-<uuid>` (so notes on them never mix with a real VM of the same UUID) and names suffixed
 * with {@link DEMO_NAME_SUFFIX}.
 */

import fs from 'node:fs';
import path from 'node:path';
import type { ReadIssue, VmConfig, VmSummary } from '../shared/model.ts';
import { showVmInfoToConfig, summaryFromConfig } from './vbox/to-config.ts';

/** Appended to a demo VM's display name in the machines list. */
export const DEMO_NAME_SUFFIX = ' (demo)';

/**
 * Default folder of the demo dumps: `<project or app root>/resources/demo`. Resolved from this
 * module's folder two levels up, which is right both for `app/core/demo.ts` (source, Node) and for
 * the bundled `out/main/index.js` (Electron build), as long as `resources/` ships next to `out/`.
 */
export const DEFAULT_DEMO_DIR = path.resolve(import.meta.dirname, '../../resources/demo');

/** The demo VMs, in file-name order. */
export interface DemoInventory {
  vms: VmSummary[];
  /** Full configuration per demo id (`demo-<uuid>`). */
  configs: Map<string, VmConfig>;
  /** Files that could not be used (missing folder, unreadable file, no UUID, duplicate UUID). */
  issues: ReadIssue[];
}

/** `demo-<uuid>` for a VM UUID (lower-cased, braces dropped). */
export function demoId(uuid: string): string {
  return `demo-${uuid.replace(/[{}]/g, '').toLowerCase()}`;
}

/**
 * Reads every `*.txt` in `dir` as a showvminfo dump and builds demo VMs.
 * Never throws: problems are returned in `issues` (messages name the file), other files still load.
 *
 * @param dir folder of the dumps; default {@link DEFAULT_DEMO_DIR}.
 */
export function loadDemoVms(dir: string = DEFAULT_DEMO_DIR): DemoInventory {
  const result: DemoInventory = { vms: [], configs: new Map(), issues: [] };
  let files: string[];
  try {
    files = fs
      .readdirSync(dir)
      .filter((f) => f.toLowerCase().endsWith('.txt'))
      .sort();
  } catch (err) {
    result.issues.push({ message: `Demo VMs are missing: cannot read ${dir} (${(err as Error).message}).` });
    return result;
  }
  for (const file of files) {
    let config: VmConfig;
    try {
      config = showVmInfoToConfig(fs.readFileSync(path.join(dir, file), 'utf8'), 'demo');
    } catch (err) {
      result.issues.push({ message: `Demo file ${file} could not be read: ${(err as Error).message}` });
      continue;
    }
    if (
      !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(config.id.replace(/[{}]/g, ''))
    ) {
      result.issues.push({ message: `Demo file ${file} has no VM UUID; skipped.` });
      continue;
    }
    const id = demoId(config.id);
    if (result.configs.has(id)) {
      result.issues.push({ message: `Demo file ${file} repeats the UUID of another demo VM; skipped.` });
      continue;
    }
    const demoConfig: VmConfig = { ...config, id, source: 'demo' };
    const summary = summaryFromConfig(demoConfig);
    result.vms.push({ ...summary, id, source: 'demo', name: `${summary.name}${DEMO_NAME_SUFFIX}` });
    result.configs.set(id, demoConfig);
  }
  return result;
}

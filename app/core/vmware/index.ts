import type { VmConfig, VmSummary } from '../../shared/model.ts';
import { parseVmx, type ParsedVmx } from './parse-vmx.ts';
import { vmwareSummary, vmxToConfig, type VmxToConfigOptions } from './to-config.ts';

/**
 * VMware Workstation / Fusion / ESXi support: `.vmx` reader and mapping (parse-vmx.ts, to-config.ts),
 * discovery of the user's VMs and `vmrun list` (discover.ts, vmrun.ts), advice (advice.ts).
 * Node-only, electron-free. Everything the inventory service, CLI and API need is re-exported here.
 */

export * from './parse-vmx.ts';
export * from './to-config.ts';
export * from './vmrun.ts';
export * from './discover.ts';
export * from './advice.ts';

/** What {@link readVmx} returns. */
export interface VmxRead {
  parsed: ParsedVmx;
  config: VmConfig;
  summary: VmSummary;
}

/**
 * Reads one `.vmx` from its bytes (or decoded text): parse, map, summarize. `opts.path` (absolute
 * when known) names the file in messages, `general.cfgFile` and the fallback id. Never throws;
 * problems are in `config.issues` (with line numbers) and `parsed.duplicates`.
 */
export function readVmx(input: Uint8Array | string, opts: VmxToConfigOptions = {}): VmxRead {
  const parsed = parseVmx(input, opts.path !== undefined ? { path: opts.path } : {});
  const config = vmxToConfig(parsed, opts);
  return { parsed, config, summary: vmwareSummary(config) };
}

/**
 * Whether some text looks like a `.vmx` file rather than another dictionary file or a VirtualBox dump:
 * at least one of the keys every VMware VM has (`config.version`, `virtualHW.version`, `guestOS`,
 * `displayName`, `memsize`, `numvcpus`) on a `key = "value"` line. A `.vmx` path alone is reason enough
 * for callers to try {@link readVmx}.
 */
export function looksLikeVmx(text: string): boolean {
  return /^\s*(config\.version|virtualhw\.version|guestos|displayname|memsize|numvcpus)\s*=\s*"?[^"\r\n]*"?\s*$/im.test(
    text,
  );
}

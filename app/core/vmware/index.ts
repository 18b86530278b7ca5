import type { VmConfig, VmSummary } from '../../shared/model.ts';
import { ValidationError } from '../api/errors.ts';
import { parseVmx, type ParsedVmx } from './parse-vmx.ts';
import { vmxContentProblem } from './content-check.ts';
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
export * from './content-check.ts';

/**
 * A file given as a `.vmx` that is not one (binary data, or no `key = value` line): refused by
 * {@link readVmx}. A `ValidationError`, so the API answers it as a 400 with this message.
 */
export class NotVmxError extends ValidationError {
  /** The reason alone, e.g. `does not look like a VMware .vmx file (binary data)`. */
  reason: string;
  constructor(reason: string, file?: string) {
    super(file ? `Cannot use ${file}: it ${reason}.` : `It ${reason}.`);
    this.name = 'NotVmxError';
    this.reason = reason;
  }
}

/** What {@link readVmx} returns. */
export interface VmxRead {
  parsed: ParsedVmx;
  config: VmConfig;
  summary: VmSummary;
}

/**
 * Reads one `.vmx` from its bytes (or decoded text): parse, map, summarize. `opts.path` (absolute
 * when known) names the file in messages, `general.cfgFile` and the fallback id. Problems inside a
 * `.vmx` are in `config.issues` (with line numbers) and `parsed.duplicates`.
 * @throws NotVmxError when the input is not a `.vmx` at all (see {@link vmxContentProblem}): binary
 *   data (NUL bytes or mostly non-text), or not one `key = value` line. Empty input is not refused.
 */
export function readVmx(input: Uint8Array | string, opts: VmxToConfigOptions = {}): VmxRead {
  const problem = vmxContentProblem(input);
  if (problem) throw new NotVmxError(problem, opts.path);
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

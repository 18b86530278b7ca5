/**
 * VBoxManage command text for suggested fixes: option spelling by VirtualBox version and argument
 * quoting. Facts: reference `virtualbox-settings.md` §2.14 ("`modifyvm` option spellings by version").
 */

/** The VirtualBox version the command is for (`VBoxManage --version`); only major and minor matter. */
export interface VersionLike {
  major: number;
  minor: number;
}

/** Host OS family as Node's `process.platform` names it. */
export type HostOs = 'linux' | 'darwin' | 'win32';

/** True when `version` is known and at least `major.minor`. */
export function versionAtLeast(version: VersionLike | undefined, major: number, minor = 0): boolean {
  if (!version) return false;
  return version.major > major || (version.major === major && version.minor >= minor);
}

/** True when `version` is known and older than 7.0 (6.1 and earlier use the run-together spellings). */
export function isLegacyVersion(version: VersionLike | undefined): boolean {
  return version !== undefined && version.major < 7;
}

/**
 * Picks the `modifyvm` option spelling for a VirtualBox version:
 * - 6.1 and older → `legacy61` (the run-together spelling, e.g. `--cpuexecutioncap`), or `flag7x`
 *   when the option had no other spelling (pass `undefined`);
 * - 7.0 → `flag7x` (dashed, e.g. `--cpu-execution-cap`);
 * - 7.1 and later → `x86Variant` (e.g. `--x86-nested-paging`) when the option has one, else `flag7x`;
 * - unknown version → `flag7x` (7.x spelling).
 * Indexed options are passed with their index already glued on (`--nic-type2`, `--nictype2`).
 */
export function modifyFlag(
  flag7x: string,
  legacy61: string | undefined,
  x86Variant: string | undefined,
  version: VersionLike | undefined,
): string {
  if (isLegacyVersion(version)) return legacy61 ?? flag7x;
  if (x86Variant && versionAtLeast(version, 7, 1)) return x86Variant;
  return flag7x;
}

/**
 * Quotes one command-line argument when needed: plain words (letters, digits, `._,:/=@%+-`, and
 * `<placeholders>`) stay bare; anything else is wrapped in double quotes, which both POSIX shells
 * and Windows `cmd`/PowerShell accept. On Linux/macOS hosts a value containing `"`, `$`, `` ` `` or
 * `\` is single-quoted instead (with `'` written as `'\''`). On Windows a `"` inside is doubled.
 */
export function quoteArg(arg: string, hostOs: HostOs): string {
  if (/^[A-Za-z0-9._,:/=@%+-]+$/.test(arg) || /^<[^<>]+>$/.test(arg)) return arg;
  if (hostOs !== 'win32' && /["$`\\]/.test(arg)) return `'${arg.replace(/'/g, `'\\''`)}'`;
  return `"${arg.replace(/"/g, '""')}"`;
}

/**
 * Builds `VBoxManage <verb> <uuid> <args…>`; each argument is quoted with {@link quoteArg}.
 * @param uuid the VM's UUID (never its name; names are ambiguous and may change).
 */
export function vboxCommand(verb: string, uuid: string, args: string[], hostOs: HostOs): string {
  return ['VBoxManage', verb, uuid, ...args.map((a) => quoteArg(a, hostOs))].join(' ');
}

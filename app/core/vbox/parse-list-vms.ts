import type { ReadIssue } from '../../shared/model.ts';
import { findWarningBlocks, isLogoLine, splitLines } from './parse-common.ts';

/** One row of `VBoxManage list vms` / `list runningvms`. */
export interface ListedVm {
  /** Name exactly as printed (raw: VirtualBox does not escape quotes or braces); `<inaccessible>` for unreadable VMs. */
  name: string;
  /** Machine UUID, lower case, without braces. */
  uuid: string;
  /** False when VirtualBox printed the `"<inaccessible>"` placeholder instead of a name. */
  accessible: boolean;
}

/** Result of {@link parseListVms}. */
export interface ListVmsResult {
  vms: ListedVm[];
  /** Lines that are not `"<name>" {<uuid>}` rows (1-based line numbers). */
  issues: ReadIssue[];
}

const ROW = /^"(.*)"\s+\{([0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})\}\s*$/;

/**
 * Parses `VBoxManage list vms` or `list runningvms` output (format `"%ls" {%s}` per line,
 * VirtualBox 3.x–7.x).
 *
 * The name is printed raw, so rows are parsed from the right: the UUID is inside the last `{…}`
 * at the end of the line and the name is everything between the first `"` and the `" {` before
 * it (names may contain quotes, braces and spaces). Blank lines, the Linux wrapper script's
 * `WARNING:` blocks (first line plus indented continuation lines) and logo lines are skipped
 * silently; any other line that is not a row becomes an issue with its line number. Never throws.
 *
 * @param text stdout of the command (LF or CRLF, final newline optional).
 */
export function parseListVms(text: string): ListVmsResult {
  const lines = splitLines(text);
  const { skip } = findWarningBlocks(lines);
  const vms: ListedVm[] = [];
  const issues: ReadIssue[] = [];
  lines.forEach((raw, i) => {
    if (skip.has(i)) return;
    const line = raw.trim();
    if (line === '' || isLogoLine(line)) return;
    const m = ROW.exec(line);
    if (!m) {
      issues.push({
        line: i + 1,
        message: `not a "<name>" {<uuid>} row: ${line.slice(0, 200)}`,
      });
      return;
    }
    const name = m[1];
    vms.push({ name, uuid: m[2].toLowerCase(), accessible: name !== '<inaccessible>' });
  });
  return { vms, issues };
}

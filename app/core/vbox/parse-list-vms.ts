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
  /**
   * Text of each Linux wrapper `WARNING:` block found (e.g. "the vboxdrv kernel module is not
   * loaded"), on one line: `WARNING:` dropped, whitespace collapsed, repeats removed.
   */
  warnings: string[];
}

const UUID = '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}';
const ROW = new RegExp(`^"([\\s\\S]*)"\\s+\\{(${UUID})\\}\\s*$`);
/** End of the last line of a row: `" {<uuid>}`. */
const ROW_END = new RegExp(`"\\s+\\{${UUID}\\}\\s*$`);

/**
 * A VM name may contain newlines (VirtualBox prints it raw), which splits its row over several
 * lines: `"first part` … `last part" {<uuid>}`. Starting at 0-based line `start` (which begins
 * with `"` but is no row by itself), looks for the line that ends the row: the following lines
 * must not start with `"` (that would be the next row) nor belong to a wrapper warning. Returns
 * the row's text (lines joined with `\n`, so the name keeps its newlines) and its last line index.
 */
function joinSplitRow(
  lines: string[],
  start: number,
  skip: Set<number>,
): { text: string; last: number } | undefined {
  for (let j = start + 1; j < lines.length; j++) {
    if (skip.has(j) || lines[j].trimStart().startsWith('"')) return undefined;
    if (ROW_END.test(lines[j])) {
      return {
        text: [lines[start].trimStart(), ...lines.slice(start + 1, j), lines[j].trimEnd()].join('\n'),
        last: j,
      };
    }
  }
  return undefined;
}

/**
 * Parses `VBoxManage list vms` or `list runningvms` output (format `"%ls" {%s}` per line,
 * VirtualBox 3.x–7.x).
 *
 * The name is printed raw, so rows are parsed from the right: the UUID is inside the last `{…}`
 * at the end of the line and the name is everything between the first `"` and the `" {` before
 * it (names may contain quotes, braces and spaces). A name with newlines spreads its row over
 * several lines: a line starting with `"` that is no row, followed by lines not starting with `"`
 * up to one ending in `" {<uuid>}`, is read as one row whose name keeps the newlines (`\n`).
 * Blank lines and logo lines are skipped silently; the Linux wrapper script's `WARNING:` blocks
 * (first line plus indented continuation lines) are skipped and their text returned in
 * `warnings`; any other line that is not a row becomes an issue with its line number (in `line`;
 * the message does not repeat it). Never throws.
 *
 * @param text stdout of the command (LF or CRLF, final newline optional).
 */
export function parseListVms(text: string): ListVmsResult {
  const lines = splitLines(text);
  const { skip, blocks } = findWarningBlocks(lines);
  const vms: ListedVm[] = [];
  const issues: ReadIssue[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (skip.has(i)) continue;
    const line = lines[i].trim();
    if (line === '' || isLogoLine(line)) continue;
    let m = ROW.exec(line);
    if (!m && line.startsWith('"')) {
      const joined = joinSplitRow(lines, i, skip);
      if (joined) {
        m = ROW.exec(joined.text);
        if (m) i = joined.last;
      }
    }
    if (!m) {
      issues.push({
        line: i + 1,
        message: `not a "<name>" {<uuid>} row: ${line.slice(0, 200)}`,
      });
      continue;
    }
    const name = m[1];
    vms.push({ name, uuid: m[2].toLowerCase(), accessible: name !== '<inaccessible>' });
  }
  const warnings = [
    ...new Set(
      blocks.map((b) =>
        b.text
          .replace(/^\s*WARNING:\s*/, '')
          .replace(/\s+/g, ' ')
          .trim(),
      ),
    ),
  ].filter((w) => w !== '');
  return { vms, issues, warnings };
}

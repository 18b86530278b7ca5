/**
 * Helpers shared by the VirtualBox output parsers: line splitting and recognition of the text
 * that is not VBoxManage output proper (the Linux wrapper script's `WARNING:` blocks and the old
 * copyright logo).
 */

/**
 * Splits tool output into lines. Accepts LF, CRLF and lone CR; a missing final newline is fine.
 * A trailing empty string produced by a final newline is dropped. Line `i` of the result is line
 * `i + 1` of the output.
 */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r\n|\n|\r/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * True for the first line of a wrapper-script warning (`WARNING: The vboxdrv kernel module is not
 * loaded…`), which `/usr/bin/VBoxManage` on Linux prints to stdout before the real output.
 */
export function isWarningStart(line: string): boolean {
  return /^\s*WARNING:/.test(line);
}

/** True for continuation lines of a wrapper warning: they start with whitespace. */
export function isWarningContinuation(line: string): boolean {
  return /^\s+\S/.test(line);
}

/**
 * True for lines of the logo VBoxManage printed before its output in old versions (3.x) or on
 * syntax errors: `VirtualBox Command Line Management Interface Version 3.1.2`,
 * `(C) 2005-2009 Sun Microsystems, Inc.`, `All rights reserved.`.
 */
export function isLogoLine(line: string): boolean {
  const t = line.trim();
  return (
    /Command Line Management Interface Version/i.test(t) ||
    /^(\(C\)|Copyright)\s/i.test(t) ||
    /^All rights reserved\.?$/i.test(t)
  );
}

/**
 * Given that 0-based line `start` begins a wrapper warning, returns the index just after the
 * block: indented continuation lines without `=`, including blank lines that are followed by
 * more indented text (VBox.sh prints `           sudo /sbin/vboxconfig` between blank lines).
 */
export function warningBlockEnd(lines: string[], start: number): number {
  let end = start + 1;
  let j = end;
  while (j < lines.length) {
    if (lines[j].trim() === '') {
      j++;
      continue;
    }
    if (!isWarningContinuation(lines[j]) || lines[j].includes('=')) break;
    end = j + 1;
    j++;
  }
  return end;
}

/** A wrapper warning found in the output: its 1-based first line and its text joined with spaces. */
export interface WarningBlock {
  line: number;
  text: string;
}

/**
 * Finds wrapper `WARNING:` blocks (first line plus indented continuation lines, see
 * {@link warningBlockEnd}) and returns the set of 0-based line indexes they occupy, plus the blocks.
 */
export function findWarningBlocks(lines: string[]): { skip: Set<number>; blocks: WarningBlock[] } {
  const skip = new Set<number>();
  const blocks: WarningBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!isWarningStart(lines[i])) continue;
    const end = warningBlockEnd(lines, i);
    const parts: string[] = [];
    for (let j = i; j < end; j++) {
      skip.add(j);
      if (lines[j].trim() !== '') parts.push(lines[j].trim());
    }
    blocks.push({ line: i + 1, text: parts.join(' ') });
    i = end - 1;
  }
  return { skip, blocks };
}

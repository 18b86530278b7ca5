import type { ReadIssue } from '../../shared/model.ts';

/**
 * Helpers shared by the VirtualBox output parsers: line splitting and recognition of the text
 * that is not VBoxManage output proper (the Linux wrapper script's `WARNING:` blocks and the old
 * copyright logo), and the guard every reader (VirtualBox, VMware, libvirt) uses for numbers too
 * large to be exact ({@link readSafeInteger}, {@link tooLargeIssue}).
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

/** How many characters of a raw value an issue message quotes before shortening it with `…`. */
export const SHOWN_RAW_CHARS = 20;

/**
 * `text` as quoted in an issue message: unchanged when it has at most {@link SHOWN_RAW_CHARS}
 * characters, else its first 20 characters followed by `…` (a 400-digit number stays readable).
 */
export function shortRaw(text: string): string {
  return text.length > SHOWN_RAW_CHARS ? `${text.slice(0, SHOWN_RAW_CHARS)}…` : text;
}

/**
 * The number written by `text`, when it is a safe integer (|n| ≤ 2^53 − 1, so every digit is exact);
 * undefined otherwise — for too many digits (`Number` would give an inexact value or `Infinity`)
 * and for text that is not an integer at all. The caller checks the shape first (`/^-?\d+$/`,
 * `0x…`, …); this only guards the range. Leading zeros are fine (`0042` → 42).
 */
export function safeInteger(text: string): number | undefined {
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

/**
 * The number written by `text` (a decimal such as `12.3`), when it is finite and no larger than
 * 2^53 − 1 in magnitude (beyond that not even the integer part is exact); undefined otherwise.
 */
export function safeNumber(text: string): number | undefined {
  const n = Number(text);
  return Number.isFinite(n) && Math.abs(n) <= Number.MAX_SAFE_INTEGER ? n : undefined;
}

/**
 * The issue for a number that is too large to be read exactly: VBoxManage, VMware and libvirt never
 * write such values, but a damaged or hand-edited file can hold them. The message names the line
 * (when known), what the value is, and the raw text shortened by {@link shortRaw}:
 * `line 3: memsize "99999999999999999999…" is too large to be a number; the value is left out`.
 *
 * @param what the key, label or element the value belongs to, as the format spells it (`memsize`,
 *   `"Memory size"`, `<vcpu>`); may already hold quotes.
 * @param raw the value as written.
 * @param line 1-based line number of the value, when known.
 * @param outcome what the reader does instead (default `the value is left out`).
 */
export function tooLargeIssue(
  what: string,
  raw: string,
  line?: number,
  outcome = 'the value is left out',
): ReadIssue {
  const message = `${line === undefined ? '' : `line ${line}: `}${what} "${shortRaw(raw.trim())}" is too large to be a number; ${outcome}`;
  return line === undefined ? { message } : { line, message };
}

/**
 * Reads a whole number whose shape the caller has checked (digits, optionally a leading `-`):
 * the number when it is a safe integer ({@link safeInteger}); otherwise pushes
 * {@link tooLargeIssue}`(what, text, line, outcome)` to `issues` and returns undefined.
 */
export function readSafeInteger(
  text: string,
  issues: ReadIssue[],
  what: string,
  line?: number,
  outcome?: string,
): number | undefined {
  const n = safeInteger(text);
  if (n === undefined) issues.push(tooLargeIssue(what, text, line, outcome));
  return n;
}

/**
 * Compares two runs of decimal digits by the numbers they write, without converting them (so an
 * index of hundreds of digits, which only damaged output holds, still sorts exactly).
 */
export function compareIndexDigits(a: string, b: string): number {
  const x = a.replace(/^0+(?=\d)/, '');
  const y = b.replace(/^0+(?=\d)/, '');
  if (x.length !== y.length) return x.length - y.length;
  return x < y ? -1 : x > y ? 1 : 0;
}

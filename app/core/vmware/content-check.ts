/**
 * A cheap check that some bytes are a VMware `.vmx` (or `inventory.vmls` / `preferences`) text file
 * before they are parsed: such files are short text of `key = "value"` lines (reference
 * `vmware-vmx.md` §2). Used by discovery and by "open file" / `inspect --file`.
 */

/** How many leading bytes are sampled for the text/binary test (1 MiB). */
const SAMPLE_BYTES = 1024 * 1024;

/** Share of non-text characters in the sample above which the input counts as binary (10 %). */
const MAX_NON_TEXT_SHARE = 0.1;

/** A `key = value` line as VMware writes them (key without blanks, `=` or quotes). */
const KEY_VALUE_LINE = /^[ \t]*[^\s="#]+[ \t]*=/m;

/**
 * Why `input` is not a `.vmx`-style file, or `undefined` when it looks like one (or is empty/blank,
 * which callers report themselves):
 * - `does not look like a VMware .vmx file (binary data)` — a NUL byte anywhere, or more than 10 % of
 *   the first 1 MiB are control characters (other than tab, CR, LF, FF) or invalid UTF-8;
 * - `does not look like a VMware .vmx file (no key = value lines)` — text without one `key = value` line.
 */
export function vmxContentProblem(input: Uint8Array | string): string | undefined {
  let text: string;
  if (typeof input === 'string') {
    if (input.includes('\0')) return 'does not look like a VMware .vmx file (binary data)';
    text = input;
  } else {
    if (input.includes(0)) return 'does not look like a VMware .vmx file (binary data)';
    text = new TextDecoder('utf-8').decode(input.subarray(0, SAMPLE_BYTES));
  }
  const sample = text.length > SAMPLE_BYTES ? text.slice(0, SAMPLE_BYTES) : text;
  if (sample.trim() === '') return undefined;
  let bad = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09 && c !== 0x0a && c !== 0x0d && c !== 0x0c) || c === 0x7f || c === 0xfffd)
      bad++;
  }
  if (bad > sample.length * MAX_NON_TEXT_SHARE) return 'does not look like a VMware .vmx file (binary data)';
  if (!KEY_VALUE_LINE.test(text)) return 'does not look like a VMware .vmx file (no key = value lines)';
  return undefined;
}

import type { ReadIssue } from '../../shared/model.ts';
import { TextDecoder } from 'node:util';

/**
 * Reader for VMware's `key = "value"` dictionary files: `.vmx` (VM configuration), `.vmsd`
 * (snapshots), `inventory.vmls`, Fusion's `vmInventory` and `preferences.ini` all share it.
 *
 * Grammar (reference `vmware-vmx.md` §1.1, VMware Workstation 4 – 25H2, Fusion, ESX/ESXi 3 – 8):
 * - one setting per line, `key = "value"`; spaces around `=` optional; values are normally
 *   double-quoted, but a few writers leave numbers unquoted (`rtc.diffFromUTC = 0`), so both are read;
 * - keys are case-insensitive (`displayName` = `displayname`); the file keeps the spelling it was
 *   written with, and every entry keeps that spelling in `key`;
 * - a key given twice (in any spelling) is a "dictionary error" for VMware, which then refuses to
 *   power the VM on (TROUBLE T19/T20). The reader keeps the LAST value, like Packer and Vagrant,
 *   and reports every duplicate with the line numbers of all its occurrences;
 * - lines starting with `#` are comments; a first line `#!/usr/bin/vmware` is a shebang; blank lines
 *   are ignored; line endings may be LF, CRLF or CR;
 * - special characters inside values are written `|XX` (two hex digits of the byte, e.g. `|22` = `"`,
 *   `|0A` = line feed, `|7C` = `|`); `value` is unescaped, `raw` keeps the text as written;
 * - `.encoding = "<charset>"` (normally the first key) names the file's character set (`UTF-8`,
 *   `windows-1252`, `Shift_JIS`, `windows-1251`, `GBK`…). Bytes are decoded with that charset
 *   (WHATWG `TextDecoder`, which Node's full ICU provides); an unknown name, a missing line or bytes
 *   that are not valid UTF-8 fall back as described on {@link decodeVmxBytes}.
 *
 * Bad lines never stop the read: each becomes a {@link ReadIssue} with its 1-based line number and
 * the rest of the file is still read.
 */

/** One `key = value` line. */
export interface VmxEntry {
  /** Key exactly as written (`memSize`, `ethernet0.virtualDev`, `.encoding`). */
  key: string;
  /** Lower-case key, the identity VMware uses. */
  keyLower: string;
  /** Value with quotes removed and `|XX` escapes decoded (`|22win10|22` → `"win10"`). */
  value: string;
  /** Value text as written, without the surrounding quotes, escapes not decoded. */
  raw: string;
  /** 1-based line number. */
  line: number;
  /** Whether the value was written in double quotes (`virtualSSD = 1` is not, TROUBLE T23). */
  quoted: boolean;
}

/** A key given more than once (compared case-insensitively). */
export interface VmxDuplicate {
  keyLower: string;
  /** Every spelling in file order (`['displayname', 'displayName']`). */
  keys: string[];
  /** Every line it occurs on, in file order; the value of the last one is used. */
  lines: number[];
}

/** Result of {@link parseVmx}. */
export interface ParsedVmx {
  /** Every entry in file order, duplicates included. */
  entries: VmxEntry[];
  /** Entries by lower-case key; for a duplicated key, the last occurrence. */
  map: Map<string, VmxEntry>;
  /**
   * Character set the text was decoded with, as WHATWG names it (`utf-8`, `windows-1252`,
   * `shift_jis`, `windows-1251`, `gbk`…). For string input: the declared `.encoding` if it is a
   * known charset, else `utf-8`.
   */
  encoding: string;
  /** The `.encoding` value as written, when the file has one. */
  declaredEncoding?: string;
  /** The `#!` first line, when present (e.g. `#!/usr/bin/vmware`). */
  shebang?: string;
  /** Line endings seen: `lf`, `crlf`, `cr`, `mixed`, or `none` (a single line). */
  lineEnding: 'lf' | 'crlf' | 'cr' | 'mixed' | 'none';
  duplicates: VmxDuplicate[];
  /** Lines that could not be read, duplicates, encoding problems; each with its line number when it has one. */
  issues: ReadIssue[];
  /** The file path given in the options (for messages). */
  path?: string;
}

/** Options of {@link parseVmx}. */
export interface ParseVmxOptions {
  /** Path of the file, used only in messages and kept on the result. */
  path?: string;
}

/** Result of {@link decodeVmxBytes}. */
export interface DecodedVmx {
  text: string;
  /** WHATWG name of the charset used. */
  encoding: string;
  declaredEncoding?: string;
  issues: ReadIssue[];
}

/** The value of a `.encoding = "<charset>"` line (any case, quotes optional), or undefined for any other line. */
function encodingValue(line: string): string | undefined {
  const t = line.trim();
  if (t.slice(0, 9).toLowerCase() !== '.encoding') return undefined;
  let rest = t.slice(9).trimStart();
  if (!rest.startsWith('=')) return undefined;
  rest = rest.slice(1).trimStart();
  let body = rest.startsWith('"') ? rest.slice(1) : rest;
  if (body.endsWith('"')) body = body.slice(0, -1);
  return body.includes('"') ? undefined : body;
}

/**
 * The first `.encoding = "<charset>"` line of `text` (LF, CRLF, CR, U+2028/2029 breaks): its value as
 * written (not trimmed) and the offset of `.encoding`. A line-by-line scan, linear in the text (the
 * multi-line regular expression it replaces took quadratic time on long runs of blank lines or of
 * spaces inside the value).
 */
function findEncodingLine(text: string): { value: string; offset: number } | undefined {
  let start = 0;
  for (;;) {
    let end = start;
    for (; end < text.length; end++) {
      const c = text.charCodeAt(end);
      if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) break;
    }
    const line = text.slice(start, end);
    const value = encodingValue(line);
    if (value !== undefined) return { value, offset: start + line.length - line.trimStart().length };
    if (end >= text.length) return undefined;
    start = end + 1;
  }
}

/** Creates a decoder for a charset label, or undefined when the label is unknown. */
function decoderFor(label: string, fatal: boolean): TextDecoder | undefined {
  try {
    return new TextDecoder(label.trim(), { fatal });
  } catch {
    return undefined;
  }
}

/** Line number (1-based) of the `.encoding` line in a latin1 view of the bytes. */
function lineOfOffset(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/**
 * Decodes the bytes of a VMware dictionary file.
 *
 * Order: a byte-order mark wins (UTF-8, UTF-16LE/BE); else the `.encoding` line (looked up in an
 * ASCII view of the bytes, which every charset VMware writes keeps intact for keys) is used; an
 * unknown charset name is reported and UTF-8 is tried instead. When the bytes are not valid in the
 * chosen charset: a UTF-8 file (declared or assumed) is re-read as windows-1252 — what Windows tools
 * that forget to update `.encoding` write — and the fallback is reported; any other charset is
 * decoded with replacement characters and reported. Never throws.
 */
export function decodeVmxBytes(bytes: Uint8Array): DecodedVmx {
  const issues: ReadIssue[] = [];
  if (bytes.length >= 3 && bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf)
    return { text: new TextDecoder('utf-8').decode(bytes), encoding: 'utf-8', issues };
  if (bytes.length >= 2 && bytes[0] === 0xff && bytes[1] === 0xfe)
    return { text: new TextDecoder('utf-16le').decode(bytes), encoding: 'utf-16le', issues };
  if (bytes.length >= 2 && bytes[0] === 0xfe && bytes[1] === 0xff)
    return { text: new TextDecoder('utf-16be').decode(bytes), encoding: 'utf-16be', issues };

  const ascii = new TextDecoder('latin1').decode(bytes);
  const match = findEncodingLine(ascii);
  const declared = match ? match.value.trim() : undefined;
  const line = match ? lineOfOffset(ascii, match.offset) : 0;

  let label = 'utf-8';
  if (declared !== undefined) {
    const probe = decoderFor(declared, false);
    if (probe) label = probe.encoding;
    else
      issues.push({
        line,
        message: `line ${line}: unknown .encoding "${declared}"; the file is read as UTF-8 instead.`,
      });
  }
  const strict = decoderFor(label, true) as TextDecoder;
  try {
    const out: DecodedVmx = { text: strict.decode(bytes), encoding: label, issues };
    if (declared !== undefined) out.declaredEncoding = declared;
    return out;
  } catch {
    let used = label;
    let text: string;
    if (label === 'utf-8') {
      used = 'windows-1252';
      text = new TextDecoder('windows-1252').decode(bytes);
      issues.push({
        message:
          declared !== undefined
            ? `The file declares .encoding "${declared}" but is not valid UTF-8; it was read as windows-1252.`
            : 'The file has no .encoding line and is not valid UTF-8; it was read as windows-1252.',
      });
    } else {
      text = new TextDecoder(label).decode(bytes);
      issues.push({
        message: `Some bytes are not valid ${label} (.encoding "${declared ?? label}"); they are shown as \uFFFD.`,
      });
    }
    const out: DecodedVmx = { text, encoding: used, issues };
    if (declared !== undefined) out.declaredEncoding = declared;
    return out;
  }
}

const ESCAPE_RUN = /(?:\|[0-9A-Fa-f]{2})+/g;

/**
 * Decodes VMware's `|XX` escapes (`|22` → `"`, `|0A` → LF, `|7C` → `|`). A run of escapes that
 * encodes bytes ≥ 0x80 is decoded as a byte sequence in `encoding` (default UTF-8), so an escaped
 * multi-byte character comes back whole. A `|` not followed by two hex digits is kept as is.
 */
export function unescapeVmx(text: string, encoding = 'utf-8'): string {
  if (!text.includes('|')) return text;
  return text.replace(ESCAPE_RUN, (run) => {
    const bytes = new Uint8Array(run.length / 3);
    for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(run.slice(i * 3 + 1, i * 3 + 3), 16);
    if (bytes.every((b) => b < 0x80)) return String.fromCharCode(...bytes);
    return (decoderFor(encoding, false) ?? new TextDecoder('utf-8')).decode(bytes);
  });
}

/**
 * Escapes a value the way VMware writes it: `"`, `|`, `#` and control characters become `|XX`.
 * The inverse of {@link unescapeVmx} for ASCII special characters; used for the `.vmx` lines the
 * catalog and advice show (never written to a file by this app).
 */
export function escapeVmx(text: string): string {
  let out = '';
  for (const c of text) {
    const code = c.charCodeAt(0);
    out +=
      c === '"' || c === '|' || c === '#' || code < 0x20
        ? `|${code.toString(16).toUpperCase().padStart(2, '0')}`
        : c;
  }
  return out;
}

/**
 * Reads a VMware boolean: `TRUE`/`FALSE` in any case (VMware and libvirt), also `1`/`0` and
 * `yes`/`no` which some tools write. Returns undefined for anything else (the caller reports it).
 */
export function parseVmxBool(value: string): boolean | undefined {
  const v = value.trim().toLowerCase();
  if (v === 'true' || v === '1' || v === 'yes') return true;
  if (v === 'false' || v === '0' || v === 'no') return false;
  return undefined;
}

/** Lowercase-key of a dictionary file line: anything that is not white space or `=`. */
const KEY_OK = /^[^\s="]+$/;

function lineEndingOf(text: string): ParsedVmx['lineEnding'] {
  const crlf = (text.match(/\r\n/g) ?? []).length;
  const lf = (text.match(/\n/g) ?? []).length - crlf;
  const cr = (text.match(/\r/g) ?? []).length - crlf;
  const kinds = [crlf > 0, lf > 0, cr > 0].filter(Boolean).length;
  if (kinds === 0) return 'none';
  if (kinds > 1) return 'mixed';
  return crlf > 0 ? 'crlf' : lf > 0 ? 'lf' : 'cr';
}

/**
 * Parses a VMware dictionary file (`.vmx`, `.vmsd`, `inventory.vmls`, `vmInventory`,
 * `preferences.ini`).
 *
 * @param input the file's bytes (decoded per `.encoding`, see {@link decodeVmxBytes}) or text that
 *   is already decoded.
 * @returns entries in file order, a lower-case-key map (last duplicate wins), the charset, the
 *   duplicates and issues with 1-based line numbers (`line 7: …`). Never throws: every line that is
 *   not a comment, blank or `key = value` becomes an issue and is skipped.
 */
export function parseVmx(input: Uint8Array | string, opts: ParseVmxOptions = {}): ParsedVmx {
  let text: string;
  let encoding: string;
  let declaredEncoding: string | undefined;
  const issues: ReadIssue[] = [];
  if (typeof input === 'string') {
    text = input;
    declaredEncoding = findEncodingLine(text)?.value.trim();
    encoding = (declaredEncoding && decoderFor(declaredEncoding, false)?.encoding) || 'utf-8';
  } else {
    const decoded = decodeVmxBytes(input);
    text = decoded.text;
    encoding = decoded.encoding;
    declaredEncoding = decoded.declaredEncoding;
    issues.push(...decoded.issues);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);

  const result: ParsedVmx = {
    entries: [],
    map: new Map(),
    encoding,
    lineEnding: lineEndingOf(text),
    duplicates: [],
    issues,
  };
  if (declaredEncoding !== undefined) result.declaredEncoding = declaredEncoding;
  if (opts.path !== undefined) result.path = opts.path;

  const lines = text.split(/\r\n|\n|\r/);
  const seen = new Map<string, VmxEntry[]>();
  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    const line = rawLine.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      if (lineNo === 1 && line.startsWith('#!')) result.shebang = line;
      return;
    }
    const eq = line.indexOf('=');
    if (eq === -1) {
      issues.push({ line: lineNo, message: `line ${lineNo}: not a key = "value" line: ${clip(line)}` });
      return;
    }
    const key = line.slice(0, eq).trim();
    if (key === '') {
      issues.push({ line: lineNo, message: `line ${lineNo}: no key before "=": ${clip(line)}` });
      return;
    }
    if (!KEY_OK.test(key))
      issues.push({
        line: lineNo,
        message: `line ${lineNo}: key "${clip(key)}" contains spaces or quotes; VMware may not accept it.`,
      });
    const rest = line.slice(eq + 1).trim();
    let raw: string;
    let quoted = false;
    if (rest.startsWith('"')) {
      quoted = true;
      const close = rest.lastIndexOf('"');
      if (close <= 0) {
        raw = rest.slice(1);
        issues.push({ line: lineNo, message: `line ${lineNo}: the value of ${key} has no closing quote.` });
      } else {
        raw = rest.slice(1, close);
        const trailing = rest.slice(close + 1).trim();
        if (trailing !== '')
          issues.push({
            line: lineNo,
            message: `line ${lineNo}: text after the closing quote of ${key} is ignored: ${clip(trailing)}`,
          });
        if (raw.includes('"'))
          issues.push({
            line: lineNo,
            message: `line ${lineNo}: the value of ${key} contains an unescaped quote (VMware writes |22).`,
          });
      }
    } else {
      raw = rest;
    }
    const entry: VmxEntry = {
      key,
      keyLower: key.toLowerCase(),
      value: unescapeVmx(raw, encoding),
      raw,
      line: lineNo,
      quoted,
    };
    result.entries.push(entry);
    result.map.set(entry.keyLower, entry);
    const list = seen.get(entry.keyLower);
    if (list) list.push(entry);
    else seen.set(entry.keyLower, [entry]);
  });

  for (const [keyLower, list] of seen) {
    if (list.length < 2) continue;
    const dup: VmxDuplicate = {
      keyLower,
      keys: list.map((e) => e.key),
      lines: list.map((e) => e.line),
    };
    result.duplicates.push(dup);
    const last = list[list.length - 1];
    const earlier = list
      .slice(0, -1)
      .map((e) => `line ${e.line} as "${e.key}"`)
      .join(', ');
    issues.push({
      line: last.line,
      message:
        `line ${last.line}: duplicate key "${last.key}" (also on ${earlier}); VMware refuses to power on a VM ` +
        `whose .vmx has a key twice ("dictionary error"). The value on line ${last.line} is used.`,
    });
  }
  issues.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return result;
}

function clip(s: string): string {
  return s.length > 80 ? `${s.slice(0, 77)}…` : s;
}

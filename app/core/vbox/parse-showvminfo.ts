import type { ReadIssue } from '../../shared/model.ts';
import { isLogoLine, isWarningStart, splitLines, warningBlockEnd } from './parse-common.ts';

/** One `key=value` item of `showvminfo --machinereadable`, in output order. */
export interface ShowVmInfoEntry {
  /** Key as printed, without the surrounding quotes of quoted keys (`SATA-0-0`, `BIOS NVRAM File`, `Forwarding(0)`). */
  key: string;
  /**
   * Value text: for quoted values the text between the quotes, unescaped (`\"` → `"`, `\\` → `\`)
   * when the value was escaped (see {@link parseShowVmInfo}); may contain `\n` for multi-line
   * values. For bare values the rest of the line without trailing whitespace (`2048`, `<not set>`,
   * `ac_enabled=false`).
   */
  value: string;
  /** Raw text after the closing quote on the same line, e.g. `@0,0 1` of `VideoMode` or `,Disk,0` of `BandwidthGroup0`. */
  suffix?: string;
  /** 1-based line number where the item starts. */
  line: number;
  /** True when the value was written in double quotes. */
  quoted: boolean;
}

/** Result of {@link parseShowVmInfo}. */
export interface ShowVmInfoParse {
  entries: ShowVmInfoEntry[];
  /** Skipped lines (banners, logo, lines without `=`), unterminated quotes — each with its line number. */
  issues: ReadIssue[];
}

/**
 * Keys VBoxManage prints with a raw `printf("key=\"%s\"")`: embedded `"` and `\` are not
 * escaped, so their values are never unescaped (reference §3.2).
 */
const RAW_KEY =
  /^(VMState|VMStateChangeTime|VMStateFile|graphicscontroller|storagecontroller(instance|maxportcount|portcount|bootable)\d+|(natnet|bridgeadapter|intnet|hostonlyadapter|generic|nat-network|hostonly-network|cloud-network|macaddress|cableconnected|nic|nictype|nicspeed)\d+|mtu|sockSnd|sockRcv|tcpWndSnd|tcpWndRcv|localhostReachable|forwardBroadcast|Forwarding\(\d+\)|uart(mode|type)?\d+|lpt(mode)?\d+|audio|vrde.*|VRDE.*|VideoMode|SnapshotName.*|SnapshotUUID.*|SnapshotDescription.*|CurrentSnapshot.*|GuestAdditionsFacility_.*)$/;

/** Keys whose values may contain raw newlines (reference §3.4). */
const MULTILINE_KEY = /^(description|name|SnapshotName.*|SnapshotDescription.*|CurrentSnapshotName)$/;

/** Raw keys that may span lines: their closing quote is taken to be the last `"` ending a line. */
const RAW_MULTILINE_KEY = /^(SnapshotName.*|SnapshotDescription.*|CurrentSnapshotName)$/;

const CPUID = /^((?:[0-9a-fA-F]{8},){5}[0-9a-fA-F]{8})(.*)$/;

/** Start of the issue message for a skipped Linux wrapper `WARNING:` block (the block's text follows). */
export const WRAPPER_WARNING_ISSUE = 'skipped wrapper warning';

/** Keys that VBoxManage prints with a doubled `=` (`VRDEClients==0`, 6.1). */
const DOUBLE_EQUALS_KEYS = new Set(['VRDEClients']);

/**
 * Undoes VBoxManage's escaping (`\"` → `"`, `\\` → `\`) but only when the text is consistently
 * escaped, i.e. every backslash starts one of those two pairs. Text with a lone backslash
 * (`C:\Users\me\disk.vdi`, `\\?\C:\dir` — raw fields of older versions) is returned unchanged.
 */
export function unescapeIfEscaped(text: string): string {
  if (!text.includes('\\')) return text;
  let out = '';
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    const n = text[i + 1];
    if (n !== '\\' && n !== '"') return text;
    out += n;
    i++;
  }
  return out;
}

/** Index of the first closing `"` in `s` (escape-aware: skips `\"` and `\\`), or -1. */
function findClose(s: string, escapeAware: boolean): number {
  for (let j = 0; j < s.length; j++) {
    const c = s[j];
    if (escapeAware && c === '\\' && j + 1 < s.length) {
      j++;
      continue;
    }
    if (c === '"') return j;
  }
  return -1;
}

/** Index of a closing quote that ends the line (ignoring trailing whitespace), or -1. */
function closeAtEnd(s: string): number {
  const t = s.trimEnd();
  return t.endsWith('"') ? t.length - 1 : -1;
}

/**
 * Parses `VBoxManage showvminfo <uuid> --machinereadable` output losslessly (VirtualBox 3.x–7.x;
 * grammar in reference §3).
 *
 * - Every `key=value` item is kept in output order, duplicates included (NAT tuning lines,
 *   `Forwarding(i)`, `rec_screen_*`, `cpuid` repeat and are attributed by position).
 * - Keys: bare up to the first `=` (may contain spaces: `BIOS NVRAM File`,
 *   `GuestAdditionsFacility_VirtualBox Base Driver`), or quoted (`"SATA Controller-0-0"`, escapes
 *   undone). `VRDEClients==0` gives key `VRDEClients`, value `0`.
 * - Quoted values end at the first unescaped `"`; text after it on the line is `suffix`
 *   (`VideoMode="800,600,32"@0,0 1`). `description`/`name`/snapshot values continue over raw
 *   newlines until the closing quote. Values of raw-printed keys (NIC keys, `Forwarding(i)`,
 *   `VMStateFile`, snapshot keys…) are never unescaped; other values are unescaped only when
 *   consistently escaped (see {@link unescapeIfEscaped}), so Windows paths come out right in both
 *   the escaped (`C:\\Users`) and the raw (`C:\Users`) spelling. A raw value with embedded quotes
 *   (`"a "b" c"`) is taken up to the last quote of the line.
 * - Bare values: rest of the line (`videocapopts=ac_enabled=false` → `ac_enabled=false`,
 *   `vrdeproperty[…]=<not set>`).
 * - Glued CPUID overrides (`cpuid=…,0000000ahwvirtex="on"`) are split into a `cpuid` item and the
 *   item that follows on the same line.
 * - Recording marker lines (` rec_screen0`, leading space, no `=`) become items with key
 *   `rec_screen0` and an empty value, so `rec_screen_*` items can be attributed to their screen.
 * - Wrapper `WARNING:` blocks, the old copyright logo and other lines without `=` (e.g. 7.0's
 *   `Encryption:     disabled`) are skipped and reported as issues with line numbers; blank lines
 *   are ignored. An unterminated quote at end of output is reported and the line is kept as far as
 *   it goes — the rest of the output is never lost.
 * - CRLF, lone CR and a missing final newline are accepted. Never throws.
 *
 * @param text stdout of the command.
 */
export function parseShowVmInfo(text: string): ShowVmInfoParse {
  const lines = splitLines(text);
  const entries: ShowVmInfoEntry[] = [];
  const issues: ReadIssue[] = [];

  /** Parses the item that starts with `s` on 0-based line `i`; returns the next line index to read. */
  const parseItem = (s: string, i: number): number => {
    const lineNo = i + 1;
    let key: string;
    let rest: string;
    if (s.startsWith('"')) {
      let j = 1;
      let end = -1;
      for (; j < s.length; j++) {
        if (s[j] === '\\' && j + 1 < s.length) {
          j++;
          continue;
        }
        if (s[j] === '"' && s[j + 1] === '=') {
          end = j;
          break;
        }
      }
      if (end < 0) {
        issues.push({
          line: lineNo,
          message: `quoted key without closing '"=': ${s.slice(0, 200)}`,
        });
        return i + 1;
      }
      key = unescapeIfEscaped(s.slice(1, end));
      rest = s.slice(end + 2);
    } else {
      const eq = s.indexOf('=');
      if (eq <= 0) {
        issues.push({
          line: lineNo,
          message: `not a key=value line, skipped: ${s.slice(0, 200)}`,
        });
        return i + 1;
      }
      key = s.slice(0, eq).trimEnd();
      rest = s.slice(eq + 1);
      if (DOUBLE_EQUALS_KEYS.has(key) && rest.startsWith('=')) rest = rest.slice(1);
      if (key === 'cpuid') {
        const m = CPUID.exec(rest.trimEnd());
        if (m) {
          entries.push({ key, value: m[1], line: lineNo, quoted: false });
          return m[2] === '' ? i + 1 : parseItem(m[2], i);
        }
      }
    }

    if (!rest.startsWith('"')) {
      entries.push({ key, value: rest.trimEnd(), line: lineNo, quoted: false });
      return i + 1;
    }

    const raw = RAW_KEY.test(key);
    const body = rest.slice(1);
    const rawMulti = RAW_MULTILINE_KEY.test(key);
    const push = (value: string, suffix: string, next: number): number => {
      const entry: ShowVmInfoEntry = {
        key,
        value: raw ? value : unescapeIfEscaped(value),
        line: lineNo,
        quoted: true,
      };
      const sfx = suffix.trim();
      if (sfx !== '') entry.suffix = sfx;
      entries.push(entry);
      return next;
    };

    // Single-line value.
    let close = rawMulti ? closeAtEnd(body) : findClose(body, !raw);
    if (close >= 0) {
      let suffix = body.slice(close + 1);
      if (suffix.trim() !== '' && suffix.trimEnd().endsWith('"')) {
        close = closeAtEnd(body);
        suffix = body.slice(close + 1);
      }
      return push(body.slice(0, close), suffix, i + 1);
    }

    // Multi-line value.
    if (MULTILINE_KEY.test(key)) {
      const parts = [body];
      for (let k = i + 1; k < lines.length; k++) {
        const c = rawMulti ? closeAtEnd(lines[k]) : findClose(lines[k], !raw);
        if (c >= 0) {
          parts.push(lines[k].slice(0, c));
          return push(parts.join('\n'), lines[k].slice(c + 1), k + 1);
        }
        parts.push(lines[k]);
      }
    }

    // Unterminated: keep what the line has and go on with the next line.
    const atEnd = closeAtEnd(body);
    if (atEnd >= 0) return push(body.slice(0, atEnd), '', i + 1);
    issues.push({
      line: lineNo,
      message: `value of "${key}" has no closing quote; took the rest of the line`,
    });
    return push(body.trimEnd(), '', i + 1);
  };

  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    const lineNo = i + 1;
    if (line.trim() === '') {
      i++;
      continue;
    }
    if (isWarningStart(line)) {
      const end = warningBlockEnd(lines, i);
      const parts = lines
        .slice(i, end)
        .map((l) => l.trim())
        .filter((l) => l !== '');
      i = end;
      issues.push({ line: lineNo, message: `${WRAPPER_WARNING_ISSUE}: ${parts.join(' ')}` });
      continue;
    }
    if (!line.includes('=') && isLogoLine(line)) {
      issues.push({ line: lineNo, message: `skipped VBoxManage logo line: ${line.trim()}` });
      i++;
      continue;
    }
    const marker = /^\s*(rec_screen\d+)\s*$/.exec(line);
    if (marker) {
      entries.push({ key: marker[1], value: '', line: lineNo, quoted: false });
      i++;
      continue;
    }
    i = parseItem(line.replace(/^\s+/, ''), i);
  }
  return { entries, issues };
}

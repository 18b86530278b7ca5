import type { ReadIssue } from '../../shared/model.ts';
import { findWarningBlocks, isLogoLine, readSafeInteger, splitLines } from './parse-common.ts';

/** Facts from `VBoxManage list hostinfo`; every field is absent when its line is missing or unreadable. */
export interface HostInfo {
  /** `Processor online count` — logical processors (threads) online. */
  cpuOnlineCount?: number;
  /** `Processor count` — logical processors. */
  cpuCount?: number;
  /** `Processor online core count` — physical cores online (the GUI's vCPU warnings use this). */
  coreOnlineCount?: number;
  /** `Processor core count` — physical cores. */
  coreCount?: number;
  /** `Memory size` in MB (MiB; printed as `MByte`). */
  memoryMB?: number;
  /** `Memory available` in MB (MiB). */
  memoryAvailableMB?: number;
  /** `Operating system`, e.g. `Linux`, `Darwin`, `Windows 10`. */
  os?: string;
  /** `Operating system version`, e.g. `6.1.0-21-amd64`, `19.6.0`. */
  osVersion?: string;
  /** `Processor#0 description` (the first processor's brand string). */
  cpuDescription?: string;
  supportsHwVirt?: boolean;
  supportsNestedPaging?: boolean;
  supportsPae?: boolean;
  supportsLongMode?: boolean;
  supportsNestedHwVirt?: boolean;
  /** Lines that could not be read (1-based line numbers) and skipped wrapper warnings. */
  issues: ReadIssue[];
}

type NumKey =
  'cpuOnlineCount' | 'cpuCount' | 'coreOnlineCount' | 'coreCount' | 'memoryMB' | 'memoryAvailableMB';
type BoolKey =
  'supportsHwVirt' | 'supportsNestedPaging' | 'supportsPae' | 'supportsLongMode' | 'supportsNestedHwVirt';

const NUMBERS: Record<string, NumKey> = {
  'processor online count': 'cpuOnlineCount',
  'processor count': 'cpuCount',
  'processor online core count': 'coreOnlineCount',
  'processor core count': 'coreCount',
  'memory size': 'memoryMB',
  'memory available': 'memoryAvailableMB',
};

const BOOLEANS: Record<string, BoolKey> = {
  'processor supports hw virtualization': 'supportsHwVirt',
  'processor supports nested paging': 'supportsNestedPaging',
  'processor supports pae': 'supportsPae',
  'processor supports long mode': 'supportsLongMode',
  'processor supports nested hw virtualization': 'supportsNestedHwVirt',
};

/**
 * Parses `VBoxManage list hostinfo` output (VirtualBox 4.x–7.x; labels are English — from 7.0 they
 * are translated unless VBoxManage runs with an English locale, and then nothing is recognised and
 * every field stays absent).
 *
 * Lines are `Label: value`; the `Host Information:` header may appear more than once and indented;
 * blank lines and leading blank lines are ignored; `Processor#N speed: unknown` is accepted;
 * labels the parser does not use (`Host time`, per-processor speeds, `virt. vmsave/vmload`, …) are
 * ignored. Unexpected values (e.g. a non-numeric count, or one too large to be an exact number)
 * become issues with line numbers and leave their field absent. Never throws.
 *
 * @param text stdout of the command (LF or CRLF).
 */
export function parseHostInfo(text: string): HostInfo {
  const lines = splitLines(text);
  const { skip, blocks } = findWarningBlocks(lines);
  const out: HostInfo = {
    issues: blocks.map((b) => ({ line: b.line, message: `skipped wrapper warning: ${b.text}` })),
  };
  lines.forEach((raw, i) => {
    if (skip.has(i)) return;
    const line = raw.trim();
    if (line === '' || isLogoLine(line)) return;
    const colon = line.indexOf(':');
    if (colon < 0) {
      out.issues.push({
        line: i + 1,
        message: `line ${i + 1}: expected "Label: value": ${line.slice(0, 200)}`,
      });
      return;
    }
    const label = line.slice(0, colon).trim();
    const value = line.slice(colon + 1).trim();
    const lower = label.toLowerCase();
    if (lower === 'host information') return;
    const num = NUMBERS[lower];
    if (num) {
      const m = /^(\d+)/.exec(value);
      if (m) {
        const n = readSafeInteger(m[1], out.issues, `"${label}"`, i + 1);
        if (n !== undefined) out[num] = n;
      } else
        out.issues.push({ line: i + 1, message: `line ${i + 1}: "${label}" is not a number: "${value}"` });
      return;
    }
    const bool = BOOLEANS[lower];
    if (bool) {
      if (value === 'yes' || value === 'no') out[bool] = value === 'yes';
      else out.issues.push({ line: i + 1, message: `line ${i + 1}: "${label}" is not yes/no: "${value}"` });
      return;
    }
    if (lower === 'operating system') out.os = value;
    else if (lower === 'operating system version') out.osVersion = value;
    else if (/^processor#\d+ description$/.test(lower) && out.cpuDescription === undefined)
      out.cpuDescription = value;
  });
  return out;
}

import type { ReadIssue } from '../../shared/model.ts';
import { findWarningBlocks, isLogoLine, readSafeInteger, splitLines } from './parse-common.ts';

/** Result of {@link parseSystemProperties}. Limits are absent when their line is missing. */
export interface SystemProperties {
  /** Every `Label: value` line, label → trimmed value (`''` for empty values and section headers); the first occurrence wins. */
  values: Record<string, string>;
  /** `Minimum guest RAM size` in MB. */
  minGuestRamMB?: number;
  /** `Maximum guest RAM size` in MB. */
  maxGuestRamMB?: number;
  /** `Minimum guest CPU count`. */
  minGuestCpus?: number;
  /** `Maximum guest CPU count` (32 in 6.1, 64 in 7.x). */
  maxGuestCpus?: number;
  /** `Maximum video RAM size` in MB. */
  maxVramMB?: number;
  /** `Maximum guest monitor count`. */
  maxMonitors?: number;
  /** `Maximum PIIX3 Network Adapter count` (3.x: `Maximum Network Adapter count`). */
  maxNicsPiix3?: number;
  /** `Maximum ICH9 Network Adapter count`. */
  maxNicsIch9?: number;
  /** `Default machine folder` (a host path). */
  defaultMachineFolder?: string;
  /** `API version`, e.g. `7_0` (absent before 4.x). */
  apiVersion?: string;
  /** Lines that could not be read (1-based) and skipped wrapper warnings. */
  issues: ReadIssue[];
}

/**
 * Parses `VBoxManage list systemproperties` (VirtualBox 3.x–7.x; English labels — translated
 * from 7.0 unless run with an English locale).
 *
 * Each line is `Label:<spaces>value`; the label ends at the first `:` (labels contain none, values
 * may: `C:\Users\…`). Tolerates the 3.x copyright logo, wrapper `WARNING:` blocks, labels longer
 * than the value column, no space after the colon (`Maximum PIIX3 Floppy Controllers:1`), empty
 * values with or without trailing spaces, CRLF, and the 7.1 nested platform blocks (labels that
 * repeat keep their first value). Lines without a colon become issues. A limit too large to be an
 * exact number is left out of its field (its text stays in `values`) and reported with its line.
 * Never throws.
 *
 * @param text stdout of the command.
 */
export function parseSystemProperties(text: string): SystemProperties {
  const lines = splitLines(text);
  const { skip, blocks } = findWarningBlocks(lines);
  const values: Record<string, string> = {};
  /** 1-based line of each label's first occurrence (the one kept in `values`). */
  const lineOf = new Map<string, number>();
  const issues: ReadIssue[] = blocks.map((b) => ({
    line: b.line,
    message: `skipped wrapper warning: ${b.text}`,
  }));
  lines.forEach((raw, i) => {
    if (skip.has(i)) return;
    const line = raw.trim();
    if (line === '' || isLogoLine(line)) return;
    const colon = line.indexOf(':');
    if (colon <= 0) {
      issues.push({ line: i + 1, message: `line ${i + 1}: expected "Label: value": ${line.slice(0, 200)}` });
      return;
    }
    const label = line.slice(0, colon).trim();
    if (!(label in values)) {
      values[label] = line.slice(colon + 1).trim();
      lineOf.set(label, i + 1);
    }
  });

  const num = (label: string): number | undefined => {
    const v = values[label];
    if (v === undefined) return undefined;
    const m = /^(\d+)/.exec(v);
    return m ? readSafeInteger(m[1], issues, `"${label}"`, lineOf.get(label)) : undefined;
  };
  const str = (label: string): string | undefined => values[label];

  const out: SystemProperties = { values, issues };
  const set = <K extends keyof SystemProperties>(k: K, v: SystemProperties[K] | undefined): void => {
    if (v !== undefined) out[k] = v as SystemProperties[K];
  };
  set('minGuestRamMB', num('Minimum guest RAM size'));
  set('maxGuestRamMB', num('Maximum guest RAM size'));
  set('minGuestCpus', num('Minimum guest CPU count'));
  set('maxGuestCpus', num('Maximum guest CPU count'));
  set('maxVramMB', num('Maximum video RAM size'));
  set('maxMonitors', num('Maximum guest monitor count'));
  set('maxNicsPiix3', num('Maximum PIIX3 Network Adapter count') ?? num('Maximum Network Adapter count'));
  set('maxNicsIch9', num('Maximum ICH9 Network Adapter count'));
  set('defaultMachineFolder', str('Default machine folder'));
  set('apiVersion', str('API version'));
  return out;
}

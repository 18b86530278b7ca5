/**
 * Medium (virtual disk) records: `VBoxManage showmediuminfo [disk|dvd|floppy] <uuid|path>` and
 * `VBoxManage list hdds` (also `dvds`, `floppies`), which print the same `Label: value` block —
 * `list` the short form, one block per medium separated by blank lines, `showmediuminfo` the long one.
 *
 * Format source: reference/virtualbox-settings.md §4.9 and §4.10; `showMediumInfo()` in
 * VBoxManageDisk.cpp (5.0–7.1): labels padded to 16 columns — `UUID:`, `Parent UUID:` (`base` or
 * the parent's UUID; absent for DVD/floppy listings), `State:`, `Access Error:`, `Description:`,
 * `Type:` (`normal (base)`, `normal (differencing)`, `immutable`, `writethrough`, `shareable`,
 * `readonly`, `multiattach`), `Auto-Reset:`, `Location:`, `Storage format:`, `Format variant:`
 * (`dynamic default`, `fixed default`, `differencing default`, `dynamic split2G`, …),
 * `Capacity: <n> MBytes` (logical size), `Size on disk: <n> MBytes` (actual size, rounded down to
 * whole MB), `Encryption: enabled|disabled` (+ `Cipher:`, `Password ID:`), `Property: name=value`,
 * `In use by VMs: <vm> (UUID: <uuid>) [<snapshot> (UUID: <uuid>)]…`, `Child UUIDs: <uuid>`; the last
 * three continue on lines indented by 16 spaces. Older layouts are read too: 3.x `list hdds`
 * (`Format:`, `Accessible: yes|no`, `Usage: <vm> (UUID: …)`) and 4.x `showhdinfo`
 * (`Accessible:`, `Logical size: <n> MBytes`, `Current size on disk: <n> MBytes`).
 */

import type { MediumInfo } from '../../shared/contract.ts';
import type { ReadIssue } from '../../shared/model.ts';
import { VBoxParseError } from './errors.ts';
import { findWarningBlocks, isLogoLine, readSafeInteger, splitLines, tooLargeIssue } from './parse-common.ts';

/** One VM that uses a medium, from `In use by VMs:` (or 3.x `Usage:`), with the snapshots that reference it. */
export interface MediumUsage {
  vmName: string;
  vmUuid: string;
  snapshots: { name: string; uuid: string }[];
}

/**
 * One medium as printed. Extends the contract's {@link MediumInfo} (whose `chain` holds only this
 * medium here; {@link readMediumChain} in `app/core/media.ts` fills the parents in).
 */
export interface MediumRecord extends MediumInfo {
  /** 1-based line where the record starts (its `UUID:` line). */
  line: number;
  /** True for `Parent UUID: base` or type `normal (base)`; false for a differencing image; absent when the output does not say. */
  base?: boolean;
  /** 3.x/4.x `Accessible: yes|no`. */
  accessible?: boolean;
  /** `Access Error:` (inaccessible media, long form only). */
  accessError?: string;
  description?: string;
  /** `Auto-Reset: on|off` (differencing images, long form only). */
  autoReset?: boolean;
  /** `Size on disk:` (4.x `Current size on disk:`) in MB as printed (rounded down by VBoxManage). */
  sizeOnDiskMB?: number;
  cipher?: string;
  passwordId?: string;
  /** `Property:` lines (`AllocationBlockSize=1048576`). */
  properties: Record<string, string>;
  inUseBy: MediumUsage[];
  childUuids: string[];
  /** Every `Label: value` as printed (trimmed), continuation lines joined with `\n`; unknown labels are kept here. */
  fields: Record<string, string>;
}

/** Result of {@link parseMediumInfo}: the medium plus what could not be read. */
export type ParsedMedium = MediumRecord & { issues: ReadIssue[] };

/** Result of {@link parseListHdds}. */
export interface ListHddsParse {
  media: MediumRecord[];
  issues: ReadIssue[];
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const LABEL_HEAD = /^[A-Za-z][A-Za-z -]{0,30}$/;

/** `s` without leading and trailing spaces and tabs (only those: other blanks stay part of a value). */
function trimBlanks(s: string): string {
  let a = 0;
  let b = s.length;
  while (a < b && (s[a] === ' ' || s[a] === '\t')) a++;
  while (b > a && (s[b - 1] === ' ' || s[b - 1] === '\t')) b--;
  return s.slice(a, b);
}

/**
 * A `Label: value` line: the label is the text before the first `:` (a letter, then up to 30
 * letters, spaces or dashes); the value follows after at least one space or tab, without leading
 * and trailing spaces and tabs (`''` when there is none). `Label:value` (no blank) is no label line.
 * Written with string methods so it runs in linear time: the regular expression it replaces,
 * `(.*?)[ \t]*$`, took quadratic time on a long run of blanks inside a value.
 */
function labelLine(raw: string): { label: string; value: string } | undefined {
  const colon = raw.indexOf(':');
  if (colon < 1) return undefined;
  const label = raw.slice(0, colon);
  if (!LABEL_HEAD.test(label)) return undefined;
  const rest = raw.slice(colon + 1);
  if (rest !== '' && rest[0] !== ' ' && rest[0] !== '\t') return undefined;
  return { label, value: trimBlanks(rest) };
}

/** Labels of every known layout (5.0–7.1 long and short form, 4.x showhdinfo, 3.x list hdds). */
const KNOWN_LABELS = new Set([
  'UUID',
  'Parent UUID',
  'State',
  'Access Error',
  'Description',
  'Type',
  'Auto-Reset',
  'Location',
  'Storage format',
  'Format variant',
  'Capacity',
  'Size on disk',
  'Encryption',
  'Cipher',
  'Password ID',
  'Property',
  'In use by VMs',
  'Child UUIDs',
  'Format',
  'Accessible',
  'Usage',
  'Logical size',
  'Current size on disk',
]);

/** Labels whose value may continue on following lines indented by spaces. */
const MULTI_LABELS = new Set(['Property', 'In use by VMs', 'Child UUIDs', 'Usage']);
/** Labels whose raw text may continue on following unindented lines. */
const TEXT_LABELS = new Set(['Description', 'Access Error']);

interface RawRecord {
  line: number;
  fields: Map<string, { value: string; line: number }>;
  order: string[];
}

/**
 * Splits the output into raw records: blank lines separate records, and a second `UUID:` line
 * starts a new one. Banners and the old logo are skipped (and reported).
 */
function splitRecords(text: string, issues: ReadIssue[]): RawRecord[] {
  const lines = splitLines(text);
  const { skip, blocks } = findWarningBlocks(lines);
  for (const b of blocks) {
    issues.push({ line: b.line, message: `line ${b.line}: skipped VBoxManage wrapper warning: ${b.text}` });
  }
  const records: RawRecord[] = [];
  let rec: RawRecord | undefined;
  let last: string | undefined;
  lines.forEach((raw, i) => {
    const lineNo = i + 1;
    if (skip.has(i)) return;
    if (isLogoLine(raw)) {
      issues.push({ line: lineNo, message: `line ${lineNo}: skipped VBoxManage logo line: ${raw.trim()}` });
      return;
    }
    if (raw.trim() === '') {
      // A blank line ends the record (a description containing a blank line is cut there).
      rec = undefined;
      last = undefined;
      return;
    }
    if (/^\s/.test(raw) && rec && last && MULTI_LABELS.has(last)) {
      const f = rec.fields.get(last)!;
      f.value = f.value === '' ? raw.trim() : `${f.value}\n${raw.trim()}`;
      return;
    }
    const m = labelLine(raw);
    if (m && (KNOWN_LABELS.has(m.label) || !(rec && last && TEXT_LABELS.has(last)))) {
      const { label, value } = m;
      if (label === 'UUID' && rec && rec.fields.has('UUID')) rec = undefined;
      if (!rec) {
        rec = { line: lineNo, fields: new Map(), order: [] };
        records.push(rec);
      }
      if (rec.fields.has(label)) {
        issues.push({
          line: lineNo,
          message: `line ${lineNo}: "${label}:" appears again in one record; the first value is kept`,
        });
        last = undefined;
        return;
      }
      if (!KNOWN_LABELS.has(label)) {
        issues.push({ line: lineNo, message: `line ${lineNo}: unknown field "${label}" kept as printed` });
      }
      rec.fields.set(label, { value, line: lineNo });
      rec.order.push(label);
      last = label;
      return;
    }
    if (rec && last && TEXT_LABELS.has(last)) {
      const f = rec.fields.get(last)!;
      f.value = `${f.value}\n${raw.trimEnd()}`;
      return;
    }
    issues.push({ line: lineNo, message: `line ${lineNo}: not a "Label: value" line: ${raw.trim()}` });
  });
  return records;
}

/** ` (UUID: ` before the UUID of a VM or snapshot in `In use by VMs:` / `Usage:` lines. */
const UUID_MARK = ' (UUID: ';
const MARKED_UUID = /^[0-9a-fA-F-]{36}\)$/;

/** A ` (UUID: <36 hex digits or dashes>)` in a line: where it starts, where it ends (after `)`), the UUID. */
interface UuidMark {
  start: number;
  end: number;
  uuid: string;
}

/** Every ` (UUID: …)` of `s`, left to right (they cannot overlap). Linear in `s`. */
function uuidMarks(s: string): UuidMark[] {
  const out: UuidMark[] = [];
  for (let i = s.indexOf(UUID_MARK); i >= 0; i = s.indexOf(UUID_MARK, i + 1)) {
    const id = s.slice(i + UUID_MARK.length, i + UUID_MARK.length + 37);
    if (MARKED_UUID.test(id)) out.push({ start: i, end: i + UUID_MARK.length + 37, uuid: id.slice(0, 36) });
  }
  return out;
}

/**
 * One line of `In use by VMs:` (3.x `Usage:`), trimmed: `<vm> (UUID: <uuid>)` followed by zero or more
 * ` [<snapshot> (UUID: <uuid>)]`. Names are printed raw and may themselves contain `(UUID: …)`,
 * brackets and spaces: the VM is the last ` (UUID: …)` that is followed by the end of the line or by
 * ` [` with the line ending in `)]`; each snapshot runs from ` [` to the first ` (UUID: …)]` after it.
 * Undefined when the line has no such shape. Linear in the line's length (written with string
 * searches instead of nested lazy regular expressions).
 */
function readUsage(line: string): MediumUsage | undefined {
  const marks = uuidMarks(line);
  const last = marks[marks.length - 1];
  if (!last) return undefined;
  let vm: UuidMark | undefined;
  if (last.end === line.length) vm = last;
  else if (last.end === line.length - 1 && line.endsWith(']')) {
    for (let k = marks.length - 2; k >= 0 && !vm; k--) if (line.startsWith(' [', marks[k].end)) vm = marks[k];
  }
  if (!vm) return undefined;
  const snapshots: { name: string; uuid: string }[] = [];
  let k = marks.indexOf(vm) + 1;
  for (let open = line.indexOf(' [', vm.end); open >= 0 && k < marks.length;) {
    while (k < marks.length && (marks[k].start < open + 2 || line[marks[k].end] !== ']')) k++;
    if (k >= marks.length) break;
    snapshots.push({ name: line.slice(open + 2, marks[k].start), uuid: marks[k].uuid.toLowerCase() });
    open = line.indexOf(' [', marks[k].end + 1);
    k++;
  }
  return { vmName: line.slice(0, vm.start), vmUuid: vm.uuid.toLowerCase(), snapshots };
}

/**
 * `<n> MBytes` → n; undefined and an issue for anything else, and for a number too large to be exact.
 */
function megabytes(
  label: string,
  f: { value: string; line: number },
  issues: ReadIssue[],
): number | undefined {
  const m = /^(\d+)\s*(?:MBytes|MB)$/i.exec(f.value.trim());
  if (m) return readSafeInteger(m[1], issues, `"${label}:"`, f.line);
  issues.push({ line: f.line, message: `line ${f.line}: "${label}:" is not "<n> MBytes": ${f.value}` });
  return undefined;
}

function toRecord(raw: RawRecord, issues: ReadIssue[]): MediumRecord | undefined {
  const get = (label: string) => raw.fields.get(label);
  const uuidField = get('UUID');
  if (!uuidField) {
    issues.push({
      line: raw.line,
      message: `line ${raw.line}: medium record without a "UUID:" line skipped`,
    });
    return undefined;
  }
  const uuid = uuidField.value.trim().toLowerCase();
  if (!UUID_RE.test(uuid)) {
    issues.push({
      line: uuidField.line,
      message: `line ${uuidField.line}: "${uuidField.value}" is not a UUID`,
    });
  }
  const location = get('Location')?.value ?? '';
  if (!get('Location'))
    issues.push({ line: raw.line, message: `line ${raw.line}: medium ${uuid} has no "Location:" line` });
  const fields: Record<string, string> = {};
  for (const label of raw.order) fields[label] = raw.fields.get(label)!.value;
  const rec: MediumRecord = {
    uuid,
    location,
    chain: [{ uuid, location }],
    line: raw.line,
    properties: {},
    inUseBy: [],
    childUuids: [],
    fields,
  };

  const format = get('Storage format') ?? get('Format');
  if (format) rec.format = format.value;
  const variant = get('Format variant');
  if (variant) rec.variant = variant.value;
  const state = get('State');
  if (state) rec.state = state.value;
  const parent = get('Parent UUID');
  if (parent) {
    const p = parent.value.trim();
    if (p.toLowerCase() === 'base') rec.base = true;
    else if (UUID_RE.test(p)) {
      rec.parentUuid = p.toLowerCase();
      rec.base = false;
    } else {
      issues.push({
        line: parent.line,
        message: `line ${parent.line}: "Parent UUID:" is neither "base" nor a UUID: ${p}`,
      });
    }
  }
  const type = get('Type');
  if (type) {
    const m = /^(\S+)(?:\s+\((base|differencing)\))?$/.exec(type.value.trim());
    rec.type = m ? m[1] : type.value.trim();
    if (m?.[2] && rec.base === undefined) rec.base = m[2] === 'base';
  }
  const capacity = get('Capacity') ?? get('Logical size');
  if (capacity) {
    const mb = megabytes(capacity === get('Capacity') ? 'Capacity' : 'Logical size', capacity, issues);
    if (mb !== undefined) rec.virtualSizeMB = mb;
  }
  const onDisk = get('Size on disk') ?? get('Current size on disk');
  if (onDisk) {
    const mb = megabytes(
      onDisk === get('Size on disk') ? 'Size on disk' : 'Current size on disk',
      onDisk,
      issues,
    );
    if (mb !== undefined) {
      rec.sizeOnDiskMB = mb;
      const bytes = mb * 1024 * 1024;
      if (Number.isSafeInteger(bytes)) rec.actualSizeBytes = bytes;
      else
        issues.push(
          tooLargeIssue(
            `"${onDisk === get('Size on disk') ? 'Size on disk' : 'Current size on disk'}:"`,
            onDisk.value,
            onDisk.line,
            'the size in bytes is left out (the size in MB is kept)',
          ),
        );
    }
  }
  const enc = get('Encryption');
  if (enc) {
    const v = enc.value.trim().toLowerCase();
    if (v === 'enabled' || v === 'disabled') rec.encrypted = v === 'enabled';
    else
      issues.push({
        line: enc.line,
        message: `line ${enc.line}: "Encryption:" is neither enabled nor disabled: ${enc.value}`,
      });
  }
  const accessible = get('Accessible');
  if (accessible) rec.accessible = /^yes$/i.test(accessible.value.trim());
  const accessError = get('Access Error');
  if (accessError) rec.accessError = accessError.value;
  const description = get('Description');
  if (description) rec.description = description.value;
  const autoReset = get('Auto-Reset');
  if (autoReset) rec.autoReset = autoReset.value.trim() === 'on';
  const cipher = get('Cipher');
  if (cipher) rec.cipher = cipher.value;
  const passwordId = get('Password ID');
  if (passwordId) rec.passwordId = passwordId.value;

  const props = get('Property');
  if (props) {
    props.value.split('\n').forEach((p, k) => {
      const eq = p.indexOf('=');
      if (eq > 0) rec.properties[p.slice(0, eq)] = p.slice(eq + 1);
      else
        issues.push({ line: props.line + k, message: `line ${props.line + k}: property without "=": ${p}` });
    });
  }
  const usage = get('In use by VMs') ?? get('Usage');
  if (usage) {
    usage.value.split('\n').forEach((u, k) => {
      const used = readUsage(u.trim());
      if (!used) {
        issues.push({
          line: usage.line + k,
          message: `line ${usage.line + k}: cannot read the VM using this medium: ${u}`,
        });
        return;
      }
      rec.inUseBy.push(used);
    });
  }
  const children = get('Child UUIDs');
  if (children) {
    children.value.split('\n').forEach((c, k) => {
      const id = c.trim().toLowerCase();
      if (UUID_RE.test(id)) rec.childUuids.push(id);
      else
        issues.push({
          line: children.line + k,
          message: `line ${children.line + k}: child "${c}" is not a UUID`,
        });
    });
  }
  return rec;
}

/**
 * Parses `VBoxManage list hdds` (also `list dvds` / `list floppies`), VirtualBox 3.x–7.1: one record
 * per medium, records separated by blank lines, children listed after their parent. The 3.x logo
 * and Linux wrapper WARNING banners are skipped. Never throws: records without `UUID:`, unreadable
 * lines and unknown labels become issues with line numbers; the other records are kept.
 *
 * @param text stdout of the command.
 */
export function parseListHdds(text: string): ListHddsParse {
  const issues: ReadIssue[] = [];
  const media: MediumRecord[] = [];
  for (const raw of splitRecords(text, issues)) {
    const rec = toRecord(raw, issues);
    if (rec) media.push(rec);
  }
  return { media, issues };
}

/**
 * Parses `VBoxManage showmediuminfo [disk|dvd|floppy] <uuid|path>` (5.0–7.1; also 4.x `showhdinfo`).
 * Sizes: `virtualSizeMB` from `Capacity:` (MB), `actualSizeBytes` = `Size on disk:` MB × 1 048 576
 * (VBoxManage rounds down to whole MB, so this is precise to 1 MB). `type` is the medium type
 * without the `(base)`/`(differencing)` note (that goes to `base`); `parentUuid` is set for
 * differencing images only. `chain` holds just this medium.
 *
 * @throws VBoxParseError when the output holds no medium record with a `UUID:` line.
 */
export function parseMediumInfo(text: string): ParsedMedium {
  const { media, issues } = parseListHdds(text);
  const first = media[0];
  if (!first) {
    const where = issues.find((i) => i.line !== undefined);
    throw new VBoxParseError(
      `no medium found in the showmediuminfo output (expected a "UUID:" line)${where ? `; first problem: ${where.message}` : ''}`,
    );
  }
  if (media.length > 1) {
    issues.push({
      line: media[1].line,
      message: `line ${media[1].line}: ${media.length - 1} more medium record(s) after the first one ignored`,
    });
  }
  return { ...first, issues };
}

import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import fc from 'fast-check';
import type { ReadIssue } from '../../app/shared/model.ts';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';
import { parseHostInfo } from '../../app/core/vbox/parse-hostinfo.ts';
import { parseListVms } from '../../app/core/vbox/parse-list-vms.ts';
import { parseListHdds, parseMediumInfo } from '../../app/core/vbox/parse-mediuminfo.ts';
import { parseShowVmInfo } from '../../app/core/vbox/parse-showvminfo.ts';
import { parseSnapshotList, flattenSnapshots } from '../../app/core/vbox/parse-snapshots.ts';
import { parseSystemProperties } from '../../app/core/vbox/parse-systemproperties.ts';
import { parseVBoxVersion } from '../../app/core/vbox/parse-version.ts';
import { showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import { parseVboxFile } from '../../app/core/vbox/vbox-file.ts';
import { parseVirtualBoxXml } from '../../app/core/vbox/vbox-registry.ts';

/**
 * Property-test targets for every text parser of the app: generators (random mutations of the
 * real fixtures in `tests/fixtures/`, other parsers' fixtures, and arbitrary strings) and one
 * `check(input)` per parser that runs the parser and asserts its invariants. Shared by the
 * vitest property tests (`tests/unit/fuzz-*.test.ts`, a few hundred cases each) and
 * `scripts/fuzz.ts` (≥ 100 000 cases each).
 *
 * The common property: the parser never throws anything but its typed error
 * ({@link VBoxParseError}, or the reader's own typed error for the VMware/KVM readers), a typed
 * error that names a line names one inside the input, and the result keeps its invariants
 * (UUIDs are UUIDs, issue and key line numbers lie within the input, numbers are finite, the
 * result serialises to JSON for IPC).
 */

/** An invariant a parser broke for one input. `cause` is the parser's own error, if it threw one. */
export class FuzzViolation extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FuzzViolation';
  }
}

/** One parser under test. */
export interface FuzzTarget {
  /** Function name, e.g. `parseListVms`. */
  name: string;
  /** Source file, relative to the project root. */
  file: string;
  /** Generator of inputs for this parser. */
  arbitrary: fc.Arbitrary<string>;
  /** Runs the parser on `input`; throws {@link FuzzViolation} when an invariant breaks. */
  check(input: string): void;
  /** Bugs already reported to the parser's owner: violations they explain are counted apart, not failed. */
  knownBugs?: readonly KnownBug[];
}

/** A reported parser bug: which violations it explains, and a minimal input that shows it. */
export interface KnownBug {
  /** Short id used in test names and the fuzz table, e.g. `numbers-overflow`. */
  id: string;
  /** One sentence: what goes wrong. */
  title: string;
  /** True when `violation` is this bug. */
  matches(violation: FuzzViolation): boolean;
  /** A minimal input on which the target's check fails (or, for `hangs`, runs for seconds) because of this bug. */
  example: string;
  /** True for a slow-regex bug: it explains cases that run over the fuzz script's time limit. */
  hangs?: boolean;
}

/**
 * Reported: a regular expression of the parser backtracks super-linearly on long runs of blanks
 * (a `(.*?)\s*$`-style tail), so one long line takes seconds to minutes.
 */
export const SLOW_REGEX = (title: string, example: string): KnownBug => ({
  id: 'slow-regex',
  title,
  matches: () => false,
  example,
  hangs: true,
});

/**
 * Reported: numbers are read with `Number(/\d+/)` and no range check, so a value of 310+ digits
 * becomes `Infinity` (sent over IPC as `null`) and one above 2^53 loses precision. VBoxManage never
 * prints such values, but a hand-edited `.vbox` or a damaged dump can hold them. (Every reader now
 * leaves such values out with an issue; kept for bugs of this kind found later.)
 */
export const NUMBERS_OVERFLOW = (example: string): KnownBug => ({
  id: 'numbers-overflow',
  title: 'a number too long for a double becomes Infinity (or an unsafe integer) instead of an issue',
  matches: (v) =>
    /is -?Infinity\b|= -?Infinity\b|is not a safe non-negative integer|beyond ±2\^53/.test(v.message),
  example,
});

/** Known-bug id of `violation` for `target`, or undefined when it is a new failure. */
export function knownBugOf(target: FuzzTarget, violation: unknown): string | undefined {
  if (!(violation instanceof FuzzViolation)) return undefined;
  return target.knownBugs?.find((b) => b.matches(violation))?.id;
}

const ROOT = path.resolve(import.meta.dirname, '../..');
const FIXTURES = path.join(ROOT, 'tests/fixtures');

/** Every file of `tests/fixtures/<dir>` as text (UTF-8; latin-1 files keep their bytes as U+FFFD). */
export function fixtureTexts(dir: string): string[] {
  const full = path.join(FIXTURES, dir);
  if (!fs.existsSync(full)) return [];
  return fs
    .readdirSync(full)
    .sort()
    .map((f) => fs.readFileSync(path.join(full, f), 'utf8'));
}

/** Fixed per-target seed (FNV-1a of the name), or `FUZZ_SEED` when set. */
export function seedFor(name: string): number {
  if (process.env.FUZZ_SEED) return Number(process.env.FUZZ_SEED);
  let h = 0x811c9dc5;
  for (const c of name) h = Math.imul(h ^ c.charCodeAt(0), 0x01000193);
  return h >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------

/** Short texts that tend to break line/quote/escape/XML handling, and odd numbers. */
export const NASTY: readonly string[] = [
  '"',
  '""',
  '\\',
  '\\"',
  '\\\\',
  '"\\',
  '\0',
  '\r',
  '\n',
  '\r\n',
  '\n\n',
  '=',
  '==',
  '"="',
  '="',
  ':',
  ': ',
  '{',
  '}',
  '{}',
  '[',
  ']',
  '(',
  ')',
  '-',
  '-1-2',
  '#',
  ',',
  '<',
  '>',
  '&',
  '&amp;',
  '&lt;',
  '&#0;',
  '&#x110000;',
  '&#xD800;',
  '&#65;',
  '&unknown;',
  ']]>',
  '<!--',
  '-->',
  '<![CDATA[x]]>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE VirtualBox>',
  '<!DOCTYPE x [<!ENTITY a "b">]>',
  '<!DOCTYPE x SYSTEM "file:///etc/passwd">',
  '<Machine>',
  '</Machine>',
  '<Global/>',
  '<VirtualBox>',
  'WARNING: The vboxdrv kernel module is not loaded.',
  '         sudo /sbin/vboxconfig',
  'VirtualBox Command Line Management Interface Version 7.0.8',
  '(C) 2005-2024 Oracle and/or its affiliates',
  'All rights reserved.',
  'VBoxManage: error: Could not find a registered machine',
  '<inaccessible>',
  '<not set>',
  '<NULL>',
  'UUID=',
  'UUID="',
  'name="',
  'description="',
  'SnapshotName-1-1="',
  'Forwarding(0)="',
  'cpuid=00000001,00000002,00000003,00000004,00000005,00000006',
  ' rec_screen0',
  'VRDEClients==0',
  'UUID:',
  'Parent UUID: base',
  'Name: x (UUID: 00000000-0000-0000-0000-000000000000) *',
  '00000000-0000-0000-0000-000000000000',
  'ABCDEF01-2345-6789-ABCD-EF0123456789',
  '{ABCDEF01-2345-6789-ABCD-EF0123456789}',
  '  ',
  '\t',
  '\v',
  '\f',
  '\u00a0',
  '\u0085',
  '\u2028',
  '\u2029',
  '\ufeff',
  '\ud800',
  '\udfff',
  '\u202e',
  '\u0301',
  'é',
  '中文配置',
  '😀',
  '-1',
  '0',
  '00',
  '08',
  '4294967296',
  '9007199254740993',
  '99999999999999999999999999',
  '1e400',
  '-0',
  'NaN',
  'Infinity',
  '0x1F',
  '١٢',
  'on',
  'off',
  'true',
  'false',
  'yes',
  'no',
  '__proto__',
  'constructor',
  'hasOwnProperty',
  'toString',
  'C:\\Users\\user\\VirtualBox VMs\\x.vbox',
  '\\\\?\\C:\\dir',
  '/home/user/VirtualBox VMs/x/x.vbox',
  '../../etc/passwd',
  '$(rm -rf ~)',
  '`id`',
  '%s%n%x',
];

/** A text piece: a nasty token, random code points, a run of tokens, or (rarely) a very long run. */
export const pieceArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 10, arbitrary: fc.constantFrom(...NASTY) },
  { weight: 6, arbitrary: fc.string({ unit: 'binary', maxLength: 24 }) },
  { weight: 4, arbitrary: fc.string({ maxLength: 24 }) },
  {
    weight: 4,
    arbitrary: fc.array(fc.constantFrom(...NASTY), { minLength: 2, maxLength: 6 }).map((a) => a.join('')),
  },
  {
    weight: 1,
    arbitrary: fc
      .record({
        unit: fc.constantFrom('a', ' ', '"', '\\', '=', ':', '-', '0', '9', '中', '\t', 'a ', '\\"', '&#65;'),
        n: fc.integer({ min: 200, max: 20_000 }),
      })
      .map(({ unit, n }) => unit.repeat(Math.ceil(n / unit.length))),
  },
);

/** One edit of a text. Positions are taken modulo the current line or character count. */
export type Mutation =
  | { op: 'insertLine'; at: number; text: string }
  | { op: 'deleteLine'; at: number }
  | { op: 'duplicateLine'; at: number; times: number }
  | { op: 'swapLines'; a: number; b: number }
  | { op: 'replaceLine'; at: number; text: string }
  | { op: 'glueLines'; at: number }
  | { op: 'truncate'; at: number }
  | { op: 'inject'; at: number; text: string }
  | { op: 'deleteChars'; at: number; len: number }
  | { op: 'replaceValue'; at: number; text: string; xmlEscape: boolean }
  | { op: 'lineEndings'; eol: '\r\n' | '\r' | '\n' | '\n\n' }
  | { op: 'indent'; at: number; text: string };

const pos = fc.nat();

/** Generator of one {@link Mutation}. */
export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant('insertLine' as const), at: pos, text: pieceArb }),
  fc.record({ op: fc.constant('deleteLine' as const), at: pos }),
  fc.record({ op: fc.constant('duplicateLine' as const), at: pos, times: fc.integer({ min: 1, max: 3 }) }),
  fc.record({ op: fc.constant('swapLines' as const), a: pos, b: pos }),
  fc.record({ op: fc.constant('replaceLine' as const), at: pos, text: pieceArb }),
  fc.record({ op: fc.constant('glueLines' as const), at: pos }),
  fc.record({ op: fc.constant('truncate' as const), at: pos }),
  fc.record({ op: fc.constant('inject' as const), at: pos, text: pieceArb }),
  fc.record({ op: fc.constant('deleteChars' as const), at: pos, len: fc.integer({ min: 1, max: 40 }) }),
  fc.record({ op: fc.constant('replaceValue' as const), at: pos, text: pieceArb, xmlEscape: fc.boolean() }),
  fc.record({ op: fc.constant('lineEndings' as const), eol: fc.constantFrom('\r\n', '\r', '\n', '\n\n') }),
  fc.record({
    op: fc.constant('indent' as const),
    at: pos,
    text: fc.constantFrom(' ', '  ', '\t', '\u3000'),
  }),
);

const xmlEscape = (s: string): string =>
  s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;').replace(/\0/g, '');

/** Applies one mutation to `text` (pure). */
export function applyMutation(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const li = (n: number, extra = 0): number => n % (lines.length + extra);
  const ci = (n: number): number => n % (text.length + 1);
  switch (m.op) {
    case 'insertLine':
      lines.splice(li(m.at, 1), 0, m.text);
      return lines.join('\n');
    case 'deleteLine':
      lines.splice(li(m.at), 1);
      return lines.join('\n');
    case 'duplicateLine': {
      const i = li(m.at);
      lines.splice(i, 0, ...Array<string>(m.times).fill(lines[i]));
      return lines.join('\n');
    }
    case 'swapLines': {
      const a = li(m.a);
      const b = li(m.b);
      [lines[a], lines[b]] = [lines[b], lines[a]];
      return lines.join('\n');
    }
    case 'replaceLine':
      lines[li(m.at)] = m.text;
      return lines.join('\n');
    case 'glueLines': {
      if (lines.length < 2) return text;
      const i = m.at % (lines.length - 1);
      lines.splice(i, 2, lines[i].replace(/\r$/, '') + lines[i + 1]);
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, ci(m.at));
    case 'inject': {
      const at = ci(m.at);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'deleteChars': {
      const at = ci(m.at);
      return text.slice(0, at) + text.slice(at + m.len);
    }
    case 'replaceValue': {
      // The n-th quoted value (`key="…"`, `attr="…"`) or, failing that, the n-th `Label: value`.
      const starts: number[] = [];
      for (let i = text.indexOf('="'); i >= 0; i = text.indexOf('="', i + 2)) starts.push(i + 2);
      const v = m.xmlEscape ? xmlEscape(m.text) : m.text;
      if (starts.length > 0) {
        const s = starts[m.at % starts.length];
        const e = text.indexOf('"', s);
        return text.slice(0, s) + v + (e < 0 ? '' : text.slice(e));
      }
      const i = li(m.at);
      const colon = lines[i].indexOf(':');
      if (colon >= 0) lines[i] = `${lines[i].slice(0, colon + 1)} ${v}`;
      return lines.join('\n');
    }
    case 'lineEndings':
      return text.replace(/\r\n|\r|\n/g, m.eol);
    case 'indent':
      lines[li(m.at)] = m.text + lines[li(m.at)];
      return lines.join('\n');
  }
}

/** A fixture with 1–8 mutations applied in order. */
export function mutatedArb(fixtures: readonly string[]): fc.Arbitrary<string> {
  return fc
    .tuple(fc.constantFrom(...fixtures), fc.array(mutationArb, { minLength: 1, maxLength: 8 }))
    .map(([text, ms]) => ms.reduce(applyMutation, text));
}

/** Lines of nasty pieces and `key=value`/`Label: value` shapes, joined with a random line ending. */
export const lineSoupArb: fc.Arbitrary<string> = fc
  .tuple(
    fc.array(
      fc.oneof(
        pieceArb,
        fc.tuple(pieceArb, pieceArb).map(([k, v]) => `${k}="${v}"`),
        fc.tuple(pieceArb, pieceArb).map(([k, v]) => `"${k}"=${v}`),
        fc.tuple(pieceArb, pieceArb).map(([k, v]) => `${k}: ${v}`),
        fc.tuple(pieceArb, pieceArb).map(([k, v]) => `<${k} a="${v}">`),
      ),
      { maxLength: 30 },
    ),
    fc.constantFrom('\n', '\r\n', '\r'),
  )
  .map(([ls, eol]) => ls.join(eol));

/**
 * Inputs for a parser: mostly its own fixtures mutated, sometimes unmutated, sometimes other
 * parsers' fixtures mutated, sometimes arbitrary strings or line soup.
 */
export function inputArb(own: readonly string[], others: readonly string[]): fc.Arbitrary<string> {
  const parts: fc.WeightedArbitrary<string>[] = [
    { weight: 14, arbitrary: mutatedArb(own) },
    { weight: 1, arbitrary: fc.constantFrom(...own) },
    { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 300 }) },
    { weight: 1, arbitrary: fc.string({ maxLength: 300 }) },
    { weight: 2, arbitrary: lineSoupArb },
  ];
  if (others.length > 0) parts.push({ weight: 2, arbitrary: mutatedArb(others) });
  return fc.oneof(...parts);
}

// ---------------------------------------------------------------------------------------------
// Invariant helpers
// ---------------------------------------------------------------------------------------------

/** Matches a lower-case UUID without braces. */
export const LOWER_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let lastText: string | undefined;
let lastMax = 1;

/**
 * Highest line number any reading of `text` can have (LF, CRLF and lone CR all count as breaks).
 * The last answer is cached: checks call this once per issue, and a damaged input can have
 * thousands of issues (recounting each time made the check, not the parser, take seconds).
 */
export function maxLine(text: string): number {
  if (text === lastText) return lastMax;
  let n = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) n++;
    else if (c === 13 && text.charCodeAt(i + 1) !== 10) n++;
  }
  lastText = text;
  lastMax = n;
  return n;
}

const fail = (message: string, cause?: unknown): never => {
  throw new FuzzViolation(message, cause === undefined ? undefined : { cause });
};

/** Line numbers must be integers in 1…maxLine. */
export function checkLine(line: unknown, text: string, what: string): void {
  if (line === undefined) return;
  const max = maxLine(text);
  if (typeof line !== 'number' || !Number.isInteger(line) || line < 1 || line > max)
    fail(`${what}: line ${String(line)} outside 1…${max}`);
}

/** Every issue has a non-empty message and a line (if any) inside the input. */
export function checkIssues(issues: readonly ReadIssue[] | undefined, text: string, what = 'issue'): void {
  if (!Array.isArray(issues)) fail(`${what}s: not an array`);
  for (const i of issues!) {
    if (typeof i.message !== 'string' || i.message === '') fail(`${what} without message`);
    checkLine(i.line, text, `${what} "${i.message.slice(0, 80)}"`);
  }
}

/**
 * Walks a result: every number finite and no larger than 2^53 − 1 in magnitude (a count, size or
 * index beyond that is not exact: the readers leave such values out with an issue), no cycles; then
 * it must round-trip through JSON.
 */
export function checkPlain(value: unknown, what: string): void {
  const seen = new Set<object>();
  const walk = (v: unknown, at: string): void => {
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(`${what}: ${at} is ${v}`);
      if (Math.abs(v) > Number.MAX_SAFE_INTEGER) fail(`${what}: ${at} is ${v}, beyond ±2^53 (not exact)`);
      return;
    }
    if (typeof v === 'bigint' || typeof v === 'function' || typeof v === 'symbol')
      fail(`${what}: ${at} is a ${typeof v}`);
    if (v === null || typeof v !== 'object') return;
    if (seen.has(v)) fail(`${what}: ${at} is a cycle`);
    seen.add(v);
    if (v instanceof Map) {
      for (const [k, x] of v) walk(x, `${at}.get(${String(k)})`);
    } else {
      for (const [k, x] of Object.entries(v)) walk(x, `${at}.${k}`);
    }
    seen.delete(v);
  };
  walk(value, what);
  JSON.stringify(value);
}

/**
 * Runs `fn`; a thrown {@link VBoxParseError} is allowed when `allowTyped` (its line checked
 * against `text`) and returns undefined; anything else thrown is a violation.
 */
export function guard<T>(
  text: string,
  allowTyped: boolean,
  fn: () => T,
  isTyped = isVBoxParseError,
): T | undefined {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FuzzViolation) throw err;
    if (allowTyped && isTyped(err)) {
      const e = err as Error & { line?: number };
      if (typeof e.message !== 'string' || e.message === '') fail('typed error without message', err);
      checkLine(e.line, text, `${e.name} "${e.message.slice(0, 80)}"`);
      if (e.line !== undefined && !e.message.includes(`line ${e.line}`) && !/line/i.test(e.message))
        fail(`typed error with line ${e.line} does not name it: ${e.message.slice(0, 120)}`, err);
      return undefined;
    }
    const name = err instanceof Error ? err.name : typeof err;
    const msg = err instanceof Error ? err.message : String(err);
    return fail(
      `uncaught ${allowTyped ? 'untyped' : ''} ${name}: ${msg.slice(0, 200)}${allowTyped ? '' : ' (this parser must never throw)'}`,
      err,
    );
  }
}

/** True for the VirtualBox readers' typed error. */
export function isVBoxParseError(err: unknown): boolean {
  return err instanceof VBoxParseError;
}

// ---------------------------------------------------------------------------------------------
// Targets
// ---------------------------------------------------------------------------------------------

const F = {
  listvms: fixtureTexts('listvms'),
  showvminfo: fixtureTexts('showvminfo'),
  human: fixtureTexts('showvminfo-human'),
  hostinfo: fixtureTexts('hostinfo'),
  systemproperties: fixtureTexts('systemproperties'),
  snapshots: fixtureTexts('snapshots'),
  hdds: fixtureTexts('hdds'),
  vbox: fixtureTexts('vbox'),
  virtualboxXml: fixtureTexts('virtualbox-xml'),
  vmx: fixtureTexts('vmx'),
  libvirt: fixtureTexts('libvirt'),
  ostypes: fixtureTexts('ostypes'),
};

const VERSION_SAMPLES = [
  '7.1.12r169651\n',
  '4.1.2_Ubuntur38459\n',
  '4.3.20_OSEr96996\r\n',
  '6.1.50_BETA2r161033',
  '7.0.8_RC1_Debianr156879\n',
  'WARNING: The vboxdrv kernel module is not loaded. Either there is no module\n         available for the current kernel (6.1.0) or it failed to\n         load. Please recompile the kernel module and install it by\n\n           sudo /sbin/vboxconfig\n\n         You will not be able to start VMs until this problem is fixed.\n7.0.14r161095\n',
  'Oracle VM VirtualBox Command Line Management Interface Version 7.0.8\nCopyright (C) 2005-2023 Oracle and/or its affiliates\n\n',
  '3.1.2r56127\n',
];

const textFixtures = [
  ...F.listvms,
  ...F.showvminfo,
  ...F.human,
  ...F.hostinfo,
  ...F.systemproperties,
  ...F.snapshots,
  ...F.hdds,
  ...F.ostypes,
];
const xmlFixtures = [...F.vbox, ...F.virtualboxXml, ...F.libvirt];
const others = (own: readonly string[]): string[] =>
  [...textFixtures, ...xmlFixtures].filter((t) => !own.includes(t));

/** Snapshot nodes must have a UUID unless an issue says why not. */
function checkSnapshotTree(
  roots: readonly { uuid: string; children: unknown[] }[],
  issues: readonly ReadIssue[],
  what: string,
): void {
  const flat = flattenSnapshots(roots as Parameters<typeof flattenSnapshots>[0]);
  const bad = flat.filter((f) => !LOWER_UUID.test(f.node.uuid));
  if (bad.length > 0 && issues.length === 0)
    fail(`${what}: snapshot "${bad[0].node.name}" has uuid "${bad[0].node.uuid}" and no issue says so`);
}

/** The VirtualBox parsers (always present). */
export function vboxTargets(): FuzzTarget[] {
  return [
    {
      name: 'parseListVms',
      file: 'app/core/vbox/parse-list-vms.ts',
      arbitrary: inputArb(F.listvms, others(F.listvms)),
      check(text) {
        const r = guard(text, false, () => parseListVms(text))!;
        checkIssues(r.issues, text);
        for (const vm of r.vms) {
          if (!LOWER_UUID.test(vm.uuid)) fail(`VM uuid "${vm.uuid}" is not a lower-case UUID`);
          if (vm.accessible !== (vm.name !== '<inaccessible>')) fail(`accessible wrong for "${vm.name}"`);
          // A name with newlines keeps them as `\n` (its row spans lines); a CR never survives.
          if (vm.name.includes('\r')) fail(`VM name contains a CR: ${JSON.stringify(vm.name)}`);
        }
        checkPlain(r, 'list vms');
      },
    },
    {
      name: 'parseShowVmInfo',
      file: 'app/core/vbox/parse-showvminfo.ts',
      arbitrary: inputArb(F.showvminfo, others(F.showvminfo)),
      check(text) {
        const r = guard(text, false, () => parseShowVmInfo(text))!;
        checkIssues(r.issues, text);
        let last = 0;
        for (const e of r.entries) {
          checkLine(e.line, text, `entry "${e.key.slice(0, 40)}"`);
          if (e.line < last) fail(`entries out of order: line ${e.line} after ${last}`);
          last = e.line;
          if (typeof e.key !== 'string' || typeof e.value !== 'string') fail('entry key/value not strings');
        }
        checkPlain(r, 'showvminfo');
      },
    },
    {
      name: 'showVmInfoToConfig',
      file: 'app/core/vbox/to-config.ts',
      arbitrary: inputArb(F.showvminfo, others(F.showvminfo)),
      check(text) {
        for (const source of ['vboxmanage', 'file'] as const) {
          const config = guard(text, source === 'vboxmanage', () => showVmInfoToConfig(text, source));
          if (!config) continue;
          checkIssues(config.issues, text);
          for (const u of config.unknownKeys) checkLine(u.line, text, `unknown key "${u.key.slice(0, 40)}"`);
          if (config.id !== config.id.trim() || /^\{|\}$/.test(config.id))
            fail(`id "${config.id}" not normalised`);
          checkPlain(config, 'config');
          const summary = guard(text, false, () => summaryFromConfig(config))!;
          if (summary.id !== config.id) fail('summary id differs from config id');
          checkPlain(summary, 'summary');
        }
      },
    },
    {
      name: 'parseHostInfo',
      file: 'app/core/vbox/parse-hostinfo.ts',
      arbitrary: inputArb(F.hostinfo, others(F.hostinfo)),
      check(text) {
        const r = guard(text, false, () => parseHostInfo(text))!;
        checkIssues(r.issues, text);
        for (const k of [
          'cpuOnlineCount',
          'cpuCount',
          'coreOnlineCount',
          'coreCount',
          'memoryMB',
          'memoryAvailableMB',
        ] as const) {
          const v = r[k];
          if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0))
            fail(`${k} = ${v} is not a safe non-negative integer`);
        }
        checkPlain(r, 'hostinfo');
      },
    },
    {
      name: 'parseSystemProperties',
      file: 'app/core/vbox/parse-systemproperties.ts',
      arbitrary: inputArb(F.systemproperties, others(F.systemproperties)),
      check(text) {
        const r = guard(text, false, () => parseSystemProperties(text))!;
        checkIssues(r.issues, text);
        for (const k of [
          'minGuestRamMB',
          'maxGuestRamMB',
          'minGuestCpus',
          'maxGuestCpus',
          'maxVramMB',
          'maxMonitors',
          'maxNicsPiix3',
          'maxNicsIch9',
        ] as const) {
          const v = r[k];
          if (v !== undefined && !(Number.isSafeInteger(v) && v >= 0))
            fail(`${k} = ${v} is not a safe non-negative integer`);
        }
        if (Object.getPrototypeOf(r.values) !== Object.prototype) fail('values lost its prototype');
        checkPlain(r, 'systemproperties');
      },
    },
    {
      name: 'parseVBoxVersion',
      file: 'app/core/vbox/parse-version.ts',
      arbitrary: inputArb(VERSION_SAMPLES, others(VERSION_SAMPLES)),
      check(text) {
        const r = guard(text, true, () => parseVBoxVersion(text));
        if (!r) return;
        for (const k of ['major', 'minor', 'build', 'revision'] as const) {
          const v = r[k];
          if (k === 'revision' && v === undefined && r.issues?.length) continue;
          if (v === undefined || !Number.isSafeInteger(v) || v < 0)
            fail(`${k} = ${v} is not a safe non-negative integer`);
        }
        if (r.issues) checkIssues(r.issues, text);
        if (!text.includes(r.version)) fail(`version "${r.version}" is not in the output`);
      },
    },
    {
      name: 'parseSnapshotList',
      file: 'app/core/vbox/parse-snapshots.ts',
      arbitrary: inputArb(F.snapshots, others(F.snapshots)),
      check(text) {
        const r = guard(text, false, () => parseSnapshotList(text))!;
        checkIssues(r.issues, text);
        checkSnapshotTree(r.roots, r.issues, 'snapshot list');
        const flat = flattenSnapshots(r.roots);
        if (r.currentUuid !== undefined && !flat.some((f) => f.node.uuid === r.currentUuid))
          fail(`currentUuid ${r.currentUuid} is not in the tree`);
        if (flat.filter((f) => f.node.current).length > 1) fail('more than one current snapshot');
        checkPlain(r, 'snapshots');
      },
    },
    {
      name: 'parseListHdds/parseMediumInfo',
      file: 'app/core/vbox/parse-mediuminfo.ts',
      arbitrary: inputArb(F.hdds, others(F.hdds)),
      check(text) {
        const r = guard(text, false, () => parseListHdds(text))!;
        checkIssues(r.issues, text);
        for (const m of r.media) {
          checkLine(m.line, text, `medium ${m.uuid}`);
          if (!LOWER_UUID.test(m.uuid) && r.issues.length === 0) fail(`medium uuid "${m.uuid}" and no issue`);
          if (m.virtualSizeMB !== undefined && !(m.virtualSizeMB >= 0))
            fail(`virtualSizeMB ${m.virtualSizeMB}`);
          if (m.actualSizeBytes !== undefined && !(m.actualSizeBytes >= 0))
            fail(`actualSizeBytes ${m.actualSizeBytes}`);
        }
        checkPlain(r, 'list hdds');
        const one = guard(text, true, () => parseMediumInfo(text));
        if (one) {
          checkIssues(one.issues, text);
          checkPlain(one, 'mediuminfo');
        }
      },
    },
    {
      name: 'parseVboxFile',
      file: 'app/core/vbox/vbox-file.ts',
      arbitrary: inputArb(F.vbox, others(F.vbox)),
      check(text) {
        for (const p of [
          undefined,
          '/home/user/VirtualBox VMs/x/x.vbox',
          'C:\\Users\\user\\VirtualBox VMs\\x\\x.vbox',
        ]) {
          const r = guard(text, true, () => parseVboxFile(text, p ? { path: p } : {}));
          if (!r) return;
          checkIssues(r.issues, text);
          for (const u of r.config.unknownKeys)
            checkLine(u.line, text, `unknown key "${u.key.slice(0, 40)}"`);
          for (const m of r.media) checkLine(m.line, text, `medium ${m.uuid}`);
          checkPlain(r, 'vbox file');
          checkPlain(
            guard(text, false, () => summaryFromConfig(r.config)),
            'summary',
          );
        }
      },
    },
    {
      name: 'parseVirtualBoxXml',
      file: 'app/core/vbox/vbox-registry.ts',
      arbitrary: inputArb(F.virtualboxXml, others(F.virtualboxXml)),
      check(text) {
        const r = guard(text, true, () =>
          parseVirtualBoxXml(text, { path: '/home/user/.config/VirtualBox/VirtualBox.xml' }),
        );
        if (!r) return;
        checkIssues(r.issues, text);
        const seen = new Set<string>();
        for (const m of r.machines) {
          checkLine(m.line, text, `machine ${m.uuid}`);
          if (m.uuid === '' || m.rawSrc === '') fail('machine entry without uuid or src kept');
          if (seen.has(m.uuid)) fail(`machine ${m.uuid} kept twice`);
          seen.add(m.uuid);
        }
        checkPlain(r, 'VirtualBox.xml');
      },
    },
  ];
}

/** Fixture groups, for targets that other modules add (VMware, KVM). */
export const FIXTURE_GROUPS = F;
export { others as otherFixtures };

// ---------------------------------------------------------------------------------------------
// VMware and KVM readers (loaded when present: other helpers write them)
// ---------------------------------------------------------------------------------------------

/** Imports a project module by path relative to the root; undefined when it does not exist. */
async function optionalModule(rel: string): Promise<Record<string, unknown> | undefined> {
  const file = path.join(ROOT, rel);
  if (!fs.existsSync(file)) return undefined;
  return (await import(pathToFileURL(file).href)) as Record<string, unknown>;
}

type Fn = (...args: unknown[]) => unknown;
const fnOf = (mod: Record<string, unknown> | undefined, name: string): Fn | undefined =>
  typeof mod?.[name] === 'function' ? (mod[name] as Fn) : undefined;

/** Samples of `virsh` output in the layouts libvirt prints (written for these tests, not recorded). */
export const VIRSH_SAMPLES = {
  list: [
    ' Id   Name      State\n--------------------------\n 1    web-01    running\n -    db 2      shut off\n\n',
    '4dea22b3-1d52-d8f3-2516-782e98ab3fa0 web-01\n5eab33c4-2e63-e9f4-3627-893f09bc4fb1 db 2\n\n',
  ],
  dominfo: [
    'Id:             1\nName:           web-01\nUUID:           4dea22b3-1d52-d8f3-2516-782e98ab3fa0\nOS Type:        hvm\nState:          running\nCPU(s):         2\nCPU time:       12.3s\nMax memory:     2097152 KiB\nUsed memory:    2097152 KiB\nPersistent:     yes\nAutostart:      disable\nManaged save:   no\nSecurity model: apparmor\nSecurity DOI:   0\n\n',
  ],
  nodeinfo: [
    'CPU model:           x86_64\nCPU(s):              8\nCPU frequency:       2400 MHz\nCPU socket(s):       1\nCore(s) per socket:  4\nThread(s) per core:  2\nNUMA cell(s):        1\nMemory size:         16318412 KiB\n\n',
  ],
  version: [
    'Compiled against library: libvirt 9.0.0\nUsing library: libvirt 9.0.0\nUsing API: QEMU 9.0.0\nRunning hypervisor: QEMU 7.2.0\n\n',
  ],
};

/** Targets for `app/core/vmware/parse-vmx.ts` (+ `to-config.ts`) and `app/core/kvm/*` when those files exist. */
export async function optionalTargets(): Promise<FuzzTarget[]> {
  const out: FuzzTarget[] = [];
  const vmx = await optionalModule('app/core/vmware/parse-vmx.ts');
  const vmxConfig = await optionalModule('app/core/vmware/to-config.ts');
  const parseVmx = fnOf(vmx, 'parseVmx');
  if (parseVmx && F.vmx.length > 0) {
    const toConfig = fnOf(vmxConfig, 'vmxToConfig');
    const summary = fnOf(vmxConfig, 'vmwareSummary');
    out.push({
      name: 'parseVmx/vmxToConfig',
      file: 'app/core/vmware/parse-vmx.ts',
      arbitrary: inputArb(F.vmx, others(F.vmx)),
      check(text) {
        const asBytes = new TextEncoder().encode(text);
        for (const input of [text, asBytes]) {
          const r = guard(text, false, () => parseVmx(input, { path: '/vms/x/x.vmx' })) as {
            entries: { line: number; key: string }[];
            issues: ReadIssue[];
          };
          // Lines of the byte input count after decoding, which may add or drop breaks: check the text form strictly.
          const ref = typeof input === 'string' ? text : text + '\n'.repeat(16);
          checkIssues(r.issues, ref);
          for (const e of r.entries) checkLine(e.line, ref, `entry "${e.key.slice(0, 40)}"`);
          checkPlain(r, 'vmx');
          if (!toConfig) continue;
          const config = guard(text, false, () => toConfig(r, { path: '/vms/x/x.vmx' })) as {
            id: string;
            issues: ReadIssue[];
          };
          if (!config.id) fail('VMware config without id');
          checkIssues(config.issues, ref);
          checkPlain(config, 'vmx config');
          if (summary)
            checkPlain(
              guard(text, false, () => summary(config)),
              'vmware summary',
            );
        }
      },
    });
  }

  const domain = await optionalModule('app/core/kvm/domain-xml.ts');
  const parseDomainXml = fnOf(domain, 'parseDomainXml');
  const KvmParseError = domain?.KvmParseError as (new (...a: never[]) => Error) | undefined;
  if (parseDomainXml && KvmParseError && F.libvirt.length > 0) {
    out.push({
      name: 'parseDomainXml',
      file: 'app/core/kvm/domain-xml.ts',
      arbitrary: inputArb(F.libvirt, others(F.libvirt)),
      check(text) {
        const config = guard(
          text,
          true,
          () => parseDomainXml(text),
          (e) => e instanceof KvmParseError,
        ) as { id: string; issues: ReadIssue[]; unknownKeys: { line: number; key: string }[] } | undefined;
        if (!config) return;
        checkIssues(config.issues, text);
        for (const u of config.unknownKeys) checkLine(u.line, text, `unknown key "${u.key.slice(0, 40)}"`);
        checkPlain(config, 'domain config');
      },
    });
  }

  const virsh = await optionalModule('app/core/kvm/parse-virsh.ts');
  const virshParsers: [string, keyof typeof VIRSH_SAMPLES][] = [
    ['parseListAll', 'list'],
    ['parseDominfo', 'dominfo'],
    ['parseNodeinfo', 'nodeinfo'],
    ['parseVirshVersion', 'version'],
  ];
  for (const [fnName, sample] of virshParsers) {
    const fn = fnOf(virsh, fnName);
    if (!fn) continue;
    const own = VIRSH_SAMPLES[sample];
    out.push({
      name: fnName,
      file: 'app/core/kvm/parse-virsh.ts',
      arbitrary: inputArb(own, others(own)),
      check(text) {
        const r = guard(text, false, () => fn(text)) as { issues: ReadIssue[] };
        checkIssues(r.issues, text);
        checkPlain(r, fnName);
      },
    });
  }
  return out;
}

/** The VirtualBox targets followed by the optional VMware/KVM ones. */
export async function allTargets(): Promise<FuzzTarget[]> {
  return [...vboxTargets(), ...(await optionalTargets())];
}

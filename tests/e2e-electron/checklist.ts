/**
 * Facts of the Electron security checklist (electron-and-toolchain.md §2.1) that the static tests
 * (tests/unit/security-checklist.test.ts) and the Electron e2e tests share: the oldest supported
 * Electron major (item 16) and the fuse wire of a packaged app (item 19). Node-only, and it never
 * loads the `electron` package.
 */

import fs from 'node:fs';
import path from 'node:path';

/**
 * Oldest Electron major still supported (item 16): Electron supports the latest three majors;
 * on 2026-11-29 those were 45, 44 and 43 (43 reaches end of life on 2027-01-05).
 */
export const MIN_SUPPORTED_ELECTRON_MAJOR = 43;

/** Marker Electron places right before its fuse wire (Electron ≥ 12; same text in @electron/fuses 1.8). */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** Fuse names of wire version 1, in wire order (@electron/fuses 1.8 `FuseV1Options`). */
export const FUSE_NAMES_V1 = [
  'runAsNode',
  'enableCookieEncryption',
  'enableNodeOptionsEnvironmentVariable',
  'enableNodeCliInspectArguments',
  'enableEmbeddedAsarIntegrityValidation',
  'onlyLoadAppFromAsar',
  'loadBrowserProcessSpecificV8Snapshot',
  'grantFileProtocolExtraPrivileges',
] as const;

/** State of one fuse: byte `'1'`, `'0'`, `'r'` (removed in this Electron), anything else. */
export type FuseState = 'enabled' | 'disabled' | 'removed' | 'unknown';

/** A fuse wire read from a binary. */
export interface FuseWire {
  /** Wire version byte (1 for every Electron so far). */
  version: number;
  /** Fuse name (or `fuse<index>` past the names known here) → state. */
  fuses: Record<string, FuseState>;
}

/**
 * Fuses a release build must have (item 19). `enableNodeCliInspectArguments` stays on only in the
 * build the Electron e2e tests launch (Playwright attaches through `--inspect`), never in a release.
 */
export const RELEASE_FUSES: Readonly<Record<string, boolean>> = Object.freeze({
  runAsNode: false,
  enableCookieEncryption: true,
  enableNodeOptionsEnvironmentVariable: false,
  enableNodeCliInspectArguments: false,
  enableEmbeddedAsarIntegrityValidation: true,
  onlyLoadAppFromAsar: true,
  grantFileProtocolExtraPrivileges: false,
});

/**
 * Reads the fuse wire of an Electron binary: the byte after {@link FUSE_SENTINEL} is the wire
 * version, the next its length, then one byte per fuse.
 *
 * @throws Error when the sentinel is absent (not an Electron binary, or Electron < 12) or the wire
 *   is cut short.
 */
export function readFuseWire(binary: Buffer): FuseWire {
  const at = binary.indexOf(FUSE_SENTINEL, 0, 'latin1');
  if (at < 0) throw new Error('No fuse sentinel in this file: not an Electron binary (or Electron < 12).');
  const start = at + FUSE_SENTINEL.length;
  if (start + 2 > binary.length) throw new Error('The fuse wire is cut short after its sentinel.');
  const version = binary[start];
  const length = binary[start + 1];
  if (start + 2 + length > binary.length) throw new Error(`The fuse wire (${length} fuses) is cut short.`);
  const fuses: Record<string, FuseState> = {};
  for (let i = 0; i < length; i++) {
    const byte = binary[start + 2 + i];
    const name = version === 1 && i < FUSE_NAMES_V1.length ? FUSE_NAMES_V1[i] : `fuse${i}`;
    fuses[name] =
      byte === 0x31 ? 'enabled' : byte === 0x30 ? 'disabled' : byte === 0x72 ? 'removed' : 'unknown';
  }
  return { version, fuses };
}

/** Each fuse of `expected` the wire has in another state, one English sentence per fuse; `[]` when all match. */
export function fuseProblems(
  wire: FuseWire,
  expected: Readonly<Record<string, boolean>> = RELEASE_FUSES,
): string[] {
  const problems: string[] = [];
  if (wire.version !== 1) problems.push(`Fuse wire version ${wire.version}; these checks know version 1.`);
  for (const [name, on] of Object.entries(expected)) {
    const state = wire.fuses[name];
    const want = on ? 'enabled' : 'disabled';
    if (state === undefined) problems.push(`${name} is not on this binary's fuse wire.`);
    else if (state !== want) problems.push(`${name} is ${state}; it must be ${want}.`);
  }
  return problems;
}

/**
 * The file that holds the fuse wire of a packaged app: the executable itself on Linux and Windows,
 * the Electron Framework inside a macOS `.app` (given as the bundle or a path inside it).
 */
export function fuseFileOf(appPath: string): string {
  const framework = path.join('Frameworks', 'Electron Framework.framework', 'Electron Framework');
  if (appPath.endsWith('.app')) return path.join(appPath, 'Contents', framework);
  const i = appPath.indexOf('.app/');
  if (i >= 0) return path.join(appPath.slice(0, i + 4), 'Contents', framework);
  return appPath;
}

/** Packaging configs electron-builder reads from the project root (besides `build` in package.json). */
export const BUILDER_CONFIG_FILES = [
  'electron-builder.yml',
  'electron-builder.yaml',
  'electron-builder.json',
  'electron-builder.json5',
  'electron-builder.toml',
  'electron-builder.js',
  'electron-builder.cjs',
  'electron-builder.mjs',
  'electron-builder.ts',
  'electron-builder.config.js',
  'electron-builder.config.cjs',
  'electron-builder.config.mjs',
  'electron-builder.config.ts',
];

/** The packaging config files present under `root`, and whether package.json has a `build` key. */
export function packagingConfig(root: string): { files: string[]; packageJsonBuild: boolean } {
  const files = BUILDER_CONFIG_FILES.filter((f) => fs.existsSync(path.join(root, f)));
  const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as Record<string, unknown>;
  return { files, packageJsonBuild: 'build' in pkg };
}

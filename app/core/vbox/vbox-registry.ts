import { homedir as osHomedir } from 'node:os';
import path from 'node:path';
import type { ReadIssue, VmSummary } from '../../shared/model.ts';
import { FileReadError, readRegularFile } from '../enrich.ts';
import { VBoxParseError } from './errors.ts';
import { summaryFromConfig } from './to-config.ts';
import {
  decodeSettingsBytes,
  loadSettingsXml,
  normalizeUuid,
  parseVboxFile,
  pathApiFor,
  readMediaRegistry,
  resolveAgainst,
  type VboxFileResult,
  type VboxMedium,
  type XmlElement,
} from './vbox-file.ts';

/**
 * Finding VirtualBox VMs without `VBoxManage`: the global settings file `VirtualBox.xml` (its
 * machine registry lists every registered VM's `.vbox`), then each `.vbox` read directly.
 * Format and locations: reference `virtualbox-settings.md` §6.2 (VirtualBox 2.x–7.1).
 */

/** Name of the global settings file inside the VirtualBox home folder. */
export const VIRTUALBOX_XML = 'VirtualBox.xml';

/**
 * Where `VirtualBox.xml` may be, most likely first (reference §6.2, `GetVBoxUserHomeDirectory.cpp`):
 * 1. `$VBOX_USER_HOME/VirtualBox.xml` when the variable is set (made absolute against the current folder);
 * 2. Windows: `%USERPROFILE%\.VirtualBox\VirtualBox.xml` (USERPROFILE, else `homedir`);
 *    macOS: `~/Library/VirtualBox/VirtualBox.xml`;
 *    Linux and other Unix: `~/.VirtualBox/VirtualBox.xml` (legacy, used when it exists), then
 *    `$XDG_CONFIG_HOME/VirtualBox/VirtualBox.xml` (default `~/.config/VirtualBox/VirtualBox.xml`).
 * Paths use the platform's separators; duplicates are removed. Pure: touches no file.
 *
 * @param platform `process.platform` value (`win32`, `darwin`, `linux`, …).
 * @param env environment variables (`VBOX_USER_HOME`, `USERPROFILE`, `XDG_CONFIG_HOME`).
 * @param homedir the user's home folder (`os.homedir()`).
 */
export function virtualBoxXmlCandidates(
  platform: string,
  env: Record<string, string | undefined>,
  homedir: string,
): string[] {
  const p = platform === 'win32' ? path.win32 : path.posix;
  const out: string[] = [];
  const userHome = env.VBOX_USER_HOME?.trim();
  if (userHome) {
    const abs = p.isAbsolute(userHome) ? userHome : p.resolve(userHome);
    out.push(p.join(abs, VIRTUALBOX_XML));
  }
  if (platform === 'win32') {
    const profile = env.USERPROFILE?.trim() || homedir;
    out.push(p.join(profile, '.VirtualBox', VIRTUALBOX_XML));
  } else if (platform === 'darwin') {
    out.push(p.join(homedir, 'Library', 'VirtualBox', VIRTUALBOX_XML));
  } else {
    out.push(p.join(homedir, '.VirtualBox', VIRTUALBOX_XML));
    const xdg = env.XDG_CONFIG_HOME?.trim();
    const config = xdg && p.isAbsolute(xdg) ? xdg : p.join(homedir, '.config');
    out.push(p.join(config, 'VirtualBox', VIRTUALBOX_XML));
  }
  return [...new Set(out)];
}

/** One `Global/MachineRegistry/MachineEntry`. */
export interface RegistryMachine {
  /** VM UUID without braces, lower case. */
  uuid: string;
  /** Path of the VM's settings file; a relative `src` is resolved against the `VirtualBox.xml` folder when its path is known. */
  src: string;
  /** `src` exactly as written. */
  rawSrc: string;
  /** 1-based line of the `MachineEntry` element. */
  line: number;
}

/** Result of {@link parseVirtualBoxXml}. */
export interface VirtualBoxXml {
  /** Registered VMs, in file order (entries without uuid or src are left out, with an issue). */
  machines: RegistryMachine[];
  /** Attributes of `Global/SystemProperties` as written (`defaultMachineFolder`, `LogHistoryCount`, …). */
  systemProperties: Record<string, string>;
  /** Legacy global media registry (media registered by VirtualBox < 4.0), locations resolved like `src`. */
  media: VboxMedium[];
  /** Root `version` attribute as written, e.g. `1.12-macosx`. */
  settingsVersion?: string;
  issues: ReadIssue[];
}

/**
 * Reads the global `VirtualBox.xml`: the machine registry, system properties and the legacy
 * media registry. Odd entries (missing uuid/src, text where entries belong) become issues with
 * line numbers; the rest is still read.
 *
 * @param text the whole file as text (see `decodeSettingsBytes`).
 * @param opts.path the file's path: relative `src`/`location` values are resolved against its folder.
 * @throws VBoxParseError (with line) for malformed XML, a DOCTYPE with entities or an external DTD,
 *   a root other than `<VirtualBox>`, a machine settings file (`<Machine>`), or no `<Global>` element.
 */
export function parseVirtualBoxXml(text: string, opts: { path?: string } = {}): VirtualBoxXml {
  const { root, issues } = loadSettingsXml(text, 'global settings file (VirtualBox.xml)');
  const global = root.children.find((c) => c.name === 'Global');
  if (!global) {
    const machine = root.children.find((c) => c.name === 'Machine' || c.name === 'MachineEncrypted');
    if (machine) {
      throw new VBoxParseError(
        'this is a machine settings file (it has <Machine>), not the global VirtualBox.xml',
        machine.line,
      );
    }
    throw new VBoxParseError('VirtualBox.xml has no <Global> element', root.line);
  }
  const dir = opts.path ? pathApiFor(opts.path).dirname(opts.path) : undefined;
  const find = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
    el?.children.find((c) => c.name === name);

  const machines: RegistryMachine[] = [];
  const registry = find(global, 'MachineRegistry');
  if (!registry)
    issues.push({
      line: global.line,
      message: `line ${global.line}: no <MachineRegistry>: no VMs registered`,
    });
  if (registry && registry.text.trim() !== '') {
    issues.push({
      line: registry.line,
      message: `line ${registry.line}: <MachineRegistry> contains text ("${registry.text.trim().slice(0, 40)}") instead of <MachineEntry> elements; the text is ignored`,
    });
  }
  const seen = new Set<string>();
  for (const el of registry?.children ?? []) {
    if (el.name !== 'MachineEntry') {
      issues.push({
        line: el.line,
        message: `line ${el.line}: unexpected <${el.name}> in <MachineRegistry> ignored`,
      });
      continue;
    }
    const uuid = normalizeUuid(el.attrs.uuid ?? '');
    const rawSrc = el.attrs.src ?? '';
    if (!uuid || !rawSrc) {
      issues.push({
        line: el.line,
        message: `line ${el.line}: <MachineEntry> without ${uuid ? 'src' : 'uuid'} ignored`,
      });
      continue;
    }
    if (seen.has(uuid)) {
      issues.push({
        line: el.line,
        message: `line ${el.line}: VM ${uuid} registered twice; the first entry is used`,
      });
      continue;
    }
    seen.add(uuid);
    machines.push({ uuid, src: resolveAgainst(dir, rawSrc), rawSrc, line: el.line });
  }

  const systemProperties: Record<string, string> = { ...(find(global, 'SystemProperties')?.attrs ?? {}) };
  const media = readMediaRegistry(find(global, 'MediaRegistry'), dir);
  return { machines, systemProperties, media, settingsVersion: root.attrs.version, issues };
}

/** One VM found through the registry. */
export interface DiscoveredVm {
  /** UUID from the registry entry (no braces, lower case). */
  uuid: string;
  /** Settings file path (resolved). */
  src: string;
  /** Machines-list row: from the file when it could be read, else `accessible: false` with `error`. */
  summary: VmSummary;
  /** The parsed settings file, when it could be read. */
  result?: VboxFileResult;
  /** Why the settings file could not be read (missing, permission denied, malformed, …), in English. */
  error?: string;
}

/** Result of {@link discoverFromRegistry}. */
export interface RegistryDiscovery {
  /** The `VirtualBox.xml` that was used, if any candidate was readable. */
  registryPath?: string;
  /** Every candidate looked at, in order, with why it was not used. */
  tried: { path: string; error?: string }[];
  machines: DiscoveredVm[];
  systemProperties: Record<string, string>;
  /** Registry-level problems (prefixed with the file name) and per-VM issues are kept on each result. */
  issues: ReadIssue[];
}

/** Options of {@link discoverFromRegistry}; everything defaults to the real process and file system. */
export interface DiscoverOptions {
  /** `process.platform` by default. */
  platform?: string;
  /** `process.env` by default. */
  env?: Record<string, string | undefined>;
  /** `os.homedir()` by default. */
  homedir?: string;
  /** Explicit `VirtualBox.xml` paths to try instead of {@link virtualBoxXmlCandidates}. */
  candidates?: string[];
  /** File reader (tests); by default `readRegularFile` (regular files of at most 16 MiB, non-blocking open). */
  readFile?: (filePath: string) => Promise<Uint8Array>;
}

function fsError(e: unknown, what: string, filePath: string): string {
  if (e instanceof FileReadError && (e.code === 'NOT_FILE' || e.code === 'TOO_LARGE'))
    return `${what} could not be read (${filePath}): ${e.reason}`;
  const code = (e as NodeJS.ErrnoException)?.code;
  if (code === 'ENOENT') return `${what} not found: ${filePath}`;
  if (code === 'EACCES' || code === 'EPERM') return `permission denied reading ${what}: ${filePath}`;
  if (code === 'EISDIR') return `${what} is a folder, not a file: ${filePath}`;
  return `${what} could not be read (${filePath}): ${(e as Error)?.message ?? String(e)}`;
}

/**
 * Default reader of `VirtualBox.xml` and `.vbox` files: `readRegularFile` (non-blocking open, regular
 * files of at most 16 MiB only), so a FIFO or device named in the registry can neither hang nor
 * exhaust memory.
 * @throws FileReadError (`ENOENT`, `EACCES`, `EISDIR`, `NOT_FILE`, `TOO_LARGE`, …).
 */
async function readSettingsBytes(filePath: string): Promise<Uint8Array> {
  return (await readRegularFile(filePath)).bytes;
}

/** Result of {@link readRegistry}: the first usable `VirtualBox.xml`, parsed, without reading any `.vbox`. */
export interface RegistryRead {
  /** The `VirtualBox.xml` that was used, if any candidate was readable. */
  registryPath?: string;
  /** Every candidate looked at, in order, with why it was not used. */
  tried: { path: string; error?: string }[];
  /** The parsed registry (machines, system properties, legacy media), when one was usable. */
  registry?: VirtualBoxXml;
  /** Malformed candidates and the used registry's own problems, messages prefixed with the file name or path. */
  issues: ReadIssue[];
}

/**
 * Finds and parses the first readable, well-formed `VirtualBox.xml` among the candidates
 * (`opts.candidates`, else {@link virtualBoxXmlCandidates}: `VBOX_USER_HOME`, then the standard
 * per-OS location). Reads no machine settings file. Never rejects: a missing, unreadable or
 * malformed candidate is recorded in `tried` (a malformed one also in `issues`) and the next one is
 * tried. Used by {@link discoverFromRegistry} and by the inventory service to learn where each VM's
 * `.vbox` is (`registry.machines[].src`).
 */
export async function readRegistry(opts: DiscoverOptions = {}): Promise<RegistryRead> {
  const platform = opts.platform ?? process.platform;
  const env = opts.env ?? process.env;
  const homedir = opts.homedir ?? osHomedir();
  const read = opts.readFile ?? readSettingsBytes;
  const candidates = opts.candidates ?? virtualBoxXmlCandidates(platform, env, homedir);

  const out: RegistryRead = { tried: [], issues: [] };
  for (const candidate of candidates) {
    let bytes: Uint8Array;
    try {
      bytes = await read(candidate);
    } catch (e) {
      out.tried.push({ path: candidate, error: fsError(e, 'VirtualBox.xml', candidate) });
      continue;
    }
    let registry: VirtualBoxXml;
    try {
      registry = parseVirtualBoxXml(decodeSettingsBytes(bytes), { path: candidate });
    } catch (e) {
      const message = `${candidate}: ${(e as Error).message}`;
      out.tried.push({ path: candidate, error: message });
      out.issues.push({ line: (e as { line?: number }).line, message });
      continue;
    }
    out.tried.push({ path: candidate });
    out.registryPath = candidate;
    out.registry = registry;
    const base = pathApiFor(candidate).basename(candidate);
    out.issues.push(...registry.issues.map((i) => ({ ...i, message: `${base}: ${i.message}` })));
    break;
  }
  return out;
}

/**
 * Discovers VirtualBox VMs with no `VBoxManage`: reads the first readable `VirtualBox.xml`
 * candidate (see {@link readRegistry}), then every registered `.vbox` (media of the legacy global
 * registry are passed on so pre-4.0 disks resolve). Never rejects: a missing or unreadable candidate
 * is recorded in `tried` and the next one is tried; a candidate that exists but is malformed is
 * recorded too and the next candidate is tried; a VM whose settings file is missing, inaccessible or
 * malformed becomes an entry with `error` and an inaccessible summary (name = the file's base name);
 * a registry UUID that differs from the file's is reported as an issue of that VM.
 */
export async function discoverFromRegistry(opts: DiscoverOptions = {}): Promise<RegistryDiscovery> {
  const read = opts.readFile ?? readSettingsBytes;
  const found = await readRegistry(opts);
  const out: RegistryDiscovery = {
    tried: found.tried,
    machines: [],
    systemProperties: {},
    issues: found.issues,
  };
  const registry = found.registry;
  if (!registry || !found.registryPath) return out;
  out.registryPath = found.registryPath;
  out.systemProperties = registry.systemProperties;

  for (const m of registry.machines) {
    const fileBase = pathApiFor(m.src)
      .basename(m.src)
      .replace(/\.(vbox|xml)$/i, '');
    const failed = (error: string): DiscoveredVm => ({
      uuid: m.uuid,
      src: m.src,
      error,
      summary: {
        id: m.uuid,
        hypervisor: 'virtualbox',
        source: 'file',
        name: fileBase,
        accessible: false,
        error,
        findings: 0,
      },
    });
    let bytes: Uint8Array;
    try {
      bytes = await read(m.src);
    } catch (e) {
      out.machines.push(failed(fsError(e, 'settings file', m.src)));
      continue;
    }
    let result: VboxFileResult;
    try {
      result = parseVboxFile(decodeSettingsBytes(bytes), { path: m.src, globalMedia: registry.media });
    } catch (e) {
      out.machines.push(failed(`settings file ${m.src} could not be read: ${(e as Error).message}`));
      continue;
    }
    if (result.config.id && result.config.id !== m.uuid) {
      result.issues.push({
        message: `VirtualBox.xml registers this file under UUID ${m.uuid}, but the file says ${result.config.id}`,
      });
    }
    if (!result.config.id) result.config.id = m.uuid;
    const summary = summaryFromConfig(result.config);
    if (result.encrypted) {
      summary.name = fileBase;
      summary.accessible = false;
      summary.error = 'The VM settings are encrypted; only VirtualBox can read them with the password.';
    }
    out.machines.push({ uuid: m.uuid, src: m.src, summary, result });
  }
  return out;
}

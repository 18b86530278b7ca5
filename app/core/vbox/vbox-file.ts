import { SAFE_XML_PARSER, XML_META, decodeXmlEntities } from '../xml-safe.ts';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { XMLValidator } from 'fast-xml-parser';
import type {
  NetworkAdapter,
  PortForward,
  ReadIssue,
  SerialPort,
  SharedFolder,
  SnapshotNode,
  Sourced,
  StorageAttachment,
  StorageController,
  VmConfig,
} from '../../shared/model.ts';
import { VBoxParseError } from './errors.ts';
import { safeInteger, tooLargeIssue } from './parse-common.ts';
import { osFamily } from './os-types.ts';

/**
 * Reading VirtualBox settings files directly, without VirtualBox: the per-VM machine settings file
 * (`<name>.vbox`, very old VMs `<name>.xml`) and the shared XML loader also used for the global
 * `VirtualBox.xml` (see `vbox-registry.ts`).
 *
 * Format source: reference `virtualbox-settings.md` §6.4–6.5 (settings versions 1.3–1.20, i.e.
 * VirtualBox 2.x–7.1; both the ≤1.19 layout and the 1.20 layout where CPU, chipset, RTC and the x86
 * flags moved under `<Platform>` and the BIOS children under `<Firmware>`).
 *
 * Safety: documents are read by fast-xml-parser with entity processing OFF. A document with a `<!DOCTYPE …>` that
 * declares entities or names an external DTD is refused with a {@link VBoxParseError} before parsing
 * (entity-expansion "billion laughs" and external-entity attacks); VirtualBox never writes a
 * DOCTYPE. Only the five predefined XML entities and numeric character references are decoded, by
 * this module.
 */

// ---------------------------------------------------------------------------------------------
// Generic XML loading
// ---------------------------------------------------------------------------------------------

/** One element of a parsed settings file, with attributes decoded and its 1-based source line. */
export interface XmlElement {
  name: string;
  /** Attribute values after entity/character-reference decoding. */
  attrs: Record<string, string>;
  /** Child elements in document order (comments and processing instructions dropped). */
  children: XmlElement[];
  /** Concatenated text content (decoded, not trimmed). */
  text: string;
  /** 1-based line of the element's start tag. */
  line: number;
  /**
   * Path used as the provenance key of values read from this element, without the root
   * `VirtualBox` element, e.g. `Machine/Hardware/Network/Adapter[@slot=0]`. Repeated elements
   * carry the attribute that identifies them (`[@slot=N]`, `[@name="…"]`, `[@port=P][@device=D]`,
   * `[@position=N]`, `[@uuid=…]`).
   */
  path: string;
}

/** A parsed settings document: its root element and the problems noticed while loading it. */
export interface XmlDocument {
  root: XmlElement;
  issues: ReadIssue[];
}

const META = XML_META;
const PARSER = SAFE_XML_PARSER;

/** Decodes predefined XML entities and character references (see `decodeXmlEntities`). */
export const decodeXmlText = decodeXmlEntities;

/** XML attribute-value normalization (literal tab/CR/LF become spaces), then decoding. */
function decodeAttr(s: string): string {
  return decodeXmlText(s.replace(/[\t\r\n]/g, ' '));
}

/**
 * Offset → 1-based line in `text`, where LF, CRLF and a lone CR each end a line (XML's line
 * ends). The offsets are those of `text` as given (fast-xml-parser reports start offsets in the
 * original text, before its own CRLF normalization).
 */
function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  if (text.includes('\r')) {
    starts.length = 1;
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10 || (c === 13 && text.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
    }
  }
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

const SLOT_ELEMENTS = new Set(['Adapter', 'Port']);
const NAMED_ELEMENTS = new Set([
  'StorageController',
  'SharedFolder',
  'Forwarding',
  'Property',
  'ExtraDataItem',
  'GuestProperty',
  'Controller',
  'DeviceFilter',
  'BandwidthGroup',
  'Group',
]);
const UUID_ELEMENTS = new Set(['HardDisk', 'Snapshot', 'MachineEntry', 'MachineEncrypted']);

function predicate(name: string, attrs: Record<string, string>, parentName: string): string {
  if (SLOT_ELEMENTS.has(name)) return attrs.slot !== undefined ? `[@slot=${attrs.slot}]` : '';
  if (NAMED_ELEMENTS.has(name)) {
    const v = attrs.name;
    if (v === undefined) return '';
    return `[@name="${v.includes('"') ? v.replace(/"/g, '\\"') : v}"]`;
  }
  if (name === 'AttachedDevice') return `[@port=${attrs.port ?? '?'}][@device=${attrs.device ?? '?'}]`;
  if (name === 'Order') return attrs.position !== undefined ? `[@position=${attrs.position}]` : '';
  if (
    (UUID_ELEMENTS.has(name) || (name === 'Image' && parentName !== 'AttachedDevice')) &&
    attrs.uuid !== undefined
  )
    return `[@uuid=${attrs.uuid}]`;
  return '';
}

type FxpNode = Record<string | symbol, unknown>;

function convert(
  node: FxpNode,
  name: string,
  parentPath: string | undefined,
  parentName: string,
  lineOf: (offset: number) => number,
): XmlElement {
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  // Copied out of the file text, so a value kept in a cached parse does not keep the whole text alive.
  for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = detach(decodeAttr(String(v)));
  const own = parentPath === undefined ? '' : `${parentPath ? `${parentPath}/` : ''}${name}`;
  const el: XmlElement = {
    name,
    attrs,
    children: [],
    text: '',
    line: lineOf((node[META] as { startIndex?: number } | undefined)?.startIndex ?? 0),
    path: parentPath === undefined ? '' : own + predicate(name, attrs, parentName),
  };
  const kids = (node[name] ?? []) as FxpNode[];
  for (const kid of kids) {
    if ('#text' in kid) {
      el.text += decodeXmlText(String(kid['#text']));
      continue;
    }
    const kidName = Object.keys(kid).find((k) => k !== ':@');
    if (!kidName || kidName.startsWith('?') || kidName.startsWith('!')) continue;
    el.children.push(convert(kid, kidName, el.path, name, lineOf));
  }
  return el;
}

/** A DOCTYPE anywhere in the text (searched case-insensitively). */
const DOCTYPE = /<!DOCTYPE\b/i;

/**
 * `s` (a slice of the file text) as a string of its own. V8 makes a slice of 13 or more characters a
 * view into the whole text, so one attribute value kept in a parse result (a UUID, a path) would keep
 * the entire file text alive for as long as the result is cached; joining forces a copy.
 */
const detach = (s: string): string => (s.length < 13 ? s : (' ' + s).slice(1));

/**
 * Loads a VirtualBox settings document (machine `.vbox`/`.xml` or global `VirtualBox.xml`).
 *
 * A `<!DOCTYPE>` that declares entities or names an external DTD is refused; fast-xml-parser's
 * validator then reports damaged XML with its line, and fast-xml-parser (entity processing off,
 * nesting capped, see `xml-safe.ts`) builds the tree.
 *
 * @param text the whole file, already decoded to a string (see {@link decodeSettingsBytes}).
 * @param what short English description used in error messages (e.g. `machine settings file`).
 * @returns the root element (must be `<VirtualBox>`) and loading issues (e.g. a harmless DOCTYPE).
 *   Lines count LF, CRLF and a lone CR as line ends.
 * @throws VBoxParseError (with `line`) for an empty document, a DOCTYPE that declares entities or
 *   references an external DTD, XML that is not well-formed, or a root element other than `VirtualBox`.
 */
export function loadSettingsXml(text: string, what: string): XmlDocument {
  return loadXml(text, what);
}

function checkRoot(root: XmlElement, what: string): XmlElement {
  if (root.name !== 'VirtualBox') {
    throw new VBoxParseError(
      `the root element is <${root.name}>, not <VirtualBox>: this is not a VirtualBox ${what}`,
      root.line,
    );
  }
  return root;
}

/** The work of {@link loadSettingsXml}. */
function loadXml(text: string, what: string): XmlDocument {
  const issues: ReadIssue[] = [];
  const src = text.replace(/^\uFEFF/, '');
  if (src.trim() === '') throw new VBoxParseError(`the ${what} is empty`);
  const lineOf = lineIndex(src);

  const doctype = DOCTYPE.exec(src);
  if (doctype) {
    const line = lineOf(doctype.index);
    const rest = src.slice(doctype.index);
    if (/<!ENTITY\b/i.test(src)) {
      throw new VBoxParseError(
        `the ${what} declares XML entities in a <!DOCTYPE> (refused: entity expansion such as "billion laughs" or external entities could exhaust memory or read other files; VirtualBox never writes a DOCTYPE)`,
        line,
      );
    }
    if (/^<!DOCTYPE\s+[^\s[>]+\s+(SYSTEM|PUBLIC)\b/i.test(rest)) {
      throw new VBoxParseError(
        `the ${what} references an external DTD in its <!DOCTYPE> (refused: external entities are never loaded; VirtualBox never writes a DOCTYPE)`,
        line,
      );
    }
    issues.push({ line, message: `line ${line}: <!DOCTYPE> ignored (VirtualBox never writes one)` });
  }

  const valid = XMLValidator.validate(src);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new VBoxParseError(`the ${what} is not well-formed XML: ${msg} (column ${col})`, line);
  }

  let parsed: FxpNode[];
  try {
    parsed = PARSER.parse(src) as FxpNode[];
  } catch (e) {
    throw new VBoxParseError(`the ${what} could not be parsed as XML: ${(e as Error).message}`);
  }
  const top = parsed.find((n) => !('#text' in n) && Object.keys(n).some((k) => k !== ':@'));
  const rootName = top ? Object.keys(top).find((k) => k !== ':@')! : undefined;
  if (!top || !rootName) throw new VBoxParseError(`the ${what} has no root element`);
  return { root: checkRoot(convert(top, rootName, undefined, '', lineOf), what), issues };
}

/**
 * Decodes the bytes of a settings file to text: UTF-8 (default, BOM stripped), UTF-16 with a BOM,
 * or the `encoding` named in the XML declaration (e.g. `ISO-8859-1`, written by libvirt).
 * An encoding label Node does not know falls back to UTF-8.
 */
export function decodeSettingsBytes(bytes: Uint8Array): string {
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return new TextDecoder('utf-16le').decode(bytes.subarray(2));
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return new TextDecoder('utf-16be').decode(bytes.subarray(2));
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 200));
  const m = /^(?:\uFEFF|\u00EF\u00BB\u00BF)?\s*<\?xml[^>]*\bencoding\s*=\s*["']([A-Za-z0-9._-]+)["']/.exec(
    head,
  );
  let label = m ? m[1] : 'utf-8';
  try {
    new TextDecoder(label);
  } catch {
    label = 'utf-8';
  }
  return new TextDecoder(label).decode(bytes).replace(/^\uFEFF/, '');
}

// ---------------------------------------------------------------------------------------------
// Small helpers
// ---------------------------------------------------------------------------------------------

const child = (el: XmlElement | undefined, name: string): XmlElement | undefined =>
  el?.children.find((c) => c.name === name);
const childrenOf = (el: XmlElement | undefined, name: string): XmlElement[] =>
  el ? el.children.filter((c) => c.name === name) : [];

/** `{A1B2…}` → `a1b2…` (braces stripped, lower case). */
export function normalizeUuid(raw: string): string {
  return raw
    .trim()
    .replace(/^\{|\}$/g, '')
    .toLowerCase();
}

const isWindowsPath = (p: string): boolean =>
  /^[A-Za-z]:[\\/]|^\\\\/.test(p) || (p.includes('\\') && !p.includes('/'));

/** Path API matching how `p` is written (Windows drive/UNC/backslashes → win32, else posix). */
export function pathApiFor(p: string): typeof path.posix {
  return isWindowsPath(p) ? path.win32 : path.posix;
}

const isAbsoluteAny = (p: string): boolean => path.posix.isAbsolute(p) || /^[A-Za-z]:[\\/]|^\\\\/.test(p);

/** Resolves `p` against `dir` (when given and `p` is relative), in `dir`'s path style; `p` as written otherwise. */
export function resolveAgainst(dir: string | undefined, p: string): string {
  if (!dir || p === '' || isAbsoluteAny(p)) return p;
  return pathApiFor(dir).join(dir, p);
}

/** Own-property lookup (no prototype keys such as `constructor`). */
const lookup = (map: Record<string, string>, k: string): string | undefined =>
  Object.hasOwn(map, k) ? map[k] : undefined;

const TRUE_WORDS = new Set(['true', 'yes', '1', 'on']);
const FALSE_WORDS = new Set(['false', 'no', '0', 'off']);

/** Settings version of the root `version` attribute, e.g. `1.19-linux` → 19, `linux`. */
interface SettingsVersion {
  raw?: string;
  minor: number;
  platform?: string;
}

function settingsVersion(root: XmlElement, issues: ReadIssue[]): SettingsVersion {
  const raw = root.attrs.version;
  const m = raw ? /^1\.(\d+)(?:-([A-Za-z0-9]+))?$/.exec(raw.trim()) : null;
  const minor = m ? safeInteger(m[1]) : undefined;
  if (m && minor === undefined) {
    issues.push(
      tooLargeIssue(
        'settings version',
        raw!,
        root.line,
        'defaults of settings version 1.19 (VirtualBox 7.0) are assumed',
      ),
    );
    return { raw, minor: 19 };
  }
  if (!m || minor === undefined) {
    issues.push({
      line: root.line,
      message: `line ${root.line}: settings version ${raw === undefined ? 'missing' : `"${raw}" not recognised`}; defaults of settings version 1.19 (VirtualBox 7.0) are assumed`,
    });
    return { raw, minor: 19 };
  }
  return { raw, minor, platform: m[2] };
}

// XML enum spellings → the spellings `showvminfo --machinereadable` prints (the model's vocabulary).
const BOOT_DEVICE: Record<string, string> = {
  floppy: 'floppy',
  dvd: 'dvd',
  harddisk: 'disk',
  network: 'net',
  none: 'none',
  usb: 'usb',
  sharedfolder: 'sharedfolder',
};
const CHIPSET: Record<string, string> = { piix3: 'piix3', ich9: 'ich9', armv8virtual: 'armv8virtual' };
const FIRMWARE: Record<string, string> = {
  bios: 'BIOS',
  efi: 'EFI',
  efi32: 'EFI32',
  efi64: 'EFI64',
  efidual: 'EFIDUAL',
};
const POINTING: Record<string, string> = {
  ps2mouse: 'ps2mouse',
  usbmouse: 'usbmouse',
  usbtablet: 'usbtablet',
  combomouse: 'combomouse',
  usbmultitouch: 'usbmultitouch',
  usbmtscreenpluspad: 'usbmtscreenpluspad',
  none: 'none',
};
const KEYBOARD: Record<string, string> = {
  ps2keyboard: 'ps2kbd',
  usbkeyboard: 'usbkbd',
  combokeyboard: 'combokbd',
  none: 'none',
};
const PARAVIRT: Record<string, string> = {
  none: 'none',
  default: 'default',
  legacy: 'legacy',
  minimal: 'minimal',
  hyperv: 'hyperv',
  kvm: 'kvm',
};
const GRAPHICS: Record<string, string> = {
  vboxvga: 'vboxvga',
  vmsvga: 'vmsvga',
  vboxsvga: 'vboxsvga',
  qemuramfb: 'qemuramfb',
  none: 'null',
};
const SHARE_MODE: Record<string, string> = {
  disabled: 'disabled',
  hosttoguest: 'hosttoguest',
  guesttohost: 'guesttohost',
  bidirectional: 'bidirectional',
};
const CONTROLLER_TYPE: Record<string, string> = {
  ahci: 'IntelAhci',
  lsilogic: 'LsiLogic',
  buslogic: 'BusLogic',
  piix3: 'PIIX3',
  piix4: 'PIIX4',
  ich6: 'ICH6',
  i82078: 'I82078',
  lsilogicsas: 'LsiLogicSas',
  usb: 'USB',
  nvme: 'NVMe',
  virtioscsi: 'VirtioSCSI',
};
const AUDIO_DRIVER: Record<string, string> = {
  null: 'null',
  winmm: 'winmm',
  directsound: 'dsound',
  was: 'was',
  alsa: 'alsa',
  oss: 'oss',
  pulse: 'pulse',
  coreaudio: 'coreaudio',
  solaudio: 'solaudio',
  mmpm: 'mmpm',
  default: 'default',
};
const AUDIO_CONTROLLER: Record<string, string> = {
  ac97: 'ac97',
  sb16: 'sb16',
  hda: 'hda',
  'virtio-sound': 'virtio-sound',
};
const AUDIO_CODEC_FOR: Record<string, string> = { ac97: 'STAC9700', sb16: 'SB16', hda: 'STAC9221' };
const TPM: Record<string, string> = {
  none: 'none',
  v1_2: 'v1_2',
  v2_0: 'v2_0',
  host: 'host',
  swtpm: 'swtpm',
};
const PROMISC: Record<string, string> = { deny: 'deny', allownetwork: 'allow-vms', allowall: 'allow-all' };
const ENGINE: Record<string, string> = {
  default: 'default',
  hwvirt: 'hwvirt',
  nativeapi: 'native-api',
  interpreter: 'interpreter',
  recompiler: 'recompiler',
};
const IOMMU: Record<string, string> = { none: 'none', automatic: 'automatic', amd: 'amd', intel: 'intel' };
/** Network attachment child elements → `nicN` values. */
const ATTACHMENT: Record<string, string> = {
  NAT: 'nat',
  BridgedInterface: 'bridged',
  InternalNetwork: 'intnet',
  HostOnlyInterface: 'hostonly',
  GenericInterface: 'Generic',
  NATNetwork: 'natnetwork',
  HostOnlyNetwork: 'hostonlynetwork',
  CloudNetwork: 'cloudnetwork',
};
/** NAT attributes → the unindexed NAT tuning names `showvminfo` prints. */
const NAT_TUNING: Record<string, string> = {
  mtu: 'mtu',
  socksnd: 'sockSnd',
  sockrcv: 'sockRcv',
  tcpsnd: 'tcpWndSnd',
  tcprcv: 'tcpWndRcv',
  'localhost-reachable': 'localhostReachable',
  'forward-broadcast': 'forwardBroadcast',
};

/** Direct children of `<Machine>` / `<Hardware>` / `<Platform>` this reader knows (read or deliberately skipped). */
const KNOWN_MACHINE_CHILDREN = new Set([
  'Description',
  'Teleporter',
  'FaultTolerance',
  'MediaRegistry',
  'ExtraData',
  'Snapshot',
  'Hardware',
  'StorageControllers',
  'Debugging',
  'Autostart',
  'Recording',
  'Groups',
  'Platform',
]);
const KNOWN_HARDWARE_CHILDREN = new Set([
  'CPU',
  'Memory',
  'Firmware',
  'HID',
  'HPET',
  'Chipset',
  'Iommu',
  'Paravirt',
  'Boot',
  'Display',
  'VideoCapture',
  'RemoteDisplay',
  'BIOS',
  'TrustedPlatformModule',
  'NVRAM',
  'USB',
  'USBController',
  'Network',
  'UART',
  'LPT',
  'AudioAdapter',
  'RTC',
  'SharedFolders',
  'Clipboard',
  'DragAndDrop',
  'IO',
  'HostPci',
  'EmulatedUSB',
  'Guest',
  'GuestProperties',
  'Frontend',
  'StorageControllers',
]);
const KNOWN_PLATFORM_CHILDREN = new Set(['CPU', 'Chipset', 'RTC', 'Iommu', 'x86', 'arm']);

// ---------------------------------------------------------------------------------------------
// Public types
// ---------------------------------------------------------------------------------------------

/** A value of the `extras` map: a {@link Sourced} setting the VM model has no field for. */
export type VboxExtra = Sourced<string | boolean | number>;

/** A medium of a machine's (or the global) media registry. */
export interface VboxMedium {
  /** UUID without braces, lower case. */
  uuid: string;
  kind: 'hdd' | 'dvd' | 'floppy';
  /** `location` resolved against the settings file's folder when it is relative and the file's path is known. */
  location: string;
  /** `location` exactly as written (relative paths use `/`, even on Windows). */
  rawLocation: string;
  /** `VDI`, `VMDK`, `VHD`, `RAW`, … (disks only). */
  format?: string;
  /** `Normal`, `Immutable`, `Writethrough`, `Shareable`, `Readonly`, `MultiAttach` (base disks only). */
  type?: string;
  /** For a differencing disk: UUID of the disk it is nested under. */
  parent?: string;
  /** Provenance key of the `location` attribute. */
  key: string;
  line: number;
}

/** Options of {@link parseVboxFile}. */
export interface ParseVboxFileOptions {
  /** Path of the settings file: becomes `general.cfgFile`; relative media, snapshot folder and log folder are resolved against its folder. */
  path?: string;
  /**
   * Media of the global `VirtualBox.xml` registry (pre-4.0 VMs keep their media there), used
   * when an attachment's UUID is not in the machine's own registry. See `parseVirtualBoxXml`.
   */
  globalMedia?: VboxMedium[];
}

/**
 * Result of {@link parseVboxFile}.
 *
 * - `config`: the same {@link VmConfig} model `showvminfo` produces (`source: 'file'`), values
 *   spelled as `showvminfo --machinereadable` prints them (e.g. chipset `ich9`, boot device `disk`,
 *   storage controller type `IntelAhci`, NIC attachment `bridged`), each {@link Sourced} with
 *   `key` = the XML path (`Machine/Hardware/Memory/@RAMSize`) and `raw` = the attribute text as
 *   written. When an attribute is absent and VirtualBox's default for the file's settings version
 *   is used, `raw` is `''`.
 * - `extras`: settings `showvminfo` never prints, keyed by the catalog id, plus `@<instance>` for
 *   per-item settings:
 *   `general.basic.osTypeId` (e.g. `Ubuntu_64`), `system.motherboard.tpm` (`none`/`v1_2`/`v2_0`/`host`/`swtpm`),
 *   `system.cli.tpmLocation`, `system.cli.iommu`, `system.cli.cpuHotPlug`,
 *   `system.cli.executionEngine` (`default`/`hwvirt`/`native-api`/`interpreter`/`recompiler`),
 *   `display.remote.authType`, `display.remote.authTimeout` (ms), `audio.main.controller`
 *   (`ac97`/`hda`/`sb16`/`virtio-sound`), `audio.cli.codec`,
 *   `storage.controller.hostIoCache@<controller name>`, `network.adapter.promiscuous@<slot 1…>`
 *   (`deny`/`allow-vms`/`allow-all`), `sharedFolders.main.writable@<name>`,
 *   `sharedFolders.main.autoMount@<name>`, `sharedFolders.main.autoMountPoint@<name>`,
 *   `sharedFolders.cli.symlinkPolicy@<name>`, `snapshot.timeStamp@<snapshot uuid>`,
 *   and for an encrypted VM `general.cli.vmEncryption`. Where the model has a field (TPM → `system.tpm`,
 *   audio controller → `audio.controller`) it is filled too.
 * - `issues`: the same array as `config.issues`.
 */
export interface VboxFileResult {
  config: VmConfig;
  extras: Record<string, VboxExtra>;
  issues: ReadIssue[];
  /** Root `version` attribute as written, e.g. `1.19-linux`. */
  settingsVersion?: string;
  /** True for a 7.0+ fully encrypted VM (`<MachineEncrypted>`): only `config.id` is known. */
  encrypted: boolean;
  /** True when the 1.20 (VirtualBox 7.1) layout with `<Platform>` was read. */
  platformLayout: boolean;
  /** The machine's media registry (disks with nested differencing children flattened, DVD and floppy images). */
  media: VboxMedium[];
  /** `Machine/ExtraData/ExtraDataItem` name → value (GUI state, User Interface page settings). */
  extraData: Record<string, string>;
}

/** Key of an `extras` entry: catalog id plus `@instance` for per-item settings. */
export function extraKey(id: string, instance?: string | number): string {
  return instance === undefined ? id : `${id}@${instance}`;
}

// ---------------------------------------------------------------------------------------------
// The reader
// ---------------------------------------------------------------------------------------------

/** Most provenance keys this module keeps one shared copy of (see {@link sharedKey}, {@link attrKey}). */
const MAX_SHARED_KEYS = 10_000;
const SHARED_KEYS = new Map<string, string>();
/** Attribute keys by element path, then attribute name. */
const ATTR_KEYS = new Map<string, Map<string, string>>();
let attrKeyCount = 0;

/**
 * The one shared copy of provenance key `k`. Keys are built by concatenation (a chain of pieces per
 * key in V8) and repeat from file to file (`Machine/Hardware/Memory/@RAMSize`): parses kept in
 * memory (the settings-file cache) share one copy instead. At most {@link MAX_SHARED_KEYS} are
 * kept; beyond that `k` is returned as is.
 */
function sharedKey(k: string): string {
  const hit = SHARED_KEYS.get(k);
  if (hit !== undefined) return hit;
  if (SHARED_KEYS.size < MAX_SHARED_KEYS) SHARED_KEYS.set(k, k);
  return k;
}

/**
 * `<path>/@<attr>`, shared like {@link sharedKey} but looked up by path and attribute name, so the
 * key is not built again (an element's attributes are read one after another with the same path).
 */
function attrKey(elementPath: string, attr: string): string {
  let byAttr = ATTR_KEYS.get(elementPath);
  if (byAttr === undefined) {
    if (attrKeyCount >= MAX_SHARED_KEYS) return `${elementPath}/@${attr}`;
    byAttr = new Map();
    ATTR_KEYS.set(elementPath, byAttr);
  }
  let key = byAttr.get(attr);
  if (key === undefined) {
    key = `${elementPath}/@${attr}`;
    if (attrKeyCount < MAX_SHARED_KEYS) {
      byAttr.set(attr, key);
      attrKeyCount++;
    }
  }
  return key;
}

type Conv<T> = (raw: string) => T | undefined;

class FileReader {
  readonly issues: ReadIssue[];
  readonly extras: Record<string, VboxExtra> = {};
  readonly version: SettingsVersion;

  constructor(issues: ReadIssue[], version: SettingsVersion) {
    this.issues = issues;
    this.version = version;
  }

  /**
   * Reads attribute `attr` of `el` (whose path would be `fallbackPath` when absent). A value that
   * cannot be converted is reported and replaced by `def`; an absent attribute gives `def` with raw `''`.
   */
  get<T>(
    el: XmlElement | undefined,
    fallbackPath: string,
    attr: string,
    conv: Conv<T>,
    what: string,
    def?: T,
  ): Sourced<T> | undefined {
    const key = attrKey(el ? el.path : fallbackPath, attr);
    const raw = el?.attrs[attr];
    if (raw !== undefined) {
      const v = conv(raw);
      if (v !== undefined) return { value: v, key, raw };
      this.issues.push({
        line: el!.line,
        message: `line ${el!.line}: ${key}="${raw.slice(0, 80)}" is not ${what}; ${def === undefined ? 'ignored' : `VirtualBox's default "${String(def)}" is used`}`,
      });
    }
    return def === undefined ? undefined : { value: def, key, raw: '' };
  }

  str(el: XmlElement | undefined, fb: string, attr: string, def?: string): Sourced<string> | undefined {
    return this.get(el, fb, attr, (r) => r, 'text', def);
  }

  bool(el: XmlElement | undefined, fb: string, attr: string, def?: boolean): Sourced<boolean> | undefined {
    const conv = (r: string): boolean | undefined => {
      const t = r.trim().toLowerCase();
      return TRUE_WORDS.has(t) ? true : FALSE_WORDS.has(t) ? false : undefined;
    };
    return this.get(el, fb, attr, conv, 'true/false', def);
  }

  /**
   * A whole number (decimal, or hex `0x…`). A number too large to be exact (only hand-edited files
   * hold one) is reported as such and left out (absent, even when `def` is given): the file does not
   * hold VirtualBox's default, so the advice must not judge it.
   */
  num(el: XmlElement | undefined, fb: string, attr: string, def?: number): Sourced<number> | undefined {
    const isInt = (t: string): boolean => /^-?\d+$/.test(t) || /^0x[0-9a-f]+$/i.test(t);
    const raw = el?.attrs[attr];
    if (el && raw !== undefined && isInt(raw.trim()) && safeInteger(raw.trim()) === undefined) {
      const key = attrKey(el.path, attr);
      this.issues.push(tooLargeIssue(key, raw, el.line, 'the value is left out'));
      return undefined;
    }
    const conv = (r: string): number | undefined => (isInt(r.trim()) ? safeInteger(r.trim()) : undefined);
    return this.get(el, fb, attr, conv, 'a whole number', def);
  }

  /** Enum attribute mapped to the `showvminfo` spelling; an unrecognised value is kept as written (with an issue). */
  enumOf(
    el: XmlElement | undefined,
    fb: string,
    attr: string,
    map: Record<string, string>,
    def?: string,
  ): Sourced<string> | undefined {
    const s = this.get(el, fb, attr, (r) => r, 'text');
    if (!s)
      return def === undefined ? undefined : { value: def, key: attrKey(el ? el.path : fb, attr), raw: '' };
    const mapped = lookup(map, s.value.trim().toLowerCase());
    if (mapped !== undefined) return { ...s, value: mapped };
    this.issues.push({
      line: el!.line,
      message: `line ${el!.line}: ${s.key}="${s.raw.slice(0, 80)}" is not a value this reader knows; kept as written`,
    });
    return s;
  }

  extra(id: string, instance: string | number | undefined, v: VboxExtra | undefined): void {
    if (v) this.extras[extraKey(id, instance)] = v;
  }

  /** Enabled flag of a child element such as `<PAE enabled="true"/>`. */
  flag(
    parent: XmlElement | undefined,
    parentPath: string,
    name: string,
    def?: boolean,
  ): Sourced<boolean> | undefined {
    const el = child(parent, name);
    return this.bool(el, `${parent ? parent.path : parentPath}/${name}`, 'enabled', def);
  }
}

const set = <O extends object, K extends keyof O>(obj: O, k: K, v: O[K] | undefined): void => {
  if (v !== undefined) obj[k] = v;
};

function emptyConfig(id: string, issues: ReadIssue[]): VmConfig {
  return {
    id,
    hypervisor: 'virtualbox',
    source: 'file',
    general: {},
    system: { bootOrder: [] },
    display: {},
    storage: [],
    audio: {},
    network: [],
    serial: [],
    usb: { filters: [] },
    sharedFolders: [],
    snapshots: [],
    unknownKeys: [],
    issues,
  };
}

/**
 * Reads a VirtualBox machine settings file (`.vbox`, or the `.xml` of VirtualBox ≤ 3.x) into the
 * VM model, with no VirtualBox installed. Settings versions 1.3–1.20 (VirtualBox 2.x–7.1), both the
 * ≤1.19 layout and the 1.20 `<Platform>` layout; attribute defaults follow reference §6.4 for the
 * file's settings version (e.g. NIC type `Am79C973` from 1.16, `Am79C970A` before; audio enabled
 * default false from 1.16; paravirt provider `default` from 1.16, `legacy` before).
 *
 * What is read: machine UUID, name, OS type (`general.osType` = VirtualBox's description such as
 * `Ubuntu (64-bit)`, the id in `extras`), description, groups, saved/aborted state, vCPUs, PAE,
 * long mode, nested VT-x, execution cap, memory, page fusion, firmware, chipset, TPM, boot order,
 * pointing device, keyboard, I/O APIC, ACPI, HPET, RTC in UTC, paravirt provider, VT-x/AMD-V,
 * nested paging, large pages, VPID, unrestricted execution, display (VRAM, monitors, controller,
 * 3D/2D, remote display, recording), storage controllers and attachments (image UUIDs resolved to
 * paths through the media registry, differencing children included), network adapters (all slots:
 * 8, or 36 with ICH9; absent adapters are disabled, as VirtualBox omits all-default ones),
 * NAT settings and port forwarding, audio, 4 serial ports, USB controllers and filters, shared
 * folders, clipboard and drag'n'drop, and the snapshot tree with the current snapshot marked.
 * Unknown elements under `Machine`, `Hardware` and `Platform` are kept in `config.unknownKeys`.
 *
 * Not available from a file: the running state (a VM with a `stateFile` is `saved`, an aborted
 * one `aborted`, one with both `aborted-saved` — VirtualBox 7.0+, the only version that writes both,
 * key `Machine/@aborted` —, otherwise `state` is left out), Guest Additions, effective paravirt provider,
 * Secure Boot (kept in the NVRAM file), live VRDE port.
 *
 * An encrypted machine (`<MachineEncrypted>`) gives a config with only `id` and an issue naming
 * the unavailable settings; `encrypted` is true.
 *
 * @param xmlText the whole settings file as text (use {@link decodeSettingsBytes} or {@link readVboxFile} for bytes).
 * @returns config, extras and issues; see {@link VboxFileResult}.
 * @throws VBoxParseError (message and `line`) when the text is empty, not well-formed XML, has a
 *   DOCTYPE with entities or an external DTD, is not a `<VirtualBox>` document, is a global
 *   `VirtualBox.xml`, or has neither `<Machine>` nor `<MachineEncrypted>`.
 */
export function parseVboxFile(xmlText: string, opts: ParseVboxFileOptions = {}): VboxFileResult {
  const { root, issues } = loadSettingsXml(xmlText, 'machine settings file');
  const version = settingsVersion(root, issues);
  const r = new FileReader(issues, version);
  const base = {
    issues,
    settingsVersion: version.raw,
    media: [] as VboxMedium[],
    extraData: {} as Record<string, string>,
  };

  const encrypted = child(root, 'MachineEncrypted');
  const machine = child(root, 'Machine');
  if (!machine && encrypted) {
    const id = normalizeUuid(encrypted.attrs.uuid ?? '');
    if (!id)
      issues.push({
        line: encrypted.line,
        message: `line ${encrypted.line}: <MachineEncrypted> has no uuid`,
      });
    issues.push({
      line: encrypted.line,
      message:
        `line ${encrypted.line}: the machine settings are encrypted (VirtualBox 7.0+ full-VM encryption, <MachineEncrypted>); ` +
        'only the UUID can be read from the file. Unavailable: name, OS type, description, system (memory, processors, firmware, chipset, TPM, boot order), ' +
        'display, storage, audio, network, serial ports, USB, shared folders and snapshots. VBoxManage shows them once the VM password is provided.',
    });
    const config = emptyConfig(id, issues);
    if (opts.path) config.general.cfgFile = { value: opts.path, key: '(settings file path)', raw: opts.path };
    r.extra('general.cli.vmEncryption', undefined, r.str(encrypted, '', 'keyId'));
    return { ...base, config, extras: r.extras, encrypted: true, platformLayout: false };
  }
  if (!machine) {
    if (child(root, 'Global')) {
      throw new VBoxParseError(
        'this is the global VirtualBox.xml (it has <Global>), not a machine settings file (.vbox)',
        root.line,
      );
    }
    throw new VBoxParseError('the machine settings file has no <Machine> element', root.line);
  }

  const vmDir = opts.path ? pathApiFor(opts.path).dirname(opts.path) : undefined;
  const uuidRaw = machine.attrs.uuid;
  if (uuidRaw === undefined)
    issues.push({
      line: machine.line,
      message: `line ${machine.line}: <Machine> has no uuid (id left empty)`,
    });
  const config = emptyConfig(normalizeUuid(uuidRaw ?? ''), issues);

  // Unknown direct children (kept, never fatal).
  const hardware = child(machine, 'Hardware');
  const platform = child(machine, 'Platform');
  const unknownChildren = (el: XmlElement | undefined, known: Set<string>): void => {
    for (const c of el?.children ?? []) {
      if (known.has(c.name)) continue;
      config.unknownKeys.push({
        key: sharedKey(c.path),
        value: Object.entries(c.attrs)
          .map(([k, v]) => `${k}="${v}"`)
          .join(' '),
        line: c.line,
      });
    }
  };
  unknownChildren(machine, KNOWN_MACHINE_CHILDREN);
  unknownChildren(hardware, KNOWN_HARDWARE_CHILDREN);
  unknownChildren(platform, KNOWN_PLATFORM_CHILDREN);
  if (!hardware)
    issues.push({
      line: machine.line,
      message: `line ${machine.line}: <Machine> has no <Hardware>; defaults are shown`,
    });

  const hwPath = hardware?.path ?? 'Machine/Hardware';

  // Media registry (machine, then global as fallback).
  const media = readMediaRegistry(child(machine, 'MediaRegistry'), vmDir);
  const mediaByUuid = new Map<string, VboxMedium>();
  for (const m of [...(opts.globalMedia ?? []), ...media]) mediaByUuid.set(m.uuid, m);

  const extraData: Record<string, string> = {};
  for (const item of childrenOf(child(machine, 'ExtraData'), 'ExtraDataItem')) {
    if (item.attrs.name !== undefined) extraData[item.attrs.name] = item.attrs.value ?? '';
  }

  // General
  const g = config.general;
  set(g, 'name', r.str(machine, 'Machine', 'name'));
  if (!g.name) issues.push({ line: machine.line, message: `line ${machine.line}: <Machine> has no name` });
  const osId = r.str(machine, 'Machine', 'OSType');
  if (osId) {
    g.osType = { ...osId, value: osFamily(osId.value).version };
    r.extra('general.basic.osTypeId', undefined, osId);
  }
  const groups = childrenOf(child(machine, 'Groups'), 'Group');
  if (groups.length > 0) {
    const names = groups.map((x) => x.attrs.name ?? '').filter((x) => x !== '');
    g.groups = {
      value: names,
      key: sharedKey(`${child(machine, 'Groups')!.path}/Group/@name`),
      raw: names.join(','),
    };
  } else {
    g.groups = { value: ['/'], key: 'Machine/Groups/Group/@name', raw: '' };
  }
  if (opts.path) g.cfgFile = { value: opts.path, key: '(settings file path)', raw: opts.path };
  const snapFolder = r.str(machine, 'Machine', 'snapshotFolder', 'Snapshots');
  if (snapFolder) g.snapshotFolder = { ...snapFolder, value: resolveAgainst(vmDir, snapFolder.value) };
  const hwUuid = r.str(hardware, hwPath, 'uuid');
  g.hardwareUuid = hwUuid
    ? { ...hwUuid, value: normalizeUuid(hwUuid.value) }
    : { value: config.id, key: attrKey(hwPath, 'uuid'), raw: '' };
  set(
    g,
    'clipboard',
    r.enumOf(child(hardware, 'Clipboard'), `${hwPath}/Clipboard`, 'mode', SHARE_MODE, 'disabled'),
  );
  set(
    g,
    'dragAndDrop',
    r.enumOf(child(hardware, 'DragAndDrop'), `${hwPath}/DragAndDrop`, 'mode', SHARE_MODE, 'disabled'),
  );
  const description = child(machine, 'Description');
  if (description)
    g.description = { value: description.text, key: sharedKey(description.path), raw: description.text };

  // State (only what a file can tell). Both a saved state and `aborted="true"`: VirtualBox 7.0+'s
  // "aborted-saved" (only 7.0+ writes that pair; its VMState value, reference §2.13).
  const stateFile = r.str(machine, 'Machine', 'stateFile');
  const aborted = r.bool(machine, 'Machine', 'aborted');
  const saved = stateFile !== undefined && stateFile.value !== '';
  if (saved && aborted?.value) config.state = { ...aborted, value: 'aborted-saved' };
  else if (saved) config.state = { ...stateFile, value: 'saved' };
  else if (aborted?.value) config.state = { ...aborted, value: 'aborted' };
  set(config, 'stateChangeTime', r.str(machine, 'Machine', 'lastStateChange'));

  readSystem(r, config, machine, hardware, platform);
  readDisplay(r, config, machine, hardware);
  readStorage(r, config, machine, hardware, mediaByUuid);
  readNetwork(r, config, hardware);
  readAudio(r, config, hardware);
  readSerial(r, config, hardware);
  readUsb(r, config, hardware);
  readSharedFolders(r, config, hardware);
  readSnapshots(r, config, machine);

  return {
    config,
    extras: r.extras,
    issues,
    settingsVersion: version.raw,
    encrypted: false,
    platformLayout: platform !== undefined,
    media,
    extraData,
  };
}

/**
 * Reads a settings file from disk (bytes decoded per its XML declaration) and parses it with
 * {@link parseVboxFile}, `path` set to the file's path.
 * @throws the file-system error of `readFile` (e.g. `ENOENT`, `EACCES`), or VBoxParseError.
 */
export async function readVboxFile(
  filePath: string,
  opts: Omit<ParseVboxFileOptions, 'path'> = {},
): Promise<VboxFileResult> {
  const bytes = await readFile(filePath);
  return parseVboxFile(decodeSettingsBytes(bytes), { ...opts, path: filePath });
}

/**
 * Flattens a `MediaRegistry` element (`HardDisks/HardDisk` with nested differencing children,
 * `DVDImages/Image`, `FloppyImages/Image`) into a list, locations resolved against `dir`.
 */
export function readMediaRegistry(registry: XmlElement | undefined, dir: string | undefined): VboxMedium[] {
  const out: VboxMedium[] = [];
  const add = (el: XmlElement, kind: VboxMedium['kind'], parent?: string): void => {
    const uuid = normalizeUuid(el.attrs.uuid ?? '');
    const rawLocation = el.attrs.location ?? el.attrs.src ?? '';
    if (uuid) {
      const m: VboxMedium = {
        uuid,
        kind,
        location: resolveAgainst(dir, rawLocation),
        rawLocation,
        key: attrKey(el.path, 'location'),
        line: el.line,
      };
      if (el.attrs.format !== undefined) m.format = el.attrs.format;
      if (el.attrs.type !== undefined) m.type = el.attrs.type;
      if (parent) m.parent = parent;
      out.push(m);
    }
    if (kind === 'hdd') for (const c of childrenOf(el, 'HardDisk')) add(c, 'hdd', uuid || parent);
  };
  for (const d of childrenOf(child(registry, 'HardDisks'), 'HardDisk')) add(d, 'hdd');
  for (const d of childrenOf(child(registry, 'DVDImages'), 'Image')) add(d, 'dvd');
  for (const d of childrenOf(child(registry, 'FloppyImages'), 'Image')) add(d, 'floppy');
  return out;
}

/** System page: Motherboard, Processor, Acceleration (≤1.19 `Hardware/…` or 1.20 `Platform/…`). */
function readSystem(
  r: FileReader,
  config: VmConfig,
  machine: XmlElement,
  hardware: XmlElement | undefined,
  platform: XmlElement | undefined,
): void {
  const s = config.system;
  const hwPath = hardware?.path ?? 'Machine/Hardware';
  const v = r.version.minor;
  // Where the CPU/chipset/RTC live, and where the x86 CPU flags live.
  const cpuHome = platform ?? hardware;
  const cpuHomePath = platform?.path ?? hwPath;
  const x86 = platform ? child(platform, 'x86') : undefined;
  const cpuEl = child(cpuHome, 'CPU');
  const cpuPath = cpuEl?.path ?? `${cpuHomePath}/CPU`;
  const flagsEl = platform ? child(x86, 'CPU') : cpuEl;
  const flagsPath = flagsEl?.path ?? (platform ? `${platform.path}/x86/CPU` : cpuPath);

  if (platform) {
    set(s, 'platformArchitecture', r.str(platform, platform.path, 'architecture'));
  } else {
    s.platformArchitecture = { value: 'x86', key: 'Machine/Platform/@architecture', raw: '' };
  }

  // Processor
  const oldCount = child(cpuEl, 'CPUCount');
  s.cpus = oldCount ? r.num(oldCount, oldCount.path, 'count', 1) : r.num(cpuEl, cpuPath, 'count', 1);
  set(s, 'executionCapPercent', r.num(cpuEl, cpuPath, 'executionCap', 100));
  r.extra('system.cli.cpuHotPlug', undefined, r.bool(cpuEl, cpuPath, 'hotplug', false));
  set(s, 'cpuProfile', r.str(cpuEl, cpuPath, 'CpuProfile', 'host'));
  // x86-only settings (showvminfo omits them for ARM VMs).
  const isX86 = s.platformArchitecture?.value.toLowerCase() !== 'arm';
  if (isX86) {
    set(s, 'pae', r.flag(flagsEl, flagsPath, 'PAE', v >= 9));
    set(s, 'longMode', r.flag(flagsEl, flagsPath, 'LongMode', true));
    set(s, 'nestedHwVirt', r.flag(flagsEl, flagsPath, 'NestedHWVirt', false));
    set(s, 'hwVirtEx', r.flag(flagsEl, flagsPath, 'HardwareVirtEx', true));
    set(s, 'nestedPaging', r.flag(flagsEl, flagsPath, 'HardwareVirtExNestedPaging', true));
    set(
      s,
      'largePages',
      r.flag(flagsEl, flagsPath, 'HardwareVirtExLargePages', r.version.platform !== 'linux'),
    );
    set(s, 'vtxVpid', r.flag(flagsEl, flagsPath, 'HardwareVirtExVPID', true));
    set(s, 'vtxUx', r.flag(flagsEl, flagsPath, 'HardwareVirtExUX', true));
  }
  r.extra(
    'system.cli.executionEngine',
    undefined,
    r.enumOf(machine, 'Machine', 'executionEngine', ENGINE, 'default'),
  );

  // Motherboard
  const memory = child(hardware, 'Memory');
  const memPath = memory?.path ?? `${hwPath}/Memory`;
  set(s, 'memoryMB', r.num(memory, memPath, 'RAMSize'));
  // A RAMSize written as a number too large to be exact is reported by r.num alone.
  const tooLarge = /^(-?\d+|0x[0-9a-f]+)$/i.test(memory?.attrs.RAMSize?.trim() ?? '');
  if (!s.memoryMB && !tooLarge)
    r.issues.push({
      line: (memory ?? hardware ?? machine).line,
      message: `line ${(memory ?? hardware ?? machine).line}: ${memPath}/@RAMSize is missing (VirtualBox requires it)`,
    });
  set(s, 'pageFusion', r.bool(memory, memPath, 'PageFusion', false));

  const chipset = child(cpuHome, 'Chipset');
  set(s, 'chipset', r.enumOf(chipset, `${cpuHomePath}/Chipset`, 'type', CHIPSET, 'piix3'));
  const iommu = child(cpuHome, 'Iommu');
  r.extra('system.cli.iommu', undefined, r.enumOf(iommu, `${cpuHomePath}/Iommu`, 'type', IOMMU, 'none'));
  const rtc = child(cpuHome, 'RTC');
  const utc = r.str(rtc, `${cpuHomePath}/RTC`, 'localOrUTC', 'local');
  if (utc) s.rtcUseUtc = { ...utc, value: utc.value.trim().toUpperCase() === 'UTC' };
  const hpetHome = platform ? x86 : hardware;
  if (isX86) set(s, 'hpet', r.flag(hpetHome, platform ? `${platform.path}/x86` : hwPath, 'HPET', false));

  const firmware = child(hardware, 'Firmware');
  set(s, 'firmware', r.enumOf(firmware, `${hwPath}/Firmware`, 'type', FIRMWARE, 'BIOS'));
  // BIOS settings: `Hardware/BIOS` (≤1.19) or children of `Hardware/Firmware` (1.20).
  const bios =
    child(hardware, 'BIOS') ?? (child(firmware, 'ACPI') || child(firmware, 'IOAPIC') ? firmware : undefined);
  const biosPath = bios?.path ?? (platform ? `${hwPath}/Firmware` : `${hwPath}/BIOS`);
  set(s, 'acpi', r.flag(bios, biosPath, 'ACPI', true));
  set(s, 'ioApic', r.flag(bios, biosPath, 'IOAPIC', false));

  const tpm = child(hardware, 'TrustedPlatformModule');
  const tpmType = r.enumOf(tpm, `${hwPath}/TrustedPlatformModule`, 'type', TPM, 'none');
  set(s, 'tpm', tpmType);
  r.extra('system.motherboard.tpm', undefined, tpmType);
  r.extra('system.cli.tpmLocation', undefined, r.str(tpm, `${hwPath}/TrustedPlatformModule`, 'location'));

  const hid = child(hardware, 'HID');
  set(s, 'pointingDevice', r.enumOf(hid, `${hwPath}/HID`, 'Pointing', POINTING, 'ps2mouse'));
  set(s, 'keyboard', r.enumOf(hid, `${hwPath}/HID`, 'Keyboard', KEYBOARD, 'ps2kbd'));

  const paravirt = child(hardware, 'Paravirt');
  set(
    s,
    'paravirtProvider',
    r.enumOf(paravirt, `${hwPath}/Paravirt`, 'provider', PARAVIRT, v >= 16 ? 'default' : 'legacy'),
  );

  const boot = child(hardware, 'Boot');
  if (!boot) {
    ['floppy', 'dvd', 'disk', 'none'].forEach((d, i) =>
      s.bootOrder.push({
        value: d,
        key: sharedKey(`${hwPath}/Boot/Order[@position=${i + 1}]/@device`),
        raw: '',
      }),
    );
  } else {
    const orders = childrenOf(boot, 'Order');
    for (let pos = 1; pos <= 4; pos++) {
      const o = orders.find((x) => Number(x.attrs.position) === pos);
      s.bootOrder.push(
        r.enumOf(o, `${boot.path}/Order[@position=${pos}]`, 'device', BOOT_DEVICE, 'none') ?? {
          value: 'none',
          key: sharedKey(`${boot.path}/Order[@position=${pos}]/@device`),
          raw: '',
        },
      );
    }
  }
}

/** Display page: screen, remote display, recording. */
function readDisplay(
  r: FileReader,
  config: VmConfig,
  machine: XmlElement,
  hardware: XmlElement | undefined,
): void {
  const d = config.display;
  const hwPath = hardware?.path ?? 'Machine/Hardware';
  const display = child(hardware, 'Display');
  const dp = display?.path ?? `${hwPath}/Display`;
  set(d, 'vramMB', r.num(display, dp, 'VRAMSize', 8));
  set(d, 'monitorCount', r.num(display, dp, 'monitorCount', 1));
  set(d, 'graphicsController', r.enumOf(display, dp, 'controller', GRAPHICS, 'vboxvga'));
  set(d, 'accelerate3d', r.bool(display, dp, 'accelerate3D', false));
  set(d, 'accelerate2dVideo', r.bool(display, dp, 'accelerate2DVideo', false));

  const rd = child(hardware, 'RemoteDisplay');
  const rdPath = rd?.path ?? `${hwPath}/RemoteDisplay`;
  set(d, 'vrdeEnabled', r.bool(rd, rdPath, 'enabled', false));
  const portProp = childrenOf(child(rd, 'VRDEProperties'), 'Property').find(
    (p) => p.attrs.name === 'TCP/Ports',
  );
  const ports =
    r.str(portProp, `${rdPath}/VRDEProperties/Property[@name="TCP/Ports"]`, 'value') ??
    r.str(rd, rdPath, 'port');
  set(d, 'vrdePorts', ports);
  r.extra('display.remote.authType', undefined, r.str(rd, rdPath, 'authType', 'Null'));
  r.extra('display.remote.authTimeout', undefined, r.num(rd, rdPath, 'authTimeout', 5000));

  // Recording: ≥1.19 `Machine/Recording`, 1.14–1.18 `Hardware/VideoCapture`.
  const recording = child(machine, 'Recording');
  const capture = child(hardware, 'VideoCapture');
  if (recording) set(d, 'recordingEnabled', r.bool(recording, recording.path, 'enabled', false));
  else if (capture) set(d, 'recordingEnabled', r.bool(capture, capture.path, 'enabled', false));
  else
    d.recordingEnabled = {
      value: false,
      key: r.version.minor >= 19 ? 'Machine/Recording/@enabled' : `${hwPath}/VideoCapture/@enabled`,
      raw: '',
    };
}

/** Storage controllers (`Hardware/StorageControllers` from 1.17, `Machine/StorageControllers` before) and attachments. */
function readStorage(
  r: FileReader,
  config: VmConfig,
  machine: XmlElement,
  hardware: XmlElement | undefined,
  media: Map<string, VboxMedium>,
): void {
  const holder = child(hardware, 'StorageControllers') ?? child(machine, 'StorageControllers');
  const controllers = childrenOf(holder, 'StorageController');
  controllers.forEach((el, index) => {
    const p = el.path;
    const name = r.str(el, p, 'name') ?? { value: '', key: attrKey(p, 'name'), raw: '' };
    if (name.value === '')
      r.issues.push({ line: el.line, message: `line ${el.line}: storage controller ${index} has no name` });
    const type = r.enumOf(el, p, 'type', CONTROLLER_TYPE);
    const c: StorageController = { index, name, attachments: [] };
    set(c, 'type', type);
    set(c, 'instance', r.num(el, p, 'Instance', 0));
    set(c, 'portCount', r.num(el, p, 'PortCount'));
    set(c, 'bootable', r.bool(el, p, 'Bootable', true));
    const ideOrFloppy = ['PIIX3', 'PIIX4', 'ICH6', 'I82078'].includes(type?.value ?? '');
    r.extra('storage.controller.hostIoCache', name.value, r.bool(el, p, 'useHostIOCache', ideOrFloppy));

    for (const ad of childrenOf(el, 'AttachedDevice')) {
      // A port or device number too large to be exact is reported and placed at 0 (the slot must exist).
      const port = r.num(ad, ad.path, 'port', 0)?.value ?? 0;
      const device = r.num(ad, ad.path, 'device', 0)?.value ?? 0;
      const devType = (ad.attrs.type ?? '').toLowerCase();
      const image = child(ad, 'Image');
      const hostDrive = child(ad, 'HostDrive');
      const kindOfType: StorageAttachment['kind'] =
        devType === 'harddisk' ? 'hdd' : devType === 'dvd' ? 'dvd' : devType === 'floppy' ? 'floppy' : 'hdd';
      if (!['harddisk', 'dvd', 'floppy'].includes(devType))
        r.issues.push({
          line: ad.line,
          message: `line ${ad.line}: ${ad.path}/@type="${ad.attrs.type ?? ''}" is not HardDisk, DVD or Floppy; treated as a hard disk`,
        });
      let a: StorageAttachment;
      if (image) {
        const uuid = normalizeUuid(image.attrs.uuid ?? '');
        const m = media.get(uuid);
        const imageUuid: Sourced<string> = {
          value: uuid,
          key: attrKey(image.path, 'uuid'),
          raw: image.attrs.uuid ?? '',
        };
        if (m) {
          a = {
            port,
            device,
            kind: kindOfType,
            medium: { value: m.location, key: m.key, raw: m.rawLocation },
            imageUuid,
          };
        } else {
          r.issues.push({
            line: image.line,
            message: `line ${image.line}: medium {${uuid}} attached to ${name.value} ${port}-${device} is not in the media registry; its path is unknown`,
          });
          a = {
            port,
            device,
            kind: kindOfType,
            medium: { value: uuid, key: imageUuid.key, raw: imageUuid.raw },
            imageUuid,
          };
        }
      } else if (hostDrive) {
        const src = hostDrive.attrs.src ?? '';
        a = {
          port,
          device,
          kind: kindOfType,
          medium: { value: `host:${src}`, key: attrKey(hostDrive.path, 'src'), raw: src },
        };
      } else if (kindOfType === 'hdd') {
        r.issues.push({
          line: ad.line,
          message: `line ${ad.line}: hard disk ${name.value} ${port}-${device} has no <Image>`,
        });
        a = { port, device, kind: 'none', medium: { value: 'none', key: sharedKey(ad.path), raw: '' } };
      } else {
        a = {
          port,
          device,
          kind: 'empty',
          medium: { value: 'emptydrive', key: sharedKey(ad.path), raw: '' },
        };
      }
      set(a, 'hotPluggable', r.bool(ad, ad.path, 'hotpluggable', false));
      if (kindOfType === 'hdd') {
        set(a, 'nonRotational', r.bool(ad, ad.path, 'nonrotational', false));
        set(a, 'discard', r.bool(ad, ad.path, 'discard', false));
      } else if (kindOfType === 'dvd') {
        set(a, 'tempEject', r.bool(ad, ad.path, 'tempeject', false));
        set(a, 'passthrough', r.bool(ad, ad.path, 'passthrough', false));
      }
      c.attachments.push(a);
    }
    c.attachments.sort((x, y) => x.port - y.port || x.device - y.device);
    config.storage.push(c);
  });
}

/** Network adapters: every slot (8, or 36 with ICH9); `slot` in the model = XML `@slot` + 1. */
function readNetwork(r: FileReader, config: VmConfig, hardware: XmlElement | undefined): void {
  const hwPath = hardware?.path ?? 'Machine/Hardware';
  const network = child(hardware, 'Network');
  const netPath = network?.path ?? `${hwPath}/Network`;
  const bySlot = new Map<number, NetworkAdapter>();
  const defaultType = r.version.minor >= 16 ? 'Am79C973' : 'Am79C970A';

  for (const el of childrenOf(network, 'Adapter')) {
    const slot0 = r.num(el, el.path, 'slot');
    if (!slot0 || slot0.value < 0) {
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: network adapter without a valid slot ignored`,
      });
      continue;
    }
    const slot = slot0.value + 1;
    if (bySlot.has(slot)) {
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: network adapter slot ${slot0.value} repeated; the first one is used`,
      });
      continue;
    }
    const enabled = r.bool(el, el.path, 'enabled', false)!;
    const mode = el.children.find((c) => Object.hasOwn(ATTACHMENT, c.name));
    const a: NetworkAdapter = {
      slot,
      attachment: enabled.value
        ? mode
          ? { value: ATTACHMENT[mode.name], key: sharedKey(mode.path), raw: mode.name }
          : { value: 'null', key: sharedKey(`${el.path}/(no attachment element)`), raw: '' }
        : { ...enabled, value: 'none' },
      portForwards: [],
    };
    if (mode) {
      let name: Sourced<string> | undefined;
      if (mode.name === 'NAT') name = r.str(mode, mode.path, 'network', 'nat');
      else if (mode.name === 'GenericInterface') name = r.str(mode, mode.path, 'driver');
      else name = r.str(mode, mode.path, 'name');
      set(a, 'attachmentName', name);
      if (mode.name === 'NAT') readNat(r, a, mode);
    }
    set(a, 'adapterType', r.str(el, el.path, 'type', defaultType));
    set(a, 'macAddress', r.str(el, el.path, 'MACAddress'));
    set(a, 'cableConnected', r.bool(el, el.path, 'cable', r.version.minor >= 16 ? true : undefined));
    set(a, 'speedKbps', r.num(el, el.path, 'speed', 0));
    r.extra(
      'network.adapter.promiscuous',
      slot,
      r.enumOf(el, el.path, 'promiscuousModePolicy', PROMISC, 'deny'),
    );
    bySlot.set(slot, a);
  }

  const maxSlots = config.system.chipset?.value === 'ich9' ? 36 : 8;
  for (let slot = 1; slot <= maxSlots; slot++) {
    if (bySlot.has(slot)) continue;
    bySlot.set(slot, {
      slot,
      attachment: {
        value: 'none',
        key: sharedKey(`${netPath}/Adapter[@slot=${slot - 1}]/@enabled`),
        raw: '',
      },
      portForwards: [],
    });
  }
  config.network = [...bySlot.values()].sort((x, y) => x.slot - y.slot);
}

function readNat(r: FileReader, a: NetworkAdapter, nat: XmlElement): void {
  for (const [attr, name] of Object.entries(NAT_TUNING)) {
    let v = r.str(nat, nat.path, attr);
    if (v && (attr === 'localhost-reachable' || attr === 'forward-broadcast')) {
      // showvminfo prints these two as 1/0.
      const b = r.bool(nat, nat.path, attr);
      v = b ? { ...v, value: b.value ? '1' : '0' } : undefined;
    }
    if (v) (a.natSettings ??= {})[name] = v;
  }
  for (const f of childrenOf(nat, 'Forwarding')) {
    const proto = (f.attrs.proto ?? '').trim();
    const hostPort = r.num(f, f.path, 'hostport');
    const guestPort = r.num(f, f.path, 'guestport');
    if (!hostPort || !guestPort) {
      r.issues.push({
        line: f.line,
        message: `line ${f.line}: NAT port-forwarding rule "${f.attrs.name ?? ''}" has no host or guest port; ignored`,
      });
      continue;
    }
    const rule: PortForward = {
      name: f.attrs.name ?? '',
      protocol: proto === '1' ? 'tcp' : proto === '0' ? 'udp' : 'unk',
      hostIp: f.attrs.hostip ?? '',
      hostPort: hostPort.value,
      guestIp: f.attrs.guestip ?? '',
      guestPort: guestPort.value,
      key: sharedKey(f.path),
      raw: Object.entries(f.attrs)
        .map(([k, v]) => `${k}="${v}"`)
        .join(' '),
    };
    a.portForwards.push(rule);
  }
}

/** Audio adapter: driver, enabled, in/out, controller (+ codec). */
function readAudio(r: FileReader, config: VmConfig, hardware: XmlElement | undefined): void {
  const hwPath = hardware?.path ?? 'Machine/Hardware';
  const el = child(hardware, 'AudioAdapter');
  const p = el?.path ?? `${hwPath}/AudioAdapter`;
  const v = r.version.minor;
  const audio = config.audio;
  const controller = r.enumOf(el, p, 'controller', AUDIO_CONTROLLER, 'ac97');
  set(audio, 'controller', controller);
  r.extra('audio.main.controller', undefined, controller);
  r.extra(
    'audio.cli.codec',
    undefined,
    r.str(el, p, 'codec', lookup(AUDIO_CODEC_FOR, controller?.value ?? 'ac97')),
  );
  const useDefault = r.bool(el, p, 'useDefault');
  if (useDefault?.value) audio.driver = { ...useDefault, value: 'default' };
  else set(audio, 'driver', r.enumOf(el, p, 'driver', AUDIO_DRIVER));
  const enabled = r.bool(el, p, 'enabled', v < 16);
  if (enabled) audio.enabled = enabled.value;
  set(audio, 'input', r.bool(el, p, 'enabledIn', v < 17));
  set(audio, 'output', r.bool(el, p, 'enabledOut', v < 17));
}

/** Serial ports 1–4 (`UART/Port@slot` 0-based); ports VirtualBox omitted are disabled. */
function readSerial(r: FileReader, config: VmConfig, hardware: XmlElement | undefined): void {
  const hwPath = hardware?.path ?? 'Machine/Hardware';
  const uart = child(hardware, 'UART');
  const uartPath = uart?.path ?? `${hwPath}/UART`;
  const ports = new Map<number, SerialPort>();
  for (const el of childrenOf(uart, 'Port')) {
    const slot0 = r.num(el, el.path, 'slot');
    if (!slot0 || slot0.value < 0 || ports.has(slot0.value + 1)) {
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: serial port without a valid, unique slot ignored`,
      });
      continue;
    }
    const p: SerialPort = { slot: slot0.value + 1, enabled: r.bool(el, el.path, 'enabled', false)! };
    const io = r.num(el, el.path, 'IOAddress') ?? r.num(el, el.path, 'IOBase');
    if (io) p.ioBase = `0x${io.value.toString(16).padStart(4, '0')}`;
    const irq = r.num(el, el.path, 'IRQ');
    if (irq) p.irq = irq.value;
    const hostMode = r.str(el, el.path, 'hostMode', 'Disconnected')!;
    const server = r.bool(el, el.path, 'server', false)!.value;
    const modeMap: Record<string, string> = {
      disconnected: 'disconnected',
      rawfile: 'file',
      tcp: server ? 'tcpserver' : 'tcpclient',
      hostpipe: server ? 'server' : 'client',
      hostdevice: 'device',
    };
    const mode = lookup(modeMap, hostMode.value.toLowerCase());
    if (!mode)
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: ${hostMode.key}="${hostMode.raw}" is not a value this reader knows; kept as written`,
      });
    p.mode = { ...hostMode, value: mode ?? hostMode.value };
    if (el.attrs.path !== undefined && el.attrs.path !== '') p.path = el.attrs.path;
    set(p, 'uartType', r.str(el, el.path, 'uartType', '16550A'));
    ports.set(p.slot, p);
  }
  for (let slot = 1; slot <= 4; slot++) {
    if (ports.has(slot)) continue;
    ports.set(slot, {
      slot,
      enabled: { value: false, key: sharedKey(`${uartPath}/Port[@slot=${slot - 1}]/@enabled`), raw: '' },
    });
  }
  config.serial = [...ports.values()].sort((a, b) => a.slot - b.slot);
}

/** USB controllers (`USB/Controllers/Controller@type`, pre-1.14 `USBController@enabled,@enabledEhci`) and device filters. */
function readUsb(r: FileReader, config: VmConfig, hardware: XmlElement | undefined): void {
  const hwPath = hardware?.path ?? 'Machine/Hardware';
  const usb = child(hardware, 'USB');
  const old = child(hardware, 'USBController');
  if (old) {
    set(config.usb, 'ohci', r.bool(old, old.path, 'enabled', false));
    set(config.usb, 'ehci', r.bool(old, old.path, 'enabledEhci', false));
    set(config.usb, 'xhci', r.bool(old, old.path, 'enabledXhci', false));
  } else {
    const ctls = childrenOf(child(usb, 'Controllers'), 'Controller');
    const ctlPath = `${usb?.path ?? `${hwPath}/USB`}/Controllers/Controller`;
    for (const [field, type] of [
      ['ohci', 'OHCI'],
      ['ehci', 'EHCI'],
      ['xhci', 'XHCI'],
    ] as const) {
      const el = ctls.find((c) => (c.attrs.type ?? '').toUpperCase() === type);
      config.usb[field] = el
        ? { value: true, key: attrKey(el.path, 'type'), raw: el.attrs.type! }
        : { value: false, key: attrKey(ctlPath, 'type'), raw: '' };
    }
  }
  const filters = childrenOf(child(usb ?? old, 'DeviceFilters') ?? old, 'DeviceFilter');
  config.usb.filters = filters.map((f, i) => ({
    index: i + 1,
    name: f.attrs.name ?? '',
    active: TRUE_WORDS.has((f.attrs.active ?? '').toLowerCase()),
    vendorId: f.attrs.vendorId ?? '',
    productId: f.attrs.productId ?? '',
  }));
}

/** Shared folders (machine mappings; the writable/auto-mount flags go to extras). */
function readSharedFolders(r: FileReader, config: VmConfig, hardware: XmlElement | undefined): void {
  const out: SharedFolder[] = [];
  childrenOf(child(hardware, 'SharedFolders'), 'SharedFolder').forEach((el, i) => {
    const name = r.str(el, el.path, 'name') ?? { value: '', key: attrKey(el.path, 'name'), raw: '' };
    const hostPath = r.str(el, el.path, 'hostPath') ?? {
      value: '',
      key: attrKey(el.path, 'hostPath'),
      raw: '',
    };
    if (name.value === '' || hostPath.value === '')
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: shared folder ${i + 1} lacks a name or host path`,
      });
    out.push({ index: i + 1, name, hostPath, transient: false });
    const inst = name.value || String(i + 1);
    r.extra('sharedFolders.main.writable', inst, r.bool(el, el.path, 'writable', true));
    r.extra('sharedFolders.main.autoMount', inst, r.bool(el, el.path, 'autoMount', false));
    r.extra('sharedFolders.main.autoMountPoint', inst, r.str(el, el.path, 'autoMountPoint'));
    r.extra('sharedFolders.cli.symlinkPolicy', inst, r.str(el, el.path, 'symlinkPolicy'));
  });
  config.sharedFolders = out;
}

/**
 * Snapshot tree from nested `Snapshot` / `Snapshots/Snapshot` elements. `path` follows
 * `showvminfo`'s numbering (`""` for the first snapshot, `-1`, `-2` for its children, `-1-1` …);
 * the node whose UUID equals `Machine@currentSnapshot` is `current`.
 */
function readSnapshots(r: FileReader, config: VmConfig, machine: XmlElement): void {
  const all: SnapshotNode[] = [];
  const build = (el: XmlElement, path: string): SnapshotNode => {
    const uuid = normalizeUuid(el.attrs.uuid ?? '');
    if (!uuid)
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: snapshot "${el.attrs.name ?? ''}" has no uuid`,
      });
    const n: SnapshotNode = { name: el.attrs.name ?? '', uuid, path, current: false, children: [] };
    const desc = child(el, 'Description');
    if (desc) n.description = desc.text;
    r.extra('snapshot.timeStamp', uuid, r.str(el, el.path, 'timeStamp'));
    all.push(n);
    childrenOf(child(el, 'Snapshots'), 'Snapshot').forEach((c, i) =>
      n.children.push(build(c, `${path}-${i + 1}`)),
    );
    return n;
  };
  const roots = childrenOf(machine, 'Snapshot');
  roots.forEach((el, i) => {
    if (i > 0)
      r.issues.push({
        line: el.line,
        message: `line ${el.line}: more than one top-level snapshot; shown side by side`,
      });
    config.snapshots.push(build(el, i === 0 ? '' : `(${i + 1})`));
  });
  const current = machine.attrs.currentSnapshot;
  if (current !== undefined) {
    const node = all.find((n) => n.uuid === normalizeUuid(current));
    if (node) node.current = true;
    else
      r.issues.push({
        line: machine.line,
        message: `line ${machine.line}: current snapshot ${current} is not in the snapshot tree`,
      });
  }
}

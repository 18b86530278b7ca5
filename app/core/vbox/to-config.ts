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
  VmSource,
  VmSummary,
} from '../../shared/model.ts';
import { VBoxParseError } from './errors.ts';
import { compareIndexDigits, safeInteger, shortRaw, tooLargeIssue } from './parse-common.ts';
import { parseShowVmInfo, type ShowVmInfoEntry } from './parse-showvminfo.ts';

/** Attachment key of the matching "Name" field for each `nicN` value. */
const NIC_NAME_KEY: Record<string, string> = {
  nat: 'natnet',
  bridged: 'bridgeadapter',
  intnet: 'intnet',
  hostonly: 'hostonlyadapter',
  hostonlynetwork: 'hostonly-network',
  natnetwork: 'nat-network',
  generic: 'generic',
  cloudnetwork: 'cloud-network',
};
const NIC_NAME_PREFIXES = Object.values(NIC_NAME_KEY);
const NIC_KEY = new RegExp(
  `^(${[...NIC_NAME_PREFIXES, 'macaddress', 'cableconnected', 'nictype', 'nicspeed', 'nic'].join('|')})(\\d+)$`,
);

/** Unindexed NAT tuning keys printed after each NAT adapter (reference §2.8). */
const NAT_TUNING = new Set([
  'mtu',
  'sockSnd',
  'sockRcv',
  'tcpWndSnd',
  'tcpWndRcv',
  'localhostReachable',
  'forwardBroadcast',
]);

/** Middle tags of storage attachment keys (`"<ctl>-<tag>-<port>-<device>"`; 6.1: `"<ctl>-<tag>"`). */
const STORAGE_TAGS = [
  'ImageUUID',
  'dvdpassthrough',
  'tempeject',
  'IsEjected',
  'hot-pluggable',
  'nonrotational',
  'discard',
];
const STORAGE_CTL_KEY = /^storagecontroller(name|type|instance|maxportcount|portcount|bootable)(\d+)$/;

/** Inclusive range a whole number must fall in; outside it the value is not believed. */
type Range = readonly [min: number, max: number];

/** Any count, size or index: not negative, exactly representable. */
const NON_NEGATIVE: Range = [0, Number.MAX_SAFE_INTEGER];

/**
 * Sane ranges for numeric keys: wider than VirtualBox's own limits (reference §5.8), so values a
 * future version allows still pass and the advice can flag values VirtualBox would refuse; a value
 * outside them comes from a damaged or forged dump.
 */
const RANGES: ReadonlyMap<string, Range> = new Map<string, Range>([
  ['memory', [1, 16_777_216]], // MB (16 TB)
  ['cpus', [1, 1024]],
  ['cpuexecutioncap', [0, 1000]], // % (VirtualBox allows 1–100; the advice flags the rest)
  ['vram', [0, 4096]], // MB
  ['monitorcount', [0, 1024]],
  ['nicspeed', [0, 4_294_967_295]], // kbps (32-bit)
]);

const TRUE_WORDS = new Set(['on', 'true', 'yes', '1', 'enabled']);
const FALSE_WORDS = new Set(['off', 'false', 'no', '0', 'disabled']);

/** Per-entry builder state. */
class Reader {
  readonly entries: ShowVmInfoEntry[];
  readonly issues: ReadIssue[];
  readonly used: boolean[];
  private readonly byKey = new Map<string, number[]>();

  constructor(entries: ShowVmInfoEntry[], issues: ReadIssue[]) {
    this.entries = entries;
    this.issues = issues;
    this.used = entries.map(() => false);
    entries.forEach((e, i) => {
      const list = this.byKey.get(e.key);
      if (list) list.push(i);
      else this.byKey.set(e.key, [i]);
    });
  }

  /** First entry with this key, marked used; later duplicates stay unused (→ unknownKeys) and are reported. */
  take(key: string): ShowVmInfoEntry | undefined {
    const list = this.byKey.get(key);
    if (!list) return undefined;
    const first = list[0];
    if (this.used[first]) return this.entries[first];
    this.used[first] = true;
    for (const dup of list.slice(1)) {
      const line = this.entries[dup].line;
      this.issues.push({
        line,
        message: `"${key}" repeated; the first value (line ${this.entries[first].line}) is used`,
      });
    }
    return this.entries[first];
  }

  str(key: string): Sourced<string> | undefined {
    const e = this.take(key);
    return e ? { value: e.value, key: e.key, raw: e.value } : undefined;
  }

  num(key: string): Sourced<number> | undefined {
    const e = this.take(key);
    return e ? this.toNum(e) : undefined;
  }

  bool(key: string): Sourced<boolean> | undefined {
    const e = this.take(key);
    return e ? this.toBool(e) : undefined;
  }

  /**
   * A whole number within the key's range ({@link RANGES}, the slot number of `nicspeedN` ignored;
   * other keys: not negative). A number that is too large to be exact, negative or out of range is
   * rejected like text: value left undefined, issue with its line, raw text kept as unknown key.
   */
  toNum(e: ShowVmInfoEntry, index?: number): Sourced<number> | undefined {
    const t = e.value.trim();
    if (!/^-?\d+$/.test(t)) {
      this.reject(e, 'is not a whole number', index);
      return undefined;
    }
    const n = Number(t);
    const [min, max] = RANGES.get(e.key.replace(/\d+$/, '')) ?? NON_NEGATIVE;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      this.reject(e, `is out of range (${min}–${max === Number.MAX_SAFE_INTEGER ? '…' : max})`, index);
      return undefined;
    }
    return { value: n, key: e.key, raw: e.value };
  }

  toBool(e: ShowVmInfoEntry, index?: number): Sourced<boolean> | undefined {
    const t = e.value.trim().toLowerCase();
    if (TRUE_WORDS.has(t)) return { value: true, key: e.key, raw: e.value };
    if (FALSE_WORDS.has(t)) return { value: false, key: e.key, raw: e.value };
    this.reject(e, 'is not on/off', index);
    return undefined;
  }

  /**
   * The number written by `digits`, an index taken from the key of entry `i` (`nic2` → 2); when it
   * is too large to be exact, reports the key (it stays an unknown key) and returns undefined.
   */
  index(digits: string, i: number): number | undefined {
    const n = safeInteger(digits);
    if (n !== undefined) return n;
    const e = this.entries[i];
    this.used[i] = false;
    this.issues.push(
      tooLargeIssue(
        `the index in key "${shortRaw(e.key)}"`,
        digits,
        e.line,
        'the key is kept as an unknown key',
      ),
    );
    return undefined;
  }

  /** Reports an unusable value and leaves the entry for unknownKeys. */
  reject(e: ShowVmInfoEntry, why: string, index?: number): void {
    const i = index ?? this.entries.indexOf(e);
    if (i >= 0) this.used[i] = false;
    this.issues.push({
      line: e.line,
      message: `value "${e.value.slice(0, 80)}" of "${e.key}" ${why}; kept as unknown key`,
    });
  }
}

const sourced = <T>(e: ShowVmInfoEntry, value: T): Sourced<T> => ({ value, key: e.key, raw: e.value });

/**
 * Builds the VM model from `VBoxManage showvminfo <uuid> --machinereadable` output
 * (VirtualBox 3.x–7.x), page by page as the settings mirror shows it. Every value is a
 * {@link Sourced} with the raw key and text it came from.
 *
 * - `id` is `UUID` lower-cased without braces. Without a `UUID` line: for `source: 'vboxmanage'`
 *   a {@link VBoxParseError} is thrown (the output is not a VM dump); for `'file'` and `'demo'`
 *   (saved dumps and fragments) `id` is `''` and an issue "no UUID line" is added.
 * - Storage: controllers from `storagecontroller*i`; attachment keys are split from the right
 *   after the longest matching controller name (names may contain spaces and dashes). 6.1's
 *   unsuffixed flag keys (`"IDE-IsEjected"`) apply to the attachment printed just before them on
 *   that controller. `kind`: `none` for a free slot, `empty` for `emptydrive`, `floppy` on an
 *   I82078 controller, `dvd` for `.iso`/`.cdr`/`.dmg`, `host:` drives or when DVD-only flags
 *   (`IsEjected`, `tempeject`, `dvdpassthrough`) are present, otherwise `hdd`.
 * - Network: one adapter per printed `nicN` (disabled ones too, attachment `none`), with the
 *   matching name key (`natnetN`, `bridgeadapterN`, …). Unindexed NAT tuning lines and
 *   `Forwarding(i)` rules go to the most recent NAT adapter before them.
 * - Snapshots: tree from `SnapshotName[-i-j…]`/`SnapshotUUID…`/`SnapshotDescription…`; the node
 *   whose UUID equals `CurrentSnapshotUUID` (else the `CurrentSnapshotNode` path) is current.
 * - Numbers must be whole, exact (safe integers) and within sane ranges (memory 1–16777216 MB,
 *   vCPUs 1–1024, execution cap 0–1000 %, VRAM 0–4096 MB, monitors 0–1024, other counts not
 *   negative; forwarded ports 0–65535); otherwise the value is left out and an issue names the
 *   line. The ranges are wider than VirtualBox's limits on purpose: the advice flags those.
 * - A dump that looks cut short gets an issue (see `truncationSign`).
 * - Keys the model does not map (and values that could not be converted, repeated keys) go to
 *   `unknownKeys` with their line; parse problems go to `issues`. Never throws on odd input
 *   except as described for a missing UUID.
 *
 * @param text stdout of `showvminfo --machinereadable` (or a saved copy of it).
 * @param source where the text came from.
 * @throws VBoxParseError when `source` is `'vboxmanage'` and there is no `UUID` line.
 */
export function showVmInfoToConfig(text: string, source: VmSource): VmConfig {
  const parsed = parseShowVmInfo(text);
  const issues: ReadIssue[] = [...parsed.issues];
  const r = new Reader(parsed.entries, issues);

  const uuid = r.take('UUID');
  if (!uuid) {
    if (source === 'vboxmanage') {
      throw new VBoxParseError(
        parsed.entries.length === 0
          ? 'showvminfo printed no key=value lines (empty or unreadable output)'
          : 'showvminfo output has no UUID="…" line, so it does not describe a VM',
      );
    }
    issues.push({ message: 'no UUID line: this dump does not identify its VM (id left empty)' });
  }

  const config: VmConfig = {
    id: uuid
      ? uuid.value
          .trim()
          .replace(/^\{|\}$/g, '')
          .toLowerCase()
      : '',
    hypervisor: 'virtualbox',
    source,
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
  const set = <O extends object, K extends keyof O>(obj: O, k: K, v: O[K] | undefined): void => {
    if (v !== undefined) obj[k] = v;
  };

  set(config, 'state', r.str('VMState'));
  set(config, 'stateChangeTime', r.str('VMStateChangeTime'));
  set(config, 'sessionName', r.str('SessionName'));
  set(config, 'guestAdditionsVersion', r.str('GuestAdditionsVersion'));

  // General
  const g = config.general;
  set(g, 'name', r.str('name'));
  set(g, 'osType', r.str('ostype'));
  const groups = r.take('groups');
  if (groups) {
    g.groups = sourced(groups, groups.value === '' ? [] : groups.value.split(',').filter((x) => x !== ''));
  }
  set(g, 'cfgFile', r.str('CfgFile'));
  set(g, 'snapshotFolder', r.str('SnapFldr'));
  set(g, 'logFolder', r.str('LogFldr'));
  set(g, 'hardwareUuid', r.str('hardwareuuid'));
  set(g, 'clipboard', r.str('clipboard'));
  set(g, 'dragAndDrop', r.str('draganddrop'));
  set(g, 'description', r.str('description'));

  // System
  const s = config.system;
  set(s, 'memoryMB', r.num('memory'));
  for (let n = 1; n <= 4; n++) {
    const b = r.str(`boot${n}`);
    if (b) s.bootOrder.push(b);
  }
  set(s, 'chipset', r.str('chipset'));
  set(s, 'firmware', r.str('firmware'));
  set(s, 'pointingDevice', r.str('hidpointing'));
  set(s, 'keyboard', r.str('hidkeyboard'));
  set(s, 'ioApic', r.bool('ioapic'));
  set(s, 'rtcUseUtc', r.bool('rtcuseutc'));
  set(s, 'secureBoot', r.bool('SecureBoot'));
  set(s, 'acpi', r.bool('acpi'));
  set(s, 'hpet', r.bool('hpet'));
  set(s, 'pageFusion', r.bool('pagefusion'));
  set(s, 'cpus', r.num('cpus'));
  set(s, 'executionCapPercent', r.num('cpuexecutioncap'));
  set(s, 'pae', r.bool('pae'));
  set(s, 'longMode', r.bool('longmode'));
  set(s, 'nestedHwVirt', r.bool('nested-hw-virt'));
  set(s, 'cpuProfile', r.str('cpu-profile'));
  set(s, 'paravirtProvider', r.str('paravirtprovider'));
  set(s, 'effectiveParavirtProvider', r.str('effparavirtprovider'));
  set(s, 'hwVirtEx', r.bool('hwvirtex'));
  set(s, 'nestedPaging', r.bool('nestedpaging'));
  set(s, 'largePages', r.bool('largepages'));
  set(s, 'vtxVpid', r.bool('vtxvpid'));
  set(s, 'vtxUx', r.bool('vtxux'));
  set(s, 'platformArchitecture', r.str('platformArchitecture'));

  // Display
  const d = config.display;
  set(d, 'vramMB', r.num('vram'));
  set(d, 'monitorCount', r.num('monitorcount'));
  set(d, 'graphicsController', r.str('graphicscontroller'));
  set(d, 'accelerate3d', r.bool('accelerate3d'));
  set(d, 'accelerate2dVideo', r.bool('accelerate2dvideo'));
  set(d, 'vrdeEnabled', r.bool('vrde') ?? r.bool('vrdp'));
  set(d, 'vrdePorts', r.str('vrdeports') ?? r.str('vrdpport'));
  // 7.x `recording_enabled`; 6.0/6.1 `videocap`; 5.0–5.1 `vcpenabled`.
  set(d, 'recordingEnabled', r.bool('recording_enabled') ?? r.bool('videocap') ?? r.bool('vcpenabled'));

  // Audio
  const audio = r.str('audio');
  if (audio) {
    config.audio.driver = audio;
    config.audio.enabled = audio.value !== 'none';
  }
  set(config.audio, 'output', r.bool('audio_out'));
  set(config.audio, 'input', r.bool('audio_in'));

  // USB controllers
  set(config.usb, 'ohci', r.bool('usb'));
  set(config.usb, 'ehci', r.bool('ehci'));
  set(config.usb, 'xhci', r.bool('xhci'));

  readStorage(r, config);
  readNetwork(r, config);
  readSerial(r, config);
  readUsbFilters(r, config);
  readSharedFolders(r, config);
  readSnapshots(r, config);

  r.entries.forEach((e, i) => {
    if (!r.used[i]) config.unknownKeys.push({ key: e.key, value: e.value, line: e.line });
  });
  const cut = truncationSign(parsed.entries);
  if (cut) issues.push(cut);
  return config;
}

/**
 * Message of the issue {@link truncationSign} adds; the UI and CLI may look for this prefix.
 */
export const TRUNCATED_MESSAGE = 'output looks truncated';

/**
 * Recognises a dump that was cut short. Every complete dump of a VM (VirtualBox 3.1–7.1, all
 * real fixtures) prints `VMState` about a third of the way in and `audio` and `usb` further
 * down (reference §3.7). A dump that starts like a VM (`name` or `UUID` line, not the
 * `<inaccessible>` placeholder) but lacks `VMState`, or lacks both `audio` and `usb`, gets an
 * issue on its last line. Fragments without `name` and `UUID` (saved NIC excerpts) are not judged,
 * and neither is a missing final newline on its own (complete dumps without one exist).
 */
function truncationSign(entries: ShowVmInfoEntry[]): ReadIssue | undefined {
  const keys = new Set(entries.map((e) => e.key));
  const name = entries.find((e) => e.key === 'name')?.value;
  if (!(keys.has('name') || keys.has('UUID')) || name === '<inaccessible>') return undefined;
  const last = entries[entries.length - 1]?.line;
  if (!keys.has('VMState')) return { line: last, message: `${TRUNCATED_MESSAGE} (no VMState line)` };
  if (!keys.has('audio') && !keys.has('usb')) {
    return {
      line: last,
      message: `${TRUNCATED_MESSAGE} (no audio or usb line, which every complete dump has)`,
    };
  }
  return undefined;
}

/** Storage controllers and their attachments. */
function readStorage(r: Reader, config: VmConfig): void {
  const byIndex = new Map<number, StorageController>();
  const ctl = (index: number, e: ShowVmInfoEntry): StorageController => {
    let c = byIndex.get(index);
    if (!c) {
      c = { index, name: sourced(e, ''), attachments: [] };
      byIndex.set(index, c);
    }
    return c;
  };
  r.entries.forEach((e, i) => {
    const m = STORAGE_CTL_KEY.exec(e.key);
    if (!m) return;
    const index = r.index(m[2], i);
    if (index === undefined) return;
    r.used[i] = true;
    const c = ctl(index, e);
    switch (m[1]) {
      case 'name':
        c.name = sourced(e, e.value);
        break;
      case 'type':
        c.type = sourced(e, e.value);
        break;
      case 'instance':
      case 'portcount':
      case 'maxportcount': {
        const v = r.toNum(e, i);
        if (v) c[m[1] === 'instance' ? 'instance' : m[1] === 'portcount' ? 'portCount' : 'maxPortCount'] = v;
        break;
      }
      case 'bootable': {
        const v = r.toBool(e, i);
        if (v) c.bootable = v;
        break;
      }
    }
  });
  const controllers = [...byIndex.values()].sort((a, b) => a.index - b.index);
  for (const c of controllers) {
    if (c.name.value === '') {
      const line = r.entries.find(
        (e) => e.key.endsWith(String(c.index)) && STORAGE_CTL_KEY.test(e.key),
      )?.line;
      config.issues.push({
        line,
        message: `storage controller ${c.index} has no storagecontrollername${c.index} line`,
      });
    }
  }
  // Longest names first so "SATA Controller" wins over "SATA".
  const names = controllers
    .filter((c) => c.name.value !== '')
    .sort((a, b) => b.name.value.length - a.name.value.length);

  const flags = new Map<StorageAttachment, Set<string>>();
  const lastOf = new Map<StorageController, StorageAttachment>();
  const find = (c: StorageController, port: number, device: number): StorageAttachment | undefined =>
    c.attachments.find((a) => a.port === port && a.device === device);

  r.entries.forEach((e, i) => {
    if (r.used[i]) return;
    const c = names.find((n) => e.key.startsWith(`${n.name.value}-`));
    if (!c) return;
    const rest = e.key.slice(c.name.value.length + 1);
    const slot = /^(\d+)-(\d+)$/.exec(rest);
    if (slot) {
      const port = r.index(slot[1], i);
      const device = port === undefined ? undefined : r.index(slot[2], i);
      if (port === undefined || device === undefined) return;
      r.used[i] = true;
      let a = find(c, port, device);
      if (a && a.medium.value === '' && a.medium.key !== e.key) {
        a.medium = sourced(e, e.value);
      } else if (a) {
        config.issues.push({
          line: e.line,
          message: `slot ${c.name.value} ${port}-${device} printed twice; the last value is used`,
        });
        a.medium = sourced(e, e.value);
      } else {
        a = { port, device, medium: sourced(e, e.value), kind: 'none' };
        c.attachments.push(a);
      }
      lastOf.set(c, a);
      return;
    }
    const tagged = new RegExp(`^(${STORAGE_TAGS.join('|')})(?:-(\\d+)-(\\d+))?$`).exec(rest);
    if (!tagged) return;
    const tag = tagged[1];
    let a: StorageAttachment | undefined;
    if (tagged[2] !== undefined) {
      const port = r.index(tagged[2], i);
      const device = port === undefined ? undefined : r.index(tagged[3], i);
      if (port === undefined || device === undefined) return;
      a = find(c, port, device);
      if (!a) {
        // Flag printed before its medium line: create the slot now; the medium line fills it in.
        a = { port, device, medium: sourced(e, ''), kind: 'none' };
        c.attachments.push(a);
      }
    } else {
      a = lastOf.get(c);
      if (!a) {
        config.issues.push({
          line: e.line,
          message: `"${e.key}" has no preceding ${c.name.value} attachment; kept as unknown key`,
        });
        return;
      }
    }
    r.used[i] = true;
    if (tag === 'ImageUUID') {
      a.imageUuid = sourced(e, e.value);
      return;
    }
    const b = r.toBool(e, i);
    if (!b) return;
    (flags.get(a) ?? flags.set(a, new Set()).get(a)!).add(tag);
    const field = (
      {
        dvdpassthrough: 'passthrough',
        tempeject: 'tempEject',
        IsEjected: 'isEjected',
        'hot-pluggable': 'hotPluggable',
        nonrotational: 'nonRotational',
        discard: 'discard',
      } as const
    )[tag as 'dvdpassthrough'];
    a[field] = b;
  });

  for (const c of controllers) {
    c.attachments.sort((x, y) => x.port - y.port || x.device - y.device);
    const floppy = c.type?.value === 'I82078' || /floppy/i.test(c.name.value);
    for (const a of c.attachments) a.kind = attachmentKind(a.medium.value, floppy, flags.get(a));
  }
  config.storage = controllers;
}

function attachmentKind(
  medium: string,
  floppyController: boolean,
  flags: Set<string> | undefined,
): StorageAttachment['kind'] {
  const m = medium.trim();
  if (m === '' || m === 'none') return 'none';
  if (m === 'emptydrive') return 'empty';
  if (floppyController) return 'floppy';
  if (/\.(iso|cdr|dmg)$/i.test(m) || /^host:/i.test(m) || m === 'additions') return 'dvd';
  if (flags && (flags.has('IsEjected') || flags.has('tempeject') || flags.has('dvdpassthrough')))
    return 'dvd';
  return 'hdd';
}

/** Network adapters, NAT tuning and port forwarding. */
function readNetwork(r: Reader, config: VmConfig): void {
  const bySlot = new Map<number, NetworkAdapter>();
  const names = new Map<number, Map<string, ShowVmInfoEntry>>();
  const fields = new Map<number, Map<string, [ShowVmInfoEntry, number]>>();
  let lastNat: NetworkAdapter | undefined;
  let lastNic: ShowVmInfoEntry | undefined;

  r.entries.forEach((e, i) => {
    if (r.used[i]) return;
    const m = NIC_KEY.exec(e.key);
    if (m) {
      const slot = r.index(m[2], i);
      if (slot === undefined) return;
      r.used[i] = true;
      if (m[1] === 'nic') {
        if (bySlot.has(slot)) {
          r.used[i] = false;
          config.issues.push({
            line: e.line,
            message: `"${e.key}" repeated; the first value is used`,
          });
          return;
        }
        const a: NetworkAdapter = { slot, attachment: sourced(e, e.value), portForwards: [] };
        bySlot.set(slot, a);
        lastNic = e;
        lastNat = e.value === 'nat' ? a : undefined;
      } else if (NIC_NAME_PREFIXES.includes(m[1])) {
        (names.get(slot) ?? names.set(slot, new Map()).get(slot)!).set(m[1], e);
      } else {
        (fields.get(slot) ?? fields.set(slot, new Map()).get(slot)!).set(m[1], [e, i]);
      }
      return;
    }
    const forwarding = /^Forwarding\((\d+)\)$/.exec(e.key);
    if (NAT_TUNING.has(e.key) || forwarding) {
      if (!lastNat) {
        config.issues.push({
          line: e.line,
          message: `"${e.key}" does not follow a NAT adapter (${lastNic ? `last adapter line ${lastNic.line} is ${lastNic.key}="${lastNic.value}"` : 'no nicN line before it'}); kept as unknown key`,
        });
        return;
      }
      if (forwarding) {
        const rule = parseForwarding(e);
        if (!rule) {
          config.issues.push({
            line: e.line,
            message: `"${e.key}" is not name,protocol,hostIP,hostPort,guestIP,guestPort (ports 0–65535): "${e.value}"; kept as unknown key`,
          });
          return;
        }
        r.used[i] = true;
        lastNat.portForwards.push(rule);
        return;
      }
      r.used[i] = true;
      lastNat.natSettings ??= {};
      if (e.key in lastNat.natSettings) {
        config.issues.push({
          line: e.line,
          message: `NAT setting "${e.key}" repeated for adapter ${lastNat.slot}; the last value is used`,
        });
      }
      lastNat.natSettings[e.key] = sourced(e, e.value);
    }
  });

  // Name/field keys for slots without a nicN line still describe an adapter.
  for (const slot of new Set([...names.keys(), ...fields.keys()])) {
    if (bySlot.has(slot)) continue;
    const any = names.get(slot)?.values().next().value ?? fields.get(slot)?.values().next().value?.[0];
    if (!any) continue;
    config.issues.push({
      line: any.line,
      message: `adapter ${slot} has settings but no nic${slot} line`,
    });
    bySlot.set(slot, {
      slot,
      attachment: { value: 'unknown', key: `nic${slot}`, raw: '' },
      portForwards: [],
    });
  }

  for (const [slot, a] of bySlot) {
    const slotNames = names.get(slot);
    if (slotNames && slotNames.size > 0) {
      const want = NIC_NAME_KEY[a.attachment.value.toLowerCase()];
      const e = (want && slotNames.get(want)) || slotNames.values().next().value!;
      a.attachmentName = sourced(e, e.value);
      for (const other of slotNames.values()) {
        if (other === e) continue;
        config.issues.push({
          line: other.line,
          message: `"${other.key}" does not match nic${slot}="${a.attachment.value}"; kept as unknown key`,
        });
        r.used[r.entries.indexOf(other)] = false;
      }
    }
    const f = fields.get(slot);
    const mac = f?.get('macaddress');
    if (mac) a.macAddress = sourced(mac[0], mac[0].value);
    const type = f?.get('nictype');
    if (type) a.adapterType = sourced(type[0], type[0].value);
    const cable = f?.get('cableconnected');
    if (cable) {
      const v = r.toBool(cable[0], cable[1]);
      if (v) a.cableConnected = v;
    }
    const speed = f?.get('nicspeed');
    if (speed) {
      const v = r.toNum(speed[0], speed[1]);
      if (v) a.speedKbps = v;
    }
  }
  config.network = [...bySlot.values()].sort((x, y) => x.slot - y.slot);
}

/** `Forwarding(i)="name,tcp,hostip,hostport,guestip,guestport"`; the name may contain commas, so split from the right. */
function parseForwarding(e: ShowVmInfoEntry): PortForward | undefined {
  const parts = e.value.split(',');
  if (parts.length < 6) return undefined;
  const tail = parts.slice(-5);
  const name = parts.slice(0, -5).join(',');
  const [protocol, hostIp, hostPort, guestIp, guestPort] = tail;
  const port = (t: string): boolean => /^\d{1,5}$/.test(t) && Number(t) <= 65535;
  if (!port(hostPort) || !port(guestPort)) return undefined;
  return {
    name,
    protocol,
    hostIp,
    hostPort: Number(hostPort),
    guestIp,
    guestPort: Number(guestPort),
    key: e.key,
    raw: e.value,
  };
}

/** Serial ports `uartN`, `uartmodeN`, `uarttypeN`. */
function readSerial(r: Reader, config: VmConfig): void {
  const ports = new Map<number, SerialPort>();
  const pending: [number, ShowVmInfoEntry, number][] = [];
  r.entries.forEach((e, i) => {
    if (r.used[i]) return;
    const m = /^uart(mode|type)?(\d+)$/.exec(e.key);
    if (!m) return;
    const slot = r.index(m[2], i);
    if (slot === undefined) return;
    if (m[1] === undefined) {
      if (ports.has(slot)) return;
      r.used[i] = true;
      const v = e.value.trim();
      const p: SerialPort = { slot, enabled: sourced(e, v !== 'off') };
      const io = /^(0x[0-9a-fA-F]+|\d+),\s*(\d+)$/.exec(v);
      if (io && Number.isSafeInteger(Number(io[2]))) {
        p.ioBase = io[1];
        p.irq = Number(io[2]);
      } else if (io) {
        config.issues.push({ line: e.line, message: `"${e.key}" has an IRQ too large to be true: "${v}"` });
      } else if (v !== 'off') {
        config.issues.push({
          line: e.line,
          message: `"${e.key}" is neither off nor "<I/O base>,<IRQ>": "${v}"`,
        });
      }
      ports.set(slot, p);
    } else {
      pending.push([slot, e, i]);
    }
  });
  for (const [slot, e, i] of pending) {
    const p = ports.get(slot);
    if (!p) continue;
    if (e.key.startsWith('uarttype')) {
      if (p.uartType) continue;
      p.uartType = sourced(e, e.value);
    } else {
      if (p.mode) continue;
      const mm = /^(disconnected|file|tcpserver|tcpclient|server|client)(?:,(.*))?$/s.exec(e.value);
      if (mm) {
        p.mode = sourced(e, mm[1]);
        if (mm[2] !== undefined) p.path = mm[2];
      } else {
        p.mode = sourced(e, 'device');
        p.path = e.value;
      }
    }
    r.used[i] = true;
  }
  config.serial = [...ports.values()].sort((a, b) => a.slot - b.slot);
}

/** USB device filters `USBFilter<Field>N` (Active, Name, VendorId, ProductId mapped; other fields stay unknown keys). */
function readUsbFilters(r: Reader, config: VmConfig): void {
  const filters = new Map<
    number,
    { index: number; name: string; active: boolean; vendorId: string; productId: string }
  >();
  r.entries.forEach((e, i) => {
    if (r.used[i]) return;
    const m = /^USBFilter(Active|Name|VendorId|ProductId)(\d+)$/.exec(e.key);
    if (!m) return;
    const index = r.index(m[2], i);
    if (index === undefined) return;
    let f = filters.get(index);
    if (!f) {
      f = { index, name: '', active: false, vendorId: '', productId: '' };
      filters.set(index, f);
    }
    r.used[i] = true;
    if (m[1] === 'Active') {
      const b = r.toBool(e, i);
      if (b) f.active = b.value;
    } else if (m[1] === 'Name') f.name = e.value;
    else if (m[1] === 'VendorId') f.vendorId = e.value;
    else f.productId = e.value;
  });
  config.usb.filters = [...filters.values()].sort((a, b) => a.index - b.index);
}

/** Shared folders, machine mappings first, then transient ones. */
function readSharedFolders(r: Reader, config: VmConfig): void {
  const found = new Map<
    string,
    { index: number; transient: boolean; name?: ShowVmInfoEntry; path?: ShowVmInfoEntry }
  >();
  r.entries.forEach((e, i) => {
    if (r.used[i]) return;
    const m = /^SharedFolder(Name|Path)(Machine|Transient)Mapping(\d+)$/.exec(e.key);
    if (!m) return;
    const index = r.index(m[3], i);
    if (index === undefined) return;
    const id = `${m[2]}${m[3]}`;
    let f = found.get(id);
    if (!f) {
      f = { index, transient: m[2] === 'Transient' };
      found.set(id, f);
    }
    if (m[1] === 'Name' ? f.name : f.path) return;
    r.used[i] = true;
    if (m[1] === 'Name') f.name = e;
    else f.path = e;
  });
  const out: SharedFolder[] = [];
  for (const f of found.values()) {
    const any = (f.name ?? f.path)!;
    if (!f.name || !f.path) {
      config.issues.push({
        line: any.line,
        message: `shared folder ${f.index} has a ${f.name ? 'name' : 'path'} but no ${f.name ? 'path' : 'name'}`,
      });
    }
    out.push({
      index: f.index,
      transient: f.transient,
      name: f.name
        ? sourced(f.name, f.name.value)
        : { value: '', key: any.key.replace('Path', 'Name'), raw: '' },
      hostPath: f.path
        ? sourced(f.path, f.path.value)
        : { value: '', key: any.key.replace('Name', 'Path'), raw: '' },
    });
  }
  config.sharedFolders = out.sort((a, b) => Number(a.transient) - Number(b.transient) || a.index - b.index);
}

/** Snapshot tree from `SnapshotName<path>` / `SnapshotUUID<path>` / `SnapshotDescription<path>`. */
function readSnapshots(r: Reader, config: VmConfig): void {
  const nodes = new Map<string, SnapshotNode>();
  const order: string[] = [];
  const node = (path: string): SnapshotNode => {
    let n = nodes.get(path);
    if (!n) {
      n = { name: '', uuid: '', path, current: false, children: [] };
      nodes.set(path, n);
      order.push(path);
    }
    return n;
  };
  r.entries.forEach((e, i) => {
    if (r.used[i]) return;
    const m = /^Snapshot(Name|UUID|Description)((?:-\d+)*)$/.exec(e.key);
    if (!m) return;
    if (!nodes.has(m[2])) {
      const big = m[2].split('-').find((d) => d !== '' && safeInteger(d) === undefined);
      if (big !== undefined)
        config.issues.push(
          tooLargeIssue(
            `the snapshot index in key "${shortRaw(e.key)}"`,
            big,
            e.line,
            'the snapshot is kept and ordered by its digits',
          ),
        );
    }
    const n = node(m[2]);
    r.used[i] = true;
    if (m[1] === 'Name') n.name = e.value;
    else if (m[1] === 'UUID') n.uuid = e.value.trim().toLowerCase();
    else n.description = e.value;
  });
  if (nodes.size === 0) return;
  const roots: SnapshotNode[] = [];
  for (const path of order) {
    const n = nodes.get(path)!;
    const parentPath = path.replace(/-\d+$/, '');
    const parent = path === '' ? undefined : nodes.get(parentPath);
    if (parent) parent.children.push(n);
    else {
      if (path !== '')
        config.issues.push({
          message: `snapshot "${n.name}" (Snapshot…${path}) has no parent snapshot; shown at the top level`,
        });
      roots.push(n);
    }
  }
  const sortKids = (n: SnapshotNode): void => {
    n.children.sort((a, b) => compareIndexDigits(lastIndex(a.path), lastIndex(b.path)));
    n.children.forEach(sortKids);
  };
  roots.forEach(sortKids);

  const currentUuid = r.take('CurrentSnapshotUUID');
  const currentNode = r.take('CurrentSnapshotNode');
  r.take('CurrentSnapshotName');
  let current: SnapshotNode | undefined;
  if (currentUuid)
    current = [...nodes.values()].find((n) => n.uuid === currentUuid.value.trim().toLowerCase());
  if (!current && currentNode) {
    const m = /^SnapshotName((?:-\d+)*)$/.exec(currentNode.value.trim());
    if (m) current = nodes.get(m[1]);
  }
  if (current) current.current = true;
  else if (currentUuid || currentNode) {
    const e = (currentUuid ?? currentNode)!;
    config.issues.push({
      line: e.line,
      message: `current snapshot "${e.value}" is not in the snapshot list`,
    });
  }
  config.snapshots = roots;
}

/** Digits of the last `-k` of a snapshot path (`-1-12` → `12`); `0` for the root path `""`. */
function lastIndex(path: string): string {
  const m = /-(\d+)$/.exec(path);
  return m ? m[1] : '0';
}

/**
 * The machines-list row for a VM built by {@link showVmInfoToConfig}: id, name, state, OS type
 * description, vCPUs and memory (MB); `findings` is 0 (advice fills it later). A VM whose name is
 * `<inaccessible>` is marked inaccessible with an English `error`.
 */
export function summaryFromConfig(config: VmConfig): VmSummary {
  const name = config.general.name?.value ?? '';
  const accessible = name !== '<inaccessible>';
  const summary: VmSummary = {
    id: config.id,
    hypervisor: config.hypervisor,
    source: config.source,
    name,
    accessible,
    findings: 0,
  };
  if (!accessible)
    summary.error = 'VirtualBox could not read this VM (its settings file is missing or damaged).';
  if (config.state) summary.state = config.state.value;
  if (config.general.osType) summary.osType = config.general.osType.value;
  if (config.system.cpus) summary.cpus = config.system.cpus.value;
  if (config.system.memoryMB) summary.memoryMB = config.system.memoryMB.value;
  return summary;
}

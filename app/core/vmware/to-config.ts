import { createHash } from 'node:crypto';
import path from 'node:path';
import type {
  NetworkAdapter,
  ReadIssue,
  SerialPort,
  SharedFolder,
  Sourced,
  StorageAttachment,
  StorageController,
  VmConfig,
  VmSummary,
} from '../../shared/model.ts';
import type { VmwareControlId } from '../../shared/vmware-ids.ts';
import { safeInteger, shortRaw, tooLargeIssue } from '../vbox/parse-common.ts';
import { parseVmxBool, type ParsedVmx, type VmxEntry } from './parse-vmx.ts';

/**
 * Maps a parsed `.vmx` (see parse-vmx.ts) into the hypervisor-neutral {@link VmConfig}
 * (`hypervisor: 'vmware'`, `source: 'file'`). Facts: reference `vmware-vmx.md` §1–§4.
 *
 * Conventions:
 * - Every {@link Sourced} value keeps the `.vmx` key exactly as the file spells it (`memSize`,
 *   `memsize`) in `key` and the unescaped value text in `raw`. A value VMware assumes because a key
 *   is absent is set only where the model requires a value (a network adapter's attachment, a
 *   controller's type, a drive's medium); such values carry `raw: ''` and, as `key`, the key VMware
 *   would read (`ethernet0.connectionType`) or the device name (`sata0`) for values that follow
 *   from the device itself.
 * - Neutral fields use VirtualBox's words where the meaning is the same — firmware `BIOS`/`EFI`,
 *   attachment `bridged`/`nat`/`hostonly`, LAN segment → `intnet`, controller types `LsiLogic`,
 *   `LsiLogicSas`, `BusLogic`, `IntelAhci` (SATA), `PIIX4` (IDE), `NVMe`, `I82078` (floppy), boot
 *   devices `disk`/`dvd`/`floppy`/`net`, clipboard and drag-and-drop directions, TPM `v2_0`, audio
 *   `hda`/`sb16`, state `running`/`saved`/`poweroff` — so VMs of both compare. VMware values without
 *   an identical VirtualBox meaning keep VMware's word in lower case: attachment `custom`, controller
 *   `pvscsi`, audio `es1371`, and every adapter type (`e1000`, `e1000e`, `vmxnet3`, `vlance`,
 *   `vmxnet`), since the emulated chips differ between products. `raw` always has the `.vmx` text.
 * - Device numbering: network adapter `ethernetN` has `slot` N+1 and serial port `serialN` has `slot`
 *   N+1 (VMware's UI calls `ethernet1` "Network Adapter 2"); storage controllers are named by device
 *   (`ide` for both IDE channels, `sata0`, `scsi1`, `nvme0`, `floppy`); an IDE drive `ideC:U` has
 *   `port` C and `device` U, a floppy `floppyN` `port` N, any other drive `busN:U` `port` U, `device` 0.
 *   Devices whose `.present` is not TRUE are kept with attachment `none` (adapters) or kind `none`
 *   (drives) so nothing is lost; VMware does not show them.
 * - `native` holds the values the neutral fields cannot, keyed by VMware catalog id plus `#device`
 *   for per-device controls (`vmware.disks.mode#scsi0:1`, `vmware.network.replicateState#ethernet0`,
 *   `vmware.options.powerControls#powerOff`). Booleans there are `true`/`false`; enumerations the
 *   `.vmx` word in lower case; sizes in the `.vmx` unit (graphics memory in KB).
 * - Keys the mapping does not read go to `unknownKeys` (kept and shown, never fatal); unreadable
 *   values (a non-boolean `present`, a non-numeric `memsize`) become issues with the line number.
 */

/** Options of {@link vmxToConfig}. */
export interface VmxToConfigOptions {
  /** Path of the `.vmx` (absolute when known): used for the fallback id and `general.cfgFile`. */
  path?: string;
  /** Forces the VM id (discovery passes one when two files share a `uuid.bios`). */
  id?: string;
  /** Platform whose path rules apply to the fallback id (default `process.platform`). */
  platform?: NodeJS.Platform;
  /** Running state when known (`vmrun list`, a `.vmss` file): `running`, `saved` or `poweroff`. */
  state?: Sourced<string>;
}

/**
 * Normalizes VMware's `uuid.bios` text (16 hex byte pairs, `"56 4d ee 3c 4b 5c 2f 21-be 4a 1c 9d 7f 0e 8a 33"`)
 * to a lower-case UUID (`564dee3c-4b5c-2f21-be4a-1c9d7f0e8a33`). Spaces, dashes and braces are
 * ignored; returns undefined unless exactly 32 hex digits remain.
 */
export function normalizeVmwareUuid(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const hex = text.replace(/[\s{}-]/g, '').toLowerCase();
  if (!/^[0-9a-f]{32}$/.test(hex)) return undefined;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * A stable UUID-shaped id for a VM without a usable `uuid.bios`: the first 128 bits of SHA-256 over
 * `vmware:` plus the path, with the version nibble set to 8 and the RFC 4122 variant bits (so it
 * passes UUID checks). The path is made absolute and, on Windows and macOS (case-insensitive file
 * systems), lower-cased with `/` separators, so the same file always gets the same id.
 */
export function pathHashId(filePath: string, platform: NodeJS.Platform = process.platform): string {
  let p = filePath;
  if (platform === 'win32') p = path.win32.resolve(p).replace(/\\/g, '/').toLowerCase();
  else {
    p = path.posix.resolve(p);
    if (platform === 'darwin') p = p.toLowerCase();
  }
  const hex = createHash('sha256').update(`vmware:${p}`).digest('hex').slice(0, 32).split('');
  hex[12] = '8';
  hex[16] = ((parseInt(hex[16], 16) & 0x3) | 0x8).toString(16);
  const h = hex.join('');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/** `.vmx` reader that remembers which keys the mapping used. */
class Keys {
  readonly used = new Set<string>();
  readonly issues: ReadIssue[] = [];
  readonly parsed: ParsedVmx;
  /** Devices (`sata999…`) whose index was reported as too large (each is reported once). */
  private readonly bigIndexes = new Set<string>();

  constructor(parsed: ParsedVmx) {
    this.parsed = parsed;
  }

  entry(keyLower: string): VmxEntry | undefined {
    const e = this.parsed.map.get(keyLower);
    if (e) this.used.add(keyLower);
    return e;
  }

  str(keyLower: string): Sourced<string> | undefined {
    const e = this.entry(keyLower);
    return e ? { value: e.value, key: e.key, raw: e.value } : undefined;
  }

  /** Lower-cased word (enumerations). */
  word(keyLower: string): Sourced<string> | undefined {
    const e = this.entry(keyLower);
    return e ? { value: e.value.trim().toLowerCase(), key: e.key, raw: e.value } : undefined;
  }

  bool(keyLower: string): Sourced<boolean> | undefined {
    const e = this.entry(keyLower);
    if (!e) return undefined;
    const v = parseVmxBool(e.value);
    if (v === undefined) {
      this.issues.push({
        line: e.line,
        message: `line ${e.line}: ${e.key} = "${e.value}" is not TRUE or FALSE; it is ignored.`,
      });
      return undefined;
    }
    return { value: v, key: e.key, raw: e.value };
  }

  int(keyLower: string): Sourced<number> | undefined {
    const e = this.entry(keyLower);
    if (!e) return undefined;
    const t = e.value.trim();
    if (!/^-?\d+$/.test(t)) {
      this.issues.push({
        line: e.line,
        message: `line ${e.line}: ${e.key} = "${e.value}" is not a whole number; it is ignored.`,
      });
      return undefined;
    }
    const n = safeInteger(t);
    if (n === undefined) {
      this.issues.push(tooLargeIssue(e.key, e.value, e.line));
      return undefined;
    }
    return { value: n, key: e.key, raw: e.value };
  }

  /**
   * The device index written by `digits` in a key (`ethernet2.present` → 2). An index too large to
   * be exact is reported once (its keys stay unknown keys) and gives undefined.
   */
  index(digits: string, keyLower: string): number | undefined {
    const n = safeInteger(digits);
    if (n !== undefined && n < Number.MAX_SAFE_INTEGER) return n;
    const device = keyLower.slice(0, keyLower.indexOf(digits) + digits.length);
    if (!this.bigIndexes.has(device)) {
      this.bigIndexes.add(device);
      const e = this.parsed.map.get(keyLower);
      this.issues.push(
        tooLargeIssue(
          `the device index in key "${shortRaw(e ? e.key : keyLower)}"`,
          digits,
          e?.line,
          'its keys are kept as unknown keys',
        ),
      );
    }
    return undefined;
  }

  /** Boolean as the native `true`/`false` string. */
  boolText(keyLower: string): Sourced<string> | undefined {
    const b = this.bool(keyLower);
    return b ? { value: String(b.value), key: b.key, raw: b.raw } : undefined;
  }
}

const CTRL_KEY = /^(scsi|sata|nvme)(\d+)\.(.+)$/;
const SLOT_KEY = /^(ide|scsi|sata|nvme)(\d+):(\d+)\.(.+)$/;
const FLOPPY_KEY = /^floppy(\d+)\.(.+)$/;
const ETHERNET_KEY = /^ethernet(\d+)\.(.+)$/;
const SERIAL_KEY = /^serial(\d+)\.(.+)$/;
const SHARED_KEY = /^sharedfolder(\d+)\.(.+)$/;

/** Sorted numeric indices found by a regex over the lower-case keys (too large ones reported, left out). */
function indices(k: Keys, re: RegExp): number[] {
  const set = new Set<number>();
  for (const key of k.parsed.map.keys()) {
    const m = re.exec(key);
    const n = m ? k.index(m[1], key) : undefined;
    if (n !== undefined) set.add(n);
  }
  return [...set].sort((a, b) => a - b);
}

const SCSI_TYPES: Record<string, string> = {
  lsilogic: 'LsiLogic',
  lsisas1068: 'LsiLogicSas',
  buslogic: 'BusLogic',
};
const BOOT_DEVICES: Record<string, string> = {
  hdd: 'disk',
  cdrom: 'dvd',
  floppy: 'floppy',
  ethernet: 'net',
};
const AUDIO_DEVICES: Record<string, string> = { hdaudio: 'hda', sb16: 'sb16' };

/** The family VMware's "Guest operating system" radio buttons show for a `guestOS` id. */
export function guestFamily(
  guestOs: string,
): 'windows' | 'linux' | 'darwin' | 'netware' | 'solaris' | 'other' {
  const g = guestOs.toLowerCase().replace(/^arm-/, '');
  if (/^(win|windows|longhorn)/.test(g)) return 'windows';
  if (/^darwin/.test(g)) return 'darwin';
  if (/^netware/.test(g)) return 'netware';
  if (/^solaris/.test(g)) return 'solaris';
  if (
    /linux|^(ubuntu|debian|rhel|centos|fedora|sles|suse|opensuse|oracle|mandrake|mandriva|turbolinux|redhat|asianux|coreos|photon|vmware-photon|amazonlinux|almalinux|rockylinux|crxpod|crxsys|miraclelinux|pardus|kylin)/.test(
      g,
    )
  )
    return 'linux';
  return 'other';
}

/** Normalizes a MAC address to 12 upper-case hex digits, or undefined when it is not one. */
export function normalizeMac(text: string): string | undefined {
  const hex = text.replace(/[\s:.-]/g, '').toUpperCase();
  return /^[0-9A-F]{12}$/.test(hex) ? hex : undefined;
}

function setNative(
  native: Record<string, Sourced<string>>,
  id: VmwareControlId,
  instance: string | undefined,
  s: Sourced<string> | undefined,
): void {
  if (s) native[instance ? `${id}#${instance}` : id] = s;
}

/**
 * Builds the neutral {@link VmConfig} of one `.vmx`.
 *
 * Id: `uuid.bios` normalized to a UUID (`normalizeVmwareUuid`) when present and valid, else
 * {@link pathHashId} of `opts.path`, else a hash of the file's entries (always the same for the same
 * content). `opts.id` overrides all of these.
 *
 * Never throws; unreadable values become issues (see the module comment for the conventions).
 */
export function vmxToConfig(parsed: ParsedVmx, opts: VmxToConfigOptions = {}): VmConfig {
  const k = new Keys(parsed);
  const native: Record<string, Sourced<string>> = {};
  const filePath = opts.path ?? parsed.path;

  // Identity
  k.entry('.encoding');
  const uuidBios = k.str('uuid.bios');
  const id =
    opts.id ??
    normalizeVmwareUuid(uuidBios?.value) ??
    (filePath
      ? pathHashId(filePath, opts.platform)
      : pathHashId(`content:${parsed.entries.map((e) => `${e.keyLower}=${e.value}`).join('\n')}`, 'linux'));

  const config: VmConfig = {
    id,
    hypervisor: 'vmware',
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
    native,
    unknownKeys: [],
    issues: [],
  };
  if (opts.state) config.state = opts.state;

  // Options › General
  const name = k.str('displayname');
  if (name) config.general.name = name;
  const guestOs = k.str('guestos');
  if (guestOs) {
    config.general.osType = guestOs;
    setNative(native, 'vmware.options.guestOs', undefined, {
      value: guestFamily(guestOs.value),
      key: guestOs.key,
      raw: guestOs.raw,
    });
  }
  if (filePath) config.general.cfgFile = { value: filePath, key: '', raw: filePath };
  if (uuidBios) {
    const u = normalizeVmwareUuid(uuidBios.value);
    if (u) config.general.hardwareUuid = { value: u, key: uuidBios.key, raw: uuidBios.raw };
    else {
      const e = k.entry('uuid.bios') as VmxEntry;
      config.issues.push({
        line: e.line,
        message: `line ${e.line}: ${e.key} = "${e.value}" is not 16 hex byte pairs; the VM id is taken from its path.`,
      });
    }
  }
  const workingDir = k.str('workingdir');
  if (workingDir) config.general.snapshotFolder = workingDir;
  const annotation = k.str('annotation');
  if (annotation) config.general.description = annotation;
  const hw = k.str('virtualhw.version');
  if (hw) setNative(native, 'vmware.options.hardwareVersion', undefined, { ...hw, value: hw.value.trim() });

  // Memory and processors
  const mem = k.int('memsize');
  if (mem) config.system.memoryMB = mem;
  const cpus = k.int('numvcpus');
  if (cpus) config.system.cpus = cpus;
  const cores = k.int('cpuid.corespersocket');
  if (cores)
    setNative(native, 'vmware.processors.coresPerProcessor', undefined, {
      ...cores,
      value: String(cores.value),
    });
  {
    const total = cpus?.value ?? 1;
    const perSocket = cores?.value ?? 1;
    if (perSocket > 0 && total % perSocket === 0) {
      if (cpus || cores)
        setNative(native, 'vmware.processors.processors', undefined, {
          value: String(total / perSocket),
          key: cpus?.key ?? (cores as Sourced<number>).key,
          raw: cpus?.raw ?? (cores as Sourced<number>).raw,
        });
    } else if (cores) {
      const e = k.entry('cpuid.corespersocket') as VmxEntry;
      config.issues.push({
        line: e.line,
        message: `line ${e.line}: ${total} vCPUs (numvcpus) cannot be split into sockets of ${perSocket} cores (${e.key}).`,
      });
    }
  }
  const vhv = k.bool('vhv.enable');
  if (vhv) config.system.nestedHwVirt = vhv;
  setNative(native, 'vmware.processors.perfCounters', undefined, k.boolText('vpmc.enable'));
  setNative(native, 'vmware.processors.iommu', undefined, k.boolText('vvtd.enable'));

  // Options › Advanced
  const firmware = k.word('firmware');
  if (firmware) {
    const fw = firmware.value === 'bios' ? 'BIOS' : firmware.value === 'efi' ? 'EFI' : firmware.value;
    config.system.firmware = { ...firmware, value: fw };
  }
  const secureBoot = k.bool('uefi.secureboot.enabled');
  if (secureBoot) config.system.secureBoot = secureBoot;
  const bootOrder = k.str('bios.bootorder');
  if (bootOrder)
    config.system.bootOrder = bootOrder.value
      .split(',')
      .map((d) => d.trim())
      .filter(Boolean)
      .map((d) => ({ value: BOOT_DEVICES[d.toLowerCase()] ?? d.toLowerCase(), key: bootOrder.key, raw: d }));
  const hpet = k.bool('hpet0.present');
  if (hpet) config.system.hpet = hpet;
  const vtpm = k.bool('vtpm.present');
  if (vtpm) config.system.tpm = { value: vtpm.value ? 'v2_0' : 'none', key: vtpm.key, raw: vtpm.raw };

  // Options › Access Control (encryption)
  {
    const data = k.entry('encryption.data');
    const keySafe = k.entry('encryption.keysafe');
    const type = k.word('vmx.encryptiontype');
    k.entry('encryptedvm.guid');
    if (type) setNative(native, 'vmware.options.encryption', undefined, type);
    else if (data || keySafe) {
      const e = (data ?? keySafe) as VmxEntry;
      setNative(native, 'vmware.options.encryption', undefined, { value: 'full', key: e.key, raw: '' });
    }
    if (data && (!type || type.value !== 'partial'))
      config.issues.push({
        line: data.line,
        message: `line ${data.line}: this VM is encrypted; most of its settings are inside ${data.key} and need the VM's password, so only the keys outside it are shown.`,
      });
  }

  readStorage(k, config, native);
  readNetwork(k, config, native);

  // USB
  const usb = k.bool('usb.present');
  if (usb) config.usb.ohci = usb;
  const ehci = k.bool('ehci.present');
  if (ehci) config.usb.ehci = ehci;
  const xhci = k.bool('usb_xhci.present');
  if (xhci) config.usb.xhci = xhci;
  setNative(native, 'vmware.usb.showAllInputDevices', undefined, k.boolText('usb.generic.allowhid'));
  setNative(native, 'vmware.usb.bluetooth', undefined, k.boolText('usb.vbluetooth.startconnected'));
  setNative(native, 'vmware.usb.autoConnect', undefined, k.boolText('usb.generic.autoconnect'));

  // Sound
  const sound = k.bool('sound.present');
  if (sound) {
    config.audio.enabled = sound.value;
    setNative(native, 'vmware.sound.present', undefined, { ...sound, value: String(sound.value) });
  }
  setNative(native, 'vmware.sound.connectAtPowerOn', undefined, k.boolText('sound.startconnected'));
  {
    const auto = k.bool('sound.autodetect');
    const file = k.str('sound.filename');
    if (auto?.value) config.audio.driver = { value: 'default', key: auto.key, raw: auto.raw };
    else if (file && file.value.trim() === '-1') config.audio.driver = { ...file, value: 'default' };
    else if (file) config.audio.driver = file;
  }
  const soundDev = k.word('sound.virtualdev');
  if (soundDev)
    config.audio.controller = { ...soundDev, value: AUDIO_DEVICES[soundDev.value] ?? soundDev.value };

  // Display
  const enable3d = k.bool('mks.enable3d');
  if (enable3d) config.display.accelerate3d = enable3d;
  const vram = k.int('svga.vramsize');
  if (vram) config.display.vramMB = { ...vram, value: Math.round(vram.value / 1048576) };
  const numDisplays = k.int('svga.numdisplays');
  if (numDisplays) config.display.monitorCount = numDisplays;
  const gmem = k.int('svga.graphicsmemorykb');
  if (gmem)
    setNative(native, 'vmware.display.graphicsMemory', undefined, { ...gmem, value: String(gmem.value) });
  setNative(native, 'vmware.display.monitors', undefined, k.boolText('svga.autodetect'));
  {
    const w = k.int('svga.maxwidth');
    const h = k.int('svga.maxheight');
    if (w && h)
      setNative(native, 'vmware.display.maxResolution', undefined, {
        value: `${w.value}x${h.value}`,
        key: w.key,
        raw: `${w.raw}x${h.raw}`,
      });
  }
  const vnc = k.bool('remotedisplay.vnc.enabled');
  if (vnc) config.display.vrdeEnabled = vnc;
  const vncPort = k.str('remotedisplay.vnc.port');
  if (vncPort) config.display.vrdePorts = vncPort;

  readSerial(k, config, native);
  readSharedFolders(k, config, native);

  // Options › Power, Snapshots, Guest Isolation, VMware Tools
  for (const which of ['powerOff', 'powerOn', 'suspend', 'reset'])
    setNative(native, 'vmware.options.powerControls', which, k.word(`powertype.${which.toLowerCase()}`));
  setNative(native, 'vmware.options.fullScreenAtPowerOn', undefined, k.boolText('gui.fullscreenatpoweron'));
  setNative(native, 'vmware.options.closeAfterPowerOff', undefined, k.boolText('gui.exitatpoweroff'));
  setNative(native, 'vmware.options.snapshotPowerOff', undefined, k.word('snapshot.action'));
  {
    const dnd = k.bool('isolation.tools.dnd.disable');
    if (dnd)
      config.general.dragAndDrop = {
        value: dnd.value ? 'disabled' : 'bidirectional',
        key: dnd.key,
        raw: dnd.raw,
      };
    const copy = k.bool('isolation.tools.copy.disable');
    const paste = k.bool('isolation.tools.paste.disable');
    if (copy || paste) {
      const copyOff = copy?.value ?? false;
      const pasteOff = paste?.value ?? false;
      const value =
        copyOff && pasteOff
          ? 'disabled'
          : copyOff
            ? 'hosttoguest'
            : pasteOff
              ? 'guesttohost'
              : 'bidirectional';
      const src = (copy ?? paste) as Sourced<boolean>;
      config.general.clipboard = {
        value,
        key: src.key,
        raw: copy && paste ? `${copy.raw},${paste.raw}` : src.raw,
      };
    }
  }
  setNative(native, 'vmware.options.toolsUpdate', undefined, k.word('tools.upgrade.policy'));
  setNative(native, 'vmware.options.toolsSyncTime', undefined, k.boolText('tools.synctime'));

  // Keys the mapping did not read
  for (const e of parsed.map.values())
    if (!k.used.has(e.keyLower)) config.unknownKeys.push({ key: e.key, value: e.value, line: e.line });
  config.unknownKeys.sort((a, b) => a.line - b.line);
  config.issues = [...parsed.issues, ...k.issues, ...config.issues].sort(
    (a, b) => (a.line ?? 0) - (b.line ?? 0),
  );
  return config;
}

/** Attachment kind of a drive from its `deviceType` and `fileName`. */
function driveKind(
  deviceType: string | undefined,
  fileName: string | undefined,
  bus: string,
): StorageAttachment['kind'] {
  const file = (fileName ?? '').trim();
  const noBacking = file === '' || /^(emptyBackingString|vmware-null-remote-floppy)$/i.test(file);
  if (bus === 'floppy') return noBacking ? 'empty' : 'floppy';
  const t = (deviceType ?? '').toLowerCase();
  if (t === 'cdrom-image') return noBacking ? 'empty' : 'dvd';
  if (t === 'cdrom-raw' || t === 'atapi-cdrom') return /^emptyBackingString$/i.test(file) ? 'empty' : 'dvd';
  if (t === 'scsi-passthru') return /cdrom|dvd|\bsr\d/i.test(file) ? 'dvd' : 'hdd';
  if (t === '' && /\.iso$/i.test(file)) return 'dvd';
  return 'hdd';
}

function readStorage(k: Keys, config: VmConfig, native: Record<string, Sourced<string>>): void {
  const parsed = k.parsed;
  // Collect drive slots per controller.
  const slots = new Map<string, { bus: string; ctl: number; unit: number }>();
  for (const key of parsed.map.keys()) {
    const m = SLOT_KEY.exec(key);
    if (!m) continue;
    const ctl = k.index(m[2], key);
    const unit = ctl === undefined ? undefined : k.index(m[3], key);
    if (ctl !== undefined && unit !== undefined)
      slots.set(`${m[1]}${m[2]}:${m[3]}`, { bus: m[1], ctl, unit });
  }
  const ctlNames = new Set<string>();
  for (const key of parsed.map.keys()) {
    const m = CTRL_KEY.exec(key);
    if (m && k.index(m[2], key) !== undefined) ctlNames.add(`${m[1]}${m[2]}`);
  }
  for (const s of slots.values()) ctlNames.add(s.bus === 'ide' ? 'ide' : `${s.bus}${s.ctl}`);
  const busOrder = ['ide', 'sata', 'scsi', 'nvme'];
  const ordered = [...ctlNames].sort((a, b) => {
    const ba = busOrder.indexOf(a.replace(/\d+$/, ''));
    const bb = busOrder.indexOf(b.replace(/\d+$/, ''));
    return ba - bb || Number(a.replace(/^\D+/, '') || 0) - Number(b.replace(/^\D+/, '') || 0);
  });

  for (const ctlName of ordered) {
    const bus = ctlName.replace(/\d+$/, '');
    const controller: StorageController = {
      index: config.storage.length,
      name: { value: ctlName, key: ctlName, raw: ctlName },
      attachments: [],
    };
    if (bus === 'ide') {
      controller.type = { value: 'PIIX4', key: 'ide', raw: '' };
    } else {
      const present = k.bool(`${ctlName}.present`);
      if (present) controller.name = { value: ctlName, key: present.key, raw: ctlName };
      const ctlPresent = present?.value ?? false;
      if (bus === 'scsi') {
        const dev = k.word(`${ctlName}.virtualdev`);
        if (dev) controller.type = { ...dev, value: SCSI_TYPES[dev.value] ?? dev.value };
        setNative(native, 'vmware.disks.controllerType', ctlName, dev);
      } else if (bus === 'sata') controller.type = { value: 'IntelAhci', key: ctlName, raw: '' };
      else controller.type = { value: 'NVMe', key: ctlName, raw: '' };
      const anyPresent = [...slots.entries()].some(
        ([name, s]) =>
          `${s.bus}${s.ctl}` === ctlName &&
          k.parsed.map.get(`${name}.present`) &&
          parseVmxBool(k.parsed.map.get(`${name}.present`)!.value),
      );
      if (!ctlPresent && anyPresent) {
        const line = present ? (k.entry(`${ctlName}.present`) as VmxEntry).line : undefined;
        const issue: ReadIssue = {
          message: `${ctlName} has drives marked present but ${ctlName}.present is not TRUE; VMware does not attach them.`,
        };
        if (line !== undefined) {
          issue.line = line;
          issue.message = `line ${line}: ${issue.message}`;
        }
        config.issues.push(issue);
      }
      if (!ctlPresent && !anyPresent && ![...slots.values()].some((s) => `${s.bus}${s.ctl}` === ctlName)) {
        // A controller switched off with nothing on it: keep it out of the list, but its keys are read.
        continue;
      }
    }
    const mine = [...slots.entries()]
      .filter(([, s]) => (bus === 'ide' ? s.bus === 'ide' : `${s.bus}${s.ctl}` === ctlName))
      .sort(([, a], [, b]) => a.ctl - b.ctl || a.unit - b.unit);
    for (const [node, s] of mine) {
      const att = readDrive(k, node, bus, config, native);
      att.port = bus === 'ide' ? s.ctl : s.unit;
      att.device = bus === 'ide' ? s.unit : 0;
      controller.attachments.push(att);
    }
    config.storage.push(controller);
  }

  // Floppy drives (`floppyN`; present defaults to TRUE).
  const floppies = indices(k, FLOPPY_KEY);
  if (floppies.length > 0) {
    const controller: StorageController = {
      index: config.storage.length,
      name: { value: 'floppy', key: 'floppy', raw: 'floppy' },
      type: { value: 'I82078', key: 'floppy', raw: '' },
      attachments: [],
    };
    for (const n of floppies) {
      const att = readDrive(k, `floppy${n}`, 'floppy', config, native);
      att.port = n;
      att.device = 0;
      controller.attachments.push(att);
    }
    config.storage.push(controller);
  }
}

function readDrive(
  k: Keys,
  node: string,
  bus: string,
  config: VmConfig,
  native: Record<string, Sourced<string>>,
): StorageAttachment {
  const present = k.bool(`${node}.present`);
  const isPresent = present?.value ?? bus === 'floppy';
  const deviceType = k.word(`${node}.devicetype`);
  const file = k.str(`${node}.filename`);
  k.entry(`${node}.clientdevice`);
  k.entry(`${node}.autodetect`);
  const kind = isPresent ? driveKind(deviceType?.value, file?.value, bus) : 'none';
  const medium: Sourced<string> = file ?? { value: '', key: `${node}.fileName`, raw: '' };
  const att: StorageAttachment = { port: 0, device: 0, medium, kind };
  const t = deviceType?.value ?? '';
  const isCd = /^(cdrom-image|cdrom-raw|atapi-cdrom)$/.test(t) || (t === 'scsi-passthru' && kind === 'dvd');
  if (t === 'cdrom-raw' || t === 'atapi-cdrom' || t === 'scsi-passthru')
    att.passthrough = {
      value: true,
      key: (deviceType as Sourced<string>).key,
      raw: (deviceType as Sourced<string>).raw,
    };
  const ssd = k.bool(`${node}.virtualssd`);
  if (ssd) att.nonRotational = ssd;
  if (isCd) {
    setNative(native, 'vmware.cdrom.connection', node, {
      value: t === 'cdrom-image' ? 'iso' : 'physical',
      key: (deviceType as Sourced<string>).key,
      raw: (deviceType as Sourced<string>).raw,
    });
  }
  if (isCd) setNative(native, 'vmware.cdrom.connectAtPowerOn', node, k.boolText(`${node}.startconnected`));
  setNative(native, 'vmware.disks.mode', node, k.word(`${node}.mode`));
  if (present === undefined && bus !== 'floppy' && (file || deviceType))
    config.issues.push({
      message: `${node} has settings but no ${node}.present line; VMware treats it as absent.`,
    });
  return att;
}

function readNetwork(k: Keys, config: VmConfig, native: Record<string, Sourced<string>>): void {
  for (const n of indices(k, ETHERNET_KEY)) {
    const dev = `ethernet${n}`;
    const present = k.bool(`${dev}.present`);
    const slot = n + 1;
    if (!present?.value) {
      config.network.push({
        slot,
        attachment: present
          ? { value: 'none', key: present.key, raw: present.raw }
          : { value: 'none', key: `${dev}.present`, raw: '' },
        portForwards: [],
      });
      continue;
    }
    const conn = k.word(`${dev}.connectiontype`);
    const connWord = conn?.value || 'bridged';
    const attachmentValue = connWord === 'pvn' ? 'intnet' : connWord;
    const adapter: NetworkAdapter = {
      slot,
      attachment: conn
        ? { ...conn, value: attachmentValue }
        : { value: 'bridged', key: `${dev}.connectionType`, raw: '' },
      portForwards: [],
    };
    const vnet = k.str(`${dev}.vnet`);
    const pvn = k.str(`${dev}.pvnid`);
    const networkName = k.str(`${dev}.networkname`);
    const bsdName = k.str(`${dev}.bsdname`);
    k.entry(`${dev}.displayname`);
    const nameFor =
      connWord === 'custom'
        ? vnet
        : connWord === 'pvn'
          ? pvn
          : connWord === 'bridged'
            ? (networkName ?? bsdName)
            : (vnet ?? networkName);
    if (nameFor) adapter.attachmentName = nameFor;
    const virtualDev = k.word(`${dev}.virtualdev`);
    if (virtualDev) adapter.adapterType = virtualDev;
    const addressType = k.word(`${dev}.addresstype`);
    const staticAddr = k.str(`${dev}.address`);
    const generated = k.str(`${dev}.generatedaddress`);
    k.entry(`${dev}.generatedaddressoffset`);
    const mac = addressType?.value === 'static' ? (staticAddr ?? generated) : (generated ?? staticAddr);
    if (mac) {
      const hex = normalizeMac(mac.value);
      if (hex) adapter.macAddress = { value: hex, key: mac.key, raw: mac.raw };
      else {
        const e = k.entry(mac.key.toLowerCase()) as VmxEntry;
        config.issues.push({
          line: e.line,
          message: `line ${e.line}: ${e.key} = "${e.value}" is not a MAC address.`,
        });
      }
    }
    setNative(native, 'vmware.network.macType', dev, addressType);
    const start = k.bool(`${dev}.startconnected`);
    if (start) adapter.cableConnected = start;
    setNative(native, 'vmware.network.replicateState', dev, k.boolText(`${dev}.linkstatepropagation.enable`));
    config.network.push(adapter);
  }
}

function readSerial(k: Keys, config: VmConfig, native: Record<string, Sourced<string>>): void {
  for (const n of indices(k, SERIAL_KEY)) {
    const dev = `serial${n}`;
    const present = k.bool(`${dev}.present`);
    const port: SerialPort = {
      slot: n + 1,
      enabled: present ?? { value: false, key: `${dev}.present`, raw: '' },
    };
    const fileType = k.word(`${dev}.filetype`);
    if (fileType) port.mode = fileType;
    const file = k.str(`${dev}.filename`);
    if (file) port.path = file.value;
    setNative(native, 'vmware.serial.connectAtPowerOn', dev, k.boolText(`${dev}.startconnected`));
    setNative(native, 'vmware.serial.pipeEnd', dev, k.word(`${dev}.pipe.endpoint`));
    setNative(native, 'vmware.serial.yieldOnPoll', dev, k.boolText(`${dev}.yieldonmsrread`));
    config.serial.push(port);
  }
}

function readSharedFolders(k: Keys, config: VmConfig, native: Record<string, Sourced<string>>): void {
  k.entry('sharedfolder.maxnum');
  const folders = indices(k, SHARED_KEY);
  let anyTransient = false;
  for (const n of folders) {
    const dev = `sharedFolder${n}`;
    const lower = dev.toLowerCase();
    const present = k.bool(`${lower}.present`);
    const guestName = k.str(`${lower}.guestname`);
    const hostPath = k.str(`${lower}.hostpath`);
    const expiration = k.word(`${lower}.expiration`);
    const enabled = k.bool(`${lower}.enabled`);
    k.entry(`${lower}.readaccess`);
    const write = k.bool(`${lower}.writeaccess`);
    if (!present?.value) continue;
    const transient = expiration !== undefined && expiration.value !== 'never';
    if (transient && enabled?.value !== false) anyTransient = true;
    const folder: SharedFolder = {
      index: n,
      name: guestName ?? { value: '', key: `${dev}.guestName`, raw: '' },
      hostPath: hostPath ?? { value: '', key: `${dev}.hostPath`, raw: '' },
      transient,
    };
    config.sharedFolders.push(folder);
    if (write)
      setNative(native, 'vmware.options.sharedFolderReadOnly', dev, {
        value: String(!write.value),
        key: write.key,
        raw: write.raw,
      });
  }
  const hgfsOff = k.bool('isolation.tools.hgfs.disable');
  if (hgfsOff)
    setNative(native, 'vmware.options.sharedFolders', undefined, {
      value: hgfsOff.value ? 'disabled' : anyTransient ? 'untilpoweroff' : 'always',
      key: hgfsOff.key,
      raw: hgfsOff.raw,
    });
  setNative(native, 'vmware.options.mapNetworkDrive', undefined, k.boolText('hgfs.maprootshare'));
  k.entry('hgfs.linkrootshare');
}

/**
 * The machines-list row of a VMware VM. `name` is `displayName`, or — as VMware does when the key is
 * absent — the `.vmx` file name without extension; `cpus` defaults to 1 (VMware's default when
 * `numvcpus` is absent); `memoryMB` is `memsize` when present.
 */
export function vmwareSummary(config: VmConfig): VmSummary {
  const cfg = config.general.cfgFile?.value;
  const fallback = cfg ? path.basename(cfg.replace(/\\/g, '/')).replace(/\.vmx$/i, '') : config.id;
  const summary: VmSummary = {
    id: config.id,
    hypervisor: 'vmware',
    source: config.source,
    name: config.general.name?.value || fallback,
    accessible: true,
    cpus: config.system.cpus?.value ?? 1,
    findings: 0,
  };
  if (config.state) summary.state = config.state.value;
  if (config.general.osType) summary.osType = config.general.osType.value;
  if (config.system.memoryMB) summary.memoryMB = config.system.memoryMB.value;
  return summary;
}

/**
 * Small pure helpers that turn model values into what VirtualBox's own UI shows: state names,
 * slider zones, storage slot names, COM port names, MAC addresses, provenance lines.
 * No DOM, no i18n: callers translate the returned message keys.
 */

/** Visual tone of a machine state (icon colour in the machines list). */
export type StateTone = 'off' | 'running' | 'saved' | 'aborted' | 'paused' | 'busy' | 'unknown';

const STATE_TONES: Record<string, StateTone> = {
  poweroff: 'off',
  running: 'running',
  saved: 'saved',
  'aborted-saved': 'aborted',
  aborted: 'aborted',
  paused: 'paused',
  gurumeditation: 'aborted',
  teleported: 'off',
  teleporting: 'busy',
  teleportingpausedvm: 'busy',
  teleportingin: 'busy',
  livesnapshotting: 'busy',
  onlinesnapshotting: 'busy',
  snapshotting: 'busy',
  deletingsnapshot: 'busy',
  deletingsnapshotlive: 'busy',
  deletingsnapshotlivepaused: 'busy',
  restoringsnapshot: 'busy',
  starting: 'busy',
  stopping: 'busy',
  saving: 'busy',
  restoring: 'busy',
  settingup: 'busy',
};

/**
 * The i18n key and tone for a `VMState` value as `showvminfo --machinereadable` prints it
 * (`poweroff`, `running`, `saved`, `aborted`, …; VirtualBox 5.0–7.1). Unknown states get
 * `key: undefined` so the caller shows the raw text.
 */
export function stateInfo(state: string | undefined): { key?: string; tone: StateTone } {
  if (!state) return { tone: 'unknown' };
  const s = state.toLowerCase();
  const tone = STATE_TONES[s];
  return tone ? { key: `state.${s}`, tone } : { tone: 'unknown' };
}

/** Zone of a slider value: VirtualBox paints the slider green, amber (warning) and red (error). */
export type Zone = 'ok' | 'warn' | 'bad';

/** A slider's colour band: values up to and including `upTo` are in `zone`. */
export interface ZoneBand {
  upTo: number;
  zone: Zone;
}

/**
 * Base Memory slider bounds and zones for a host with `hostMB` MB of RAM, as VirtualBox 6.1–7.1
 * compute them (reference §5.2, `UIBaseMemoryEditor`): max = host RAM rounded up to a whole GB;
 * green up to "maxRAMOpt", amber up to "maxRAMAlw", red above. Percentages depend on host RAM.
 */
export function memoryZones(hostMB: number): {
  min: number;
  max: number;
  optimalMB: number;
  allowedMB: number;
} {
  const table: [below: number, opt: number, alw: number][] = [
    [3072, 0.5, 0.75],
    [4096, 0.5, 0.8],
    [6144, 0.6, 0.84],
    [8192, 0.65, 0.88],
    [16384, 0.7, 0.9],
    [32768, 0.75, 0.93],
    [65536, 0.8, 0.94],
    [131072, 0.85, 0.95],
  ];
  let opt = 0.9;
  let alw = 0.96;
  for (const [below, o, a] of table) {
    if (hostMB < below) {
      opt = o;
      alw = a;
      break;
    }
  }
  const max = Math.min(Math.max(1024, Math.ceil(hostMB / 1024) * 1024), 2097152);
  return {
    min: 4,
    max,
    optimalMB: Math.min(Math.round(hostMB * opt), max),
    allowedMB: Math.min(Math.round(hostMB * alw), max),
  };
}

/** Zone of `value` within `bands` (the last band covers everything above). */
export function zoneOf(value: number, bands: readonly ZoneBand[]): Zone {
  for (const b of bands) if (value <= b.upTo) return b.zone;
  return bands.length ? bands[bands.length - 1].zone : 'ok';
}

/**
 * Bus family of a storage controller type as `storagecontrollertype<i>` prints it
 * (`IntelAhci`, `PIIX4`, `LsiLogic`, …); `undefined` when unknown.
 */
export function storageBus(
  type: string | undefined,
): 'ide' | 'sata' | 'scsi' | 'sas' | 'floppy' | 'usb' | 'nvme' | 'virtio' | undefined {
  switch ((type ?? '').toLowerCase()) {
    case 'piix3':
    case 'piix4':
    case 'ich6':
      return 'ide';
    case 'intelahci':
      return 'sata';
    case 'lsilogic':
    case 'buslogic':
      return 'scsi';
    case 'lsilogicsas':
      return 'sas';
    case 'i82078':
      return 'floppy';
    case 'usb':
      return 'usb';
    case 'nvme':
      return 'nvme';
    case 'virtioscsi':
      return 'virtio';
    default:
      return undefined;
  }
}

/**
 * VirtualBox 7 name of a storage slot, as an i18n key plus values: IDE → "IDE Primary Device 0"
 * (port 0 = primary, 1 = secondary), SATA → "SATA Port 3", floppy → "Floppy Device 0", …
 * Unknown buses fall back to "Port p, Device d".
 */
export function slotName(
  bus: ReturnType<typeof storageBus>,
  port: number,
  device: number,
): { key: string; values: Record<string, number> } {
  switch (bus) {
    case 'ide':
      return { key: port === 0 ? 'slot.idePrimary' : 'slot.ideSecondary', values: { device } };
    case 'floppy':
      return { key: 'slot.floppy', values: { device } };
    case undefined:
      return { key: 'slot.generic', values: { port, device } };
    default:
      return { key: `slot.${bus}`, values: { port } };
  }
}

/** COM port name for an I/O base + IRQ pair (`0x3f8`/4 → `COM1`, …), or `undefined` for user-defined. */
export function comPort(ioBase: string | undefined, irq: number | undefined): string | undefined {
  if (!ioBase || irq === undefined) return undefined;
  const base = parseInt(ioBase, 16);
  const known: [number, number, string][] = [
    [0x3f8, 4, 'COM1'],
    [0x2f8, 3, 'COM2'],
    [0x3e8, 4, 'COM3'],
    [0x2e8, 3, 'COM4'],
  ];
  return known.find(([b, i]) => b === base && i === irq)?.[2];
}

/** MAC address as VirtualBox's Network page shows it: 12 upper-case hex digits, no separators. */
export function formatMac(raw: string): string {
  return raw.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}

/**
 * One provenance line in `showvminfo --machinereadable` style: `memory=2048`, `nictype1="82540EM"`,
 * `"SATA-0-0"="/vm/disk.vdi"`. VirtualBox prints a few numeric keys bare (`memory`, `cpus`, `vram`, …,
 * reference §2) and everything else in quotes; `quoteKey` is for storage attachment keys, which
 * VirtualBox prints in quotes too.
 */
export function sourceLine(key: string, raw: string, quoteKey = false): string {
  const bareKey =
    /^(memory|vram|cpus|cpuexecutioncap|monitorcount|GuestMemoryBalloon|teleporterport|autostart-delay|biossystemtimeoffset|recording_screens|vrdeport|cpuid-portability-level)$/.test(
      key,
    );
  const bare = bareKey && /^-?\d+$/.test(raw) && !quoteKey;
  const k = quoteKey ? `"${key}"` : key;
  return bare ? `${k}=${raw}` : `${k}="${raw}"`;
}

/**
 * A setting id for notes: `<catalog id>` or `<catalog id>#<instance>`, with characters the contract's
 * `SettingIdSchema` does not allow in instances replaced by `_` (max 80 characters).
 */
export function settingKey(id: string, instance?: string): string {
  if (!instance) return id;
  const clean = instance.replace(/[^A-Za-z0-9 _.:-]/g, '_').slice(0, 80);
  return `${id}#${clean}`;
}

/** File name part of a path with either slash style (`C:\VMs\disk.vdi` → `disk.vdi`). */
export function baseName(path: string): string {
  const parts = path.split(/[\\/]/);
  return parts[parts.length - 1] || path;
}

/**
 * OS family id as `VBoxManage list ostypes` names it (`Windows`, `Linux`, `Solaris`, `BSD`, `OS2`,
 * `MacOS`, `Other`), derived from the `ostype` description showvminfo prints (`Ubuntu (64-bit)`);
 * `undefined` when the description matches no known family pattern.
 */
export function osFamilyId(description: string | undefined): string | undefined {
  if (!description) return undefined;
  const d = description.trim();
  const patterns: [RegExp, string][] = [
    [/\bmac\s*os|\bos\s*x\b|darwin|^macos/i, 'MacOS'],
    [/solaris|illumos|openindiana/i, 'Solaris'],
    [/windows|^win\d|^win(xp|vista|nt|me|2k)/i, 'Windows'],
    [/bsd|dragonfly/i, 'BSD'],
    [/os\/2|^os2|ecomstation|arcaos/i, 'OS2'],
    [
      /linux|ubuntu|debian|fedora|red\s*hat|rhel|centos|suse|gentoo|mandriva|mageia|turbolinux|xandros|^oracle|mint|alma|rocky|kali|alpine|manjaro|slackware|arch|\bl4\b/i,
      'Linux',
    ],
    [/^(other|dos|netware|qnx|jrockit|vboxbs)/i, 'Other'],
  ];
  return patterns.find(([re]) => re.test(d))?.[1];
}

/**
 * A size the way VirtualBox's Storage Information panel prints it: binary units (1 KB = 1024 B)
 * with two decimals ("64.00 GB", "2.48 GB", "512 B"). `bytes` must be ≥ 0.
 */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${Math.round(value)} B` : `${value.toFixed(2)} ${units[unit]}`;
}

/**
 * i18n key of the "Details" line for a medium's `Format variant` (`showmediuminfo`, VirtualBox
 * 5.0–7.1: `dynamic default`, `fixed default`, `diff default`, `dynamic split2G`, `differencing
 * default`…): `medium.variant.fixed` / `dynamic` / `diff`, plus whether the image is split into
 * 2 GB files; `undefined` when the variant is unknown or absent.
 */
export function variantKey(
  variant: string | undefined,
  differencing: boolean,
): { key: string; split: boolean } | undefined {
  const v = (variant ?? '').toLowerCase();
  const split = /split2g/.test(v);
  if (differencing || /\bdiff/.test(v)) return { key: 'medium.variant.diff', split };
  if (/\bfixed\b/.test(v)) return { key: 'medium.variant.fixed', split };
  if (/\b(dynamic|standard)\b/.test(v)) return { key: 'medium.variant.dynamic', split };
  return undefined;
}

/**
 * `major.minor` of a VirtualBox version string as `VBoxManage --version` prints it
 * (`7.1.12r169651`, `6.1.32_Ubuntur149290`, `5.2.44`); `undefined` when it does not start with one.
 */
export function vboxMajorMinor(version: string | undefined): { major: number; minor: number } | undefined {
  const m = /^\s*(\d+)\.(\d+)/.exec(version ?? '');
  return m ? { major: Number(m[1]), minor: Number(m[2]) } : undefined;
}

/**
 * Whether the Settings dialog of this VirtualBox version shows a control whose catalog entry says
 * `until` (last version with it, `major.minor`): true for versions up to and including `until`,
 * false for later or unknown versions (the app then follows the newest dialog).
 */
export function dialogShows(until: string | undefined, version: string | undefined): boolean {
  if (!until) return true;
  const v = vboxMajorMinor(version);
  const u = vboxMajorMinor(until);
  if (!v || !u) return false;
  return v.major < u.major || (v.major === u.major && v.minor <= u.minor);
}

/**
 * The settings file name an error text mentions (`…opening '/home/u/VirtualBox VMs/Old lab/Old lab.vbox'
 * for reading…` → `Old lab.vbox`), for naming an inaccessible VM; `undefined` when it names no
 * `.vbox` path (`.vbox-prev` backups do not count). Either slash style; names may contain spaces.
 */
export function settingsFileName(text: string | undefined): string | undefined {
  if (!text) return undefined;
  const m = /[\\/]([^\\/'"\n]+?\.vbox)(?![A-Za-z0-9-])/.exec(text);
  return m?.[1];
}

/**
 * What is wrong with a path typed by the user, checked before asking the host (which checks again
 * on its own platform): `control` = control characters, `relative` = not a full path (POSIX `/…`,
 * Windows `C:\…` or `C:/…`, UNC `\\server\share`); `undefined` = looks usable.
 */
export function pathProblem(path: string): 'control' | 'relative' | undefined {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f]/.test(path)) return 'control';
  if (!/^(\/|[A-Za-z]:[\\/]|\\\\)/.test(path)) return 'relative';
  return undefined;
}

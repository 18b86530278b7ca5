import data from '../../../resources/vbox/ostypes.json' with { type: 'json' };
import { osFamily } from '../vbox/os-types.ts';

/**
 * What the advice rules need to know about the guest OS, derived from the `ostype` that
 * `VBoxManage showvminfo --machinereadable` prints (the type's description, e.g.
 * `Windows 10 (64-bit)`, or the raw type id such as `Windows11_64` when that VirtualBox does not
 * know the type). Known types come from `resources/vbox/ostypes.json`; newer Windows releases
 * (11, Server 2019/2022/2025) are recognised by name.
 */
export interface GuestProfile {
  /** The `ostype` text as printed (trimmed); `''` when the dump has none. */
  description: string;
  /** VirtualBox OS type id (`Windows10_64`, `Ubuntu_64`), known or derived from the name; undefined when unknown. */
  typeId?: string;
  /** Family id as `list ostypes` prints it: `Windows`, `Linux`, `Solaris`, `BSD`, `OS2`, `MacOS`, `Other`. */
  familyId: string;
  /** True for 64-bit types (`(64-bit)` in the description, `_64` id suffix). */
  is64: boolean;
  /** For Windows guests: the release, e.g. `xp`, `7`, `10`, `11`, `2016`; `legacy` for 3.x–2000; `other` when unknown. */
  windows?: WindowsRelease;
  /** Linux 2.2 / 2.4 types (kernels older than 2.6). */
  oldLinux: boolean;
}

/** Windows releases the rules distinguish. `legacy` = Windows 3.1, 9x, ME, NT 3.x/4, 2000. */
export type WindowsRelease =
  | 'legacy'
  | 'xp'
  | '2003'
  | 'vista'
  | '2008'
  | '7'
  | '8'
  | '81'
  | '10'
  | '11'
  | '2012'
  | '2016'
  | '2019'
  | '2022'
  | '2025'
  | 'other';

type OsTypeRow = [id: string, description: string, familyId: string, is64Bit: boolean];
const TYPES = data.types as OsTypeRow[];
const BY_DESCRIPTION = new Map(TYPES.map((t) => [t[1].toLowerCase(), t]));
const BY_ID = new Map(TYPES.map((t) => [t[0].toLowerCase(), t]));

/** Type-id prefixes (without `_64`) → release. Longest prefixes first where one is a prefix of another. */
const WINDOWS_IDS: [string, WindowsRelease][] = [
  ['Windows31', 'legacy'],
  ['Windows95', 'legacy'],
  ['Windows98', 'legacy'],
  ['WindowsMe', 'legacy'],
  ['WindowsNT3x', 'legacy'],
  ['WindowsNT4', 'legacy'],
  ['Windows2000', 'legacy'],
  ['WindowsXP', 'xp'],
  ['Windows2003', '2003'],
  ['WindowsVista', 'vista'],
  ['Windows2008', '2008'],
  ['Windows7', '7'],
  ['Windows81', '81'],
  ['Windows8', '8'],
  ['Windows10', '10'],
  ['Windows11', '11'],
  ['Windows2012', '2012'],
  ['Windows2016', '2016'],
  ['Windows2019', '2019'],
  ['Windows2022', '2022'],
  ['Windows2025', '2025'],
];

/** Name patterns for Windows types newer than the bundled list (or unusual spellings). Order matters. */
const WINDOWS_NAMES: [RegExp, string][] = [
  [/windows\s*11/i, 'Windows11'],
  [/windows\s*10/i, 'Windows10'],
  [/windows\s*8\.1/i, 'Windows81'],
  [/windows\s*8\b/i, 'Windows8'],
  [/windows\s*7\b/i, 'Windows7'],
  [/vista/i, 'WindowsVista'],
  [/windows\s*xp/i, 'WindowsXP'],
  [/windows\s*(?:server\s*)?2000\b/i, 'Windows2000'],
  [/windows\s*(?:server\s*)?2003/i, 'Windows2003'],
  [/windows\s*(?:server\s*)?2008/i, 'Windows2008'],
  [/windows\s*(?:server\s*)?2012/i, 'Windows2012'],
  [/windows\s*(?:server\s*)?2016/i, 'Windows2016'],
  [/windows\s*(?:server\s*)?2019/i, 'Windows2019'],
  [/windows\s*(?:server\s*)?2022/i, 'Windows2022'],
  [/windows\s*(?:server\s*)?2025/i, 'Windows2025'],
];

/**
 * Classifies a guest OS type (description or id as `showvminfo` prints it). Never throws; an
 * empty or unknown type gives family `Other` (or the family its name suggests) and no `typeId`.
 */
export function guestProfile(osType: string | undefined): GuestProfile {
  const description = (osType ?? '').trim();
  const key = description.toLowerCase();
  const known = BY_DESCRIPTION.get(key) ?? BY_ID.get(key);
  const familyId = known ? known[2] : osFamily(description).familyId;
  const is64 = known ? known[3] : /64-bit|_64$|\bx64\b|amd64/i.test(description);
  let typeId = known?.[0];
  if (!typeId && familyId === 'Windows') {
    if (/^Windows[A-Za-z0-9]+(_64)?$/.test(description)) typeId = description;
    else {
      const hit = WINDOWS_NAMES.find(([re]) => re.test(description));
      if (hit) typeId = hit[1] + (is64 ? '_64' : '');
    }
  }
  const profile: GuestProfile = {
    description,
    familyId,
    is64,
    oldLinux:
      familyId === 'Linux' && (/^Linux2[24]/.test(typeId ?? '') || /linux\s*2\.[24]\b/i.test(description)),
  };
  if (typeId) profile.typeId = typeId;
  if (familyId === 'Windows') {
    const base = (typeId ?? '').replace(/_64$/, '');
    profile.windows = WINDOWS_IDS.find(([id]) => base === id || base === `${id}_64`)?.[1] ?? 'other';
  }
  return profile;
}

/** Human name of a guest for messages: the printed description, or "this guest". */
export function guestName(g: GuestProfile): string {
  return g.description || 'this guest';
}

/** Windows releases from Vista / Server 2008 on (the ones VirtualBox gives Hyper-V paravirtualization by default). */
const MODERN_WINDOWS: WindowsRelease[] = [
  'vista',
  '2008',
  '7',
  '8',
  '81',
  '10',
  '11',
  '2012',
  '2016',
  '2019',
  '2022',
  '2025',
];

/** True for Windows 7 / Server 2012 and later (VBoxSVGA is VirtualBox's recommended controller for them). */
export function isWindows7OrLater(g: GuestProfile): boolean {
  return (
    g.windows !== undefined &&
    MODERN_WINDOWS.includes(g.windows) &&
    g.windows !== 'vista' &&
    g.windows !== '2008'
  );
}

/** Windows XP and older (no built-in AHCI, SAS or NVMe drivers). */
export function isWindowsXpOrOlder(g: GuestProfile): boolean {
  return g.windows === 'xp' || g.windows === 'legacy';
}

/**
 * Type ids whose WDDM driver VirtualBox's GUI assumes (`UICommon::isWddmCompatibleOsType`, 7.1.12):
 * prefixes WindowsVista, Windows7, Windows8, Windows81, Windows10, Windows11, Windows2008,
 * Windows2012, Windows2016, Windows2019 (Windows2022 is not in the list).
 */
export function isWddmType(g: GuestProfile): boolean {
  const id = g.typeId ?? '';
  return [
    'WindowsVista',
    'Windows7',
    'Windows8',
    'Windows81',
    'Windows10',
    'Windows11',
    'Windows2008',
    'Windows2012',
    'Windows2016',
    'Windows2019',
  ].some((p) => id.startsWith(p));
}

/**
 * The paravirtualization interface VirtualBox's "Default" picks for this guest
 * (VirtualBox manual "Paravirtualization Providers"; `MachineImpl.cpp` `getEffectiveParavirtProvider`):
 * Windows Vista/7 and later and Server 2008 and later → `hyperv`; Linux 2.6 and later → `kvm`;
 * macOS → `minimal`; everything else → `none`.
 */
export function recommendedParavirt(g: GuestProfile): 'hyperv' | 'kvm' | 'minimal' | 'none' {
  if (g.windows && MODERN_WINDOWS.includes(g.windows)) return 'hyperv';
  if (g.familyId === 'Linux' && !g.oldLinux) return 'kvm';
  if (g.familyId === 'MacOS') return 'minimal';
  return 'none';
}

/**
 * Graphics controller VirtualBox recommends for the type (`Global.cpp` OS-type table), only where
 * the table is unambiguous: Windows 7 / Server 2012 and later → `vboxsvga`; Linux → `vmsvga`.
 * Undefined for other guests (the rules then do not judge the controller).
 */
export function recommendedGraphics(g: GuestProfile): 'vboxsvga' | 'vmsvga' | undefined {
  if (isWindows7OrLater(g)) return 'vboxsvga';
  if (g.familyId === 'Linux') return 'vmsvga';
  return undefined;
}

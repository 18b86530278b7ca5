import data from '../../../resources/vbox/ostypes.json' with { type: 'json' };

/** The General › Basic "Type" and "Version" of a VirtualBox guest OS type. */
export interface OsFamily {
  /** Family description as VirtualBox's Type box shows it: `Microsoft Windows`, `Linux`, `Solaris`, `BSD`, `IBM OS/2`, `Mac OS X`, `Other`. */
  family: string;
  /** Family id as `list ostypes` prints it: `Windows`, `Linux`, `Solaris`, `BSD`, `OS2`, `MacOS`, `Other`. */
  familyId: string;
  /** The Version box text: the OS type description (`Ubuntu (64-bit)`); for an unknown id or description, the input as given. */
  version: string;
}

type OsTypeRow = [id: string, description: string, familyId: string, is64Bit: boolean];

const FAMILIES: Record<string, string> = data.families;
const TYPES = data.types as OsTypeRow[];
const BY_DESCRIPTION = new Map(TYPES.map((t) => [t[1].toLowerCase(), t]));
const BY_ID = new Map(TYPES.map((t) => [t[0].toLowerCase(), t]));

/** Fallback by pattern for types newer than the bundled list (e.g. `Windows 11 (64-bit)`, `Ubuntu24_LTS_64`). Order matters. */
const PATTERNS: [RegExp, string][] = [
  [/\bmac\s*os|\bos\s*x\b|darwin|^macos/i, 'MacOS'],
  [/solaris|illumos|openindiana/i, 'Solaris'],
  [/windows|^win\d|^win(xp|vista|nt|me|2k)/i, 'Windows'],
  [/bsd|dragonfly/i, 'BSD'],
  [/os\/2|^os2|ecomstation|arcaos/i, 'OS2'],
  [
    /linux|ubuntu|debian|fedora|red\s*hat|rhel|centos|suse|gentoo|mandriva|mageia|turbolinux|xandros|^oracle|mint|alma|rocky|kali|alpine|manjaro|slackware|pclinux|elementary|zorin|asianux|\bl4\b/i,
    'Linux',
  ],
];

/**
 * Maps a VirtualBox OS type — the description `showvminfo` prints as `ostype` (`Ubuntu (64-bit)`)
 * or a type id (`Ubuntu_64`, `Windows11_64`) — to the Type/Version pair of the Settings dialog's
 * General › Basic page.
 *
 * Known types come from the bundled `resources/vbox/ostypes.json` (the 91 types of
 * `VBoxManage list ostypes`, VirtualBox 5.2); newer ones are classified by name pattern, and
 * anything unrecognised is family `Other` with the input as version. Never throws.
 */
export function osFamily(osTypeDescriptionOrId: string): OsFamily {
  const input = osTypeDescriptionOrId.trim();
  const known = BY_DESCRIPTION.get(input.toLowerCase()) ?? BY_ID.get(input.toLowerCase());
  if (known) return { family: FAMILIES[known[2]], familyId: known[2], version: known[1] };
  const hit = PATTERNS.find(([re]) => re.test(input));
  const familyId = hit ? hit[1] : 'Other';
  return { family: FAMILIES[familyId], familyId, version: input };
}

/**
 * The example VBoxManage command of the explanation panel ("Change it with VBoxManage"), built from a
 * catalog entry's `modifyvm` spec (`flag`, `arg`, optional `command`) and what the mirror knows
 * about the selected item. The catalog's `arg` already names every option the command needs
 * (`storageattach`: `--storagectl <ctl> --port <port> --device <device> --type hdd|dvddrive|fdd`),
 * so the placeholders of the item (controller, port, device, drive type, medium, shared folder,
 * USB filter index, adapter/port slot `N`) are filled in place — never appended a second time. The
 * placeholder of the value the user chooses (`<MB>`, `on|off`, `<new name>`, …) stays.
 * Command syntax: VBoxManage 7.x (`modifyvm`, `storagectl`, `storageattach`, `usbfilter`,
 * `sharedfolder`, `setextradata`, `modifynvram`, `encryptvm`, `bandwidthctl`). Pure; no DOM, no i18n.
 */
import type { CatalogEntry } from '../../../app/shared/catalog.ts';

/** What the mirror knows about the item a control belongs to (all optional; absent = placeholder stays). */
export interface CommandContext {
  /** Storage controller name (`SATA Controller`). */
  controller?: string;
  /** Storage port and device of an attachment (0-based, as VBoxManage numbers them). */
  port?: number;
  device?: number;
  /** Attachment type for `storageattach --type`. */
  driveType?: 'hdd' | 'dvddrive' | 'fdd';
  /** Medium of an attachment: a path as printed, a UUID or `emptydrive`. */
  medium?: string;
  /** USB device filter index as `VBoxManage usbfilter` counts it (0-based). */
  filterIndex?: number;
  /** Shared folder name and host path. */
  folderName?: string;
  folderPath?: string;
  /** Network adapter / serial port / parallel port slot (1-based), for flags ending in `N`. */
  slot?: number;
}

/**
 * Quotes one shell argument when it needs it (spaces, quotes, shell characters): `"SATA Controller"`.
 * Plain words, numbers, paths without spaces and UUIDs stay bare.
 */
export function quoteArg(value: string): string {
  if (value !== '' && /^[A-Za-z0-9_./:@%+=,-]+$/.test(value)) return value;
  return `"${value.replace(/(["$`])/g, '\\$1')}"`;
}

/**
 * The item context implied by a mirror instance suffix when the page gave none (e.g. a finding
 * opened a control that is not drawn): `storage.controller.*` → controller name; other `storage.*`
 * → `<controller>-<port>-<device>` (controller names may contain dashes); `usb.filter.*` → the
 * 1-based filter number; numeric instances → adapter/port slot.
 */
export function contextFromInstance(id: string, instance: string | undefined): CommandContext {
  if (!instance) return {};
  if (id.startsWith('storage.controller.')) return { controller: instance };
  if (id.startsWith('storage.')) {
    const m = /^(.*)-(\d+)-(\d+)$/.exec(instance);
    return m ? { controller: m[1], port: Number(m[2]), device: Number(m[3]) } : { controller: instance };
  }
  if (id.startsWith('usb.filter.') && /^\d+$/.test(instance)) return { filterIndex: Number(instance) - 1 };
  if (/^\d+$/.test(instance)) return { slot: Number(instance) };
  return {};
}

/** Replaces the trailing `N` of a slot flag (`--nicN`, `--nat-pfN`, `--uart-modeN`) by the slot number. */
export function withSlot(flag: string, slot: number | undefined): string {
  if (slot === undefined) return flag;
  return flag.replace(/^(--[a-z][a-z0-9-]*?)N$/, `$1${slot}`);
}

/**
 * Options whose argument is the value the user chooses for this control (left as placeholder), when
 * it is not simply the entry's `flag`: moving an attachment chooses a new port and device; the
 * shared-folder commands identify the folder with `--name`/`--hostpath` except when that is the value.
 */
const VALUE_OPTIONS: Record<string, readonly string[]> = {
  'storage.attachment.slot': ['--port', '--device'],
  'sharedFolders.main.name': ['--name'],
  'sharedFolders.main.path': ['--hostpath'],
  'sharedFolders.main.list': ['--name', '--hostpath'],
};

function valueOptions(entry: Pick<CatalogEntry, 'id' | 'modifyvm'>): readonly string[] {
  const fixed = VALUE_OPTIONS[entry.id];
  if (fixed) return fixed;
  const m = entry.modifyvm;
  if (!m) return [];
  // `sharedfolder modify --name <name> --readonly=…`: `--name` identifies the folder.
  if ((m.command ?? '').startsWith('sharedfolder')) return [];
  return [m.flag];
}

/**
 * The example command for a catalog entry and an item, or `undefined` when the entry has no
 * `modifyvm` spec: `VBoxManage <command> <vm uuid> <flag> <arg>` with the item's placeholders
 * filled (see {@link CommandContext}); an `arg` naming `<vm>` gets the UUID there instead
 * (`VBoxManage <command> <flag> <arg>`). The app never runs it.
 */
export function exampleCommand(
  entry: Pick<CatalogEntry, 'id' | 'modifyvm'>,
  uuid: string,
  context: CommandContext = {},
): string | undefined {
  const m = entry.modifyvm;
  if (!m) return undefined;
  const c = context;
  let command = m.command ?? 'modifyvm';
  if (c.filterIndex !== undefined) command = command.replaceAll('<index>', String(c.filterIndex));
  const keep = valueOptions(entry);
  const fills: [option: string, placeholder: string, value: string | number | undefined][] = [
    ['--storagectl', '<ctl>', c.controller],
    ['--name', '<ctl>', c.controller],
    ['--port', '<port>', c.port],
    ['--device', '<device>', c.device],
    ['--type', 'hdd|dvddrive|fdd', c.driveType],
    ['--medium', '<file|uuid>', c.medium],
    ['--name', '<name>', c.folderName],
    ['--hostpath', '<path>', c.folderPath],
  ];
  let args = `${withSlot(m.flag, c.slot)} ${m.arg}`.trim();
  for (const [option, placeholder, value] of fills) {
    if (value === undefined || keep.includes(option)) continue;
    const at = `${option} ${placeholder}`;
    const pos = args.indexOf(at);
    // Only a whole placeholder: `--medium <file|uuid>` must not match `--medium <file|uuid|none|…>`.
    if (pos === -1 || /[^\s]/.test(args.charAt(pos + at.length))) continue;
    args = args.slice(0, pos) + `${option} ${quoteArg(String(value))}` + args.slice(pos + at.length);
  }
  if (args.includes('<vm>')) return `VBoxManage ${command} ${args.replaceAll('<vm>', uuid)}`.trim();
  return `VBoxManage ${command} ${uuid} ${args}`.trim();
}

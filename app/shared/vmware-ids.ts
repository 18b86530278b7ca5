import type { Sourced, VmConfig } from './model.ts';

/**
 * Every control of the VMware mirror ("Virtual Machine Settings": Hardware list items and the
 * Options tab of VMware Workstation / Fusion), by catalog id `vmware.<page>.<control>`. A unit test
 * fails when any of these ids lacks an entry in `resources/catalog/vmware/*.json` (or an entry is
 * not listed here). Pages are `VMWARE_PAGES` of foreign-catalog.ts.
 *
 * Per-device controls are shown once per device; their values and findings carry an `#instance`
 * suffix naming the `.vmx` device: `#scsi0:1`, `#ide1:0`, `#sata0:0`, `#nvme0:0`, `#floppy0` (disks,
 * CD/DVD drives), `#scsi0` (controllers), `#ethernet0` (network adapters), `#serial0`,
 * `#sharedFolder0`, `#powerOff`/`#powerOn`/`#suspend`/`#reset` (power controls).
 */
export const VMWARE_CONTROL_IDS = [
  // Memory
  'vmware.memory.size',
  // Processors
  'vmware.processors.processors',
  'vmware.processors.coresPerProcessor',
  'vmware.processors.totalCores',
  'vmware.processors.vtx',
  'vmware.processors.perfCounters',
  'vmware.processors.iommu',
  // Hard Disk
  'vmware.disks.file',
  'vmware.disks.capacity',
  'vmware.disks.diskType',
  'vmware.disks.controllerType',
  'vmware.disks.node',
  'vmware.disks.mode',
  'vmware.disks.ssd',
  // CD/DVD
  'vmware.cdrom.connected',
  'vmware.cdrom.connectAtPowerOn',
  'vmware.cdrom.connection',
  'vmware.cdrom.physicalDrive',
  'vmware.cdrom.isoImage',
  'vmware.cdrom.node',
  // Network Adapter
  'vmware.network.connected',
  'vmware.network.connectAtPowerOn',
  'vmware.network.connection',
  'vmware.network.replicateState',
  'vmware.network.vnet',
  'vmware.network.lanSegment',
  'vmware.network.adapterType',
  'vmware.network.mac',
  'vmware.network.macType',
  // USB Controller
  'vmware.usb.controller',
  'vmware.usb.compatibility',
  'vmware.usb.showAllInputDevices',
  'vmware.usb.bluetooth',
  'vmware.usb.autoConnect',
  // Sound Card
  'vmware.sound.present',
  'vmware.sound.connectAtPowerOn',
  'vmware.sound.hostDevice',
  'vmware.sound.device',
  // Display
  'vmware.display.accelerate3d',
  'vmware.display.graphicsMemory',
  'vmware.display.monitors',
  'vmware.display.monitorCount',
  'vmware.display.maxResolution',
  'vmware.display.vram',
  // Serial Port
  'vmware.serial.present',
  'vmware.serial.connectAtPowerOn',
  'vmware.serial.connection',
  'vmware.serial.path',
  'vmware.serial.pipeEnd',
  'vmware.serial.yieldOnPoll',
  // Options › General
  'vmware.options.name',
  'vmware.options.guestOs',
  'vmware.options.guestVersion',
  'vmware.options.workingDir',
  'vmware.options.description',
  // Options › Power
  'vmware.options.powerControls',
  'vmware.options.fullScreenAtPowerOn',
  'vmware.options.closeAfterPowerOff',
  // Options › Shared Folders
  'vmware.options.sharedFolders',
  'vmware.options.sharedFolderList',
  'vmware.options.sharedFolderName',
  'vmware.options.sharedFolderHostPath',
  'vmware.options.sharedFolderReadOnly',
  'vmware.options.mapNetworkDrive',
  // Options › Snapshots
  'vmware.options.snapshotPowerOff',
  // Options › Guest Isolation
  'vmware.options.dragAndDrop',
  'vmware.options.copyPaste',
  // Options › VMware Tools
  'vmware.options.toolsUpdate',
  'vmware.options.toolsSyncTime',
  // Options › VNC Connections
  'vmware.options.vncEnabled',
  'vmware.options.vncPort',
  // Options › Advanced
  'vmware.options.firmware',
  'vmware.options.secureBoot',
  'vmware.options.hardwareVersion',
  'vmware.options.bootOrder',
  // Options › Access Control and TPM
  'vmware.options.tpm',
  'vmware.options.encryption',
] as const;

/** One VMware mirror control id (`vmware.<page>.<control>`), without instance suffix. */
export type VmwareControlId = (typeof VMWARE_CONTROL_IDS)[number];

/** A VMware control id, optionally with an `#instance` suffix (`vmware.network.connection#ethernet0`). */
export type VmwareSettingId = VmwareControlId | `${VmwareControlId}#${string}`;

/** True when `id` (without its `#instance` suffix) is a VMware mirror control id. */
export function isVmwareControlId(id: string): boolean {
  const hash = id.indexOf('#');
  return (VMWARE_CONTROL_IDS as readonly string[]).includes(hash === -1 ? id : id.slice(0, hash));
}

/** A control's value in VMware's own words (the catalog's `values[].value`), with the `.vmx` key it came from. */
export interface VmwareValue {
  /** Lower-case `.vmx` word for enumerations, `true`/`false` for checkboxes, numbers as digits in the `.vmx` unit. */
  value: string;
  /** `.vmx` key as the file spells it; a device name (`sata0:1`) for values that follow from the device itself. */
  key: string;
  /** Text as written in the `.vmx` (`''` when VMware's default applies). */
  raw: string;
}

/** Per-device controls, by id prefix, and the kind of device their instances name. */
const INSTANCE_KIND: [
  prefix: string,
  kind: 'disk' | 'cdrom' | 'scsi' | 'nic' | 'serial' | 'folder' | 'power',
][] = [
  ['vmware.disks.controllerType', 'scsi'],
  ['vmware.disks.', 'disk'],
  ['vmware.cdrom.', 'cdrom'],
  ['vmware.network.', 'nic'],
  ['vmware.serial.', 'serial'],
  ['vmware.options.sharedFolderName', 'folder'],
  ['vmware.options.sharedFolderHostPath', 'folder'],
  ['vmware.options.sharedFolderReadOnly', 'folder'],
  ['vmware.options.powerControls', 'power'],
];

/** The kind of device a control is shown once per (undefined for VM-wide controls). */
export function vmwareInstanceKind(id: VmwareControlId): (typeof INSTANCE_KIND)[number][1] | undefined {
  return INSTANCE_KIND.find(([prefix]) => id.startsWith(prefix))?.[1];
}

/**
 * The `.vmx` device node of a drive as mapped by the VMware reader: `ide<port>:<device>` on the IDE
 * controller, `floppy<port>` for floppies, `<controller name>:<port>` otherwise (`scsi0:1`, `sata0:0`).
 */
export function vmwareNodeOf(
  controller: { name: { value: string } },
  attachment: { port: number; device: number },
): string {
  const name = controller.name.value;
  if (name === 'ide') return `ide${attachment.port}:${attachment.device}`;
  if (name === 'floppy') return `floppy${attachment.port}`;
  return `${name}:${attachment.port}`;
}

/**
 * The instances a per-device control is shown for, in the VMware dialog's order: hard disks
 * (`kind` `hdd`), CD/DVD drives (`dvd`/`empty`, floppies excluded) by node; SCSI controllers by name;
 * present network adapters as `ethernetN`; present serial ports as `serialN`; shared folders as
 * `sharedFolderN`; power buttons with a key. VM-wide controls give `[]`.
 */
export function vmwareInstances(config: VmConfig, id: VmwareControlId): string[] {
  switch (vmwareInstanceKind(id)) {
    case 'disk':
    case 'cdrom': {
      const wantCd = vmwareInstanceKind(id) === 'cdrom';
      const out: string[] = [];
      for (const c of config.storage) {
        if (c.name.value === 'floppy') continue;
        for (const a of c.attachments) {
          if (a.kind === 'none') continue;
          if ((a.kind === 'dvd' || a.kind === 'empty') === wantCd) out.push(vmwareNodeOf(c, a));
        }
      }
      return out;
    }
    case 'scsi':
      return config.storage.filter((c) => /^scsi\d+$/.test(c.name.value)).map((c) => c.name.value);
    case 'nic':
      return config.network.filter((n) => n.attachment.value !== 'none').map((n) => `ethernet${n.slot - 1}`);
    case 'serial':
      return config.serial.filter((s) => s.enabled.value).map((s) => `serial${s.slot - 1}`);
    case 'folder':
      return config.sharedFolders.map((f) => `sharedFolder${f.index}`);
    case 'power':
      return ['powerOff', 'powerOn', 'suspend', 'reset'].filter(
        (p) => config.native?.[`vmware.options.powerControls#${p}`] !== undefined,
      );
    default:
      return [];
  }
}

type S<T> = Sourced<T> | undefined;

const word = (s: S<string>): VmwareValue | undefined =>
  s
    ? { value: s.raw !== '' ? s.raw.trim().toLowerCase() : s.value.toLowerCase(), key: s.key, raw: s.raw }
    : undefined;
const text = (s: S<string>): VmwareValue | undefined =>
  s ? { value: s.value, key: s.key, raw: s.raw } : undefined;
const scalar = (s: S<number | boolean>): VmwareValue | undefined =>
  s ? { value: String(s.value), key: s.key, raw: s.raw } : undefined;

/**
 * Reads one VMware control's value from a {@link VmConfig} built by the VMware reader
 * (`app/core/vmware/to-config.ts`), in VMware's own words so that it matches the catalog's
 * `values[].value` (e.g. `vmware.network.connection#ethernet0` → `{ value: 'nat', key:
 * 'ethernet0.connectionType', raw: 'nat' }`, a LAN segment → `pvn`). Per-device controls need the
 * instance from {@link vmwareInstances}. Returns undefined when the `.vmx` does not set the value (the
 * mirror then shows the catalog's default), for runtime-only controls (Connected) and for the disk
 * capacity (in the `.vmdk`, not the `.vmx`). Never throws.
 */
export function vmwareControlValue(
  config: VmConfig,
  id: VmwareControlId,
  instance?: string,
): VmwareValue | undefined {
  const native = config.native ?? {};
  const fromNative = (): VmwareValue | undefined => text(native[instance ? `${id}#${instance}` : id]);
  const drive = () => {
    for (const c of config.storage)
      for (const a of c.attachments) if (vmwareNodeOf(c, a) === instance) return { c, a };
    return undefined;
  };
  const nic = () => config.network.find((n) => `ethernet${n.slot - 1}` === instance);
  const port = () => config.serial.find((s) => `serial${s.slot - 1}` === instance);
  const folder = () => config.sharedFolders.find((f) => `sharedFolder${f.index}` === instance);
  switch (id) {
    case 'vmware.memory.size':
      return scalar(config.system.memoryMB);
    case 'vmware.processors.totalCores':
      return scalar(config.system.cpus);
    case 'vmware.processors.vtx':
      return scalar(config.system.nestedHwVirt);
    case 'vmware.disks.file':
    case 'vmware.cdrom.isoImage':
    case 'vmware.cdrom.physicalDrive': {
      const d = drive();
      if (!d) return undefined;
      if (id !== 'vmware.disks.file') {
        const conn = native[`vmware.cdrom.connection#${instance}`]?.value;
        if ((id === 'vmware.cdrom.isoImage') !== (conn === 'iso')) return undefined;
      }
      return text(d.a.medium);
    }
    case 'vmware.disks.diskType': {
      const d = drive();
      return d ? { value: (instance ?? '').replace(/\d.*$/, ''), key: instance ?? '', raw: '' } : undefined;
    }
    case 'vmware.disks.node':
    case 'vmware.cdrom.node':
      return drive() ? { value: instance ?? '', key: instance ?? '', raw: '' } : undefined;
    case 'vmware.disks.ssd':
      return scalar(drive()?.a.nonRotational);
    case 'vmware.disks.capacity':
    case 'vmware.cdrom.connected':
    case 'vmware.network.connected':
      return undefined;
    case 'vmware.disks.controllerType':
      return fromNative();
    case 'vmware.network.connectAtPowerOn':
      return scalar(nic()?.cableConnected);
    case 'vmware.network.connection': {
      const a = nic()?.attachment;
      if (!a) return undefined;
      return {
        value: a.raw !== '' ? a.raw.trim().toLowerCase() : a.value === 'intnet' ? 'pvn' : a.value,
        key: a.key,
        raw: a.raw,
      };
    }
    case 'vmware.network.vnet':
    case 'vmware.network.lanSegment': {
      const n = nic();
      const conn = n?.attachment.raw.trim().toLowerCase();
      if (!n || conn !== (id === 'vmware.network.vnet' ? 'custom' : 'pvn')) return undefined;
      return text(n.attachmentName);
    }
    case 'vmware.network.adapterType':
      return word(nic()?.adapterType);
    case 'vmware.network.mac': {
      const m = nic()?.macAddress;
      return m ? { value: m.raw || m.value, key: m.key, raw: m.raw } : undefined;
    }
    case 'vmware.usb.controller': {
      const u = config.usb.ohci ?? config.usb.ehci ?? config.usb.xhci;
      return u
        ? {
            value: String(
              Boolean(config.usb.ohci?.value || config.usb.ehci?.value || config.usb.xhci?.value),
            ),
            key: u.key,
            raw: u.raw,
          }
        : undefined;
    }
    case 'vmware.usb.compatibility': {
      const { ohci, ehci, xhci } = config.usb;
      if (xhci?.value) return { value: '3.1', key: xhci.key, raw: xhci.raw };
      if (ehci?.value) return { value: '2.0', key: ehci.key, raw: ehci.raw };
      if (ohci?.value) return { value: '1.1', key: ohci.key, raw: ohci.raw };
      return undefined;
    }
    case 'vmware.sound.hostDevice':
      return text(config.audio.driver);
    case 'vmware.sound.device':
      return word(config.audio.controller);
    case 'vmware.display.accelerate3d':
      return scalar(config.display.accelerate3d);
    case 'vmware.display.monitorCount':
      return scalar(config.display.monitorCount);
    case 'vmware.display.vram': {
      const v = config.display.vramMB;
      return v ? { value: v.raw.trim(), key: v.key, raw: v.raw } : undefined;
    }
    case 'vmware.serial.present':
      return scalar(port()?.enabled);
    case 'vmware.serial.connection':
      return word(port()?.mode);
    case 'vmware.serial.path': {
      const p = port();
      return p?.path !== undefined ? { value: p.path, key: `${instance}.fileName`, raw: p.path } : undefined;
    }
    case 'vmware.options.name':
      return text(config.general.name);
    case 'vmware.options.guestVersion':
      return text(config.general.osType);
    case 'vmware.options.workingDir':
      return text(config.general.snapshotFolder);
    case 'vmware.options.description':
      return text(config.general.description);
    case 'vmware.options.sharedFolderList':
      return { value: String(config.sharedFolders.length), key: 'sharedFolder.maxNum', raw: '' };
    case 'vmware.options.sharedFolderName':
      return text(folder()?.name);
    case 'vmware.options.sharedFolderHostPath':
      return text(folder()?.hostPath);
    case 'vmware.options.dragAndDrop':
      return text(config.general.dragAndDrop);
    case 'vmware.options.copyPaste':
      return text(config.general.clipboard);
    case 'vmware.options.vncEnabled':
      return scalar(config.display.vrdeEnabled);
    case 'vmware.options.vncPort':
      return text(config.display.vrdePorts);
    case 'vmware.options.firmware':
      return word(config.system.firmware);
    case 'vmware.options.secureBoot':
      return scalar(config.system.secureBoot);
    case 'vmware.options.bootOrder': {
      const b = config.system.bootOrder;
      if (b.length === 0) return undefined;
      const raw = b.map((d) => d.raw).join(',');
      return { value: raw.toLowerCase(), key: b[0].key, raw };
    }
    case 'vmware.options.tpm': {
      const t = config.system.tpm;
      return t ? { value: String(t.value !== 'none'), key: t.key, raw: t.raw } : undefined;
    }
    default:
      return fromNative();
  }
}

/**
 * Hypervisor-neutral VM model shared by core (which builds it) and the renderer (which shows it).
 *
 * Every configuration value is a {@link Sourced} value: it remembers the raw key it came from
 * (e.g. `memory` from `VBoxManage showvminfo --machinereadable`, or `nic1`) and the raw text, so
 * the UI can show provenance. Units are in the field names: `MB` = mebibytes as VirtualBox counts
 * them ("MB" in its UI), `Kbps` = kilobits per second, `Percent` = 0–100.
 */

/** Which hypervisor a VM belongs to. */
export type Hypervisor = 'virtualbox' | 'vmware' | 'kvm';

/**
 * Where a VM's data came from: a live `VBoxManage` call, a settings or dump file (`.vbox`, `.vmx`,
 * domain XML, saved `showvminfo`), a live `virsh` connection, VMware discovery (`vmrun`/inventory), or a bundled demo.
 */
export type VmSource = 'vboxmanage' | 'file' | 'demo' | 'virsh' | 'vmrun';

/** A value plus its provenance. `key` is the raw key exactly as printed (e.g. `nictype1`, `"SATA-0-0"` → `SATA-0-0`). */
export interface Sourced<T> {
  value: T;
  /** Raw key the value came from, as the tool printed it (unquoted). */
  key: string;
  /** Raw value text after unescaping, before conversion (e.g. `"on"`, `"2048"`). */
  raw: string;
}

/** VirtualBox machine states as `VMState` prints them (`poweroff`, `running`, `saved`, `aborted`, …). */
export type VmState = string;

/** A problem found while reading: a line the parser could not use, or a VM that failed to load. */
export interface ReadIssue {
  /** 1-based line number in the tool output, when the issue concerns one line. */
  line?: number;
  message: string;
}

/** One row of the machines list. */
export interface VmSummary {
  /** Stable id: the VM's UUID (no braces, lower case) for VirtualBox. */
  id: string;
  hypervisor: Hypervisor;
  source: VmSource;
  /** Display name; `<inaccessible>` when VirtualBox could not read the VM. */
  name: string;
  /** False when the VM could not be read; `error` then says why. */
  accessible: boolean;
  error?: string;
  state?: VmState;
  /** OS type as the tool reports it (VirtualBox: the description, e.g. "Ubuntu (64-bit)"). */
  osType?: string;
  cpus?: number;
  memoryMB?: number;
  /** Number of advisory findings for this VM (0 until advice exists). */
  findings: number;
  /** Severity of the most serious finding (`error` › `warning` › `info`); absent when there are none. */
  worstSeverity?: 'error' | 'warning' | 'info';
}

/** General page. */
export interface GeneralConfig {
  name?: Sourced<string>;
  osType?: Sourced<string>;
  groups?: Sourced<string[]>;
  cfgFile?: Sourced<string>;
  snapshotFolder?: Sourced<string>;
  logFolder?: Sourced<string>;
  hardwareUuid?: Sourced<string>;
  /** `disabled` | `hosttoguest` | `guesttohost` | `bidirectional`. */
  clipboard?: Sourced<string>;
  dragAndDrop?: Sourced<string>;
  description?: Sourced<string>;
}

/** System page: Motherboard, Processor, Acceleration. Booleans come from `on`/`off`. */
export interface SystemConfig {
  memoryMB?: Sourced<number>;
  /** Boot order slots 1–4 (`floppy`, `dvd`, `disk`, `net`, `none`, …), in order. */
  bootOrder: Sourced<string>[];
  /** `piix3` | `ich9` | `armv8virtual`. */
  chipset?: Sourced<string>;
  /** `BIOS` | `EFI` | `EFI32` | `EFI64` | `EFIDUAL`. */
  firmware?: Sourced<string>;
  /** `ps2mouse` | `usbmouse` | `usbtablet` | `usbmultitouch` | `combomouse` | `none` | `unknown`. */
  pointingDevice?: Sourced<string>;
  keyboard?: Sourced<string>;
  ioApic?: Sourced<boolean>;
  rtcUseUtc?: Sourced<boolean>;
  secureBoot?: Sourced<boolean>;
  /** TPM type (`none`, `v1_2`, `v2_0`, …); not printed by showvminfo, so usually absent. */
  tpm?: Sourced<string>;
  acpi?: Sourced<boolean>;
  hpet?: Sourced<boolean>;
  pageFusion?: Sourced<boolean>;
  cpus?: Sourced<number>;
  executionCapPercent?: Sourced<number>;
  pae?: Sourced<boolean>;
  longMode?: Sourced<boolean>;
  nestedHwVirt?: Sourced<boolean>;
  cpuProfile?: Sourced<string>;
  /** `none` | `default` | `legacy` | `minimal` | `hyperv` | `kvm`. */
  paravirtProvider?: Sourced<string>;
  effectiveParavirtProvider?: Sourced<string>;
  hwVirtEx?: Sourced<boolean>;
  nestedPaging?: Sourced<boolean>;
  largePages?: Sourced<boolean>;
  vtxVpid?: Sourced<boolean>;
  vtxUx?: Sourced<boolean>;
  /** `x86` | `ARM` (7.1+). */
  platformArchitecture?: Sourced<string>;
}

/** Display page (Screen, Remote Display, Recording). */
export interface DisplayConfig {
  vramMB?: Sourced<number>;
  monitorCount?: Sourced<number>;
  /** `vboxvga` | `vmsvga` | `vboxsvga` | `qemuramfb` | `null` | `unknown`. */
  graphicsController?: Sourced<string>;
  accelerate3d?: Sourced<boolean>;
  accelerate2dVideo?: Sourced<boolean>;
  vrdeEnabled?: Sourced<boolean>;
  vrdePorts?: Sourced<string>;
  recordingEnabled?: Sourced<boolean>;
}

/** One medium slot of a storage controller (`"<controller>-<port>-<device>"` keys). */
export interface StorageAttachment {
  port: number;
  device: number;
  /** Medium path, `emptydrive` (optical drive with no disc) or `none` (free slot). */
  medium: Sourced<string>;
  /** Medium kind inferred from the path and flags: `hdd` | `dvd` | `floppy` | `empty` (drive, no medium) | `none`. */
  kind: 'hdd' | 'dvd' | 'floppy' | 'empty' | 'none';
  imageUuid?: Sourced<string>;
  nonRotational?: Sourced<boolean>;
  discard?: Sourced<boolean>;
  hotPluggable?: Sourced<boolean>;
  tempEject?: Sourced<boolean>;
  isEjected?: Sourced<boolean>;
  passthrough?: Sourced<boolean>;
}

/** A storage controller and its attachments (free `none` slots are kept but flagged by kind). */
export interface StorageController {
  /** 0-based index `i` of `storagecontrollername<i>`. */
  index: number;
  name: Sourced<string>;
  /** `IntelAhci` | `PIIX4` | `PIIX3` | `ICH6` | `LsiLogic` | `LsiLogicSas` | `BusLogic` | `I82078` | `USB` | `NVMe` | `VirtioSCSI` | `unknown`. */
  type?: Sourced<string>;
  instance?: Sourced<number>;
  portCount?: Sourced<number>;
  maxPortCount?: Sourced<number>;
  bootable?: Sourced<boolean>;
  attachments: StorageAttachment[];
}

/** A NAT port-forwarding rule (`Forwarding(i)="name,tcp,hostip,hostport,guestip,guestport"`). */
export interface PortForward {
  name: string;
  /** `tcp` | `udp` | `unk`. */
  protocol: string;
  /** Empty string = all host addresses. */
  hostIp: string;
  hostPort: number;
  /** Empty string = the guest's DHCP address. */
  guestIp: string;
  guestPort: number;
  /** Raw key, e.g. `Forwarding(0)`. */
  key: string;
  raw: string;
}

/** One network adapter slot (1-based). */
export interface NetworkAdapter {
  slot: number;
  /**
   * Attachment as VirtualBox's machine-readable output spells it: `none` (adapter disabled),
   * `null` (Not attached), `nat`, `bridged`, `intnet`, `hostonly`, `Generic`, `natnetwork`,
   * `hostonlynetwork`, `cloudnetwork`.
   */
  attachment: Sourced<string>;
  /** The "Name" field for the attachment: bridged host interface, internal network, host-only adapter, NAT network, NAT subnet (`natnetN`)… */
  attachmentName?: Sourced<string>;
  /** Adapter chip: `Am79C970A` | `Am79C973` | `82540EM` | `82543GC` | `82545EM` | `virtio` | … */
  adapterType?: Sourced<string>;
  /** 12 hex digits, no separators, as printed (e.g. `080027A1B2C3`). */
  macAddress?: Sourced<string>;
  cableConnected?: Sourced<boolean>;
  speedKbps?: Sourced<number>;
  /** NAT tuning lines (`mtu`, `sockSnd`, …) attributed to this adapter, raw. */
  natSettings?: Record<string, Sourced<string>>;
  portForwards: PortForward[];
}

/** Serial port slot (1-based). */
export interface SerialPort {
  slot: number;
  enabled: Sourced<boolean>;
  /** I/O base, e.g. `0x03f8`. */
  ioBase?: string;
  irq?: number;
  /** `disconnected` | `file` | `tcpserver` | `tcpclient` | `server` | `client` | `device`. */
  mode?: Sourced<string>;
  path?: string;
  uartType?: Sourced<string>;
}

/** USB controllers and device filters. */
export interface UsbConfig {
  ohci?: Sourced<boolean>;
  ehci?: Sourced<boolean>;
  xhci?: Sourced<boolean>;
  filters: { index: number; name: string; active: boolean; vendorId: string; productId: string }[];
}

/** A shared folder (`SharedFolderNameMachineMappingN` / `…TransientMappingN`). */
export interface SharedFolder {
  index: number;
  name: Sourced<string>;
  hostPath: Sourced<string>;
  transient: boolean;
}

/** Audio page. */
export interface AudioConfig {
  /** Host driver; `none` means audio disabled. */
  driver?: Sourced<string>;
  enabled?: boolean;
  output?: Sourced<boolean>;
  input?: Sourced<boolean>;
  /** Audio controller (`ac97`, `hda`, `sb16`); not printed by showvminfo. */
  controller?: Sourced<string>;
}

/** A snapshot and its children (from `SnapshotName…` keys). */
export interface SnapshotNode {
  name: string;
  uuid: string;
  description?: string;
  /** Tree path suffix as printed (`""`, `-1`, `-1-2`). */
  path: string;
  current: boolean;
  children: SnapshotNode[];
}

/** A key the reader did not map to the model; kept and shown, never fatal. */
export interface UnknownKey {
  key: string;
  value: string;
  line: number;
}

/** Full configuration of one VM, page by page, as the settings mirror shows it. */
export interface VmConfig {
  id: string;
  hypervisor: Hypervisor;
  source: VmSource;
  state?: Sourced<string>;
  stateChangeTime?: Sourced<string>;
  sessionName?: Sourced<string>;
  guestAdditionsVersion?: Sourced<string>;
  general: GeneralConfig;
  system: SystemConfig;
  display: DisplayConfig;
  storage: StorageController[];
  audio: AudioConfig;
  network: NetworkAdapter[];
  serial: SerialPort[];
  usb: UsbConfig;
  sharedFolders: SharedFolder[];
  snapshots: SnapshotNode[];
  /**
   * Hypervisor-specific values that the VirtualBox-shaped fields above do not hold, keyed by
   * VMware/KVM catalog id (`vmware.processors.vtx`, `kvm.cpus.model`, …; see `foreign-catalog.ts`),
   * with an optional `#instance` suffix. Empty or absent for VirtualBox VMs.
   */
  native?: Record<string, Sourced<string>>;
  /** Keys present in the output that the model does not map. */
  unknownKeys: UnknownKey[];
  /** Lines that could not be parsed (with line numbers), banners skipped, etc. */
  issues: ReadIssue[];
}

/** Facts about the machine running the app; VM advice is measured against these. */
export interface HostFacts {
  /** Physical cores (online), from `list hostinfo` when available, else estimated from Node's `os`. */
  cores: number;
  /** Logical processors (threads). */
  threads: number;
  /** Total RAM in MB (MiB). */
  memoryMB: number;
  cpuModel?: string;
  os: string;
  /** Whether values were completed by `VBoxManage list hostinfo`. */
  fromHostInfo: boolean;
  /**
   * True when `cores` is a guess from the thread count (no hostinfo, and the OS did not show its
   * CPU topology): the UI should say "about N cores". Absent when the cores were counted.
   */
  coresEstimated?: boolean;
  supportsHwVirt?: boolean;
  supportsNestedPaging?: boolean;
}

/** Status of the VirtualBox installation as the app found it. */
export interface VBoxStatus {
  found: boolean;
  path?: string;
  /** How the path was found: `user`, `env`, `standard`, `path`. */
  via?: string;
  /** Version string such as `7.1.12r169651`. */
  version?: string;
  /** Why VBoxManage could not be used, in English. */
  error?: string;
  /**
   * A problem that did not stop the read, in English, on one line: the Linux wrapper's banner
   * such as "The vboxdrv kernel module is not loaded…" (VMs can be read, not started), or a
   * VBoxManage path the user set that could not be used while another VBoxManage was.
   */
  warning?: string;
  /** Paths that were tried, in order. */
  tried: string[];
}

import type { Localized } from './catalog.ts';

/**
 * Coverage of raw VirtualBox keys by the catalog: which catalog entry explains a key that
 * `VBoxManage showvminfo <vm> --machinereadable` prints (VirtualBox 3.1–7.1, reference §2–3), or
 * a GUI extra-data key (`GUI/…`, reference §2.12), which keys are deliberately not shown (identity,
 * machine state, runtime counters, snapshot keys…) and which are unknown. A key nobody knows yet —
 * printed by a future VirtualBox — classifies as `unexplained`, so the UI can list it instead of
 * silently dropping it.
 *
 * Keys are matched as the parser returns them (`SATA-0-0`, without the quotes VBoxManage puts
 * around storage keys); surrounding double quotes and white space are ignored anyway.
 */

/** A catalog id plus, for per-item settings, the item the key belongs to. */
export interface KeyTarget {
  /** Catalog id (`<page>.<tab>.<control>`), e.g. `network.adapter.mac`. */
  id: string;
  /**
   * The item, in the mirror's instance convention: adapter / port / boot position / USB filter number
   * (`'3'` for `nic3`, 1-based as printed), storage slot `<controller>-<port>-<device>` (`'SATA-0-0'`),
   * the controller name for 6.1's per-controller flags (`"SATA-nonrotational"` → `'SATA'`) and for
   * `storagecontroller…<i>` keys when {@link KeyContext.controllers} is given (else the 0-based index),
   * shared folder `'N'` (machine folders) or `'transient-N'`, recording screen `'0'` for `rec_screen0`.
   * Absent for VM-wide keys and for keys that carry no index (`Forwarding(i)`, NAT tuning lines and
   * `rec_screen_*` belong to the adapter or screen printed before them, see reference §3.3).
   */
  instance?: string;
}

/** Optional knowledge about the VM the key comes from. */
export interface KeyContext {
  /**
   * Storage controller names by 0-based index (`storagecontrollernameN` values). When given,
   * attachment keys must start with one of these names, and `storagecontroller…<i>` keys get the name
   * as instance.
   */
  controllers?: readonly string[];
}

/** A key pattern that is deliberately not shown on the mirror, with the reason. */
export interface NotShown {
  /** Glob over the raw key: `*` = any characters, `<n>` = a decimal number; case-sensitive. */
  pattern: string;
  reason: Localized;
}

/** Result of {@link classifyKey}. */
export type KeyClass =
  | { kind: 'setting'; id: string; instance?: string }
  | { kind: 'not-shown'; pattern: string; reason: Localized }
  | { kind: 'unexplained' };

/** Keys that map one-to-one to a catalog id (no index). */
const EXACT: Record<string, string> = {
  // General
  name: 'general.basic.name',
  ostype: 'general.basic.version',
  groups: 'general.cli.groups',
  SnapFldr: 'general.advanced.snapshotFolder',
  LogFldr: 'general.cli.logFolder',
  hardwareuuid: 'general.cli.hardwareUuid',
  clipboard: 'general.advanced.clipboard',
  clipboard_file_transfers: 'general.cli.clipboardFileTransfers',
  draganddrop: 'general.advanced.dragAndDrop',
  description: 'general.description.text',
  encryption: 'general.cli.vmEncryption',
  enc_cipher: 'general.cli.vmEncryption',
  enc_password_id: 'general.cli.vmEncryption',
  'autostart-enabled': 'general.cli.autostart',
  'autostart-delay': 'general.cli.autostart',
  defaultfrontend: 'general.cli.defaultFrontend',
  teleporterenabled: 'general.cli.teleporter',
  teleporterport: 'general.cli.teleporter',
  teleporteraddress: 'general.cli.teleporter',
  teleporterpassword: 'general.cli.teleporter',
  // System › Motherboard
  memory: 'system.motherboard.memory',
  chipset: 'system.motherboard.chipset',
  hidpointing: 'system.motherboard.pointingDevice',
  ioapic: 'system.motherboard.ioApic',
  rtcuseutc: 'system.motherboard.rtcUseUtc',
  firmware: 'system.motherboard.efi',
  SecureBoot: 'system.motherboard.secureBoot',
  // System › Processor / Acceleration
  cpus: 'system.processor.cpus',
  cpuexecutioncap: 'system.processor.executionCap',
  pae: 'system.processor.pae',
  'nested-hw-virt': 'system.processor.nestedHwVirt',
  paravirtprovider: 'system.acceleration.paravirtProvider',
  effparavirtprovider: 'system.acceleration.paravirtProvider',
  nestedpaging: 'system.acceleration.nestedPaging',
  hwvirtex: 'system.acceleration.hwVirtEx',
  // System › VBoxManage only
  pagefusion: 'system.cli.pageFusion',
  bootmenu: 'system.cli.bootMenu',
  hidkeyboard: 'system.cli.keyboard',
  acpi: 'system.cli.acpi',
  biosapic: 'system.cli.biosApic',
  biossystemtimeoffset: 'system.cli.systemTimeOffset',
  NvramFile: 'system.cli.nvramFile',
  'BIOS NVRAM File': 'system.cli.nvramFile',
  hpet: 'system.cli.hpet',
  iommu: 'system.cli.iommu',
  platformArchitecture: 'system.cli.platformArchitecture',
  longmode: 'system.cli.longMode',
  triplefaultreset: 'system.cli.tripleFaultReset',
  apic: 'system.cli.apic',
  x2apic: 'system.cli.x2apic',
  'cpu-profile': 'system.cli.cpuProfile',
  'cpuid-portability-level': 'system.cli.cpuidPortability',
  cpuid: 'system.cli.cpuidOverrides',
  largepages: 'system.cli.largePages',
  vtxvpid: 'system.cli.vtxVpid',
  vtxux: 'system.cli.vtxUx',
  virtvmsavevmload: 'system.cli.virtVmsaveVmload',
  paravirtdebug: 'system.cli.paravirtDebug',
  GuestMemoryBalloon: 'system.cli.guestMemoryBalloon',
  vmprocpriority: 'system.cli.vmProcessPriority',
  'tracing-enabled': 'system.cli.tracing',
  'tracing-allow-vm-access': 'system.cli.tracing',
  'tracing-config': 'system.cli.tracing',
  AttachedHostPCI: 'system.cli.pciPassthrough',
  // Display › Screen
  vram: 'display.screen.vram',
  monitorcount: 'display.screen.monitorCount',
  graphicscontroller: 'display.screen.graphicsController',
  accelerate3d: 'display.screen.accelerate3d',
  accelerate2dvideo: 'display.screen.accelerate2dVideo',
  // Display › Remote Display (vrdp: VirtualBox 3.x name of the switch)
  vrde: 'display.remote.enabled',
  vrdp: 'display.remote.enabled',
  vrdeport: 'display.remote.port',
  vrdeports: 'display.remote.port',
  vrdeauthtype: 'display.remote.authType',
  vrdemulticon: 'display.remote.multiConnections',
  vrdeaddress: 'display.cli.vrdeAddress',
  vrdereusecon: 'display.cli.vrdeReuseCon',
  vrdevideochannel: 'display.cli.vrdeVideoChannel',
  vrdevideochannelquality: 'display.cli.vrdeVideoChannel',
  // Display › Recording (7.x names, then 6.x/5.x `videocap*`, 5.0 `vcp*`, 6.1.2 `capture*`)
  recording_enabled: 'display.recording.enabled',
  videocap: 'display.recording.enabled',
  vcpenabled: 'display.recording.enabled',
  recording_screens: 'display.recording.screens',
  rec_screen_enabled: 'display.recording.screens',
  rec_screen_id: 'display.recording.screens',
  videocapscreens: 'display.recording.screens',
  vcpscreens: 'display.recording.screens',
  capturescreens: 'display.recording.screens',
  rec_screen_video_enabled: 'display.recording.mode',
  rec_screen_audio_enabled: 'display.recording.mode',
  rec_screen_opts: 'display.recording.mode',
  videocapopts: 'display.recording.mode',
  captureopts: 'display.recording.mode',
  videocap_audio: 'display.recording.mode',
  videocapaudio: 'display.recording.mode',
  rec_screen_dest: 'display.recording.filePath',
  rec_screen_dest_filename: 'display.recording.filePath',
  videocapfile: 'display.recording.filePath',
  vcpfile: 'display.recording.filePath',
  capturefilename: 'display.recording.filePath',
  rec_screen_video_res_xy: 'display.recording.frameSize',
  videocapres: 'display.recording.frameSize',
  captureres: 'display.recording.frameSize',
  vcpwidth: 'display.recording.frameSize',
  vcpheight: 'display.recording.frameSize',
  rec_screen_video_fps: 'display.recording.frameRate',
  videocapfps: 'display.recording.frameRate',
  vcpfps: 'display.recording.frameRate',
  capturevideofps: 'display.recording.frameRate',
  rec_screen_video_rate_kbps: 'display.recording.videoQuality',
  videocaprate: 'display.recording.videoQuality',
  vcprate: 'display.recording.videoQuality',
  capturevideorate: 'display.recording.videoQuality',
  // Audio
  audio: 'audio.main.enabled',
  audio_out: 'audio.main.output',
  audio_in: 'audio.main.input',
  // Network: NAT lines follow their adapter (no index)
  mtu: 'network.cli.natTuning',
  sockSnd: 'network.cli.natTuning',
  sockRcv: 'network.cli.natTuning',
  tcpWndSnd: 'network.cli.natTuning',
  tcpWndRcv: 'network.cli.natTuning',
  localhostReachable: 'network.cli.natLocalhostReachable',
  forwardBroadcast: 'network.cli.natForwardBroadcast',
  // USB controllers
  usb: 'usb.main.enabled',
  ehci: 'usb.main.controllerType',
  xhci: 'usb.main.controllerType',
  // GUI extra data (reference §2.12)
  'GUI/MenuBar/Enabled': 'userInterface.main.menuBar',
  'GUI/RestrictedRuntimeMenus': 'userInterface.main.menuBarContents',
  'GUI/Fullscreen': 'userInterface.main.visualState',
  'GUI/Seamless': 'userInterface.main.visualState',
  'GUI/Scale': 'userInterface.main.visualState',
  'GUI/ShowMiniToolBar': 'userInterface.main.miniToolBar',
  'GUI/MiniToolBarAlignment': 'userInterface.main.miniToolBarAtTop',
  'GUI/MiniToolBarAutoHide': 'userInterface.cli.miniToolBarAutoHide',
  'GUI/StatusBar/Enabled': 'userInterface.main.statusBar',
  'GUI/RestrictedStatusBarIndicators': 'userInterface.main.statusBarContents',
  'GUI/StatusBar/IndicatorOrder': 'userInterface.main.statusBarContents',
  'GUI/ScaleFactor': 'display.screen.scaleFactor',
};

/** Per-adapter keys `<prefix>N` (reference §2.8) → catalog id. */
const NIC_KEYS: Record<string, string> = {
  nic: 'network.adapter.attachedTo',
  nictype: 'network.adapter.adapterType',
  macaddress: 'network.adapter.mac',
  cableconnected: 'network.adapter.cable',
  nicspeed: 'network.cli.nicSpeed',
  natnet: 'network.adapter.name',
  bridgeadapter: 'network.adapter.name',
  intnet: 'network.adapter.name',
  hostonlyadapter: 'network.adapter.name',
  'hostonly-network': 'network.adapter.name',
  'nat-network': 'network.adapter.name',
  generic: 'network.adapter.name',
  'cloud-network': 'network.adapter.name',
};

/** Middle word of storage attachment keys `"<ctl>-<tag>-<port>-<device>"` (6.1: `"<ctl>-<tag>"`) → catalog id. */
const ATTACHMENT_TAGS: Record<string, string> = {
  ImageUUID: 'storage.attachment.medium',
  IsEjected: 'storage.attachment.medium',
  dvdpassthrough: 'storage.attachment.passthrough',
  tempeject: 'storage.attachment.liveCd',
  'hot-pluggable': 'storage.attachment.hotPluggable',
  nonrotational: 'storage.attachment.ssd',
  discard: 'storage.attachment.discard',
};

const CONTROLLER_KEYS: Record<string, string> = {
  name: 'storage.controller.name',
  type: 'storage.controller.type',
  portcount: 'storage.controller.portCount',
  maxportcount: 'storage.controller.portCount',
  bootable: 'storage.controller.bootable',
};

const USB_FILTER_FIELDS: Record<string, string> = {
  Active: 'usb.filter.active',
  Name: 'usb.filter.name',
  VendorId: 'usb.filter.vendorId',
  ProductId: 'usb.filter.productId',
  Revision: 'usb.filter.revision',
  Manufacturer: 'usb.filter.manufacturer',
  Product: 'usb.filter.product',
  SerialNumber: 'usb.filter.serialNumber',
  Remote: 'usb.filter.remote',
};

/** `vrdeproperty[<name>]` with its own control; every other property → `display.cli.vrdeProperties`. */
const VRDE_PROPERTIES: Record<string, string> = {
  'TCP/Ports': 'display.remote.port',
  'TCP/Address': 'display.cli.vrdeAddress',
  'Security/Method': 'display.remote.securityMethod',
  'VideoChannel/Enabled': 'display.cli.vrdeVideoChannel',
  'VideoChannel/Quality': 'display.cli.vrdeVideoChannel',
  'VideoChannel/DownscaleProtection': 'display.cli.vrdeVideoChannel',
};

const TAG_ALTERNATION = Object.keys(ATTACHMENT_TAGS)
  .map((t) => t.replace(/-/g, '\\-'))
  .join('|');
const ATTACHMENT_FLAG = new RegExp(`^(.+)-(${TAG_ALTERNATION})-(\\d+)-(\\d+)$`);
const ATTACHMENT_FLAG_61 = new RegExp(`^(.+)-(${TAG_ALTERNATION})$`);
const ATTACHMENT_SLOT = /^(.+)-(\d+)-(\d+)$/;

/** Snapshot keys (`SnapshotName-1-2`) look like storage slots; they are never storage keys. */
const SNAPSHOT_KEY = /^(Snapshot(Name|UUID|Description)|CurrentSnapshot)/;

/** Strips white space and the double quotes VBoxManage puts around storage keys. */
function cleanKey(key: string): string {
  const k = key.trim();
  return k.length >= 2 && k.startsWith('"') && k.endsWith('"') ? k.slice(1, -1) : k;
}

/**
 * Maps a raw key to the catalog entry that explains it.
 *
 * Covers every key of reference §2 and of the real dumps of VirtualBox 3.1–7.1: indexed keys
 * (`nic3`, `uartmode2`, `boot1`, `USBFilterVendorId2`, `SharedFolderPathTransientMapping1`,
 * `storagecontrollertype0`, `BandwidthGroup0`, `Forwarding(2)`), storage attachment keys with or
 * without quotes (`SATA-0-0`, `"IDE Controller-ImageUUID-0-0"`, 6.1's `IDE-tempeject`), VRDE
 * properties (`vrdeproperty[TCP/Ports]`), recording keys (`rec_screen_*`, the ` rec_screen0` marker,
 * the older `videocap*` / `vcp*` / `capture*` spellings) and GUI extra-data keys (`GUI/Fullscreen`).
 *
 * @param key the key as printed or as the parser returns it.
 * @param context optional VM knowledge, see {@link KeyContext}.
 * @returns the target, or `null` when no catalog entry explains the key (see {@link classifyKey}
 *   for the deliberate exclusions). Never throws.
 */
export function keyToSettingId(key: string, context?: KeyContext): KeyTarget | null {
  const k = cleanKey(key);
  if (!k) return null;
  const exact = EXACT[k];
  if (exact) return { id: exact };

  let m = /^boot(\d+)$/.exec(k);
  if (m) return { id: 'system.motherboard.bootOrder', instance: m[1] };

  m =
    /^(nic|nictype|macaddress|cableconnected|nicspeed|natnet|bridgeadapter|intnet|hostonlyadapter|hostonly-network|nat-network|generic|cloud-network)(\d+)$/.exec(
      k,
    );
  if (m) return { id: NIC_KEYS[m[1]], instance: m[2] };
  if (/^Forwarding\(\d+\)$/.test(k)) return { id: 'network.adapter.portForwarding' };

  m = /^uart(mode|type)?(\d+)$/.exec(k);
  if (m)
    return {
      id:
        m[1] === 'mode'
          ? 'serial.port.mode'
          : m[1] === 'type'
            ? 'serial.cli.uartType'
            : 'serial.port.enabled',
      instance: m[2],
    };
  m = /^lpt(mode)?(\d+)$/.exec(k);
  if (m) return { id: 'serial.cli.parallelPort', instance: m[2] };

  m =
    /^USBFilter(Active|Name|VendorId|ProductId|Revision|Manufacturer|Product|SerialNumber|Remote)(\d+)$/.exec(
      k,
    );
  if (m) return { id: USB_FILTER_FIELDS[m[1]], instance: m[2] };

  m = /^SharedFolder(Name|Path)(Machine|Transient)Mapping(\d+)$/.exec(k);
  if (m)
    return {
      id: m[1] === 'Name' ? 'sharedFolders.main.name' : 'sharedFolders.main.path',
      instance: m[2] === 'Machine' ? m[3] : `transient-${m[3]}`,
    };

  m = /^vrdeproperty\[(.+)\]$/.exec(k);
  if (m) return { id: VRDE_PROPERTIES[m[1]] ?? 'display.cli.vrdeProperties' };

  m = /^rec_screen(\d+)$/.exec(k);
  if (m) return { id: 'display.recording.screens', instance: m[1] };

  if (/^GUI\/RestrictedRuntime[A-Za-z]+MenuActions$/.test(k))
    return { id: 'userInterface.main.menuBarContents' };

  m = /^storagecontroller(name|type|maxportcount|portcount|bootable)(\d+)$/.exec(k);
  if (m) {
    const name = context?.controllers?.[Number(m[2])];
    return { id: CONTROLLER_KEYS[m[1]], instance: name ?? m[2] };
  }
  m = /^BandwidthGroup(\d+)$/.exec(k);
  if (m) return { id: 'storage.cli.bandwidthGroup' };

  if (SNAPSHOT_KEY.test(k)) return null;
  const known = (ctl: string) => !context?.controllers || context.controllers.includes(ctl);
  m = ATTACHMENT_FLAG.exec(k);
  if (m && known(m[1])) return { id: ATTACHMENT_TAGS[m[2]], instance: `${m[1]}-${m[3]}-${m[4]}` };
  m = ATTACHMENT_FLAG_61.exec(k);
  if (m && known(m[1])) return { id: ATTACHMENT_TAGS[m[2]], instance: m[1] };
  m = ATTACHMENT_SLOT.exec(k);
  if (m && known(m[1])) return { id: 'storage.attachment.medium', instance: `${m[1]}-${m[2]}-${m[3]}` };
  return null;
}

const RUNTIME_EN = 'only printed while the VM runs';
const RUNTIME_ZH = '仅在虚拟机运行时输出';

/**
 * Keys deliberately not shown on the settings mirror, each pattern once, with the reason. Checked
 * in order after {@link keyToSettingId}; see {@link NotShown.pattern} for the glob syntax.
 */
export const NOT_SHOWN: readonly NotShown[] = [
  {
    pattern: 'UUID',
    reason: {
      en: "The machine's identity: shown in the VM header and used to address the VM, not a setting.",
      'zh-CN': '虚拟机的身份标识：显示在虚拟机标题处，并用于指定虚拟机，不是一项设置。',
    },
  },
  {
    pattern: 'CfgFile',
    reason: {
      en: 'Path of the settings file (.vbox): shown in the VM header and the source details, not a setting.',
      'zh-CN': '设置文件（.vbox）的路径：显示在虚拟机标题和来源信息中，不是一项设置。',
    },
  },
  {
    pattern: 'VMState',
    reason: {
      en: 'Machine state (powered off, saved, running…): shown in the machines list and the VM header.',
      'zh-CN': '虚拟机状态（已关闭、已保存、运行中等）：显示在虚拟机列表和虚拟机标题处。',
    },
  },
  {
    pattern: 'VMStateChangeTime',
    reason: {
      en: 'When the machine state last changed: shown next to the state.',
      'zh-CN': '虚拟机状态最近一次变化的时间：显示在状态旁边。',
    },
  },
  {
    pattern: 'VMStateFile',
    reason: {
      en: 'Saved-state file of a saved VM: run-time data, not a setting (VBoxManage discardstate removes it).',
      'zh-CN': '已保存虚拟机的状态文件：属于运行数据，不是设置（可用 VBoxManage discardstate 删除）。',
    },
  },
  {
    pattern: 'Session*',
    reason: {
      en: `Frontend that holds the VM's session (SessionName, older SessionType): ${RUNTIME_EN}.`,
      'zh-CN': `持有虚拟机会话的前端（SessionName，旧版为 SessionType）：${RUNTIME_ZH}。`,
    },
  },
  {
    pattern: 'VideoMode',
    reason: {
      en: `Current resolution and colour depth of the guest screen: ${RUNTIME_EN}.`,
      'zh-CN': `客户机屏幕当前的分辨率和色深：${RUNTIME_ZH}。`,
    },
  },
  {
    pattern: 'VRDE*',
    reason: {
      en: `Live statistics of the remote-display server (connections, bytes, client name and address): ${RUNTIME_EN}.`,
      'zh-CN': `远程显示服务器的实时统计（连接、字节数、客户端名称和地址）：${RUNTIME_ZH}。`,
    },
  },
  {
    pattern: 'GuestOSType',
    reason: {
      en: `OS type ID the Guest Additions report from inside the guest: ${RUNTIME_EN}; the configured type is ostype.`,
      'zh-CN': `增强功能从客户机内部报告的操作系统类型 ID：${RUNTIME_ZH}；配置的类型见 ostype。`,
    },
  },
  {
    pattern: 'GuestAdditions*',
    reason: {
      en: `Version, run level and facility status of the Guest Additions: ${RUNTIME_EN}.`,
      'zh-CN': `增强功能的版本、运行级别和各组件状态：${RUNTIME_ZH}。`,
    },
  },
  {
    pattern: 'USBAttach*',
    reason: {
      en: `USB devices currently attached to the VM (VirtualBox shows them in the Devices menu, not in Settings): ${RUNTIME_EN}.`,
      'zh-CN': `当前挂载到虚拟机的 USB 设备（VirtualBox 在“设备”菜单而不是设置中显示）：${RUNTIME_ZH}。`,
    },
  },
  {
    pattern: 'USBRemote*',
    reason: {
      en: `USB devices offered by a remote-display client: ${RUNTIME_EN}.`,
      'zh-CN': `远程显示客户端提供的 USB 设备：${RUNTIME_ZH}。`,
    },
  },
  {
    pattern: 'Snapshot*',
    reason: {
      en: 'Snapshot tree (names, UUIDs, descriptions): shown in the snapshot view.',
      'zh-CN': '快照树（名称、UUID、描述）：在快照视图中显示。',
    },
  },
  {
    pattern: 'CurrentSnapshot*',
    reason: {
      en: 'The current snapshot: marked in the snapshot view.',
      'zh-CN': '当前快照：在快照视图中标出。',
    },
  },
  {
    pattern: 'storagecontrollerinstance<n>',
    reason: {
      en: 'Internal instance number of a controller among controllers of the same kind: not a setting.',
      'zh-CN': '控制器在同类控制器中的内部实例编号：不是一项设置。',
    },
  },
  {
    pattern: 'recording_started',
    reason: {
      en: 'Whether recording is running right now (7.1): run-time state; the setting is Enable Recording.',
      'zh-CN': '当前是否正在录制（7.1）：属于运行状态；对应的设置是“启用录制”。',
    },
  },
  {
    pattern: 'hwvirtexexcl',
    reason: {
      en: 'Printed by old versions (seen in 3.1 output): exclusive use of the hardware virtualization extensions, later a host-wide setting (VBoxManage setproperty hwvirtexclusive).',
      'zh-CN':
        '旧版本输出的键（见于 3.1 的输出）：独占使用硬件虚拟化扩展，后来改为主机全局设置（VBoxManage setproperty hwvirtexclusive）。',
    },
  },
  {
    pattern: 'synthcpu',
    reason: {
      en: "Printed by old versions (seen in 3.1 output): the 'synthetic CPU' option that later versions dropped.",
      'zh-CN': '旧版本输出的键（见于 3.1 的输出）：后来版本已删除的“合成 CPU”选项。',
    },
  },
  {
    pattern: 'GUI/*',
    reason: {
      en: 'Other state the VirtualBox window remembers (window position, last choices…): not a setting of the VM.',
      'zh-CN': 'VirtualBox 窗口记住的其他状态（窗口位置、上次的选择等）：不是虚拟机的设置。',
    },
  },
];

/** Compiles a {@link NotShown.pattern} glob. */
function globRegExp(pattern: string): RegExp {
  const body = pattern
    .split(/(\*|<n>)/)
    .map((part) =>
      part === '*' ? '.*' : part === '<n>' ? '\\d+' : part.replace(/[.+?^${}()|[\]\\/]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${body}$`);
}
const NOT_SHOWN_RE = NOT_SHOWN.map((n) => ({ ...n, re: globRegExp(n.pattern) }));

/**
 * Classifies a raw key: explained by a catalog entry (`setting`, with {@link keyToSettingId}'s
 * target), deliberately not shown (`not-shown`, with the {@link NOT_SHOWN} pattern and reason), or
 * unknown (`unexplained`: the UI lists it under "Unexplained keys"). Never throws.
 */
export function classifyKey(key: string, context?: KeyContext): KeyClass {
  const target = keyToSettingId(key, context);
  if (target) return { kind: 'setting', ...target };
  const k = cleanKey(key);
  const hit = NOT_SHOWN_RE.find((n) => n.re.test(k));
  if (hit) return { kind: 'not-shown', pattern: hit.pattern, reason: hit.reason };
  return { kind: 'unexplained' };
}

/** Key families VBoxManage numbers from 0 (reference §3.3), written with a trailing `i` in patterns. */
const ZERO_BASED = /^(storagecontroller[a-z]+|BandwidthGroup)i$/;

/**
 * Turns a catalog `showvminfo` key pattern (`nicN`, `storagecontrollernamei`, `Forwarding(i)`,
 * `"<ctl>-ImageUUID-<port>-<device>"`, `vrdeproperty[<name>]`, `rec_screenN`) into a RegExp over raw
 * keys as the parser returns them (unquoted). A trailing `N` stands for a number, and so does a
 * trailing `i` of the 0-based families `storagecontroller…i` and `BandwidthGroupi` (other keys such as
 * `acpi` or `xhci` really end in `i`); `(i)`, `<port>` and `<device>` are numbers, any other `<…>` is
 * non-empty text.
 */
export function keyPatternRegExp(pattern: string): RegExp {
  const p = cleanKey(pattern);
  const zeroBased = ZERO_BASED.test(p);
  const body = p
    .split(zeroBased ? /(i$)/ : /(<[^>]+>|\(i\)$|N$)/)
    .map((part) => {
      if (part === '<port>' || part === '<device>') return '\\d+';
      if (/^<[^>]+>$/.test(part)) return '.+';
      if (part === '(i)') return '\\(\\d+\\)';
      if (part === 'N' || (zeroBased && part === 'i')) return '\\d+';
      return part.replace(/[.+?^${}()|[\]\\/*]/g, '\\$&');
    })
    .join('');
  return new RegExp(`^${body}$`);
}

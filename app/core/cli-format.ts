/**
 * Output of `vm-companion inspect`: the JSON document and the page-by-page text report.
 * Pure functions over the shared VM model ({@link VmConfig}); labels and one-line explanations
 * come from the settings catalog through a {@link CatalogLookup}, with built-in fallback labels
 * (en and zh-CN) for when an entry is missing.
 */

import type { AdviceSeverity, Finding } from '../shared/advice.ts';
import type { CatalogEntry, Language, Localized } from '../shared/catalog.ts';
import type { Comparison } from '../shared/contract.ts';
import type {
  HostFacts,
  Hypervisor,
  NetworkAdapter,
  Sourced,
  StorageController,
  VmConfig,
  VmSummary,
} from '../shared/model.ts';
import { neutralAttachment } from './compare.ts';
import { isTimeoutFailure } from './vbox/inventory.ts';
import type { VmxDuplicate } from './vmware/parse-vmx.ts';

/** Looks up a catalog entry by id (`getEntry` from app/shared/catalog-data.ts). */
export type CatalogLookup = (id: string) => CatalogEntry | undefined;

/** One VM to report: a readable configuration, or an inaccessible VM with its reason. */
export interface InspectItem {
  summary: VmSummary;
  /** `null` when the VM could not be read (then `summary.error` says why). */
  config: VmConfig | null;
  /** Where the data came from, for messages: the dump file given with `--file`. */
  origin?: string;
  /**
   * What `--file` held: `vbox` (a settings file, nothing to complete), `showvminfo` (a dump, completed
   * from its `.vbox`), `vmx` (VMware) or `domain` (libvirt domain XML).
   */
  kind?: 'vbox' | 'showvminfo' | 'vmx' | 'domain';
  /** Keys a `.vmx` repeats (for the VMware advice rule about them). */
  vmxDuplicates?: VmxDuplicate[];
  /** libvirt connection URI of a domain read through virsh (its fix commands name it). */
  kvmUri?: string;
  /** The machine the VM runs on when it is not this one (a remote libvirt node); advice is judged against it. */
  host?: HostFacts;
  /** Advice findings for this VM on this host (most serious first); undefined = not evaluated. */
  findings?: Finding[];
}

/** A finding in the JSON output; `title` and `reason` are in the `--lang` language. */
export interface InspectJsonFinding {
  /** Stable rule id, e.g. `vbox.processor.cpus-over-cores`. */
  id: string;
  severity: AdviceSeverity;
  /** Catalog id of the setting, with `#<instance>` for adapters, ports, controllers (`network.adapter.name#2`). */
  settingId: string;
  title: string;
  reason: string;
  /** The `VBoxManage` command that would fix it (shown, never run), or null. */
  fix: string | null;
}

/** A port-forwarding rule in the JSON output. */
export interface InspectJsonForward {
  name: string;
  protocol: string;
  hostIp: string;
  hostPort: number;
  guestIp: string;
  guestPort: number;
}

/** A network adapter in the JSON output (only adapters whose attachment is not `none`). */
export interface InspectJsonAdapter {
  /** 1-based; a VMware `ethernetN` is slot N+1, a libvirt `<interface>` its position in the XML. */
  slot: number;
  /**
   * VirtualBox's machine-readable spelling, for every hypervisor (the same normalisation as
   * `compare`, see `neutralAttachment`): `nat`, `natnetwork`, `bridged`, `hostonly`,
   * `hostonlynetwork`, `intnet`, `null` (not attached), `Generic`, `cloudnetwork`; VMware `custom`
   * for a VMnet other than VMnet0/1/8 (those are `bridged`/`hostonly`/`nat`); libvirt `user` → `nat`,
   * `bridge`/`direct` → `bridged`, `network` → `nat` on `default`, `hostonly` on a network named
   * `*isolated*`/`*host-only*`, else `natnetwork`; other libvirt types → `Generic`.
   */
  attachment: string;
  /** `82540EM`, `virtio`, `Am79C973`, … or null when not printed. */
  adapterType: string | null;
  /** 12 hex digits as printed (`080027AABB01`), or null. */
  mac: string | null;
  cableConnected: boolean | null;
  portForwards: InspectJsonForward[];
}

/** A storage controller in the JSON output; `attachments` omits free slots (medium `none`). */
export interface InspectJsonController {
  name: string;
  /** `IntelAhci`, `PIIX4`, `LsiLogic`, … or null. */
  type: string | null;
  /**
   * `medium` is the image (or host device) path as the VM's file writes it, or `emptydrive` for a
   * drive without a disc (every hypervisor). VMware: `port`/`device` are C/U of `ideC:U`, U of
   * `sataN:U`/`scsiN:U`/`nvmeN:U`, N of `floppyN`; controllers are named `ide`, `sata0`, `scsi0`,
   * `nvme0`, `floppy`. libvirt: controllers as the domain defines them (`SATA 0`, `IDE 0`, `VirtIO`
   * for virtio-blk disks), `port` from the target name (`vdb` → 1).
   */
  attachments: { port: number; device: number; medium: string }[];
}

/** One VM in the JSON output. Inaccessible VMs add `accessible: false` and `error`. */
export interface InspectJsonVm {
  /** The VM's UUID, or null when the dump has no `UUID` line (a fragment). */
  uuid: string | null;
  /** The VM's name (for a VM that failed to read, as `list vms` printed it), or null when unknown (`<inaccessible>`). */
  name: string | null;
  /** `poweroff`, `running`, `saved`, `aborted`, … */
  state: string | null;
  /** OS type description as printed (`Ubuntu (64-bit)`). */
  osType: string | null;
  memoryMB: number | null;
  cpus: number | null;
  /** `BIOS`, `EFI`, … */
  firmware: string | null;
  /** `piix3`, `ich9`, … */
  chipset: string | null;
  network: InspectJsonAdapter[];
  storage: InspectJsonController[];
  /** Advice findings, most serious first (empty for an inaccessible VM). */
  findings: InspectJsonFinding[];
  accessible?: false;
  error?: string;
}

/** The whole JSON document printed by `inspect --json`. */
export interface InspectJson {
  vms: InspectJsonVm[];
}

const val = <T>(s: Sourced<T> | undefined): T | null => (s === undefined ? null : s.value);

/** A finding in its JSON form (texts in `lang`). */
export function findingJson(f: Finding, lang: Language): InspectJsonFinding {
  return {
    id: f.id,
    severity: f.severity,
    settingId: f.settingId,
    title: f.title[lang] || f.title.en,
    reason: f.reason[lang] || f.reason.en,
    fix: f.fix?.command ?? null,
  };
}

/** Converts one VM to its JSON form (see {@link InspectJsonVm}); finding texts in `lang` (default `en`). */
export function toInspectJsonVm(item: InspectItem, lang: Language = 'en'): InspectJsonVm {
  const { summary, config } = item;
  if (!config) {
    return {
      uuid: summary.id,
      // A VM that failed to read keeps the name `list vms` printed; `<inaccessible>` is no name.
      name: summary.name && summary.name !== '<inaccessible>' ? summary.name : null,
      state: summary.state ?? null,
      osType: summary.osType ?? null,
      memoryMB: summary.memoryMB ?? null,
      cpus: summary.cpus ?? null,
      firmware: null,
      chipset: null,
      network: [],
      storage: [],
      findings: [],
      accessible: false,
      error: summary.error ?? 'The VM could not be read.',
    };
  }
  return {
    uuid: config.id || null,
    name: val(config.general.name) ?? (summary.name || null),
    state: val(config.state) ?? summary.state ?? null,
    osType: val(config.general.osType) ?? summary.osType ?? null,
    memoryMB: val(config.system.memoryMB) ?? summary.memoryMB ?? null,
    cpus: val(config.system.cpus) ?? summary.cpus ?? null,
    firmware: val(config.system.firmware),
    chipset: val(config.system.chipset),
    network: config.network
      .filter((a) => a.attachment.value !== 'none')
      .map((a) => adapterJson(a, config.hypervisor)),
    storage: config.storage.map(controllerJson),
    findings: (item.findings ?? []).map((f) => findingJson(f, lang)),
  };
}

function adapterJson(a: NetworkAdapter, hypervisor: Hypervisor): InspectJsonAdapter {
  return {
    slot: a.slot,
    attachment: neutralAttachment(a, hypervisor).value,
    adapterType: val(a.adapterType),
    mac: val(a.macAddress),
    cableConnected: val(a.cableConnected),
    portForwards: a.portForwards.map((f) => ({
      name: f.name,
      protocol: f.protocol,
      hostIp: f.hostIp,
      hostPort: f.hostPort,
      guestIp: f.guestIp,
      guestPort: f.guestPort,
    })),
  };
}

function controllerJson(c: StorageController): InspectJsonController {
  return {
    name: c.name.value,
    type: val(c.type),
    attachments: c.attachments
      .filter((at) => at.kind !== 'none')
      // A drive without a disc is `emptydrive` for every hypervisor (VirtualBox's word; VMware writes
      // `emptyBackingString` or nothing, libvirt a <disk> without <source>).
      .map((at) => ({
        port: at.port,
        device: at.device,
        medium: at.kind === 'empty' ? 'emptydrive' : at.medium.value,
      })),
  };
}

/** The JSON document for a list of VMs; finding texts in `lang` (default `en`). */
export function toInspectJson(items: InspectItem[], lang: Language = 'en'): InspectJson {
  return { vms: items.map((i) => toInspectJsonVm(i, lang)) };
}

// ---------------------------------------------------------------------------------------------
// Text report

/** Page headings, in VirtualBox's order, as VirtualBox's own UI names them. */
export const PAGE_TITLES: Readonly<Record<string, Localized>> = {
  general: { en: 'General', 'zh-CN': '常规' },
  system: { en: 'System', 'zh-CN': '系统' },
  display: { en: 'Display', 'zh-CN': '显示' },
  storage: { en: 'Storage', 'zh-CN': '存储' },
  audio: { en: 'Audio', 'zh-CN': '声音' },
  network: { en: 'Network', 'zh-CN': '网络' },
  serial: { en: 'Serial Ports', 'zh-CN': '串口' },
  usb: { en: 'USB', 'zh-CN': 'USB 设备' },
  sharedFolders: { en: 'Shared Folders', 'zh-CN': '共享文件夹' },
};

/** Labels used when the catalog has no entry for an id (our wording, both languages). */
export const FALLBACK_LABELS: Readonly<Record<string, Localized>> = {
  'general.basic.name': { en: 'Name', 'zh-CN': '名称' },
  'general.basic.version': { en: 'OS type', 'zh-CN': '操作系统类型' },
  'general.advanced.snapshotFolder': { en: 'Snapshot Folder', 'zh-CN': '快照文件夹' },
  'general.advanced.clipboard': { en: 'Shared Clipboard', 'zh-CN': '共享剪贴板' },
  'general.advanced.dragAndDrop': { en: "Drag'n'Drop", 'zh-CN': '拖放' },
  'general.description.text': { en: 'Description', 'zh-CN': '描述' },
  'system.motherboard.memory': { en: 'Base Memory', 'zh-CN': '内存大小' },
  'system.motherboard.bootOrder': { en: 'Boot Order', 'zh-CN': '启动顺序' },
  'system.motherboard.chipset': { en: 'Chipset', 'zh-CN': '芯片组' },
  'system.motherboard.pointingDevice': { en: 'Pointing Device', 'zh-CN': '指点设备' },
  'system.motherboard.ioApic': { en: 'I/O APIC', 'zh-CN': 'I/O APIC' },
  'system.motherboard.rtcUseUtc': { en: 'Hardware Clock in UTC', 'zh-CN': '硬件时钟使用 UTC' },
  'system.motherboard.efi': { en: 'Firmware', 'zh-CN': '固件' },
  'system.motherboard.secureBoot': { en: 'Secure Boot', 'zh-CN': '安全启动' },
  'system.processor.cpus': { en: 'Processors', 'zh-CN': '处理器数量' },
  'system.processor.executionCap': { en: 'Execution Cap', 'zh-CN': '运行峰值' },
  'system.processor.pae': { en: 'PAE/NX', 'zh-CN': 'PAE/NX' },
  'system.processor.nestedHwVirt': { en: 'Nested VT-x/AMD-V', 'zh-CN': '嵌套 VT-x/AMD-V' },
  'system.acceleration.paravirtProvider': { en: 'Paravirtualization Interface', 'zh-CN': '半虚拟化接口' },
  'system.acceleration.nestedPaging': { en: 'Nested Paging', 'zh-CN': '嵌套分页' },
  'system.acceleration.hwVirtEx': { en: 'VT-x/AMD-V', 'zh-CN': '硬件虚拟化' },
  'display.screen.vram': { en: 'Video Memory', 'zh-CN': '显存大小' },
  'display.screen.monitorCount': { en: 'Monitor Count', 'zh-CN': '显示器数量' },
  'display.screen.graphicsController': { en: 'Graphics Controller', 'zh-CN': '显卡控制器' },
  'display.screen.accelerate3d': { en: '3D Acceleration', 'zh-CN': '3D 加速' },
  'display.remote.enabled': { en: 'Remote Display', 'zh-CN': '远程桌面' },
  'display.recording.enabled': { en: 'Recording', 'zh-CN': '录像' },
  'storage.controller.name': { en: 'Controller', 'zh-CN': '控制器' },
  'storage.attachment.medium': { en: 'Attachment', 'zh-CN': '挂载的介质' },
  'audio.main.enabled': { en: 'Audio', 'zh-CN': '声音' },
  'audio.main.driver': { en: 'Host Audio Driver', 'zh-CN': '主机音频驱动' },
  'audio.main.output': { en: 'Audio Output', 'zh-CN': '音频输出' },
  'audio.main.input': { en: 'Audio Input', 'zh-CN': '音频输入' },
  'network.adapter.attachedTo': { en: 'Attached to', 'zh-CN': '连接方式' },
  'network.adapter.name': { en: 'Name', 'zh-CN': '界面名称' },
  'network.adapter.adapterType': { en: 'Adapter Type', 'zh-CN': '控制芯片' },
  'network.adapter.mac': { en: 'MAC Address', 'zh-CN': 'MAC 地址' },
  'network.adapter.cable': { en: 'Cable Connected', 'zh-CN': '接入网线' },
  'network.adapter.portForwarding': { en: 'Port Forwarding', 'zh-CN': '端口转发' },
  'serial.port.mode': { en: 'Port Mode', 'zh-CN': '端口模式' },
  'serial.port.number': { en: 'Port Number', 'zh-CN': '端口编号' },
  'serial.port.path': { en: 'Path/Address', 'zh-CN': '路径/地址' },
  'usb.main.enabled': { en: 'USB Controller', 'zh-CN': 'USB 控制器' },
  'usb.main.filters': { en: 'USB Device Filters', 'zh-CN': 'USB 设备筛选器' },
  'sharedFolders.main.list': { en: 'Shared Folder', 'zh-CN': '共享文件夹' },
};

/** Small fixed words of the report. */
const WORDS: Readonly<Record<string, Localized>> = {
  on: { en: 'on', 'zh-CN': '开启' },
  off: { en: 'off', 'zh-CN': '关闭' },
  notReported: { en: '(not reported)', 'zh-CN': '（未报告）' },
  none: { en: '(none)', 'zh-CN': '（无）' },
  state: { en: 'State', 'zh-CN': '状态' },
  inaccessible: { en: 'INACCESSIBLE', 'zh-CN': '无法访问' },
  reason: { en: 'Reason', 'zh-CN': '原因' },
  retryCommand: {
    en: 'Run the same command again to try once more.',
    'zh-CN': '再运行一次同一条命令即可重试。',
  },
  adapter: { en: 'Adapter', 'zh-CN': '网卡' },
  port: { en: 'Port', 'zh-CN': '串口' },
  disabled: { en: 'disabled', 'zh-CN': '已禁用' },
  filters: { en: 'filter(s)', 'zh-CN': '个筛选器' },
  issues: { en: 'Read issues', 'zh-CN': '读取问题' },
  findings: { en: 'Findings', 'zh-CN': '检查结果' },
  noFindings: { en: '(no findings)', 'zh-CN': '（未发现问题）' },
  error: { en: 'error', 'zh-CN': '错误' },
  warning: { en: 'warning', 'zh-CN': '警告' },
  info: { en: 'info', 'zh-CN': '提示' },
  fix: { en: 'Fix', 'zh-CN': '修改命令' },
  source: { en: 'Source', 'zh-CN': '来源' },
  hypervisor: { en: 'Hypervisor', 'zh-CN': '虚拟化软件' },
  differs: { en: 'differs', 'zh-CN': '不同' },
  same: { en: 'no differences', 'zh-CN': '没有差异' },
};

/** Hypervisor names for the report header. */
export const HYPERVISOR_NAMES: Readonly<Record<Hypervisor, string>> = {
  virtualbox: 'VirtualBox',
  vmware: 'VMware',
  kvm: 'KVM/libvirt',
};

const w = (key: string, lang: Language): string => WORDS[key][lang];

/**
 * Names of `VMState` values as VirtualBox's own UI shows them (the same wording as the app's
 * machines list), for the report header. Unknown states are printed raw.
 */
export const STATE_NAMES: Readonly<Record<string, Localized>> = {
  poweroff: { en: 'Powered Off', 'zh-CN': '已关闭' },
  running: { en: 'Running', 'zh-CN': '正在运行' },
  saved: { en: 'Saved', 'zh-CN': '已保存' },
  aborted: { en: 'Aborted', 'zh-CN': '已中止' },
  'aborted-saved': { en: 'Aborted (Saved)', 'zh-CN': '已中止（已保存）' },
  paused: { en: 'Paused', 'zh-CN': '已暂停' },
  gurumeditation: { en: 'Guru Meditation', 'zh-CN': '严重错误（Guru Meditation）' },
  teleported: { en: 'Teleported', 'zh-CN': '已迁移' },
  teleporting: { en: 'Teleporting', 'zh-CN': '正在迁移' },
  teleportingpausedvm: { en: 'Teleporting Paused VM', 'zh-CN': '正在迁移已暂停的虚拟机' },
  teleportingin: { en: 'Teleporting', 'zh-CN': '正在迁入' },
  livesnapshotting: { en: 'Taking Live Snapshot', 'zh-CN': '正在生成在线快照' },
  onlinesnapshotting: { en: 'Taking Online Snapshot', 'zh-CN': '正在生成在线快照' },
  snapshotting: { en: 'Taking Snapshot', 'zh-CN': '正在生成快照' },
  deletingsnapshot: { en: 'Deleting Snapshot', 'zh-CN': '正在删除快照' },
  deletingsnapshotlive: { en: 'Deleting Snapshot', 'zh-CN': '正在删除快照' },
  deletingsnapshotlivepaused: { en: 'Deleting Snapshot', 'zh-CN': '正在删除快照' },
  restoringsnapshot: { en: 'Restoring Snapshot', 'zh-CN': '正在恢复快照' },
  starting: { en: 'Starting', 'zh-CN': '正在启动' },
  stopping: { en: 'Stopping', 'zh-CN': '正在停止' },
  saving: { en: 'Saving', 'zh-CN': '正在保存' },
  restoring: { en: 'Restoring', 'zh-CN': '正在恢复' },
  settingup: { en: 'Setting Up', 'zh-CN': '正在设置' },
};

/** Where a VM's data came from, in words (`VmSource` values; unknown ones printed raw). */
export const SOURCE_NAMES: Readonly<Record<string, Localized>> = {
  vboxmanage: { en: 'vboxmanage', 'zh-CN': 'VBoxManage' },
  file: { en: 'file', 'zh-CN': '文件' },
  demo: { en: 'demo', 'zh-CN': '演示' },
  virsh: { en: 'virsh', 'zh-CN': 'virsh' },
  vmrun: { en: 'vmrun', 'zh-CN': 'vmrun' },
};

/**
 * A `VMState` value for the report header: in English the raw value as VirtualBox prints it
 * (`poweroff`); in Chinese the state's name with the raw value after it (`已关闭 (poweroff)`).
 */
export function stateText(state: string, lang: Language): string {
  const name = Object.hasOwn(STATE_NAMES, state.toLowerCase()) ? STATE_NAMES[state.toLowerCase()] : undefined;
  return lang === 'en' || !name ? state : `${name[lang]} (${state})`;
}

/** A `VmSource` value for the report header, in `lang` (raw when unknown). */
export function sourceText(source: string, lang: Language): string {
  return Object.hasOwn(SOURCE_NAMES, source) ? SOURCE_NAMES[source][lang] : source;
}

/** One line of a page: catalog id (for label and explanation), the value text, optional indent level. */
interface Row {
  id: string;
  value: string;
  /** Overrides the label (e.g. "Adapter 2"), else catalog / fallback label. */
  label?: string;
  /** Adds a catalog value label after the raw value (e.g. `nat` → `nat (NAT)`). */
  raw?: string;
  indent?: number;
}

/** Label for a catalog id in `lang`: catalog first, then {@link FALLBACK_LABELS}, then the id. */
export function labelFor(id: string, lang: Language, lookup: CatalogLookup): string {
  const entry = lookup(id);
  if (entry) return entry.label[lang] || entry.label.en;
  const fallback = FALLBACK_LABELS[id];
  return fallback ? fallback[lang] : id;
}

/**
 * First sentence of the catalog's `what` text for `id` in `lang`, on one line (whitespace
 * collapsed, at most 160 characters), or `null` when the catalog has no entry.
 */
export function explanationFor(id: string, lang: Language, lookup: CatalogLookup): string | null {
  const entry = lookup(id);
  if (!entry) return null;
  const text = (entry.what[lang] || entry.what.en).replace(/\s+/g, ' ').trim();
  const sentence = firstSentence(text);
  return sentence.length > 160 ? `${sentence.slice(0, 159)}…` : sentence;
}

/** Abbreviations whose final period does not end a sentence (compared in lower case, without that period). */
const ABBREVIATIONS = new Set(['e.g', 'i.e', 'etc', 'vs', 'cf', 'approx', 'incl']);

/**
 * The first sentence of one-line text: up to the first `.`, `!` or `?` followed by a space or the
 * end (or the first `。`, `！`, `？`). A period after an abbreviation (`e.g.`, `i.e.`, `vs.`,
 * `cf.`…) does not end it; after `etc.` it does only when a capital letter follows. Decimal
 * points (`1.5`) never end it (no space follows).
 */
export function firstSentence(text: string): string {
  const end = /[.!?](?= |$)|[。！？]/gu;
  for (let m = end.exec(text); m; m = end.exec(text)) {
    const stop = m.index + m[0].length;
    if (m[0] === '.') {
      const word = /(?:^|[\s(“"'])([A-Za-z.]+)$/.exec(text.slice(0, m.index))?.[1]?.toLowerCase();
      if (word !== undefined && ABBREVIATIONS.has(word)) {
        const next = text.slice(stop).trimStart();
        const endsHere = next === '' || (word === 'etc' && /^\p{Lu}/u.test(next));
        if (!endsHere) continue;
      }
    }
    return text.slice(0, stop);
  }
  return text;
}

function valueLabel(id: string, raw: string, lang: Language, lookup: CatalogLookup): string {
  const entry = lookup(id);
  const known = entry?.values?.find((v) => v.value.toLowerCase() === raw.toLowerCase());
  if (!known) return raw;
  const label = known.label[lang] || known.label.en;
  if (label === raw) return raw;
  return /^[(（]/.test(label) ? `${raw} ${label}` : `${raw} (${label})`;
}

/**
 * A VM name on one line of the text report: line breaks inside it (VirtualBox allows them) are
 * shown as `\n` (CR LF as `\r\n`), so a name can never look like several lines of the report.
 */
export function oneLine(name: string): string {
  return name.replace(/\r/g, '\\r').replace(/\n/g, '\\n');
}

function text<T>(s: Sourced<T> | undefined, lang: Language): string {
  if (s === undefined) return w('notReported', lang);
  if (typeof s.value === 'boolean') return s.value ? w('on', lang) : w('off', lang);
  if (Array.isArray(s.value)) return s.value.join(', ');
  return String(s.value);
}

function pageRows(config: VmConfig, lang: Language): Record<string, Row[]> {
  const g = config.general;
  const s = config.system;
  const d = config.display;
  const mb = (v: Sourced<number> | undefined) => (v === undefined ? w('notReported', lang) : `${v.value} MB`);
  const general: Row[] = [
    { id: 'general.basic.name', value: oneLine(text(g.name, lang)) },
    { id: 'general.basic.version', value: text(g.osType, lang) },
    { id: 'general.advanced.snapshotFolder', value: text(g.snapshotFolder, lang) },
    { id: 'general.advanced.clipboard', value: text(g.clipboard, lang), raw: g.clipboard?.value },
    { id: 'general.advanced.dragAndDrop', value: text(g.dragAndDrop, lang), raw: g.dragAndDrop?.value },
  ];
  if (g.description) {
    const lines = g.description.value.split(/\r?\n/);
    const first = lines[0].length > 100 ? `${lines[0].slice(0, 99)}…` : lines[0];
    general.push({ id: 'general.description.text', value: lines.length > 1 ? `${first} …` : first });
  }
  const boot = s.bootOrder.map((b) => b.value).filter((b) => b !== 'none');
  const system: Row[] = [
    { id: 'system.motherboard.memory', value: mb(s.memoryMB) },
    { id: 'system.motherboard.bootOrder', value: boot.length > 0 ? boot.join(', ') : w('none', lang) },
    { id: 'system.motherboard.chipset', value: text(s.chipset, lang), raw: s.chipset?.value },
    {
      id: 'system.motherboard.pointingDevice',
      value: text(s.pointingDevice, lang),
      raw: s.pointingDevice?.value,
    },
    { id: 'system.motherboard.ioApic', value: text(s.ioApic, lang) },
    { id: 'system.motherboard.rtcUseUtc', value: text(s.rtcUseUtc, lang) },
    { id: 'system.motherboard.efi', value: text(s.firmware, lang), raw: s.firmware?.value },
  ];
  if (s.secureBoot) system.push({ id: 'system.motherboard.secureBoot', value: text(s.secureBoot, lang) });
  system.push(
    { id: 'system.processor.cpus', value: text(s.cpus, lang) },
    {
      id: 'system.processor.executionCap',
      value: s.executionCapPercent ? `${s.executionCapPercent.value}%` : w('notReported', lang),
    },
    { id: 'system.processor.pae', value: text(s.pae, lang) },
    { id: 'system.processor.nestedHwVirt', value: text(s.nestedHwVirt, lang) },
    {
      id: 'system.acceleration.paravirtProvider',
      value: text(s.paravirtProvider, lang),
      raw: s.paravirtProvider?.value,
    },
    { id: 'system.acceleration.nestedPaging', value: text(s.nestedPaging, lang) },
    { id: 'system.acceleration.hwVirtEx', value: text(s.hwVirtEx, lang) },
  );
  const display: Row[] = [
    { id: 'display.screen.vram', value: mb(d.vramMB) },
    { id: 'display.screen.monitorCount', value: text(d.monitorCount, lang) },
    {
      id: 'display.screen.graphicsController',
      value: text(d.graphicsController, lang),
      raw: d.graphicsController?.value,
    },
    { id: 'display.screen.accelerate3d', value: text(d.accelerate3d, lang) },
    {
      id: 'display.remote.enabled',
      value:
        d.vrdeEnabled?.value && d.vrdePorts
          ? `${text(d.vrdeEnabled, lang)} (${d.vrdePorts.value})`
          : text(d.vrdeEnabled, lang),
    },
    { id: 'display.recording.enabled', value: text(d.recordingEnabled, lang) },
  ];
  const storage: Row[] = [];
  for (const c of config.storage) {
    storage.push({
      id: 'storage.controller.name',
      value: c.type ? `${c.name.value} [${c.type.value}]` : c.name.value,
    });
    const used = c.attachments.filter((a) => a.kind !== 'none');
    if (used.length === 0)
      storage.push({ id: 'storage.attachment.medium', value: w('none', lang), indent: 1 });
    for (const a of used) {
      storage.push({
        id: 'storage.attachment.medium',
        label: `${labelOrPort(lang)} ${a.port}:${a.device}`,
        value: a.medium.value,
        indent: 1,
      });
    }
  }
  const au = config.audio;
  const audio: Row[] = [
    {
      id: 'audio.main.enabled',
      value: au.enabled === undefined ? w('notReported', lang) : au.enabled ? w('on', lang) : w('off', lang),
    },
    { id: 'audio.main.driver', value: text(au.driver, lang), raw: au.driver?.value },
  ];
  if (au.output) audio.push({ id: 'audio.main.output', value: text(au.output, lang) });
  if (au.input) audio.push({ id: 'audio.main.input', value: text(au.input, lang) });
  const network: Row[] = [];
  for (const a of config.network.filter((n) => n.attachment.value !== 'none')) {
    const attachment = neutralAttachment(a, config.hypervisor).value;
    network.push({
      id: 'network.adapter.attachedTo',
      label: `${w('adapter', lang)} ${a.slot}`,
      value: attachment,
      raw: attachment,
    });
    if (a.attachmentName)
      network.push({ id: 'network.adapter.name', value: a.attachmentName.value, indent: 1 });
    network.push(
      {
        id: 'network.adapter.adapterType',
        value: text(a.adapterType, lang),
        raw: a.adapterType?.value,
        indent: 1,
      },
      { id: 'network.adapter.mac', value: text(a.macAddress, lang), indent: 1 },
      { id: 'network.adapter.cable', value: text(a.cableConnected, lang), indent: 1 },
    );
    for (const f of a.portForwards) {
      network.push({
        id: 'network.adapter.portForwarding',
        value: `${f.name}: ${f.protocol} ${f.hostIp || '*'}:${f.hostPort} → ${f.guestIp || '*'}:${f.guestPort}`,
        indent: 1,
      });
    }
  }
  if (network.length === 0) network.push({ id: 'network.adapter.attachedTo', value: w('none', lang) });
  const serial: Row[] = [];
  for (const p of config.serial.filter((sp) => sp.enabled.value)) {
    serial.push({
      id: 'serial.port.number',
      label: `${w('port', lang)} ${p.slot}`,
      value:
        [p.ioBase, p.irq === undefined ? undefined : `IRQ ${p.irq}`].filter(Boolean).join(', ') ||
        w('on', lang),
    });
    if (p.mode)
      serial.push({ id: 'serial.port.mode', value: text(p.mode, lang), raw: p.mode.value, indent: 1 });
    if (p.path) serial.push({ id: 'serial.port.path', value: p.path, indent: 1 });
  }
  if (serial.length === 0) serial.push({ id: 'serial.port.number', value: w('none', lang) });
  const u = config.usb;
  const controllers = [
    u.ohci?.value ? 'OHCI' : '',
    u.ehci?.value ? 'EHCI' : '',
    u.xhci?.value ? 'xHCI' : '',
  ].filter(Boolean);
  const usb: Row[] = [
    { id: 'usb.main.enabled', value: controllers.length > 0 ? controllers.join(' + ') : w('off', lang) },
    { id: 'usb.main.filters', value: `${u.filters.length} ${w('filters', lang)}` },
  ];
  for (const f of u.filters) {
    usb.push({
      id: 'usb.main.filters',
      label: `#${f.index}`,
      value: `${f.name} [${f.vendorId || '*'}:${f.productId || '*'}] ${f.active ? w('on', lang) : w('off', lang)}`,
      indent: 1,
    });
  }
  const sharedFolders: Row[] = config.sharedFolders.map((f) => ({
    id: 'sharedFolders.main.list',
    value: `${f.name.value} → ${f.hostPath.value}${f.transient ? ' (transient)' : ''}`,
  }));
  if (sharedFolders.length === 0)
    sharedFolders.push({ id: 'sharedFolders.main.list', value: w('none', lang) });
  return { general, system, display, storage, audio, network, serial, usb, sharedFolders };
}

function labelOrPort(lang: Language): string {
  return lang === 'zh-CN' ? '端口' : 'Port';
}

/**
 * The text report for one VM: a header (name, UUID, state), then each page (General, System,
 * Display, Storage, Audio, Network, Serial Ports, USB, Shared Folders) with `label: value` lines
 * and, under each, the catalog's one-line explanation (when the catalog has the entry, shown once
 * per setting and page; VirtualBox VMs only — VMware and KVM VMs are laid out on the same pages with
 * the same labels, and their header names the hypervisor), then the Findings (when `item.findings` is set, see {@link findingLines})
 * and the read issues. Inaccessible VMs get the header and the reason only.
 */
export function formatVmText(item: InspectItem, lang: Language, lookup: CatalogLookup): string {
  const { summary, config } = item;
  const out: string[] = [];
  const name = oneLine(
    config?.general.name?.value || summary.name || (lang === 'zh-CN' ? '（未命名的虚拟机）' : '(unnamed VM)'),
  );
  const uuid = config ? config.id : summary.id;
  out.push(uuid ? `${name} {${uuid}}` : name);
  out.push('='.repeat(Math.min(80, name.length + uuid.length + 3)));
  if (!config) {
    out.push(`${w('state', lang)}: ${w('inaccessible', lang)}`);
    out.push(`${w('reason', lang)}: ${summary.error ?? '?'}`);
    // A timed-out read may work next time; the core's text leaves what to do to the program showing it.
    if (isTimeoutFailure(summary.error)) out.push(w('retryCommand', lang));
    return out.join('\n');
  }
  const hv =
    config.hypervisor === 'virtualbox'
      ? ''
      : `   ${w('hypervisor', lang)}: ${HYPERVISOR_NAMES[config.hypervisor]}`;
  out.push(
    `${w('state', lang)}: ${config.state ? stateText(config.state.value, lang) : w('notReported', lang)}   ${w('source', lang)}: ${sourceText(config.source, lang)}${hv}`,
  );
  const pages = pageRows(config, lang);
  for (const page of Object.keys(PAGE_TITLES)) {
    out.push('');
    out.push(`[${PAGE_TITLES[page][lang]}]`);
    const explained = new Set<string>();
    for (const row of pages[page]) {
      const pad = '  '.repeat((row.indent ?? 0) + 1);
      const label = row.label ?? labelFor(row.id, lang, lookup);
      const value = row.raw !== undefined ? valueLabel(row.id, row.raw, lang, lookup) : row.value;
      out.push(`${pad}${label}: ${value}`);
      // The explanations are VirtualBox's; VMware and KVM VMs only borrow its page layout and labels.
      if (!explained.has(row.id) && config.hypervisor === 'virtualbox') {
        explained.add(row.id);
        const why = explanationFor(row.id, lang, lookup);
        if (why) out.push(`${pad}  — ${why}`);
      }
    }
  }
  if (item.findings) out.push('', ...findingLines(item.findings, lang));
  if (config.issues.length > 0) {
    out.push('');
    out.push(`[${w('issues', lang)}]`);
    for (const issue of config.issues) {
      const prefixed = issue.line === undefined || /^line \d+/.test(issue.message);
      out.push(`  ${prefixed ? '' : `line ${issue.line}: `}${issue.message}`);
    }
  }
  return out.join('\n');
}

/**
 * The "Findings" section of the text report: per finding, a line with the severity, title and
 * setting id, the reason (with its numbers), and the fix command with its note, in `lang`.
 */
export function findingLines(findings: readonly Finding[], lang: Language): string[] {
  const out = [`[${w('findings', lang)}]`];
  if (findings.length === 0) out.push(`  ${w('noFindings', lang)}`);
  for (const f of findings) {
    const mark = f.severity === 'error' ? '!!' : f.severity === 'warning' ? '!' : '-';
    out.push(`  ${mark} ${w(f.severity, lang)}: ${f.title[lang] || f.title.en} [${f.settingId}]`);
    out.push(`      ${(f.reason[lang] || f.reason.en).replace(/\s*\n\s*/g, ' ')}`);
    if (f.fix) {
      out.push(`      ${w('fix', lang)}: ${f.fix.command}`);
      if (f.fix.note) out.push(`      (${f.fix.note[lang] || f.fix.note.en})`);
    }
  }
  return out;
}

/** The whole text report: every VM, separated by a blank line; control characters made visible ({@link visibleControls}). */
export function formatInspectText(items: InspectItem[], lang: Language, lookup: CatalogLookup): string {
  return visibleControls(items.map((i) => formatVmText(i, lang, lookup)).join('\n\n') + '\n');
}

/**
 * The text of `vm-companion compare`: a header naming both VMs (name, hypervisor, id), then each page
 * with one line per row — `* label: a | b` where `*` marks a row whose normalised values differ and
 * `—` stands for "not set / not reported". With `onlyDifferences`, rows that do not differ (and pages
 * left empty) are omitted. Control characters made visible ({@link visibleControls}).
 */
export function formatComparisonText(c: Comparison, lang: Language, onlyDifferences = false): string {
  const out: string[] = [];
  const head = (tag: string, s: VmSummary) =>
    `${tag}: ${oneLine(s.name)} (${HYPERVISOR_NAMES[s.hypervisor]}, ${s.id})`;
  out.push(head('A', c.a), head('B', c.b));
  let shown = 0;
  for (const page of c.pages) {
    const rows = onlyDifferences ? page.rows.filter((r) => r.differs) : page.rows;
    if (rows.length === 0) continue;
    out.push('', `[${page.label[lang]}]`);
    for (const r of rows) {
      shown++;
      out.push(`${r.differs ? '*' : ' '} ${r.label[lang]}: ${r.a ?? '—'} | ${r.b ?? '—'}`);
    }
  }
  if (shown === 0) out.push('', `  (${w('same', lang)})`);
  out.push('', `* = ${w('differs', lang)}`);
  return visibleControls(`${out.join('\n')}\n`);
}

const charRange = (from: number, to: number): string =>
  `${String.fromCharCode(from)}-${String.fromCharCode(to)}`;
/** C0 controls except LF and TAB, then DEL and the C1 controls (built from code points: the rule against raw controls in regex literals stays on). */
const CONTROLS = new RegExp(
  `[${charRange(0x00, 0x08)}${charRange(0x0b, 0x1f)}${charRange(0x7f, 0x9f)}]`,
  'g',
);

/**
 * Text for a terminal: every C0 control character except line feed and tab, DEL and every C1
 * control character (U+0080–U+009F) becomes a visible `\xNN` escape (ESC → `\x1b`, BEL → `\x07`,
 * CR → `\x0d`), so a VM name, path or description cannot move the cursor, clear the screen or
 * change the window title (`\x1b]0;…\x07`, `\x1b[2J`). Other text is unchanged.
 */
export function visibleControls(text: string): string {
  return text.replace(CONTROLS, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/**
 * `JSON.stringify` output made safe for a terminal: it already escapes C0 controls inside
 * strings, but not DEL, C1 controls (U+0080–U+009F; U+009B is CSI) nor U+2028/U+2029; these
 * become `\uXXXX` escapes, which parse back to the same value.
 */
export function terminalSafeJson(json: string): string {
  return json.replace(
    /[\u007f-\u009f\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

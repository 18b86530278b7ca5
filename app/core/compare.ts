/**
 * Side-by-side comparison of two VMs of any hypervisors (VirtualBox, VMware, KVM/libvirt) — the
 * `vms:compare` channel and `vm-companion compare`. Pure functions over the hypervisor-neutral
 * {@link VmConfig}: no I/O.
 *
 * Rows are grouped by VirtualBox's Settings pages (General, System, Display, Storage, Network, USB,
 * Audio, Shared Folders); labels come from the VirtualBox catalog (`getEntry`), with our own wording
 * where the catalog's label names a checkbox rather than the value. Values are shown in a neutral
 * form with units (`2048 MB`, `NAT · default`, `SATA 0:0 · hard disk`); `differs` compares
 * normalised values, so the same setting spelled by different hypervisors compares equal:
 *
 * - network attachment ({@link neutralAttachment}): VirtualBox `nat` = VMware `nat` (or `custom` on
 *   VMnet8) = libvirt `user` or `<interface type='network'>` on the network named `default`;
 *   `bridged` = VMware `bridged` (or VMnet0) = libvirt `bridge`/`direct`; `hostonly` (and
 *   `hostonlynetwork`) = VMware `hostonly` (or VMnet1) = a libvirt network whose name says
 *   `isolated` or `host-only`/`hostonly`; `intnet` = VMware LAN segment. Other libvirt networks are
 *   `natnetwork` (a shared virtual network; its forward mode is not in the domain XML);
 * - adapter chips by family ({@link nicFamily}): VirtualBox `82540EM`/`82543GC`/`82545EM` = `e1000`,
 *   `Am79C970A`/`Am79C973` = VMware `vlance` = libvirt `pcnet`, `virtio` = `virtio-net`;
 * - storage controllers by type with the IDE chips (PIIX3/PIIX4/ICH6) folded together, devices by
 *   bus and kind, media by file name (case-insensitive);
 * - firmware `EFI`/`EFI32`/`EFI64`/`EFIDUAL` all as EFI; OS types by family (and Windows version).
 *
 * A value one hypervisor does not have (VMware has no chipset setting) is `null` and does not count
 * as a difference; a device present on one side only (an adapter slot, a disk) does.
 */

import { getEntry } from '../shared/catalog-data.ts';
import type { Language, Localized } from '../shared/catalog.ts';
import type { Comparison, ComparisonRow, VmDetail } from '../shared/contract.ts';
import type {
  Hypervisor,
  NetworkAdapter,
  Sourced,
  StorageAttachment,
  StorageController,
  VmConfig,
  VmSummary,
} from '../shared/model.ts';

/** An attachment in VirtualBox's spelling plus the family compared across hypervisors. */
export interface NeutralAttachment {
  /**
   * VirtualBox's machine-readable spelling: `none` (adapter disabled), `null` (not attached), `nat`,
   * `natnetwork`, `bridged`, `hostonly`, `hostonlynetwork`, `intnet`, `Generic`, `cloudnetwork`, or
   * `custom` (a VMware VMnet other than 0, 1 and 8).
   */
  value: string;
  /**
   * What is compared: `none`, `notattached`, `nat`, `natnetwork`, `bridged`, `hostonly`, `internal`,
   * `generic`, or `custom:<vmnet>` for a VMware custom network.
   */
  family: string;
  /** Network, bridge or interface name, when the VM names one (`default`, `br0`, `VMnet2`). */
  name?: string;
}

const VBOX_FAMILY: Record<string, string> = {
  none: 'none',
  null: 'notattached',
  nat: 'nat',
  natnetwork: 'natnetwork',
  bridged: 'bridged',
  hostonly: 'hostonly',
  hostonlynetwork: 'hostonly',
  intnet: 'internal',
  generic: 'generic',
  cloudnetwork: 'generic',
};

/**
 * Normalises a network adapter's attachment across hypervisors (see the module comment).
 * VirtualBox values are kept; VMware `custom` on `VMnet0`/`VMnet1`/`VMnet8` (VMware's default
 * bridged, host-only and NAT networks) becomes `bridged`/`hostonly`/`nat`; a libvirt interface
 * is read from its raw `type` (`adapter.attachment.raw`): `user` → `nat`, `bridge`/`direct` →
 * `bridged`, `network` → `nat` on `default`, `hostonly` on a network named `*isolated*` or
 * `*host-only*`/`*hostonly*`, else `natnetwork`; other types → `Generic`.
 */
export function neutralAttachment(adapter: NetworkAdapter, hypervisor: Hypervisor): NeutralAttachment {
  const given = adapter.attachmentName?.value || undefined;
  // VirtualBox's NAT adapter prints its NAT engine's name, `nat`: no name worth showing.
  const name =
    given !== undefined && given.toLowerCase() === adapter.attachment.value.toLowerCase() ? undefined : given;
  const withName = (value: string, family: string): NeutralAttachment =>
    name === undefined ? { value, family } : { value, family, name };
  const raw = adapter.attachment.value;
  if (hypervisor === 'kvm') {
    if (raw === 'none') return withName('none', 'none');
    const type = (adapter.attachment.raw || '').trim().toLowerCase();
    if (type === 'user') return withName('nat', 'nat');
    if (type === 'bridge' || type === 'direct') return withName('bridged', 'bridged');
    if (type === 'network') {
      if (name === 'default') return withName('nat', 'nat');
      if (name && /isolated|host-?only/i.test(name)) return withName('hostonly', 'hostonly');
      return withName('natnetwork', 'natnetwork');
    }
    // Without the raw type (a hand-built config), trust the reader's neutral word.
    if (type === '' && Object.hasOwn(VBOX_FAMILY, raw.toLowerCase()))
      return withName(raw, VBOX_FAMILY[raw.toLowerCase()]);
    return withName('Generic', 'generic');
  }
  if (hypervisor === 'vmware') {
    const word = raw.toLowerCase();
    if (word === 'custom') {
      const vmnet = /vmnet(\d+)$/i.exec(name ?? '')?.[1];
      if (vmnet === '0') return withName('bridged', 'bridged');
      if (vmnet === '1') return withName('hostonly', 'hostonly');
      if (vmnet === '8') return withName('nat', 'nat');
      return withName(
        'custom',
        `custom:${vmnet !== undefined ? `vmnet${vmnet}` : (name ?? '').toLowerCase()}`,
      );
    }
    if (Object.hasOwn(VBOX_FAMILY, word)) return withName(word, VBOX_FAMILY[word]);
    return withName(raw, `other:${word}`);
  }
  const lower = raw.toLowerCase();
  return withName(raw, Object.hasOwn(VBOX_FAMILY, lower) ? VBOX_FAMILY[lower] : `other:${lower}`);
}

/** Network chip families: pattern over the chip as each hypervisor spells it, family, shown name. */
const NIC_FAMILIES: [RegExp, string, string][] = [
  [/^(82540em|82543gc|82545em|e1000|e1000-82540em|e1000-82544gc|e1000-82545em)$/i, 'e1000', 'Intel PRO/1000'],
  [/^(e1000e|82574l)$/i, 'e1000e', 'Intel 82574L'],
  [/^(am79c970a|am79c973|am79c960|vlance|pcnet)$/i, 'pcnet', 'AMD PCnet'],
  [
    /^(virtio|virtio-net|virtio-net-pci|virtio-transitional|virtio-non-transitional)$/i,
    'virtio',
    'virtio-net',
  ],
  [/^vmxnet3$/i, 'vmxnet3', 'VMXNET 3'],
  [/^vmxnet2?$/i, 'vmxnet', 'VMXNET'],
  [/^rtl8139$/i, 'rtl8139', 'Realtek RTL8139'],
  [/^(ne2k_pci|ne2000|ne1000)$/i, 'ne2k', 'Novell NE2000'],
];

/** The family of a network chip (`82540EM` and `e1000` → `e1000`, `vlance` and `Am79C973` → `pcnet`); unknown chips in lower case. */
export function nicFamily(chip: string): { family: string; name: string } {
  for (const [re, family, name] of NIC_FAMILIES) if (re.test(chip.trim())) return { family, name };
  return { family: chip.trim().toLowerCase(), name: chip.trim() };
}

/** A MAC address of 12 hex digits as `08:00:27:A1:B2:C3`; other text unchanged. */
export function formatMac(mac: string): string {
  return /^[0-9A-Fa-f]{12}$/.test(mac) ? mac.toUpperCase().replace(/(..)(?!$)/g, '$1:') : mac;
}

/** The bus a storage controller type belongs to (`IntelAhci` → `SATA`, `PIIX4` → `IDE`, `pvscsi` → `SCSI`). */
export function controllerBus(type: string | undefined, fallback = ''): string {
  switch ((type ?? '').toLowerCase()) {
    case 'intelahci':
      return 'SATA';
    case 'piix3':
    case 'piix4':
    case 'ich6':
      return 'IDE';
    case 'lsilogic':
    case 'buslogic':
    case 'pvscsi':
    case 'virtioscsi':
      return 'SCSI';
    case 'lsilogicsas':
      return 'SAS';
    case 'nvme':
      return 'NVMe';
    case 'i82078':
      return 'Floppy';
    case 'usb':
      return 'USB';
    case 'virtio':
      return 'VirtIO';
    default:
      return fallback;
  }
}

const IDE_CHIPS = new Set(['piix3', 'piix4', 'ich6']);

/** Small words of the values, in both languages. */
const WORDS = {
  on: { en: 'on', 'zh-CN': '开启' },
  off: { en: 'off', 'zh-CN': '关闭' },
  hdd: { en: 'hard disk', 'zh-CN': '硬盘' },
  dvd: { en: 'optical drive', 'zh-CN': '光驱' },
  floppy: { en: 'floppy drive', 'zh-CN': '软驱' },
  empty: { en: 'optical drive, empty', 'zh-CN': '光驱（无盘片）' },
  emptyFloppy: { en: 'floppy drive, empty', 'zh-CN': '软驱（无软盘）' },
  emptyMedium: { en: '(empty)', 'zh-CN': '（空）' },
  custom: { en: 'Custom', 'zh-CN': '自定义' },
  vmwareDefault: { en: 'default', 'zh-CN': '默认' },
} as const satisfies Record<string, Localized>;

/** Page titles, as VirtualBox names its Settings pages. */
export const COMPARE_PAGES: readonly { page: string; label: Localized }[] = [
  { page: 'general', label: { en: 'General', 'zh-CN': '常规' } },
  { page: 'system', label: { en: 'System', 'zh-CN': '系统' } },
  { page: 'display', label: { en: 'Display', 'zh-CN': '显示' } },
  { page: 'storage', label: { en: 'Storage', 'zh-CN': '存储' } },
  { page: 'network', label: { en: 'Network', 'zh-CN': '网络' } },
  { page: 'usb', label: { en: 'USB', 'zh-CN': 'USB 设备' } },
  { page: 'audio', label: { en: 'Audio', 'zh-CN': '声音' } },
  { page: 'sharedFolders', label: { en: 'Shared Folders', 'zh-CN': '共享文件夹' } },
];

/** Labels our own where the catalog's names a checkbox or a list rather than the value. */
const OWN_LABELS = {
  os: { en: 'Operating system', 'zh-CN': '操作系统' },
  firmware: { en: 'Firmware', 'zh-CN': '固件' },
  nested: { en: 'Nested VT-x/AMD-V', 'zh-CN': '嵌套 VT-x/AMD-V' },
  secureBoot: { en: 'Secure Boot', 'zh-CN': '安全启动' },
  accelerate3d: { en: '3D Acceleration', 'zh-CN': '3D 加速' },
  usb: { en: 'USB controller', 'zh-CN': 'USB 控制器' },
  usbFilters: { en: 'USB device filters', 'zh-CN': 'USB 设备筛选器' },
  audio: { en: 'Audio', 'zh-CN': '声音' },
  controller: { en: 'Controller', 'zh-CN': '控制器' },
  device: { en: 'Device', 'zh-CN': '设备' },
  medium: { en: 'medium', 'zh-CN': '介质' },
  adapter: { en: 'Adapter', 'zh-CN': '网卡' },
  folder: { en: 'Shared folder', 'zh-CN': '共享文件夹' },
} as const satisfies Record<string, Localized>;

/** The catalog label of a VirtualBox setting id in both languages, or `fallback`. */
function catalogLabel(id: string, fallback?: Localized): Localized {
  const e = getEntry(id);
  return e
    ? { en: e.label.en, 'zh-CN': e.label['zh-CN'] || e.label.en }
    : (fallback ?? { en: id, 'zh-CN': id });
}

/** `prefix n · label` in both languages. */
function numbered(prefix: Localized, n: number, label?: Localized): Localized {
  return {
    en: `${prefix.en} ${n}${label ? ` · ${label.en}` : ''}`,
    'zh-CN': `${prefix['zh-CN']} ${n}${label ? ` · ${label['zh-CN']}` : ''}`,
  };
}

/** The VirtualBox catalog's label for one of a setting's values (`nat` → `NAT`), else undefined. */
function valueLabel(id: string, value: string, lang: Language): string | undefined {
  const v = getEntry(id)?.values?.find((x) => x.value.toLowerCase() === value.toLowerCase());
  return v ? v.label[lang] || v.label.en : undefined;
}

/** One side's value: the shown text, the normalised key compared, and its setting id. */
interface Side {
  text: string | null;
  norm?: string | null;
  settingId?: string;
}

/** Row specification: each side's value, and whether a missing value counts as a difference. */
interface RowSpec {
  key: string;
  label: Localized;
  a: Side;
  b: Side;
  /** True for rows about a device's presence (adapter slot, disk, folder): null vs a value differs. */
  presence?: boolean;
}

function row(spec: RowSpec): ComparisonRow {
  const na = spec.a.text === null ? null : (spec.a.norm ?? spec.a.text);
  const nb = spec.b.text === null ? null : (spec.b.norm ?? spec.b.text);
  const differs = na === null || nb === null ? spec.presence === true && na !== nb : na !== nb;
  const settingIds: { a?: string; b?: string } = {};
  if (spec.a.settingId) settingIds.a = spec.a.settingId;
  if (spec.b.settingId) settingIds.b = spec.b.settingId;
  return { key: spec.key, label: spec.label, a: spec.a.text, b: spec.b.text, differs, settingIds };
}

/** What one VM brings to the comparison. */
interface Vm {
  summary: VmSummary;
  config: VmConfig | null;
  hv: Hypervisor;
  lang: Language;
}

/** A setting id per hypervisor; `instance` is appended as `#instance` when given. */
function sid(vm: Vm, ids: Partial<Record<Hypervisor, string>>, instance?: string): string | undefined {
  const id = ids[vm.hv];
  if (!id) return undefined;
  return instance === undefined ? id : `${id}#${instance}`;
}

const onOff = (v: boolean | undefined, lang: Language): string | null =>
  v === undefined ? null : v ? WORDS.on[lang] : WORDS.off[lang];

/** Instance suffix VirtualBox setting ids allow (see `FindingSettingId`). */
const SAFE_INSTANCE = /^[A-Za-z0-9 _.:-]{1,80}$/;

/** Loose key of an OS type across hypervisors: family (and Windows version), or the lower-case text. */
export function osKey(os: string): string {
  const t = os.toLowerCase();
  const families: [RegExp, string][] = [
    [/win|microsoft/, 'windows'],
    [/ubuntu/, 'ubuntu'],
    [/debian/, 'debian'],
    [/fedora/, 'fedora'],
    [/centos/, 'centos'],
    [/rhel|red ?hat/, 'rhel'],
    [/suse/, 'suse'],
    [/alma/, 'almalinux'],
    [/rocky/, 'rocky'],
    [/arch/, 'arch'],
    [/alpine/, 'alpine'],
    [/gentoo/, 'gentoo'],
    [/mint/, 'mint'],
    [/oracle|ol\d/, 'oracle'],
    [/freebsd/, 'freebsd'],
    [/openbsd/, 'openbsd'],
    [/netbsd/, 'netbsd'],
    [/solaris/, 'solaris'],
    [/darwin|mac ?os|osx/, 'macos'],
    [/linux|other2\dx?linux/, 'linux'],
    [/dos/, 'dos'],
  ];
  const family = families.find(([re]) => re.test(t))?.[1];
  if (!family) return t.trim();
  if (family !== 'windows') return family;
  // VMware's guestOS `windows9` is Windows 10 (vmware-vmx.md, General: Guest operating system).
  const known = /^windows9(-64)?$/.test(t.trim()) ? '10' : undefined;
  const version = known ?? /(11|10|8\.1|2025|2022|2019|2016|2012|2008|2003|vista|xp|7|8)/.exec(t)?.[1] ?? '';
  return `windows:${version}`;
}

function general(a: Vm, b: Vm): ComparisonRow[] {
  const name = (vm: Vm): Side => ({
    text: vm.config?.general.name?.value || vm.summary.name || null,
    settingId: sid(vm, {
      virtualbox: 'general.basic.name',
      vmware: 'vmware.options.name',
      kvm: 'kvm.overview.name',
    }),
  });
  const os = (vm: Vm): Side => {
    const text = vm.config?.general.osType?.value || vm.summary.osType || null;
    return {
      text,
      norm: text === null ? null : osKey(text),
      settingId: sid(vm, {
        virtualbox: 'general.basic.version',
        vmware: 'vmware.options.guestOs',
        kvm: 'kvm.overview.osInfo',
      }),
    };
  };
  return [
    row({ key: 'general.name', label: catalogLabel('general.basic.name'), a: name(a), b: name(b) }),
    row({ key: 'general.os', label: OWN_LABELS.os, a: os(a), b: os(b) }),
  ];
}

function system(a: Vm, b: Vm): ComparisonRow[] {
  const memory = (vm: Vm): Side => {
    const mb = vm.config?.system.memoryMB?.value ?? vm.summary.memoryMB;
    return {
      text: mb === undefined ? null : `${mb} MB`,
      settingId: sid(vm, {
        virtualbox: 'system.motherboard.memory',
        vmware: 'vmware.memory.size',
        kvm: 'kvm.memory.current',
      }),
    };
  };
  const cpus = (vm: Vm): Side => {
    const n = vm.config?.system.cpus?.value ?? vm.summary.cpus;
    return {
      text: n === undefined ? null : String(n),
      settingId: sid(vm, {
        virtualbox: 'system.processor.cpus',
        vmware: 'vmware.processors.processors',
        kvm: 'kvm.cpus.vcpus',
      }),
    };
  };
  const firmware = (vm: Vm): Side => {
    const fw = vm.config?.system.firmware?.value;
    return {
      text:
        fw === undefined
          ? null
          : // The catalog's BIOS label describes the unticked EFI box; BIOS and EFI are neutral words.
            fw === 'BIOS' || fw === 'EFI'
            ? fw
            : (valueLabel('system.motherboard.efi', fw, vm.lang) ?? fw),
      norm: fw === undefined ? null : /^efi/i.test(fw) ? 'efi' : fw.toLowerCase(),
      settingId: sid(vm, {
        virtualbox: 'system.motherboard.efi',
        vmware: 'vmware.options.firmware',
        kvm: 'kvm.overview.firmware',
      }),
    };
  };
  const chipset = (vm: Vm): Side => {
    const c = vm.config?.system.chipset;
    if (!c) return { text: null, settingId: sid(vm, { virtualbox: 'system.motherboard.chipset' }) };
    const label = valueLabel('system.motherboard.chipset', c.value, vm.lang) ?? c.value;
    const machine = vm.hv === 'kvm' && c.raw && c.raw !== c.value ? ` (${c.raw})` : '';
    return {
      text: `${label}${machine}`,
      norm: c.value.toLowerCase(),
      settingId: sid(vm, { virtualbox: 'system.motherboard.chipset', kvm: 'kvm.overview.chipset' }),
    };
  };
  const nested = (vm: Vm): Side => {
    let v = vm.config?.system.nestedHwVirt?.value;
    // vmware-vmx.md §3: vhv.enable absent = FALSE.
    if (v === undefined && vm.hv === 'vmware' && vm.config) v = false;
    return {
      text: onOff(v, vm.lang),
      settingId: sid(vm, {
        virtualbox: 'system.processor.nestedHwVirt',
        vmware: 'vmware.processors.vtx',
        kvm: 'kvm.cpus.features',
      }),
    };
  };
  const paravirt = (vm: Vm): Side => {
    const p = vm.config?.system.paravirtProvider?.value;
    return {
      text: p === undefined ? null : (valueLabel('system.acceleration.paravirtProvider', p, vm.lang) ?? p),
      norm: p?.toLowerCase() ?? null,
      settingId: sid(vm, { virtualbox: 'system.acceleration.paravirtProvider', kvm: 'kvm.overview.hyperv' }),
    };
  };
  const boot = (vm: Vm): Side => {
    const order = (vm.config?.system.bootOrder ?? []).map((s) => s.value).filter((v) => v !== 'none');
    return {
      text:
        order.length === 0
          ? null
          : order.map((o) => valueLabel('system.motherboard.bootOrder', o, vm.lang) ?? o).join(', '),
      norm: order.join(','),
      settingId: sid(vm, {
        virtualbox: 'system.motherboard.bootOrder',
        vmware: 'vmware.options.bootOrder',
        kvm: 'kvm.boot.order',
      }),
    };
  };
  const secure = (vm: Vm): Side => ({
    text: onOff(vm.config?.system.secureBoot?.value, vm.lang),
    settingId: sid(vm, {
      virtualbox: 'system.motherboard.secureBoot',
      vmware: 'vmware.options.secureBoot',
      kvm: 'kvm.overview.secureBoot',
    }),
  });
  return [
    row({
      key: 'system.memory',
      label: catalogLabel('system.motherboard.memory'),
      a: memory(a),
      b: memory(b),
    }),
    row({ key: 'system.cpus', label: catalogLabel('system.processor.cpus'), a: cpus(a), b: cpus(b) }),
    row({ key: 'system.firmware', label: OWN_LABELS.firmware, a: firmware(a), b: firmware(b) }),
    row({ key: 'system.secureBoot', label: OWN_LABELS.secureBoot, a: secure(a), b: secure(b) }),
    row({
      key: 'system.chipset',
      label: catalogLabel('system.motherboard.chipset'),
      a: chipset(a),
      b: chipset(b),
    }),
    row({
      key: 'system.bootOrder',
      label: catalogLabel('system.motherboard.bootOrder'),
      a: boot(a),
      b: boot(b),
    }),
    row({ key: 'system.nestedHwVirt', label: OWN_LABELS.nested, a: nested(a), b: nested(b) }),
    row({
      key: 'system.paravirt',
      label: catalogLabel('system.acceleration.paravirtProvider'),
      a: paravirt(a),
      b: paravirt(b),
    }),
  ];
}

function display(a: Vm, b: Vm): ComparisonRow[] {
  const vram = (vm: Vm): Side => {
    const mb = vm.config?.display.vramMB?.value;
    return {
      text: mb === undefined ? null : `${mb} MB`,
      settingId: sid(vm, {
        virtualbox: 'display.screen.vram',
        vmware: 'vmware.display.vram',
        kvm: 'kvm.display.vram',
      }),
    };
  };
  const accel = (vm: Vm): Side => ({
    text: onOff(vm.config?.display.accelerate3d?.value, vm.lang),
    settingId: sid(vm, {
      virtualbox: 'display.screen.accelerate3d',
      vmware: 'vmware.display.accelerate3d',
      kvm: 'kvm.display.accel3d',
    }),
  });
  const monitors = (vm: Vm): Side => {
    const n = vm.config?.display.monitorCount?.value;
    return {
      text: n === undefined ? null : String(n),
      settingId: sid(vm, {
        virtualbox: 'display.screen.monitorCount',
        vmware: 'vmware.display.monitorCount',
        kvm: 'kvm.display.heads',
      }),
    };
  };
  const controller = (vm: Vm): Side => {
    const g = vm.config?.display.graphicsController?.value;
    return {
      text: g === undefined ? null : (valueLabel('display.screen.graphicsController', g, vm.lang) ?? g),
      norm: g?.toLowerCase() ?? null,
      settingId: sid(vm, { virtualbox: 'display.screen.graphicsController', kvm: 'kvm.display.videoModel' }),
    };
  };
  return [
    row({ key: 'display.vram', label: catalogLabel('display.screen.vram'), a: vram(a), b: vram(b) }),
    row({ key: 'display.accelerate3d', label: OWN_LABELS.accelerate3d, a: accel(a), b: accel(b) }),
    row({
      key: 'display.monitors',
      label: catalogLabel('display.screen.monitorCount'),
      a: monitors(a),
      b: monitors(b),
    }),
    row({
      key: 'display.controller',
      label: catalogLabel('display.screen.graphicsController'),
      a: controller(a),
      b: controller(b),
    }),
  ];
}

/** The element path (`domain/devices/disk[2]`) a libvirt value key starts with. */
function xmlElement(key: string, element: string): string | undefined {
  const m = new RegExp(`^(.*?${element}(?:\\[\\d+\\])?)(?:/|$)`).exec(key);
  return m?.[1];
}

/** The native key of a KVM config whose value came from the given XML element (`kvm.disks.target#sda`). */
function kvmNativeFor(config: VmConfig, prefix: string, element: string | undefined): string | undefined {
  if (!element) return undefined;
  for (const [k, v] of Object.entries(config.native ?? {}))
    if (k.startsWith(`${prefix}#`) && (v.key === element || v.key.startsWith(`${element}/`))) return k;
  return undefined;
}

function controllerSettingId(vm: Vm, c: StorageController): string | undefined {
  if (!vm.config) return undefined;
  if (vm.hv === 'virtualbox')
    return `storage.controller.type#${SAFE_INSTANCE.test(c.name.value) ? c.name.value : c.index}`;
  if (vm.hv === 'vmware') {
    const id = `vmware.disks.controllerType#${c.name.value}`;
    return vm.config.native?.[id] ? id : undefined;
  }
  const el = xmlElement(c.name.key, 'controller');
  return (
    kvmNativeFor(vm.config, 'kvm.disks.controllerType', el) ??
    kvmNativeFor(vm.config, 'kvm.disks.bus', xmlElement(c.name.key, 'disk'))
  );
}

function attachmentSettingId(vm: Vm, c: StorageController, at: StorageAttachment): string | undefined {
  if (!vm.config) return undefined;
  if (vm.hv === 'virtualbox') {
    const ctl = SAFE_INSTANCE.test(c.name.value) ? c.name.value : String(c.index);
    return `storage.attachment.medium#${ctl}:${at.port}:${at.device}`;
  }
  if (vm.hv === 'vmware') {
    const name = c.name.value;
    if (name === 'floppy') return undefined; // VMware's mirror has no floppy control.
    const node = name === 'ide' ? `ide${at.port}:${at.device}` : `${name}:${at.port}`;
    return at.kind === 'dvd' || at.kind === 'empty'
      ? `vmware.cdrom.isoImage#${node}`
      : `vmware.disks.file#${node}`;
  }
  // Each libvirt disk has its target (`kvm.disks.target#vda`); its source control has the same instance.
  const target = kvmNativeFor(vm.config, 'kvm.disks.target', xmlElement(at.medium.key, 'disk'));
  return target?.replace(/^kvm\.disks\.target#/, 'kvm.disks.source#');
}

/** File name of a medium path (either separator), or the empty-drive word. */
function mediumName(m: Sourced<string>, kind: StorageAttachment['kind'], lang: Language): string {
  const v = m.value.trim();
  if (kind === 'empty' || v === '' || v === 'emptydrive') return WORDS.emptyMedium[lang];
  return v.split(/[\\/]/).pop() || v;
}

function storage(a: Vm, b: Vm): ComparisonRow[] {
  const rows: ComparisonRow[] = [];
  const ctl = (vm: Vm): StorageController[] => vm.config?.storage ?? [];
  const ca = ctl(a);
  const cb = ctl(b);
  const controllerSide = (vm: Vm, c: StorageController | undefined): Side => {
    if (!c) return { text: null };
    const type = c.type?.value;
    const bus = controllerBus(type, c.name.value);
    const typeLabel = type ? (valueLabel('storage.controller.type', type, vm.lang) ?? type) : undefined;
    const lower = type?.toLowerCase();
    return {
      text: typeLabel && typeLabel !== bus ? `${bus}: ${typeLabel}` : bus,
      norm: lower === undefined ? bus.toLowerCase() : IDE_CHIPS.has(lower) ? 'ide' : lower,
      settingId: controllerSettingId(vm, c),
    };
  };
  for (let i = 0; i < Math.max(ca.length, cb.length); i++) {
    rows.push(
      row({
        key: `storage.controller.${i + 1}`,
        label: numbered(OWN_LABELS.controller, i + 1),
        a: controllerSide(a, ca[i]),
        b: controllerSide(b, cb[i]),
        presence: true,
      }),
    );
  }
  const devices = (vm: Vm): { c: StorageController; at: StorageAttachment }[] =>
    ctl(vm).flatMap((c) => c.attachments.filter((at) => at.kind !== 'none').map((at) => ({ c, at })));
  const da = devices(a);
  const db = devices(b);
  const deviceSide = (vm: Vm, d: { c: StorageController; at: StorageAttachment } | undefined): Side => {
    if (!d) return { text: null };
    const bus = controllerBus(d.c.type?.value, d.c.name.value);
    // `empty` is a drive without a medium: a floppy drive on a floppy controller, else an optical drive.
    const floppyBus = d.c.type?.value === 'I82078';
    const kind =
      d.at.kind === 'empty' ? (floppyBus ? 'emptyFloppy' : 'empty') : (d.at.kind as 'hdd' | 'dvd' | 'floppy');
    return {
      text: `${bus} ${d.at.port}:${d.at.device} · ${WORDS[kind][vm.lang]}`,
      norm: `${bus.toLowerCase()}:${d.at.kind === 'empty' ? (floppyBus ? 'floppy' : 'dvd') : d.at.kind}`,
      settingId: attachmentSettingId(vm, d.c, d.at),
    };
  };
  const mediumSide = (vm: Vm, d: { c: StorageController; at: StorageAttachment } | undefined): Side => {
    if (!d) return { text: null };
    const name = mediumName(d.at.medium, d.at.kind, vm.lang);
    return {
      text: name,
      norm: d.at.kind === 'empty' || name === WORDS.emptyMedium[vm.lang] ? '' : name.toLowerCase(),
      settingId: attachmentSettingId(vm, d.c, d.at),
    };
  };
  for (let i = 0; i < Math.max(da.length, db.length); i++) {
    rows.push(
      row({
        key: `storage.device.${i + 1}`,
        label: numbered(OWN_LABELS.device, i + 1),
        a: deviceSide(a, da[i]),
        b: deviceSide(b, db[i]),
        presence: true,
      }),
      row({
        key: `storage.medium.${i + 1}`,
        label: numbered(OWN_LABELS.device, i + 1, OWN_LABELS.medium),
        a: mediumSide(a, da[i]),
        b: mediumSide(b, db[i]),
        presence: true,
      }),
    );
  }
  return rows;
}

/** Instance of a network adapter in each hypervisor's setting ids. */
function nicInstance(vm: Vm, slot: number): string {
  return vm.hv === 'vmware' ? `ethernet${slot - 1}` : String(slot);
}

function network(a: Vm, b: Vm): ComparisonRow[] {
  const active = (vm: Vm): Map<number, NetworkAdapter> =>
    new Map((vm.config?.network ?? []).filter((n) => n.attachment.value !== 'none').map((n) => [n.slot, n]));
  const na = active(a);
  const nb = active(b);
  const slots = [...new Set([...na.keys(), ...nb.keys()])].sort((x, y) => x - y);
  const rows: ComparisonRow[] = [];
  for (const slot of slots) {
    const attachment = (vm: Vm, n: NetworkAdapter | undefined): Side => {
      if (!n) return { text: null };
      const neutral = neutralAttachment(n, vm.hv);
      const label =
        neutral.value === 'custom'
          ? WORDS.custom[vm.lang] // VMware's "Custom: Specific virtual network"
          : (valueLabel('network.adapter.attachedTo', neutral.value, vm.lang) ?? neutral.value);
      return {
        text: neutral.name ? `${label} · ${neutral.name}` : label,
        norm: neutral.family,
        settingId: sid(
          vm,
          {
            virtualbox: 'network.adapter.attachedTo',
            vmware: 'vmware.network.connection',
            kvm: 'kvm.nics.source',
          },
          nicInstance(vm, slot),
        ),
      };
    };
    const chip = (vm: Vm, n: NetworkAdapter | undefined): Side => {
      const t = n?.adapterType?.value;
      if (!n || !t) return { text: null };
      const fam = nicFamily(t);
      const shown =
        valueLabel('network.adapter.adapterType', t, vm.lang) ?? (fam.name === t ? t : `${fam.name} (${t})`);
      return {
        text: shown,
        norm: fam.family,
        settingId: sid(
          vm,
          {
            virtualbox: 'network.adapter.adapterType',
            vmware: 'vmware.network.adapterType',
            kvm: 'kvm.nics.model',
          },
          nicInstance(vm, slot),
        ),
      };
    };
    const mac = (vm: Vm, n: NetworkAdapter | undefined): Side => {
      const m = n?.macAddress?.value;
      return {
        text: m ? formatMac(m) : null,
        norm: m?.toUpperCase() ?? null,
        settingId: n
          ? sid(
              vm,
              { virtualbox: 'network.adapter.mac', vmware: 'vmware.network.mac', kvm: 'kvm.nics.mac' },
              nicInstance(vm, slot),
            )
          : undefined,
      };
    };
    const forwards = (vm: Vm, n: NetworkAdapter | undefined): Side => {
      if (!n) return { text: null };
      const list = n.portForwards.map(
        (f) => `${f.protocol} ${f.hostIp || '*'}:${f.hostPort} → ${f.guestPort}`,
      );
      return {
        text: list.length === 0 ? null : list.join(', '),
        norm: list.length === 0 ? null : [...list].sort().join(','),
        settingId: sid(
          vm,
          { virtualbox: 'network.adapter.portForwarding', kvm: 'kvm.nics.portForward' },
          nicInstance(vm, slot),
        ),
      };
    };
    const x = na.get(slot);
    const y = nb.get(slot);
    const prefix = (l: Localized) => numbered(OWN_LABELS.adapter, slot, l);
    rows.push(
      row({
        key: `network.${slot}.attachment`,
        label: prefix(catalogLabel('network.adapter.attachedTo')),
        a: attachment(a, x),
        b: attachment(b, y),
        presence: true,
      }),
      row({
        key: `network.${slot}.adapterType`,
        label: prefix(catalogLabel('network.adapter.adapterType')),
        a: chip(a, x),
        b: chip(b, y),
      }),
      row({
        key: `network.${slot}.mac`,
        label: prefix(catalogLabel('network.adapter.mac')),
        a: mac(a, x),
        b: mac(b, y),
      }),
    );
    const fa = forwards(a, x);
    const fb = forwards(b, y);
    if (fa.text !== null || fb.text !== null)
      rows.push(
        row({
          key: `network.${slot}.portForwarding`,
          label: prefix(catalogLabel('network.adapter.portForwarding')),
          a: fa,
          b: fb,
          presence: true,
        }),
      );
  }
  return rows;
}

function usb(a: Vm, b: Vm): ComparisonRow[] {
  const level = (vm: Vm): Side => {
    const u = vm.config?.usb;
    const settingId = sid(vm, {
      virtualbox: 'usb.main.controllerType',
      vmware: 'vmware.usb.compatibility',
      kvm: 'kvm.devices.usbController',
    });
    if (!u) return { text: null, settingId };
    const known = u.ohci !== undefined || u.ehci !== undefined || u.xhci !== undefined;
    const v = u.xhci?.value ? 'XHCI' : u.ehci?.value ? 'EHCI' : u.ohci?.value ? 'OHCI' : undefined;
    if (v) {
      const label = valueLabel('usb.main.controllerType', v, vm.lang) ?? v;
      return { text: label.replace(/ (Controller|控制器)$/, ''), norm: v, settingId };
    }
    // No USB controller: VirtualBox prints usb/ehci/xhci "off"; a .vmx without usb.present and a domain
    // without a USB controller have none.
    return known || vm.hv !== 'virtualbox'
      ? { text: WORDS.off[vm.lang], norm: 'off', settingId }
      : { text: null, settingId };
  };
  const filters = (vm: Vm): Side => ({
    text: vm.config ? String(vm.config.usb.filters.length) : null,
    settingId: sid(vm, { virtualbox: 'usb.main.filters', kvm: 'kvm.devices.hostdev' }),
  });
  const rows = [row({ key: 'usb.controller', label: OWN_LABELS.usb, a: level(a), b: level(b) })];
  const fa = filters(a);
  const fb = filters(b);
  if ((fa.text ?? '0') !== '0' || (fb.text ?? '0') !== '0')
    rows.push(row({ key: 'usb.filters', label: OWN_LABELS.usbFilters, a: fa, b: fb }));
  return rows;
}

function audio(a: Vm, b: Vm): ComparisonRow[] {
  const enabled = (vm: Vm): boolean | undefined => {
    const au = vm.config?.audio;
    if (!au) return undefined;
    if (au.enabled !== undefined) return au.enabled;
    if (au.driver) return au.driver.value !== 'none';
    // vmware-vmx.md: sound.present defaults to FALSE; libvirt: no <sound> element, no sound card.
    return vm.hv === 'virtualbox' ? undefined : false;
  };
  const on = (vm: Vm): Side => ({
    text: onOff(enabled(vm), vm.lang),
    settingId: sid(vm, {
      virtualbox: 'audio.main.enabled',
      vmware: 'vmware.sound.present',
      kvm: 'kvm.devices.sound',
    }),
  });
  const controller = (vm: Vm): Side => {
    const c = enabled(vm) ? vm.config?.audio.controller?.value : undefined;
    return {
      text: c === undefined ? null : (valueLabel('audio.main.controller', c, vm.lang) ?? c),
      norm: c?.toLowerCase() ?? null,
      settingId: sid(vm, {
        virtualbox: 'audio.main.controller',
        vmware: 'vmware.sound.device',
        kvm: 'kvm.devices.sound',
      }),
    };
  };
  return [
    row({ key: 'audio.enabled', label: OWN_LABELS.audio, a: on(a), b: on(b) }),
    row({
      key: 'audio.controller',
      label: catalogLabel('audio.main.controller'),
      a: controller(a),
      b: controller(b),
    }),
  ];
}

function sharedFolders(a: Vm, b: Vm): ComparisonRow[] {
  const fa = a.config?.sharedFolders ?? [];
  const fb = b.config?.sharedFolders ?? [];
  const side = (vm: Vm, i: number): Side => {
    const f = (vm.config?.sharedFolders ?? [])[i];
    if (!f) return { text: null };
    const text = `${f.name.value} → ${f.hostPath.value}`;
    const instance = vm.hv === 'vmware' ? `sharedFolder${f.index}` : String(f.index);
    return {
      text,
      settingId:
        vm.hv === 'virtualbox'
          ? 'sharedFolders.main.list'
          : sid(vm, { vmware: 'vmware.options.sharedFolderHostPath', kvm: 'kvm.devices.fsSource' }, instance),
    };
  };
  const rows: ComparisonRow[] = [];
  for (let i = 0; i < Math.max(fa.length, fb.length); i++)
    rows.push(
      row({
        key: `sharedFolders.${i + 1}`,
        label: numbered(OWN_LABELS.folder, i + 1),
        a: side(a, i),
        b: side(b, i),
        presence: true,
      }),
    );
  return rows;
}

/**
 * Compares two VMs (any hypervisors): rows grouped by page in {@link COMPARE_PAGES} order (pages
 * without rows are left out), values in `lang` (default `en`; labels carry both languages), storage
 * controllers and devices aligned by order, network adapters by slot, shared folders by order.
 * Rows where neither VM has a value are left out. A VM without a configuration (inaccessible) contributes only its summary (name, OS, memory, vCPUs).
 * Pure; never throws.
 */
export function compareVms(a: VmDetail, b: VmDetail, lang: Language = 'en'): Comparison {
  const va: Vm = { summary: a.summary, config: a.config, hv: a.summary.hypervisor, lang };
  const vb: Vm = { summary: b.summary, config: b.config, hv: b.summary.hypervisor, lang };
  const byPage: Record<string, ComparisonRow[]> = {
    general: general(va, vb),
    system: system(va, vb),
    display: display(va, vb),
    storage: storage(va, vb),
    network: network(va, vb),
    usb: usb(va, vb),
    audio: audio(va, vb),
    sharedFolders: sharedFolders(va, vb),
  };
  return {
    a: a.summary,
    b: b.summary,
    pages: COMPARE_PAGES.map((p) => ({
      page: p.page,
      label: p.label,
      rows: byPage[p.page].filter((r) => r.a !== null || r.b !== null),
    })).filter((p) => p.rows.length > 0),
  };
}

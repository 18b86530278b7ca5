/**
 * Helpers of the VMware and KVM mirrors (issue 4): catalog look-ups across the three hypervisors,
 * the reverse index of equivalents, the VMware Hardware list and the virt-manager device list built
 * from a {@link VmConfig} (VMware reader: `app/core/vmware/to-config.ts`; libvirt reader: `native`
 * keyed `kvm.<page>.<control>#<instance>`), and value wording from the catalog's `values`.
 */
import { pick, type CatalogEntry, type Language } from '../../../app/shared/catalog.ts';
import { getEntry } from '../../../app/shared/catalog-data.ts';
import type { ForeignCatalogEntry } from '../../../app/shared/foreign-catalog.ts';
import { getKvmEntry, KVM_CATALOG } from '../../../app/shared/kvm-catalog-data.ts';
import { KVM_CONTROL_IDS, type KvmControlId } from '../../../app/shared/kvm-ids.ts';
import type { VmConfig } from '../../../app/shared/model.ts';
import { getVmwareEntry, VMWARE_CATALOG } from '../../../app/shared/vmware-catalog-data.ts';
import {
  vmwareControlValue,
  vmwareInstances,
  VMWARE_CONTROL_IDS,
  type VmwareControlId,
} from '../../../app/shared/vmware-ids.ts';

/** Which catalog an id belongs to, from its prefix (`vmware.`, `kvm.`, else VirtualBox). */
export type CatalogHypervisor = 'virtualbox' | 'vmware' | 'kvm';

/** The id without its `#instance` suffix. */
export function baseId(id: string): string {
  const hash = id.indexOf('#');
  return hash === -1 ? id : id.slice(0, hash);
}

/** The catalog an id belongs to. */
export function hypervisorOf(id: string): CatalogHypervisor {
  if (id.startsWith('vmware.')) return 'vmware';
  if (id.startsWith('kvm.')) return 'kvm';
  return 'virtualbox';
}

/** The VMware or KVM catalog entry of an id (suffix ignored); undefined for unknown and VirtualBox ids. */
export function foreignEntry(id: string): ForeignCatalogEntry | undefined {
  const base = baseId(id);
  if (base.startsWith('vmware.')) return getVmwareEntry(base);
  if (base.startsWith('kvm.')) return getKvmEntry(base);
  return undefined;
}

/** One equivalent setting on another hypervisor, as the explanation panel lists it. */
export interface Equivalent {
  hypervisor: CatalogHypervisor;
  id: string;
  label: string;
  /** Where the other hypervisor keeps it: showvminfo keys / `.vmx` keys / domain XML paths. */
  keys: string[];
}

function fromId(id: string, lang: Language): Equivalent | undefined {
  const hv = hypervisorOf(id);
  if (hv === 'virtualbox') {
    const e: CatalogEntry | undefined = getEntry(id);
    if (!e) return undefined;
    return { hypervisor: hv, id, label: pick(e.label, lang), keys: e.showvminfo };
  }
  const f = foreignEntry(id);
  return f ? { hypervisor: hv, id, label: pick(f.label, lang), keys: f.keys } : undefined;
}

const FOREIGN = [...VMWARE_CATALOG, ...KVM_CATALOG];

/**
 * The same setting on the other hypervisors, from the catalogs' `equivalent` links in both
 * directions: for a VirtualBox id, the VMware and KVM entries whose `equivalent.virtualbox` names it;
 * for a VMware/KVM id, its own links plus entries of the third catalog linking back to it. Ordered
 * VirtualBox, VMware, KVM; the id itself is never listed. Unknown ids give [].
 */
export function equivalentsOf(id: string, lang: Language): Equivalent[] {
  const base = baseId(id);
  const hv = hypervisorOf(base);
  const ids = new Set<string>();
  const own = foreignEntry(base);
  if (own) for (const v of Object.values(own.equivalent)) if (v) ids.add(v);
  for (const e of FOREIGN) {
    if (e.id === base) continue;
    const eq = e.equivalent as Partial<Record<CatalogHypervisor, string>>;
    if (eq[hv] === base) ids.add(e.id);
    // Through the VirtualBox hub: VMware ↔ KVM entries that name the same VirtualBox setting.
    if (own?.equivalent.virtualbox && e.hypervisor !== hv && eq.virtualbox === own.equivalent.virtualbox)
      ids.add(e.id);
  }
  ids.delete(base);
  const order: CatalogHypervisor[] = ['virtualbox', 'vmware', 'kvm'];
  return [...ids]
    .map((x) => fromId(x, lang))
    .filter((x): x is Equivalent => x !== undefined)
    .sort((a, b) => order.indexOf(a.hypervisor) - order.indexOf(b.hypervisor) || a.id.localeCompare(b.id));
}

/** The catalog's wording of a value (`nat` → "NAT"), else the value itself; `''` stays empty. */
export function valueText(entry: ForeignCatalogEntry | undefined, value: string, lang: Language): string {
  const v = entry?.values?.find((x) => x.value.toLowerCase() === value.toLowerCase());
  if (v) return pick(v.label, lang);
  if (value === 'true') return lang === 'zh-CN' ? '是' : 'Yes';
  if (value === 'false') return lang === 'zh-CN' ? '否' : 'No';
  return value;
}

/**
 * Translates the English device names of the VMware/virt-manager lists phrase by phrase with a
 * dictionary from the locale (`foreign.words` of foreign.zh-CN.json: English phrase → translation),
 * longest phrases first, whole words only; numbers, bus names and file names stay as they are.
 * Without a dictionary (English) the text is returned unchanged.
 */
export function localWords(text: string, words: Record<string, string> | undefined): string {
  if (!words || typeof words !== 'object') return text;
  let out = text;
  for (const phrase of Object.keys(words).sort((a, b) => b.length - a.length)) {
    const re = new RegExp(`(^|[^A-Za-z-])${phrase.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z-])`, 'g');
    out = out.replace(re, (_m, pre: string) => pre + words[phrase]);
  }
  return out;
}

/** One control row of a foreign mirror page. */
export interface ForeignControl {
  id: string;
  instance?: string;
  /** Value in the catalog's words (`nat`, `2048`, `true`); undefined = not set (default applies). */
  value?: string;
  /** Key the value came from (`.vmx` key or domain XML path). */
  key?: string;
  /** Text as written in the file. */
  raw?: string;
}

/** One item of the VMware Hardware list or Options list. */
export interface VmwareItem {
  /** Stable key (`memory`, `disks#scsi0:0`, `options.general`). */
  key: string;
  page: string;
  instance?: string;
  /** Title in VMware's words (English device names, as VMware shows them). */
  title: string;
  /** Summary column ("4 GB", "NAT", "Present"). */
  summary: string;
  controls: ForeignControl[];
}

const VMWARE_IDS = VMWARE_CONTROL_IDS as readonly VmwareControlId[];

function vmwareControls(config: VmConfig, page: string, instance?: string, filter?: string[]) {
  return VMWARE_IDS.filter((id) => id.startsWith(`vmware.${page}.`))
    .filter((id) => !filter || filter.includes(id))
    .map((id): ForeignControl => {
      const v = vmwareControlValue(config, id, instance);
      return { id, instance, value: v?.value, key: v?.key, raw: v?.raw };
    });
}

/** The name part of a value label ("Bridged: Connected directly…" → "Bridged"), as summaries show it. */
function shortText(label: string): string {
  return label.split(/[:：]/)[0].trim();
}

/** Memory in VMware's summary style: `4 GB` for whole GiB, else `512 MB`. */
export function memoryText(mb: number): string {
  return mb >= 1024 && mb % 1024 === 0 ? `${mb / 1024} GB` : `${mb} MB`;
}

const BUS_NAME: Record<string, string> = { scsi: 'SCSI', sata: 'SATA', ide: 'IDE', nvme: 'NVMe' };

/** The Options tab's groups, each with the ids it shows (VMware's order). */
const OPTION_GROUPS: [key: string, title: string, ids: string[]][] = [
  ['general', 'General', ['name', 'guestOs', 'guestVersion', 'workingDir', 'description']],
  ['power', 'Power', ['powerControls', 'fullScreenAtPowerOn', 'closeAfterPowerOff']],
  [
    'sharedFolders',
    'Shared Folders',
    [
      'sharedFolders',
      'sharedFolderList',
      'sharedFolderName',
      'sharedFolderHostPath',
      'sharedFolderReadOnly',
      'mapNetworkDrive',
    ],
  ],
  ['snapshots', 'Snapshots', ['snapshotPowerOff']],
  ['isolation', 'Guest Isolation', ['dragAndDrop', 'copyPaste']],
  ['tools', 'VMware Tools', ['toolsUpdate', 'toolsSyncTime']],
  ['vnc', 'VNC Connections', ['vncEnabled', 'vncPort']],
  ['advanced', 'Advanced', ['firmware', 'secureBoot', 'hardwareVersion', 'bootOrder']],
  ['access', 'Access Control', ['tpm', 'encryption']],
];

/**
 * VMware's "Virtual Machine Settings" lists: the Hardware items (one per disk, CD/DVD drive, network
 * adapter and serial port, in the dialog's order) with their summaries, and the Options groups.
 */
export function vmwareItems(config: VmConfig): { hardware: VmwareItem[]; options: VmwareItem[] } {
  const hardware: VmwareItem[] = [];
  const mem = config.system.memoryMB?.value;
  hardware.push({
    key: 'memory',
    page: 'memory',
    title: 'Memory',
    summary: typeof mem === 'number' ? memoryText(mem) : '',
    controls: vmwareControls(config, 'memory'),
  });
  hardware.push({
    key: 'processors',
    page: 'processors',
    title: 'Processors',
    // No numvcpus: VMware's default of one processor.
    summary: String(config.system.cpus?.value ?? 1),
    controls: vmwareControls(config, 'processors'),
  });
  for (const node of vmwareInstances(config, 'vmware.disks.file')) {
    const bus = BUS_NAME[node.replace(/\d.*$/, '')] ?? node;
    const controls = vmwareControls(config, 'disks', node);
    const file = controls.find((c) => c.id === 'vmware.disks.file')?.value ?? '';
    hardware.push({
      key: `disks#${node}`,
      page: 'disks',
      instance: node,
      title: `Hard Disk (${bus})`,
      summary: file.split(/[\\/]/).pop() ?? file,
      controls,
    });
  }
  for (const node of vmwareInstances(config, 'vmware.cdrom.connection')) {
    const bus = BUS_NAME[node.replace(/\d.*$/, '')] ?? node;
    const controls = vmwareControls(config, 'cdrom', node);
    const conn = controls.find((c) => c.id === 'vmware.cdrom.connection')?.value;
    const iso = controls.find((c) => c.id === 'vmware.cdrom.isoImage')?.value;
    hardware.push({
      key: `cdrom#${node}`,
      page: 'cdrom',
      instance: node,
      title: `CD/DVD (${bus})`,
      summary: iso ? (iso.split(/[\\/]/).pop() ?? iso) : conn === 'iso' ? 'Using image' : 'Auto detect',
      controls,
    });
  }
  const nics = vmwareInstances(config, 'vmware.network.connection');
  nics.forEach((nic, i) => {
    const controls = vmwareControls(config, 'network', nic);
    const conn = controls.find((c) => c.id === 'vmware.network.connection')?.value ?? '';
    const vnet = controls.find((c) => c.id === 'vmware.network.vnet')?.value;
    hardware.push({
      key: `network#${nic}`,
      page: 'network',
      instance: nic,
      title: nics.length > 1 ? `Network Adapter ${i + 1}` : 'Network Adapter',
      summary:
        conn === 'custom' && vnet
          ? `Custom (${vnet})`
          : shortText(valueText(getVmwareEntry('vmware.network.connection'), conn, 'en')),
      controls,
    });
  });
  const usb = vmwareControlValue(config, 'vmware.usb.controller');
  if (usb?.value === 'true')
    hardware.push({
      key: 'usb',
      page: 'usb',
      title: 'USB Controller',
      summary: 'Present',
      controls: vmwareControls(config, 'usb'),
    });
  const sound = vmwareControlValue(config, 'vmware.sound.present');
  if (sound?.value === 'true' || config.audio.enabled)
    hardware.push({
      key: 'sound',
      page: 'sound',
      title: 'Sound Card',
      summary: 'Auto detect',
      controls: vmwareControls(config, 'sound'),
    });
  hardware.push({
    key: 'display',
    page: 'display',
    title: 'Display',
    summary: 'Auto detect',
    controls: vmwareControls(config, 'display'),
  });
  for (const port of vmwareInstances(config, 'vmware.serial.present')) {
    const controls = vmwareControls(config, 'serial', port);
    hardware.push({
      key: `serial#${port}`,
      page: 'serial',
      instance: port,
      title: `Serial Port${port === 'serial0' ? '' : ` ${Number(port.slice(6)) + 1}`}`,
      summary:
        shortText(
          valueText(
            getVmwareEntry('vmware.serial.connection'),
            controls.find((c) => c.id === 'vmware.serial.connection')?.value ?? '',
            'en',
          ),
        ) || 'Present',
      controls,
    });
  }
  const options = OPTION_GROUPS.map(([key, title, names]): VmwareItem => {
    const ids = names.map((n) => `vmware.options.${n}`);
    const controls: ForeignControl[] = [];
    for (const id of ids as VmwareControlId[]) {
      const insts = vmwareInstances(config, id);
      for (const inst of insts.length > 0 ? insts : [undefined]) {
        const v = vmwareControlValue(config, id, inst);
        controls.push({ id, instance: inst, value: v?.value, key: v?.key, raw: v?.raw });
      }
    }
    const first = controls[0]?.value ?? '';
    return {
      key: `options.${key}`,
      page: 'options',
      title,
      summary: key === 'general' ? first : '',
      controls,
    };
  });
  return { hardware, options };
}

/** One item of virt-manager's device list. */
export interface KvmItem {
  key: string;
  page: string;
  instance?: string;
  /** Title in virt-manager's words ("VirtIO Disk 1", "NIC :aa:bb:01"). */
  title: string;
  controls: ForeignControl[];
}

const KVM_IDS = KVM_CONTROL_IDS as readonly KvmControlId[];

/** The instances a KVM page's `native` values name (`vda`, `sata0`, `1`), in first-seen order; '' = no suffix. */
function kvmInstances(config: VmConfig, prefix: string): string[] {
  const out: string[] = [];
  for (const k of Object.keys(config.native ?? {})) {
    if (!k.startsWith(prefix)) continue;
    const hash = k.indexOf('#');
    const inst = hash === -1 ? '' : k.slice(hash + 1);
    if (!out.includes(inst)) out.push(inst);
  }
  return out;
}

function kvmControls(config: VmConfig, ids: readonly string[], instance?: string): ForeignControl[] {
  const native = config.native ?? {};
  return ids.map((id) => {
    const s = native[instance ? `${id}#${instance}` : id];
    return { id, instance: instance || undefined, value: s?.value, key: s?.key, raw: s?.raw };
  });
}

const kvmPage = (page: string, filter?: (id: string) => boolean) =>
  KVM_IDS.filter((id) => id.startsWith(`kvm.${page}.`) && (!filter || filter(id)));

const KVM_BUS: Record<string, string> = {
  virtio: 'VirtIO',
  sata: 'SATA',
  scsi: 'SCSI',
  ide: 'IDE',
  usb: 'USB',
  fdc: 'Floppy',
  xen: 'Xen',
};

/**
 * virt-manager's details list for a libvirt domain: Overview, CPUs, Memory, Boot Options, one item
 * per disk ("VirtIO Disk 1", "SATA CDROM 1"), per controller, per NIC ("NIC :aa:bb:01"), Display,
 * and the other devices (sound, serial/console, USB, filesystems, TPM, RNG, …) when the domain has them.
 */
export function kvmItems(config: VmConfig): KvmItem[] {
  const native = config.native ?? {};
  const items: KvmItem[] = [
    {
      key: 'overview',
      page: 'overview',
      title: 'Overview',
      controls: kvmControls(config, kvmPage('overview')),
    },
    { key: 'cpus', page: 'cpus', title: 'CPUs', controls: kvmControls(config, kvmPage('cpus')) },
    { key: 'memory', page: 'memory', title: 'Memory', controls: kvmControls(config, kvmPage('memory')) },
    { key: 'boot', page: 'boot', title: 'Boot Options', controls: kvmControls(config, kvmPage('boot')) },
  ];
  const diskIds = kvmPage('disks', (id) => !id.startsWith('kvm.disks.controller'));
  const counts: Record<string, number> = {};
  for (const inst of kvmInstances(config, 'kvm.disks.device#')) {
    const bus = String(native[`kvm.disks.bus#${inst}`]?.value ?? '');
    const device = String(native[`kvm.disks.device#${inst}`]?.value ?? 'disk');
    const kind = device === 'cdrom' ? 'CDROM' : device === 'floppy' ? 'Floppy' : 'Disk';
    const name = `${KVM_BUS[bus] ?? bus.toUpperCase()} ${kind}`.trim();
    counts[name] = (counts[name] ?? 0) + 1;
    items.push({
      key: `disks#${inst}`,
      page: 'disks',
      instance: inst,
      title: `${name} ${counts[name]}`,
      controls: kvmControls(config, diskIds, inst),
    });
  }
  const ctlIds = kvmPage('disks', (id) => id.startsWith('kvm.disks.controller'));
  for (const inst of kvmInstances(config, 'kvm.disks.controllerType#')) {
    const type = String(native[`kvm.disks.controllerType#${inst}`]?.value ?? inst);
    items.push({
      key: `controller#${inst}`,
      page: 'disks',
      instance: inst,
      title: `Controller ${KVM_BUS[type] ?? type.toUpperCase()} ${inst.replace(/^\D+/, '')}`,
      controls: kvmControls(config, ctlIds, inst),
    });
  }
  for (const inst of kvmInstances(config, 'kvm.nics.source#')) {
    const mac = String(native[`kvm.nics.mac#${inst}`]?.value ?? '');
    items.push({
      key: `nics#${inst}`,
      page: 'nics',
      instance: inst,
      title: mac ? `NIC ${mac.slice(-9)}` : `NIC ${inst}`,
      controls: kvmControls(config, kvmPage('nics'), inst),
    });
  }
  items.push({
    key: 'display',
    page: 'display',
    title: 'Display',
    controls: kvmControls(config, kvmPage('display')),
  });
  const groups: [key: string, title: string, ids: string[]][] = [
    ['sound', 'Sound', ['kvm.devices.sound', 'kvm.devices.audio']],
    ['serial', 'Serial', ['kvm.devices.serial']],
    ['console', 'Console', ['kvm.devices.console']],
    ['channel', 'Channel', ['kvm.devices.channel']],
    ['input', 'Input', ['kvm.devices.input']],
    ['usb', 'Controller USB', ['kvm.devices.usbController']],
    [
      'fs',
      'Filesystem',
      ['kvm.devices.fsDriver', 'kvm.devices.fsSource', 'kvm.devices.fsTarget', 'kvm.devices.fsAccessMode'],
    ],
    ['tpm', 'TPM', ['kvm.devices.tpm']],
    ['rng', 'RNG', ['kvm.devices.rng']],
    ['hostdev', 'Host Device', ['kvm.devices.hostdev']],
    ['redir', 'USB Redirector', ['kvm.devices.usbRedirect']],
    ['watchdog', 'Watchdog', ['kvm.devices.watchdog']],
  ];
  for (const [key, title, ids] of groups) {
    const insts = new Set<string>();
    for (const id of ids)
      for (const i of kvmInstances(config, id))
        if (Object.keys(native).some((k) => k === id || k.startsWith(`${id}#`))) insts.add(i);
    for (const inst of insts) {
      const controls = kvmControls(config, ids, inst);
      if (controls.every((c) => c.value === undefined)) continue;
      items.push({
        key: `${key}#${inst}`,
        page: 'devices',
        instance: inst || undefined,
        title: inst && inst !== '1' ? `${title} ${inst}` : title,
        controls,
      });
    }
  }
  return items;
}

import type { KvmControlId } from '../../shared/kvm-ids.ts';
import type {
  NetworkAdapter,
  PortForward,
  ReadIssue,
  SerialPort,
  SharedFolder,
  Sourced,
  StorageAttachment,
  StorageController,
  UnknownKey,
  VmConfig,
  VmSource,
} from '../../shared/model.ts';
import { readSafeInteger, shortRaw, tooLargeIssue } from '../vbox/parse-common.ts';
import { childEl, childrenEl, loadXml, type XmlEl } from './xml.ts';

export { KvmParseError } from './xml.ts';
export {
  hostFactsFromNodeinfo,
  neutralState,
  parseDominfo,
  parseListAll,
  parseNodeinfo,
  parseVirshVersion,
  type Dominfo,
  type ListedDomain,
  type Nodeinfo,
  type VirshVersion,
} from './parse-virsh.ts';

/**
 * libvirt domain XML → the hypervisor-neutral {@link VmConfig}.
 *
 * Format source: libvirt "Domain XML format" (formatdomain), as written by `virsh dumpxml` of
 * libvirt 6.x–10.x for the QEMU/KVM driver (also the `test` driver). The VirtualBox-shaped fields are
 * filled where a libvirt setting means the same thing (memory, vCPUs, firmware, chipset, boot order,
 * storage controllers and disks, NICs, video, sound, serial ports, USB, shared folders); everything
 * libvirt-specific, and the raw libvirt value of the mapped ones, goes into `config.native` keyed by
 * KVM catalog id (see kvm-ids.ts for instance suffixes). Every value's `key` is its XML path, e.g.
 * `domain/devices/interface[1]/model/@type`; `raw` is the text as written (memory: number and unit).
 *
 * Neutral spellings used: chipset `piix3` (i440FX machine types) / `ich9` (Q35), others raw; firmware
 * `BIOS` / `EFI`; boot devices `disk` / `dvd` / `net` / `floppy`; NIC attachment `natnetwork`
 * (`type='network'`), `bridged` (`bridge`, `direct`), `nat` (`user`), `Generic` (others); MAC as 12
 * upper-case hex digits; memory in MiB (`MB` in the model).
 */

/** Options of {@link parseDomainXml}. */
export interface ParseDomainOptions {
  /** File the XML was read from; becomes `general.cfgFile` and appears in messages. */
  path?: string;
  /** Where the XML came from (default `file`). Domains read through virsh are `file` until the model has a `virsh` source. */
  source?: VmSource;
}

const S = <T>(value: T, key: string, raw: string): Sourced<T> => ({ value, key, raw });
const attr = (el: XmlEl | undefined, name: string): Sourced<string> | undefined =>
  el && Object.hasOwn(el.attrs, name) ? S(el.attrs[name], `${el.path}/@${name}`, el.attrs[name]) : undefined;
const textOf = (el: XmlEl | undefined): Sourced<string> | undefined =>
  el ? S(el.text.trim(), el.path, el.text) : undefined;
const presence = (parent: XmlEl | undefined, name: string, parentPath: string): Sourced<boolean> => {
  const el = childEl(parent, name);
  return el ? S(true, el.path, 'present') : S(false, `${parentPath}/${name}`, 'absent');
};
const isYes = (v: string | undefined): boolean => v === 'yes' || v === 'on';

/** Scale of a libvirt memory unit (`KiB` default; `k`/`KiB` = 1024, `KB` = 1000, …; case-insensitive like libvirt). */
export function memoryUnitBytes(unit: string | undefined): number | undefined {
  const u = (unit ?? 'KiB').trim();
  if (/^(b|bytes)$/i.test(u)) return 1;
  const m = /^([kmgtpe])(ib|b)?$/i.exec(u);
  if (!m) return undefined;
  const power = 'kmgtpe'.indexOf(m[1].toLowerCase()) + 1;
  return (m[2]?.toLowerCase() === 'b' ? 1000 : 1024) ** power;
}

/** An element holding a memory size (`<memory unit='KiB'>2097152</memory>`) in MiB, rounded; undefined when unreadable. */
function memoryOf(el: XmlEl | undefined, issues: ReadIssue[]): Sourced<number> | undefined {
  if (!el) return undefined;
  const t = el.text.trim();
  const scale = memoryUnitBytes(el.attrs.unit);
  const raw = el.attrs.unit ? `${t} ${el.attrs.unit}` : t;
  if (!/^\d+$/.test(t) || scale === undefined) {
    issues.push({ line: el.line, message: `line ${el.line}: <${el.name}> "${raw}" is not a memory size` });
    return undefined;
  }
  const n = readSafeInteger(t, issues, `<${el.name}>`, el.line);
  if (n === undefined) return undefined;
  const mib = Math.round((n * scale) / 1024 ** 2);
  if (!Number.isSafeInteger(mib)) {
    issues.push({
      line: el.line,
      message: `line ${el.line}: <${el.name}> "${shortRaw(raw)}" is too large to be a number of MiB; the value is left out`,
    });
    return undefined;
  }
  return S(mib, el.path, raw);
}

/**
 * A whole number written as decimal digits (`/^\d+$/`, untrimmed as libvirt writes it); undefined
 * for other text, and undefined plus an issue ({@link tooLargeIssue}) when it is too large to be exact.
 */
function wholeNumber(
  text: string | undefined,
  issues: ReadIssue[],
  what: string,
  line: number,
  outcome?: string,
): number | undefined {
  if (text === undefined || !/^\d+$/.test(text)) return undefined;
  return readSafeInteger(text, issues, what, line, outcome);
}

/**
 * Index of a target device name's letter suffix: `vda` → 0, `sdb` → 1, `hdaa` → 26. Undefined when
 * the name has no such suffix, or a suffix so long (about a dozen letters or more) that the index
 * would exceed 2^53 − 1 and not be an exact number.
 */
export function targetIndex(dev: string): number | undefined {
  const m = /^(?:vd|sd|hd|xvd|fd|ubd|nvme\d+n)([a-z]+)$/.exec(dev);
  if (!m) return undefined;
  let n = 0;
  for (const ch of m[1]) {
    if (n > (Number.MAX_SAFE_INTEGER - 26) / 26) return undefined;
    n = n * 26 + (ch.charCodeAt(0) - 96);
  }
  return n - 1;
}

const BUS_BY_PREFIX: [RegExp, string][] = [
  [/^vd/, 'virtio'],
  [/^sd/, 'scsi'],
  [/^hd/, 'ide'],
  [/^fd/, 'fdc'],
  [/^xvd/, 'xen'],
];

/** Neutral (VirtualBox-like) storage controller type for a libvirt controller type/model. */
function controllerKind(type: string, model: string | undefined): string {
  switch (type) {
    case 'sata':
      return 'IntelAhci';
    case 'ide':
      return 'PIIX4';
    case 'fdc':
      return 'I82078';
    case 'nvme':
      return 'NVMe';
    case 'virtio':
      return 'virtio';
    case 'scsi':
      if (model === 'virtio-scsi' || model === 'virtio-transitional' || model === 'virtio-non-transitional')
        return 'VirtioSCSI';
      if (model === 'lsilogic') return 'LsiLogic';
      if (model === 'lsisas1068' || model === 'lsisas1078') return 'LsiLogicSas';
      if (model === 'buslogic') return 'BusLogic';
      return 'unknown';
    default:
      return 'unknown';
  }
}

const CONTROLLER_LABEL: Record<string, string> = {
  ide: 'IDE',
  sata: 'SATA',
  scsi: 'SCSI',
  fdc: 'Floppy',
  virtio: 'VirtIO',
  nvme: 'NVMe',
  xen: 'Xen',
  'virtio-serial': 'VirtIO Serial',
  ccid: 'CCID',
  xenbus: 'Xenbus',
};
const STORAGE_CONTROLLER_TYPES = new Set(['ide', 'sata', 'scsi', 'fdc', 'nvme', 'xen', 'virtio']);

const BOOT_DEV: Record<string, string> = { hd: 'disk', cdrom: 'dvd', network: 'net', fd: 'floppy' };

/** Elements under `<domain>` read into the model (others become unknown keys). */
const KNOWN_TOP = new Set([
  'name',
  'uuid',
  'title',
  'description',
  'metadata',
  'memory',
  'currentMemory',
  'maxMemory',
  'vcpu',
  'os',
  'features',
  'cpu',
  'clock',
  'on_poweroff',
  'on_reboot',
  'on_crash',
  'memoryBacking',
  'devices',
  'pm',
  'seclabel',
  'resource',
  'genid',
]);
/** Friendly OS name from a libosinfo id (`http://ubuntu.com/ubuntu/22.04` → `Ubuntu 22.04`, `http://microsoft.com/win/11` → `Windows 11`). */
export function osInfoName(id: string): string {
  const m = /^https?:\/\/([^/]+)\/(.+?)\/?$/.exec(id.trim());
  if (!m) return id;
  const parts = m[2].split('/');
  if (m[1] === 'microsoft.com') return `Windows ${parts.slice(1).join(' ')}`.trim();
  const family = parts[0] ?? '';
  const pretty: Record<string, string> = {
    rhel: 'Red Hat Enterprise Linux',
    opensuse: 'openSUSE',
    sles: 'SUSE Linux Enterprise Server',
    centos: 'CentOS',
    freebsd: 'FreeBSD',
    archlinux: 'Arch Linux',
    alpinelinux: 'Alpine Linux',
  };
  const name = pretty[family] ?? family.charAt(0).toUpperCase() + family.slice(1);
  return [name, ...parts.slice(1)].join(' ').trim();
}

/**
 * Parses a libvirt domain XML document into a {@link VmConfig} (`hypervisor: 'kvm'`). Never loses the
 * rest of the document over one odd value: unreadable values become `issues` (with line numbers),
 * unmapped elements under `<domain>` and `<devices>` become `unknownKeys`. `state` is not set (domain
 * XML does not carry it; the inventory adds it from `virsh list`/`dominfo`).
 * @throws KvmParseError (with `line`) when the text is not well-formed XML, declares entities or an
 *   external DTD, or its root element is not `<domain>`.
 */
export function parseDomainXml(xml: string, opts: ParseDomainOptions = {}): VmConfig {
  const { root, issues } = loadXml(xml, opts.path ? `domain XML ${opts.path}` : 'domain XML', 'domain');
  const native: Record<string, Sourced<string>> = {};
  const unknownKeys: UnknownKey[] = [];
  const put = (id: KvmControlId, instance: string | undefined, s: Sourced<string> | undefined): void => {
    if (s) native[instance ? `${id}#${instance}` : id] = s;
  };
  const putStr = (
    id: KvmControlId,
    instance: string | undefined,
    value: string,
    key: string,
    raw = value,
  ): void => put(id, instance, S(value, key, raw));

  const uuidEl = childEl(root, 'uuid');
  const uuid = uuidEl?.text.trim().toLowerCase() ?? '';
  if (!uuidEl) issues.push({ message: 'no <uuid>: the domain cannot be addressed through virsh' });
  else if (!/^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/.test(uuid))
    issues.push({ line: uuidEl.line, message: `line ${uuidEl.line}: <uuid> "${uuid}" is not a UUID` });
  const id = /^[0-9a-f]{32}$/.test(uuid)
    ? uuid.replace(/^(.{8})(.{4})(.{4})(.{4})(.{12})$/, '$1-$2-$3-$4-$5')
    : uuid;

  const config: VmConfig = {
    id,
    hypervisor: 'kvm',
    source: opts.source ?? 'file',
    general: {},
    system: { bootOrder: [] },
    display: {},
    storage: [],
    audio: {},
    network: [],
    serial: [],
    usb: { filters: [] },
    sharedFolders: [],
    snapshots: [],
    native,
    unknownKeys,
    issues,
  };

  // ---- Overview -------------------------------------------------------------------------------
  const name = textOf(childEl(root, 'name'));
  if (name) {
    config.general.name = name;
    put('kvm.overview.name', undefined, name);
  } else issues.push({ message: 'no <name>' });
  if (uuidEl) {
    config.general.hardwareUuid = S(id, uuidEl.path, uuidEl.text);
    putStr('kvm.overview.uuid', undefined, id, uuidEl.path, uuidEl.text);
  }
  put('kvm.overview.title', undefined, textOf(childEl(root, 'title')));
  const description = textOf(childEl(root, 'description'));
  if (description) {
    config.general.description = description;
    put('kvm.overview.description', undefined, description);
  }
  if (opts.path) config.general.cfgFile = S(opts.path, 'file', opts.path);

  // <metadata><libosinfo:libosinfo xmlns:libosinfo="http://libosinfo.org/xmlns/libvirt/domain/1.0"><libosinfo:os id=…/>;
  // matched by local name, since the prefix is the writer's choice.
  const local = (el: XmlEl, name: string): boolean => el.name === name || el.name.endsWith(`:${name}`);
  const osinfoRoot = childEl(root, 'metadata')?.children.find((c) => local(c, 'libosinfo'));
  const osinfo = osinfoRoot?.children.find((c) => local(c, 'os'));
  const osId = attr(osinfo, 'id');
  if (osId) {
    const pretty = S(osInfoName(osId.value), osId.key, osId.raw);
    config.general.osType = pretty;
    put('kvm.overview.osInfo', undefined, pretty);
  }

  const domType = attr(root, 'type');
  put('kvm.overview.hypervisor', undefined, domType);
  if (domType?.value === 'kvm') config.system.hwVirtEx = S(true, domType.key, domType.raw);
  else if (domType?.value === 'qemu') config.system.hwVirtEx = S(false, domType.key, domType.raw);

  const os = childEl(root, 'os');
  const osType = childEl(os, 'type');
  const arch = attr(osType, 'arch');
  if (arch) {
    put('kvm.overview.architecture', undefined, arch);
    const a = arch.value;
    const family = /^(x86_64|i[3-6]86)$/.test(a) ? 'x86' : /^(aarch64|armv\d+l?)$/.test(a) ? 'ARM' : a;
    config.system.platformArchitecture = S(family, arch.key, arch.raw);
  }
  const machine = attr(osType, 'machine');
  if (machine) {
    put('kvm.overview.chipset', undefined, machine);
    const m = machine.value;
    const neutral = /^pc(-i440fx.*)?$/.test(m) ? 'piix3' : /^(pc-)?q35/.test(m) ? 'ich9' : m;
    config.system.chipset = S(neutral, machine.key, machine.raw);
  }
  put('kvm.overview.emulator', undefined, textOf(childEl(childEl(root, 'devices'), 'emulator')));

  // Firmware: <os firmware='efi'>, or a pflash/OVMF loader; BIOS otherwise (aarch64 defaults to UEFI).
  const loader = childEl(os, 'loader');
  const fwAttr = attr(os, 'firmware');
  const loaderPath = loader?.text.trim() ?? '';
  const loaderIsEfi =
    !!loader && (loader.attrs.type === 'pflash' || /ovmf|edk2|aavmf|qemu_efi|uefi/i.test(loaderPath));
  let firmware: Sourced<string>;
  if (fwAttr) firmware = S(fwAttr.value === 'efi' ? 'EFI' : 'BIOS', fwAttr.key, fwAttr.raw);
  else if (loader) firmware = S(loaderIsEfi ? 'EFI' : 'BIOS', loader.path, loaderPath);
  else firmware = S(arch?.value === 'aarch64' ? 'EFI' : 'BIOS', `${os?.path ?? 'domain/os'}/@firmware`, '');
  config.system.firmware = firmware;
  putStr('kvm.overview.firmware', undefined, firmware.value, firmware.key, firmware.raw);
  const secureFeature = childrenEl(childEl(os, 'firmware'), 'feature').find(
    (f) => f.attrs.name === 'secure-boot',
  );
  const secure = secureFeature ? attr(secureFeature, 'enabled') : attr(loader, 'secure');
  if (secure) {
    const on = isYes(secure.value);
    config.system.secureBoot = S(on, secure.key, secure.raw);
    putStr('kvm.overview.secureBoot', undefined, on ? 'yes' : 'no', secure.key, secure.raw);
  } else if (firmware.value === 'EFI') {
    config.system.secureBoot = S(false, `${os?.path ?? 'domain/os'}/loader/@secure`, '');
    putStr('kvm.overview.secureBoot', undefined, 'no', `${os?.path ?? 'domain/os'}/loader/@secure`, '');
  }

  // Features
  const features = childEl(root, 'features');
  const featuresPath = features?.path ?? 'domain/features';
  const acpi = presence(features, 'acpi', featuresPath);
  const apic = presence(features, 'apic', featuresPath);
  config.system.acpi = acpi;
  config.system.ioApic = apic;
  config.system.pae = presence(features, 'pae', featuresPath);
  putStr('kvm.overview.acpi', undefined, acpi.value ? 'on' : 'off', acpi.key, acpi.raw);
  putStr('kvm.overview.apic', undefined, apic.value ? 'on' : 'off', apic.key, apic.raw);
  const hyperv = childEl(features, 'hyperv');
  if (hyperv) {
    const enabled = hyperv.children
      .filter((c) => c.attrs.state === undefined || c.attrs.state === 'on')
      .map((c) => c.name);
    putStr('kvm.overview.hyperv', undefined, enabled.join(', ') || 'none', hyperv.path, enabled.join(','));
    config.system.paravirtProvider = S('hyperv', hyperv.path, 'hyperv');
  }
  const kvmHidden = attr(childEl(childEl(features, 'kvm'), 'hidden'), 'state');
  put('kvm.overview.kvmHidden', undefined, kvmHidden);

  const clock = attr(childEl(root, 'clock'), 'offset');
  if (clock) {
    put('kvm.overview.clock', undefined, clock);
    if (clock.value === 'utc' || clock.value === 'localtime')
      config.system.rtcUseUtc = S(clock.value === 'utc', clock.key, clock.raw);
  }
  put('kvm.overview.onPoweroff', undefined, textOf(childEl(root, 'on_poweroff')));
  put('kvm.overview.onReboot', undefined, textOf(childEl(root, 'on_reboot')));
  put('kvm.overview.onCrash', undefined, textOf(childEl(root, 'on_crash')));

  // ---- CPUs -----------------------------------------------------------------------------------
  const vcpu = childEl(root, 'vcpu');
  if (vcpu) {
    const max = vcpu.text.trim();
    if (/^\d+$/.test(max)) {
      putStr('kvm.cpus.maxVcpus', undefined, max, vcpu.path, vcpu.text);
      const current = attr(vcpu, 'current');
      const cur = current && /^\d+$/.test(current.value) ? current : S(max, vcpu.path, vcpu.text);
      const count = readSafeInteger(
        cur.value,
        issues,
        cur === current ? '<vcpu current>' : '<vcpu>',
        vcpu.line,
      );
      if (count !== undefined) config.system.cpus = S(count, cur.key, cur.raw);
      put('kvm.cpus.vcpus', undefined, cur);
    } else issues.push({ line: vcpu.line, message: `line ${vcpu.line}: <vcpu> "${max}" is not a number` });
  } else issues.push({ message: 'no <vcpu>: libvirt then gives the domain 1 vCPU' });
  const cpu = childEl(root, 'cpu');
  const cpuMode = attr(cpu, 'mode');
  if (cpuMode) put('kvm.cpus.mode', undefined, cpuMode);
  else if (cpu && childEl(cpu, 'model'))
    putStr('kvm.cpus.mode', undefined, 'custom', `${cpu.path}/@mode`, '');
  put('kvm.cpus.model', undefined, textOf(childEl(cpu, 'model')));
  const topology = childEl(cpu, 'topology');
  put('kvm.cpus.sockets', undefined, attr(topology, 'sockets'));
  put('kvm.cpus.cores', undefined, attr(topology, 'cores'));
  put('kvm.cpus.threads', undefined, attr(topology, 'threads'));
  const cpuFeatures = childrenEl(cpu, 'feature');
  if (cpuFeatures.length > 0) {
    const list = cpuFeatures.map((f) => `${f.attrs.policy ?? 'require'} ${f.attrs.name ?? '?'}`).join(', ');
    putStr('kvm.cpus.features', undefined, list, `${cpu!.path}/feature`, list);
    const nested = cpuFeatures.find((f) => f.attrs.name === 'vmx' || f.attrs.name === 'svm');
    if (nested) {
      const on =
        nested.attrs.policy === undefined || ['require', 'force', 'optional'].includes(nested.attrs.policy);
      config.system.nestedHwVirt = S(on, `${nested.path}/@policy`, nested.attrs.policy ?? '');
    }
  }

  // ---- Memory ---------------------------------------------------------------------------------
  const maxMem = memoryOf(childEl(root, 'memory'), issues);
  const curMem = memoryOf(childEl(root, 'currentMemory'), issues);
  if (maxMem) putStr('kvm.memory.maximum', undefined, String(maxMem.value), maxMem.key, maxMem.raw);
  if (curMem) putStr('kvm.memory.current', undefined, String(curMem.value), curMem.key, curMem.raw);
  else if (maxMem) putStr('kvm.memory.current', undefined, String(maxMem.value), maxMem.key, maxMem.raw);
  if (curMem ?? maxMem) config.system.memoryMB = curMem ?? maxMem;
  // An unreadable <memory> is reported by memoryOf; only a missing one is reported here.
  else if (!childEl(root, 'memory') && !childEl(root, 'currentMemory'))
    issues.push({ message: 'no <memory>: the memory size is unknown' });
  const backing = childEl(root, 'memoryBacking');
  const access = attr(childEl(backing, 'access'), 'mode');
  const backingSource = attr(childEl(backing, 'source'), 'type');
  if (access || backingSource) {
    const shared = access?.value === 'shared';
    const s = access ?? backingSource!;
    putStr(
      'kvm.memory.shared',
      undefined,
      shared ? 'yes' : 'no',
      s.key,
      [backingSource?.raw, access?.raw].filter(Boolean).join(' '),
    );
  }
  const hugepages = childEl(backing, 'hugepages');
  if (hugepages) {
    putStr('kvm.memory.hugepages', undefined, 'yes', hugepages.path, 'present');
    config.system.largePages = S(true, hugepages.path, 'present');
  }

  // ---- Boot options ---------------------------------------------------------------------------
  const boots = childrenEl(os, 'boot');
  for (const b of boots) {
    const dev = attr(b, 'dev');
    if (dev) config.system.bootOrder.push(S(BOOT_DEV[dev.value] ?? dev.value, dev.key, dev.raw));
  }
  if (boots.length > 0) {
    const list = boots.map((b) => b.attrs.dev ?? '?').join(', ');
    putStr(
      'kvm.boot.order',
      undefined,
      list,
      boots.length === 1 ? `${boots[0].path}/@dev` : `${os!.path}/boot`,
      list,
    );
  }
  const bootMenu = attr(childEl(os, 'bootmenu'), 'enable');
  put('kvm.boot.bootMenu', undefined, bootMenu);
  put('kvm.boot.kernel', undefined, textOf(childEl(os, 'kernel')));
  put('kvm.boot.initrd', undefined, textOf(childEl(os, 'initrd')));
  put('kvm.boot.cmdline', undefined, textOf(childEl(os, 'cmdline')));

  // ---- Devices --------------------------------------------------------------------------------
  const devices = childEl(root, 'devices');
  const perDeviceBoot: { order: number; what: string; neutral: string; key: string; raw: string }[] = [];
  const controllers = new Map<string, StorageController>();
  /** The storage controller `type`/`index`, created on first use; `hint` is the provenance key when no element defines it (the disk's bus). */
  const storageController = (type: string, index: number, el?: XmlEl, hint?: string): StorageController => {
    const k = `${type}${index}`;
    let c = controllers.get(k);
    if (c && el && c.name.raw === '') {
      // Created earlier for a disk that came before its <controller> element: take the element's identity.
      c.name = S(c.name.value, el.path, `${type} ${index}`);
      c.type = S(controllerKind(type, el.attrs.model), `${el.path}/@type`, el.attrs.model ?? type);
      c.instance = S(index, `${el.path}/@index`, String(index));
    }
    if (!c) {
      const label = type === 'virtio' ? 'VirtIO' : `${CONTROLLER_LABEL[type] ?? type} ${index}`;
      const key = el ? el.path : (hint ?? `domain/devices/controller[@type='${type}'][@index='${index}']`);
      c = {
        index: controllers.size,
        name: S(label, key, el ? `${type} ${index}` : ''),
        type: S(
          controllerKind(type, el?.attrs.model),
          el ? `${el.path}/@type` : key,
          el?.attrs.model ?? type,
        ),
        instance: S(index, el ? `${el.path}/@index` : key, String(index)),
        attachments: [],
      };
      controllers.set(k, c);
    }
    return c;
  };

  const counters = new Map<string, number>();
  const next = (kind: string): number => {
    const n = (counters.get(kind) ?? 0) + 1;
    counters.set(kind, n);
    return n;
  };
  /** First device of a usually-single kind: no suffix; then `2`, `3`, … */
  const single = (kind: string): string | undefined => {
    const n = next(kind);
    return n === 1 ? undefined : String(n);
  };
  const usbModels: string[] = [];

  for (const dev of devices?.children ?? []) {
    switch (dev.name) {
      case 'emulator':
        break;
      case 'controller': {
        const type = dev.attrs.type ?? '';
        if (type === 'usb') {
          if (!childEl(dev, 'master')) usbModels.push(dev.attrs.model ?? 'default');
          const model = dev.attrs.model ?? '';
          const key = `${dev.path}/@model`;
          if (model === 'none') {
            putStr('kvm.devices.usbController', undefined, 'none', key, model);
            break;
          }
          if (/uhci|ohci/.test(model) || model === '') config.usb.ohci = S(true, key, model);
          if (/ehci/.test(model)) config.usb.ehci = S(true, key, model);
          if (/xhci/.test(model)) config.usb.xhci = S(true, key, model);
          if (!childEl(dev, 'master')) {
            const inst = usbModels.length === 1 ? undefined : String(usbModels.length);
            putStr('kvm.devices.usbController', inst, model || 'default', key, model);
          }
          break;
        }
        if (type === 'pci') break;
        const index = /^\d+$/.test(dev.attrs.index ?? '')
          ? wholeNumber(dev.attrs.index, issues, '<controller index>', dev.line, 'the controller is left out')
          : 0;
        if (index === undefined) break;
        const inst = `${type}${index}`;
        put('kvm.disks.controllerType', inst, attr(dev, 'type'));
        put('kvm.disks.controllerModel', inst, attr(dev, 'model'));
        if (STORAGE_CONTROLLER_TYPES.has(type)) storageController(type, index, dev);
        break;
      }
      case 'disk':
        readDisk(dev);
        break;
      case 'interface':
        readInterface(dev, next('interface'));
        break;
      case 'graphics': {
        const inst = single('graphics');
        const type = attr(dev, 'type');
        put('kvm.display.graphicsType', inst, type);
        const listenEl = childrenEl(dev, 'listen')[0];
        const listen =
          attr(dev, 'listen') ??
          attr(listenEl, 'address') ??
          attr(listenEl, 'socket') ??
          attr(listenEl, 'type');
        put('kvm.display.listen', inst, listen);
        const port = attr(dev, 'port');
        const autoport = attr(dev, 'autoport');
        if (port || autoport) {
          const auto = autoport?.value === 'yes' || port?.value === '-1';
          const s = port ?? autoport!;
          putStr('kvm.display.port', inst, auto ? 'auto' : s.value, s.key, s.raw);
          if (!inst) config.display.vrdePorts = S(auto ? 'auto' : s.value, s.key, s.raw);
        }
        const passwd = attr(dev, 'passwd');
        // Never keep the password itself: only whether one is set (virsh omits it without --security-info).
        if (passwd) putStr('kvm.display.password', inst, 'set', passwd.key, '(hidden)');
        const gl = attr(childEl(dev, 'gl'), 'enable');
        put('kvm.display.opengl', inst, gl);
        if (!inst && type && ['vnc', 'spice', 'rdp'].includes(type.value))
          config.display.vrdeEnabled = S(true, type.key, type.raw);
        break;
      }
      case 'video': {
        const inst = single('video');
        const model = childEl(dev, 'model');
        const type = attr(model, 'type');
        put('kvm.display.videoModel', inst, type);
        const vram = attr(model, 'vram');
        const heads = attr(model, 'heads');
        const accel = attr(childEl(model, 'acceleration'), 'accel3d');
        put('kvm.display.vram', inst, vram);
        put('kvm.display.heads', inst, heads);
        put('kvm.display.accel3d', inst, accel);
        if (!inst) {
          if (type) config.display.graphicsController = type;
          const vramKiB = wholeNumber(vram?.value, issues, '<model vram>', model?.line ?? dev.line);
          if (vram && vramKiB !== undefined)
            config.display.vramMB = S(Math.round(vramKiB / 1024), vram.key, vram.raw);
          const headCount = wholeNumber(heads?.value, issues, '<model heads>', model?.line ?? dev.line);
          if (heads && headCount !== undefined)
            config.display.monitorCount = S(headCount, heads.key, heads.raw);
          if (accel) config.display.accelerate3d = S(isYes(accel.value), accel.key, accel.raw);
        }
        break;
      }
      case 'sound': {
        const inst = single('sound');
        const model = attr(dev, 'model');
        put('kvm.devices.sound', inst, model);
        if (!inst && model) {
          const neutral = /^ich[69]$/.test(model.value) ? 'hda' : model.value;
          config.audio.controller = S(neutral, model.key, model.raw);
          config.audio.enabled = true;
        }
        break;
      }
      case 'audio': {
        const inst = single('audio');
        const type = attr(dev, 'type');
        put('kvm.devices.audio', inst, type);
        if (!inst && type) config.audio.driver = type;
        break;
      }
      case 'serial':
      case 'console':
      case 'channel':
        readCharDevice(dev, next(dev.name));
        break;
      case 'input': {
        const n = next('input');
        const type = dev.attrs.type ?? '?';
        const bus = dev.attrs.bus;
        putStr(
          'kvm.devices.input',
          String(n),
          bus ? `${type} (${bus})` : type,
          `${dev.path}/@type`,
          bus ? `${type} ${bus}` : type,
        );
        break;
      }
      case 'filesystem':
        readFilesystem(dev, next('filesystem'));
        break;
      case 'tpm': {
        const inst = single('tpm');
        const backend = childEl(dev, 'backend');
        const version = backend?.attrs.version;
        const text = [dev.attrs.model ?? 'default', backend?.attrs.type, version].filter(Boolean).join(' ');
        putStr('kvm.devices.tpm', inst, text, `${dev.path}/@model`, text);
        if (!inst)
          config.system.tpm = S(
            version === '2.0' ? 'v2_0' : version === '1.2' ? 'v1_2' : 'unknown',
            backend ? `${backend.path}/@version` : dev.path,
            version ?? '',
          );
        break;
      }
      case 'rng': {
        const inst = single('rng');
        const backend = childEl(dev, 'backend');
        const text = [dev.attrs.model ?? '?', backend?.text.trim() || backend?.attrs.model]
          .filter(Boolean)
          .join(' ');
        putStr('kvm.devices.rng', inst, text, `${dev.path}/@model`, text);
        break;
      }
      case 'hostdev': {
        const n = next('hostdev');
        const type = dev.attrs.type ?? '?';
        const source = childEl(dev, 'source');
        const vendor = attr(childEl(source, 'vendor'), 'id');
        const product = attr(childEl(source, 'product'), 'id');
        const address = childEl(source, 'address');
        const what =
          vendor && product
            ? `${vendor.value}:${product.value}`
            : address
              ? Object.entries(address.attrs)
                  .map(([k, v]) => `${k}=${v}`)
                  .join(' ')
              : '';
        putStr(
          'kvm.devices.hostdev',
          String(n),
          `${type} ${what}`.trim(),
          `${dev.path}/@type`,
          `${type} ${what}`.trim(),
        );
        if (type === 'usb' && vendor && product) {
          const hex = (v: string): string => v.replace(/^0x/i, '').toLowerCase().padStart(4, '0');
          config.usb.filters.push({
            index: config.usb.filters.length + 1,
            name: `hostdev ${n}`,
            active: true,
            vendorId: hex(vendor.value),
            productId: hex(product.value),
          });
        }
        break;
      }
      case 'redirdev': {
        const n = next('redirdev');
        const text = [dev.attrs.bus ?? 'usb', dev.attrs.type].filter(Boolean).join(' ');
        putStr('kvm.devices.usbRedirect', String(n), text, `${dev.path}/@type`, text);
        break;
      }
      case 'watchdog': {
        const inst = single('watchdog');
        const text = [dev.attrs.model ?? 'default', dev.attrs.action].filter(Boolean).join(', ');
        putStr('kvm.devices.watchdog', inst, text, `${dev.path}/@model`, text);
        break;
      }
      case 'memballoon': {
        const inst = single('memballoon');
        const model = attr(dev, 'model');
        put('kvm.memory.balloon', inst, model);
        break;
      }
      default:
        unknownKeys.push(unknownOf(dev));
    }
  }
  if (devices && usbModels.length === 0 && !config.usb.ohci && !config.usb.ehci && !config.usb.xhci) {
    putStr('kvm.devices.usbController', undefined, 'none', `${devices.path}/controller[@type='usb']`, '');
  }
  for (const el of root.children) if (!KNOWN_TOP.has(el.name)) unknownKeys.push(unknownOf(el));

  if (perDeviceBoot.length > 0) {
    perDeviceBoot.sort((a, b) => a.order - b.order);
    if (config.system.bootOrder.length > 0)
      issues.push({
        message: 'both <os><boot dev> and per-device <boot order> are set (libvirt refuses this)',
      });
    for (const b of perDeviceBoot) config.system.bootOrder.push(S(b.neutral, b.key, b.raw));
    const list = perDeviceBoot.map((b) => b.what).join(', ');
    putStr('kvm.boot.order', undefined, list, `${devices!.path}/*/boot/@order`, list);
  }
  config.storage = [...controllers.values()].sort((a, b) => a.index - b.index);
  return config;

  // ---- device readers (hoisted; share the closures above) --------------------------------------

  function readDisk(dev: XmlEl): void {
    const n = next('disk');
    const target = childEl(dev, 'target');
    const targetDev = target?.attrs.dev;
    const inst = targetDev && /^[A-Za-z0-9_-]+$/.test(targetDev) ? targetDev : String(n);
    const device = dev.attrs.device ?? 'disk';
    putStr('kvm.disks.device', inst, device, `${dev.path}/@device`, dev.attrs.device ?? '');
    put('kvm.disks.target', inst, attr(target, 'dev'));
    const prefixBus = BUS_BY_PREFIX.find(([re]) => re.test(targetDev ?? ''))?.[1];
    const bus = target?.attrs.bus ?? prefixBus ?? 'unknown';
    if (target?.attrs.bus) put('kvm.disks.bus', inst, attr(target, 'bus'));
    else putStr('kvm.disks.bus', inst, bus, `${target?.path ?? dev.path}/@bus`, '');

    const source = childEl(dev, 'source');
    let medium: Sourced<string> | undefined;
    if (source) {
      const a = source.attrs;
      if (a.file !== undefined) medium = attr(source, 'file');
      else if (a.dev !== undefined) medium = attr(source, 'dev');
      else if (a.dir !== undefined) medium = attr(source, 'dir');
      else if (a.pool !== undefined || a.volume !== undefined) {
        const v = `${a.pool ?? '?'}/${a.volume ?? '?'}`;
        medium = S(v, source.path, `pool='${a.pool ?? ''}' volume='${a.volume ?? ''}'`);
      } else if (a.protocol !== undefined) {
        const host = childEl(source, 'host');
        const v = `${a.protocol}://${host?.attrs.name ?? ''}${host?.attrs.port ? `:${host.attrs.port}` : ''}/${a.name ?? ''}`;
        medium = S(v, source.path, v);
      }
    }
    if (medium) put('kvm.disks.source', inst, medium);
    const driver = childEl(dev, 'driver');
    put('kvm.disks.format', inst, attr(driver, 'type'));
    put('kvm.disks.cache', inst, attr(driver, 'cache'));
    put('kvm.disks.discard', inst, attr(driver, 'discard'));
    put('kvm.disks.io', inst, attr(driver, 'io'));
    const ro = childEl(dev, 'readonly');
    if (ro) putStr('kvm.disks.readonly', inst, 'yes', ro.path, 'present');
    const sh = childEl(dev, 'shareable');
    if (sh) putStr('kvm.disks.shareable', inst, 'yes', sh.path, 'present');
    put('kvm.disks.serial', inst, textOf(childEl(dev, 'serial')));

    // Neutral attachment
    const address = childrenEl(dev, 'address').find((a) => a.attrs.type === 'drive');
    const num = (v: string | undefined): number | undefined =>
      wholeNumber(
        v,
        issues,
        '<address> number',
        address?.line ?? dev.line,
        "the drive's place is taken from its target",
      );
    const tIndex = targetIndex(targetDev ?? '');
    if (
      tIndex === undefined &&
      targetDev !== undefined &&
      /^(?:vd|sd|hd|xvd|fd|ubd|nvme\d+n)[a-z]+$/.test(targetDev)
    )
      issues.push(
        tooLargeIssue(
          '<target dev> index',
          targetDev,
          target?.line ?? dev.line,
          'the drive is placed as the first on its bus',
        ),
      );
    const ti = tIndex ?? 0;
    let ctlIndex = num(address?.attrs.controller) ?? 0;
    let port: number;
    let unit = 0;
    switch (bus) {
      case 'ide':
        if (!address) ctlIndex = Math.floor(ti / 4);
        port = num(address?.attrs.bus) ?? Math.floor((ti % 4) / 2);
        unit = num(address?.attrs.unit) ?? ti % 2;
        break;
      case 'fdc':
        port = 0;
        unit = num(address?.attrs.unit) ?? ti;
        break;
      case 'sata':
        if (!address) ctlIndex = Math.floor(ti / 6);
        port = num(address?.attrs.unit) ?? ti % 6;
        break;
      case 'scsi':
        port = num(address?.attrs.unit) ?? ti;
        break;
      default:
        ctlIndex = 0;
        port = ti;
    }
    const controller = storageController(bus, ctlIndex, undefined, `${target?.path ?? dev.path}/@bus`);
    const kind: StorageAttachment['kind'] =
      device === 'cdrom'
        ? medium
          ? 'dvd'
          : 'empty'
        : device === 'floppy'
          ? medium
            ? 'floppy'
            : 'empty'
          : 'hdd';
    const att: StorageAttachment = {
      port,
      device: unit,
      medium: medium ?? S('emptydrive', `${dev.path}/source`, ''),
      kind,
    };
    const discard = attr(driver, 'discard');
    if (discard) att.discard = S(discard.value === 'unmap', discard.key, discard.raw);
    const rotation = attr(target, 'rotation_rate');
    if (rotation) att.nonRotational = S(rotation.value === '1', rotation.key, rotation.raw);
    if (device === 'lun') att.passthrough = S(true, `${dev.path}/@device`, device);
    controller.attachments.push(att);

    const bootEl = childEl(dev, 'boot');
    const order = attr(bootEl, 'order');
    const orderNumber = wholeNumber(order?.value, issues, '<boot order>', bootEl?.line ?? dev.line);
    if (order && orderNumber !== undefined) {
      perDeviceBoot.push({
        order: orderNumber,
        what: targetDev ?? `disk ${n}`,
        neutral: device === 'cdrom' ? 'dvd' : device === 'floppy' ? 'floppy' : 'disk',
        key: order.key,
        raw: order.raw,
      });
    }
  }

  function readInterface(dev: XmlEl, n: number): void {
    const inst = String(n);
    const type = attr(dev, 'type') ?? S('?', `${dev.path}/@type`, '');
    put('kvm.nics.source', inst, type);
    const source = childEl(dev, 'source');
    const sourceName =
      attr(source, 'network') ?? attr(source, 'bridge') ?? attr(source, 'dev') ?? attr(source, 'path');
    put('kvm.nics.sourceName', inst, sourceName);
    put('kvm.nics.sourceMode', inst, type.value === 'direct' ? attr(source, 'mode') : undefined);
    const model = attr(childEl(dev, 'model'), 'type');
    put('kvm.nics.model', inst, model);
    const macEl = childEl(dev, 'mac');
    const mac = attr(macEl, 'address');
    put('kvm.nics.mac', inst, mac);
    const link = attr(childEl(dev, 'link'), 'state');
    put('kvm.nics.linkState', inst, link);
    put('kvm.nics.target', inst, attr(childEl(dev, 'target'), 'dev'));
    put('kvm.nics.backend', inst, attr(childEl(dev, 'backend'), 'type'));

    const neutral: Record<string, string> = {
      network: 'natnetwork',
      bridge: 'bridged',
      direct: 'bridged',
      user: 'nat',
    };
    const adapter: NetworkAdapter = {
      slot: n,
      attachment: S(neutral[type.value] ?? 'Generic', type.key, type.raw),
      portForwards: [],
    };
    if (sourceName) adapter.attachmentName = sourceName;
    if (model) adapter.adapterType = model;
    if (mac) {
      const hex = mac.value.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
      if (hex.length === 12) adapter.macAddress = S(hex, mac.key, mac.raw);
      else
        issues.push({
          line: macEl!.line,
          message: `line ${macEl!.line}: MAC address "${mac.raw}" is not 6 bytes`,
        });
    }
    if (link) adapter.cableConnected = S(link.value !== 'down', link.key, link.raw);
    const forwards = childrenEl(dev, 'portForward');
    for (const pf of forwards) {
      const proto = pf.attrs.proto ?? 'tcp';
      for (const range of childrenEl(pf, 'range')) {
        const portOf = (name: string, outcome: string): number | undefined => {
          const p = Number(range.attrs[name]);
          if (!Number.isInteger(p)) return undefined;
          if (Number.isSafeInteger(p)) return p;
          issues.push(tooLargeIssue(`<range ${name}>`, range.attrs[name], range.line, outcome));
          return undefined;
        };
        const start = portOf('start', 'the forwarding is left out');
        if (start === undefined) continue;
        const to =
          range.attrs.to !== undefined
            ? (portOf('to', 'the guest port is taken from start') ?? start)
            : start;
        const rawText = Object.entries(range.attrs)
          .map(([k, v]) => `${k}=${v}`)
          .join(' ');
        const fwd: PortForward = {
          name: `${proto} ${start}`,
          protocol: proto === 'udp' ? 'udp' : 'tcp',
          hostIp: pf.attrs.address ?? '',
          hostPort: start,
          guestIp: '',
          guestPort: to,
          key: range.path,
          raw: `proto=${proto}${pf.attrs.address ? ` address=${pf.attrs.address}` : ''} ${rawText}`,
        };
        adapter.portForwards.push(fwd);
      }
    }
    if (forwards.length > 0) {
      const list = adapter.portForwards.map((f) => `${f.protocol} ${f.hostPort}→${f.guestPort}`).join(', ');
      putStr('kvm.nics.portForward', inst, list, `${dev.path}/portForward`, list);
    }
    config.network.push(adapter);

    const bootEl = childEl(dev, 'boot');
    const order = attr(bootEl, 'order');
    const orderNumber = wholeNumber(order?.value, issues, '<boot order>', bootEl?.line ?? dev.line);
    if (order && orderNumber !== undefined)
      perDeviceBoot.push({
        order: orderNumber,
        what: `interface ${n}`,
        neutral: 'net',
        key: order.key,
        raw: order.raw,
      });
  }

  function readCharDevice(dev: XmlEl, n: number): void {
    const inst = String(n);
    const type = dev.attrs.type ?? 'pty';
    const target = childEl(dev, 'target');
    const source = childEl(dev, 'source');
    const targetType = target?.attrs.type;
    const where =
      source?.attrs.path ??
      (source?.attrs.host !== undefined ? `${source.attrs.host}:${source.attrs.service ?? ''}` : undefined) ??
      (dev.name === 'channel' ? target?.attrs.name : undefined);
    const text = [type, targetType, where].filter(Boolean).join(' ');
    const id: KvmControlId =
      dev.name === 'serial'
        ? 'kvm.devices.serial'
        : dev.name === 'console'
          ? 'kvm.devices.console'
          : 'kvm.devices.channel';
    putStr(id, inst, text, `${dev.path}/@type`, text);
    if (dev.name !== 'serial') return;
    const mode = source?.attrs.mode;
    const neutral =
      type === 'file'
        ? 'file'
        : type === 'tcp'
          ? mode === 'bind'
            ? 'tcpserver'
            : 'tcpclient'
          : type === 'unix'
            ? mode === 'bind'
              ? 'server'
              : 'client'
            : type === 'dev'
              ? 'device'
              : type === 'null'
                ? 'disconnected'
                : type;
    const port: SerialPort = {
      slot: n,
      enabled: S(true, dev.path, type),
      mode: S(neutral, `${dev.path}/@type`, type),
    };
    if (where && dev.name === 'serial') port.path = where;
    const uart = attr(childEl(target, 'model'), 'name');
    if (uart) port.uartType = uart;
    config.serial.push(port);
  }

  function readFilesystem(dev: XmlEl, n: number): void {
    const inst = String(n);
    const driver = attr(childEl(dev, 'driver'), 'type');
    if (driver) put('kvm.devices.fsDriver', inst, driver);
    else putStr('kvm.devices.fsDriver', inst, 'default', `${dev.path}/driver/@type`, '');
    const source = childEl(dev, 'source');
    const src = attr(source, 'dir') ?? attr(source, 'file') ?? attr(source, 'name') ?? attr(source, 'socket');
    put('kvm.devices.fsSource', inst, src);
    const target = attr(childEl(dev, 'target'), 'dir');
    put('kvm.devices.fsTarget', inst, target);
    put('kvm.devices.fsAccessMode', inst, attr(dev, 'accessmode'));
    if ((dev.attrs.type ?? 'mount') === 'mount' && src && target) {
      const folder: SharedFolder = {
        index: config.sharedFolders.length + 1,
        name: target,
        hostPath: src,
        transient: false,
      };
      config.sharedFolders.push(folder);
    }
  }
}

function unknownOf(el: XmlEl): UnknownKey {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
  const text = el.children.length === 0 ? el.text.trim() : '';
  return { key: el.path, value: [attrs, text].filter(Boolean).join(' ').slice(0, 200), line: el.line };
}

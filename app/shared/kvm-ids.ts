/**
 * Every control of the KVM/libvirt settings mirror (the shape of virt-manager's details view), by
 * catalog id `kvm.<page>.<control>` (pages: see `KVM_PAGES` in foreign-catalog.ts). A unit test fails
 * when an id here lacks an entry in `resources/catalog/kvm/*.json` or an entry is not listed here.
 *
 * `VmConfig.native` of a KVM domain is keyed by these ids, with an instance suffix:
 * - disks: `#<target dev>` (`kvm.disks.bus#vda`; `#<n>`, 1-based, when a disk has no target);
 *   controllers: `#<type><index>` (`kvm.disks.controllerType#sata0`);
 * - NICs, serial ports, consoles, channels, input devices, filesystems, host devices and USB
 *   redirections: `#<n>`, 1-based in document order (`kvm.nics.model#1`);
 * - devices a domain normally has once (graphics, video, sound, audio, USB controller, TPM, RNG,
 *   watchdog, memory balloon): the first one without a suffix, further ones `#2`, `#3`, …
 * Tabs named `xml` hold settings virt-manager's details view has no control for (edited in its XML tab
 * or with `virsh edit`).
 */
export const KVM_CONTROL_IDS = [
  // Overview › Basic details
  'kvm.overview.name',
  'kvm.overview.uuid',
  'kvm.overview.status',
  'kvm.overview.title',
  'kvm.overview.description',
  // Overview › Operating system
  'kvm.overview.osInfo',
  // Overview › Hypervisor details
  'kvm.overview.hypervisor',
  'kvm.overview.architecture',
  'kvm.overview.emulator',
  'kvm.overview.chipset',
  'kvm.overview.firmware',
  // Overview › XML only
  'kvm.overview.secureBoot',
  'kvm.overview.acpi',
  'kvm.overview.apic',
  'kvm.overview.hyperv',
  'kvm.overview.kvmHidden',
  'kvm.overview.clock',
  'kvm.overview.onPoweroff',
  'kvm.overview.onReboot',
  'kvm.overview.onCrash',
  // CPUs
  'kvm.cpus.vcpus',
  'kvm.cpus.maxVcpus',
  'kvm.cpus.mode',
  'kvm.cpus.model',
  'kvm.cpus.sockets',
  'kvm.cpus.cores',
  'kvm.cpus.threads',
  'kvm.cpus.features',
  // Memory
  'kvm.memory.current',
  'kvm.memory.maximum',
  'kvm.memory.shared',
  'kvm.memory.hugepages',
  'kvm.memory.balloon',
  // Boot Options
  'kvm.boot.autostart',
  'kvm.boot.bootMenu',
  'kvm.boot.order',
  'kvm.boot.kernel',
  'kvm.boot.initrd',
  'kvm.boot.cmdline',
  // Disks (one page per disk) and storage controllers
  'kvm.disks.device',
  'kvm.disks.bus',
  'kvm.disks.target',
  'kvm.disks.source',
  'kvm.disks.format',
  'kvm.disks.cache',
  'kvm.disks.discard',
  'kvm.disks.io',
  'kvm.disks.readonly',
  'kvm.disks.shareable',
  'kvm.disks.serial',
  'kvm.disks.controllerType',
  'kvm.disks.controllerModel',
  // NICs
  'kvm.nics.source',
  'kvm.nics.sourceName',
  'kvm.nics.sourceMode',
  'kvm.nics.model',
  'kvm.nics.mac',
  'kvm.nics.linkState',
  'kvm.nics.target',
  'kvm.nics.backend',
  'kvm.nics.portForward',
  // Display (graphics) and Video
  'kvm.display.graphicsType',
  'kvm.display.listen',
  'kvm.display.port',
  'kvm.display.password',
  'kvm.display.opengl',
  'kvm.display.videoModel',
  'kvm.display.accel3d',
  'kvm.display.vram',
  'kvm.display.heads',
  // Other devices
  'kvm.devices.sound',
  'kvm.devices.audio',
  'kvm.devices.usbController',
  'kvm.devices.serial',
  'kvm.devices.console',
  'kvm.devices.channel',
  'kvm.devices.input',
  'kvm.devices.fsDriver',
  'kvm.devices.fsSource',
  'kvm.devices.fsTarget',
  'kvm.devices.fsAccessMode',
  'kvm.devices.tpm',
  'kvm.devices.rng',
  'kvm.devices.hostdev',
  'kvm.devices.usbRedirect',
  'kvm.devices.watchdog',
] as const;

/** A KVM mirror control id (see {@link KVM_CONTROL_IDS}). */
export type KvmControlId = (typeof KVM_CONTROL_IDS)[number];

/** A `VmConfig.native` key of a KVM domain: a control id, optionally with `#instance`. */
export type KvmNativeKey = KvmControlId | `${KvmControlId}#${string}`;

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

export type VmwareControlId = (typeof VMWARE_CONTROL_IDS)[number];

/** A VMware control id, optionally with an `#instance` suffix (`vmware.network.connection#ethernet0`). */
export type VmwareSettingId = VmwareControlId | `${VmwareControlId}#${string}`;

/** True when `id` (without its `#instance` suffix) is a VMware mirror control id. */
export function isVmwareControlId(id: string): boolean {
  const hash = id.indexOf('#');
  return (VMWARE_CONTROL_IDS as readonly string[]).includes(hash === -1 ? id : id.slice(0, hash));
}

/**
 * Every control the settings mirror shows, by catalog id. The mirror may only render controls
 * listed here, and a unit test fails when any of these ids lacks a catalog entry (or an entry
 * is not listed here).
 *
 * Tabs named `cli` hold the "Advanced (VBoxManage only)" settings: keys `showvminfo` prints (or the
 * `.vbox` file holds) that VirtualBox's Settings dialog has no control for.
 */
export const MIRROR_CONTROL_IDS = [
  // General › Basic
  'general.basic.name',
  'general.basic.type',
  'general.basic.subtype',
  'general.basic.version',
  // General › Advanced
  'general.advanced.snapshotFolder',
  'general.advanced.clipboard',
  'general.advanced.dragAndDrop',
  // General › Description
  'general.description.text',
  // General › Disk Encryption
  'general.encryption.enabled',
  'general.encryption.cipher',
  'general.encryption.password',
  'general.encryption.confirmPassword',
  // General › Advanced (VBoxManage only)
  'general.cli.groups',
  'general.cli.hardwareUuid',
  'general.cli.logFolder',
  'general.cli.clipboardFileTransfers',
  'general.cli.vmEncryption',
  'general.cli.autostart',
  'general.cli.defaultFrontend',
  'general.cli.teleporter',
  // System › Motherboard
  'system.motherboard.memory',
  'system.motherboard.bootOrder',
  'system.motherboard.chipset',
  'system.motherboard.tpm',
  'system.motherboard.pointingDevice',
  'system.motherboard.ioApic',
  'system.motherboard.rtcUseUtc',
  'system.motherboard.efi',
  'system.motherboard.secureBoot',
  'system.motherboard.resetKeys',
  // System › Processor
  'system.processor.cpus',
  'system.processor.executionCap',
  'system.processor.pae',
  'system.processor.nestedHwVirt',
  // System › Acceleration
  'system.acceleration.paravirtProvider',
  'system.acceleration.nestedPaging',
  'system.acceleration.hwVirtEx',
  // System › Advanced (VBoxManage only)
  'system.cli.pageFusion',
  'system.cli.bootMenu',
  'system.cli.keyboard',
  'system.cli.acpi',
  'system.cli.biosApic',
  'system.cli.systemTimeOffset',
  'system.cli.nvramFile',
  'system.cli.hpet',
  'system.cli.iommu',
  'system.cli.platformArchitecture',
  'system.cli.tpmLocation',
  'system.cli.longMode',
  'system.cli.tripleFaultReset',
  'system.cli.apic',
  'system.cli.x2apic',
  'system.cli.cpuProfile',
  'system.cli.cpuidPortability',
  'system.cli.cpuidOverrides',
  'system.cli.cpuHotPlug',
  'system.cli.largePages',
  'system.cli.vtxVpid',
  'system.cli.vtxUx',
  'system.cli.virtVmsaveVmload',
  'system.cli.paravirtDebug',
  'system.cli.executionEngine',
  'system.cli.guestMemoryBalloon',
  'system.cli.vmProcessPriority',
  'system.cli.tracing',
  'system.cli.pciPassthrough',
  // Display › Screen
  'display.screen.vram',
  'display.screen.monitorCount',
  'display.screen.scaleFactor',
  'display.screen.graphicsController',
  'display.screen.accelerate3d',
  'display.screen.accelerate2dVideo',
  // Display › Remote Display
  'display.remote.enabled',
  'display.remote.port',
  'display.remote.securityMethod',
  'display.remote.authType',
  'display.remote.authTimeout',
  'display.remote.multiConnections',
  // Display › Recording
  'display.recording.enabled',
  'display.recording.mode',
  'display.recording.filePath',
  'display.recording.frameSize',
  'display.recording.frameRate',
  'display.recording.videoQuality',
  'display.recording.audioQuality',
  'display.recording.screens',
  // Display › Advanced (VBoxManage only)
  'display.cli.vrdeAddress',
  'display.cli.vrdeReuseCon',
  'display.cli.vrdeVideoChannel',
  'display.cli.vrdeProperties',
  // Storage › controller
  'storage.controller.name',
  'storage.controller.type',
  'storage.controller.portCount',
  'storage.controller.hostIoCache',
  'storage.controller.bootable',
  // Storage › attachment
  'storage.attachment.medium',
  'storage.attachment.slot',
  'storage.attachment.ssd',
  'storage.attachment.hotPluggable',
  'storage.attachment.liveCd',
  'storage.attachment.passthrough',
  'storage.attachment.discard',
  // Storage › Information panel
  'storage.info.type',
  'storage.info.virtualSize',
  'storage.info.actualSize',
  'storage.info.location',
  'storage.info.attachedTo',
  'storage.info.encryption',
  // Storage › Advanced (VBoxManage only)
  'storage.cli.bandwidthGroup',
  // Audio › main
  'audio.main.enabled',
  'audio.main.driver',
  'audio.main.controller',
  'audio.main.output',
  'audio.main.input',
  // Audio › Advanced (VBoxManage only)
  'audio.cli.codec',
  // Network › Adapter N
  'network.adapter.enabled',
  'network.adapter.attachedTo',
  'network.adapter.name',
  'network.adapter.adapterType',
  'network.adapter.promiscuous',
  'network.adapter.mac',
  'network.adapter.cable',
  'network.adapter.genericProperties',
  'network.adapter.portForwarding',
  // Network › Advanced (VBoxManage only)
  'network.cli.nicSpeed',
  'network.cli.natTuning',
  'network.cli.natLocalhostReachable',
  'network.cli.natForwardBroadcast',
  // Serial Ports › Port N
  'serial.port.enabled',
  'serial.port.number',
  'serial.port.irq',
  'serial.port.ioPort',
  'serial.port.mode',
  'serial.port.connectExisting',
  'serial.port.path',
  // Serial Ports › Advanced (VBoxManage only)
  'serial.cli.uartType',
  'serial.cli.parallelPort',
  // USB › main
  'usb.main.enabled',
  'usb.main.controllerType',
  'usb.main.filters',
  // USB › USB device filter fields
  'usb.filter.active',
  'usb.filter.name',
  'usb.filter.vendorId',
  'usb.filter.productId',
  'usb.filter.revision',
  'usb.filter.manufacturer',
  'usb.filter.product',
  'usb.filter.serialNumber',
  'usb.filter.port',
  'usb.filter.remote',
  // Shared Folders › main
  'sharedFolders.main.list',
  'sharedFolders.main.name',
  'sharedFolders.main.path',
  'sharedFolders.main.writable',
  'sharedFolders.main.autoMount',
  'sharedFolders.main.autoMountPoint',
  'sharedFolders.main.permanent',
  // Shared Folders › Advanced (VBoxManage only)
  'sharedFolders.cli.symlinkPolicy',
  // User Interface › main
  'userInterface.main.menuBar',
  'userInterface.main.menuBarContents',
  'userInterface.main.visualState',
  'userInterface.main.statusBar',
  'userInterface.main.statusBarContents',
  'userInterface.main.miniToolBar',
  'userInterface.main.miniToolBarAtTop',
  // User Interface › Advanced (VBoxManage only)
  'userInterface.cli.miniToolBarAutoHide',
] as const;

export type MirrorControlId = (typeof MIRROR_CONTROL_IDS)[number];

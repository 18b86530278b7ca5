/**
 * Every control the settings mirror shows, by catalog id. The mirror may only render controls
 * listed here, and a unit test fails when any of these ids lacks a catalog entry (or an entry
 * is not listed here).
 */
export const MIRROR_CONTROL_IDS = [
  // General › Basic / Advanced / Description
  'general.basic.name',
  'general.basic.type',
  'general.basic.version',
  'general.advanced.snapshotFolder',
  'general.advanced.clipboard',
  'general.advanced.dragAndDrop',
  'general.description.text',
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
  // System › Processor
  'system.processor.cpus',
  'system.processor.executionCap',
  'system.processor.pae',
  'system.processor.nestedHwVirt',
  // System › Acceleration
  'system.acceleration.paravirtProvider',
  'system.acceleration.nestedPaging',
  'system.acceleration.hwVirtEx',
  // Display › Screen / Remote Display / Recording
  'display.screen.vram',
  'display.screen.monitorCount',
  'display.screen.scaleFactor',
  'display.screen.graphicsController',
  'display.screen.accelerate3d',
  'display.remote.enabled',
  'display.recording.enabled',
  // Storage
  'storage.controller.name',
  'storage.controller.type',
  'storage.controller.portCount',
  'storage.controller.hostIoCache',
  'storage.controller.bootable',
  'storage.attachment.medium',
  'storage.attachment.slot',
  'storage.attachment.ssd',
  'storage.attachment.hotPluggable',
  'storage.attachment.liveCd',
  'storage.attachment.passthrough',
  'storage.attachment.discard',
  // Audio
  'audio.main.enabled',
  'audio.main.driver',
  'audio.main.controller',
  'audio.main.output',
  'audio.main.input',
  // Network › Adapter N
  'network.adapter.enabled',
  'network.adapter.attachedTo',
  'network.adapter.name',
  'network.adapter.adapterType',
  'network.adapter.promiscuous',
  'network.adapter.mac',
  'network.adapter.cable',
  'network.adapter.portForwarding',
  // Serial Ports › Port N
  'serial.port.enabled',
  'serial.port.number',
  'serial.port.mode',
  'serial.port.path',
  // USB
  'usb.main.enabled',
  'usb.main.controllerType',
  'usb.main.filters',
  // Shared Folders
  'sharedFolders.main.list',
  // User Interface
  'userInterface.main.menuBar',
  'userInterface.main.statusBar',
  'userInterface.main.miniToolBar',
] as const;

export type MirrorControlId = (typeof MIRROR_CONTROL_IDS)[number];

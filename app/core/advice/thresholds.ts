import { isWddmType, type GuestProfile } from './guest.ts';

/**
 * Numeric thresholds of VirtualBox's Settings dialog, computed the way the GUI computes them
 * (reference `virtualbox-settings.md` §5.2, §5.3, §5.8).
 */

/** Base-memory limits for one host. */
export interface RamLimits {
  /** Host RAM in MB. */
  hostMB: number;
  /** VirtualBox warns when the VM's RAM is above this (MB, `maxRAMOpt`). */
  warnAboveMB: number;
  /** VirtualBox refuses to save when the VM's RAM is above this (MB, `maxRAMAlw`). */
  errorAboveMB: number;
  /** The table's percentages (e.g. 70 and 90 for an 8 GB host). */
  warnPercent: number;
  errorPercent: number;
}

/** Host RAM bands: `[lower bound MB, warn fraction, error fraction]`, highest band first. */
const RAM_TABLE: [number, number, number][] = [
  [131072, 0.9, 0.96],
  [65536, 0.85, 0.95],
  [32768, 0.8, 0.94],
  [16384, 0.75, 0.93],
  [8192, 0.7, 0.9],
  [6144, 0.65, 0.88],
  [4096, 0.6, 0.84],
  [3072, 0.5, 0.8],
  [0, 0.5, 0.75],
];

/**
 * The base-memory thresholds for a host with `hostMB` MB of RAM (`UIBaseMemoryEditor.cpp`, same
 * table in 6.1 and 7.x): each limit is the fraction of host RAM truncated to a whole MB, as the GUI
 * does (`(uint)(0.70 * 8192)` = 5734). The GUI also caps both at the slider maximum (host RAM
 * rounded up to a GB), which never lowers them.
 */
export function ramLimits(hostMB: number): RamLimits {
  const row = RAM_TABLE.find(([min]) => hostMB >= min) ?? RAM_TABLE[RAM_TABLE.length - 1];
  return {
    hostMB,
    warnAboveMB: Math.floor(row[1] * hostMB),
    errorAboveMB: Math.floor(row[2] * hostMB),
    warnPercent: Math.round(row[1] * 100),
    errorPercent: Math.round(row[2] * 100),
  };
}

/** A host screen size in pixels. */
export interface ScreenSize {
  width: number;
  height: number;
}

/** Host screens assumed when the caller does not know them: one Full HD screen. */
export const DEFAULT_HOST_SCREENS: readonly ScreenSize[] = [{ width: 1920, height: 1080 }];

const MB = 1024 * 1024;

/**
 * Video memory (MB) VirtualBox's GUI asks for (`UICommon::requiredVideoMemory`): host screen areas
 * sorted largest first, extra guest monitors reuse the largest; per guest monitor
 * `width × height × 4` bytes + 1 MB + 4 KB; rounded up to whole MB; then ×3 for WDDM Windows types
 * and ×2 for other Windows types. One 1920×1080 screen → 9 MB (Linux), 27 MB (Windows 10).
 * @param monitors guest monitor count (≥ 1; smaller values count as 1).
 */
export function requiredVideoMemoryMB(
  guest: GuestProfile,
  monitors: number,
  hostScreens: readonly ScreenSize[] = DEFAULT_HOST_SCREENS,
): number {
  const count = Math.max(1, Math.floor(monitors));
  const areas = (hostScreens.length > 0 ? hostScreens : DEFAULT_HOST_SCREENS)
    .map((s) => s.width * s.height)
    .sort((a, b) => b - a);
  let bytes = 0;
  for (let i = 0; i < count; i++) bytes += (areas[i] ?? areas[0]) * 4 + MB + 4096;
  let mb = Math.ceil(bytes / MB);
  if (guest.familyId === 'Windows') mb *= isWddmType(guest) ? 3 : 2;
  return mb;
}

/** OS type ids for which VirtualBox never warns about low video memory (`shouldWeWarnAboutLowVRAM`). */
export const NO_VRAM_WARNING_TYPES: readonly string[] = [
  'Other',
  'Other_64',
  'Other_arm64',
  'VBoxBS_64',
  'DOS',
  'Netware',
  'L4',
  'QNX',
  'JRockitVE',
];

/** VRAM VirtualBox's GUI asks for when 3D acceleration is on for a WDDM Windows guest (MB). */
export const VRAM_3D_MIN_MB = 128;

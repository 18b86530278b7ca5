import { isWddmType, recommendedGraphics } from './guest.ts';
import { text, type AdviceRule, type RuleContext } from './rule.ts';
import {
  DEFAULT_HOST_SCREENS,
  NO_VRAM_WARNING_TYPES,
  requiredVideoMemoryMB,
  VRAM_3D_MIN_MB,
} from './thresholds.ts';
import type { VmConfig } from '../../shared/model.ts';

/** VirtualBox's checks of the Display page (reference `virtualbox-settings.md` §5.3). */

const DISPLAY_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsDisplay.cpp';
const VRAM_REF = `${DISPLAY_REF}, settings/editors/UIVideoMemoryEditor.cpp, globals/UICommon.cpp (requiredVideoMemory)`;

/** VirtualBox's largest video memory (MB). */
const MAX_VRAM_MB = 256;

/** Display names of graphics controllers as VirtualBox's combo box shows them. */
const CONTROLLER_LABEL: Record<string, string> = {
  vboxvga: 'VBoxVGA',
  vmsvga: 'VMSVGA',
  vboxsvga: 'VBoxSVGA',
  qemuramfb: 'QemuRamFB',
  null: 'None',
};
const label = (c: string): string => CONTROLLER_LABEL[c] ?? c;

/** The screens the VRAM estimate assumed, in words (for reasons). */
function screensText(ctx: RuleContext): { en: string; zh: string } {
  const screens = ctx.hostScreens && ctx.hostScreens.length > 0 ? ctx.hostScreens : DEFAULT_HOST_SCREENS;
  const list = screens.map((s) => `${s.width}×${s.height}`).join(', ');
  const assumed = !(ctx.hostScreens && ctx.hostScreens.length > 0);
  return assumed
    ? { en: `assuming one ${list} host screen`, zh: `按一块 ${list} 的主机屏幕估算` }
    : { en: `for host screens ${list}`, zh: `按主机屏幕 ${list} 计算` };
}

/** VRAM, monitors and the VRAM VirtualBox asks for; undefined when the rule cannot judge. */
function vramFacts(
  vm: VmConfig,
  ctx: RuleContext,
): { vram: number; monitors: number; required: number } | undefined {
  const vram = vm.display.vramMB?.value;
  if (vram === undefined) return undefined;
  if (vm.display.graphicsController?.value.toLowerCase() === 'null') return undefined;
  if (ctx.guest.typeId && NO_VRAM_WARNING_TYPES.includes(ctx.guest.typeId)) return undefined;
  const monitors = vm.display.monitorCount?.value ?? 1;
  return { vram, monitors, required: requiredVideoMemoryMB(ctx.guest, monitors, ctx.hostScreens) };
}

/** Display page rules (video memory, graphics controller, Remote Display). */
export const DISPLAY_RULES: AdviceRule[] = [
  {
    id: 'vbox.display.vram-below-required',
    settingId: 'display.screen.vram',
    source: 'virtualbox',
    ref: VRAM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const f = vramFacts(vm, ctx);
      if (!f || f.vram >= f.required) return [];
      const s = screensText(ctx);
      const target = Math.min(f.required, MAX_VRAM_MB);
      const mon = f.monitors === 1 ? 'one monitor' : `${f.monitors} monitors`;
      return [
        {
          title: text('Too little video memory for full screen', '显存不足以切换到全屏'),
          reason: text(
            `${f.vram} MB of video memory is less than the ${f.required} MB VirtualBox asks for to show ${mon} of this guest in full-screen or seamless mode (${s.en}).`,
            `显存 ${f.vram} MB 少于 VirtualBox 要求的 ${f.required} MB，这是此客户机用 ${f.monitors} 个显示器切换到全屏或无缝模式所需的最低值（${s.zh}）。`,
          ),
          fix: ctx.modifyvm(['--vram', String(target)]),
          numbers: { vramMB: f.vram, requiredMB: f.required, monitors: f.monitors },
        },
      ];
    },
  },
  {
    id: 'vbox.display.vram-below-3d',
    settingId: 'display.screen.vram',
    source: 'virtualbox',
    ref: VRAM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const f = vramFacts(vm, ctx);
      if (!f || vm.display.accelerate3d?.value !== true || !isWddmType(ctx.guest)) return [];
      const need = Math.max(f.required, VRAM_3D_MIN_MB);
      if (f.vram < f.required || f.vram >= need) return [];
      const target = Math.min(need, MAX_VRAM_MB);
      return [
        {
          title: text('Too little video memory for 3D', '显存不足以使用 3D 加速'),
          reason: text(
            `3D acceleration is on for a Windows guest with ${f.vram} MB of video memory; VirtualBox recommends at least ${need} MB for it.`,
            `这台 Windows 客户机开启了 3D 加速，但显存只有 ${f.vram} MB；VirtualBox 建议至少 ${need} MB。`,
          ),
          fix: ctx.modifyvm(['--vram', String(target)]),
          numbers: { vramMB: f.vram, requiredMB: need },
        },
      ];
    },
  },
  {
    id: 'vbox.display.3d-needs-recommended-controller',
    settingId: 'display.screen.graphicsController',
    source: 'virtualbox',
    ref: DISPLAY_REF,
    severity: 'warning',
    check(vm, ctx) {
      const current = vm.display.graphicsController?.value.toLowerCase();
      const rec = recommendedGraphics(ctx.guest);
      if (!current || !rec || current === rec || vm.display.accelerate3d?.value !== true) return [];
      return [
        {
          title: text('3D acceleration needs a different graphics controller', '3D 加速需要换一种显卡控制器'),
          reason: text(
            `3D acceleration only works with ${label(rec)} for ${ctx.guest.description}, but the controller is ${label(current)}. VirtualBox switches it when you save in its Settings dialog.`,
            `对 ${ctx.guest.description} 来说，3D 加速只能配合 ${label(rec)} 使用，而当前控制器是 ${label(current)}。在 VirtualBox 设置对话框中保存时会自动切换。`,
          ),
          fix: ctx.modifyvm(['--graphicscontroller', rec]),
        },
      ];
    },
  },
  {
    id: 'vbox.display.controller-not-recommended',
    settingId: 'display.screen.graphicsController',
    source: 'virtualbox',
    ref: DISPLAY_REF,
    severity: 'warning',
    check(vm, ctx) {
      const current = vm.display.graphicsController?.value.toLowerCase();
      const rec = recommendedGraphics(ctx.guest);
      if (!current || !rec || current === rec || vm.display.accelerate3d?.value === true) return [];
      return [
        {
          title: text('Graphics controller differs from the recommended one', '显卡控制器不是推荐的类型'),
          reason: text(
            `VirtualBox recommends ${label(rec)} for ${ctx.guest.description}, but this VM uses ${label(current)}. A mismatched controller is a common cause of a small fixed resolution or a black screen.`,
            `VirtualBox 为 ${ctx.guest.description} 推荐 ${label(rec)}，而此虚拟机使用 ${label(current)}。控制器不匹配是分辨率无法调整或黑屏的常见原因。`,
          ),
          fix: ctx.modifyvm(['--graphicscontroller', rec]),
        },
      ];
    },
  },
  {
    id: 'vbox.display.vrde-needs-extpack',
    settingId: 'display.remote.enabled',
    source: 'virtualbox',
    ref: DISPLAY_REF,
    severity: 'warning',
    check(vm, ctx) {
      // Only when the caller knows the pack is missing (`VBoxManage list extpacks`); unknown → no finding.
      if (vm.display.vrdeEnabled?.value !== true || ctx.extensionPack !== false) return [];
      return [
        {
          title: text('Remote Display needs the Extension Pack', '远程显示需要扩展包'),
          reason: text(
            'The Remote Display (VRDP) server is on, but no usable Oracle Extension Pack is installed, so the VM starts with remote display turned off.',
            '远程显示（VRDP）服务器已开启，但没有安装可用的 Oracle 扩展包，虚拟机启动时远程显示会被关闭。',
          ),
          fix: ctx.modifyvm(
            ['--vrde', 'off'],
            text(
              'Or keep it on and install the Extension Pack of exactly your VirtualBox version.',
              '也可以保持开启，并安装与 VirtualBox 版本完全一致的扩展包。',
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'vbox.display.vrde-port-empty',
    settingId: 'display.remote.enabled',
    source: 'virtualbox',
    ref: DISPLAY_REF,
    severity: 'error',
    check(vm, ctx) {
      const ports = vm.display.vrdePorts;
      if (vm.display.vrdeEnabled?.value !== true || !ports || ports.value.trim() !== '') return [];
      return [
        {
          title: text('Remote Display has no port', '远程显示没有端口'),
          reason: text(
            'The Remote Display server is on but its port is empty; VirtualBox will not save the settings this way.',
            '远程显示服务器已开启，但端口为空；这样 VirtualBox 不允许保存设置。',
          ),
          fix: ctx.modifyvm([ctx.flag('--vrde-port', '--vrdeport'), '3389']),
        },
      ];
    },
  },
];

import type { StorageController, VmConfig } from '../../shared/model.ts';
import { isLegacyVersion } from './commands.ts';
import { isWindowsXpOrOlder, recommendedParavirt, type GuestProfile } from './guest.ts';
import { enabledAdapters } from './rules-network.ts';
import { controllerBus, controllerInstance } from './rules-storage.ts';
import { text, type AdviceRule, type RuleContext, type RuleHit } from './rule.ts';
import { ramLimits } from './thresholds.ts';

/**
 * Mistakes learners commonly make, beyond VirtualBox's own dialog (reference
 * `settings-guidance.md` B1, B8, B11, B13, B14).
 */

const WIN11_REF =
  'Microsoft, "Windows 11 specifications and system requirements"; VirtualBox manual, "Motherboard Tab"';
const PARAVIRT_REF = 'VirtualBox manual, "Paravirtualization Providers"';
const STORAGE_REF = 'VirtualBox manual, "Hard Disk Controllers"';
const NIC_REF = 'VirtualBox manual, "Virtual Networking Hardware" and "64-bit Guests"';

const isWin11 = (g: GuestProfile): boolean => g.windows === '11';

/** True when the firmware is one of the EFI variants. */
const isEfi = (vm: VmConfig): boolean => /^efi/i.test(vm.system.firmware?.value ?? '');

/** The effective paravirtualization interface: `effparavirtprovider` when printed, else resolved from `paravirtprovider`. */
export function effectiveParavirt(vm: VmConfig, g: GuestProfile): string | undefined {
  const eff = vm.system.effectiveParavirtProvider?.value.toLowerCase();
  if (eff) return eff;
  const set = vm.system.paravirtProvider?.value.toLowerCase();
  if (set === undefined) return undefined;
  if (set === 'default') return recommendedParavirt(g);
  if (set === 'legacy') return g.familyId === 'MacOS' ? 'minimal' : 'none';
  return set === 'disabled' ? 'none' : set;
}

const PARAVIRT_LABEL: Record<string, string> = {
  none: 'None',
  default: 'Default',
  legacy: 'Legacy',
  minimal: 'Minimal',
  hyperv: 'Hyper-V',
  kvm: 'KVM',
};
const pvLabel = (p: string): string => PARAVIRT_LABEL[p] ?? p;

/** Controllers that hold at least one medium or drive (free `none` slots do not count). */
const usedControllers = (vm: VmConfig): StorageController[] =>
  vm.storage.filter((c) => c.attachments.some((a) => a.kind !== 'none'));

/** Why the guest may lack a driver for this controller, or undefined when it has one. */
function missingDriver(c: StorageController, g: GuestProfile): { en: string; zh: string } | undefined {
  const type = (c.type?.value ?? '').toLowerCase();
  const win = g.windows;
  if (type === 'virtioscsi') {
    if (win)
      return { en: 'Windows has no built-in virtio-scsi driver', zh: 'Windows 没有内置 virtio-scsi 驱动' };
    if (g.oldLinux)
      return {
        en: 'Linux 2.2/2.4 kernels have no virtio-scsi driver',
        zh: 'Linux 2.2/2.4 内核没有 virtio-scsi 驱动',
      };
  }
  if (type === 'nvme' && win && ['legacy', 'xp', '2003', 'vista', '2008', '7', '8'].includes(win)) {
    return {
      en: 'Windows has a built-in NVMe driver only from Windows 8.1 (Windows 7 needs an update)',
      zh: 'Windows 从 8.1 起才内置 NVMe 驱动（Windows 7 需要安装更新）',
    };
  }
  if (isWindowsXpOrOlder(g)) {
    if (type === 'intelahci')
      return {
        en: 'Windows XP and older have no AHCI (SATA) driver',
        zh: 'Windows XP 及更早版本没有 AHCI（SATA）驱动',
      };
    if (type === 'lsilogicsas')
      return {
        en: 'Windows XP and older have no LSI Logic SAS driver',
        zh: 'Windows XP 及更早版本没有 LSI Logic SAS 驱动',
      };
    if (win === 'xp' && (type === 'lsilogic' || type === 'buslogic'))
      return {
        en: 'Windows XP has neither an LSI Logic nor a BusLogic SCSI driver',
        zh: 'Windows XP 既没有 LSI Logic 也没有 BusLogic SCSI 驱动',
      };
  }
  return undefined;
}

/** Secure Boot / TPM fixes need VirtualBox 7.0; on 6.1 the reason says so and there is no command. */
function needs70(ctx: RuleContext): boolean {
  return isLegacyVersion(ctx.vboxVersion);
}

/** Learner rules (source `learner`): Windows 11 requirements, paravirtualization, guest drivers, NIC models. */
export const LEARNER_RULES: AdviceRule[] = [
  {
    id: 'learner.win11.efi',
    settingId: 'system.motherboard.efi',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isWin11(ctx.guest) || isEfi(vm)) return [];
      const fw = vm.system.firmware?.value ?? 'BIOS';
      return [
        {
          title: text('Windows 11 needs EFI', 'Windows 11 需要 EFI'),
          reason: text(
            `The firmware is ${fw}. Windows 11 setup requires UEFI with Secure Boot and refuses to install on a BIOS machine.`,
            `当前固件是 ${fw}。Windows 11 安装程序要求带安全启动的 UEFI，在 BIOS 机器上会拒绝安装。`,
          ),
          fix: ctx.modifyvm(
            ['--firmware', 'efi'],
            text(
              'Switch before installing: a Windows already installed in BIOS mode will not boot after the change.',
              '请在安装前切换：已经以 BIOS 模式安装的 Windows 改完后将无法启动。',
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'learner.win11.secure-boot-off',
    settingId: 'system.motherboard.secureBoot',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isWin11(ctx.guest) || !isEfi(vm)) return [];
      const legacy = needs70(ctx);
      if (!legacy && vm.system.secureBoot?.value !== false) return [];
      return [
        {
          title: text('Windows 11 without Secure Boot', 'Windows 11 未启用安全启动'),
          reason: legacy
            ? text(
                `VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} has no Secure Boot; Windows 11 setup requires it. VirtualBox 7.0 and later offer it.`,
                `VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} 不支持安全启动，而 Windows 11 安装程序要求它。VirtualBox 7.0 及以后版本才提供。`,
              )
            : text(
                'Secure Boot is off. Windows 11 setup requires a Secure Boot capable UEFI and refuses to install otherwise.',
                '安全启动已关闭。Windows 11 安装程序要求支持安全启动的 UEFI，否则拒绝安装。',
              ),
          fix: legacy
            ? undefined
            : ctx.command(
                'modifynvram',
                ['secureboot', '--enable'],
                text(
                  'If VirtualBox reports that no keys are enrolled, run `modifynvram` with `inituefivarstore`, `enrollmssignatures` and `enrollorclpk` first (the Settings dialog checkbox does all of this).',
                  '如果 VirtualBox 提示没有登记密钥，先依次运行 `modifynvram` 的 `inituefivarstore`、`enrollmssignatures` 和 `enrollorclpk`（设置对话框中的复选框会自动完成这些步骤）。',
                ),
              ),
        },
      ];
    },
  },
  {
    id: 'learner.win11.secure-boot-not-reported',
    settingId: 'system.motherboard.secureBoot',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'info',
    check(vm, ctx) {
      if (!isWin11(ctx.guest) || !isEfi(vm) || needs70(ctx) || vm.system.secureBoot !== undefined) return [];
      return [
        {
          title: text('Secure Boot state not reported', '未报告安全启动状态'),
          reason: text(
            'Windows 11 needs Secure Boot, but this VirtualBox does not print it in `showvminfo` (only 7.1 does). Check System › Motherboard › Enable Secure Boot in VirtualBox.',
            'Windows 11 需要安全启动，但这个版本的 VirtualBox 不会在 `showvminfo` 中输出它（只有 7.1 会）。请在 VirtualBox 的“系统 › 主板 › 启用安全启动”中确认。',
          ),
        },
      ];
    },
  },
  {
    id: 'learner.win11.tpm-missing',
    settingId: 'system.motherboard.tpm',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isWin11(ctx.guest)) return [];
      const tpm = vm.system.tpm?.value.toLowerCase();
      const legacy = needs70(ctx);
      if (!legacy && (tpm === undefined || !['none', 'v1_2', '1.2'].includes(tpm))) return [];
      return [
        {
          title: text('Windows 11 without TPM 2.0', 'Windows 11 没有 TPM 2.0'),
          reason: legacy
            ? text(
                `VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} has no virtual TPM; Windows 11 setup requires TPM 2.0. VirtualBox 7.0 and later offer it.`,
                `VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} 没有虚拟 TPM，而 Windows 11 安装程序要求 TPM 2.0。VirtualBox 7.0 及以后版本才提供。`,
              )
            : text(
                `The TPM is "${vm.system.tpm!.value}". Windows 11 setup requires TPM 2.0.`,
                `TPM 设置为“${vm.system.tpm!.value}”。Windows 11 安装程序要求 TPM 2.0。`,
              ),
          fix: legacy ? undefined : ctx.modifyvm(['--tpm-type', '2.0']),
        },
      ];
    },
  },
  {
    id: 'learner.win11.tpm-not-reported',
    settingId: 'system.motherboard.tpm',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'info',
    check(vm, ctx) {
      if (!isWin11(ctx.guest) || needs70(ctx) || vm.system.tpm !== undefined) return [];
      return [
        {
          title: text('TPM not reported', '未报告 TPM'),
          reason: text(
            "Windows 11 needs TPM 2.0, but `showvminfo` never prints the TPM. Check System › Motherboard › TPM in VirtualBox (it should say v2.0), or open the VM's .vbox file.",
            'Windows 11 需要 TPM 2.0，但 `showvminfo` 从不输出 TPM 设置。请在 VirtualBox 的“系统 › 主板 › TPM”中确认为 v2.0，或打开虚拟机的 .vbox 文件查看。',
          ),
          fix: ctx.modifyvm(
            ['--tpm-type', '2.0'],
            text('Only needed if the TPM is not already v2.0.', '仅当 TPM 还不是 v2.0 时才需要。'),
          ),
        },
      ];
    },
  },
  {
    id: 'learner.win11.memory',
    settingId: 'system.motherboard.memory',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      if (!isWin11(ctx.guest) || mem === undefined || mem >= 4096) return [];
      const host = ctx.host.memoryMB;
      const tight = host > 0 && 4096 > ramLimits(host).warnAboveMB;
      return [
        {
          title: text('Windows 11 needs 4 GB of memory', 'Windows 11 需要 4 GB 内存'),
          reason: text(
            `Base memory is ${mem} MB; Windows 11 setup requires at least 4096 MB.`,
            `基本内存为 ${mem} MB；Windows 11 安装程序要求至少 4096 MB。`,
          ),
          fix: ctx.modifyvm(
            ['--memory', '4096'],
            tight
              ? text(
                  `On this ${host} MB host that is more than VirtualBox's comfort limit; close other programs while the VM runs.`,
                  `对这台 ${host} MB 内存的主机来说，这已超过 VirtualBox 的建议上限；虚拟机运行时请关闭其他程序。`,
                )
              : undefined,
          ),
          numbers: { memoryMB: mem, requiredMB: 4096 },
        },
      ];
    },
  },
  {
    id: 'learner.win11.cpus',
    settingId: 'system.processor.cpus',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      if (!isWin11(ctx.guest) || cpus === undefined || cpus >= 2) return [];
      return [
        {
          title: text('Windows 11 needs 2 processors', 'Windows 11 需要 2 个处理器'),
          reason: text(
            `The VM has ${cpus} vCPU; Windows 11 setup requires at least 2.`,
            `此虚拟机只有 ${cpus} 个虚拟 CPU；Windows 11 安装程序要求至少 2 个。`,
          ),
          fix: ctx.modifyvm(['--cpus', '2']),
          numbers: { cpus, required: 2 },
        },
      ];
    },
  },
  {
    id: 'learner.acceleration.paravirt-mismatch',
    settingId: 'system.acceleration.paravirtProvider',
    source: 'learner',
    ref: PARAVIRT_REF,
    severity: 'info',
    check(vm, ctx) {
      const rec = recommendedParavirt(ctx.guest);
      if (rec !== 'hyperv' && rec !== 'kvm') return [];
      const eff = effectiveParavirt(vm, ctx.guest);
      if (eff === undefined || eff === rec) return [];
      const set = vm.system.paravirtProvider?.value ?? eff;
      const kind = rec === 'hyperv' ? 'Windows' : 'Linux';
      return [
        {
          title: text(
            `Paravirtualization interface does not fit a ${kind} guest`,
            `半虚拟化接口与 ${kind} 客户机不匹配`,
          ),
          reason: text(
            `The interface is ${pvLabel(set)}${set.toLowerCase() !== eff ? ` (in effect: ${pvLabel(eff)})` : ''}. ${kind} guests understand ${pvLabel(rec)}, which gives them a paravirtual clock and better timer handling; without it clocks drift more easily.`,
            `当前接口为 ${pvLabel(set)}${set.toLowerCase() !== eff ? `（实际生效：${pvLabel(eff)}）` : ''}。${kind} 客户机能识别 ${pvLabel(rec)}，它提供半虚拟化时钟和更好的定时器处理；没有它时钟更容易漂移。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--paravirt-provider', '--paravirtprovider'), rec]),
        },
      ];
    },
  },
  {
    id: 'learner.acceleration.paravirt-macos-minimal',
    settingId: 'system.acceleration.paravirtProvider',
    source: 'learner',
    ref: PARAVIRT_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (ctx.guest.familyId !== 'MacOS') return [];
      const eff = effectiveParavirt(vm, ctx.guest);
      if (eff === undefined || eff === 'minimal') return [];
      return [
        {
          title: text('macOS guests need the Minimal interface', 'macOS 客户机需要 Minimal 接口'),
          reason: text(
            `The paravirtualization interface in effect is ${pvLabel(eff)}; Mac OS X / macOS guests require Minimal.`,
            `实际生效的半虚拟化接口是 ${pvLabel(eff)}；Mac OS X / macOS 客户机必须使用 Minimal。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--paravirt-provider', '--paravirtprovider'), 'minimal']),
        },
      ];
    },
  },
  {
    id: 'learner.storage.guest-lacks-driver',
    settingId: 'storage.controller.type',
    source: 'learner',
    ref: STORAGE_REF,
    severity: 'warning',
    check(vm, ctx) {
      const hits: RuleHit[] = [];
      for (const c of usedControllers(vm)) {
        const why = missingDriver(c, ctx.guest);
        if (!why) continue;
        hits.push({
          instance: controllerInstance(c),
          title: text('Guest may lack a driver for this controller', '客户机可能缺少此控制器的驱动'),
          reason: text(
            `Controller "${c.name.value}" is ${c.type!.value}; ${why.en}. Setup will find no disk, or an installed system stops with a blue screen at boot. Use a controller the guest supports (IDE works everywhere), or install the driver first.`,
            `控制器“${c.name.value}”的类型是 ${c.type!.value}；${why.zh}。安装程序会找不到磁盘，已安装的系统启动时会蓝屏。请换用客户机支持的控制器（IDE 通用），或先装好驱动。`,
          ),
        });
      }
      return hits;
    },
  },
  {
    id: 'learner.storage.boot-needs-efi',
    settingId: 'storage.controller.type',
    source: 'learner',
    ref: STORAGE_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (isEfi(vm)) return [];
      const withDisks = vm.storage.filter((c) => c.attachments.some((a) => a.kind === 'hdd'));
      if (withDisks.length === 0) return [];
      const bootOnly = withDisks.every((c) => {
        const bus = controllerBus(c.type?.value);
        return bus === 'NVMe' || bus === 'USB';
      });
      if (!bootOnly) return [];
      const c = withDisks[0];
      return [
        {
          instance: controllerInstance(c),
          title: text('Booting from this controller needs EFI', '从此控制器启动需要 EFI'),
          reason: text(
            `Every hard disk is on ${controllerBus(c.type?.value)} ("${c.name.value}"), and VirtualBox's BIOS cannot boot from ${controllerBus(c.type?.value)}; only EFI can.`,
            `所有硬盘都挂在 ${controllerBus(c.type?.value)}（“${c.name.value}”）上，而 VirtualBox 的 BIOS 无法从 ${controllerBus(c.type?.value)} 启动，只有 EFI 可以。`,
          ),
          fix: ctx.modifyvm(
            ['--firmware', 'efi'],
            text(
              'Switch before installing: a system already installed in BIOS mode will not boot after the change.',
              '请在安装前切换：已经以 BIOS 模式安装的系统改完后将无法启动。',
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'learner.network.virtio-windows',
    settingId: 'network.adapter.adapterType',
    source: 'learner',
    ref: NIC_REF,
    severity: 'info',
    check(vm, ctx) {
      if (!ctx.guest.windows) return [];
      return enabledAdapters(vm)
        .filter((a) => a.adapterType?.value.toLowerCase().startsWith('virtio'))
        .map((a) => ({
          instance: String(a.slot),
          title: text('virtio-net needs a driver in Windows', 'Windows 中 virtio-net 需要驱动'),
          reason: text(
            `Adapter ${a.slot} is a paravirtualized virtio-net card. Windows has no built-in driver for it, so the guest has no network until the virtio drivers (virtio-win) are installed.`,
            `网卡 ${a.slot} 是半虚拟化的 virtio-net 网卡。Windows 没有内置它的驱动，在安装 virtio 驱动（virtio-win）之前客户机没有网络。`,
          ),
          fix: ctx.modifyvm(
            [ctx.flag(`--nic-type${a.slot}`, `--nictype${a.slot}`), '82540EM'],
            text(
              'Intel PRO/1000 MT Desktop works with Windows drivers out of the box; keep virtio if the drivers are installed.',
              'Intel PRO/1000 MT Desktop 可直接使用 Windows 自带驱动；如果已装好 virtio 驱动，可以保留 virtio。',
            ),
          ),
        }));
    },
  },
  {
    id: 'learner.network.pcnet-64bit-windows',
    settingId: 'network.adapter.adapterType',
    source: 'learner',
    ref: NIC_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!ctx.guest.windows || !ctx.guest.is64) return [];
      return enabledAdapters(vm)
        .filter((a) => /^am79c97[03]a?$/i.test(a.adapterType?.value ?? ''))
        .map((a) => ({
          instance: String(a.slot),
          title: text('64-bit Windows has no PCnet driver', '64 位 Windows 没有 PCnet 驱动'),
          reason: text(
            `Adapter ${a.slot} emulates an AMD PCnet card (${a.adapterType!.value}); there is no 64-bit Windows driver for it, so the guest has no network.`,
            `网卡 ${a.slot} 模拟的是 AMD PCnet 网卡（${a.adapterType!.value}）；它没有 64 位 Windows 驱动，客户机将没有网络。`,
          ),
          fix: ctx.modifyvm([ctx.flag(`--nic-type${a.slot}`, `--nictype${a.slot}`), '82540EM']),
        }));
    },
  },
];

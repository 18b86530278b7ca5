import { isLegacyVersion } from './commands.ts';
import { percentOf, text, type AdviceRule, type RuleContext } from './rule.ts';
import { ramLimits } from './thresholds.ts';

/**
 * VirtualBox's own checks of the General and System pages (reference `virtualbox-settings.md`
 * §5.1–5.2), one rule per message. Rules marked "6.1 and older" only run when the VirtualBox
 * version is known to be older than 7.0.
 */

const GENERAL_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsGeneral.cpp';
const SYSTEM_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsSystem.cpp';
const MEMORY_REF =
  'Frontends/VirtualBox/src/settings/editors/UIBaseMemoryEditor.cpp (7.x), widgets/UIBaseMemorySlider.cpp (6.1)';

/** USB pointing devices (`hidpointing` values other than PS/2 that need a USB controller). */
const USB_POINTING = new Set(['usbmouse', 'usbtablet', 'usbmultitouch', 'usbmtscreenpluspad', 'combomouse']);

/** Hyper-threads note appended to vCPU reasons when the host has more threads than cores. */
function threadsNote(ctx: RuleContext): { en: string; zh: string } {
  const { cores, threads } = ctx.host;
  if (!(threads > cores)) return { en: '', zh: '' };
  return {
    en: ` The host's ${threads} hardware threads do not count: VirtualBox measures against physical cores.`,
    zh: `主机的 ${threads} 个硬件线程不算在内：VirtualBox 按物理核心数衡量。`,
  };
}

/** A vCPU count that leaves the host at least one core (1 on single-core hosts). */
export function suggestedCpus(cores: number): number {
  return cores >= 2 ? cores - 1 : 1;
}

/** A memory size under the warning limit, rounded down to 256 MB (64 MB on tiny hosts), at least 4 MB. */
export function suggestedMemoryMB(limitMB: number): number {
  const step = limitMB >= 1024 ? 256 : 64;
  return Math.max(4, Math.floor(limitMB / step) * step);
}

/** General and System page rules (name, base memory, motherboard, processor, acceleration). */
export const SYSTEM_RULES: AdviceRule[] = [
  {
    id: 'vbox.general.name-empty',
    settingId: 'general.basic.name',
    source: 'virtualbox',
    ref: GENERAL_REF,
    severity: 'error',
    check(vm, ctx) {
      const name = vm.general.name;
      if (!name || name.value.trim() !== '') return [];
      return [
        {
          title: text('The VM has no name', '虚拟机没有名称'),
          reason: text(
            'The name is empty. VirtualBox will not save settings for a machine without a name.',
            '名称为空。没有名称的虚拟机，VirtualBox 不允许保存设置。',
          ),
          fix: ctx.modifyvm(
            ['--name', '<new name>'],
            text('Replace <new name> with the name you want.', '把 <new name> 换成想要的名称。'),
          ),
        },
      ];
    },
  },
  {
    id: 'vbox.general.64bit-needs-hwvirt',
    settingId: 'system.acceleration.hwVirtEx',
    source: 'virtualbox',
    ref: GENERAL_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isLegacyVersion(ctx.vboxVersion)) return [];
      if (!ctx.guest.is64 || vm.system.hwVirtEx?.value !== false) return [];
      return [
        {
          title: text('64-bit guest without VT-x/AMD-V', '64 位客户机未启用 VT-x/AMD-V'),
          reason: text(
            `${ctx.guest.description} is a 64-bit type, and 64-bit guests only run with hardware virtualization (VT-x/AMD-V), which is off. VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} turns it on when you save in its Settings dialog.`,
            `${ctx.guest.description} 是 64 位类型，64 位客户机必须使用硬件虚拟化（VT-x/AMD-V），而它现在是关闭的。在 VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} 的设置对话框中保存时会自动打开它。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--hwvirtex', '--hwvirtex', '--x86-hwvirtex'), 'on']),
        },
      ];
    },
  },
  {
    id: 'vbox.system.ram-over-error',
    settingId: 'system.motherboard.memory',
    source: 'virtualbox',
    ref: MEMORY_REF,
    severity: 'error',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      const host = ctx.host.memoryMB;
      if (mem === undefined || !(host > 0)) return [];
      const lim = ramLimits(host);
      if (mem <= lim.errorAboveMB) return [];
      const pct = percentOf(mem, host);
      const target = suggestedMemoryMB(lim.warnAboveMB);
      return [
        {
          title: text('Base memory too large for this host', '基本内存超出本机承受范围'),
          reason: text(
            `${mem} MB is ${pct} % of this host's ${host} MB. On a host this size VirtualBox refuses more than ${lim.errorPercent} % (${lim.errorAboveMB} MB), because the host OS needs the rest.`,
            `${mem} MB 占本机 ${host} MB 内存的 ${pct}%。在这种内存规模的主机上，VirtualBox 不允许超过 ${lim.errorPercent}%（${lim.errorAboveMB} MB），因为其余内存要留给主机系统。`,
          ),
          fix: ctx.modifyvm(
            ['--memory', String(target)],
            text(
              `${target} MB stays below VirtualBox's warning line (${lim.warnAboveMB} MB); make sure the guest OS still fits.`,
              `${target} MB 低于 VirtualBox 的警告线（${lim.warnAboveMB} MB）；请确认客户机系统在这个内存下仍能运行。`,
            ),
          ),
          numbers: {
            memoryMB: mem,
            hostMB: host,
            percent: pct,
            warnAboveMB: lim.warnAboveMB,
            errorAboveMB: lim.errorAboveMB,
          },
        },
      ];
    },
  },
  {
    id: 'vbox.system.ram-over-warning',
    settingId: 'system.motherboard.memory',
    source: 'virtualbox',
    ref: MEMORY_REF,
    severity: 'warning',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      const host = ctx.host.memoryMB;
      if (mem === undefined || !(host > 0)) return [];
      const lim = ramLimits(host);
      if (mem <= lim.warnAboveMB || mem > lim.errorAboveMB) return [];
      const pct = percentOf(mem, host);
      const target = suggestedMemoryMB(lim.warnAboveMB);
      return [
        {
          title: text('Base memory leaves little for the host', '基本内存给主机留得太少'),
          reason: text(
            `${mem} MB is ${pct} % of this host's ${host} MB; VirtualBox warns above ${lim.warnPercent} % (${lim.warnAboveMB} MB) on a host this size. While the VM runs, the host may start swapping.`,
            `${mem} MB 占本机 ${host} MB 内存的 ${pct}%；在这种内存规模的主机上，超过 ${lim.warnPercent}%（${lim.warnAboveMB} MB）VirtualBox 就会警告。虚拟机运行时主机可能开始频繁换页。`,
          ),
          fix: ctx.modifyvm(['--memory', String(target)]),
          numbers: {
            memoryMB: mem,
            hostMB: host,
            percent: pct,
            warnAboveMB: lim.warnAboveMB,
            errorAboveMB: lim.errorAboveMB,
          },
        },
      ];
    },
  },
  {
    id: 'vbox.system.ich9-needs-ioapic',
    settingId: 'system.motherboard.ioApic',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (vm.system.chipset?.value.toLowerCase() !== 'ich9' || vm.system.ioApic?.value !== false) return [];
      return [
        {
          title: text('ICH9 chipset without I/O APIC', 'ICH9 芯片组未启用 I/O APIC'),
          reason: text(
            'The ICH9 chipset needs the I/O APIC, which is off. VirtualBox switches it on when you save in its Settings dialog.',
            'ICH9 芯片组需要 I/O APIC，而它现在是关闭的。在 VirtualBox 设置对话框中保存时会自动打开。',
          ),
          fix: ctx.modifyvm(['--ioapic', 'on']),
        },
      ];
    },
  },
  {
    id: 'vbox.system.usb-pointing-needs-usb',
    settingId: 'system.motherboard.pointingDevice',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const pointing = vm.system.pointingDevice?.value.toLowerCase();
      const { ohci, ehci, xhci } = vm.usb;
      if (!pointing || !USB_POINTING.has(pointing)) return [];
      if (ohci === undefined && ehci === undefined && xhci === undefined) return [];
      if (ohci?.value || ehci?.value || xhci?.value) return [];
      return [
        {
          title: text('USB pointing device without a USB controller', 'USB 指点设备没有 USB 控制器'),
          reason: text(
            `The pointing device is "${pointing}", an emulated USB device, but the USB controller is off. VirtualBox turns USB on when you save in its Settings dialog.`,
            `指点设备是“${pointing}”，这是模拟的 USB 设备，但 USB 控制器是关闭的。在 VirtualBox 设置对话框中保存时会自动打开 USB。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--usb-ohci', '--usbohci'), 'on']),
        },
      ];
    },
  },
  {
    id: 'vbox.processor.cpus-over-twice-cores',
    settingId: 'system.processor.cpus',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'error',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      const cores = ctx.host.cores;
      if (cpus === undefined || !(cores > 0) || cpus <= 2 * cores) return [];
      const t = threadsNote(ctx);
      const target = suggestedCpus(cores);
      return [
        {
          title: text('More than twice as many vCPUs as host cores', '虚拟 CPU 数超过主机核心数的两倍'),
          reason: text(
            `${cpus} vCPUs is more than twice this host's ${cores} physical cores (limit ${2 * cores}). VirtualBox refuses to save this.${t.en}`,
            `${cpus} 个虚拟 CPU 超过了本机 ${cores} 个物理核心的两倍（上限 ${2 * cores}），VirtualBox 不允许保存。${t.zh}`,
          ),
          fix: ctx.modifyvm(['--cpus', String(target)]),
          numbers: { cpus, hostCores: cores, hostThreads: ctx.host.threads, limit: 2 * cores },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.cpus-over-cores',
    settingId: 'system.processor.cpus',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      const cores = ctx.host.cores;
      if (cpus === undefined || !(cores > 0) || cpus <= cores || cpus > 2 * cores) return [];
      const t = threadsNote(ctx);
      const target = suggestedCpus(cores);
      return [
        {
          title: text('More vCPUs than host cores', '虚拟 CPU 多于主机核心'),
          reason: text(
            `${cpus} vCPUs but this host has ${cores} physical cores; VirtualBox warns above ${cores}. The vCPUs then wait for each other and the VM usually gets slower, not faster.${t.en}`,
            `设置了 ${cpus} 个虚拟 CPU，而本机只有 ${cores} 个物理核心；超过 ${cores} 个 VirtualBox 就会警告。虚拟 CPU 会互相等待，虚拟机通常反而更慢。${t.zh}`,
          ),
          fix: ctx.modifyvm(['--cpus', String(target)]),
          numbers: { cpus, hostCores: cores, hostThreads: ctx.host.threads },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.smp-needs-ioapic',
    settingId: 'system.motherboard.ioApic',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      if (cpus === undefined || cpus <= 1 || vm.system.ioApic?.value !== false) return [];
      return [
        {
          title: text('Several vCPUs without I/O APIC', '多个虚拟 CPU 但未启用 I/O APIC'),
          reason: text(
            `${cpus} vCPUs need the I/O APIC, which is off. VirtualBox switches it on when you save in its Settings dialog. (A Windows guest installed without it keeps using one CPU.)`,
            `${cpus} 个虚拟 CPU 需要 I/O APIC，而它现在是关闭的。在 VirtualBox 设置对话框中保存时会自动打开。（在未启用它时安装的 Windows 仍只会用一个 CPU。）`,
          ),
          fix: ctx.modifyvm(['--ioapic', 'on']),
          numbers: { cpus },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.smp-needs-hwvirt',
    settingId: 'system.acceleration.hwVirtEx',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      if (!isLegacyVersion(ctx.vboxVersion) || ctx.host.supportsHwVirt === false) return [];
      if (cpus === undefined || cpus <= 1 || vm.system.hwVirtEx?.value !== false) return [];
      return [
        {
          title: text('Several vCPUs without VT-x/AMD-V', '多个虚拟 CPU 但未启用 VT-x/AMD-V'),
          reason: text(
            `${cpus} vCPUs need hardware virtualization (VT-x/AMD-V), which is off for this VM. VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} enables it when you save in its Settings dialog.`,
            `${cpus} 个虚拟 CPU 需要硬件虚拟化（VT-x/AMD-V），而此虚拟机关闭了它。在 VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} 的设置对话框中保存时会自动打开。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--hwvirtex', '--hwvirtex', '--x86-hwvirtex'), 'on']),
          numbers: { cpus },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.cap-low',
    settingId: 'system.processor.executionCap',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cap = vm.system.executionCapPercent?.value;
      if (cap === undefined || cap >= 40) return [];
      return [
        {
          title: text('Execution cap set very low', '执行上限设得很低'),
          reason: text(
            `Each vCPU may use only ${cap} % of a host CPU; VirtualBox warns below 40 %. The VM will respond slowly and its clock may lag.`,
            `每个虚拟 CPU 最多只能用一个主机 CPU 的 ${cap}%；低于 40% VirtualBox 就会警告。虚拟机会反应迟缓，时钟也可能变慢。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--cpu-execution-cap', '--cpuexecutioncap'), '100']),
          numbers: { capPercent: cap, warnBelowPercent: 40 },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.cap-with-smp',
    settingId: 'system.processor.executionCap',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cap = vm.system.executionCapPercent?.value;
      const cpus = vm.system.cpus?.value;
      if (cap === undefined || cap >= 100 || cpus === undefined || cpus <= 1) return [];
      const same = Math.max(1, Math.ceil((cpus * cap) / 100));
      return [
        {
          title: text('Capped vCPUs instead of fewer vCPUs', '限制了执行上限，而不是减少虚拟 CPU'),
          reason: text(
            `${cpus} vCPUs each capped at ${cap} % give about ${same} CPU${same === 1 ? "'s" : "s'"} worth of time, but with more stalls than ${same} uncapped vCPU${same === 1 ? '' : 's'}. VirtualBox suggests lowering the vCPU count instead of the cap.`,
            `${cpus} 个虚拟 CPU 各限制在 ${cap}%，总共约等于 ${same} 个 CPU 的时间，但停顿比不加限制的 ${same} 个虚拟 CPU 更多。VirtualBox 建议减少虚拟 CPU 数，而不是降低执行上限。`,
          ),
          fix: ctx.modifyvm([
            ctx.flag('--cpu-execution-cap', '--cpuexecutioncap'),
            '100',
            '--cpus',
            String(same),
          ]),
          numbers: { capPercent: cap, cpus, equivalentCpus: same },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.cap-single-cpu',
    settingId: 'system.processor.executionCap',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const cap = vm.system.executionCapPercent?.value;
      const cpus = vm.system.cpus?.value;
      if (cap === undefined || cap >= 100 || cpus !== 1) return [];
      return [
        {
          title: text('Execution cap below 100 %', '执行上限低于 100%'),
          reason: text(
            `The single vCPU may use only ${cap} % of a host CPU, so the guest runs slower than it could. VirtualBox warns about any cap below 100 %.`,
            `唯一的虚拟 CPU 最多只能用一个主机 CPU 的 ${cap}%，客户机会比本来慢。执行上限低于 100% 时 VirtualBox 都会提醒。`,
          ),
          fix: ctx.modifyvm([ctx.flag('--cpu-execution-cap', '--cpuexecutioncap'), '100']),
          numbers: { capPercent: cap },
        },
      ];
    },
  },
  {
    id: 'vbox.processor.nested-hwvirt-needs-nested-paging',
    settingId: 'system.acceleration.nestedPaging',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (vm.system.nestedHwVirt?.value !== true || vm.system.nestedPaging?.value !== false) return [];
      if (ctx.host.supportsHwVirt === false || ctx.host.supportsNestedPaging === false) return [];
      return [
        {
          title: text('Nested VT-x/AMD-V without nested paging', '启用了嵌套 VT-x/AMD-V 但未启用嵌套分页'),
          reason: text(
            'Nested hardware virtualization needs nested paging, which is off. VirtualBox turns it on when you save in its Settings dialog.',
            '嵌套硬件虚拟化需要嵌套分页，而它现在是关闭的。在 VirtualBox 设置对话框中保存时会自动打开。',
          ),
          fix: ctx.modifyvm([ctx.flag('--nested-paging', '--nestedpaging', '--x86-nested-paging'), 'on']),
        },
      ];
    },
  },
  {
    id: 'vbox.processor.nested-hwvirt-needs-hwvirt',
    settingId: 'system.acceleration.hwVirtEx',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isLegacyVersion(ctx.vboxVersion)) return [];
      if (vm.system.nestedHwVirt?.value !== true || vm.system.hwVirtEx?.value !== false) return [];
      return [
        {
          title: text('Nested VT-x/AMD-V without VT-x/AMD-V', '启用了嵌套 VT-x/AMD-V 但未启用 VT-x/AMD-V'),
          reason: text(
            'Nested hardware virtualization needs hardware virtualization itself, which is off for this VM. VirtualBox turns it on when you save in its Settings dialog.',
            '嵌套硬件虚拟化的前提是硬件虚拟化本身，而此虚拟机关闭了它。在 VirtualBox 设置对话框中保存时会自动打开。',
          ),
          fix: ctx.modifyvm([ctx.flag('--hwvirtex', '--hwvirtex', '--x86-hwvirtex'), 'on']),
        },
      ];
    },
  },
  {
    id: 'vbox.acceleration.nested-paging-needs-hwvirt',
    settingId: 'system.acceleration.hwVirtEx',
    source: 'virtualbox',
    ref: SYSTEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isLegacyVersion(ctx.vboxVersion)) return [];
      if (vm.system.nestedPaging?.value !== true || vm.system.hwVirtEx?.value !== false) return [];
      return [
        {
          title: text('Nested paging without VT-x/AMD-V', '启用了嵌套分页但未启用 VT-x/AMD-V'),
          reason: text(
            'Nested paging only works together with hardware virtualization (VT-x/AMD-V), which is off for this VM. VirtualBox turns it on when you save in its Settings dialog.',
            '嵌套分页只能和硬件虚拟化（VT-x/AMD-V）一起工作，而此虚拟机关闭了它。在 VirtualBox 设置对话框中保存时会自动打开。',
          ),
          fix: ctx.modifyvm([ctx.flag('--hwvirtex', '--hwvirtex', '--x86-hwvirtex'), 'on']),
        },
      ];
    },
  },
];

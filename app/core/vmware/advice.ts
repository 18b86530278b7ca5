import { severityRank, type AdviceSeverity, type Finding, type FindingFix } from '../../shared/advice.ts';
import type { Localized } from '../../shared/catalog.ts';
import type { HostFacts, VmConfig } from '../../shared/model.ts';
import { vmwareControlForKey } from '../../shared/vmware-catalog-data.ts';
import type { VmwareControlId, VmwareSettingId } from '../../shared/vmware-ids.ts';
import type { HostOs } from '../advice/commands.ts';
import type { VmxDuplicate } from './parse-vmx.ts';
import { guestFamily } from './to-config.ts';

/**
 * Advice for VMware VMs: checks of a {@link VmConfig} built by `vmxToConfig` against VMware's own
 * rules, the host and common learner mistakes. Facts: reference `vmware-vmx.md` (§1.1 duplicates,
 * §2 hardware versions and feature gates, §3 Hardware keys and limits, §4 Options).
 */

/**
 * Where a VMware rule comes from: `vmware` = VMware itself refuses the configuration or documents the
 * limit; `host` = measured against this host; `learner` = a common mistake (guest drivers, Windows 11).
 */
export type VmwareAdviceSource = 'vmware' | 'host' | 'learner';

/**
 * A finding about a VMware VM. Same shape as {@link Finding} except that `settingId` is a VMware
 * control id (with `#device` for per-device controls, e.g. `vmware.network.adapterType#ethernet0`),
 * `source` may be `vmware`, and `fix.command` holds the `.vmx` line(s) to write with the VM powered
 * off and VMware closed (never applied by the app).
 */
export type VmwareFinding = Omit<Finding, 'settingId' | 'source'> & {
  settingId: VmwareSettingId;
  source: VmwareAdviceSource;
};

/** What {@link evaluateVmwareAdvice} needs besides the VM. */
export interface VmwareAdviceContext {
  host: HostFacts;
  /** Host OS family (Node's `process.platform`). */
  hostOs: HostOs;
  /** Other VMs running now, with their memory in MB (an entry with the evaluated VM's id is ignored). */
  runningVms?: { id?: string; memoryMB: number }[];
  /** Duplicated keys of the `.vmx` (`parseVmx(...).duplicates`); VMware refuses to start such a VM. */
  duplicates?: VmxDuplicate[];
}

/** One rule of the table. */
export interface VmwareAdviceRuleInfo {
  id: string;
  settingId: VmwareControlId;
  source: VmwareAdviceSource;
  ref: string;
  severity: AdviceSeverity;
}

interface Hit {
  instance?: string;
  /** Overrides the rule's control (the duplicate-key rule names the control of the key). */
  settingId?: VmwareControlId;
  title: Localized;
  reason: Localized;
  fix?: FindingFix;
  numbers?: Record<string, number>;
}

interface Rule extends VmwareAdviceRuleInfo {
  check(vm: VmConfig, ctx: VmwareAdviceContext): Hit[];
}

const t = (en: string, zh: string): Localized => ({ en, 'zh-CN': zh });
const EDIT_NOTE = t(
  'Edit the .vmx with the VM powered off and VMware closed; change a line that exists instead of adding a second one.',
  '请在虚拟机关机并关闭 VMware 后编辑 .vmx；修改已有的那一行，不要再添加一行。',
);
const vmxFix = (lines: string[], note: Localized = EDIT_NOTE): FindingFix => ({
  command: lines.join('\n'),
  note,
});

const REF_GRAMMAR = 'vmware-vmx.md §1.1 (duplicate keys: "dictionary error")';
const REF_MEMORY = 'vmware-vmx.md §3.1 (memsize multiple of 4; Fusion: keep VMs under ~70 % of host RAM)';
const REF_CPU = 'vmware-vmx.md §3.2 (vCPUs vs logical processors; cpuid.coresPerSocket)';
const REF_VBS = 'vmware-vmx.md §3.2 (host VBS mode: no nested VT-x/AMD-V or performance counters)';
const REF_NIC = 'vmware-vmx.md §3.5 (adapter types and guest drivers)';
const REF_NAT = 'vmware-vmx.md §3.5 and §6.2 (NAT and nat.conf port forwards)';
const REF_HW = 'vmware-vmx.md §2 (virtualHW.version feature gates)';
const REF_FW = 'vmware-vmx.md §4 (firmware, secure boot, vTPM)';
const REF_DISK = 'vmware-vmx.md §3.3 (controllers, independent disks)';

/** The hardware version as a number, or undefined. */
function hwVersion(vm: VmConfig): number | undefined {
  const v = Number(vm.native?.['vmware.options.hardwareVersion']?.value);
  return Number.isFinite(v) && v > 0 ? v : undefined;
}

/** Windows releases before Windows 8 by `guestOS` id (win31/95/98/Me/NT/2000/XP/2003/Vista/7/2008). */
const WINDOWS_BEFORE_8 =
  /^(win31|win95|win98|winme|winnt|win2000|winxp|winnet|winvista|windows7|longhorn|winserver2008)/i;

function guestOf(vm: VmConfig): string {
  return vm.general.osType?.value ?? '';
}

function isWindows(vm: VmConfig): boolean {
  return guestOf(vm) !== '' && guestFamily(guestOf(vm)) === 'windows';
}

function isWindows11(vm: VmConfig): boolean {
  return /^(arm-)?windows11/i.test(guestOf(vm));
}

/** Present adapters: `[ethernetN, adapter]`. */
function adapters(vm: VmConfig) {
  return vm.network
    .filter((n) => n.attachment.value !== 'none')
    .map((n) => [`ethernet${n.slot - 1}`, n] as const);
}

function suggestMemory(mb: number): number {
  return Math.max(4, Math.floor(mb / 4) * 4);
}

const RULES: Rule[] = [
  {
    id: 'vmware.vmx.duplicate-key',
    settingId: 'vmware.options.name',
    source: 'vmware',
    ref: REF_GRAMMAR,
    severity: 'error',
    check(_vm, ctx) {
      return (ctx.duplicates ?? []).map((d) => {
        const last = d.keys[d.keys.length - 1];
        const lines = d.lines.join(', ');
        const hit: Hit = {
          title: t(
            `The key ${last} appears ${d.lines.length} times`,
            `键 ${last} 出现了 ${d.lines.length} 次`,
          ),
          reason: t(
            `Lines ${lines} all set ${last} (keys are compared without regard to case). VMware treats the file as damaged ("dictionary error") and will not power the VM on until only one line is left. This app shows the value of line ${d.lines[d.lines.length - 1]}.`,
            `第 ${lines} 行都设置了 ${last}（键名不区分大小写）。VMware 会认为文件已损坏（“dictionary error”），在只剩一行之前不会开机。本应用显示的是第 ${d.lines[d.lines.length - 1]} 行的值。`,
          ),
          fix: vmxFix(
            [`# keep one of lines ${lines} and delete the others`],
            t(
              'Delete the extra lines with the VM powered off and VMware closed.',
              '请在虚拟机关机并关闭 VMware 后删除多余的行。',
            ),
          ),
          numbers: { occurrences: d.lines.length },
        };
        const control = vmwareControlForKey(last);
        if (control) {
          hit.settingId = control.id;
          if (control.instance) hit.instance = control.instance;
        }
        return hit;
      });
    },
  },
  {
    id: 'vmware.memory.not-multiple-of-4',
    settingId: 'vmware.memory.size',
    source: 'vmware',
    ref: REF_MEMORY,
    severity: 'error',
    check(vm) {
      const mem = vm.system.memoryMB?.value;
      if (mem === undefined || mem % 4 === 0) return [];
      const ok = suggestMemory(mem);
      return [
        {
          title: t(`${mem} MB is not a multiple of 4`, `${mem} MB 不是 4 的整数倍`),
          reason: t(
            `VMware accepts memory sizes only in steps of 4 MB and refuses to power on with ${mem} MB.`,
            `VMware 只接受以 4 MB 为单位的内存大小，设为 ${mem} MB 时会拒绝开机。`,
          ),
          fix: vmxFix([`${vm.system.memoryMB?.key ?? 'memsize'} = "${ok}"`]),
          numbers: { memoryMB: mem, suggestedMB: ok },
        },
      ];
    },
  },
  {
    id: 'vmware.memory.over-host',
    settingId: 'vmware.memory.size',
    source: 'host',
    ref: REF_MEMORY,
    severity: 'error',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      const host = ctx.host.memoryMB;
      if (mem === undefined || !(host > 0) || mem <= host) return [];
      const ok = suggestMemory(host * 0.5);
      return [
        {
          title: t('More memory than this host has', '内存超过了本机的物理内存'),
          reason: t(
            `The VM asks for ${mem} MB but this host has ${host} MB in total. The host would have to swap the guest's memory to disk, which makes the VM and the host crawl.`,
            `虚拟机要求 ${mem} MB 内存，而本机总共只有 ${host} MB。主机只能把客户机内存换到磁盘上，虚拟机和主机都会变得极慢。`,
          ),
          fix: vmxFix([`${vm.system.memoryMB?.key ?? 'memsize'} = "${ok}"`]),
          numbers: { memoryMB: mem, hostMB: host, suggestedMB: ok },
        },
      ];
    },
  },
  {
    id: 'vmware.memory.host-share',
    settingId: 'vmware.memory.size',
    source: 'host',
    ref: REF_MEMORY,
    severity: 'warning',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      const host = ctx.host.memoryMB;
      if (mem === undefined || !(host > 0) || mem > host) return [];
      const others = (ctx.runningVms ?? [])
        .filter((r) => !(r.id && r.id.toLowerCase() === vm.id.toLowerCase()))
        .reduce((sum, r) => sum + (r.memoryMB > 0 ? r.memoryMB : 0), 0);
      const total = mem + others;
      const limit = Math.floor(host * 0.7);
      if (total <= limit) return [];
      const pct = Math.round((total / host) * 100);
      const room = limit - others;
      const ok = suggestMemory(room);
      const withOthers = others > 0;
      return [
        {
          title: withOthers
            ? t(
                'Running VMs together take most of the host memory',
                '正在运行的虚拟机合计占用了大部分主机内存',
              )
            : t('This VM takes most of the host memory', '这台虚拟机占用了大部分主机内存'),
          reason: withOthers
            ? t(
                `This VM's ${mem} MB plus ${others} MB of other running VMs make ${total} MB, ${pct} % of this host's ${host} MB. VMware advises keeping all VMs together under about 70 %; above that the host starts swapping.`,
                `此虚拟机的 ${mem} MB 加上其他运行中虚拟机的 ${others} MB，共 ${total} MB，占本机 ${host} MB 的 ${pct}%。VMware 建议所有虚拟机合计不超过约 70%，超过后主机会开始换页。`,
              )
            : t(
                `${mem} MB is ${pct} % of this host's ${host} MB. VMware advises keeping VMs under about 70 % of the host's memory, so the host and VMware itself keep enough.`,
                `${mem} MB 占本机 ${host} MB 内存的 ${pct}%。VMware 建议虚拟机合计不超过主机内存的约 70%，给主机和 VMware 自身留出足够的内存。`,
              ),
          fix: ok >= 256 ? vmxFix([`${vm.system.memoryMB?.key ?? 'memsize'} = "${ok}"`]) : undefined,
          numbers: { memoryMB: mem, othersMB: others, totalMB: total, hostMB: host, percent: pct },
        },
      ];
    },
  },
  {
    id: 'vmware.processors.over-host',
    settingId: 'vmware.processors.totalCores',
    source: 'host',
    ref: REF_CPU,
    severity: 'warning',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      const threads = ctx.host.threads;
      if (cpus === undefined || !(threads > 0) || cpus <= threads) return [];
      return [
        {
          title: t('More vCPUs than the host has logical processors', '虚拟 CPU 多于主机的逻辑处理器'),
          reason: t(
            `${cpus} vCPUs but this host has ${threads} logical processors. Each vCPU needs a host processor to run on, so the extra ones only make the VM wait (vSphere refuses such a VM outright).`,
            `设置了 ${cpus} 个虚拟 CPU，而本机只有 ${threads} 个逻辑处理器。每个虚拟 CPU 都要占用一个主机处理器才能运行，多出来的只会让虚拟机等待（vSphere 会直接拒绝这样的虚拟机）。`,
          ),
          fix: vmxFix([`${vm.system.cpus?.key ?? 'numvcpus'} = "${Math.max(1, ctx.host.cores - 1)}"`]),
          numbers: { cpus, hostThreads: threads, hostCores: ctx.host.cores },
        },
      ];
    },
  },
  {
    id: 'vmware.processors.all-cores',
    settingId: 'vmware.processors.totalCores',
    source: 'host',
    ref: REF_CPU,
    severity: 'info',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      const cores = ctx.host.cores;
      if (cpus === undefined || !(cores >= 2) || cpus < cores || cpus > ctx.host.threads) return [];
      return [
        {
          title: t('The VM gets every physical core', '这台虚拟机拿走了所有物理核心'),
          reason: t(
            `${cpus} vCPUs for a host with ${cores} physical cores. When the guest is busy, the host and VMware's own work have to compete with it; leaving one core free keeps both responsive.`,
            `主机有 ${cores} 个物理核心，虚拟机却有 ${cpus} 个虚拟 CPU。客户机繁忙时，主机和 VMware 自身的工作都要和它争抢；留出一个核心，两边都会更流畅。`,
          ),
          fix: vmxFix([`${vm.system.cpus?.key ?? 'numvcpus'} = "${cores - 1}"`]),
          numbers: { cpus, hostCores: cores },
        },
      ];
    },
  },
  {
    id: 'vmware.processors.cores-split',
    settingId: 'vmware.processors.coresPerProcessor',
    source: 'vmware',
    ref: REF_CPU,
    severity: 'error',
    check(vm) {
      const c = vm.native?.['vmware.processors.coresPerProcessor'];
      const cores = Number(c?.value);
      const cpus = vm.system.cpus?.value ?? 1;
      if (!c || !(cores > 0) || cpus % cores === 0) return [];
      return [
        {
          title: t('vCPUs cannot be split into whole processors', '虚拟 CPU 无法平均分到各处理器'),
          reason: t(
            `${cpus} vCPUs with ${cores} cores per processor does not give a whole number of processors; VMware refuses the configuration.`,
            `${cpus} 个虚拟 CPU、每处理器 ${cores} 个内核，得不到整数个处理器；VMware 不接受这样的配置。`,
          ),
          fix: vmxFix([`${c.key} = "1"`]),
          numbers: { cpus, coresPerSocket: cores },
        },
      ];
    },
  },
  {
    id: 'vmware.processors.vtx-no-host-support',
    settingId: 'vmware.processors.vtx',
    source: 'host',
    ref: REF_VBS,
    severity: 'warning',
    check(vm, ctx) {
      if (vm.system.nestedHwVirt?.value !== true) return [];
      if (ctx.host.supportsHwVirt === false || ctx.host.supportsNestedPaging === false)
        return [
          {
            title: t('Nested virtualization without host support', '主机不支持嵌套虚拟化'),
            reason: t(
              '"Virtualize Intel VT-x/EPT or AMD-V/RVI" is on, but this host reports no usable VT-x/AMD-V with nested paging (EPT/RVI). At power on VMware reports that virtualized VT-x/EPT is not supported here and can only continue without it, so the guest\'s own hypervisor (Hyper-V, WSL2, KVM) will not start. Check that virtualization is enabled in the host firmware.',
              '已勾选“虚拟化 Intel VT-x/EPT 或 AMD-V/RVI”，但本机报告没有可用的 VT-x/AMD-V 及嵌套分页（EPT/RVI）。开机时 VMware 会提示此处不支持虚拟化 VT-x/EPT，只能不带该功能继续运行，因此客户机里的虚拟化软件（Hyper-V、WSL2、KVM）无法启动。请检查主机固件中是否已开启虚拟化。',
            ),
            fix: vmxFix([`${vm.system.nestedHwVirt.key} = "FALSE"`]),
          },
        ];
      return [];
    },
  },
  {
    id: 'vmware.processors.vtx-hyperv-host',
    settingId: 'vmware.processors.vtx',
    source: 'host',
    ref: REF_VBS,
    severity: 'info',
    check(vm, ctx) {
      if (vm.system.nestedHwVirt?.value !== true || ctx.hostOs !== 'win32') return [];
      if (ctx.host.supportsHwVirt === false || ctx.host.supportsNestedPaging === false) return [];
      return [
        {
          title: t('Nested virtualization may be blocked by Hyper-V', '嵌套虚拟化可能被 Hyper-V 挡住'),
          reason: t(
            'On a Windows host where Hyper-V is active (also through WSL2, Windows Sandbox or Memory integrity), VMware runs on top of it in "host VBS mode", and then VT-x/AMD-V cannot be passed to guests: VMware continues only without this option, so the guest\'s own hypervisor will not start.',
            '在启用了 Hyper-V 的 Windows 主机上（WSL2、Windows 沙盒或“内存完整性”也会启用它），VMware 以“主机 VBS 模式”运行在 Hyper-V 之上，这时无法把 VT-x/AMD-V 交给客户机：VMware 只能不带该选项继续运行，客户机里的虚拟化软件因此无法启动。',
          ),
        },
      ];
    },
  },
  {
    id: 'vmware.processors.perfcounters-windows-host',
    settingId: 'vmware.processors.perfCounters',
    source: 'host',
    ref: REF_VBS,
    severity: 'info',
    check(vm, ctx) {
      if (vm.native?.['vmware.processors.perfCounters']?.value !== 'true' || ctx.hostOs !== 'win32')
        return [];
      return [
        {
          title: t(
            'Performance counters need VMware without Hyper-V',
            '性能计数器要求 VMware 不运行在 Hyper-V 之上',
          ),
          reason: t(
            'When Hyper-V is active on this Windows host, VMware runs in host VBS mode and cannot virtualize CPU performance counters; profilers in the guest then find none.',
            '本 Windows 主机启用 Hyper-V 时，VMware 以主机 VBS 模式运行，无法虚拟化 CPU 性能计数器；客户机中的性能分析工具将读不到它们。',
          ),
        },
      ];
    },
  },
  {
    id: 'vmware.network.vmxnet3-windows',
    settingId: 'vmware.network.adapterType',
    source: 'learner',
    ref: REF_NIC,
    severity: 'info',
    check(vm) {
      if (!isWindows(vm)) return [];
      return adapters(vm)
        .filter(([, n]) => n.adapterType?.value === 'vmxnet3')
        .map(([dev, n]) => ({
          instance: dev,
          title: t('vmxnet3 needs VMware Tools in Windows', 'Windows 中的 vmxnet3 需要 VMware Tools'),
          reason: t(
            `Network Adapter ${n.slot} is a vmxnet3 card. Windows has no built-in driver for it, so the guest has no network until VMware Tools are installed; while installing Windows, use e1000e instead or install Tools first.`,
            `网络适配器 ${n.slot} 是 vmxnet3 网卡。Windows 没有自带它的驱动，装好 VMware Tools 之前客户机没有网络；安装 Windows 时可以先改用 e1000e，或先装好 Tools。`,
          ),
          fix: vmxFix([`${dev}.virtualDev = "e1000e"`]),
        }));
    },
  },
  {
    id: 'vmware.network.e1000e-old-windows',
    settingId: 'vmware.network.adapterType',
    source: 'learner',
    ref: REF_NIC,
    severity: 'warning',
    check(vm) {
      if (!WINDOWS_BEFORE_8.test(guestOf(vm))) return [];
      return adapters(vm)
        .filter(([, n]) => n.adapterType?.value === 'e1000e' || n.adapterType?.value === 'vmxnet3')
        .map(([dev, n]) => ({
          instance: dev,
          title: t('Adapter type too new for this Windows', '网卡类型对这个 Windows 来说太新'),
          reason: t(
            `Network Adapter ${n.slot} is ${n.adapterType?.value} but the guest is ${guestOf(vm)}. VMware itself gives Windows releases before 8 an e1000 (or older) card, because they may have no driver for the newer ones; without one the guest sees no network card.`,
            `网络适配器 ${n.slot} 是 ${n.adapterType?.value}，而客户机是 ${guestOf(vm)}。VMware 自己给 Windows 8 之前的版本配的是 e1000（或更老的）网卡，因为它们可能没有新网卡的驱动；没有驱动时客户机看不到网卡。`,
          ),
          fix: vmxFix([`${dev}.virtualDev = "e1000"`]),
        }));
    },
  },
  {
    id: 'vmware.network.vlance-modern',
    settingId: 'vmware.network.adapterType',
    source: 'learner',
    ref: REF_NIC,
    severity: 'info',
    check(vm) {
      const g = guestOf(vm);
      if (!/-64$/.test(g)) return [];
      return adapters(vm)
        .filter(([, n]) => n.adapterType?.value === 'vlance')
        .map(([dev, n]) => ({
          instance: dev,
          title: t('Legacy AMD PCnet adapter on a 64-bit guest', '64 位客户机使用了老式 AMD PCnet 网卡'),
          reason: t(
            `Network Adapter ${n.slot} is vlance, an emulated 10/100 PCnet card meant for very old systems; a 64-bit ${g} guest is better served by e1000/e1000e (built-in drivers) or vmxnet3 (fastest, with VMware Tools).`,
            `网络适配器 ${n.slot} 是 vlance，这是为很老的系统模拟的 10/100 PCnet 网卡；64 位的 ${g} 客户机更适合用 e1000/e1000e（系统自带驱动）或 vmxnet3（最快，需要 VMware Tools）。`,
          ),
          fix: vmxFix([`${dev}.virtualDev = "e1000"`]),
        }));
    },
  },
  {
    id: 'vmware.network.nat-unreachable',
    settingId: 'vmware.network.connection',
    source: 'learner',
    ref: REF_NAT,
    severity: 'info',
    check(vm) {
      const list = adapters(vm);
      if (list.length === 0) return [];
      const words = list.map(([, n]) => n.attachment.value);
      if (!words.every((w) => w === 'nat')) return [];
      const [dev] = list[0];
      return [
        {
          instance: dev,
          title: t('Other machines cannot reach this VM', '其他机器无法访问这台虚拟机'),
          reason: t(
            'Every network adapter uses NAT. The VM can reach the internet and the host, but other computers on your network cannot open connections to it (a web server or SSH in the guest is invisible to them) unless you add a port forward in the Virtual Network Editor (NAT Settings). Use Bridged when the VM must be a normal member of the network.',
            '所有网卡都使用 NAT。虚拟机可以访问互联网和主机，但局域网中的其他电脑无法主动连接它（客户机里的网站或 SSH 对它们不可见），除非在“虚拟网络编辑器”的“NAT 设置”中添加端口转发。如果虚拟机需要像普通电脑一样加入网络，请改用桥接模式。',
          ),
          fix: vmxFix([`${dev}.connectionType = "bridged"`]),
        },
      ];
    },
  },
  {
    id: 'vmware.usb.xhci-hardware-version',
    settingId: 'vmware.usb.compatibility',
    source: 'vmware',
    ref: REF_HW,
    severity: 'error',
    check(vm) {
      const hw = hwVersion(vm);
      if (hw === undefined) return [];
      if (vm.usb.xhci?.value && hw < 8)
        return [
          {
            title: t('USB 3 needs hardware compatibility 8 or later', 'USB 3 需要硬件兼容性 8 或更高'),
            reason: t(
              `USB 3.x (xHCI) exists from Workstation 8 hardware (virtualHW.version 8); this VM is version ${hw}. Upgrade the hardware compatibility or choose USB 2.0.`,
              `USB 3.x（xHCI）从 Workstation 8 的硬件版本（virtualHW.version 8）起才有；这台虚拟机是版本 ${hw}。请升级硬件兼容性，或改用 USB 2.0。`,
            ),
            fix: vmxFix([`${vm.usb.xhci.key} = "FALSE"`, 'ehci.present = "TRUE"']),
            numbers: { hardwareVersion: hw },
          },
        ];
      if (vm.usb.ehci?.value && hw < 6)
        return [
          {
            title: t('USB 2.0 needs hardware compatibility 6 or later', 'USB 2.0 需要硬件兼容性 6 或更高'),
            reason: t(
              `USB 2.0 (EHCI) exists from Workstation 6 hardware (virtualHW.version 6); this VM is version ${hw}.`,
              `USB 2.0（EHCI）从 Workstation 6 的硬件版本（virtualHW.version 6）起才有；这台虚拟机是版本 ${hw}。`,
            ),
            fix: vmxFix([`${vm.usb.ehci.key} = "FALSE"`]),
            numbers: { hardwareVersion: hw },
          },
        ];
      return [];
    },
  },
  {
    id: 'vmware.options.secure-boot-needs-uefi',
    settingId: 'vmware.options.secureBoot',
    source: 'vmware',
    ref: REF_FW,
    severity: 'warning',
    check(vm) {
      const sb = vm.system.secureBoot;
      if (!sb?.value || vm.system.firmware?.value === 'EFI') return [];
      return [
        {
          title: t('Secure boot is on but the firmware is BIOS', '开启了安全启动，但固件是 BIOS'),
          reason: t(
            'Secure boot is a UEFI feature; with BIOS firmware the setting has no effect. Switching an installed system to UEFI usually stops it from booting, so decide before installing.',
            '安全启动是 UEFI 的功能；固件为 BIOS 时这一设置不起作用。已安装的系统改用 UEFI 通常无法启动，所以应在安装前决定。',
          ),
          fix: vmxFix([`${sb.key} = "FALSE"`]),
        },
      ];
    },
  },
  {
    id: 'vmware.options.windows11-requirements',
    settingId: 'vmware.options.firmware',
    source: 'learner',
    ref: REF_FW,
    severity: 'warning',
    check(vm) {
      if (!isWindows11(vm)) return [];
      const missing: string[] = [];
      const missingZh: string[] = [];
      const lines: string[] = [];
      if (vm.system.firmware?.value !== 'EFI') {
        missing.push('UEFI firmware');
        missingZh.push('UEFI 固件');
        lines.push('firmware = "efi"');
      }
      if (vm.system.tpm?.value !== 'v2_0') {
        missing.push('a TPM 2.0 (vTPM)');
        missingZh.push('TPM 2.0（vTPM）');
      }
      const mem = vm.system.memoryMB?.value;
      if (mem !== undefined && mem < 4096) {
        missing.push(`4096 MB of memory (has ${mem} MB)`);
        missingZh.push(`4096 MB 内存（当前 ${mem} MB）`);
        lines.push(`${vm.system.memoryMB?.key ?? 'memsize'} = "4096"`);
      }
      const cpus = vm.system.cpus?.value ?? 1;
      if (cpus < 2) {
        missing.push(`2 vCPUs (has ${cpus})`);
        missingZh.push(`2 个虚拟 CPU（当前 ${cpus} 个）`);
        lines.push(`${vm.system.cpus?.key ?? 'numvcpus'} = "2"`);
      }
      if (missing.length === 0) return [];
      return [
        {
          title: t('Windows 11 requirements not met', '不满足 Windows 11 的要求'),
          reason: t(
            `Windows 11 setup checks for UEFI with secure boot, a TPM 2.0, 4 GB of memory and 2 processors. This VM lacks: ${missing.join(', ')}. Add the vTPM in the settings (VM › Settings › Add › Trusted Platform Module, which also encrypts the VM).`,
            `Windows 11 安装程序会检查 UEFI 与安全启动、TPM 2.0、4 GB 内存和 2 个处理器。这台虚拟机缺少：${missingZh.join('、')}。vTPM 请在设置中添加（虚拟机 › 设置 › 添加 › 可信平台模块，添加后虚拟机会被加密）。`,
          ),
          fix: lines.length ? vmxFix(lines) : undefined,
        },
      ];
    },
  },
  {
    id: 'vmware.options.hardware-version-features',
    settingId: 'vmware.options.hardwareVersion',
    source: 'vmware',
    ref: REF_HW,
    severity: 'warning',
    check(vm) {
      const hw = hwVersion(vm);
      if (hw === undefined || hw >= 14) return [];
      const uses: string[] = [];
      const usesZh: string[] = [];
      if (vm.system.secureBoot?.value) {
        uses.push('secure boot');
        usesZh.push('安全启动');
      }
      if (vm.system.tpm?.value === 'v2_0') {
        uses.push('a vTPM');
        usesZh.push('vTPM');
      }
      if (uses.length === 0) return [];
      return [
        {
          title: t('Hardware version too old for these features', '硬件版本太旧，不支持这些功能'),
          reason: t(
            `The VM uses ${uses.join(' and ')}, which VMware offers from hardware version 14 (Workstation 14); this VM is version ${hw}. Upgrade the hardware compatibility with the VM off.`,
            `这台虚拟机用到了${usesZh.join('和')}，VMware 从硬件版本 14（Workstation 14）起才提供；这台虚拟机是版本 ${hw}。请在关机状态下升级硬件兼容性。`,
          ),
          fix: vmxFix(['virtualHW.version = "14"']),
          numbers: { hardwareVersion: hw },
        },
      ];
    },
  },
  {
    id: 'vmware.disks.pvscsi-windows',
    settingId: 'vmware.disks.controllerType',
    source: 'learner',
    ref: REF_DISK,
    severity: 'info',
    check(vm) {
      if (!isWindows(vm)) return [];
      return vm.storage
        .filter((c) => /^scsi\d+$/.test(c.name.value) && c.type?.value === 'pvscsi')
        .filter((c) => c.attachments.some((a) => a.kind === 'hdd'))
        .map((c) => ({
          instance: c.name.value,
          title: t(
            'Windows needs a driver for VMware Paravirtual SCSI',
            'Windows 需要 VMware 准虚拟化 SCSI 的驱动',
          ),
          reason: t(
            `${c.name.value} is a PVSCSI controller. Windows has no built-in driver for it: setup finds no disk unless you load the driver from VMware Tools (the pvscsi floppy or ISO), and an installed system must have Tools before its boot disk moves there.`,
            `${c.name.value} 是 PVSCSI 控制器。Windows 没有自带它的驱动：安装时若不从 VMware Tools（pvscsi 软盘或 ISO）加载驱动，就找不到磁盘；已安装的系统要先装好 Tools，才能把启动盘挪到这种控制器上。`,
          ),
          fix: vmxFix([`${c.name.value}.virtualDev = "lsisas1068"`]),
        }));
    },
  },
  {
    id: 'vmware.disks.nonpersistent',
    settingId: 'vmware.disks.mode',
    source: 'learner',
    ref: REF_DISK,
    severity: 'info',
    check(vm) {
      const out: Hit[] = [];
      for (const [key, v] of Object.entries(vm.native ?? {})) {
        if (!key.startsWith('vmware.disks.mode#') || v.value !== 'independent-nonpersistent') continue;
        const node = key.slice(key.indexOf('#') + 1);
        out.push({
          instance: node,
          title: t('Changes to this disk are lost at power off', '关机后这块磁盘上的改动会丢失'),
          reason: t(
            `The disk at ${node} is independent-nonpersistent: everything written to it is thrown away when the VM powers off, and snapshots do not include it.`,
            `位于 ${node} 的磁盘是“独立-非永久”模式：写入的所有内容在关机时都会被丢弃，快照也不包含它。`,
          ),
          fix: vmxFix([`${node}.mode = "persistent"`]),
        });
      }
      return out;
    },
  },
];

/** The rules table (id, control, source, reference, severity), in evaluation order. Ids are unique and stable. */
export const VMWARE_ADVICE_RULES: readonly VmwareAdviceRuleInfo[] = RULES.map(
  ({ id, settingId, source, ref, severity }) => ({ id, settingId, source, ref, severity }),
);

/**
 * Evaluates the VMware advice rules for one VM.
 *
 * Input: a {@link VmConfig} from `vmxToConfig` (values the `.vmx` lacks skip the rules that need
 * them), the host facts (cores, threads, RAM in MB, virtualization support when known), the host OS,
 * the memory of other running VMs and the `.vmx` duplicates. Output: findings sorted by severity
 * (errors first), then in rules-table order; en/zh-CN texts with the actual numbers; `fix.command` is
 * the `.vmx` line(s) to write (shown, never applied). Pure; never throws on well-formed input.
 */
export function evaluateVmwareAdvice(config: VmConfig, ctx: VmwareAdviceContext): VmwareFinding[] {
  const out: { finding: VmwareFinding; order: number }[] = [];
  RULES.forEach((rule, order) => {
    for (const hit of rule.check(config, ctx)) {
      const control = hit.settingId ?? rule.settingId;
      const finding: VmwareFinding = {
        id: rule.id,
        severity: rule.severity,
        settingId: (hit.instance ? `${control}#${hit.instance}` : control) as VmwareSettingId,
        source: rule.source,
        ref: rule.ref,
        title: hit.title,
        reason: hit.reason,
      };
      if (hit.fix) finding.fix = hit.fix;
      if (hit.numbers) finding.numbers = hit.numbers;
      out.push({ finding, order });
    }
  });
  out.sort(
    (a, b) => severityRank(a.finding.severity) - severityRank(b.finding.severity) || a.order - b.order,
  );
  return out.map((o) => o.finding);
}

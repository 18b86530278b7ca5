import {
  severityRank,
  type AdviceSeverity,
  type AdviceSource,
  type Finding,
  type FindingFix,
  type FindingSettingId,
} from '../../shared/advice.ts';
import type { Localized } from '../../shared/catalog.ts';
import type { KvmControlId } from '../../shared/kvm-ids.ts';
import type { HostFacts, Sourced, VmConfig } from '../../shared/model.ts';

/**
 * Advice for KVM/libvirt domains, from a {@link VmConfig} built by `parseDomainXml` (its `native`
 * values keyed by KVM catalog id). Host rules measure the domain against the libvirt host
 * (`virsh nodeinfo`); learner rules restate libvirt's own start-up checks and common performance and
 * exposure mistakes. Fixes are `virt-xml` (or `virsh edit`) commands addressing the domain by UUID,
 * shown to the user and never run by the app. Pure: reads nothing, runs nothing, never throws.
 */

/** What {@link evaluateKvmAdvice} needs besides the domain. */
export interface KvmAdviceContext {
  /** The libvirt host (cores, threads, RAM in MiB); host rules are skipped without it. */
  host?: HostFacts;
  /** Connection URI, added to fix commands as `--connect <uri>` (omitted when undefined). */
  uri?: string;
}

/** A KVM rule as listed in the rules table (without its check). `settingId` is a KVM catalog id. */
export interface KvmAdviceRuleInfo {
  id: string;
  settingId: KvmControlId;
  source: AdviceSource;
  ref: string;
  severity: AdviceSeverity;
}

/** Guest OS family as far as the domain XML tells (libosinfo metadata, else Hyper-V enlightenments). */
export interface KvmGuest {
  family: 'windows' | 'linux' | 'bsd' | 'other' | 'unknown';
  /** True for `http://microsoft.com/win/11`. */
  windows11: boolean;
  /** libosinfo id, when present. */
  osId?: string;
}

const LINUX_VENDORS = new Set([
  'ubuntu.com',
  'debian.org',
  'fedoraproject.org',
  'redhat.com',
  'centos.org',
  'opensuse.org',
  'suse.com',
  'archlinux.org',
  'alpinelinux.org',
  'almalinux.org',
  'rockylinux.org',
  'gentoo.org',
  'mageia.org',
  'oracle.com',
  'linuxmint.com',
  'nixos.org',
  'voidlinux.org',
  'manjaro.org',
  'kali.org',
  'libosinfo.org',
  'novell.com',
  'slackware.com',
  'endlessos.com',
  'popos.org',
]);

/** Classifies the guest from `kvm.overview.osInfo` (raw libosinfo id) or, failing that, Hyper-V enlightenments. */
export function kvmGuest(config: VmConfig): KvmGuest {
  const osId = config.native?.['kvm.overview.osInfo']?.raw.trim();
  if (osId) {
    const host = /^https?:\/\/([^/]+)\//.exec(osId)?.[1] ?? '';
    const family: KvmGuest['family'] =
      host === 'microsoft.com'
        ? 'windows'
        : /(free|open|net|dragonfly)bsd\.org$/.test(host)
          ? 'bsd'
          : LINUX_VENDORS.has(host) && !/solaris/.test(osId)
            ? 'linux'
            : 'other';
    return { family, windows11: /^https?:\/\/microsoft\.com\/win\/11\/?$/.test(osId), osId };
  }
  if (config.native?.['kvm.overview.hyperv']) return { family: 'windows', windows11: false };
  return { family: 'unknown', windows11: false };
}

const text = (en: string, zh: string): Localized => ({ en, 'zh-CN': zh });

/** Quotes a shell argument when needed (POSIX single quotes). */
function q(arg: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

interface Ctx extends KvmAdviceContext {
  guest: KvmGuest;
  nat: Record<string, Sourced<string>>;
  /** `virt-xml [--connect uri] <uuid> <args>`; undefined without a UUID. */
  virtXml(args: string[], note?: Localized): FindingFix | undefined;
  /** `virsh [--connect uri] edit <uuid>` with a note saying what to change. */
  virshEdit(note: Localized): FindingFix | undefined;
}

interface Hit {
  instance?: string;
  title: Localized;
  reason: Localized;
  fix?: FindingFix;
  numbers?: Record<string, number>;
}

interface Rule extends KvmAdviceRuleInfo {
  check(vm: VmConfig, ctx: Ctx): Hit[];
}

const LIBVIRT_CPU_REF = 'libvirt Domain XML format, "CPU Allocation" and "CPU model and topology"';
const LIBVIRT_MEM_REF = 'libvirt Domain XML format, "Memory Allocation" and "Memory Backing"';
const LIBVIRT_DISK_REF = 'libvirt Domain XML format, "Hard drives, floppy disks, CDROMs"';
const LIBVIRT_NET_REF = 'libvirt Domain XML format, "Network interfaces"; libvirt wiki "Networking"';
const LIBVIRT_GFX_REF = 'libvirt Domain XML format, "Graphical framebuffers" and "Video devices"';
const WIN11_REF = 'Microsoft, "Windows 11 specifications and system requirements"';

/** Native values of one instance family, e.g. every `kvm.disks.bus#…`: instance → value. */
function instances(nat: Record<string, Sourced<string>>, id: KvmControlId): Map<string, Sourced<string>> {
  const out = new Map<string, Sourced<string>>();
  for (const [k, v] of Object.entries(nat)) {
    if (k === id) out.set('', v);
    else if (k.startsWith(`${id}#`)) out.set(k.slice(id.length + 1), v);
  }
  return out;
}

const num = (s: Sourced<string> | undefined): number | undefined =>
  s && /^\d+$/.test(s.value) ? Number(s.value) : undefined;

const RULES: Rule[] = [
  // ---- Overview ------------------------------------------------------------------------------
  {
    id: 'kvm.overview.emulated-cpu',
    settingId: 'kvm.overview.hypervisor',
    source: 'learner',
    ref: 'libvirt Domain XML format, "Element and attribute overview" (domain type kvm vs qemu)',
    severity: 'warning',
    check(vm, ctx) {
      if (ctx.nat['kvm.overview.hypervisor']?.value !== 'qemu') return [];
      return [
        {
          title: text('Emulated CPU (no KVM acceleration)', 'CPU 为纯软件模拟（未使用 KVM 加速）'),
          reason: text(
            "The domain type is 'qemu': QEMU translates every guest instruction in software (TCG), typically many times slower than with KVM. Use type 'kvm' when the host has /dev/kvm.",
            "域类型是 'qemu'：QEMU 用软件逐条翻译客户机指令（TCG），通常比使用 KVM 慢很多倍。主机有 /dev/kvm 时应使用 'kvm' 类型。",
          ),
          fix: ctx.virshEdit(
            text(
              "In the editor change <domain type='qemu'> to <domain type='kvm'>, then restart the domain.",
              "在编辑器中把 <domain type='qemu'> 改成 <domain type='kvm'>，然后重启该域。",
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'kvm.overview.win11-bios',
    settingId: 'kvm.overview.firmware',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!ctx.guest.windows11 || vm.system.firmware?.value === 'EFI') return [];
      return [
        {
          title: text('Windows 11 needs UEFI', 'Windows 11 需要 UEFI'),
          reason: text(
            'The firmware is BIOS (SeaBIOS). Windows 11 setup requires UEFI firmware with Secure Boot and refuses to install otherwise.',
            '当前固件是 BIOS（SeaBIOS）。Windows 11 安装程序要求支持安全启动的 UEFI 固件，否则拒绝安装。',
          ),
          fix: ctx.virtXml(
            ['--edit', '--boot', 'firmware=efi'],
            text(
              'Switch before installing: a Windows already installed in BIOS mode will not boot from UEFI.',
              '请在安装前切换：已经以 BIOS 模式安装的 Windows 改成 UEFI 后无法启动。',
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'kvm.overview.win11-secure-boot-off',
    settingId: 'kvm.overview.secureBoot',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'info',
    check(vm, ctx) {
      if (!ctx.guest.windows11 || vm.system.firmware?.value !== 'EFI' || vm.system.secureBoot?.value)
        return [];
      return [
        {
          title: text('Windows 11 without Secure Boot', 'Windows 11 未启用安全启动'),
          reason: text(
            'The firmware is UEFI but Secure Boot is not enabled. Windows 11 setup checks for Secure Boot capable firmware.',
            '固件是 UEFI，但没有启用安全启动。Windows 11 安装程序会检查固件是否支持安全启动。',
          ),
          fix: ctx.virshEdit(
            text(
              "Under <os firmware='efi'> add <firmware><feature enabled='yes' name='secure-boot'/><feature enabled='yes' name='enrolled-keys'/></firmware>.",
              "在 <os firmware='efi'> 下加入 <firmware><feature enabled='yes' name='secure-boot'/><feature enabled='yes' name='enrolled-keys'/></firmware>。",
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'kvm.overview.windows-no-hyperv',
    settingId: 'kvm.overview.hyperv',
    source: 'learner',
    ref: 'libvirt Domain XML format, "Hypervisor features" (hyperv)',
    severity: 'info',
    check(vm, ctx) {
      if (ctx.guest.family !== 'windows' || ctx.nat['kvm.overview.hyperv']) return [];
      return [
        {
          title: text('Windows guest without Hyper-V enlightenments', 'Windows 客户机未启用 Hyper-V 增强'),
          reason: text(
            'Windows runs noticeably smoother on KVM when the Hyper-V enlightenments (relaxed timing, virtual APIC, spinlocks, hypervclock) are enabled; none are set.',
            '启用 Hyper-V 增强（relaxed、vapic、spinlocks、hypervclock 等）后，Windows 在 KVM 上运行明显更顺畅；当前一项也没有设置。',
          ),
          fix: ctx.virtXml([
            '--edit',
            '--features',
            'hyperv.relaxed.state=on,hyperv.vapic.state=on,hyperv.spinlocks.state=on,hyperv.spinlocks.retries=8191',
          ]),
        },
      ];
    },
  },

  // ---- CPUs -------------------------------------------------------------------------------------
  {
    id: 'kvm.cpus.over-host-threads',
    settingId: 'kvm.cpus.vcpus',
    source: 'host',
    ref: LIBVIRT_CPU_REF,
    severity: 'warning',
    check(vm, ctx) {
      const vcpus = vm.system.cpus?.value;
      const host = ctx.host;
      if (!host || vcpus === undefined || vcpus <= host.threads) return [];
      return [
        {
          title: text('More vCPUs than the host has CPUs', 'vCPU 数量超过主机的逻辑 CPU 数'),
          reason: text(
            `${vcpus} vCPUs on a host with ${host.threads} logical CPUs: the vCPU threads compete for the same CPUs and the guest stalls under load.`,
            `${vcpus} 个 vCPU 运行在只有 ${host.threads} 个逻辑 CPU 的主机上：vCPU 线程争抢同一批 CPU，客户机在负载下会卡顿。`,
          ),
          fix: ctx.virtXml(['--edit', '--vcpus', String(Math.max(1, host.cores))]),
          numbers: { vcpus, hostThreads: host.threads, hostCores: host.cores },
        },
      ];
    },
  },
  {
    id: 'kvm.cpus.over-host-cores',
    settingId: 'kvm.cpus.vcpus',
    source: 'host',
    ref: LIBVIRT_CPU_REF,
    severity: 'info',
    check(vm, ctx) {
      const vcpus = vm.system.cpus?.value;
      const host = ctx.host;
      if (!host || vcpus === undefined || vcpus <= host.cores || vcpus > host.threads) return [];
      return [
        {
          title: text('More vCPUs than physical cores', 'vCPU 数量超过物理核心数'),
          reason: text(
            `${vcpus} vCPUs on ${host.cores} physical cores (${host.threads} threads): some vCPUs share a core through hyper-threading, which helps less than a real core.`,
            `${vcpus} 个 vCPU 对应 ${host.cores} 个物理核心（${host.threads} 个线程）：部分 vCPU 通过超线程共用一个核心，效果不如独立核心。`,
          ),
          numbers: { vcpus, hostCores: host.cores, hostThreads: host.threads },
        },
      ];
    },
  },
  {
    id: 'kvm.cpus.topology-mismatch',
    settingId: 'kvm.cpus.sockets',
    source: 'learner',
    ref: LIBVIRT_CPU_REF,
    severity: 'error',
    check(vm, ctx) {
      const s = num(ctx.nat['kvm.cpus.sockets']);
      const c = num(ctx.nat['kvm.cpus.cores']);
      const t = num(ctx.nat['kvm.cpus.threads']);
      const max = num(ctx.nat['kvm.cpus.maxVcpus']);
      if (s === undefined || c === undefined || t === undefined || max === undefined) return [];
      if (s * c * t === max) return [];
      return [
        {
          title: text('CPU topology does not match the vCPU count', 'CPU 拓扑与 vCPU 数量不一致'),
          reason: text(
            `${s} socket(s) × ${c} core(s) × ${t} thread(s) = ${s * c * t}, but the maximum vCPU count is ${max}; libvirt refuses such a definition.`,
            `${s} 个插槽 × ${c} 个核心 × ${t} 个线程 = ${s * c * t}，但最大 vCPU 数为 ${max}；libvirt 会拒绝这样的定义。`,
          ),
          fix: ctx.virtXml(['--edit', '--vcpus', `${s * c * t},sockets=${s},cores=${c},threads=${t}`]),
          numbers: { sockets: s, cores: c, threads: t, maxVcpus: max },
        },
      ];
    },
  },
  {
    id: 'kvm.cpus.generic-model',
    settingId: 'kvm.cpus.mode',
    source: 'learner',
    ref: LIBVIRT_CPU_REF,
    severity: 'info',
    check(vm, ctx) {
      const type = ctx.nat['kvm.overview.hypervisor']?.value;
      if (type !== 'kvm') return [];
      const mode = ctx.nat['kvm.cpus.mode']?.value;
      if (mode === 'host-passthrough' || mode === 'host-model' || mode === 'maximum') return [];
      const model = ctx.nat['kvm.cpus.model']?.value;
      const what = mode
        ? `CPU mode '${mode}'${model ? ` (${model})` : ''}`
        : 'no <cpu> element (QEMU default model)';
      const whatZh = mode
        ? `CPU 模式为 '${mode}'${model ? `（${model}）` : ''}`
        : '没有 <cpu> 元素（使用 QEMU 默认型号）';
      return [
        {
          title: text('Generic CPU model hides host features', '通用 CPU 型号隐藏了主机特性'),
          reason: text(
            `${what}: the guest sees an older CPU without many instruction-set extensions (AVX, AES…). host-passthrough gives the best speed; host-model keeps live migration easier.`,
            `${whatZh}：客户机看到的是一颗较旧的 CPU，缺少许多指令集扩展（AVX、AES 等）。host-passthrough 性能最好；host-model 更便于热迁移。`,
          ),
          fix: ctx.virtXml(['--edit', '--cpu', 'host-passthrough,clearxml=yes']),
        },
      ];
    },
  },

  // ---- Memory -----------------------------------------------------------------------------------
  {
    id: 'kvm.memory.over-host',
    settingId: 'kvm.memory.maximum',
    source: 'host',
    ref: LIBVIRT_MEM_REF,
    severity: 'warning',
    check(vm, ctx) {
      const max = num(ctx.nat['kvm.memory.maximum']);
      const host = ctx.host;
      if (!host || max === undefined || max <= host.memoryMB) return [];
      const target = Math.max(256, Math.floor((host.memoryMB * 0.5) / 256) * 256);
      return [
        {
          title: text('More memory than the host has', '内存超过主机物理内存'),
          reason: text(
            `The domain may use up to ${max} MiB, the host has ${host.memoryMB} MiB: once the guest touches that much, the host swaps or the kernel's OOM killer stops QEMU.`,
            `该域最多可使用 ${max} MiB，而主机只有 ${host.memoryMB} MiB：客户机一旦真正用到这么多，主机就会大量换页，或被内核 OOM 机制杀掉 QEMU 进程。`,
          ),
          fix: ctx.virtXml(['--edit', '--memory', `memory=${target},currentMemory=${target}`]),
          numbers: { memoryMB: max, hostMemoryMB: host.memoryMB },
        },
      ];
    },
  },
  {
    id: 'kvm.memory.large-share',
    settingId: 'kvm.memory.current',
    source: 'host',
    ref: LIBVIRT_MEM_REF,
    severity: 'info',
    check(vm, ctx) {
      const cur = num(ctx.nat['kvm.memory.current']);
      const max = num(ctx.nat['kvm.memory.maximum']);
      const host = ctx.host;
      if (!host || cur === undefined || host.memoryMB <= 0) return [];
      if (max !== undefined && max > host.memoryMB) return [];
      const percent = Math.round((cur / host.memoryMB) * 100);
      if (percent <= 75) return [];
      return [
        {
          title: text('Most of the host memory goes to this domain', '主机的大部分内存分给了这个域'),
          reason: text(
            `${cur} MiB is ${percent} % of the host's ${host.memoryMB} MiB; the host and other domains are left little room.`,
            `${cur} MiB 占主机 ${host.memoryMB} MiB 的 ${percent}%；留给主机和其他域的内存很少。`,
          ),
          numbers: { memoryMB: cur, hostMemoryMB: host.memoryMB, percent },
        },
      ];
    },
  },
  {
    id: 'kvm.memory.virtiofs-needs-shared',
    settingId: 'kvm.memory.shared',
    source: 'learner',
    ref: 'libvirt Domain XML format, "Filesystems" (virtiofs requires shared memory)',
    severity: 'error',
    check(vm, ctx) {
      const drivers = [...instances(ctx.nat, 'kvm.devices.fsDriver').values()];
      if (!drivers.some((d) => d.value === 'virtiofs')) return [];
      if (ctx.nat['kvm.memory.shared']?.value === 'yes') return [];
      return [
        {
          title: text('virtiofs share without shared memory', 'virtiofs 共享目录缺少共享内存'),
          reason: text(
            'A virtiofs filesystem needs the guest memory to be shared with the virtiofsd daemon; without <memoryBacking><access mode="shared"/> the domain does not start.',
            'virtiofs 文件系统要求客户机内存与 virtiofsd 守护进程共享；没有 <memoryBacking><access mode="shared"/> 时该域无法启动。',
          ),
          fix: ctx.virtXml(['--edit', '--memorybacking', 'source.type=memfd,access.mode=shared']),
        },
      ];
    },
  },

  // ---- Disks --------------------------------------------------------------------------------------
  {
    id: 'kvm.disks.not-virtio-linux',
    settingId: 'kvm.disks.bus',
    source: 'learner',
    ref: LIBVIRT_DISK_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (ctx.guest.family !== 'linux') return [];
      const devices = instances(ctx.nat, 'kvm.disks.device');
      const virtioScsi = [...instances(ctx.nat, 'kvm.disks.controllerModel').entries()].some(
        ([inst, m]) => inst.startsWith('scsi') && m.value.startsWith('virtio'),
      );
      const hits: Hit[] = [];
      for (const [inst, bus] of instances(ctx.nat, 'kvm.disks.bus')) {
        if (devices.get(inst)?.value !== 'disk') continue;
        if (bus.value === 'virtio' || (bus.value === 'scsi' && virtioScsi)) continue;
        if (!['ide', 'sata', 'scsi', 'usb'].includes(bus.value)) continue;
        hits.push({
          instance: inst,
          title: text(
            `Disk ${inst} on an emulated ${bus.value.toUpperCase()} bus`,
            `磁盘 ${inst} 使用模拟的 ${bus.value.toUpperCase()} 总线`,
          ),
          reason: text(
            `A Linux guest has virtio drivers built in; the emulated ${bus.value.toUpperCase()} controller costs far more CPU per I/O than virtio-blk or virtio-scsi.`,
            `Linux 客户机自带 virtio 驱动；模拟的 ${bus.value.toUpperCase()} 控制器每次 I/O 消耗的 CPU 远多于 virtio-blk 或 virtio-scsi。`,
          ),
          fix: ctx.virtXml(
            ['--edit', `target=${inst}`, '--disk', 'bus=virtio'],
            text(
              'The disk is renamed (vdX) inside the guest: mount file systems by UUID or label before switching.',
              '切换后磁盘在客户机里会改名为 vdX：切换前请确保 /etc/fstab 按 UUID 或卷标挂载。',
            ),
          ),
        });
      }
      return hits;
    },
  },
  {
    id: 'kvm.disks.cache-unsafe',
    settingId: 'kvm.disks.cache',
    source: 'learner',
    ref: LIBVIRT_DISK_REF,
    severity: 'warning',
    check(vm, ctx) {
      const hits: Hit[] = [];
      for (const [inst, cache] of instances(ctx.nat, 'kvm.disks.cache')) {
        if (cache.value !== 'unsafe') continue;
        hits.push({
          instance: inst || undefined,
          title: text(`Disk ${inst} uses cache=unsafe`, `磁盘 ${inst} 使用 cache=unsafe`),
          reason: text(
            "With cache mode 'unsafe' the guest's flush requests are ignored: a host crash or power loss can corrupt the guest's file systems. Fine for throw-away installs only.",
            "缓存模式为 'unsafe' 时会忽略客户机的刷盘请求：主机崩溃或断电可能损坏客户机文件系统。只适合用完即弃的安装。",
          ),
          fix: ctx.virtXml(['--edit', `target=${inst}`, '--disk', 'cache=none']),
        });
      }
      return hits;
    },
  },

  // ---- NICs ---------------------------------------------------------------------------------------
  {
    id: 'kvm.nics.not-virtio-linux',
    settingId: 'kvm.nics.model',
    source: 'learner',
    ref: LIBVIRT_NET_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (ctx.guest.family !== 'linux') return [];
      const models = instances(ctx.nat, 'kvm.nics.model');
      const hits: Hit[] = [];
      for (const [inst, source] of instances(ctx.nat, 'kvm.nics.source')) {
        if (source.value === 'hostdev' || source.value === 'vhostuser') continue;
        const model = models.get(inst)?.value;
        if (model === 'virtio') continue;
        const mac = ctx.nat[`kvm.nics.mac#${inst}`]?.value;
        const label = model ?? 'default';
        hits.push({
          instance: inst,
          title: text(`NIC ${inst} uses an emulated ${label} card`, `网卡 ${inst} 使用模拟的 ${label} 网卡`),
          reason: text(
            `A Linux guest has the virtio-net driver built in; an emulated ${model ?? '(QEMU default)'} card gives lower throughput and more CPU load.`,
            `Linux 客户机自带 virtio-net 驱动；模拟的 ${model ?? '（QEMU 默认）'} 网卡吞吐量更低、CPU 占用更高。`,
          ),
          fix: ctx.virtXml(
            ['--edit', mac ? `mac=${mac}` : inst, '--network', 'model.type=virtio'],
            text(
              'The interface may get a new name inside the guest (e.g. ens3): check its network configuration.',
              '客户机里的网卡名称可能会变（例如 ens3）：请检查其网络配置。',
            ),
          ),
        });
      }
      return hits;
    },
  },
  {
    id: 'kvm.nics.user-unreachable',
    settingId: 'kvm.nics.source',
    source: 'learner',
    ref: LIBVIRT_NET_REF,
    severity: 'info',
    check(vm, ctx) {
      const hits: Hit[] = [];
      for (const [inst, source] of instances(ctx.nat, 'kvm.nics.source')) {
        if (source.value !== 'user' || ctx.nat[`kvm.nics.portForward#${inst}`]) continue;
        const mac = ctx.nat[`kvm.nics.mac#${inst}`]?.value;
        hits.push({
          instance: inst,
          title: text(
            `NIC ${inst}: user-mode networking, unreachable from the host`,
            `网卡 ${inst}：用户模式网络，主机无法访问`,
          ),
          reason: text(
            'User-mode (SLIRP/passt) networking lets the guest reach out, but neither the host nor other machines can open connections to it without port forwards. A virtual network such as "default" (NAT) gives it an address the host can reach.',
            '用户模式（SLIRP/passt）网络允许客户机访问外部，但没有端口转发时主机和其他机器都无法主动连接它。改用 "default" 等虚拟网络（NAT）后，它会获得一个主机可以访问的地址。',
          ),
          fix: ctx.virtXml(['--edit', mac ? `mac=${mac}` : inst, '--network', 'network=default']),
        });
      }
      return hits;
    },
  },
  {
    id: 'kvm.nics.link-down',
    settingId: 'kvm.nics.linkState',
    source: 'learner',
    ref: LIBVIRT_NET_REF,
    severity: 'info',
    check(vm, ctx) {
      const hits: Hit[] = [];
      for (const [inst, link] of instances(ctx.nat, 'kvm.nics.linkState')) {
        if (link.value !== 'down') continue;
        const mac = ctx.nat[`kvm.nics.mac#${inst}`]?.value;
        hits.push({
          instance: inst,
          title: text(`NIC ${inst}: link is down`, `网卡 ${inst}：链路已断开`),
          reason: text(
            'The virtual cable of this interface is unplugged: the guest sees no carrier and gets no network on it.',
            '这块网卡的虚拟网线处于拔出状态：客户机检测不到载波，无法通过它联网。',
          ),
          fix: ctx.virtXml(['--edit', mac ? `mac=${mac}` : inst, '--network', 'link.state=up']),
        });
      }
      return hits;
    },
  },
  {
    id: 'kvm.nics.duplicate-mac',
    settingId: 'kvm.nics.mac',
    source: 'learner',
    ref: LIBVIRT_NET_REF,
    severity: 'error',
    check(vm, ctx) {
      const byMac = new Map<string, string[]>();
      for (const [inst, mac] of instances(ctx.nat, 'kvm.nics.mac')) {
        const k = mac.value.toLowerCase();
        byMac.set(k, [...(byMac.get(k) ?? []), inst]);
      }
      const hits: Hit[] = [];
      for (const [mac, list] of byMac) {
        if (list.length < 2) continue;
        for (const inst of list.slice(1)) {
          hits.push({
            instance: inst,
            title: text(`NIC ${inst} repeats MAC ${mac}`, `网卡 ${inst} 的 MAC ${mac} 重复`),
            reason: text(
              `NICs ${list.join(', ')} share the MAC address ${mac}; libvirt refuses to start a domain with duplicate MAC addresses.`,
              `网卡 ${list.join('、')} 使用相同的 MAC 地址 ${mac}；libvirt 不会启动 MAC 地址重复的域。`,
            ),
            fix: ctx.virtXml(
              ['--edit', inst, '--network', 'mac=<new MAC>'],
              text(
                'Replace <new MAC> with an unused address such as 52:54:00:xx:xx:xx.',
                '把 <new MAC> 换成未使用的地址，例如 52:54:00:xx:xx:xx。',
              ),
            ),
          });
        }
      }
      return hits;
    },
  },

  // ---- Display -----------------------------------------------------------------------------------
  {
    id: 'kvm.display.listen-all-addresses',
    settingId: 'kvm.display.listen',
    source: 'host',
    ref: LIBVIRT_GFX_REF,
    severity: 'warning',
    check(vm, ctx) {
      const hits: Hit[] = [];
      for (const [inst, listen] of instances(ctx.nat, 'kvm.display.listen')) {
        if (listen.value !== '0.0.0.0' && listen.value !== '::') continue;
        if (ctx.nat[inst ? `kvm.display.password#${inst}` : 'kvm.display.password']) continue;
        const type =
          ctx.nat[inst ? `kvm.display.graphicsType#${inst}` : 'kvm.display.graphicsType']?.value ??
          'graphics';
        hits.push({
          instance: inst || undefined,
          title: text(
            `${type.toUpperCase()} console listens on every address`,
            `${type.toUpperCase()} 控制台监听所有地址`,
          ),
          reason: text(
            `The ${type.toUpperCase()} server listens on ${listen.value}: anyone who can reach this host's port can watch and type on the console unless a password is set (virsh hides passwords, so it may or may not be). Listening on 127.0.0.1 and tunnelling through SSH is safer.`,
            `${type.toUpperCase()} 服务监听 ${listen.value}：只要能访问到主机的这个端口，任何人都能看到并操作控制台，除非设置了密码（virsh 不显示密码，因此无法确定）。只监听 127.0.0.1 并通过 SSH 隧道访问更安全。`,
          ),
          fix: ctx.virtXml(['--edit', inst || '1', '--graphics', 'listen=127.0.0.1']),
        });
      }
      return hits;
    },
  },
  {
    id: 'kvm.display.legacy-video',
    settingId: 'kvm.display.videoModel',
    source: 'learner',
    ref: LIBVIRT_GFX_REF,
    severity: 'info',
    check(vm, ctx) {
      const model = ctx.nat['kvm.display.videoModel']?.value;
      if (model !== 'cirrus') return [];
      return [
        {
          title: text('Legacy Cirrus video card', '过时的 Cirrus 显卡'),
          reason: text(
            'The Cirrus card emulates a 1990s chip: low resolutions, few colours and slow drawing. virtio (or qxl with SPICE) suits current guests better.',
            'Cirrus 显卡模拟的是上世纪 90 年代的芯片：分辨率低、颜色少、绘图慢。virtio（或配合 SPICE 的 qxl）更适合现代客户机。',
          ),
          fix: ctx.virtXml(['--edit', '--video', 'model.type=virtio']),
        },
      ];
    },
  },

  // ---- Devices -----------------------------------------------------------------------------------
  {
    id: 'kvm.devices.win11-no-tpm',
    settingId: 'kvm.devices.tpm',
    source: 'learner',
    ref: WIN11_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!ctx.guest.windows11 || vm.system.tpm?.value === 'v2_0') return [];
      const has = vm.system.tpm !== undefined;
      return [
        {
          title: text('Windows 11 without TPM 2.0', 'Windows 11 没有 TPM 2.0'),
          reason: has
            ? text(
                `The TPM is "${ctx.nat['kvm.devices.tpm']?.value ?? '?'}", not version 2.0. Windows 11 setup requires TPM 2.0.`,
                `当前 TPM 为 "${ctx.nat['kvm.devices.tpm']?.value ?? '?'}"，不是 2.0 版本。Windows 11 安装程序要求 TPM 2.0。`,
              )
            : text(
                'The domain has no TPM device. Windows 11 setup requires TPM 2.0; libvirt can emulate one with swtpm.',
                '该域没有 TPM 设备。Windows 11 安装程序要求 TPM 2.0；libvirt 可以借助 swtpm 模拟一个。',
              ),
          fix: has
            ? ctx.virtXml(['--edit', '--tpm', 'backend.type=emulator,backend.version=2.0,model=tpm-crb'])
            : ctx.virtXml([
                '--add-device',
                '--tpm',
                'backend.type=emulator,backend.version=2.0,model=tpm-crb',
              ]),
        },
      ];
    },
  },
];

/**
 * The KVM rules table: id, the KVM setting it concerns, source, reference and severity of each rule
 * (without the checks). Ids are unique and stable; a unit test checks each `settingId` against
 * `KVM_CONTROL_IDS` and the KVM catalog.
 */
export const KVM_ADVICE_RULES: readonly KvmAdviceRuleInfo[] = RULES.map(
  ({ id, settingId, source, ref, severity }) => ({
    id,
    settingId,
    source,
    ref,
    severity,
  }),
);

/**
 * Evaluates every KVM rule against one domain. Findings come sorted by severity (errors first), then
 * in rules-table order. `settingId` is a KVM catalog id with an optional `#instance` suffix (see
 * kvm-ids.ts); until `FindingSettingId` accepts KVM ids it is cast to that type. Fixes are `virt-xml`
 * or `virsh edit` commands with `--connect <uri>` when `ctx.uri` is given (left out without a UUID).
 */
export function evaluateKvmAdvice(config: VmConfig, ctx: KvmAdviceContext = {}): Finding[] {
  const uuid = config.id;
  const connect = ctx.uri ? ['--connect', ctx.uri] : [];
  const withNote = (command: string, note?: Localized): FindingFix =>
    note ? { command, note } : { command };
  const rc: Ctx = {
    ...ctx,
    guest: kvmGuest(config),
    nat: config.native ?? {},
    virtXml: (args, note) =>
      uuid ? withNote(['virt-xml', ...connect, uuid, ...args].map(q).join(' '), note) : undefined,
    virshEdit: (note) =>
      uuid ? withNote(['virsh', ...connect, 'edit', uuid].map(q).join(' '), note) : undefined,
  };
  const out: { finding: Finding; order: number }[] = [];
  RULES.forEach((rule, order) => {
    let hits: Hit[];
    try {
      hits = rule.check(config, rc);
    } catch {
      hits = [];
    }
    for (const hit of hits) {
      const settingId = (hit.instance
        ? `${rule.settingId}#${hit.instance}`
        : rule.settingId) as unknown as FindingSettingId;
      const finding: Finding = {
        id: rule.id,
        severity: rule.severity,
        settingId,
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

import { enabledAdapters } from './rules-network.ts';
import { suggestedMemoryMB } from './rules-system.ts';
import { percentOf, text, type AdviceRule, type RuleHit } from './rule.ts';
import { ramLimits } from './thresholds.ts';

/**
 * Checks against the host the app runs on, beyond VirtualBox's own dialog (reference
 * `settings-guidance.md` B1, B2, B3, B5, B6).
 */

const MANUAL_PROCESSOR = 'VirtualBox manual, "Processor Tab"';
const MANUAL_NAT = 'VirtualBox manual, "Network Address Translation (NAT)" and "NAT Limitations"';
const MANUAL_BRIDGED = 'VirtualBox manual, "Bridged Networking"';
const MANUAL_HW = 'VirtualBox manual, "Hardware Virtualization"';
const MANUAL_MEMORY = 'VirtualBox manual, "Motherboard Tab"';

/** Host interface names that are wireless (macOS `en0: Wi-Fi`, `AirPort`; Linux `wlp…`/`wlan…`/`wlx…`; Windows adapter descriptions). */
export const WIFI_NAME = /wi-?fi|wlan|\bwl[pox]\w*|wireless|airport|802\.11/i;

/** Host-aware rules (source `host`). */
export const HOST_RULES: AdviceRule[] = [
  {
    id: 'host.processor.all-physical-cores',
    settingId: 'system.processor.cpus',
    source: 'host',
    ref: MANUAL_PROCESSOR,
    severity: 'info',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      const cores = ctx.host.cores;
      if (cpus === undefined || !(cores >= 2) || cpus !== cores) return [];
      return [
        {
          title: text('Every physical core goes to this VM', '所有物理核心都给了这台虚拟机'),
          reason: text(
            `${cpus} vCPUs equal this host's ${cores} physical cores. VirtualBox accepts it, but while the VM is busy the host and VirtualBox's own threads compete with it; leaving one core free keeps both responsive.`,
            `${cpus} 个虚拟 CPU 正好等于本机的 ${cores} 个物理核心。VirtualBox 允许这样设置，但虚拟机繁忙时，主机和 VirtualBox 自身的线程都要和它争抢；留出一个核心，两边都会更流畅。`,
          ),
          fix: ctx.modifyvm(['--cpus', String(cores - 1)]),
          numbers: { cpus, hostCores: cores, hostThreads: ctx.host.threads },
        },
      ];
    },
  },
  {
    id: 'host.acceleration.no-hwvirt',
    settingId: 'system.acceleration.hwVirtEx',
    source: 'host',
    ref: MANUAL_HW,
    severity: 'warning',
    check(_vm, ctx) {
      if (ctx.host.supportsHwVirt !== false) return [];
      return [
        {
          title: text('This host reports no VT-x/AMD-V', '本机报告没有可用的 VT-x/AMD-V'),
          reason: text(
            'VirtualBox says the host processor offers no hardware virtualization. Since VirtualBox 6.1 every VM needs it (earlier versions for 64-bit guests and more than one vCPU). Usually it is switched off in the BIOS/UEFI, or Hyper-V (also used by WSL2 and Memory integrity on Windows) has taken it.',
            'VirtualBox 报告主机处理器没有可用的硬件虚拟化。从 VirtualBox 6.1 起每台虚拟机都需要它（更早的版本在 64 位客户机和多个虚拟 CPU 时需要）。通常是 BIOS/UEFI 中关闭了它，或者 Windows 上的 Hyper-V（WSL2、内存完整性也会用到）占用了它。',
          ),
        },
      ];
    },
  },
  {
    id: 'host.memory.running-total',
    settingId: 'system.motherboard.memory',
    source: 'host',
    ref: MANUAL_MEMORY,
    severity: 'warning',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      const host = ctx.host.memoryMB;
      if (mem === undefined || !(host > 0)) return [];
      const others = (ctx.runningVms ?? []).filter(
        (r) => !(r.id && r.id.toLowerCase() === vm.id.toLowerCase()),
      );
      if (others.length === 0) return [];
      const othersMB = others.reduce((sum, r) => sum + (r.memoryMB > 0 ? r.memoryMB : 0), 0);
      const total = mem + othersMB;
      const lim = ramLimits(host);
      if (total <= lim.warnAboveMB) return [];
      const pct = percentOf(total, host);
      const room = lim.warnAboveMB - othersMB;
      const n = others.length;
      return [
        {
          title: text('Running VMs together need too much memory', '正在运行的虚拟机合计占用内存过多'),
          reason: text(
            `This VM's ${mem} MB plus ${othersMB} MB for ${n} other running VM${n === 1 ? '' : 's'} make ${total} MB, ${pct} % of this host's ${host} MB. VirtualBox already warns when one VM takes more than ${lim.warnPercent} %; the host will swap or a VM may fail to start.`,
            `此虚拟机的 ${mem} MB 加上另外 ${n} 台正在运行的虚拟机的 ${othersMB} MB，共 ${total} MB，占本机 ${host} MB 内存的 ${pct}%。单台虚拟机超过 ${lim.warnPercent}% VirtualBox 就会警告；主机会频繁换页，或者有虚拟机无法启动。`,
          ),
          fix:
            room >= 256
              ? ctx.modifyvm(
                  ['--memory', String(suggestedMemoryMB(room))],
                  text(
                    'Or stop one of the other VMs before starting this one.',
                    '也可以先停掉其他某台虚拟机再启动这一台。',
                  ),
                )
              : undefined,
          numbers: { memoryMB: mem, othersMB, totalMB: total, hostMB: host, percent: pct, runningVms: n },
        },
      ];
    },
  },
  {
    id: 'host.network.nat-unreachable',
    settingId: 'network.adapter.portForwarding',
    source: 'host',
    ref: MANUAL_NAT,
    severity: 'info',
    check(vm, ctx) {
      const enabled = enabledAdapters(vm);
      const nat = enabled.filter((a) => a.attachment.value.toLowerCase() === 'nat');
      if (nat.length === 0) return [];
      const reachable = enabled.some((a) => {
        const v = a.attachment.value.toLowerCase();
        return (
          v === 'bridged' ||
          v === 'hostonly' ||
          v === 'hostonlynetwork' ||
          (v === 'nat' && a.portForwards.length > 0)
        );
      });
      if (reachable) return [];
      const a = nat[0];
      return [
        {
          instance: String(a.slot),
          title: text('The host cannot reach this guest', '主机无法访问这台客户机'),
          reason: text(
            `Adapter ${a.slot} uses NAT and has no port forwarding rule, and no other adapter is bridged or host-only. The guest can reach the internet, but nothing on the host (SSH, a web server) can connect to it.`,
            `网卡 ${a.slot} 使用 NAT 且没有端口转发规则，也没有其他桥接或仅主机网卡。客户机可以上网，但主机上的任何程序（SSH、浏览器访问网站等）都连不进去。`,
          ),
          fix: ctx.modifyvm(
            [ctx.flag(`--nat-pf${a.slot}`, `--natpf${a.slot}`), 'ssh,tcp,127.0.0.1,2222,,22'],
            text(
              'Example for SSH: host port 2222 → guest port 22, then `ssh -p 2222 user@127.0.0.1`. Change the ports for other services, or add a host-only adapter.',
              '以 SSH 为例：主机端口 2222 → 客户机端口 22，然后用 `ssh -p 2222 user@127.0.0.1` 连接。其他服务改成相应端口，或者再加一块仅主机网卡。',
            ),
          ),
        },
      ];
    },
  },
  {
    id: 'host.network.privileged-host-port',
    settingId: 'network.adapter.portForwarding',
    source: 'host',
    ref: MANUAL_NAT,
    severity: 'warning',
    check(vm, ctx) {
      if (ctx.hostOs === 'win32') return [];
      const hits: RuleHit[] = [];
      for (const a of enabledAdapters(vm)) {
        if (a.attachment.value.toLowerCase() !== 'nat') continue;
        for (const pf of a.portForwards) {
          if (!(pf.hostPort > 0 && pf.hostPort < 1024)) continue;
          const port = pf.hostPort + 8000;
          const flag = ctx.flag(`--nat-pf${a.slot}`, `--natpf${a.slot}`);
          const rule = [pf.name, pf.protocol, pf.hostIp, String(port), pf.guestIp, String(pf.guestPort)].join(
            ',',
          );
          const os = ctx.hostOs === 'darwin' ? 'macOS' : 'Linux';
          hits.push({
            instance: String(a.slot),
            title: text(`Port forward to host port ${pf.hostPort}`, `端口转发使用了主机端口 ${pf.hostPort}`),
            reason: text(
              `Rule "${pf.name}" on adapter ${a.slot} listens on host port ${pf.hostPort}. On ${os} only root may use ports below 1024, so the VM refuses to start unless VirtualBox runs as root.`,
              `网卡 ${a.slot} 上的规则“${pf.name}”监听主机端口 ${pf.hostPort}。在 ${os} 上只有 root 才能使用 1024 以下的端口，因此除非以 root 运行 VirtualBox，否则虚拟机无法启动。`,
            ),
            fix: ctx.modifyvm(
              [flag, 'delete', pf.name, flag, rule],
              text(
                `Moves the rule to host port ${port}; connect to that port from the host instead.`,
                `把规则改到主机端口 ${port}；之后从主机连接这个端口。`,
              ),
            ),
            numbers: { hostPort: pf.hostPort, guestPort: pf.guestPort, suggestedHostPort: port },
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'host.network.bridged-wifi',
    settingId: 'network.adapter.name',
    source: 'host',
    ref: MANUAL_BRIDGED,
    severity: 'info',
    check(vm) {
      return enabledAdapters(vm)
        .filter(
          (a) =>
            a.attachment.value.toLowerCase() === 'bridged' && WIFI_NAME.test(a.attachmentName?.value ?? ''),
        )
        .map((a) => ({
          instance: String(a.slot),
          title: text('Bridged over Wi-Fi', '通过 Wi-Fi 桥接'),
          reason: text(
            `Adapter ${a.slot} bridges to "${a.attachmentName!.value}", a wireless interface. Most Wi-Fi adapters cannot carry a second MAC address, so VirtualBox rewrites it and only IPv4/IPv6 get through; networks that allow one device per port (campus, hotel) may not give the guest an address. NAT with port forwarding, or host-only, is more reliable on Wi-Fi.`,
            `网卡 ${a.slot} 桥接到无线网卡“${a.attachmentName!.value}”。大多数 Wi-Fi 网卡无法承载第二个 MAC 地址，VirtualBox 只能改写它，且只有 IPv4/IPv6 能通过；只允许一个设备接入的网络（校园网、酒店）可能不给客户机分配地址。在 Wi-Fi 上，NAT 加端口转发或仅主机网络更可靠。`,
          ),
        }));
    },
  },
];

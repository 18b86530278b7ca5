import type { Localized } from '../../shared/catalog.ts';
import type { NetworkAdapter, VmConfig } from '../../shared/model.ts';
import { isLegacyVersion, versionAtLeast } from './commands.ts';
import { text, type AdviceRule, type RuleContext, type RuleHit } from './rule.ts';

/** VirtualBox's checks of the Network page (reference `virtualbox-settings.md` §5.5), enabled adapters only. */

const NETWORK_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsNetwork.cpp';

/** Enabled adapters: every slot whose attachment is not `none` (disabled) or `null` (not attached) and not unknown. */
export function enabledAdapters(vm: VmConfig): NetworkAdapter[] {
  return vm.network.filter((a) => {
    const v = a.attachment.value.toLowerCase();
    return v !== 'none' && v !== 'null' && v !== 'unknown' && v !== '';
  });
}

/** True on a macOS host with VirtualBox 7.0 or later, where host-only adapters were replaced by host-only networks. */
function macHostOnlyNetworks(ctx: RuleContext): boolean {
  return ctx.hostOs === 'darwin' && versionAtLeast(ctx.vboxVersion, 7, 0);
}

/** One "attachment needs a name" rule: which attachment, the wording, and the fix flag. */
interface NameRule {
  id: string;
  attachment: string;
  title: Localized;
  what: { en: string; zh: string };
  /** Fix args for adapter slot `n`, or undefined when there is no safe command. */
  fix: (n: number, ctx: RuleContext) => string[] | undefined;
  note?: Localized;
  /** Extra condition (e.g. host-only adapters only where they exist). */
  when?: (ctx: RuleContext) => boolean;
}

const NAME_RULES: NameRule[] = [
  {
    id: 'vbox.network.bridged-no-interface',
    attachment: 'bridged',
    title: text('Bridged adapter without a host interface', '桥接网卡未选择主机网卡'),
    what: { en: 'no host network interface is selected to bridge to', zh: '没有选择要桥接的主机网卡' },
    fix: (n, ctx) => [ctx.flag(`--bridge-adapter${n}`, `--bridgeadapter${n}`), '<host interface>'],
    note: text(
      'Replace <host interface> with a name from `VBoxManage list bridgedifs`.',
      '把 <host interface> 换成 `VBoxManage list bridgedifs` 列出的名称。',
    ),
  },
  {
    id: 'vbox.network.intnet-no-name',
    attachment: 'intnet',
    title: text('Internal network without a name', '内部网络没有名称'),
    what: { en: 'the internal network name is empty', zh: '内部网络名称为空' },
    fix: (n) => [`--intnet${n}`, 'intnet'],
    note: text(
      "VMs meet on an internal network by sharing its name; `intnet` is VirtualBox's default name.",
      '虚拟机通过使用相同的名称加入同一个内部网络；`intnet` 是 VirtualBox 的默认名称。',
    ),
  },
  {
    id: 'vbox.network.hostonly-no-adapter',
    attachment: 'hostonly',
    title: text('Host-only adapter not selected', '未选择仅主机网卡'),
    what: { en: 'no host-only adapter is selected', zh: '没有选择仅主机（Host-Only）网卡' },
    fix: (n, ctx) => [ctx.flag(`--host-only-adapter${n}`, `--hostonlyadapter${n}`), '<host-only adapter>'],
    note: text(
      'Replace <host-only adapter> with a name from `VBoxManage list hostonlyifs` (e.g. vboxnet0).',
      '把 <host-only adapter> 换成 `VBoxManage list hostonlyifs` 列出的名称（如 vboxnet0）。',
    ),
    when: (ctx) => !macHostOnlyNetworks(ctx),
  },
  {
    id: 'vbox.network.hostonly-network-no-name',
    attachment: 'hostonlynetwork',
    title: text('Host-only network not selected', '未选择仅主机网络'),
    what: { en: 'no host-only network is selected', zh: '没有选择仅主机网络' },
    fix: (n) => [`--host-only-net${n}`, '<network>'],
    note: text(
      'Replace <network> with a name from `VBoxManage list hostonlynets`.',
      '把 <network> 换成 `VBoxManage list hostonlynets` 列出的名称。',
    ),
  },
  {
    id: 'vbox.network.generic-no-driver',
    attachment: 'generic',
    title: text('Generic driver not selected', '未选择通用驱动'),
    what: { en: 'no generic driver is selected', zh: '没有选择通用驱动' },
    fix: (n, ctx) => (isLegacyVersion(ctx.vboxVersion) ? undefined : [`--nic-generic-drv${n}`, '<driver>']),
    note: text(
      'Replace <driver> with the driver name, e.g. UDPTunnel or VDE.',
      '把 <driver> 换成驱动名称，例如 UDPTunnel 或 VDE。',
    ),
  },
  {
    id: 'vbox.network.natnetwork-no-name',
    attachment: 'natnetwork',
    title: text('NAT network not selected', '未选择 NAT 网络'),
    what: { en: 'no NAT network is selected', zh: '没有选择 NAT 网络' },
    fix: (n) => [`--nat-network${n}`, '<NAT network>'],
    note: text(
      'Replace <NAT network> with a name from `VBoxManage list natnets`.',
      '把 <NAT network> 换成 `VBoxManage list natnets` 列出的名称。',
    ),
  },
  {
    id: 'vbox.network.cloud-no-name',
    attachment: 'cloudnetwork',
    title: text('Cloud network not selected', '未选择云网络'),
    what: { en: 'no cloud network is selected', zh: '没有选择云网络' },
    fix: (n) => [`--cloud-network${n}`, '<cloud network>'],
    note: text(
      'Replace <cloud network> with your cloud network name.',
      '把 <cloud network> 换成云网络的名称。',
    ),
  },
];

function nameRule(r: NameRule): AdviceRule {
  return {
    id: r.id,
    settingId: 'network.adapter.name',
    source: 'virtualbox',
    ref: NETWORK_REF,
    severity: 'error',
    check(vm, ctx) {
      if (r.when && !r.when(ctx)) return [];
      const hits: RuleHit[] = [];
      for (const a of enabledAdapters(vm)) {
        if (a.attachment.value.toLowerCase() !== r.attachment) continue;
        if ((a.attachmentName?.value ?? '').trim() !== '') continue;
        const args = r.fix(a.slot, ctx);
        hits.push({
          instance: String(a.slot),
          title: r.title,
          reason: text(
            `Adapter ${a.slot}: ${r.what.en}; VirtualBox will not save the settings this way.`,
            `网卡 ${a.slot}：${r.what.zh}；这样 VirtualBox 不允许保存设置。`,
          ),
          fix: args ? ctx.modifyvm(args, r.note) : undefined,
        });
      }
      return hits;
    },
  };
}

/** Network page rules: a name for every attachment, host-only adapters on macOS 7.x, MAC address format. */
export const NETWORK_RULES: AdviceRule[] = [
  ...NAME_RULES.map(nameRule),
  {
    id: 'vbox.network.hostonly-adapter-macos',
    settingId: 'network.adapter.attachedTo',
    source: 'virtualbox',
    ref: NETWORK_REF,
    severity: 'error',
    check(vm, ctx) {
      if (!macHostOnlyNetworks(ctx)) return [];
      return enabledAdapters(vm)
        .filter((a) => a.attachment.value.toLowerCase() === 'hostonly')
        .map((a) => ({
          instance: String(a.slot),
          title: text('Host-only adapters are gone on macOS', 'macOS 上已不再支持仅主机网卡'),
          reason: text(
            `Adapter ${a.slot} is attached to a host-only adapter, which VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} on macOS no longer supports; use a host-only network instead.`,
            `网卡 ${a.slot} 连接到仅主机网卡，而 macOS 上的 VirtualBox ${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor} 已不再支持它；请改用仅主机网络（Host-Only Network）。`,
          ),
          fix: ctx.modifyvm(
            [`--nic${a.slot}`, 'hostonlynet', `--host-only-net${a.slot}`, '<network>'],
            text(
              'Replace <network> with a name from `VBoxManage list hostonlynets`; create one with `VBoxManage hostonlynet add` if the list is empty.',
              '把 <network> 换成 `VBoxManage list hostonlynets` 列出的名称；列表为空时先用 `VBoxManage hostonlynet add` 创建一个。',
            ),
          ),
        }));
    },
  },
  {
    id: 'vbox.network.mac-length',
    settingId: 'network.adapter.mac',
    source: 'virtualbox',
    ref: NETWORK_REF,
    severity: 'error',
    check(vm, ctx) {
      return enabledAdapters(vm)
        .filter((a) => a.macAddress && !/^[0-9A-Fa-f]{12}$/.test(a.macAddress.value.trim()))
        .map((a) => ({
          instance: String(a.slot),
          title: text('MAC address is not 12 hex digits', 'MAC 地址不是 12 位十六进制数'),
          reason: text(
            `Adapter ${a.slot} has MAC address "${a.macAddress!.value}"; VirtualBox needs exactly 12 hexadecimal digits.`,
            `网卡 ${a.slot} 的 MAC 地址是“${a.macAddress!.value}”；VirtualBox 要求恰好 12 位十六进制数字。`,
          ),
          fix: ctx.modifyvm([ctx.flag(`--mac-address${a.slot}`, `--macaddress${a.slot}`), 'auto']),
        }));
    },
  },
  {
    id: 'vbox.network.mac-multicast',
    settingId: 'network.adapter.mac',
    source: 'virtualbox',
    ref: NETWORK_REF,
    severity: 'error',
    check(vm, ctx) {
      return enabledAdapters(vm)
        .filter((a) => {
          const mac = a.macAddress?.value.trim() ?? '';
          return /^[0-9A-Fa-f]{12}$/.test(mac) && parseInt(mac[1], 16) % 2 === 1;
        })
        .map((a) => ({
          instance: String(a.slot),
          title: text('MAC address is a multicast address', 'MAC 地址是组播地址'),
          reason: text(
            `Adapter ${a.slot} has MAC address ${a.macAddress!.value}; its second digit is odd, which marks a multicast address. Only unicast addresses (even second digit) are allowed.`,
            `网卡 ${a.slot} 的 MAC 地址是 ${a.macAddress!.value}；第二位是奇数，表示组播地址。只允许单播地址（第二位为偶数）。`,
          ),
          fix: ctx.modifyvm([ctx.flag(`--mac-address${a.slot}`, `--macaddress${a.slot}`), 'auto']),
        }));
    },
  },
];

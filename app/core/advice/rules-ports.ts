import type { SerialPort } from '../../shared/model.ts';
import { isLegacyVersion } from './commands.ts';
import { text, type AdviceRule, type RuleHit } from './rule.ts';

/** VirtualBox's checks of the Serial Ports and USB pages (reference `virtualbox-settings.md` §5.6–5.7). */

const SERIAL_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsSerial.cpp';
const USB_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsUSB.cpp';

/** Standard COM port addresses by slot (COM1–COM4): `[I/O base, IRQ]`. */
const COM_DEFAULTS: Record<number, [string, number]> = {
  1: ['0x3f8', 4],
  2: ['0x2f8', 3],
  3: ['0x3e8', 4],
  4: ['0x2e8', 3],
};

const enabledPorts = (ports: SerialPort[]): SerialPort[] => ports.filter((p) => p.enabled.value);

/** Numeric I/O base (hex `0x…` or decimal), NaN when unusable. */
function ioNumber(io: string | undefined): number {
  if (io === undefined) return NaN;
  return /^0x/i.test(io) ? parseInt(io.slice(2), 16) : Number(io);
}

/** True when the port's mode connects somewhere (anything but `disconnected`). */
const connected = (p: SerialPort): boolean => (p.mode?.value ?? 'disconnected') !== 'disconnected';

/** Serial Ports and USB page rules. */
export const PORT_RULES: AdviceRule[] = [
  {
    id: 'vbox.serial.address-missing',
    settingId: 'serial.port.number',
    source: 'virtualbox',
    ref: SERIAL_REF,
    severity: 'error',
    check(vm, ctx) {
      return enabledPorts(vm.serial)
        .filter((p) => p.ioBase === undefined || p.irq === undefined)
        .map((p) => {
          const [io, irq] = COM_DEFAULTS[p.slot] ?? COM_DEFAULTS[1];
          return {
            instance: String(p.slot),
            title: text('Serial port without IRQ or I/O port', '串口缺少 IRQ 或 I/O 端口'),
            reason: text(
              `Serial port ${p.slot} is enabled but its ${p.ioBase === undefined ? 'I/O port' : 'IRQ'} is not set ("${p.enabled.raw}"); VirtualBox will not save the settings this way.`,
              `串口 ${p.slot} 已启用，但没有设置${p.ioBase === undefined ? ' I/O 端口' : ' IRQ'}（“${p.enabled.raw}”）；这样 VirtualBox 不允许保存设置。`,
            ),
            fix: ctx.modifyvm([`--uart${p.slot}`, io, String(irq)]),
          };
        });
    },
  },
  {
    id: 'vbox.serial.duplicate-settings',
    settingId: 'serial.port.number',
    source: 'virtualbox',
    ref: SERIAL_REF,
    severity: 'error',
    check(vm, ctx) {
      const ports = enabledPorts(vm.serial).filter((p) => p.ioBase !== undefined && p.irq !== undefined);
      const hits: RuleHit[] = [];
      ports.forEach((p, i) => {
        const first = ports
          .slice(0, i)
          .find((o) => ioNumber(o.ioBase) === ioNumber(p.ioBase) && o.irq === p.irq);
        if (!first) return;
        const free = Object.entries(COM_DEFAULTS).find(
          ([, [io, irq]]) => !ports.some((o) => ioNumber(o.ioBase) === ioNumber(io) && o.irq === irq),
        );
        hits.push({
          instance: String(p.slot),
          title: text('Two serial ports with the same settings', '两个串口设置相同'),
          reason: text(
            `Serial ports ${first.slot} and ${p.slot} both use I/O port ${p.ioBase} and IRQ ${p.irq}; VirtualBox will not save the settings this way.`,
            `串口 ${first.slot} 和串口 ${p.slot} 都使用 I/O 端口 ${p.ioBase} 和 IRQ ${p.irq}；这样 VirtualBox 不允许保存设置。`,
          ),
          fix: free ? ctx.modifyvm([`--uart${p.slot}`, free[1][0], String(free[1][1])]) : undefined,
          numbers: { irq: p.irq!, ioBase: ioNumber(p.ioBase) },
        });
      });
      return hits;
    },
  },
  {
    id: 'vbox.serial.path-empty',
    settingId: 'serial.port.path',
    source: 'virtualbox',
    ref: SERIAL_REF,
    severity: 'error',
    check(vm, ctx) {
      return enabledPorts(vm.serial)
        .filter((p) => connected(p) && (p.path ?? '').trim() === '')
        .map((p) => ({
          instance: String(p.slot),
          title: text('Serial port without a path', '串口没有路径'),
          reason: text(
            `Serial port ${p.slot} is in "${p.mode!.value}" mode but has no path or address; VirtualBox will not save the settings this way.`,
            `串口 ${p.slot} 处于“${p.mode!.value}”模式，但没有路径或地址；这样 VirtualBox 不允许保存设置。`,
          ),
          fix: ctx.modifyvm(
            [ctx.flag(`--uart-mode${p.slot}`, `--uartmode${p.slot}`), 'disconnected'],
            text(
              `Or give the path, e.g. ${ctx.flag(`--uart-mode${p.slot}`, `--uartmode${p.slot}`)} file <path>.`,
              `也可以给出路径，例如 ${ctx.flag(`--uart-mode${p.slot}`, `--uartmode${p.slot}`)} file <path>。`,
            ),
          ),
        }));
    },
  },
  {
    id: 'vbox.serial.duplicate-path',
    settingId: 'serial.port.path',
    source: 'virtualbox',
    ref: SERIAL_REF,
    severity: 'error',
    check(vm) {
      const ports = enabledPorts(vm.serial).filter((p) => connected(p) && (p.path ?? '').trim() !== '');
      const hits: RuleHit[] = [];
      ports.forEach((p, i) => {
        const first = ports.slice(0, i).find((o) => o.path === p.path);
        if (!first) return;
        hits.push({
          instance: String(p.slot),
          title: text('Two serial ports with the same path', '两个串口路径相同'),
          reason: text(
            `Serial ports ${first.slot} and ${p.slot} both use "${p.path}"; VirtualBox will not save the settings this way.`,
            `串口 ${first.slot} 和串口 ${p.slot} 都使用“${p.path}”；这样 VirtualBox 不允许保存设置。`,
          ),
        });
      });
      return hits;
    },
  },
  {
    id: 'vbox.usb.extpack-needed-61',
    settingId: 'usb.main.controllerType',
    source: 'virtualbox',
    ref: USB_REF,
    severity: 'warning',
    check(vm, ctx) {
      if (!isLegacyVersion(ctx.vboxVersion) || ctx.extensionPack === true) return [];
      const ehci = vm.usb.ehci?.value === true;
      const xhci = vm.usb.xhci?.value === true;
      if (!ehci && !xhci) return [];
      const which = xhci ? 'USB 3.0 (xHCI)' : 'USB 2.0 (EHCI)';
      const v = `${ctx.vboxVersion!.major}.${ctx.vboxVersion!.minor}`;
      const args: string[] = [];
      if (ehci) args.push('--usbehci', 'off');
      if (xhci) args.push('--usbxhci', 'off');
      args.push('--usbohci', 'on');
      return [
        {
          title: text('USB 2.0/3.0 needs the Extension Pack here', '此版本的 USB 2.0/3.0 需要扩展包'),
          reason: text(
            `${which} is on. In VirtualBox ${v} it comes with the Oracle Extension Pack; ${ctx.extensionPack === false ? 'no usable pack is installed, so' : 'without a matching pack'} the VM will not start.`,
            `已开启 ${which}。在 VirtualBox ${v} 中它由 Oracle 扩展包提供；${ctx.extensionPack === false ? '当前没有可用的扩展包，因此' : '没有版本匹配的扩展包时，'}虚拟机无法启动。`,
          ),
          fix: ctx.modifyvm(
            args,
            text(
              'This falls back to USB 1.1; or install the Extension Pack of exactly your VirtualBox version. VirtualBox 7.0 and later no longer need it for USB.',
              '这会退回 USB 1.1；也可以安装与 VirtualBox 版本完全一致的扩展包。VirtualBox 7.0 起 USB 不再需要扩展包。',
            ),
          ),
        },
      ];
    },
  },
];

import { isLegacyVersion, versionAtLeast } from './commands.ts';
import { text, type AdviceRule, type RuleHit } from './rule.ts';

/**
 * Hard limits the VirtualBox API enforces (reference `virtualbox-settings.md` §5.8). A VM that
 * VirtualBox itself saved stays inside them; these fire on hand-edited or foreign settings files.
 */

const MACHINE_REF = 'Main/src-server/MachineImpl.cpp, Main/xml/VirtualBox-settings.xsd';
const GRAPHICS_REF = 'Main/src-server/GraphicsAdapterImpl.cpp, Main/xml/VirtualBox-settings.xsd';
const SERIAL_REF = 'Main/src-server/SerialPortImpl.cpp';

/** Out-of-range hit for a plain number. */
function outOfRange(what: { en: string; zh: string }, value: number, min: number, max: number): RuleHit {
  return {
    title: text(`${what.en} out of range`, `${what.zh}超出允许范围`),
    reason: text(
      `${what.en} is ${value}; VirtualBox accepts ${min} to ${max}, so the VM cannot be changed or started as it is.`,
      `${what.zh}为 ${value}；VirtualBox 只接受 ${min} 到 ${max}，按现在的设置无法修改或启动此虚拟机。`,
    ),
    numbers: { value, min, max },
  };
}

/** API range checks (memory, vCPUs, execution cap, monitors, video memory, serial IRQ/I/O). */
export const LIMIT_RULES: AdviceRule[] = [
  {
    id: 'vbox.limits.memory-range',
    settingId: 'system.motherboard.memory',
    source: 'virtualbox',
    ref: MACHINE_REF,
    severity: 'error',
    check(vm, ctx) {
      const mem = vm.system.memoryMB?.value;
      if (mem === undefined || (mem >= 4 && mem <= 2097152)) return [];
      const hit = outOfRange({ en: 'Base memory (MB)', zh: '基本内存（MB）' }, mem, 4, 2097152);
      hit.fix = ctx.modifyvm(['--memory', String(Math.min(Math.max(mem, 4), 2097152))]);
      return [hit];
    },
  },
  {
    id: 'vbox.limits.cpus-range',
    settingId: 'system.processor.cpus',
    source: 'virtualbox',
    ref: MACHINE_REF,
    severity: 'error',
    check(vm, ctx) {
      const cpus = vm.system.cpus?.value;
      const max = isLegacyVersion(ctx.vboxVersion) ? 32 : 64;
      if (cpus === undefined || (cpus >= 1 && cpus <= max)) return [];
      const hit = outOfRange({ en: 'vCPU count', zh: '虚拟 CPU 数' }, cpus, 1, max);
      hit.fix = ctx.modifyvm(['--cpus', String(Math.min(Math.max(cpus, 1), max))]);
      return [hit];
    },
  },
  {
    id: 'vbox.limits.execution-cap-range',
    settingId: 'system.processor.executionCap',
    source: 'virtualbox',
    ref: MACHINE_REF,
    severity: 'error',
    check(vm, ctx) {
      const cap = vm.system.executionCapPercent?.value;
      if (cap === undefined || (cap >= 1 && cap <= 100)) return [];
      const hit = outOfRange({ en: 'Execution cap (%)', zh: '执行上限（%）' }, cap, 1, 100);
      hit.fix = ctx.modifyvm([ctx.flag('--cpu-execution-cap', '--cpuexecutioncap'), '100']);
      return [hit];
    },
  },
  {
    id: 'vbox.limits.monitors-range',
    settingId: 'display.screen.monitorCount',
    source: 'virtualbox',
    ref: GRAPHICS_REF,
    severity: 'error',
    check(vm, ctx) {
      const n = vm.display.monitorCount?.value;
      if (n === undefined || (n >= 1 && n <= 64)) return [];
      const hit = outOfRange({ en: 'Monitor count', zh: '显示器数量' }, n, 1, 64);
      hit.fix = ctx.modifyvm([
        ctx.flag('--monitor-count', '--monitorcount'),
        String(Math.min(Math.max(n, 1), 64)),
      ]);
      return [hit];
    },
  },
  {
    id: 'vbox.limits.vram-range',
    settingId: 'display.screen.vram',
    source: 'virtualbox',
    ref: GRAPHICS_REF,
    severity: 'error',
    check(vm, ctx) {
      const vram = vm.display.vramMB?.value;
      if (vram === undefined) return [];
      let min = 0;
      // 7.1 also enforces a per-controller minimum: VBoxVGA 1 MB, VMSVGA/VBoxSVGA 2 MB (16 MB with 3D).
      if (versionAtLeast(ctx.vboxVersion, 7, 1)) {
        const c = vm.display.graphicsController?.value.toLowerCase();
        if (c === 'vboxvga') min = 1;
        else if (c === 'vmsvga' || c === 'vboxsvga') min = vm.display.accelerate3d?.value ? 16 : 2;
      }
      if (vram >= min && vram <= 256) return [];
      const hit = outOfRange({ en: 'Video memory (MB)', zh: '显存（MB）' }, vram, min, 256);
      hit.fix = ctx.modifyvm(['--vram', String(Math.min(Math.max(vram, min), 256))]);
      return [hit];
    },
  },
  {
    id: 'vbox.limits.serial-range',
    settingId: 'serial.port.number',
    source: 'virtualbox',
    ref: SERIAL_REF,
    severity: 'error',
    check(vm) {
      const hits: RuleHit[] = [];
      for (const p of vm.serial) {
        if (!p.enabled.value) continue;
        const io = p.ioBase === undefined ? undefined : parseInt(p.ioBase, /^0x/i.test(p.ioBase) ? 16 : 10);
        if (p.irq !== undefined && (p.irq < 0 || p.irq > 255)) {
          hits.push({
            instance: String(p.slot),
            ...outOfRange({ en: `Serial port ${p.slot} IRQ`, zh: `串口 ${p.slot} 的 IRQ ` }, p.irq, 0, 255),
          });
        }
        if (io !== undefined && !Number.isNaN(io) && (io < 0 || io > 0xffff)) {
          hits.push({
            instance: String(p.slot),
            ...outOfRange(
              { en: `Serial port ${p.slot} I/O port`, zh: `串口 ${p.slot} 的 I/O 端口` },
              io,
              0,
              0xffff,
            ),
          });
        }
      }
      return hits;
    },
  },
];

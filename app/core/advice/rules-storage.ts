import type { StorageController } from '../../shared/model.ts';
import { text, type AdviceRule } from './rule.ts';

/** VirtualBox's checks of the Storage page (reference `virtualbox-settings.md` §5.4). */

const STORAGE_REF = 'Frontends/VirtualBox/src/settings/machine/UIMachineSettingsStorage.cpp';

/** Characters allowed in a setting-id instance suffix (contract.ts `SettingIdSchema`). */
const INSTANCE_OK = /^[A-Za-z0-9 _.:-]{1,80}$/;

/** Instance suffix for a controller: its name, or its 0-based index when the name cannot be used. */
export function controllerInstance(c: StorageController): string {
  return INSTANCE_OK.test(c.name.value) ? c.name.value : String(c.index);
}

/** Instance suffix for an attachment: `<controller>:<port>:<device>`. */
export function attachmentInstance(c: StorageController, port: number, device: number): string {
  const id = `${c.name.value}:${port}:${device}`;
  return INSTANCE_OK.test(id) ? id : `${c.index}:${port}:${device}`;
}

/** Bus of a controller type as `storagecontrollertype<i>` prints it. */
export function controllerBus(type: string | undefined): string | undefined {
  switch ((type ?? '').toLowerCase()) {
    case 'piix3':
    case 'piix4':
    case 'ich6':
      return 'IDE';
    case 'intelahci':
      return 'SATA';
    case 'lsilogic':
    case 'buslogic':
      return 'SCSI';
    case 'lsilogicsas':
      return 'SAS';
    case 'i82078':
      return 'Floppy';
    case 'nvme':
      return 'NVMe';
    case 'virtioscsi':
      return 'virtio-scsi';
    case 'usb':
      return 'USB';
    default:
      return undefined;
  }
}

/** Controllers of one bus a chipset allows (§5.4: PIIX3 one of each; ICH9 eight of SATA/SCSI/SAS/NVMe/virtio-scsi). USB is not limited here. */
function busLimit(bus: string, chipset: string): number | undefined {
  if (bus === 'USB') return undefined;
  if (bus === 'IDE' || bus === 'Floppy') return 1;
  return chipset === 'ich9' ? 8 : 1;
}

/** Storage page rules (controller names, media attached twice, controllers per chipset). */
export const STORAGE_RULES: AdviceRule[] = [
  {
    id: 'vbox.storage.controller-name-empty',
    settingId: 'storage.controller.name',
    source: 'virtualbox',
    ref: STORAGE_REF,
    severity: 'error',
    check(vm) {
      return vm.storage
        .filter((c) => c.name.value.trim() === '')
        .map((c) => ({
          instance: String(c.index),
          title: text('Storage controller without a name', '存储控制器没有名称'),
          reason: text(
            `Controller ${c.index + 1} has no name; VirtualBox will not save the settings this way.`,
            `第 ${c.index + 1} 个控制器没有名称；这样 VirtualBox 不允许保存设置。`,
          ),
          numbers: { position: c.index + 1 },
        }));
    },
  },
  {
    id: 'vbox.storage.controller-name-duplicate',
    settingId: 'storage.controller.name',
    source: 'virtualbox',
    ref: STORAGE_REF,
    severity: 'error',
    check(vm) {
      const hits = [];
      for (let i = 0; i < vm.storage.length; i++) {
        const c = vm.storage[i];
        if (c.name.value.trim() === '') continue;
        const first = vm.storage.slice(0, i).find((o) => o.name.value === c.name.value);
        if (!first) continue;
        hits.push({
          instance: String(c.index),
          title: text('Two storage controllers with the same name', '两个存储控制器同名'),
          reason: text(
            `Controllers ${first.index + 1} and ${c.index + 1} are both named "${c.name.value}"; VirtualBox will not save the settings this way.`,
            `第 ${first.index + 1} 个和第 ${c.index + 1} 个控制器都叫“${c.name.value}”；这样 VirtualBox 不允许保存设置。`,
          ),
          numbers: { position: c.index + 1, samePosition: first.index + 1 },
        });
      }
      return hits;
    },
  },
  {
    id: 'vbox.storage.medium-attached-twice',
    settingId: 'storage.attachment.medium',
    source: 'virtualbox',
    ref: STORAGE_REF,
    severity: 'error',
    check(vm, ctx) {
      // Same medium = same image UUID (when both are printed) or the same path.
      const byUuid = new Map<string, string>();
      const byPath = new Map<string, string>();
      const hits = [];
      for (const c of vm.storage) {
        for (const a of c.attachments) {
          if (a.kind !== 'hdd' && a.kind !== 'floppy') continue;
          const uuid = a.imageUuid?.value.trim().toLowerCase();
          const where = `${c.name.value} ${a.port}-${a.device}`;
          const earlier = (uuid && byUuid.get(uuid)) || byPath.get(a.medium.value);
          if (uuid && !byUuid.has(uuid)) byUuid.set(uuid, where);
          if (!byPath.has(a.medium.value)) byPath.set(a.medium.value, where);
          if (!earlier) continue;
          hits.push({
            instance: attachmentInstance(c, a.port, a.device),
            title: text('The same disk is attached twice', '同一个磁盘挂载了两次'),
            reason: text(
              `${where} uses ${a.medium.value}, which is already attached at ${earlier}; VirtualBox will not save the settings this way.`,
              `${where} 使用的 ${a.medium.value} 已经挂载在 ${earlier}；这样 VirtualBox 不允许保存设置。`,
            ),
            fix: ctx.command('storageattach', [
              '--storagectl',
              c.name.value,
              '--port',
              String(a.port),
              '--device',
              String(a.device),
              '--medium',
              'none',
            ]),
          });
        }
      }
      return hits;
    },
  },
  {
    id: 'vbox.storage.too-many-controllers',
    settingId: 'storage.controller.type',
    source: 'virtualbox',
    ref: STORAGE_REF,
    severity: 'error',
    check(vm, ctx) {
      const chipset = (vm.system.chipset?.value ?? 'piix3').toLowerCase();
      const byBus = new Map<string, StorageController[]>();
      for (const c of vm.storage) {
        const bus = controllerBus(c.type?.value);
        if (bus) byBus.set(bus, [...(byBus.get(bus) ?? []), c]);
      }
      const hits = [];
      for (const [bus, list] of byBus) {
        const limit = busLimit(bus, chipset);
        if (limit === undefined || list.length <= limit) continue;
        const ich9Helps = chipset !== 'ich9' && list.length <= 8 && bus !== 'IDE' && bus !== 'Floppy';
        const chip = chipset.toUpperCase();
        hits.push({
          instance: controllerInstance(list[limit]),
          title: text(`Too many ${bus} controllers for the chipset`, `${bus} 控制器数量超出芯片组上限`),
          reason: text(
            `The VM has ${list.length} ${bus} controllers but the ${chip} chipset supports ${limit}; VirtualBox will not save the settings this way.`,
            `此虚拟机有 ${list.length} 个 ${bus} 控制器，而 ${chip} 芯片组只支持 ${limit} 个；这样 VirtualBox 不允许保存设置。`,
          ),
          fix: ich9Helps
            ? ctx.modifyvm(
                ['--chipset', 'ich9'],
                text(
                  'ICH9 allows up to 8 controllers of this kind; removing a controller works too.',
                  'ICH9 最多支持 8 个这类控制器；也可以删除多余的控制器。',
                ),
              )
            : undefined,
          numbers: { controllers: list.length, limit },
        });
      }
      return hits;
    },
  },
];

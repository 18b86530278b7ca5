import type { Localized } from './catalog.ts';
import type { MirrorControlId } from './catalog-ids.ts';
import type { VmwareControlId, VmwareSettingId } from './vmware-ids.ts';
import type { KvmControlId, KvmNativeKey } from './kvm-ids.ts';

/**
 * Advice findings: what the advice engine (`app/core/advice`) says about one VM's settings.
 * Pure types and small helpers, shared by core (which produces findings), the CLI and the renderer
 * (badges on pages and controls, counts in the machines list).
 */

/** How serious a finding is. `error` = VirtualBox's Settings dialog would refuse to save, or the VM will not start. */
export type AdviceSeverity = 'error' | 'warning' | 'info';

/**
 * Where a rule comes from:
 * - `virtualbox`: a validation rule of VirtualBox's own Settings dialog or API (its `ref` names the source file);
 * - `host`: a check against the host the app runs on (cores, RAM, host OS, network adapters);
 * - `learner`: a mistake learners commonly make (guest OS needs, drivers, Windows 11 requirements);
 * - `vmware` / `libvirt`: a rule about a VMware `.vmx` or a libvirt domain (fix is a `.vmx` line or a
 *   `virsh`/`virt-xml` command).
 */
export type AdviceSource = 'virtualbox' | 'host' | 'learner' | 'vmware' | 'libvirt';

/** Every severity, most serious first. */
export const ADVICE_SEVERITIES: readonly AdviceSeverity[] = ['error', 'warning', 'info'];

/**
 * The setting a finding concerns: a mirror control id, optionally with an instance suffix —
 * `#<slot>` for network adapters and serial ports (`network.adapter.name#2`), `#<controller name>`
 * for storage controllers (`storage.controller.type#SATA`; `#<index>` when the name has characters
 * the setting-id pattern does not allow) and `#<controller>:<port>:<device>` for attachments.
 */
export type FindingSettingId = MirrorControlId | `${MirrorControlId}#${string}`;

/** Any hypervisor's setting id: VirtualBox (above), VMware (`vmware.…`) or KVM (`kvm.…`), with optional `#instance`. */
export type AnyFindingSettingId = FindingSettingId | VmwareSettingId | KvmNativeKey;

/** Any hypervisor's control id (no instance suffix). */
export type AnyControlId = MirrorControlId | VmwareControlId | KvmControlId;

/** A suggested fix: a command that is shown (and copyable), never run by the app. */
export interface FindingFix {
  /**
   * A complete `VBoxManage` command addressing the VM by UUID, with the option spelling of the
   * detected VirtualBox version (6.1 legacy, 7.0 dashed, 7.1 `--x86-…`), e.g.
   * `VBoxManage modifyvm 0b1f…-… --cpus 4`. Mostly `modifyvm`; `modifynvram` for Secure Boot.
   * Words in angle brackets (`<host interface>`) are placeholders the user must fill in; `note` says how.
   */
  command: string;
  note?: Localized;
}

/** One piece of advice about one setting of one VM. */
export interface Finding {
  /** Stable rule id, e.g. `vbox.system.ram-over-error`; the same for every VM. */
  id: string;
  severity: AdviceSeverity;
  settingId: AnyFindingSettingId;
  source: AdviceSource;
  /**
   * Where the rule comes from: for `virtualbox` rules the VirtualBox source file (path under
   * `src/VBox/`), otherwise the VirtualBox manual chapter or public requirement it restates.
   */
  ref: string;
  /** Short headline (one line). */
  title: Localized;
  /** Why, with the actual numbers ("4096 MB is 67 % of this host's 6144 MB; VirtualBox warns above 60 %"). */
  reason: Localized;
  fix?: FindingFix;
  /** The numbers behind the finding, by name (units in the name: `memoryMB`, `percent`, `hostCores`). */
  numbers?: Record<string, number>;
}

/** A rule as listed in the rules table (without its check). */
export interface AdviceRuleInfo {
  id: string;
  /** The control the rule's findings attach to (instances add a `#…` suffix). */
  settingId: AnyControlId;
  source: AdviceSource;
  ref: string;
  severity: AdviceSeverity;
}

/** Sort key: 0 for `error`, 1 for `warning`, 2 for `info`. */
export function severityRank(severity: AdviceSeverity): number {
  return ADVICE_SEVERITIES.indexOf(severity);
}

/** Counts findings per severity (all three keys always present). */
export function countBySeverity(findings: readonly Finding[]): Record<AdviceSeverity, number> {
  const counts: Record<AdviceSeverity, number> = { error: 0, warning: 0, info: 0 };
  for (const f of findings) counts[f.severity]++;
  return counts;
}

/** The control id of a finding's setting without its `#instance` suffix (what `getEntry` looks up). */
export function findingControlId(settingId: AnyFindingSettingId): AnyControlId {
  const hash = settingId.indexOf('#');
  return (hash === -1 ? settingId : settingId.slice(0, hash)) as AnyControlId;
}

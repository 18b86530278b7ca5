import {
  severityRank,
  type AdviceRuleInfo,
  type Finding,
  type FindingSettingId,
} from '../../shared/advice.ts';
import type { VmConfig } from '../../shared/model.ts';
import { ruleContext, type AdviceContext, type AdviceRule } from './rule.ts';
import { DISPLAY_RULES } from './rules-display.ts';
import { HOST_RULES } from './rules-host.ts';
import { LEARNER_RULES } from './rules-learner.ts';
import { LIMIT_RULES } from './rules-limits.ts';
import { NETWORK_RULES } from './rules-network.ts';
import { PORT_RULES } from './rules-ports.ts';
import { STORAGE_RULES } from './rules-storage.ts';
import { SYSTEM_RULES } from './rules-system.ts';

export type { AdviceContext, AdviceRule, RuleHit } from './rule.ts';
export { modifyFlag, quoteArg, vboxCommand, type HostOs, type VersionLike } from './commands.ts';
export { guestProfile, type GuestProfile } from './guest.ts';
export { ramLimits, requiredVideoMemoryMB, type RamLimits } from './thresholds.ts';

/** Every rule with its check, in Settings-dialog page order, VirtualBox's rules first within a page. */
const RULES: AdviceRule[] = [
  ...SYSTEM_RULES,
  ...DISPLAY_RULES,
  ...STORAGE_RULES,
  ...NETWORK_RULES,
  ...PORT_RULES,
  ...LIMIT_RULES,
  ...HOST_RULES,
  ...LEARNER_RULES,
];

/**
 * The rules table: id, the setting it concerns, source, reference and severity of every rule
 * (without the checks). Ids are unique and stable; a unit test checks every `settingId` against
 * `MIRROR_CONTROL_IDS` and the catalog.
 */
export const ADVICE_RULES: readonly AdviceRuleInfo[] = RULES.map(
  ({ id, settingId, source, ref, severity }) => ({
    id,
    settingId,
    source,
    ref,
    severity,
  }),
);

/**
 * Evaluates every advice rule against one VirtualBox VM.
 *
 * Input: a {@link VmConfig} as `showVmInfoToConfig` builds it from `VBoxManage showvminfo
 * --machinereadable` (VirtualBox 3.x–7.x); values the dump lacks simply skip the rules that need
 * them. Context: host facts (cores, RAM in MB), the VirtualBox version (flag spellings and
 * version-specific rules: 6.1-only checks run only when the version is known to be below 7.0),
 * the host OS, and optionally the running VMs' memory, Extension Pack state and host screens.
 *
 * Output: findings sorted by severity (errors first), then in rules-table order, then by
 * instance as the rule produced them. Each carries the rule's id, severity, source and ref, the
 * setting id (with `#instance` for adapters, ports, controllers), en/zh-CN title and reason with
 * the numbers, and, where a command can fix it, a `VBoxManage` command addressing the VM by UUID
 * (left out when the dump has no UUID). Pure: reads nothing, runs nothing, never throws on
 * well-formed `VmConfig` values.
 */
export function evaluateAdvice(config: VmConfig, ctx: AdviceContext): Finding[] {
  const rc = ruleContext(config, ctx);
  const out: { finding: Finding; order: number }[] = [];
  RULES.forEach((rule, order) => {
    for (const hit of rule.check(config, rc)) {
      const settingId = (
        hit.instance ? `${rule.settingId}#${hit.instance}` : rule.settingId
      ) as FindingSettingId;
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

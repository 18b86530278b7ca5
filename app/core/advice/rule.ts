import type { AdviceRuleInfo, FindingFix } from '../../shared/advice.ts';
import type { Localized } from '../../shared/catalog.ts';
import type { HostFacts, VmConfig } from '../../shared/model.ts';
import { modifyFlag, vboxCommand, type HostOs, type VersionLike } from './commands.ts';
import { guestProfile, type GuestProfile } from './guest.ts';
import type { ScreenSize } from './thresholds.ts';

/** What {@link evaluateAdvice} needs besides the VM. */
export interface AdviceContext {
  /** The host the app runs on (cores, threads, RAM in MB, CPU features). */
  host: HostFacts;
  /** Installed VirtualBox version (`VBoxManage --version`); undefined when unknown (rules assume 7.x spellings and skip version-specific checks). */
  vboxVersion?: VersionLike;
  /** Host OS family (Node's `process.platform`). */
  hostOs: HostOs;
  /**
   * VMs currently running on the host, with their base memory (MB). An entry whose `id` equals
   * the evaluated VM's id is ignored (the VM's own memory is always counted once).
   */
  runningVms?: { id?: string; memoryMB: number }[];
  /**
   * Whether the Oracle Extension Pack is installed and usable (`VBoxManage list extpacks`); undefined = unknown:
   * the Remote Display rule then stays silent and the 6.1 USB 2.0/3.0 rule words its warning conditionally.
   */
  extensionPack?: boolean;
  /** Host screen sizes in pixels for the video-memory rule; default one 1920×1080 screen. */
  hostScreens?: ScreenSize[];
}

/** One hit of a rule: everything of a finding except what the rule table fixes (id, severity, source, ref). */
export interface RuleHit {
  /** Instance suffix without `#` (adapter slot, serial slot, controller name…). */
  instance?: string;
  title: Localized;
  reason: Localized;
  fix?: FindingFix;
  numbers?: Record<string, number>;
}

/** The evaluation context as rules see it: the caller's context plus derived facts and command helpers. */
export interface RuleContext extends AdviceContext {
  /** The guest OS as classified from `ostype`. */
  guest: GuestProfile;
  /** The VM's UUID, or '' when the dump has none (fixes are then left out). */
  uuid: string;
  /**
   * `VBoxManage modifyvm <uuid> <args>` with version-correct flags; undefined when the VM has no UUID.
   * Build flags with {@link RuleContext.flag}.
   */
  modifyvm(args: string[], note?: Localized): FindingFix | undefined;
  /** `VBoxManage <verb> <uuid> <args>`, e.g. `modifynvram`; undefined when the VM has no UUID. */
  command(verb: string, args: string[], note?: Localized): FindingFix | undefined;
  /** {@link modifyFlag} for this context's version. */
  flag(flag7x: string, legacy61?: string, x86Variant?: string): string;
}

/** An advice rule: its table entry plus the check. */
export interface AdviceRule extends AdviceRuleInfo {
  /** Returns one hit per problem found (empty when the VM is fine or the facts are missing). Never throws. */
  check(vm: VmConfig, ctx: RuleContext): RuleHit[];
}

/** Shorthand for a text in both languages. */
export function text(en: string, zh: string): Localized {
  return { en, 'zh-CN': zh };
}

/** Builds the rule context for one VM. */
export function ruleContext(vm: VmConfig, ctx: AdviceContext): RuleContext {
  const uuid = vm.id;
  const make = (verb: string, args: string[], note?: Localized): FindingFix | undefined => {
    if (!uuid) return undefined;
    const fix: FindingFix = { command: vboxCommand(verb, uuid, args, ctx.hostOs) };
    if (note) fix.note = note;
    return fix;
  };
  return {
    ...ctx,
    guest: guestProfile(vm.general.osType?.value),
    uuid,
    modifyvm: (args, note) => make('modifyvm', args, note),
    command: make,
    flag: (flag7x, legacy61, x86Variant) => modifyFlag(flag7x, legacy61, x86Variant, ctx.vboxVersion),
  };
}

/** Rounds to a whole percent of `total` (0 when total is 0). */
export function percentOf(part: number, total: number): number {
  return total > 0 ? Math.round((part / total) * 100) : 0;
}

import { z } from 'zod';
import { ControlKindSchema, LocalizedSchema } from './catalog.ts';

/**
 * Catalog entries for VMware ("Virtual Machine Settings": Hardware list and Options tab) and
 * KVM/libvirt (virt-manager's details view). Same spirit as the VirtualBox catalog
 * (`CatalogEntrySchema`): one entry per control of the mirror, all text in `en` and `zh-CN`.
 * Entries live in `resources/catalog/vmware/*.json` and `resources/catalog/kvm/*.json`.
 *
 * `equivalent` links an entry to the same setting on the other hypervisors by catalog id
 * (VirtualBox ids such as `network.adapter.attachedTo`, VMware ids such as `vmware.network.connection`,
 * KVM ids such as `kvm.nic.source`); the explanation panel shows those entries side by side.
 */

/** VMware Workstation/Fusion "Virtual Machine Settings" pages: the Hardware list items and the Options tab. */
export const VMWARE_PAGES = [
  'memory',
  'processors',
  'disks',
  'cdrom',
  'network',
  'usb',
  'sound',
  'display',
  'serial',
  'options',
] as const;

/** virt-manager details view pages. */
export const KVM_PAGES = [
  'overview',
  'cpus',
  'memory',
  'boot',
  'disks',
  'nics',
  'display',
  'devices',
] as const;

export const ForeignCatalogEntrySchema = z
  .object({
    /** `vmware.<page>.<control>` or `kvm.<page>.<control>`. */
    id: z.string().regex(/^(vmware|kvm)\.[a-zA-Z]+\.[a-zA-Z0-9]+$/),
    hypervisor: z.enum(['vmware', 'kvm']),
    page: z.string().min(1),
    /** Tab or group inside the page (VMware: `hardware` or `options`; KVM: the section). */
    tab: z.string().min(1),
    control: ControlKindSchema,
    /** Label exactly as VMware / virt-manager shows it (en), and its zh-CN rendering. */
    label: LocalizedSchema,
    what: LocalizedSchema,
    tradeoffs: LocalizedSchema,
    /** `.vmx` keys (VMware; `N`/`x:y` placeholders allowed) or libvirt domain XML paths (KVM). */
    keys: z.array(z.string()),
    /** How to change it: the `.vmx` line, the `virsh` command or `virt-xml` option (shown, never run). */
    change: z.string().optional(),
    range: LocalizedSchema,
    default: LocalizedSchema,
    values: z
      .array(
        z.object({ value: z.string(), label: LocalizedSchema, note: LocalizedSchema.optional() }).strict(),
      )
      .optional(),
    equivalent: z
      .object({
        virtualbox: z.string().optional(),
        vmware: z.string().optional(),
        kvm: z.string().optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .superRefine((e, ctx) => {
    const pages: readonly string[] = e.hypervisor === 'vmware' ? VMWARE_PAGES : KVM_PAGES;
    if (!pages.includes(e.page))
      ctx.addIssue({ code: 'custom', message: `unknown ${e.hypervisor} page ${e.page}` });
    if (!e.id.startsWith(`${e.hypervisor}.${e.page}.`))
      ctx.addIssue({ code: 'custom', message: `id ${e.id} must start with ${e.hypervisor}.${e.page}.` });
  });

export type ForeignCatalogEntry = z.infer<typeof ForeignCatalogEntrySchema>;
export const ForeignCatalogSchema = z.array(ForeignCatalogEntrySchema);

import { z } from 'zod';

/**
 * Knowledge catalog: one entry per control of the settings mirror.
 * Entries live as JSON in `resources/catalog/*.json` (an array of entries per file) and are
 * validated with {@link CatalogEntrySchema}. Every user-facing text is given in `en` and `zh-CN`.
 */

/** Supported UI languages. */
export const LANGUAGES = ['en', 'zh-CN'] as const;
export type Language = (typeof LANGUAGES)[number];

/** A text in both languages. */
export const LocalizedSchema = z.object({ en: z.string().min(1), 'zh-CN': z.string().min(1) }).strict();
export type Localized = z.infer<typeof LocalizedSchema>;

/** Pages of VirtualBox 7's Settings dialog, in its order. */
export const VBOX_PAGES = [
  'general',
  'system',
  'display',
  'storage',
  'audio',
  'network',
  'serial',
  'usb',
  'sharedFolders',
  'userInterface',
] as const;
export type VBoxPage = (typeof VBOX_PAGES)[number];

/** Kind of control, so the mirror can draw it the way VirtualBox does. */
export const ControlKindSchema = z.enum([
  'text',
  'combo',
  'checkbox',
  'slider',
  'spin',
  'list',
  'table',
  'tree',
  'textarea',
  'button',
]);

export const CatalogEntrySchema = z
  .object({
    /** Stable id, `<page>.<tab>.<control>` (e.g. `system.processor.cpus`). */
    id: z.string().regex(/^[a-zA-Z]+(\.[a-zA-Z0-9]+){2}$/),
    page: z.enum(VBOX_PAGES),
    /** Tab id inside the page (`basic`, `motherboard`, `adapter`, `controller`, …). */
    tab: z.string().min(1),
    control: ControlKindSchema,
    /** Label exactly as VirtualBox 7 shows it (en), and its zh-CN rendering. */
    label: LocalizedSchema,
    /** What the setting does. */
    what: LocalizedSchema,
    /** Trade-offs and when to change it. */
    tradeoffs: LocalizedSchema,
    /** `showvminfo --machinereadable` keys; `N` stands for a 1-based index, `i` for 0-based, `<ctl>` for a controller name. Empty when not printed. */
    showvminfo: z.array(z.string()),
    /** Where the value lives in the `.vbox` file (XPath-like), when known. */
    vbox: z.string().optional(),
    /** `VBoxManage modifyvm` flag (7.x spelling) and the 6.1 spelling when different; or another VBoxManage command. */
    modifyvm: z
      .object({
        flag: z.string(),
        legacy: z.string().optional(),
        /** Argument placeholder, e.g. `<MB>` or `on|off`. */
        arg: z.string(),
        /** Not `modifyvm` but another command (e.g. `storagectl`, `storageattach`, `setextradata`). */
        command: z.string().optional(),
      })
      .strict()
      .optional(),
    /** Range or allowed values, in words. */
    range: LocalizedSchema,
    /** Default value, in words. */
    default: LocalizedSchema,
    /** Known raw values with their VirtualBox labels (e.g. `nat` → "NAT"). */
    values: z
      .array(
        z.object({ value: z.string(), label: LocalizedSchema, note: LocalizedSchema.optional() }).strict(),
      )
      .optional(),
  })
  .strict();

export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;
export const CatalogSchema = z.array(CatalogEntrySchema);

/** Localised text for the current language, falling back to English. */
export function pick(text: Localized, lang: Language): string {
  return text[lang] || text.en;
}

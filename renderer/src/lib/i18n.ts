/**
 * UI-chrome translations (svelte-i18n). Strings live in `src/locales/en.json` and `zh-CN.json` and are
 * loaded lazily (`register`), so the Chinese strings are only fetched when needed. Setting labels and
 * explanations do not live here: they come from the catalog (`pick(entry.label, lang)`).
 */
import { derived, type Readable } from 'svelte/store';
import { init, locale, register, waitLocale } from 'svelte-i18n';
import type { Language } from '../../../app/shared/catalog.ts';

/** UI languages, in the order the language switch lists them, with their own names. */
export const LANGUAGE_OPTIONS: readonly { value: Language; name: string }[] = [
  { value: 'en', name: 'English' },
  { value: 'zh-CN', name: '简体中文' },
];

register('en', () => import('../locales/en.json'));
register('zh-CN', () => import('../locales/zh-CN.json'));
// Study, tours, search and export strings (svelte-i18n merges every loader of a locale).
register('en', () => import('../locales/study.en.json'));
register('zh-CN', () => import('../locales/study.zh-CN.json'));
// VMware/KVM mirrors and the comparison (issue 4).
register('en', () => import('../locales/foreign.en.json'));
register('zh-CN', () => import('../locales/foreign.zh-CN.json'));

/** Maps a locale tag (`zh-CN`, `zh_TW`, `en-US`, …) to a supported language: `zh*` → `zh-CN`, else `en`. */
export function languageFor(tag: string | null | undefined): Language {
  return tag && /^zh\b/i.test(tag.replace('_', '-')) ? 'zh-CN' : 'en';
}

/** Type guard for the languages we ship. */
export function isLanguage(value: unknown): value is Language {
  return value === 'en' || value === 'zh-CN';
}

/**
 * Starts svelte-i18n with `initial` (English is always the fallback) and resolves once its strings
 * are loaded.
 */
export async function startI18n(initial: Language): Promise<void> {
  await init({ fallbackLocale: 'en', initialLocale: initial });
  await waitLocale();
  document.documentElement.lang = initial;
}

/** Switches the UI language (loads its strings first) and updates `<html lang>`. */
export async function setLanguage(lang: Language): Promise<void> {
  await locale.set(lang);
  document.documentElement.lang = lang;
}

/** The current UI language as one of ours (`en` until svelte-i18n has a locale). */
export const lang: Readable<Language> = derived(locale, ($locale) => (isLanguage($locale) ? $locale : 'en'));

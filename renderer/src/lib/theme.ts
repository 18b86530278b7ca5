/**
 * Light and dark themes. The palette lives in styles.css as CSS variables; this module only sets
 * `<html data-theme="light|dark">` when the user chose one with the top bar's toggle (remembered in
 * localStorage under {@link THEME_KEY}). Without a choice the attribute is absent and the system's
 * `prefers-color-scheme` decides.
 */

/** A theme the user can choose. */
export type Theme = 'light' | 'dark';

/** localStorage key of the user's choice (`'light'` or `'dark'`; absent = follow the system). */
export const THEME_KEY = 'vmc-theme';

/** The user's stored choice, or null when they follow the system (or storage is unavailable). */
export function storedTheme(): Theme | null {
  try {
    const v = localStorage.getItem(THEME_KEY);
    return v === 'light' || v === 'dark' ? v : null;
  } catch {
    return null;
  }
}

/** The system's preference (`prefers-color-scheme`), light when the browser does not say. */
export function systemTheme(): Theme {
  return typeof matchMedia === 'function' && matchMedia('(prefers-color-scheme: dark)').matches
    ? 'dark'
    : 'light';
}

/** The theme on screen: the stored choice, else the system's. */
export function effectiveTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

/** Applies the stored choice to `<html>` (call once at startup, before the first paint). */
export function applyStoredTheme(): void {
  const t = storedTheme();
  if (t) document.documentElement.dataset.theme = t;
  else delete document.documentElement.dataset.theme;
}

/** Chooses `theme`, applies it and remembers it (storage failures are ignored: it still applies). */
export function setTheme(theme: Theme): void {
  document.documentElement.dataset.theme = theme;
  try {
    localStorage.setItem(THEME_KEY, theme);
  } catch {
    // private mode or storage disabled: the choice lasts for this session only
  }
}

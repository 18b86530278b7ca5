/**
 * Renderer entry: takes the browser-mode token out of the address bar, reads the saved preferences
 * (`prefs:get`) and the host's locale (`app:info`) while the VM list is prefetched (lib/prefetch.ts),
 * starts the translations in the saved language, else the system language (`zh*` → zh-CN, else en),
 * and mounts the app.
 */
import { mount } from 'svelte';
import type { Preferences } from '../../app/shared/contract.ts';
import App from './App.svelte';
import { api, primeToken } from './lib/api.ts';
import { isLanguage, languageFor, startI18n } from './lib/i18n.ts';
import { prefetchList } from './lib/prefetch.ts';
import './styles.css';

async function start(): Promise<void> {
  primeToken();
  // The VM list, the preferences and the host's locale are asked for at once (speed: issue 6).
  prefetchList();
  const info = api['app:info']({});
  info.catch(() => undefined); // only read when no language is saved
  let prefs: Preferences | null = null;
  let startupError: unknown = null;
  let systemLocale = navigator.language;
  try {
    prefs = await api['prefs:get']({});
  } catch (e) {
    startupError = e;
  }
  if (!prefs?.language && !startupError) {
    try {
      systemLocale = (await info).systemLocale || systemLocale;
    } catch {
      // Fall back to the browser's language.
    }
  }
  const initial = isLanguage(prefs?.language) ? prefs.language : languageFor(systemLocale);
  await startI18n(initial);
  const target = document.getElementById('app');
  if (!target) throw new Error('index.html lacks <div id="app">');
  mount(App, { target, props: { prefs, startupError } });
}

void start();

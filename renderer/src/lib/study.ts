/**
 * Renderer helpers for the Study and Tours screens: the study content (fetched once per page view
 * through `study:content`), texts in the UI language, next-review times in words, and file
 * downloads for the export channels. No Svelte, no zod: importable from any chunk.
 */
import type { Language } from '../../../app/shared/catalog.ts';
import type { ExportFile, QuizSchedule, StudyContentSummary, Text } from '../../../app/shared/study.ts';
import { api } from './api.ts';

let content: Promise<StudyContentSummary> | undefined;

/**
 * Lessons (metadata), tours (with steps) and diagram strings, fetched once; a failed fetch is
 * forgotten so the next call tries again.
 * @throws ApiCallError when `study:content` fails.
 */
export function studyContent(): Promise<StudyContentSummary> {
  content ??= api['study:content']({}).catch((e: unknown) => {
    content = undefined;
    throw e;
  });
  return content;
}

/** A bilingual text in `lang`, English when that language is missing. */
export function textIn(text: Text | undefined, lang: Language): string {
  if (!text) return '';
  return text[lang] || text.en;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes `& < > " '` for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c]);
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

/**
 * When a card is due, in words of `lang`: "now" (due or overdue), "in 10 minutes", "in 3 hours"
 * (Intl.RelativeTimeFormat) within a day, else the date and time (Intl.DateTimeFormat, e.g.
 * "Mar 14, 2026, 10:30" / "2026年3月14日 10:30").
 * @param due ISO 8601 time; an unparsable value is returned unchanged.
 */
export function dueText(due: string, lang: Language, now: Date = new Date()): string {
  const at = new Date(due);
  if (Number.isNaN(at.getTime())) return due;
  const diff = at.getTime() - now.getTime();
  const rtf = new Intl.RelativeTimeFormat(lang, { numeric: 'auto' });
  if (diff <= 30_000) return rtf.format(0, 'second');
  if (diff < HOUR) return rtf.format(Math.max(1, Math.round(diff / MINUTE)), 'minute');
  if (diff < DAY) return rtf.format(Math.round(diff / HOUR), 'hour');
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** A date (and time) in `lang`'s style, for "completed on …" and "read on …". */
export function dateText(iso: string, lang: Language): string {
  const at = new Date(iso);
  if (Number.isNaN(at.getTime())) return iso;
  return new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short' }).format(at);
}

/** Whether a card is due for review at `now`. */
export function isDue(card: Pick<QuizSchedule, 'due'>, now: Date = new Date()): boolean {
  return new Date(card.due).getTime() <= now.getTime();
}

/**
 * Saves an export channel's file through the browser: a Blob with the file's MIME type, an object
 * URL and a temporary `<a download>` clicked once (works in Electron and in browser mode).
 */
export function downloadFile(file: ExportFile): void {
  const blob = new Blob([file.content], { type: file.mime });
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = file.filename;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

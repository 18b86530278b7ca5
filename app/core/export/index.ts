export {
  EXPORT_EXT,
  EXPORT_MIME,
  escapeHtml,
  escapeMarkdownInline,
  htmlDocument,
  isSafeHref,
  renderNoteMarkdown,
  safeFileName,
} from './html.ts';
export type { ExportFormat } from './html.ts';
export {
  REPORT_PAGE_TITLES,
  exportNotes,
  exportVmReport,
  noteLabel,
  reportPages,
  sortNotes,
} from './report.ts';
export type { ExportNotesOptions, ReportPages, ReportRow } from './report.ts';

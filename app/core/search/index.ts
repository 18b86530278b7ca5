export {
  DEFAULT_LIMIT,
  MAX_LIMIT,
  MAX_TERMS,
  buildSearchDocs,
  ensureSearchIndex,
  queryTerms,
  search,
} from './search.ts';
export type { SearchDoc, SearchOptions } from './search.ts';
export { codePointLength, ftsQuote, likePattern, markdownSections, snippetOf, tokensText } from './text.ts';
export type { MarkdownSection } from './text.ts';

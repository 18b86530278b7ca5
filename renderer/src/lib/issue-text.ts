import type { ReadIssue } from '../../../app/shared/model.ts';

/**
 * The text shown for one read issue: the message, prefixed with the localized line label
 * (`lineLabel(n)`, e.g. "line 17" / "第 17 行") only when the issue has a line and the message does not
 * already start with `line <n>:` (the parsers write that prefix themselves), so the line is named once.
 */
export function issueText(issue: ReadIssue, lineLabel: (n: number) => string): string {
  if (!issue.line) return issue.message;
  if (new RegExp(`^line ${issue.line}\\b`).test(issue.message)) return issue.message;
  return `${lineLabel(issue.line)}: ${issue.message}`;
}

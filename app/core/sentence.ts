/**
 * Joining English message parts as sentences: the core puts text it did not write (VBoxManage's
 * error lines, Node's error messages, the runners' messages) into its own sentences, and that text
 * may or may not end with a full stop. These helpers add one only when it is missing, so a message
 * never reads "failed to start.. Demo VMs are shown meanwhile." nor "is limited Details: code …".
 */

/** Sentence-final punctuation, optionally followed by closing quotes or brackets (`stuck).` `"done!"`). */
const ENDED = /[.!?…。！？]["'”’)\]]*$/;

/** A line that runs on into the next one (`The following error occurred:`), so no full stop is added. */
const RUNS_ON = /[:;,]$/;

/**
 * `text` trimmed, with a full stop added when it does not already end a sentence (`.`, `!`, `?`,
 * `…` or the CJK ones, maybe followed by closing quotes or brackets) or run on (`:`, `;`, `,`).
 * Empty or blank text gives `''`. Pure.
 */
export function sentence(text: string): string {
  const t = text.trim();
  if (t === '' || ENDED.test(t) || RUNS_ON.test(t)) return t;
  return `${t}.`;
}

/**
 * Multi-line text (e.g. VBoxManage's `error:` lines) as one line of sentences: each non-blank line
 * trimmed and made a sentence with {@link sentence}, joined by single spaces. Pure.
 */
export function sentences(text: string): string {
  return text
    .split(/\r\n|\r|\n/)
    .map(sentence)
    .filter((s) => s !== '')
    .join(' ');
}

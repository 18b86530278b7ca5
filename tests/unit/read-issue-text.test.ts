import { describe, expect, it } from 'vitest';
import { issueText } from '../../renderer/src/lib/issue-text.ts';

const label = (n: number): string => `line ${n}`;

describe('issueText names the line once', () => {
  it('does not add "line N:" to a message that starts with it (was shown as "line 17: line 17: …")', () => {
    const message =
      'line 17: Machine/Hardware/Display/@VRAMSize "99…" is too large to be a number; the value is left out';
    expect(issueText({ line: 17, message }, label)).toBe(message);
  });
  it('adds the localized label when the message has no line prefix', () => {
    expect(issueText({ line: 4, message: 'memsize is not a number' }, (n) => `第 ${n} 行`)).toBe(
      '第 4 行: memsize is not a number',
    );
  });
  it('adds the label when the message names another line, and nothing without a line', () => {
    expect(issueText({ line: 7, message: 'line 70: x' }, label)).toBe('line 7: line 70: x');
    expect(issueText({ message: 'no line here' }, label)).toBe('no line here');
  });
});

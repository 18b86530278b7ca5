/**
 * Errors raised by the VirtualBox output parsers in `app/core/vbox/`.
 *
 * Parsers are lenient: odd lines become {@link ReadIssue}s and parsing continues. A
 * {@link VBoxParseError} is thrown only when the output as a whole is unusable (for example no
 * version line in `VBoxManage --version` output).
 */

/** A VBoxManage output could not be used at all. `line` is the 1-based line number, when one line is to blame. */
export class VBoxParseError extends Error {
  /** 1-based line number in the tool output, when the problem concerns one line. */
  line?: number;

  /**
   * @param message English description; when `line` is given, the message is prefixed with `line N: `.
   * @param line 1-based line number in the tool output.
   */
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'VBoxParseError';
    if (line !== undefined) this.line = line;
  }
}

import { VBoxParseError } from './errors.ts';
import { splitLines } from './parse-common.ts';

/** A parsed VirtualBox version such as `7.1.12r169651` or `4.1.2_Ubuntur38459`. */
export interface VBoxVersion {
  /** The whole version token as printed, e.g. `7.1.12r169651`. */
  version: string;
  major: number;
  minor: number;
  build: number;
  /**
   * Text between `MAJOR.MINOR.BUILD` and the `r<revision>` part, as printed, including its leading
   * underscore: `''`, `_Ubuntu`, `_OSE`, `_BETA2`, `_RC1_Debian`.
   */
  suffix: string;
  /** SVN revision after the `r`; 0 when the output has none. */
  revision: number;
}

const VERSION = /^(\d+)\.(\d+)\.(\d+)([_A-Za-z0-9]*?)(?:r(\d+))?$/;
const LOGO = /Command Line Management Interface Version\s+(\S+)/i;

/**
 * Parses the output of `VBoxManage --version` (also `-v`, `-V`): one line
 * `MAJOR.MINOR.BUILD[_SUFFIX]r<REVISION>` (VirtualBox 3.x–7.x, `Config.kmk` `VBOX_VERSION_STRING`).
 *
 * Tolerates the Linux wrapper script's `WARNING:` lines, indented continuation lines and blank
 * lines before the version (TROUBLE T04/T05), distribution suffixes (`4.1.2_Ubuntur38459`,
 * `4.3.20_OSEr96996`) and CRLF. As a fallback it accepts the logo line
 * `… Command Line Management Interface Version 7.0.8`.
 *
 * @throws VBoxParseError when no line holds a version.
 */
export function parseVBoxVersion(text: string): VBoxVersion {
  const lines = splitLines(text);
  for (const raw of lines) {
    const m = VERSION.exec(raw.trim());
    if (m) return build(m);
  }
  for (const raw of lines) {
    const logo = LOGO.exec(raw);
    const m = logo ? VERSION.exec(logo[1]) : null;
    if (m) return build(m);
  }
  const shown = text.trim().slice(0, 120).replace(/\s+/g, ' ');
  throw new VBoxParseError(
    lines.length === 0 || text.trim() === ''
      ? 'VBoxManage --version printed nothing'
      : `no version line (like 7.1.12r169651) in VBoxManage --version output: "${shown}"`,
  );
}

function build(m: RegExpExecArray): VBoxVersion {
  return {
    version: m[0],
    major: Number(m[1]),
    minor: Number(m[2]),
    build: Number(m[3]),
    suffix: m[4],
    revision: m[5] === undefined ? 0 : Number(m[5]),
  };
}

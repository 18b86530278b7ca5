import type { ReadIssue } from '../../shared/model.ts';
import { VBoxParseError } from './errors.ts';
import { safeInteger, shortRaw, splitLines, tooLargeIssue } from './parse-common.ts';

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
  /**
   * SVN revision after the `r`; 0 when the output has none. Absent only when the revision is too
   * large to be an exact number (damaged output; `issues` then says so).
   */
  revision?: number;
  /** Present only when part of the version could not be read (a revision too large to be a number). */
  issues?: ReadIssue[];
}

/** `MAJOR.MINOR.BUILD` at the start of a version token (the rest is checked by {@link readVersion}). */
const HEAD = /^(\d+)\.(\d+)\.(\d+)/;
const TAIL = /^[_A-Za-z0-9]*$/;
const LOGO = /Command Line Management Interface Version\s+(\S+)/i;

/** A version token split into its parts, numbers still as text. */
interface VersionParts {
  version: string;
  major: string;
  minor: string;
  build: string;
  suffix: string;
  revision?: string;
}

/**
 * Splits `MAJOR.MINOR.BUILD[SUFFIX][r<REVISION>]` (the whole of `token`), or undefined when `token`
 * is not a version. The revision is the run of digits ending the token after an `r`; the suffix is
 * what lies between the build number and it. Runs in time linear in the token's length (the
 * equivalent single regular expression backtracks quadratically on long runs of digits).
 */
function splitVersion(token: string): VersionParts | undefined {
  const head = HEAD.exec(token);
  if (!head) return undefined;
  const tail = token.slice(head[0].length);
  if (!TAIL.test(tail)) return undefined;
  let digits = tail.length;
  while (digits > 0 && tail.charCodeAt(digits - 1) >= 48 && tail.charCodeAt(digits - 1) <= 57) digits--;
  const hasRevision = digits < tail.length && digits > 0 && tail[digits - 1] === 'r';
  const parts: VersionParts = {
    version: token,
    major: head[1],
    minor: head[2],
    build: head[3],
    suffix: hasRevision ? tail.slice(0, digits - 1) : tail,
  };
  if (hasRevision) parts.revision = tail.slice(digits);
  return parts;
}

/**
 * Parses the output of `VBoxManage --version` (also `-v`, `-V`): one line
 * `MAJOR.MINOR.BUILD[_SUFFIX]r<REVISION>` (VirtualBox 3.x–7.x, `Config.kmk` `VBOX_VERSION_STRING`).
 *
 * Tolerates the Linux wrapper script's `WARNING:` lines, indented continuation lines and blank
 * lines before the version (TROUBLE T04/T05), distribution suffixes (`4.1.2_Ubuntur38459`,
 * `4.3.20_OSEr96996`) and CRLF. As a fallback it accepts the logo line
 * `… Command Line Management Interface Version 7.0.8`.
 *
 * Numbers too large to be exact (only in damaged output): a version line whose major, minor or
 * build number is too large is not used; a revision that is too large is left out (`revision`
 * absent) and reported in `issues` with its line.
 *
 * @throws VBoxParseError when no line holds a usable version (with the line number when the only
 *   candidate had a number too large to be read).
 */
export function parseVBoxVersion(text: string): VBoxVersion {
  const lines = splitLines(text);
  let tooLarge: VBoxParseError | undefined;
  const tryParts = (parts: VersionParts | undefined, line: number): VBoxVersion | undefined => {
    if (!parts) return undefined;
    const major = safeInteger(parts.major);
    const minor = safeInteger(parts.minor);
    const build = safeInteger(parts.build);
    if (major === undefined || minor === undefined || build === undefined) {
      const [what, raw] =
        major === undefined
          ? ['major', parts.major]
          : minor === undefined
            ? ['minor', parts.minor]
            : ['build', parts.build];
      tooLarge ??= new VBoxParseError(
        `the ${what} number of version "${shortRaw(parts.version)}" ("${shortRaw(raw)}") is too large to be a number`,
        line,
      );
      return undefined;
    }
    const out: VBoxVersion = {
      version: parts.version,
      major,
      minor,
      build,
      suffix: parts.suffix,
      revision: 0,
    };
    if (parts.revision !== undefined) {
      const revision = safeInteger(parts.revision);
      if (revision === undefined) {
        delete out.revision;
        out.issues = [tooLargeIssue('revision', parts.revision, line, 'the revision is left out')];
      } else out.revision = revision;
    }
    return out;
  };
  for (let i = 0; i < lines.length; i++) {
    const v = tryParts(splitVersion(lines[i].trim()), i + 1);
    if (v) return v;
  }
  for (let i = 0; i < lines.length; i++) {
    const logo = LOGO.exec(lines[i]);
    const v = logo ? tryParts(splitVersion(logo[1]), i + 1) : undefined;
    if (v) return v;
  }
  if (tooLarge) throw tooLarge;
  const shown = text.trim().slice(0, 120).replace(/\s+/g, ' ');
  throw new VBoxParseError(
    lines.length === 0 || text.trim() === ''
      ? 'VBoxManage --version printed nothing'
      : `no version line (like 7.1.12r169651) in VBoxManage --version output: "${shown}"`,
  );
}

import { describe, expect, it } from 'vitest';
import { parseVBoxVersion } from '../../app/core/vbox/parse-version.ts';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';

const BANNER = [
  'WARNING: The vboxdrv kernel module is not loaded. Either there is no module',
  '         available for the current kernel (6.1.0-21-amd64) or it failed to',
  '         load. Please recompile the kernel module and install it by',
  '',
  '           sudo /sbin/vboxconfig',
  '',
  '         You will not be able to start VMs until this problem is fixed.',
].join('\n');

describe('parseVBoxVersion', () => {
  it('multi-paragraph VBox.sh banner before the version', () => {
    expect(parseVBoxVersion(`${BANNER}\n7.0.18_Debianr162988\n`)).toMatchObject({
      major: 7,
      minor: 0,
      build: 18,
      suffix: '_Debian',
    });
  });

  it('plain 7.1 version', () => {
    expect(parseVBoxVersion('7.1.12r169651\n')).toEqual({
      version: '7.1.12r169651',
      major: 7,
      minor: 1,
      build: 12,
      suffix: '',
      revision: 169651,
    });
  });

  it('T04: multi-line kernel-module warning before the version', () => {
    const v = parseVBoxVersion(
      'WARNING: The vboxdrv kernel module is not loaded. Either there is no module\n         available for the current kernel (5.4.0) or it failed to\n         load. Please recompile the kernel module and install it by\n\n4.1.24r82872\n',
    );
    expect(v).toMatchObject({ version: '4.1.24r82872', major: 4, minor: 1, build: 24, revision: 82872 });
  });

  it('T05: warning, blank line and a distribution suffix', () => {
    const v = parseVBoxVersion(
      'WARNING: The character device /dev/vboxdrv does not exist.\n         Please install the kernel module package\n\n4.1.2_Ubuntur38459\n',
    );
    expect(v).toEqual({
      version: '4.1.2_Ubuntur38459',
      major: 4,
      minor: 1,
      build: 2,
      suffix: '_Ubuntu',
      revision: 38459,
    });
  });

  it('T07: _OSE build tag, CRLF', () => {
    expect(parseVBoxVersion('4.3.20_OSEr96996\r\n')).toMatchObject({
      major: 4,
      minor: 3,
      build: 20,
      suffix: '_OSE',
      revision: 96996,
    });
  });

  it('prerelease suffix', () => {
    expect(parseVBoxVersion('7.0.0_BETA2r153201')).toMatchObject({ suffix: '_BETA2', revision: 153201 });
  });

  it('falls back to the logo line', () => {
    expect(
      parseVBoxVersion(
        'Oracle VM VirtualBox Command Line Management Interface Version 6.1.50\n(C) 2005-2024 Oracle\n',
      ),
    ).toMatchObject({ major: 6, minor: 1, build: 50, revision: 0 });
  });

  it('throws VBoxParseError without a version line', () => {
    expect(() => parseVBoxVersion('WARNING: The vboxdrv kernel module is not loaded.\n')).toThrow(
      VBoxParseError,
    );
    expect(() => parseVBoxVersion('')).toThrow(/printed nothing/);
    expect(() => parseVBoxVersion('hello\n')).toThrow(/no version line/);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSystemProperties } from '../../app/core/vbox/parse-systemproperties.ts';

const BANNER = [
  'WARNING: The vboxdrv kernel module is not loaded. Either there is no module',
  '         available for the current kernel (6.1.0-21-amd64) or it failed to',
  '         load. Please recompile the kernel module and install it by',
  '',
  '           sudo /sbin/vboxconfig',
  '',
  '         You will not be able to start VMs until this problem is fixed.',
].join('\n');

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/systemproperties/${name}`, import.meta.url), 'utf8');

describe('parseSystemProperties — real fixtures', () => {
  it('3.1.2 with copyright banner', () => {
    const p = parseSystemProperties(fixture('vbox312-macos-with-banner.txt'));
    expect(p.issues).toEqual([]);
    expect(p.apiVersion).toBeUndefined();
    expect(p.minGuestRamMB).toBe(4);
    expect(p.maxGuestRamMB).toBe(3584);
    expect(p.maxVramMB).toBe(128);
    expect(p.minGuestCpus).toBe(1);
    expect(p.maxGuestCpus).toBe(32);
    expect(p.maxMonitors).toBeUndefined();
    expect(p.maxNicsPiix3).toBe(8);
    expect(p.maxNicsIch9).toBeUndefined();
    expect(p.defaultMachineFolder).toBe('/Users/user/Library/VirtualBox/Machines');
    expect(p.values['VRDP authentication library']).toBe('VRDPAuth');
    expect(Object.keys(p.values)).toHaveLength(28);
  });

  it('4.3 with misaligned lines, no space after colon, empty values with trailing spaces', () => {
    const p = parseSystemProperties(
      fixture('vbox43-linux-host-trailing-spaces-empty-values-misaligned-network-adapter-lines.txt'),
    );
    expect(p.issues).toEqual([]);
    expect(p.apiVersion).toBe('4_3');
    expect(p.maxGuestRamMB).toBe(2097152);
    expect(p.maxMonitors).toBe(64);
    expect(p.maxGuestCpus).toBe(32);
    expect(p.maxNicsPiix3).toBe(8);
    expect(p.maxNicsIch9).toBe(36);
    expect(p.values['Maximum PIIX3 Floppy Controllers']).toBe('1');
    expect(p.values['Default frontend']).toBe('');
    expect(p.values['Autostart database path']).toBe('');
    expect(p.values['Virtual disk limit (info)']).toBe('2199022206976 Bytes');
    expect(p.defaultMachineFolder).toBe('/usr/local/VirtualBox_VMs');
  });

  it('5.1.26 Windows CRLF with backslash paths', () => {
    const p = parseSystemProperties(fixture('vbox5126-windows-host-CRLF-from-vagrant-log.txt'));
    expect(p.issues).toEqual([]);
    expect(p.apiVersion).toBe('5_1');
    expect(p.defaultMachineFolder).toBe('C:\\Users\\user\\VirtualBox VMs');
    expect(p.values['Default Guest Additions ISO']).toBe(
      'C:\\Program Files\\Oracle\\VirtualBox/VBoxGuestAdditions.iso',
    );
    expect(p.values['Raw-mode Supported']).toBe('yes');
    expect(p.values['Default audio driver']).toBe('DirectSound');
    expect(p.values['Remote desktop ExtPack']).toBe('');
    expect(p.values['Logging Level']).toBe('all');
    expect(p.maxVramMB).toBe(256);
  });

  it('6.1.2 macOS with long virtio-scsi labels and a last empty line value', () => {
    const p = parseSystemProperties(
      fixture(
        'vbox612-macos-host-proxy-mode-virtio-scsi-nvme-lines-empty-values-trailing-spaces-from-vagrant-log.txt',
      ),
    );
    expect(p.issues).toEqual([]);
    expect(p.apiVersion).toBe('6_1');
    expect(p.values['Maximum virtio-scsi Port count']).toBe('256');
    expect(p.values['Proxy Mode']).toBe('System');
    expect(p.values['Proxy URL']).toBe('');
    expect(p.defaultMachineFolder).toBe('/Users/test/VirtualBox VMs');
    expect(p.maxGuestCpus).toBe(32);
  });

  it('7.0 with empty values without trailing spaces', () => {
    const p = parseSystemProperties(fixture('vbox70-linux-host-api7_0-floppy-no-space.txt'));
    expect(p.issues).toEqual([]);
    expect(p.apiVersion).toBe('7_0');
    expect(p.maxGuestCpus).toBe(64);
    expect(p.minGuestRamMB).toBe(4);
    expect(p.maxNicsIch9).toBe(36);
    expect(p.values['VM encryption ExtPack']).toBe('');
    expect(p.values['User language']).toBe('en_US');
    expect(p.values['Default audio driver']).toBe('ALSA');
    expect(p.defaultMachineFolder).toBe('/home/username/VirtualBox VMs');
  });
});

describe('parseSystemProperties — edge cases', () => {
  it('multi-paragraph VBox.sh banner is one issue', () => {
    const p = parseSystemProperties(`${BANNER}\nAPI version:                     7_1\n`);
    expect(p.apiVersion).toBe('7_1');
    expect(p.issues.map((i) => i.line)).toEqual([1]);
  });

  it('7.1 nested platform blocks: first value wins; warning and junk lines become issues', () => {
    const p = parseSystemProperties(
      [
        'WARNING: The vboxdrv kernel module is not loaded.',
        '         load. Please recompile',
        'API version:                     7_1',
        'Host platform properties:',
        'Maximum PIIX3 Network Adapter count:   8',
        'x86 platform properties:',
        'Maximum PIIX3 Network Adapter count:   9',
        'junk',
      ].join('\n'),
    );
    expect(p.apiVersion).toBe('7_1');
    expect(p.maxNicsPiix3).toBe(8);
    expect(p.values['Host platform properties']).toBe('');
    expect(p.issues.map((i) => i.line)).toEqual([1, 8]);
  });
});

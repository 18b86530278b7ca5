import { describe, expect, it } from 'vitest';
import { parseShowVmInfo, unescapeIfEscaped } from '../../app/core/vbox/parse-showvminfo.ts';

const BANNER = [
  'WARNING: The vboxdrv kernel module is not loaded. Either there is no module',
  '         available for the current kernel (6.1.0-21-amd64) or it failed to',
  '         load. Please recompile the kernel module and install it by',
  '',
  '           sudo /sbin/vboxconfig',
  '',
  '         You will not be able to start VMs until this problem is fixed.',
].join('\n');

const kv = (text: string): [string, string][] => parseShowVmInfo(text).entries.map((e) => [e.key, e.value]);

describe('parseShowVmInfo — grammar edge cases (reference §3)', () => {
  it('multi-paragraph VBox.sh banner is one issue and the dump follows', () => {
    const r = parseShowVmInfo(`${BANNER}\nname="vm"\nmemory=1024\n`);
    expect(r.entries.map((e) => [e.key, e.line])).toEqual([
      ['name', 8],
      ['memory', 9],
    ]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0].line).toBe(1);
  });

  it('splits a cpuid override glued to the next key (§3.5.1), also twice in a row', () => {
    const r = parseShowVmInfo(
      'cpus=2\ncpuid=00000001,00000000,000306a9,00100800,7fbae3ff,bfebfbffcpuid=80000001,00000000,00000000,00000000,00000001,28100800hwvirtex="on"\nnestedpaging="on"\n',
    );
    expect(r.issues).toEqual([]);
    expect(r.entries).toEqual([
      { key: 'cpus', value: '2', line: 1, quoted: false },
      {
        key: 'cpuid',
        value: '00000001,00000000,000306a9,00100800,7fbae3ff,bfebfbff',
        line: 2,
        quoted: false,
      },
      {
        key: 'cpuid',
        value: '80000001,00000000,00000000,00000000,00000001,28100800',
        line: 2,
        quoted: false,
      },
      { key: 'hwvirtex', value: 'on', line: 2, quoted: true },
      { key: 'nestedpaging', value: 'on', line: 3, quoted: true },
    ]);
  });

  it('cpuid glued to bootmenu (6.1/7.0 order)', () => {
    expect(
      kv('cpuid=00000001,00000000,00000000,00000000,00000000,00000000bootmenu="messageandmenu"\n'),
    ).toEqual([
      ['cpuid', '00000001,00000000,00000000,00000000,00000000,00000000'],
      ['bootmenu', 'messageandmenu'],
    ]);
  });

  it('unescapes \\" and \\\\ in escaped values and quoted keys', () => {
    const r = parseShowVmInfo(
      'name="say \\"hi\\" to C:\\\\dir"\n"My \\"Disk\\" Ctl-0-0"="C:\\\\VMs\\\\a \\"b\\".vdi"\n',
    );
    expect(r.entries).toEqual([
      { key: 'name', value: 'say "hi" to C:\\dir', line: 1, quoted: true },
      { key: 'My "Disk" Ctl-0-0', value: 'C:\\VMs\\a "b".vdi', line: 2, quoted: true },
    ]);
  });

  it('keeps raw single backslashes (6.1 storage paths, \\\\?\\ long paths) and never unescapes raw-printed keys', () => {
    expect(
      kv(
        [
          '"SATA-0-0"="C:\\Users\\me\\disk.vdi"',
          'SharedFolderPathMachineMapping1="\\\\?\\C:\\Users\\me"',
          'VMStateFile="\\\\server\\\\share.sav"',
          'Forwarding(0)="a\\\\b,tcp,,1,,2"',
        ].join('\n'),
      ),
    ).toEqual([
      ['SATA-0-0', 'C:\\Users\\me\\disk.vdi'],
      ['SharedFolderPathMachineMapping1', '\\\\?\\C:\\Users\\me'],
      ['VMStateFile', '\\\\server\\\\share.sav'],
      ['Forwarding(0)', 'a\\\\b,tcp,,1,,2'],
    ]);
  });

  it('reads a name and a description containing newlines, then goes on', () => {
    const r = parseShowVmInfo(
      'name="line one\nline two"\ndescription="a\nmemory=1\n\n\\"q\\" end"\nmemory=2048\n',
    );
    expect(r.issues).toEqual([]);
    expect(r.entries).toEqual([
      { key: 'name', value: 'line one\nline two', line: 1, quoted: true },
      { key: 'description', value: 'a\nmemory=1\n\n"q" end', line: 3, quoted: true },
      { key: 'memory', value: '2048', line: 7, quoted: false },
    ]);
  });

  it('multi-line values in CRLF output use \\n', () => {
    expect(kv('description="one\r\ntwo"\r\nvram=16\r\n')).toEqual([
      ['description', 'one\ntwo'],
      ['vram', '16'],
    ]);
  });

  it('raw snapshot descriptions with quotes inside, over several lines', () => {
    expect(
      kv(
        'SnapshotName="Before "big" update"\nSnapshotDescription="He said "hi" twice\nsecond line"\nSnapshotUUID="u"\n',
      ),
    ).toEqual([
      ['SnapshotName', 'Before "big" update'],
      ['SnapshotDescription', 'He said "hi" twice\nsecond line'],
      ['SnapshotUUID', 'u'],
    ]);
  });

  it('VRDEClients==0 (doubled =, §3.5.2)', () => {
    expect(parseShowVmInfo('VRDEClients==0\n').entries).toEqual([
      { key: 'VRDEClients', value: '0', line: 1, quoted: false },
    ]);
  });

  it('raw suffixes after the closing quote', () => {
    const r = parseShowVmInfo(
      'VideoMode="1920,1080,32"@0,0 1\nBandwidthGroup0="Limit",Disk,10485760\nusb="off"      \n',
    );
    expect(r.entries).toEqual([
      { key: 'VideoMode', value: '1920,1080,32', suffix: '@0,0 1', line: 1, quoted: true },
      { key: 'BandwidthGroup0', value: 'Limit', suffix: ',Disk,10485760', line: 2, quoted: true },
      { key: 'usb', value: 'off', line: 3, quoted: true },
    ]);
  });

  it('raw values with embedded quotes are taken up to the last quote', () => {
    expect(kv('bridgeadapter1="My "cool" NIC"\n')).toEqual([['bridgeadapter1', 'My "cool" NIC']]);
  });

  it('unquoted values: containing =, empty, <not set>, keys with spaces and brackets', () => {
    expect(
      kv(
        'videocapopts=ac_enabled=false\nvideocapopts=\nvrdeproperty[TCP/Address]=<not set>\nGuestAdditionsFacility_VirtualBox Base Driver=50,1507023555825\nBIOS NVRAM File="/vm/x.nvram"\n',
      ),
    ).toEqual([
      ['videocapopts', 'ac_enabled=false'],
      ['videocapopts', ''],
      ['vrdeproperty[TCP/Address]', '<not set>'],
      ['GuestAdditionsFacility_VirtualBox Base Driver', '50,1507023555825'],
      ['BIOS NVRAM File', '/vm/x.nvram'],
    ]);
  });

  it('the rec_screen marker becomes an item with an empty value; duplicates are kept in order', () => {
    const r = parseShowVmInfo(' rec_screen0\nrec_screen_id=0\n rec_screen1\nrec_screen_id=1\n');
    expect(r.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['rec_screen0', '', 1],
      ['rec_screen_id', '0', 2],
      ['rec_screen1', '', 3],
      ['rec_screen_id', '1', 4],
    ]);
  });

  it('wrapper WARNING banner on stdout, logo and stray lines are issues with line numbers, not fatal', () => {
    const r = parseShowVmInfo(
      [
        'WARNING: The vboxdrv kernel module is not loaded. Either there is no module',
        '         available for the current kernel (6.1.0) or it failed to',
        '         load.',
        '',
        'name="vm"',
        'Encryption:     disabled',
        'UUID="11111111-2222-3333-4444-555555555555"',
      ].join('\n'),
    );
    expect(r.entries.map((e) => e.key)).toEqual(['name', 'UUID']);
    expect(r.issues.map((i) => i.line)).toEqual([1, 6]);
    expect(r.issues[0].message).toMatch(/wrapper warning.*vboxdrv.*available for the current kernel/);
    expect(r.issues[1].message).toBe('not a key=value line, skipped: Encryption:     disabled');
  });

  it('an unterminated quote at the end is reported and keeps the line', () => {
    const r = parseShowVmInfo('memory=1024\nname="half\n');
    expect(r.entries).toEqual([
      { key: 'memory', value: '1024', line: 1, quoted: false },
      { key: 'name', value: 'half', line: 2, quoted: true },
    ]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ line: 2 });
    expect(r.issues[0].message).toContain('no closing quote');
  });

  it('an unterminated quote in a one-line key does not swallow the following lines', () => {
    expect(kv('ostype="Ubuntu\nmemory=1024\n')).toEqual([
      ['ostype', 'Ubuntu'],
      ['memory', '1024'],
    ]);
  });

  it('quoted key without "= is an issue', () => {
    const r = parseShowVmInfo('"SATA-0-0 broken\nvram=8');
    expect(r.entries).toEqual([{ key: 'vram', value: '8', line: 2, quoted: false }]);
    expect(r.issues[0].line).toBe(1);
  });

  it('indented lines, lone CR line ends, empty input', () => {
    expect(kv('  memory=2048\r  vram=16')).toEqual([
      ['memory', '2048'],
      ['vram', '16'],
    ]);
    expect(parseShowVmInfo('')).toEqual({ entries: [], issues: [] });
  });
});

describe('unescapeIfEscaped', () => {
  it('undoes consistent escaping only', () => {
    expect(unescapeIfEscaped('C:\\\\a\\\\b')).toBe('C:\\a\\b');
    expect(unescapeIfEscaped('say \\"x\\"')).toBe('say "x"');
    expect(unescapeIfEscaped('C:\\a\\b')).toBe('C:\\a\\b');
    expect(unescapeIfEscaped('\\\\?\\C:\\x')).toBe('\\\\?\\C:\\x');
    expect(unescapeIfEscaped('plain')).toBe('plain');
  });
});

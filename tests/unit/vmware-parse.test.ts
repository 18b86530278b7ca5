import { describe, expect, it } from 'vitest';
import {
  decodeVmxBytes,
  escapeVmx,
  parseVmx,
  parseVmxBool,
  unescapeVmx,
} from '../../app/core/vmware/parse-vmx.ts';
import {
  guestFamily,
  normalizeMac,
  normalizeVmwareUuid,
  pathHashId,
  vmwareSummary,
  vmxToConfig,
} from '../../app/core/vmware/to-config.ts';
import { looksLikeVmx, readVmx } from '../../app/core/vmware/index.ts';
import { comparablePath, locateVmrun, parseVmrunList, vmrunList } from '../../app/core/vmware/vmrun.ts';

const bytes = (...parts: (string | number[])[]): Uint8Array =>
  Uint8Array.from(parts.flatMap((p) => (typeof p === 'string' ? [...Buffer.from(p, 'latin1')] : p)));

describe('parseVmx grammar (reference §1.1)', () => {
  it('T19: a second spelling of an existing key is a duplicate; the last wins and both lines are named', () => {
    const p = parseVmx('msg.autoanswer = "true"\ndisplayName = "x"\nmsg.autoAnswer = "false"\n');
    expect(p.map.get('msg.autoanswer')).toMatchObject({ key: 'msg.autoAnswer', value: 'false', line: 3 });
    expect(p.duplicates).toEqual([
      { keyLower: 'msg.autoanswer', keys: ['msg.autoanswer', 'msg.autoAnswer'], lines: [1, 3] },
    ]);
    expect(p.issues).toHaveLength(1);
    expect(p.issues[0].line).toBe(3);
    expect(p.issues[0].message).toContain(
      'line 3: duplicate key "msg.autoAnswer" (also on line 1 as "msg.autoanswer")',
    );
    expect(p.issues[0].message).toContain('dictionary error');
  });

  it('T20: lower-case displayname then an appended displayName: last value used, duplicate reported', () => {
    const p = parseVmx('displayname = "imported-vm"\nmemsize = "512"\ndisplayName = "dev-vm"\n');
    const c = vmxToConfig(p, { path: '/vms/a.vmx', platform: 'linux' });
    expect(c.general.name).toEqual({ value: 'dev-vm', key: 'displayName', raw: 'dev-vm' });
    expect(p.duplicates[0].lines).toEqual([1, 3]);
    expect(c.issues.map((i) => i.line)).toEqual([3]);
    // The superseded line is not an unknown key.
    expect(c.unknownKeys).toEqual([]);
  });

  it('T21: camelCase disk keys are found without a lower-case copy', () => {
    const c = readVmx(
      'scsi0.present = "TRUE"\nscsi0:0.present = "TRUE"\nscsi0:0.fileName = "disk.vmdk"\n',
    ).config;
    expect(c.storage[0].attachments[0].medium).toEqual({
      value: 'disk.vmdk',
      key: 'scsi0:0.fileName',
      raw: 'disk.vmdk',
    });
  });

  it('T22: displayname and displayName both read as the name', () => {
    expect(readVmx('displayname = "win7"').config.general.name?.value).toBe('win7');
    expect(readVmx('displayName = "win7"').config.general.name?.value).toBe('win7');
  });

  it('T23: virtualSSD written unquoted is read (quoted: false) and maps to nonRotational', () => {
    const p = parseVmx(
      'sata0.present = "TRUE"\nsata0:0.present = "TRUE"\nsata0:0.fileName = "a.vmdk"\nsata0:0.virtualSSD = 1\n',
    );
    expect(p.map.get('sata0:0.virtualssd')).toMatchObject({
      key: 'sata0:0.virtualSSD',
      value: '1',
      quoted: false,
    });
    const c = vmxToConfig(p);
    expect(c.storage[0].attachments[0].nonRotational).toEqual({
      value: true,
      key: 'sata0:0.virtualSSD',
      raw: '1',
    });
    const quotedLower = parseVmx('sata0:0.virtualssd = "1"').map.get('sata0:0.virtualssd');
    expect(quotedLower?.quoted).toBe(true);
  });

  it('T24: an "auto detect" CD-ROM is a host drive, not a file', () => {
    const c = readVmx(
      'ide0:0.present = "TRUE"\nide0:0.deviceType = "atapi-cdrom"\nide0:0.fileName = "auto detect"\n',
    ).config;
    const a = c.storage[0].attachments[0];
    expect(a.kind).toBe('dvd');
    expect(a.medium.value).toBe('auto detect');
    expect(a.passthrough?.value).toBe(true);
    expect(c.native?.['vmware.cdrom.connection#ide0:0']?.value).toBe('physical');
  });

  it('T25: raw Windows backslash paths are literal, mixed-case keys and lower-case booleans are read', () => {
    const text =
      'floppy0.filename = "C:\\Users\\user\\AppData\\Local\\Temp\\tmp189376687"\nfloppy0.filetype = "file"\nRemoteDisplay.vnc.enabled = "false"\n';
    const p = parseVmx(text);
    expect(p.issues).toEqual([]);
    const c = vmxToConfig(p);
    const floppy = c.storage.find((s) => s.name.value === 'floppy');
    expect(floppy?.attachments[0].medium.value).toBe('C:\\Users\\user\\AppData\\Local\\Temp\\tmp189376687');
    expect(floppy?.attachments[0].kind).toBe('floppy');
    expect(c.display.vrdeEnabled).toEqual({ value: false, key: 'RemoteDisplay.vnc.enabled', raw: 'false' });
  });

  it('|XX escapes: value unescaped, raw kept; multi-byte escapes decoded in the file charset', () => {
    const p = parseVmx('displayName = "|22win10_scratch|22"\nannotation = "a|0Ab|7Cc|zz"\nx = "|E4|B8|AD"\n');
    expect(p.map.get('displayname')).toMatchObject({ value: '"win10_scratch"', raw: '|22win10_scratch|22' });
    expect(p.map.get('annotation')?.value).toBe('a\nb|c|zz');
    expect(p.map.get('x')?.value).toBe('中');
    expect(unescapeVmx('|93|FA', 'shift_jis')).toBe('日');
    expect(unescapeVmx(escapeVmx('say "hi" | #1\nok'))).toBe('say "hi" | #1\nok');
    expect(escapeVmx('a"b')).toBe('a|22b');
  });

  it('shebang, comments, blank lines, CR-only and mixed line endings', () => {
    const p = parseVmx('#!/usr/bin/vmware\r# comment\r\r  \rmemsize = "64"\rnumvcpus="2"');
    expect(p.shebang).toBe('#!/usr/bin/vmware');
    expect(p.lineEnding).toBe('cr');
    expect(p.entries.map((e) => [e.key, e.value, e.line])).toEqual([
      ['memsize', '64', 5],
      ['numvcpus', '2', 6],
    ]);
    expect(parseVmx('a = "1"\r\nb = "2"\n').lineEnding).toBe('mixed');
    expect(parseVmx('a = "1"').lineEnding).toBe('none');
    // `#!` on a later line is only a comment
    expect(parseVmx('a = "1"\n#!/x\n').shebang).toBeUndefined();
  });

  it('bad lines become issues with line numbers and the rest is read', () => {
    const p = parseVmx(
      [
        'memsize = "256"',
        'this line has no equals sign',
        '= "orphan value"',
        'displayName = "unterminated',
        'guestOS = "other" trailing',
        'annotation = "say "hi""',
        'odd key = "1"',
        'numvcpus = "2"',
      ].join('\n'),
    );
    expect(p.issues.map((i) => i.line)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(p.issues[0].message).toBe('line 2: not a key = "value" line: this line has no equals sign');
    expect(p.issues[1].message).toContain('line 3: no key before "="');
    expect(p.issues[2].message).toContain('no closing quote');
    expect(p.issues[3].message).toContain('text after the closing quote of guestOS is ignored: trailing');
    expect(p.issues[4].message).toContain('unescaped quote');
    expect(p.issues[5].message).toContain('key "odd key" contains spaces');
    expect(p.map.get('displayname')?.value).toBe('unterminated');
    expect(p.map.get('guestos')?.value).toBe('other');
    expect(p.map.get('annotation')?.value).toBe('say "hi"');
    expect(p.map.get('numvcpus')?.value).toBe('2');
    expect(p.map.get('odd key')?.value).toBe('1');
  });

  it('unreadable values are issues in the config, never fatal', () => {
    const c = readVmx(
      'memsize = "lots"\nvhv.enable = "maybe"\nnumvcpus = "4"\ncpuid.coresPerSocket = "3"\n',
    ).config;
    expect(c.system.memoryMB).toBeUndefined();
    expect(c.system.nestedHwVirt).toBeUndefined();
    expect(c.system.cpus?.value).toBe(4);
    expect(c.issues.map((i) => i.message)).toEqual([
      'line 1: memsize = "lots" is not a whole number; it is ignored.',
      'line 2: vhv.enable = "maybe" is not TRUE or FALSE; it is ignored.',
      'line 4: 4 vCPUs (numvcpus) cannot be split into sockets of 3 cores (cpuid.coresPerSocket).',
    ]);
  });

  it('booleans in every spelling', () => {
    for (const v of ['TRUE', 'true', 'True', '1', 'yes']) expect(parseVmxBool(v)).toBe(true);
    for (const v of ['FALSE', 'false', 'False', '0', 'no']) expect(parseVmxBool(v)).toBe(false);
    expect(parseVmxBool('unlimited')).toBeUndefined();
  });
});

describe('.encoding (reference §1.1)', () => {
  it('windows-1252 bytes are decoded per .encoding', () => {
    const p = parseVmx(bytes('.encoding = "windows-1252"\ndisplayName = "Caf', [0xe9], ' ', [0x80], '"\n'));
    expect(p.encoding).toBe('windows-1252');
    expect(p.declaredEncoding).toBe('windows-1252');
    expect(p.map.get('displayname')?.value).toBe('Café €');
    expect(p.issues).toEqual([]);
  });

  it('Shift_JIS bytes (a VM made on a Japanese Windows host)', () => {
    const p = parseVmx(bytes('.encoding = "Shift_JIS"\ndisplayName = "', [0x93, 0xfa, 0x96, 0x7b], '"\n'));
    expect(p.encoding).toBe('shift_jis');
    expect(p.map.get('displayname')?.value).toBe('日本');
  });

  it('windows-1251 and GBK', () => {
    expect(
      parseVmx(bytes('.encoding = "windows-1251"\na = "', [0xcf, 0xf0, 0xe8], '"')).map.get('a')?.value,
    ).toBe('При');
    expect(parseVmx(bytes('.encoding = "GBK"\na = "', [0xd6, 0xd0], '"')).map.get('a')?.value).toBe('中');
  });

  it('UTF-8 declared or assumed; BOM stripped', () => {
    const p = parseVmx(
      bytes([0xef, 0xbb, 0xbf], '.encoding = "UTF-8"\ndisplayName = "', [0xe4, 0xb8, 0xad], '"\n'),
    );
    expect(p.encoding).toBe('utf-8');
    expect(p.entries[0].key).toBe('.encoding');
    expect(p.map.get('displayname')?.value).toBe('中');
    expect(parseVmx(bytes('a = "', [0xc3, 0xa9], '"')).map.get('a')?.value).toBe('é');
  });

  it('an unknown charset is reported with its line and UTF-8 is used', () => {
    const p = parseVmx(bytes('\n.encoding = "x-klingon"\na = "b"\n'));
    expect(p.encoding).toBe('utf-8');
    expect(p.issues[0]).toEqual({
      line: 2,
      message: 'line 2: unknown .encoding "x-klingon"; the file is read as UTF-8 instead.',
    });
  });

  it('bytes that are not UTF-8 fall back to windows-1252 and say so', () => {
    const p = parseVmx(bytes('.encoding = "UTF-8"\ndisplayName = "Caf', [0xe9], '"\n'));
    expect(p.encoding).toBe('windows-1252');
    expect(p.map.get('displayname')?.value).toBe('Café');
    expect(p.issues[0].message).toContain('declares .encoding "UTF-8" but is not valid UTF-8');
    const none = decodeVmxBytes(bytes('a = "', [0xe9], '"'));
    expect(none.encoding).toBe('windows-1252');
    expect(none.issues[0].message).toContain('no .encoding line');
  });

  it('invalid bytes in another declared charset are kept as replacement characters', () => {
    const d = decodeVmxBytes(bytes('.encoding = "Shift_JIS"\na = "', [0x81], '"'));
    expect(d.encoding).toBe('shift_jis');
    expect(d.text).toContain('\uFFFD');
    expect(d.issues[0].message).toContain('not valid shift_jis');
  });

  it('string input reports the declared charset', () => {
    expect(parseVmx('.encoding = "windows-1252"\n').encoding).toBe('windows-1252');
    expect(parseVmx('a = "1"').encoding).toBe('utf-8');
  });
});

describe('ids, MACs and helpers', () => {
  it('uuid.bios byte pairs become a UUID; bad ones are reported and the path id is used', () => {
    expect(normalizeVmwareUuid('56 4d ee 3c 4b 5c 2f 21-be 4a 1c 9d 7f 0e 8a 33')).toBe(
      '564dee3c-4b5c-2f21-be4a-1c9d7f0e8a33',
    );
    expect(normalizeVmwareUuid('56 4d')).toBeUndefined();
    const c = readVmx('uuid.bios = "56 4d zz"', { path: '/vms/a/a.vmx', platform: 'linux' }).config;
    expect(c.id).toBe(pathHashId('/vms/a/a.vmx', 'linux'));
    expect(c.issues[0].message).toContain('line 1: uuid.bios = "56 4d zz" is not 16 hex byte pairs');
  });

  it('path ids are stable, UUID-shaped and case-insensitive on Windows and macOS only', () => {
    const a = pathHashId('C:\\VMs\\Win\\Win.vmx', 'win32');
    expect(a).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(pathHashId('c:/vms/win/WIN.vmx', 'win32')).toBe(a);
    expect(pathHashId('/Users/me/VM.vmx', 'darwin')).toBe(pathHashId('/users/me/vm.vmx', 'darwin'));
    expect(pathHashId('/home/me/VM.vmx', 'linux')).not.toBe(pathHashId('/home/me/vm.vmx', 'linux'));
    // Without uuid.bios or path, the id comes from the content and is stable.
    expect(readVmx('memsize = "4"').config.id).toBe(readVmx('memsize = "4"').config.id);
    expect(readVmx('memsize = "4"').config.id).not.toBe(readVmx('memsize = "8"').config.id);
  });

  it('MAC addresses are normalized; bad ones are issues', () => {
    expect(normalizeMac('00:0c:29:aa:bb:01')).toBe('000C29AABB01');
    expect(normalizeMac('00-50-56-01-02-03')).toBe('005056010203');
    expect(normalizeMac('00:0c:29')).toBeUndefined();
    const c = readVmx(
      'ethernet0.present = "TRUE"\nethernet0.address = "nope"\nethernet0.addressType = "static"',
    ).config;
    expect(c.network[0].macAddress).toBeUndefined();
    expect(c.issues[0]).toEqual({
      line: 2,
      message: 'line 2: ethernet0.address = "nope" is not a MAC address.',
    });
  });

  it('guest families', () => {
    expect(guestFamily('windows11-64')).toBe('windows');
    expect(guestFamily('windows9-64')).toBe('windows');
    expect(guestFamily('winxppro')).toBe('windows');
    expect(guestFamily('arm-windows11-64')).toBe('windows');
    expect(guestFamily('ubuntu-64')).toBe('linux');
    expect(guestFamily('other26xlinux-64')).toBe('linux');
    expect(guestFamily('rhel9-64')).toBe('linux');
    expect(guestFamily('darwin24-64')).toBe('darwin');
    expect(guestFamily('other-64')).toBe('other');
  });

  it('summary name falls back to the file name when displayName is absent', () => {
    const r = readVmx('memsize = "512"', { path: 'C:\\VMs\\Lab PC\\Lab PC.vmx', platform: 'win32' });
    expect(r.summary.name).toBe('Lab PC');
    expect(r.summary.cpus).toBe(1);
    expect(r.summary.memoryMB).toBe(512);
    expect(vmwareSummary(r.config).id).toBe(r.config.id);
  });

  it('looksLikeVmx tells a .vmx from other text', () => {
    expect(looksLikeVmx('.encoding = "UTF-8"\nconfig.version = "8"\n')).toBe(true);
    expect(looksLikeVmx('displayname = "x"')).toBe(true);
    expect(looksLikeVmx('name="ubuntu"\nmemory=2048\n')).toBe(false);
  });
});

describe('mapping details not covered by the fixtures', () => {
  it('serial ports, shared folders, sound, display, power, TPM, encryption, LAN segment', () => {
    const c = readVmx(
      [
        'serial0.present = "TRUE"',
        'serial0.fileType = "pipe"',
        'serial0.fileName = "\\\\.\\pipe\\com_1"',
        'serial0.pipe.endPoint = "client"',
        'serial0.yieldOnMsrRead = "TRUE"',
        'serial1.present = "FALSE"',
        'isolation.tools.hgfs.disable = "FALSE"',
        'sharedFolder.maxNum = "2"',
        'sharedFolder0.present = "TRUE"',
        'sharedFolder0.enabled = "TRUE"',
        'sharedFolder0.readAccess = "TRUE"',
        'sharedFolder0.writeAccess = "FALSE"',
        'sharedFolder0.hostPath = "C:\\Users\\me\\src"',
        'sharedFolder0.guestName = "src"',
        'sharedFolder0.expiration = "never"',
        'sharedFolder1.present = "TRUE"',
        'sharedFolder1.hostPath = "D:\\tmp"',
        'sharedFolder1.guestName = "tmp"',
        'sharedFolder1.expiration = "session"',
        'sound.present = "TRUE"',
        'sound.virtualDev = "hdaudio"',
        'sound.fileName = "-1"',
        'sound.autodetect = "TRUE"',
        'mks.enable3d = "TRUE"',
        'svga.graphicsMemoryKB = "786432"',
        'svga.autodetect = "FALSE"',
        'svga.numDisplays = "2"',
        'svga.maxWidth = "1920"',
        'svga.maxHeight = "1080"',
        'powerType.powerOff = "soft"',
        'gui.exitAtPowerOff = "TRUE"',
        'vtpm.present = "TRUE"',
        'vmx.encryptionType = "partial"',
        'encryption.keySafe = "vmware:key/list/(pair/(null/..."',
        'firmware = "efi"',
        'vvtd.enable = "TRUE"',
        'vpmc.enable = "FALSE"',
        'ethernet0.present = "TRUE"',
        'ethernet0.connectionType = "pvn"',
        'ethernet0.pvnID = "52 dd bc 0a-0f f1"',
        'ethernet1.present = "FALSE"',
        'isolation.tools.copy.disable = "TRUE"',
        'isolation.tools.paste.disable = "FALSE"',
      ].join('\n'),
      { path: '/v/x.vmx', platform: 'linux' },
    ).config;
    expect(c.serial).toEqual([
      {
        slot: 1,
        enabled: { value: true, key: 'serial0.present', raw: 'TRUE' },
        mode: { value: 'pipe', key: 'serial0.fileType', raw: 'pipe' },
        path: '\\\\.\\pipe\\com_1',
      },
      { slot: 2, enabled: { value: false, key: 'serial1.present', raw: 'FALSE' } },
    ]);
    expect(c.native?.['vmware.serial.pipeEnd#serial0']?.value).toBe('client');
    expect(c.native?.['vmware.serial.yieldOnPoll#serial0']?.value).toBe('true');
    expect(c.sharedFolders.map((f) => [f.index, f.name.value, f.hostPath.value, f.transient])).toEqual([
      [0, 'src', 'C:\\Users\\me\\src', false],
      [1, 'tmp', 'D:\\tmp', true],
    ]);
    expect(c.native?.['vmware.options.sharedFolderReadOnly#sharedFolder0']?.value).toBe('true');
    expect(c.native?.['vmware.options.sharedFolders']?.value).toBe('untilpoweroff');
    expect(c.audio).toMatchObject({ enabled: true, controller: { value: 'hda', raw: 'hdaudio' } });
    expect(c.audio.driver).toEqual({ value: 'default', key: 'sound.autodetect', raw: 'TRUE' });
    expect(c.display.accelerate3d?.value).toBe(true);
    expect(c.display.monitorCount?.value).toBe(2);
    expect(c.native?.['vmware.display.graphicsMemory']?.value).toBe('786432');
    expect(c.native?.['vmware.display.monitors']?.value).toBe('false');
    expect(c.native?.['vmware.display.maxResolution']).toEqual({
      value: '1920x1080',
      key: 'svga.maxWidth',
      raw: '1920x1080',
    });
    expect(c.native?.['vmware.options.powerControls#powerOff']?.value).toBe('soft');
    expect(c.native?.['vmware.options.closeAfterPowerOff']?.value).toBe('true');
    expect(c.system.tpm).toEqual({ value: 'v2_0', key: 'vtpm.present', raw: 'TRUE' });
    expect(c.native?.['vmware.options.encryption']?.value).toBe('partial');
    expect(c.native?.['vmware.processors.iommu']?.value).toBe('true');
    expect(c.native?.['vmware.processors.perfCounters']?.value).toBe('false');
    expect(c.network[0].attachment).toEqual({ value: 'intnet', key: 'ethernet0.connectionType', raw: 'pvn' });
    expect(c.network[0].attachmentName?.value).toBe('52 dd bc 0a-0f f1');
    expect(c.network[1].attachment.value).toBe('none');
    expect(c.general.clipboard?.value).toBe('hosttoguest');
    expect(c.issues).toEqual([]);
  });

  it('a fully encrypted VM is reported', () => {
    const c = readVmx(
      'displayName = "secret"\nencryption.keySafe = "vmware:key"\nencryption.data = "AAAA"\n',
    ).config;
    expect(c.native?.['vmware.options.encryption']?.value).toBe('full');
    expect(c.issues[0].line).toBe(3);
    expect(c.issues[0].message).toContain('this VM is encrypted');
  });

  it('a drive on a controller that is not present is reported, and one without .present too', () => {
    const c = readVmx(
      'scsi1:0.present = "TRUE"\nscsi1:0.fileName = "a.vmdk"\nsata0:2.fileName = "b.vmdk"\n',
    ).config;
    expect(c.storage.map((s) => s.name.value)).toEqual(['sata0', 'scsi1']);
    expect(c.storage[1].attachments[0].kind).toBe('hdd');
    expect(c.storage[0].attachments[0].kind).toBe('none');
    expect(c.issues.map((i) => i.message)).toEqual([
      'sata0:2 has settings but no sata0:2.present line; VMware treats it as absent.',
      'scsi1 has drives marked present but scsi1.present is not TRUE; VMware does not attach them.',
    ]);
  });
});

describe('vmrun', () => {
  it('parses vmrun list output (CRLF, zero VMs, errors on stdout)', () => {
    expect(
      parseVmrunList(
        'Total running VMs: 2\r\nD:\\VMs\\win11\\win11.vmx\r\nD:\\VMs\\ubuntu-lab\\ubuntu-lab.vmx\r\n',
      ),
    ).toEqual({
      total: 2,
      paths: ['D:\\VMs\\win11\\win11.vmx', 'D:\\VMs\\ubuntu-lab\\ubuntu-lab.vmx'],
    });
    expect(parseVmrunList('Total running VMs: 0\n')).toEqual({ total: 0, paths: [] });
    expect(parseVmrunList('Error: Unable to connect to host.\n').error).toBe(
      'Error: Unable to connect to host.',
    );
  });

  it('compares paths case-insensitively with / on Windows and macOS', () => {
    expect(comparablePath('D:\\VMs\\Win11\\Win11.vmx', 'win32')).toBe('d:/vms/win11/win11.vmx');
    expect(comparablePath('/Users/Me/VM.vmx', 'darwin')).toBe('/users/me/vm.vmx');
    expect(comparablePath('/home/Me/VM.vmx', 'linux')).toBe('/home/Me/VM.vmx');
  });

  it('runs only `list`, with the timeout, and surfaces vmrun errors', async () => {
    const calls: [string, string[], number][] = [];
    const list = await vmrunList('/usr/bin/vmrun', 1234, async (f, a, t) => {
      calls.push([f, a, t]);
      return 'Total running VMs: 1\n/home/me/vmware/a/a.vmx\n';
    });
    expect(calls).toEqual([['/usr/bin/vmrun', ['list'], 1234]]);
    expect(list.paths).toEqual(['/home/me/vmware/a/a.vmx']);
    await expect(vmrunList('/x', 10, async () => 'Error: The operation was canceled\n')).rejects.toThrow(
      'Error: The operation was canceled',
    );
  });

  it('locates vmrun: user path, VMRUN, standard folders, PATH', async () => {
    const have = new Set(['C:\\Program Files (x86)\\VMware\\VMware Workstation\\vmrun.exe']);
    const win = await locateVmrun({
      platform: 'win32',
      env: { 'ProgramFiles(x86)': 'C:\\Program Files (x86)', PATH: 'C:\\Windows' },
      exists: async (p) => have.has(p),
    });
    expect(win.path).toBe('C:\\Program Files (x86)\\VMware\\VMware Workstation\\vmrun.exe');
    const mac = await locateVmrun({ platform: 'darwin', env: {}, exists: async () => false });
    expect(mac.path).toBeUndefined();
    expect(mac.tried).toEqual([
      '/Applications/VMware Fusion.app/Contents/Library/vmrun',
      '/Applications/VMware Fusion.app/Contents/Public/vmrun',
    ]);
    const linux = await locateVmrun({
      platform: 'linux',
      env: { PATH: '/opt/vmw/bin:/usr/bin' },
      exists: async (p) => p === '/opt/vmw/bin/vmrun',
      userPath: '/nope/vmrun',
    });
    expect(linux.tried).toEqual([
      '/nope/vmrun',
      '/usr/bin/vmrun',
      '/usr/local/bin/vmrun',
      '/opt/vmw/bin/vmrun',
    ]);
    expect(linux.path).toBe('/opt/vmw/bin/vmrun');
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';
import { parseListHdds, parseMediumInfo } from '../../app/core/vbox/parse-mediuminfo.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/hdds/${name}`, import.meta.url), 'utf8');

const BASE = 'ebb6dca0-879f-480b-a50e-9efe330bd021';
const DIFF = '1c182745-4b09-41a1-a147-d3ced46f72f6';

describe('parseListHdds — real fixtures', () => {
  it('6.0 base + differencing child: every field of both records', () => {
    const r = parseListHdds(fixture('list-hdds-base-and-differencing-locked-read.txt'));
    expect(r.issues).toEqual([]);
    expect(r.media).toHaveLength(2);
    const [base, diff] = r.media;
    expect(base).toMatchObject({
      uuid: BASE,
      line: 1,
      base: true,
      state: 'locked read',
      type: 'normal',
      location: '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/ubuntu-18.04-amd64-disk001.vmdk',
      format: 'VMDK',
      virtualSizeMB: 65536,
      encrypted: false,
      chain: [
        {
          uuid: BASE,
          location:
            '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/ubuntu-18.04-amd64-disk001.vmdk',
        },
      ],
      inUseBy: [],
      childUuids: [],
    });
    expect(base.parentUuid).toBeUndefined();
    expect(base.actualSizeBytes).toBeUndefined(); // the short form has no "Size on disk:"
    expect(base.fields).toEqual({
      UUID: BASE,
      'Parent UUID': 'base',
      State: 'locked read',
      Type: 'normal (base)',
      Location: '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/ubuntu-18.04-amd64-disk001.vmdk',
      'Storage format': 'VMDK',
      Capacity: '65536 MBytes',
      Encryption: 'disabled',
    });
    expect(diff).toMatchObject({
      uuid: DIFF,
      line: 10,
      base: false,
      parentUuid: BASE,
      state: 'created',
      type: 'normal',
      location: `/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/Snapshots/{${DIFF}}.vmdk`,
      format: 'VMDK',
      virtualSizeMB: 65536,
      encrypted: false,
    });
  });

  it('3.1.2: logo skipped with line numbers, old labels (Format, Accessible, Usage), trailing spaces', () => {
    const r = parseListHdds(fixture('list-hdds-vbox312-banner-usage-field.txt'));
    expect(r.media.map((m) => [m.line, m.uuid, m.format, m.accessible, m.type, m.location])).toEqual([
      [
        5,
        '9d2e4353-d1e9-466c-ac58-f2249264147b',
        'VDI',
        true,
        'normal',
        '/Users/user/Library/VirtualBox/HardDisks/TestJeOS.vdi',
      ],
      [
        12,
        '11dedd14-57a1-4bdb-adeb-dd1d67f066e1',
        'VDI',
        true,
        'normal',
        '/Users/user/Library/VirtualBox/HardDisks/HoboBase.vdi',
      ],
      [
        19,
        '322f79fd-7da6-416f-a16f-e70066ccf165',
        'VMDK',
        true,
        'normal',
        '/Users/user/Library/VirtualBox/HardDisks/HoboBase.vmdk',
      ],
    ]);
    expect(r.media.map((m) => m.inUseBy)).toEqual([
      [{ vmName: 'TestJeOS', vmUuid: '3d0f87b4-50f7-4fc5-ad89-93375b1b32a3', snapshots: [] }],
      [{ vmName: 'HoboBase', vmUuid: '696249ad-00b6-4087-b47f-9b82629efc31', snapshots: [] }],
      // the last line carries trailing spaces in the fixture
      [{ vmName: 'HoboBase_2', vmUuid: '3cc36c5d-562a-4030-8acf-f061f44170c4', snapshots: [] }],
    ]);
    // 3.x says nothing about base/differencing or parents.
    expect(r.media.every((m) => m.base === undefined && m.parentUuid === undefined)).toBe(true);
    expect(r.issues.map((i) => i.line)).toEqual([1, 2, 3]);
    expect(r.issues[0].message).toMatch(
      /logo line: VirtualBox Command Line Management Interface Version 3\.1\.2/,
    );
  });
});

describe('parseMediumInfo — showmediuminfo long form (VBoxManageDisk.cpp showMediumInfo)', () => {
  // Output recorded in a comment of BOINC's vboxwrapper (vbox_vboxmanage.cpp), VirtualBox 5.x/6.x.
  const MULTIATTACH = [
    'UUID:           f81c0950-57ee-462e-b931-051193700d76',
    'Parent UUID:    base',
    'State:          created',
    'Type:           multiattach',
    'Location:       /path to/disk/parent_disk_name.vdi',
    'Storage format: VDI',
    'Format variant: dynamic default',
    'Capacity:       51200 MBytes',
    'Size on disk:   2 MBytes',
    'Encryption:     disabled',
    'Property:       AllocationBlockSize=1048576',
    'Child UUIDs:    67e34269-e52e-4957-a813-c85f72084fba',
    '                5fa7905e-72e4-4f85-8405-dc6401417720',
    '                7262b5e5-2b32-482a-8c6e-2ef49548740b',
    '',
  ].join('\n');

  it('multiattach base with a property and three children', () => {
    const m = parseMediumInfo(MULTIATTACH);
    expect(m.issues).toEqual([]);
    expect(m).toMatchObject({
      uuid: 'f81c0950-57ee-462e-b931-051193700d76',
      base: true,
      type: 'multiattach',
      location: '/path to/disk/parent_disk_name.vdi',
      format: 'VDI',
      variant: 'dynamic default',
      virtualSizeMB: 51200,
      sizeOnDiskMB: 2,
      actualSizeBytes: 2 * 1024 * 1024,
      encrypted: false,
      properties: { AllocationBlockSize: '1048576' },
      childUuids: [
        '67e34269-e52e-4957-a813-c85f72084fba',
        '5fa7905e-72e4-4f85-8405-dc6401417720',
        '7262b5e5-2b32-482a-8c6e-2ef49548740b',
      ],
    });
  });

  it('differencing image in use by a VM in two snapshots, encrypted, inaccessible with access error', () => {
    const text = [
      `UUID:           ${DIFF}`,
      `Parent UUID:    ${BASE}`,
      'State:          inaccessible',
      "Access Error:   Could not open the medium 'D:\\VMs\\x\\{1c18}.vdi'.",
      'Description:    after the update',
      'Type:           normal (differencing)',
      'Auto-Reset:     off',
      'Location:       D:\\VMs\\Lab Windows 10\\Snapshots\\{1c182745-4b09-41a1-a147-d3ced46f72f6}.vdi',
      'Storage format: VDI',
      'Format variant: differencing default',
      'Capacity:       65536 MBytes',
      'Size on disk:   1234 MBytes',
      'Encryption:     enabled',
      'Cipher:         AES-XTS256-PLAIN64',
      'Password ID:    vm1',
      'In use by VMs:  Lab Windows 10 (UUID: 9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f) [Before update (UUID: 085cbbec-70cd-4864-9208-5d938dcabb71)] [Clear (UUID: f478c629-629c-48f5-bde7-82e85af13694)]',
      '                Lab (UUID: 1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d)',
    ].join('\r\n');
    const m = parseMediumInfo(text);
    expect(m.issues).toEqual([]);
    expect(m).toMatchObject({
      parentUuid: BASE,
      base: false,
      state: 'inaccessible',
      accessError: "Could not open the medium 'D:\\VMs\\x\\{1c18}.vdi'.",
      description: 'after the update',
      type: 'normal',
      autoReset: false,
      location: 'D:\\VMs\\Lab Windows 10\\Snapshots\\{1c182745-4b09-41a1-a147-d3ced46f72f6}.vdi',
      variant: 'differencing default',
      actualSizeBytes: 1234 * 1048576,
      encrypted: true,
      cipher: 'AES-XTS256-PLAIN64',
      passwordId: 'vm1',
      inUseBy: [
        {
          vmName: 'Lab Windows 10',
          vmUuid: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
          snapshots: [
            { name: 'Before update', uuid: '085cbbec-70cd-4864-9208-5d938dcabb71' },
            { name: 'Clear', uuid: 'f478c629-629c-48f5-bde7-82e85af13694' },
          ],
        },
        { vmName: 'Lab', vmUuid: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d', snapshots: [] },
      ],
    });
  });

  it('4.x showhdinfo layout (Accessible, Logical size, Current size on disk) — BOINC vboxwrapper comment', () => {
    const text = [
      'UUID:                 c119acaf-636c-41f6-86c9-38e639a31339',
      'Accessible:           yes',
      'Logical size:         10240 MBytes',
      'Current size on disk: 0 MBytes',
      'Type:                 normal (base)',
      'Storage format:       VDI',
      'Format variant:       dynamic default',
      'In use by VMs:        test2 (UUID: 000ab2be-1254-4c6a-9fdc-1536a478f601)',
      'Location:             C:\\Users\\romw\\VirtualBox VMs\\test2\\test2.vdi',
    ].join('\n');
    const m = parseMediumInfo(text);
    expect(m.issues).toEqual([]);
    expect(m).toMatchObject({
      accessible: true,
      virtualSizeMB: 10240,
      sizeOnDiskMB: 0,
      actualSizeBytes: 0,
      base: true,
      type: 'normal',
      location: 'C:\\Users\\romw\\VirtualBox VMs\\test2\\test2.vdi',
      inUseBy: [{ vmName: 'test2', vmUuid: '000ab2be-1254-4c6a-9fdc-1536a478f601', snapshots: [] }],
    });
  });

  it('a VM name containing "(UUID:" is split at the last UUID', () => {
    const m = parseMediumInfo(
      `UUID:           ${BASE}\nLocation:       /x.vdi\nIn use by VMs:  odd (UUID: x) name (UUID: 000ab2be-1254-4c6a-9fdc-1536a478f601)\n`,
    );
    expect(m.inUseBy).toEqual([
      { vmName: 'odd (UUID: x) name', vmUuid: '000ab2be-1254-4c6a-9fdc-1536a478f601', snapshots: [] },
    ]);
  });

  it('bad values are reported with their line and the rest is kept', () => {
    const text = [
      `UUID:           ${BASE}`, // 1
      'Parent UUID:    nonsense', // 2
      'Location:       /x.vdi', // 3
      'Capacity:       12 GBytes', // 4
      'Encryption:     maybe', // 5
      'Frobnicate:     7', // 6
      'this line has no label', // 7
      'Child UUIDs:    not-a-uuid', // 8
      'Location:       /again.vdi', // 9
    ].join('\n');
    const m = parseMediumInfo(text);
    expect(m.location).toBe('/x.vdi');
    expect(m.fields.Frobnicate).toBe('7');
    expect(m.virtualSizeMB).toBeUndefined();
    expect(m.encrypted).toBeUndefined();
    expect(m.childUuids).toEqual([]);
    expect(m.issues).toHaveLength(7);
    expect(new Set(m.issues.map((i) => i.line))).toEqual(new Set([2, 4, 5, 6, 7, 8, 9]));
    for (const i of m.issues) expect(i.message).toMatch(new RegExp(`^line ${i.line}: `));
  });

  it('two records: the first is returned, the second reported', () => {
    const text = fixture('list-hdds-base-and-differencing-locked-read.txt');
    const m = parseMediumInfo(text);
    expect(m.uuid).toBe(BASE);
    expect(m.issues).toEqual([{ line: 10, message: expect.stringMatching(/1 more medium record/) }]);
  });

  it('no record at all: VBoxParseError naming the first problem line', () => {
    expect(() => parseMediumInfo('')).toThrow(VBoxParseError);
    expect(() => parseMediumInfo('garbage\n')).toThrow(/line 1: not a "Label: value" line: garbage/);
  });
});

import { describe, expect, it } from 'vitest';
import { parseDomainXml, targetIndex } from '../../app/core/kvm/domain-xml.ts';
import { parseDominfo, parseListAll } from '../../app/core/kvm/parse-virsh.ts';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';
import {
  compareIndexDigits,
  readSafeInteger,
  safeInteger,
  safeNumber,
  shortRaw,
  tooLargeIssue,
} from '../../app/core/vbox/parse-common.ts';
import { parseListHdds } from '../../app/core/vbox/parse-mediuminfo.ts';
import { parseSnapshotList } from '../../app/core/vbox/parse-snapshots.ts';
import { parseVBoxVersion } from '../../app/core/vbox/parse-version.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import { parseVboxFile } from '../../app/core/vbox/vbox-file.ts';
import { decodeVmxBytes, parseVmx } from '../../app/core/vmware/parse-vmx.ts';
import { vmxToConfig } from '../../app/core/vmware/to-config.ts';

/**
 * Parser hardening (issue 6): numbers too large to be exact, and the regular expressions rewritten to
 * run in linear time. The slow-input tests assert the parsed result; each input took seconds to
 * days with the old expressions, so a regression shows as a test timeout (vitest's 5 s).
 */

const UUID = 'ebb6dca0-879f-480b-a50e-9efe330bd021';
/** 30 digits: beyond 2^53, so `Number` would round it. */
const BIG = '9'.repeat(30);
const BIG_SHOWN = `${'9'.repeat(20)}…`;
const BLANKS = ' '.repeat(100_000);

describe('shared number guard (app/core/vbox/parse-common.ts)', () => {
  it('safeInteger accepts exact integers only', () => {
    expect(safeInteger('0042')).toBe(42);
    expect(safeInteger('-7')).toBe(-7);
    expect(safeInteger('9007199254740991')).toBe(Number.MAX_SAFE_INTEGER);
    expect(safeInteger('9007199254740992')).toBeUndefined();
    expect(safeInteger('9'.repeat(400))).toBeUndefined();
    expect(safeInteger('0x1F')).toBe(31);
    expect(safeInteger('1.5')).toBeUndefined();
  });

  it('safeNumber accepts finite decimals up to 2^53 − 1', () => {
    expect(safeNumber('12.3')).toBe(12.3);
    expect(safeNumber('1e400')).toBeUndefined();
    expect(safeNumber(BIG)).toBeUndefined();
  });

  it('tooLargeIssue names the line, the value shortened to 20 characters, and the outcome', () => {
    expect(shortRaw('abc')).toBe('abc');
    expect(shortRaw('x'.repeat(21))).toBe(`${'x'.repeat(20)}…`);
    expect(tooLargeIssue('memsize', BIG, 3)).toEqual({
      line: 3,
      message: `line 3: memsize "${BIG_SHOWN}" is too large to be a number; the value is left out`,
    });
    expect(tooLargeIssue('"CPU(s)"', ` ${BIG} `, undefined, 'ignored')).toEqual({
      message: `"CPU(s)" "${BIG_SHOWN}" is too large to be a number; ignored`,
    });
    const issues: ReturnType<typeof tooLargeIssue>[] = [];
    expect(readSafeInteger('12', issues, 'x', 1)).toBe(12);
    expect(readSafeInteger(BIG, issues, 'x', 2)).toBeUndefined();
    expect(issues).toHaveLength(1);
  });

  it('compareIndexDigits orders digit runs by value without converting them', () => {
    expect(compareIndexDigits('2', '10')).toBeLessThan(0);
    expect(compareIndexDigits('010', '9')).toBeGreaterThan(0);
    expect(compareIndexDigits('007', '7')).toBe(0);
    expect(compareIndexDigits(BIG, `${BIG}0`)).toBeLessThan(0);
    expect(compareIndexDigits('0', '0000')).toBe(0);
  });
});

describe('VirtualBox readers: numbers too large to be exact', () => {
  it('showvminfo: storage, attachment, serial, USB filter and shared folder indexes stay unknown keys', () => {
    const config = showVmInfoToConfig(
      [
        `UUID="${UUID}"`,
        'VMState="poweroff"',
        `storagecontrollername${BIG}="SATA"`,
        'storagecontrollername0="IDE"',
        `"IDE-${BIG}-0"="/x.vdi"`,
        '"IDE-0-0"="/y.vdi"',
        `uart${BIG}="off"`,
        `USBFilterName${BIG}="f"`,
        `SharedFolderNameMachineMapping${BIG}="s"`,
      ].join('\n'),
      'file',
    );
    expect(config.storage.map((c) => [c.index, c.name.value])).toEqual([[0, 'IDE']]);
    expect(config.storage[0].attachments.map((a) => [a.port, a.device, a.medium.value])).toEqual([
      [0, 0, '/y.vdi'],
    ]);
    expect(config.serial).toEqual([]);
    expect(config.usb.filters).toEqual([]);
    expect(config.sharedFolders).toEqual([]);
    expect(config.unknownKeys.map((u) => u.line)).toEqual([3, 5, 7, 8, 9]);
    const big = config.issues.filter((i) => i.message.includes('too large'));
    expect(big.map((i) => i.line)).toEqual([3, 5, 7, 8, 9]);
    expect(big[2].message).toBe(
      `line 7: the index in key "uart${'9'.repeat(16)}…" "${BIG_SHOWN}" is too large to be a number; the key is kept as an unknown key`,
    );
  });

  it('snapshot indexes beyond 2^53 keep their node and sort by their digits (showvminfo and snapshot list)', () => {
    const lines = [
      'SnapshotName="a"',
      `SnapshotUUID="${UUID}"`,
      `SnapshotName-${BIG}="b"`,
      `SnapshotUUID-${BIG}="1c182745-4b09-41a1-a147-d3ced46f72f6"`,
      'SnapshotName-3="c"',
      'SnapshotUUID-3="2c182745-4b09-41a1-a147-d3ced46f72f6"',
    ];
    const message = `line 3: the snapshot index in key "SnapshotName-${'9'.repeat(7)}…" "${BIG_SHOWN}" is too large to be a number; the snapshot is kept and ordered by its digits`;
    const list = parseSnapshotList(lines.join('\n'));
    expect(list.roots[0].children.map((n) => [n.name, n.path])).toEqual([
      ['c', '-3'],
      ['b', `-${BIG}`],
    ]);
    expect(list.issues).toEqual([{ line: 3, message }]);
    const config = showVmInfoToConfig([`UUID="${UUID}"`, ...lines].join('\n'), 'file');
    expect(config.snapshots[0].children.map((n) => n.name)).toEqual(['c', 'b']);
    expect(config.issues).toContainEqual({ line: 4, message: message.replace('line 3', 'line 4') });
  });

  it('list hdds: a size on disk whose byte count is inexact keeps the MB and leaves the bytes out', () => {
    const r = parseListHdds(
      `UUID:           ${UUID}\nLocation:       /x.vdi\nSize on disk:   999999999999 MBytes\n`,
    );
    expect(r.media[0].sizeOnDiskMB).toBe(999_999_999_999);
    expect(r.media[0].actualSizeBytes).toBeUndefined();
    expect(r.issues).toEqual([
      {
        line: 3,
        message:
          'line 3: "Size on disk:" "999999999999 MBytes" is too large to be a number; the size in bytes is left out (the size in MB is kept)',
      },
    ]);
  });

  it('.vbox: settings version, hex and decimal attributes too large are left out (not replaced by defaults), with issues', () => {
    const r = parseVboxFile(
      `<VirtualBox version="1.${BIG}-linux"><Machine uuid="{${UUID}}" name="x"><Hardware><CPU count="0x${'f'.repeat(20)}"/><Memory RAMSize="1024"/><Display VRAMSize="${BIG}"/></Hardware></Machine></VirtualBox>`,
    );
    expect(r.config.system.cpus).toBeUndefined();
    expect(r.config.system.memoryMB?.value).toBe(1024);
    expect(r.config.display.vramMB).toBeUndefined();
    expect(r.issues).toEqual([
      {
        line: 1,
        message: `line 1: settings version "1.${'9'.repeat(18)}…" is too large to be a number; defaults of settings version 1.19 (VirtualBox 7.0) are assumed`,
      },
      {
        line: 1,
        message: `line 1: Machine/Hardware/CPU/@count "0x${'f'.repeat(18)}…" is too large to be a number; the value is left out`,
      },
      {
        line: 1,
        message: `line 1: Machine/Hardware/Display/@VRAMSize "${BIG_SHOWN}" is too large to be a number; the value is left out`,
      },
    ]);
  });
});

describe('VMware and libvirt readers: numbers too large to be exact', () => {
  it('.vmx: device indexes too large leave the device out, its keys unknown, one issue per device', () => {
    const text = [
      `ethernet${BIG}.present = "TRUE"`,
      `ethernet${BIG}.virtualDev = "e1000"`,
      `sata${BIG}:0.present = "TRUE"`,
      `sata${BIG}.present = "TRUE"`,
      'ethernet0.present = "TRUE"',
    ].join('\n');
    const config = vmxToConfig(parseVmx(text, { path: '/v/x.vmx' }), { path: '/v/x.vmx' });
    expect(config.network.map((n) => n.slot)).toEqual([1]);
    expect(config.storage).toEqual([]);
    expect(config.unknownKeys.map((u) => u.line)).toEqual([1, 2, 3, 4]);
    expect(config.issues).toEqual([
      {
        line: 1,
        message: `line 1: the device index in key "ethernet${'9'.repeat(12)}…" "${BIG_SHOWN}" is too large to be a number; its keys are kept as unknown keys`,
      },
      {
        line: 3,
        message: `line 3: the device index in key "sata${'9'.repeat(16)}…" "${BIG_SHOWN}" is too large to be a number; its keys are kept as unknown keys`,
      },
    ]);
  });

  it('domain XML: memory, controller index, target dev, boot order, port range, vram and heads', () => {
    const config = parseDomainXml(
      [
        '<domain type="kvm">',
        '<name>x</name>',
        `<uuid>${UUID}</uuid>`,
        `<memory unit="EiB">${'9'.repeat(15)}</memory>`,
        '<vcpu>2</vcpu>',
        '<devices>',
        `<controller type="sata" index="${BIG}"/>`,
        '<disk type="file" device="disk">',
        `<target dev="vd${'z'.repeat(14)}" bus="virtio"/>`,
        `<boot order="${BIG}"/>`,
        '</disk>',
        '<interface type="user">',
        `<portForward proto="tcp"><range start="${BIG}" to="22"/><range start="2222" to="${BIG}"/></portForward>`,
        '</interface>',
        `<video><model type="qxl" vram="${BIG}" heads="${BIG}"/></video>`,
        '</devices>',
        '</domain>',
      ].join('\n'),
    );
    expect(config.system.memoryMB).toBeUndefined();
    expect(config.system.cpus?.value).toBe(2);
    expect(config.storage.map((c) => [c.name.value, c.attachments.map((a) => [a.port, a.device])])).toEqual([
      ['VirtIO', [[0, 0]]],
    ]);
    expect(config.system.bootOrder).toEqual([]);
    expect(config.network[0].portForwards.map((f) => [f.hostPort, f.guestPort])).toEqual([[2222, 2222]]);
    expect(config.display.vramMB).toBeUndefined();
    expect(config.display.monitorCount).toBeUndefined();
    expect(config.issues).toEqual([
      {
        line: 4,
        message: `line 4: <memory> "999999999999999 EiB" is too large to be a number of MiB; the value is left out`,
      },
      {
        line: 7,
        message: `line 7: <controller index> "${BIG_SHOWN}" is too large to be a number; the controller is left out`,
      },
      {
        line: 9,
        message: `line 9: <target dev> index "vd${'z'.repeat(14)}" is too large to be a number; the drive is placed as the first on its bus`,
      },
      {
        line: 10,
        message: `line 10: <boot order> "${BIG_SHOWN}" is too large to be a number; the value is left out`,
      },
      {
        line: 13,
        message: `line 13: <range start> "${BIG_SHOWN}" is too large to be a number; the forwarding is left out`,
      },
      {
        line: 13,
        message: `line 13: <range to> "${BIG_SHOWN}" is too large to be a number; the guest port is taken from start`,
      },
      {
        line: 15,
        message: `line 15: <model vram> "${BIG_SHOWN}" is too large to be a number; the value is left out`,
      },
      {
        line: 15,
        message: `line 15: <model heads> "${BIG_SHOWN}" is too large to be a number; the value is left out`,
      },
    ]);
    expect(targetIndex('vdzz')).toBe(701);
    expect(targetIndex(`vd${'z'.repeat(11)}`)).toBeGreaterThan(0);
    expect(targetIndex(`vd${'z'.repeat(12)}`)).toBeUndefined();
  });

  it('virsh list: a domain id too large is left out, the row kept', () => {
    const r = parseListAll(
      ` Id   Name      State\n--------------------------\n ${BIG}    web-01    running\n`,
    );
    expect(r.domains).toEqual([{ name: 'web-01', state: 'running', line: 3 }]);
    expect(r.issues).toEqual([
      {
        line: 3,
        message: `line 3: domain id "${BIG_SHOWN}" is too large to be a number; the value is left out`,
      },
    ]);
  });
});

describe('rewritten regular expressions: long inputs parse in linear time', () => {
  it('list hdds labels (was `(.*?)[ \\t]*$`): 100 000 blanks before, inside and after a value', () => {
    const r = parseListHdds(
      `UUID:${BLANKS}${UUID}${BLANKS}\nLocation:${BLANKS}/a${BLANKS}b.vdi${BLANKS}x\nType:${BLANKS}\n`,
    );
    expect(r.issues).toEqual([]);
    expect(r.media[0].uuid).toBe(UUID);
    expect(r.media[0].location).toBe(`/a${BLANKS}b.vdi${BLANKS}x`);
    expect(r.media[0].fields.Type).toBe('');
  });

  it('list hdds "In use by VMs" (was nested lazy groups, exponential): 40 snapshots, then junk', () => {
    const snaps = Array.from({ length: 40 }, (_, k) => ` [s${k} (UUID: ${UUID})]`).join('');
    const head = `UUID:           ${UUID}\nLocation:       /x.vdi\nIn use by VMs:  vm (UUID: ${UUID})`;
    const ok = parseListHdds(`${head}${snaps}\n`);
    expect(ok.issues).toEqual([]);
    expect(ok.media[0].inUseBy[0].vmName).toBe('vm');
    expect(ok.media[0].inUseBy[0].snapshots).toHaveLength(40);
    expect(ok.media[0].inUseBy[0].snapshots[39]).toEqual({ name: 's39', uuid: UUID });
    const junk = parseListHdds(`${head}${snaps} x\n`);
    expect(junk.media[0].inUseBy).toEqual([]);
    expect(junk.issues).toHaveLength(1);
    expect(junk.issues[0].line).toBe(3);
    expect(junk.issues[0].message).toMatch(/^line 3: cannot read the VM using this medium: /);
  });

  it('list hdds "In use by VMs": names holding "(UUID: …)" and brackets are split as VBoxManage prints them', () => {
    const other = '1c182745-4b09-41a1-a147-d3ced46f72f6';
    const r = parseListHdds(
      `UUID:           ${UUID}\nLocation:       /x.vdi\nIn use by VMs:  a (UUID: ${other}) b (UUID: ${UUID}) [s [1] (UUID: ${other})] [t (UUID: ${UUID})]\n`,
    );
    expect(r.media[0].inUseBy).toEqual([
      {
        vmName: `a (UUID: ${other}) b`,
        vmUuid: UUID,
        snapshots: [
          { name: 's [1]', uuid: other },
          { name: 't', uuid: UUID },
        ],
      },
    ]);
  });

  it('--version (was `(\\d+)…([_A-Za-z0-9]*?)(?:r(\\d+))?$`, quadratic): 100 000 digits then a stray character', () => {
    expect(() => parseVBoxVersion(`7.1.${'1'.repeat(100_000)}!\n`)).toThrow(/no version line/);
    expect(parseVBoxVersion(`7.1.12_${'a'.repeat(100_000)}r5\n`)).toMatchObject({
      major: 7,
      minor: 1,
      build: 12,
      suffix: `_${'a'.repeat(100_000)}`,
      revision: 5,
    });
    expect(parseVBoxVersion('7.0.8_RC1_Debianr156879')).toMatchObject({
      suffix: '_RC1_Debian',
      revision: 156879,
    });
    expect(parseVBoxVersion('7.0.8r')).toMatchObject({ suffix: 'r', revision: 0 });
    expect(() => parseVBoxVersion(`${BIG}.1.1r5`)).toThrow(VBoxParseError);
  });

  it('.vmx .encoding (was a multi-line regex, quadratic): 100 000 blank lines, and blanks inside the value', () => {
    const lines = '\n'.repeat(100_000);
    const r = parseVmx(`${lines}.encoding = "windows-1252"\ndisplayName = "x"\n`);
    expect(r.encoding).toBe('windows-1252');
    expect(r.declaredEncoding).toBe('windows-1252');
    const bytes = new TextEncoder().encode(`${lines}.encoding = "no-such-charset"\n`);
    expect(decodeVmxBytes(bytes).issues).toEqual([
      {
        line: 100_001,
        message: 'line 100001: unknown .encoding "no-such-charset"; the file is read as UTF-8 instead.',
      },
    ]);
    const spaced = parseVmx(`.encoding = "${BLANKS}"x\nmemsize = "1024"\n`);
    expect(spaced.declaredEncoding).toBeUndefined();
    expect(spaced.encoding).toBe('utf-8');
    expect(parseVmx('  .ENCODING="GBK"  \n').declaredEncoding).toBe('GBK');
    expect(parseVmx('.encoding = UTF-8\n').declaredEncoding).toBe('UTF-8');
  });

  it('virsh fields (was `/^([^:]+):[ \\t]*(.*?)\\s*$/`, cubic): 100 000 blanks around a value', () => {
    const r = parseDominfo(`Name:${BLANKS}web 01${BLANKS}\nUUID:\t${UUID}\n`);
    expect(r.name).toBe('web 01');
    expect(r.uuid).toBe(UUID);
    expect(r.issues).toEqual([]);
    expect(parseDominfo(`${BLANKS}\n:${BLANKS}x\n`).issues).toEqual([
      { line: 2, message: `line 2: expected "Label: value": :${BLANKS}x` },
    ]);
  });

  it('virsh list table rows (was `\\s+(.+?)\\s+(state)`, quadratic): 100 000 blanks inside a name and before no state', () => {
    const header = ' Id   Name      State\n--------------------------\n';
    const r = parseListAll(`${header} 1    web${BLANKS}01    shut off   my title\n -    x${BLANKS}y\n`);
    expect(r.domains).toEqual([
      { id: 1, name: `web${BLANKS}01`, state: 'shut off', title: 'my title', line: 3 },
    ]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0].line).toBe(4);
  });
});

import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseListVms } from '../../app/core/vbox/parse-list-vms.ts';

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
  readFileSync(new URL(`../fixtures/listvms/${name}`, import.meta.url), 'utf8');

describe('parseListVms — real fixtures', () => {
  it('ten VMs with a leading blank line', () => {
    const r = parseListVms(fixture('ten-vms-vagrant-timestamp-names-boot2docker-leading-blank-line.txt'));
    expect(r.issues).toEqual([]);
    expect(r.vms).toHaveLength(10);
    expect(r.vms[0]).toEqual({
      name: 'boot2docker-vm',
      uuid: 'd4d92435-7863-43ab-9a4a-1b24654abcd8',
      accessible: true,
    });
    expect(r.vms[1].name).toBe('urfv96068ead_default_1456788305661_75135');
    expect(r.vms[9]).toEqual({
      name: 'urfve6cb85a2_default_1458910687825_39001',
      uuid: '295e77c3-d922-4849-93de-4422b8c08880',
      accessible: true,
    });
  });

  it('names with spaces', () => {
    const r = parseListVms(fixture('two-vms-names-with-spaces-macos.txt'));
    expect(r.issues).toEqual([]);
    expect(r.vms.map((v) => v.name)).toEqual(['UDA2 net boot', 'ReactOS test']);
    expect(r.vms[1].uuid).toBe('77fb8dcb-82ae-4870-9e6b-e56f19377f6b');
  });

  it('no trailing newline', () => {
    const r = parseListVms(fixture('two-vms-no-trailing-newline.txt'));
    expect(r.issues).toEqual([]);
    expect(r.vms).toEqual([
      { name: 'Ubuntu', uuid: '2e16b1fc-675d-4a7a-a9a1-e89a8bde7874', accessible: true },
      { name: 'go-virtualbox', uuid: 'def44546-e3da-4902-8d15-b91c99c80cbc', accessible: true },
    ]);
  });
});

describe('parseListVms — edge cases', () => {
  it('multi-paragraph VBox.sh banner (blank lines inside) before the rows', () => {
    const r = parseListVms(`${BANNER}\n"Ubuntu" {2e16b1fc-675d-4a7a-a9a1-e89a8bde7874}\n`);
    expect(r.issues).toEqual([]);
    expect(r.vms.map((v) => v.name)).toEqual(['Ubuntu']);
    // the banner's text is returned once, on one line, without "WARNING:"
    expect(r.warnings).toEqual([
      'The vboxdrv kernel module is not loaded. Either there is no module available for the current kernel (6.1.0-21-amd64) or it failed to load. Please recompile the kernel module and install it by sudo /sbin/vboxconfig You will not be able to start VMs until this problem is fixed.',
    ]);
  });

  it('T01/T03: inaccessible VM between normal ones is kept, flagged, not fatal', () => {
    const r = parseListVms(
      '"Dev box" {0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6}\n"<inaccessible>" {7a9d1e20-c3b4-4f5a-8e6d-2b1c0a9f8e7d}\n"Build" {5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f}\n',
    );
    expect(r.vms.map((v) => [v.name, v.accessible])).toEqual([
      ['Dev box', true],
      ['<inaccessible>', false],
      ['Build', true],
    ]);
    expect(r.vms[1].uuid).toBe('7a9d1e20-c3b4-4f5a-8e6d-2b1c0a9f8e7d');
  });

  it('T06: wrapper warning on stdout and no VM lines gives no VMs and no garbage', () => {
    const r = parseListVms(
      'WARNING: The vboxdrv kernel module is not loaded. Either there is no module\n         available for the current kernel (6.1.0) or it failed to\n         load. Please recompile the kernel module and install it by\n',
    );
    expect(r.vms).toEqual([]);
    expect(r.issues).toEqual([]);
  });

  it('T08: names that extend other names, quotes, braces, upper-case UUIDs, CRLF', () => {
    const r = parseListVms(
      '"Lab" {1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d}\r\n"Lab Windows 10" {9F8E7D6C-5B4A-4C3D-8E2F-1A0B9C8D7E6F}\r\n"say "hi" {x}" {11111111-2222-3333-4444-555555555555}\r\n',
    );
    expect(r.issues).toEqual([]);
    expect(r.vms.map((v) => v.name)).toEqual(['Lab', 'Lab Windows 10', 'say "hi" {x}']);
    expect(r.vms[1].uuid).toBe('9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f');
  });

  it('unparseable lines become issues with line numbers, the rest is kept', () => {
    const r = parseListVms('\n"A" {11111111-2222-3333-4444-555555555555}\ngarbage here\n"B" {not-a-uuid}\n');
    expect(r.vms.map((v) => v.name)).toEqual(['A']);
    expect(r.issues.map((i) => i.line)).toEqual([3, 4]);
    expect(r.issues[0].message).toBe('not a "<name>" {<uuid>} row: garbage here');
  });

  it('a name with newlines spreads over several lines: joined into one row, the newlines kept', () => {
    const r = parseListVms(
      [
        '"Lab" {1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d}',
        '"web',
        'server" {9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f}',
        '"three',
        '',
        ' lines {x}" {11111111-2222-3333-4444-555555555555}',
        '"Build" {5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f}',
      ].join('\r\n'),
    );
    expect(r.issues).toEqual([]);
    expect(r.vms).toEqual([
      { name: 'Lab', uuid: '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d', accessible: true },
      { name: 'web\nserver', uuid: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f', accessible: true },
      { name: 'three\n\n lines {x}', uuid: '11111111-2222-3333-4444-555555555555', accessible: true },
      { name: 'Build', uuid: '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f', accessible: true },
    ]);
  });

  it('a split row is not joined across the next row (a line starting with ") — that is an issue', () => {
    const r = parseListVms('"half\n"B" {5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f}\n"tail\nno uuid here\n');
    expect(r.vms.map((v) => v.name)).toEqual(['B']);
    expect(r.issues).toEqual([
      { line: 1, message: 'not a "<name>" {<uuid>} row: "half' },
      { line: 3, message: 'not a "<name>" {<uuid>} row: "tail' },
      { line: 4, message: 'not a "<name>" {<uuid>} row: no uuid here' },
    ]);
  });

  it('empty output means no VMs', () => {
    expect(parseListVms('')).toEqual({ vms: [], issues: [], warnings: [] });
  });
});

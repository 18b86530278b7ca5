import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseHostInfo } from '../../app/core/vbox/parse-hostinfo.ts';

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
  readFileSync(new URL(`../fixtures/hostinfo/${name}`, import.meta.url), 'utf8');

describe('parseHostInfo — real fixtures', () => {
  it('6.1 macOS with duplicated, indented header and trailing spaces', () => {
    const h = parseHostInfo(fixture('vbox61-macos-darwin19-duplicated-header.txt'));
    expect(h).toEqual({
      cpuOnlineCount: 8,
      cpuCount: 8,
      coreOnlineCount: 4,
      coreCount: 4,
      memoryMB: 16384,
      memoryAvailableMB: 4929,
      os: 'Darwin',
      osVersion: '19.6.0',
      cpuDescription: 'Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz',
      supportsHwVirt: true,
      supportsNestedPaging: true,
      supportsPae: true,
      supportsLongMode: true,
      supportsNestedHwVirt: false,
      issues: [],
    });
  });

  it('7.x Apple Silicon: leading blank line, speed unknown, PAE no', () => {
    const h = parseHostInfo(
      fixture('vbox7x-macos-arm-apple-m3-pro-speed-unknown-bogus-mhz-leading-blank-line.txt'),
    );
    expect(h.issues).toEqual([]);
    expect(h.cpuOnlineCount).toBe(12);
    expect(h.coreOnlineCount).toBe(12);
    expect(h.memoryMB).toBe(36864);
    expect(h.memoryAvailableMB).toBe(15881);
    expect(h.supportsPae).toBe(false);
    expect(h.supportsHwVirt).toBe(true);
    expect(h.cpuDescription).toBe('Apple M3 Pro E (sawtooth)');
    expect(h.osVersion).toBe('25.5.0');
  });

  it('7.x Intel: nested paging no, vmsave/vmload line ignored', () => {
    const h = parseHostInfo(fixture('vbox7x-macos-intel-darwin24-i7-6700HQ-vmsave-vmload-line.txt'));
    expect(h.issues).toEqual([]);
    expect(h.supportsNestedPaging).toBe(false);
    expect(h.supportsNestedHwVirt).toBe(false);
    expect(h.coreCount).toBe(4);
    expect(h.cpuCount).toBe(8);
    expect(h.memoryAvailableMB).toBe(6435);
    expect(h.os).toBe('Darwin');
    expect(h.osVersion).toBe('24.6.0');
  });
});

describe('parseHostInfo — edge cases', () => {
  it('multi-paragraph VBox.sh banner is one issue', () => {
    const h = parseHostInfo(`${BANNER}\nHost Information:\n\nProcessor online core count: 6\n`);
    expect(h.coreOnlineCount).toBe(6);
    expect(h.issues).toHaveLength(1);
    expect(h.issues[0].message).toContain('You will not be able to start VMs');
  });

  it('wrapper warning and odd lines become issues; CRLF', () => {
    const h = parseHostInfo(
      'WARNING: The vboxdrv kernel module is not loaded.\r\n         available for the current kernel\r\nHost Information:\r\n\r\nProcessor count: many\r\nno colon here\r\nMemory size: 2048 MByte\r\n',
    );
    expect(h.memoryMB).toBe(2048);
    expect(h.cpuCount).toBeUndefined();
    expect(h.issues.map((i) => i.line)).toEqual([1, 5, 6]);
    expect(h.issues[0].message).toContain('vboxdrv');
  });
});

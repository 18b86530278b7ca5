import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { combineHostFacts, estimateCores, hostFactsFromOs, type OsLike } from '../../app/core/host.ts';
import { parseHostInfo } from '../../app/core/vbox/parse-hostinfo.ts';

function fakeOs(over: Partial<OsLike> & { threads: number }): OsLike {
  return {
    availableParallelism: () => over.threads,
    cpus: () =>
      Array.from({ length: over.threads }, () => ({ model: 'Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz' })),
    totalmem: () => 16 * 1024 * 1024 * 1024,
    type: () => 'Linux',
    release: () => '6.1.0-21-amd64',
    arch: () => 'x64',
    platform: () => 'linux',
    ...over,
  };
}

const hostinfo = (name: string) => parseHostInfo(readFileSync(`tests/fixtures/hostinfo/${name}`, 'utf8'));

describe('estimateCores', () => {
  it.each([
    [8, 'x64', 4],
    [16, 'x64', 8],
    [2, 'ia32', 1],
    [3, 'x64', 3],
    [1, 'x64', 1],
    [12, 'arm64', 12],
    [0, 'x64', 1],
  ])('%i threads on %s → %i cores', (threads, arch, cores) => {
    expect(estimateCores(threads, arch)).toBe(cores);
  });
});

describe('hostFactsFromOs', () => {
  it('reads threads, MB of RAM, CPU model and OS from the os module', () => {
    expect(hostFactsFromOs(fakeOs({ threads: 8 }))).toEqual({
      threads: 8,
      estimatedCores: 4,
      memoryMB: 16384,
      cpuModel: 'Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz',
      os: 'Linux 6.1.0-21-amd64',
      platform: 'linux',
      arch: 'x64',
    });
  });

  it('falls back to cpus().length without availableParallelism, and rounds memory to whole MB', () => {
    const facts = hostFactsFromOs(
      fakeOs({
        threads: 12,
        availableParallelism: undefined,
        arch: () => 'arm64',
        totalmem: () => 38654705664 + 600_000,
      }),
    );
    expect(facts).toMatchObject({ threads: 12, estimatedCores: 12, memoryMB: 36865 });
  });

  it('works on the real os module', () => {
    const facts = hostFactsFromOs();
    expect(facts.threads).toBe(os.availableParallelism());
    expect(facts.memoryMB).toBe(Math.round(os.totalmem() / 1048576));
  });
});

describe('combineHostFacts', () => {
  const node = hostFactsFromOs(fakeOs({ threads: 6, totalmem: () => 8 * 1073741824 }));

  it('without hostinfo: the estimate, fromHostInfo false', () => {
    expect(combineHostFacts(node)).toEqual({
      cores: 3,
      threads: 6,
      memoryMB: 8192,
      cpuModel: 'Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz',
      os: 'Linux 6.1.0-21-amd64',
      fromHostInfo: false,
    });
  });

  it('with the Intel macOS hostinfo: online cores, threads, memory and CPU support from VirtualBox', () => {
    expect(
      combineHostFacts(node, hostinfo('vbox7x-macos-intel-darwin24-i7-6700HQ-vmsave-vmload-line.txt')),
    ).toEqual({
      cores: 4,
      threads: 8,
      memoryMB: 16384,
      cpuModel: 'Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz',
      os: 'Darwin 24.6.0',
      fromHostInfo: true,
      supportsHwVirt: true,
      supportsNestedPaging: false,
    });
  });

  it('with the Apple M3 Pro hostinfo: 12 cores = 12 threads, 36 GB', () => {
    const facts = combineHostFacts(
      node,
      hostinfo('vbox7x-macos-arm-apple-m3-pro-speed-unknown-bogus-mhz-leading-blank-line.txt'),
    );
    expect(facts).toMatchObject({
      cores: 12,
      threads: 12,
      memoryMB: 36864,
      os: 'Darwin 25.5.0',
      fromHostInfo: true,
    });
    expect(facts.cpuModel).toBe('Apple M3 Pro E (sawtooth)');
  });

  it('a hostinfo with no usable numbers (e.g. translated labels) keeps the estimate', () => {
    expect(combineHostFacts(node, parseHostInfo('Informations sur l’hôte :\n'))).toMatchObject({
      cores: 3,
      threads: 6,
      memoryMB: 8192,
      fromHostInfo: false,
    });
  });
});

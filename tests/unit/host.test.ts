import { readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import {
  combineHostFacts,
  countPhysicalCores,
  estimateCores,
  hostFactsFromOs,
  type OsLike,
  type TopologySource,
} from '../../app/core/host.ts';
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

/** A system that shows no CPU topology (every look-up fails). */
const NO_TOPOLOGY: TopologySource = {
  readdir: () => {
    throw new Error('ENOENT');
  },
  readFile: () => {
    throw new Error('ENOENT');
  },
  sysctl: () => {
    throw new Error('ENOENT');
  },
};

/** A fake file system holding `files` (path → content); folders are derived from the paths. */
function topology(files: Record<string, string>, sysctl?: Record<string, string>): TopologySource {
  return {
    readdir: (dir) => {
      const names = Object.keys(files)
        .filter((p) => p.startsWith(`${dir}/`))
        .map((p) => p.slice(dir.length + 1).split('/')[0]);
      if (names.length === 0) throw new Error(`ENOENT ${dir}`);
      return [...new Set(names)];
    },
    readFile: (p) => {
      if (!(p in files)) throw new Error(`ENOENT ${p}`);
      return files[p];
    },
    sysctl: (name) => {
      if (!sysctl || !(name in sysctl)) throw new Error('ENOENT');
      return sysctl[name];
    },
  };
}

/** sysfs files for CPUs given as [package, core] (plus optional online flag and die). */
function sysfs(
  cpus: [pkg: number, core: number, online?: '0' | '1', die?: number][],
): Record<string, string> {
  const files: Record<string, string> = { '/sys/devices/system/cpu/possible': '0-63\n' };
  cpus.forEach(([pkg, core, online, die], i) => {
    const dir = `/sys/devices/system/cpu/cpu${i}`;
    files[`${dir}/topology/physical_package_id`] = `${pkg}\n`;
    files[`${dir}/topology/core_id`] = `${core}\n`;
    if (die !== undefined) files[`${dir}/topology/die_id`] = `${die}\n`;
    if (online) files[`${dir}/online`] = `${online}\n`;
  });
  return files;
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
    expect(hostFactsFromOs(fakeOs({ threads: 8 }), NO_TOPOLOGY)).toEqual({
      threads: 8,
      estimatedCores: 4,
      coresEstimated: true,
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
      NO_TOPOLOGY,
    );
    expect(facts).toMatchObject({ threads: 12, estimatedCores: 12, memoryMB: 36865 });
  });

  it('works on the real os module', () => {
    const facts = hostFactsFromOs();
    expect(facts.threads).toBe(os.availableParallelism());
    expect(facts.memoryMB).toBe(Math.round(os.totalmem() / 1048576));
  });
});

describe('countPhysicalCores', () => {
  it('Linux sysfs: a 2-core / 2-thread x64 machine has 2 cores (the estimate said 1)', () => {
    const topo = topology(
      sysfs([
        [0, 0],
        [0, 1],
      ]),
    );
    expect(countPhysicalCores('linux', topo)).toBe(2);
    const facts = hostFactsFromOs(fakeOs({ threads: 2 }), topo);
    expect(facts).toMatchObject({ threads: 2, estimatedCores: 2, coresEstimated: false });
    const host = combineHostFacts(facts);
    expect(host).toMatchObject({ cores: 2, threads: 2, fromHostInfo: false });
    expect(host.coresEstimated).toBeUndefined();
  });

  it('Linux sysfs: SMT siblings, offline CPUs, two packages and dies are counted right', () => {
    expect(
      countPhysicalCores(
        'linux',
        topology(
          sysfs([
            [0, 0],
            [0, 1],
            [0, 0],
            [0, 1],
          ]),
        ),
      ),
    ).toBe(2);
    expect(
      countPhysicalCores(
        'linux',
        topology(
          sysfs([
            [0, 0],
            [0, 1, '0'],
            [0, 2, '1'],
          ]),
        ),
      ),
    ).toBe(2);
    expect(
      countPhysicalCores(
        'linux',
        topology(
          sysfs([
            [0, 0],
            [1, 0],
            [0, 1],
            [1, 1],
          ]),
        ),
      ),
    ).toBe(4);
    expect(
      countPhysicalCores(
        'linux',
        topology(
          sysfs([
            [0, 0, '1', 0],
            [0, 0, '1', 1],
          ]),
        ),
      ),
    ).toBe(2);
  });

  it('Linux /proc/cpuinfo when sysfs has no topology; ARM cpuinfo without core ids gives no count', () => {
    const cpuinfo = [0, 1, 2, 3]
      .map((i) => `processor\t: ${i}\nphysical id\t: 0\ncore id\t\t: ${i % 2}\ncpu cores\t: 2\n`)
      .join('\n');
    expect(countPhysicalCores('linux', topology({ '/proc/cpuinfo': cpuinfo }))).toBe(2);
    const arm = 'processor\t: 0\nBogoMIPS\t: 48.00\n\nprocessor\t: 1\nBogoMIPS\t: 48.00\n';
    expect(countPhysicalCores('linux', topology({ '/proc/cpuinfo': arm }))).toBeUndefined();
    const facts = hostFactsFromOs(
      fakeOs({ threads: 4, arch: () => 'arm64' }),
      topology({ '/proc/cpuinfo': arm }),
    );
    expect(facts).toMatchObject({ estimatedCores: 4, coresEstimated: true });
    expect(combineHostFacts(facts).coresEstimated).toBe(true);
  });

  it('macOS asks sysctl hw.physicalcpu; Windows is not counted', () => {
    expect(countPhysicalCores('darwin', topology({}, { 'hw.physicalcpu': '8\n' }))).toBe(8);
    expect(countPhysicalCores('darwin', topology({}, { 'hw.physicalcpu': 'oops' }))).toBeUndefined();
    expect(countPhysicalCores('darwin', NO_TOPOLOGY)).toBeUndefined();
    expect(countPhysicalCores('win32', topology(sysfs([[0, 0]])))).toBeUndefined();
  });

  it('never reports more cores than threads (a process limited to fewer CPUs)', () => {
    const topo = topology(
      sysfs([
        [0, 0],
        [0, 1],
        [0, 2],
        [0, 3],
      ]),
    );
    expect(hostFactsFromOs(fakeOs({ threads: 2 }), topo).estimatedCores).toBe(2);
  });

  it('works on this machine', () => {
    const n = countPhysicalCores(process.platform);
    if (process.platform === 'linux' || process.platform === 'darwin') {
      expect(n).toBeGreaterThanOrEqual(1);
      expect(n).toBeLessThanOrEqual(os.cpus().length);
    }
  });
});

describe('combineHostFacts', () => {
  const node = hostFactsFromOs(fakeOs({ threads: 6, totalmem: () => 8 * 1073741824 }), NO_TOPOLOGY);

  it('without hostinfo: the estimate, marked as such, fromHostInfo false', () => {
    expect(combineHostFacts(node)).toEqual({
      cores: 3,
      threads: 6,
      memoryMB: 8192,
      cpuModel: 'Intel(R) Core(TM) i7-6700HQ CPU @ 2.60GHz',
      os: 'Linux 6.1.0-21-amd64',
      fromHostInfo: false,
      coresEstimated: true,
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

import { chmodSync, mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  VIRSH_READ_VERBS,
  VirshError,
  VirshRunner,
  assertReadOnlyVirshArgs,
  extractVirshMessage,
  locateVirsh,
  validateConnectionUri,
  virshCandidates,
  virshChildEnv,
} from '../../app/core/kvm/virsh.ts';
import {
  hostFactsFromNodeinfo,
  neutralState,
  parseDominfo,
  parseListAll,
  parseNodeinfo,
  parseVirshVersion,
} from '../../app/core/kvm/parse-virsh.ts';

/**
 * The virsh runner and virsh's text output, against the REAL `virsh` (Debian libvirt-clients, installed
 * by .ci/run) and libvirt's built-in test driver: `test:///default` and our node XML
 * tests/fixtures/libvirt-test/node.xml (the driver needs an absolute path, built here from the repo root).
 */

const VIRSH = (await locateVirsh()).path;
if (!VIRSH)
  console.warn(
    'kvm-virsh.test.ts: virsh not found — the real-virsh tests are SKIPPED. Install Debian/Ubuntu "libvirt-clients" (.ci/run does).',
  );
const NODE_XML = path.resolve('tests/fixtures/libvirt-test/node.xml');
const NODE_URI = `test://${NODE_XML}`;
const TEST_DEFAULT_UUID = '6695eb01-f6a4-8304-79aa-97f2502e193f';
const WIN11 = 'c4e1b2a3-9d8f-4e7a-b6c5-0f1e2d3c4b5a';

const real = (uri: string, opts: { timeoutMs?: number } = {}): VirshRunner =>
  new VirshRunner(VIRSH!, { uri, timeoutMs: opts.timeoutMs ?? 15_000 });

/** A fake `virsh` (shell script) that logs its argv, one call per line, then runs `body`. */
function fakeVirsh(body: string): { path: string; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kvm-fake-virsh-'));
  const log = path.join(dir, 'calls.log');
  const file = path.join(dir, 'virsh');
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n${body}\n`);
  chmodSync(file, 0o755);
  return { path: file, log };
}
const calls = (log: string): string[] =>
  existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [];

describe('validateConnectionUri', () => {
  it.each([
    'qemu:///system',
    'qemu:///session',
    'test:///default',
    'qemu+ssh://admin@kvm-host.example.org/system',
    'qemu+ssh://kvm01:2222/session',
    'qemu+ssh://root@[2001:db8::5]/system?keyfile=/home/u/.ssh/id_ed25519&no_verify=1',
    `test://${NODE_XML}`,
  ])('accepts %s', (uri) => {
    expect(validateConnectionUri(`  ${uri} `)).toBe(uri);
  });

  it.each([
    ['', /empty/],
    ['xen:///system', /only qemu/],
    ['qemu:///embed?root=/tmp', /use qemu:\/\/\/system/],
    ['qemu+tcp://host/system', /use qemu:\/\/\/system/],
    ['qemu+ssh://-oProxyCommand=touch%20x/system', /must not start with "-"/],
    ['qemu+ssh://-evil@host/system', /must not start with "-"/],
    ['qemu+ssh://host/system?netcat=/tmp/nc', /"netcat" is not allowed/],
    ['qemu+ssh://host/system?command=rm', /"command" is not allowed/],
    ['qemu+ssh://host/system?keyfile=relative/key', /bad value for "keyfile"/],
    ['qemu+ssh://host:70000/system', /port out of range/],
    ['qemu+ssh://host/other', /use qemu/],
    ['test://relative/node.xml', /absolute path/],
    ['test:///tmp/../etc/node.xml', /\.\./],
    ['test:///tmp/node.xml?x=1', /no query/],
    ['qemu:///system\nlist', /control characters/],
  ])('refuses %j', (uri, why) => {
    expect(() => validateConnectionUri(uri)).toThrow(why);
    try {
      validateConnectionUri(uri);
    } catch (e) {
      expect(e).toBeInstanceOf(VirshError);
      expect((e as VirshError).kind).toBe('bad_uri');
    }
  });
});

describe('assertReadOnlyVirshArgs', () => {
  it.each([
    [['list', '--all']],
    [['list', '--all', '--uuid', '--name']],
    [['list', '--name', '--all']],
    [['list', '--all', '--title']],
    [['dumpxml', WIN11]],
    [['dumpxml', '--inactive', WIN11]],
    [['dominfo', WIN11]],
    [['nodeinfo']],
    [['uri']],
    [['version']],
  ])('allows %j', (args) => {
    expect(() => assertReadOnlyVirshArgs(args)).not.toThrow();
  });

  it.each([
    [[], /no command/],
    [['start', WIN11], /"start" is not a read verb/],
    [['destroy', WIN11], /not a read verb/],
    [['undefine', WIN11], /not a read verb/],
    [['edit', WIN11], /not a read verb/],
    [['define', '/tmp/x.xml'], /not a read verb/],
    [['list'], /needs --all/],
    [['list', '--all', '--state-running'], /--state-running not allowed/],
    [['list', '--all', '--all'], /repeated/],
    [['list', '--all', '--uuid', '--title'], /--title cannot go with --uuid/],
    [['dumpxml', 'win11-q35'], /by UUID/],
    [['dumpxml', '--security-info', WIN11], /only --inactive/],
    [['dumpxml', WIN11, '--inactive'], /by UUID, last/],
    [['dominfo', '--domain', WIN11], /expected dominfo <uuid>/],
    [['nodeinfo', '--all'], /takes no arguments/],
    [['list', '--all\0'], /NUL/],
  ])('refuses %j', (args, why) => {
    expect(() => assertReadOnlyVirshArgs(args as string[])).toThrow(why);
  });

  it('lists exactly the read verbs', () => {
    expect([...VIRSH_READ_VERBS]).toEqual(['list', 'dumpxml', 'dominfo', 'nodeinfo', 'uri', 'version']);
  });
});

describe('runner safety without spawning', () => {
  it('refuses a write verb before anything runs, and a bad URI at construction', async () => {
    const fake = fakeVirsh('exit 0');
    const runner = new VirshRunner(fake.path, { uri: 'test:///default' });
    await expect(runner.run(['start', WIN11])).rejects.toMatchObject({ kind: 'refused' });
    await expect(runner.run(['dumpxml', '--security-info', WIN11])).rejects.toMatchObject({
      kind: 'refused',
    });
    expect(calls(fake.log)).toEqual([]);
    expect(() => new VirshRunner(fake.path, { uri: 'qemu+ssh://host/system?netcat=x' })).toThrow(VirshError);
  });

  it('always passes --readonly --connect <uri> first, as separate arguments without a shell', async () => {
    const fake = fakeVirsh('echo ok');
    const uri = 'qemu+ssh://me@host.example/system?no_tty=1';
    const runner = new VirshRunner(fake.path, { uri });
    expect(runner.argv(['uri'])).toEqual(['--readonly', '--connect', uri, 'uri']);
    const r = await runner.run(['dominfo', WIN11]);
    expect(r.stdout).toBe('ok\n');
    expect(calls(fake.log)).toEqual([`--readonly --connect ${uri} dominfo ${WIN11}`]);
  });

  it('reports a missing binary as not_found', async () => {
    const runner = new VirshRunner('/nonexistent/bin/virsh', { uri: 'test:///default' });
    await expect(runner.run(['uri'])).rejects.toMatchObject({
      kind: 'not_found',
      message: 'virsh was not found at /nonexistent/bin/virsh',
    });
  });

  it('stops a call that hangs (timeout) and keeps virsh\'s "error:" text on failure', async () => {
    const slow = fakeVirsh('exec sleep 10');
    const runner = new VirshRunner(slow.path, { uri: 'test:///default', timeoutMs: 300, killGraceMs: 200 });
    const t0 = Date.now();
    await expect(runner.run(['nodeinfo'])).rejects.toMatchObject({ kind: 'timeout' });
    expect(Date.now() - t0).toBeLessThan(5_000);

    const failing = fakeVirsh(
      "echo 'error: failed to connect to the hypervisor' >&2; echo \"error: Failed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory\" >&2; exit 1",
    );
    const err = await new VirshRunner(failing.path, { uri: 'qemu:///system' })
      .run(['list', '--all'])
      .catch((e) => e);
    expect(err).toBeInstanceOf(VirshError);
    expect(err.kind).toBe('exit');
    expect(err.exitCode).toBe(1);
    expect(err.virshMessage).toBe(
      "failed to connect to the hypervisor\nFailed to connect socket to '/var/run/libvirt/libvirt-sock': No such file or directory",
    );
    expect(err.message).toContain(
      'virsh list --all (qemu:///system) failed with exit code 1: failed to connect to the hypervisor',
    );
  });

  it('runs at most `concurrency` calls at once and honours an abort signal for queued calls', async () => {
    const fake = fakeVirsh('sleep 0.3; echo done');
    const runner = new VirshRunner(fake.path, { uri: 'test:///default', concurrency: 1 });
    const ac = new AbortController();
    const first = runner.run(['uri']);
    const second = runner.run(['version'], { signal: ac.signal });
    ac.abort();
    await expect(second).rejects.toMatchObject({ kind: 'aborted' });
    await expect(first).resolves.toMatchObject({ stdout: 'done\n' });
    expect(calls(fake.log)).toEqual(['--readonly --connect test:///default uri']);
  });

  it('gives the child a minimal English environment without LIBVIRT_DEFAULT_URI', () => {
    const env = virshChildEnv(
      {
        PATH: '/usr/bin',
        HOME: '/home/u',
        LIBVIRT_DEFAULT_URI: 'qemu:///system',
        SECRET: 'x',
        SSH_AUTH_SOCK: '/tmp/a',
      },
      'linux',
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      SSH_AUTH_SOCK: '/tmp/a',
      LC_ALL: 'C.UTF-8',
      LANG: 'C.UTF-8',
    });
  });

  it('extracts only "error:" lines', () => {
    expect(
      extractVirshMessage('I/O warning : failed to load external entity "/x"\nerror: a\nerror: b\n'),
    ).toBe('a\nb');
    expect(extractVirshMessage('nothing here')).toBeUndefined();
  });
});

describe('locateVirsh', () => {
  it('searches the user path, VIRSH, PATH (absolute entries only), then the standard folders', () => {
    expect(
      virshCandidates({
        userPath: '/opt/libvirt/bin',
        env: { VIRSH: '/x/virsh', PATH: '/a:rel:/b' },
        platform: 'linux',
      }),
    ).toEqual([
      '/opt/libvirt/bin',
      '/opt/libvirt/bin/virsh',
      '/x/virsh',
      '/a/virsh',
      '/b/virsh',
      '/usr/bin/virsh',
      '/usr/local/bin/virsh',
    ]);
    expect(virshCandidates({ env: { Path: 'C:\\tools;"D:\\libvirt\\bin"' }, platform: 'win32' })).toEqual([
      'C:\\tools\\virsh.exe',
      'D:\\libvirt\\bin\\virsh.exe',
    ]);
  });

  it('returns what it tried when nothing is found', async () => {
    const r = await locateVirsh({
      env: { PATH: '/nowhere' },
      platform: 'linux',
      isExecutable: async () => false,
    });
    expect(r).toEqual({ tried: ['/nowhere/virsh', '/usr/bin/virsh', '/usr/local/bin/virsh'] });
  });
});

describe.skipIf(!VIRSH)('real virsh, test:///default', () => {
  it('uri and version', async () => {
    const runner = real('test:///default');
    expect((await runner.run(['uri'])).stdout.trim()).toBe('test:///default');
    const v = parseVirshVersion((await runner.run(['version'])).stdout);
    expect(v.api).toBe('TEST');
    expect(v.library).toMatch(/^\d+\.\d+\.\d+$/);
    expect(v.hypervisor).toMatch(/^TEST /);
    expect(v.issues).toEqual([]);
  });

  it('list --all in the table and --uuid --name forms', async () => {
    const runner = real('test:///default');
    const table = parseListAll((await runner.run(['list', '--all'])).stdout);
    expect(table.issues).toEqual([]);
    expect(table.domains).toEqual([{ id: 1, name: 'test', state: 'running', line: 3 }]);
    const ids = parseListAll((await runner.run(['list', '--all', '--uuid', '--name'])).stdout);
    expect(ids.domains).toEqual([{ uuid: TEST_DEFAULT_UUID, name: 'test', line: 1 }]);
  });

  it('dominfo and nodeinfo', async () => {
    const runner = real('test:///default');
    const info = parseDominfo((await runner.run(['dominfo', TEST_DEFAULT_UUID])).stdout);
    expect(info).toMatchObject({
      id: 1,
      name: 'test',
      uuid: TEST_DEFAULT_UUID,
      osType: 'linux',
      state: 'running',
      cpus: 2,
      maxMemoryKiB: 8388608,
      usedMemoryKiB: 2097152,
      persistent: true,
      autostart: false,
      managedSave: false,
    });
    expect(info.issues).toEqual([]);
    const node = parseNodeinfo((await runner.run(['nodeinfo'])).stdout);
    expect(node).toEqual({
      cpuModel: 'i686',
      cpus: 16,
      mhz: 1400,
      sockets: 2,
      coresPerSocket: 2,
      threadsPerCore: 2,
      numaCells: 2,
      memoryKiB: 3145728,
      issues: [],
    });
    expect(hostFactsFromNodeinfo(node)).toEqual({
      cores: 8,
      threads: 16,
      memoryMB: 3072,
      cpuModel: 'i686',
      os: 'linux',
      fromHostInfo: false,
    });
  });

  it("an unknown UUID fails with virsh's own message", async () => {
    const err = await real('test:///default')
      .run(['dumpxml', '00000000-0000-0000-0000-000000000000'])
      .catch((e) => e);
    expect(err).toMatchObject({ kind: 'exit', exitCode: 1 });
    expect(err.virshMessage).toMatch(/failed to get domain '00000000-0000-0000-0000-000000000000'/);
  });

  it('a test URI whose node file does not exist fails to connect, with a clear error', async () => {
    const err = await real('test:///nonexistent/kvm-companion/node.xml')
      .run(['list', '--all'])
      .catch((e) => e);
    expect(err).toBeInstanceOf(VirshError);
    expect(err.kind).toBe('exit');
    expect(err.virshMessage?.split('\n')[0]).toBe('failed to connect to the hypervisor');
    expect(err.message).toContain('failed to connect to the hypervisor');
  });
});

describe.skipIf(!VIRSH)('real virsh, our node XML (test:///<abs path>)', () => {
  it('lists the five domains with their states, in both list forms', async () => {
    const runner = real(NODE_URI);
    const table = parseListAll((await runner.run(['list', '--all'])).stdout);
    expect(table.issues).toEqual([]);
    expect(table.domains.map((d) => [d.id, d.name, d.state])).toEqual([
      [1, 'vagrant-libvirt_default', 'running'],
      [2, 'db-server', 'running'],
      [3, 'win11-q35', 'paused'],
      [undefined, 'legacy-user-net', 'shut off'],
      [undefined, 'web-bridge', 'shut off'],
    ]);
    const ids = parseListAll((await runner.run(['list', '--all', '--uuid', '--name'])).stdout);
    expect(ids.domains.map((d) => `${d.uuid} ${d.name}`)).toEqual([
      '881a931b-0110-4d10-81aa-47a1a19f5726 vagrant-libvirt_default',
      '5f3c8a2e-7b41-4c9d-a1e6-2d8f0b7c9e12 db-server',
      'c4e1b2a3-9d8f-4e7a-b6c5-0f1e2d3c4b5a win11-q35',
      'e9f8d7c6-b5a4-4392-8170-6f5e4d3c2b1a legacy-user-net',
      'a7d2e4f6-1b3c-4d5e-8f90-1a2b3c4d5e6f web-bridge',
    ]);
    const titled = parseListAll((await runner.run(['list', '--all', '--title'])).stdout);
    expect(titled.domains.find((d) => d.name === 'db-server')?.title).toBe('PostgreSQL lab database');
  });

  it('nodeinfo is the host we defined: 1 cell x 1 socket x 4 cores x 2 threads, 16 GiB', async () => {
    const node = parseNodeinfo((await real(NODE_URI).run(['nodeinfo'])).stdout);
    expect(node).toMatchObject({
      cpuModel: 'x86_64',
      cpus: 8,
      mhz: 2400,
      sockets: 1,
      coresPerSocket: 4,
      threadsPerCore: 2,
      numaCells: 1,
      memoryKiB: 16777216,
    });
    expect(hostFactsFromNodeinfo(node)).toMatchObject({ cores: 4, threads: 8, memoryMB: 16384 });
  });

  it('dominfo: paused, saved (managed save) and shut off domains', async () => {
    const runner = real(NODE_URI);
    const win = parseDominfo((await runner.run(['dominfo', WIN11])).stdout);
    expect(win).toMatchObject({ id: 3, name: 'win11-q35', state: 'paused', cpus: 8, maxMemoryKiB: 8388608 });
    expect(neutralState(win.state, win.managedSave)).toBe('paused');
    const legacy = parseDominfo(
      (await runner.run(['dominfo', 'e9f8d7c6-b5a4-4392-8170-6f5e4d3c2b1a'])).stdout,
    );
    expect(legacy).toMatchObject({
      name: 'legacy-user-net',
      state: 'shut off',
      managedSave: true,
      cpus: 12,
      maxMemoryKiB: 25165824,
    });
    expect(legacy.id).toBeUndefined();
    expect(neutralState(legacy.state, legacy.managedSave)).toBe('saved');
    const web = parseDominfo((await runner.run(['dominfo', 'a7d2e4f6-1b3c-4d5e-8f90-1a2b3c4d5e6f'])).stdout);
    expect(neutralState(web.state, web.managedSave)).toBe('poweroff');
  });

  it('dumpxml and dumpxml --inactive return the domain', async () => {
    const runner = real(NODE_URI);
    const live = (await runner.run(['dumpxml', WIN11])).stdout;
    expect(live).toMatch(/^<domain type='test' id='3'>/);
    expect(live).toContain('<uuid>c4e1b2a3-9d8f-4e7a-b6c5-0f1e2d3c4b5a</uuid>');
    const inactive = (await runner.run(['dumpxml', '--inactive', WIN11])).stdout;
    expect(inactive).toMatch(/^<domain type='test'>/);
  });
});

describe('virsh text parsers on odd input', () => {
  it('parseListAll: names with spaces, every state word, odd rows reported with line numbers', () => {
    const text = [
      ' Id   Name               State',
      '------------------------------------',
      ' 4    my web server      running',
      ' -    old box            shut off',
      ' 7    suspended one      pmsuspended',
      ' 9    shutting           in shutdown',
      'garbage',
      '',
    ].join('\n');
    const r = parseListAll(text);
    expect(r.domains.map((d) => [d.id, d.name, d.state])).toEqual([
      [4, 'my web server', 'running'],
      [undefined, 'old box', 'shut off'],
      [7, 'suspended one', 'pmsuspended'],
      [9, 'shutting', 'in shutdown'],
    ]);
    expect(r.issues).toEqual([{ line: 7, message: 'line 7: not a "virsh list" table row: garbage' }]);
    expect(parseListAll('alpha\nbeta gamma\n').domains.map((d) => d.name)).toEqual(['alpha', 'beta gamma']);
  });

  it('parseDominfo/parseNodeinfo keep going past odd lines; neutralState maps every word', () => {
    const info = parseDominfo(
      'Id:             -\nName:           x\nno colon here\nState:          crashed\n',
    );
    expect(info).toMatchObject({ name: 'x', state: 'crashed' });
    expect(info.issues).toEqual([{ line: 3, message: 'line 3: expected "Label: value": no colon here' }]);
    const node = parseNodeinfo('CPU model: x86_64\n');
    expect(node.issues.map((i) => i.message)).toEqual([
      'nodeinfo: no "CPU(s):" line',
      'nodeinfo: no "Memory size:" line',
    ]);
    expect(hostFactsFromNodeinfo(node)).toBeUndefined();
    expect(
      ['running', 'idle', 'paused', 'pmsuspended', 'shut off', 'in shutdown', 'crashed', 'no state'].map(
        (s) => neutralState(s),
      ),
    ).toEqual(['running', 'running', 'paused', 'paused', 'poweroff', 'stopping', 'aborted', 'unknown']);
  });
});

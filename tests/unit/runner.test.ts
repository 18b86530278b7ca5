import { existsSync, readFileSync } from 'node:fs';
import { afterEach, describe, expect, it } from 'vitest';
import {
  CHILD_LOCALE,
  READ_VERBS,
  VBoxError,
  VBoxRunner,
  assertReadOnlyArgs,
  childEnv,
  extractVBoxMessage,
  getVersion,
} from '../../app/core/vbox/runner.ts';
import {
  STAND_IN,
  assertOnlyReadVerbs,
  readStandInCalls,
  readStandInLog,
  standInEnv,
  tempLog,
  writeScenario,
  type Scenario,
} from '../helpers/stand-in.ts';

const LAB_VM = '8c722e19-bd30-4eb3-b36a-95fc4e20c072';
const HANGING_VM = '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const DENIED_VM = '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
const SAVED_STATE_VM = '0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6';

/** Log files of the tests that spawned the stand-in; each must hold read verbs only. */
const logsToCheck: string[] = [];
afterEach(() => {
  while (logsToCheck.length > 0) assertOnlyReadVerbs(logsToCheck.pop()!);
});

/** A runner on the stand-in with a fresh log, for a bundled scenario or overrides of `base`. */
function standIn(
  scenario: string | Partial<Scenario>,
  opts: ConstructorParameters<typeof VBoxRunner>[1] = {},
  base = 'lab',
): { runner: VBoxRunner; logFile: string } {
  const { dir, logFile } = tempLog();
  const file = typeof scenario === 'string' ? scenario : writeScenario(dir, scenario, base);
  logsToCheck.push(logFile);
  const runner = new VBoxRunner(STAND_IN, {
    timeoutMs: 5000,
    killGraceMs: 200,
    ...opts,
    env: standInEnv(file, logFile),
  });
  return { runner, logFile };
}

async function rejection(p: Promise<unknown>): Promise<VBoxError> {
  try {
    await p;
  } catch (e) {
    expect(e).toBeInstanceOf(VBoxError);
    return e as VBoxError;
  }
  throw new Error('expected a rejection');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitFor(check: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!check()) {
    if (Date.now() > end) throw new Error('condition not reached');
    await new Promise((r) => setTimeout(r, 10));
  }
}

describe('assertReadOnlyArgs', () => {
  it.each([
    [['--version']],
    [['list', 'vms']],
    [['list', 'runningvms']],
    [['list', '--long', 'hostonlyifs']],
    [['list', '-s', 'vms']],
    [['list', 'hostinfo']],
    [['list', 'systemproperties']],
    [['showvminfo', LAB_VM]],
    [['showvminfo', LAB_VM, '--machinereadable']],
    [['showvminfo', LAB_VM.toUpperCase(), '--machinereadable']],
    [['showmediuminfo', 'disk', '/home/user/VirtualBox VMs/x/x.vdi']],
    [['showmediuminfo', LAB_VM]],
    [['snapshot', LAB_VM, 'list']],
    [['snapshot', LAB_VM, 'list', '--machinereadable']],
    [['snapshot', LAB_VM, 'list', '--details']],
    [['getextradata', 'global', 'enumerate']],
    [['getextradata', LAB_VM, 'GUI/LastNormalWindowPosition']],
  ])('accepts %j', (args) => {
    expect(() => assertReadOnlyArgs(args)).not.toThrow();
  });

  it.each([
    [[]],
    [['modifyvm', LAB_VM, '--memory', '4096']],
    [['startvm', LAB_VM]],
    [['controlvm', LAB_VM, 'poweroff']],
    [['unregistervm', LAB_VM, '--delete']],
    [['setextradata', 'global', 'x', 'y']],
    [['showvminfo', 'Lab Windows 10', '--machinereadable']],
    [['showvminfo', '--machinereadable']],
    [['showvminfo', `{${LAB_VM}}`]],
    [['showvminfo', LAB_VM, '--log', '0']],
    [['showvminfo', LAB_VM, '--machinereadable', '--details']],
    [['list', 'vms', 'extra']],
    [['list', '--bogus', 'vms']],
    [['list', 'nosuchthing']],
    [['list']],
    [['--version', 'x']],
    [['snapshot', LAB_VM, 'take', 'x']],
    [['snapshot', LAB_VM, 'delete', 'x']],
    [['snapshot', 'Lab', 'list']],
    [['getextradata', 'Lab', 'enumerate']],
    [['getextradata', 'global', '--help']],
    [['showmediuminfo', '--help']],
    [['showmediuminfo', 'tape', '/x']],
    [['list', 'vms\0']],
    [['-q', 'list', 'vms']],
  ])('refuses %j', (args) => {
    expect(() => assertReadOnlyArgs(args)).toThrow(VBoxError);
    try {
      assertReadOnlyArgs(args);
    } catch (e) {
      expect((e as VBoxError).kind).toBe('refused');
    }
  });

  it('lists exactly the read verbs of the design', () => {
    expect([...READ_VERBS]).toEqual([
      'list',
      'showvminfo',
      'showmediuminfo',
      'snapshot',
      'getextradata',
      '--version',
    ]);
  });
});

describe('extractVBoxMessage', () => {
  it('keeps the error lines and Details, drops Context and the prefix (Linux and Windows spellings)', () => {
    const linux =
      'VBoxManage: error: The object functionality is limited\n' +
      'VBoxManage: error: Details: code E_ACCESSDENIED (0x80070005), component MachineWrap, interface IMachine, callee nsISupports\n' +
      'VBoxManage: error: Context: "LockMachine(a->session, LockType_Shared)" at line 3327 of file VBoxManageInfo.cpp\n';
    expect(extractVBoxMessage(linux)).toBe(
      'The object functionality is limited\nDetails: code E_ACCESSDENIED (0x80070005), component MachineWrap, interface IMachine, callee nsISupports',
    );
    const windows =
      "grep: warning: GREP_OPTIONS is deprecated\r\nVBoxManage.exe: error: Could not find a registered machine named 'TEST'\r\n";
    expect(extractVBoxMessage(windows)).toBe("Could not find a registered machine named 'TEST'");
    expect(
      extractVBoxMessage('grep: warning: GREP_OPTIONS is deprecated; please use an alias or script\n'),
    ).toBeUndefined();
  });
});

describe('childEnv', () => {
  it('passes only what VBoxManage needs and forces an English UTF-8 locale on Unix (never C)', () => {
    const env = childEnv(
      {
        PATH: '/usr/bin',
        HOME: '/home/u',
        VBOX_USER_HOME: '/vb',
        LANG: 'C',
        LC_ALL: 'de_DE.UTF-8',
        API_TOKEN: 's3cret',
      },
      'linux',
      { VBOX_STANDIN_LOG: '/tmp/x' },
    );
    expect(env).toEqual({
      PATH: '/usr/bin',
      HOME: '/home/u',
      VBOX_USER_HOME: '/vb',
      LC_ALL: CHILD_LOCALE,
      LANG: CHILD_LOCALE,
      VBOX_STANDIN_LOG: '/tmp/x',
    });
    expect(CHILD_LOCALE).toBe('en_US.UTF-8');
  });

  it('on Windows matches names case-insensitively and keeps SystemRoot and USERPROFILE', () => {
    const env = childEnv(
      { Path: 'C:\\Windows', SYSTEMROOT: 'C:\\Windows', USERPROFILE: 'C:\\Users\\u', OneDrive: 'x' },
      'win32',
    );
    expect(env).toEqual({ PATH: 'C:\\Windows', SystemRoot: 'C:\\Windows', USERPROFILE: 'C:\\Users\\u' });
  });
});

describe('VBoxRunner against the stand-in', () => {
  it('refused commands never spawn anything (the log stays absent)', async () => {
    const { runner, logFile } = standIn('lab');
    for (const args of [
      ['modifyvm', LAB_VM, '--cpus', '2'],
      ['showvminfo', 'SERVER1919C v114', '--machinereadable'],
      ['controlvm', LAB_VM, 'savestate'],
    ]) {
      const err = await rejection(runner.run(args));
      expect(err.kind).toBe('refused');
    }
    expect(existsSync(logFile)).toBe(false);
    expect(readStandInLog(logFile)).toEqual([]);
  });

  it('reads a real dump byte for byte and runs with the minimal English UTF-8 environment', async () => {
    const { runner, logFile } = standIn('lab');
    const { stdout, stderr } = await runner.run(['showvminfo', LAB_VM, '--machinereadable']);
    expect(stdout).toBe(
      readFileSync(
        'tests/fixtures/showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt',
        'utf8',
      ),
    );
    expect(stderr).toBe('');
    expect(readStandInLog(logFile)).toEqual([['showvminfo', LAB_VM, '--machinereadable']]);
  });

  it('getVersion reads 7.1.12r169651, also behind the Linux WARNING banner (T04)', async () => {
    const plain = standIn('lab');
    expect(await getVersion(plain.runner)).toBe('7.1.12r169651');
    const banner = standIn({ warningBanner: true });
    const raw = await banner.runner.run(['--version']);
    expect(raw.stdout.startsWith('WARNING: The vboxdrv kernel module is not loaded.')).toBe(true);
    expect(await getVersion(banner.runner)).toBe('7.1.12r169651');
  });

  it('missing binary → not_found (ENOENT); a folder → not_found', async () => {
    const err = await rejection(new VBoxRunner('/nonexistent/dir/VBoxManage').run(['--version']));
    expect(err.kind).toBe('not_found');
    expect(err.message).toContain('/nonexistent/dir/VBoxManage');
    const dirErr = await rejection(new VBoxRunner('tests/stand-in').run(['--version']));
    expect(dirErr.kind).toBe('not_found');
  });

  it('exit 1 carries VBoxManage’s own error text (unknown UUID)', async () => {
    const { runner } = standIn('lab');
    const unknown = '00000000-1111-4222-8333-444444444444';
    const err = await rejection(runner.run(['showvminfo', unknown, '--machinereadable']));
    expect(err.kind).toBe('exit');
    expect(err.exitCode).toBe(1);
    expect(err.vboxMessage).toBe(
      `Could not find a registered machine with UUID {${unknown}}\n` +
        'Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports',
    );
    expect(err.stderr).toContain('Context: "FindMachine');
    expect(err.message).toContain('exit code 1');
  });

  it('exit 1 with E_ACCESSDENIED and with a Windows VBoxManage.exe prefix (T02)', async () => {
    const { runner } = standIn('tests/stand-in/scenarios/failing.json');
    const denied = await rejection(runner.run(['showvminfo', DENIED_VM, '--machinereadable']));
    expect(denied).toMatchObject({ kind: 'exit', exitCode: 1 });
    expect(denied.vboxMessage).toContain('Details: code E_ACCESSDENIED (0x80070005)');
    const saved = await rejection(runner.run(['showvminfo', SAVED_STATE_VM, '--machinereadable']));
    expect(saved.vboxMessage).toBe(
      "The saved state file 'Z:\\Snapshots\\2015-04-01T10-00-00-000000000Z.sav' is invalid (VERR_PATH_NOT_FOUND). Delete the saved state and try again",
    );
  });

  it('exit 2 for a read verb the stand-in has no recording of; the log marks it unsupported', async () => {
    const { runner, logFile } = standIn('lab');
    const err = await rejection(runner.run(['list', 'ostypes']));
    expect(err).toMatchObject({ kind: 'exit', exitCode: 2 });
    expect(err.stderr).toContain('Oracle VirtualBox Command Line Management Interface Version 7.1.12');
    expect(readStandInCalls(logFile)).toMatchObject([{ argv: ['list', 'ostypes'], unsupported: true }]);
  });

  it('timeout on a hanging call: rejected as timeout and the process is gone', async () => {
    const { runner, logFile } = standIn('tests/stand-in/scenarios/failing.json', { timeoutMs: 300 });
    const err = await rejection(runner.run(['showvminfo', HANGING_VM, '--machinereadable']));
    expect(err.kind).toBe('timeout');
    const [call] = readStandInCalls(logFile);
    expect(call.hang).toBe(true);
    expect(isAlive(call.pid)).toBe(false);
  });

  it('timeout on a child that ignores SIGTERM: SIGKILL after the grace period', async () => {
    const { runner, logFile } = standIn(
      { ignoreSigterm: true, delayMs: 60_000 },
      { timeoutMs: 300, killGraceMs: 150 },
    );
    const err = await rejection(runner.run(['--version']));
    expect(err.kind).toBe('timeout');
    expect(isAlive(readStandInCalls(logFile)[0].pid)).toBe(false);
  });

  it('too_large when the output floods past maxBufferBytes', async () => {
    const { runner } = standIn({ floodBytes: 300_000 }, { maxBufferBytes: 64 * 1024 });
    const err = await rejection(runner.run(['list', 'vms']));
    expect(err.kind).toBe('too_large');
    expect(err.message).toContain(String(64 * 1024));
  });

  it('empty when VBoxManage prints nothing where it always prints something (T11); empty list vms is fine', async () => {
    const { runner } = standIn({ emptyOutput: true });
    expect(await runner.run(['list', 'vms'])).toEqual({ stdout: '', stderr: '' });
    const err = await rejection(getVersion(runner));
    expect(err.kind).toBe('empty');
  });

  it('abort: a running call is killed, a queued call never spawns, an aborted signal spawns nothing', async () => {
    const { runner, logFile } = standIn('tests/stand-in/scenarios/failing.json', {
      concurrency: 1,
      timeoutMs: 10_000,
    });
    const controller = new AbortController();
    const running = runner.run(['showvminfo', HANGING_VM, '--machinereadable'], {
      signal: controller.signal,
    });
    const queued = runner.run(['--version'], { signal: controller.signal });
    await waitFor(() => readStandInCalls(logFile).length === 1);
    controller.abort();
    expect((await rejection(running)).kind).toBe('aborted');
    expect((await rejection(queued)).kind).toBe('aborted');
    const calls = readStandInCalls(logFile);
    expect(calls.map((c) => c.argv[0])).toEqual(['showvminfo']);
    await waitFor(() => !isAlive(calls[0].pid));
    expect((await rejection(runner.run(['--version'], { signal: AbortSignal.abort() }))).kind).toBe(
      'aborted',
    );
    // the slot was released: the runner still works
    expect((await runner.run(['list', 'vms'])).stdout).toContain(
      '"Issabel" {7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127}',
    );
    expect(readStandInCalls(logFile)).toHaveLength(2);
  });

  it('runs at most `concurrency` calls at once, in FIFO order (checked on the stand-in log)', async () => {
    const delayMs = 400;
    const { runner, logFile } = standIn({ delayMs }, { concurrency: 2 });
    const args = [0, 1, 2, 3, 4, 5].map((i) => ['getextradata', 'global', `key${i}`]);
    const results = await Promise.allSettled(args.map((a) => runner.run(a)));
    // getextradata has no recording: every call answers exit 2 after its delay
    expect(results.every((r) => r.status === 'rejected')).toBe(true);
    const calls = readStandInCalls(logFile);
    expect(calls).toHaveLength(6);
    const starts = calls.map((c) => c.time);
    expect(calls.every((c) => c.delayMs === delayMs)).toBe(true);
    // a third call can only start after one of the first two has ended (each lives ≥ delayMs after its start)
    for (let k = 0; k + 2 < starts.length; k++)
      expect(starts[k + 2]).toBeGreaterThanOrEqual(starts[k] + delayMs);
    // and two calls did run side by side
    expect(starts[1]).toBeLessThan(starts[0] + delayMs);
    // FIFO: calls 0,1 start before 2,3, which start before 4,5
    const order = calls.map((c) => Number(c.argv[2].slice(3)));
    expect(order.slice(0, 2).sort()).toEqual([0, 1]);
    expect(order.slice(2, 4).sort()).toEqual([2, 3]);
    expect(order.slice(4).sort()).toEqual([4, 5]);
  });
});

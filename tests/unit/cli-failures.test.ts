/**
 * Issue 6 (a) on the command line: `vm-companion inspect` / `compare` run as child processes with
 * `VBOXMANAGE` pointing at the stand-in (or at nothing) and `VBOX_STANDIN_SCENARIO` at a failure
 * scenario. Each failure mode gives exact message lines and an exit code: 1 when VBoxManage as a
 * whole cannot be used, 0 when only some VMs fail (each with its reason, the others reported).
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { formatVmText } from '../../app/core/cli-format.ts';
import { getEntry } from '../../app/shared/catalog-data.ts';
import {
  STAND_IN,
  assertOnlyReadVerbs,
  loadScenario,
  readStandInCalls,
  readStandInLog,
  standInEnv,
  tempLog,
  writeScenario,
} from '../helpers/stand-in.ts';

const root = path.resolve(import.meta.dirname, '../..');
const BIN = path.join(root, 'bin', 'vm-companion.mjs');
const MISSING = '/nonexistent/vbox/VBoxManage';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const COM_LINES = [
  'Failed to create the VirtualBox object!',
  'Code CO_E_SERVER_EXEC_FAILURE (0x80080005) - Server execution failed (extended info not available)',
  'Most likely, the VirtualBox COM server is not running or failed to start.',
];
const BANNER_LINE =
  'vm-companion: warning: VBoxManage warns: The vboxdrv kernel module is not loaded. Either there is no module available for the current kernel (6.1.0-21-amd64) or it failed to load. Please recompile the kernel module and install it by sudo /sbin/vboxconfig You will not be able to start VMs until this problem is fixed.';

const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
  logFile: string;
}

/**
 * Runs the CLI with `VBOXMANAGE` = `vboxManage` (default: the stand-in) on `scenario` (bundled name,
 * path, or overrides of `lab`), a fresh log, no real VirtualBox anywhere on PATH.
 */
function cli(
  args: string[],
  scenario: string | Parameters<typeof writeScenario>[1],
  vboxManage = STAND_IN,
): Promise<Run> {
  const { dir, logFile } = tempLog();
  dirs.push(dir);
  const file = typeof scenario === 'string' ? scenario : writeScenario(dir, scenario);
  const env = {
    ...process.env,
    PATH: path.dirname(process.execPath),
    VBOXMANAGE: vboxManage,
    VBOX_MSI_INSTALL_PATH: '',
    VBOX_INSTALL_PATH: '',
    ...standInEnv(file, logFile),
  };
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: root, env, maxBuffer: 64 * 1024 * 1024 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr, logFile });
      },
    );
  });
}

/** The `Reason:` line of one VM's section in the text report. */
function reasonOf(text: string, name: string, uuid: string): string | undefined {
  const section = text.split('\n\n').find((s) => s.startsWith(`${name} {${uuid}}\n`));
  return section?.split('\n').find((l) => l.startsWith('Reason: '));
}

describe('binary missing', () => {
  it('inspect: one line naming the path and what to do; exit 1; nothing spawned', async () => {
    const r = await cli(['inspect'], 'lab', MISSING);
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      `vm-companion: VBOXMANAGE ${MISSING}: not an executable VBoxManage (${MISSING} does not exist). Point VBOXMANAGE at the VBoxManage program (or the folder holding it), or read a saved dump with --file <path>.\n`,
    );
    expect(readStandInLog(r.logFile)).toEqual([]);
  });

  it('inspect --vboxmanage <folder without VBoxManage>: says it is a folder', async () => {
    const r = await cli(['inspect', '--vboxmanage', 'tests/fixtures'], 'lab', MISSING);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `vm-companion: --vboxmanage tests/fixtures: not an executable VBoxManage (${path.join(root, 'tests/fixtures')} is a folder without VBoxManage in it). Point --vboxmanage at the VBoxManage program (or the folder holding it), or read a saved dump with --file <path>.\n`,
    );
  });
});

describe('VBoxManage exits non-zero with "VBoxManage: error:" text (VBoxSVC down)', () => {
  it('inspect: VBoxManage’s own lines after the command that failed; exit 1', async () => {
    const r = await cli(['inspect'], 'vboxsvc-down');
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr.split('\n')).toEqual([
      `vm-companion: Could not list VMs with ${STAND_IN}: VBoxManage list vms failed with exit code 1: ${COM_LINES[0]}`,
      ...COM_LINES.slice(1),
      '',
    ]);
    assertOnlyReadVerbs(r.logFile);
  });
});

describe('per-VM failures (failure-modes scenario)', () => {
  const scenario = loadScenario('failure-modes');
  const uuidOf = (name: string) => scenario.vms.find((v) => v.name === name)!.uuid;

  it('inspect: each failed VM has its Reason line, the others their settings; banner once; exit 0; the hung child is killed', async () => {
    const [text, json] = await Promise.all([
      cli(['inspect'], 'failure-modes'),
      cli(['inspect', '--json'], 'failure-modes'),
    ]);
    expect(text.code).toBe(0);
    expect(text.stderr).toBe(`${BANNER_LINE}\n`);
    const out = text.stdout;
    expect(reasonOf(out, 'Lab Windows 10', uuidOf('Lab Windows 10'))).toBe(
      "Reason: Access denied: The object functionality is limited. Details: code E_ACCESSDENIED (0x80070005), component MachineWrap, interface IMachine, callee nsISupports. Likely cause: the VM belongs to another user, or VirtualBox's service (VBoxSVC) runs as another user.",
    );
    expect(reasonOf(out, 'Build', uuidOf('Build'))).toBe(
      `Reason: VBoxManage failed (exit code 1): Could not find a registered machine with UUID {${uuidOf('Build')}}. Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports.`,
    );
    expect(reasonOf(out, 'Lab', uuidOf('Lab'))).toBe(
      'Reason: Timed out after 15 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).',
    );
    // What to do next, in the CLI's terms (there is no Refresh button in a terminal).
    const hungSection = out.split('\n\n').find((s) => s.startsWith(`Lab {${uuidOf('Lab')}}\n`))!;
    expect(hungSection.split('\n').slice(2)).toEqual([
      'State: INACCESSIBLE',
      'Reason: Timed out after 15 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).',
      'Run the same command again to try once more.',
    ]);
    expect(out).not.toMatch(/Refresh/);
    // Only a timeout gets that line.
    expect(out.match(/^Run the same command again/gm)).toHaveLength(1);
    expect(reasonOf(out, 'Chatty', uuidOf('Chatty'))).toBe(
      `Reason: Output too large: VBoxManage showvminfo ${uuidOf('Chatty')} --machinereadable printed more than 16 MiB (16777216 bytes) and was stopped.`,
    );
    expect(reasonOf(out, 'Quiet', uuidOf('Quiet'))).toBe(
      `Reason: No output: VBoxManage showvminfo ${uuidOf('Quiet')} --machinereadable exited 0 but printed nothing (a locale problem such as LANG=C can cause this).`,
    );
    expect(reasonOf(out, '<inaccessible>', '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13')).toMatch(
      /^Reason: VirtualBox could not read this VM \(settings file \/home\/user\/VirtualBox VMs\/Old lab\/Old lab\.vbox\): Runtime error opening/,
    );
    for (const name of ['Issabel', 'Win2016SRV']) {
      const section = out.split('\n\n').find((s) => s.startsWith(`${name} {${uuidOf(name)}}\n`))!;
      expect(section.split('\n')[2]).toBe('State: poweroff   Source: vboxmanage');
    }
    expect(out).toContain('  Base Memory: 4096 MB');

    expect(json.code).toBe(0);
    const doc = JSON.parse(json.stdout) as { vms: { uuid: string; accessible?: false; error?: string }[] };
    expect(doc.vms.map((v) => v.uuid)).toEqual(scenario.vms.map((v) => v.uuid));
    expect(doc.vms.filter((v) => v.accessible === false).map((v) => v.uuid)).toEqual(
      ['Lab Windows 10', 'Build', 'Lab', 'Chatty', 'Quiet']
        .map(uuidOf)
        .concat(['3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13']),
    );

    for (const r of [text, json]) {
      const calls = readStandInCalls(r.logFile);
      assertOnlyReadVerbs(calls.map((c) => c.argv));
      // VBoxSVC's slow start: the first call waited, the read still completed.
      expect(calls.map((c) => c.delayMs).filter((d) => d > 0)).toEqual([1500]);
      const hung = calls.find((c) => c.hang)!;
      expect(() => process.kill(hung.pid, 0)).toThrow();
    }
  }, 60_000);

  it('inspect --vm <a denied VM> --json: only that VM, with its reason; exit 0', async () => {
    const r = await cli(['inspect', '--vm', 'Lab Windows 10', '--json'], 'failure-modes');
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vms: Record<string, unknown>[] };
    expect(doc.vms).toEqual([
      expect.objectContaining({
        uuid: uuidOf('Lab Windows 10'),
        name: 'Lab Windows 10',
        accessible: false,
        error: expect.stringMatching(
          /^Access denied: The object functionality is limited\. Details: code E_ACCESSDENIED/,
        ),
      }),
    ]);
  });
});

describe('VBoxManage as a whole floods or prints nothing', () => {
  it('flood: the cap in MiB and bytes; exit 1', async () => {
    const r = await cli(['inspect'], { floodBytes: 17 * 1024 * 1024 });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      `vm-companion: Could not use ${STAND_IN}: VBoxManage --version printed more than 16 MiB (16777216 bytes) and was stopped\n`,
    );
  });

  it('empty output (T11): not "No VMs found." but the locale explanation; exit 1', async () => {
    const r = await cli(['inspect'], { emptyOutput: true });
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(r.stderr).toBe(
      `vm-companion: VBoxManage at ${STAND_IN} printed nothing for "--version" (exit code 0), so no VM can be read. Some VirtualBox 7.0 hosts do this under the C locale; VM Companion runs VBoxManage with en_US.UTF-8, which falls back to C when that locale is not installed (see "locale -a").\n`,
    );
    // `--version` runs first and alone: nothing else is run once it printed nothing.
    expect(readStandInLog(r.logFile)).toEqual([['--version']]);
  });

  it('a real empty VM list is still "No VMs found." with exit 0', async () => {
    const r = await cli(['inspect'], { vms: [] });
    expect(r).toMatchObject({ code: 0, stdout: 'No VMs found.\n', stderr: '' });
  });
});

describe('odd VM names (odd-names scenario)', () => {
  const scenario = loadScenario('odd-names');
  const names = scenario.vms.map((v) => v.name!);

  it('inspect: names shown literally (a newline as \\n in the text report), JSON exact; UUIDs only in argv; no shell', async () => {
    const existed = fs.existsSync('/tmp/pwned');
    const [text, json] = await Promise.all([
      cli(['inspect'], 'odd-names'),
      cli(['inspect', '--json'], 'odd-names'),
    ]);
    expect(text.code).toBe(0);
    const headers = text.stdout.split('\n').filter((l, i, all) => /^=+$/.test(all[i + 1] ?? ''));
    expect(headers).toEqual(scenario.vms.map((v) => `${v.name!.replace(/\n/g, '\\n')} {${v.uuid}}`));
    expect(headers[3]).toBe('first line\\nsecond line {a0000001-0000-4000-8000-000000000004}');
    const lines = text.stdout.split('\n');
    const nameRows = lines.filter((_l, i) => i > 0 && lines[i - 1] === '[General]');
    expect(nameRows).toEqual([
      '  Name: -rf',
      '  Name: a"b',
      '  Name: {x}',
      '  Name: first line\\nsecond line',
      '  Name: 虚拟机',
      '  Name: $(touch /tmp/pwned); ls | cat &',
      '  Name: Issabel',
    ]);
    expect(json.code).toBe(0);
    expect((JSON.parse(json.stdout) as { vms: { name: string }[] }).vms.map((v) => v.name)).toEqual(names);
    for (const r of [text, json]) {
      const argvs = readStandInLog(r.logFile);
      assertOnlyReadVerbs(argvs);
      for (const argv of argvs) {
        for (const name of names) expect(argv).not.toContain(name);
        if (argv[0] === 'showvminfo') expect(argv[1]).toMatch(UUID);
      }
    }
    if (!existed) expect(fs.existsSync('/tmp/pwned')).toBe(false);
  });

  it('--vm picks a VM by its odd name; only its UUID reaches VBoxManage', async () => {
    for (const vm of scenario.vms.filter((v) => v.name !== 'Issabel')) {
      // A value starting with "-" must be attached with "=" (node's parseArgs).
      const r = await cli(['inspect', `--vm=${vm.name!}`, '--json'], 'odd-names');
      expect(r.code, vm.name).toBe(0);
      expect((JSON.parse(r.stdout) as { vms: { uuid: string; name: string }[] }).vms).toEqual([
        expect.objectContaining({ uuid: vm.uuid, name: vm.name }),
      ]);
      const showvminfo = readStandInLog(r.logFile).filter((a) => a[0] === 'showvminfo');
      expect(showvminfo).toEqual([['showvminfo', vm.uuid, '--machinereadable']]);
    }
  }, 60_000);

  it('compare by odd names: the header shows both names literally', async () => {
    const r = await cli(['compare', 'a"b', '虚拟机'], 'odd-names');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n').slice(0, 2)).toEqual([
      'A: a"b (VirtualBox, a0000001-0000-4000-8000-000000000002)',
      'B: 虚拟机 (VirtualBox, a0000001-0000-4000-8000-000000000005)',
    ]);
    assertOnlyReadVerbs(r.logFile);
  });
});

describe('the retry line of a timed-out VM', () => {
  const failed = (error: string) => ({
    summary: {
      id: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
      hypervisor: 'virtualbox' as const,
      source: 'vboxmanage' as const,
      name: 'Lab',
      accessible: false,
      error,
      findings: 0,
    },
    config: null,
  });
  const TIMED_OUT =
    'Timed out after 15 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).';

  it('follows the reason in the report language; other failures have none', () => {
    expect(formatVmText(failed(TIMED_OUT), 'zh-CN', getEntry).split('\n').slice(2)).toEqual([
      '状态: 无法访问',
      `原因: ${TIMED_OUT}`,
      '再运行一次同一条命令即可重试。',
    ]);
    expect(formatVmText(failed('Timed out: VBoxManage gave no answer.'), 'en', getEntry)).toMatch(
      /\nRun the same command again to try once more\.$/,
    );
    expect(formatVmText(failed('Access denied: x.'), 'en', getEntry).split('\n')).toHaveLength(4);
    // A VM name or error that merely mentions a timeout is not one.
    expect(
      formatVmText(failed('VBoxManage failed (exit code 1): Timed out waiting.'), 'en', getEntry),
    ).not.toMatch(/Run the same command/);
  });
});

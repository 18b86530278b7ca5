/**
 * `vm-companion inspect` against the stand-in VBoxManage (tests/stand-in) with the `lab`
 * scenario, run as a child process; plus the CLI's error paths.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import {
  assertOnlyReadVerbs,
  loadScenario,
  readStandInLog,
  standInEnv,
  tempLog,
  writeScenario,
} from '../helpers/stand-in.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const BIN = path.join(root, 'bin', 'vm-companion.mjs');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const lab = loadScenario('lab');
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI; `env` is added to a copy of the current environment without VBOXMANAGE. */
function cli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<Run> {
  const base = { ...process.env };
  delete base.VBOXMANAGE;
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { cwd: root, env: { ...base, ...env } },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

function labRun(args: string[]): Promise<Run & { argvs: string[][] }> {
  const { dir, logFile } = tempLog();
  dirs.push(dir);
  return cli(
    ['inspect', '--vboxmanage', 'tests/stand-in/VBoxManage', ...args],
    standInEnv('lab', logFile),
  ).then((r) => ({
    ...r,
    argvs: readStandInLog(logFile),
  }));
}

/** Every VM name in the lab scenario (none may ever reach VBoxManage's argv). */
const names = lab.vms.map((v) => v.name).filter((n): n is string => Boolean(n));

function assertUuidsOnly(argvs: string[][]): void {
  assertOnlyReadVerbs(argvs);
  for (const argv of argvs) {
    for (const name of names) expect(argv).not.toContain(name);
    if (argv[0] === 'showvminfo') expect(argv[1]).toMatch(UUID);
  }
}

describe('inspect against the stand-in (lab scenario)', () => {
  it('lists every lab VM, inaccessible one included, using only read verbs and UUIDs', async () => {
    const r = await labRun(['--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vms: Record<string, unknown>[] };
    expect(doc.vms.map((v) => v.uuid)).toEqual(lab.vms.map((v) => v.uuid));
    const byUuid = new Map(doc.vms.map((v) => [v.uuid as string, v]));
    expect(byUuid.get('5bc88aa7-3372-4122-9d67-52b62310fdc4')).toMatchObject({
      name: 'Sailfish OS Build Engine',
      state: 'poweroff',
      memoryMB: 8192,
      cpus: 6,
    });
    expect(byUuid.get('c8775131-d296-4ad5-bf03-84ff719e6e4c')).toMatchObject({
      state: 'running',
      osType: 'Windows 2016 (64-bit)',
    });
    const broken = byUuid.get('3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13')!;
    expect(broken.accessible).toBe(false);
    expect(broken.error).toContain("Runtime error opening '/home/user/VirtualBox VMs/Old lab/Old lab.vbox'");
    expect(broken.network).toEqual([]);
    // `--version` runs first and alone: nothing else runs until the binary proved to be VBoxManage.
    expect(r.argvs[0]).toEqual(['--version']);
    expect(r.argvs[1]).toEqual(['list', 'vms']);
    expect(r.argvs.filter((a) => a[0] === 'showvminfo')).toHaveLength(lab.vms.length);
    assertUuidsOnly(r.argvs);
  });

  it('--vm <name> selects one VM by exact name; the name never reaches VBoxManage', async () => {
    const r = await labRun(['--vm', 'Sailfish OS Build Engine', '--json']);
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vms: { uuid: string; network: { attachment: string }[] }[] };
    expect(doc.vms.map((v) => v.uuid)).toEqual(['5bc88aa7-3372-4122-9d67-52b62310fdc4']);
    expect(doc.vms[0].network.map((n) => n.attachment)).toEqual(['nat', 'intnet']);
    assertUuidsOnly(r.argvs);
  });

  it('the Linux wrapper banner is one warning on stderr, not repeated per VM', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const scenario = writeScenario(dir, { warningBanner: true });
    const r = await cli(['inspect', '--vboxmanage', 'tests/stand-in/VBoxManage', '--json'], {
      ...standInEnv(scenario, logFile),
    });
    expect(r.code).toBe(0);
    const lines = r.stderr.split('\n').filter((l) => /vboxdrv/.test(l));
    expect(lines).toEqual([
      'vm-companion: warning: VBoxManage warns: The vboxdrv kernel module is not loaded. Either there is no module available for the current kernel (6.1.0-21-amd64) or it failed to load. Please recompile the kernel module and install it by sudo /sbin/vboxconfig You will not be able to start VMs until this problem is fixed.',
    ]);
  });

  it('--vm reads only the selected VM: a hanging VM elsewhere does not slow it down (failing scenario)', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const started = Date.now();
    const r = await cli(
      ['inspect', '--vboxmanage', 'tests/stand-in/VBoxManage', '--vm', 'Issabel', '--json'],
      {
        ...standInEnv('failing', logFile),
      },
    );
    expect(r.code).toBe(0);
    expect(Date.now() - started).toBeLessThan(10_000); // the hanging VM would cost the 15 s deadline
    const doc = JSON.parse(r.stdout) as { vms: { uuid: string; name: string }[] };
    expect(doc.vms).toMatchObject([{ uuid: '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127', name: 'Issabel' }]);
    const argvs = readStandInLog(logFile);
    expect(argvs.filter((a) => a[0] === 'showvminfo')).toEqual([
      ['showvminfo', '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127', '--machinereadable'],
    ]);
    assertOnlyReadVerbs(argvs);
  });

  it('a VM that fails to read keeps its name from list vms in the JSON, with the kind of failure', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const r = await cli(
      ['inspect', '--vboxmanage', 'tests/stand-in/VBoxManage', '--vm', 'Lab Windows 10', '--json'],
      {
        ...standInEnv('failing', logFile),
      },
    );
    expect(r.code).toBe(0);
    const doc = JSON.parse(r.stdout) as { vms: Record<string, unknown>[] };
    expect(doc.vms).toHaveLength(1);
    expect(doc.vms[0]).toMatchObject({
      uuid: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f',
      name: 'Lab Windows 10',
      accessible: false,
    });
    expect(doc.vms[0].error).toMatch(
      /^Access denied: .*E_ACCESSDENIED.* Likely cause: the VM belongs to another user/,
    );
  });

  it('--vm accepts a braced upper-case UUID', async () => {
    const r = await labRun(['--vm', '{02FD76AF-2BAE-4C98-ADD1-4D802A2F77FA}', '--json']);
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { vms: { name: string }[] }).vms.map((v) => v.name)).toEqual(['xtec-1']);
  });

  it('--vm with an unknown name fails with the known VMs listed', async () => {
    const r = await labRun(['--vm', 'no such vm']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^vm-companion: No VM named "no such vm"\. Known VMs: "SERVER1919C v114" \(8c722e19-/,
    );
  });

  it('--lang zh-CN prints Chinese page titles and labels, and the inaccessible VM with its reason', async () => {
    const r = await labRun(['--lang', 'zh-CN']);
    expect(r.code).toBe(0);
    for (const heading of [
      '[常规]',
      '[系统]',
      '[显示]',
      '[存储]',
      '[声音]',
      '[网络]',
      '[串口]',
      '[共享文件夹]',
    ]) {
      expect(r.stdout).toContain(heading);
    }
    expect(r.stdout).toMatch(/内存大小: 8192 MB/);
    expect(r.stdout).toMatch(/处理器(数量)?: 6/);
    expect(r.stdout).toContain('状态: 无法访问');
    expect(r.stdout).toContain('Old lab.vbox');
  });

  it('English text shows pages, values and one-line explanations', async () => {
    const r = await labRun(['--vm', 'homestead-7']);
    expect(r.code).toBe(0);
    const out = r.stdout;
    expect(out.startsWith('homestead-7 {9155aa93-6360-4d1e-8cd9-20c32ecacf6d}\n')).toBe(true);
    const order = [
      '[General]',
      '[System]',
      '[Display]',
      '[Storage]',
      '[Audio]',
      '[Network]',
      '[Serial Ports]',
      '[USB]',
      '[Shared Folders]',
    ];
    const positions = order.map((h) => out.indexOf(h));
    expect(positions.every((p) => p > 0)).toBe(true);
    expect([...positions].sort((a, b) => a - b)).toEqual(positions);
    expect(out).toMatch(/Base Memory: 2048 MB\n {4}— \S/);
    expect(out).toContain('Adapter 1: nat (NAT)');
    expect(out).toContain('tcp33060: tcp *:33060 → *:3306');
  });
});

describe('errors', () => {
  it('explains how to point at VBoxManage when it cannot be found', async () => {
    if (['/usr/bin/VBoxManage', '/usr/lib/virtualbox/VBoxManage'].some((p) => fs.existsSync(p))) return; // a real install would be found
    const r = await cli(['inspect'], {
      PATH: path.dirname(process.execPath),
      VBOX_MSI_INSTALL_PATH: '',
      VBOX_INSTALL_PATH: '',
    });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^vm-companion: VBoxManage not found\. Looked in: .*\/usr\/bin\/VBoxManage/);
    expect(r.stderr).toContain('--vboxmanage <path>');
    expect(r.stderr).toContain('VBOXMANAGE environment variable');
  });

  it('refuses a --vboxmanage path that is not an executable', async () => {
    const r = await cli(['inspect', '--vboxmanage', 'tests/stand-in/no-such-VBoxManage']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '--vboxmanage tests/stand-in/no-such-VBoxManage: not an executable VBoxManage',
    );
  });

  it('uses $VBOXMANAGE when no flag is given', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const r = await cli(['inspect', '--vm', 'Issabel', '--json'], {
      ...standInEnv('lab', logFile),
      VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
    });
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { vms: { uuid: string }[] }).vms[0].uuid).toBe(
      '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127',
    );
  });

  it('reports unreadable and unusable --file inputs', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cli-'));
    dirs.push(tmp);
    fs.writeFileSync(path.join(tmp, 'empty.txt'), '\n\n');
    const missing = await cli(['inspect', '--file', 'tests/fixtures/showvminfo/nope.txt']);
    expect(missing).toMatchObject({ code: 1, stdout: '' });
    expect(missing.stderr).toBe(
      'vm-companion: Cannot read tests/fixtures/showvminfo/nope.txt: no such file.\n',
    );
    const folder = await cli(['inspect', '--file', 'tests/fixtures']);
    expect(folder.stderr).toBe('vm-companion: Cannot read tests/fixtures: it is a folder, not a file.\n');
    const empty = await cli(['inspect', '--file', path.join(tmp, 'empty.txt')]);
    expect(empty.code).toBe(1);
    expect(empty.stderr).toContain('the file is empty');
    fs.writeFileSync(path.join(tmp, 'notes.txt'), 'hello\nworld\n');
    const notes = await cli(['inspect', '--file', path.join(tmp, 'notes.txt'), '--json']);
    expect(notes.code).toBe(1);
    expect(notes.stderr).toContain(
      'does not look like "VBoxManage showvminfo <vm> --machinereadable" output',
    );
    // A .vmx is read by the VMware reader (see cli-hypervisors.test.ts).
    const vmx = await cli(['inspect', '--file', 'tests/fixtures/vmx/esx-hw8-rhel71-uefi.vmx', '--json']);
    expect(vmx.code).toBe(0);
    expect(JSON.parse(vmx.stdout).vms[0].uuid).toBe('564d9989-a721-910d-cc28-e2dbd54b2b8c');
  });

  it('--vm filters --file dumps too', async () => {
    const f = 'tests/fixtures/showvminfo/vbox514-windows-host-CRLF-sata-only-poweroff.txt';
    const hit = await cli(['inspect', '--file', f, '--vm', '9ceb5ca5-4f40-49e2-abfe-1a9fa9b05e7d', '--json']);
    expect(hit.code).toBe(0);
    const miss = await cli(['inspect', '--file', f, '--vm', 'homestead-7']);
    expect(miss.code).toBe(1);
    expect(miss.stderr).toContain(
      'No VM named "homestead-7". Known VMs: "learn-rails_default_1473271510806_71611"',
    );
  });

  it('usage errors exit 2; --help exits 0', async () => {
    const lang = await cli(['inspect', '--lang', 'fr']);
    expect(lang.code).toBe(2);
    expect(lang.stderr).toContain('--lang must be one of en, zh-CN (got "fr")');
    const unknown = await cli(['inspect', '--frobnicate']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("Unknown option '--frobnicate'");
    const cmd = await cli(['destroy']);
    expect(cmd.code).toBe(2);
    expect(cmd.stderr).toContain('Unknown command "destroy"');
    const help = await cli(['inspect', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('vm-companion inspect [options]');
  });
});

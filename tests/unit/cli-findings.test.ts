/**
 * `vm-companion inspect` with advice findings (text and JSON), `--file` on `.vbox` settings
 * files, and the `--host-cores` / `--host-memory` host overrides. Runs the CLI in-process.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { findingLines, type InspectJson } from '../../app/core/cli-format.ts';
import { parseInspectArgs, runCli } from '../../app/core/cli.ts';
import type { Finding } from '../../app/shared/advice.ts';
import { STAND_IN, assertOnlyReadVerbs, readStandInLog, standInEnv, tempLog } from '../helpers/stand-in.ts';

const root = path.resolve(import.meta.dirname, '../..');
const SERVER = 'tests/fixtures/showvminfo/vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt';
const SERVER_UUID = '8c722e19-bd30-4eb3-b36a-95fc4e20c072';
const CLIENTBASSO = 'tests/fixtures/vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox';
const dirs: string[] = [];
afterAll(() => dirs.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(args: string[], env: NodeJS.ProcessEnv = { PATH: '' }): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(['inspect', ...args], {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    env,
    cwd: root,
    platform: 'linux',
  });
  return { code, stdout, stderr };
}

const json = (r: Run): InspectJson => JSON.parse(r.stdout) as InspectJson;
const SMALL = ['--host-cores', '4', '--host-memory', '16384'];

describe('findings in JSON', () => {
  it('the 7-vCPU EFI dump on a 4-core, 16 GB host: exactly the vCPU finding, with its fix', async () => {
    const r = await run(['--file', SERVER, '--json', ...SMALL]);
    expect(r.code).toBe(0);
    const vm = json(r).vms[0];
    expect(vm.uuid).toBe(SERVER_UUID);
    expect(vm.findings).toEqual([
      {
        id: 'vbox.processor.cpus-over-cores',
        severity: 'warning',
        settingId: 'system.processor.cpus',
        title: 'More vCPUs than host cores',
        reason: expect.stringMatching(
          /^7 vCPUs but this host has 4 physical cores; VirtualBox warns above 4\./,
        ),
        fix: `VBoxManage modifyvm ${SERVER_UUID} --cpus 3`,
      },
    ]);
  });

  it('--lang zh-CN gives Chinese titles and reasons; the command stays the same', async () => {
    const vm = json(await run(['--file', SERVER, '--json', '--lang', 'zh-CN', ...SMALL])).vms[0];
    expect(vm.findings).toHaveLength(1);
    expect(vm.findings[0].title).toMatch(/[\u4e00-\u9fff]/);
    expect(vm.findings[0].reason).toMatch(/7/);
    expect(vm.findings[0].reason).toMatch(/4/);
    expect(vm.findings[0].fix).toBe(`VBoxManage modifyvm ${SERVER_UUID} --cpus 3`);
  });

  it('the host overrides decide: 16 cores → no vCPU finding; 2 cores / 8 GB → errors', async () => {
    const big = json(await run(['--file', SERVER, '--json', '--host-cores', '16', '--host-memory', '65536']));
    expect(big.vms[0].findings).toEqual([]);
    const tiny = json(await run(['--file', SERVER, '--json', '--host-cores', '2', '--host-memory', '8192']));
    expect(tiny.vms[0].findings.map((f) => [f.id, f.severity])).toEqual(
      expect.arrayContaining([
        ['vbox.processor.cpus-over-twice-cores', 'error'],
        ['vbox.system.ram-over-error', 'error'],
      ]),
    );
    // Most serious first.
    const ranks = tiny.vms[0].findings.map((f) => ['error', 'warning', 'info'].indexOf(f.severity));
    expect([...ranks].sort((a, b) => a - b)).toEqual(ranks);
  });

  it('usage errors for bad host values (exit 2)', async () => {
    for (const bad of [
      ['--host-cores', '0'],
      ['--host-cores', 'four'],
      ['--host-memory', '0'],
      ['--host-memory', '1.5'],
    ]) {
      const r = await run(['--file', SERVER, ...bad]);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^vm-companion: ${bad[0]} must be a whole number from 1 to \\d+`));
    }
    const negative = await run(['--file', SERVER, '--host-memory=-1']);
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--host-memory must be a whole number from 1 to');
    expect(parseInspectArgs(['--host-cores', '8', '--host-memory', '32768'])).toMatchObject({
      hostCores: 8,
      hostMemoryMB: 32768,
    });
  });
});

describe('findings in text', () => {
  it('adds a Findings section with severity, title, setting, reason and fix (en and zh-CN)', async () => {
    const en = await run(['--file', SERVER, ...SMALL]);
    expect(en.code).toBe(0);
    const section = en.stdout.slice(en.stdout.indexOf('[Findings]'));
    expect(section.split('\n').slice(0, 4)).toEqual([
      '[Findings]',
      '  ! warning: More vCPUs than host cores [system.processor.cpus]',
      expect.stringMatching(/^ {6}7 vCPUs but this host has 4 physical cores/),
      `      Fix: VBoxManage modifyvm ${SERVER_UUID} --cpus 3`,
    ]);
    expect(en.stdout.indexOf('[Shared Folders]')).toBeLessThan(en.stdout.indexOf('[Findings]'));
    const zh = await run(['--file', SERVER, '--lang', 'zh-CN', ...SMALL]);
    expect(zh.stdout).toContain('[检查结果]');
    expect(zh.stdout).toMatch(/ {2}! 警告: \S.* \[system\.processor\.cpus\]/);
    expect(zh.stdout).toContain(`修改命令: VBoxManage modifyvm ${SERVER_UUID} --cpus 3`);
    const none = await run(['--file', SERVER, '--host-cores', '16', '--host-memory', '65536']);
    expect(none.stdout).toContain('[Findings]\n  (no findings)');
  });

  it('findingLines shows error marks and fix notes', () => {
    const f: Finding = {
      id: 'x.y',
      severity: 'error',
      settingId: 'system.motherboard.memory',
      source: 'virtualbox',
      ref: 'r',
      title: { en: 'Too much RAM', 'zh-CN': '内存过多' },
      reason: { en: 'Line one\n  line two', 'zh-CN': '原因' },
      fix: {
        command: 'VBoxManage modifyvm u --memory 1024',
        note: { en: 'Or stop a VM.', 'zh-CN': '或停掉一台。' },
      },
    };
    expect(findingLines([f], 'en')).toEqual([
      '[Findings]',
      '  !! error: Too much RAM [system.motherboard.memory]',
      '      Line one line two',
      '      Fix: VBoxManage modifyvm u --memory 1024',
      '      (Or stop a VM.)',
    ]);
    expect(findingLines([], 'zh-CN')).toEqual(['[检查结果]', '  （未发现问题）']);
  });
});

describe('--file with a .vbox settings file', () => {
  it('is read as a settings file, whatever its name, and judged like any VM', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cli-vbox-'));
    dirs.push(tmp);
    const renamed = path.join(tmp, 'clientbasso.txt');
    fs.copyFileSync(path.join(root, CLIENTBASSO), renamed);
    for (const file of [CLIENTBASSO, renamed]) {
      const r = await run(['--file', file, '--json', ...SMALL]);
      expect(r.code).toBe(0);
      const vm = json(r).vms[0];
      expect(vm).toMatchObject({
        uuid: '827810e0-21ce-4282-bfc2-cfd981a45ce0',
        name: 'clientbasso',
        state: 'saved',
        osType: 'Debian (64-bit)',
        memoryMB: 1024,
        cpus: 1,
        firmware: 'BIOS',
        chipset: 'piix3',
      });
      expect(vm.network.map((n) => [n.slot, n.attachment, n.mac])).toEqual([[1, 'bridged', '080027AABB01']]);
      expect(vm.storage.map((c) => [c.name, c.type])).toEqual([
        ['IDE', 'PIIX4'],
        ['SATA', 'IntelAhci'],
      ]);
      expect(vm.findings.map((f) => f.id)).toEqual(['vbox.display.controller-not-recommended']);
    }
    const text = await run(['--file', CLIENTBASSO, ...SMALL]);
    expect(text.stdout).toMatch(/^clientbasso \{827810e0-21ce-4282-bfc2-cfd981a45ce0\}\n/);
    expect(text.stdout).toContain('Source: file');
  });

  it('an encrypted settings file is listed as inaccessible; other XML is refused with the reason', async () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-cli-vbox-'));
    dirs.push(tmp);
    const enc = path.join(tmp, 'secret.vbox');
    fs.writeFileSync(
      enc,
      '<?xml version="1.0"?>\n<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">\n' +
        '  <MachineEncrypted uuid="{5f2a3c1e-0000-4000-8000-00000000beef}" keyId="vm-key">AAAA</MachineEncrypted>\n</VirtualBox>\n',
    );
    const r = await run(['--file', enc, '--json']);
    expect(r.code).toBe(0);
    expect(json(r).vms[0]).toMatchObject({
      uuid: '5f2a3c1e-0000-4000-8000-00000000beef',
      name: 'secret', // the file's name: the encrypted settings hide the VM's own
      findings: [],
      accessible: false,
      error: 'The VM settings are encrypted; only VirtualBox can read them with the password.',
    });
    const global = await run([
      '--file',
      'tests/fixtures/virtualbox-xml/ragnarlocker-1.7-windows-relative-src-global-mediaregistry-annotated.xml',
    ]);
    expect(global.code).toBe(1);
    expect(global.stderr).toMatch(
      /^vm-companion: Cannot use tests\/fixtures\/virtualbox-xml\/ragnarlocker.*\.xml: it is not a VirtualBox machine settings file \(\.vbox\): .*global VirtualBox\.xml/,
    );
    const human = await run([
      '--file',
      'tests/fixtures/showvminfo-human/vbox60-windows-host-human-readable-not-machinereadable.txt',
    ]);
    expect(human.code).toBe(1);
    expect(human.stderr).toContain('it is the human-readable output of "VBoxManage showvminfo"');
  });
});

describe('live inspect against the stand-in lab', () => {
  it('uses the detected version (7.1) and list hostinfo (4 cores) for the findings; read verbs only', async () => {
    const { dir, logFile } = tempLog();
    dirs.push(dir);
    const r = await run(['--vboxmanage', STAND_IN, '--json', '--vm', 'SERVER1919C v114'], {
      PATH: '',
      ...standInEnv('lab', logFile),
    });
    expect(r.code).toBe(0);
    const vm = json(r).vms[0];
    expect(vm.findings.map((f) => [f.id, f.fix])).toEqual([
      ['vbox.processor.cpus-over-cores', `VBoxManage modifyvm ${SERVER_UUID} --cpus 3`],
      // The three running lab VMs (6656 MB) count against this VM, even though --vm shows only this one.
      ['host.memory.running-total', `VBoxManage modifyvm ${SERVER_UUID} --memory 5632`],
    ]);
    const argvs = readStandInLog(logFile);
    expect(argvs).toContainEqual(['--version']);
    expect(argvs).toContainEqual(['list', 'hostinfo']);
    assertOnlyReadVerbs(argvs);
  });
});

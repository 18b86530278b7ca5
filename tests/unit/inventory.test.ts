import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  INACCESSIBLE_REASON,
  describeFailure,
  readHostInfo,
  readInventory,
} from '../../app/core/vbox/inventory.ts';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';
import { VBoxError, VBoxRunner } from '../../app/core/vbox/runner.ts';
import {
  FIXTURES_DIR,
  STAND_IN,
  assertOnlyReadVerbs,
  loadScenario,
  readStandInCalls,
  readStandInLog,
  standInEnv,
  tempLog,
  writeScenario,
  type Scenario,
} from '../helpers/stand-in.ts';

const logsToCheck: string[] = [];
afterEach(() => {
  while (logsToCheck.length > 0) assertOnlyReadVerbs(logsToCheck.pop()!);
});

function standIn(
  scenario: string | Partial<Scenario>,
  opts: ConstructorParameters<typeof VBoxRunner>[1] = {},
): { runner: VBoxRunner; logFile: string } {
  const { dir, logFile } = tempLog();
  const file = typeof scenario === 'string' ? scenario : writeScenario(dir, scenario);
  logsToCheck.push(logFile);
  return {
    runner: new VBoxRunner(STAND_IN, {
      timeoutMs: 5000,
      killGraceMs: 200,
      ...opts,
      env: standInEnv(file, logFile),
    }),
    logFile,
  };
}

describe('readInventory over the lab scenario', () => {
  it('lists every VM in list order, reads each dump by UUID, keeps the inaccessible one with its reason', async () => {
    const lab = loadScenario('lab');
    const { runner, logFile } = standIn('lab');
    const progress: [number, number][] = [];
    const inv = await readInventory(runner, { onProgress: (d, t) => progress.push([d, t]) });

    expect(inv.vms.map((v) => v.id)).toEqual(lab.vms.map((v) => v.uuid));
    expect(inv.issues).toEqual([]);
    expect(inv.configs.size).toBe(12);

    const byId = new Map(inv.vms.map((v) => [v.id, v]));
    expect(byId.get('8c722e19-bd30-4eb3-b36a-95fc4e20c072')).toEqual({
      id: '8c722e19-bd30-4eb3-b36a-95fc4e20c072',
      hypervisor: 'virtualbox',
      source: 'vboxmanage',
      name: 'SERVER1919C v114',
      accessible: true,
      state: 'poweroff',
      osType: 'Debian (32-bit)',
      cpus: 7,
      memoryMB: 11827,
      findings: 0,
    });
    expect(byId.get('37f5d336-bf07-48dd-947c-37e6a56420a7')?.state).toBe('saved');
    expect(byId.get('c8775131-d296-4ad5-bf03-84ff719e6e4c')?.state).toBe('running');
    expect(byId.get('9155aa93-6360-4d1e-8cd9-20c32ecacf6d')).toMatchObject({
      name: 'homestead-7',
      memoryMB: 2048,
    });
    for (const vm of lab.vms.filter((v) => !v.inaccessible)) expect(byId.get(vm.uuid)?.name).toBe(vm.name);

    const lost = byId.get('3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13')!;
    expect(lost).toMatchObject({ name: '<inaccessible>', accessible: false });
    expect(lost.error).toBe(
      "VirtualBox could not read this VM (settings file /home/user/VirtualBox VMs/Old lab/Old lab.vbox): Runtime error opening '/home/user/VirtualBox VMs/Old lab/Old lab.vbox' for reading: -102 (File not found.). Details: code NS_ERROR_FAILURE (0x80004005), component VirtualBox, interface IVirtualBox, callee.",
    );
    expect(inv.configs.has(lost.id)).toBe(false);

    const config = inv.configs.get('02fd76af-2bae-4c98-add1-4d802a2f77fa')!;
    expect(config.general.name?.value).toBe('xtec-1');

    expect(progress[0]).toEqual([0, 13]);
    expect(progress[progress.length - 1]).toEqual([13, 13]);
    expect(progress).toHaveLength(14);

    const log = readStandInLog(logFile);
    expect(log[0]).toEqual(['list', 'vms']);
    expect(log.filter((a) => a[0] === 'showvminfo' && a[2] === '--machinereadable')).toHaveLength(12);
    // the inaccessible VM's reason comes from the human-readable showvminfo, by UUID
    expect(log).toContainEqual(['showvminfo', '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13']);
    expect(log).toHaveLength(14);
  });

  it('readHostInfo returns the lab host (4 cores, 8 threads, 16 GB, no nested paging)', async () => {
    const { runner } = standIn('lab');
    const info = await readHostInfo(runner);
    expect(info).toMatchObject({
      coreOnlineCount: 4,
      cpuOnlineCount: 8,
      memoryMB: 16384,
      os: 'Darwin',
      supportsHwVirt: true,
      supportsNestedPaging: false,
    });
  });
});

describe('readInventory when things go wrong', () => {
  it('failing scenario: bad VMs are reported with the reason, the others load', async () => {
    const { runner, logFile } = standIn('tests/stand-in/scenarios/failing.json', { timeoutMs: 400 });
    const inv = await readInventory(runner);
    const byName = new Map(inv.vms.map((v) => [v.name, v]));
    expect(inv.vms).toHaveLength(7);
    // the WARNING banner before every output (T04/T06) is not mistaken for VM rows; it is
    // reported once for the inventory, not again in every VM's read issues
    expect(inv.issues).toEqual([]);
    expect(inv.warning).toBe(
      'VBoxManage warns: The vboxdrv kernel module is not loaded. Either there is no module available for the current kernel (6.1.0-21-amd64) or it failed to load. Please recompile the kernel module and install it by sudo /sbin/vboxconfig You will not be able to start VMs until this problem is fixed.',
    );
    for (const config of inv.configs.values()) {
      expect(config.issues.filter((i) => /wrapper warning|vboxdrv/.test(i.message))).toEqual([]);
    }
    expect(await readHostInfo(runner)).toMatchObject({ coreOnlineCount: 4, cpuOnlineCount: 8, os: 'Darwin' });

    for (const name of ['Issabel', 'Win2016SRV', 'homestead-7']) {
      expect(byName.get(name)).toMatchObject({ accessible: true, state: 'poweroff' });
    }
    expect([...inv.configs.keys()].sort()).toEqual(
      [
        '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127',
        'cc6f308c-ca75-4060-b9b7-90c0e0882377',
        '9155aa93-6360-4d1e-8cd9-20c32ecacf6d',
      ].sort(),
    );

    const denied = byName.get('Lab Windows 10')!;
    expect(denied.accessible).toBe(false);
    // Each failure says what kind it is (the machines list shows these texts).
    expect(denied.error).toBe(
      "Access denied: The object functionality is limited. Details: code E_ACCESSDENIED (0x80070005), component MachineWrap, interface IMachine, callee nsISupports. Likely cause: the VM belongs to another user, or VirtualBox's service (VBoxSVC) runs as another user.",
    );
    expect(byName.get('Dev box')?.error).toBe(
      "Saved state unusable: The saved state file 'Z:\\Snapshots\\2015-04-01T10-00-00-000000000Z.sav' is invalid (VERR_PATH_NOT_FOUND). Delete the saved state and try again.",
    );
    const hung = byName.get('Lab')!;
    expect(hung.accessible).toBe(false);
    expect(hung.error).toBe(
      'Timed out after 0.4 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).',
    );
    expect(byName.get('<inaccessible>')).toMatchObject({ accessible: false, error: INACCESSIBLE_REASON });

    // the hanging call was stopped
    const hangCall = readStandInCalls(logFile).find((c) => c.hang)!;
    expect(() => process.kill(hangCall.pid, 0)).toThrow();
  });

  it('an answer that is not a VM dump, or no answer at all, marks that VM unreadable and the rest still load', async () => {
    const lab = loadScenario('lab');
    const fragment = readFileSync(
      path.join(FIXTURES_DIR, 'showvminfo/vbox70-fragment-nic-hostonlynetwork-forwarding.txt'),
      'utf8',
    );
    const { runner } = standIn({
      vms: [
        {
          uuid: '7a9d1e20-c3b4-4f5a-8e6d-2b1c0a9f8e7d',
          name: 'Fragment',
          error: { exitCode: 0, stderr: '', stdout: fragment },
        },
        lab.vms[0],
        { uuid: '0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6', name: 'Silent', error: { exitCode: 0, stderr: '' } },
      ],
    });
    const inv = await readInventory(runner);
    expect(inv.vms.map((v) => [v.name, v.accessible])).toEqual([
      ['Fragment', false],
      ['SERVER1919C v114', true],
      ['Silent', false],
    ]);
    expect(inv.vms[0].error).toBe(
      'Unreadable output: VBoxManage\'s answer for this VM is not a VM dump (showvminfo output has no UUID="…" line, so it does not describe a VM).',
    );
    expect(inv.vms[2].error).toMatch(/^No output: .*printed nothing/);
    expect(inv.configs.size).toBe(1);
  });

  it('rejects when list vms itself fails, and when aborted', async () => {
    const missing = new VBoxRunner('/nonexistent/VBoxManage');
    await expect(readInventory(missing)).rejects.toMatchObject({ kind: 'not_found' });

    const { runner } = standIn({ delayMs: 200 });
    const controller = new AbortController();
    const pending = readInventory(runner, { signal: controller.signal });
    setTimeout(() => controller.abort(), 50);
    const err = await pending.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(VBoxError);
    expect((err as VBoxError).kind).toBe('aborted');
  });

  it('a VM whose name has a newline is listed (row joined), not lost; odd rows reach issues without a repeated line number', async () => {
    const lab = loadScenario('lab');
    const { runner } = standIn({
      vms: [
        { ...lab.vms[0], name: 'web\nserver' },
        {
          uuid: '0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6',
          name: 'odd\n"quoted',
          inaccessible: false,
          hang: false,
        },
      ],
    });
    const inv = await readInventory(runner);
    expect(inv.vms[0]).toMatchObject({ id: lab.vms[0].uuid, name: 'SERVER1919C v114', accessible: true });
    expect(inv.configs.has(lab.vms[0].uuid)).toBe(true);
    // `"odd` then `"quoted" {uuid}`: the second line is a row of its own, the first cannot be joined.
    expect(inv.issues).toEqual([{ line: 3, message: 'list vms: not a "<name>" {<uuid>} row: "odd' }]);
    expect(inv.vms.map((v) => v.id)).toEqual([lab.vms[0].uuid, '0b4e7c3a-2f61-4d8e-a5b0-91c2d3e4f5a6']);
  });

  it('describeFailure names the kind of failure first', () => {
    expect(describeFailure(new VBoxError('timeout', 'x timed out'), 15_000)).toMatch(
      /^Timed out after 15 s: /,
    );
    expect(describeFailure(new VBoxError('timeout', 'x timed out'))).toMatch(/^Timed out: /);
    expect(
      describeFailure(
        new VBoxError('exit', 'x', { exitCode: 1, vboxMessage: 'Details: code E_ACCESSDENIED (0x80070005)' }),
      ),
    ).toMatch(
      /^Access denied: Details: code E_ACCESSDENIED \(0x80070005\)\. Likely cause: the VM belongs to another user/,
    );
    expect(describeFailure(new VBoxError('exit', 'x', { exitCode: 1, stderr: 'VBoxSVC went away\n' }))).toBe(
      'VBoxManage failed (exit code 1): VBoxSVC went away.',
    );
    // VBoxManage's lines become sentences: a full stop only where one is missing.
    expect(
      describeFailure(
        new VBoxError('exit', 'x', {
          exitCode: 1,
          vboxMessage: 'It broke!\nDetails: code X (0x1), callee y\n',
        }),
      ),
    ).toBe('VBoxManage failed (exit code 1): It broke! Details: code X (0x1), callee y.');
    expect(describeFailure(new VBoxError('exit', 'x', { exitCode: 2 }))).toBe(
      'VBoxManage failed (exit code 2): no error text.',
    );
    expect(describeFailure(new VBoxError('too_large', 'printed more than 16 bytes'))).toBe(
      'Output too large: printed more than 16 bytes.',
    );
    expect(describeFailure(new VBoxParseError('no UUID'))).toMatch(/^Unreadable output: .*\(no UUID\)\.$/);
    // The timeout text says what happened, not what to press: the UI and the CLI add that.
    expect(describeFailure(new VBoxError('timeout', 'x timed out'), 2500)).toBe(
      'Timed out after 2.5 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).',
    );
  });

  it('no VMs: empty list, no issues', async () => {
    const { runner } = standIn({ vms: [] });
    expect(await readInventory(runner)).toEqual({ vms: [], configs: new Map(), issues: [] });
    expect((await readInventory(standIn({ vms: [], warningBanner: true }).runner)).warning).toMatch(
      /^VBoxManage warns: The vboxdrv kernel module is not loaded\./,
    );
  });
});

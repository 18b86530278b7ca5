import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  FIXTURES_DIR,
  STAND_IN,
  assertOnlyReadVerbs,
  loadScenario,
  readStandInCalls,
  standInEnv,
  tempLog,
  writeScenario,
  type Scenario,
} from '../helpers/stand-in.ts';

/** Runs the stand-in synchronously (optionally with another node binary). */
function run(args: string[], env: NodeJS.ProcessEnv, node?: string) {
  const r = node
    ? spawnSync(node, [STAND_IN, ...args], { env: { ...process.env, ...env }, encoding: 'utf8' })
    : spawnSync(STAND_IN, args, { env: { ...process.env, ...env }, encoding: 'utf8' });
  return { stdout: r.stdout, stderr: r.stderr, status: r.status };
}

/** `key="value"` of a fixture, or a bare value. */
function fixtureValue(text: string, key: string): string | undefined {
  const m = new RegExp(`^"?${key.replace(/[()]/g, '\\$&')}"?=(?:"([^"\\r\\n]*)"|([^\\r\\n]*))`, 'm').exec(
    text,
  );
  return m ? (m[1] ?? m[2]) : undefined;
}

describe('bundled scenarios', () => {
  for (const name of ['lab', 'failing']) {
    const scenario = loadScenario(name);
    it(`${name}: distinct UUIDs; each fixture exists, has the entry's UUID, name and run state`, () => {
      const ids = scenario.vms.map((v) => v.uuid.toLowerCase());
      expect(new Set(ids).size).toBe(ids.length);
      for (const vm of scenario.vms.filter((v) => v.showvminfo)) {
        const text = readFileSync(path.join(FIXTURES_DIR, vm.showvminfo!), 'utf8');
        expect(fixtureValue(text, 'UUID'), vm.showvminfo).toBe(vm.uuid);
        expect(fixtureValue(text, 'name'), vm.showvminfo).toBe(vm.name);
        expect(fixtureValue(text, 'VMState') === 'running', vm.showvminfo).toBe(!!vm.running);
      }
      for (const f of [scenario.hostinfo, scenario.systemproperties]) {
        expect(existsSync(path.join(FIXTURES_DIR, f!))).toBe(true);
      }
    });
  }

  it('lab covers the situations the demos and e2e tests rely on', () => {
    const lab = loadScenario('lab');
    expect(lab.version).toBe('7.1.12r169651');
    const dumps = lab.vms
      .filter((v) => v.showvminfo)
      .map((v) => readFileSync(path.join(FIXTURES_DIR, v.showvminfo!), 'utf8'));
    expect(dumps.length).toBeGreaterThanOrEqual(8);
    expect(lab.vms.filter((v) => v.inaccessible)).toHaveLength(1);
    const some = (re: RegExp) => dumps.filter((d) => re.test(d)).length;
    expect(some(/^nic\d="bridged"/m)).toBeGreaterThan(0);
    expect(some(/^Forwarding\(\d+\)=/m)).toBeGreaterThan(0);
    expect(some(/^nic\d="hostonly"/m)).toBeGreaterThan(0);
    expect(some(/^nic\d="intnet"/m)).toBeGreaterThan(0);
    expect(some(/^VMState="saved"/m)).toBeGreaterThan(0);
    expect(some(/^VMState="running"/m)).toBeGreaterThan(0);
    expect(some(/^firmware="EFI"/m) && some(/^nictype\d="virtio"/m)).toBeGreaterThan(0);
    expect(some(/^"?BIOS NVRAM File"?=/m)).toBe(1);
  });
});

describe('stand-in VBoxManage', () => {
  it('answers list vms / runningvms from the scenario and logs each call with argv and time', () => {
    const { logFile } = tempLog();
    const env = standInEnv('lab', logFile);
    const vms = run(['list', 'vms'], env);
    expect(vms.status).toBe(0);
    const lines = vms.stdout.split('\n').filter(Boolean);
    expect(lines).toHaveLength(13);
    expect(lines[0]).toBe('"SERVER1919C v114" {8c722e19-bd30-4eb3-b36a-95fc4e20c072}');
    expect(lines[6]).toBe('"<inaccessible>" {3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13}');
    const running = run(['list', 'runningvms'], env).stdout.split('\n').filter(Boolean);
    expect(running).toEqual([
      '"vagrantbug_default_1581551652753_65338" {c8775131-d296-4ad5-bf03-84ff719e6e4c}',
      '"real-time-forms_default_1506940511446_6707" {60390da3-a196-41f4-8e18-d669ff63c247}',
      '"batman_default_1550612196654_90183" {7a6fec6f-ace1-4d51-95ea-f3b20eacc5c7}',
    ]);
    const calls = readStandInCalls(logFile);
    expect(calls.map((c) => c.argv)).toEqual([
      ['list', 'vms'],
      ['list', 'runningvms'],
    ]);
    expect(calls[1].time).toBeGreaterThanOrEqual(calls[0].time);
    assertOnlyReadVerbs(logFile);
  });

  it('answers modifyvm like a real VBoxManage answers an unknown command (exit 2), and logs it for detection', () => {
    const { logFile } = tempLog();
    const r = run(
      ['modifyvm', '8c722e19-bd30-4eb3-b36a-95fc4e20c072', '--memory', '1'],
      standInEnv('lab', logFile),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("VBoxManage: error: Invalid command 'modifyvm'");
    expect(readStandInCalls(logFile)[0]).toMatchObject({ unsupported: true });
    expect(() => assertOnlyReadVerbs(logFile)).toThrow(/modifyvm/);
  });

  it('prints an inaccessible VM as VBoxManageInfo.cpp does, machine-readable and human-readable', () => {
    const env = standInEnv('lab');
    const id = '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13';
    expect(run(['showvminfo', id, '--machinereadable'], env)).toMatchObject({
      status: 0,
      stdout: `name="<inaccessible>"\nUUID="${id}"\n`,
    });
    const human = run(['showvminfo', id], env);
    expect(human.status).toBe(0);
    expect(human.stdout).toContain('Name:            <inaccessible!>\n');
    expect(human.stdout).toContain('Config file:     /home/user/VirtualBox VMs/Old lab/Old lab.vbox\n');
    expect(human.stderr).toContain('(File not found.)');
  });

  it('refuses a scenario holding the same VM twice or a fixture whose UUID differs (exit 70)', () => {
    const { dir } = tempLog();
    const lab = loadScenario('lab');
    const twice = writeScenario(dir, {
      vms: [
        lab.vms.find((v) => v.uuid.startsWith('60390da3'))!,
        {
          uuid: '60390da3-a196-41f4-8e18-d669ff63c247',
          name: 'real-time-forms_default_1506940511446_6707',
          showvminfo: 'showvminfo/vbox5040-ubuntu-host-poweroff-emptydrive-IsEjected-no-suffix-usb-on.txt',
        },
      ],
    });
    const dup = run(['--version'], standInEnv(twice));
    expect(dup.status).toBe(70);
    expect(dup.stderr).toContain('lists UUID 60390da3-a196-41f4-8e18-d669ff63c247 twice');

    const wrong: Partial<Scenario> = {
      vms: [{ ...lab.vms[0], uuid: '02fd76af-2bae-4c98-add1-4d802a2f77fa' }],
    };
    const mismatch = run(['--version'], standInEnv(writeScenario(dir, wrong)));
    expect(mismatch.status).toBe(70);
    expect(mismatch.stderr).toContain('has UUID 8c722e19-bd30-4eb3-b36a-95fc4e20c072');
  });

  it('firstCallDelayMs applies to the first logged call only (VBoxSVC starting)', () => {
    const { dir, logFile } = tempLog();
    const env = standInEnv(writeScenario(dir, { firstCallDelayMs: 120 }), logFile);
    run(['--version'], env);
    run(['--version'], env);
    expect(readStandInCalls(logFile).map((c) => c.delayMs)).toEqual([120, 0]);
  });

  const otherNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => {
    if (!existsSync(p)) return false;
    const v = spawnSync(p, ['--version'], { encoding: 'utf8' }).stdout.trim();
    return v !== process.version;
  });
  it.skipIf(!otherNode)(`runs on the system Node too (${otherNode ?? 'none found'})`, () => {
    const r = run(
      ['showvminfo', 'cc6f308c-ca75-4060-b9b7-90c0e0882377', '--machinereadable'],
      standInEnv('lab'),
      otherNode,
    );
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('name="Win2016SRV"');
  });
});

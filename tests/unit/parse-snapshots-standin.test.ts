import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { flattenSnapshots, readSnapshotList } from '../../app/core/vbox/parse-snapshots.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import { VBoxRunner } from '../../app/core/vbox/runner.ts';
import {
  FIXTURES_DIR,
  STAND_IN,
  assertOnlyReadVerbs,
  loadScenario,
  readStandInCalls,
  standInEnv,
  tempLog,
  writeScenario,
} from '../helpers/stand-in.ts';

const UBUNTU = '6294f16b-4f05-4430-afb9-773bdb237aec';
const WIN2016 = 'cc6f308c-ca75-4060-b9b7-90c0e0882377';
const VAGRANTBUG = 'c8775131-d296-4ad5-bf03-84ff719e6e4c';
const TESTVM1 = '6aa44e71-71c6-4e68-a61f-f69e133ecffa';
const ISSABEL = '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127';

function labRunner(scenario = 'lab') {
  const { logFile } = tempLog();
  const runner = new VBoxRunner(STAND_IN, {
    timeoutMs: 5000,
    killGraceMs: 200,
    env: standInEnv(scenario, logFile),
  });
  return { runner, logFile };
}

describe('readSnapshotList against the stand-in (lab scenario)', () => {
  it('VMs with snapshot keys in showvminfo: the same tree as showvminfo gives', async () => {
    const { runner, logFile } = labRunner();
    const lab = loadScenario('lab');
    for (const [id, name, uuid] of [
      [UBUNTU, 'base', '085cbbec-70cd-4864-9208-5d938dcabb71'],
      [WIN2016, 'Clear', 'f478c629-629c-48f5-bde7-82e85af13694'],
    ]) {
      const r = await readSnapshotList(runner, id);
      expect(r.issues).toEqual([]);
      expect(r.roots).toEqual([{ name, uuid, path: '', current: true, children: [] }]);
      expect(r.currentUuid).toBe(uuid);
      const vm = lab.vms.find((v) => v.uuid === id)!;
      const config = showVmInfoToConfig(
        readFileSync(path.join(FIXTURES_DIR, vm.showvminfo!), 'utf8'),
        'vboxmanage',
      );
      expect(r.roots).toEqual(config.snapshots);
    }
    expect(readStandInCalls(logFile).map((c) => c.argv)).toEqual([
      ['snapshot', UBUNTU, 'list', '--machinereadable'],
      ['snapshot', WIN2016, 'list', '--machinereadable'],
    ]);
    assertOnlyReadVerbs(logFile);
  });

  it('paired recordings: 16-deep chain on vagrantbug, branched tree on testvm1', async () => {
    const { runner } = labRunner();
    const chain = await readSnapshotList(runner, VAGRANTBUG);
    expect(flattenSnapshots(chain.roots)).toHaveLength(16);
    expect(chain.currentUuid).toBe('acf23d84-479c-4a4c-8c5e-ccd8f28b14c3');
    const tree = await readSnapshotList(runner, TESTVM1);
    expect(tree.roots[0].children.map((c) => c.name)).toEqual(['Snapshot 1', 'Snapshot 5', 'Snapshot 7']);
    expect(tree.currentUuid).toBe('c857d1b8-4fd6-4044-9d2c-c6e465b3cdd4');
  });

  it('a VM without snapshots (exit 1, message on stdout) gives an empty tree, also behind the WARNING banner', async () => {
    const { runner } = labRunner();
    expect(await readSnapshotList(runner, ISSABEL)).toEqual({ roots: [], format: 'empty', issues: [] });
    const { dir } = tempLog();
    const banner = labRunner(writeScenario(dir, { warningBanner: true }));
    expect(await readSnapshotList(banner.runner, ISSABEL)).toEqual({
      roots: [],
      format: 'empty',
      issues: [],
    });
    const withBanner = await readSnapshotList(banner.runner, UBUNTU);
    expect(withBanner.roots.map((n) => n.name)).toEqual(['base']);
    expect(withBanner.issues).toHaveLength(1);
    expect(withBanner.issues[0].message).toMatch(/wrapper warning/);
  });

  it('an unknown VM rejects with VBoxManage\'s "Could not find a registered machine" message', async () => {
    const { runner } = labRunner();
    const unknown = '00000000-0000-4000-8000-000000000001';
    await expect(readSnapshotList(runner, unknown)).rejects.toMatchObject({
      kind: 'exit',
      exitCode: 1,
      vboxMessage: expect.stringContaining(`Could not find a registered machine with UUID {${unknown}}`),
    });
  });

  it('a VM name is refused before anything runs', async () => {
    const { runner, logFile } = labRunner();
    await expect(readSnapshotList(runner, 'testvm1')).rejects.toMatchObject({ kind: 'refused' });
    expect(readStandInCalls(logFile)).toEqual([]);
  });

  it('the human --details recording is replayed when a scenario names one', async () => {
    const { dir } = tempLog();
    const lab = loadScenario('lab');
    const vms = lab.vms.map((vm) =>
      vm.uuid === ISSABEL
        ? { ...vm, snapshotsDetails: 'snapshots/list-details-two-snapshots-star-current.txt' }
        : vm,
    );
    const file = writeScenario(dir, { vms });
    const { runner } = labRunner(file);
    const { stdout } = await runner.run(['snapshot', ISSABEL, 'list', '--details']);
    expect(stdout).toBe(
      readFileSync(path.join(FIXTURES_DIR, 'snapshots/list-details-two-snapshots-star-current.txt'), 'utf8'),
    );
    // A scenario naming a missing recording is refused at start (exit 70).
    const broken = path.join(dir, 'broken.json');
    writeFileSync(broken, JSON.stringify({ ...lab, fixturesDir: FIXTURES_DIR, hdds: 'hdds/nope.txt' }));
    await expect(labRunner(broken).runner.run(['list', 'vms'])).rejects.toMatchObject({ exitCode: 70 });
  });
});

import { describe, expect, it } from 'vitest';
import { readListHdds, readMediumChain } from '../../app/core/media.ts';
import { VBoxRunner } from '../../app/core/vbox/runner.ts';
import { STAND_IN, assertOnlyReadVerbs, readStandInCalls, standInEnv, tempLog } from '../helpers/stand-in.ts';

const BASE = 'ebb6dca0-879f-480b-a50e-9efe330bd021';
const DIFF = '1c182745-4b09-41a1-a147-d3ced46f72f6';
const UBUNTU = '6294f16b-4f05-4430-afb9-773bdb237aec';
const DIR = '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372';

function labRunner() {
  const { logFile } = tempLog();
  const runner = new VBoxRunner(STAND_IN, {
    timeoutMs: 5000,
    killGraceMs: 200,
    env: standInEnv('lab', logFile),
  });
  return { runner, logFile };
}

describe('media against the stand-in (lab scenario, list hdds recording)', () => {
  it("the ubuntu VM's differencing disk: two-link chain, usage and children derived from the lab", async () => {
    const { runner, logFile } = labRunner();
    const info = await readMediumChain(runner, DIFF);
    expect(info).toMatchObject({
      uuid: DIFF,
      parentUuid: BASE,
      base: false,
      state: 'created',
      type: 'normal',
      format: 'VMDK',
      virtualSizeMB: 65536,
      encrypted: false,
      location: `${DIR}/Snapshots/{${DIFF}}.vmdk`,
      inUseBy: [{ vmName: 'ubuntu-18.04-amd64_1549746024485_35372', vmUuid: UBUNTU, snapshots: [] }],
      childUuids: [],
      chainComplete: true,
      issues: [],
    });
    // Not in a list hdds recording, so not derived:
    expect(info.variant).toBeUndefined();
    expect(info.actualSizeBytes).toBeUndefined();
    expect(info.chain).toEqual([
      { uuid: BASE, location: `${DIR}/ubuntu-18.04-amd64-disk001.vmdk` },
      { uuid: DIFF, location: `${DIR}/Snapshots/{${DIFF}}.vmdk` },
    ]);
    expect(info.links[0]).toMatchObject({
      uuid: BASE,
      state: 'locked read',
      childUuids: [DIFF],
      inUseBy: [],
    });
    expect(readStandInCalls(logFile).map((c) => c.argv)).toEqual([
      ['showmediuminfo', 'disk', DIFF],
      ['showmediuminfo', 'disk', BASE],
    ]);
    assertOnlyReadVerbs(logFile);
  });

  it('an unknown medium UUID rejects with the recorded VBOX_E_FILE_ERROR message', async () => {
    const { runner } = labRunner();
    const unknown = '00000000-0000-4000-8000-000000000002';
    await expect(readMediumChain(runner, unknown)).rejects.toMatchObject({
      kind: 'exit',
      exitCode: 1,
      vboxMessage: `The given path '${unknown}' is not fully qualified\nDetails: code VBOX_E_FILE_ERROR (0x80bb0004), component MediumWrap, interface IMedium, callee nsISupports`,
    });
  });

  it('list hdds is replayed byte for byte and parses to the two records', async () => {
    const { runner } = labRunner();
    const r = await readListHdds(runner);
    expect(r.issues).toEqual([]);
    expect(r.media.map((m) => [m.uuid, m.parentUuid ?? 'base'])).toEqual([
      [BASE, 'base'],
      [DIFF, BASE],
    ]);
  });
});

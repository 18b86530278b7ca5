import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { readMediumChain, rememberRunner, runnerFor } from '../../app/core/media.ts';
import { VBoxError, VBoxRunner, type RunResult } from '../../app/core/vbox/runner.ts';

const BASE = 'ebb6dca0-879f-480b-a50e-9efe330bd021';
const DIFF = '1c182745-4b09-41a1-a147-d3ced46f72f6';

/** The records of the real `list hdds` fixture, by UUID, as showmediuminfo would print them. */
const RECORDS = new Map(
  readFileSync(
    new URL('../fixtures/hdds/list-hdds-base-and-differencing-locked-read.txt', import.meta.url),
    'utf8',
  )
    .split(/\n\n/)
    .filter((r) => r.trim() !== '')
    .map((r) => [/^UUID:\s+(\S+)/.exec(r)![1], `${r}\n`]),
);

const uuidN = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;

/** A fake runner answering showmediuminfo from `media` (uuid → text) and recording argv. */
function fakeRunner(media: Map<string, string>) {
  const calls: string[][] = [];
  return {
    calls,
    run: async (args: string[]): Promise<RunResult> => {
      calls.push(args);
      const text = media.get(args[args.length - 1]);
      if (text === undefined) {
        throw new VBoxError('exit', `VBoxManage ${args.join(' ')} failed with exit code 1`, {
          exitCode: 1,
          vboxMessage: `The given path '${args[args.length - 1]}' is not fully qualified`,
        });
      }
      return { stdout: text, stderr: '' };
    },
  };
}

const record = (uuid: string, parent: string | 'base') =>
  `UUID:           ${uuid}\nParent UUID:    ${parent}\nState:          created\nType:           normal (${parent === 'base' ? 'base' : 'differencing'})\nLocation:       /vms/${uuid}.vdi\nStorage format: VDI\nCapacity:       1024 MBytes\nEncryption:     disabled\n`;

describe('readMediumChain', () => {
  it('differencing disk of the real fixture: chain base → child, one call per medium', async () => {
    const runner = fakeRunner(RECORDS);
    const info = await readMediumChain(runner, DIFF);
    expect(runner.calls).toEqual([
      ['showmediuminfo', 'disk', DIFF],
      ['showmediuminfo', 'disk', BASE],
    ]);
    expect(info).toMatchObject({ uuid: DIFF, parentUuid: BASE, chainComplete: true, issues: [] });
    expect(info.chain).toEqual([
      {
        uuid: BASE,
        location: '/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/ubuntu-18.04-amd64-disk001.vmdk',
      },
      {
        uuid: DIFF,
        location: `/virtual/machines/ubuntu-18.04-amd64_1549746024485_35372/Snapshots/{${DIFF}}.vmdk`,
      },
    ]);
    expect(info.links.map((l) => [l.uuid, l.state])).toEqual([
      [BASE, 'locked read'],
      [DIFF, 'created'],
    ]);
    expect('issues' in info.links[0]).toBe(false);
  });

  it('a base disk is its own chain; the medium kind is passed for DVDs', async () => {
    const runner = fakeRunner(RECORDS);
    const info = await readMediumChain(runner, BASE, { kind: 'dvd' });
    expect(runner.calls).toEqual([['showmediuminfo', 'dvd', BASE]]);
    expect(info.chain.map((c) => c.uuid)).toEqual([BASE]);
    expect(info.chainComplete).toBe(true);
  });

  it('a cycle stops the walk and is reported', async () => {
    const a = uuidN(1);
    const b = uuidN(2);
    const runner = fakeRunner(
      new Map([
        [a, record(a, b)],
        [b, record(b, a)],
      ]),
    );
    const info = await readMediumChain(runner, a);
    expect(info.chain.map((c) => c.uuid)).toEqual([b, a]);
    expect(info.chainComplete).toBe(false);
    expect(info.issues).toEqual([{ message: expect.stringMatching(`loops back to ${a}`) }]);
    expect(runner.calls).toHaveLength(2);
  });

  it('the depth bound stops a long chain', async () => {
    const media = new Map<string, string>();
    for (let i = 1; i <= 10; i++) media.set(uuidN(i), record(uuidN(i), i === 10 ? 'base' : uuidN(i + 1)));
    const full = await readMediumChain(fakeRunner(media), uuidN(1));
    expect(full.chain).toHaveLength(10);
    expect(full.chain[0].uuid).toBe(uuidN(10));
    const runner = fakeRunner(media);
    const bounded = await readMediumChain(runner, uuidN(1), { maxDepth: 3 });
    expect(bounded.chain.map((c) => c.uuid)).toEqual([uuidN(4), uuidN(3), uuidN(2), uuidN(1)]);
    expect(runner.calls).toHaveLength(4);
    expect(bounded.chainComplete).toBe(false);
    expect(bounded.issues[0].message).toMatch(/longer than 3 parents/);
  });

  it('an unreadable parent ends the chain with the error; an unreadable medium throws', async () => {
    const runner = fakeRunner(new Map([[DIFF, RECORDS.get(DIFF)!]]));
    const info = await readMediumChain(runner, DIFF);
    expect(info.chain.map((c) => c.uuid)).toEqual([DIFF]);
    expect(info.chainComplete).toBe(false);
    expect(info.issues).toEqual([
      { message: `parent medium ${BASE} could not be read: The given path '${BASE}' is not fully qualified` },
    ]);
    await expect(readMediumChain(runner, uuidN(9))).rejects.toMatchObject({ kind: 'exit', exitCode: 1 });
  });
});

describe('rememberRunner / runnerFor', () => {
  it('keeps one runner per owner and forgets it on undefined', () => {
    const a = {};
    const b = {};
    const r = new VBoxRunner('/nonexistent/VBoxManage');
    expect(runnerFor(a)).toBeUndefined();
    rememberRunner(a, r);
    expect(runnerFor(a)).toBe(r);
    expect(runnerFor(b)).toBeUndefined();
    rememberRunner(a, undefined);
    expect(runnerFor(a)).toBeUndefined();
  });
});

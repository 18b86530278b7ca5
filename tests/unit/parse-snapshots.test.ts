import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  NO_SNAPSHOTS_MESSAGE,
  flattenSnapshots,
  parseSnapshotList,
} from '../../app/core/vbox/parse-snapshots.ts';
import type { SnapshotNode } from '../../app/shared/model.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/snapshots/${name}`, import.meta.url), 'utf8');

/** name/uuid/path/current of every node, depth-first, with its depth. */
const rows = (roots: SnapshotNode[]) =>
  flattenSnapshots(roots).map(({ node, depth }) => ({
    depth,
    path: node.path,
    name: node.name,
    uuid: node.uuid,
    current: node.current,
  }));

describe('parseSnapshotList — real fixtures', () => {
  it('15-deep linear chain: 16 snapshots, one description, current at the tip', () => {
    const r = parseSnapshotList(fixture('machinereadable-15-deep-linear-chain-with-description.txt'));
    expect(r.format).toBe('machinereadable');
    expect(r.issues).toEqual([]);
    expect(r.roots).toHaveLength(1);
    const all = rows(r.roots);
    expect(all).toHaveLength(16);
    // A linear chain: every node has exactly one child except the last, and depth = index.
    all.forEach((row, i) => {
      expect(row.depth).toBe(i);
      expect(row.path).toBe('-1'.repeat(i));
    });
    expect(all[0]).toEqual({
      depth: 0,
      path: '',
      name: 'clean userbehavior',
      uuid: '81a0d214-e246-43f7-9095-95deb011bf47',
      current: false,
    });
    expect(all[10].name).toBe('disable UAC, batch script');
    expect(all[11].name).toBe('ipchange, rm batch');
    const withDescription = flattenSnapshots(r.roots).filter(({ node }) => node.description !== undefined);
    expect(withDescription.map(({ node }) => [node.name, node.description, node.path])).toEqual([
      ['installed GuestAdditions with autologin', 'VBoxWindowsAdditions /with_autologin', '-1-1-1-1-1-1-1'],
    ]);
    expect(all[15]).toEqual({
      depth: 15,
      path: '-1'.repeat(15),
      name: 'imdisk',
      uuid: 'acf23d84-479c-4a4c-8c5e-ccd8f28b14c3',
      current: true,
    });
    expect(r.currentUuid).toBe('acf23d84-479c-4a4c-8c5e-ccd8f28b14c3');
    expect(all.filter((x) => x.current)).toHaveLength(1);
  });

  it('branched tree: three branches under "Imported", duplicate "Snapshot 2", current mid-tree, no final newline', () => {
    const text = fixture('machinereadable-tree-3-roots-duplicate-names-current-midtree.txt');
    expect(text.endsWith('\n')).toBe(false);
    const r = parseSnapshotList(text);
    expect(r.issues).toEqual([]);
    expect(r.roots.map((n) => n.name)).toEqual(['Imported']);
    expect(rows(r.roots).map((x) => [x.depth, x.path, x.name, x.current])).toEqual([
      [0, '', 'Imported', false],
      [1, '-1', 'Snapshot 1', false],
      [2, '-1-1', 'Snapshot 2', false],
      [3, '-1-1-1', 'Snapshot 3', false],
      [3, '-1-1-2', 'Snapshot 4', false],
      [2, '-1-2', 'Snapshot-Export', true],
      [1, '-2', 'Snapshot 5', false],
      [2, '-2-1', 'Snapshot 2', false],
      [1, '-3', 'Snapshot 7', false],
      [2, '-3-1', 'Snapshot 8', false],
      [2, '-3-2', 'Snapshot 9', false],
    ]);
    // The two "Snapshot 2" nodes are distinct snapshots.
    const twos = flattenSnapshots(r.roots).filter(({ node }) => node.name === 'Snapshot 2');
    expect(twos.map(({ node }) => node.uuid)).toEqual([
      '8e12833b-c6b5-4cbd-b42b-09eff8ffc173',
      '7b093686-2981-4ada-8b0f-4c03ae23cd1a',
    ]);
    expect(r.currentUuid).toBe('c857d1b8-4fd6-4044-9d2c-c6e465b3cdd4');
    // The last line (no newline) is read completely.
    expect(r.roots[0].children[2].children[1].uuid).toBe('a5903505-9261-4bd3-9972-bacd0064d667');
  });

  it('--details human form: names, UUIDs and the " *" current mark; flat indentation is reported', () => {
    const r = parseSnapshotList(fixture('list-details-two-snapshots-star-current.txt'));
    expect(r.format).toBe('details');
    expect(rows(r.roots)).toEqual([
      { depth: 0, path: '', name: 's1', uuid: '90828a77-72f4-4a5e-b9d3-bb1fdd4cef5f', current: false },
      { depth: 0, path: '~2', name: 's2', uuid: '97838e37-9ca4-4194-a041-5e9a40d6c205', current: true },
    ]);
    expect(r.currentUuid).toBe('97838e37-9ca4-4194-a041-5e9a40d6c205');
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0].message).toMatch(/2 snapshots at the top level/);
  });
});

describe('parseSnapshotList — layout details (VBoxManageInfo.cpp showSnapshots)', () => {
  it('human form with real indentation (3 spaces per level) builds the tree and reads descriptions', () => {
    const text = [
      '   Name: base (UUID: 085cbbec-70cd-4864-9208-5d938dcabb71)',
      '   Description: before the update',
      '      Name: updated (UUID: f478c629-629c-48f5-bde7-82e85af13694)',
      '      Description:',
      'line one',
      'line two',
      '         Name: tip (UUID: 81a0d214-e246-43f7-9095-95deb011bf47) *',
      '      Name: other (UUID: 238006bc-a851-4b50-a151-3d9104d072c5)',
      '',
    ].join('\n');
    const r = parseSnapshotList(text);
    expect(r.issues).toEqual([]);
    expect(rows(r.roots).map((x) => [x.depth, x.path, x.name, x.current])).toEqual([
      [0, '', 'base', false],
      [1, '-1', 'updated', false],
      [2, '-1-1', 'tip', true],
      [1, '-2', 'other', false],
    ]);
    expect(r.roots[0].description).toBe('before the update');
    expect(r.roots[0].children[0].description).toBe('line one\nline two');
  });

  it('multi-line raw description with quotes in machine-readable form (§4.11: not escaped)', () => {
    const text =
      'SnapshotName="a"\nSnapshotUUID="81A0D214-E246-43F7-9095-95DEB011BF47"\n' +
      'SnapshotDescription="first line\nsaid "hello" twice\n"\n' +
      'CurrentSnapshotName="a"\nCurrentSnapshotUUID="81a0d214-e246-43f7-9095-95deb011bf47"\nCurrentSnapshotNode="SnapshotName"\n';
    const r = parseSnapshotList(text);
    expect(r.issues).toEqual([]);
    expect(r.roots[0]).toMatchObject({
      name: 'a',
      uuid: '81a0d214-e246-43f7-9095-95deb011bf47',
      description: 'first line\nsaid "hello" twice\n',
      current: true,
    });
  });

  it('"does not have any snapshots" and empty output give an empty tree without issues', () => {
    for (const text of [`${NO_SNAPSHOTS_MESSAGE}\n`, '', '\r\n']) {
      expect(parseSnapshotList(text)).toEqual({ roots: [], format: 'empty', issues: [] });
    }
  });

  it('CRLF and a leading WARNING banner: banner reported with its line, tree intact', () => {
    const text = [
      'WARNING: The vboxdrv kernel module is not loaded. Either there is no module',
      '         available for the current kernel (6.1.0-21-amd64) or it failed to',
      'SnapshotName="Clear"',
      'SnapshotUUID="f478c629-629c-48f5-bde7-82e85af13694"',
      'CurrentSnapshotName="Clear"',
      'CurrentSnapshotUUID="f478c629-629c-48f5-bde7-82e85af13694"',
      'CurrentSnapshotNode="SnapshotName"',
    ].join('\r\n');
    const r = parseSnapshotList(text);
    expect(r.roots.map((n) => [n.name, n.current])).toEqual([['Clear', true]]);
    expect(r.issues).toHaveLength(1);
    expect(r.issues[0]).toMatchObject({ line: 1 });
  });

  it('damaged input: orphan child, missing UUID, bad UUID, unknown key, repeated key, unknown current — all reported, rest kept', () => {
    const text = [
      'SnapshotName="root"', // 1
      'SnapshotUUID="085cbbec-70cd-4864-9208-5d938dcabb71"', // 2
      'SnapshotName-1="no uuid"', // 3
      'SnapshotName-2-1="orphan"', // 4
      'SnapshotUUID-2-1="not-a-uuid"', // 5
      'SomethingElse="x"', // 6
      'SnapshotName="again"', // 7
      'garbage line', // 8
      'CurrentSnapshotUUID="eb342b39-b4bd-47b0-afd8-dcd1cc5c5929"', // 9
    ].join('\n');
    const r = parseSnapshotList(text);
    expect(r.roots.map((n) => n.name)).toEqual(['root', 'orphan']);
    expect(r.roots[0].children.map((n) => n.name)).toEqual(['no uuid']);
    expect(r.currentUuid).toBeUndefined();
    const byLine = r.issues.map((i) => [i.line, i.message]);
    expect(byLine).toEqual(
      expect.arrayContaining([
        [3, expect.stringMatching(/Snapshot…-1 has no SnapshotUUID/)],
        [4, expect.stringMatching(/"orphan" \(SnapshotName-2-1\) has no parent/)],
        [5, expect.stringMatching(/not a UUID/)],
        [6, expect.stringMatching(/unexpected key SomethingElse/)],
        [7, expect.stringMatching(/SnapshotName appears again/)],
        [8, expect.stringMatching(/garbage line/)],
        [9, expect.stringMatching(/current snapshot .* is not in the snapshot list/)],
      ]),
    );
    expect(r.roots[0].name).toBe('root');
  });

  it('current found by CurrentSnapshotNode when the UUID line is missing; a wrong CurrentSnapshotName is reported', () => {
    const text = [
      'SnapshotName="a"',
      'SnapshotUUID="085cbbec-70cd-4864-9208-5d938dcabb71"',
      'SnapshotName-1="b"',
      'SnapshotUUID-1="f478c629-629c-48f5-bde7-82e85af13694"',
      'CurrentSnapshotName="c"',
      'CurrentSnapshotNode="SnapshotName-1"',
    ].join('\n');
    const r = parseSnapshotList(text);
    expect(r.currentUuid).toBe('f478c629-629c-48f5-bde7-82e85af13694');
    expect(r.issues).toEqual([
      { line: 5, message: expect.stringMatching(/CurrentSnapshotName "c" differs .* "b"/) },
    ]);
  });

  it('children are ordered by index even when printed out of order', () => {
    const text = [
      'SnapshotName="r"',
      'SnapshotUUID="085cbbec-70cd-4864-9208-5d938dcabb71"',
      'SnapshotName-2="second"',
      'SnapshotUUID-2="f478c629-629c-48f5-bde7-82e85af13694"',
      'SnapshotName-10="tenth"',
      'SnapshotUUID-10="81a0d214-e246-43f7-9095-95deb011bf47"',
      'SnapshotName-1="first"',
      'SnapshotUUID-1="238006bc-a851-4b50-a151-3d9104d072c5"',
    ].join('\n');
    expect(parseSnapshotList(text).roots[0].children.map((n) => n.name)).toEqual([
      'first',
      'second',
      'tenth',
    ]);
  });
});

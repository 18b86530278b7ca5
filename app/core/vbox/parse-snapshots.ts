/**
 * The snapshot tree of one VM from `VBoxManage snapshot <uuid> list`, machine-readable
 * (`--machinereadable`) or human-readable (plain / `--details`), VirtualBox 4.x–7.1.
 *
 * Format source: reference/virtualbox-settings.md §4.11 and §2.13, and `showSnapshots()` in
 * VBoxManageInfo.cpp (the same function prints the snapshot part of `showvminfo`):
 * - machine-readable: `SnapshotName<path>="…"`, `SnapshotUUID<path>="…"`, optional
 *   `SnapshotDescription<path>="…"` (raw, may span lines), depth-first pre-order, `<path>` = `""` for
 *   the root and `-k` appended per level for the k-th child (1-based); right after the current
 *   snapshot's own lines come `CurrentSnapshotName`, `CurrentSnapshotUUID`,
 *   `CurrentSnapshotNode="SnapshotName<path>"`. Names and descriptions are printed raw (not escaped).
 * - human-readable: `   <indent>Name: <name> (UUID: <uuid>)` with ` *` after the current snapshot,
 *   three more spaces per level; a description follows as `   <indent>Description: <text>` (7.x,
 *   single-line) or `   <indent>Description:` and the raw text on the next lines.
 * - no snapshots: `This machine does not have any snapshots` on stdout, exit code 1.
 */

import type { ReadIssue, SnapshotNode } from '../../shared/model.ts';
import {
  compareIndexDigits,
  findWarningBlocks,
  isLogoLine,
  safeInteger,
  shortRaw,
  splitLines,
  tooLargeIssue,
} from './parse-common.ts';
import { parseShowVmInfo } from './parse-showvminfo.ts';
import { VBoxError, type VBoxRunner } from './runner.ts';

/** What `snapshot <uuid> list` prints on stdout (exit code 1) for a VM without snapshots. */
export const NO_SNAPSHOTS_MESSAGE = 'This machine does not have any snapshots';

/** Result of {@link parseSnapshotList}. */
export interface SnapshotListParse {
  /**
   * Top-level snapshots. VirtualBox has one root snapshot; more than one appear only for damaged
   * machine-readable text (a child whose parent is missing) or re-indented human-readable text —
   * both reported in `issues`.
   */
  roots: SnapshotNode[];
  /** UUID (lower case) of the current snapshot, when the output names one that is in the tree. */
  currentUuid?: string;
  /** Which layout was read; `empty` = no snapshots (the "does not have any snapshots" message or no output). */
  format: 'machinereadable' | 'details' | 'empty';
  /** Lines that could not be used and inconsistencies, with 1-based line numbers where they concern one line. */
  issues: ReadIssue[];
}

const UUID_RE = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const MR_KEY = /^Snapshot(Name|UUID|Description)((?:-\d+)*)$/;
const CURRENT_KEY = /^CurrentSnapshot(Name|UUID|Node)$/;
const HUMAN_NAME = /^(\s*)Name: (.*) \(UUID: ([0-9a-fA-F-]{36})\)( \*)?\s*$/;
const HUMAN_DESCRIPTION = /^(\s*)Description:(?: (.*))?$/;

/**
 * Parses the stdout of `VBoxManage snapshot <uuid> list [--machinereadable|--details]` into a tree.
 *
 * The layout is recognised from the text (machine-readable keys, `Name: … (UUID: …)` lines, or the
 * no-snapshots message). Wrapper `WARNING:` banners and the old logo are skipped and reported.
 * Duplicate snapshot names are fine (nodes are told apart by path and UUID). The current snapshot
 * is found by `CurrentSnapshotUUID`, else by `CurrentSnapshotNode`; in the human layout by the ` *`
 * mark. Children are ordered by their index (`-1`, `-2`, …). For the human layout, `path` is
 * synthesised in the machine-readable numbering (`""`, `-1`, `-1-2`); an extra top-level entry k
 * (k ≥ 2, only in re-indented text) gets the path `~k`.
 *
 * Never throws: unusable lines, unknown keys, missing names/UUIDs, orphans and a current snapshot
 * that is not in the tree become issues with line numbers, and the rest of the tree is kept.
 *
 * @param text stdout of the command (LF, CRLF or CR; a missing final newline is fine).
 */
export function parseSnapshotList(text: string): SnapshotListParse {
  const lines = splitLines(text);
  const { skip, blocks } = findWarningBlocks(lines);
  const issues: ReadIssue[] = blocks.map((b) => ({
    line: b.line,
    message: `line ${b.line}: skipped VBoxManage wrapper warning: ${b.text}`,
  }));
  const kept: string[] = lines.map((l, i) => {
    if (skip.has(i)) return '';
    if (isLogoLine(l)) {
      issues.push({ line: i + 1, message: `line ${i + 1}: skipped VBoxManage logo line: ${l.trim()}` });
      return '';
    }
    return l;
  });
  if (kept.some((l) => /^\s*(?:"?Snapshot(?:Name|UUID|Description)|CurrentSnapshot)/.test(l))) {
    return parseMachineReadable(kept.join('\n'), issues);
  }
  if (kept.some((l) => HUMAN_NAME.test(l))) return parseHuman(kept, issues);
  kept.forEach((l, i) => {
    const t = l.trim();
    if (t === '' || t === NO_SNAPSHOTS_MESSAGE) return;
    issues.push({ line: i + 1, message: `line ${i + 1}: not a snapshot list line: ${t}` });
  });
  return { roots: [], format: 'empty', issues };
}

interface Building {
  node: SnapshotNode;
  line: number;
}

function parseMachineReadable(text: string, issues: ReadIssue[]): SnapshotListParse {
  const parsed = parseShowVmInfo(text);
  for (const issue of parsed.issues) {
    // Lines blanked above (banners, logo) were reported already; parseShowVmInfo reports the rest.
    issues.push(issue);
  }
  const nodes = new Map<string, Building>();
  const order: string[] = [];
  const current: Partial<Record<'Name' | 'UUID' | 'Node', { value: string; line: number }>> = {};
  const node = (path: string, line: number): Building => {
    let b = nodes.get(path);
    if (!b) {
      b = { node: { name: '', uuid: '', path, current: false, children: [] }, line };
      nodes.set(path, b);
      order.push(path);
    }
    return b;
  };
  const seen = new Set<string>();
  for (const e of parsed.entries) {
    const m = MR_KEY.exec(e.key);
    if (m) {
      if (seen.has(e.key)) {
        issues.push({
          line: e.line,
          message: `line ${e.line}: ${e.key} appears again; the first value is kept`,
        });
        continue;
      }
      seen.add(e.key);
      if (!nodes.has(m[2])) {
        const big = m[2].split('-').find((d) => d !== '' && safeInteger(d) === undefined);
        if (big !== undefined)
          issues.push(
            tooLargeIssue(
              `the snapshot index in key "${shortRaw(e.key)}"`,
              big,
              e.line,
              'the snapshot is kept and ordered by its digits',
            ),
          );
      }
      const b = node(m[2], e.line);
      if (m[1] === 'Name') b.node.name = e.value;
      else if (m[1] === 'UUID') {
        const uuid = e.value.trim().toLowerCase();
        if (!UUID_RE.test(uuid)) {
          issues.push({ line: e.line, message: `line ${e.line}: ${e.key} is not a UUID: "${e.value}"` });
        }
        b.node.uuid = uuid;
      } else b.node.description = e.value;
      continue;
    }
    const c = CURRENT_KEY.exec(e.key);
    if (c) {
      current[c[1] as 'Name' | 'UUID' | 'Node'] = { value: e.value.trim(), line: e.line };
      continue;
    }
    issues.push({ line: e.line, message: `line ${e.line}: unexpected key ${e.key} in a snapshot list` });
  }

  const roots: SnapshotNode[] = [];
  for (const path of order) {
    const b = nodes.get(path)!;
    if (!b.node.uuid) {
      issues.push({ line: b.line, message: `line ${b.line}: snapshot Snapshot…${path} has no SnapshotUUID` });
    }
    if (!seen.has(`SnapshotName${path}`)) {
      issues.push({ line: b.line, message: `line ${b.line}: snapshot Snapshot…${path} has no SnapshotName` });
    }
    const parent = path === '' ? undefined : nodes.get(path.replace(/-\d+$/, ''));
    if (parent) parent.node.children.push(b.node);
    else {
      if (path !== '') {
        issues.push({
          line: b.line,
          message: `line ${b.line}: snapshot "${b.node.name}" (SnapshotName${path}) has no parent snapshot in the list; shown at the top level`,
        });
      }
      roots.push(b.node);
    }
  }
  const byIndex = (a: SnapshotNode, b: SnapshotNode): number =>
    compareIndexDigits(lastIndex(a.path), lastIndex(b.path));
  const sortKids = (n: SnapshotNode): void => {
    n.children.sort(byIndex);
    n.children.forEach(sortKids);
  };
  roots.sort((a, b) => a.path.length - b.path.length || byIndex(a, b));
  roots.forEach(sortKids);

  let found: SnapshotNode | undefined;
  if (current.UUID) {
    const id = current.UUID.value.toLowerCase();
    found = order.map((p) => nodes.get(p)!.node).find((n) => n.uuid === id);
  }
  if (!found && current.Node) {
    const m = /^SnapshotName((?:-\d+)*)$/.exec(current.Node.value);
    if (m) found = nodes.get(m[1])?.node;
  }
  const result: SnapshotListParse = { roots, format: 'machinereadable', issues };
  if (found) {
    found.current = true;
    result.currentUuid = found.uuid;
    if (current.Name && current.Name.value !== found.name.trim()) {
      issues.push({
        line: current.Name.line,
        message: `line ${current.Name.line}: CurrentSnapshotName "${current.Name.value}" differs from the name of the current snapshot "${found.name}"`,
      });
    }
  } else {
    const e = current.UUID ?? current.Node ?? current.Name;
    if (e) {
      issues.push({
        line: e.line,
        message: `line ${e.line}: current snapshot "${e.value}" is not in the snapshot list`,
      });
    }
  }
  return result;
}

function parseHuman(lines: string[], issues: ReadIssue[]): SnapshotListParse {
  const roots: SnapshotNode[] = [];
  const stack: { indent: number; node: SnapshotNode }[] = [];
  let currentUuid: string | undefined;
  /** Description being collected over the lines after `Description:`. */
  let collecting: { node: SnapshotNode; parts: string[] } | undefined;
  const flush = (): void => {
    if (!collecting) return;
    const parts = collecting.parts;
    while (parts.length > 0 && parts[parts.length - 1].trim() === '') parts.pop();
    collecting.node.description = parts.join('\n');
    collecting = undefined;
  };
  lines.forEach((l, i) => {
    const lineNo = i + 1;
    const m = HUMAN_NAME.exec(l);
    if (m) {
      flush();
      const indent = m[1].length;
      while (stack.length > 0 && stack[stack.length - 1].indent >= indent) stack.pop();
      const parent = stack[stack.length - 1]?.node;
      const uuid = m[3].toLowerCase();
      if (!UUID_RE.test(uuid))
        issues.push({ line: lineNo, message: `line ${lineNo}: "${m[3]}" is not a UUID` });
      let path: string;
      if (parent) path = `${parent.path}-${parent.children.length + 1}`;
      else path = roots.length === 0 ? '' : `~${roots.length + 1}`;
      const node: SnapshotNode = { name: m[2], uuid, path, current: !!m[4], children: [] };
      if (parent) parent.children.push(node);
      else roots.push(node);
      if (node.current) {
        if (currentUuid !== undefined) {
          issues.push({
            line: lineNo,
            message: `line ${lineNo}: a second snapshot is marked current; the first is kept`,
          });
          node.current = false;
        } else currentUuid = uuid;
      }
      stack.push({ indent, node });
      return;
    }
    const d = HUMAN_DESCRIPTION.exec(l);
    const last = stack[stack.length - 1]?.node;
    if (d && last && !collecting) {
      if (d[2] !== undefined && d[2] !== '') last.description = d[2];
      else collecting = { node: last, parts: [] };
      return;
    }
    if (collecting) {
      collecting.parts.push(l);
      return;
    }
    if (l.trim() !== '')
      issues.push({ line: lineNo, message: `line ${lineNo}: not a snapshot list line: ${l.trim()}` });
  });
  flush();
  if (roots.length > 1) {
    issues.push({
      message: `${roots.length} snapshots at the top level: VirtualBox prints one root snapshot with the others indented below it, so the indentation of this text may have been changed`,
    });
  }
  const result: SnapshotListParse = { roots, format: 'details', issues };
  if (currentUuid !== undefined) result.currentUuid = currentUuid;
  return result;
}

/** Digits of the last `-k` of a snapshot path (`-1-12` → `12`); `0` for the root path `""`. */
function lastIndex(path: string): string {
  const m = /-(\d+)$/.exec(path);
  return m ? m[1] : '0';
}

/** Every node of a snapshot tree in depth-first pre-order (the order VBoxManage prints them), with its depth (0 = top level). */
export function flattenSnapshots(roots: readonly SnapshotNode[]): { node: SnapshotNode; depth: number }[] {
  const out: { node: SnapshotNode; depth: number }[] = [];
  const walk = (n: SnapshotNode, depth: number): void => {
    out.push({ node: n, depth });
    n.children.forEach((c) => walk(c, depth + 1));
  };
  roots.forEach((r) => walk(r, 0));
  return out;
}

/**
 * Runs `VBoxManage snapshot <vmUuid> list --machinereadable` and parses it with
 * {@link parseSnapshotList}. A VM without snapshots (VBoxManage prints
 * {@link NO_SNAPSHOTS_MESSAGE} on stdout and exits 1, with nothing on stderr) gives an empty tree
 * with `format: 'empty'`.
 *
 * @throws VBoxError from the runner for every other failure (`refused` when `vmUuid` is not a
 *   UUID, `exit` with VBoxManage's message for an unknown VM, `timeout`, …).
 */
export async function readSnapshotList(
  runner: Pick<VBoxRunner, 'run'>,
  vmUuid: string,
  opts: { signal?: AbortSignal } = {},
): Promise<SnapshotListParse> {
  try {
    const { stdout } = await runner.run(['snapshot', vmUuid, 'list', '--machinereadable'], opts);
    return parseSnapshotList(stdout);
  } catch (err) {
    if (
      err instanceof VBoxError &&
      err.kind === 'exit' &&
      err.exitCode === 1 &&
      err.vboxMessage === undefined &&
      (err.message.includes(NO_SNAPSHOTS_MESSAGE) || (err.stderr ?? '').trim() === '')
    ) {
      return { roots: [], format: 'empty', issues: [] };
    }
    throw err;
  }
}

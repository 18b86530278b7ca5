/**
 * Media details for the Storage page: one medium's `VBoxManage showmediuminfo` with its
 * differencing chain (base image first), and the registry of runners the API uses to reach the
 * VBoxManage the inventory found.
 */

import type { ReadIssue } from '../shared/model.ts';
import {
  parseListHdds,
  parseMediumInfo,
  type ListHddsParse,
  type MediumRecord,
  type ParsedMedium,
} from './vbox/parse-mediuminfo.ts';
import { VBoxError, type VBoxRunner } from './vbox/runner.ts';

/** `showmediuminfo` medium type argument. */
export type MediumKind = 'disk' | 'dvd' | 'floppy';

/** Result of {@link readMediumChain}. */
export type MediumChainInfo = MediumRecord & {
  /**
   * Every medium read, keyed by UUID (this one and its parents), so the UI can show format,
   * variant and sizes for each link of the chain.
   */
  links: MediumRecord[];
  /** False when a parent could not be read, a cycle was found or the depth bound was hit; `issues` says why. */
  chainComplete: boolean;
  issues: ReadIssue[];
};

/** Deepest differencing chain followed (VirtualBox itself has no fixed limit; real chains are far shorter). */
export const MAX_CHAIN_DEPTH = 64;

/** Options of {@link readMediumChain}. */
export interface ReadMediumChainOptions {
  /** Medium type of the first lookup (default `disk`); parents are always looked up as disks. */
  kind?: MediumKind;
  /** Bound on the number of parents followed (default {@link MAX_CHAIN_DEPTH}). */
  maxDepth?: number;
  signal?: AbortSignal;
}

/**
 * Reads one medium with `VBoxManage showmediuminfo <kind> <uuid>` and follows `Parent UUID` with
 * `showmediuminfo disk <parent>` until the base image, at most `maxDepth` parents, stopping on a
 * cycle. `chain` lists `{uuid, location}` from the base image to this medium (this medium last);
 * `links` holds the full records in the same order.
 *
 * A parent that cannot be read ends the walk: the chain then starts at the oldest medium read,
 * `chainComplete` is false and `issues` holds the error. The medium itself must be readable.
 *
 * @param uuid medium UUID (as in `<Controller>-ImageUUID-<port>-<device>`), or an absolute path.
 * @throws VBoxError from the runner when the medium itself cannot be read (e.g. `exit` with
 *   VBoxManage's message for an unknown UUID).
 * @throws VBoxParseError when its output holds no medium record.
 */
export async function readMediumChain(
  runner: Pick<VBoxRunner, 'run'>,
  uuid: string,
  opts: ReadMediumChainOptions = {},
): Promise<MediumChainInfo> {
  const maxDepth = opts.maxDepth ?? MAX_CHAIN_DEPTH;
  const run = opts.signal ? { signal: opts.signal } : {};
  const first = parseMediumInfo(
    (await runner.run(['showmediuminfo', opts.kind ?? 'disk', uuid], run)).stdout,
  );
  const issues: ReadIssue[] = [...first.issues];
  const links: MediumRecord[] = [withoutIssues(first)];
  const seen = new Set([first.uuid]);
  let complete = true;
  let next = first.parentUuid;
  while (next !== undefined) {
    if (seen.has(next)) {
      issues.push({ message: `differencing chain loops back to ${next}; stopped there` });
      complete = false;
      break;
    }
    if (links.length - 1 >= maxDepth) {
      issues.push({ message: `differencing chain longer than ${maxDepth} parents; stopped there` });
      complete = false;
      break;
    }
    try {
      const parent = parseMediumInfo((await runner.run(['showmediuminfo', 'disk', next], run)).stdout);
      for (const i of parent.issues) issues.push({ message: `parent ${next}: ${i.message}` });
      seen.add(parent.uuid);
      links.push(withoutIssues(parent));
      next = parent.parentUuid;
    } catch (err) {
      if (err instanceof VBoxError && (err.kind === 'aborted' || err.kind === 'refused')) throw err;
      const why = err instanceof VBoxError ? (err.vboxMessage ?? err.message) : (err as Error).message;
      issues.push({ message: `parent medium ${next} could not be read: ${why}` });
      complete = false;
      break;
    }
  }
  links.reverse();
  return {
    ...links[links.length - 1],
    chain: links.map((l) => ({ uuid: l.uuid, location: l.location })),
    links,
    chainComplete: complete,
    issues,
  };
}

function withoutIssues(m: ParsedMedium): MediumRecord {
  const copy: Partial<ParsedMedium> = { ...m };
  delete copy.issues;
  return copy as MediumRecord;
}

/**
 * Runs `VBoxManage list hdds` and parses it ({@link parseListHdds}): every registered hard disk,
 * parents before their differencing children.
 * @throws VBoxError from the runner.
 */
export async function readListHdds(
  runner: Pick<VBoxRunner, 'run'>,
  opts: { signal?: AbortSignal } = {},
): Promise<ListHddsParse> {
  return parseListHdds((await runner.run(['list', 'hdds'], opts)).stdout);
}

const runners = new WeakMap<object, VBoxRunner>();

/**
 * Remembers the runner of the VBoxManage that `owner` (the inventory service) is reading, so API
 * handlers that need more VBoxManage calls (`media:info`) use the same executable, environment and
 * concurrency bound. Pass `undefined` to forget it (e.g. when falling back to demo VMs).
 */
export function rememberRunner(owner: object, runner: VBoxRunner | undefined): void {
  if (runner) runners.set(owner, runner);
  else runners.delete(owner);
}

/** The runner last remembered for `owner` by {@link rememberRunner}, or `undefined`. */
export function runnerFor(owner: object): VBoxRunner | undefined {
  return runners.get(owner);
}

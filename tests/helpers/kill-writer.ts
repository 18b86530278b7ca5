/**
 * Child process for tests/unit/store-safety-kill.test.ts: opens the store in `<dataDir>` the way the
 * app does (`openStoreSafely`) and saves notes in a loop until it is killed.
 *
 * Usage: `node tests/helpers/kill-writer.ts <dataDir> <tag>`
 *
 * stdout protocol, one line per event, written synchronously AFTER the call returned:
 * - `open` once the store is open (`recovered <path>` or `readonly` instead if the open was not clean);
 * - `n <i> <len>` after `saveNote('kill-<tag>', 'n<i>', body)` returned, where
 *   body = `<tag>:<i>:` + `x` × len (len varies so that the WAL grows and checkpoints happen);
 * - `l <i>` after `saveNote('kill-<tag>', 'last', String(i))` returned (an overwritten note).
 */

import fs from 'node:fs';
import { openStoreSafely } from '../../app/core/store/open.ts';

const [dataDir, tag] = process.argv.slice(2);
if (!dataDir || !tag) {
  process.stderr.write('usage: kill-writer.ts <dataDir> <tag>\n');
  process.exit(2);
}

/** Writes a whole line to fd 1 synchronously (retrying on EAGAIN: the pipe may be non-blocking). */
function say(line: string): void {
  const buf = Buffer.from(`${line}\n`);
  let off = 0;
  while (off < buf.length) {
    try {
      off += fs.writeSync(1, buf, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EAGAIN') throw err;
    }
  }
}

/** Body of note `i`: recomputable by the parent from `<tag>`, `i` and `len`. */
const bodyOf = (t: string, i: number, len: number): string => `${t}:${i}:${'x'.repeat(len)}`;

const store = openStoreSafely(dataDir);
if (store.recovered) say(`recovered ${store.recovered.movedTo}`);
else if (store.readOnly) say('readonly');
else say('open');

const vm = `kill-${tag}`;
let seed = [...tag].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 16777619), 2166136261) >>> 0;
const rand = (): number => {
  seed = (Math.imul(seed, 1664525) + 1013904223) >>> 0;
  return seed / 2 ** 32;
};
for (let i = 0; ; i++) {
  const len = rand() < 0.05 ? Math.floor(rand() * 100_000) : Math.floor(rand() * 2000);
  store.saveNote(vm, `n${i}`, bodyOf(tag, i, len));
  say(`n ${i} ${len}`);
  store.saveNote(vm, 'last', String(i));
  say(`l ${i}`);
}

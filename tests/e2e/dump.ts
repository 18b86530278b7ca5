import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * A deliberately simple, independent reading of a `showvminfo --machinereadable` fixture, used by the
 * e2e tests as the oracle for "the screen shows the dump's value". It reads only plain one-line
 * `key=value` / `key="value"` lines and quoted storage keys; it shares no code with the app's parser.
 */
export interface DumpFacts {
  uuid: string;
  name: string;
  memory?: string;
  cpus?: string;
  chipset?: string;
  firmware?: string;
  nics: { slot: number; attachment: string; type?: string; mac?: string; cable?: string }[];
  media: { key: string; medium: string }[];
}

const root = path.resolve(import.meta.dirname, '../..');

/** Reads the stand-in scenario file (tests/stand-in/scenarios/<name>.json). */
export function scenario(name: string): {
  vms: { uuid: string; name: string; showvminfo?: string; inaccessible?: boolean }[];
} {
  return JSON.parse(readFileSync(path.join(root, 'tests/stand-in/scenarios', `${name}.json`), 'utf8'));
}

/** Extracts the facts the e2e tests compare against from a fixture path relative to tests/fixtures. */
export function dumpFacts(fixture: string): DumpFacts {
  const text = readFileSync(path.join(root, 'tests/fixtures', fixture), 'utf8');
  const kv = new Map<string, string>();
  const media: { key: string; medium: string }[] = [];
  for (const raw of text.split(/\r?\n/)) {
    const storage = /^"(.+-\d+-\d+)"="(.*)"$/.exec(raw);
    if (storage) {
      if (
        !/-(ImageUUID|IsEjected|tempeject|dvdpassthrough|hot-pluggable|nonrotational|discard)-\d+-\d+$/.test(
          storage[1],
        )
      ) {
        if (storage[2] !== 'none') media.push({ key: storage[1], medium: storage[2] });
      }
      continue;
    }
    const m = /^([A-Za-z0-9_-]+)=(?:"(.*)"|(.*))$/.exec(raw);
    if (m && !kv.has(m[1])) kv.set(m[1], m[2] ?? m[3]);
  }
  const nics: DumpFacts['nics'] = [];
  for (let slot = 1; slot <= 36; slot++) {
    const attachment = kv.get(`nic${slot}`);
    if (attachment === undefined) break;
    nics.push({
      slot,
      attachment,
      type: kv.get(`nictype${slot}`),
      mac: kv.get(`macaddress${slot}`),
      cable: kv.get(`cableconnected${slot}`),
    });
  }
  return {
    uuid: (kv.get('UUID') ?? '').toLowerCase(),
    name: kv.get('name') ?? '',
    memory: kv.get('memory'),
    cpus: kv.get('cpus'),
    chipset: kv.get('chipset'),
    firmware: kv.get('firmware'),
    nics,
    media,
  };
}

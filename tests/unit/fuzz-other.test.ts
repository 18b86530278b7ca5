import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knownBugOf, optionalTargets, seedFor } from '../helpers/fuzz-targets.ts';

/**
 * Property tests of the VMware (`.vmx`) and KVM (libvirt domain XML, `virsh` output) readers
 * (issue 6), on mutated fixtures and arbitrary strings. Each reader is tested when its module
 * exists. FUZZ_TEST_RUNS (default 300) and FUZZ_SEED as in fuzz-vbox.test.ts.
 */

const RUNS = Number(process.env.FUZZ_TEST_RUNS ?? 300);
const root = path.resolve(import.meta.dirname, '../..');
const targets = await optionalTargets();

describe('VMware and KVM readers under generated input', () => {
  it('finds the readers whose modules exist', () => {
    const names = targets.map((t) => t.name);
    if (fs.existsSync(path.join(root, 'app/core/vmware/parse-vmx.ts')))
      expect(names).toContain('parseVmx/vmxToConfig');
    if (fs.existsSync(path.join(root, 'app/core/kvm/domain-xml.ts')))
      expect(names).toContain('parseDomainXml');
  });

  for (const t of targets) {
    it(`${t.name} (${t.file}): no untyped throw, invariants hold on ${RUNS} cases`, () => {
      fc.assert(
        fc.property(t.arbitrary, (input) => {
          try {
            t.check(input);
          } catch (err) {
            if (knownBugOf(t, err)) return;
            throw err;
          }
        }),
        { numRuns: RUNS, seed: seedFor(t.name) },
      );
    });
    for (const bug of t.knownBugs ?? []) {
      // Reported bug: unskip when the reader is fixed (and remove it from knownBugs).
      it.skip(`BUG ${t.name} ${bug.id}: ${bug.title}`, () => {
        const t0 = performance.now();
        expect(() => t.check(bug.example)).not.toThrow();
        if (bug.hangs) expect(performance.now() - t0).toBeLessThan(1000);
      });
    }
  }
});

import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { knownBugOf, optionalTargets, seedFor, type FuzzTarget } from '../helpers/fuzz-targets.ts';
import { parseDomainXml } from '../../app/core/kvm/domain-xml.ts';
import { parseDominfo, parseNodeinfo, parseVirshVersion } from '../../app/core/kvm/parse-virsh.ts';
import { parseVmx } from '../../app/core/vmware/parse-vmx.ts';
import { vmxToConfig } from '../../app/core/vmware/to-config.ts';

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

/** The 400-digit number the fuzzers used: far beyond a double (Infinity) and 2^53 (inexact). */
const HUGE = '9'.repeat(400);
/** How messages show it: the first 20 characters and `…`. */
const HUGE_SHOWN = `${'9'.repeat(20)}…`;

/** The target named `name` (its check asserts every fuzz invariant). */
const target = (name: string): FuzzTarget => {
  const t = targets.find((x) => x.name === name);
  if (!t) throw new Error(`no fuzz target ${name}`);
  return t;
};

describe('fuzz findings, fixed: numbers too large to be exact are left out with an issue', () => {
  it('.vmx reader: memsize = "999…" leaves memoryMB out; the other keys are read', () => {
    const text = `displayName = "x"\nmemsize = "${HUGE}"\nnumvcpus = "2"\n`;
    expect(() => target('parseVmx/vmxToConfig').check(text)).not.toThrow();
    const config = vmxToConfig(parseVmx(text, { path: '/vms/x/x.vmx' }), { path: '/vms/x/x.vmx' });
    expect(config.system.memoryMB).toBeUndefined();
    expect(config.system.cpus).toEqual({ value: 2, key: 'numvcpus', raw: '2' });
    expect(config.issues).toContainEqual({
      line: 2,
      message: `line 2: memsize "${HUGE_SHOWN}" is too large to be a number; the value is left out`,
    });
  });

  it('libvirt domain XML: <vcpu>999…</vcpu> leaves cpus out, keeps the raw text as the native value', () => {
    const text = `<domain type="kvm">\n  <name>x</name>\n  <vcpu>${HUGE}</vcpu>\n</domain>`;
    expect(() => target('parseDomainXml').check(text)).not.toThrow();
    const config = parseDomainXml(text);
    expect(config.system.cpus).toBeUndefined();
    expect(config.native?.['kvm.cpus.maxVcpus']).toMatchObject({ value: HUGE, key: 'domain/vcpu' });
    expect(config.issues).toContainEqual({
      line: 3,
      message: `line 3: <vcpu> "${HUGE_SHOWN}" is too large to be a number; the value is left out`,
    });
  });

  it('virsh dominfo: "CPU(s): 999…" leaves cpus out; the field keeps its text', () => {
    const text = `Name:           web-01\nCPU(s):         ${HUGE}\n`;
    expect(() => target('parseDominfo').check(text)).not.toThrow();
    const r = parseDominfo(text);
    expect(r.cpus).toBeUndefined();
    expect(r.name).toBe('web-01');
    expect(r.fields['CPU(s)']).toEqual({ value: HUGE, line: 2 });
    expect(r.issues).toEqual([
      {
        line: 2,
        message: `line 2: "CPU(s)" "${HUGE_SHOWN}" is too large to be a number; the value is left out`,
      },
    ]);
  });

  it('virsh nodeinfo: "CPU(s): 999…" leaves cpus out (one issue, not also "no CPU(s) line")', () => {
    const text = `CPU(s): ${HUGE}\nMemory size:         16318412 KiB\n`;
    expect(() => target('parseNodeinfo').check(text)).not.toThrow();
    const r = parseNodeinfo(text);
    expect(r.cpus).toBeUndefined();
    expect(r.memoryKiB).toBe(16318412);
    expect(r.issues).toEqual([
      {
        line: 1,
        message: `line 1: "CPU(s)" "${HUGE_SHOWN}" is too large to be a number; the value is left out`,
      },
    ]);
  });
});

describe('fuzz findings, fixed: slow regular expressions', () => {
  // `fields()` used /^([^:]+):[ \t]*(.*?)\s*$/, cubic in a run of blanks before a lone CR: 3000 blanks took
  // ≈ 8 s, 100 000 would take days. A lone CR now ends a line, as in the other readers.
  const blanks = ' '.repeat(100_000);
  const text = `Name:${blanks}\rb\n`;
  for (const name of ['parseDominfo', 'parseNodeinfo', 'parseVirshVersion']) {
    it(`${name}: "Name:" + 100 000 blanks + a lone CR is read in linear time`, () => {
      expect(() => target(name).check(text)).not.toThrow();
    });
  }

  it('parseDominfo on that input: Name is empty, and the text after the CR is line 2 with an issue', () => {
    const r = parseDominfo(text);
    expect(r.name).toBe('');
    expect(r.issues).toEqual([{ line: 2, message: 'line 2: expected "Label: value": b' }]);
    expect(parseVirshVersion(`Running hypervisor:${blanks}QEMU 7.2.0${blanks}\n`).hypervisor).toBe(
      'QEMU 7.2.0',
    );
  });
});

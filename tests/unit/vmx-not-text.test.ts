import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { discoverVmware } from '../../app/core/vmware/discover.ts';
import { NotVmxError, readVmx, vmxContentProblem } from '../../app/core/vmware/index.ts';

const BINARY = 'does not look like a VMware .vmx file (binary data)';
const NO_KEYS = 'does not look like a VMware .vmx file (no key = value lines)';

/** A pseudo-random byte string (fixed seed, so the test is repeatable). */
function randomBytes(n: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = 0x2545f491;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = x & 0xff;
  }
  return out;
}

const elf = readFileSync(process.execPath).subarray(0, 256 * 1024);
const inputs: [string, Uint8Array, string][] = [
  ['an ELF binary', elf, BINARY],
  ['random bytes', randomBytes(64 * 1024), BINARY],
  ['"hello world"', new TextEncoder().encode('hello world\n'), NO_KEYS],
  ['20 MB of A', new TextEncoder().encode('A'.repeat(20 * 1024 * 1024)), NO_KEYS],
];

describe('vmxContentProblem / readVmx refuse files that are not .vmx text', () => {
  it.each(inputs)('%s', (_name, bytes, expected) => {
    expect(vmxContentProblem(bytes)).toBe(expected);
    expect(() => readVmx(bytes, { path: '/vms/x.vmx', platform: 'linux' })).toThrow(NotVmxError);
    expect(() => readVmx(bytes, { path: '/vms/x.vmx', platform: 'linux' })).toThrow(
      `Cannot use /vms/x.vmx: it ${expected}.`,
    );
  });

  it('accepts a real .vmx, one with a few Latin-1 bytes, and a text with one key = value line', () => {
    expect(vmxContentProblem('config.version = "8"\nmemsize = "1024"\n')).toBeUndefined();
    expect(
      vmxContentProblem(
        new Uint8Array([...new TextEncoder().encode('displayName = "caf'), 0xe9, 0x22, 0x0a]),
      ),
    ).toBeUndefined();
    expect(readVmx('memsize = "4096"', { platform: 'linux' }).config.system.memoryMB?.value).toBe(4096);
  });
});

describe('folder scan skips non-.vmx files named *.vmx', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'vmx-not-text-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  it('lists the real VM and reports each refused file with its reason', async () => {
    mkdirSync(path.join(root, 'good'));
    writeFileSync(path.join(root, 'good', 'good.vmx'), 'config.version = "8"\ndisplayName = "Good VM"\n');
    const names = ['elf', 'random', 'hello', 'aaaa'];
    inputs.forEach(([, bytes], i) => {
      mkdirSync(path.join(root, names[i]!));
      writeFileSync(path.join(root, names[i]!, 'x.vmx'), bytes.subarray(0, 4 * 1024 * 1024));
    });
    const d = await discoverVmware({
      platform: 'linux',
      env: {},
      homedir: path.join(root, 'no-home'),
      extraFolders: [root],
      vmrunPath: null,
    });
    expect(d.vms.map((v) => v.config?.general.name?.value)).toEqual(['Good VM']);
    inputs.forEach(([, , expected], i) => {
      const file = path.join(root, names[i]!, 'x.vmx');
      expect(d.issues.find((x) => x.file === file)?.message).toBe(`Skipped ${file}: it ${expected}.`);
    });
  });
});

describe('CLI: inspect --file of a .vmx that is not one', () => {
  it('says why in one line and exits 1 (no stack trace)', async () => {
    const { execFile } = await import('node:child_process');
    const dir = mkdtempSync(path.join(tmpdir(), 'vmc-notvmx-cli-'));
    const file = path.join(dir, 'hello.vmx');
    writeFileSync(file, 'hello world\n');
    const root = path.resolve(import.meta.dirname, '../..');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      execFile(
        process.execPath,
        [path.join(root, 'bin', 'vm-companion.mjs'), 'inspect', '--file', file],
        { timeout: 30_000 },
        (err, stdout, stderr) =>
          resolve({ code: err ? ((err as { code?: number }).code ?? null) : 0, stdout, stderr }),
      );
    });
    rmSync(dir, { recursive: true, force: true });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      `vm-companion: Cannot use ${file}: it does not look like a VMware .vmx file (no key = value lines).\n`,
    );
    expect(r.stdout).toBe('');
  });
});

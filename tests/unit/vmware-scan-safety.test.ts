import { execFileSync } from 'node:child_process';
import {
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  truncateSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readDomainXmlFile } from '../../app/core/kvm/inventory.ts';
import { readRegistry } from '../../app/core/vbox/vbox-registry.ts';
import { discoverVmware } from '../../app/core/vmware/discover.ts';

const posixOnly = process.platform === 'win32' ? describe.skip : describe;

posixOnly('VMware discovery refuses FIFOs, devices and oversized files', () => {
  const root = mkdtempSync(path.join(tmpdir(), 'vmw-safety-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));
  const good = path.join(root, 'good');
  mkdirSync(good);
  writeFileSync(
    path.join(good, 'good.vmx'),
    'config.version = "8"\ndisplayName = "Good VM"\nmemsize = "2048"\n',
  );

  const run = (folder: string) =>
    discoverVmware({
      platform: 'linux',
      env: {},
      homedir: path.join(root, 'no-home'),
      extraFolders: [folder],
      vmrunPath: null,
    });

  it('skips a FIFO named *.vmx without hanging and still lists the other VM', async () => {
    mkdirSync(path.join(root, 'fifo'));
    const fifo = path.join(root, 'fifo', 'old.vmx');
    execFileSync('mkfifo', [fifo]);
    const d = await run(root);
    expect(d.vms.map((v) => v.config?.general.name?.value)).toEqual(['Good VM']);
    const issue = d.issues.find((i) => i.file === fifo);
    expect(issue?.message).toBe(`Skipped ${fifo}: not a regular file (a device, pipe or socket).`);
    rmSync(fifo);
  }, 10_000);

  it('skips a symlink to /dev/zero without reading it', async () => {
    mkdirSync(path.join(root, 'sub'));
    const zero = path.join(root, 'sub', 'zero.vmx');
    symlinkSync('/dev/zero', zero);
    const d = await run(root);
    expect(d.vms).toHaveLength(1);
    expect(d.vms[0]?.config?.general.name?.value).toBe('Good VM');
    expect(d.issues.find((i) => i.file === zero)?.message).toMatch(/not a regular file/);
    rmSync(zero);
  }, 10_000);

  it('skips a 17 MiB sparse .vmx as too large', async () => {
    mkdirSync(path.join(root, 'big'));
    const big = path.join(root, 'big', 'big.vmx');
    writeFileSync(big, '');
    truncateSync(big, 17 * 1024 * 1024);
    const d = await run(root);
    expect(d.vms.map((v) => v.config?.general.name?.value)).toEqual(['Good VM']);
    expect(d.issues.find((i) => i.file === big)?.message).toBe(
      `Skipped ${big}: the file is too large (17825792 bytes; at most 16777216 bytes are read).`,
    );
    rmSync(big);
  });

  it('skips a FIFO inventory.vmls and preferences with an issue', async () => {
    const home = path.join(root, 'home');
    mkdirSync(path.join(home, '.vmware'), { recursive: true });
    execFileSync('mkfifo', [path.join(home, '.vmware', 'inventory.vmls')]);
    symlinkSync('/dev/zero', path.join(home, '.vmware', 'preferences'));
    const d = await discoverVmware({
      platform: 'linux',
      env: {},
      homedir: home,
      extraFolders: [good],
      vmrunPath: null,
    });
    expect(d.vms).toHaveLength(1);
    const messages = d.issues.map((i) => i.message).join('\n');
    expect(messages).toContain(`${path.join(home, '.vmware', 'inventory.vmls')}: not a regular file`);
    expect(messages).toContain(`${path.join(home, '.vmware', 'preferences')}: not a regular file`);
  }, 10_000);
});

posixOnly('VMware discovery with an injected plain reader (as the CLI passes)', () => {
  it('still refuses a FIFO and /dev/zero before the reader is called', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'vmw-inject-'));
    try {
      mkdirSync(path.join(root, 'a'));
      mkdirSync(path.join(root, 'b'));
      mkdirSync(path.join(root, 'ok'));
      execFileSync('mkfifo', [path.join(root, 'a', 'a.vmx')]);
      symlinkSync('/dev/zero', path.join(root, 'b', 'b.vmx'));
      writeFileSync(path.join(root, 'ok', 'ok.vmx'), 'displayName = "OK"\n');
      const reads: string[] = [];
      const d = await discoverVmware({
        platform: 'linux',
        env: {},
        homedir: path.join(root, 'no-home'),
        extraFolders: [root],
        vmrunPath: null,
        readFile: async (p) => {
          reads.push(p);
          return readFileSync(p);
        },
      });
      expect(d.vms.map((v) => v.config?.general.name?.value)).toEqual(['OK']);
      expect(reads.filter((r) => r.endsWith('.vmx'))).toEqual([path.join(root, 'ok', 'ok.vmx')]);
      expect(d.issues.filter((i) => /not a regular file/.test(i.message))).toHaveLength(2);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 10_000);
});

posixOnly('VirtualBox.xml and KVM domain readers refuse FIFOs and devices', () => {
  it('readRegistry skips a FIFO VirtualBox.xml and a /dev/zero one with the reason', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'vbox-fifo-'));
    try {
      const fifo = path.join(root, 'VirtualBox.xml');
      execFileSync('mkfifo', [fifo]);
      const zero = path.join(root, 'zero.xml');
      symlinkSync('/dev/zero', zero);
      const r = await readRegistry({ candidates: [fifo, zero] });
      expect(r.registry).toBeUndefined();
      expect(r.tried).toEqual([
        {
          path: fifo,
          error: `VirtualBox.xml could not be read (${fifo}): not a regular file (a device, pipe or socket)`,
        },
        {
          path: zero,
          error: `VirtualBox.xml could not be read (${zero}): not a regular file (a device, pipe or socket)`,
        },
      ]);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 10_000);

  it('readDomainXmlFile refuses a FIFO without hanging', async () => {
    const root = mkdtempSync(path.join(tmpdir(), 'kvm-fifo-'));
    try {
      const fifo = path.join(root, 'dom.xml');
      execFileSync('mkfifo', [fifo]);
      await expect(readDomainXmlFile(fifo)).rejects.toThrow(`${fifo} is not a regular file`);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, 10_000);
});

/**
 * Issue 6 (a): every way a `VBoxManage` install can misbehave, replayed by the stand-in
 * (tests/stand-in, scenarios `failure-modes`, `odd-names`, `vboxsvc-down` and variants of `lab`),
 * checked where the UI gets its data: the runner's typed error and the inventory service's
 * `Inventory` (the machines list shows `vbox.error`, `vbox.warning` and each VM's `error` as they are
 * here). The other VMs always still load. The CLI side is in cli-failures.test.ts, the UI side in
 * tests/e2e/failures.spec.ts.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { sentence, sentences } from '../../app/core/sentence.ts';
import { isTimeoutFailure } from '../../app/core/vbox/inventory.ts';
import { timedOut } from '../../renderer/src/lib/vm-failure.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { VBoxError, VBoxRunner, byteSize, getVersion } from '../../app/core/vbox/runner.ts';
import type { VmSummary } from '../../app/shared/model.ts';
import {
  STAND_IN,
  assertOnlyReadVerbs,
  loadScenario,
  readStandInCalls,
  readStandInLog,
  standInEnv,
  tempLog,
  writeScenario,
} from '../helpers/stand-in.ts';

const ISSABEL = '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127';
const WIN2016 = 'cc6f308c-ca75-4060-b9b7-90c0e0882377';
const DENIED = '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f';
const GONE = '5c6d7e8f-9a0b-4c1d-8e2f-3a4b5c6d7e8f';
const HANGING = '1d2c3b4a-5e6f-4a7b-8c9d-0e1f2a3b4c5d';
const CHATTY = '2e3f4a5b-6c7d-4e8f-9a0b-1c2d3e4f5a6b';
const QUIET = '3f4a5b6c-7d8e-4f9a-8b1c-2d3e4f5a6b7c';
const BROKEN = '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13';
const MISSING = '/nonexistent/vbox/VBoxManage';
const BANNER_WARNING =
  'VBoxManage warns: The vboxdrv kernel module is not loaded. Either there is no module available for the current kernel (6.1.0-21-amd64) or it failed to load. Please recompile the kernel module and install it by sudo /sbin/vboxconfig You will not be able to start VMs until this problem is fixed.';
const COM_ERROR =
  'Failed to create the VirtualBox object!\nCode CO_E_SERVER_EXEC_FAILURE (0x80080005) - Server execution failed (extended info not available)\nMost likely, the VirtualBox COM server is not running or failed to start.';
const LOCALE_HINT = '(a locale problem such as LANG=C can cause this)';

let dir: string;
let logFile: string;
let store: Store;

beforeEach(() => {
  ({ dir, logFile } = tempLog());
  store = openStore(path.join(dir, 'data'));
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** An inventory service on the stand-in (bundled scenario name or path), no registry, no real home. */
function service(
  scenario: string,
  opts: { vboxManage?: string; timeoutMs?: number; maxBufferBytes?: number } = {},
): InventoryService {
  return new InventoryService({
    store,
    env: { PATH: '', VBOXMANAGE: opts.vboxManage ?? STAND_IN, ...standInEnv(scenario, logFile) },
    platform: 'linux',
    homedir: path.join(dir, 'home'),
    registryCandidates: [],
    runnerOptions: {
      timeoutMs: opts.timeoutMs ?? 5000,
      killGraceMs: 200,
      ...(opts.maxBufferBytes ? { maxBufferBytes: opts.maxBufferBytes } : {}),
    },
  });
}

function byId(vms: VmSummary[], id: string): VmSummary {
  const vm = vms.find((v) => v.id === id);
  if (!vm) throw new Error(`VM ${id} is not listed`);
  return vm;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('binary missing', () => {
  it('runner: not_found with the path; nothing else is tried', async () => {
    const runner = new VBoxRunner(MISSING);
    const err = (await runner.run(['list', 'vms']).catch((e: unknown) => e)) as VBoxError;
    expect(err).toBeInstanceOf(VBoxError);
    expect(err.kind).toBe('not_found');
    expect(err.message).toBe(`VBoxManage was not found at ${MISSING}`);
  });

  it('service: says which path does not exist, lists the demo VMs, never fatal', async () => {
    const inv = await service('lab', { vboxManage: MISSING }).list();
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.error).toBe(
      `The VBOXMANAGE path (${MISSING}) does not exist. No other VBoxManage was found in the usual places either. Demo VMs are shown meanwhile.`,
    );
    expect(inv.vbox.tried[0]).toBe(MISSING);
    expect(inv.demo).toBe(true);
    expect(inv.vms).toHaveLength(5);
    expect(inv.vms.every((v) => v.source === 'demo')).toBe(true);
    expect(readStandInLog(logFile)).toEqual([]);
  });

  it('service: the VMs registered in VirtualBox.xml are shown instead of demo VMs when there are some', async () => {
    const home = path.join(dir, 'vbox-home');
    fs.mkdirSync(home);
    const vbox = path.join(dir, 'vm', 'natfwd.vbox');
    fs.mkdirSync(path.dirname(vbox));
    fs.copyFileSync(
      path.resolve(import.meta.dirname, '../fixtures/vbox/vagrant-test-trimmed-snapshot-natfwd.vbox'),
      vbox,
    );
    const uuid = /<Machine uuid="\{([^}]+)\}"/.exec(fs.readFileSync(vbox, 'utf8'))![1];
    fs.writeFileSync(
      path.join(home, 'VirtualBox.xml'),
      `<?xml version="1.0"?>\n<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">\n  <Global>\n    <MachineRegistry>\n      <MachineEntry uuid="{${uuid}}" src="${vbox}"/>\n    </MachineRegistry>\n  </Global>\n</VirtualBox>\n`,
    );
    const inv = await new InventoryService({
      store,
      env: { PATH: '', VBOXMANAGE: MISSING, VBOX_USER_HOME: home },
      platform: 'linux',
      homedir: path.join(dir, 'home'),
    }).list();
    expect(inv.demo).toBe(false);
    expect(inv.vbox.error).toBe(
      `The VBOXMANAGE path (${MISSING}) does not exist. No other VBoxManage was found in the usual places either. The VMs registered in ${path.join(home, 'VirtualBox.xml')} are shown, read from their settings files; their running state is unknown.`,
    );
    expect(inv.vms.map((v) => [v.id, v.source, v.accessible])).toEqual([[uuid.toLowerCase(), 'file', true]]);
  });
});

describe('VBoxManage exits non-zero with "VBoxManage: error:" text', () => {
  it('runner: exit with the exit code, stderr, and VBoxManage’s own lines (prefix and Context: dropped)', async () => {
    const runner = new VBoxRunner(STAND_IN, { env: standInEnv('vboxsvc-down', logFile) });
    const err = (await runner.run(['list', 'vms']).catch((e: unknown) => e)) as VBoxError;
    expect(err.kind).toBe('exit');
    expect(err.exitCode).toBe(1);
    expect(err.vboxMessage).toBe(COM_ERROR);
    expect(err.message).toBe(`VBoxManage list vms failed with exit code 1: ${COM_ERROR}`);
    // --version needs no VBoxSVC and still answers.
    expect(await getVersion(runner)).toBe('7.1.12r169651');
  });

  it('service: list vms failing (VBoxSVC down) is explained, demo VMs are shown', async () => {
    const inv = await service('vboxsvc-down').list();
    expect(inv.vbox).toMatchObject({ found: true, version: '7.1.12r169651', path: STAND_IN });
    // VBoxManage's lines joined as sentences (its last one ends with a full stop: no second one).
    expect(inv.vbox.error).toBe(
      'VBoxManage 7.1.12r169651 could not list the VMs: VBoxManage list vms failed with exit code 1: Failed to create the VirtualBox object! Code CO_E_SERVER_EXEC_FAILURE (0x80080005) - Server execution failed (extended info not available). Most likely, the VirtualBox COM server is not running or failed to start. Demo VMs are shown meanwhile.',
    );
    expect(inv.vbox.error).not.toMatch(/\.\./);
    expect(inv.demo).toBe(true);
    expect(inv.vms).toHaveLength(5);
    assertOnlyReadVerbs(logFile);
  });

  it('service: one VM whose showvminfo exits 1 is listed with VBoxManage’s words; the others load', async () => {
    const inv = await service('failure-modes', { timeoutMs: 2500 }).list();
    expect(byId(inv.vms, GONE)).toMatchObject({ name: 'Build', accessible: false });
    expect(byId(inv.vms, GONE).error).toBe(
      `VBoxManage failed (exit code 1): Could not find a registered machine with UUID {${GONE}}. Details: code VBOX_E_OBJECT_NOT_FOUND (0x80bb0001), component VirtualBoxWrap, interface IVirtualBox, callee nsISupports.`,
    );
    expect(byId(inv.vms, ISSABEL)).toMatchObject({ accessible: true, cpus: 2, memoryMB: 2048 });
  });
});

describe('every per-VM failure at once (failure-modes scenario)', () => {
  it('each failed VM says why, in English, starting with the kind; Issabel and Win2016SRV load; the banner is said once', async () => {
    const scenario = loadScenario('failure-modes');
    const started = Date.now();
    // The deadline exceeds VBoxSVC's slow first answer (1.5 s) and stops the hanging VM.
    const svc = service('failure-modes', { timeoutMs: 2500, maxBufferBytes: 1024 * 1024 });
    const inv = await svc.list();
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(inv.demo).toBe(false);
    expect(inv.vms.map((v) => v.id)).toEqual(scenario.vms.map((v) => v.uuid));
    expect(inv.vbox.warning).toBe(BANNER_WARNING);

    expect(byId(inv.vms, DENIED).error).toBe(
      "Access denied: The object functionality is limited. Details: code E_ACCESSDENIED (0x80070005), component MachineWrap, interface IMachine, callee nsISupports. Likely cause: the VM belongs to another user, or VirtualBox's service (VBoxSVC) runs as another user.",
    );
    expect(byId(inv.vms, HANGING).error).toBe(
      'Timed out after 2.5 s: VBoxManage gave no answer for this VM and was stopped (the VM may be busy or its session stuck).',
    );
    expect(byId(inv.vms, CHATTY).error).toBe(
      `Output too large: VBoxManage showvminfo ${CHATTY} --machinereadable printed more than 1 MiB (1048576 bytes) and was stopped.`,
    );
    expect(byId(inv.vms, QUIET).error).toBe(
      `No output: VBoxManage showvminfo ${QUIET} --machinereadable exited 0 but printed nothing ${LOCALE_HINT}.`,
    );
    expect(byId(inv.vms, BROKEN)).toMatchObject({ name: '<inaccessible>', accessible: false });
    expect(byId(inv.vms, BROKEN).error).toMatch(
      /^VirtualBox could not read this VM \(settings file \/home\/user\/VirtualBox VMs\/Old lab\/Old lab\.vbox\): Runtime error opening/,
    );
    for (const id of [DENIED, GONE, HANGING, CHATTY, QUIET, BROKEN]) {
      expect(byId(inv.vms, id).accessible).toBe(false);
      expect((await svc.get(id)).config).toBeNull();
    }
    // The rest still load, without the banner in their own issues.
    for (const id of [ISSABEL, WIN2016]) {
      const d = await svc.get(id);
      expect(d.summary.accessible).toBe(true);
      expect(d.config?.issues.some((i) => /vboxdrv/.test(i.message))).toBe(false);
    }
    expect(byId(inv.vms, WIN2016)).toMatchObject({ name: 'Win2016SRV', cpus: 2, memoryMB: 4096 });

    const calls = readStandInCalls(logFile);
    assertOnlyReadVerbs(calls.map((c) => c.argv));
    // The hanging showvminfo was killed, not left behind.
    const hung = calls.find((c) => c.hang)!;
    expect(hung.argv).toEqual(['showvminfo', HANGING, '--machinereadable']);
    expect(alive(hung.pid)).toBe(false);
    // VBoxSVC's start-up delay was paid by one call only (the first to start).
    expect(calls.map((c) => c.delayMs).filter((d) => d > 0)).toEqual([1500]);
  });
});

describe('output floods', () => {
  it('runner: too_large names the cap in MiB and bytes; the process is stopped', async () => {
    const file = writeScenario(dir, { floodBytes: 3 * 1024 * 1024 });
    const runner = new VBoxRunner(STAND_IN, {
      maxBufferBytes: 1024 * 1024,
      env: standInEnv(file, logFile),
    });
    const err = (await runner.run(['list', 'vms']).catch((e: unknown) => e)) as VBoxError;
    expect(err.kind).toBe('too_large');
    expect(err.message).toBe('VBoxManage list vms printed more than 1 MiB (1048576 bytes) and was stopped');
    expect(alive(readStandInCalls(logFile)[0].pid)).toBe(false);
    expect(byteSize(16 * 1024 * 1024)).toBe('16 MiB (16777216 bytes)');
    expect(byteSize(65536)).toBe('64 KiB (65536 bytes)');
    expect(byteSize(1000)).toBe('1000 bytes');
  });

  it('service: every call flooding makes VBoxManage unusable, said plainly; demo VMs are shown', async () => {
    const file = writeScenario(dir, { floodBytes: 3 * 1024 * 1024 });
    const inv = await service(file, { maxBufferBytes: 1024 * 1024 }).list();
    expect(inv.vbox.found).toBe(false);
    expect(inv.vbox.error).toBe(
      `VBoxManage at ${STAND_IN} could not be used: VBoxManage --version printed more than 1 MiB (1048576 bytes) and was stopped. Demo VMs are shown meanwhile.`,
    );
    expect(inv.demo).toBe(true);
  });
});

describe('empty output (some locales, T11)', () => {
  it('runner: empty for commands that always print; an empty list vms is a valid empty list', async () => {
    const file = writeScenario(dir, { emptyOutput: true });
    const runner = new VBoxRunner(STAND_IN, { env: standInEnv(file, logFile) });
    const err = (await runner.run(['--version']).catch((e: unknown) => e)) as VBoxError;
    expect(err.kind).toBe('empty');
    expect(err.message).toBe(`VBoxManage --version exited 0 but printed nothing ${LOCALE_HINT}`);
    expect((await runner.run(['list', 'vms'])).stdout).toBe('');
  });

  it('service: nothing printed anywhere → VBoxManage is not used, the reason names the locale', async () => {
    const file = writeScenario(dir, { emptyOutput: true });
    const inv = await service(file).list();
    expect(inv.vbox.error).toBe(
      `VBoxManage at ${STAND_IN} could not be used: VBoxManage --version exited 0 but printed nothing ${LOCALE_HINT}. Demo VMs are shown meanwhile.`,
    );
    expect(inv.demo).toBe(true);
  });
});

describe('VBoxSVC slow on the first call', () => {
  it('a slow first call within the deadline: every VM loads, only the first call waited', async () => {
    const file = writeScenario(dir, { firstCallDelayMs: 1200 });
    const inv = await service(file, { timeoutMs: 5000 }).list();
    expect(inv.vbox.found).toBe(true);
    expect(inv.vms.filter((v) => v.accessible)).toHaveLength(loadScenario('lab').vms.length - 1);
    const calls = readStandInCalls(logFile);
    expect(calls.map((c) => c.delayMs).filter((d) => d > 0)).toEqual([1200]);
  });

  it('a first call slower than the deadline: the timeout is named, demo VMs are shown', async () => {
    const file = writeScenario(dir, { firstCallDelayMs: 3000 });
    const inv = await service(file, { timeoutMs: 600 }).list();
    // Whichever call VBoxSVC's start-up delays (--version or list vms, which may run side by side)
    // times out, and the reason says which.
    const esc = STAND_IN.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    expect(inv.vbox.error).toMatch(
      new RegExp(
        `^VBoxManage (at ${esc} could not be used: VBoxManage --version|7\\.1\\.12r169651 could not list the VMs: VBoxManage list vms) timed out \\(no answer within 600 ms\\); it was stopped\\. Demo VMs are shown meanwhile\\.$`,
      ),
    );
    expect(inv.demo).toBe(true);
    const slow = readStandInCalls(logFile).find((c) => c.delayMs > 0)!;
    expect(alive(slow.pid)).toBe(false);
  });
});

describe('odd VM names (odd-names scenario)', () => {
  const scenario = loadScenario('odd-names');
  const names = scenario.vms.map((v) => v.name!);

  it('are listed and read literally; every per-VM call uses the UUID; no shell ever sees a name', async () => {
    const pwned = '/tmp/pwned';
    const existed = fs.existsSync(pwned);
    const svc = service('odd-names');
    const inv = await svc.list();
    expect(inv.vms.map((v) => v.name)).toEqual(names);
    expect(names).toEqual([
      '-rf',
      'a"b',
      '{x}',
      'first line\nsecond line',
      '虚拟机',
      '$(touch /tmp/pwned); ls | cat &',
      'Issabel',
    ]);
    expect(inv.vms.every((v) => v.accessible)).toBe(true);
    for (const vm of scenario.vms) {
      const d = await svc.get(vm.uuid);
      expect(d.config?.general.name?.value).toBe(vm.name);
    }
    const argvs = readStandInLog(logFile);
    assertOnlyReadVerbs(argvs);
    const perVm = argvs.filter((a) => a[0] !== 'list' && a[0] !== '--version');
    // showvminfo for each, and the snapshot list get() reads for those without snapshot keys.
    expect(perVm.filter((a) => a[0] === 'showvminfo')).toHaveLength(names.length);
    for (const argv of perVm)
      expect(argv[1]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    for (const argv of argvs) for (const name of names) expect(argv).not.toContain(name);
    if (!existed) expect(fs.existsSync(pwned)).toBe(false);
  });

  it('the stand-in prints the names as VirtualBox does (raw in list vms, escaped in showvminfo)', () => {
    const env = { ...process.env, ...standInEnv('odd-names') };
    const list = execFileSync(STAND_IN, ['list', 'vms'], { env, encoding: 'utf8' });
    expect(list).toContain('"a"b" {a0000001-0000-4000-8000-000000000002}\n');
    expect(list).toContain('"first line\nsecond line" {a0000001-0000-4000-8000-000000000004}\n');
    const dump = execFileSync(
      STAND_IN,
      ['showvminfo', 'a0000001-0000-4000-8000-000000000002', '--machinereadable'],
      {
        env,
        encoding: 'utf8',
      },
    );
    expect(dump.split('\n').slice(0, 5)).toEqual([
      'name="a\\"b"',
      'Encryption:     disabled',
      'groups="/"',
      'ostype="Ubuntu (64-bit)"',
      'UUID="a0000001-0000-4000-8000-000000000002"',
    ]);
  });
});

describe('messages join as sentences (sentence.ts) and name timeouts (isTimeoutFailure, timedOut)', () => {
  it('adds a full stop only when the text does not end a sentence already', () => {
    expect(sentence('failed to start.')).toBe('failed to start.');
    expect(sentence('  is limited  ')).toBe('is limited.');
    expect(sentence('Failed to create the VirtualBox object!')).toBe(
      'Failed to create the VirtualBox object!',
    );
    expect(sentence('(File not found.)')).toBe('(File not found.)');
    expect(sentence('it was stopped (the VM may be busy)')).toBe('it was stopped (the VM may be busy).');
    expect(sentence('The following error occurred:')).toBe('The following error occurred:');
    expect(sentence('无法读取。')).toBe('无法读取。');
    expect(sentence('   ')).toBe('');
    expect(sentences(COM_ERROR)).toBe(
      'Failed to create the VirtualBox object! Code CO_E_SERVER_EXEC_FAILURE (0x80080005) - Server execution failed (extended info not available). Most likely, the VirtualBox COM server is not running or failed to start.',
    );
    expect(sentences('one\r\n\r\ntwo.\rthree')).toBe('one. two. three.');
  });

  it('the core, the CLI and the UI agree on which texts are timeouts', () => {
    const texts: [string, boolean][] = [
      ['Timed out after 2.5 s: VBoxManage gave no answer for this VM and was stopped.', true],
      ['Timed out: VBoxManage gave no answer for this VM and was stopped.', true],
      ['VBoxManage failed (exit code 1): Timed out waiting.', false],
      ['Timed outside: no', false],
      ['', false],
    ];
    for (const [text, expected] of texts) {
      expect(isTimeoutFailure(text)).toBe(expected);
      expect(timedOut(text)).toBe(expected);
    }
    expect(isTimeoutFailure(undefined)).toBe(false);
    expect(timedOut(undefined)).toBe(false);
  });
});

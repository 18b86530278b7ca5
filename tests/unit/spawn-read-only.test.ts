/**
 * Issue 6 (b): VBoxManage is only ever asked to read. Every code path that spawns it — the inventory
 * service (list, refresh, get with the snapshot tree, compare, openFile), the readers that take a
 * runner (VM list and dumps, host info, version, snapshot list, media), the CLI commands and every
 * API channel through `dispatch` — runs against the stand-in with its own log; each log must be
 * non-empty for a path that spawns, and every logged argv must pass `assertReadOnlyArgs` with a verb
 * from `READ_VERBS`. The assertions are generic (verbs ⊆ READ_VERBS), not a fixed call list, so they
 * keep holding when a reader adds calls.
 *
 * A static guard scans app/**\/*.ts for places that start processes and compares them with an
 * explicit allow-list: a new spawning site fails this test until it is walked here (or, when it runs
 * another program, listed with that program).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createHandlers } from '../../app/core/api/handlers.ts';
import { dispatch } from '../../app/core/api/dispatch.ts';
import { runCli } from '../../app/core/cli.ts';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { readListHdds, readMediumChain } from '../../app/core/media.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import * as vboxInventory from '../../app/core/vbox/inventory.ts';
import { readSnapshotList } from '../../app/core/vbox/parse-snapshots.ts';
import { READ_VERBS, VBoxRunner, assertReadOnlyArgs, getVersion } from '../../app/core/vbox/runner.ts';
import { CHANNELS, type Channel } from '../../app/shared/contract.ts';
import { STAND_IN, loadScenario, readStandInLog, standInEnv, tempLog } from '../helpers/stand-in.ts';

const root = path.resolve(import.meta.dirname, '../..');
const LAB = loadScenario('lab');
/** Lab VMs: one with a recorded snapshot list (read lazily by get), one with a differencing disk. */
const SNAPSHOT_VM = 'c8775131-d296-4ad5-bf03-84ff719e6e4c';
const DISK_VM = '6294f16b-4f05-4430-afb9-773bdb237aec';
const DISK = '1c182745-4b09-41a1-a147-d3ced46f72f6';
const ISSABEL = '7d795bc9-0a86-4e7a-b07a-4b9c3d8fb127';
const ISSABEL_DUMP = path.join(
  root,
  'tests/fixtures/showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt',
);

const cleanup: (() => void)[] = [];
afterAll(() => cleanup.forEach((f) => f()));

/** A fresh log (and folder) for one path. */
function freshLog(): { dir: string; logFile: string } {
  const t = tempLog();
  cleanup.push(() => fs.rmSync(t.dir, { recursive: true, force: true }));
  return t;
}

/**
 * The check every path ends with: the log is non-empty (when `spawns`), every argv is a read-only
 * command the runner accepts, and its verb is one of `READ_VERBS`.
 */
function expectReadOnly(logFile: string, what: string, spawns = true): string[][] {
  const argvs = readStandInLog(logFile);
  if (spawns) expect(argvs.length, `${what}: nothing was spawned`).toBeGreaterThan(0);
  for (const argv of argvs) {
    expect(() => assertReadOnlyArgs(argv), `${what}: ${JSON.stringify(argv)}`).not.toThrow();
    expect(READ_VERBS as readonly string[], `${what}: ${JSON.stringify(argv)}`).toContain(argv[0]);
  }
  return argvs;
}

function newStore(dir: string): Store {
  const store = openStore(path.join(dir, 'data'));
  cleanup.unshift(() => store.close());
  return store;
}

/** An inventory service on the lab stand-in, logging to `logFile`; no registry, no real home. */
function labService(dir: string, logFile: string, store = newStore(dir)): InventoryService {
  return new InventoryService({
    store,
    env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) },
    platform: 'linux',
    homedir: path.join(dir, 'home'),
    registryCandidates: [],
    runnerOptions: { timeoutMs: 10_000, killGraceMs: 200 },
  });
}

function labRunner(logFile: string): VBoxRunner {
  return new VBoxRunner(STAND_IN, { env: standInEnv('lab', logFile), timeoutMs: 10_000 });
}

describe('the check itself', () => {
  it('fails on a write verb, on a VM named instead of its UUID, and on an empty log where a spawn was due', () => {
    const { logFile } = freshLog();
    const log = (argv: string[]) =>
      fs.appendFileSync(logFile, `${JSON.stringify({ argv, time: 0, pid: 0, delayMs: 0 })}\n`);
    expect(() => expectReadOnly(logFile, 'empty')).toThrow(/nothing was spawned/);
    log(['showvminfo', ISSABEL, '--machinereadable']);
    expect(() => expectReadOnly(logFile, 'read')).not.toThrow();
    log(['showvminfo', 'Issabel', '--machinereadable']);
    expect(() => expectReadOnly(logFile, 'by name')).toThrow();
    fs.writeFileSync(logFile, '');
    log(['modifyvm', ISSABEL, '--memory', '1024']);
    expect(() => expectReadOnly(logFile, 'write')).toThrow();
  });
});

describe('inventory service paths', () => {
  const paths: [string, (svc: InventoryService) => Promise<unknown>][] = [
    ['list()', (svc) => svc.list()],
    ['list(refresh)', async (svc) => svc.list(true)],
    [
      'get() with the lazily read snapshot tree',
      async (svc) => {
        const d = await svc.get(SNAPSHOT_VM);
        expect(d.config?.snapshots.length).toBeGreaterThan(0);
      },
    ],
    ['get() of every lab VM', async (svc) => Promise.all(LAB.vms.map((vm) => svc.get(vm.uuid)))],
    ['compare()', (svc) => svc.compare(ISSABEL, SNAPSHOT_VM)],
    [
      'openFile() of a dump whose VM is listed',
      async (svc) => {
        const d = await svc.openFile(ISSABEL_DUMP);
        expect(d.summary.source).toBe('vboxmanage');
      },
    ],
  ];
  for (const [what, run] of paths) {
    it(`${what}: read verbs only`, async () => {
      const { dir, logFile } = freshLog();
      await run(labService(dir, logFile));
      expectReadOnly(logFile, what);
    });
  }

  it('refresh after a cached read spawns again, still read-only', async () => {
    const { dir, logFile } = freshLog();
    const svc = labService(dir, logFile);
    await svc.list();
    const first = readStandInLog(logFile).length;
    await svc.list(true);
    expect(readStandInLog(logFile).length).toBeGreaterThan(first);
    expectReadOnly(logFile, 'refresh');
  });
});

describe('readers that take a runner', () => {
  const readers: [string, (runner: VBoxRunner) => Promise<unknown>][] = [
    ['getVersion', (r) => getVersion(r)],
    ['readHostInfo', (r) => vboxInventory.readHostInfo(r)],
    ['listVms', (r) => vboxInventory.listVms(r)],
    ['readInventory', (r) => vboxInventory.readInventory(r)],
    [
      'readVm (accessible and inaccessible rows)',
      async (r) => {
        const { rows } = await vboxInventory.listVms(r);
        await Promise.all(rows.map((row) => vboxInventory.readVm(r, row)));
      },
    ],
    ['readListedVms', async (r) => vboxInventory.readListedVms(r, await vboxInventory.listVms(r))],
    ['readSnapshotList', (r) => readSnapshotList(r, SNAPSHOT_VM)],
    ['readMediumChain (showmediuminfo and its parents)', (r) => readMediumChain(r, DISK)],
    ['readListHdds', (r) => readListHdds(r)],
  ];
  // Readers added to vbox/inventory.ts that need only a runner are walked too (e.g. listRunningVms).
  for (const [name, fn] of Object.entries(vboxInventory)) {
    if (typeof fn !== 'function' || readers.some(([n]) => n.startsWith(name))) continue;
    if (/^(list|read)/.test(name) && fn.length === 1)
      readers.push([name, (r) => (fn as (runner: VBoxRunner) => Promise<unknown>)(r)]);
  }
  for (const [what, read] of readers) {
    it(`${what}: read verbs only`, async () => {
      const { logFile } = freshLog();
      await read(labRunner(logFile));
      expectReadOnly(logFile, what);
    });
  }
});

describe('CLI commands that call VBoxManage', () => {
  const commands: string[][] = [
    ['inspect'],
    ['inspect', '--json'],
    ['inspect', '--vm', 'Issabel', '--json'],
    ['inspect', '--vm', ISSABEL],
    ['inspect', '--lang', 'zh-CN', '--vm', 'testvm1'],
    ['compare', 'Issabel', 'Win2016SRV'],
    ['compare', ISSABEL, SNAPSHOT_VM, '--json', '--differences'],
  ];
  for (const argv of commands) {
    it(`vm-companion ${argv.join(' ')}: read verbs only`, async () => {
      const { logFile } = freshLog();
      let out = '';
      let err = '';
      const code = await runCli(argv, {
        stdout: (t) => (out += t),
        stderr: (t) => (err += t),
        env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) },
        cwd: root,
        platform: 'linux',
      });
      expect(code, err).toBe(0);
      expect(out.length).toBeGreaterThan(0);
      expectReadOnly(logFile, argv.join(' '));
    });
  }

  it('inspect --file reads no VBoxManage at all', async () => {
    const { logFile } = freshLog();
    const code = await runCli(['inspect', '--file', ISSABEL_DUMP, '--json'], {
      stdout: () => {},
      stderr: () => {},
      env: { PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) },
      cwd: root,
      platform: 'linux',
    });
    expect(code).toBe(0);
    expect(expectReadOnly(logFile, 'inspect --file', false)).toEqual([]);
  });
});

describe('every API channel through dispatch', () => {
  const NOTE_SETTING = 'system.processor.cpus';
  /** A valid input per channel (typed over every channel: a new channel fails to compile until added). */
  const inputs: Record<Channel, unknown[]> = {
    'app:info': [{}],
    'vms:list': [{}, { refresh: true }],
    'vms:get': [{ id: SNAPSHOT_VM }, { id: DISK_VM }],
    'vms:progress': [{}],
    'vms:cancel': [{}],
    'notes:list': [{ vmId: ISSABEL }],
    'notes:save': [{ vmId: ISSABEL, settingId: NOTE_SETTING, body: 'read-only walk' }],
    'vms:history': [{ id: ISSABEL }],
    'vms:compare': [{ a: ISSABEL, b: SNAPSHOT_VM, lang: 'zh-CN' }],
    'vms:openFile': [{ path: ISSABEL_DUMP }],
    'media:info': [{ vmId: DISK_VM, medium: DISK }],
    'prefs:get': [{}],
    'prefs:set': [{ language: 'en' }],
    'study:content': [{ lang: 'en' }],
    'study:lesson': [{ id: 'concepts-hypervisor-types' }],
    'study:read': [{ lessonId: 'concepts-hypervisor-types' }],
    'study:progress': [{}],
    'quiz:answer': [{ cardId: 'concepts-hypervisor-types/q1', correct: true }],
    'tours:progress': [{ tourId: 'first-look', vmId: ISSABEL, step: 0 }],
    search: [{ q: 'memory', lang: 'en' }],
    'export:notes': [{ format: 'markdown', lang: 'en' }],
    'export:report': [{ vmId: ISSABEL, format: 'html', lang: 'en' }],
  };
  /** Channels that read VMs and so must have spawned VBoxManage on a fresh service. */
  const READS_VMS = new Set<Channel>([
    'vms:list',
    'vms:get',
    'vms:compare',
    'vms:openFile',
    'media:info',
    'export:report',
  ]);

  it('has an input for every channel of the contract', () => {
    expect(Object.keys(inputs).sort()).toEqual([...CHANNELS].sort());
  });

  for (const channel of CHANNELS) {
    it(`${channel}: read verbs only`, async () => {
      for (const input of inputs[channel]) {
        const { dir, logFile } = freshLog();
        const store = newStore(dir);
        const handlers = createHandlers({
          store,
          inventory: labService(dir, logFile, store),
          mode: 'browser',
          dataDir: dir,
          systemLocale: 'en-US',
          version: '0.0.0-test',
        });
        const internal: unknown[] = [];
        const r = await dispatch(handlers, channel, input, { onInternalError: (_c, e) => internal.push(e) });
        expect(internal, `${channel} failed internally`).toEqual([]);
        if (READS_VMS.has(channel)) expect(r.ok, JSON.stringify(r)).toBe(true);
        expectReadOnly(logFile, `${channel} ${JSON.stringify(input)}`, READS_VMS.has(channel));
      }
    });
  }
});

describe('static guard: every place in app/ that starts a process is known', () => {
  /**
   * Files that start processes, and why that is fine. "walked" = spawns VBoxManage and is driven by
   * a block above; the others run another program, with their own read-only guards and tests.
   */
  const ALLOWED: Record<string, string> = {
    'app/core/child-run.ts': 'the helper the two runners start their children with (execFile, no shell)',
    'app/core/vbox/runner.ts': 'walked: the VBoxManage runner itself (argument check before runChild)',
    'app/core/inventory-service.ts': 'walked: "inventory service paths" and "every API channel"',
    'app/core/cli.ts': 'walked: "CLI commands that call VBoxManage"',
    'app/core/kvm/virsh.ts': 'virsh --readonly (VIRSH_READ_VERBS; kvm-virsh.test.ts)',
    'app/core/vmware/vmrun.ts': 'vmrun list only (vmware-discover.test.ts)',
    'app/core/host.ts': 'sysctl -n <name> on macOS (host.test.ts)',
  };
  const SPAWN = [
    /\bnew VBoxRunner\(/,
    /\bexecFile(Sync)?\(/,
    // Bare calls only: RegExp#exec and db.exec are not processes.
    /(?<![.\w])exec(Sync)?\(/,
    /(?<![.\w])spawn(Sync)?\(/,
    /(?<![.\w])fork\(/,
    /['"](node:)?child_process['"]/,
    /\brunChild\(/,
  ];

  function tsFiles(dir: string): string[] {
    return fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
      const rel = `${dir}/${e.name}`;
      if (e.isDirectory()) return e.name === 'node_modules' ? [] : tsFiles(rel);
      return /\.ts$/.test(e.name) && !/\.d\.ts$/.test(e.name) ? [rel] : [];
    });
  }

  /** Lines of code (comment lines dropped) that match a spawn pattern, by file. */
  function spawnSites(): Map<string, string[]> {
    const sites = new Map<string, string[]>();
    for (const file of tsFiles('app')) {
      const lines = fs
        .readFileSync(path.join(root, file), 'utf8')
        .split('\n')
        .filter((l) => !/^\s*(\/\/|\/?\*)/.test(l));
      const hits = lines.filter((l) => SPAWN.some((re) => re.test(l)));
      if (hits.length > 0)
        sites.set(
          file,
          hits.map((l) => l.trim()),
        );
    }
    return sites;
  }

  it('finds exactly the allowed files (a new one must be walked above, or listed with its program)', () => {
    const sites = spawnSites();
    const unknown = [...sites.keys()].filter((f) => !(f in ALLOWED));
    expect(unknown, `new process-starting code: ${JSON.stringify(Object.fromEntries(sites))}`).toEqual([]);
    // Every allowed file still starts processes (else its entry is stale and must go).
    expect([...sites.keys()].sort()).toEqual(Object.keys(ALLOWED).sort());
  });

  it('only walked files create a VBoxRunner; of those, only runner.ts starts processes itself', () => {
    const sites = spawnSites();
    const creators = [...sites].filter(([, hits]) => hits.some((l) => /\bnew VBoxRunner\(/.test(l)));
    expect(creators.map(([f]) => f).sort()).toEqual(['app/core/cli.ts', 'app/core/inventory-service.ts']);
    for (const [file, hits] of sites) {
      if (!ALLOWED[file]?.startsWith('walked: ')) continue;
      const raw = hits.filter((l) => !/\bnew VBoxRunner\(/.test(l));
      if (raw.length > 0) expect(file, raw.join('\n')).toBe('app/core/vbox/runner.ts');
    }
    // The child-process helper serves the two read-only runners only.
    const callers = [...sites].filter(
      ([f, hits]) => f !== 'app/core/child-run.ts' && hits.some((l) => /\brunChild\(/.test(l)),
    );
    expect(callers.map(([f]) => f).sort()).toEqual(['app/core/kvm/virsh.ts', 'app/core/vbox/runner.ts']);
  });
});

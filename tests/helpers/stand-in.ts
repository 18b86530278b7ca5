import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { assertReadOnlyArgs } from '../../app/core/vbox/runner.ts';

/**
 * Test helpers around the stand-in VBoxManage (tests/stand-in/VBoxManage, described in
 * tests/stand-in/README.md).
 */

const root = path.resolve(import.meta.dirname, '../..');

/** Absolute path of the stand-in executable. */
export const STAND_IN = path.join(root, 'tests/stand-in/VBoxManage');

/** Folder of the bundled scenarios (`lab.json`, `failing.json`). */
export const SCENARIOS_DIR = path.join(root, 'tests/stand-in/scenarios');

/** Folder of the recorded fixtures the scenarios point into. */
export const FIXTURES_DIR = path.join(root, 'tests/fixtures');

/** One VM of a scenario file (see tests/stand-in/README.md). */
export interface ScenarioVm {
  uuid: string;
  name?: string;
  showvminfo?: string;
  running?: boolean;
  inaccessible?: boolean;
  cfgFile?: string;
  accessError?: string;
  error?: { exitCode: number; stderr: string; stdout?: string };
  hang?: boolean;
  delayMs?: number;
  /** Answer showvminfo with that recording, its name= and UUID= replaced by this entry's. */
  derivedFrom?: string;
  /** showvminfo --machinereadable answers this many bytes of junk. */
  floodBytes?: number;
  /** showvminfo --machinereadable answers nothing (exit 0). */
  emptyOutput?: boolean;
}

/** A fixed answer for every call whose argv starts with `argv` (see tests/stand-in/README.md). */
export interface CommandError {
  argv: string[];
  exitCode?: number;
  stderr?: string;
  stdout?: string;
  hang?: boolean;
}

/** A scenario file's content. */
export interface Scenario {
  description?: string;
  version?: string;
  hostinfo?: string;
  systemproperties?: string;
  fixturesDir?: string;
  delayMs?: number;
  firstCallDelayMs?: number;
  warningBanner?: boolean;
  floodBytes?: number;
  emptyOutput?: boolean;
  ignoreSigterm?: boolean;
  commandErrors?: CommandError[];
  vms: ScenarioVm[];
}

/** Resolves a bundled scenario's name (`lab`, `failing`, `failure-modes`, …) to its file; any other value is used as a path. */
export function scenarioPath(scenario: string): string {
  return /^[a-z0-9-]+$/i.test(scenario)
    ? path.join(SCENARIOS_DIR, `${scenario}.json`)
    : path.resolve(scenario);
}

/** Reads a scenario (bundled name or path). */
export function loadScenario(scenario: string): Scenario {
  return JSON.parse(readFileSync(scenarioPath(scenario), 'utf8')) as Scenario;
}

/**
 * Environment variables that point the stand-in at a scenario (bundled name such as `lab`, or a
 * path) and, optionally, a log file. Pass them as `VBoxRunner`'s `env` option.
 */
export function standInEnv(scenario: string, logFile?: string): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { VBOX_STANDIN_SCENARIO: scenarioPath(scenario) };
  if (logFile) env.VBOX_STANDIN_LOG = logFile;
  return env;
}

/** A fresh temporary folder with a log file path inside (the file is created by the stand-in). */
export function tempLog(): { dir: string; logFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'vmc-standin-'));
  return { dir, logFile: path.join(dir, 'standin.log') };
}

/**
 * Writes a scenario derived from a bundled one (`base`, default `lab`) with `overrides` applied,
 * into `dir`; fixture paths keep pointing at tests/fixtures. Returns the file path.
 */
export function writeScenario(dir: string, overrides: Partial<Scenario>, base = 'lab'): string {
  const scenario: Scenario = { ...loadScenario(base), ...overrides, fixturesDir: FIXTURES_DIR };
  const file = path.join(dir, `scenario-${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(file, JSON.stringify(scenario, null, 2));
  return file;
}

/** One logged call: argv, the time it started (ms since epoch), its pid and the delay it planned. */
export interface StandInCall {
  argv: string[];
  time: number;
  pid: number;
  delayMs: number;
  unsupported?: boolean;
  hang?: boolean;
}

/** All calls recorded in a stand-in log (empty when the file does not exist: nothing was spawned). */
export function readStandInCalls(logFile: string): StandInCall[] {
  if (!existsSync(logFile)) return [];
  return readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => l.trim() !== '')
    .map((l) => JSON.parse(l) as StandInCall);
}

/** The argv of every call recorded in a stand-in log, in order. */
export function readStandInLog(logFile: string): string[][] {
  return readStandInCalls(logFile).map((c) => c.argv);
}

/**
 * Throws unless every logged argv is a read-only command the runner accepts (the same rule as
 * `assertReadOnlyArgs`). Accepts a log file path or the result of {@link readStandInLog}.
 */
export function assertOnlyReadVerbs(log: string | string[][]): void {
  const calls = typeof log === 'string' ? readStandInLog(log) : log;
  const bad: string[] = [];
  for (const argv of calls) {
    try {
      assertReadOnlyArgs(argv);
    } catch {
      bad.push(JSON.stringify(argv));
    }
  }
  if (bad.length > 0) throw new Error(`the stand-in was asked non-read commands: ${bad.join(', ')}`);
}

/** One VM of {@link writeVboxLab}: a real `.vbox` fixture and a real `showvminfo` recording, both given a new UUID and name. */
export interface VboxLabVm {
  /** `.vbox`/`.xml` fixture, relative to tests/fixtures (e.g. `vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox`). */
  vbox: string;
  /** `showvminfo --machinereadable` recording the stand-in answers for this VM, relative to tests/fixtures. */
  showvminfo: string;
  /** Name printed by `list vms` and written into both files (default: the `.vbox` fixture's `Machine/@name`). */
  name?: string;
  /** Name written into the `.vbox` only, when it must differ from the listed one. */
  fileName?: string;
  running?: boolean;
  delayMs?: number;
  hang?: boolean;
}

/** Result of {@link writeVboxLab}. */
export interface VboxLab {
  /** The VirtualBox home folder (set `VBOX_USER_HOME` to it): holds `VirtualBox.xml`. */
  home: string;
  /** The stand-in scenario file. */
  scenarioFile: string;
  /** Per VM, in order: UUID, listed name and the paths of its settings file and recording copy. */
  vms: { uuid: string; name: string; vboxFile: string; dump: string }[];
}

/**
 * A lab with real settings files: in `dir`, a VirtualBox home (`<dir>/vbox-home/VirtualBox.xml`)
 * registering one `.vbox` per VM (`<dir>/vbox-home/Machines/<n>/<file>`, copies of the fixtures with
 * a new `Machine/@uuid` — UUID `<uuidPrefix>-0000-4000-8000-<n as 12 hex digits>` — and name),
 * copies of the `showvminfo` recordings with the same UUID and name, `CfgFile` pointing at the copy
 * and `NvramFile`/`BIOS NVRAM File` (when printed) at `<file name>.nvram` beside it, the lab's `hostinfo`/`systemproperties` recordings, and a scenario file for the stand-in.
 */
export function writeVboxLab(
  dir: string,
  vms: VboxLabVm[],
  opts: { delayMs?: number; version?: string; uuidPrefix?: string } = {},
): VboxLab {
  const lab = loadScenario('lab');
  const home = path.join(dir, 'vbox-home');
  const fx = path.join(dir, 'fx');
  mkdirSync(path.join(fx, 'showvminfo'), { recursive: true });
  for (const rel of [lab.hostinfo!, lab.systemproperties!]) {
    mkdirSync(path.dirname(path.join(fx, rel)), { recursive: true });
    copyFileSync(path.join(FIXTURES_DIR, rel), path.join(fx, rel));
  }
  const prefix = opts.uuidPrefix ?? 'c0ffee00';
  const out: VboxLab['vms'] = [];
  const entries: string[] = [];
  const scenarioVms: ScenarioVm[] = [];
  vms.forEach((vm, i) => {
    const uuid = `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
    const xml = readFileSync(path.join(FIXTURES_DIR, vm.vbox), 'latin1');
    const tag = /<Machine\b[^>]*>/.exec(xml);
    if (!tag) throw new Error(`${vm.vbox} has no <Machine> element`);
    const oldUuid = /\buuid="\{([^}]*)\}"/.exec(tag[0])?.[1] ?? '';
    const oldName = /\bname="([^"]*)"/.exec(tag[0])?.[1] ?? '';
    const name = vm.name ?? (oldName === oldUuid ? uuid : oldName);
    const fileName = vm.fileName ?? name;
    const escaped = fileName.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;');
    const newTag = tag[0]
      .replace(/\buuid="\{[^}]*\}"/, `uuid="{${uuid}}"`)
      .replace(/\bname="[^"]*"/, () => `name="${escaped}"`);
    const vmDir = path.join(home, 'Machines', String(i));
    mkdirSync(vmDir, { recursive: true });
    const vboxFile = path.join(vmDir, path.basename(vm.vbox));
    writeFileSync(
      vboxFile,
      xml.replace(tag[0], () => newTag),
      'latin1',
    );
    const nvram = path.join(vmDir, `${path.basename(vm.vbox).replace(/\.(vbox|xml)$/i, '')}.nvram`);
    const dumpRel = `showvminfo/vm-${i}.txt`;
    const dump = readFileSync(path.join(FIXTURES_DIR, vm.showvminfo), 'utf8')
      .replace(/^UUID="[^"\r\n]*"/m, `UUID="${uuid}"`)
      .replace(/^name="[^"\r\n]*"/m, () => `name="${name.replace(/[\\"]/g, (c) => `\\${c}`)}"`)
      .replace(/^CfgFile="[^\r\n]*"/m, () => `CfgFile="${vboxFile.replace(/\\/g, '\\\\')}"`)
      .replace(
        /^(NvramFile|BIOS NVRAM File)="[^\r\n]*"/m,
        (_m, key: string) => `${key}="${nvram.replace(/\\/g, '\\\\')}"`,
      );
    writeFileSync(path.join(fx, dumpRel), dump);
    entries.push(`      <MachineEntry uuid="{${uuid}}" src="${vboxFile}"/>`);
    const sv: ScenarioVm = { uuid, name, showvminfo: dumpRel };
    if (vm.running) sv.running = true;
    if (vm.delayMs) sv.delayMs = vm.delayMs;
    if (vm.hang) sv.hang = true;
    scenarioVms.push(sv);
    out.push({ uuid, name, vboxFile, dump: path.join(fx, dumpRel) });
  });
  writeFileSync(
    path.join(home, 'VirtualBox.xml'),
    [
      '<?xml version="1.0"?>',
      '<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">',
      '  <Global>',
      '    <MachineRegistry>',
      ...entries,
      '    </MachineRegistry>',
      '  </Global>',
      '</VirtualBox>',
      '',
    ].join('\n'),
  );
  const scenarioFile = path.join(dir, 'vbox-lab.json');
  writeFileSync(
    scenarioFile,
    JSON.stringify(
      {
        description: `writeVboxLab: ${vms.length} VMs with settings files`,
        version: opts.version ?? lab.version,
        hostinfo: lab.hostinfo,
        systemproperties: lab.systemproperties,
        fixturesDir: fx,
        delayMs: opts.delayMs ?? 0,
        vms: scenarioVms,
      },
      null,
      2,
    ),
  );
  return { home, scenarioFile, vms: out };
}

/** Rewrites the `running` flags of a {@link writeVboxLab} scenario (the VMs whose UUIDs are in `running`). */
export function setRunning(scenarioFile: string, running: readonly string[]): void {
  const scenario = JSON.parse(readFileSync(scenarioFile, 'utf8')) as Scenario;
  for (const vm of scenario.vms) {
    if (running.includes(vm.uuid)) vm.running = true;
    else delete vm.running;
  }
  writeFileSync(scenarioFile, JSON.stringify(scenario, null, 2));
}

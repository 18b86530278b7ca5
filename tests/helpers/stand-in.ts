import { mkdtempSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
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
  vms: ScenarioVm[];
}

/** Resolves `lab` / `failing` to the bundled scenario file; any other value is used as a path. */
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

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import { parseVboxFile } from '../../app/core/vbox/vbox-file.ts';

/**
 * The machine state a settings file tells (`Machine@stateFile`, `Machine@aborted`), on the real
 * saved-state fixture (VirtualBox 6.x, settings 1.16) with `aborted` added or the state file removed.
 */

const SAVED = fs.readFileSync(
  path.resolve(
    import.meta.dirname,
    '../fixtures/vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox',
  ),
  'utf8',
);
const STATE_FILE = ' stateFile="Snapshots/2019-09-26T10-37-22-586364000Z.sav"';

const withMachineAttrs = (text: string, add: string, dropStateFile = false): string =>
  (dropStateFile ? text.replace(STATE_FILE, '') : text).replace(
    '<Machine uuid="{827810e0-21ce-4282-bfc2-cfd981a45ce0}"',
    `<Machine uuid="{827810e0-21ce-4282-bfc2-cfd981a45ce0}"${add}`,
  );

describe('.vbox machine state', () => {
  it('a saved state is saved (key Machine/@stateFile)', () => {
    expect(SAVED).toContain(STATE_FILE);
    expect(parseVboxFile(SAVED).config.state).toEqual({
      value: 'saved',
      key: 'Machine/@stateFile',
      raw: 'Snapshots/2019-09-26T10-37-22-586364000Z.sav',
    });
    expect(parseVboxFile(withMachineAttrs(SAVED, ' aborted="false"')).config.state?.value).toBe('saved');
  });

  it('a saved state and aborted="true" is VirtualBox 7.0+\'s aborted-saved (key Machine/@aborted)', () => {
    const res = parseVboxFile(withMachineAttrs(SAVED, ' aborted="true"'));
    expect(res.config.state).toEqual({ value: 'aborted-saved', key: 'Machine/@aborted', raw: 'true' });
    expect(res.issues).toEqual([]);
    expect(summaryFromConfig(res.config).state).toBe('aborted-saved');
  });

  it('aborted="true" without a saved state is aborted; neither leaves the state out', () => {
    expect(parseVboxFile(withMachineAttrs(SAVED, ' aborted="true"', true)).config.state).toEqual({
      value: 'aborted',
      key: 'Machine/@aborted',
      raw: 'true',
    });
    expect(parseVboxFile(withMachineAttrs(SAVED, '', true)).config.state).toBeUndefined();
    expect(parseVboxFile(withMachineAttrs(SAVED, ' stateFile=""', true)).config.state).toBeUndefined();
  });
});

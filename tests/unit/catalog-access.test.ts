import { describe, expect, it } from 'vitest';
import { ACCESS_LEVELS, CatalogEntrySchema, canChangeIn, stateAccess } from '../../app/shared/catalog.ts';

/** Access levels (reference §1.5) and VMState values (reference §2.13) → whether a setting can be changed. */

const entry = (access: (typeof ACCESS_LEVELS)[number], readOnly = false) => ({ access, readOnly });

describe('stateAccess', () => {
  it('maps every VMState value of reference §2.13 to an access level', () => {
    expect(['poweroff', 'aborted', 'teleported'].map(stateAccess)).toEqual(['offline', 'offline', 'offline']);
    expect(['saved', 'aborted-saved'].map(stateAccess)).toEqual(['saved', 'saved']);
    const online = ['running', 'paused', 'gurumeditation', 'livesnapshotting', 'onlinesnapshotting'];
    const online2 = [
      'teleporting',
      'teleportingpausedvm',
      'deletingsnapshotlive',
      'deletingsnapshotlivepaused',
    ];
    for (const s of [...online, ...online2]) expect(stateAccess(s), s).toBe('runtime');
    const busy = ['starting', 'stopping', 'saving', 'restoring', 'teleportingin', 'snapshotting'];
    for (const s of [...busy, 'restoringsnapshot', 'deletingsnapshot', 'settingup'])
      expect(stateAccess(s), s).toBe('busy');
    expect(stateAccess('unknown')).toBe('unknown');
    expect(stateAccess('')).toBe('unknown');
    expect(stateAccess(undefined)).toBe('unknown');
    expect(stateAccess(' Running\r')).toBe('runtime');
  });
});

describe('canChangeIn', () => {
  it('allows everything when powered off, saved/runtime settings when saved, runtime settings when running', () => {
    const table = ACCESS_LEVELS.map((a) =>
      ['poweroff', 'aborted', 'saved', 'aborted-saved', 'running', 'paused'].map((s) =>
        canChangeIn(entry(a), s),
      ),
    );
    expect(table).toEqual([
      [true, true, false, false, false, false], // offline
      [true, true, true, true, false, false], // saved
      [true, true, true, true, true, true], // runtime
    ]);
  });

  it('never allows read-only entries, transient or unknown states', () => {
    expect(canChangeIn(entry('runtime', true), 'poweroff')).toBe(false);
    expect(canChangeIn(entry('runtime'), 'saving')).toBe(false);
    expect(canChangeIn(entry('runtime'), 'starting')).toBe(false);
    expect(canChangeIn(entry('runtime'), 'somethingnew')).toBe(false);
  });

  it('defaults a parsed entry without the new fields to offline, Expert-only, editable', () => {
    const parsed = CatalogEntrySchema.parse({
      id: 'system.processor.cpus',
      page: 'system',
      tab: 'processor',
      control: 'slider',
      label: { en: 'Processors', 'zh-CN': '处理器' },
      what: { en: 'x', 'zh-CN': '某' },
      tradeoffs: { en: 'x', 'zh-CN': '某' },
      showvminfo: ['cpus'],
      range: { en: 'x', 'zh-CN': '某' },
      default: { en: 'x', 'zh-CN': '某' },
    });
    expect([parsed.basic, parsed.access, parsed.readOnly, parsed.since, parsed.until]).toEqual([
      false,
      'offline',
      false,
      undefined,
      undefined,
    ]);
    expect(canChangeIn(parsed, 'poweroff')).toBe(true);
    expect(canChangeIn(parsed, 'saved')).toBe(false);
  });

  it('rejects versions that are not major.minor and unknown access levels', () => {
    const base = { access: 'offline' };
    expect(CatalogEntrySchema.shape.since.safeParse('7').success).toBe(false);
    expect(CatalogEntrySchema.shape.until.safeParse('6.1').success).toBe(true);
    expect(CatalogEntrySchema.shape.access.safeParse('running').success).toBe(false);
    expect(CatalogEntrySchema.shape.access.safeParse(base.access).success).toBe(true);
  });
});

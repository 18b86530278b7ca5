import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { osFamily } from '../../app/core/vbox/os-types.ts';
import data from '../../resources/vbox/ostypes.json' with { type: 'json' };

const FIXTURE = readFileSync(
  new URL(
    '../fixtures/ostypes/ostypes-vbox52-windows-host-complete-91-types-no-trailing-space.txt',
    import.meta.url,
  ),
  'utf8',
);

describe('resources/vbox/ostypes.json', () => {
  it('is exactly the 91 records of the real `list ostypes` fixture', () => {
    const records = FIXTURE.split(/\r?\n\s*\r?\n/)
      .map((block) =>
        Object.fromEntries(block.split(/\r?\n/).map((l) => l.split(/:\s+/, 2).map((x) => x.trim()))),
      )
      .filter((r) => r.ID);
    expect(records).toHaveLength(91);
    expect(data.types).toEqual(
      records.map((r) => [r.ID, r.Description, r['Family ID'], r['64 bit'] === 'true']),
    );
    for (const r of records)
      expect(data.families[r['Family ID'] as keyof typeof data.families]).toBe(r['Family Desc']);
  });
});

describe('osFamily', () => {
  it('maps descriptions from the bundled list', () => {
    expect(osFamily('Ubuntu (64-bit)')).toEqual({
      family: 'Linux',
      familyId: 'Linux',
      version: 'Ubuntu (64-bit)',
    });
    expect(osFamily('Windows 2016 (64-bit)')).toEqual({
      family: 'Microsoft Windows',
      familyId: 'Windows',
      version: 'Windows 2016 (64-bit)',
    });
    expect(osFamily('Linux 2.6 / 3.x / 4.x (32-bit)').family).toBe('Linux');
    expect(osFamily('Oracle Solaris 11 (64-bit)').family).toBe('Solaris');
    expect(osFamily('OS/2 Warp 4').family).toBe('IBM OS/2');
    expect(osFamily('macOS 10.13 High Sierra (64-bit)').family).toBe('Mac OS X');
    expect(osFamily('FreeBSD (64-bit)').family).toBe('BSD');
    expect(osFamily('Other/Unknown')).toEqual({
      family: 'Other',
      familyId: 'Other',
      version: 'Other/Unknown',
    });
  });

  it('maps type ids to their description', () => {
    expect(osFamily('Ubuntu_64')).toEqual({ family: 'Linux', familyId: 'Linux', version: 'Ubuntu (64-bit)' });
    expect(osFamily('windows10_64').version).toBe('Windows 10 (64-bit)');
  });

  it('falls back by pattern for newer types', () => {
    expect(osFamily('Windows 11 (64-bit)')).toEqual({
      family: 'Microsoft Windows',
      familyId: 'Windows',
      version: 'Windows 11 (64-bit)',
    });
    expect(osFamily('Windows11_64').familyId).toBe('Windows');
    expect(osFamily('macOS 14 Sonoma (64-bit)').familyId).toBe('MacOS');
    expect(osFamily('Oracle Linux (64-bit)').familyId).toBe('Linux');
    expect(osFamily('Ubuntu24_LTS_arm64').familyId).toBe('Linux');
    expect(osFamily('OpenIndiana (64-bit)').familyId).toBe('Solaris');
    expect(osFamily('Haiku (64-bit)')).toEqual({
      family: 'Other',
      familyId: 'Other',
      version: 'Haiku (64-bit)',
    });
  });
});

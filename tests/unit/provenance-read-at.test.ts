/**
 * `Provenance.readAt` / `cached`: when a VM's values were read, and whether they are a `showvminfo`
 * read kept in the persistent inventory cache from an earlier launch. The stand-in VBoxManage
 * answers with real recordings; the lab registers copies of real `.vbox` fixtures
 * (tests/helpers/stand-in.ts, `writeVboxLab`).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { OsFacts } from '../../app/core/host.ts';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import type { InventoryCacheData } from '../../app/core/vbox/inventory-cache.ts';
import { readAtLine } from '../../renderer/src/lib/read-at.ts';
import en from '../../renderer/src/locales/en.json' with { type: 'json' };
import zh from '../../renderer/src/locales/zh-CN.json' with { type: 'json' };
import {
  STAND_IN,
  readStandInLog,
  standInEnv,
  tempLog,
  writeVboxLab,
  type VboxLab,
} from '../helpers/stand-in.ts';

const HOST: OsFacts = {
  threads: 2,
  estimatedCores: 2,
  memoryMB: 4096,
  os: 'Linux 6.1.0',
  platform: 'linux',
  arch: 'x64',
};

const VMS = [
  {
    vbox: 'vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox',
    showvminfo: 'showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt',
  },
  {
    vbox: 'vbox/libvirt-2disks-nosnap-settings-1.12-iso-8859-1-libvirt-comment.vbox',
    showvminfo: 'showvminfo/vbox516-linux-host-lsilogic-scsi-controller-poweroff.txt',
  },
];

let dir: string;
let logFile: string;
let store: Store;
let cacheFile: string;
beforeEach(() => {
  ({ dir, logFile } = tempLog());
  store = openStore(path.join(dir, 'data'));
  cacheFile = path.join(dir, 'data', 'inventory-cache.json');
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const service = (lab: VboxLab): InventoryService =>
  new InventoryService({
    store,
    env: {
      PATH: '',
      VBOXMANAGE: STAND_IN,
      VBOX_USER_HOME: lab.home,
      ...standInEnv(lab.scenarioFile, logFile),
    },
    platform: 'linux',
    homedir: path.join(dir, 'home'),
    osFacts: HOST,
    vmware: { vmrunPath: null },
    locateVirsh: async () => ({ tried: [] }),
    cacheFile,
  });

/** A lab whose second VM's settings file is damaged, so it is read with showvminfo (and that read is cached). */
function lab(): VboxLab {
  const l = writeVboxLab(dir, VMS, { version: '7.0.18r162988' });
  fs.writeFileSync(l.vms[1].vboxFile, '<VirtualBox><Machine uuid="{broken');
  return l;
}

const showvminfoCalls = (from: number): string[] =>
  readStandInLog(logFile)
    .slice(from)
    .filter((a) => a[0] === 'showvminfo')
    .map((a) => a[1]);

const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

describe('Provenance.readAt and cached', () => {
  it('a fresh read: the time of the file read or of the showvminfo call, not cached', async () => {
    const l = lab();
    const before = Date.now();
    const svc = service(l);
    await svc.list();
    const after = Date.now();
    const file = await svc.get(l.vms[0].uuid);
    expect(file.config?.source).toBe('file');
    expect(file.provenance?.readAt).toMatch(ISO);
    expect(Date.parse(file.provenance!.readAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(file.provenance!.readAt!)).toBeLessThanOrEqual(after);
    expect(file.provenance?.cached).toBeUndefined();
    const live = await svc.get(l.vms[1].uuid);
    expect(live.config?.source).toBe('vboxmanage');
    expect(live.config?.system.memoryMB).toMatchObject({ key: 'memory' });
    expect(Date.parse(live.provenance!.readAt!)).toBeGreaterThanOrEqual(before);
    expect(Date.parse(live.provenance!.readAt!)).toBeLessThanOrEqual(after);
    expect(live.provenance?.cached).toBeUndefined();
    // The cache keeps the time of the call itself.
    const data = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData;
    expect(data.vms[l.vms[1].uuid].showvminfo?.readAt).toBe(Date.parse(live.provenance!.readAt!));
  });

  it('a relaunch reusing the cached showvminfo read says so, with the time of the original call', async () => {
    const l = lab();
    const first = service(l);
    await first.list();
    const original = (await first.get(l.vms[1].uuid)).provenance!.readAt!;
    await new Promise((r) => setTimeout(r, 20));
    const n = readStandInLog(logFile).length;
    const relaunched = service(l);
    const start = Date.now();
    await relaunched.list();
    expect(showvminfoCalls(n)).toEqual([]);
    const live = await relaunched.get(l.vms[1].uuid);
    expect(live.config?.source).toBe('vboxmanage');
    expect(live.provenance).toMatchObject({ readAt: original, cached: true });
    expect(live.provenance?.vboxFile?.read).toBe(false);
    // The file-read VM is read again (its stamp is checked): a new time, not cached.
    const file = await relaunched.get(l.vms[0].uuid);
    expect(Date.parse(file.provenance!.readAt!)).toBeGreaterThanOrEqual(start);
    expect(file.provenance?.cached).toBeUndefined();
    // Refresh calls showvminfo again: a fresh read.
    await relaunched.list(true);
    const fresh = await relaunched.get(l.vms[1].uuid);
    expect(fresh.provenance?.cached).toBeUndefined();
    expect(Date.parse(fresh.provenance!.readAt!)).toBeGreaterThan(Date.parse(original));
  });

  it('a cache file written before provenance had readAt still works: the entry’s own read time is used', async () => {
    const l = lab();
    await service(l).list();
    const data = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData;
    const entry = data.vms[l.vms[1].uuid].showvminfo!;
    delete entry.provenance?.readAt;
    entry.readAt = Date.UTC(2025, 0, 2, 15, 2, 0);
    fs.writeFileSync(cacheFile, JSON.stringify(data));
    const relaunched = service(l);
    await relaunched.list();
    const live = await relaunched.get(l.vms[1].uuid);
    expect(live.provenance).toMatchObject({ readAt: '2025-01-02T15:02:00.000Z', cached: true });
  });

  it('a cached read time that is no valid date is left out instead of failing the read', async () => {
    const l = lab();
    await service(l).list();
    const data = JSON.parse(fs.readFileSync(cacheFile, 'utf8')) as InventoryCacheData;
    const entry = data.vms[l.vms[1].uuid].showvminfo!;
    delete entry.provenance?.readAt;
    entry.readAt = 1e300;
    fs.writeFileSync(cacheFile, JSON.stringify(data));
    const relaunched = service(l);
    const inv = await relaunched.list();
    expect(inv.vms.find((v) => v.id === l.vms[1].uuid)?.accessible).toBe(true);
    const live = await relaunched.get(l.vms[1].uuid);
    expect(live.provenance?.cached).toBe(true);
    expect(live.provenance?.readAt).toBeUndefined();
  });
});

describe('the mirror line (readAtLine)', () => {
  const NOW = Date.UTC(2025, 0, 2, 18, 0, 0);
  const at = '2025-01-02T15:02:00.000Z';

  it('names the source, says when, and whether the read was kept from an earlier launch', () => {
    const live = readAtLine({ discrepancies: [], readAt: at }, 'vboxmanage', 'vboxmanage', 'en', NOW, 'UTC');
    // (Some ICU versions put a narrow no-break space before PM.)
    expect({ ...live, time: live?.time.replace(/\s/g, ' ') }).toEqual({
      key: 'provenance.readVBoxManage',
      time: '3:02 PM',
      iso: at,
      cached: false,
    });
    const kept = readAtLine(
      { discrepancies: [], readAt: at, cached: true },
      'vboxmanage',
      'vboxmanage',
      'zh-CN',
      NOW,
      'UTC',
    );
    expect(kept).toMatchObject({ key: 'provenance.readVBoxManageCached', time: '15:02', cached: true });
    expect(readAtLine({ discrepancies: [], readAt: at }, 'vboxmanage', 'file', 'en', NOW, 'UTC')?.key).toBe(
      'provenance.readSettingsFile',
    );
    expect(readAtLine({ discrepancies: [], readAt: at }, 'file', 'file', 'en', NOW, 'UTC')?.key).toBe(
      'provenance.readFile',
    );
    // Another day: the date too.
    expect(
      readAtLine(
        { discrepancies: [], readAt: at },
        'vboxmanage',
        'file',
        'en',
        NOW + 86_400_000,
        'UTC',
      )?.time.replace(/\s/g, ' '),
    ).toBe('Jan 2, 2025, 3:02 PM');
  });

  it('nothing without a valid read time, for demo VMs or without values', () => {
    expect(readAtLine({ discrepancies: [] }, 'vboxmanage', 'vboxmanage', 'en', NOW)).toBeUndefined();
    expect(
      readAtLine({ discrepancies: [], readAt: 'soon' }, 'vboxmanage', 'file', 'en', NOW),
    ).toBeUndefined();
    expect(readAtLine(undefined, 'vboxmanage', 'vboxmanage', 'en', NOW)).toBeUndefined();
    expect(readAtLine({ discrepancies: [], readAt: at }, 'vboxmanage', undefined, 'en', NOW)).toBeUndefined();
    expect(readAtLine({ discrepancies: [], readAt: at }, 'demo', 'demo', 'en', NOW)).toBeUndefined();
  });

  it('every key has an English and a Chinese text with the {time} placeholder', () => {
    const keys = ['readVBoxManage', 'readVBoxManageCached', 'readSettingsFile', 'readFile'] as const;
    for (const k of keys) {
      expect(en.provenance[k]).toContain('{time}');
      expect(zh.provenance[k]).toContain('{time}');
      expect(zh.provenance[k]).not.toBe(en.provenance[k]);
    }
    expect(en.provenance.readVBoxManageCached).toBe(
      'Read from VBoxManage at {time} (kept from that read: the settings file has not changed since)',
    );
  });
});

/**
 * Change history across the two sources of a VirtualBox VM: its settings file while it is stopped
 * (`config.source: 'file'`) and `showvminfo` while it runs (`'vboxmanage'`). Values only one source
 * gives must not count as changes; a real change of a setting both give must.
 *
 * The fixtures hold no `.vbox` and `showvminfo` pair of the same VM, so one is derived: the real
 * settings file `vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox` (clientbasso, settings
 * 1.16, VirtualBox 6.0/6.1) read by the file reader, and the real `showvminfo` output of VirtualBox
 * 6.1.32 `vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt` (same generation, bridged, PIIX4
 * IDE with an empty DVD drive) with clientbasso's values put in: every line not named in
 * {@link CLIENTBASSO} is the real 6.1.32 output, and the SATA controller lines follow the real
 * 6.1.32 output of `vbox6132-ubuntu-host-win2016srv-sata-only-bridged-snapshot-clear.txt`
 * (a SATA controller named `SATA`: name, type, instance, max port count, port count, bootable, then
 * `"SATA-0-0"` and `"SATA-ImageUUID-0-0"` — 6.1.32 prints no SSD/discard/hot-plug lines there). The
 * `showvminfo` configuration is then completed from the settings file as the inventory does for a
 * running VM (`enrichWithVboxFile`).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createHandlers, type InventoryProvider } from '../../app/core/api/handlers.ts';
import { enrichWithVboxFile } from '../../app/core/enrich.ts';
import {
  CARRIED_KEY,
  SOURCE_KEY,
  configHash,
  diffViews,
  historyFor,
  mergeRead,
  normalizeConfig,
  recordConfig,
  settingEntity,
} from '../../app/core/history.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { showVmInfoToConfig } from '../../app/core/vbox/to-config.ts';
import { parseVboxFile, type VboxFileResult } from '../../app/core/vbox/vbox-file.ts';
import type { VmDetail } from '../../app/shared/contract.ts';
import type { VmConfig } from '../../app/shared/model.ts';

const fixture = (name: string): string =>
  readFileSync(new URL(`../fixtures/${name}`, import.meta.url), 'utf8');

const ID = '827810e0-21ce-4282-bfc2-cfd981a45ce0';
const DIR = '/vms/clientbasso';
const VBOX = fixture('vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox');
const REAL_6132 = fixture('showvminfo/vbox6132-ubuntu-host-non-vagrant-vm-issabel-bridged.txt');

/** clientbasso's settings as VBoxManage 6.1 prints them: key → printed value (see the module comment). */
const CLIENTBASSO: Record<string, string> = {
  name: '"clientbasso"',
  ostype: '"Debian (64-bit)"',
  UUID: `"${ID}"`,
  CfgFile: `"${DIR}/clientbasso.vbox"`,
  SnapFldr: `"${DIR}/Snapshots"`,
  LogFldr: `"${DIR}/Logs"`,
  hardwareuuid: `"${ID}"`,
  memory: '1024',
  cpus: '1',
  pae: '"off"',
  boot1: '"floppy"',
  boot2: '"dvd"',
  boot3: '"disk"',
  boot4: '"net"',
  VMState: '"running"',
  VMStateChangeTime: '"2019-09-26T10:40:02.000000000"',
  graphicscontroller: '"vboxvga"',
  bridgeadapter1: '"br0"',
  audio_in: '"on"',
  capturefilename: `"${DIR}/clientbasso.webm"`,
};

/** The storage lines of clientbasso: IDE with an empty DVD drive at 1-0, SATA with the VDI at 0-0. */
const STORAGE = [
  'storagecontrollername0="IDE"',
  'storagecontrollertype0="PIIX4"',
  'storagecontrollerinstance0="0"',
  'storagecontrollermaxportcount0="2"',
  'storagecontrollerportcount0="2"',
  'storagecontrollerbootable0="on"',
  'storagecontrollername1="SATA"',
  'storagecontrollertype1="IntelAhci"',
  'storagecontrollerinstance1="0"',
  'storagecontrollermaxportcount1="30"',
  'storagecontrollerportcount1="1"',
  'storagecontrollerbootable1="on"',
  '"IDE-0-0"="none"',
  '"IDE-0-1"="none"',
  '"IDE-1-0"="emptydrive"',
  '"IDE-IsEjected"="off"',
  '"IDE-1-1"="none"',
  `"SATA-0-0"="${DIR}/clientbasso.vdi"`,
  '"SATA-ImageUUID-0-0"="a0015833-8303-4824-8dda-026fa8fa07ed"',
];

/** The derived `showvminfo` text; `change` overrides printed values (key → value) and may replace lines. */
function showvminfoText(change: Record<string, string> = {}, storage = STORAGE): string {
  const values = { ...CLIENTBASSO, ...change };
  const out: string[] = [];
  let storageDone = false;
  for (const line of REAL_6132.split('\n')) {
    if (/^(storagecontroller|"IDE-)/.test(line)) {
      if (!storageDone) out.push(...storage);
      storageDone = true;
      continue;
    }
    const key = /^([^=]+)=/.exec(line)?.[1];
    out.push(key !== undefined && key in values ? `${key}=${values[key]}` : line);
  }
  return out.join('\n');
}

/** The settings file as the inventory reads it for a stopped VM; `edit` changes the XML text first. */
function fileRead(edit: (xml: string) => string = (x) => x): VboxFileResult {
  return parseVboxFile(edit(VBOX), { path: `${DIR}/clientbasso.vbox` });
}
const fromFile = (edit?: (xml: string) => string): VmConfig => fileRead(edit).config;

/** The running VM as the inventory reads it: `showvminfo`, completed from the settings file. */
function fromShowVmInfo(change?: Record<string, string>, storage?: string[]): VmConfig {
  const live = showVmInfoToConfig(showvminfoText(change, storage), 'vboxmanage');
  return enrichWithVboxFile(live, fileRead()).config;
}

/** Paths one source gives and the other does not, for this VM (VirtualBox 6.1). */
const FILE_ONLY = [
  'storage.IDE.1-0.hotPluggable',
  'storage.IDE.1-0.passthrough',
  'storage.IDE.1-0.tempEject',
  'storage.SATA.0-0.discard',
  'storage.SATA.0-0.hotPluggable',
  'storage.SATA.0-0.nonRotational',
  'system.platformArchitecture',
];
const SHOWVMINFO_ONLY = [
  'general.logFolder',
  'storage.IDE.maxPortCount',
  'storage.SATA.maxPortCount',
  'system.effectiveParavirtProvider',
];

let dir: string;
let store: Store;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'vmc-history-sources-'));
  store = openStore(dir);
});
afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

let minute = 0;
const next = (): Date => new Date(Date.UTC(2025, 4, 1, 9, minute++));

describe('the derived pair: one VM read from its settings file and from showvminfo', () => {
  it('both readers give the same values for every setting both give; the rest is source-only', () => {
    const file = fromFile();
    const live = fromShowVmInfo();
    expect(file.source).toBe('file');
    expect(live.source).toBe('vboxmanage');
    expect(live.id).toBe(ID);
    expect(file.system.memoryMB).toMatchObject({ value: 1024, key: 'Machine/Hardware/Memory/@RAMSize' });
    expect(live.system.memoryMB).toMatchObject({ value: 1024, key: 'memory' });
    expect(live.state?.value).toBe('running');
    expect(file.state?.value).toBe('saved');
    const a = normalizeConfig(file);
    const b = normalizeConfig(live);
    const onlyFile = Object.keys(a).filter((k) => !(k in b));
    const onlyLive = Object.keys(b).filter((k) => !(k in a));
    expect(onlyFile).toEqual(FILE_ONLY);
    expect(onlyLive).toEqual(SHOWVMINFO_ONLY);
    const differing = Object.keys(a).filter((k) => k in b && a[k] !== b[k]);
    expect(differing).toEqual([]);
    // Real values of both sides, so the comparison above is not between two empty maps.
    expect(a).toMatchObject({
      'system.bootOrder.1': 'floppy',
      'network.1.attachmentName': 'br0',
      'storage.SATA.0-0.medium': `${DIR}/clientbasso.vdi`,
      'system.tpm': 'none',
      'audio.controller': 'ac97',
    });
    expect(b).toMatchObject({
      'general.logFolder': `${DIR}/Logs`,
      'system.effectiveParavirtProvider': 'kvm',
      'storage.SATA.maxPortCount': '30',
      'system.tpm': 'none',
      'audio.controller': 'ac97',
    });
  });

  it('stopped → running → stopped → running: one entry (the first look), nothing spurious', () => {
    expect(recordConfig(store, ID, fromFile(), next())).toBe(true);
    // The first showvminfo read adds the values only it gives: stored, but not a visible change.
    expect(recordConfig(store, ID, fromShowVmInfo(), next())).toBe(true);
    expect(recordConfig(store, ID, fromFile(), next())).toBe(false);
    expect(recordConfig(store, ID, fromShowVmInfo(), next())).toBe(false);
    expect(recordConfig(store, ID, fromFile(), next())).toBe(false);
    const h = historyFor(store, ID);
    expect(h).toHaveLength(1);
    expect(h[0].first).toBe(true);
    expect(h[0].changes).toContainEqual({ path: 'system.memoryMB', before: null, after: '1024' });
    expect(store.configHistory(ID)).toHaveLength(2);
  });

  it('running first, then stopped: no spurious entry either', () => {
    recordConfig(store, ID, fromShowVmInfo(), next());
    recordConfig(store, ID, fromFile(), next());
    expect(recordConfig(store, ID, fromShowVmInfo(), next())).toBe(false);
    expect(recordConfig(store, ID, fromFile(), next())).toBe(false);
    const h = historyFor(store, ID);
    expect(h.map((e) => e.first)).toEqual([true]);
    expect(h[0].changes).toContainEqual({ path: 'general.logFolder', before: null, after: `${DIR}/Logs` });
  });

  it('a memory change across the switch is one entry with both values', () => {
    recordConfig(store, ID, fromFile(), next());
    expect(recordConfig(store, ID, fromShowVmInfo({ memory: '2048' }), next())).toBe(true);
    let h = historyFor(store, ID);
    expect(h).toHaveLength(2);
    expect(h[0]).toMatchObject({
      first: false,
      changes: [{ path: 'system.memoryMB', before: '1024', after: '2048' }],
    });
    // Stopped again with the new value in the file: nothing more.
    const edited = (x: string): string => x.replace('RAMSize="1024"', 'RAMSize="2048"');
    expect(fromFile(edited).system.memoryMB?.value).toBe(2048);
    expect(recordConfig(store, ID, fromFile(edited), next())).toBe(false);
    // And back to 1024 while stopped: recorded from the file.
    expect(recordConfig(store, ID, fromFile(), next())).toBe(true);
    h = historyFor(store, ID);
    expect(h).toHaveLength(3);
    expect(h[0].changes).toEqual([{ path: 'system.memoryMB', before: '2048', after: '1024' }]);
  });

  it('the same change the other way (running → stopped) is recorded too', () => {
    recordConfig(store, ID, fromShowVmInfo({ memory: '2048' }), next());
    expect(recordConfig(store, ID, fromFile(), next())).toBe(true);
    const h = historyFor(store, ID);
    expect(h.map((e) => e.changes.length)).toEqual([1, expect.any(Number)]);
    expect(h[0].changes).toEqual([{ path: 'system.memoryMB', before: '2048', after: '1024' }]);
  });

  it('a disk detached across the switch is removed, with the flags only the file gave', () => {
    recordConfig(store, ID, fromFile(), next());
    const noDisk = STORAGE.filter((l) => !l.startsWith('"SATA-ImageUUID')).map((l) =>
      l.startsWith('"SATA-0-0"') ? '"SATA-0-0"="none"' : l,
    );
    recordConfig(store, ID, fromShowVmInfo({}, noDisk), next());
    const h = historyFor(store, ID);
    expect(h).toHaveLength(2);
    expect(h[0].changes).toEqual([
      { path: 'storage.SATA.0-0.discard', before: 'off', after: null },
      { path: 'storage.SATA.0-0.hotPluggable', before: 'off', after: null },
      { path: 'storage.SATA.0-0.kind', before: 'hdd', after: null },
      { path: 'storage.SATA.0-0.medium', before: `${DIR}/clientbasso.vdi`, after: null },
      { path: 'storage.SATA.0-0.nonRotational', before: 'off', after: null },
    ]);
  });

  it('a value only showvminfo gives is compared with the last showvminfo read, across file reads', () => {
    recordConfig(store, ID, fromShowVmInfo(), next());
    recordConfig(store, ID, fromFile(), next());
    recordConfig(store, ID, fromFile(), next());
    expect(recordConfig(store, ID, fromShowVmInfo({ LogFldr: '"/var/log/vms/clientbasso"' }), next())).toBe(
      true,
    );
    const h = historyFor(store, ID);
    expect(h[0].changes).toEqual([
      { path: 'general.logFolder', before: `${DIR}/Logs`, after: '/var/log/vms/clientbasso' },
    ]);
  });

  it('a value only the settings file gives is compared with the last file read, across showvminfo reads', () => {
    recordConfig(store, ID, fromFile(), next());
    recordConfig(store, ID, fromShowVmInfo(), next());
    const hotplug = (x: string): string =>
      x.replace(
        '<AttachedDevice type="HardDisk" hotpluggable="false"',
        '<AttachedDevice type="HardDisk" hotpluggable="true"',
      );
    expect(recordConfig(store, ID, fromFile(hotplug), next())).toBe(true);
    expect(recordConfig(store, ID, fromShowVmInfo(), next())).toBe(false);
    const h = historyFor(store, ID);
    expect(h).toHaveLength(2);
    expect(h[0].changes).toEqual([{ path: 'storage.SATA.0-0.hotPluggable', before: 'off', after: 'on' }]);
  });

  it('rows stored before sources were recorded are read with a guessed source', () => {
    // The old format: the plain normalized file read, no @source.
    const old = normalizeConfig(fromFile());
    store.appendConfigHistory(
      ID,
      { at: next().toISOString(), configJson: JSON.stringify(old), hash: configHash(old) },
      200,
    );
    expect(recordConfig(store, ID, fromShowVmInfo(), next())).toBe(true);
    expect(recordConfig(store, ID, fromFile(), next())).toBe(false);
    expect(historyFor(store, ID).map((e) => e.first)).toEqual([true]);
  });

  it('stored rows name their source and the values carried from the other one', () => {
    recordConfig(store, ID, fromShowVmInfo(), next());
    recordConfig(store, ID, fromFile(), next());
    const [newest] = store.configHistory(ID);
    const row = JSON.parse(newest.configJson) as Record<string, string>;
    expect(row[SOURCE_KEY]).toBe('file');
    expect(JSON.parse(row[CARRIED_KEY])).toEqual(
      Object.fromEntries(SHOWVMINFO_ONLY.map((p) => [p, 'vboxmanage'])),
    );
    expect(row['system.platformArchitecture']).toBe('x86');
    expect(Object.keys(row)).toEqual(Object.keys(row).sort());
    expect(newest.hash).toBe(configHash(row));
  });
});

describe('through vms:get (recordHistory)', () => {
  it('a VM VBoxManage lists is recorded from either source; starting it adds no entry', async () => {
    let config = fromFile();
    const detail = (): VmDetail => ({
      summary: {
        id: ID,
        hypervisor: 'virtualbox',
        source: 'vboxmanage',
        name: 'clientbasso',
        accessible: true,
        findings: 0,
      },
      config,
      host: { cores: 4, threads: 8, memoryMB: 16384, os: 'Linux', fromHostInfo: false },
    });
    const inventory: InventoryProvider = {
      list: async () => ({
        vbox: { found: true, tried: [] },
        host: detail().host,
        vms: [detail().summary],
        demo: false,
      }),
      get: async () => detail(),
      openFile: async () => detail(),
      invalidate: () => {},
    };
    const api = createHandlers({
      store,
      inventory,
      mode: 'browser',
      dataDir: dir,
      systemLocale: 'en-US',
      version: '0',
    });
    await api['vms:get']({ id: ID });
    config = fromShowVmInfo();
    await api['vms:get']({ id: ID });
    expect(await api['vms:history']({ id: ID })).toHaveLength(1);
    config = fromShowVmInfo({ cpus: '2' });
    await api['vms:get']({ id: ID });
    const h = await api['vms:history']({ id: ID });
    expect(h[0].changes).toEqual([{ path: 'system.cpus', before: '1', after: '2' }]);
  });
});

describe('settingEntity / mergeRead / diffViews', () => {
  it('names the thing each path belongs to', () => {
    expect(settingEntity('system.memoryMB')).toBe('');
    expect(settingEntity('system.bootOrder.2')).toBe('');
    expect(settingEntity('storage.SATA Controller.maxPortCount')).toBe('storage.SATA Controller');
    expect(settingEntity('storage.SATA Controller.0-1.hotPluggable')).toBe('storage.SATA Controller.0-1');
    expect(settingEntity('network.1.attachment')).toBe('');
    expect(settingEntity('network.1.nat.mtu')).toBe('network.1');
    expect(settingEntity('network.1.forward.ssh')).toBe('network.1.forward.ssh');
    expect(settingEntity('serial.1.enabled')).toBe('');
    expect(settingEntity('serial.1.mode')).toBe('serial.1');
    expect(settingEntity('usb.filter.0.vendorId')).toBe('usb.filter.0');
    expect(settingEntity('sharedFolders.home.hostPath')).toBe('sharedFolders.home.hostPath');
    expect(settingEntity('snapshots.085cbbec-70cd-4864-9208-5d938dcabb71.name')).toBe(
      'snapshots.085cbbec-70cd-4864-9208-5d938dcabb71',
    );
    expect(settingEntity('snapshots.current')).toBe('');
  });

  it('a value the same source stops giving is a removal, not carried', () => {
    const before = mergeRead(undefined, { 'general.description': 'x', 'system.cpus': '1' }, 'file');
    const after = mergeRead(before, { 'system.cpus': '1' }, 'file');
    expect(after.values).toEqual({ 'system.cpus': '1' });
    expect(diffViews(before, after)).toEqual([{ path: 'general.description', before: 'x', after: null }]);
  });

  it('a setting both sources give that appears in a source both have reported is a change', () => {
    const a = mergeRead(undefined, { 'system.cpus': '1', 'general.logFolder': '/l' }, 'vboxmanage');
    const b = mergeRead(a, { 'system.cpus': '1', 'system.tpm': 'none' }, 'file');
    expect(diffViews(a, b)).toEqual([]);
    const c = mergeRead(
      b,
      { 'system.cpus': '1', 'general.logFolder': '/l', 'general.description': 'new' },
      'vboxmanage',
    );
    expect(diffViews(b, c)).toEqual([{ path: 'general.description', before: null, after: 'new' }]);
  });
});

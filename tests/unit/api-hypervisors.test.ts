/**
 * The API handlers for VMware and KVM: `prefs:set`/`prefs:get` with the new preferences (validated,
 * stored, kept across store reopen, invalidating the inventory), `vms:compare` through `dispatch`
 * with a real InventoryService (VMware folder of real `.vmx` fixtures, no VBoxManage), and the input
 * schema of the new channel.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch } from '../../app/core/api/dispatch.ts';
import { ValidationError } from '../../app/core/api/errors.ts';
import { createHandlers } from '../../app/core/api/handlers.ts';
import { InventoryService } from '../../app/core/inventory-service.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { VmIdSchema, contract, type Api, type Comparison } from '../../app/shared/contract.ts';
import { functionName } from '../../app/shared/contract.ts';
import { CHANNEL_FUNCTIONS } from '../../app/preload/channels.ts';

const root = path.resolve(import.meta.dirname, '../..');
const VMX = path.join(root, 'tests/fixtures/vmx');
const WIN19 = '564d6c27-96ea-1207-6f0b-b11d81469b0b';
const ROUTER = '564ddebe-e86f-d586-0854-a0879cc4be5a';

let dir: string;
let store: Store;
let svc: InventoryService;
let handlers: Api;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-api-hv-'));
  store = openStore(path.join(dir, 'data'));
  svc = new InventoryService({
    store,
    env: { PATH: '' },
    platform: 'linux',
    homedir: dir,
    registryCandidates: [],
    vmware: { vmrunPath: null },
    osFacts: {
      threads: 8,
      estimatedCores: 4,
      memoryMB: 16384,
      os: 'Linux 6.1',
      platform: 'linux',
      arch: 'x64',
    },
  });
  handlers = createHandlers({
    store,
    inventory: svc,
    mode: 'browser',
    dataDir: dir,
    systemLocale: 'en-US',
    version: '0.1.0',
    platform: 'linux',
  });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function vmFolder(): string {
  const f = path.join(dir, 'vms');
  fs.mkdirSync(f);
  fs.copyFileSync(path.join(VMX, 'esx-hw17-windows2019-memSize-camelcase.vmx'), path.join(f, 'win2019.vmx'));
  fs.copyFileSync(path.join(VMX, 'gsx-hw4-router-blank-lines-custom-vmnet.vmx'), path.join(f, 'router.vmx'));
  return f;
}

describe('prefs for VMware and KVM', () => {
  it('are validated, trimmed, stored and kept when the store is reopened', async () => {
    const folder = vmFolder();
    const after = await handlers['prefs:set']({
      libvirtUri: ' qemu+ssh://admin@lab.example:2222/system ',
      vmwareFolders: [` ${folder} `, '', folder, '/srv/vmware'],
      vmrunPath: ' /usr/bin/vmrun ',
    });
    expect(after).toEqual({
      language: null,
      vboxManagePath: '',
      libvirtUri: 'qemu+ssh://admin@lab.example:2222/system',
      vmwareFolders: [folder, '/srv/vmware'],
      vmrunPath: '/usr/bin/vmrun',
    });
    store.close();
    store = openStore(path.join(dir, 'data'));
    expect(store.getPrefs()).toEqual(after);
    store.setPrefs({ libvirtUri: '' });
    expect(store.getPrefs().libvirtUri).toBe('');
  });

  it('damaged saved values fall back to the defaults', () => {
    const put = store.db.prepare(
      'INSERT INTO prefs (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value',
    );
    put.run('vmwareFolders', '[1, "/ok"]');
    put.run('libvirtUri', '42');
    put.run('vmrunPath', 'not json');
    expect(store.getPrefs()).toMatchObject({ vmwareFolders: [], libvirtUri: '', vmrunPath: '' });
    put.run('vmwareFolders', '["/ok"]');
    expect(store.getPrefs().vmwareFolders).toEqual(['/ok']);
  });

  it('refuse URIs virsh must not get, relative folders and relative vmrun paths', async () => {
    await expect(handlers['prefs:set']({ libvirtUri: 'qemu+ssh://h/system?command=rm' })).rejects.toThrow(
      /query parameter "command" is not allowed.*Examples: qemu:\/\/\/system/,
    );
    await expect(handlers['prefs:set']({ libvirtUri: 'xen:///system' })).rejects.toThrow(ValidationError);
    await expect(handlers['prefs:set']({ vmwareFolders: ['vms'] })).rejects.toThrow(
      'Enter VMware VM folders as full paths, e.g. /home/me/vmware',
    );
    await expect(handlers['prefs:set']({ vmwareFolders: ['/a\u0007b'] })).rejects.toThrow(
      'invisible control characters',
    );
    await expect(handlers['prefs:set']({ vmrunPath: 'vmrun' })).rejects.toThrow(
      'Enter the full path to vmrun',
    );
    expect(store.getPrefs()).toMatchObject({ libvirtUri: '', vmwareFolders: [], vmrunPath: '' });
    // every accepted form
    for (const uri of ['qemu:///system', 'qemu:///session', 'test:///default', `test://${dir}/node.xml`]) {
      expect((await handlers['prefs:set']({ libvirtUri: uri })).libvirtUri).toBe(uri);
    }
  });

  it('a change re-reads the inventory (VMware VMs appear), the same value does not', async () => {
    const spy = vi.spyOn(svc, 'invalidate');
    const before = await handlers['vms:list']({});
    expect(before.demo).toBe(true);
    const folder = vmFolder();
    await handlers['prefs:set']({ vmwareFolders: [folder] });
    expect(spy).toHaveBeenCalledTimes(1);
    await handlers['prefs:set']({ vmwareFolders: [folder] });
    await handlers['prefs:set']({ libvirtUri: '' });
    expect(spy).toHaveBeenCalledTimes(1);
    const inv = await handlers['vms:list']({});
    expect(inv.demo).toBe(false);
    expect(inv.vms.map((v) => v.id).sort()).toEqual([WIN19, ROUTER].sort());
    expect(inv.vmware?.found).toBe(true);
    await handlers['prefs:set']({ vmrunPath: '/opt/vmrun' });
    expect(spy).toHaveBeenCalledTimes(2);
  });
});

describe('vms:compare', () => {
  it('dispatches to the inventory and returns the Comparison', async () => {
    store.setPrefs({ vmwareFolders: [vmFolder()] });
    const r = await dispatch(handlers, 'vms:compare', { a: WIN19, b: ROUTER.toUpperCase(), lang: 'zh-CN' });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    const c = r.value as Comparison;
    expect([c.a.name, c.b.name]).toEqual(['win2019', 'Router']);
    const rows = c.pages.flatMap((p) => p.rows);
    expect(rows.find((x) => x.key === 'system.memory')).toMatchObject({
      label: { en: 'Base Memory', 'zh-CN': '内存大小' },
      a: '4096 MB',
      b: '32 MB',
      differs: true,
      settingIds: { a: 'vmware.memory.size', b: 'vmware.memory.size' },
    });
    expect(rows.find((x) => x.key === 'system.firmware')).toMatchObject({
      a: 'EFI',
      b: null,
      differs: false,
    });
  });

  it('validates its input: VM ids only, known languages, nothing else', async () => {
    const bad = await dispatch(handlers, 'vms:compare', { a: WIN19, b: 'not-an-id' });
    expect(bad).toMatchObject({ ok: false, status: 400, error: { code: 'validation' } });
    const extra = await dispatch(handlers, 'vms:compare', { a: WIN19, b: WIN19, lang: 'fr' });
    expect(extra).toMatchObject({ ok: false, status: 400 });
    const unknown = await dispatch(handlers, 'vms:compare', {
      a: WIN19,
      b: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown).toMatchObject({ ok: false, status: 404, error: { code: 'not_found' } });
    expect(contract['vms:compare'].input.safeParse({ a: WIN19, b: WIN19, x: 1 }).success).toBe(false);
  });

  it('uses get() and compareVms when the inventory has no compare()', async () => {
    store.setPrefs({ vmwareFolders: [vmFolder()] });
    const plain = createHandlers({
      store,
      inventory: {
        list: (r) => svc.list(r),
        get: (id) => svc.get(id),
        openFile: (p) => svc.openFile(p),
        invalidate: () => {},
      },
      mode: 'electron',
      dataDir: dir,
      systemLocale: 'en-US',
      version: '0.1.0',
    });
    const c = await plain['vms:compare']({ a: WIN19, b: ROUTER });
    expect(c.pages[0].rows[0]).toMatchObject({
      key: 'general.name',
      a: 'win2019',
      b: 'Router',
      differs: true,
    });
  });

  it('has a preload function name and accepts every id kind the inventory produces', () => {
    expect(CHANNEL_FUNCTIONS['vms:compare']).toBe(functionName('vms:compare'));
    for (const id of [
      WIN19,
      'demo-02fd76af-2bae-4c98-add1-4d802a2f77fa',
      '881A931B-0110-4D10-81AA-47A1A19F5726',
    ])
      expect(VmIdSchema.safeParse(id).success, id).toBe(true);
  });
});

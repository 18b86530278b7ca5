import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { dispatch, formatIssues, isChannel } from '../../app/core/api/dispatch.ts';
import { NotFoundError, ValidationError } from '../../app/core/api/errors.ts';
import { createHandlers, type InventoryProvider } from '../../app/core/api/handlers.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import type { Finding } from '../../app/shared/advice.ts';
import { CHANNELS, type Api, type Inventory, type VmDetail } from '../../app/shared/contract.ts';

const VM = '3f5c1f0e-6b0a-4c39-9a55-0c3b1b2d4e5f';

/** Preferences when nothing is saved. */
const NO_PREFS = { language: null, vboxManagePath: '', libvirtUri: '', vmwareFolders: [], vmrunPath: '' };

const inventory: Inventory = {
  vbox: { found: true, path: '/usr/bin/VBoxManage', via: 'standard', version: '7.1.12r169651', tried: [] },
  host: { cores: 4, threads: 8, memoryMB: 16384, os: 'Linux', fromHostInfo: true },
  vms: [
    {
      id: VM,
      hypervisor: 'virtualbox',
      source: 'vboxmanage',
      name: 'web',
      accessible: true,
      findings: 0,
      cpus: 2,
    },
  ],
  demo: false,
};

const FINDING: Finding = {
  id: 'vbox.processor.cpus-over-cores',
  severity: 'warning',
  settingId: 'system.processor.cpus',
  source: 'virtualbox',
  ref: 'src/VBox/Frontends/VirtualBox/src/settings/machine/UIMachineSettingsSystem.cpp',
  title: { en: 'More vCPUs than host cores', 'zh-CN': '虚拟 CPU 多于主机核心' },
  reason: { en: '8 vCPUs, 4 cores', 'zh-CN': '8 个虚拟 CPU，4 个核心' },
  fix: { command: `VBoxManage modifyvm ${VM} --cpus 4` },
};

const DETAIL: VmDetail = {
  summary: { ...inventory.vms[0], findings: 1 },
  config: null,
  host: inventory.host,
  findings: [FINDING],
  extras: {
    'system.motherboard.tpm': {
      value: 'v2_0',
      key: 'Machine/Hardware/TrustedPlatformModule/@type',
      raw: 'v2_0',
    },
  },
  provenance: {
    vboxFile: { path: '/vms/web/web.vbox', read: true },
    discrepancies: [
      {
        settingId: 'system.motherboard.memory',
        showvminfo: { key: 'memory', raw: '4096' },
        vboxFile: { key: 'Machine/Hardware/Memory/@RAMSize', raw: '2048' },
      },
    ],
  },
};

function fakeInventory() {
  return {
    list: vi.fn(async () => inventory),
    get: vi.fn(async (id: string): Promise<VmDetail> => {
      if (id !== VM) throw new NotFoundError(`No VM with id ${id}.`);
      return DETAIL;
    }),
    openFile: vi.fn(async (file: string): Promise<VmDetail> => {
      if (file === '/missing.vbox') throw new NotFoundError('No file at /missing.vbox.');
      if (!file.endsWith('.vbox')) throw new ValidationError(`${file} is not a VM file.`);
      return { ...DETAIL, summary: { ...DETAIL.summary, source: 'file' } };
    }),
    invalidate: vi.fn(() => {}),
  } satisfies InventoryProvider;
}

let dir: string;
let store: Store;
let inv: ReturnType<typeof fakeInventory>;
let handlers: Api;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-api-'));
  store = openStore(dir, { now: () => new Date('2025-01-02T03:04:05.000Z') });
  inv = fakeInventory();
  handlers = createHandlers({
    store,
    inventory: inv,
    mode: 'browser',
    dataDir: dir,
    systemLocale: 'zh-CN',
    version: '0.1.0',
    platform: 'linux',
  });
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('createHandlers', () => {
  it('has one handler per channel', () => {
    expect(Object.keys(handlers).sort()).toEqual([...CHANNELS].sort());
  });

  it('app:info reports mode, locale, data dir and version', async () => {
    expect(await handlers['app:info']({})).toEqual({
      version: '0.1.0',
      mode: 'browser',
      systemLocale: 'zh-CN',
      dataDir: dir,
    });
  });

  it('vms:list passes refresh to the inventory', async () => {
    await handlers['vms:list']({});
    await handlers['vms:list']({ refresh: true });
    expect(inv.list).toHaveBeenNthCalledWith(1, false);
    expect(inv.list).toHaveBeenNthCalledWith(2, true);
  });

  it('vms:get returns findings, extras and provenance as the inventory gives them', async () => {
    const d = await handlers['vms:get']({ id: VM });
    expect(d.summary.findings).toBe(1);
    expect(d.findings?.map((f) => [f.id, f.severity, f.settingId])).toEqual([
      ['vbox.processor.cpus-over-cores', 'warning', 'system.processor.cpus'],
    ]);
    expect(d.extras?.['system.motherboard.tpm'].value).toBe('v2_0');
    expect(d.provenance?.discrepancies[0].vboxFile.raw).toBe('2048');
  });

  it('vms:openFile passes the path to the inventory and returns its detail', async () => {
    const d = await handlers['vms:openFile']({ path: '/vms/web/web.vbox' });
    expect(inv.openFile).toHaveBeenCalledWith('/vms/web/web.vbox');
    expect(d.summary.source).toBe('file');
    expect(d.provenance?.vboxFile).toEqual({ path: '/vms/web/web.vbox', read: true });
  });

  it('notes round-trip through the store', async () => {
    const saved = await handlers['notes:save']({ vmId: VM, settingId: 'system.processor.cpus', body: 'two' });
    expect(saved).toEqual({
      vmId: VM,
      settingId: 'system.processor.cpus',
      body: 'two',
      updatedAt: '2025-01-02T03:04:05.000Z',
    });
    expect(await handlers['notes:list']({ vmId: VM })).toEqual([saved]);
  });

  it('prefs:set trims the path, invalidates the inventory only when the path changes', async () => {
    expect(await handlers['prefs:set']({ vboxManagePath: '  /opt/VirtualBox/VBoxManage ' })).toEqual({
      ...NO_PREFS,
      vboxManagePath: '/opt/VirtualBox/VBoxManage',
    });
    expect(inv.invalidate).toHaveBeenCalledTimes(1);
    await handlers['prefs:set']({ language: 'zh-CN' });
    await handlers['prefs:set']({ vboxManagePath: '/opt/VirtualBox/VBoxManage' });
    expect(inv.invalidate).toHaveBeenCalledTimes(1);
    expect(await handlers['prefs:get']({})).toEqual({
      ...NO_PREFS,
      language: 'zh-CN',
      vboxManagePath: '/opt/VirtualBox/VBoxManage',
    });
    await handlers['prefs:set']({ vboxManagePath: '' });
    expect(inv.invalidate).toHaveBeenCalledTimes(2);
  });

  it('prefs:set refuses a relative path', async () => {
    await expect(handlers['prefs:set']({ vboxManagePath: 'bin/VBoxManage' })).rejects.toThrow(
      ValidationError,
    );
    expect(store.getPrefs().vboxManagePath).toBe('');
  });

  it('judges Windows paths with Windows rules', async () => {
    const win = createHandlers({
      store,
      inventory: inv,
      mode: 'electron',
      dataDir: dir,
      systemLocale: 'en-US',
      version: '0.1.0',
      platform: 'win32',
    });
    const prefs = await win['prefs:set']({
      vboxManagePath: 'C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe',
    });
    expect(prefs.vboxManagePath).toBe('C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe');
  });
});

describe('dispatch', () => {
  it('returns the value for a valid call', async () => {
    const r = await dispatch(handlers, 'vms:get', { id: VM });
    expect(r.ok).toBe(true);
    if (r.ok) expect((r.value as VmDetail).summary.name).toBe('web');
  });

  it('treats a missing input as {}', async () => {
    const r = await dispatch(handlers, 'prefs:get', undefined);
    expect(r).toEqual({ ok: true, value: NO_PREFS });
  });

  it('unknown channel → 404', async () => {
    for (const ch of ['vms:delete', 'toString', '__proto__', '']) {
      const r = await dispatch(handlers, ch, {});
      expect(r).toEqual({
        ok: false,
        status: 404,
        error: { error: `Unknown API channel "${ch}".`, code: 'not_found' },
      });
    }
    expect(isChannel('constructor')).toBe(false);
    expect(isChannel('vms:list')).toBe(true);
  });

  it('bad input → 400 with the field and the schema message', async () => {
    const r = await dispatch(handlers, 'vms:get', { id: 'not-a-uuid' });
    expect(r).toEqual({
      ok: false,
      status: 400,
      error: {
        error:
          'Invalid input for vms:get: id: must be a VM UUID or Invalid string: must match pattern /^demo-[0-9a-f-]{36}$/',
        code: 'validation',
      },
    });
    expect(inv.get).not.toHaveBeenCalled();
  });

  it('extra keys, wrong types and oversize bodies are refused', async () => {
    const extra = await dispatch(handlers, 'vms:list', { refresh: true, evil: 1 });
    expect(extra.ok).toBe(false);
    if (!extra.ok) expect(extra.error.error).toMatch(/^Invalid input for vms:list: input: .*evil/);
    const wrongType = await dispatch(handlers, 'vms:list', { refresh: 'yes' });
    expect(!wrongType.ok && wrongType.status).toBe(400);
    if (!wrongType.ok) expect(wrongType.error.error).toMatch(/^Invalid input for vms:list: refresh: /);
    const big = await dispatch(handlers, 'notes:save', {
      vmId: VM,
      settingId: '',
      body: 'x'.repeat(100_001),
    });
    expect(!big.ok && big.status).toBe(400);
    if (!big.ok) expect(big.error.error).toMatch(/body: /);
    const notObject = await dispatch(handlers, 'app:info', 'hello');
    expect(!notObject.ok && notObject.status).toBe(400);
    const badSetting = await dispatch(handlers, 'notes:save', { vmId: VM, settingId: 'cpus', body: 'x' });
    expect(!badSetting.ok && badSetting.status).toBe(400);
    expect(store.listNotes(VM)).toEqual([]);
  });

  it('NotFoundError → 404, ValidationError → 400 with their messages', async () => {
    const other = '00000000-0000-4000-8000-000000000000';
    expect(await dispatch(handlers, 'vms:get', { id: other })).toEqual({
      ok: false,
      status: 404,
      error: { error: `No VM with id ${other}.`, code: 'not_found' },
    });
    expect(await dispatch(handlers, 'prefs:set', { vboxManagePath: 'VBoxManage' })).toMatchObject({
      ok: false,
      status: 400,
      error: {
        code: 'validation',
        error:
          'Enter the full path to VBoxManage, e.g. /usr/bin/VBoxManage or C:\\Program Files\\Oracle\\VirtualBox\\VBoxManage.exe (you entered "VBoxManage"). Leave it empty to let the app search for it.',
      },
    });
  });

  it('vms:openFile: empty or oversize paths → 400 before the inventory; its errors keep their codes', async () => {
    for (const bad of [{ path: '' }, { path: 'x'.repeat(4097) }, {}, { path: '/a.vbox', extra: 1 }]) {
      const r = await dispatch(handlers, 'vms:openFile', bad);
      expect(!r.ok && r.status).toBe(400);
    }
    expect(inv.openFile).not.toHaveBeenCalled();
    expect(await dispatch(handlers, 'vms:openFile', { path: '/missing.vbox' })).toEqual({
      ok: false,
      status: 404,
      error: { error: 'No file at /missing.vbox.', code: 'not_found' },
    });
    expect(await dispatch(handlers, 'vms:openFile', { path: '/etc/hosts' })).toEqual({
      ok: false,
      status: 400,
      error: { error: '/etc/hosts is not a VM file.', code: 'validation' },
    });
  });

  it('other errors → 500 with a safe message; details go to onInternalError', async () => {
    inv.list.mockRejectedValueOnce(new Error('secret path /home/user/.config leaked'));
    const seen: unknown[] = [];
    const r = await dispatch(
      handlers,
      'vms:list',
      {},
      { onInternalError: (ch, err) => seen.push([ch, err]) },
    );
    expect(r).toEqual({
      ok: false,
      status: 500,
      error: {
        error: "Internal error while handling vms:list. See the app's log for details.",
        code: 'internal',
      },
    });
    expect(JSON.stringify(r)).not.toContain('secret');
    expect(seen).toHaveLength(1);
  });

  it('formatIssues joins paths and messages', () => {
    expect(
      formatIssues([
        { code: 'custom', path: ['a', 0], message: 'bad', input: 1 },
        { code: 'custom', path: [], message: 'worse', input: 1 },
      ]),
    ).toBe('a.0: bad; input: worse');
  });
});

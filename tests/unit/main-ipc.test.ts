import { describe, expect, it, vi } from 'vitest';
import { CHANNELS, type Api } from '../../app/shared/contract.ts';
import { NotFoundError } from '../../app/core/api/errors.ts';
import {
  handleInvoke,
  isTrustedSender,
  registerIpc,
  senderRejection,
  type IpcMainLike,
} from '../../app/main/ipc.ts';

type Listener = Parameters<IpcMainLike['handle']>[1];
type IpcMainInvokeEvent = Parameters<Listener>[0];

const APP = 'app://bundle';
const VM = '60390da3-a196-41f4-8e18-d669ff63c247';

/** Handlers that record their inputs; `vms:get` knows one VM. */
function fakeHandlers() {
  const calls: { channel: string; input: unknown }[] = [];
  const rec =
    (channel: string, value: unknown) =>
    async (input: unknown): Promise<never> => {
      calls.push({ channel, input });
      return value as never;
    };
  const api = {
    'app:info': rec('app:info', { version: '0.1.0', mode: 'electron', systemLocale: 'zh-CN', dataDir: '/d' }),
    'vms:list': rec('vms:list', { vms: [] }),
    'vms:get': async (input: { id: string }) => {
      calls.push({ channel: 'vms:get', input });
      if (input.id !== VM) throw new NotFoundError(`No VM with id ${input.id}.`);
      return { summary: { id: VM } } as never;
    },
    'notes:list': rec('notes:list', []),
    'notes:save': rec('notes:save', {}),
    'prefs:get': rec('prefs:get', { language: null, vboxManagePath: '' }),
    'prefs:set': async () => {
      throw new Error('disk on fire');
    },
  } as unknown as Api;
  return { api, calls };
}

const topFrame = (url: string) => ({ senderFrame: { url, parent: null } });

describe('sender check', () => {
  it('accepts only the app origin in the top-level frame', () => {
    expect(isTrustedSender({ url: 'app://bundle/index.html', parent: null }, APP)).toBe(true);
    expect(isTrustedSender({ url: 'app://bundle/#/vms', parent: null }, APP)).toBe(true);
    expect(senderRejection({ url: 'https://evil.example/', parent: null }, APP)).toMatch(
      /https:\/\/evil\.example/,
    );
    expect(
      senderRejection({ url: 'app://bundle/index.html', parent: { url: 'app://bundle/' } }, APP),
    ).toMatch(/sub-frames/);
    expect(senderRejection(null, APP)).toMatch(/no sender frame/);
    expect(senderRejection({ url: 'data:text/html,x', parent: null }, APP)).toMatch(/opaque origin/);
    expect(isTrustedSender({ url: 'app://bundle.evil/index.html', parent: null }, APP)).toBe(false);
    expect(isTrustedSender({ url: 'file:///app/out/renderer/index.html', parent: null }, APP)).toBe(false);
  });
});

describe('handleInvoke', () => {
  it('passes a valid call from the app frame to the handler', async () => {
    const { api, calls } = fakeHandlers();
    const r = await handleInvoke(api, 'vms:get', APP, topFrame('app://bundle/index.html'), [{ id: VM }]);
    expect(r).toEqual({ ok: true, value: { summary: { id: VM } } });
    expect(calls).toEqual([{ channel: 'vms:get', input: { id: VM } }]);
  });

  it('treats a missing argument as {}', async () => {
    const { api } = fakeHandlers();
    const r = await handleInvoke(api, 'app:info', APP, topFrame('app://bundle/'), []);
    expect(r.ok && (r.value as { systemLocale: string }).systemLocale).toBe('zh-CN');
  });

  it('refuses a foreign origin before validation, without calling the handler', async () => {
    const { api, calls } = fakeHandlers();
    const r = await handleInvoke(api, 'vms:get', APP, topFrame('https://evil.example/x'), [{ id: VM }]);
    expect(r).toMatchObject({ ok: false, status: 403, error: { code: 'forbidden' } });
    expect(r.ok ? '' : r.error.error).toContain('Refused IPC call on vms:get');
    expect(calls).toHaveLength(0);
  });

  it('refuses a sub-frame of the app origin', async () => {
    const { api, calls } = fakeHandlers();
    const event = {
      senderFrame: { url: 'app://bundle/index.html', parent: { url: 'app://bundle/index.html' } },
    };
    const r = await handleInvoke(api, 'prefs:get', APP, event, [{}]);
    expect(r).toMatchObject({ ok: false, status: 403, error: { code: 'forbidden' } });
    expect(calls).toHaveLength(0);
  });

  it('rejects a bad payload with a validation error from dispatch', async () => {
    const { api, calls } = fakeHandlers();
    const r = await handleInvoke(api, 'vms:get', APP, topFrame('app://bundle/'), [
      { id: '../../etc/passwd' },
    ]);
    expect(r).toMatchObject({ ok: false, status: 400, error: { code: 'validation' } });
    expect(r.ok ? '' : r.error.error).toMatch(/^Invalid input for vms:get: id: .*must be a VM UUID/);
    const extra = await handleInvoke(api, 'notes:list', APP, topFrame('app://bundle/'), [
      { vmId: VM, sql: 'drop' },
    ]);
    expect(extra).toMatchObject({ ok: false, status: 400, error: { code: 'validation' } });
    const twoArgs = await handleInvoke(api, 'prefs:get', APP, topFrame('app://bundle/'), [{}, { more: 1 }]);
    expect(twoArgs).toMatchObject({ ok: false, status: 400, error: { code: 'validation' } });
    expect(calls).toHaveLength(0);
  });

  it('maps handler errors: NotFoundError → 404, others → 500 without details', async () => {
    const { api } = fakeHandlers();
    const missing = await handleInvoke(api, 'vms:get', APP, topFrame('app://bundle/'), [
      { id: '00000000-0000-0000-0000-000000000000' },
    ]);
    expect(missing).toMatchObject({ ok: false, status: 404, error: { code: 'not_found' } });
    const spy = vi.spyOn(console, 'error').mockImplementation(() => {});
    const broken = await handleInvoke(api, 'prefs:set', APP, topFrame('app://bundle/'), [{ language: 'en' }]);
    spy.mockRestore();
    expect(broken).toMatchObject({ ok: false, status: 500, error: { code: 'internal' } });
    expect(broken.ok ? '' : broken.error.error).not.toContain('disk on fire');
  });
});

describe('registerIpc', () => {
  it('registers one handler per contract channel and removes them again', async () => {
    const registered = new Map<string, Listener>();
    const ipcMain: IpcMainLike = {
      handle: (channel, listener) => {
        if (registered.has(channel)) throw new Error(`twice: ${channel}`);
        registered.set(channel, listener);
      },
      removeHandler: (channel) => registered.delete(channel),
    };
    const { api, calls } = fakeHandlers();
    const unregister = registerIpc(ipcMain, api, APP);
    expect([...registered.keys()].sort()).toEqual([...CHANNELS].sort());

    const listener = registered.get('vms:list')!;
    const ok = await listener(topFrame('app://bundle/index.html') as unknown as IpcMainInvokeEvent, {
      refresh: true,
    });
    expect(ok).toEqual({ ok: true, value: { vms: [] } });
    expect(calls).toEqual([{ channel: 'vms:list', input: { refresh: true } }]);
    const refused = await listener(topFrame('https://evil.example') as unknown as IpcMainInvokeEvent, {});
    expect(refused).toMatchObject({ ok: false, status: 403 });

    unregister();
    expect(registered.size).toBe(0);
  });
});

/**
 * InventoryService with all three hypervisors: the stand-in VBoxManage (lab scenario), a VMware
 * folder of real `.vmx` fixtures copied into a temp dir, and KVM through the REAL virsh on libvirt's
 * test driver (tests/fixtures/libvirt-test/node.xml). The KVM parts are skipped when virsh is absent
 * (.ci/run installs Debian's libvirt-clients).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { NotFoundError, ValidationError } from '../../app/core/api/errors.ts';
import {
  InventoryService,
  NOT_FOUND_REASON,
  chooseLibvirtUri,
  derivedVmId,
  isLocalLibvirtUri,
  looksLikeDomainXml,
  vmwareFoldersFromEnv,
} from '../../app/core/inventory-service.ts';
import type { OsFacts } from '../../app/core/host.ts';
import { locateVirsh } from '../../app/core/kvm/virsh.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { flattenSnapshots } from '../../app/core/vbox/parse-snapshots.ts';
import { pathHashId } from '../../app/core/vmware/to-config.ts';
import { VmIdSchema } from '../../app/shared/contract.ts';
import { STAND_IN, loadScenario, readStandInLog, standInEnv, tempLog } from '../helpers/stand-in.ts';

const root = path.resolve(import.meta.dirname, '../..');
const VMX = path.join(root, 'tests/fixtures/vmx');
const NODE_XML = path.join(root, 'tests/fixtures/libvirt-test/node.xml');
const NODE_URI = `test://${NODE_XML}`;
const DOMAIN_XML = path.join(root, 'tests/fixtures/libvirt/vagrant-libvirt-existing-qemu-domain.xml');
const VIRSH = (await locateVirsh()).path;
const LAB = loadScenario('lab');
const XTEC = '02fd76af-2bae-4c98-add1-4d802a2f77fa'; // VirtualBox, NAT on adapter 1
const SERVER1919 = '8c722e19-bd30-4eb3-b36a-95fc4e20c072'; // VirtualBox, bridged on adapter 1
const K = {
  vagrant: '881a931b-0110-4d10-81aa-47a1a19f5726',
  db: '5f3c8a2e-7b41-4c9d-a1e6-2d8f0b7c9e12',
  legacy: 'e9f8d7c6-b5a4-4392-8170-6f5e4d3c2b1a',
  web: 'a7d2e4f6-1b3c-4d5e-8f90-1a2b3c4d5e6f',
};
const WIN19 = '564d6c27-96ea-1207-6f0b-b11d81469b0b';
const WILD14 = '421b223a-f2c1-c7c9-a399-34d2d9fde26d';
/** This computer as the tests pretend it is (the lab's hostinfo replaces cores and RAM when VBoxManage runs). */
const OS: OsFacts = {
  threads: 2,
  estimatedCores: 2,
  memoryMB: 4096,
  os: 'Linux 6.1',
  platform: 'linux',
  arch: 'x64',
};

let dir: string;
let logFile: string;
let store: Store;
let vmw: string;

beforeEach(() => {
  ({ dir, logFile } = tempLog());
  store = openStore(path.join(dir, 'data'));
  vmw = path.join(dir, 'Virtual Machines');
  fs.mkdirSync(path.join(vmw, 'win2019'), { recursive: true });
  fs.copyFileSync(
    path.join(VMX, 'esx-hw17-windows2019-memSize-camelcase.vmx'),
    path.join(vmw, 'win2019', 'win2019.vmx'),
  );
  fs.copyFileSync(
    path.join(
      VMX,
      'wild-esx-in-the-wild-14-hw19-hardened-isolation-keys-pciPassthru-star-mixed-case-bools.vmx',
    ),
    path.join(vmw, 'wild14.vmx'),
  );
});
afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const labEnv = (): NodeJS.ProcessEnv => ({ PATH: '', VBOXMANAGE: STAND_IN, ...standInEnv('lab', logFile) });
const service = (
  env: NodeJS.ProcessEnv = labEnv(),
  extra: Partial<ConstructorParameters<typeof InventoryService>[0]> = {},
) =>
  new InventoryService({
    store,
    env,
    platform: 'linux',
    homedir: dir,
    osFacts: OS,
    vmware: { vmrunPath: null },
    ...extra,
  });

/** A VMware NAT VM on adapter 1: the Fusion fixture with its NAT adapter (ethernet2) moved to ethernet0. */
function writeNatVmx(folder: string): string {
  const text = fs
    .readFileSync(path.join(VMX, 'fusion-all-lowercase-keys-4-nics-static-mac.vmx'), 'utf8')
    .split('\n')
    .filter((l) => !/^ethernet[013]\./.test(l))
    .map((l) => l.replace(/^ethernet2\./, 'ethernet0.'))
    .join('\n');
  const file = path.join(folder, 'core01-nat.vmx');
  fs.writeFileSync(file, text);
  return file;
}

describe('helpers', () => {
  it('chooses the libvirt URI: preference, then VM_COMPANION_LIBVIRT_URI, then LIBVIRT_DEFAULT_URI', () => {
    const env = { VM_COMPANION_LIBVIRT_URI: 'qemu:///session', LIBVIRT_DEFAULT_URI: 'qemu:///system' };
    expect(chooseLibvirtUri(' test:///default ', env)).toEqual({ uri: 'test:///default', via: 'prefs' });
    expect(chooseLibvirtUri('', env)).toEqual({ uri: 'qemu:///session', via: 'VM_COMPANION_LIBVIRT_URI' });
    expect(chooseLibvirtUri('', { LIBVIRT_DEFAULT_URI: 'qemu:///system' })).toEqual({
      uri: 'qemu:///system',
      via: 'LIBVIRT_DEFAULT_URI',
    });
    expect(chooseLibvirtUri('  ', {})).toBeUndefined();
    expect(isLocalLibvirtUri('qemu:///system')).toBe(true);
    expect(isLocalLibvirtUri(NODE_URI)).toBe(true);
    expect(isLocalLibvirtUri('qemu+ssh://root@lab/system')).toBe(false);
  });

  it('derived ids are stable UUID-shaped ids the contract accepts', () => {
    const id = derivedVmId(`kvm:qemu:///system:${K.db}`);
    expect(id).toBe(derivedVmId(`kvm:qemu:///system:${K.db}`));
    expect(id).not.toBe(derivedVmId(`kvm:qemu:///session:${K.db}`));
    expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(VmIdSchema.safeParse(id).success).toBe(true);
  });

  it('tells domain XML from VirtualBox settings XML', () => {
    expect(looksLikeDomainXml(fs.readFileSync(DOMAIN_XML, 'utf8'))).toBe(true);
    expect(looksLikeDomainXml(fs.readFileSync(NODE_XML, 'utf8'))).toBe(true); // a node holds domains
    const vbox = fs.readdirSync(path.join(root, 'tests/fixtures/vbox'))[0];
    expect(looksLikeDomainXml(fs.readFileSync(path.join(root, 'tests/fixtures/vbox', vbox), 'utf8'))).toBe(
      false,
    );
    expect(looksLikeDomainXml('memsize = "1024"\n')).toBe(false);
  });
});

describe('VirtualBox and VMware side by side', () => {
  it('lists both, each judged by its own rules; statuses say what was looked at', async () => {
    store.setPrefs({ vmwareFolders: [vmw] });
    const svc = service();
    const inv = await svc.list();
    expect(inv.demo).toBe(false);
    expect(inv.vms.filter((v) => v.hypervisor === 'virtualbox')).toHaveLength(LAB.vms.length);
    const vmware = inv.vms.filter((v) => v.hypervisor === 'vmware');
    expect(vmware.map((v) => [v.id, v.name, v.source, v.memoryMB, v.cpus]).sort()).toEqual([
      [WILD14, 'wild14', 'vmrun', 32768, 12],
      [WIN19, 'win2019', 'vmrun', 4096, 2],
    ]);
    expect(inv.vmware).toMatchObject({ found: true, vmrun: { tried: [] } });
    expect(inv.vmware?.tried).toContain(vmw);
    expect(inv.vmware?.tried).toContain(path.join(dir, '.vmware', 'inventory.vmls'));
    expect(inv.vmware?.issues).toBeUndefined();
    expect(inv.kvm?.uri).toBeUndefined(); // no URI set: KVM is not read
    expect(inv.kvm?.error).toBeUndefined();

    // The lab's hostinfo: 4 cores / 8 threads, 16384 MB — wild14 asks for 12 vCPUs and 32 GiB.
    const wild = await svc.get(WILD14.toUpperCase());
    expect(wild.host).toMatchObject({ cores: 4, threads: 8, memoryMB: 16384, fromHostInfo: true });
    expect(wild.findings?.map((f) => f.id)).toEqual([
      'vmware.memory.over-host',
      'vmware.processors.over-host',
    ]);
    expect(wild.findings?.every((f) => f.settingId.startsWith('vmware.'))).toBe(true);
    expect(wild.summary).toMatchObject({ findings: 2, worstSeverity: 'error' });
    expect(wild.config?.source).toBe('vmrun');
    // A VirtualBox VM still gets VirtualBox's rules only.
    const vbox = await svc.get(SERVER1919);
    expect(vbox.findings?.length).toBeGreaterThan(0);
    expect(
      vbox.findings?.some((f) => f.settingId.startsWith('vmware.') || f.settingId.startsWith('kvm.')),
    ).toBe(false);
    expect(vbox.summary.worstSeverity).toBe(vbox.findings?.[0].severity);
    for (const v of inv.vms) expect(VmIdSchema.safeParse(v.id).success, v.id).toBe(true);
    // A VM without findings has no worst severity.
    const clean = inv.vms.find((v) => v.findings === 0 && v.accessible)!;
    expect(clean.worstSeverity).toBeUndefined();
  });

  it('without VBoxManage the VMware VMs are shown, not the demo VMs; without any VM, the demo VMs', async () => {
    store.setPrefs({ vmwareFolders: [vmw] });
    const none = { PATH: '' };
    const inv = await service(none, { registryCandidates: [] }).list();
    expect(inv.demo).toBe(false);
    expect(inv.vbox.error).toBe(NOT_FOUND_REASON);
    expect(inv.vms.map((v) => v.hypervisor)).toEqual(['vmware', 'vmware']);
    // host facts: this computer as Node sees it
    expect((await service(none, { registryCandidates: [] }).get(WIN19)).host).toMatchObject({
      cores: 2,
      memoryMB: 4096,
    });

    store.setPrefs({ vmwareFolders: [] });
    const demo = await service(none, { registryCandidates: [] }).list();
    expect(demo.demo).toBe(true);
    expect(demo.vbox.error).toBe(`${NOT_FOUND_REASON} Demo VMs are shown meanwhile.`);
  });

  it('a VMware VM whose uuid.bios is a VirtualBox VM’s UUID is listed under its path id', async () => {
    const text = fs
      .readFileSync(path.join(VMX, 'workstation-hw11-msedge-win10-crlf.vmx'), 'latin1')
      .replace(/^uuid\.bios = .*$/m, 'uuid.bios = "02 fd 76 af 2b ae 4c 98-ad d1 4d 80 2a 2f 77 fa"');
    const file = path.join(vmw, 'clash.vmx');
    fs.writeFileSync(file, text, 'latin1');
    store.setPrefs({ vmwareFolders: [vmw] });
    const svc = service();
    const inv = await svc.list();
    const newId = pathHashId(file, 'linux');
    expect(inv.vms.filter((v) => v.id === XTEC).map((v) => v.hypervisor)).toEqual(['virtualbox']);
    const clash = await svc.get(newId);
    expect(clash.summary).toMatchObject({ hypervisor: 'vmware', name: 'MSEdge - Win10_preview' });
    expect(clash.config?.id).toBe(newId);
    expect(clash.config?.issues.at(-1)?.message).toBe(
      `Its id ${XTEC} is already the id of xtec-1 (VirtualBox); it is listed under ${newId}.`,
    );
  });

  it('VM_COMPANION_VMWARE_FOLDERS adds folders (PATH-style list; relative entries ignored)', async () => {
    expect(vmwareFoldersFromEnv({ VM_COMPANION_VMWARE_FOLDERS: `/a: rel :${vmw}` }, 'linux')).toEqual([
      '/a',
      vmw,
    ]);
    expect(vmwareFoldersFromEnv({ VM_COMPANION_VMWARE_FOLDERS: 'C:\\VMs;D:\\More' }, 'win32')).toEqual([
      'C:\\VMs',
      'D:\\More',
    ]);
    const inv = await service({ ...labEnv(), VM_COMPANION_VMWARE_FOLDERS: vmw }).list();
    expect(inv.vms.filter((v) => v.hypervisor === 'vmware')).toHaveLength(2);
  });

  it('a missing VMware folder is an issue, never fatal', async () => {
    store.setPrefs({ vmwareFolders: [path.join(dir, 'gone')] });
    const inv = await service().list();
    expect(inv.vmware?.found).toBe(false);
    expect(inv.vmware?.issues?.map((i) => i.message)).toEqual([
      `Cannot list ${path.join(dir, 'gone')}: the file does not exist.`,
    ]);
    expect(inv.vms).toHaveLength(LAB.vms.length);
  });
});

describe.skipIf(!VIRSH)('KVM through virsh beside the others', () => {
  it('lists all three hypervisors; domains judged against this computer for test:///', async () => {
    store.setPrefs({ vmwareFolders: [vmw], libvirtUri: NODE_URI });
    const svc = service();
    const inv = await svc.list();
    expect(inv.vms.map((v) => v.hypervisor)).toEqual([
      ...LAB.vms.map(() => 'virtualbox'),
      'vmware',
      'vmware',
      ...Object.keys(K)
        .concat('win11')
        .map(() => 'kvm'),
    ]);
    expect(inv.kvm).toMatchObject({ found: true, path: VIRSH, uri: NODE_URI, uriVia: 'prefs' });
    expect(inv.kvm?.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(inv.kvm?.error).toBeUndefined();
    const kvm = inv.vms.filter((v) => v.hypervisor === 'kvm');
    expect(kvm.map((v) => [v.name, v.state, v.source])).toEqual([
      ['vagrant-libvirt_default', 'running', 'virsh'],
      ['db-server', 'running', 'virsh'],
      ['win11-q35', 'paused', 'virsh'],
      ['legacy-user-net', 'saved', 'virsh'],
      ['web-bridge', 'poweroff', 'virsh'],
    ]);
    const legacy = await svc.get(K.legacy);
    // test:/// is this computer: the lab's 4 cores / 8 threads / 16384 MB, not the node XML's.
    expect(legacy.host).toEqual(inv.host);
    expect(legacy.findings?.every((f) => f.settingId.startsWith('kvm.'))).toBe(true);
    expect(legacy.findings?.map((f) => f.id)).toContain('kvm.memory.over-host'); // 24 GiB on 16 GiB
    expect(legacy.findings?.find((f) => f.id === 'kvm.memory.over-host')?.fix?.command).toContain(
      `--connect ${NODE_URI}`,
    );
    expect(legacy.summary.findings).toBe(legacy.findings?.length);
    expect(legacy.config?.source).toBe('virsh');
  });

  it('a remote URI judges domains against the libvirt node (nodeinfo), shown as VmDetail.host', async () => {
    // A wrapper virsh that answers for qemu+ssh://lab.example/system with the test node.
    const wrapper = path.join(dir, 'virsh');
    fs.writeFileSync(
      wrapper,
      `#!/bin/sh\nfor a in "$@"; do shift; if [ "$a" = "qemu+ssh://lab.example/system" ]; then set -- "$@" '${NODE_URI}'; else set -- "$@" "$a"; fi; done\nexec '${VIRSH}' "$@"\n`,
      { mode: 0o755 },
    );
    store.setPrefs({ libvirtUri: 'qemu+ssh://lab.example/system' });
    const svc = service(labEnv(), { locateVirsh: async () => ({ path: wrapper, tried: [wrapper] }) });
    const inv = await svc.list();
    expect(inv.kvm).toMatchObject({ found: true, path: wrapper, uri: 'qemu+ssh://lab.example/system' });
    const legacy = await svc.get(K.legacy);
    // node.xml: 1 cell × 1 socket × 4 cores × 2 threads, 16 GiB
    expect(legacy.host).toEqual({
      cores: 4,
      threads: 8,
      memoryMB: 16384,
      cpuModel: 'x86_64',
      os: 'linux',
      fromHostInfo: false,
    });
    expect(legacy.findings?.map((f) => f.id)).toEqual(
      expect.arrayContaining(['kvm.cpus.over-host-threads', 'kvm.memory.over-host']),
    );
    expect(inv.host.fromHostInfo).toBe(true); // the inventory's host is still this computer
  });

  it('a connection that fails hides neither VirtualBox nor VMware; its reason is kvm.error', async () => {
    store.setPrefs({ vmwareFolders: [vmw], libvirtUri: 'test:///nonexistent/node.xml' });
    const inv = await service().list();
    expect(inv.vms.filter((v) => v.hypervisor === 'virtualbox')).toHaveLength(LAB.vms.length);
    expect(inv.vms.filter((v) => v.hypervisor === 'vmware')).toHaveLength(2);
    expect(inv.vms.filter((v) => v.hypervisor === 'kvm')).toHaveLength(0);
    expect(inv.kvm?.error).toMatch(
      /^virsh could not read the domains of test:\/\/\/nonexistent\/node\.xml: .*failed to connect to the hypervisor/,
    );
    expect(inv.demo).toBe(false);
  });

  it('a refused URI from the environment and a missing virsh are reported, not thrown', async () => {
    const refused = await service({ ...labEnv(), LIBVIRT_DEFAULT_URI: 'xen:///system' }).list();
    expect(refused.kvm).toMatchObject({ uri: 'xen:///system', uriVia: 'LIBVIRT_DEFAULT_URI' });
    expect(refused.kvm?.error).toMatch(/^Connection URI "xen:\/\/\/system" is not accepted/);
    expect(refused.vms).toHaveLength(LAB.vms.length);

    const noVirsh = await service(
      { ...labEnv(), VM_COMPANION_LIBVIRT_URI: 'qemu:///system' },
      { locateVirsh: async () => ({ tried: ['/opt/none/virsh'] }) },
    ).list();
    expect(noVirsh.kvm).toEqual({
      found: false,
      tried: ['/opt/none/virsh'],
      uri: 'qemu:///system',
      uriVia: 'VM_COMPANION_LIBVIRT_URI',
      error:
        "virsh was not found, so the KVM domains of qemu:///system cannot be read. Install libvirt's client tools (Debian/Ubuntu: libvirt-clients; Fedora: libvirt-client).",
    });
  });

  it('a domain whose UUID a VirtualBox VM has gets a derived id', async () => {
    const node = path.join(dir, 'node.xml');
    fs.writeFileSync(node, fs.readFileSync(NODE_XML, 'utf8').replace(K.db, XTEC));
    const uri = `test://${node}`;
    store.setPrefs({ libvirtUri: uri });
    const svc = service();
    const inv = await svc.list();
    const id = derivedVmId(`kvm:${uri}:${XTEC}`);
    expect(inv.vms.find((v) => v.id === id)).toMatchObject({ hypervisor: 'kvm', name: 'db-server' });
    const d = await svc.get(id);
    expect(d.config?.issues.at(-1)?.message).toBe(
      `Its id ${XTEC} is already the id of xtec-1 (VirtualBox); it is listed under ${id}.`,
    );
    expect((await svc.get(XTEC)).summary.hypervisor).toBe('virtualbox');
  });

  it('compare: KVM on the default network vs VirtualBox NAT, bridge vs bridged', async () => {
    store.setPrefs({ libvirtUri: NODE_URI });
    const svc = service();
    const rows = async (a: string, b: string) => (await svc.compare(a, b)).pages.flatMap((p) => p.rows);
    const nat = await rows(K.db, XTEC);
    expect(nat.find((r) => r.key === 'network.1.attachment')).toEqual({
      key: 'network.1.attachment',
      label: { en: 'Adapter 1 · Attached to', 'zh-CN': '网卡 1 · 连接方式' },
      a: 'NAT · default',
      b: 'NAT',
      differs: false,
      settingIds: { a: 'kvm.nics.source#1', b: 'network.adapter.attachedTo#1' },
    });
    expect(nat.find((r) => r.key === 'system.memory')).toMatchObject({
      a: '4096 MB',
      b: '6144 MB',
      differs: true,
    });
    const user = await rows(K.legacy, XTEC);
    expect(user.find((r) => r.key === 'network.1.attachment')).toMatchObject({
      a: 'NAT',
      b: 'NAT',
      differs: false,
    });
    const bridge = await rows(K.web, SERVER1919);
    expect(bridge.find((r) => r.key === 'network.1.attachment')).toMatchObject({ differs: false });
    expect(bridge.find((r) => r.key === 'network.1.attachment')?.a).toBe('Bridged Adapter · br0');
    await expect(svc.compare(K.db, '00000000-0000-4000-8000-000000000000')).rejects.toThrow(NotFoundError);
  });
});

describe('openFile with VMware and libvirt files', () => {
  it('a .vmx opens as a VMware VM with VMware advice; reopening a discovered .vmx returns the listed VM', async () => {
    store.setPrefs({ vmwareFolders: [vmw] });
    const svc = service();
    const elsewhere = path.join(dir, 'elsewhere');
    fs.mkdirSync(elsewhere);
    const nat = writeNatVmx(elsewhere);
    const d = await svc.openFile(nat);
    expect(d.summary).toMatchObject({ hypervisor: 'vmware', source: 'file', name: 'core01', memoryMB: 1024 });
    expect(d.config?.network.map((n) => [n.slot, n.attachment.value])).toEqual([[1, 'nat']]);
    expect(d.findings?.every((f) => f.settingId.startsWith('vmware.'))).toBe(true);
    expect((await svc.list()).vms.at(-1)?.id).toBe(d.summary.id);

    const again = await svc.openFile(path.join(vmw, 'win2019', 'win2019.vmx'));
    expect(again.summary).toMatchObject({ id: WIN19, source: 'vmrun' });
    expect(again.config?.issues.at(-1)?.message).toBe(
      "win2019.vmx describes this VM, which VMware discovery already lists: the values read there are shown, not the file's.",
    );

    // VirtualBox NAT and VMware NAT are the same attachment.
    const c = await svc.compare(XTEC, d.summary.id);
    const rows = c.pages.flatMap((p) => p.rows);
    expect(rows.find((r) => r.key === 'network.1.attachment')).toMatchObject({
      a: 'NAT',
      b: 'NAT',
      differs: false,
      settingIds: { a: 'network.adapter.attachedTo#1', b: 'vmware.network.connection#ethernet0' },
    });
    // 82540EM (VirtualBox) and e1000 (VMware) are the same Intel PRO/1000 family.
    expect(rows.find((r) => r.key === 'network.1.adapterType')).toMatchObject({
      a: 'Intel PRO/1000 MT Desktop (82540EM)',
      b: 'Intel PRO/1000 (e1000)',
      differs: false,
    });
    expect(c.a.hypervisor).toBe('virtualbox');
    expect(c.b.hypervisor).toBe('vmware');
  });

  it('a domain XML opens as a KVM VM; one whose UUID VirtualBox has gets its own id', async () => {
    const svc = service();
    const d = await svc.openFile(DOMAIN_XML);
    expect(d.summary).toMatchObject({
      id: K.vagrant,
      hypervisor: 'kvm',
      source: 'file',
      cpus: 2,
      memoryMB: 2048,
    });
    expect(d.findings?.map((f) => f.id)).toEqual(['kvm.overview.emulated-cpu', 'kvm.display.legacy-video']);
    expect(d.host).toEqual((await svc.list()).host);

    const clash = path.join(dir, 'clash.xml');
    fs.writeFileSync(clash, fs.readFileSync(DOMAIN_XML, 'utf8').replace(K.vagrant, XTEC));
    const c = await svc.openFile(clash);
    expect(c.summary.id).toBe(derivedVmId(`kvm-file:${clash}`));
    expect(c.config?.issues.at(-1)?.message).toContain(
      `Its id ${XTEC} is already the id of xtec-1 (VirtualBox)`,
    );
    expect((await svc.get(XTEC)).summary.hypervisor).toBe('virtualbox');

    // An opened VMware file with the id of the opened domain keeps neither from the other.
    const twin = path.join(dir, 'twin.vmx');
    fs.writeFileSync(
      twin,
      fs
        .readFileSync(path.join(VMX, 'workstation-hw11-msedge-win10-crlf.vmx'), 'latin1')
        .replace(/^uuid\.bios = .*$/m, 'uuid.bios = "88 1a 93 1b 01 10 4d 10-81 aa 47 a1 a1 9f 57 26"'),
      'latin1',
    );
    const t = await svc.openFile(twin);
    expect(t.summary.id).toBe(derivedVmId(`opened:vmware:${K.vagrant}`));
    expect((await svc.get(K.vagrant)).summary.hypervisor).toBe('kvm');

    const broken = path.join(dir, 'broken.xml');
    fs.writeFileSync(broken, '<domain type="kvm"><name>x</name>');
    await expect(svc.openFile(broken)).rejects.toThrow(ValidationError);
    const empty = path.join(dir, 'empty.vmx');
    fs.writeFileSync(empty, '');
    await expect(svc.openFile(empty)).rejects.toThrow('Cannot use empty.vmx: the file is empty.');
  });

  it.skipIf(!VIRSH)(
    'a domain XML of a domain virsh lists returns the listed domain with a note',
    async () => {
      store.setPrefs({ libvirtUri: NODE_URI });
      const svc = service();
      const d = await svc.openFile(DOMAIN_XML);
      expect(d.summary).toMatchObject({ id: K.vagrant, source: 'virsh', state: 'running' });
      expect(d.config?.issues.at(-1)?.message).toBe(
        "vagrant-libvirt-existing-qemu-domain.xml describes this VM, which virsh already lists: the values read there are shown, not the file's.",
      );
    },
  );
});

describe('snapshot lists, read lazily by get()', () => {
  it('list() reads no snapshot list; get() merges it for VMs whose showvminfo has none, once', async () => {
    const svc = service();
    await svc.list();
    const verbs = () => readStandInLog(logFile).filter((a) => a[0] === 'snapshot');
    expect(verbs()).toEqual([]);

    const chain = await svc.get('c8775131-d296-4ad5-bf03-84ff719e6e4c');
    const flat = flattenSnapshots(chain.config!.snapshots);
    expect(flat).toHaveLength(16);
    expect(flat.at(-1)?.depth).toBe(15);
    expect(flat.filter((n) => n.node.current)).toHaveLength(1);

    const tree = await svc.get('6aa44e71-71c6-4e68-a61f-f69e133ecffa');
    expect(tree.config!.snapshots.map((s) => s.name)).toEqual(['Imported']);
    expect(tree.config!.snapshots[0].children.map((s) => s.name)).toEqual([
      'Snapshot 1',
      'Snapshot 5',
      'Snapshot 7',
    ]);
    const current = flattenSnapshots(tree.config!.snapshots).find((n) => n.node.current);
    expect(current?.node.name).toBe('Snapshot-Export');

    await svc.get('c8775131-d296-4ad5-bf03-84ff719e6e4c');
    expect(verbs()).toEqual([
      ['snapshot', 'c8775131-d296-4ad5-bf03-84ff719e6e4c', 'list', '--machinereadable'],
      ['snapshot', '6aa44e71-71c6-4e68-a61f-f69e133ecffa', 'list', '--machinereadable'],
    ]);
    // A VM whose showvminfo already lists its snapshot is not asked again; inaccessible VMs never.
    const withKeys = await svc.get('6294f16b-4f05-4430-afb9-773bdb237aec');
    expect(withKeys.config!.snapshots.map((s) => s.name)).toEqual(['base']);
    await svc.get('3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13');
    expect(verbs()).toHaveLength(2);
  });
});

import { expect, test, type Page } from '@playwright/test';
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hostUrl } from './own-host.ts';

/**
 * Issue 4 end to end, on a browser host of its own: the stand-in VBoxManage (lab scenario), a VMware
 * folder holding copies of three real `.vmx` fixtures (`VM_COMPANION_VMWARE_FOLDERS`) and KVM through
 * the real `virsh` with the test driver on our node XML (`VM_COMPANION_LIBVIRT_URI`). Checks the
 * VMware mirror (memory, processors, network connection as in the .vmx), the KVM mirror (memory,
 * vCPUs, NIC source as in the node XML), the equivalents in the explanation panel and a comparison
 * of a VirtualBox VM with a VMware VM. Expected values are read from the fixture files here.
 */

const root = path.resolve(import.meta.dirname, '../..');
const fixture = (rel: string): string => path.join(root, 'tests/fixtures', rel);
const VMX = [
  'vmx/workstation-hw11-msedge-win10-crlf.vmx',
  'vmx/gsx-hw4-router-blank-lines-custom-vmnet.vmx',
  'vmx/esx-hw8-rhel71-uefi.vmx',
];
const nodeXml = fixture('libvirt-test/node.xml');

/** A `.vmx` value by key (case-insensitive, last one wins, quotes removed). */
function vmxValue(file: string, key: string): string | undefined {
  let out: string | undefined;
  for (const line of readFileSync(fixture(file), 'utf8').split(/\r?\n/)) {
    const m = /^\s*([^=#]+?)\s*=\s*"?(.*?)"?\s*$/.exec(line);
    if (m && m[1].toLowerCase() === key.toLowerCase()) out = m[2];
  }
  return out;
}

/** The `<domain>` block of the node XML whose `<name>` is `name`. */
function domainXml(name: string): string {
  const xml = readFileSync(nodeXml, 'utf8');
  const block = xml.split('<domain ').find((d) => d.includes(`<name>${name}</name>`));
  if (!block) throw new Error(`no domain ${name} in node.xml`);
  return block;
}

interface Vm {
  id: string;
  name: string;
  hypervisor: string;
  accessible: boolean;
}

async function callApi<T>(url: string, channel: string, input: object): Promise<T> {
  const u = new URL(url);
  const token = new URLSearchParams(u.hash.slice(1)).get('token');
  const res = await fetch(`${u.origin}/api/${encodeURIComponent(channel)}`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
    body: JSON.stringify(input),
  });
  expect(res.ok, `${channel}: HTTP ${res.status} ${await res.clone().text()}`).toBe(true);
  return (await res.json()) as T;
}

const dir = mkdtempSync(path.join(tmpdir(), 'vmc-e2e-issue4-'));
const vmwareDir = path.join(dir, 'vmware');
let child: ChildProcess | undefined;
let url = '';
let vms: Vm[] = [];

async function startHost(): Promise<string> {
  mkdirSync(vmwareDir, { recursive: true });
  for (const f of VMX) {
    const sub = path.join(vmwareDir, path.basename(f, '.vmx'));
    mkdirSync(sub, { recursive: true });
    copyFileSync(fixture(f), path.join(sub, path.basename(f)));
  }
  child = spawn(process.execPath, ['app/core/serve.ts', '--port', '0'], {
    cwd: root,
    env: {
      ...process.env,
      VBOXMANAGE: path.join(root, 'tests/stand-in/VBoxManage'),
      VBOX_STANDIN_SCENARIO: path.join(root, 'tests/stand-in/scenarios/lab.json'),
      VBOX_STANDIN_LOG: path.join(dir, 'standin.log'),
      VM_COMPANION_DATA_DIR: path.join(dir, 'data'),
      VM_COMPANION_LIBVIRT_URI: `test://${nodeXml}`,
      VM_COMPANION_VMWARE_FOLDERS: vmwareDir,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const proc = child;
  return hostUrl(proc);
}

test.describe.configure({ mode: 'serial' });

test.beforeAll(async () => {
  url = await startHost();
  vms = (await callApi<{ vms: Vm[] }>(url, 'vms:list', {})).vms;
});

test.afterAll(async () => {
  const proc = child;
  child = undefined;
  if (proc && proc.exitCode === null) {
    const exited = new Promise((r) => proc.once('exit', r));
    proc.kill('SIGTERM');
    await exited;
  }
  rmSync(dir, { recursive: true, force: true });
});

function vmNamed(name: string, hypervisor: string): Vm {
  const vm = vms.find((v) => v.name === name && v.hypervisor === hypervisor);
  if (!vm)
    throw new Error(
      `${hypervisor} VM ${name} not listed: ${vms.map((v) => `${v.hypervisor}:${v.name}`).join(', ')}`,
    );
  return vm;
}

async function openVm(page: Page, id: string): Promise<void> {
  await page.goto(url);
  await page.locator(`[data-testid="vm-row"][data-vm-id="${id}"]`).click();
  await expect(page.getByTestId('foreign-mirror')).toBeVisible();
}

function control(page: Page, id: string) {
  return page.locator(`[data-control="${id}"]:visible`);
}

test('a VMware VM shows memory, processors and network connection as its .vmx says', async ({ page }) => {
  const file = VMX[0];
  const name = vmxValue(file, 'displayName')!;
  expect(name).toBe('MSEdge - Win10_preview');
  const memsize = vmxValue(file, 'memsize')!;
  expect(memsize).toBe('2048');
  const conn = vmxValue(file, 'ethernet0.connectionType')!;
  expect(conn).toBe('bridged');
  const vm = vmNamed(name, 'vmware');
  await openVm(page, vm.id);
  const mirror = page.getByTestId('foreign-mirror');
  await expect(mirror).toHaveAttribute('data-hypervisor', 'vmware');
  // Hardware list: Memory summary "2 GB", one row per device.
  const memRow = page.locator('[data-testid="device-item"][data-key="memory"]');
  await expect(memRow.getByTestId('device-summary')).toHaveText('2 GB');
  await expect(page.locator('[data-testid="device-item"][data-key="disks#scsi0:0"]')).toContainText(
    'Hard Disk (SCSI)',
  );
  await memRow.click();
  await expect(control(page, 'vmware.memory.size')).toHaveAttribute('data-value', memsize);
  await page.locator('[data-testid="device-item"][data-key="processors"]').click();
  // No numvcpus in this .vmx: VMware's default of one processor.
  expect(vmxValue(file, 'numvcpus')).toBeUndefined();
  const processors = page.locator('[data-testid="device-item"][data-key="processors"]');
  await expect(processors.getByTestId('device-summary')).toHaveText('1');
  await processors.click();
  const perSocket = vmxValue(file, 'cpuid.coresPerSocket')!;
  expect(perSocket).toBe('1');
  await expect(control(page, 'vmware.processors.coresPerProcessor')).toHaveAttribute('data-value', perSocket);
  const nic = page.locator('[data-testid="device-item"][data-key="network#ethernet0"]');
  await expect(nic.getByTestId('device-summary')).toHaveText('Bridged');
  await nic.click();
  const connection = control(page, 'vmware.network.connection');
  await expect(connection).toHaveAttribute('data-value', conn);
  await connection.click();
  const explain = page.getByTestId('explain');
  await expect(explain.getByTestId('explain-raw')).toHaveText(`ethernet0.connectionType = "${conn}"`);
  // Equivalents: VirtualBox "Attached to" and libvirt's interface type.
  await expect(
    explain.locator('[data-testid="explain-equivalent"][data-id="network.adapter.attachedTo"]'),
  ).toBeVisible();
  await expect(
    explain.locator('[data-testid="explain-equivalent"][data-hypervisor="kvm"]').first(),
  ).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/issue4-vmware.png' });
});

test('a libvirt domain shows memory, vCPUs and NIC source as the node XML says', async ({ page }) => {
  const xml = domainXml('vagrant-libvirt_default');
  const kib = Number(/<memory unit='KiB'>(\d+)<\/memory>/.exec(xml)![1]);
  expect(kib).toBe(2097152);
  const vcpus = /<vcpu[^>]*>(\d+)<\/vcpu>/.exec(xml)![1];
  expect(vcpus).toBe('2');
  const network = /<source network='([^']+)'/.exec(xml)![1];
  expect(network).toBe('vagrant-libvirt');
  const vm = vmNamed('vagrant-libvirt_default', 'kvm');
  await openVm(page, vm.id);
  await expect(page.getByTestId('foreign-mirror')).toHaveAttribute('data-hypervisor', 'kvm');
  await page.locator('[data-testid="device-item"][data-key="memory"]').click();
  await expect(control(page, 'kvm.memory.maximum')).toHaveAttribute(
    'data-value',
    new RegExp(`^${kib / 1024}\\b|^${kib}\\b`),
  );
  await page.locator('[data-testid="device-item"][data-key="cpus"]').click();
  await expect(control(page, 'kvm.cpus.vcpus')).toHaveAttribute('data-value', vcpus);
  const nicItem = page.locator('[data-testid="device-item"][data-key="nics#1"]');
  await expect(nicItem).toContainText('NIC :aa:bb:01');
  await nicItem.click();
  await expect(control(page, 'kvm.nics.sourceName')).toHaveAttribute('data-value', network);
  await control(page, 'kvm.nics.source').click();
  await expect(page.getByTestId('explain').getByTestId('explain-equivalents')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/issue4-kvm.png' });
});

test('comparing a VirtualBox VM with a VMware VM highlights the differing memory', async ({ page }) => {
  const vbox = vms.find((v) => v.hypervisor === 'virtualbox' && v.accessible)!;
  const vmware = vmNamed(vmxValue(VMX[1], 'displayName')!, 'vmware');
  await page.goto(url);
  await expect(page.getByTestId('vm-row').first()).toBeVisible();
  await page.getByTestId('nav-compare').click();
  await page.getByTestId('compare-a').selectOption(vbox.id);
  await page.getByTestId('compare-b').selectOption(vmware.id);
  await expect(page.getByTestId('compare-a')).toHaveValue(vbox.id);
  await expect(page.getByTestId('compare-b')).toHaveValue(vmware.id);
  const memory = page.locator('[data-testid="compare-row"][data-key="system.memory"]');
  await expect(memory).toHaveAttribute('data-differs', 'yes');
  await expect(memory.getByTestId('compare-b-value')).toContainText(vmxValue(VMX[1], 'memsize')!);
  const same = page.locator('[data-testid="compare-row"][data-differs="no"]');
  const sameCount = await same.count();
  await page.getByTestId('compare-only-diff').check();
  await expect(page.locator('[data-testid="compare-row"][data-differs="no"]')).toHaveCount(0);
  await expect(memory).toBeVisible();
  await page.getByTestId('compare-only-diff').uncheck();
  await expect(same).toHaveCount(sameCount);
  await page.screenshot({ path: 'test-results/screens/issue4-compare.png', fullPage: true });
});

test('the machines list tags VMware and KVM machines; a VirtualBox setting shows its VMware and KVM equivalents', async ({
  page,
}) => {
  const vmware = vmNamed(vmxValue(VMX[0], 'displayName')!, 'vmware');
  const kvm = vmNamed('vagrant-libvirt_default', 'kvm');
  const vbox = vms.find((v) => v.hypervisor === 'virtualbox' && v.accessible)!;
  await page.goto(url);
  const tag = (id: string) =>
    page.locator(`[data-testid="vm-row"][data-vm-id="${id}"] [data-testid="vm-hypervisor"]`);
  await expect(tag(vmware.id)).toHaveText('VMware');
  await expect(tag(kvm.id)).toHaveText('KVM');
  await expect(tag(vbox.id)).toHaveCount(0);
  await page.locator(`[data-testid="vm-row"][data-vm-id="${vbox.id}"]`).click();
  await page.getByTestId('page-network').click();
  await control(page, 'network.adapter.attachedTo').first().click();
  const explain = page.getByTestId('explain');
  await expect(explain.getByTestId('explain-equivalents')).toBeVisible();
  const vmwareEq = explain.locator('[data-testid="explain-equivalent"][data-id="vmware.network.connection"]');
  await expect(vmwareEq).toContainText('ethernetN.connectionType');
  await expect(
    explain.locator('[data-testid="explain-equivalent"][data-id="kvm.nics.source"]'),
  ).toBeVisible();
});

test('zh-CN: the VMware list and explanation are in Chinese, values stay as the .vmx has them', async ({
  page,
}) => {
  const vm = vmNamed(vmxValue(VMX[0], 'displayName')!, 'vmware');
  await openVm(page, vm.id);
  await page.getByTestId('lang-select').selectOption('zh-CN');
  const memRow = page.locator('[data-testid="device-item"][data-key="memory"]');
  await expect(memRow).toContainText('内存');
  await expect(memRow.getByTestId('device-summary')).toHaveText('2 GB');
  const nic = page.locator('[data-testid="device-item"][data-key="network#ethernet0"]');
  await expect(nic).toContainText('网络适配器');
  await expect(nic.getByTestId('device-summary')).toHaveText('桥接');
  await nic.click();
  await control(page, 'vmware.network.connection').click();
  await expect(page.getByTestId('explain').getByTestId('explain-title')).toHaveText('网络连接');
  await expect(page.getByTestId('explain').getByTestId('explain-raw')).toHaveText(
    'ethernet0.connectionType = "bridged"',
  );
  await page.screenshot({ path: 'test-results/screens/issue4-vmware-zh.png' });
  await page.getByTestId('lang-select').selectOption('en');
});

test('a q35 domain lists its SATA disk and CD-ROM, controllers, NIC, sound and TPM like virt-manager', async ({
  page,
}) => {
  const xml = domainXml('win11-q35');
  expect(xml).toContain("<target dev='sda' bus='sata'");
  expect(xml).toContain("<disk type='file' device='cdrom'>");
  const mac = /<mac address='([^']+)'/.exec(xml)![1];
  expect(mac).toBe('52:54:00:c4:e1:b2');
  await openVm(page, vmNamed('win11-q35', 'kvm').id);
  const item = (key: string) => page.locator(`[data-testid="device-item"][data-key="${key}"]`);
  await expect(item('disks#sda')).toHaveText('SATA Disk 1');
  await expect(item('disks#sdb')).toHaveText('SATA CDROM 1');
  await expect(item('nics#1')).toHaveText(`NIC ${mac.slice(-9)}`);
  await expect(page.locator('[data-testid="device-item"][data-key^="tpm"]')).toHaveCount(1);
  await expect(page.locator('[data-testid="device-item"][data-key^="sound"]')).toHaveCount(1);
  await item('disks#sdb').click();
  await expect(control(page, 'kvm.disks.device')).toHaveAttribute('data-value', 'cdrom');
  await expect(control(page, 'kvm.disks.bus')).toHaveAttribute('data-value', 'sata');
  await control(page, 'kvm.disks.bus').click();
  await expect(page.getByTestId('explain').getByTestId('explain-change')).toBeVisible();
  await page.screenshot({ path: 'test-results/screens/issue4-kvm-q35.png' });
});

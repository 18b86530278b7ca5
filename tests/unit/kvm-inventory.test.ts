import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readKvmInventory, summaryFromKvmConfig } from '../../app/core/kvm/inventory.ts';
import { VIRSH_READ_VERBS, VirshRunner, locateVirsh } from '../../app/core/kvm/virsh.ts';
import type { VmConfig } from '../../app/shared/model.ts';

/**
 * readKvmInventory through the REAL virsh (skipped with a message when virsh is absent; .ci/run installs
 * Debian's libvirt-clients) on libvirt's test driver: test:///default and tests/fixtures/libvirt-test/node.xml.
 * Failure paths wrap the real virsh in a small shell script that breaks one domain.
 */

const VIRSH = (await locateVirsh()).path;
if (!VIRSH)
  console.warn(
    'kvm-inventory.test.ts: virsh not found — the real-virsh tests are SKIPPED. Install Debian/Ubuntu "libvirt-clients" (.ci/run does).',
  );
const NODE_URI = `test://${path.resolve('tests/fixtures/libvirt-test/node.xml')}`;
const U = {
  vagrant: '881a931b-0110-4d10-81aa-47a1a19f5726',
  db: '5f3c8a2e-7b41-4c9d-a1e6-2d8f0b7c9e12',
  win11: 'c4e1b2a3-9d8f-4e7a-b6c5-0f1e2d3c4b5a',
  legacy: 'e9f8d7c6-b5a4-4392-8170-6f5e4d3c2b1a',
  web: 'a7d2e4f6-1b3c-4d5e-8f90-1a2b3c4d5e6f',
};

/** A shell wrapper around the real virsh: logs argv, then runs `pre` (which may exit) before exec'ing virsh. */
function wrapper(pre: string): { path: string; log: string } {
  const dir = mkdtempSync(path.join(tmpdir(), 'kvm-wrap-virsh-'));
  const log = path.join(dir, 'calls.log');
  const file = path.join(dir, 'virsh');
  writeFileSync(file, `#!/bin/sh\nprintf '%s\\n' "$*" >> '${log}'\n${pre}\nexec '${VIRSH}' "$@"\n`);
  chmodSync(file, 0o755);
  return { path: file, log };
}

const native = (c: VmConfig | undefined, id: string): string | undefined => c?.native?.[id]?.value;

describe.skipIf(!VIRSH)('readKvmInventory, real virsh', () => {
  it('test:///default: the driver\'s built-in domain "test"', async () => {
    const inv = await readKvmInventory(new VirshRunner(VIRSH!, { uri: 'test:///default' }));
    expect(inv.uri).toBe('test:///default');
    expect(inv.issues).toEqual([]);
    expect(inv.vms).toEqual([
      {
        id: '6695eb01-f6a4-8304-79aa-97f2502e193f',
        hypervisor: 'kvm',
        source: 'file',
        name: 'test',
        accessible: true,
        state: 'running',
        cpus: 2,
        memoryMB: 2048,
        findings: 1,
      },
    ]);
    // 8 GiB maximum on a 3 GiB test host.
    expect(inv.findings.get('6695eb01-f6a4-8304-79aa-97f2502e193f')!.map((f) => f.id)).toEqual([
      'kvm.memory.over-host',
    ]);
    const c = inv.configs.get('6695eb01-f6a4-8304-79aa-97f2502e193f')!;
    expect(c.state).toEqual({ value: 'running', key: 'dominfo/State', raw: 'running' });
    expect(c.native?.['kvm.memory.maximum']).toEqual({
      value: '8192',
      key: 'domain/memory',
      raw: '8388608 KiB',
    });
    expect(native(c, 'kvm.overview.hypervisor')).toBe('test');
    expect(c.system.platformArchitecture?.value).toBe('x86');
    expect(c.system.platformArchitecture?.raw).toBe('i686');
    expect(c.storage[0].attachments[0].medium.value).toBe('/guest/diskimage1');
    expect(c.network[0]).toMatchObject({
      attachment: { value: 'natnetwork', raw: 'network' },
      attachmentName: { value: 'default' },
    });
    expect(native(c, 'kvm.nics.target#1')).toBe('testnet0');
    expect(inv.host).toEqual({
      cores: 8,
      threads: 16,
      memoryMB: 3072,
      cpuModel: 'i686',
      os: 'linux',
      fromHostInfo: false,
    });
  });

  it('our node XML: five domains with state, OS, vCPUs, memory and finding counts', async () => {
    const progress: [number, number][] = [];
    const inv = await readKvmInventory(new VirshRunner(VIRSH!, { uri: NODE_URI }), {
      onProgress: (d, t) => progress.push([d, t]),
    });
    expect(inv.issues).toEqual([]);
    expect(progress[0]).toEqual([0, 5]);
    expect(progress.at(-1)).toEqual([5, 5]);
    expect(inv.host).toMatchObject({ cores: 4, threads: 8, memoryMB: 16384 });
    expect(inv.vms.map((v) => [v.name, v.state, v.osType, v.cpus, v.memoryMB, v.accessible])).toEqual([
      ['vagrant-libvirt_default', 'running', undefined, 2, 2048, true],
      ['db-server', 'running', 'Ubuntu 22.04', 2, 4096, true],
      ['win11-q35', 'paused', 'Windows 11', 8, 8192, true],
      ['legacy-user-net', 'saved', 'CentOS 7.0', 12, 24576, true],
      ['web-bridge', 'poweroff', 'Debian 12', 1, 1024, true],
    ]);
    for (const v of inv.vms) expect(v.findings).toBe(inv.findings.get(v.id)!.length);
    expect(inv.vms.map((v) => v.findings)).toEqual([1, 0, 1, 8, 3]);
  });

  it('the fixture domain read through virsh matches the fixture file (same UUID, devices, values)', async () => {
    const inv = await readKvmInventory(new VirshRunner(VIRSH!, { uri: NODE_URI }));
    const c = inv.configs.get(U.vagrant)!;
    expect(c.general.name?.value).toBe('vagrant-libvirt_default');
    expect(c.general.description?.value).toBe('Source: /home/test/vagrant-libvirt/Vagrantfile');
    expect(c.system.memoryMB?.value).toBe(2048);
    expect(c.system.chipset).toMatchObject({ value: 'piix3', raw: 'pc-i440fx-6.0' });
    expect(native(c, 'kvm.cpus.mode')).toBe('host-model');
    expect(c.network[0]).toMatchObject({
      macAddress: { value: '525400AABB01' },
      attachmentName: { value: 'vagrant-libvirt' },
    });
    expect(native(c, 'kvm.display.videoModel')).toBe('cirrus');
    expect(native(c, 'kvm.overview.status')).toBe('running');
    expect(native(c, 'kvm.boot.autostart')).toBe('disable');
  });

  it('db-server: virtio disks (file + pool volume), shared memory + virtiofs, SPICE/QXL, ich9 sound, xhci, guest agent', async () => {
    const inv = await readKvmInventory(new VirshRunner(VIRSH!, { uri: NODE_URI }));
    const c = inv.configs.get(U.db)!;
    expect(c.general.osType).toEqual({
      value: 'Ubuntu 22.04',
      key: 'domain/metadata/libosinfo:libosinfo/libosinfo:os/@id',
      raw: 'http://ubuntu.com/ubuntu/22.04',
    });
    expect(native(c, 'kvm.overview.title')).toBe('PostgreSQL lab database');
    expect(native(c, 'kvm.memory.maximum')).toBe('8192');
    expect(native(c, 'kvm.memory.current')).toBe('4096');
    expect(native(c, 'kvm.cpus.maxVcpus')).toBe('4');
    expect(c.system.cpus).toEqual({ value: 2, key: 'domain/vcpu/@current', raw: '2' });
    expect(native(c, 'kvm.cpus.mode')).toBe('host-passthrough');
    expect(native(c, 'kvm.memory.shared')).toBe('yes');
    expect(c.storage.map((s) => [s.name.value, s.attachments.map((a) => [a.port, a.medium.value])])).toEqual([
      [
        'VirtIO',
        [
          [0, '/var/lib/libvirt/images/db-server.qcow2'],
          [1, 'default/db-data.raw'],
        ],
      ],
    ]);
    expect([
      native(c, 'kvm.disks.cache#vda'),
      native(c, 'kvm.disks.discard#vda'),
      native(c, 'kvm.disks.io#vda'),
    ]).toEqual(['none', 'unmap', 'native']);
    expect(native(c, 'kvm.disks.serial#vda')).toBe('db-root');
    expect(native(c, 'kvm.disks.format#vdb')).toBe('raw');
    expect(c.network[0]).toMatchObject({
      attachmentName: { value: 'default' },
      adapterType: { value: 'virtio' },
      cableConnected: { value: true },
    });
    expect(c.sharedFolders.map((f) => [f.name.value, f.hostPath.value])).toEqual([
      ['hostshare', '/srv/share'],
    ]);
    expect(native(c, 'kvm.devices.fsDriver#1')).toBe('virtiofs');
    expect(native(c, 'kvm.display.graphicsType')).toBe('spice');
    expect(c.display.graphicsController?.value).toBe('qxl');
    expect(c.display.vramMB?.value).toBe(64);
    expect(c.audio).toMatchObject({
      enabled: true,
      controller: { value: 'hda', raw: 'ich9' },
      driver: { value: 'spice' },
    });
    expect(c.usb.xhci?.raw).toBe('qemu-xhci');
    expect(native(c, 'kvm.disks.controllerType#virtio-serial0')).toBe('virtio-serial');
    expect(native(c, 'kvm.devices.channel#1')).toBe('unix virtio org.qemu.guest_agent.0');
    expect(native(c, 'kvm.devices.rng')).toBe('virtio /dev/urandom');
    expect(c.system.bootOrder.map((b) => b.value)).toEqual(['disk', 'net']);
    expect(inv.findings.get(U.db)).toEqual([]);
  });

  it('win11-q35: Q35 + UEFI + Secure Boot, TPM 2.0, Hyper-V, topology, per-device boot order, SATA with an empty CD', async () => {
    const inv = await readKvmInventory(new VirshRunner(VIRSH!, { uri: NODE_URI }));
    const c = inv.configs.get(U.win11)!;
    expect(c.state).toEqual({ value: 'paused', key: 'dominfo/State', raw: 'paused' });
    expect(c.system.chipset).toMatchObject({ value: 'ich9', raw: 'pc-q35-7.2' });
    expect(c.system.firmware).toEqual({ value: 'EFI', key: 'domain/os/@firmware', raw: 'efi' });
    expect(c.system.secureBoot).toEqual({
      value: true,
      key: 'domain/os/firmware/feature[2]/@enabled',
      raw: 'yes',
    });
    expect(c.system.tpm?.value).toBe('v2_0');
    expect(native(c, 'kvm.overview.hyperv')).toBe('relaxed, vapic, spinlocks');
    expect(c.system.rtcUseUtc?.value).toBe(false);
    expect([
      native(c, 'kvm.cpus.sockets'),
      native(c, 'kvm.cpus.cores'),
      native(c, 'kvm.cpus.threads'),
    ]).toEqual(['1', '4', '2']);
    expect(c.system.bootOrder.map((b) => b.value)).toEqual(['dvd', 'disk']);
    expect(native(c, 'kvm.boot.order')).toBe('sdb, sda');
    expect(c.storage).toHaveLength(1);
    expect(c.storage[0].name.value).toBe('SATA 0');
    expect(
      c.storage[0].attachments.map((a) => [a.port, a.kind, a.medium.value, a.nonRotational?.value]),
    ).toEqual([
      [0, 'hdd', '/var/lib/libvirt/images/win11.qcow2', true],
      [1, 'empty', 'emptydrive', undefined],
    ]);
    expect(c.network[0].adapterType?.value).toBe('e1000e');
    expect(native(c, 'kvm.devices.hostdev#1')).toBe('usb 0x046d:0xc52b');
    expect(c.usb.filters).toEqual([
      { index: 1, name: 'hostdev 1', active: true, vendorId: '046d', productId: 'c52b' },
    ]);
    expect(native(c, 'kvm.display.accel3d')).toBe('no');
    expect(inv.findings.get(U.win11)!.map((f) => f.id)).toEqual(['kvm.cpus.over-host-cores']);
  });

  it('web-bridge and legacy-user-net: bridge/macvtap, link down, IDE, user networking, no USB', async () => {
    const inv = await readKvmInventory(new VirshRunner(VIRSH!, { uri: NODE_URI }));
    const web = inv.configs.get(U.web)!;
    expect(
      web.network.map((n) => [
        n.attachment.value,
        n.attachment.raw,
        n.attachmentName?.value,
        n.adapterType?.value,
        n.cableConnected?.value,
      ]),
    ).toEqual([
      ['bridged', 'bridge', 'br0', 'e1000e', undefined],
      ['bridged', 'direct', 'eno1', 'virtio', false],
    ]);
    expect(
      web.storage.map((s) => [
        s.name.value,
        s.type?.value,
        s.attachments.map((a) => `${a.port}:${a.device} ${a.kind}`),
      ]),
    ).toEqual([
      ['SATA 0', 'IntelAhci', ['0:0 hdd']],
      ['IDE 0', 'PIIX4', ['1:0 dvd']],
      ['SCSI 0', 'VirtioSCSI', ['1:0 hdd']],
    ]);
    expect(native(web, 'kvm.disks.shareable#sdb')).toBe('yes');
    expect(native(web, 'kvm.disks.controllerModel#scsi0')).toBe('virtio-scsi');
    expect(native(web, 'kvm.memory.hugepages')).toBe('yes');
    expect(web.system.largePages?.value).toBe(true);
    // The node XML sets a VNC password; virsh dumpxml (without --security-info) never shows it.
    expect(native(web, 'kvm.display.password')).toBeUndefined();
    expect(JSON.stringify(web)).not.toContain('web-vnc-pw');
    expect(web.system.bootOrder.map((b) => b.value)).toEqual(['dvd', 'disk']);
    expect(web.usb.ehci?.raw).toBe('ich9-ehci1');
    expect(native(web, 'kvm.devices.usbController')).toBe('ich9-ehci1');
    expect(native(web, 'kvm.devices.watchdog')).toBe('i6300esb, reset');
    expect(native(web, 'kvm.display.port')).toBe('5901');

    const legacy = inv.configs.get(U.legacy)!;
    expect(legacy.state).toEqual({ value: 'saved', key: 'dominfo/State', raw: 'shut off (managed save)' });
    expect(legacy.network[0]).toMatchObject({
      attachment: { value: 'nat', raw: 'user' },
      adapterType: { value: 'rtl8139' },
    });
    expect(native(legacy, 'kvm.cpus.mode')).toBe('custom');
    expect(native(legacy, 'kvm.cpus.model')).toBe('qemu64');
    expect(legacy.system.nestedHwVirt?.value).toBe(false);
    expect(native(legacy, 'kvm.devices.usbController')).toBe('none');
    expect([legacy.usb.ohci, legacy.usb.ehci, legacy.usb.xhci]).toEqual([undefined, undefined, undefined]);
    expect(native(legacy, 'kvm.memory.balloon')).toBe('none');
    expect(native(legacy, 'kvm.display.listen')).toBe('0.0.0.0');
    expect(native(legacy, 'kvm.boot.kernel')).toBe('/var/lib/libvirt/boot/vmlinuz-3.10.0-1160.el7.x86_64');
    expect(native(legacy, 'kvm.boot.initrd')).toBe(
      '/var/lib/libvirt/boot/initramfs-3.10.0-1160.el7.x86_64.img',
    );
    expect(legacy.native?.['kvm.boot.cmdline']).toEqual({
      value: 'console=ttyS0 root=/dev/sda1 ro',
      key: 'domain/os/cmdline',
      raw: 'console=ttyS0 root=/dev/sda1 ro',
    });
    expect(native(inv.configs.get(U.win11), 'kvm.overview.kvmHidden')).toBe('on');
  });

  it('inactive: true asks for the persistent definition (dumpxml --inactive)', async () => {
    const w = wrapper('');
    const inv = await readKvmInventory(new VirshRunner(w.path, { uri: NODE_URI }), { inactive: true });
    expect(inv.vms.map((v) => v.accessible)).toEqual([true, true, true, true, true]);
    const dumps = readFileSync(w.log, 'utf8')
      .trim()
      .split('\n')
      .filter((l) => l.includes('dumpxml'));
    expect(dumps.sort()).toEqual(
      Object.values(U)
        .map((u) => `--readonly --connect ${NODE_URI} dumpxml --inactive ${u}`)
        .sort(),
    );
  });

  it('one domain whose dumpxml fails, one with broken XML and one whose dominfo fails do not hide the others', async () => {
    const w = wrapper(
      [
        `case "$*" in`,
        `  *"dumpxml ${U.win11}"*) echo "error: failed to get domain '${U.win11}'" >&2; exit 1;;`,
        `  *"dumpxml ${U.web}"*) printf '<domain type="test">\\n  <name>web-bridge\\n</domain>\\n'; exit 0;;`,
        `  *"dominfo ${U.db}"*) echo 'error: internal error: dominfo exploded' >&2; exit 1;;`,
        `esac`,
      ].join('\n'),
    );
    const inv = await readKvmInventory(new VirshRunner(w.path, { uri: NODE_URI }));
    expect(inv.vms.map((v) => [v.name, v.accessible, v.state])).toEqual([
      ['vagrant-libvirt_default', true, 'running'],
      ['db-server', true, undefined],
      ['win11-q35', false, 'paused'],
      ['legacy-user-net', true, 'saved'],
      ['web-bridge', false, 'poweroff'],
    ]);
    const win = inv.vms.find((v) => v.id === U.win11)!;
    expect(win.error).toBe(
      `virsh could not read this domain (exit code 1): failed to get domain '${U.win11}'`,
    );
    const web = inv.vms.find((v) => v.id === U.web)!;
    expect(web.error).toMatch(
      /^The domain XML could not be read: line \d+: the domain XML is not well-formed XML/,
    );
    expect(inv.configs.has(U.win11)).toBe(false);
    const db = inv.configs.get(U.db)!;
    expect(db.state).toBeUndefined();
    expect(db.issues).toEqual([
      {
        message:
          'dominfo failed, so the state is unknown: virsh could not read this domain (exit code 1): internal error: dominfo exploded',
      },
    ]);
    // Only read verbs reached virsh, each with --readonly --connect <uri>.
    const lines = readFileSync(w.log, 'utf8').trim().split('\n');
    expect(lines.length).toBe(1 + 1 + 5 * 2);
    for (const line of lines) {
      const [ro, c, uri, verb] = line.split(' ');
      expect([ro, c, uri]).toEqual(['--readonly', '--connect', NODE_URI]);
      expect(VIRSH_READ_VERBS as readonly string[]).toContain(verb);
    }
  });

  it('a domain answering with another UUID is refused; a failing nodeinfo is an issue, not fatal', async () => {
    const other = readFileSync('tests/fixtures/libvirt/vagrant-libvirt-existing-qemu-domain.xml', 'utf8');
    const dir = mkdtempSync(path.join(tmpdir(), 'kvm-other-'));
    writeFileSync(path.join(dir, 'other.xml'), other);
    const w = wrapper(
      [
        `case "$*" in`,
        `  *"dumpxml ${U.legacy}"*) cat '${path.join(dir, 'other.xml')}'; exit 0;;`,
        `  *nodeinfo*) echo 'error: this function is not supported by the connection driver: virNodeGetInfo' >&2; exit 1;;`,
        `esac`,
      ].join('\n'),
    );
    const inv = await readKvmInventory(new VirshRunner(w.path, { uri: NODE_URI }), {
      fallbackHost: { cores: 2, threads: 4, memoryMB: 8192, os: 'linux', fromHostInfo: false },
    });
    expect(inv.issues).toEqual([
      {
        message:
          'virsh nodeinfo failed; host limits unknown: virsh could not read this domain (exit code 1): this function is not supported by the connection driver: virNodeGetInfo',
      },
    ]);
    expect(inv.node).toBeUndefined();
    expect(inv.host).toEqual({ cores: 2, threads: 4, memoryMB: 8192, os: 'linux', fromHostInfo: false });
    const legacy = inv.vms.find((v) => v.id === U.legacy)!;
    expect(legacy.accessible).toBe(false);
    expect(legacy.error).toBe(`dumpxml ${U.legacy} answered with the XML of domain ${U.vagrant}; ignored`);
    expect(inv.vms.filter((v) => v.accessible)).toHaveLength(4);
  });

  it("a listing that fails rejects with virsh's message", async () => {
    await expect(
      readKvmInventory(new VirshRunner(VIRSH!, { uri: 'test:///nonexistent/kvm-companion/node.xml' })),
    ).rejects.toMatchObject({
      kind: 'exit',
      virshMessage: expect.stringMatching(/^failed to connect to the hypervisor/),
    });
  });
});

describe('summaryFromKvmConfig', () => {
  it('uses the current memory and vCPUs and the neutral state', () => {
    const s = summaryFromKvmConfig(
      {
        id: 'x',
        hypervisor: 'kvm',
        source: 'file',
        state: { value: 'poweroff', key: 'dominfo/State', raw: 'shut off' },
        general: { name: { value: 'n', key: 'domain/name', raw: 'n' } },
        system: {
          bootOrder: [],
          cpus: { value: 3, key: 'domain/vcpu', raw: '3' },
          memoryMB: { value: 512, key: 'domain/memory', raw: '524288 KiB' },
        },
        display: {},
        storage: [],
        audio: {},
        network: [],
        serial: [],
        usb: { filters: [] },
        sharedFolders: [],
        snapshots: [],
        unknownKeys: [],
        issues: [],
      },
      2,
    );
    expect(s).toEqual({
      id: 'x',
      hypervisor: 'kvm',
      source: 'file',
      name: 'n',
      accessible: true,
      findings: 2,
      state: 'poweroff',
      cpus: 3,
      memoryMB: 512,
    });
  });
});

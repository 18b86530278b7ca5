import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { KVM_ADVICE_RULES, evaluateKvmAdvice, kvmGuest } from '../../app/core/kvm/advice.ts';
import { parseDomainXml } from '../../app/core/kvm/domain-xml.ts';
import { getKvmEntry } from '../../app/shared/kvm-catalog-data.ts';
import { KVM_CONTROL_IDS } from '../../app/shared/kvm-ids.ts';
import type { HostFacts } from '../../app/shared/model.ts';

/**
 * KVM advice on the real fixture, on the domains of our test-driver node XML (read from the file, no
 * virsh needed) and on focused variants. Host: the node XML's 4 cores / 8 threads / 16 GiB.
 */

const HOST: HostFacts = { cores: 4, threads: 8, memoryMB: 16384, os: 'linux', fromHostInfo: false };
const FIXTURE = readFileSync('tests/fixtures/libvirt/vagrant-libvirt-existing-qemu-domain.xml', 'utf8');
const NODE = readFileSync('tests/fixtures/libvirt-test/node.xml', 'utf8');
const URI = 'qemu:///system';

/** The `<domain>…</domain>` of the node XML with this name, as a standalone document. */
function nodeDomain(name: string): string {
  const blocks = NODE.split(/(?=<domain )/).slice(1);
  const block = blocks.find((b) => b.includes(`<name>${name}</name>`));
  if (!block) throw new Error(`no domain ${name} in node.xml`);
  return block.slice(0, block.indexOf('</domain>') + '</domain>'.length);
}

const ids = (xml: string, host: HostFacts | null = HOST): string[] =>
  evaluateKvmAdvice(parseDomainXml(xml), host ? { host, uri: URI } : { uri: URI }).map(
    (f) => `${f.severity} ${f.id} ${f.settingId}`,
  );

describe('rules table', () => {
  it('ids are unique and every settingId is a KVM control with a catalog entry', () => {
    const seen = new Set<string>();
    for (const r of KVM_ADVICE_RULES) {
      expect(seen.has(r.id), r.id).toBe(false);
      seen.add(r.id);
      expect(r.id.startsWith('kvm.')).toBe(true);
      expect(KVM_CONTROL_IDS as readonly string[]).toContain(r.settingId);
      expect(getKvmEntry(r.settingId), r.settingId).toBeDefined();
      expect(r.ref.length).toBeGreaterThan(10);
    }
    expect(KVM_ADVICE_RULES).toHaveLength(20);
  });
});

describe('the fixture and the node XML domains', () => {
  it('vagrant-libvirt fixture: emulated CPU (type qemu) and the Cirrus card', () => {
    const findings = evaluateKvmAdvice(parseDomainXml(FIXTURE), { host: HOST, uri: URI });
    expect(findings.map((f) => `${f.severity} ${f.id}`)).toEqual([
      'warning kvm.overview.emulated-cpu',
      'info kvm.display.legacy-video',
    ]);
    const emu = findings[0];
    expect(emu.settingId).toBe('kvm.overview.hypervisor');
    expect(emu.source).toBe('learner');
    expect(emu.fix?.command).toBe('virsh --connect qemu:///system edit 881a931b-0110-4d10-81aa-47a1a19f5726');
    expect(emu.fix?.note?.en).toContain("<domain type='kvm'>");
    expect(emu.title['zh-CN']).toBe('CPU 为纯软件模拟（未使用 KVM 加速）');
    expect(findings[1].fix?.command).toBe(
      'virt-xml --connect qemu:///system 881a931b-0110-4d10-81aa-47a1a19f5726 --edit --video model.type=virtio',
    );
  });

  it('db-server and win11-q35 are clean apart from hyper-threaded vCPUs', () => {
    expect(ids(nodeDomain('db-server'))).toEqual([]);
    expect(ids(nodeDomain('win11-q35'))).toEqual(['info kvm.cpus.over-host-cores kvm.cpus.vcpus']);
    const f = evaluateKvmAdvice(parseDomainXml(nodeDomain('win11-q35')), { host: HOST })[0];
    expect(f.numbers).toEqual({ vcpus: 8, hostCores: 4, hostThreads: 8 });
    expect(f.reason.en).toBe(
      '8 vCPUs on 4 physical cores (8 threads): some vCPUs share a core through hyper-threading, which helps less than a real core.',
    );
  });

  it('legacy-user-net: host limits, emulated devices on a Linux guest, unsafe cache, exposed VNC, user networking', () => {
    expect(ids(nodeDomain('legacy-user-net'))).toEqual([
      'warning kvm.cpus.over-host-threads kvm.cpus.vcpus',
      'warning kvm.memory.over-host kvm.memory.maximum',
      'warning kvm.disks.not-virtio-linux kvm.disks.bus#hda',
      'warning kvm.disks.cache-unsafe kvm.disks.cache#hda',
      'warning kvm.nics.not-virtio-linux kvm.nics.model#1',
      'warning kvm.display.listen-all-addresses kvm.display.listen',
      'info kvm.nics.user-unreachable kvm.nics.source#1',
      'info kvm.display.legacy-video kvm.display.videoModel',
    ]);
    const f = evaluateKvmAdvice(parseDomainXml(nodeDomain('legacy-user-net')), { host: HOST, uri: URI });
    const byId = Object.fromEntries(f.map((x) => [x.id, x]));
    expect(byId['kvm.cpus.over-host-threads'].fix?.command).toBe(
      'virt-xml --connect qemu:///system e9f8d7c6-b5a4-4392-8170-6f5e4d3c2b1a --edit --vcpus 4',
    );
    expect(byId['kvm.memory.over-host'].numbers).toEqual({ memoryMB: 24576, hostMemoryMB: 16384 });
    expect(byId['kvm.memory.over-host'].fix?.command).toMatch(
      /--edit --memory memory=8192,currentMemory=8192$/,
    );
    expect(byId['kvm.disks.not-virtio-linux'].fix?.command).toMatch(/--edit target=hda --disk bus=virtio$/);
    expect(byId['kvm.nics.not-virtio-linux'].fix?.command).toMatch(
      /--edit mac=52:54:00:0e:9f:8d --network model.type=virtio$/,
    );
    expect(byId['kvm.nics.user-unreachable'].fix?.command).toMatch(/--network network=default$/);
    expect(byId['kvm.display.listen-all-addresses'].reason['zh-CN']).toContain('0.0.0.0');
  });

  it('web-bridge: SATA disk and e1000e NIC on Debian, macvtap link down (the virtio-scsi disk is fine)', () => {
    expect(ids(nodeDomain('web-bridge'))).toEqual([
      'warning kvm.disks.not-virtio-linux kvm.disks.bus#sda',
      'warning kvm.nics.not-virtio-linux kvm.nics.model#1',
      'info kvm.nics.link-down kvm.nics.linkState#2',
    ]);
  });

  it('host rules stay silent without host facts; fixes leave out --connect without a URI and vanish without a UUID', () => {
    expect(ids(nodeDomain('legacy-user-net'), null)).not.toContain(
      'warning kvm.cpus.over-host-threads kvm.cpus.vcpus',
    );
    const noUri = evaluateKvmAdvice(parseDomainXml(FIXTURE))[1];
    expect(noUri.fix?.command).toBe(
      'virt-xml 881a931b-0110-4d10-81aa-47a1a19f5726 --edit --video model.type=virtio',
    );
    const noUuid = evaluateKvmAdvice(parseDomainXml(FIXTURE.replace(/<uuid>.*<\/uuid>/, '')));
    expect(noUuid.map((f) => f.fix)).toEqual([undefined, undefined]);
  });
});

describe('variants', () => {
  const win11Bios = nodeDomain('win11-q35')
    .replace("<os firmware='efi'>", '<os>')
    .replace(/<firmware>[\s\S]*?<\/firmware>\s*<loader secure='yes'\/>\s*<nvram>[^<]*<\/nvram>/, '')
    .replace(/<tpm[\s\S]*?<\/tpm>/, '')
    .replace(/<hyperv[\s\S]*?<\/hyperv>/, '');

  it('Windows 11 on BIOS without TPM and without Hyper-V enlightenments', () => {
    expect(ids(win11Bios)).toEqual([
      'warning kvm.overview.win11-bios kvm.overview.firmware',
      'warning kvm.devices.win11-no-tpm kvm.devices.tpm',
      'info kvm.overview.windows-no-hyperv kvm.overview.hyperv',
      'info kvm.cpus.over-host-cores kvm.cpus.vcpus',
    ]);
    const f = evaluateKvmAdvice(parseDomainXml(win11Bios), { uri: URI });
    expect(f[0].fix?.command).toBe(
      'virt-xml --connect qemu:///system c4e1b2a3-9d8f-4e7a-b6c5-0f1e2d3c4b5a --edit --boot firmware=efi',
    );
    expect(f[1].fix?.command).toMatch(
      /--add-device --tpm backend.type=emulator,backend.version=2.0,model=tpm-crb$/,
    );
  });

  it('Windows 11 on UEFI without Secure Boot; TPM 1.2', () => {
    const xml = nodeDomain('win11-q35')
      .replace(/<firmware>[\s\S]*?<\/firmware>\s*<loader secure='yes'\/>/, '')
      .replace("version='2.0'", "version='1.2'");
    expect(ids(xml)).toEqual([
      'warning kvm.devices.win11-no-tpm kvm.devices.tpm',
      'info kvm.overview.win11-secure-boot-off kvm.overview.secureBoot',
      'info kvm.cpus.over-host-cores kvm.cpus.vcpus',
    ]);
    const tpm = evaluateKvmAdvice(parseDomainXml(xml))[0];
    expect(tpm.reason.en).toBe(
      'The TPM is "tpm-crb emulator 1.2", not version 2.0. Windows 11 setup requires TPM 2.0.',
    );
  });

  it('topology that does not match the vCPU count, duplicate MAC, virtiofs without shared memory, generic CPU on KVM', () => {
    const xml = nodeDomain('db-server')
      .replace("<domain type='test'", "<domain type='kvm'")
      .replace(
        "<cpu mode='host-passthrough' check='none' migratable='on'/>",
        "<cpu mode='custom'><model>qemu64</model><topology sockets='1' cores='3' threads='1'/></cpu>",
      )
      .replace(/<memoryBacking>[\s\S]*?<\/memoryBacking>/, '')
      .replace(
        "<interface type='network'>",
        "<interface type='network'><mac address='52:54:00:12:34:56'/><source network='default'/><model type='virtio'/></interface>\n      <interface type='network'>",
      );
    expect(ids(xml)).toEqual([
      'error kvm.cpus.topology-mismatch kvm.cpus.sockets',
      'error kvm.memory.virtiofs-needs-shared kvm.memory.shared',
      'error kvm.nics.duplicate-mac kvm.nics.mac#2',
      'info kvm.cpus.generic-model kvm.cpus.mode',
    ]);
    const f = evaluateKvmAdvice(parseDomainXml(xml), { uri: URI });
    expect(f[0].numbers).toEqual({ sockets: 1, cores: 3, threads: 1, maxVcpus: 4 });
    expect(f[0].fix?.command).toMatch(/--edit --vcpus 3,sockets=1,cores=3,threads=1$/);
    expect(f[2].reason.en).toContain('NICs 1, 2 share the MAC address 52:54:00:12:34:56');
    expect(f[3].reason.en).toContain("CPU mode 'custom' (qemu64)");
    expect(f[3].fix?.command).toMatch(/--edit --cpu host-passthrough,clearxml=yes$/);
  });

  it('a large share of host memory is an info; a user NIC with port forwards is reachable', () => {
    const xml = nodeDomain('db-server')
      .replace(
        "<currentMemory unit='MiB'>4096</currentMemory>",
        "<currentMemory unit='MiB'>13000</currentMemory>",
      )
      .replace("<memory unit='GiB'>8</memory>", "<memory unit='GiB'>13</memory>");
    expect(ids(xml)).toEqual(['info kvm.memory.large-share kvm.memory.current']);
    const forwarded = parseDomainXml(
      FIXTURE.replace(
        "<interface type='network'>\n      <mac address='52:54:00:aa:bb:01'/>\n      <source network='vagrant-libvirt'/>",
        "<interface type='user'>\n      <backend type='passt'/><portForward proto='tcp'><range start='2222' to='22'/></portForward>\n      <mac address='52:54:00:aa:bb:01'/>",
      ),
    );
    expect(evaluateKvmAdvice(forwarded).map((f) => f.id)).not.toContain('kvm.nics.user-unreachable');
  });

  it('kvmGuest classifies libosinfo ids, and Hyper-V enlightenments without metadata as Windows', () => {
    const g = (xml: string) => kvmGuest(parseDomainXml(xml));
    expect(g(nodeDomain('db-server'))).toEqual({
      family: 'linux',
      windows11: false,
      osId: 'http://ubuntu.com/ubuntu/22.04',
    });
    expect(g(nodeDomain('win11-q35'))).toEqual({
      family: 'windows',
      windows11: true,
      osId: 'http://microsoft.com/win/11',
    });
    expect(g(FIXTURE)).toEqual({ family: 'unknown', windows11: false });
    expect(g(nodeDomain('win11-q35').replace(/<metadata>[\s\S]*?<\/metadata>/, ''))).toEqual({
      family: 'windows',
      windows11: false,
    });
    expect(
      g(nodeDomain('db-server').replace('http://ubuntu.com/ubuntu/22.04', 'http://freebsd.org/freebsd/14.0'))
        .family,
    ).toBe('bsd');
  });

  it('every finding has both languages and a KVM setting id', () => {
    const all = ['legacy-user-net', 'web-bridge', 'win11-q35'].flatMap((n) =>
      evaluateKvmAdvice(parseDomainXml(nodeDomain(n)), { host: HOST, uri: URI }),
    );
    all.push(...evaluateKvmAdvice(parseDomainXml(win11Bios), { host: HOST }));
    for (const f of all) {
      for (const t of [f.title, f.reason]) {
        expect(t.en.length).toBeGreaterThan(5);
        expect(t['zh-CN']).toMatch(/[\u4e00-\u9fff]/);
      }
      expect(getKvmEntry(f.settingId), f.settingId).toBeDefined();
    }
  });
});

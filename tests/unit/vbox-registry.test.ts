import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { VBoxParseError } from '../../app/core/vbox/errors.ts';
import { parseVboxFile } from '../../app/core/vbox/vbox-file.ts';
import {
  discoverFromRegistry,
  parseVirtualBoxXml,
  virtualBoxXmlCandidates,
} from '../../app/core/vbox/vbox-registry.ts';

const FIX = new URL('../fixtures/', import.meta.url);
const fixture = (rel: string): string => readFileSync(new URL(rel, FIX), 'utf8');
const RAGNAR = 'virtualbox-xml/ragnarlocker-1.7-windows-relative-src-global-mediaregistry-annotated.xml';
const MACOS = 'virtualbox-xml/macos-1.12-template-MACHINE_ENTRIES-placeholder.xml';
const SAVED = 'vbox/vbox6x-linux-savedstate-8-adapters-xml-comment-it.vbox';
const GENY = 'vbox/genymotion-macos-1.12-pixel-snapshot-guestproperties.vbox';
const OLD = 'vbox/vbox32-macos-settings-1.10-innotek-ns-efi-name-with-space.xml';

describe('virtualBoxXmlCandidates', () => {
  it('Linux: ~/.VirtualBox (legacy) then XDG config, VBOX_USER_HOME first when set', () => {
    expect(virtualBoxXmlCandidates('linux', {}, '/home/user')).toEqual([
      '/home/user/.VirtualBox/VirtualBox.xml',
      '/home/user/.config/VirtualBox/VirtualBox.xml',
    ]);
    expect(
      virtualBoxXmlCandidates(
        'linux',
        { VBOX_USER_HOME: '/srv/vbox', XDG_CONFIG_HOME: '/home/user/.cfg' },
        '/home/user',
      ),
    ).toEqual([
      '/srv/vbox/VirtualBox.xml',
      '/home/user/.VirtualBox/VirtualBox.xml',
      '/home/user/.cfg/VirtualBox/VirtualBox.xml',
    ]);
    // A relative VBOX_USER_HOME is made absolute; a relative XDG_CONFIG_HOME is ignored (XDG spec).
    const rel = virtualBoxXmlCandidates(
      'freebsd',
      { VBOX_USER_HOME: 'vb', XDG_CONFIG_HOME: 'cfg' },
      '/home/u',
    );
    expect(rel[0]).toBe(join(process.cwd(), 'vb', 'VirtualBox.xml'));
    expect(rel.slice(1)).toEqual([
      '/home/u/.VirtualBox/VirtualBox.xml',
      '/home/u/.config/VirtualBox/VirtualBox.xml',
    ]);
  });

  it('macOS: ~/Library/VirtualBox; Windows: %USERPROFILE%\\.VirtualBox with backslashes', () => {
    expect(virtualBoxXmlCandidates('darwin', {}, '/Users/user')).toEqual([
      '/Users/user/Library/VirtualBox/VirtualBox.xml',
    ]);
    expect(virtualBoxXmlCandidates('win32', { USERPROFILE: 'C:\\Users\\user' }, 'C:\\Users\\other')).toEqual([
      'C:\\Users\\user\\.VirtualBox\\VirtualBox.xml',
    ]);
    expect(virtualBoxXmlCandidates('win32', { VBOX_USER_HOME: 'D:\\VBoxHome\\' }, 'C:\\Users\\user')).toEqual(
      ['D:\\VBoxHome\\VirtualBox.xml', 'C:\\Users\\user\\.VirtualBox\\VirtualBox.xml'],
    );
    // Same folder twice → listed once.
    expect(
      virtualBoxXmlCandidates('darwin', { VBOX_USER_HOME: '/Users/user/Library/VirtualBox' }, '/Users/user'),
    ).toEqual(['/Users/user/Library/VirtualBox/VirtualBox.xml']);
  });
});

describe('parseVirtualBoxXml on the real VirtualBox.xml fixtures', () => {
  it('1.7-windows: relative src and global media resolved against the file folder; system properties kept', () => {
    const x = parseVirtualBoxXml(fixture(RAGNAR), { path: 'C:\\Users\\user\\.VirtualBox\\VirtualBox.xml' });
    expect(x.settingsVersion).toBe('1.7-windows');
    expect(x.issues).toEqual([]);
    expect(x.machines).toEqual([
      {
        uuid: '83e4ad9e-e46d-49cc-80f1-6bdd63e0cda7',
        src: 'C:\\Users\\user\\.VirtualBox\\micro.xml',
        rawSrc: 'micro.xml',
        line: 13,
      },
    ]);
    expect(x.media.map((m) => [m.uuid, m.kind, m.location, m.format, m.type])).toEqual([
      [
        '5d09f11e-ee59-4301-a875-3555762f9008',
        'hdd',
        'C:\\Users\\user\\.VirtualBox\\micro.vdi',
        'VDI',
        'Normal',
      ],
    ]);
    expect(x.systemProperties).toEqual({
      defaultMachineFolder: '.',
      defaultHardDiskFolder: '.',
      defaultHardDiskFormat: 'VDI',
      remoteDisplayAuthLibrary: 'VRDPAuth',
      webServiceAuthLibrary: 'VRDPAuth',
      LogHistoryCount: '3',
    });
    // Without a path, src stays as written.
    expect(parseVirtualBoxXml(fixture(RAGNAR)).machines[0].src).toBe('micro.xml');
  });

  it('1.12-macosx with a MACHINE_ENTRIES placeholder: no machines, an issue with its line, properties read', () => {
    const x = parseVirtualBoxXml(fixture(MACOS), { path: '/Users/user/Library/VirtualBox/VirtualBox.xml' });
    expect(x.machines).toEqual([]);
    expect(x.issues).toEqual([
      {
        line: 23,
        message:
          'line 23: <MachineRegistry> contains text ("MACHINE_ENTRIES") instead of <MachineEntry> elements; the text is ignored',
      },
    ]);
    expect(x.systemProperties.defaultMachineFolder).toBe('/Users/user/VirtualBox VMs');
    expect(x.systemProperties.exclusiveHwVirt).toBe('false');
    expect(x.media).toEqual([]);
  });

  it('odd entries are reported and skipped; the rest is read', () => {
    const x = parseVirtualBoxXml(
      `<VirtualBox version="1.19-linux"><Global><MachineRegistry>
<MachineEntry uuid="{AAAAAAAA-0000-4000-8000-000000000001}" src="/vms/a/a.vbox"/>
<MachineEntry src="/vms/b/b.vbox"/>
<MachineEntry uuid="{aaaaaaaa-0000-4000-8000-000000000001}" src="/vms/c/c.vbox"/>
<Oops/>
</MachineRegistry></Global></VirtualBox>`,
      { path: '/home/u/.config/VirtualBox/VirtualBox.xml' },
    );
    expect(x.machines.map((m) => [m.uuid, m.src])).toEqual([
      ['aaaaaaaa-0000-4000-8000-000000000001', '/vms/a/a.vbox'],
    ]);
    expect(x.issues.map((i) => i.message)).toEqual([
      'line 3: <MachineEntry> without uuid ignored',
      'line 4: VM aaaaaaaa-0000-4000-8000-000000000001 registered twice; the first entry is used',
      'line 5: unexpected <Oops> in <MachineRegistry> ignored',
    ]);
  });

  it('a .vbox, malformed XML or a DOCTYPE with entities → VBoxParseError with a line', () => {
    const err = (text: string): VBoxParseError => {
      try {
        parseVirtualBoxXml(text);
      } catch (e) {
        expect(e).toBeInstanceOf(VBoxParseError);
        return e as VBoxParseError;
      }
      throw new Error('expected an error');
    };
    expect(err(fixture(SAVED)).message).toBe(
      'line 3: this is a machine settings file (it has <Machine>), not the global VirtualBox.xml',
    );
    expect(err('<VirtualBox>\n<Global>\n</VirtualBox>').line).toBe(3);
    expect(err('<!DOCTYPE x [<!ENTITY a "b">]>\n<VirtualBox/>').message).toContain('declares XML entities');
    expect(err('<VirtualBox version="1.19-linux"/>').message).toBe(
      'line 1: VirtualBox.xml has no <Global> element',
    );
    // And the other way round: the machine reader refuses VirtualBox.xml.
    expect(() => parseVboxFile(fixture(MACOS))).toThrow(/this is the global VirtualBox.xml/);
  });
});

describe('discoverFromRegistry', () => {
  const home = mkdtempSync(join(tmpdir(), 'vbox-registry-'));
  afterAll(() => rmSync(home, { recursive: true, force: true }));

  it('uses the first readable candidate and reads each .vbox; missing, unreadable and malformed files are entries with errors', async () => {
    const vbHome = join(home, '.config', 'VirtualBox');
    const vms = join(home, 'VirtualBox VMs');
    mkdirSync(vbHome, { recursive: true });
    mkdirSync(join(vms, 'clientbasso'), { recursive: true });
    mkdirSync(join(vms, 'pixel'), { recursive: true });
    mkdirSync(join(vms, 'broken'), { recursive: true });
    copyFileSync(new URL(SAVED, FIX), join(vms, 'clientbasso', 'clientbasso.vbox'));
    copyFileSync(new URL(GENY, FIX), join(vms, 'pixel', 'pixel.vbox'));
    writeFileSync(join(vms, 'broken', 'broken.vbox'), '<VirtualBox>\n<Machine uuid="{1}">\n</VirtualBox>\n');
    writeFileSync(
      join(vbHome, 'VirtualBox.xml'),
      `<?xml version="1.0"?>
<VirtualBox xmlns="http://www.virtualbox.org/" version="1.19-linux">
  <Global>
    <MachineRegistry>
      <MachineEntry uuid="{827810e0-21ce-4282-bfc2-cfd981a45ce0}" src="${vms}/clientbasso/clientbasso.vbox"/>
      <MachineEntry uuid="{a9364ace-c263-433a-b137-1c8d4e70c348}" src="../../VirtualBox VMs/pixel/pixel.vbox"/>
      <MachineEntry uuid="{11111111-2222-4333-8444-555555555555}" src="${vms}/gone/gone.vbox"/>
      <MachineEntry uuid="{22222222-2222-4333-8444-555555555555}" src="${vms}/broken/broken.vbox"/>
    </MachineRegistry>
    <SystemProperties defaultMachineFolder="${vms}" LogHistoryCount="3"/>
  </Global>
</VirtualBox>
`,
    );
    const d = await discoverFromRegistry({ platform: 'linux', env: {}, homedir: home });
    expect(d.tried).toEqual([
      {
        path: join(home, '.VirtualBox', 'VirtualBox.xml'),
        error: `VirtualBox.xml not found: ${join(home, '.VirtualBox', 'VirtualBox.xml')}`,
      },
      { path: join(vbHome, 'VirtualBox.xml') },
    ]);
    expect(d.registryPath).toBe(join(vbHome, 'VirtualBox.xml'));
    expect(d.systemProperties).toEqual({ defaultMachineFolder: vms, LogHistoryCount: '3' });
    expect(d.issues).toEqual([]);
    expect(d.machines.map((m) => [m.uuid, m.summary.name, m.summary.accessible, m.error])).toEqual([
      ['827810e0-21ce-4282-bfc2-cfd981a45ce0', 'clientbasso', true, undefined],
      [
        'a9364ace-c263-433a-b137-1c8d4e70c348',
        'PREVIEW - Google Pixel - 8.0 - API 26 - 1080x1920',
        true,
        undefined,
      ],
      [
        '11111111-2222-4333-8444-555555555555',
        'gone',
        false,
        `settings file not found: ${vms}/gone/gone.vbox`,
      ],
      [
        '22222222-2222-4333-8444-555555555555',
        'broken',
        false,
        `settings file ${vms}/broken/broken.vbox could not be read: line 3: the machine settings file is not well-formed XML: Expected closing tag 'Machine' (opened in line 2, col 1) instead of closing tag 'VirtualBox'. (column 1)`,
      ],
    ]);
    const saved = d.machines[0];
    expect(saved.summary).toMatchObject({
      id: '827810e0-21ce-4282-bfc2-cfd981a45ce0',
      source: 'file',
      state: 'saved',
      osType: 'Debian (64-bit)',
      cpus: 1,
      memoryMB: 1024,
    });
    expect(saved.result?.config.storage[1].attachments[0].medium.value).toBe(
      join(vms, 'clientbasso', 'clientbasso.vdi'),
    );
    // The relative src resolved against VirtualBox.xml's folder.
    expect(d.machines[1].src).toBe(join(vms, 'pixel', 'pixel.vbox'));
    expect(d.machines[1].result?.config.storage[0].attachments[0].medium.value).toBe(
      join(vms, 'pixel', 'Snapshots', '{bf3e15cd-2a62-4561-91ba-78f9ca9b2d40}.vmdk'),
    );
    expect(d.machines[2].summary).toMatchObject({ hypervisor: 'virtualbox', accessible: false, findings: 0 });
  });

  it('VBOX_USER_HOME wins; permission errors, malformed registries and UUID mismatches never stop discovery', async () => {
    const files = new Map<string, string>([
      ['/custom/VirtualBox.xml', '<VirtualBox><Global>'],
      [
        '/home/u/.VirtualBox/VirtualBox.xml',
        fixture(RAGNAR).replace(
          'src="micro.xml"',
          'src="micro.xml"/>\n      <MachineEntry uuid="{33333333-0000-4000-8000-000000000000}" src="/locked/locked.vbox"',
        ),
      ],
      ['/home/u/.VirtualBox/micro.xml', fixture(OLD)],
    ]);
    const read = async (p: string): Promise<Uint8Array> => {
      if (p === '/locked/locked.vbox')
        throw Object.assign(new Error('EACCES: permission denied'), { code: 'EACCES' });
      const t = files.get(p);
      if (t === undefined) throw Object.assign(new Error('ENOENT'), { code: 'ENOENT' });
      return Buffer.from(t, 'utf8');
    };
    const d = await discoverFromRegistry({
      platform: 'linux',
      env: { VBOX_USER_HOME: '/custom' },
      homedir: '/home/u',
      readFile: read,
    });
    expect(d.tried.map((t) => t.path)).toEqual([
      '/custom/VirtualBox.xml',
      '/home/u/.VirtualBox/VirtualBox.xml',
    ]);
    expect(d.tried[0].error).toMatch(
      /^\/custom\/VirtualBox.xml: line 1: the global settings file \(VirtualBox.xml\) is not well-formed XML/,
    );
    expect(d.issues[0]).toMatchObject({ line: 1 });
    expect(d.registryPath).toBe('/home/u/.VirtualBox/VirtualBox.xml');
    expect(d.machines.map((m) => [m.uuid, m.summary.name, m.error])).toEqual([
      ['83e4ad9e-e46d-49cc-80f1-6bdd63e0cda7', 'Ubuntu Linux', undefined],
      [
        '33333333-0000-4000-8000-000000000000',
        'locked',
        'permission denied reading settings file: /locked/locked.vbox',
      ],
    ]);
    // micro.xml is really another VM's file (the fixture): the mismatch is reported on that VM.
    expect(d.machines[0].result?.issues.map((i) => i.message)).toContain(
      'VirtualBox.xml registers this file under UUID 83e4ad9e-e46d-49cc-80f1-6bdd63e0cda7, but the file says 72506531-3b7b-40bf-a566-59dcec9e9670',
    );
  });

  it('no candidate readable → empty result with every path tried; a real unreadable file is skipped', async () => {
    const locked = join(home, 'locked');
    mkdirSync(locked, { recursive: true });
    writeFileSync(join(locked, 'VirtualBox.xml'), '<VirtualBox/>');
    chmodSync(join(locked, 'VirtualBox.xml'), 0o000);
    const d = await discoverFromRegistry({
      candidates: [join(locked, 'VirtualBox.xml'), join(home, 'nowhere.xml')],
    });
    chmodSync(join(locked, 'VirtualBox.xml'), 0o600);
    expect(d.registryPath).toBeUndefined();
    expect(d.machines).toEqual([]);
    expect(d.tried).toHaveLength(2);
    // Root can read mode-000 files; then the file is read and refused as having no <Global>.
    expect(d.tried[0].error).toMatch(/permission denied reading VirtualBox.xml|has no <Global> element/);
    expect(d.tried[1].error).toBe(`VirtualBox.xml not found: ${join(home, 'nowhere.xml')}`);
  });
});

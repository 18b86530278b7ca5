import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../app/shared/catalog.ts';
import type { VmSummary } from '../../app/shared/model.ts';
import { getEntry } from '../../app/shared/catalog-data.ts';
import { showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import {
  explanationFor,
  firstSentence,
  formatInspectText,
  formatVmText,
  labelFor,
  sourceText,
  stateText,
  terminalSafeJson,
  toInspectJsonVm,
  visibleControls,
  type InspectItem,
} from '../../app/core/cli-format.ts';
import { CliError, issueText, parseInspectArgs, runCli, selectVms } from '../../app/core/cli.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const fixture = (name: string): InspectItem => {
  const config = showVmInfoToConfig(
    fs.readFileSync(path.join(root, 'tests/fixtures/showvminfo', name), 'utf8'),
    'file',
  );
  return { summary: summaryFromConfig(config), config };
};
const none = (): CatalogEntry | undefined => undefined;
const summary = (id: string, name: string, extra: Partial<VmSummary> = {}): VmSummary => ({
  id,
  name,
  hypervisor: 'virtualbox',
  source: 'vboxmanage',
  accessible: true,
  findings: 0,
  ...extra,
});

describe('labels and explanations', () => {
  it('uses the catalog, then the built-in fallback labels', () => {
    expect(labelFor('system.motherboard.memory', 'en', getEntry)).toBe(
      getEntry('system.motherboard.memory')!.label.en,
    );
    expect(labelFor('system.motherboard.memory', 'zh-CN', none)).toBe('内存大小');
    expect(labelFor('system.motherboard.memory', 'en', none)).toBe('Base Memory');
    expect(labelFor('no.such.id', 'en', none)).toBe('no.such.id');
  });

  it('keeps the first sentence of the catalog text on one line', () => {
    const entry = getEntry('system.processor.cpus')!;
    const en = explanationFor('system.processor.cpus', 'en', getEntry)!;
    expect(entry.what.en.replace(/\s+/g, ' ').startsWith(en.replace(/…$/, ''))).toBe(true);
    expect(en).not.toContain('\n');
    expect(en.length).toBeLessThanOrEqual(160);
    const zh = explanationFor('system.processor.cpus', 'zh-CN', getEntry)!;
    expect(zh).toMatch(/[\u4e00-\u9fff]/);
    expect(explanationFor('system.processor.cpus', 'en', none)).toBeNull();
  });

  it('does not end a sentence at e.g., i.e., vs. or cf.; etc. ends one only before a capital', () => {
    expect(firstSentence('Pick a mode, e.g. NAT or bridged. More text.')).toBe(
      'Pick a mode, e.g. NAT or bridged.',
    );
    expect(firstSentence('One disk, i.e. the boot disk, is read. Rest.')).toBe(
      'One disk, i.e. the boot disk, is read.',
    );
    expect(firstSentence('NAT vs. bridged (cf. the manual) decides it. Rest.')).toBe(
      'NAT vs. bridged (cf. the manual) decides it.',
    );
    expect(firstSentence('Disks, DVDs etc. are listed. Rest.')).toBe('Disks, DVDs etc. are listed.');
    expect(firstSentence('Disks, DVDs, floppies etc. The next one.')).toBe('Disks, DVDs, floppies etc.');
    expect(firstSentence('Version 1.5 is fine! Rest.')).toBe('Version 1.5 is fine!');
    expect(firstSentence('第一句。第二句。')).toBe('第一句。');
    expect(firstSentence('No end at all')).toBe('No end at all');
    // the real catalog entry that was cut at "e.g."
    expect(explanationFor('network.adapter.mac', 'en', getEntry)).toMatch(/showvminfo prints e\.g\. \S+/);
  });

  it('falls back cleanly when the catalog knows nothing', () => {
    const text = formatVmText(
      fixture('vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt'),
      'zh-CN',
      none,
    );
    expect(text).toContain('SERVER1919C v114 {8c722e19-bd30-4eb3-b36a-95fc4e20c072}');
    expect(text).toContain('处理器数量: 7');
    expect(text).toContain('固件: EFI');
    expect(text).toContain('网卡 1: bridged');
    expect(text).not.toContain(' — ');
  });
});

describe('JSON conversion', () => {
  it('lists only adapters that are not "none" and slots that hold something', () => {
    const item = fixture('vbox52-macos-host-multiple-groups-comma-sata1-30-ports-leading-blank-line.txt');
    expect(item.config!.network.length).toBeGreaterThan(1); // all 8 slots are in the model…
    const json = toInspectJsonVm(item);
    expect(json.network.map((n) => n.slot)).toEqual([1]); // …but only the enabled one is printed
    expect(item.config!.storage[0].attachments.length).toBe(30);
    expect(json.storage[0].attachments).toEqual([
      { port: 0, device: 0, medium: '/Users/user/VirtualBox VMs/tess/testvm1/disk1.vdi' },
    ]);
  });

  it('turns an inaccessible VM into nulls plus accessible:false and its reason', () => {
    const json = toInspectJsonVm({
      summary: summary('3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13', '<inaccessible>', {
        accessible: false,
        error: 'File not found.',
      }),
      config: null,
    });
    expect(json).toEqual({
      uuid: '3f1c9a52-7d0e-4b6a-9c21-5e8f0a7d4b13',
      name: null,
      state: null,
      osType: null,
      memoryMB: null,
      cpus: null,
      firmware: null,
      chipset: null,
      network: [],
      storage: [],
      findings: [],
      accessible: false,
      error: 'File not found.',
    });
  });
});

describe('report header', () => {
  it('zh-CN names the state and the source in Chinese (raw state kept); English keeps the raw words', () => {
    const item = fixture('vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt');
    expect(formatVmText(item, 'zh-CN', getEntry).split('\n')[2]).toBe('状态: 已关闭 (poweroff)   来源: 文件');
    expect(formatVmText(item, 'en', getEntry).split('\n')[2]).toBe('State: poweroff   Source: file');
    const running = fixture('vbox5212-macos-host-running-alpine-no-guest-additions.txt');
    running.config = { ...running.config!, source: 'vboxmanage' };
    expect(formatVmText(running, 'zh-CN', getEntry).split('\n')[2]).toBe(
      '状态: 正在运行 (running)   来源: VBoxManage',
    );
    expect(stateText('stuck-somehow', 'zh-CN')).toBe('stuck-somehow');
    expect(sourceText('demo', 'zh-CN')).toBe('演示');
  });
});

describe('a VM that failed to read', () => {
  it('keeps the name list vms printed (timeout, access denied…), with accessible:false and the reason', () => {
    const json = toInspectJsonVm({
      summary: summary('9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f', 'Lab Windows 10', {
        accessible: false,
        error: 'Timed out after 15 s: VBoxManage gave no answer for this VM and was stopped.',
      }),
      config: null,
    });
    expect(json).toMatchObject({ uuid: '9f8e7d6c-5b4a-4c3d-8e2f-1a0b9c8d7e6f', name: 'Lab Windows 10' });
    expect(json.error).toMatch(/^Timed out after 15 s/);
  });
});

describe('terminal safety', () => {
  const ESC = String.fromCharCode(0x1b);
  const BEL = String.fromCharCode(0x07);
  const CSI8 = String.fromCharCode(0x9b);
  const DEL = String.fromCharCode(0x7f);
  const CR = String.fromCharCode(0x0d);
  /** True when a raw control character other than LF and TAB is left. */
  const RAW_CONTROL = {
    test: (t: string): boolean =>
      [...t].some((c) => {
        const n = c.charCodeAt(0);
        return (n < 0x20 && c !== '\n' && c !== '\t') || (n >= 0x7f && n <= 0x9f);
      }),
  };
  const evil = `x${ESC}]0;pwned${BEL}${ESC}[2J`;

  it('visibleControls escapes C0 (except LF and TAB), DEL and C1 controls', () => {
    expect(visibleControls(`a${ESC}[2J\tb\nc${CR}${CSI8}${DEL}`)).toBe('a\\x1b[2J\tb\nc\\x0d\\x9b\\x7f');
    expect(visibleControls('plain 文字 → ok')).toBe('plain 文字 → ok');
  });

  it('the text report shows a name with terminal escapes as visible text', () => {
    const item = fixture('vbox60-linux-efi-virtio-bridged-7cpus-name-with-space.txt');
    item.config!.general.name = { value: evil, key: 'name', raw: evil };
    const text = formatInspectText([item], 'en', getEntry);
    expect(RAW_CONTROL.test(text)).toBe(false);
    expect(text.split('\n')[0]).toBe('x\\x1b]0;pwned\\x07\\x1b[2J {8c722e19-bd30-4eb3-b36a-95fc4e20c072}');
  });

  it('JSON escapes C0 itself; DEL, C1 and U+2028 are escaped too, and the value parses back unchanged', () => {
    const value = { name: `${evil}${CSI8}${DEL}\u2028` };
    const json = terminalSafeJson(JSON.stringify(value, null, 2));
    expect(RAW_CONTROL.test(json)).toBe(false);
    expect(json).not.toContain('\u2028');
    expect(JSON.parse(json)).toEqual(value);
  });

  it('stderr messages (paths, names) are escaped too', async () => {
    let err = '';
    const code = await runCli(['inspect', '--file', `nope${ESC}[2J.txt`], {
      stderr: (t) => (err += t),
      stdout: () => {},
    });
    expect(code).toBe(1);
    expect(err).toBe('vm-companion: Cannot read nope\\x1b[2J.txt: no such file.\n');
  });
});

describe('argument parsing and VM selection', () => {
  it('parses inspect options', () => {
    expect(
      parseInspectArgs(['--vm', 'web', '--json', '--lang', 'zh-CN', '--file', 'a.txt', '--file', 'b.txt']),
    ).toEqual({
      vm: 'web',
      files: ['a.txt', 'b.txt'],
      vmwareFolders: [],
      json: true,
      lang: 'zh-CN',
      vboxmanage: undefined,
    });
    expect(
      parseInspectArgs(['--libvirt', ' qemu:///system ', '--vmware-folder', 'a', '--vmware-folder', 'b']),
    ).toMatchObject({ libvirt: 'qemu:///system', vmwareFolders: ['a', 'b'], files: [] });
    expect(parseInspectArgs(['-h'])).toBe('help');
    expect(() => parseInspectArgs(['--vm', ' '])).toThrow(CliError);
    expect(() => parseInspectArgs(['extra'])).toThrow(/Unexpected argument|positional/i);
  });

  const items: InspectItem[] = [
    { summary: summary('11111111-1111-1111-1111-111111111111', 'web'), config: null },
    { summary: summary('22222222-2222-2222-2222-222222222222', 'db'), config: null },
    { summary: summary('33333333-3333-3333-3333-333333333333', 'db'), config: null },
    { summary: summary('44444444-4444-4444-4444-444444444444', '--help'), config: null },
  ];

  it('selects by UUID or exact name', () => {
    expect(selectVms(items, '{11111111-1111-1111-1111-111111111111}').map((i) => i.summary.name)).toEqual([
      'web',
    ]);
    expect(selectVms(items, 'web').map((i) => i.summary.id)).toEqual([
      '11111111-1111-1111-1111-111111111111',
    ]);
    expect(selectVms(items, '--help').map((i) => i.summary.id)).toEqual([
      '44444444-4444-4444-4444-444444444444',
    ]);
    expect(() => selectVms(items, 'Web')).toThrow('No VM named "Web"');
    expect(selectVms(items, undefined)).toHaveLength(4);
  });

  it('refuses an ambiguous name and lists the UUIDs to choose from', () => {
    expect(() => selectVms(items, 'db')).toThrow(
      '2 VMs are named "db"; pick one by UUID: 22222222-2222-2222-2222-222222222222, 33333333-3333-3333-3333-333333333333.',
    );
  });

  it('formats read issues with one line number', () => {
    expect(issueText({ line: 2, message: 'line 2: not a key=value line' })).toBe(
      'line 2: not a key=value line',
    );
    expect(issueText({ line: 5, message: 'odd value' })).toBe('line 5: odd value');
    expect(issueText({ message: 'no UUID line' })).toBe('no UUID line');
  });
});

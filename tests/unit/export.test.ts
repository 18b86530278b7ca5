import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  escapeHtml,
  escapeMarkdownInline,
  exportNotes,
  exportVmReport,
  isSafeHref,
  renderNoteMarkdown,
  reportPages,
  safeFileName,
} from '../../app/core/export/index.ts';
import { openStore, type Store } from '../../app/core/store/index.ts';
import { showVmInfoToConfig, summaryFromConfig } from '../../app/core/vbox/to-config.ts';
import type { Finding } from '../../app/shared/advice.ts';
import type { Note, VmDetail } from '../../app/shared/contract.ts';

const FIXTURE = path.resolve(
  import.meta.dirname,
  '../fixtures/showvminfo/vbox5040-ubuntu-host-running-2-forwards-2-shared-folders.txt',
);
const NOW = new Date('2025-05-01T08:00:00.000Z');
const EVIL = '<script>alert(1)</script><img src=x onerror=alert(2)>';

function detailFrom(file: string, rename?: string): VmDetail {
  const config = showVmInfoToConfig(fs.readFileSync(file, 'utf8'), 'file');
  if (rename && config.general.name) config.general.name = { ...config.general.name, value: rename };
  const finding: Finding = {
    id: 'vbox.processor.cpus-over-cores',
    severity: 'warning',
    settingId: 'system.processor.cpus',
    source: 'virtualbox',
    ref: 'src/VBox/Frontends/VirtualBox/src/settings/machine/UIMachineSettingsSystem.cpp',
    title: { en: 'More vCPUs than host cores', 'zh-CN': '虚拟 CPU 多于主机核心' },
    reason: { en: '4 vCPUs, 2 cores <b>', 'zh-CN': '4 个虚拟 CPU，2 个核心' },
    fix: { command: `VBoxManage modifyvm ${config.id} --cpus 2` },
  };
  return {
    summary: { ...summaryFromConfig(config), name: rename ?? summaryFromConfig(config).name },
    config,
    host: { cores: 2, threads: 4, memoryMB: 8192, os: 'Linux', fromHostInfo: false },
    findings: [finding],
  };
}

/** Every start tag in an HTML string. */
const tags = (html: string): string[] => html.match(/<[a-zA-Z][^>]*>/g) ?? [];

/** Asserts no markup from user text survived: no script element, no event-handler attribute, no javascript: URL. */
function expectInert(html: string): void {
  expect(html).not.toMatch(/<script/i);
  for (const tag of tags(html)) {
    expect(tag).not.toMatch(/\son\w+\s*=/i);
    expect(tag).not.toMatch(/javascript:/i);
  }
}

describe('renderNoteMarkdown', () => {
  it('renders Markdown but escapes raw HTML', () => {
    expect(renderNoteMarkdown('**bold** and `code`')).toBe(
      '<p><strong>bold</strong> and <code>code</code></p>\n',
    );
    const html = renderNoteMarkdown(`hello ${EVIL}\n\n<div onclick="x()">block</div>`);
    expectInert(html);
    expect(html).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    expect(html).toContain('&#60;img src=x onerror=alert(2)&#62;');
  });

  it('drops javascript: and data: links, keeps http(s) and mailto, shows images as text', () => {
    const html = renderNoteMarkdown(
      '[a](javascript:alert(1)) [b](JaVaScRiPt:alert(1)) [c](data:text/html,x) [d](https://example.org/x "T") <mailto:me@example.org> ![pic](http://example.org/p.png)',
    );
    expectInert(html);
    expect(html).not.toContain('href="data:');
    expect(html).toContain('<a href="https://example.org/x" title="T" rel="noopener noreferrer">d</a>');
    expect(html).toContain('href="mailto:me@example.org"');
    expect(html).not.toContain('<img');
    expect(html).toContain('>[pic]</a>');
  });

  it('isSafeHref ignores control characters and spaces used to hide a scheme', () => {
    expect(isSafeHref(' java\tscript:alert(1)')).toBe(false);
    expect(isSafeHref('HTTPS://x')).toBe(true);
    expect(isSafeHref('#part')).toBe(true);
  });
});

describe('escaping helpers', () => {
  it('escapes HTML and Markdown inline text', () => {
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&#60;a href=&#34;x&#34;&#62;&#39;&#38;&#39;&#60;/a&#62;');
    expect(escapeMarkdownInline('a|b *c* [d](e) <x>\nnext')).toBe('a\\|b \\*c\\* \\[d\\](e) &lt;x&gt; next');
  });

  it('makes safe file names', () => {
    expect(safeFileName('../../etc/passwd')).toBe('etc_passwd');
    expect(safeFileName('Ubuntu 22.04 <测试>')).toBe('Ubuntu_22.04_测试');
    expect(safeFileName('////')).toBe('vm');
  });
});

describe('reportPages on a real showvminfo fixture', () => {
  const detail = detailFrom(FIXTURE);
  const { pages, other } = reportPages(detail, 'en');
  const row = (id: string, instance?: string) =>
    pages.flatMap((p) => p.rows).find((r) => r.settingId === id && r.instance === instance);

  it('groups pages in VirtualBox order, with values, units, raw keys and explanations', () => {
    expect(pages.map((p) => p.page)).toEqual([
      'general',
      'system',
      'display',
      'storage',
      'audio',
      'network',
      'serial',
      'usb',
      'sharedFolders',
    ]);
    expect(row('system.motherboard.memory')).toMatchObject({
      label: 'Base Memory',
      value: '512 MB',
      rawKey: 'memory',
      explanation: expect.stringMatching(/^The amount of RAM|RAM/),
    });
    expect(row('system.processor.cpus')).toMatchObject({ value: '4', rawKey: 'cpus' });
    expect(row('network.adapter.attachedTo', '1')).toMatchObject({
      label: 'Attached to #1',
      value: 'nat (NAT)',
      rawKey: 'nic1',
    });
    expect(row('network.adapter.name', '2')).toMatchObject({ value: 'vboxnet0', rawKey: 'hostonlyadapter2' });
    expect(row('storage.attachment.medium', 'SATA-0-0')?.value).toMatch(/box-disk001\.vmdk$/);
    const forwards = pages
      .flatMap((p) => p.rows)
      .filter((r) => r.settingId === 'network.adapter.portForwarding')
      .map((r) => r.value);
    expect(forwards).toEqual(['ssh: tcp 127.0.0.1:2222 → *:22', 'tcp8080: tcp *:8080 → *:80']);
  });

  it('lists values without a catalog entry under Other values', () => {
    expect(other.map((r) => r.rawKey)).toEqual(expect.arrayContaining(['CfgFile', 'VMState']));
  });

  it('labels in Chinese', () => {
    const zh = reportPages(detail, 'zh-CN');
    expect(zh.pages[1].title).toBe('系统');
    const mem = zh.pages[1].rows.find((r) => r.settingId === 'system.motherboard.memory');
    expect(mem?.label).toBe('内存大小');
  });
});

describe('exportVmReport', () => {
  const notes: Note[] = [
    {
      vmId: 'x',
      settingId: 'system.motherboard.memory',
      body: `Too little RAM ${EVIL}`,
      updatedAt: '2025-04-01T00:00:00.000Z',
    },
    {
      vmId: 'x',
      settingId: '',
      body: '**Lab VM** for [class](https://example.org)',
      updatedAt: '2025-04-02T00:00:00.000Z',
    },
  ];

  it('writes a self-contained HTML report with everything user-controlled escaped', () => {
    const detail = detailFrom(FIXTURE, `Evil ${EVIL} VM`);
    detail.config!.sharedFolders[0].hostPath = {
      ...detail.config!.sharedFolders[0].hostPath,
      value: '/srv/"><svg onload=alert(3)>',
    };
    const file = exportVmReport(detail, notes, 'en', 'html', NOW);
    expect(file.mime).toBe('text/html; charset=utf-8');
    expect(file.filename).toBe('Evil_script_alert_1_script_img_src_x_onerror_alert_2_VM-report.html');
    const html = file.content;
    expectInert(html);
    expect(html).not.toMatch(/<svg/i);
    expect(html).toContain('&#60;svg onload=alert(3)&#62;');
    expect(html).toMatch(/^<!doctype html>/);
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).toContain('<style>');
    expect(html).not.toMatch(/<link|src=["']?http|@import/i);
    // Content: pages, a value with unit and raw key, the finding with its fix, notes in order.
    expect(html).toContain('<h3>System</h3>');
    expect(html).toContain('<tr><td>Base Memory</td><td>512 MB</td><td><code>memory</code></td>');
    expect(html).toContain('More vCPUs than host cores');
    expect(html).toContain('4 vCPUs, 2 cores &#60;b&#62;');
    expect(html).toContain(`<code>VBoxManage modifyvm ${detail.summary.id} --cpus 2</code>`);
    expect(html.indexOf('Note on the whole VM')).toBeLessThan(html.indexOf('System › Base Memory'));
    expect(html).toContain('<strong>Lab VM</strong>');
  });

  it('writes a Markdown report with tables and notes, in Chinese', () => {
    const file = exportVmReport(detailFrom(FIXTURE), notes, 'zh-CN', 'markdown', NOW);
    expect(file.mime).toBe('text/markdown; charset=utf-8');
    expect(file.filename).toBe('real-time-forms_default_1506940511446_6707-report.md');
    const md = file.content;
    expect(md).toContain('# real-time-forms\\_default\\_1506940511446\\_6707 — 虚拟机报告');
    expect(md).toContain('VM Companion 生成于 2025-05-01');
    expect(md).toContain('### 系统');
    expect(md).toMatch(/\| 内存大小 \| 512 MB \| `memory` \| .+ \|/);
    expect(md).toContain('## 检查结果');
    expect(md).toContain('- **警告** — 虚拟 CPU 多于主机核心 (`system.processor.cpus`)');
    expect(md).toContain('### 整台虚拟机的笔记');
    expect(md).toContain('### 系统 › 内存大小');
  });

  it('reports an inaccessible VM with its reason', () => {
    const detail: VmDetail = {
      summary: {
        id: 'aaaaaaaa-0000-4000-8000-000000000001',
        hypervisor: 'virtualbox',
        source: 'vboxmanage',
        name: '<inaccessible>',
        accessible: false,
        error: 'Settings file <missing>',
        findings: 0,
      },
      config: null,
      host: { cores: 2, threads: 2, memoryMB: 4096, os: 'Linux', fromHostInfo: false },
    };
    const html = exportVmReport(detail, [], 'en', 'html', NOW).content;
    expect(html).toContain('<h2>This VM could not be read</h2>');
    expect(html).toContain('<p>Settings file &#60;missing&#62;</p>');
    expect(html).toContain('No notes.');
    expectInert(html);
  });
});

describe('exportNotes', () => {
  let dir: string;
  let store: Store;
  const A = '3f5c1f0e-6b0a-4c39-9a55-0c3b1b2d4e5f';
  const B = 'demo-0a1b2c3d-0000-4000-8000-000000000001';
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vmc-export-'));
    store = openStore(dir, { now: () => NOW });
    store.saveNote(A, 'network.adapter.attachedTo#2', 'Bridged here');
    store.saveNote(A, 'system.motherboard.memory', `RAM ${EVIL}`);
    store.saveNote(B, '', '演示虚拟机的笔记');
  });
  afterEach(() => {
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('groups Markdown notes by VM (sorted by name) and setting, with labels', () => {
    const names = new Map([
      [A, 'Zeta server'],
      [B, 'Alpha demo'],
    ]);
    const file = exportNotes(store, 'markdown', 'en', { vmName: (id) => names.get(id), now: NOW });
    expect(file.filename).toBe('vm-companion-notes-2025-05-01.md');
    expect(file.content).toBe(
      [
        '# VM Companion notes',
        '',
        'Generated by VM Companion on 2025-05-01',
        '',
        '## Alpha demo',
        '',
        `\`${B}\``,
        '',
        '### Note on the whole VM',
        '',
        '*updated 2025-05-01T08:00:00.000Z*',
        '',
        '演示虚拟机的笔记',
        '',
        '## Zeta server',
        '',
        `\`${A}\``,
        '',
        '### System › Base Memory',
        '',
        '*updated 2025-05-01T08:00:00.000Z*',
        '',
        `RAM ${EVIL}`,
        '',
        '### Network › Attached to #2',
        '',
        '*updated 2025-05-01T08:00:00.000Z*',
        '',
        'Bridged here',
        '',
      ].join('\n'),
    );
  });

  it('writes HTML notes in Chinese with every note escaped', () => {
    const file = exportNotes(store, 'html', 'zh-CN', { now: NOW });
    expect(file.filename).toBe('vm-companion-notes-2025-05-01.html');
    expectInert(file.content);
    expect(file.content).toContain('<html lang="zh-CN">');
    expect(file.content).toContain('<h3>系统 › 内存大小</h3>');
    expect(file.content).toContain('<h3>网络 › 连接方式 #2</h3>');
    expect(file.content).toContain(`<h2>${A}</h2>`);
  });

  it('says so when there are no notes', () => {
    store.saveNote(A, 'network.adapter.attachedTo#2', '');
    store.saveNote(A, 'system.motherboard.memory', '');
    store.saveNote(B, '', '');
    expect(exportNotes(store, 'markdown', 'en', { now: NOW }).content).toContain('No notes.');
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { decodeSettingsBytes, loadSettingsXml, parseVboxFile } from '../../app/core/vbox/vbox-file.ts';

/**
 * Loading settings XML (`loadSettingsXml`: fast-xml-parser's validator and parser): every real
 * file, damaged XML with the validator's message and line, line numbers of CRLF files, decoding of
 * text and attribute values.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');

/** Every `.vbox`/`.xml` file under tests/fixtures (bytes decoded as the app does), by relative path. */
function xmlFixtures(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (dir: string): void => {
    for (const f of fs.readdirSync(dir).sort()) {
      const p = path.join(dir, f);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (/\.(vbox|xml)$/i.test(f))
        out.set(path.relative(FIXTURES, p), decodeSettingsBytes(fs.readFileSync(p)));
    }
  };
  walk(FIXTURES);
  return out;
}

const ALL = xmlFixtures();
const VBOX = [...ALL].filter(([k]) => k.startsWith('vbox/')).map(([, t]) => t);

describe('settings XML', () => {
  it('loads every real settings file with <VirtualBox> as its root', () => {
    expect(VBOX.length).toBe(7);
    for (const [name, text] of ALL) {
      if (!name.startsWith('vbox/')) continue;
      expect(loadSettingsXml(text, 'machine settings file').root.name, name).toBe('VirtualBox');
    }
  });

  it('damaged XML keeps the validator message and line', () => {
    const text = [
      '<?xml version="1.0"?>',
      '<VirtualBox version="1.19-linux">',
      '  <Machine uuid="{1}" name="x">',
      '    <Hardware>',
      '      <Memory RAMSize="64" RAMSize="65"/>',
      '    </Hardware>',
      '  </Machine>',
      '</VirtualBox>',
    ].join('\n');
    expect(() => parseVboxFile(text)).toThrow(
      "line 5: the machine settings file is not well-formed XML: Attribute 'RAMSize' is repeated. (column 28)",
    );
    const unclosed = text.replace(' RAMSize="65"', '').replace('    </Hardware>\n', '');
    expect(() => parseVboxFile(unclosed)).toThrow(
      "line 6: the machine settings file is not well-formed XML: Expected closing tag 'Hardware' (opened in line 4, col 5) instead of closing tag 'Machine'. (column 3)",
    );
  });

  it('lines of a CRLF file are those of the same file with LF (they drifted before)', () => {
    const lines = ['<?xml version="1.0"?>', '<VirtualBox version="1.19-linux">'];
    for (let i = 0; i < 60; i++) lines.push(`  <E${i} a="${i}"/>`);
    lines.push('</VirtualBox>');
    for (const eol of ['\n', '\r\n', '\r']) {
      const text = lines.join(eol);
      expect(
        loadSettingsXml(text, 'x')
          .root.children.map((c) => c.line)
          .slice(-2),
      ).toEqual([61, 62]);
    }
  });

  it('text and attribute values: entities decoded, tabs and line ends in values become spaces, CRLF in text becomes LF', () => {
    const text =
      '<VirtualBox a="x\r\ny\tz &amp; &#x4e2d; &foo;">\r\n  <Description>1 &lt; 2\r\n<!-- c -->3</Description>\r\n</VirtualBox>';
    const doc = loadSettingsXml(text, 'x');
    expect(doc.root.attrs).toEqual({ a: 'x y z & 中 &foo;' });
    expect(doc.root.children[0]).toMatchObject({ name: 'Description', text: '1 < 2\n3', line: 3 });
  });
});

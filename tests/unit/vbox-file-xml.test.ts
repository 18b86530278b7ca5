import fc from 'fast-check';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyMutation, mutatedArb, seedFor } from '../helpers/fuzz-targets.ts';
import {
  decodeSettingsBytes,
  loadSettingsXml,
  loadSettingsXmlGeneral,
  parseVboxFile,
  scanSettingsXml,
} from '../../app/core/vbox/vbox-file.ts';

/**
 * The one-pass reader of settings XML (`scanSettingsXml`, taken by `loadSettingsXml`) against the
 * general path (fast-xml-parser's validator and parser, `loadSettingsXmlGeneral`): the same
 * document or the same error for real files, mutated real files and XML-shaped damage; unusual
 * XML is left to the general path.
 */

const FIXTURES = path.resolve(import.meta.dirname, '../fixtures');
const RUNS = Number(process.env.FUZZ_TEST_RUNS ?? 300);

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

/** The document or the error message of one path. */
function outcome(load: typeof loadSettingsXml, text: string): unknown {
  try {
    return load(text, 'machine settings file');
  } catch (err) {
    return { error: (err as Error).message, line: (err as { line?: number }).line };
  }
}

/** Asserts both paths agree on `text`; true when the one-pass reader read it (no fallback). */
function agree(text: string): boolean {
  expect(outcome(loadSettingsXml, text)).toStrictEqual(outcome(loadSettingsXmlGeneral, text));
  return scanSettingsXml(text) !== undefined;
}

/** Runs `agree` over `arb`; at least `share` of the cases must have been read in one pass (else the test proves little). */
function agreeOver(arb: fc.Arbitrary<string>, runs: number, seedName: string, share: number): void {
  let onePass = 0;
  fc.assert(
    fc.property(arb, (text) => {
      if (agree(text)) onePass++;
    }),
    { numRuns: runs, seed: seedFor(seedName) },
  );
  expect(onePass / runs).toBeGreaterThanOrEqual(share);
}

/** XML-shaped pieces that hit the one-pass reader's edge cases. */
const TOKENS = [
  '<',
  '>',
  '/>',
  '</',
  '"',
  "'",
  '=',
  '&',
  '&amp;',
  '&lt;',
  '&#65;',
  '&#x4e2d;',
  '&#x;',
  '&#;',
  '&bogus;',
  '&aaaaaaaaaaaaaaaaaaaaa;',
  '&nbsp',
  '<!-- c -->',
  '<!--',
  '-->',
  '<![CDATA[x<y]]>',
  '<?pi x?>',
  '<?xml version="1.0"?>',
  '<!DOCTYPE VirtualBox>',
  '<!-- <!doctype x> -->',
  '<X/>',
  '<X a="1" a="2"/>',
  '<X a="<"/>',
  "<X a='it\"s'/>",
  '<X\ta="1"\n/>',
  '<X a = "1" />',
  '<X a="1"b="2"/>',
  '<X a/>',
  '<X/ >',
  '</Machine>',
  '</ Machine>',
  '</Machine >',
  '<constructor/>',
  '<X toString="1"/>',
  '<X __proto__="1"/>',
  '<中/>',
  '<X 中="1"/>',
  ' xmlns:v="urn:x"',
  ' a="x\ty\nz"',
  '\r\n',
  '\r',
  '\t',
  '\u00a0',
  '\uFEFF',
  'text',
];

/** A real `.vbox` with 1–6 XML-shaped pieces injected at random offsets. */
const injectedArb = fc
  .tuple(
    fc.constantFrom(...VBOX),
    fc.array(fc.tuple(fc.nat(), fc.constantFrom(...TOKENS)), { minLength: 1, maxLength: 6 }),
  )
  .map(([text, edits]) =>
    edits.reduce((t, [at, piece]) => applyMutation(t, { op: 'inject', at, text: piece }), text),
  );

describe('settings XML: one-pass reader vs the general path', () => {
  it('reads every real settings file in one pass, with the same document as the general path', () => {
    expect(VBOX.length).toBeGreaterThanOrEqual(7);
    for (const [name, text] of ALL) {
      expect(scanSettingsXml(text), name).toBeDefined();
      agree(text);
      // The same file with CRLF and lone-CR line ends: same document, same lines.
      for (const eol of ['\r\n', '\r']) {
        const other = text.replace(/\r\n|\r|\n/g, eol);
        expect(scanSettingsXml(other), `${name} ${JSON.stringify(eol)}`).toBeDefined();
        expect(outcome(loadSettingsXml, other)).toStrictEqual(outcome(loadSettingsXml, text));
        expect(outcome(loadSettingsXmlGeneral, other)).toStrictEqual(outcome(loadSettingsXml, text));
      }
    }
  });

  it('mutated real files: the same document or the same error', () => {
    agreeOver(mutatedArb(VBOX), RUNS, 'vbox-xml-mutated', 0.1);
  });

  it('XML-shaped damage injected into real files: the same document or the same error', () => {
    agreeOver(injectedArb, RUNS * 2, 'vbox-xml-injected', 0.05);
  });

  it('leaves unusual XML to the general path (same result as before)', () => {
    const wrap = (inner: string, head = ''): string =>
      `${head}<VirtualBox version="1.19-linux">${inner}<Machine uuid="{1}" name="m"/></VirtualBox>`;
    const unusual = [
      wrap('<![CDATA[x]]>'),
      wrap('<?pi x?>'),
      wrap('', '<!DOCTYPE VirtualBox>\n'),
      wrap('', ' <?xml version="1.0"?>'),
      wrap('<X a="<"/>'),
      wrap('<constructor/>'),
      wrap('<X toString="1"/>'),
      wrap('<中/>'),
      wrap(`${'<D>'.repeat(100)}${'</D>'.repeat(100)}`),
      wrap(`${'<D>'.repeat(101)}${'</D>'.repeat(101)}`),
      wrap('<!-- <!DOCTYPE x [<!ENTITY a "b">]> -->'),
    ];
    for (const text of unusual) {
      expect(scanSettingsXml(text), text.slice(0, 60)).toBeUndefined();
      agree(text);
    }
    // The general path reads the first ones; 100 nested elements under the root are too deep for fast-xml-parser.
    expect(loadSettingsXml(unusual[0], 'x').root.text).toBe('x');
    expect(loadSettingsXml(unusual[4], 'x').root.children[0].attrs).toEqual({ a: '<' });
    expect(() => loadSettingsXml(unusual[9], 'x')).toThrow(/Maximum nested tags exceeded/);
    expect(() => loadSettingsXml(unusual[10], 'x')).toThrow(/declares XML entities in a <!DOCTYPE>/);
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
    expect(scanSettingsXml(text)).toBeUndefined();
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
      expect(
        loadSettingsXmlGeneral(text, 'x')
          .root.children.map((c) => c.line)
          .slice(-2),
      ).toEqual([61, 62]);
    }
  });

  it('text and attribute values: entities decoded, tabs and line ends in values become spaces, CRLF in text becomes LF', () => {
    const text =
      '<VirtualBox a="x\r\ny\tz &amp; &#x4e2d; &foo;">\r\n  <Description>1 &lt; 2\r\n<!-- c -->3</Description>\r\n</VirtualBox>';
    const doc = loadSettingsXml(text, 'x');
    expect(scanSettingsXml(text)).toBeDefined();
    expect(doc.root.attrs).toEqual({ a: 'x y z & 中 &foo;' });
    expect(doc.root.children[0]).toMatchObject({ name: 'Description', text: '1 < 2\n3', line: 3 });
    agree(text);
  });
});

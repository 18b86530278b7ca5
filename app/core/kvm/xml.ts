import { SAFE_XML_PARSER, XML_META, decodeXmlEntities } from '../xml-safe.ts';
import { XMLValidator } from 'fast-xml-parser';
import type { ReadIssue } from '../../shared/model.ts';

/**
 * A small, safe XML loader for libvirt documents (domain XML from `virsh dumpxml` or a file).
 *
 * Safety: fast-xml-parser runs with entity processing OFF. A `<!DOCTYPE>` that declares entities or
 * names an external DTD is refused before parsing (entity expansion and external-entity attacks);
 * libvirt never writes a DOCTYPE. Only the five predefined entities and numeric character
 * references are decoded, here.
 */

/** A libvirt XML document could not be used at all. `line` is the 1-based line when one line is to blame. */
export class KvmParseError extends Error {
  /** 1-based line number in the document, when the problem concerns one line. */
  line?: number;

  /** @param message English description; prefixed with `line N: ` when `line` is given. */
  constructor(message: string, line?: number) {
    super(line === undefined ? message : `line ${line}: ${message}`);
    this.name = 'KvmParseError';
    if (line !== undefined) this.line = line;
  }
}

/** One element with decoded attributes, its children, 1-based line and provenance path. */
export interface XmlEl {
  name: string;
  attrs: Record<string, string>;
  children: XmlEl[];
  /** Concatenated, decoded text content (not trimmed). */
  text: string;
  /** 1-based line of the start tag. */
  line: number;
  /**
   * XPath-like path from the root, e.g. `domain/devices/interface[1]/model`. Children of `<devices>`
   * always carry a 1-based index among same-named siblings; elsewhere an index is added only when
   * the name repeats among its siblings (`domain/os/boot[2]`).
   */
  path: string;
}

const META = XML_META;
const PARSER = SAFE_XML_PARSER;

/** Decodes predefined XML entities and character references (see `decodeXmlEntities`). */
export const decodeXml = decodeXmlEntities;

function lineIndex(text: string): (offset: number) => number {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset: number) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  };
}

type FxpNode = Record<string | symbol, unknown>;

const elementName = (node: FxpNode): string | undefined => {
  if ('#text' in node) return undefined;
  const name = Object.keys(node).find((k) => k !== ':@');
  return !name || name.startsWith('?') || name.startsWith('!') ? undefined : name;
};

function convert(node: FxpNode, name: string, path: string, lineOf: (offset: number) => number): XmlEl {
  const rawAttrs = (node[':@'] ?? {}) as Record<string, string>;
  const attrs: Record<string, string> = {};
  for (const [k, v] of Object.entries(rawAttrs)) attrs[k] = decodeXml(String(v).replace(/[\t\r\n]/g, ' '));
  const el: XmlEl = {
    name,
    attrs,
    children: [],
    text: '',
    line: lineOf((node[META] as { startIndex?: number } | undefined)?.startIndex ?? 0),
    path,
  };
  const kids = (node[name] ?? []) as FxpNode[];
  const total = new Map<string, number>();
  for (const kid of kids) {
    const n = elementName(kid);
    if (n) total.set(n, (total.get(n) ?? 0) + 1);
  }
  const seen = new Map<string, number>();
  for (const kid of kids) {
    if ('#text' in kid) {
      el.text += decodeXml(String(kid['#text']));
      continue;
    }
    const n = elementName(kid);
    if (!n) continue;
    const index = (seen.get(n) ?? 0) + 1;
    seen.set(n, index);
    const indexed = name === 'devices' || (total.get(n) ?? 0) > 1;
    el.children.push(convert(kid, n, `${path}/${n}${indexed ? `[${index}]` : ''}`, lineOf));
  }
  return el;
}

/**
 * Parses a libvirt XML document.
 * @param text the document as text (a UTF-8 BOM is dropped; CRLF is accepted).
 * @param what English description for messages (e.g. `domain XML`).
 * @param rootName the required root element (`domain`).
 * @returns the root element and loading issues (e.g. a harmless DOCTYPE that was ignored).
 * @throws KvmParseError (with `line`) for an empty document, a DOCTYPE declaring entities or an
 *   external DTD, XML that is not well-formed, or another root element.
 */
export function loadXml(text: string, what: string, rootName: string): { root: XmlEl; issues: ReadIssue[] } {
  const issues: ReadIssue[] = [];
  const src = text.replace(/^\uFEFF/, '');
  if (src.trim() === '') throw new KvmParseError(`the ${what} is empty`);
  const normalized = src.replace(/\r\n?/g, '\n');
  const lineOf = lineIndex(normalized);

  const doctype = /<!DOCTYPE\b/i.exec(normalized);
  if (doctype) {
    const line = lineOf(doctype.index);
    if (/<!ENTITY\b/i.test(normalized)) {
      throw new KvmParseError(
        `the ${what} declares XML entities in a <!DOCTYPE> (refused: entity expansion could exhaust memory or read other files; libvirt never writes a DOCTYPE)`,
        line,
      );
    }
    if (/^<!DOCTYPE\s+[^\s[>]+\s+(SYSTEM|PUBLIC)\b/i.test(normalized.slice(doctype.index))) {
      throw new KvmParseError(
        `the ${what} references an external DTD in its <!DOCTYPE> (refused: external entities are never loaded; libvirt never writes a DOCTYPE)`,
        line,
      );
    }
    issues.push({ line, message: `line ${line}: <!DOCTYPE> ignored (libvirt never writes one)` });
  }

  const valid = XMLValidator.validate(normalized);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new KvmParseError(`the ${what} is not well-formed XML: ${msg} (column ${col})`, line);
  }
  let parsed: FxpNode[];
  try {
    parsed = PARSER.parse(normalized) as FxpNode[];
  } catch (e) {
    throw new KvmParseError(`the ${what} could not be parsed as XML: ${(e as Error).message}`);
  }
  const top = parsed.find((n) => elementName(n) !== undefined);
  const name = top ? elementName(top) : undefined;
  if (!top || !name) throw new KvmParseError(`the ${what} has no root element`);
  const root = convert(top, name, name, lineOf);
  if (root.name !== rootName) {
    throw new KvmParseError(
      `the root element is <${root.name}>, not <${rootName}>: this is not a libvirt ${what}`,
      root.line,
    );
  }
  return { root, issues };
}

/** First child named `name`. */
export const childEl = (el: XmlEl | undefined, name: string): XmlEl | undefined =>
  el?.children.find((c) => c.name === name);

/** Every child named `name`, in document order. */
export const childrenEl = (el: XmlEl | undefined, name: string): XmlEl[] =>
  el ? el.children.filter((c) => c.name === name) : [];

import { XMLParser } from 'fast-xml-parser';

/**
 * The one fast-xml-parser configuration the settings readers use (`.vbox`, `VirtualBox.xml`, libvirt
 * domain XML): order-preserving, attributes kept as written, entity processing OFF (no DOCTYPE
 * entities, no billion laughs — callers refuse DOCTYPE entity declarations before parsing), values
 * not coerced, nesting capped at 100, start offsets captured (read them with {@link XML_META}) so
 * problems can name their line.
 */
export const SAFE_XML_PARSER = new XMLParser({
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseAttributeValue: false,
  parseTagValue: false,
  trimValues: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  captureMetaData: true,
  maxNestedTags: 100,
});

/** Key under which fast-xml-parser stores a node's metadata (`startIndex`). */
export const XML_META = XMLParser.getMetaDataSymbol() as unknown as symbol;

const PREDEFINED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

/**
 * Decodes the five predefined XML entities and numeric character references (entity processing is
 * off in the parser); any other `&name;` stays as written — including names of `Object.prototype`
 * members such as `&constructor;`.
 */
export function decodeXmlEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-fA-F]+|#\d+|[A-Za-z]+);/g, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return Object.hasOwn(PREDEFINED, ref) ? PREDEFINED[ref] : whole;
  });
}

/**
 * A small, strict XML reader (no regular expressions, no dependencies) used by the tests to read back the
 * credit-transfer file: elements, attributes, text and the five predefined entities plus character references.
 * It throws on anything not well-formed — a mismatched or unclosed tag, a stray `<` or `&`, a duplicate
 * attribute, content after the root — which is what lets a test prove the file is well-formed.
 */

export interface XmlElement {
  name: string;
  attributes: Record<string, string>;
  children: XmlElement[];
  /** The element's own text (entities decoded), concatenated. */
  text: string;
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
const isSpace = (ch: string | undefined) => ch === ' ' || ch === '\n' || ch === '\r' || ch === '\t';
const isNameChar = (ch: string | undefined) =>
  ch !== undefined && ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch === ':' || ch === '_' || ch === '-' || ch === '.');

/**
 * Parses a document and returns its root element.
 *
 * @example
 * parseXml('<a x="1"><b>hi &amp; bye</b></a>').children[0]!.text; // 'hi & bye'
 */
export function parseXml(source: string): XmlElement {
  let at = 0;
  const fail = (why: string): never => {
    throw new Error(`not well-formed XML at ${at}: ${why}`);
  };
  const skipSpace = () => {
    while (isSpace(source[at])) at++;
  };
  const expect = (literal: string) => {
    if (!source.startsWith(literal, at)) fail(`expected ${literal}`);
    at += literal.length;
  };
  const name = () => {
    const start = at;
    while (isNameChar(source[at])) at++;
    if (at === start) fail('expected a name');
    return source.slice(start, at);
  };
  const decode = (raw: string): string => {
    let out = '';
    for (let i = 0; i < raw.length; i++) {
      const ch = raw[i]!;
      if (ch === '<') fail('a "<" in text');
      if (ch !== '&') {
        out += ch;
        continue;
      }
      const end = raw.indexOf(';', i);
      if (end < 0) fail('an unterminated entity');
      const entity = raw.slice(i + 1, end);
      if (entity.startsWith('#x')) out += String.fromCodePoint(parseInt(entity.slice(2), 16));
      else if (entity.startsWith('#')) out += String.fromCodePoint(Number(entity.slice(1)));
      else out += ENTITIES[entity] ?? fail(`an unknown entity &${entity};`);
      i = end;
    }
    return out;
  };
  const element = (): XmlElement => {
    expect('<');
    const el: XmlElement = { name: name(), attributes: {}, children: [], text: '' };
    for (;;) {
      skipSpace();
      if (source.startsWith('/>', at)) return (at += 2), el;
      if (source[at] === '>') break;
      const attribute = name();
      if (attribute in el.attributes) fail(`attribute ${attribute} twice`);
      skipSpace();
      expect('=');
      skipSpace();
      const quote = source[at];
      if (quote !== '"' && quote !== "'") fail('an unquoted attribute');
      const end = source.indexOf(quote!, at + 1);
      if (end < 0) fail('an unterminated attribute');
      el.attributes[attribute] = decode(source.slice(at + 1, end));
      at = end + 1;
    }
    at++;
    for (;;) {
      const next = source.indexOf('<', at);
      if (next < 0) fail(`<${el.name}> is never closed`);
      el.text += decode(source.slice(at, next));
      at = next;
      if (source.startsWith('</', at)) {
        at += 2;
        if (name() !== el.name) fail(`</…> does not close <${el.name}>`);
        skipSpace();
        expect('>');
        return el;
      }
      el.children.push(element());
    }
  };
  if (source.startsWith('<?xml', at)) {
    const end = source.indexOf('?>', at);
    if (end < 0) fail('an unterminated declaration');
    at = end + 2;
  }
  skipSpace();
  const root = element();
  skipSpace();
  if (at !== source.length) fail('content after the root element');
  return root;
}

/**
 * The children of `el` named `name`.
 *
 * @example
 * childrenOf(doc, 'PmtInf').length;
 */
export function childrenOf(el: XmlElement, name: string): XmlElement[] {
  return el.children.filter((c) => c.name === name);
}

/**
 * The one element at a `/`-separated path below `el`; throws when it is missing or not unique.
 *
 * @example
 * at(doc, 'CstmrCdtTrfInitn/GrpHdr/NbOfTxs').text; // '2'
 */
export function at(el: XmlElement, path: string): XmlElement {
  let current = el;
  for (const step of path.split('/')) {
    const found = childrenOf(current, step);
    if (found.length !== 1) throw new Error(`${path}: ${found.length} <${step}> under <${current.name}>`);
    current = found[0]!;
  }
  return current;
}

/**
 * A small strict XML reader for {@link XMLAdapter} (DSPy parses with `xml.etree.ElementTree`,
 * which rejects malformed XML, so this one does too): elements, attributes, text, the five
 * predefined entities and character references, comments, CDATA and processing instructions.
 */

/** One parsed element. `text` is the text before the first child (ElementTree's `.text`). */
export interface XmlElement {
  tag: string;
  attrs: Record<string, string>;
  text: string;
  children: XmlElement[];
  /** Text after this element's end tag, up to the next sibling (ElementTree's `.tail`). */
  tail: string;
}

/** Malformed XML; the message says what and where (line, column). */
export class XmlSyntaxError extends Error {}

const NAME = /^[A-Za-z_:\u00C0-\uFFFF][\w.\-:\u00B7\u00C0-\uFFFF]*/;

class XmlReader {
  private pos = 0;
  constructor(private readonly src: string) {}

  private fail(what: string): never {
    const before = this.src.slice(0, this.pos);
    const line = before.split('\n').length;
    const column = this.pos - (before.lastIndexOf('\n') + 1);
    throw new XmlSyntaxError(`${what}: line ${line}, column ${column}`);
  }

  private decode(raw: string): string {
    return raw.replace(/&([^;&\s]*);?/g, (m, name: string) => {
      if (!m.endsWith(';')) this.fail('not well-formed (invalid token)');
      const named: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
      if (name in named) return named[name] as string;
      const num = /^#(x[0-9a-fA-F]+|\d+)$/.exec(name);
      if (num?.[1]) {
        const code = num[1].startsWith('x') ? parseInt(num[1].slice(1), 16) : parseInt(num[1], 10);
        return String.fromCodePoint(code);
      }
      return this.fail('undefined entity');
    });
  }

  /** Reads the whole document: exactly one root element. */
  document(): XmlElement {
    this.skipMisc();
    if (this.src[this.pos] !== '<') this.fail('syntax error');
    const root = this.element();
    this.skipMisc();
    if (this.pos < this.src.length) this.fail('junk after document element');
    return root;
  }

  private skipMisc(): void {
    for (;;) {
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      if (this.src.startsWith('<!--', this.pos) || this.src.startsWith('<?', this.pos))
        this.skipSpecial();
      else return;
    }
  }

  private skipSpecial(): void {
    const end = this.src.startsWith('<!--', this.pos) ? '-->' : '?>';
    const at = this.src.indexOf(end, this.pos);
    if (at < 0) this.fail('unclosed token');
    this.pos = at + end.length;
  }

  private element(): XmlElement {
    this.pos++; // '<'
    const tag = NAME.exec(this.src.slice(this.pos))?.[0];
    if (!tag) this.fail('not well-formed (invalid token)');
    this.pos += tag.length;
    const attrs: Record<string, string> = {};
    for (;;) {
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      const ch = this.src[this.pos];
      if (ch === '/' && this.src[this.pos + 1] === '>') {
        this.pos += 2;
        return { tag, attrs, text: '', children: [], tail: '' };
      }
      if (ch === '>') {
        this.pos++;
        break;
      }
      const name = NAME.exec(this.src.slice(this.pos))?.[0];
      if (!name) this.fail('not well-formed (invalid token)');
      this.pos += name.length;
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      if (this.src[this.pos] !== '=') this.fail('not well-formed (invalid token)');
      this.pos++;
      while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
      const quote = this.src[this.pos];
      if (quote !== '"' && quote !== "'") this.fail('not well-formed (invalid token)');
      const end = this.src.indexOf(quote, this.pos + 1);
      if (end < 0) this.fail('unclosed token');
      const raw = this.src.slice(this.pos + 1, end);
      if (raw.includes('<')) this.fail('not well-formed (invalid token)');
      attrs[name] = this.decode(raw);
      this.pos = end + 1;
    }
    const el: XmlElement = { tag, attrs, text: '', children: [], tail: '' };
    let buffer = '';
    const flush = () => {
      const last = el.children[el.children.length - 1];
      if (last) last.tail += buffer;
      else el.text += buffer;
      buffer = '';
    };
    for (;;) {
      if (this.pos >= this.src.length) this.fail('no element found');
      if (this.src.startsWith('</', this.pos)) {
        flush();
        this.pos += 2;
        const close = NAME.exec(this.src.slice(this.pos))?.[0];
        if (close !== tag) this.fail('mismatched tag');
        this.pos += close.length;
        while (/\s/.test(this.src[this.pos] ?? '')) this.pos++;
        if (this.src[this.pos] !== '>') this.fail('not well-formed (invalid token)');
        this.pos++;
        return el;
      }
      if (this.src.startsWith('<![CDATA[', this.pos)) {
        const end = this.src.indexOf(']]>', this.pos);
        if (end < 0) this.fail('unclosed CDATA section');
        buffer += this.src.slice(this.pos + 9, end);
        this.pos = end + 3;
        continue;
      }
      if (this.src.startsWith('<!--', this.pos) || this.src.startsWith('<?', this.pos)) {
        this.skipSpecial();
        continue;
      }
      if (this.src[this.pos] === '<') {
        flush();
        el.children.push(this.element());
        continue;
      }
      const next = this.src.indexOf('<', this.pos);
      const end = next < 0 ? this.src.length : next;
      buffer += this.decode(this.src.slice(this.pos, end));
      this.pos = end;
    }
  }
}

/** Parses one XML document; throws {@link XmlSyntaxError}. */
export function parseXml(src: string): XmlElement {
  return new XmlReader(src).document();
}

function escapeText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

/** Serialises an element back to text (ElementTree's `tostring`, including the tail). */
export function serializeXml(el: XmlElement): string {
  const attrs = Object.entries(el.attrs)
    .map(([k, v]) => ` ${k}="${escapeText(v).replaceAll('"', '&quot;')}"`)
    .join('');
  const inner = escapeText(el.text) + el.children.map(serializeXml).join('');
  const body = inner === '' ? `<${el.tag}${attrs} />` : `<${el.tag}${attrs}>${inner}</${el.tag}>`;
  return body + escapeText(el.tail);
}

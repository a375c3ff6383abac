import { elementType, pyNumber, type FieldType } from '../signatures/index.js';
import { pyStrip } from './python-text.js';
import { serializeXml, type XmlElement } from './xml-reader.js';

/**
 * Conversions between JSON-like values, field types and XML elements for {@link XMLAdapter}
 * (DSPy's `_value_to_xml`, `_xml_schema` and `_elements_to_value`, driven by dspex field types
 * instead of Pydantic JSON schemas).
 */

const IDENTIFIER = /^[\p{L}_][\p{L}\p{N}_]*$/u;

/** The non-None type inside `Optional[T]`, else the type itself. */
function unwrapOptional(t: FieldType): FieldType {
  if (t.kind !== 'union') return t;
  const rest = t.members.filter((m) => m.kind !== 'none');
  return rest.length === 1 ? (rest[0] as FieldType) : t;
}

/**
 * Parameterised lists and dicts (`list[str]`, `dict[str, int]`) and models are written as nested
 * XML; everything else as text. DSPy tests `get_origin(annotation) in (list, dict)`, which is
 * None for the bare `list` and `dict`, so those keep the text form with a JSON-schema note.
 */
export function usesNestedXml(t: FieldType): boolean {
  const u = unwrapOptional(t);
  if (u.kind === 'list') return u.item !== undefined;
  if (u.kind === 'dict') return u.value !== undefined;
  return u.kind === 'model';
}

/** Python's `xml.sax.saxutils.quoteattr`. */
function quoteAttr(v: string): string {
  let s = v.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
  s = s.replaceAll('\n', '&#10;').replaceAll('\r', '&#13;').replaceAll('\t', '&#9;');
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return `"${s.replaceAll('"', '&quot;')}"`;
}

export function escapeText(s: string): string {
  return s.replaceAll('&', '&amp;').replaceAll('<', '&lt;');
}

/**
 * A JSON-like value as nested XML: list items as `<item>`, odd keys as `<entry key="…">`. The
 * declared type only decides how numbers print (`1.0` for floats, as Python would).
 */
export function valueToXml(
  value: unknown,
  tag: string,
  type: FieldType | undefined,
  key?: string,
): string {
  const attrs = key === undefined ? '' : ` key=${quoteAttr(key)}`;
  if (Array.isArray(value)) {
    const children = value
      .map((item, i) => valueToXml(item, 'item', elementType(type, i)))
      .join('');
    return children ? `<${tag}${attrs}>${children}</${tag}>` : `<${tag}${attrs} />`;
  }
  if (value !== null && typeof value === 'object') {
    const children = Object.entries(value as Record<string, unknown>).map(([name, child]) => {
      const valid = IDENTIFIER.test(
        name.slice(0, 1) + name.slice(1).replaceAll('-', '_').replaceAll('.', '_'),
      );
      const childType = elementType(type, name);
      return valid
        ? valueToXml(child, name, childType)
        : valueToXml(child, 'entry', childType, name);
    });
    return `<${tag}${attrs}>${children.join('')}</${tag}>`;
  }
  if (value === null || value === undefined) return `<${tag}${attrs} />`;
  const text =
    typeof value === 'boolean'
      ? value
        ? 'True'
        : 'False'
      : typeof value === 'number'
        ? pyNumber(value, type)
        : String(value);
  return `<${tag}${attrs}>${escapeText(text)}</${tag}>`;
}

/** The nested XML skeleton of a type, shown to the LM (`<answer><item>...</item></answer>`). */
export function xmlSchema(tag: string, t: FieldType): string {
  const u =
    t.kind === 'union' ? (t.members.find((m) => m.kind !== 'none') ?? t.members[0] ?? t) : t;
  if (u.kind === 'list' || u.kind === 'set' || u.kind === 'tuple') {
    const item = u.kind === 'tuple' ? u.items?.[0] : u.item;
    return `<${tag}>${xmlSchema('item', item ?? { kind: 'any' })}</${tag}>`;
  }
  if (u.kind === 'model') {
    const children = u.properties.map((p) => xmlSchema(p.name, p.type)).join('');
    if (children) return `<${tag}>${children}</${tag}>`;
  }
  return `<${tag}>...</${tag}>`;
}

export function groupChildren(el: XmlElement): Map<string, XmlElement[]> {
  const groups = new Map<string, XmlElement[]>();
  for (const child of el.children) {
    const name = child.tag === 'entry' ? (child.attrs['key'] ?? child.tag) : child.tag;
    groups.set(name, [...(groups.get(name) ?? []), child]);
  }
  return groups;
}

function isObjectType(t: FieldType): boolean {
  return t.kind === 'dict' || t.kind === 'model' || t.kind === 'history';
}

/** Reads elements into a JSON-like value guided by the field type (DSPy's `_elements_to_value`). */
export function elementsToValue(elements: XmlElement[], type: FieldType): unknown {
  let t = type;
  const first = elements[0] as XmlElement;
  if (t.kind === 'union') {
    if (
      t.members.some((m) => m.kind === 'none') &&
      first.children.length === 0 &&
      pyStrip(first.text) === ''
    ) {
      return null;
    }
    const choices = t.members.filter((m) => m.kind !== 'none');
    t = choices[0] ?? t;
    if (first.children.length > 0) t = choices.find((c) => c.kind !== 'str') ?? t;
  }
  if (t.kind === 'list' || t.kind === 'set' || t.kind === 'tuple') {
    let items = elements;
    if (elements.length === 1 && first.children.length === 0) {
      const text = pyStrip(first.text);
      if (!text) return [];
      if (text.startsWith('[')) return text;
    }
    if (elements.length === 1) {
      const inner = groupChildren(first).get('item');
      if (inner) items = inner;
    }
    return items.map((e, i) =>
      elementsToValue(
        [e],
        (t.kind === 'tuple'
          ? t.items?.[i]
          : t.kind === 'list' || t.kind === 'set'
            ? t.item
            : undefined) ?? { kind: 'any' },
      ),
    );
  }
  if (t.kind === 'str' && first.children.length > 0) {
    return first.text + first.children.map(serializeXml).join('');
  }
  const children = groupChildren(first);
  if (children.size === 0) {
    if (isObjectType(t) && pyStrip(first.text) === '') return {};
    const values = elements.map((e) => pyStrip(e.text));
    return values.length === 1 ? values[0] : values;
  }
  const out: Record<string, unknown> = {};
  for (const [name, items] of children) {
    const child: FieldType =
      t.kind === 'model'
        ? (t.properties.find((p) => p.name === name)?.type ?? { kind: 'any' })
        : t.kind === 'dict'
          ? (t.value ?? { kind: 'any' })
          : { kind: 'any' };
    out[name] = elementsToValue(items, child);
  }
  return out;
}

import { FieldTypes, type FieldType, type LiteralValue } from './field-type.js';
import type { ZodType } from 'zod';
import { SignatureError } from './errors.js';
import { ANONYMOUS_MODEL_NAME } from './json-schema.js';
import { ML_NAMES, mlGeneric } from './ml-types.js';
import { zodToFieldType } from './zod-type.js';

/**
 * Parses a type annotation written in a string signature. Accepts DSPy's Python spelling
 * (`int`, `list[str]`, `dict[str, float]`, `Optional[int]`, `int | None`, `Literal['a', 'b']`,
 * `typing.List[int]`, `dspy.History`) and TS spelling (`string`, `number`, `integer`,
 * `boolean`, `string[]`, `'yes' | 'no'`). Unknown names fail like DSPy: `Unknown name: Foo`.
 */

type Token =
  | { t: 'name'; v: string }
  | { t: 'str'; v: string }
  | { t: 'num'; v: number }
  | { t: 'punct'; v: string };

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const ch = src[i] as string;
    if (/\s/.test(ch)) {
      i++;
    } else if (/[A-Za-z_\p{L}]/u.test(ch)) {
      const m = /^[\p{L}\p{N}_]+(?:\s*\.\s*[\p{L}_][\p{L}\p{N}_]*)*/u.exec(src.slice(i));
      const raw = m?.[0] ?? ch;
      tokens.push({ t: 'name', v: raw.replace(/\s+/g, '') });
      i += raw.length;
    } else if (ch === '"' || ch === "'") {
      let j = i + 1;
      let out = '';
      while (j < src.length && src[j] !== ch) {
        if (src[j] === '\\' && j + 1 < src.length) {
          const esc = src[j + 1] as string;
          out += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
          j += 2;
        } else out += src[j++];
      }
      if (j >= src.length)
        throw new SignatureError(`Unterminated string in type annotation: ${src}`);
      tokens.push({ t: 'str', v: out });
      i = j + 1;
    } else if (/[-\d]/.test(ch)) {
      const m = /^-?\d[\d_]*(\.\d+)?([eE][-+]?\d+)?/.exec(src.slice(i));
      if (!m) throw new SignatureError(`Code is not syntactically valid: ${src}`);
      tokens.push({ t: 'num', v: Number(m[0].replaceAll('_', '')) });
      i += m[0].length;
    } else if ('[](),|'.includes(ch)) {
      tokens.push({ t: 'punct', v: ch });
      i++;
    } else {
      throw new SignatureError(`Code is not syntactically valid: ${src}`);
    }
  }
  return tokens;
}

/** A parsed node before name resolution: a type, a constant (for Literal / None), or a tuple. */
type Node =
  { k: 'type'; type: FieldType } | { k: 'const'; v: LiteralValue } | { k: 'tuple'; items: Node[] };

const SIMPLE: Record<string, FieldType> = {
  str: FieldTypes.str,
  int: FieldTypes.int,
  float: FieldTypes.float,
  bool: FieldTypes.bool,
  Any: FieldTypes.any,
  NoneType: FieldTypes.none,
  History: FieldTypes.history,
  Tool: FieldTypes.tool,
  ToolCalls: FieldTypes.toolCalls,
  Reasoning: FieldTypes.reasoning,
  Image: FieldTypes.image,
  list: FieldTypes.list(),
  List: FieldTypes.list(),
  set: FieldTypes.set(),
  Set: FieldTypes.set(),
  frozenset: FieldTypes.set(),
  FrozenSet: FieldTypes.set(),
  tuple: FieldTypes.tuple(),
  Tuple: FieldTypes.tuple(),
  dict: FieldTypes.dict(),
  Dict: FieldTypes.dict(),
  string: FieldTypes.str,
  number: FieldTypes.float,
  integer: FieldTypes.int,
  boolean: FieldTypes.bool,
  object: FieldTypes.dict(),
  unknown: FieldTypes.any,
  any: FieldTypes.any,
};

const GENERIC = new Set(['list', 'set', 'tuple', 'dict', 'Optional', 'Union', 'Literal']);

function canonicalName(name: string): string {
  const stripped = name.replace(/^(typing|dspy|builtins)\./, '');
  const aliases: Record<string, string> = {
    List: 'list',
    Set: 'set',
    FrozenSet: 'set',
    frozenset: 'set',
    Tuple: 'tuple',
    Dict: 'dict',
  };
  return aliases[stripped] ?? stripped;
}

/** Names a string signature may use beyond the built-ins (DSPy's `custom_types`). */
export type CustomTypes = Readonly<Record<string, FieldType | ZodType>>;

function isZodSchema(v: unknown): v is ZodType {
  return typeof v === 'object' && v !== null && '_zod' in v;
}

class TypeParser {
  private pos = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly src: string,
    private readonly custom: CustomTypes,
  ) {}

  parse(): FieldType {
    const node = this.union();
    if (this.pos < this.tokens.length) this.syntax();
    return toType(node);
  }

  private syntax(): never {
    throw new SignatureError(`Code is not syntactically valid: ${this.src}`);
  }

  private peek(): Token | undefined {
    return this.tokens[this.pos];
  }

  private eat(v: string): boolean {
    const tok = this.peek();
    if (tok?.t === 'punct' && tok.v === v) {
      this.pos++;
      return true;
    }
    return false;
  }

  /** `a | b | c`, left-associative, with DSPy's PEP 604 handling of `None` on either side. */
  private union(): Node {
    let left = this.postfix();
    while (this.eat('|')) {
      const right = this.postfix();
      left = combine(left, right);
    }
    return left;
  }

  /** An atom followed by TS-style `[]` suffixes. */
  private postfix(): Node {
    let node = this.atom();
    for (;;) {
      const a = this.tokens[this.pos];
      const b = this.tokens[this.pos + 1];
      if (a?.t === 'punct' && a.v === '[' && b?.t === 'punct' && b.v === ']') {
        this.pos += 2;
        node = { k: 'type', type: FieldTypes.list(toType(node)) };
      } else return node;
    }
  }

  private atom(): Node {
    const tok = this.peek();
    if (!tok) return this.syntax();
    this.pos++;
    if (tok.t === 'str') return { k: 'const', v: tok.v };
    if (tok.t === 'num') return { k: 'const', v: tok.v };
    if (tok.t === 'punct') {
      if (tok.v !== '(') return this.syntax();
      const items = [this.union()];
      while (this.eat(',')) {
        if (this.peek()?.t === 'punct' && this.peek()?.v === ')') break;
        items.push(this.union());
      }
      if (!this.eat(')')) this.syntax();
      return items.length === 1 ? (items[0] as Node) : { k: 'tuple', items };
    }
    if (tok.v === 'None' || tok.v === 'null') return { k: 'const', v: null };
    if (tok.v === 'True' || tok.v === 'true') return { k: 'const', v: true };
    if (tok.v === 'False' || tok.v === 'false') return { k: 'const', v: false };
    const next = this.peek();
    if (next?.t === 'punct' && next.v === '[' && this.tokens[this.pos + 1]?.v !== ']') {
      this.pos++;
      const args = [this.union()];
      while (this.eat(',')) {
        if (this.peek()?.t === 'punct' && this.peek()?.v === ']') break;
        args.push(this.union());
      }
      if (!this.eat(']')) this.syntax();
      return { k: 'type', type: applyGeneric(tok.v, args) };
    }
    const custom = this.custom[tok.v];
    if (custom !== undefined) return { k: 'type', type: customType(tok.v, custom) };
    return { k: 'type', type: resolveName(tok.v) };
  }
}

/** A custom type by name; an unnamed zod object takes the name it was registered under. */
function customType(name: string, custom: FieldType | ZodType): FieldType {
  if (!isZodSchema(custom)) return custom;
  const t = zodToFieldType(custom);
  const named = t.kind === 'model' && t.name === ANONYMOUS_MODEL_NAME ? { ...t, name } : t;
  return { ...named, zod: custom };
}

function resolveName(name: string): FieldType {
  const simple = SIMPLE[name.replace(/^(typing|dspy|builtins)\./, '')];
  if (simple) return simple;
  const ml = ML_NAMES[name];
  if (ml) return ml();
  throw new SignatureError(`Unknown name: ${name}`, { details: { name } });
}

function toType(node: Node): FieldType {
  if (node.k === 'type') return node.type;
  if (node.k === 'const') {
    if (node.v === null) return FieldTypes.none;
    return FieldTypes.literal(node.v);
  }
  throw new SignatureError('A tuple is not a type; use tuple[...]');
}

/** `X | Y` as DSPy's `_parse_type_node` builds it; bare constants (TS style) merge into a Literal. */
function combine(left: Node, right: Node): Node {
  const l = toType(left);
  const r = toType(right);
  if (l.kind === 'literal' && r.kind === 'literal' && (left.k === 'const' || right.k === 'const')) {
    return {
      k: 'type',
      type: FieldTypes.literal(...l.values, ...r.values.filter((v) => !l.values.includes(v))),
    };
  }
  if (r.kind === 'none') return { k: 'type', type: FieldTypes.optional(l) };
  if (l.kind === 'none') return { k: 'type', type: FieldTypes.optional(r) };
  return { k: 'type', type: FieldTypes.union(l, r) };
}

function applyGeneric(rawName: string, args: Node[]): FieldType {
  const name = canonicalName(rawName);
  // ML types with bounds or a dimension: `float[0, 10]`, `str[1, 280]`, `embedding[768]`.
  if (args.every((a) => a.k === 'const')) {
    const ml = mlGeneric(
      name,
      args.map((a) => (a as { v: LiteralValue }).v),
    );
    if (ml !== undefined) return ml;
  }
  if (!GENERIC.has(name)) {
    resolveName(rawName);
    throw new SignatureError(`Type ${rawName} is not subscriptable`);
  }
  const flat = args.length === 1 && args[0]?.k === 'tuple' ? args[0].items : args;
  if (name === 'Literal') {
    return FieldTypes.literal(
      ...flat.map((a) => {
        if (a.k === 'const') return a.v;
        const t = toType(a);
        if (t.kind === 'literal') return t.values[0] ?? null;
        throw new SignatureError(`Literal arguments must be constants, got ${rawName}`);
      }),
    );
  }
  const types = flat.map(toType);
  switch (name) {
    case 'list':
    case 'set':
      if (types.length !== 1)
        throw new SignatureError(`${name}[...] takes exactly one type argument`);
      return name === 'list' ? FieldTypes.list(types[0]) : FieldTypes.set(types[0]);
    case 'dict':
      if (types.length !== 2)
        throw new SignatureError('dict[...] takes exactly two type arguments');
      return FieldTypes.dict(types[0], types[1]);
    case 'tuple':
      return FieldTypes.tuple(...types);
    case 'Optional':
      if (types.length !== 1)
        throw new SignatureError('Optional must have exactly one type argument');
      return FieldTypes.optional(types[0] as FieldType);
    default:
      return FieldTypes.union(...types);
  }
}

/**
 * Parses one type annotation.
 *
 * @example
 * ```ts
 * parseTypeAnnotation('list[str] | None') // Union[list[str], NoneType]
 * parseTypeAnnotation("'yes' | 'no'")     // Literal['yes', 'no']
 * ```
 */
export function parseTypeAnnotation(src: string, customTypes: CustomTypes = {}): FieldType {
  return new TypeParser(tokenize(src), src, customTypes).parse();
}

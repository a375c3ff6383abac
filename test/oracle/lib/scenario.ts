/**
 * Parser of the oracle scenario DSL (test/oracle/README.md), mirroring the Erlang
 * driver's parser (test/oracle/driver/dspex_oracle.escript) rule by rule, including the order in which it detects errors (so the same
 * `driver: FILE:LINE: message` is printed).
 */
import type { Term } from '../../../src/kernel/index.js';
import { isReservedWord, tuple } from '../../../src/kernel/index.js';

export type Strategy = 'one_for_one' | 'one_for_all' | 'rest_for_one' | 'simple_one_for_one';

/** Supervisor flags as written (only the given keys). */
export interface ScnFlags {
  strategy?: Strategy;
  intensity?: number;
  period?: number;
  auto_shutdown?: 'never' | 'any_significant' | 'all_significant';
}

/** Child spec attributes as written (only the given keys). */
export interface ScnSpec {
  restart?: 'permanent' | 'transient' | 'temporary';
  shutdown?: number | 'brutal_kill' | 'infinity';
  significant?: boolean;
}

/** Fake-child options as written. */
export interface ScnOpts {
  fail_on?: number[];
  ignore_on?: number[];
  deaf?: boolean;
}

export interface Decl {
  kind: 'worker' | 'sup';
  id: string;
  parent: string;
  line: number;
  spec: ScnSpec;
  opts: ScnOpts;
  flags?: ScnFlags;
}

export type Attrs = ScnSpec & ScnOpts & ScnFlags & { parent?: string };

export type Action =
  | { line: number; op: 'crash'; id: string; reason: Term }
  | { line: number; op: 'sleep'; ms: number }
  | {
      line: number;
      op: 'terminate_child' | 'restart_child' | 'delete_child';
      id: string;
      attrs: Attrs;
    }
  | { line: number; op: 'start_child'; id: string; attrs: Attrs }
  | { line: number; op: 'which_children' | 'count_children' | 'alive'; sup: string }
  | { line: number; op: 'final' }
  | { line: number; op: 'stop' };

export interface Part {
  name: string | undefined;
  line: number;
  flags: ScnFlags;
  decls: Decl[];
  actions: Action[];
}

/** A parse/validation error: the driver exits 2 with `driver: FILE:LINE: message`. */
export class ScnError extends Error {
  constructor(
    readonly line: number,
    message: string,
  ) {
    super(message);
  }
}

type Stmt = { line: number; toks: string[] };

function tokens(line: string): string[] {
  const noComment = line.split('#')[0] ?? '';
  return noComment.split(/[ \t\r]+/).filter((t) => t !== '');
}

export function parseScenario(text: string): Part[] {
  const raw = text.split('\n');
  const stmts: Stmt[] = [];
  raw.forEach((l, i) => {
    const toks = tokens(l);
    if (toks.length > 0) stmts.push({ line: i + 1, toks });
  });
  if (stmts.length === 0) throw new ScnError(1, 'empty scenario');
  if (stmts[0]!.toks[0] === 'part') return splitParts(stmts).map(buildPart);
  return [buildPart({ name: undefined, line: 1, body: stmts })];
}

function splitParts(stmts: Stmt[]): { name: string; line: number; body: Stmt[] }[] {
  const out: { name: string; line: number; body: Stmt[] }[] = [];
  let i = 0;
  while (i < stmts.length) {
    const s = stmts[i]!;
    if (s.toks[0] !== 'part' || s.toks.length !== 2)
      throw new ScnError(s.line, "'part' takes exactly one name");
    const name = s.toks[1]!;
    if (!/^[a-z0-9_]+$/.test(name)) throw new ScnError(s.line, `bad part name ${name}`);
    let j = i + 1;
    while (j < stmts.length && stmts[j]!.toks[0] !== 'part') j++;
    out.push({ name, line: s.line, body: stmts.slice(i + 1, j) });
    i = j;
  }
  return out;
}

function buildPart(p: { name: string | undefined; line: number; body: Stmt[] }): Part {
  const [first, ...rest] = p.body;
  if (first === undefined) throw new ScnError(p.line, 'part without statements');
  if (first.toks[0] !== 'sup') throw new ScnError(first.line, "the first statement must be 'sup'");
  const a = attrs(first.line, first.toks.slice(1), [
    'strategy',
    'intensity',
    'period',
    'auto_shutdown',
  ]);
  const part: Part = { name: p.name, line: first.line, flags: flagsOf(a), decls: [], actions: [] };
  for (const s of rest) stmt(s, part);
  checkTemplates(part);
  return part;
}

function stmt(s: Stmt, part: Part): void {
  const [kind, idS, ...rest] = s.toks;
  const ln = s.line;
  if (kind === 'sup') throw new ScnError(ln, "only one 'sup' per part");
  if ((kind === 'child' || kind === 'supchild') && idS !== undefined && part.actions.length === 0) {
    const id = parseId(ln, idS);
    if (id === 'root') throw new ScnError(ln, "'root' is reserved for the root supervisor");
    if (part.decls.some((d) => d.id === id)) throw new ScnError(ln, `duplicate id ${idS}`);
    let decl: Decl;
    if (kind === 'child') {
      const a = attrs(ln, rest, [
        'restart',
        'shutdown',
        'significant',
        'fail_on',
        'ignore_on',
        'deaf',
        'parent',
      ]);
      decl = workerDecl(ln, id, a);
    } else {
      const a = attrs(ln, rest, [
        'strategy',
        'intensity',
        'period',
        'auto_shutdown',
        'restart',
        'shutdown',
        'significant',
        'fail_on',
        'ignore_on',
        'parent',
      ]);
      decl = { ...workerDecl(ln, id, a), kind: 'sup', flags: flagsOf(a) };
    }
    const parentStrategy = strategyOf(decl.parent, part, ln);
    if (parentStrategy === 'simple_one_for_one') {
      if (kind === 'supchild')
        throw new ScnError(ln, "a simple_one_for_one template must be a 'child'");
      if (part.decls.some((d) => d.parent === decl.parent))
        throw new ScnError(ln, 'a simple_one_for_one supervisor has exactly one child line');
    }
    part.decls.push(decl);
    return;
  }
  if (kind === 'child' || kind === 'supchild')
    throw new ScnError(ln, `${kind}: needs an id (and must come before the actions)`);
  part.actions.push(action(ln, s.toks));
}

function strategyOf(parent: string, part: Part, ln: number): Strategy {
  if (parent === 'root') return part.flags.strategy ?? 'one_for_one';
  const d = part.decls.find((x) => x.id === parent && x.kind === 'sup');
  if (d === undefined)
    throw new ScnError(ln, `unknown parent ${parent} (declare the supchild first)`);
  return d.flags?.strategy ?? 'one_for_one';
}

function checkTemplates(part: Part): void {
  const sups: { id: string; flags: ScnFlags; line: number }[] = [
    { id: 'root', flags: part.flags, line: part.line },
    ...part.decls
      .filter((d) => d.kind === 'sup')
      .map((d) => ({ id: d.id, flags: d.flags ?? {}, line: d.line })),
  ];
  for (const s of sups) {
    if ((s.flags.strategy ?? 'one_for_one') !== 'simple_one_for_one') continue;
    if (part.decls.filter((d) => d.parent === s.id).length !== 1)
      throw new ScnError(
        s.line,
        `simple_one_for_one supervisor ${s.id} needs exactly one child line`,
      );
  }
}

/** The driver's `worker_decl`: spec/opts split and the deaf + infinity rejection. */
export function workerDecl(ln: number, id: string, a: Attrs): Decl {
  const spec: ScnSpec = {};
  if (a.restart !== undefined) spec.restart = a.restart;
  if (a.shutdown !== undefined) spec.shutdown = a.shutdown;
  if (a.significant !== undefined) spec.significant = a.significant;
  const opts: ScnOpts = {};
  if (a.fail_on !== undefined) opts.fail_on = a.fail_on;
  if (a.ignore_on !== undefined) opts.ignore_on = a.ignore_on;
  if (a.deaf !== undefined) opts.deaf = a.deaf;
  if (opts.deaf === true && (spec.shutdown ?? 5000) === 'infinity')
    throw new ScnError(ln, 'deaf=true with shutdown=infinity would never terminate');
  return { kind: 'worker', id, parent: a.parent ?? 'root', line: ln, spec, opts };
}

function flagsOf(a: Attrs): ScnFlags {
  const f: ScnFlags = {};
  if (a.strategy !== undefined) f.strategy = a.strategy;
  if (a.intensity !== undefined) f.intensity = a.intensity;
  if (a.period !== undefined) f.period = a.period;
  if (a.auto_shutdown !== undefined) f.auto_shutdown = a.auto_shutdown;
  return f;
}

function action(ln: number, toks: string[]): Action {
  const [op, a1, ...rest] = toks;
  if (op === 'crash' && toks.length === 3)
    return { line: ln, op, id: parseId(ln, a1!), reason: parseTerm(ln, toks[2]!) };
  if (op === 'sleep' && toks.length === 2) return { line: ln, op, ms: parseInt(ln, a1!, 0) };
  if (
    (op === 'terminate_child' || op === 'restart_child' || op === 'delete_child') &&
    a1 !== undefined
  ) {
    const id = parseId(ln, a1);
    return { line: ln, op, id, attrs: attrs(ln, rest, ['parent']) };
  }
  if (op === 'start_child' && a1 !== undefined) {
    const a = attrs(ln, rest, [
      'restart',
      'shutdown',
      'significant',
      'fail_on',
      'ignore_on',
      'deaf',
      'parent',
    ]);
    const id = parseId(ln, a1);
    if (id === 'root') throw new ScnError(ln, "'root' is reserved for the root supervisor");
    return { line: ln, op, id, attrs: a };
  }
  if (op === 'which_children' || op === 'count_children' || op === 'alive') {
    if (toks.length === 1) return { line: ln, op, sup: 'root' };
    if (toks.length === 2) return { line: ln, op, sup: parseId(ln, a1!) };
  }
  if (op === 'final' && toks.length === 1) return { line: ln, op };
  if (op === 'stop' && toks.length === 1) return { line: ln, op };
  throw new ScnError(ln, `cannot parse statement: ${toks.join(' ')}`);
}

type AttrKey = keyof Attrs;

function attrs(ln: number, toks: string[], allowed: AttrKey[]): Attrs {
  const acc: Record<string, unknown> = {};
  for (const t of toks) {
    const eq = t.indexOf('=');
    const k = eq < 0 ? '' : t.slice(0, eq);
    const v = eq < 0 ? '' : t.slice(eq + 1);
    if (eq < 0 || k === '' || v === '') throw new ScnError(ln, `expected key=value, got ${t}`);
    if (!(allowed as string[]).includes(k))
      throw new ScnError(ln, `attribute not allowed here: ${k}`);
    if (k in acc) throw new ScnError(ln, `attribute given twice: ${k}`);
    acc[k] = attrValue(ln, k as AttrKey, v);
  }
  return acc as Attrs;
}

function attrValue(ln: number, key: AttrKey, v: string): unknown {
  switch (key) {
    case 'strategy':
      return enumValue(ln, v, ['one_for_one', 'one_for_all', 'rest_for_one', 'simple_one_for_one']);
    case 'intensity':
      return parseInt(ln, v, 0);
    case 'period':
      return parseInt(ln, v, 1);
    case 'auto_shutdown':
      return enumValue(ln, v, ['never', 'any_significant', 'all_significant']);
    case 'restart':
      return enumValue(ln, v, ['permanent', 'transient', 'temporary']);
    case 'shutdown':
      if (v === 'brutal_kill' || v === 'infinity') return v;
      return parseInt(ln, v, 0);
    case 'significant':
    case 'deaf':
      return enumValue(ln, v, ['true', 'false']) === 'true';
    case 'fail_on':
    case 'ignore_on':
      return v.split(',').map((x) => parseInt(ln, x, 1));
    case 'parent':
      return parseId(ln, v);
  }
}

function enumValue(ln: number, v: string, allowed: string[]): string {
  if (!allowed.includes(v)) throw new ScnError(ln, `bad value ${v}`);
  return v;
}

function parseInt(ln: number, s: string, min: number): number {
  if (!/^[0-9]+$/.test(s)) throw new ScnError(ln, `expected a non-negative integer, got ${s}`);
  const n = Number(s);
  if (n < min) throw new ScnError(ln, `value below ${min}: ${s}`);
  return n;
}

export function parseId(ln: number, s: string): string {
  if (!/^[a-z][a-z0-9_]*$/.test(s)) throw new ScnError(ln, `bad id ${s} (want [a-z][a-z0-9_]*)`);
  if (isReservedWord(s)) throw new ScnError(ln, `reserved word ${s}`);
  return s;
}

class BadTerm extends Error {}

/** term := atom | integer | '{' [term {',' term}] '}' | '[' [term {',' term}] ']' */
export function parseTerm(ln: number, s: string): Term {
  try {
    const [t, restS] = term(s);
    if (restS === '') return t;
  } catch (e) {
    if (!(e instanceof BadTerm)) throw e;
  }
  throw new ScnError(ln, `bad term ${s}`);
}

function term(s: string): [Term, string] {
  const c = s[0];
  if (c === '{') {
    const [items, r] = elems(s.slice(1), '}');
    return [tuple(...items), r];
  }
  if (c === '[') return elems(s.slice(1), ']');
  if (c !== undefined && c >= 'a' && c <= 'z') {
    const m = /^[a-zA-Z0-9_]*/.exec(s)![0];
    if (isReservedWord(m)) throw new BadTerm();
    return [m, s.slice(m.length)];
  }
  if (c !== undefined && ((c >= '0' && c <= '9') || c === '-')) {
    const m = /^[0-9-]*/.exec(s)![0];
    if (!/^-?[0-9]+$/.test(m)) throw new BadTerm();
    return [BigInt(m), s.slice(m.length)];
  }
  throw new BadTerm();
}

function elems(s: string, close: string): [Term[], string] {
  if (s[0] === close) return [[], s.slice(1)];
  const out: Term[] = [];
  let r = s;
  for (;;) {
    const [t, r1] = term(r);
    out.push(t);
    if (r1[0] === ',') r = r1.slice(1);
    else if (r1[0] === close) return [out, r1.slice(1)];
    else throw new BadTerm();
  }
}

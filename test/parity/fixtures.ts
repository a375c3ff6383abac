import { readFileSync } from 'node:fs';
import { signature, type Signature } from '../../src/signatures/index.js';

/** A signature as the generator describes it: DSPy's string form, instructions and descriptions. */
export interface SignatureSpec {
  spec: string;
  instructions: string | null;
  descs: Record<string, string>;
}

/** What DSPy did: a value, or an exception (class name and message). */
export type Outcome<T> = { error: { class: string; message?: string } } | T;

export interface FormatCase {
  id: string;
  signature: SignatureSpec;
  demos: Record<string, unknown>[];
  inputs: Record<string, unknown>;
  expected: Outcome<{ messages: { role: string; content: string }[] }>;
}

export interface ParseCase {
  id: string;
  signature: SignatureSpec;
  completion: string;
  expected: Outcome<{ outputs: unknown }>;
}

export interface CorpusCase {
  input: string;
  expected: Outcome<{ value: unknown }>;
}

const DIR = new URL('./fixtures/', import.meta.url);

/** Reads one fixture file written by generate.py. */
export function loadFixture<T>(name: string): T {
  return JSON.parse(readFileSync(new URL(name, DIR), 'utf8')) as T;
}

/**
 * Undoes the generator's tags: `$float` (nan/inf), `$int` (beyond 2**53, as a number), `$tuple`
 * (an array: dspex has no tuples), `$set` (a Set); `$repr` stays tagged (no JS equivalent).
 */
export function decode(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decode);
  if (v === null || typeof v !== 'object') return v;
  const record = v as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length === 1) {
    const [key] = keys as [string];
    const inner = record[key];
    if (key === '$float') return inner === 'nan' ? NaN : inner === 'inf' ? Infinity : -Infinity;
    if (key === '$int') return Number(inner);
    if (key === '$tuple') return (inner as unknown[]).map(decode);
    if (key === '$set') return new Set((inner as unknown[]).map(decode));
  }
  return Object.fromEntries(Object.entries(record).map(([k, x]) => [k, decode(x)]));
}

/** Builds the dspex signature the generator built in DSPy (`Signature(spec, instructions)` + descs). */
export function buildSignature(s: SignatureSpec): Signature {
  let sig = signature(s.spec, s.instructions ?? undefined);
  for (const [name, desc] of Object.entries(s.descs)) sig = sig.withUpdatedFields(name, { desc });
  return sig;
}

/** A thrown value as DSPy's `{class, message}`; dspex's class names for DSPy's exceptions. */
export function describeError(e: unknown): { class: string; message: string } {
  const err = e as Error & { code?: string };
  return { class: err.constructor.name, message: err.message };
}

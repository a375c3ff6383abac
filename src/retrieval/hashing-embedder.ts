import type { Embedder } from '../lm/embedder.js';

/** Options of {@link hashingEmbedder}. */
export interface HashingEmbedderOptions {
  /** Vector length (default 256). */
  dimensions?: number;
}

/** FNV-1a (32-bit) of a string. */
function fnv1a32(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** Lower-cased word tokens (letters and digits, any script). */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * The feature-hashing vector of one text: each word adds ±1 at `hash(word) mod dimensions` (the
 * sign from another hash bit, so collisions cancel rather than pile up), then the vector is scaled
 * to unit length (all zeros for a text without words).
 */
export function hashingVector(text: string, dimensions = 256): number[] {
  const v = new Array<number>(dimensions).fill(0);
  for (const word of wordTokens(text)) {
    const h = fnv1a32(word);
    v[h % dimensions] = (v[h % dimensions] as number) + ((h >>> 31) & 1 ? -1 : 1);
  }
  const norm = Math.hypot(...v);
  return norm === 0 ? v : v.map((x) => x / norm);
}

/**
 * A deterministic, offline {@link Embedder}: bag-of-words feature hashing (as scikit-learn's
 * `HashingVectorizer`), unit-length vectors. Texts sharing words get a high cosine similarity; no
 * semantics beyond word overlap. Useful for tests, examples and lexical retrieval without a model.
 *
 * @example
 * ```ts
 * const embedder = hashingEmbedder({ dimensions: 128 });
 * const [a, b] = await embedder.embed(['the red fox', 'a red fox']);
 * ```
 */
export function hashingEmbedder(options: HashingEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? 256;
  return {
    provider: 'hashing',
    model: `hashing-${dimensions}`,
    embed: (texts) => Promise.resolve(texts.map((t) => hashingVector(t, dimensions))),
  };
}

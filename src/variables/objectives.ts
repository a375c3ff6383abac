import { VariableError } from './variable-error.js';

/** The objectives a configuration is measured on. */
export type ObjectiveName = 'quality' | 'cost' | 'latency';

/** What a program scored on the three objectives. */
export interface ObjectiveValues {
  /** Metric score in percent (as `Evaluate`'s `score`). */
  quality: number;
  /** Mean USD per example. */
  cost: number;
  /** Mean latency per example in ms. */
  latency: number;
}

/** Which objectives count and in which direction (`{ quality: 'max', cost: 'min' }`). */
export type Objectives = Partial<Record<ObjectiveName, 'max' | 'min'>>;

/** Quality up, cost and latency down. */
export const DEFAULT_OBJECTIVES: Readonly<Objectives> = Object.freeze({
  quality: 'max',
  cost: 'min',
  latency: 'min',
});

/** A bound on one objective, e.g. `cost <= 0.002`. */
export interface ObjectiveConstraint {
  objective: ObjectiveName;
  op: '<=' | '>=' | '<' | '>';
  bound: number;
}

const CONSTRAINT_RE = /^\s*(quality|cost|latency)\s*(<=|>=|<|>)\s*(-?[0-9.]+(?:e-?[0-9]+)?)\s*$/i;

/**
 * Reads `'cost <= 0.002'`, `'latency < 800'`, `'quality >= 80'` (or passes an object through).
 * Throws `VariableError('invalid_option')` quoting the text it could not read.
 *
 * @example
 * ```ts
 * parseObjectiveConstraint('cost <= 0.01'); // { objective: 'cost', op: '<=', bound: 0.01 }
 * ```
 */
export function parseObjectiveConstraint(
  constraint: string | ObjectiveConstraint,
): ObjectiveConstraint {
  if (typeof constraint !== 'string') return constraint;
  const m = CONSTRAINT_RE.exec(constraint);
  const bound = m === null ? Number.NaN : Number(m[3]);
  if (m === null || !Number.isFinite(bound))
    throw new VariableError(
      'invalid_option',
      `Cannot read the objective constraint ${JSON.stringify(constraint)}; write e.g. 'cost <= 0.01', 'latency < 800' or 'quality >= 80'`,
      { details: { constraint } },
    );
  return {
    objective: m[1]!.toLowerCase() as ObjectiveName,
    op: m[2] as ObjectiveConstraint['op'],
    bound,
  };
}

/** The constraints `values` break, as readable strings (`cost 0.004 > 0.002`); empty when none. */
export function violatedConstraints(
  values: ObjectiveValues,
  constraints: readonly (string | ObjectiveConstraint)[],
): string[] {
  const out: string[] = [];
  for (const raw of constraints) {
    const c = parseObjectiveConstraint(raw);
    const x = values[c.objective];
    const ok =
      c.op === '<='
        ? x <= c.bound
        : c.op === '>='
          ? x >= c.bound
          : c.op === '<'
            ? x < c.bound
            : x > c.bound;
    if (!ok) out.push(`${c.objective} ${x} breaks ${c.op} ${c.bound}`);
  }
  return out;
}

/** Whether `a` is at least as good as `b` on every objective and better on one. */
export function dominates(
  a: ObjectiveValues,
  b: ObjectiveValues,
  objectives: Objectives = DEFAULT_OBJECTIVES,
): boolean {
  let better = false;
  for (const [name, dir] of Object.entries(objectives) as [ObjectiveName, 'max' | 'min'][]) {
    const d = dir === 'max' ? a[name] - b[name] : b[name] - a[name];
    if (d < 0) return false;
    if (d > 0) better = true;
  }
  return better;
}

/**
 * Non-dominated sorting (NSGA-II): rank 0 is the Pareto front, rank 1 the front of the rest, …
 * Returns one rank per point, in input order.
 */
export function nondominatedRanks(
  values: readonly ObjectiveValues[],
  objectives: Objectives = DEFAULT_OBJECTIVES,
): number[] {
  const n = values.length;
  const ranks = new Array<number>(n).fill(-1);
  const dominatedBy = new Array<number>(n).fill(0);
  const dominating: number[][] = Array.from({ length: n }, () => []);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      if (i === j) continue;
      if (dominates(values[i]!, values[j]!, objectives)) dominating[i]!.push(j);
      else if (dominates(values[j]!, values[i]!, objectives)) dominatedBy[i]!++;
    }
  }
  let current = [...Array(n).keys()].filter((i) => dominatedBy[i] === 0);
  for (let rank = 0; current.length > 0; rank++) {
    const next: number[] = [];
    for (const i of current) {
      ranks[i] = rank;
      for (const j of dominating[i]!) if (--dominatedBy[j]! === 0) next.push(j);
    }
    current = next;
  }
  return ranks;
}

/** NSGA-II crowding distance of each point within its set (boundary points get Infinity). */
export function crowdingDistances(
  values: readonly ObjectiveValues[],
  objectives: Objectives = DEFAULT_OBJECTIVES,
): number[] {
  const n = values.length;
  const dist = new Array<number>(n).fill(0);
  for (const name of Object.keys(objectives) as ObjectiveName[]) {
    const idx = [...Array(n).keys()].sort((a, b) => values[a]![name] - values[b]![name]);
    const lo = values[idx[0]!]?.[name] ?? 0;
    const hi = values[idx[n - 1]!]?.[name] ?? 0;
    if (n > 0) {
      dist[idx[0]!] = Infinity;
      dist[idx[n - 1]!] = Infinity;
    }
    if (hi === lo) continue;
    for (let k = 1; k < n - 1; k++)
      dist[idx[k]!]! += (values[idx[k + 1]!]![name] - values[idx[k - 1]!]![name]) / (hi - lo);
  }
  return dist;
}

/** The points no other point dominates (ties on every objective all kept), in input order. */
export function paretoFront<P>(
  points: readonly P[],
  valuesOf: (point: P) => ObjectiveValues,
  objectives: Objectives = DEFAULT_OBJECTIVES,
): P[] {
  const values = points.map(valuesOf);
  const ranks = nondominatedRanks(values, objectives);
  return points.filter((_, i) => ranks[i] === 0);
}

/**
 * How to pick one point of a front: the best quality, the cheapest or fastest, the cheapest (or
 * fastest) within `maxQualityDrop` points of the best quality, or your own function.
 */
export type SelectionRule<P = ObjectiveValues> =
  | 'best-quality'
  | 'cheapest'
  | 'fastest'
  | { maxQualityDrop: number; prefer: 'cost' | 'latency' }
  | ((front: readonly P[]) => P | undefined);

/**
 * "The cheapest configuration within `points` of the best quality" as a {@link SelectionRule}.
 *
 * @example
 * ```ts
 * const chosen = choosePoint(front, (p) => p, cheapestWithin(2));
 * ```
 */
export function cheapestWithin(points: number): { maxQualityDrop: number; prefer: 'cost' } {
  return { maxQualityDrop: points, prefer: 'cost' };
}

/** Applies a {@link SelectionRule} to a front (ties broken by quality, then cost, then latency). */
export function choosePoint<P>(
  front: readonly P[],
  valuesOf: (point: P) => ObjectiveValues,
  rule: SelectionRule<P>,
): P | undefined {
  if (front.length === 0) return undefined;
  if (typeof rule === 'function') return rule(front);
  const byKey =
    (key: ObjectiveName, dir: 1 | -1) =>
    (a: P, b: P): number => {
      const va = valuesOf(a);
      const vb = valuesOf(b);
      return (
        dir * (va[key] - vb[key]) ||
        vb.quality - va.quality ||
        va.cost - vb.cost ||
        va.latency - vb.latency
      );
    };
  if (rule === 'best-quality') return [...front].sort(byKey('quality', -1))[0];
  if (rule === 'cheapest') return [...front].sort(byKey('cost', 1))[0];
  if (rule === 'fastest') return [...front].sort(byKey('latency', 1))[0];
  const best = Math.max(...front.map((p) => valuesOf(p).quality));
  const eligible = front.filter((p) => valuesOf(p).quality >= best - rule.maxQualityDrop - 1e-9);
  return [...eligible].sort(byKey(rule.prefer, 1))[0];
}

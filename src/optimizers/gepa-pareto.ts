import type { Rng } from './python-random.js';
import { weightedChoice } from './replay-rng.js';

/**
 * Pareto-front helpers of GEPA's engine (`gepa_utils.py`, `proposer/merge.py`). A front maps a
 * frontier key (a validation instance, an objective, or both) to the programs scoring best there.
 * Program sets are kept as ascending arrays: CPython iterates sets of small ints (below the set's
 * table size, 8 at first) in ascending order, so the draws match GEPA's while indices stay small.
 */
export type Fronts = Map<string, number[]>;

function isDominated(y: number, others: ReadonlySet<number>, fronts: Fronts): boolean {
  for (const front of fronts.values()) {
    if (!front.includes(y)) continue;
    if (!front.some((p) => others.has(p))) return false;
  }
  return true;
}

/** GEPA's `remove_dominated_programs`: drops programs whose every front holds another survivor. */
export function removeDominated(fronts: Fronts, scores: readonly number[]): Fronts {
  const seen: number[] = [];
  for (const front of fronts.values()) for (const p of front) if (!seen.includes(p)) seen.push(p);
  const programs = [...seen].sort((a, b) => scores[a]! - scores[b]!);
  const dominated = new Set<number>();
  let found = true;
  while (found) {
    found = false;
    for (const y of programs) {
      if (dominated.has(y)) continue;
      const others = new Set(programs.filter((p) => p !== y && !dominated.has(p)));
      if (isDominated(y, others, fronts)) {
        dominated.add(y);
        found = true;
        break;
      }
    }
  }
  const out: Fronts = new Map();
  for (const [key, front] of fronts)
    out.set(
      key,
      front.filter((p) => !dominated.has(p)),
    );
  return out;
}

/**
 * GEPA's `select_program_candidate_from_pareto_front`: after removing dominated programs, draws
 * a program with probability proportional to the number of fronts it is on.
 */
export function selectFromPareto(fronts: Fronts, scores: readonly number[], rng: Rng): number {
  const freq = new Map<number, number>();
  for (const front of removeDominated(fronts, scores).values()) {
    for (const p of front) freq.set(p, (freq.get(p) ?? 0) + 1);
  }
  const list: number[] = [];
  for (const [p, n] of freq) for (let k = 0; k < n; k++) list.push(p);
  return rng.choice(list);
}

/** GEPA's `find_dominator_programs`: the programs left on some front (ascending). */
export function dominatorPrograms(fronts: Fronts, scores: readonly number[]): number[] {
  const out = new Set<number>();
  for (const front of removeDominated(fronts, scores).values()) for (const p of front) out.add(p);
  return [...out].sort((a, b) => a - b);
}

/** Python's `random.choices(items, k=1, weights)`; a zero total falls back to a uniform draw. */
export function choiceWeighted(
  rng: Rng,
  items: readonly number[],
  weights: readonly number[],
): number {
  // GEPA raises here (Python's choices rejects a zero total) and the run dies; we draw uniformly.
  if (!(weights.reduce((a, b) => a + b, 0) > 0)) return rng.choice(items);
  return weightedChoice(rng, items, weights);
}

/** A merge already tried: [id1, id2, ancestor]. */
export type AncestorLog = [number, number, number];
/** A merged program already built: [id1, id2, the program each component came from]. */
export type MergeDescription = [number, number, number[]];

/** What the merge search needs from the run's state. */
export interface MergeView {
  candidates: readonly Record<string, string>[];
  parents: readonly (number | null)[][];
  scores: readonly number[];
  performed: { ancestors: AncestorLog[]; merges: MergeDescription[] };
}

function ancestors(
  node: number,
  parents: MergeView['parents'],
  found = new Set<number>(),
): Set<number> {
  for (const p of parents[node] ?? []) {
    if (p !== null && !found.has(p)) {
      found.add(p);
      ancestors(p, parents, found);
    }
  }
  return found;
}

function hasDesirablePredictors(view: MergeView, anc: number, id1: number, id2: number): boolean {
  return Object.keys(view.candidates[anc]!).some((name) => {
    const a = view.candidates[anc]![name];
    const x = view.candidates[id1]![name];
    const y = view.candidates[id2]![name];
    return (a === x || a === y) && x !== y;
  });
}

function findCommonAncestorPair(
  rng: Rng,
  view: MergeView,
  programs: readonly number[],
): [number, number, number] | undefined {
  for (let attempt = 0; attempt < 10; attempt++) {
    if (programs.length < 2) return undefined;
    let [i, j] = rng.sample(programs, 2) as [number, number];
    if (i === j) continue;
    if (j < i) [i, j] = [j, i];
    const ai = ancestors(i, view.parents);
    const aj = ancestors(j, view.parents);
    if (ai.has(j) || aj.has(i)) continue;
    const common = [...ai]
      .filter((a) => aj.has(a))
      .sort((a, b) => a - b)
      .filter(
        (a) =>
          !view.performed.ancestors.some(([x, y, z]) => x === i && y === j && z === a) &&
          !(view.scores[a]! > view.scores[i]! || view.scores[a]! > view.scores[j]!) &&
          hasDesirablePredictors(view, a, i, j),
      );
    if (common.length > 0) {
      const anc = choiceWeighted(
        rng,
        common,
        common.map((a) => view.scores[a]!),
      );
      return [i, j, anc];
    }
  }
  return undefined;
}

/**
 * GEPA's `sample_and_attempt_merge_programs_by_common_predictors` (the system-aware merge): picks
 * two Pareto programs with a common ancestor and builds a program taking, per component, the text
 * that changed from the ancestor (the better parent's when both changed).
 */
export function attemptMerge(
  rng: Rng,
  view: MergeView,
  mergeCandidates: readonly number[],
  overlapOk: (id1: number, id2: number) => boolean,
): { program: Record<string, string>; id1: number; id2: number; ancestor: number } | undefined {
  if (mergeCandidates.length < 2 || view.parents.length < 3) return undefined;
  for (let attempt = 0; attempt < 10; attempt++) {
    const pair = findCommonAncestorPair(rng, view, mergeCandidates);
    if (pair === undefined) continue;
    const [id1, id2, anc] = pair;
    if (view.performed.ancestors.some(([x, y, z]) => x === id1 && y === id2 && z === anc)) continue;
    const program = { ...view.candidates[anc]! };
    const desc: number[] = [];
    for (const name of Object.keys(program)) {
      const a = view.candidates[anc]![name];
      const x = view.candidates[id1]![name];
      const y = view.candidates[id2]![name];
      let from: number;
      if ((a === x || a === y) && x !== y) from = a === x ? id2 : id1;
      else if (a !== x && a !== y) {
        const s1 = view.scores[id1]!;
        const s2 = view.scores[id2]!;
        from = s1 > s2 ? id1 : s2 > s1 ? id2 : rng.choice([id1, id2]);
      } else from = id1;
      program[name] = view.candidates[from]![name]!;
      desc.push(from);
    }
    const key = JSON.stringify(desc);
    if (
      view.performed.merges.some(([x, y, d]) => x === id1 && y === id2 && JSON.stringify(d) === key)
    ) {
      continue;
    }
    if (!overlapOk(id1, id2)) continue;
    view.performed.merges.push([id1, id2, desc]);
    return { program, id1, id2, ancestor: anc };
  }
  return undefined;
}

/**
 * GEPA's `select_eval_subsample_for_merged_program`: up to `n` validation ids, drawn evenly from
 * those where the first parent wins, the second wins, and they tie, then topped up.
 */
export function mergeSubsample(
  rng: Rng,
  scores1: readonly number[],
  scores2: readonly number[],
  n = 5,
): number[] {
  const common = scores1.map((_, i) => i).filter((i) => i < scores2.length);
  const p1 = common.filter((i) => scores1[i]! > scores2[i]!);
  const p2 = common.filter((i) => scores2[i]! > scores1[i]!);
  const p3 = common.filter((i) => !p1.includes(i) && !p2.includes(i));
  const each = Math.max(1, Math.ceil(n / 3));
  let selected: number[] = [];
  for (const bucket of [p1, p2, p3]) {
    if (selected.length >= n) break;
    const available = bucket.filter((i) => !selected.includes(i));
    const take = Math.min(available.length, each, n - selected.length);
    if (take > 0) selected = selected.concat(rng.sample(available, take));
  }
  const remaining = n - selected.length;
  if (remaining > 0) {
    const unused = common.filter((i) => !selected.includes(i));
    if (unused.length >= remaining) selected = selected.concat(rng.sample(unused, remaining));
    else if (common.length > 0) {
      for (let k = 0; k < remaining; k++) {
        selected.push(common[Math.floor(rng.random() * common.length)]!);
      }
    }
  }
  return selected.slice(0, n);
}

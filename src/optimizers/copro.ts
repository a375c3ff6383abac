import type { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { Predict } from '../modules/predict.js';
import type { Signature } from '../signatures/signature.js';
import type { BudgetStopReason } from './budget.js';
import {
  checkConcurrency,
  checkExamples,
  type CompileOptions,
  type Optimizer,
} from './optimizer.js';
import { OptimizerError } from './optimizer-error.js';
import {
  BasicGenerateInstruction,
  GenerateInstructionGivenAttempts,
} from './propose-signatures.js';
import {
  evaluateStep,
  lastFieldName,
  reportStep,
  runJournaled,
  withLm,
  type PromptOptimizationResult,
  type PromptOptimizerOptions,
} from './propose-run.js';
import { RunJournal, type OptimizerCheckpoint } from './run-journal.js';

/** Options of {@link COPRO} (DSPy's arguments, camelCased). */
export interface COPROOptions extends PromptOptimizerOptions {
  /** New prompts per predictor and round (default 10; must be > 1). */
  breadth?: number;
  /** Rounds of proposals given the previous attempts (default 3). */
  depth?: number;
  /** Temperature of the proposals (default 1.4). */
  initTemperature?: number;
  /** Record per-depth score statistics (DSPy's `track_stats`; default false). */
  trackStats?: boolean;
}

/** `compile` options of {@link COPRO}: the trainset is both proposal and evaluation set. */
export interface COPROCompileOptions extends Pick<CompileOptions, 'trainset'> {
  /** A checkpoint of an earlier run with the same options and data (see `checkpoint`). */
  resumeFrom?: OptimizerCheckpoint;
}

/** One evaluated (instruction, prefix) of one predictor (DSPy's `evaluated_candidates` entries). */
export interface COPROCandidate<M extends Module> {
  /** Index of the predictor in `program.predictors()`. */
  predictor: number;
  instruction: string;
  prefix: string;
  /** Percentage score on the trainset. */
  score: number;
  /** Round (0-based) in which it was (last) scored. */
  depth: number;
  program: M;
}

/** Min/max/average/population-std of scores per depth (DSPy's `results_best` / `results_latest`). */
export interface COPROStats {
  depth: number[];
  max: number[];
  average: number[];
  min: number[];
  std: number[];
}

/** What {@link COPRO.optimize} returns. */
export interface COPROResult<M extends Module> extends PromptOptimizationResult<M> {
  /** Every evaluated candidate of every predictor, best first, duplicates dropped (as DSPy). */
  candidates: COPROCandidate<M>[];
  /** Evaluations made (DSPy's `total_calls`). */
  totalCalls: number;
  /** With `trackStats`: per predictor index, stats of the best 10 candidates per depth. */
  resultsBest?: COPROStats[];
  /** With `trackStats`: per predictor index, stats of the latest batch per depth. */
  resultsLatest?: COPROStats[];
}

interface Proposal {
  instruction: string;
  prefix: string;
}

/**
 * DSPy's COPRO (§3.4): coordinate ascent over each predictor's instruction and output prefix. The
 * prompt model proposes `breadth - 1` variants of the current instruction (plus the original);
 * each is scored on the trainset with the other predictors at their best so far, the predictor is
 * set to its best, and for `depth` rounds the prompt model proposes `breadth` more given the scored
 * attempts. With several predictors every candidate so far is re-scored each round. Prompts and
 * the selection rule (first best, duplicates dropped) are DSPy's.
 *
 * Proposal calls are `prompt` spend, evaluations `task` spend; the budget caps are checked before
 * every step, and a run stopped by one returns the best program found so far with `stopReason`.
 *
 * @example
 * ```ts
 * const copro = new COPRO({ metric: exactMatch, promptModel: gpt4o, breadth: 4, depth: 2 });
 * const { program, score, usage } = await copro.optimize(new ChainOfThought('question -> answer'), { trainset });
 * ```
 */
export class COPRO implements Optimizer {
  readonly breadth: number;
  readonly depth: number;
  readonly initTemperature: number;

  constructor(private readonly options: COPROOptions) {
    this.breadth = options.breadth ?? 10;
    this.depth = options.depth ?? 3;
    this.initTemperature = options.initTemperature ?? 1.4;
    if (!Number.isInteger(this.breadth) || this.breadth <= 1) {
      throw new OptimizerError(
        'invalid_option',
        `Breadth must be greater than 1, got ${this.breadth}`,
        {
          details: { breadth: this.breadth },
        },
      );
    }
    if (!Number.isInteger(this.depth) || this.depth < 1) {
      throw new OptimizerError(
        'invalid_option',
        `depth must be an integer >= 1, got ${this.depth}`,
        {
          details: { depth: this.depth },
        },
      );
    }
    checkConcurrency(options.concurrency);
    // Validates the budget limits early, with the same messages as at compile time.
    new RunJournal('COPRO', options, undefined);
  }

  async compile<M extends Module>(student: M, options: COPROCompileOptions): Promise<M> {
    return (await this.optimize(student, options)).program;
  }

  async optimize<M extends Module>(
    student: M,
    { trainset, resumeFrom }: COPROCompileOptions,
  ): Promise<COPROResult<M>> {
    checkExamples(trainset, 'trainset');
    if (trainset.length === 0) {
      throw new OptimizerError('invalid_option', 'trainset must not be empty', { details: {} });
    }
    return runJournaled('COPRO', this.options, resumeFrom, (journal) =>
      this.run(student, trainset, journal),
    );
  }

  private async propose(
    journal: RunJournal,
    key: string,
    sig: Signature,
    n: number,
    inputs: Record<string, unknown>,
  ): Promise<Proposal[]> {
    const proposals = await journal.step(key, 'prompt', () =>
      withLm(this.options.promptModel, async () => {
        const prediction = await new Predict(sig, { n, temperature: this.initTemperature }).call(
          inputs,
        );
        return [...prediction.completions].map((c) => ({
          instruction: String(c.proposed_instruction ?? ''),
          prefix: String(c.proposed_prefix_for_output_field ?? ''),
        }));
      }),
    );
    reportStep(this.options, 'COPRO', journal, { phase: 'propose', step: key });
    return proposals;
  }

  private async run<M extends Module>(
    student: M,
    trainset: readonly Example[],
    journal: RunJournal,
  ): Promise<Omit<COPROResult<M>, 'usage' | 'checkpoint' | 'stats'>> {
    const module = student.deepCopy();
    const count = module.predictors().length;
    const trackStats = this.options.trackStats ?? false;
    const emptyStats = (): COPROStats => ({ depth: [], max: [], average: [], min: [], std: [] });
    const resultsBest = Array.from({ length: count }, emptyStats);
    const resultsLatest = Array.from({ length: count }, emptyStats);
    const evaluated: Map<string, COPROCandidate<M>>[] = Array.from(
      { length: count },
      () => new Map(),
    );
    let stopReason: BudgetStopReason | undefined;
    let totalCalls = 0;
    let bestScore: number | undefined;

    // Seed round: breadth-1 proposals per predictor from its instruction, plus the original.
    const all: Proposal[][] = [];
    for (const [i, predictor] of module.predictors().entries()) {
      stopReason = journal.budget.exhausted();
      if (stopReason !== undefined) break;
      const basic: Proposal = {
        instruction: predictor.signature.instructions,
        prefix: predictor.signature.field(lastFieldName(predictor))!.prefix,
      };
      const proposals = await this.propose(
        journal,
        `propose:0:p${i}`,
        BasicGenerateInstruction,
        this.breadth - 1,
        {
          basic_instruction: basic.instruction,
        },
      );
      all.push([...proposals, basic]);
    }
    let latest: Proposal[][] = all.map((list) => list);

    const clone = module.deepCopy();
    const setPrompt = (target: Module, i: number, p: Proposal): void => {
      const predictor = target.predictors()[i]!;
      predictor.signature = predictor.signature
        .withInstructions(p.instruction)
        .withUpdatedFields(lastFieldName(predictor), { prefix: p.prefix });
    };

    for (let d = 0; d < this.depth && stopReason === undefined && all.length === count; d++) {
      const latestScores: number[] = [];
      for (let pi = 0; pi < count && stopReason === undefined; pi++) {
        // Several predictors: re-score every candidate so far against the others' new best.
        const batch = count > 1 ? all[pi]! : latest[pi]!;
        for (const [ci, c] of batch.entries()) {
          stopReason = journal.budget.exhausted();
          if (stopReason !== undefined) break;
          const proposal: Proposal = {
            instruction: stripQuotes(c.instruction),
            prefix: stripQuotes(c.prefix),
          };
          setPrompt(clone, pi, proposal);
          const key = `eval:d${d}:p${pi}:c${ci}`;
          const score = await evaluateStep(journal, key, clone, trainset, this.options);
          totalCalls++;
          const id = `${proposal.instruction}\u0000${proposal.prefix}`;
          const previous = evaluated[pi]!.get(id);
          if (previous === undefined || previous.score < score) {
            evaluated[pi]!.set(id, {
              predictor: pi,
              ...proposal,
              score,
              depth: d,
              program: clone.deepCopy(),
            });
          }
          if (batch.length - this.breadth <= ci) latestScores.push(score);
          bestScore = Math.max(bestScore ?? score, score);
          reportStep(this.options, 'COPRO', journal, {
            phase: 'trial',
            step: key,
            score,
            bestScore,
          });
        }
        if (trackStats && latestScores.length > 0) pushStats(resultsLatest[pi]!, d, latestScores);
        // Set this predictor to its best so far, so the next predictors are scored against it.
        const best = firstBest(evaluated[pi]!);
        if (best !== undefined) setPrompt(clone, pi, best);
      }
      if (d === this.depth - 1 || stopReason !== undefined) break;

      const next: Proposal[][] = [];
      for (let pi = 0; pi < count; pi++) {
        stopReason = journal.budget.exhausted();
        if (stopReason !== undefined) break;
        const ranked = [...evaluated[pi]!.values()].sort((a, b) => b.score - a.score);
        if (trackStats)
          pushStats(
            resultsBest[pi]!,
            d,
            ranked.slice(0, 10).map((c) => c.score),
          );
        const shortest = Math.min(ranked.length, this.breadth);
        const attempts: string[] = [];
        // Worst first, numbered upwards, as DSPy builds the few-shot of attempts.
        for (let i = shortest - 1; i >= 0; i--) {
          const c = ranked[i]!;
          attempts.push(`Instruction #${shortest - i}: ${c.instruction}`);
          attempts.push(`Prefix #${shortest - i}: ${c.prefix}`);
          attempts.push(`Resulting Score #${shortest - i}: ${pyFloat(c.score)}`);
        }
        const proposals = await this.propose(
          journal,
          `propose:${d + 1}:p${pi}`,
          GenerateInstructionGivenAttempts,
          this.breadth,
          { attempted_instructions: attempts },
        );
        next.push(proposals);
        all[pi]!.push(...proposals);
      }
      if (stopReason !== undefined) break;
      latest = next;
    }

    const candidates: COPROCandidate<M>[] = [];
    for (const [pi, map] of evaluated.entries()) {
      candidates.push(...map.values());
      if (trackStats && map.size > 0) {
        const ranked = [...map.values()].sort((a, b) => b.score - a.score);
        pushStats(
          resultsBest[pi]!,
          this.depth - 1,
          ranked.slice(0, 10).map((c) => c.score),
        );
      }
    }
    candidates.sort((a, b) => b.score - a.score);
    const unique = dropDuplicates(candidates);
    const best = unique[0];
    return {
      program: best?.program ?? module,
      score: best?.score ?? 0,
      candidates: unique,
      totalCalls,
      ...(stopReason !== undefined ? { stopReason } : {}),
      ...(trackStats ? { resultsBest, resultsLatest } : {}),
    };
  }
}

/** DSPy's `.strip('"').strip()`. */
function stripQuotes(text: string): string {
  return text.replace(/^"+|"+$/g, '').trim();
}

/** Python's `str(float)` for the scores shown to the prompt model (`50.0`, `66.67`). */
export function pyFloat(value: number): string {
  return Number.isInteger(value) ? `${value}.0` : String(value);
}

/** `max(values, key=score)`: the first entry with the highest score. */
function firstBest<T extends { score: number }>(map: Map<string, T>): T | undefined {
  let best: T | undefined;
  for (const c of map.values()) if (best === undefined || c.score > best.score) best = c;
  return best;
}

function pushStats(stats: COPROStats, depth: number, scores: number[]): void {
  const mean = scores.reduce((a, b) => a + b, 0) / scores.length;
  stats.depth.push(depth);
  stats.max.push(Math.max(...scores));
  stats.average.push(mean);
  stats.min.push(Math.min(...scores));
  stats.std.push(Math.sqrt(scores.reduce((a, s) => a + (s - mean) ** 2, 0) / scores.length));
}

/** Equal instructions and last-field prefixes in every predictor (DSPy `_check_candidates_equal`). */
function sameCandidate(a: COPROCandidate<Module>, b: COPROCandidate<Module>): boolean {
  const pa = a.program.predictors();
  const pb = b.program.predictors();
  return pa.every((p, i) => {
    const q = pb[i];
    if (q === undefined) return true;
    if (p.signature.instructions !== q.signature.instructions) return false;
    const fa = p.signature.fields[p.signature.fields.length - 1]!;
    const fb = q.signature.fields[q.signature.fields.length - 1]!;
    return fa.name === fb.name && fa.prefix === fb.prefix && fa.desc === fb.desc;
  });
}

/** DSPy `_drop_duplicates`: among consecutive equal scores, keeps the first of equal candidates. */
function dropDuplicates<M extends Module>(sorted: COPROCandidate<M>[]): COPROCandidate<M>[] {
  const out: COPROCandidate<M>[] = [];
  let batch: COPROCandidate<M>[] = [];
  let batchScore = -1;
  for (const c of sorted) {
    let repeat = false;
    if (c.score === batchScore) {
      repeat = batch.some((other) => sameCandidate(c, other));
      if (!repeat) batch.push(c);
    } else {
      batch = [c];
      batchScore = c.score;
    }
    if (!repeat) out.push(c);
  }
  return out;
}

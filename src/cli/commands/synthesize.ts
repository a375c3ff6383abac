import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { CliDeps } from '../cli-deps.js';
import { readExamplesFile } from '../jsonl-file.js';
import { toCliError } from '../runtime-errors.js';
import { programTools } from './program-tools.js';

/** Options of `dspex synthesize`. */
export interface SynthesizeOptions {
  config?: string;
  /** Seed examples file (JSON Lines or a .json array). */
  seed: string;
  count: number;
  out: string;
  task?: string;
  batchSize?: number;
  randomSeed?: number;
}

/**
 * `dspex synthesize <program> --seed seeds.jsonl -n 50 --out train.jsonl`: generates labelled
 * examples for the program's signature (its first predictor's) with the programs module's LM,
 * writes them as JSON Lines and prints a summary (examples, rejected candidates, LM calls, tokens,
 * cost) on stderr.
 */
export async function synthesizeCommand(
  deps: CliDeps,
  program: string,
  options: SynthesizeOptions,
): Promise<number> {
  const seeds = readExamplesFile(options.seed, deps.io.cwd);
  const tools = await programTools(deps, program, options.config);
  let result;
  try {
    result = await tools.synthesize(program, {
      seeds,
      n: options.count,
      ...(options.task === undefined ? {} : { task: options.task }),
      ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
      ...(options.randomSeed === undefined ? {} : { seed: options.randomSeed }),
    });
  } catch (e) {
    throw toCliError(e);
  }
  const path = resolve(deps.io.cwd, options.out);
  writeFileSync(path, result.examples.map((e) => `${JSON.stringify(e)}\n`).join(''));
  const rejected = Object.entries(result.rejected)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const cost = result.usage.cost === null ? 'unknown' : `$${result.usage.cost.toFixed(4)}`;
  deps.io.stderr.write(
    `wrote ${result.examples.length} example(s) to ${path}; rejected: ${rejected}; ` +
      `${result.lmCalls} LM call(s), ${result.usage.promptTokens} prompt + ${result.usage.completionTokens} completion tokens, cost ${cost}\n`,
  );
  return result.examples.length < options.count ? 1 : 0;
}

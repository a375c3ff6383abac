import type { LoadedConfig } from '../config/index.js';

/** What `dspex synthesize` asks for (see the framework's `Synthesizer`). */
export interface SynthesizeRequestView {
  /** Seed examples (a JSONL line each): the style and labels to imitate. */
  seeds: Record<string, unknown>[];
  /** Examples to produce. */
  n: number;
  /** What the task is (default: the program's instructions, then an LM-written explanation). */
  task?: string;
  /** Examples asked of the LM per call (default 5). */
  batchSize?: number;
  /** Seed of the generator's sampling schedule (default 0). */
  seed?: number;
}

/** What `dspex synthesize` reports. */
export interface SynthesizeResultView {
  examples: Record<string, unknown>[];
  /** Generated candidates dropped, by reason (`duplicate`, `invalid`, …). */
  rejected: Record<string, number>;
  lmCalls: number;
  /** Token usage and dollar cost of the calls (cost null when the model's price is unknown). */
  usage: { promptTokens: number; completionTokens: number; cost: number | null };
}

/**
 * Framework tools over the programs module that need no runtime: the graph of a program and
 * example synthesis. Injected by supervisors/cli-main.ts, so src/cli never imports the framework.
 */
export interface ProgramTools {
  /** Program names (the default export's) and `Pipeline` modules of the `pipelines` export. */
  names(): string[];
  /** A Mermaid flowchart of the program's module/stage graph. */
  graph(program: string, options: { direction?: 'TD' | 'LR' }): string;
  synthesize(program: string, request: SynthesizeRequestView): Promise<SynthesizeResultView>;
  /**
   * The fields an example of the program has: its first predictor's inputs and its last
   * predictor's outputs (without a ChainOfThought's reasoning, which labels never hold), as
   * `dspex datasets add --program` validates examples against them.
   */
  fields?(program: string): { inputs: string[]; outputs: string[] };
}

/** Loads the programs module of a configuration and returns its {@link ProgramTools}. */
export type ProgramToolsFactory = (loaded: LoadedConfig) => Promise<ProgramTools>;

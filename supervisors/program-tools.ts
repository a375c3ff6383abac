import type { LoadedConfig } from '../src/config/index.js';
import type { ProgramTools } from '../src/cli/program-tools-port.js';
import { ActorError, unknownProgram } from '../services/index.js';
import { ChainOfThought, Module } from '../src/modules/index.js';
import { Pipeline, toMermaid } from '../src/pipeline/index.js';
import { Synthesizer } from '../src/synthesizer/index.js';
import { resolveRuntimeConfig } from './runtime-config.js';

/**
 * The CLI's program tools (`dspex graph`, `dspex synthesize`) over a configuration's programs
 * module: its default export's programs and the `Pipeline` modules of its `pipelines` export.
 */
export async function loadProgramTools(loaded: LoadedConfig): Promise<ProgramTools> {
  const resolved = await resolveRuntimeConfig(loaded);
  const programs = new Map<string, Module>();
  for (const [name, value] of Object.entries(resolved.programs))
    if (value instanceof Module) programs.set(name, value);
  for (const [name, value] of Object.entries(resolved.pipelines ?? {}))
    if (value instanceof Pipeline && !programs.has(name)) programs.set(name, value);
  const get = (name: string): Module => {
    const program = programs.get(name);
    if (program === undefined) throw unknownProgram(name, [...programs.keys()].sort());
    return program;
  };
  return {
    names: () => [...programs.keys()].sort(),
    graph: (name, options) => toMermaid(get(name), options),
    fields: (name) => {
      const program = get(name);
      const predictors = program.namedPredictors().map(([, p]) => p);
      const first = predictors[0];
      const last = predictors[predictors.length - 1];
      if (first === undefined || last === undefined)
        throw new ActorError(
          'bad_message',
          `program '${name}' has no predictor to take fields from`,
        );
      const rationale = new Set<unknown>(
        [program, ...program.namedSubModules().map(([, m]) => m)].flatMap((m) =>
          m instanceof ChainOfThought ? [m.predict] : [],
        ),
      );
      return {
        inputs: first.signature.inputFields.map((f) => f.name),
        outputs: last.signature.outputFields.map((f) => f.name).slice(rationale.has(last) ? 1 : 0),
      };
    },
    synthesize: async (name, request) => {
      const program = get(name);
      const first = program.namedPredictors()[0]?.[1];
      if (first === undefined)
        throw new ActorError(
          'bad_message',
          `program '${name}' has no predictor to take a signature from`,
        );
      const synth = new Synthesizer({
        signature: first.signature,
        seeds: request.seeds,
        // A single-predictor program labels as it would answer; a larger one through its first signature.
        ...(program.namedPredictors().length === 1 ? { labeler: program } : {}),
        ...(request.task === undefined ? {} : { task: request.task }),
        ...(request.batchSize === undefined ? {} : { batchSize: request.batchSize }),
        ...(request.seed === undefined ? {} : { seed: request.seed }),
      });
      const result = await synth.generate(request.n);
      return {
        examples: result.examples.map((e) => e.toDict()),
        rejected: result.rejected,
        lmCalls: result.lmCalls,
        usage: result.usage,
      };
    },
  };
}

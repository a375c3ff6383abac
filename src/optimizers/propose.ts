import type { LM } from '../lm/types.js';
import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import { Predict } from '../modules/predict.js';
import { currentSettings } from '../modules/settings.js';
import { pyRepr, pyStrRepr } from '../signatures/python-format.js';
import type { Signature } from '../signatures/signature.js';
import {
  DatasetDescriptor,
  DatasetDescriptorWithPriorObservations,
  DescribeModule,
  DescribeProgram,
  ObservationSummarizer,
  TIPS,
  generateSingleModuleInstruction,
} from './propose-signatures.js';
import { withLm } from './propose-run.js';
import type { Rng } from './python-random.js';
import { rolloutLm } from './rollout-lm.js';
import type { RunJournal } from './run-journal.js';

/** DSPy's `strip_prefix`: drops a leading `Some Label:` (up to five words) and surrounding quotes. */
export function stripPrefix(text: string): string {
  return text.replace(/^[*\s]*(([\w'-]+\s+){0,4}[\w'-]+):\s*/u, '').replace(/^"+|"+$/g, '');
}

/** Python's `repr` of a list of examples, input keys sorted (DSPy's `order_input_keys_in_string`). */
export function examplesRepr(examples: readonly Example[]): string {
  const items = examples.map((ex) => {
    const keys = [...(ex.inputKeys ?? [])].map(pyStrRepr).sort();
    const store = pyRepr(ex.toDict());
    return `Example(${store}) (input_keys=${keys.length === 0 ? 'None' : `{${keys.join(', ')}}`})`;
  });
  return `[${items.join(', ')}]`;
}

/** DSPy's `create_example_string`: `Prefix: value` per signature field, one per line. */
export function exampleString(sig: Signature, example: Example | Record<string, unknown>): string {
  const get = (k: string): unknown => (example instanceof Example ? example.get(k) : example[k]);
  return sig.fields.map((f) => `${f.prefix} ${pyStr(get(f.name))}`).join('\n');
}

function pyStr(value: unknown): string {
  return typeof value === 'string' ? value : pyRepr(value);
}

/**
 * A description of the program for the program-aware proposer. DSPy shows the program's Python
 * source; a TypeScript program has none at run time, so we describe each predictor as
 * `name = Predict(inputs -> outputs)` with its instructions (or pass your own `programCode`).
 */
export function describeProgramCode(program: Module): string {
  return program
    .namedPredictors()
    .map(([name, p]) => {
      const sig = p.signature;
      const inputs = sig.inputFields.map((f) => f.name).join(', ');
      const outputs = sig.outputFields.map((f) => f.name).join(', ');
      return `${name} = Predict(${inputs} -> ${outputs})\n    instructions=${pyStrRepr(sig.instructions)}`;
    })
    .join('\n\n');
}

/** Options of the grounded proposer (DSPy's `GroundedProposer` arguments, camelCased). */
export interface GroundedProposerOptions {
  /** LM of every proposer call (default: the configured LM). */
  promptModel?: LM;
  programAware?: boolean;
  useDatasetSummary?: boolean;
  useTaskDemos?: boolean;
  numDemosInContext?: number;
  useTip?: boolean;
  setTipRandomly?: boolean;
  viewDataBatchSize?: number;
  initTemperature?: number;
  /** What the program-aware proposer is shown as the program (default {@link describeProgramCode}). */
  programCode?: string;
}

/**
 * DSPy's `GroundedProposer` (dspy/propose): summarizes the dataset (`DatasetDescriptor`, up to nine
 * `DatasetDescriptorWithPriorObservations` rounds, `ObservationSummarizer`), and proposes one
 * instruction per predictor and demo set with `GenerateSingleModuleInstruction`, shown the
 * bootstrapped demos of that set, the program and module descriptions (`DescribeProgram`,
 * `DescribeModule`) and a random tip. Every LM call is a journaled `prompt` step; every random
 * draw (tips, rollout ids) is made outside the steps, so a resumed run draws the same.
 */
export class GroundedProposer {
  private dataSummary: string | undefined;
  private useDatasetSummary: boolean;
  private programAware: boolean;
  private readonly programCode: string;

  constructor(
    private readonly journal: RunJournal,
    private readonly rng: Rng,
    program: Module,
    private readonly options: GroundedProposerOptions = {},
  ) {
    this.useDatasetSummary = options.useDatasetSummary ?? true;
    this.programAware = options.programAware ?? true;
    this.programCode = options.programCode ?? describeProgramCode(program);
  }

  private predict(
    key: string,
    sig: Signature,
    inputs: Record<string, unknown>,
    field: string,
    lm?: LM,
  ): Promise<string> {
    // The summary calls ask for n=1 at temperature 1.0; the proposal calls use the rollout LM's.
    const config = lm === undefined ? { n: 1, temperature: 1.0 } : {};
    return this.journal.step(key, 'prompt', () =>
      withLm(lm ?? this.options.promptModel, async () => {
        const prediction = await new Predict(sig, config).call(inputs);
        return String(prediction.get(field) ?? '');
      }),
    );
  }

  /** DSPy's `create_dataset_summary`; on failure the proposer goes on without one (as DSPy). */
  async summarize(trainset: readonly Example[]): Promise<void> {
    if (!this.useDatasetSummary) return;
    const batch = this.options.viewDataBatchSize ?? 10;
    try {
      let observations = await this.predict(
        'summary:0',
        DatasetDescriptor,
        { examples: examplesRepr(trainset.slice(0, Math.min(trainset.length, batch))) },
        'observations',
      );
      let skips = 0;
      let calls = 0;
      try {
        for (let b = batch; b < trainset.length; b += batch) {
          calls++;
          if (calls >= 10) break;
          const more = await this.predict(
            `summary:${b}`,
            DatasetDescriptorWithPriorObservations,
            {
              prior_observations: observations,
              examples: examplesRepr(trainset.slice(b, Math.min(trainset.length, b + batch))),
            },
            'observations',
          );
          if (more.length >= 8 && more.slice(0, 8).toUpperCase() === 'COMPLETE') {
            skips++;
            if (skips >= 5) break;
            continue;
          }
          observations += more;
        }
      } catch {
        // DSPy: "using observations from past round for a summary".
      }
      const summary = await this.predict(
        'summary:final',
        ObservationSummarizer,
        { observations },
        'summary',
      );
      this.dataSummary = stripPrefix(summary);
    } catch {
      this.useDatasetSummary = false;
    }
  }

  /**
   * DSPy's `propose_instructions_for_program` with MIPROv2's settings (no instruction history):
   * for each predictor, one instruction per demo set (up to `n`).
   */
  async proposeInstructions(
    program: Module,
    demoCandidates: (Example | Record<string, unknown>)[][][] | undefined,
    n: number,
  ): Promise<string[][]> {
    let useTaskDemos = (this.options.useTaskDemos ?? true) && demoCandidates !== undefined;
    const numDemos = demoCandidates === undefined ? n : Math.max(demoCandidates[0]!.length, 1);
    if (demoCandidates === undefined) useTaskDemos = false;
    const setTipRandomly = this.options.setTipRandomly ?? true;
    let useTip = this.options.useTip ?? true;
    const proposed: string[][] = [];
    for (const [predI, predictor] of program.predictors().entries()) {
      const list: string[] = [];
      for (let demoSetI = 0; demoSetI < Math.min(n, numDemos); demoSetI++) {
        let tip: string | undefined;
        if (setTipRandomly) {
          tip = TIPS[this.rng.choice(Object.keys(TIPS))]!;
          useTip = tip !== '';
        }
        const rolloutId = this.rng.randint(0, 10 ** 9);
        const key = `propose:p${predI}:s${demoSetI}`;
        const sig = predictor.signature;
        let taskDemos = '';
        if (useTaskDemos) {
          const sets = demoCandidates![predI]!;
          const ordered = [
            sets[demoSetI]!,
            ...sets.slice(demoSetI + 1),
            ...sets.slice(0, demoSetI),
          ];
          const strings: string[] = [];
          const max = this.options.numDemosInContext ?? 3;
          outer: for (const set of ordered) {
            for (const demo of set) {
              const keys = demo instanceof Example ? demo.keys(true) : Object.keys(demo);
              if (!keys.includes('augmented')) continue;
              strings.push(exampleString(sig, demo));
              if (strings.length >= max) break outer;
            }
          }
          taskDemos = `${strings.join('\n\n')}\n\n`;
        }
        if (taskDemos.trim() === '' || demoSetI === 0) taskDemos = 'No task demos provided.';
        const temperature = this.options.initTemperature ?? 1.0;
        const instruction = await this.proposeOne(key, {
          sig,
          taskDemos,
          tip,
          useTip,
          rolloutId,
          temperature,
        });
        list.push(instruction);
      }
      proposed.push(list);
    }
    return proposed;
  }

  private async proposeOne(
    key: string,
    run: {
      sig: Signature;
      taskDemos: string;
      tip: string | undefined;
      useTip: boolean;
      rolloutId: number;
      temperature: number;
    },
  ): Promise<string> {
    const { sig, taskDemos, tip, useTip, rolloutId, temperature } = run;
    // DSPy: prompt_model.copy(rollout_id=..., temperature=init_temperature) for all three calls.
    const base = this.options.promptModel ?? currentSettings().lm;
    const lm = base === undefined ? undefined : rolloutLm(base, rolloutId, temperature);
    {
      let programDescription = 'Not available';
      let moduleCode = 'Not provided';
      let moduleDescription = 'Not provided';
      if (this.programAware) {
        try {
          programDescription = stripPrefix(
            await this.predict(
              `${key}:program`,
              DescribeProgram,
              { program_code: this.programCode, program_example: taskDemos },
              'program_description',
              lm,
            ),
          );
          const inputs = sig.inputFields.map((f) => f.name).join(', ');
          const outputs = sig.outputFields.map((f) => f.name).join(', ');
          moduleCode = `Predict(${inputs}) -> ${outputs}`;
          moduleDescription = await this.predict(
            `${key}:module`,
            DescribeModule,
            {
              program_code: this.programCode,
              program_description: programDescription,
              program_example: taskDemos,
              module: moduleCode,
            },
            'module_description',
            lm,
          );
        } catch {
          this.programAware = false;
        }
      }
      const generator = generateSingleModuleInstruction({
        useDatasetSummary: this.useDatasetSummary,
        programAware: this.programAware,
        useInstructHistory: false,
        useTip,
      });
      const inputs: Record<string, unknown> = {
        dataset_description: this.dataSummary ?? null,
        program_code: this.programCode,
        module: moduleCode,
        program_description: programDescription,
        module_description: moduleDescription,
        task_demos: taskDemos,
        tip: tip ?? null,
        basic_instruction: sig.instructions,
      };
      const names = new Set(generator.inputFields.map((f) => f.name));
      const proposed = await this.predict(
        key,
        generator,
        Object.fromEntries(Object.entries(inputs).filter(([k]) => names.has(k))),
        'proposed_instruction',
        lm,
      );
      return stripPrefix(stripPrefix(proposed));
    }
  }
}

import { signature } from '../signatures/make-signature.js';
import { Signature } from '../signatures/signature.js';

/**
 * A class-style DSPy signature: `spec` gives the fields in order (`a, b -> c`), `descs` the
 * field descriptions (fields without one keep DSPy's `${name}` default), `name` the class name.
 */
function classSignature(
  name: string,
  instructions: string,
  spec: string,
  descs: Readonly<Record<string, string>>,
): Signature {
  let sig = signature(spec, instructions);
  for (const [field, desc] of Object.entries(descs)) sig = sig.withUpdatedFields(field, { desc });
  return new Signature(sig.instructions, sig.fields, name);
}

const PROPOSED_INSTRUCTION = 'The improved instructions for the language model';
const PROPOSED_PREFIX =
  'The string at the end of the prompt, which will help the model start solving the task';

/** DSPy's `BasicGenerateInstruction` (COPRO's first round), verbatim. */
export const BasicGenerateInstruction: Signature = classSignature(
  'BasicGenerateInstruction',
  "You are an instruction optimizer for large language models. I will give you a ``signature`` of fields (inputs and outputs) in English. Your task is to propose an instruction that will lead a good language model to perform the task well. Don't be afraid to be creative.",
  'basic_instruction -> proposed_instruction, proposed_prefix_for_output_field',
  {
    basic_instruction: 'The initial instructions before optimization',
    proposed_instruction: PROPOSED_INSTRUCTION,
    proposed_prefix_for_output_field: PROPOSED_PREFIX,
  },
);

/** DSPy's `GenerateInstructionGivenAttempts` (COPRO's later rounds), verbatim. */
export const GenerateInstructionGivenAttempts: Signature = classSignature(
  'GenerateInstructionGivenAttempts',
  `You are an instruction optimizer for large language models. I will give some task instructions I've tried, along with their corresponding validation scores. The instructions are arranged in increasing order based on their scores, where higher scores indicate better quality.

Your task is to propose a new instruction that will lead a good language model to perform the task even better. Don't be afraid to be creative.`,
  'attempted_instructions -> proposed_instruction, proposed_prefix_for_output_field',
  {
    proposed_instruction: PROPOSED_INSTRUCTION,
    proposed_prefix_for_output_field: PROPOSED_PREFIX,
  },
);

const PROGRAM_CODE = 'Pseudocode for a language model program designed to solve a particular task.';
const PROGRAM_EXAMPLE = 'An example of the program in use.';
const PROGRAM_SUMMARY =
  'Summary of the task the program is designed to solve, and how it goes about solving it.';

/** DSPy's `DescribeProgram` (dspy/propose/grounded_proposer.py), verbatim. */
export const DescribeProgram: Signature = classSignature(
  'DescribeProgram',
  'Below is some pseudo-code for a pipeline that solves tasks with calls to language models. Please describe what type of task this program appears to be designed to solve, and how it appears to work.',
  'program_code, program_example -> program_description',
  {
    program_code: PROGRAM_CODE,
    program_example: PROGRAM_EXAMPLE,
    program_description:
      'Describe what task the program is designed to solve, and how it goes about solving this task.',
  },
);

/** DSPy's `DescribeModule`, verbatim. */
export const DescribeModule: Signature = classSignature(
  'DescribeModule',
  'Below is some pseudo-code for a pipeline that solves tasks with calls to language models. Please describe the purpose of one of the specified module in this pipeline.',
  'program_code, program_example, program_description, module -> module_description',
  {
    program_code: PROGRAM_CODE,
    program_example: PROGRAM_EXAMPLE,
    program_description: PROGRAM_SUMMARY,
    module: 'The module in the program that we want to describe.',
    module_description: "Description of the module's role in the broader program.",
  },
);

/** Which inputs DSPy's `generate_instruction_class` includes. */
export interface InstructionClassOptions {
  useDatasetSummary: boolean;
  programAware: boolean;
  useInstructHistory: boolean;
  useTip: boolean;
}

/** DSPy's `GenerateSingleModuleInstruction` as `generate_instruction_class(...)` builds it, verbatim. */
export function generateSingleModuleInstruction(options: InstructionClassOptions): Signature {
  const inputs: string[] = [];
  const descs: Record<string, string> = {};
  const add = (name: string, desc: string): void => {
    inputs.push(name);
    descs[name] = desc;
  };
  if (options.useDatasetSummary)
    add('dataset_description', 'A description of the dataset that we are using.');
  if (options.programAware) {
    add('program_code', 'Language model program designed to solve a particular task.');
    add('program_description', PROGRAM_SUMMARY);
    add('module', 'The module to create an instruction for.');
    add('module_description', 'Description of the module to create an instruction for.');
  }
  add('task_demos', 'Example inputs/outputs of our module.');
  if (options.useInstructHistory)
    add(
      'previous_instructions',
      "Previous instructions we've attempted, along with their associated scores.",
    );
  add('basic_instruction', 'Basic instruction.');
  if (options.useTip)
    add('tip', 'A suggestion for how to go about generating the new instruction.');
  descs.proposed_instruction =
    'Propose an instruction that will be used to prompt a Language Model to perform this task.';
  return classSignature(
    'GenerateSingleModuleInstruction',
    'Use the information below to learn about a task that we are trying to solve using calls to an LM, then generate a new instruction that will be used to prompt a Language Model to better solve the task.',
    `${inputs.join(', ')} -> proposed_instruction`,
    descs,
  );
}

/** DSPy's `DatasetDescriptor` (dspy/propose/dataset_summary_generator.py), verbatim. */
export const DatasetDescriptor: Signature = classSignature(
  'DatasetDescriptor',
  "Given several examples from a dataset please write observations about trends that hold for most or all of the samples. Some areas you may consider in your observations: topics, content, syntax, conciseness, etc. It will be useful to make an educated guess as to the nature of the task this dataset will enable. Don't be afraid to be creative",
  'examples -> observations',
  {
    examples: 'Sample data points from the dataset',
    observations: 'Somethings that holds true for most or all of the data you observed',
  },
);

/** DSPy's `DatasetDescriptorWithPriorObservations`, verbatim (typos included). */
export const DatasetDescriptorWithPriorObservations: Signature = classSignature(
  'DatasetDescriptorWithPriorObservations',
  "Given several examples from a dataset please write observations about trends that hold for most or all of the samples. I will also provide you with a few observations I have already made.  Please add your own observations or if you feel the observations are comprehensive say 'COMPLETE' Some areas you may consider in your observations: topics, content, syntax, conciceness, etc. It will be useful to make an educated guess as to the nature of the task this dataset will enable. Don't be afraid to be creative",
  'examples, prior_observations -> observations',
  {
    examples: 'Sample data points from the dataset',
    prior_observations: 'Some prior observations I made about the data',
    observations:
      'Somethings that holds true for most or all of the data you observed or COMPLETE if you have nothing to add',
  },
);

/** DSPy's `ObservationSummarizer`, verbatim. */
export const ObservationSummarizer: Signature = classSignature(
  'ObservationSummarizer',
  'Given a series of observations I have made about my dataset, please summarize them into a brief 2-3 sentence summary which highlights only the most important details.',
  'observations -> summary',
  {
    observations: 'Observations I have made about my dataset',
    summary:
      'Two to Three sentence summary of only the most significant highlights of my observations',
  },
);

/** DSPy's proposer tips (`TIPS` in grounded_proposer.py), in DSPy's key order. */
export const TIPS: Readonly<Record<string, string>> = Object.freeze({
  none: '',
  creative: "Don't be afraid to be creative when creating the new instruction!",
  simple: 'Keep the instruction clear and concise.',
  description: 'Make sure your instruction is very informative and descriptive.',
  high_stakes:
    'The instruction should include a high stakes scenario in which the LM must solve the task!',
  persona:
    'Include a persona that is relevant to the task in the instruction (ie. "You are a ...")',
});

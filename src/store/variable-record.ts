import { z } from 'zod';
import { jsonObjectSchema, nameSchema, revisionSchema, timestampSchema } from './record-fields.js';

/** A configuration value: a JSON scalar (what `src/variables` keeps in configurations). */
export const configValueSchema = z.union([z.number(), z.string(), z.boolean(), z.null()]);
/** Values of a configuration by dotted variable name. */
export const configurationValuesSchema = z.record(z.string().min(1), configValueSchema);

/**
 * Chosen values of a configuration's instruction and demo variables (an instruction's text, a
 * list of demos), carried so that any node can apply a configuration found over candidates its
 * program does not hold (`applyConfiguration`'s `candidates`).
 */
export const candidateValuesSchema = z.record(
  z.string().min(1),
  z.union([z.string().min(1), z.array(z.record(z.string(), z.unknown()))]),
);

/**
 * One variable of a stored space, as JSON: what `dspex variables` prints and what a deploy is
 * checked against without loading the program. Functions (composites, conditionals' variants,
 * resolvers) are not stored: their kind and default are.
 */
export const variableDescriptorSchema = z
  .object({
    name: z.string().min(1),
    kind: z.enum(['float', 'integer', 'choice', 'module', 'composite', 'conditional']),
    description: z.string().optional(),
    default: configValueSchema.optional(),
    range: z.tuple([z.number(), z.number()]).optional(),
    step: z.number().optional(),
    grid: z.array(z.number()).optional(),
    choices: z.array(configValueSchema).optional(),
    allowCustom: z.boolean().optional(),
    dependencies: z.array(z.string()),
    tunable: z.boolean(),
    /** Jobs may set it (within its constraints) in their `config.variables`. */
    overridable: z.boolean(),
  })
  .strict();
/** One variable of a stored space. */
export type VariableDescriptor = z.infer<typeof variableDescriptorSchema>;

/**
 * A version of a program's variable space. Immutable: a node that hosts a program whose space
 * differs from the latest stored one registers a new version (`variableSpaces.register`).
 */
export const variableSpaceSchema = z
  .object({
    program: nameSchema,
    version: nameSchema,
    variables: z.array(variableDescriptorSchema),
    createdAt: timestampSchema,
  })
  .strict();
/** A stored variable space, keyed by `(program, version)`. */
export type VariableSpaceRecord = z.infer<typeof variableSpaceSchema>;

/** Objective values of a configuration measured by a search (a point of a Pareto front). */
export const configurationObjectivesSchema = z
  .object({
    /** Metric score, percent. */
    quality: z.number(),
    /** Dollars per example. */
    cost: z.number(),
    latencyMs: z.number(),
    latencyP95Ms: z.number().optional(),
    examples: z.number().int().nonnegative().optional(),
    evaluations: z.number().nonnegative().optional(),
  })
  .strict();
/** Objective values of a configuration. */
export type ConfigurationObjectives = z.infer<typeof configurationObjectivesSchema>;

/**
 * A point of a program's variable space, kept so it can be deployed by id
 * (`dspex deploy <program> --configuration <id>`). Immutable once created.
 */
export const variableConfigurationSchema = z
  .object({
    id: nameSchema,
    program: nameSchema,
    values: configurationValuesSchema,
    /** Chosen instruction texts and demos of the values' candidate variables (travel with them). */
    candidates: candidateValuesSchema.optional(),
    /** The space version the values were made for. */
    spaceVersion: nameSchema.optional(),
    /** `optimization`: a point of a search's front; `manual`: written by hand. */
    source: z.enum(['manual', 'optimization']),
    /** The search that produced it. */
    runId: nameSchema.optional(),
    label: z.string().optional(),
    objectives: configurationObjectivesSchema.optional(),
    /** The point the search's selection rule chose. */
    chosen: z.boolean().optional(),
    createdAt: timestampSchema,
  })
  .strict();
/** A stored configuration, keyed by `id`. */
export type VariableConfigurationRecord = z.infer<typeof variableConfigurationSchema>;

/** Input of `variableConfigurations.create` (`id` defaults to a generated one). */
export const variableConfigurationCreateSchema = variableConfigurationSchema
  .omit({ id: true, createdAt: true, source: true })
  .extend({ id: nameSchema.optional(), source: z.enum(['manual', 'optimization']).optional() })
  .strict();
/** Input of `variableConfigurations.create`. */
export type VariableConfigurationCreate = z.infer<typeof variableConfigurationCreateSchema>;

/**
 * What every node of a cluster serves for a program: the variable registry's configuration (opaque
 * JSON here: model, temperature, `configuration` id and `variables` …). `revision` is its version:
 * each deploy is a compare-and-set, so nodes order changes by it.
 */
export const deploymentSchema = z
  .object({
    program: nameSchema,
    config: jsonObjectSchema,
    revision: revisionSchema,
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .strict();
/** A program's deployed configuration, keyed by program. */
export type Deployment = z.infer<typeof deploymentSchema>;

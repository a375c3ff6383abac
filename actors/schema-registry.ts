import { z } from 'zod';
import { DspexError } from '../src/errors/index.js';
import { signature, type Signature } from '../src/signatures/index.js';
import { ActorError } from '../services/actor-error.js';
import {
  RUN_JOB_SCHEMA,
  flattenIssues,
  issuesText,
  runJobSchema,
  type SchemaIssue,
} from '../src/contracts/index.js';
import { genServer } from '../src/kernel/index.js';
import { actorReplies } from '../services/protocol.js';

import { SCHEMA_REGISTRY } from '../services/names.js';

export { SCHEMA_REGISTRY };

/** One registered schema version: a compiled zod validator, or a parsed signature. */
export type SchemaEntry =
  | { kind: 'payload'; name: string; version: string; schema: z.ZodType }
  | { kind: 'signature'; name: string; version: string; signature: Signature };

/**
 * The registry's table (name → version → entry). It lives outside the actor, like an ETS table
 * whose heir is the supervisor, so registrations survive a restart of the registry.
 */
export type SchemaTable = Map<string, Map<string, SchemaEntry>>;

/** Creates a table holding the built-in `dspex-run` job schema (version `1`). */
export function createSchemaTable(): SchemaTable {
  const table: SchemaTable = new Map();
  table.set(
    RUN_JOB_SCHEMA,
    new Map([['1', { kind: 'payload', name: RUN_JOB_SCHEMA, version: '1', schema: runJobSchema }]]),
  );
  return table;
}

const name = z.string().min(1);
const zodSchema = z.custom<z.ZodType>((v) => v instanceof z.ZodType, 'expected a zod schema');

/** Messages of the schema registry (zod-validated; a bad one gets a `bad_message` reply). */
export const schemaRegistryMessage = z.discriminatedUnion('type', [
  z.object({ type: z.literal('register'), name, version: name, schema: zodSchema }),
  z.object({
    type: z.literal('registerSignature'),
    name,
    version: name,
    signature: z.string().min(1),
  }),
  z.object({ type: z.literal('validate'), name, version: name.optional(), data: z.unknown() }),
  z.object({ type: z.literal('getSignature'), name, version: name.optional() }),
  z.object({ type: z.literal('list') }),
]);
/** A schema registry message. */
export type SchemaRegistryMessage = z.infer<typeof schemaRegistryMessage>;

/** What `validate` answers: the parsed data, or the issues and a readable reason. */
export type ValidationResult =
  { valid: true; data: unknown } | { valid: false; issues: SchemaIssue[]; reason: string };

/** The latest version of a name (numeric-aware order, so `10` follows `9`). */
function latest<E>(versions: Map<string, E>): E | undefined {
  const keys = [...versions.keys()].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  const last = keys.at(-1);
  return last === undefined ? undefined : versions.get(last);
}

function lookup(table: SchemaTable, n: string, version: string | undefined): SchemaEntry {
  const versions = table.get(n);
  const entry = versions && (version === undefined ? latest(versions) : versions.get(version));
  if (entry === undefined)
    throw new ActorError('unknown_schema', `unknown schema '${n}'${version ? `@${version}` : ''}`, {
      details: { name: n, version: version ?? null, known: [...table.keys()] },
    });
  return entry;
}

/**
 * Validates `data` with payload schema `name` (latest version unless `version`) of the registry's
 * table: what the registry's `validate` answers. Exported so the job path can read the table
 * directly, like an ETS table, instead of a registry call per job. Throws `unknown_schema`.
 */
export function validatePayload(
  table: SchemaTable,
  name: string,
  data: unknown,
  version?: string,
): ValidationResult {
  const entry = lookup(table, name, version);
  if (entry.kind !== 'payload')
    throw new ActorError('unknown_schema', `'${name}' is a signature, not a payload schema`);
  const parsed = entry.schema.safeParse(data);
  if (parsed.success) return { valid: true, data: parsed.data };
  const issues = flattenIssues(parsed.error);
  return { valid: false, issues, reason: issuesText(issues) };
}

function handle(table: SchemaTable, msg: SchemaRegistryMessage): unknown {
  switch (msg.type) {
    case 'register':
    case 'registerSignature': {
      const entry: SchemaEntry =
        msg.type === 'register'
          ? { kind: 'payload', name: msg.name, version: msg.version, schema: msg.schema }
          : {
              kind: 'signature',
              name: msg.name,
              version: msg.version,
              signature: signature(msg.signature),
            };
      const versions = table.get(msg.name) ?? new Map<string, SchemaEntry>();
      versions.set(msg.version, entry);
      table.set(msg.name, versions);
      return { name: msg.name, version: msg.version };
    }
    case 'validate':
      return validatePayload(table, msg.name, msg.data, msg.version);
    case 'getSignature': {
      const entry = lookup(table, msg.name, msg.version);
      if (entry.kind !== 'signature')
        throw new ActorError(
          'unknown_schema',
          `'${msg.name}' is a payload schema, not a signature`,
        );
      return entry.signature;
    }
    case 'list':
      return [...table.entries()].map(([n, versions]) => ({
        name: n,
        versions: [...versions.keys()],
        kind: versions.values().next().value?.kind,
      }));
  }
}

/**
 * The schema registry: job-payload schemas and program signatures by name and version, compiled
 * once and cached in its table. `validate` answers data (valid or the zod issues), so an invalid
 * payload is a normal answer, not a failure; a malformed message gets a `bad_message` reply.
 *
 * @example
 * ```ts
 * const r = await callActor<ValidationResult>(kernel, SCHEMA_REGISTRY, { type: 'validate', name: 'dspex-run', data });
 * if (!r.valid) throw new UnrecoverableJobError(r.reason);
 * ```
 */
export const schemaRegistry = genServer({
  name: SCHEMA_REGISTRY,
  messages: { call: schemaRegistryMessage, cast: schemaRegistryMessage },
  init: (input: { table: SchemaTable }) => input.table,
  handleCall: (msg, table) => ({ reply: handle(table, msg) }),
  handleCast: (msg, table) => void handle(table, msg),
  // e.g. an unparsable signature string: the message was bad, not the registry.
  replies: actorReplies((e) =>
    e instanceof DspexError ? new ActorError('bad_message', e.message, { cause: e }) : undefined,
  ),
});

/** The schema registry's xstate logic (`actorWorker(schemaRegistryMachine, { input: { table } })`). */
export const schemaRegistryMachine = schemaRegistry.logic;

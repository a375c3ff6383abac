/**
 * Registered names of the node's permanent actors, for code that calls them by name
 * (`callActor(kernel, CLIENT_POOL, …)`) without importing the actor definitions.
 */

/** Registered name of the schema registry (`actors/schema-registry.ts`). */
export const SCHEMA_REGISTRY = 'schema-registry';

/** Registered name of the variable registry (`actors/variable-registry.ts`). */
export const VARIABLE_REGISTRY = 'variable-registry';

/** Registered name of the client pool (`actors/client-pool.ts`). */
export const CLIENT_POOL = 'client-pool';

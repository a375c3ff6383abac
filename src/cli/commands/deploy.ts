import type { Redis } from 'ioredis';
import {
  RedisStore,
  StoreError,
  announceDeployment,
  type Deployment,
  type RedisStore as RedisStoreType,
  type VariableDescriptor,
} from '../../store/index.js';
import { mergeDeployedConfig, type ProgramConfig } from '../../contracts/index.js';
import type { CliDeps } from '../cli-deps.js';
import { requireRedis, resolveQueueTarget } from '../cli-config.js';
import { CliError } from '../cli-error.js';
import { openRedis, redactRedisUrl } from '../redis-access.js';

/** Options of `dspex deploy`. */
export interface DeployOptions {
  /** Id of a stored VariableConfiguration (a point printed by `dspex optimize --objectives`). */
  configuration?: string;
  /** A published program version to activate. */
  version?: string;
  config?: string;
  redis?: string;
  prefix?: string;
}

/** The cluster's store and a Redis client, for commands that read or write deployments. */
export interface ClusterStore {
  store: RedisStoreType;
  redis: Redis;
  url: string;
  /** The store's key prefix (`<redis prefix>:store`, as the runtime's). */
  storePrefix: string;
  close(): Promise<void>;
}

/** Opens the store of the cluster the options, the config or `DSPEX_REDIS_URL` name. */
export async function openClusterStore(
  deps: CliDeps,
  options: { config?: string; redis?: string; prefix?: string },
  command: string,
): Promise<ClusterStore> {
  const target = await resolveQueueTarget(deps.io, options);
  const url = requireRedis(target, command);
  const redis = await openRedis(url);
  const storePrefix = `${target.prefix}:store`;
  const store = new RedisStore({ redis, prefix: storePrefix });
  return {
    store,
    redis,
    url,
    storePrefix,
    close: async () => {
      await store.close();
      redis.disconnect();
    },
  };
}

/**
 * Problems of `values` against a stored space (names it does not declare, values outside a range,
 * off a grid or not among the choices). Composites and conditionals are left to the nodes, which
 * check the whole configuration with the program's own space when they apply it.
 */
export function checkAgainstSpace(
  variables: readonly VariableDescriptor[],
  values: Readonly<Record<string, unknown>>,
): string[] {
  const byName = new Map(variables.map((v) => [v.name, v]));
  const problems: string[] = [];
  for (const [name, value] of Object.entries(values)) {
    const v = byName.get(name);
    const shown = JSON.stringify(value);
    if (v === undefined) {
      problems.push(`variable '${name}' (value ${shown}) is not in the program's space`);
      continue;
    }
    if (v.choices !== undefined && v.allowCustom !== true && v.kind !== 'conditional')
      if (!v.choices.includes(value as never))
        problems.push(
          `variable '${name}': value ${shown} is not one of ${v.choices.map((c) => JSON.stringify(c)).join(', ')}`,
        );
    if (v.range !== undefined && v.kind !== 'conditional')
      if (typeof value !== 'number' || value < v.range[0] || value > v.range[1])
        problems.push(
          `variable '${name}': value ${shown} is outside the range [${v.range[0]}, ${v.range[1]}]`,
        );
  }
  return problems;
}

async function configurationChange(
  cluster: ClusterStore,
  program: string,
  id: string,
): Promise<Record<string, unknown>> {
  const record = await cluster.store.variableConfigurations.find(id);
  if (record === undefined || record.program !== program) {
    const known = (await cluster.store.variableConfigurations.list({ program, limit: 10 })).items;
    throw new CliError(
      'usage',
      `configuration ${JSON.stringify(id)} ${record === undefined ? 'not found' : `belongs to program '${record.program}'`}; configurations of '${program}': ${known.map((c) => c.id).join(', ') || 'none'} (dspex optimize --objectives stores them)`,
    );
  }
  const space = await cluster.store.variableSpaces.find(program);
  // Variables whose chosen text or demos travel with the values are checked by the nodes.
  const carried = new Set(Object.keys(record.candidates ?? {}));
  const indexed = Object.fromEntries(
    Object.entries(record.values).filter(([k]) => !carried.has(k)),
  );
  const problems = space === undefined ? [] : checkAgainstSpace(space.variables, indexed);
  if (problems.length > 0)
    throw new CliError(
      'usage',
      `configuration ${id} does not fit ${program}'s space (version ${space?.version}): ${problems.join('; ')}`,
    );
  return {
    configuration: record.id,
    variables: record.values,
    ...(record.candidates === undefined ? {} : { candidates: record.candidates }),
  };
}

/**
 * `dspex deploy <program> --configuration ID | --version V`: stores the program's next deployment
 * (a compare-and-set, revision + 1) and announces it on Redis pub/sub; every running node installs
 * it at once and serves it from its next execution, without a restart. `--configuration` takes a
 * stored point (checked against the program's stored space: unknown variables, values out of range
 * or not among the choices are named, exit 2); `--version` activates a published program version.
 * Prints `{ program, revision, configuration?, variables?, version? }`.
 */
export async function deployCommand(
  deps: CliDeps,
  program: string,
  options: DeployOptions,
): Promise<number> {
  const { io } = deps;
  if (options.configuration === undefined && options.version === undefined)
    throw new CliError('usage', 'dspex deploy needs --configuration ID or --version V');
  const cluster = await openClusterStore(deps, options, 'deploy');
  let deployment: Deployment;
  try {
    const change: Record<string, unknown> = {};
    if (options.configuration !== undefined)
      Object.assign(change, await configurationChange(cluster, program, options.configuration));
    if (options.version !== undefined) {
      await cluster.store.programs.activate(program, options.version).catch((e: unknown) => {
        if (e instanceof StoreError) throw new CliError('usage', e.message, { cause: e });
        throw e;
      });
      change['stateVersion'] = options.version;
    }
    deployment = await cluster.store.deployments.deploy(
      program,
      (current) =>
        mergeDeployedConfig(current as ProgramConfig, change as ProgramConfig) as typeof current,
    );
    await announceDeployment(cluster.redis, cluster.storePrefix, deployment);
  } finally {
    await cluster.close();
  }
  const { config } = deployment;
  io.stdout.write(
    `${JSON.stringify(
      {
        program,
        revision: deployment.revision,
        ...(options.configuration === undefined
          ? {}
          : { configuration: config['configuration'], variables: config['variables'] }),
        ...(options.version === undefined ? {} : { version: options.version }),
      },
      null,
      2,
    )}\n`,
  );
  io.stderr.write(
    `deployed ${program} revision ${deployment.revision} on Redis ${redactRedisUrl(cluster.url)}: every node serves it from its next execution\n`,
  );
  return 0;
}

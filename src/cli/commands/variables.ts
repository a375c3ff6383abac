import type { CliDeps } from '../cli-deps.js';
import { CliError } from '../cli-error.js';
import { withOneshotRuntime, type OneshotOptions } from '../oneshot-runtime.js';
import type { VariableView } from '../runtime-port.js';
import { openClusterStore } from './deploy.js';

/** Options of `dspex variables`. */
export interface VariablesOptions extends OneshotOptions {
  json?: boolean;
  redis?: string;
  prefix?: string;
}

function constraintOf(v: VariableView): string {
  if (v.choices !== undefined) return v.choices.map((c) => JSON.stringify(c)).join(' | ');
  if (v.range !== undefined) {
    const extra =
      v.grid !== undefined
        ? ` grid ${v.grid.join(', ')}`
        : v.step !== undefined
          ? ` step ${v.step}`
          : '';
    return `[${v.range[0]}, ${v.range[1]}]${extra}`;
  }
  return v.dependencies.length > 0 ? `from ${v.dependencies.join(', ')}` : '';
}

/** The space as an aligned text table (one row per variable, dependency order). */
export function renderVariables(variables: readonly VariableView[]): string {
  const head = ['variable', 'kind', 'range / choices', 'default', 'overridable', 'tunable'];
  const rows = variables.map((v) => [
    v.name,
    v.kind,
    constraintOf(v),
    v.default === undefined ? '' : JSON.stringify(v.default),
    v.overridable ? 'yes' : 'no',
    v.tunable ? 'yes' : 'no',
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

/**
 * `dspex variables <program> [--json]`: loads the programs module on a one-off runtime and prints
 * the program's variable space (names, kinds, ranges or choices, defaults, which jobs may
 * override); with Redis reachable (config, `DSPEX_REDIS_URL`, `--redis`) also the configuration
 * the cluster serves (the program's deployment).
 */
export async function variablesCommand(
  deps: CliDeps,
  program: string,
  options: VariablesOptions,
): Promise<number> {
  const { io } = deps;
  const space = await withOneshotRuntime(deps, program, options, async (runtime) => {
    if (runtime.variables === undefined)
      throw new CliError('usage', 'this runtime does not report program variables');
    return runtime.variables(program);
  });
  let deployed: { revision: number; config: Record<string, unknown> } | undefined;
  // Embedded mode (no Redis anywhere) or Redis down: the space alone is still worth printing.
  const cluster = await openClusterStore(deps, options, 'variables').catch(() => undefined);
  if (cluster !== undefined)
    try {
      deployed = await cluster.store.deployments.find(program);
    } finally {
      await cluster.close();
    }
  if (options.json === true) {
    io.stdout.write(
      `${JSON.stringify({ program, variables: space.variables, ...(deployed === undefined ? {} : { deployed: { revision: deployed.revision, config: deployed.config } }) }, null, 2)}\n`,
    );
    return 0;
  }
  if (space.variables.length === 0) {
    io.stdout.write(`${program} declares no variables\n`);
    return 0;
  }
  io.stdout.write(`${renderVariables(space.variables)}\n`);
  if (deployed !== undefined) {
    const id = deployed.config['configuration'];
    io.stdout.write(
      `deployed: revision ${deployed.revision}${typeof id === 'string' ? `, configuration ${id}` : ''} ${JSON.stringify(deployed.config['variables'] ?? {})}\n`,
    );
  }
  return 0;
}

import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import type { CliDeps } from './cli-deps.js';
import { CliError, EXIT_CODES, EXIT_CODES_HELP } from './cli-error.js';
import type { EvalOptions } from './commands/eval.js';
import type { GraphOptions } from './commands/graph.js';
import type { InspectOptions } from './commands/inspect.js';
import type { JobsOptions } from './commands/jobs.js';
import type { DeployOptions } from './commands/deploy.js';
import type { OptimizeOptions } from './commands/optimize.js';
import type { OptimizeFrontOptions } from './commands/optimize-front.js';
import type { RunsOptions } from './commands/runs.js';
import type { RunOptions } from './commands/run.js';
import type { SubmitOptions } from './commands/submit.js';
import type { ReloadOptions } from './commands/reload.js';
import type { VariablesOptions } from './commands/variables.js';
import type { SynthesizeOptions } from './commands/synthesize.js';
import type { EvalsOptions } from './commands/evals.js';
import type {
  DatasetsAddOptions,
  DatasetsOptions,
  DatasetsSampleOptions,
} from './commands/datasets.js';
import { toCliError } from './runtime-errors.js';

const ENV_HELP = `Environment:
  DSPEX_REDIS_URL      Redis URL (Redis mode); empty forces embedded mode
  DSPEX_PROGRAMS       programs module (when there is no config file)
  DSPEX_ADMIN_PORT     admin endpoint port (0: any free port; a taken port falls back to a free one)
  DSPEX_ADMIN_TOKEN    admin bearer token
  DSPEX_NODE_ID        node id
  DSPEX_LOG_LEVEL      log level
  OPENAI_API_KEY, OPENAI_BASE_URL, ANTHROPIC_API_KEY, DSPEX_MODEL   the LM of the example programs`;

/** Parses a positive integer option (`--timeout 5000`). */
export function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0)
    throw new InvalidArgumentError(`expected a positive integer, got '${value}'`);
  return n;
}

/** Parses a non-negative integer option (`--seed 0`). */
export function nonNegativeInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0)
    throw new InvalidArgumentError(`expected a non-negative integer, got '${value}'`);
  return n;
}

/** Parses a number >= 0 (a dollar amount). */
export function nonNegative(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0)
    throw new InvalidArgumentError(`expected a number >= 0, got '${value}'`);
  return n;
}

/** Parses a comma-separated list option (`--input-keys question,context`). */
export function commaList(value: string): string[] {
  const items = value
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (items.length === 0)
    throw new InvalidArgumentError('expected a comma-separated list of names');
  return items;
}

/**
 * Builds the `dspex` commander program. Each action stores its exit code through `setCode`; the
 * program itself never calls `process.exit`, so it runs in-process in tests.
 */
export function buildProgram(deps: CliDeps, setCode: (code: number) => void): Command {
  const { io } = deps;
  const program = new Command('dspex')
    .description(
      'dspex: DSPy-style LM programs on an OTP-style actor runtime (daemon, jobs, inspection)',
    )
    .showHelpAfterError('(run with --help for usage)')
    .addHelpText('after', `\n${EXIT_CODES_HELP}\n\n${ENV_HELP}`)
    .exitOverride()
    .configureOutput({
      writeOut: (s) => io.stdout.write(s),
      writeErr: (s) => io.stderr.write(s),
      outputError: (s, write) => write(s),
    });
  const act =
    <A extends unknown[]>(fn: (...args: A) => Promise<number>) =>
    async (...args: A): Promise<void> => {
      setCode(await fn(...args));
    };
  const configOption = (): Option =>
    new Option(
      '-c, --config <path>',
      'config file (default: dspex.config.* in the working directory)',
    );
  const redisOptions = (cmd: Command): Command =>
    cmd
      .addOption(configOption())
      .option('--redis <url>', 'Redis URL (default: config redis.url, then DSPEX_REDIS_URL)')
      .option(
        '--prefix <prefix>',
        'BullMQ/Redis key prefix (default: config redis.prefix or dspex)',
      );

  program
    .command('start')
    .description('start a daemon: the supervision tree, queue consumers and the admin endpoint')
    .addOption(configOption())
    .action(
      act(async (opts: { config?: string }) =>
        (await import('./commands/start.js')).startCommand(deps, opts),
      ),
    );

  redisOptions(
    program
      .command('submit <program>')
      .description('queue a run of <program> on dspex-run (Redis mode); prints the job id')
      .requiredOption('-i, --input <json>', 'inputs as a JSON object')
      .option('-w, --wait', 'wait for the result and print { outputs, executionId, usage }')
      .option('-t, --timeout <ms>', 'how long --wait waits (default 60000)', positiveInt)
      .option('--attempts <n>', 'attempts for retryable failures (default 3)', positiveInt)
      .option('--job-id <id>', 'custom job id (idempotent: a duplicate is not queued twice)')
      .option('--version <version>', 'optimized state version of the program to run')
      .option('--job-config <json>', 'per-job configuration overrides as a JSON object'),
  ).action(
    act(async (name: string, opts: SubmitOptions) =>
      (await import('./commands/submit.js')).submitCommand(deps, name, opts),
    ),
  );

  const jobs = program
    .command('jobs')
    .description('list, show and retry jobs of the run queue (Redis mode)');
  const jobOptions = (cmd: Command): Command =>
    redisOptions(cmd)
      .option('--queue <name>', 'queue (default: config queues.run or dspex-run)')
      .option('--json', 'print JSON');
  jobOptions(
    jobs
      .command('list')
      .description('jobs, newest first')
      .option(
        '-s, --state <state>',
        'waiting | delayed | active | completed | failed (default: all)',
      )
      .option('-n, --limit <n>', 'jobs per state (default 20)', positiveInt),
  ).action(
    act(async (opts: JobsOptions & { state?: string; limit?: number }) =>
      (await import('./commands/jobs.js')).jobsListCommand(deps, opts),
    ),
  );
  jobOptions(jobs.command('show <id>').description('one job as JSON')).action(
    act(async (id: string, opts: JobsOptions) =>
      (await import('./commands/jobs.js')).jobsShowCommand(deps, id, opts),
    ),
  );
  jobOptions(jobs.command('retry <id>').description('move a failed job back to waiting')).action(
    act(async (id: string, opts: JobsOptions) =>
      (await import('./commands/jobs.js')).jobsRetryCommand(deps, id, opts),
    ),
  );

  redisOptions(
    program
      .command('inspect')
      .description(
        'print the supervision tree of every node started in this folder, or of every node of the cluster named by --redis, the config or DSPEX_REDIS_URL',
      )
      .option('--json', 'print { source, nodes: [{ nodeId, mode, status, startedAt, tree }] }')
      .option('-w, --watch', 'refresh until Ctrl-C')
      .option('--interval <ms>', 'refresh interval of --watch (default 1000)', positiveInt)
      .option('--node <id>', 'only this node')
      .option(
        '--url <url>',
        'read this admin endpoint instead of the local nodes (.dspex/node-*.json)',
      )
      .option(
        '--token <token>',
        'admin bearer token (default: the state file, then DSPEX_ADMIN_TOKEN)',
      ),
  ).action(
    act(async (opts: InspectOptions) =>
      (await import('./commands/inspect.js')).inspectCommand(deps, opts),
    ),
  );

  program
    .command('reload')
    .description(
      'hot reload: every running node loads its programs module again (new jobs use the new code; a module that fails to load leaves the old one serving)',
    )
    .addOption(configOption())
    .option(
      '--json',
      'print { nodes: [{ nodeId, ok, result, version, previous, error }], missing }',
    )
    .option(
      '--redis <url>',
      'the cluster to reload (default: the config, DSPEX_REDIS_URL, a local node)',
    )
    .option('--prefix <prefix>', 'Redis key prefix (default: the config, else dspex)')
    .option(
      '--token <token>',
      'admin bearer token (default: the state file, then DSPEX_ADMIN_TOKEN)',
    )
    .option('--timeout <ms>', 'how long to wait for the nodes (default 30000)', positiveInt)
    .action(
      act(async (opts: ReloadOptions) =>
        (await import('./commands/reload.js')).reloadCommand(deps, opts),
      ),
    );

  const oneshot = (cmd: Command): Command =>
    cmd
      .addOption(configOption())
      .option('--log-level <level>', 'runtime log level on stderr', 'warn');

  oneshot(
    program
      .command('run <program>')
      .description('run <program> once on an embedded runtime (no daemon) and print its outputs')
      .requiredOption('-i, --input <json>', 'inputs as a JSON object')
      .option('--full', 'print { outputs, executionId, usage }'),
  ).action(
    act(async (name: string, opts: RunOptions) =>
      (await import('./commands/run.js')).runCommand(deps, name, opts),
    ),
  );

  const runs = program
    .command('runs')
    .description('list, show and cancel optimization runs (Redis mode)');
  const runOptions = (cmd: Command): Command => redisOptions(cmd).option('--json', 'print JSON');
  runOptions(
    runs
      .command('list')
      .description('optimization runs, newest first')
      .option('--program <name>', 'only runs of this program')
      .option('-s, --status <status>', 'queued | running | succeeded | failed | cancelled')
      .option('-n, --limit <n>', 'runs at most (default 50)', positiveInt),
  ).action(
    act(async (opts: RunsOptions) =>
      (await import('./commands/runs.js')).runsListCommand(deps, opts),
    ),
  );
  runOptions(
    runs
      .command('show <id>')
      .description("a run's trial log and its best candidate's instructions and demos"),
  ).action(
    act(async (id: string, opts: RunsOptions) =>
      (await import('./commands/runs.js')).runsShowCommand(deps, id, opts),
    ),
  );
  redisOptions(
    runs
      .command('follow <id>')
      .description(
        'follow a run with the progress bar until it ends; prints the final run (exit 9 when no node is alive)',
      )
      .option(
        '--node-grace <seconds>',
        'stop (exit 9) after this long with no live node; the run resumes when a node starts (default 30)',
        nonNegative,
      ),
  ).action(
    act(async (id: string, opts: RunsOptions) =>
      (await import('./commands/runs.js')).runsFollowCommand(deps, id, opts),
    ),
  );
  runOptions(
    runs
      .command('cancel <id>')
      .description('cancel a run: it stops at its next step and keeps the best so far'),
  ).action(
    act(async (id: string, opts: RunsOptions) =>
      (await import('./commands/runs.js')).runsCancelCommand(deps, id, opts),
    ),
  );

  oneshot(
    program
      .command('eval <program>')
      .description(
        'evaluate <program> over a devset (a file or a stored dataset) with a metric; prints the summary',
      )
      .option('-d, --data <file>', 'examples: JSON Lines, a .json array or a .csv')
      .option(
        '--dataset <name[@version]>',
        'a stored dataset instead of --data (dspex datasets add; default version: the latest)',
      )
      .option('--split <name>', '--dataset: evaluate only this split')
      .option('--redis <url>', 'Redis URL of the dataset store (default: config, DSPEX_REDIS_URL)')
      .option('--prefix <prefix>', 'Redis key prefix (default: config redis.prefix or dspex)')
      .requiredOption('-m, --metric <name>', 'metric name (e.g. exact_match)')
      .option('--concurrency <n>', 'examples in flight per shard', positiveInt)
      .option('--shards <n>', 'split the devset into n shard jobs', positiveInt)
      .option('--show-errors', "print each failed example's reason on stderr")
      .option(
        '--input-keys <names>',
        'input fields of the examples (default: the signature inputs)',
        commaList,
      ),
  ).action(
    act(async (name: string, opts: EvalOptions) =>
      (await import('./commands/eval.js')).evalCommand(deps, name, opts),
    ),
  );

  oneshot(
    program
      .command('optimize <program>')
      .description('optimize <program> on a trainset; prints the finished run')
      .option(
        '-o, --optimizer <name>',
        'copro | mipro | simba | gepa | bootstrap | random (or labeled-few-shot, bootstrap-few-shot, random-search); required unless --objectives (space-search)',
      )
      .option('-t, --trainset <file>', 'training examples: JSON Lines, a .json array or a .csv')
      .option('--valset <file>', 'validation examples')
      .option(
        '--dataset <name[@version]>',
        'train on a stored dataset instead of --trainset (dspex datasets add)',
      )
      .option('--split <name>', '--dataset: train on this split')
      .option('--val-dataset <name[@version]>', 'validate on a stored dataset instead of --valset')
      .option('--val-split <name>', 'validate on this split (of --val-dataset, else of --dataset)')
      .option(
        '-m, --metric <name>',
        'metric name of the node metric table (sets params.metric; --objectives: default exact_match)',
      )
      .option('--auto <size>', 'light | medium | heavy (mipro, gepa: sets params.auto)')
      .option('--budget-usd <dollars>', 'stop at this spend with the best so far', nonNegative)
      .option('--params <json>', 'optimizer options as a JSON object (unknown keys are refused)')
      .option('--deploy', "make the new version the program's active one (Redis mode)")
      .option('--out <file>', 'write the optimized state (saved-program JSON) to this file')
      .option(
        '--redis <url>',
        'Redis URL of the store (default: config redis.url, then DSPEX_REDIS_URL, then a local Redis node)',
      )
      .option(
        '--local',
        "Redis mode: run the optimization in this process instead of handing it to the cluster's nodes",
      )
      .option(
        '--node-grace <seconds>',
        'Redis mode: stop following (exit 9) after this long with no live node; the run resumes when a node starts (default 30)',
        nonNegative,
      )
      .option('--prefix <prefix>', 'Redis key prefix (default: config redis.prefix or dspex)')
      .option(
        '--input-keys <names>',
        'input fields of the examples (default: the signature inputs)',
        commaList,
      )
      .option(
        '--objectives <list>',
        "with --optimizer space-search: search the program's variables for the Pareto front of these objectives (quality,cost[,latency]); prints the front, writes a chart",
        commaList,
      )
      .option(
        '--budget <evaluations>',
        '--objectives: budget in full-devset evaluations',
        positiveInt,
      )
      .option('--seed <n>', '--objectives: seed of the search', nonNegativeInt)
      .option(
        '--select <rule>',
        '--objectives: best-quality | cheapest | fastest | within:<points>',
      )
      .option('--algorithm <name>', '--objectives: pareto (default) | grid | random')
      .option(
        '--constraint <bound>',
        "--objectives: a bound front points must meet ('cost<=0.001'); repeatable",
        (value: string, previous: string[] = []) => [...previous, value],
      )
      .option(
        '--chart <file>',
        '--objectives: HTML chart path (default dspex-front-<program>.html)',
      )
      .option('--json', '--objectives: print the front as JSON'),
  ).action(
    act(async (name: string, opts: Partial<OptimizeOptions> & { objectives?: string[] }) => {
      if (opts.objectives !== undefined) {
        if (opts.optimizer !== undefined && opts.optimizer !== 'space-search')
          throw new CliError(
            'usage',
            `--objectives searches the program's variables (optimizer space-search); it does not combine with --optimizer ${opts.optimizer}`,
          );
        return (await import('./commands/optimize-front.js')).optimizeFrontCommand(deps, name, {
          ...(opts as unknown as OptimizeFrontOptions),
          objectives: opts.objectives,
        });
      }
      if (opts.optimizer === undefined)
        throw new CliError(
          'usage',
          "required option '-o, --optimizer <name>' not specified (or --objectives quality,cost for a search over the program's variables)",
        );
      return (await import('./commands/optimize.js')).optimizeCommand(deps, name, {
        ...opts,
        optimizer: opts.optimizer,
      } as OptimizeOptions);
    }),
  );

  oneshot(
    program
      .command('variables <program>')
      .description(
        "print <program>'s variable space: names, kinds, ranges or choices, defaults, which jobs may override; and what the cluster serves",
      )
      .option('--json', 'print { program, variables, deployed? } as JSON')
      .option('--redis <url>', 'Redis URL of the cluster (default: config, then DSPEX_REDIS_URL)')
      .option('--prefix <prefix>', 'Redis key prefix (default: config redis.prefix or dspex)'),
  ).action(
    act(async (name: string, opts: VariablesOptions) =>
      (await import('./commands/variables.js')).variablesCommand(deps, name, opts),
    ),
  );

  redisOptions(
    program
      .command('deploy <program>')
      .description(
        'make a stored configuration (a front point) or a published version what every node serves, without a restart (Redis mode)',
      )
      .option(
        '--configuration <id>',
        'id of a stored configuration (dspex optimize --objectives prints them)',
      )
      .option('--version <version>', 'a published program version to activate'),
  ).action(
    act(async (name: string, opts: DeployOptions) =>
      (await import('./commands/deploy.js')).deployCommand(deps, name, opts),
    ),
  );

  program
    .command('graph <program>')
    .description("print a Mermaid flowchart of <program>'s stages or modules (no LM calls)")
    .addOption(configOption())
    .addOption(
      new Option('--direction <dir>', 'flow direction').choices(['TD', 'LR']).default('TD'),
    )
    .action(
      act(async (name: string, opts: GraphOptions) =>
        (await import('./commands/graph.js')).graphCommand(deps, name, opts),
      ),
    );

  program
    .command('synthesize <program>')
    .description(
      "generate labelled examples for <program>'s signature from seed examples; writes JSONL",
    )
    .addOption(configOption())
    .requiredOption('-s, --seed <file>', 'seed examples: JSON Lines (or a .json array)')
    .requiredOption('-n, --count <n>', 'examples to generate', positiveInt)
    .requiredOption('--out <file>', 'where to write the examples (JSON Lines)')
    .option('--task <text>', "task description (default: the program's instructions)")
    .option('--batch-size <n>', 'examples asked of the LM per call (default 5)', positiveInt)
    .option('--random-seed <n>', 'seed of the sampling schedule (default 0)', Number)
    .action(
      act(async (name: string, opts: SynthesizeOptions) =>
        (await import('./commands/synthesize.js')).synthesizeCommand(deps, name, opts),
      ),
    );

  const evals = program
    .command('evals')
    .description(
      'evaluation records of dspex eval, POST /v1/evaluations and runtime.evaluate (Redis mode: the cluster store; embedded: .dspex/store.json)',
    );
  const evalsOptions = (cmd: Command): Command => redisOptions(cmd).option('--json', 'print JSON');
  evalsOptions(
    evals
      .command('list')
      .description('evaluations, newest first: program, version, dataset, metric, score')
      .option('--program <name>', 'only evaluations of this program')
      .option('-s, --status <status>', 'running | succeeded | failed')
      .option('-n, --limit <n>', 'evaluations at most (default 50)', positiveInt),
  ).action(
    act(async (opts: EvalsOptions) =>
      (await import('./commands/evals.js')).evalsListCommand(deps, opts),
    ),
  );
  evalsOptions(
    evals
      .command('show <id>')
      .description("an evaluation's dataset version and hash, score, counts, spend and examples")
      .option('--examples <n>', 'per-example lines at most (default 20)', nonNegativeInt),
  ).action(
    act(async (id: string, opts: EvalsOptions) =>
      (await import('./commands/evals.js')).evalsShowCommand(deps, id, opts),
    ),
  );

  const datasets = program
    .command('datasets')
    .description(
      'versioned example sets: add (JSONL, JSON or CSV), list, show, sample (Redis mode: the cluster store; embedded: .dspex/store.json)',
    );
  const datasetOptions = (cmd: Command): Command =>
    redisOptions(cmd).option('--json', 'print JSON');
  datasetOptions(
    datasets
      .command('add <name> <file>')
      .description(
        'store <file> (JSONL, .json array or .csv with a header) as the next version of <name>, with its content hash; the same examples again add nothing',
      )
      .option('--version <version>', 'version name (default: the next v1, v2, …)')
      .option(
        '--program <name>',
        "validate the examples against this program's signature (inputs and output labels)",
      )
      .option('--inputs <names>', 'input fields (default: the program signature inputs)', commaList)
      .option('--unlabelled', '--program: examples need only the input fields')
      .option('--description <text>', 'what the dataset is')
      .option(
        '--split <name=from:to>',
        'a named index range, to exclusive (train=0:80, dev=80:); repeatable',
        (value: string, previous: string[] = []) => [...previous, value],
      )
      .option('--split-fractions <list>', 'a seeded split (train=0.8,dev=0.2); see --seed')
      .option('--seed <n>', 'seed of --split-fractions (default 0)', nonNegativeInt),
  ).action(
    act(async (name: string, file: string, opts: DatasetsAddOptions) =>
      (await import('./commands/datasets.js')).datasetsAddCommand(deps, name, file, opts),
    ),
  );
  datasetOptions(
    datasets.command('list').description('every dataset version, newest first'),
  ).action(
    act(async (opts: DatasetsOptions) =>
      (await import('./commands/datasets.js')).datasetsListCommand(deps, opts),
    ),
  );
  datasetOptions(
    datasets
      .command('show <name[@version]>')
      .description(
        'hash, example count, fields, splits and creation time of a version (default: latest)',
      ),
  ).action(
    act(async (ref: string, opts: DatasetsOptions) =>
      (await import('./commands/datasets.js')).datasetsShowCommand(deps, ref, opts),
    ),
  );
  datasetOptions(
    datasets
      .command('sample <name[@version]>')
      .description('examples drawn with a seed, one JSON object per line')
      .option('-n, --count <n>', 'examples (default 5)', positiveInt)
      .option('--seed <n>', 'seed (default 0)', nonNegativeInt)
      .option('--split <name>', 'draw from this split only'),
  ).action(
    act(async (ref: string, opts: DatasetsSampleOptions) =>
      (await import('./commands/datasets.js')).datasetsSampleCommand(deps, ref, opts),
    ),
  );

  return program;
}

/**
 * Runs the `dspex` CLI on `argv` (without the node and script paths) and resolves with the exit
 * code; errors are printed to stderr as `dspex: <message>` (see the `Exit codes` of `--help`).
 *
 * @example
 * ```ts
 * process.exitCode = await runCli(process.argv.slice(2), { startRuntime, io: processIO(signal) });
 * ```
 */
export async function runCli(argv: readonly string[], deps: CliDeps): Promise<number> {
  let code: number = EXIT_CODES.ok;
  const program = buildProgram(deps, (c) => (code = c));
  if (argv.length === 0) {
    program.outputHelp();
    return EXIT_CODES.usage;
  }
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return code;
  } catch (e) {
    if (e instanceof CommanderError) {
      // --help and --version exit 0; every parse error is a usage error.
      return e.exitCode === 0 ? EXIT_CODES.ok : EXIT_CODES.usage;
    }
    const error = e instanceof CliError ? e : toCliError(e);
    deps.io.stderr.write(`dspex: ${error.message}\n`);
    if (deps.io.env.DSPEX_DEBUG && error.cause instanceof Error)
      deps.io.stderr.write(`${error.cause.stack ?? ''}\n`);
    return error.exitCode;
  }
}

#!/usr/bin/env node
// Enforces the import direction of DESIGN §2: supervisors/ → actors/ → services/ → src/, the layers
// inside src/, the wall between the framework stack and the runtime stack, that actors/ holds only
// actor definitions, and no import cycles.
// A regex scan is enough: every import in this codebase is a static `import`/`export … from`
// or a literal dynamic `import('…')`.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';

// `--root DIR` checks another tree (the layer check's own tests run it on small fixture trees).
const rootArg = process.argv.indexOf('--root');
const root =
  rootArg > 0 && process.argv[rootArg + 1]
    ? resolve(process.argv[rootArg + 1])
    : resolve(dirname(new URL(import.meta.url).pathname), '..');

/** Rank of each folder of src/: a file may import only folders of a strictly lower rank (or its own). */
const SRC_RANK = {
  // The process's one AsyncLocalStorage, under both stacks: the kernel's fault scopes (runtime) and
  // the invocation context (framework) keep their values in its slots.
  scope: -1,
  errors: 0,
  time: 0,
  context: 0,
  kernel: 1,
  telemetry: 1,
  lm: 1,
  sandbox: 1,
  signatures: 2,
  variables: 2,
  transport: 2,
  store: 2,
  resilience: 2,
  // The runtime's contracts (job payloads and results, the runtime as data, the surfaces the CLI,
  // daemon and HTTP API drive): written once, under every consumer (actors/, supervisors/ too).
  contracts: 2.5,
  adapters: 3,
  modules: 4,
  evaluate: 5,
  // Pipelines compose modules (and CheckOutputs); nothing below them needs them.
  pipeline: 5,
  retrieval: 5,
  optimizers: 6,
  // The synthesizer counts its LM calls with evaluate's CallAccounting, as the optimizers do.
  synthesizer: 6,
  // Named extensions (metrics, optimizers, adapters, LMs, modules) registered by programs modules.
  extensions: 6.5,
  config: 7,
  // The HTTP API: served by the daemon (above it), talks to the runtime through its own port.
  http: 7.5,
  daemon: 8,
  cli: 9,
};
const FRAMEWORK = new Set([
  'context',
  'signatures',
  'adapters',
  'lm',
  'modules',
  'evaluate',
  'pipeline',
  'synthesizer',
  'optimizers',
  'variables',
  'retrieval',
  'sandbox',
  'extensions',
]);
const RUNTIME = new Set([
  'contracts',
  'resilience',
  'kernel',
  'transport',
  'store',
  'daemon',
  'cli',
  'config',
  'telemetry',
  'http',
]);
/** Packages the framework stack must never import (DESIGN §2). */
const FRAMEWORK_FORBIDDEN_PACKAGES = ['xstate', 'bullmq', 'ioredis'];
/** Folders of src/ that may import the Redis client for their Redis-backed layer. */
const FRAMEWORK_PACKAGE_EXCEPTIONS = { lm: ['ioredis'] };

// services/ holds the node's plain code that the actors run and the supervisors wire (executions,
// pooled LMs, materialization, datasets, the optimizer factory, the actor call protocol): it may
// use both stacks of src/ but never an actor definition. actors/ holds the actor definitions.
// entry/ holds the package's entry points (package.json `exports`): it may import everything.
const TOP = ['src', 'services', 'actors', 'supervisors', 'entry'];
const TOP_RANK = { src: 0, services: 1, actors: 2, supervisors: 3, entry: 4 };

function walk(dir, out = []) {
  let entries;
  try {
    entries = readdirSync(dir);
  } catch {
    return out;
  }
  for (const name of entries) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p, out);
    else if (/\.(ts|mts|js|mjs)$/.test(name) && !name.endsWith('.d.ts')) out.push(p);
  }
  return out;
}

const IMPORT_RE =
  /(?:import|export)\s+(type\s+)?(?:[^'"`;]*?\sfrom\s+)?['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g;

/** Every import of a file: its specifier and whether it is type-only (erased at run time). */
function importsOf(file) {
  const text = readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|^\s*\/\/.*$/gm, '');
  const specs = [];
  for (const m of text.matchAll(IMPORT_RE))
    specs.push({ spec: m[2] ?? m[3], typeOnly: m[1] !== undefined });
  return specs;
}

function resolveLocal(from, spec) {
  const base = resolve(dirname(from), spec);
  const candidates = [
    base,
    base.replace(/\.js$/, '.ts'),
    base.replace(/\.mjs$/, '.mts'),
    join(base, 'index.ts'),
    base + '.ts',
  ];
  for (const c of candidates) {
    try {
      if (statSync(c).isFile()) return c;
    } catch {
      /* try the next candidate */
    }
  }
  return null;
}

/** Where a file lives: its top folder and, inside src/, its first-level folder. */
function place(file) {
  const parts = relative(root, file).split(sep);
  return { top: parts[0], area: parts[0] === 'src' && parts.length > 2 ? parts[1] : null };
}

/**
 * One clock (issue 8): time and timers are declared once, in src/time (rank 0). Anywhere else a
 * new `interface/class/type …Clock` is a second source of time (aliases such as
 * `type StoreClock = Pick<Clock, 'now'>` are allowed: they name a part of the one clock).
 */
const CLOCK_DECL_RE = /^\s*export\s+(?:interface|class|abstract class)\s+(\w*Clock)\b/m;
const CLOCK_HOME = join('src', 'time') + sep;

/**
 * One home for job payloads (issue 8): a queue's job schema (`…JobSchema`, `…ShardSchema` built
 * with zod) is declared in src/contracts only, where producers and the node both import it.
 */
const JOB_SCHEMA_DECL_RE = /^\s*export\s+const\s+(\w*(?:JobSchema|ShardSchema))\s*=\s*z\b/m;
const CONTRACTS_HOME = join('src', 'contracts') + sep;

/**
 * actors/ holds only actor definitions (issue 8). A file under actors/ (other than its index.ts
 * barrel) must export at least one actor, i.e. one of:
 * - an xstate machine: `export const NAME = setup(` (a `setup({...}).createMachine(...)` chain);
 * - a kernel behaviour: `export const NAME = genServer(`;
 * - a spawn function: `export function NAME(...): StartFunction` (what a supervisor's child spec
 *   starts: a worker's or a task process's start).
 * Anything else (helpers, protocols, tables, services) belongs in services/.
 */
const ACTOR_EXPORT_RE =
  /^\s*export\s+(?:const\s+\w+\s*=\s*(?:setup|genServer)\s*[(<]|(?:async\s+)?function\s+\w+\s*(?:<[^>]*>)?\([^)]*\)\s*:\s*StartFunction\b)/m;
const ACTORS_HOME = 'actors' + sep;
/**
 * Services are imported from services/ directly (issue 8): no file under actors/ (the index barrel
 * included) re-exports a services/ module, so `actors/index.js` is not a second door to them.
 */
const SERVICES_REEXPORT_RE =
  /^\s*export\s+(?:type\s+)?(?:\*|\{[^}]*\})\s*from\s*['"]\.\.\/services\//m;

const files = TOP.flatMap((t) => walk(join(root, t)));
const problems = [];
const graph = new Map();

for (const file of files) {
  const from = place(file);
  const edges = [];
  const clock = CLOCK_DECL_RE.exec(readFileSync(file, 'utf8'));
  if (clock && !relative(root, file).startsWith(CLOCK_HOME))
    problems.push(
      `${relative(root, file)}: declares ${clock[1]}; time has one home, src/time (use its Clock)`,
    );
  const rel0 = relative(root, file);
  if (
    rel0.startsWith(ACTORS_HOME) &&
    rel0 !== join('actors', 'index.ts') &&
    /\.(ts|mts)$/.test(rel0) &&
    !ACTOR_EXPORT_RE.test(readFileSync(file, 'utf8'))
  )
    problems.push(
      `${rel0}: exports no actor (an xstate machine \`setup(…)\`, a \`genServer(…)\` or a \`…(): StartFunction\`); actors/ holds only actor definitions, helpers go in services/`,
    );
  if (rel0.startsWith(ACTORS_HOME) && SERVICES_REEXPORT_RE.test(readFileSync(file, 'utf8')))
    problems.push(
      `${rel0}: re-exports services/; import services helpers from services/ directly, not through actors/`,
    );
  const jobSchema = JOB_SCHEMA_DECL_RE.exec(readFileSync(file, 'utf8'));
  if (jobSchema && !relative(root, file).startsWith(CONTRACTS_HOME))
    problems.push(
      `${relative(root, file)}: declares ${jobSchema[1]}; job payloads have one home, src/contracts`,
    );
  for (const { spec, typeOnly } of importsOf(file)) {
    const rel = relative(root, file);
    if (!spec.startsWith('.')) {
      const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0];
      if (from.area && FRAMEWORK.has(from.area) && FRAMEWORK_FORBIDDEN_PACKAGES.includes(pkg)) {
        const allowed = FRAMEWORK_PACKAGE_EXCEPTIONS[from.area] ?? [];
        if (!allowed.includes(pkg))
          problems.push(`${rel}: framework folder src/${from.area} imports '${pkg}'`);
      }
      continue;
    }
    const target = resolveLocal(file, spec);
    if (!target) {
      problems.push(`${rel}: cannot resolve '${spec}'`);
      continue;
    }
    if (!typeOnly) edges.push(target);
    const to = place(target);
    if (!(to.top in TOP_RANK)) {
      problems.push(
        `${rel}: imports '${spec}' outside src/, services/, actors/, supervisors/, entry/`,
      );
      continue;
    }
    if (TOP_RANK[to.top] > TOP_RANK[from.top]) {
      problems.push(`${rel}: ${from.top}/ must not import ${to.top}/ ('${spec}')`);
      continue;
    }
    if (from.top !== 'src' || to.top !== 'src') continue;
    if (from.area === null || to.area === null || from.area === to.area) {
      if (to.area === null && from.area !== null)
        problems.push(`${rel}: src/${from.area} must not import the src/ root ('${spec}')`);
      continue;
    }
    const fr = SRC_RANK[from.area];
    const tr = SRC_RANK[to.area];
    if (fr === undefined)
      problems.push(`${rel}: src/${from.area} has no layer rank in scripts/check-layers.mjs`);
    else if (tr === undefined)
      problems.push(`${rel}: src/${to.area} has no layer rank in scripts/check-layers.mjs`);
    else if (tr >= fr)
      problems.push(
        `${rel}: src/${from.area} (layer ${fr}) must not import src/${to.area} (layer ${tr})`,
      );
    if (
      (FRAMEWORK.has(from.area) && RUNTIME.has(to.area)) ||
      (RUNTIME.has(from.area) &&
        FRAMEWORK.has(to.area) &&
        !['config', 'daemon', 'cli'].includes(from.area))
    ) {
      problems.push(
        `${rel}: the framework and runtime stacks meet only in actors/ and supervisors/ (src/${from.area} → src/${to.area})`,
      );
    }
  }
  graph.set(file, edges);
}

// Cycle detection over value imports (iterative DFS, colours: 0 new, 1 on stack, 2 done). Type-only
// imports are erased at run time, so they cannot cause the evaluation-order bugs cycles bring; the
// layer rules above still apply to them.
const colour = new Map();
const stack = [];
function dfs(start) {
  const work = [[start, 0]];
  colour.set(start, 1);
  stack.push(start);
  while (work.length > 0) {
    const top = work[work.length - 1];
    const [node, i] = top;
    const edges = graph.get(node) ?? [];
    if (i < edges.length) {
      top[1] = i + 1;
      const next = edges[i];
      const c = colour.get(next) ?? 0;
      if (c === 0) {
        colour.set(next, 1);
        stack.push(next);
        work.push([next, 0]);
      } else if (c === 1) {
        const cycle = stack
          .slice(stack.indexOf(next))
          .concat(next)
          .map((f) => relative(root, f));
        problems.push(`import cycle: ${cycle.join(' → ')}`);
      }
    } else {
      colour.set(node, 2);
      stack.pop();
      work.pop();
    }
  }
}
for (const f of files) if (!colour.has(f)) dfs(f);

if (problems.length > 0) {
  console.error(
    `check-layers: ${problems.length} problem(s)\n` + problems.map((p) => `  - ${p}`).join('\n'),
  );
  process.exit(1);
}
console.log(
  `check-layers: ${files.length} files, imports follow supervisors/ → actors/ → services/ → src/ layers, actors/ holds actors, no cycles`,
);

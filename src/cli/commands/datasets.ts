import { basename } from 'node:path';
import { Dataset as Examples, splitIndices } from '../../evaluate/dataset.js';
import type { Dataset, DatasetSplit } from '../../store/index.js';
import { datasetHash, resolveDataset } from '../../store/index.js';
import { CliError } from '../cli-error.js';
import type { CliDeps } from '../cli-deps.js';
import { withFolderStore, type DatasetStoreOptions } from '../dataset-store.js';
import { readExamplesWithLines, type ExamplesFile } from '../jsonl-file.js';
import { renderTable } from '../table.js';
import { programTools } from './program-tools.js';

/** Options every `dspex datasets` subcommand takes. */
export interface DatasetsOptions extends DatasetStoreOptions {
  json?: boolean;
}

/** Options of `dspex datasets add`. */
export interface DatasetsAddOptions extends DatasetsOptions {
  version?: string;
  /** Validate the examples against this program's signature (and take its inputs as `inputKeys`). */
  program?: string;
  /** Input fields of the examples. */
  inputs?: string[];
  description?: string;
  /** With `--program`: examples need only the inputs (no output labels). */
  unlabelled?: boolean;
  /** `name=from:to` index ranges (to exclusive; `from:` runs to the end). */
  split?: string[];
  /** `name=fraction,…`: a seeded split (`--seed`). */
  splitFractions?: string;
  seed?: number;
}

/** Options of `dspex datasets sample`. */
export interface DatasetsSampleOptions extends DatasetsOptions {
  count?: number;
  seed?: number;
  split?: string;
}

/** How many field problems `datasets add` lists before summarizing the rest. */
const MAX_LISTED = 5;

/** Whether an example holds a value for `field` (an empty CSV cell or null counts as missing). */
function has(example: Record<string, unknown>, field: string): boolean {
  const v = example[field];
  return v !== undefined && v !== null && v !== '';
}

/**
 * Checks every example holds the required fields; `usage` naming the file, line and field of the
 * first few that do not (and how many more).
 */
export function checkFields(
  file: ExamplesFile,
  required: { inputs: readonly string[]; outputs: readonly string[] },
): void {
  const problems: string[] = [];
  file.examples.forEach((example, i) => {
    const missing = [
      ...required.inputs.filter((f) => !has(example, f)).map((f) => `input field "${f}"`),
      ...required.outputs.filter((f) => !has(example, f)).map((f) => `output field "${f}"`),
    ];
    if (missing.length > 0) {
      const where = file.lines[i] ? `line ${file.lines[i]}` : `example ${i + 1}`;
      problems.push(`${file.path} ${where}: missing ${missing.join(', ')}`);
    }
  });
  if (problems.length === 0) return;
  const more = problems.length - MAX_LISTED;
  throw new CliError(
    'usage',
    `${problems.length} of ${file.examples.length} examples lack fields:\n  ${problems.slice(0, MAX_LISTED).join('\n  ')}${more > 0 ? `\n  … and ${more} more` : ''}`,
    { details: { path: file.path, problems: problems.length } },
  );
}

/** `--split name=from:to` ranges and `--split-fractions` into stored splits. */
function parseSplits(options: DatasetsAddOptions, size: number): Record<string, DatasetSplit> {
  const splits: Record<string, DatasetSplit> = {};
  for (const spec of options.split ?? []) {
    const m = /^([^=]+)=(\d*):(\d*)$/.exec(spec.trim());
    if (m === null)
      throw new CliError('usage', `--split expects name=from:to (e.g. train=0:80), got '${spec}'`);
    const from = m[2] === '' ? 0 : Number(m[2]);
    const to = m[3] === '' ? size : Number(m[3]);
    splits[m[1] as string] = { from, to };
  }
  if (options.splitFractions !== undefined) {
    const fractions: Record<string, number> = {};
    for (const part of options.splitFractions.split(',')) {
      const [name, value] = part.split('=');
      const f = Number(value);
      if (name === undefined || name.trim() === '' || value === undefined || !Number.isFinite(f))
        throw new CliError(
          'usage',
          `--split-fractions expects name=fraction,… (e.g. train=0.8,dev=0.2), got '${options.splitFractions}'`,
        );
      fractions[name.trim()] = f;
    }
    let parts: Record<string, number[]>;
    try {
      parts = splitIndices(size, fractions, options.seed ?? 0);
    } catch (e) {
      throw new CliError('usage', `--split-fractions: ${(e as Error).message}`, { cause: e });
    }
    for (const [name, indices] of Object.entries(parts)) splits[name] = { indices };
  }
  return splits;
}

/**
 * `dspex datasets add <name> <file> [--version v] [--program P] [--inputs a,b]`: reads JSONL, JSON
 * or CSV, validates it (against the program's signature with `--program`), and stores it as the
 * next version of `name` (or `--version`) with its content hash. The same examples again add
 * nothing: the version already holding them is reported.
 */
export async function datasetsAddCommand(
  deps: CliDeps,
  name: string,
  file: string,
  options: DatasetsAddOptions,
): Promise<number> {
  const { io } = deps;
  const read = readExamplesWithLines(file, io.cwd);
  let inputKeys = options.inputs;
  if (options.program !== undefined) {
    const tools = await programTools(deps, options.program, options.config);
    if (tools.fields === undefined)
      throw new CliError('usage', 'this dspex build cannot read program signatures');
    const fields = tools.fields(options.program);
    inputKeys ??= fields.inputs;
    checkFields(read, {
      inputs: fields.inputs,
      outputs: options.unlabelled === true ? [] : fields.outputs,
    });
  } else if (inputKeys !== undefined) checkFields(read, { inputs: inputKeys, outputs: [] });
  const splits = parseSplits(options, read.examples.length);
  const { dataset, created, where } = await withFolderStore(
    deps.io,
    options,
    async (store, where) => ({
      ...(await store.datasets.add({
        name,
        examples: read.examples as Dataset['examples'],
        source: basename(read.path),
        ...(options.version === undefined ? {} : { version: options.version }),
        ...(options.description === undefined ? {} : { description: options.description }),
        ...(inputKeys === undefined ? {} : { inputKeys }),
        ...(Object.keys(splits).length === 0 ? {} : { splits }),
      })),
      where,
    }),
  );
  const ref = `${dataset.name}@${dataset.version}`;
  if (options.json === true)
    io.stdout.write(
      `${JSON.stringify({ ...summaryOf(dataset), created, store: where }, null, 2)}\n`,
    );
  else if (created)
    io.stdout.write(
      `added ${ref}: ${dataset.examples.length} examples, ${hashOfRecord(dataset)} (${where})\n`,
    );
  else
    io.stdout.write(
      `${ref} already holds these examples (${hashOfRecord(dataset)}); nothing added\n`,
    );
  return 0;
}

function hashOfRecord(d: Dataset): string {
  return d.hash ?? datasetHash(d.examples);
}

/** What `list`, `show` and `add --json` print of a version (everything but the examples). */
function summaryOf(d: Dataset): Record<string, unknown> {
  return {
    name: d.name,
    version: d.version,
    hash: hashOfRecord(d),
    count: d.examples.length,
    ...(d.description === undefined ? {} : { description: d.description }),
    ...(d.source === undefined ? {} : { source: d.source }),
    ...(d.inputKeys === undefined ? {} : { inputKeys: d.inputKeys }),
    fields: fieldCounts(d),
    splits: Object.fromEntries(
      Object.entries(d.splits ?? {}).map(([n, s]) => [
        n,
        'indices' in s ? s.indices.length : s.to - s.from,
      ]),
    ),
    createdAt: d.createdAt,
  };
}

/** Each field and how many examples hold it, in first-seen order. */
function fieldCounts(d: Dataset): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const e of d.examples) for (const k of Object.keys(e)) counts[k] = (counts[k] ?? 0) + 1;
  return counts;
}

/** `dspex datasets list`: every version, newest first (name, version, examples, hash, created). */
export async function datasetsListCommand(
  deps: CliDeps,
  options: DatasetsOptions,
): Promise<number> {
  const items = await withFolderStore(deps.io, options, async (store) => {
    const all: Dataset[] = [];
    let cursor: string | undefined;
    do {
      const page = await store.datasets.list({ limit: 1000, ...(cursor ? { cursor } : {}) });
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor !== undefined);
    return all;
  });
  if (options.json === true) {
    deps.io.stdout.write(`${JSON.stringify(items.map(summaryOf), null, 2)}\n`);
    return 0;
  }
  if (items.length === 0) {
    deps.io.stdout.write('no datasets (add one with `dspex datasets add <name> <file>`)\n');
    return 0;
  }
  const rows = [
    ['NAME', 'VERSION', 'EXAMPLES', 'HASH', 'CREATED', 'SOURCE'],
    ...items.map((d) => [
      d.name,
      d.version,
      String(d.examples.length),
      hashOfRecord(d).slice(0, 19),
      d.createdAt,
      d.source ?? '',
    ]),
  ];
  deps.io.stdout.write(renderTable(rows));
  return 0;
}

/** `dspex datasets show <name[@version]>`: hash, count, fields, splits, created. */
export async function datasetsShowCommand(
  deps: CliDeps,
  ref: string,
  options: DatasetsOptions,
): Promise<number> {
  const { dataset } = await withFolderStore(deps.io, options, (store) =>
    resolveDataset(store, ref),
  );
  const s = summaryOf(dataset);
  if (options.json === true) {
    deps.io.stdout.write(`${JSON.stringify(s, null, 2)}\n`);
    return 0;
  }
  const inputs = new Set(dataset.inputKeys ?? []);
  const lines = [
    `dataset  ${dataset.name}@${dataset.version}`,
    `hash     ${s['hash'] as string}`,
    `examples ${dataset.examples.length}`,
    ...(dataset.description === undefined ? [] : [`about    ${dataset.description}`]),
    ...(dataset.source === undefined ? [] : [`source   ${dataset.source}`]),
    `created  ${dataset.createdAt}`,
    'fields',
    ...Object.entries(fieldCounts(dataset)).map(
      ([f, n]) =>
        `  ${f}${inputs.has(f) ? ' (input)' : dataset.inputKeys === undefined ? '' : ' (label)'}: ${n} of ${dataset.examples.length}`,
    ),
    `splits${Object.keys(dataset.splits ?? {}).length === 0 ? ' (none)' : ''}`,
    ...Object.entries(dataset.splits ?? {}).map(
      ([n, sp]) =>
        `  ${n}: ${'indices' in sp ? `${sp.indices.length} examples (seeded)` : `${sp.to - sp.from} examples [${sp.from}, ${sp.to})`}`,
    ),
  ];
  deps.io.stdout.write(`${lines.join('\n')}\n`);
  return 0;
}

/**
 * `dspex datasets sample <name[@version]> [-n 5] [--seed 0] [--split S]`: `n` examples drawn with
 * the seed (all of them when fewer), one JSON object per line (pipe it into a file for `--data`).
 */
export async function datasetsSampleCommand(
  deps: CliDeps,
  ref: string,
  options: DatasetsSampleOptions,
): Promise<number> {
  const { examples } = await withFolderStore(deps.io, options, (store) =>
    resolveDataset(store, ref, options.split),
  );
  const data = Examples.from(examples);
  const drawn = data.sample(Math.min(options.count ?? 5, data.size), { seed: options.seed ?? 0 });
  deps.io.stdout.write(
    options.json === true
      ? `${JSON.stringify(drawn.toArray(), null, 2)}\n`
      : drawn
          .toArray()
          .map((e) => `${JSON.stringify(e)}\n`)
          .join(''),
  );
  return 0;
}

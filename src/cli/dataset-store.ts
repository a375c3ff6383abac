import { resolve } from 'node:path';
import {
  FileStore,
  RedisStore,
  StoreError,
  resolveDataset,
  type ResolvedDataset,
  type Store,
} from '../store/index.js';
import { CliError } from './cli-error.js';
import type { CliIO } from './cli-io.js';
import { resolveQueueTarget } from './cli-config.js';
import { readExamplesFile } from './jsonl-file.js';
import { assertRedisReachable, redactRedisUrl } from './redis-access.js';

/** Where `dspex datasets` keeps datasets in embedded mode, relative to the working directory. */
export const EMBEDDED_DATASET_STORE = '.dspex/store.json';

/** Options naming the store of datasets (the cluster's Redis, or the folder's file). */
export interface DatasetStoreOptions {
  config?: string;
  redis?: string;
  prefix?: string;
}

/**
 * Opens the store datasets live in: in Redis mode (`--redis`, the config's `redis.url`,
 * `DSPEX_REDIS_URL` or a Redis-mode node of this folder) the cluster's store, which every node reads;
 * otherwise the folder's file store `.dspex/store.json`. `where` says which, for messages. The
 * caller closes the store.
 */
export async function openDatasetStore(
  io: CliIO,
  options: DatasetStoreOptions,
): Promise<{ store: Store; where: string }> {
  const target = await resolveQueueTarget(io, options);
  if (target.redisUrl === undefined) {
    const path = resolve(io.cwd, EMBEDDED_DATASET_STORE);
    return { store: new FileStore({ path }), where: path };
  }
  await assertRedisReachable(target.redisUrl);
  // The key namespace the runtime's own Redis store uses (supervisors/runtime.ts).
  const prefix = `${target.prefix}:store`;
  return {
    store: new RedisStore({ redis: target.redisUrl, prefix }),
    where: `Redis ${redactRedisUrl(target.redisUrl)} (prefix ${target.prefix})`,
  };
}

/**
 * A dataset's failures as the CLI reports them: an unknown dataset, version or split is
 * `not_found` (exit 7), a bad reference or bad examples `usage` (exit 2), each with the store's
 * sentence.
 */
export function datasetCliError(e: unknown): unknown {
  if (!(e instanceof StoreError)) return e;
  if (e.code === 'not_found')
    return new CliError('not_found', e.message, { cause: e, details: { ...e.details } });
  if (e.code === 'invalid_input')
    return new CliError('usage', e.message, { cause: e, details: { ...e.details } });
  if (e.code === 'conflict')
    return new CliError(
      'usage',
      `${e.message}: pick another --version, or leave it out for the next v<n>`,
      { cause: e },
    );
  return e;
}

/**
 * Runs `work` on the folder's store (see {@link openDatasetStore}: the cluster's Redis store in
 * Redis mode, `.dspex/store.json` otherwise) and closes it; store failures become CLI errors
 * ({@link datasetCliError}).
 */
export async function withFolderStore<T>(
  io: CliIO,
  options: DatasetStoreOptions,
  work: (store: Store, where: string) => Promise<T>,
): Promise<T> {
  const { store, where } = await openDatasetStore(io, options);
  try {
    return await work(store, where);
  } catch (e) {
    throw datasetCliError(e);
  } finally {
    await store.close();
  }
}

/**
 * Reads `name[@version]` (optionally one split) from the dataset store of `options`, for
 * `dspex eval --dataset` and `dspex optimize --dataset`; the store is closed before returning.
 * With `opened`, reads that store instead (the caller's, left open).
 */
export async function readDataset(
  io: CliIO,
  options: DatasetStoreOptions,
  ref: string,
  split?: string,
  opened?: Store,
): Promise<ResolvedDataset> {
  if (opened !== undefined)
    return resolveDataset(opened, ref, split).catch((e: unknown) => {
      throw datasetCliError(e);
    });
  return withFolderStore(io, options, (store) => resolveDataset(store, ref, split));
}

/** Examples from a data file or a stored dataset, with the dataset's link and input keys. */
export interface ExamplesSource {
  examples: Record<string, unknown>[];
  link?: ResolvedDataset['link'];
  inputKeys?: string[];
}

/**
 * The examples of a command that takes a data file (`--data`, `--trainset`) or a stored dataset
 * (`--dataset name[@version]`, optionally `--split`): exactly one of them, else `usage` naming
 * both options.
 */
export async function examplesFrom(
  io: CliIO,
  options: DatasetStoreOptions,
  source: { file: string | undefined; dataset: string | undefined; split: string | undefined },
  names: { file: string; dataset: string },
  opened?: Store,
): Promise<ExamplesSource> {
  if (source.file !== undefined && source.dataset !== undefined)
    throw new CliError('usage', `give ${names.file} or ${names.dataset}, not both`);
  if (source.dataset !== undefined) {
    const { dataset, examples, link } = await readDataset(
      io,
      options,
      source.dataset,
      source.split,
      opened,
    );
    return {
      examples,
      link,
      ...(dataset.inputKeys === undefined ? {} : { inputKeys: dataset.inputKeys }),
    };
  }
  if (source.split !== undefined)
    throw new CliError('usage', `--split selects a split of ${names.dataset}; it needs one`);
  if (source.file === undefined)
    throw new CliError(
      'usage',
      `give the examples: ${names.file} FILE or ${names.dataset} NAME[@VERSION]`,
    );
  return { examples: readExamplesFile(source.file, io.cwd) };
}

/** `--trainset FILE` or `--dataset NAME[@VERSION] [--split S]` of `dspex optimize`. */
export function trainingExamples(
  io: CliIO,
  options: DatasetStoreOptions & { trainset?: string; dataset?: string; split?: string },
): Promise<ExamplesSource> {
  return examplesFrom(
    io,
    options,
    { file: options.trainset, dataset: options.dataset, split: options.split },
    { file: '--trainset', dataset: '--dataset' },
  );
}

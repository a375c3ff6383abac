import { watch, type FSWatcher } from 'node:fs';
import { basename, dirname } from 'node:path';
import type { ProgramCatalog } from '../services/index.js';
import type { ReloadOutcome } from '../src/contracts/index.js';
import type { Metric } from '../src/evaluate/index.js';
import type { Logger } from '../src/telemetry/index.js';
import type { PipelineTable } from './pipelines.js';
import { loadProgramsModule, programsHash, type ProgramsSource } from './programs-module.js';

/** What one `reload()` did (declared in src/contracts). */
export type { ReloadOutcome };

/** Reloads after which each further one logs a warning: ESM never unloads a module version. */
export const RELOAD_WARN_AFTER = 50;

/** What the reloader changes besides the catalog, and whom it tells. */
export interface ReloaderHooks {
  /** The node's metric table: extension metrics of the old version out, the new ones in. */
  metricTable: Map<string, Metric>;
  logger: Logger;
  /**
   * The node's hosted pipelines: a new version's `pipelines` export is checked before the swap (a
   * changed set of names or stage graph fails the reload) and swapped in with the programs.
   */
  pipelines?: PipelineTable;
  /** After a swap: register the new programs' signatures and variable spaces (best effort). */
  afterSwap?: (catalog: ProgramCatalog) => Promise<void>;
  emit: (
    event: { type: 'programs_reloaded' | 'programs_reload_failed' } & Record<string, unknown>,
  ) => void;
  now?: () => number;
}

/**
 * Hot code loading for a node (OTP's code change, for the programs module): loads and validates a
 * new version completely, then swaps it into the catalog in one step. Executions that already
 * read their program finish on the old one (the ProgramCache keys its entries by the base
 * module, so the new version is a miss); the next jobs read the new one. A version that fails to
 * load changes nothing but the catalog's `lastError`. Reloads run one at a time.
 */
export class ProgramsReloader {
  private chain: Promise<unknown> = Promise.resolve();
  private watcher: FSWatcher[] = [];
  private debounce: NodeJS.Timeout | undefined;
  /** Versions imported so far (successful or not): each stays in memory for the process's life. */
  private imported = 1;

  constructor(
    private readonly catalog: ProgramCatalog,
    private readonly source: ProgramsSource | undefined,
    private readonly hooks: ReloaderHooks,
  ) {}

  /** Loads the programs module again; see {@link ReloadOutcome}. Never throws. */
  reload(): Promise<ReloadOutcome> {
    const run = this.chain.then(() => this.reloadNow());
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async reloadNow(): Promise<ReloadOutcome> {
    const now = this.hooks.now ?? Date.now;
    const log = this.hooks.logger;
    const current = this.catalog.version;
    if (this.source === undefined) {
      const error =
        'this node was given its programs inline (not a programs module file): nothing to reload';
      return { ok: false, error, version: current };
    }
    const hash = programsHash(this.source);
    if (hash === current.hash && current.lastError === undefined)
      return { ok: true, result: 'unchanged', version: current, programs: this.catalog.names() };
    this.imported += 1;
    if (this.imported > RELOAD_WARN_AFTER)
      log.warn(
        { imported: this.imported },
        `programs module imported ${this.imported} times: ESM never unloads a module, so every version stays in memory; restart the node to free it`,
      );
    let loaded;
    try {
      loaded = await loadProgramsModule(this.source, current.version + 1, {
        now,
        importCount: this.imported,
      });
      this.hooks.pipelines?.check(loaded.pipelines, loaded.catalog);
    } catch (cause) {
      const error = (cause as Error).message;
      this.catalog.recordFailure({ message: error, at: now(), hash });
      log.error(
        { err: cause, served: current.version },
        `programs reload failed; version ${current.version} keeps serving`,
      );
      this.hooks.emit({ type: 'programs_reload_failed', error, version: current.version });
      return { ok: false, error, version: this.catalog.version };
    }
    const next = loaded.catalog;
    const previousMetrics = this.catalog.extensions.registered().metrics;
    const previous = this.catalog.swap(next);
    this.hooks.pipelines?.swap(loaded.pipelines);
    for (const name of previousMetrics) this.hooks.metricTable.delete(name);
    for (const [name, metric] of Object.entries(loaded.metrics))
      this.hooks.metricTable.set(name, metric);
    const version = this.catalog.version;
    log.info(
      {
        version: version.version,
        hash: version.hash,
        previous: previous.version,
        programs: this.catalog.names(),
      },
      'programs module reloaded',
    );
    this.hooks.emit({
      type: 'programs_reloaded',
      version: version.version,
      hash: version.hash,
      previous: previous.version,
    });
    await this.hooks
      .afterSwap?.(this.catalog)
      .catch((err: unknown) =>
        log.warn({ err }, 'registering the reloaded programs failed (they serve anyway)'),
      );
    return { ok: true, result: 'reloaded', version, previous, programs: this.catalog.names() };
  }

  /**
   * Development: reloads when the programs module or a plugin file changes (`fs.watch`, debounced
   * by `debounceMs`: editors write a file in several steps). Returns the stop function.
   */
  watch(debounceMs = 200): () => void {
    if (this.source === undefined) return () => undefined;
    const log = this.hooks.logger;
    const trigger = (): void => {
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => {
        void this.reload().then((r) => {
          if (r.ok && r.result === 'reloaded')
            log.info({ version: r.version.version }, 'watch: programs module reloaded');
        });
      }, debounceMs);
      this.debounce.unref();
    };
    // The folders are watched, not the files: an editor that saves by renaming replaces the inode.
    const files = [this.source.file, ...this.source.plugins];
    for (const dir of new Set(files.map((f) => dirname(f))))
      try {
        const names = new Set(files.filter((f) => dirname(f) === dir).map((f) => basename(f)));
        const w = watch(dir, { persistent: false }, (_event, name) => {
          if (name !== null && names.has(String(name))) trigger();
        });
        w.on('error', (err) => log.warn({ err, dir }, 'watch: cannot watch the folder any more'));
        this.watcher.push(w);
      } catch (err) {
        log.warn({ err, dir }, 'watch: cannot watch the folder');
      }
    return () => {
      clearTimeout(this.debounce);
      for (const w of this.watcher) w.close();
      this.watcher = [];
    };
  }
}

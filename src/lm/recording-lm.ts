import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { BaseLM, type BaseLMOptions } from './base-lm.js';
import { requestCacheKey } from './cache-key.js';
import { LMError } from './lm-error.js';
import type { ProviderResult } from './provider-result.js';
import type { LM, LMChoice, LMParams, LMRequest } from './types.js';

/** How a {@link RecordingLM} treats requests. */
export type RecordingMode = 'record' | 'replay' | 'auto';

/** Options of {@link RecordingLM}. */
export interface RecordingLMOptions extends Omit<BaseLMOptions, 'cache' | 'params'> {
  /** JSON file holding the recordings (created on the first record). */
  path: string;
  /** The LM to record from; optional in `replay` mode (provider and model then come from the file). */
  lm?: LM;
  /**
   * `replay`: only recorded requests, never the network (an unknown request fails with
   * `bad_request`, details.reason `not_recorded`); `record`: always call the LM and (re)record;
   * `auto` (default): replay when recorded, else record.
   */
  mode?: RecordingMode;
}

/** One recorded exchange. */
export interface Recording {
  request: Record<string, unknown>;
  response: { choices: LMChoice[]; model: string; usage: ProviderResult['usage'] };
}

/** The file format: stable and diff-friendly JSON. */
export interface RecordingFile {
  version: 1;
  provider: string;
  model: string;
  /** The recorded LM's default params: part of every key, so a replay without the LM needs them. */
  params: LMParams;
  entries: Record<string, Recording>;
}

interface Store {
  file: RecordingFile;
  path: string;
}

function loadStore(path: string, lm: LM | undefined): Store {
  if (existsSync(path)) {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as RecordingFile;
    if (parsed.version !== 1 || typeof parsed.entries !== 'object') {
      throw new TypeError(`${path} is not a dspex LM recording (version 1)`);
    }
    return { file: parsed, path };
  }
  if (lm === undefined) throw new TypeError(`no recording at ${path} and no LM to record from`);
  return {
    file: {
      version: 1,
      provider: lm.provider,
      model: lm.model,
      params: { ...lm.params },
      entries: {},
    },
    path,
  };
}

/**
 * Records an LM's request/response pairs to a JSON file and replays them without a network, keyed
 * by the same SHA-256 request key as the response cache — so a recorded example or test runs
 * deterministically offline, and a changed prompt shows up as a missing recording. Replays go
 * through the normal pipeline: callbacks, history and usage trackers see them like live calls
 * (with the recorded usage), but they are never `cached`.
 *
 * @example
 * ```ts
 * const lm = new RecordingLM({ lm: openai({ model: 'gpt-4o-mini' }), path: 'examples/qa.recording.json' });
 * // CI: new RecordingLM({ path: 'examples/qa.recording.json', mode: 'replay' })
 * ```
 */
export class RecordingLM extends BaseLM {
  readonly provider: string;
  readonly mode: RecordingMode;
  private readonly inner: LM | undefined;
  private readonly store: Store;
  private readonly config: RecordingLMOptions;

  constructor(options: RecordingLMOptions, store?: Store) {
    const st = store ?? loadStore(options.path, options.lm);
    super(options.lm?.model ?? st.file.model, {
      ...options,
      params: options.lm?.params ?? st.file.params ?? {},
      cache: false,
      // The wrapped LM retries; a replay cannot fail transiently.
      retry: { ...options.retry, maxAttempts: 1 },
    });
    this.provider = options.lm?.provider ?? st.file.provider;
    this.mode = options.mode ?? 'auto';
    this.inner = options.lm;
    this.store = st;
    this.config = options;
    if (this.mode !== 'replay' && this.inner === undefined) {
      throw new TypeError(`RecordingLM in ${this.mode} mode needs an \`lm\` to record from`);
    }
  }

  /** Number of recorded exchanges. */
  get size(): number {
    return Object.keys(this.store.file.entries).length;
  }

  protected clone(model: string, params: LMParams): LM {
    const lm = this.inner?.copy({ ...params, model });
    return new RecordingLM({ ...this.config, ...(lm === undefined ? {} : { lm }) }, this.store);
  }

  protected async send(req: LMRequest): Promise<ProviderResult> {
    const key = requestCacheKey(this.provider, this.model, req);
    const hit = this.store.file.entries[key];
    if (hit !== undefined && this.mode !== 'record') {
      return {
        choices: hit.response.choices.map((c) => ({ ...c })),
        usage: hit.response.usage,
        model: hit.response.model,
      };
    }
    if (this.mode === 'replay' || this.inner === undefined) {
      throw new LMError('bad_request', `no recording for this request in ${this.store.path}`, {
        details: { provider: this.provider, reason: 'not_recorded', key },
      });
    }
    // Recordings must hold real responses (with usage), never cache hits.
    const live = { ...req, cache: false };
    const res =
      this.inner instanceof BaseLM
        ? await this.inner.completeUnobserved(live)
        : await this.inner.complete(live);
    const { signal: _s, timeoutMs: _t, cache: _c, ...request } = req;
    this.store.file.entries[key] = {
      request: request as Record<string, unknown>,
      response: {
        choices: res.choices,
        model: res.model,
        usage:
          res.usage === null
            ? null
            : {
                promptTokens: res.usage.promptTokens,
                completionTokens: res.usage.completionTokens,
              },
      },
    };
    this.save();
    return {
      choices: res.choices,
      usage: this.store.file.entries[key].response.usage,
      model: res.model,
    };
  }

  /** Writes the recordings (atomically: a temp file renamed over the old one). */
  save(): void {
    const tmp = `${this.store.path}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(this.store.file, null, 2) + '\n');
    renameSync(tmp, this.store.path);
  }
}

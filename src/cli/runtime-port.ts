import type { LoadedConfig } from '../config/index.js';
import type {
  CliRuntime,
  EvaluateRequestData,
  OptimizationProgressView,
  OptimizeRequestData,
  RunResult,
} from '../contracts/index.js';
import type { Store } from '../store/index.js';
import type { Logger } from '../telemetry/index.js';

export type {
  CliRuntime,
  DatasetLinkView,
  FrontPointView,
  VariableSearchRequestView,
  VariableSearchView,
  VariableView,
} from '../contracts/index.js';
/** What a program run returns (the `dspex-run` job's return value). */
export type RunResultView = RunResult;
/** What `dspex eval` asks of the runtime. */
export type EvaluateRequestView = EvaluateRequestData;
/** What `dspex optimize` asks of the runtime. */
export type OptimizeRequestView = OptimizeRequestData;
/** An optimization run as `dspex optimize` follows it. */
export type OptimizationRunView = OptimizationProgressView;

/** Why the CLI starts a runtime: a long-running daemon, or one command (`run`, `eval`, `optimize`). */
export type RuntimePurpose = 'daemon' | 'oneshot';

/**
 * Starts a runtime from a loaded configuration: injected by supervisors/cli-main.ts (which wires
 * `startRuntime`), so src/cli never imports the framework, actors/ or supervisors/.
 */
export type RuntimeFactory = (
  loaded: LoadedConfig,
  options: {
    logger: Logger;
    purpose: RuntimePurpose;
    /** A store to use instead of the mode's own (the caller closes it): `optimize` passes Redis's. */
    store?: Store;
  },
) => Promise<CliRuntime>;

/**
 * What the daemon needs from a runtime: the {@link DaemonRuntime} surface of src/contracts (a
 * structural subset of the `Runtime` that `startRuntime` returns), so the daemon stays generic.
 * The names are kept here for the daemon's public exports.
 */
export type {
  DaemonRuntime,
  ProgramsVersionView,
  RegisteredNamesView,
  ReloadResultView,
  JobListingView,
  JobView,
  OptimizationRunView,
  EvaluationView,
  RunStoreView,
  RuntimeEventView,
  RuntimeSnapshotView,
  TreeNodeView,
} from '../contracts/index.js';

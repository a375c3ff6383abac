export { runCli, buildProgram, positiveInt, commaList } from './program.js';
export { CliError, EXIT_CODES, EXIT_CODES_HELP } from './cli-error.js';
export type { CliErrorCode } from './cli-error.js';
export type { CliDeps } from './cli-deps.js';
export { processIO } from './cli-io.js';
export type { CliIO, OutputStream } from './cli-io.js';
export type {
  CliRuntime,
  EvaluateRequestView,
  OptimizationRunView,
  OptimizeRequestView,
  RunResultView,
  RuntimeFactory,
  RuntimePurpose,
} from './runtime-port.js';
export { parseJson, parseJsonObject, locateJsonError } from './json-input.js';
export type { JsonErrorPosition } from './json-input.js';
export { readExamplesFile } from './jsonl-file.js';
export {
  renderTree,
  renderNode,
  renderNodeHeader,
  formatDuration,
  formatStateValue,
} from './tree-render.js';
export type { NodeHeader } from './tree-render.js';
export { renderBanner } from './commands/start.js';
export type { BannerFacts } from './commands/start.js';
export { renderJobTable, parseJobState } from './commands/jobs.js';
export { renderNodes } from './commands/inspect.js';
export { createProgress } from './progress.js';
export type { ProgressReporter } from './progress.js';
export { progressOf } from './progress-events.js';
export type { ProgressPoint } from './progress-events.js';
export { redactRedisUrl } from './redis-access.js';
export { toCliError } from './runtime-errors.js';

export { SANDBOX_DEFAULTS, runInSandbox } from './js-sandbox.js';
export type {
  SandboxFailureKind,
  SandboxOptions,
  SandboxResult,
  SandboxTool,
} from './js-sandbox.js';

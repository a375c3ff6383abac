export { SANDBOX_DEFAULTS, openSandboxSession, runInSandbox } from './js-sandbox.js';
export type {
  ExecuteOptions,
  SandboxFailureKind,
  SandboxOptions,
  SandboxResult,
  SandboxSession,
  SandboxTool,
} from './js-sandbox.js';

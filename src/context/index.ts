export type { Callback, InvocationContext, UsageTotals } from './invocation-context.js';
export {
  UsageTracker,
  currentContext,
  emitCallback,
  mergeContext,
  runWithContext,
  setGlobalContext,
} from './invocation-context.js';

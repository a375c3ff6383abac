/**
 * Async scopes, the lowest rank of src (under rank 0)/: the process's one AsyncLocalStorage, shared by the kernel's fault
 * scopes and the framework's invocation context through typed slots ({@link scopeSlot}).
 */
export { scopeSlot } from './async-scope.js';
export type { ScopeSlot } from './async-scope.js';

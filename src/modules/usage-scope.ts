/**
 * Key, in the invocation context's `values`, of the usage tracker opened by the outermost
 * `Module.call()`. Nested calls see it and add to it; `batch()` clears it per item so every item
 * gets its own prediction-level usage while outer trackers still see the totals.
 * @internal
 */
export const USAGE_SCOPE = 'dspex.modules.usageScope';

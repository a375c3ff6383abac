import type { Module } from '../modules/module.js';
import type { Signature } from '../signatures/index.js';
import type { Metric } from './metric.js';

/** The signature with each named field's description replaced (DSPy's judges declare them inline). */
export function describeFields(sig: Signature, descs: Record<string, string>): Signature {
  let out = sig;
  for (const [name, desc] of Object.entries(descs)) out = out.withUpdatedFields(name, { desc });
  return out;
}

/**
 * An LM judge module (called with `{ example, prediction, trace? }`, answering a `score`) as a
 * {@link Metric} named `name`: DSPy names the result column after the judge's class.
 */
export function judgeMetric(judge: Module, name: string): Metric {
  const metric: Metric = async (example, prediction, trace) => {
    const result = await judge.call({
      example,
      prediction,
      ...(trace === undefined ? {} : { trace }),
    });
    return result.get('score') as number | boolean;
  };
  Object.defineProperty(metric, 'name', { value: name });
  return metric;
}

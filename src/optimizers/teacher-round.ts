import { passes, type Metric } from '../evaluate/metric.js';
import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor, TraceEntry } from '../modules/parameter.js';
import { context, currentSettings, type Settings } from '../modules/settings.js';
import { demosFromTrace } from './bootstrap-trace.js';
import { rolloutLm } from './rollout-lm.js';

/** The outcome of one teacher run on one train example. */
export type RoundOutcome =
  | { kind: 'success'; demos: Map<string, Example[]> }
  | { kind: 'failure' }
  | { kind: 'error'; error: unknown };

/** What a round needs from the optimizer's options. */
export interface RoundSettings {
  metric?: Metric;
  metricThreshold?: number;
  teacherSettings?: Settings;
}

/**
 * DSPy's `context(trace=[], **teacher_settings)`. Callbacks given in the teacher settings are
 * added to the current ones rather than replacing them, so the run's LM-call counting still sees
 * the teacher's calls.
 */
function teacherContext(teacherSettings: Settings | undefined, trace: TraceEntry[]): Settings {
  const settings: Settings = { ...teacherSettings, trace };
  const extra = teacherSettings?.callbacks;
  if (extra !== undefined) settings.callbacks = [...currentSettings().callbacks, ...extra];
  return settings;
}

/**
 * DSPy's `_bootstrap_one_example`: runs the teacher on `example` (rounds after the first at
 * temperature 1.0 with `rolloutId = round`), judges the trace with the metric, and turns an
 * accepted trace into demos. Never throws: a failing program or metric is an `error` outcome that
 * the caller charges to the error budget in train order.
 */
export async function runTeacherRound(
  teacher: Module,
  example: Example,
  round: number,
  settings: RoundSettings,
  metricCalls: { count: number },
): Promise<RoundOutcome> {
  // DSPy removes the example from the teacher's demos for the duration of the call; mutating a
  // shared teacher would race under concurrency, so each attempt runs its own copy.
  const runner = teacher.deepCopy();
  const runnerNames = new Map<Predictor, string>();
  for (const [name, predictor] of runner.namedPredictors()) {
    runnerNames.set(predictor, name);
    predictor.demos = predictor.demos.filter((d) => !(d instanceof Example && d.equals(example)));
  }
  const trace: TraceEntry[] = [];
  try {
    const prediction = await context(teacherContext(settings.teacherSettings, trace), () => {
      const lm = currentSettings().lm;
      const call = () => runner.call(example.inputs().toDict());
      return round > 0 && lm !== undefined ? context({ lm: rolloutLm(lm, round) }, call) : call();
    });
    let success = true;
    if (settings.metric !== undefined) {
      metricCalls.count++;
      success = passes(await settings.metric(example, prediction, trace), settings.metricThreshold);
    }
    if (!success) return { kind: 'failure' };
    return { kind: 'success', demos: demosFromTrace(trace, runnerNames) };
  } catch (error) {
    return { kind: 'error', error };
  }
}

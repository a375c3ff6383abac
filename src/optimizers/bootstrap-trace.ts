import { createHash } from 'node:crypto';

import { Example } from '../modules/example.js';
import type { Module } from '../modules/module.js';
import type { Predictor, TraceEntry } from '../modules/parameter.js';
import { OptimizerError } from './optimizer-error.js';
import { pythonRandom } from './python-random.js';

/** Per predictor name, the demos of one accepted trace (DSPy keeps one step per predictor). */
export function demosFromTrace(
  trace: readonly TraceEntry[],
  names: ReadonlyMap<Predictor, string>,
): Map<string, Example[]> {
  const byName = new Map<string, Example[]>();
  for (const step of trace) {
    const name = names.get(step.predictor);
    if (name === undefined) continue; // a predictor outside the program (DSPy skips it too)
    const demo = new Example({
      augmented: true,
      ...step.inputs,
      ...Object.fromEntries(step.prediction.items()),
    });
    const list = byName.get(name) ?? [];
    list.push(demo);
    byName.set(name, list);
  }
  for (const [name, demos] of byName) {
    if (demos.length > 1) {
      // DSPy: 50% a random earlier step, else the last, seeded by a hash of the steps. DSPy hashes
      // the pickled demos; we hash their JSON (same rule, different seed bytes).
      const rng = pythonRandom(createHash('sha256').update(JSON.stringify(demos)).digest('hex'));
      byName.set(name, [
        rng.random() < 0.5 ? rng.choice(demos.slice(0, -1)) : demos[demos.length - 1]!,
      ]);
    }
  }
  return byName;
}

/** Maps names between student and teacher, checking they have the same structure (DSPy asserts). */
export function predictorNames(student: Module, teacher: Module): Set<string> {
  const s = student.namedPredictors();
  const t = teacher.namedPredictors();
  if (s.length !== t.length) {
    throw new OptimizerError(
      'program_mismatch',
      'Student and teacher must have the same number of predictors.',
      {
        details: { student: s.length, teacher: t.length },
      },
    );
  }
  const names = new Set<string>();
  s.forEach(([name, predictor], i) => {
    const [teacherName, teacherPredictor] = t[i]!;
    if (name !== teacherName) {
      throw new OptimizerError(
        'program_mismatch',
        'Student and teacher must have the same program structure.',
        {
          details: { student: name, teacher: teacherName },
        },
      );
    }
    if (!predictor.signature.equals(teacherPredictor.signature)) {
      throw new OptimizerError(
        'program_mismatch',
        `Student and teacher must have the same signatures (${name}).`,
        {
          details: { predictor: name },
        },
      );
    }
    names.add(name);
  });
  return names;
}

import type { Configuration } from './variable.js';

/** A point of a search as the run record keeps it (and the dashboard and CLI read it). */
export interface FrontPointRecord {
  /** Id of its stored VariableConfiguration (front points only): `dspex deploy --configuration`. */
  configurationId?: string;
  configuration: Configuration;
  quality: number;
  /** USD per example. */
  cost: number;
  latencyMs: number;
  latencyP95Ms: number;
  /** Full-devset evaluations spent on it. */
  evaluations: number;
  /** Examples it ran on. */
  examples: number;
  /** Whether it ran on the whole devset. */
  complete: boolean;
  lmCalls: number;
  /** USD spent on it (all its examples). */
  dollars: number;
  /**
   * The chosen instruction texts and demos of its instruction and demo variables (front points
   * of searches whose programs have them): they deploy with the values.
   */
  candidates?: Record<string, string | Record<string, unknown>[]>;
}

/** The front points of a run record's `result` (points, or the configuration ids of old runs). */
export function frontPointsOf(result: unknown): FrontPointRecord[] {
  const front = (result as { front?: unknown } | null | undefined)?.front;
  if (!Array.isArray(front)) return [];
  return front.filter(
    (p): p is FrontPointRecord =>
      typeof p === 'object' &&
      p !== null &&
      typeof (p as FrontPointRecord).quality === 'number' &&
      typeof (p as FrontPointRecord).cost === 'number',
  );
}

import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/**
 * The Prometheus metrics of one runtime node, in their own registry (never prom-client's global one,
 * so several runtimes embedded in one process do not collide).
 */
export class RuntimeMetrics {
  readonly registry = new Registry();
  readonly jobsTotal = new Counter({
    name: 'dspex_jobs_total',
    help: 'Jobs finished by this node, by queue and outcome',
    labelNames: ['queue', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly jobDuration = new Histogram({
    name: 'dspex_job_duration_seconds',
    help: 'Job handling time on this node',
    labelNames: ['queue'] as const,
    buckets: [0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [this.registry],
  });
  readonly jobsInFlight = new Gauge({
    name: 'dspex_jobs_in_flight',
    help: 'Jobs being handled now',
    labelNames: ['queue'] as const,
    registers: [this.registry],
  });
  readonly restarts = new Counter({
    name: 'dspex_actor_restarts_total',
    help: 'Child restarts performed by supervisors',
    labelNames: ['supervisor', 'child'] as const,
    registers: [this.registry],
  });
  readonly lmCalls = new Counter({
    name: 'dspex_lm_calls_total',
    help: 'LM calls by provider, model and outcome',
    labelNames: ['provider', 'model', 'outcome'] as const,
    registers: [this.registry],
  });
  readonly lmTokens = new Counter({
    name: 'dspex_lm_tokens_total',
    help: 'LM tokens by provider, model and direction',
    labelNames: ['provider', 'model', 'direction'] as const,
    registers: [this.registry],
  });
  readonly circuitState = new Gauge({
    name: 'dspex_circuit_open',
    help: '1 while the circuit breaker of a provider/model is open or half-open',
    labelNames: ['key'] as const,
    registers: [this.registry],
  });

  /** The Prometheus text exposition of every metric. */
  render(): Promise<string> {
    return this.registry.metrics();
  }
}

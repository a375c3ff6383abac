export { REDACTED_PATHS, createLogger, silentLogger } from './logger.js';
export type { Logger } from './logger.js';
export { RuntimeMetrics } from './metrics.js';
export {
  SpanKind,
  TRACER_NAME,
  activeTraceContext,
  contextWithSpan,
  extractTraceContext,
  failSpan,
  inSpan,
  otelRegistered,
  injectTraceContext,
  setTracingEnabled,
  traceContextOfHeaders,
  tracer,
  tracingEnabled,
} from './tracing.js';
export type { Span, TraceCarrier, TraceContext } from './tracing.js';
export type { Tracing, TracingOptions } from './otel-sdk.js';

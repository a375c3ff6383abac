import {
  INVALID_SPAN_CONTEXT,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
} from '@opentelemetry/api';

/** Name of the tracer of every dspex span. */
export const TRACER_NAME = 'dspex';

/** W3C trace context as it travels in job data (`trace: { traceparent }`, DESIGN §5 optional field). */
export interface TraceCarrier {
  traceparent: string;
  tracestate?: string;
}

export { SpanKind };
export type { Context as TraceContext, Span };

/** The dspex tracer (the `@opentelemetry/api` no-op one until an SDK is registered). */
export function tracer() {
  return trace.getTracer(TRACER_NAME);
}

/**
 * Where `@opentelemetry/api` 1.x keeps what was registered globally (tracer provider, context
 * manager, propagator…): an SDK, ours or an embedder's, registers there.
 */
const OTEL_GLOBALS = Symbol.for('opentelemetry.js.api.1');

/**
 * Whether an OpenTelemetry SDK registered a tracer provider or a context manager. Without either,
 * a span is non-recording and a context switch does nothing, so {@link inSpan} skips both.
 */
export function otelRegistered(): boolean {
  const api = (globalThis as Record<symbol, { trace?: unknown; context?: unknown } | undefined>)[
    OTEL_GLOBALS
  ];
  return api !== undefined && (api.trace !== undefined || api.context !== undefined);
}

/** The span handed to {@link inSpan}'s function when nothing is registered. */
const NOOP_SPAN: Span = trace.wrapSpanContext(INVALID_SPAN_CONTEXT);

/** The active trace context (to hand to work that runs in another async scope). */
export function activeTraceContext(): Context {
  return context.active();
}

let enabled = false;

/**
 * Whether dspex records its detailed spans (module and LM spans through run callbacks): set by
 * `startTracing`, or by an embedder who registered their own OpenTelemetry SDK. Off, the run path
 * adds no callbacks (the coarse spans then go to the no-op tracer at no cost).
 */
export function setTracingEnabled(on: boolean): void {
  enabled = on;
}

/** See {@link setTracingEnabled}. */
export function tracingEnabled(): boolean {
  return enabled;
}

/** `parent` with `span` as its active span (to parent further spans on it). */
export function contextWithSpan(parent: Context, span: Span): Context {
  return trace.setSpan(parent, span);
}

/** Records an error on `span` (status ERROR, exception event). */
export function failSpan(span: Span, error: unknown): void {
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
  if (error instanceof Error) span.recordException(error);
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') span.setAttribute('error.type', code);
}

/**
 * Runs `fn` inside a new active span (a child of `parent`, default the active context), ending it
 * when `fn` settles; an error sets the span's status and is rethrown.
 *
 * @example
 * ```ts
 * await inSpan('program qa', { attributes: { 'dspex.program': 'qa' } }, () => program.call(inputs));
 * ```
 */
export function inSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  // Nothing registered: the span and the context switch would both be no-ops (per job, twice).
  if (!otelRegistered()) {
    try {
      return fn(NOOP_SPAN);
    } catch (error) {
      return Promise.reject(error);
    }
  }
  return inRecordedSpan(name, options, fn);
}

async function inRecordedSpan<T>(
  name: string,
  options: { kind?: SpanKind; attributes?: Attributes; parent?: Context },
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = tracer().startSpan(
    name,
    {
      ...(options.kind === undefined ? {} : { kind: options.kind }),
      ...(options.attributes === undefined ? {} : { attributes: options.attributes }),
    },
    parent,
  );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    failSpan(span, error);
    throw error;
  } finally {
    span.end();
  }
}

/**
 * The W3C trace context of `ctx` (default: the active one) for job data, or undefined when nothing
 * is traced (no SDK: the no-op propagator writes nothing).
 */
export function injectTraceContext(ctx: Context = context.active()): TraceCarrier | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  const traceparent = carrier['traceparent'];
  if (traceparent === undefined) return undefined;
  return {
    traceparent,
    ...(carrier['tracestate'] === undefined ? {} : { tracestate: carrier['tracestate'] }),
  };
}

/** The trace context carried by job data's `trace` field (root when absent or malformed). */
export function extractTraceContext(carrier: unknown): Context {
  if (carrier === null || typeof carrier !== 'object') return ROOT_CONTEXT;
  const { traceparent, tracestate } = carrier as Record<string, unknown>;
  if (typeof traceparent !== 'string') return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, {
    traceparent,
    ...(typeof tracestate === 'string' ? { tracestate } : {}),
  });
}

/** The trace context of HTTP request headers (`traceparent`, `tracestate`), over `base`. */
export function traceContextOfHeaders(
  header: (name: string) => string | undefined,
  base: Context = context.active(),
): Context {
  const traceparent = header('traceparent');
  if (traceparent === undefined) return base;
  const tracestate = header('tracestate');
  return propagation.extract(base, {
    traceparent,
    ...(tracestate === undefined ? {} : { tracestate }),
  });
}

import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { NodeTracerProvider } from '@opentelemetry/sdk-trace-node';
import { setTracingEnabled } from './tracing.js';

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** OTLP/HTTP traces endpoint (default: the exporter's, `http://localhost:4318/v1/traces`). */
  endpoint?: string;
  /** `service.name` (default `dspex`). */
  serviceName?: string;
  /** `service.instance.id`: the node id. */
  nodeId?: string;
  /** Span processors to use instead of batching to the OTLP exporter (tests: an in-memory exporter). */
  spanProcessors?: SpanProcessor[];
}

/** A registered tracer provider. */
export interface Tracing {
  /** Exports the spans still buffered. */
  flush(): Promise<void>;
  /** Flushes, then unregisters nothing but stops exporting (call at process end). */
  shutdown(): Promise<void>;
}

/**
 * Registers the OpenTelemetry SDK for this process: a Node tracer provider (AsyncLocalStorage
 * context, W3C trace-context propagation) whose spans are batched to an OTLP/HTTP (JSON) exporter,
 * and turns on dspex's detailed spans ({@link setTracingEnabled}). Config `telemetry.otel`.
 *
 * @example
 * ```ts
 * const tracing = startTracing({ endpoint: 'http://127.0.0.1:4318/v1/traces', nodeId: 'node-a' });
 * // … runs …
 * await tracing.shutdown();
 * ```
 */
export function startTracing(options: TracingOptions = {}): Tracing {
  const processors = options.spanProcessors ?? [
    new BatchSpanProcessor(
      new OTLPTraceExporter(options.endpoint === undefined ? {} : { url: options.endpoint }),
      { scheduledDelayMillis: 500 },
    ),
  ];
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({
      'service.name': options.serviceName ?? 'dspex',
      ...(options.nodeId === undefined ? {} : { 'service.instance.id': options.nodeId }),
    }),
    spanProcessors: processors,
  });
  provider.register();
  setTracingEnabled(true);
  return {
    flush: () => provider.forceFlush(),
    shutdown: async () => {
      setTracingEnabled(false);
      await provider.shutdown();
    },
  };
}

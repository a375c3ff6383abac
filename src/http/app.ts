import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import { z } from 'zod';
import { SpanKind, inSpan, traceContextOfHeaders } from '../telemetry/index.js';
import { bearerMatches } from './auth.js';
import { optimizationJobSchema, runJobProblem } from '../contracts/index.js';
import { HttpError, errorReply } from './errors.js';
import { openApiDocument } from './openapi.js';
import type { HttpEvaluateRequest, HttpOptimizeRequest, HttpRuntime } from './runtime-port.js';

/** Options of {@link createHttpApp}. */
export interface HttpAppOptions {
  runtime: HttpRuntime;
  /** Bearer tokens; when non-empty every `/v1` route but the OpenAPI document requires one. */
  tokens?: readonly string[];
  /** Longest a synchronous run may take, ms (a request's `deadlineMs` may only lower it). Default 60 000. */
  runDeadlineMs?: number;
  /** `Retry-After` (seconds) of a 429 when the node's worker slots are full. Default 1. */
  retryAfterSeconds?: number;
  /** Most `dspex-run` jobs waiting in the queue before `POST …/jobs` answers 429. Default 10 000. */
  maxQueuedJobs?: number;
  /** Largest request body, bytes; a larger one is refused with 413 `body_too_large`. Default 16 MiB. */
  maxBodyBytes?: number;
}

const DEFAULTS = {
  runDeadlineMs: 60_000,
  retryAfterSeconds: 1,
  maxQueuedJobs: 10_000,
  maxBodyBytes: 16 * 1024 * 1024,
};

/** The body of `POST /v1/programs/:name/{run,stream,jobs}`: the `dspex-run` job data without `program`. */
const deadlineSchema = z.object({ deadlineMs: z.number().int().positive().optional() });

const examples = z.array(z.record(z.string(), z.unknown()));
/** A stored dataset, `name` or `name@version` (resolved on the node). */
const datasetName = z
  .string()
  .regex(/^[^@\s]+(@[^@\s]+)?$/, 'dataset must be name or name@version');

/** Exactly one of the two sources of examples. */
function oneSource(a: string, b: string) {
  return (body: Record<string, unknown>, ctx: z.RefinementCtx): void => {
    if ((body[a] === undefined) === (body[b] === undefined))
      ctx.addIssue({ code: 'custom', message: `give either ${a} or ${b} (a stored dataset)` });
  };
}

/** A name `known()` lists (read per request: a hot reload may register or drop names). */
function knownName(what: string, known: () => readonly string[]) {
  return (name: string, ctx: z.RefinementCtx): void => {
    const names = known();
    if (!names.includes(name))
      ctx.addIssue({
        code: 'custom',
        message: `${what} must be one of ${names.join(', ')} (got ${JSON.stringify(name)})`,
      });
  };
}

/** The body of `POST /v1/evaluations` (the metric name is checked per request: a reload may change them). */
const evaluationBody = z
  .object({
    program: z.string().min(1),
    devset: examples.min(1, 'devset must hold at least one example').optional(),
    dataset: datasetName.optional(),
    split: z.string().min(1).optional(),
    metric: z.string().min(1),
    inputKeys: z.array(z.string()).optional(),
    concurrency: z.number().int().positive().optional(),
    shards: z.number().int().positive().optional(),
  })
  .strict()
  .superRefine(oneSource('devset', 'dataset'));

/** The query of `GET /v1/evaluations`. */
const evaluationsQuery = z
  .object({
    program: z.string().min(1).optional(),
    status: z.enum(['running', 'succeeded', 'failed']).optional(),
    limit: z.coerce.number().int().min(1).max(1000).optional(),
  })
  .strict();

/** `optimizers` is read per request: a hot reload may register or drop custom optimizers. */
function optimizationBody(optimizers: () => readonly string[]) {
  return z
    .object({
      program: z.string().min(1),
      optimizer: z.string().superRefine(knownName('optimizer', optimizers)),
      trainset: examples.min(1, 'trainset must hold at least one example').optional(),
      valset: examples.optional(),
      dataset: datasetName.optional(),
      split: z.string().min(1).optional(),
      valDataset: datasetName.optional(),
      valSplit: z.string().min(1).optional(),
      inputKeys: z.array(z.string()).optional(),
      params: z.record(z.string(), z.unknown()).optional(),
    })
    .strict()
    .superRefine(oneSource('trainset', 'dataset'));
}

/** The object without its `undefined` fields (what optional fields mean to the runtime). */
function withoutUndefined<T extends object>(o: T): { [K in keyof T]: Exclude<T[K], undefined> } {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as {
    [K in keyof T]: Exclude<T[K], undefined>;
  };
}

function issuesText(error: z.ZodError, under?: string): string {
  return error.issues
    .map((i) => {
      const path = [...(under === undefined ? [] : [under]), ...i.path.map(String)].join('.');
      return `${path || '(root)'}: ${i.message}`;
    })
    .join('; ');
}

function parse<T>(
  schema: z.ZodType<T>,
  data: unknown,
  code = 'invalid_request',
  what = 'request body',
): T {
  const r = schema.safeParse(data);
  if (!r.success) throw new HttpError(code, `invalid ${what}: ${issuesText(r.error)}`);
  return r.data;
}

async function jsonBody(c: Context): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    // The body is read as JSON whatever its content-type (curl -d sends a form type); say which
    // type came when it is not JSON, as the likely mistake.
    const type = c.req.header('content-type') ?? '(none)';
    throw new HttpError(
      'invalid_json',
      `the request body is not valid JSON${/\bjson\b/i.test(type) ? '' : ` (content-type: ${type}; send application/json)`}`,
    );
  }
  if (body === null || typeof body !== 'object' || Array.isArray(body))
    throw new HttpError('invalid_request', 'the request body must be a JSON object');
  return body as Record<string, unknown>;
}

/**
 * The HTTP API of a runtime node as a Hono app (serve it with `startHttpServer`, or call
 * `app.request()` in tests):
 * - `POST /v1/programs/:name/run` — a synchronous run (deadline: `deadlineMs`, capped);
 * - `POST /v1/programs/:name/stream` — Server-Sent Events: `delta` events, then `result`;
 * - `POST /v1/programs/:name/jobs` (202) and `GET /v1/jobs/:id` — the queue path;
 * - `GET /v1/programs`; `POST /v1/evaluations`, `GET /v1/evaluations` (records, newest first;
 *   `?program=&status=&limit=`) and `GET /v1/evaluations/:id`; `POST /v1/optimizations` (202),
 *   `GET /v1/optimizations/:id`, `POST /v1/optimizations/:id/cancel`;
 * - `GET /v1/openapi.json` — the OpenAPI 3.1 document.
 * Errors are `{ error: { code, message } }` with stable codes (see `HTTP_ERROR_STATUS`).
 *
 * @example
 * ```ts
 * const app = createHttpApp({ runtime: httpRuntimeOf(rt), tokens: ['s3cret'] });
 * const res = await app.request('/v1/programs', { headers: { authorization: 'Bearer s3cret' } });
 * ```
 */
export function createHttpApp(options: HttpAppOptions): Hono {
  const rt = options.runtime;
  const tokens = options.tokens ?? [];
  const maxDeadline = options.runDeadlineMs ?? DEFAULTS.runDeadlineMs;
  const retryAfter = String(options.retryAfterSeconds ?? DEFAULTS.retryAfterSeconds);
  const maxQueued = options.maxQueuedJobs ?? DEFAULTS.maxQueuedJobs;
  const optimization = optimizationBody(() => rt.optimizers);
  const maxBody = options.maxBodyBytes ?? DEFAULTS.maxBodyBytes;

  /** `unknown_metric` naming the field and the metrics this node knows, unless it knows `metric`. */
  const requireMetric = (field: string, metric: unknown): void => {
    if (typeof metric !== 'string' || rt.metrics.includes(metric)) return;
    throw new HttpError(
      'unknown_metric',
      `${field}: unknown metric '${metric}' (known: ${rt.metrics.join(', ')})`,
    );
  };

  /** A bad `params` of an optimization (unknown or mistyped key, bad shards) as `invalid_request`. */
  const checkParams = (optimizer: string, params: Record<string, unknown> | undefined): void => {
    if (params === undefined) return;
    const shape = optimizationJobSchema.shape.params.safeParse(params);
    if (!shape.success)
      throw new HttpError(
        'invalid_request',
        `invalid request body: ${issuesText(shape.error, 'params')}`,
      );
    const problem = rt.optimizerParamsProblem(optimizer, params);
    if (problem !== undefined)
      throw new HttpError('invalid_request', `params.${problem.key}: ${problem.message}`);
    requireMetric('params.metric', params['metric']);
  };
  let admitted = 0;

  const overloaded = (why: string): HttpError =>
    new HttpError('overloaded', why, { 'retry-after': retryAfter });

  /**
   * Admits one run on a worker slot of this node, or refuses at once (429 with `Retry-After`) when
   * they are all busy, instead of queueing without bound. Returns the release function.
   */
  async function admit(): Promise<() => void> {
    const { busy, limit } = await rt.slots();
    if (busy >= limit || admitted >= limit)
      throw overloaded(`all ${limit} worker slots of node ${rt.nodeId} are busy; retry later`);
    admitted++;
    let released = false;
    return () => {
      if (!released) admitted--;
      released = true;
    };
  }

  const deadlineError = (program: string, ms: number): HttpError =>
    new HttpError('deadline_exceeded', `program '${program}' did not finish within ${ms} ms`);

  /** The run request of a `/v1/programs/:name/…` body (the `dspex-run` job schema). */
  async function runRequest(c: Context) {
    const body = await jsonBody(c);
    const program = c.req.param('name') ?? '';
    const job = parse(rt.schemas.run, { ...body, program }, 'invalid_job') as {
      program: string;
      inputs: Record<string, unknown>;
      version?: string;
      config?: Record<string, unknown>;
    };
    // The job's config as a node checks it (temperature range, …): refused here, not queued to fail.
    const problem = runJobProblem(job);
    if (problem !== undefined) throw new HttpError('invalid_job', problem.reason);
    const { deadlineMs } = parse(deadlineSchema, { deadlineMs: body['deadlineMs'] });
    return {
      program,
      inputs: job.inputs,
      opts: {
        ...(job.version === undefined ? {} : { version: job.version }),
        ...(job.config === undefined ? {} : { config: job.config }),
      },
      deadlineMs: Math.min(deadlineMs ?? maxDeadline, maxDeadline),
    };
  }

  const app = new Hono();
  app.onError((error, c) => {
    const { status, body } = errorReply(error);
    const headers = error instanceof HttpError ? error.headers : {};
    return c.json(body, status as 400, headers);
  });
  app.notFound((c) =>
    c.json(
      { error: { code: 'not_found', message: `no route ${c.req.method} ${c.req.path}` } },
      404,
    ),
  );
  app.use('/v1/*', async (c, next) => {
    if (tokens.length > 0 && c.req.path !== '/v1/openapi.json')
      if (!bearerMatches(c.req.header('authorization'), tokens))
        return c.json(
          { error: { code: 'unauthorized', message: 'a valid bearer token is required' } },
          401,
          { 'www-authenticate': 'Bearer' },
        );
    // A server span per request, a child of the caller's `traceparent` when it sends one.
    return inSpan(
      `${c.req.method} ${c.req.path}`,
      {
        kind: SpanKind.SERVER,
        parent: traceContextOfHeaders((name) => c.req.header(name)),
        attributes: { 'http.request.method': c.req.method, 'url.path': c.req.path },
      },
      async (span) => {
        await next();
        span.setAttribute('http.response.status_code', c.res.status);
      },
    );
  });

  // Refused before it is read whole: a body past the limit never reaches a handler.
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: maxBody,
      onError: (c) =>
        c.json(
          {
            error: {
              code: 'body_too_large',
              message: `the request body is larger than ${maxBody} bytes (the API's maxBodyBytes)`,
            },
          },
          413,
        ),
    }),
  );

  app.get('/v1/openapi.json', (c) => c.json(openApiDocument()));

  app.get('/v1/programs', async (c) => c.json({ programs: await rt.describePrograms() }));

  app.post('/v1/programs/:name/run', async (c) => {
    const req = await runRequest(c);
    const controller = new AbortController();
    const release = await admit();
    let timer: NodeJS.Timeout | undefined;
    const expired = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        const error = deadlineError(req.program, req.deadlineMs);
        controller.abort(error);
        reject(error);
      }, req.deadlineMs);
    });
    const run = rt.run(req.program, req.inputs, { ...req.opts, signal: controller.signal });
    run.catch(() => undefined);
    let result;
    try {
      result = await Promise.race([run, expired]);
    } finally {
      clearTimeout(timer);
      release();
    }
    return c.json(result);
  });

  app.post('/v1/programs/:name/stream', async (c) => {
    const req = await runRequest(c);
    const controller = new AbortController();
    // Admitted before the response starts, so a full node answers 429 rather than an SSE error.
    const release = await admit();
    const timer = setTimeout(
      () => controller.abort(deadlineError(req.program, req.deadlineMs)),
      req.deadlineMs,
    );
    return streamSSE(c, async (sse) => {
      sse.onAbort(() => controller.abort(new HttpError('cancelled', 'the client went away')));
      try {
        for await (const event of rt.stream(req.program, req.inputs, {
          ...req.opts,
          signal: controller.signal,
        })) {
          if (event.type === 'delta')
            await sse.writeSSE({
              event: 'delta',
              data: JSON.stringify({
                predictor: event.predictor,
                field: event.field,
                text: event.text,
                last: event.last,
              }),
            });
          else if (event.type === 'tool_call')
            await sse.writeSSE({
              event: 'tool_call',
              data: JSON.stringify({
                predictor: event.predictor,
                id: event.id,
                name: event.name,
                arguments: event.arguments,
              }),
            });
          else await sse.writeSSE({ event: 'result', data: JSON.stringify(event.result) });
        }
      } catch (error) {
        const reason = controller.signal.aborted ? controller.signal.reason : error;
        await sse.writeSSE({ event: 'error', data: JSON.stringify(errorReply(reason).body) });
      } finally {
        clearTimeout(timer);
        release();
      }
    });
  });

  app.post('/v1/programs/:name/jobs', async (c) => {
    const req = await runRequest(c);
    // What the node would refuse (model, maxTokens limit, overridable variables) is refused here.
    const refused = rt.jobConfigProblem(req.program, req.opts);
    if (refused !== undefined) throw new HttpError('invalid_job', refused);
    if ((await rt.queuedJobs()) >= maxQueued)
      throw overloaded(`the run queue already holds ${maxQueued} waiting jobs; retry later`);
    const { jobId } = await rt.submit(req.program, req.inputs, req.opts);
    return c.json({ jobId, status: `/v1/jobs/${encodeURIComponent(jobId)}` }, 202, {
      location: `/v1/jobs/${encodeURIComponent(jobId)}`,
    });
  });

  app.get('/v1/jobs/:id', async (c) => {
    const id = c.req.param('id');
    const job = await rt.job(id);
    if (job === undefined) throw new HttpError('not_found', `no job '${id}' in the run queue`);
    return c.json(job);
  });

  app.post('/v1/evaluations', async (c) => {
    const { program, ...request } = parse(evaluationBody, await jsonBody(c));
    requireMetric('metric', request.metric);
    return c.json(await rt.evaluate(program, withoutUndefined(request) as HttpEvaluateRequest));
  });

  app.get('/v1/evaluations', async (c) => {
    const query = parse(evaluationsQuery, c.req.query(), 'invalid_request', 'query');
    return c.json({ evaluations: await rt.listEvaluations(withoutUndefined(query)) });
  });

  app.get('/v1/evaluations/:id', async (c) => {
    const id = c.req.param('id');
    const record = await rt.evaluation(id);
    if (record === undefined) throw new HttpError('not_found', `no evaluation '${id}'`);
    return c.json(record as Record<string, unknown>);
  });

  app.post('/v1/optimizations', async (c) => {
    const { program, ...request } = parse(optimization, await jsonBody(c));
    checkParams(request.optimizer, request.params);
    const { runId } = await rt.optimize(program, withoutUndefined(request) as HttpOptimizeRequest);
    const status = `/v1/optimizations/${encodeURIComponent(runId)}`;
    return c.json({ runId, status }, 202, { location: status });
  });

  app.get('/v1/optimizations/:id', async (c) => {
    const id = c.req.param('id');
    const run = await rt.optimizationRun(id);
    if (run === undefined) throw new HttpError('not_found', `no optimization run '${id}'`);
    return c.json(run as Record<string, unknown>);
  });

  app.post('/v1/optimizations/:id/cancel', async (c) => {
    const id = c.req.param('id');
    if ((await rt.optimizationRun(id)) === undefined)
      throw new HttpError('not_found', `no optimization run '${id}'`);
    return c.json((await rt.cancelOptimization(id)) as Record<string, unknown>);
  });

  return app;
}

/** JSON Schema of a JSON object with any fields. */
const anyObject = { type: 'object', additionalProperties: true } as const;
const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: unknown) => ({ 'application/json': { schema } });
const errorResponse = (description: string) => ({ description, content: json(ref('Error')) });
const ERRORS = {
  '400': errorResponse('Invalid body (`invalid_json`, `invalid_request`, `invalid_job`)'),
  '401': errorResponse('Missing or wrong bearer token (`unauthorized`)'),
  '404': errorResponse('Unknown program, job or run (`unknown_program`, `not_found`)'),
  '500': errorResponse('The program failed (`execution_failed`) or the server did (`internal`)'),
  '503': errorResponse('The node is draining (`stopping`)'),
};
const nameParam = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
const idParam = { name: 'id', in: 'path', required: true, schema: { type: 'string' } };
const runBody = { required: true, content: json(ref('RunRequest')) };
const overloaded = {
  description: 'Every worker slot of the node is busy (`overloaded`); retry after `Retry-After` s',
  headers: { 'Retry-After': { schema: { type: 'integer' } } },
  content: json(ref('Error')),
};

/**
 * The OpenAPI 3.1 document of the HTTP API (served at `GET /v1/openapi.json`).
 *
 * @example
 * ```ts
 * const doc = openApiDocument();
 * console.log(Object.keys(doc.paths));
 * ```
 */
export function openApiDocument(): {
  openapi: string;
  info: { title: string; version: string };
  paths: Record<string, unknown>;
  components: Record<string, unknown>;
} {
  return {
    openapi: '3.1.0',
    info: { title: 'dspex HTTP API', version: '1' },
    paths: {
      '/v1/programs': {
        get: {
          summary: 'Hosted programs: names, signatures, active optimized version',
          responses: {
            '200': {
              description: 'The programs',
              content: json({
                type: 'object',
                properties: { programs: { type: 'array', items: ref('Program') } },
              }),
            },
            '401': ERRORS['401'],
          },
        },
      },
      '/v1/programs/{name}/run': {
        post: {
          summary: 'Runs a program synchronously on this node, within a deadline',
          parameters: [nameParam],
          requestBody: runBody,
          responses: {
            '200': { description: 'The run result', content: json(ref('RunResult')) },
            ...ERRORS,
            '429': overloaded,
            '504': errorResponse('The run passed its deadline (`deadline_exceeded`)'),
          },
        },
      },
      '/v1/programs/{name}/stream': {
        post: {
          summary: 'Runs a program, streaming Server-Sent Events',
          description:
            '`event: delta` (`{predictor, field, text, last}`) as the LM streams each output field, `event: tool_call` (`{predictor, id, name, arguments}`) for each native tool call once its arguments are complete, then one `event: result` (the run result) or `event: error` (`{error: {code, message}}`).',
          parameters: [nameParam],
          requestBody: runBody,
          responses: {
            '200': {
              description: 'An event stream',
              content: { 'text/event-stream': { schema: { type: 'string' } } },
            },
            ...ERRORS,
            '429': overloaded,
          },
        },
      },
      '/v1/programs/{name}/jobs': {
        post: {
          summary: 'Queues a `dspex-run` job (any node of the cluster may run it)',
          parameters: [nameParam],
          requestBody: runBody,
          responses: {
            '202': {
              description: 'Queued',
              content: json({
                type: 'object',
                properties: { jobId: { type: 'string' }, status: { type: 'string' } },
                required: ['jobId', 'status'],
              }),
            },
            ...ERRORS,
            '429': { ...overloaded, description: 'The run queue is full (`overloaded`)' },
          },
        },
      },
      '/v1/jobs/{id}': {
        get: {
          summary: 'A queued job: state, attempts, result or failure',
          parameters: [idParam],
          responses: {
            '200': { description: 'The job', content: json(ref('Job')) },
            '401': ERRORS['401'],
            '404': ERRORS['404'],
          },
        },
      },
      '/v1/evaluations': {
        get: {
          summary: 'Evaluation records, newest first (query: program, status, limit ≤ 1000)',
          parameters: [
            { name: 'program', in: 'query', required: false, schema: { type: 'string' } },
            {
              name: 'status',
              in: 'query',
              required: false,
              schema: { type: 'string', enum: ['running', 'succeeded', 'failed'] },
            },
            { name: 'limit', in: 'query', required: false, schema: { type: 'integer' } },
          ],
          responses: {
            '200': {
              description: 'The records',
              content: json({
                type: 'object',
                properties: { evaluations: { type: 'array', items: anyObject } },
              }),
            },
            '400': ERRORS['400'],
            '401': ERRORS['401'],
          },
        },
        post: {
          summary: 'Evaluates a program on a devset with a named metric (shards are jobs)',
          requestBody: { required: true, content: json(ref('EvaluationRequest')) },
          responses: {
            '200': { description: 'The evaluation summary', content: json(anyObject) },
            ...ERRORS,
          },
        },
      },
      '/v1/optimizations': {
        post: {
          summary: 'Starts an optimization run (a job)',
          requestBody: { required: true, content: json(ref('OptimizationRequest')) },
          responses: {
            '202': {
              description: 'Started',
              content: json({
                type: 'object',
                properties: { runId: { type: 'string' }, status: { type: 'string' } },
              }),
            },
            ...ERRORS,
          },
        },
      },
      '/v1/evaluations/{id}': {
        get: {
          summary:
            'An evaluation record (id = the summary evalId): status, score, counts, per-example results, spend',
          parameters: [idParam],
          responses: {
            '200': { description: 'The evaluation', content: json(anyObject) },
            '401': ERRORS['401'],
            '404': ERRORS['404'],
          },
        },
      },
      '/v1/optimizations/{id}': {
        get: {
          summary: 'An optimization run: status, progress, best score, history, result',
          parameters: [idParam],
          responses: {
            '200': { description: 'The run', content: json(anyObject) },
            '401': ERRORS['401'],
            '404': ERRORS['404'],
          },
        },
      },
      '/v1/optimizations/{id}/cancel': {
        post: {
          summary: 'Cancels an optimization run',
          parameters: [idParam],
          responses: {
            '200': { description: 'The run, cancelled', content: json(anyObject) },
            '401': ERRORS['401'],
            '404': ERRORS['404'],
          },
        },
      },
    },
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
      schemas: {
        Error: {
          type: 'object',
          properties: {
            error: {
              type: 'object',
              properties: { code: { type: 'string' }, message: { type: 'string' } },
              required: ['code', 'message'],
            },
          },
          required: ['error'],
        },
        RunRequest: {
          type: 'object',
          description: 'The `dspex-run` job data without `program` (DESIGN §5), plus `deadlineMs`.',
          properties: {
            inputs: anyObject,
            version: { type: 'string' },
            config: anyObject,
            deadlineMs: { type: 'integer', minimum: 1 },
          },
          required: ['inputs'],
        },
        RunResult: {
          type: 'object',
          properties: {
            outputs: anyObject,
            executionId: { type: 'string' },
            usage: anyObject,
          },
          required: ['outputs', 'executionId', 'usage'],
        },
        Program: {
          type: 'object',
          properties: {
            name: { type: 'string' },
            signature: {
              type: ['string', 'null'],
              description:
                "What the caller passes and gets (`question -> answer`): the program's own signature, not a per-turn one of an agent's inner predictor",
            },
            inputs: { type: 'array', items: { type: 'string' } },
            outputs: { type: 'array', items: { type: 'string' } },
            activeVersion: { type: ['string', 'null'] },
          },
        },
        Job: {
          type: 'object',
          properties: {
            id: { type: 'string' },
            state: { type: 'string' },
            attemptsMade: { type: 'integer' },
            attempts: { type: 'integer' },
            result: ref('RunResult'),
            failedReason: { type: 'string' },
            createdAt: { type: 'integer' },
            finishedAt: { type: 'integer' },
          },
        },
        EvaluationRequest: {
          type: 'object',
          properties: {
            program: { type: 'string' },
            devset: { type: 'array', items: anyObject },
            dataset: { type: 'string', description: 'a stored dataset, name or name@version' },
            split: { type: 'string' },
            metric: { type: 'string' },
            inputKeys: { type: 'array', items: { type: 'string' } },
            concurrency: { type: 'integer' },
            shards: { type: 'integer' },
          },
          required: ['program', 'metric'],
          description: 'devset or dataset, not both',
        },
        OptimizationRequest: {
          type: 'object',
          properties: {
            program: { type: 'string' },
            optimizer: { type: 'string' },
            trainset: { type: 'array', items: anyObject },
            valset: { type: 'array', items: anyObject },
            dataset: { type: 'string', description: 'a stored dataset, name or name@version' },
            split: { type: 'string' },
            valDataset: { type: 'string' },
            valSplit: { type: 'string' },
            inputKeys: { type: 'array', items: { type: 'string' } },
            params: anyObject,
          },
          required: ['program', 'optimizer'],
          description: 'trainset or dataset, not both',
        },
      },
    },
  };
}

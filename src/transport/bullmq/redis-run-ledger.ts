import type { Redis } from 'ioredis';
import { TransportError } from '../errors.js';
import type {
  RunLedger,
  RunRecord,
  StageRecordResult,
  StageTopology,
} from '../pipeline/run-ledger.js';
import type { JsonObject, JsonValue } from '../types.js';

// One hash per run: status, pipeline, input, createdAt, finishedAt, failedStage, failedReason and
// `out:<stage>` (JSON) per finished stage. Each script runs atomically in Redis, which is what
// makes "the last parent to finish starts the fan-in stage" hold across nodes.

const CREATE_RUN = `
if redis.call('EXISTS', KEYS[1]) == 1 then return 0 end
redis.call('HSET', KEYS[1], 'status', 'running', 'pipeline', ARGV[1], 'input', ARGV[2], 'createdAt', ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[4])
return 1`;

// Reply: { recorded, completed, storedOutput or '', ready children... } or { -1 } for no run.
const RECORD_STAGE = `
local status = redis.call('HGET', KEYS[1], 'status')
if not status then return { -1 } end
local field = 'out:' .. ARGV[1]
if status ~= 'running' then
  return { 0, 0, redis.call('HGET', KEYS[1], field) or '' }
end
local recorded = redis.call('HSETNX', KEYS[1], field, ARGV[2])
local topology = cjson.decode(ARGV[3])
local function done(stage) return redis.call('HEXISTS', KEYS[1], 'out:' .. stage) == 1 end
local ready = {}
for child, parents in pairs(topology.children) do
  if not done(child) then
    local all = true
    for _, parent in ipairs(parents) do
      if not done(parent) then all = false break end
    end
    if all then table.insert(ready, child) end
  end
end
local completed = 1
for _, sink in ipairs(topology.sinks) do
  if not done(sink) then completed = 0 break end
end
if completed == 1 then redis.call('HSET', KEYS[1], 'status', 'completed', 'finishedAt', ARGV[4]) end
local reply = { recorded, completed, redis.call('HGET', KEYS[1], field) }
for _, child in ipairs(ready) do table.insert(reply, child) end
return reply`;

const FAIL_RUN = `
if redis.call('HGET', KEYS[1], 'status') ~= 'running' then return 0 end
redis.call('HSET', KEYS[1], 'status', 'failed', 'failedStage', ARGV[1], 'failedReason', ARGV[2], 'finishedAt', ARGV[3])
return 1`;

/** {@link RunLedger} on Redis: one hash per run (`<prefix>:pipeline-run:<runId>`), Lua for updates. */
export class RedisRunLedger implements RunLedger {
  constructor(
    private readonly client: Redis,
    private readonly prefix: string,
    private readonly ttlSeconds: number,
  ) {}

  #key(runId: string): string {
    return `${this.prefix}:pipeline-run:${runId}`;
  }

  async createRun(
    runId: string,
    pipeline: string,
    input: JsonObject,
    now: number,
  ): Promise<boolean> {
    const created = await this.client.eval(
      CREATE_RUN,
      1,
      this.#key(runId),
      pipeline,
      JSON.stringify(input),
      String(now),
      String(this.ttlSeconds),
    );
    return created === 1;
  }

  async getRun(runId: string): Promise<RunRecord | undefined> {
    const hash = await this.client.hgetall(this.#key(runId));
    if (hash.status === undefined) return undefined;
    const outputs: Record<string, JsonValue> = {};
    for (const [field, value] of Object.entries(hash)) {
      if (field.startsWith('out:')) outputs[field.slice(4)] = JSON.parse(value) as JsonValue;
    }
    return {
      runId,
      pipeline: hash.pipeline ?? '',
      status: hash.status as RunRecord['status'],
      input: JSON.parse(hash.input ?? '{}') as JsonObject,
      outputs,
      createdAt: Number(hash.createdAt),
      ...(hash.failedStage === undefined ? {} : { failedStage: hash.failedStage }),
      ...(hash.failedReason === undefined ? {} : { failedReason: hash.failedReason }),
      ...(hash.finishedAt === undefined ? {} : { finishedAt: Number(hash.finishedAt) }),
    };
  }

  async recordStage(
    runId: string,
    stage: string,
    output: JsonValue,
    topology: StageTopology,
    now: number,
  ): Promise<StageRecordResult> {
    const reply = (await this.client.eval(
      RECORD_STAGE,
      1,
      this.#key(runId),
      stage,
      JSON.stringify(output ?? null),
      JSON.stringify(topology),
      String(now),
    )) as [number, number?, string?, ...string[]];
    const [recorded, completed, stored, ...ready] = reply;
    if (recorded === -1) {
      throw new TransportError('run_not_found', `no pipeline run ${runId}`, { details: { runId } });
    }
    return {
      recorded: recorded === 1,
      output: stored === undefined || stored === '' ? undefined : (JSON.parse(stored) as JsonValue),
      ready,
      completed: completed === 1,
    };
  }

  async failRun(runId: string, stage: string, reason: string, now: number): Promise<boolean> {
    const failed = await this.client.eval(
      FAIL_RUN,
      1,
      this.#key(runId),
      stage,
      reason,
      String(now),
    );
    return failed === 1;
  }
}

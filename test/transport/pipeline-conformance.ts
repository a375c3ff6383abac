import { afterEach, describe, expect, it } from 'vitest';
import {
  PipelineRunner,
  TransportError,
  UnrecoverableJobError,
  definePipeline,
  type JsonValue,
  type StageHandler,
  type StageInvocation,
  type Transport,
} from '../../src/transport/index.js';
import { deferred, eventually } from './async-helpers.js';
import type { TransportFactory } from './transport-conformance.js';

const diamond = definePipeline({
  name: 'diamond',
  stages: { a: { after: [] }, b: { after: ['a'] }, c: { after: ['a'] }, d: { after: ['b', 'c'] } },
});
type Stage = (typeof diamond.stages)[number];

/** a = x + 1, b = 2a, c = 3a, d = b + c: the run's result proves each stage saw its parents. */
function arithmetic(
  calls: Record<string, number>,
  hook?: (inv: StageInvocation<Stage>) => Promise<void>,
): StageHandler<Stage> {
  return async (inv) => {
    calls[inv.stage] = (calls[inv.stage] ?? 0) + 1;
    await hook?.(inv);
    const p = inv.parents as Record<string, number>;
    switch (inv.stage) {
      case 'a':
        return (inv.input.x as number) + 1;
      case 'b':
        return 2 * (p.a ?? NaN);
      case 'c':
        return 3 * (p.a ?? NaN);
      case 'd':
        return (p.b ?? NaN) + (p.c ?? NaN);
    }
  };
}

/** The pipeline suite every Transport must pass (through its RunLedger). */
export function describePipelineConformance(name: string, factory: TransportFactory): void {
  describe(`Pipeline conformance: ${name}`, () => {
    const open: { close(): Promise<void> }[] = [];
    let seq = 0;
    const create = async (): Promise<Transport> => {
      const transport = await factory.create();
      open.push(transport);
      return transport;
    };
    const runnerOn = (
      transport: Transport,
      handler: StageHandler<Stage>,
      attempts = 3,
    ): PipelineRunner<Stage> => {
      const runner = new PipelineRunner({
        transport,
        pipeline: diamond,
        handler,
        queue: `pipe-${++seq}`,
        attempts,
        backoff: { type: 'fixed', delay: 10 },
        pollInterval: 100,
      });
      open.unshift(runner); // runners close before their transport
      return runner;
    };

    afterEach(async () => {
      for (const item of open.splice(0)) await item.close();
    });

    it('runs_a_diamond_with_fan_out_and_fan_in_once_per_stage', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const runner = runnerOn(t, arithmetic(calls));
      await runner.work({ concurrency: 4 });
      const runId = await runner.startRun({ x: 1 });
      const result = await runner.waitForRun(runId, 10_000);
      expect(result.outputs).toEqual({ d: 10 });
      expect(result.run).toMatchObject({
        status: 'completed',
        outputs: { a: 2, b: 4, c: 6, d: 10 },
        input: { x: 1 },
      });
      expect(calls).toEqual({ a: 1, b: 1, c: 1, d: 1 });
      expect(await t.waitForResult(runner.queue, runner.stageJobId(runId, 'd'), 5000)).toBe(10);
    });

    it('spreads_the_stages_of_one_run_over_two_nodes', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const nodes: string[] = [];
      const handler = (node: string): StageHandler<Stage> =>
        arithmetic(calls, async () => {
          nodes.push(node);
          await new Promise((resolve) => setTimeout(resolve, 20));
        });
      const first = runnerOn(t, handler('n1'));
      const queue = first.queue;
      const second = new PipelineRunner({
        transport: t,
        pipeline: diamond,
        handler: handler('n2'),
        queue,
        backoff: { type: 'fixed', delay: 10 },
      });
      open.unshift(second);
      await first.work({ concurrency: 1 });
      await second.work({ concurrency: 1 });
      const runIds = await Promise.all([first.startRun({ x: 1 }), second.startRun({ x: 2 })]);
      const results = await Promise.all(runIds.map((id) => first.waitForRun(id, 10_000)));
      expect(results.map((r) => r.outputs)).toEqual([{ d: 10 }, { d: 15 }]);
      expect(calls).toEqual({ a: 2, b: 2, c: 2, d: 2 });
      expect(new Set(nodes)).toEqual(new Set(['n1', 'n2']));
    });

    it('does_not_rerun_a_stage_delivered_again_after_its_output_was_recorded', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const runner = runnerOn(t, arithmetic(calls));
      await runner.work({ concurrency: 2 });
      const runId = await runner.startRun({ x: 1 });
      await runner.waitForRun(runId, 10_000);
      // The same stage job again (what a redelivery after a lost lock looks like to the handler).
      const duplicate = await t.enqueue(runner.queue, { runId, stage: 'b', pipeline: 'diamond' });
      expect(await t.waitForResult(runner.queue, duplicate, 5000)).toBe(4);
      expect(calls).toEqual({ a: 1, b: 1, c: 1, d: 1 });
      expect((await runner.getRun(runId))?.outputs).toEqual({ a: 2, b: 4, c: 6, d: 10 });
    });

    it('starts_the_fan_in_stage_once_when_a_parent_is_delivered_twice_concurrently', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const bothB = deferred();
      let bRuns = 0;
      const runner = runnerOn(
        t,
        arithmetic(calls, async (inv) => {
          if (inv.stage === 'b' && ++bRuns === 2) bothB.resolve();
          if (inv.stage === 'b') await bothB.promise; // both deliveries of b are in flight together
        }),
      );
      await runner.work({ concurrency: 4 });
      const runId = await runner.startRun({ x: 1 });
      await eventually(() => calls.b === 1, 5000, 'first delivery of b');
      await t.enqueue(runner.queue, { runId, stage: 'b', pipeline: 'diamond' });
      const result = await runner.waitForRun(runId, 10_000);
      expect(result.outputs).toEqual({ d: 10 });
      expect(calls).toEqual({ a: 1, b: 2, c: 1, d: 1 });
    });

    it('retries_a_failing_stage_and_records_a_single_output', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const runner = runnerOn(
        t,
        arithmetic(calls, async (inv) => {
          if (inv.stage === 'c' && inv.attempt === 1) throw new Error('flaky');
        }),
      );
      await runner.work({ concurrency: 2 });
      const runId = await runner.startRun({ x: 1 });
      expect((await runner.waitForRun(runId, 10_000)).outputs).toEqual({ d: 10 });
      expect(calls).toEqual({ a: 1, b: 1, c: 2, d: 1 });
    });

    it('fails_the_run_with_the_stage_and_reason_when_a_stage_fails_for_good', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const runner = runnerOn(
        t,
        arithmetic(calls, async (inv) => {
          if (inv.stage === 'b') throw new UnrecoverableJobError('b rejects its input');
        }),
      );
      await runner.work({ concurrency: 2 });
      const runId = await runner.startRun({ x: 1 });
      const error = await runner.waitForRun(runId, 10_000).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(TransportError);
      expect(error).toMatchObject({
        code: 'run_failed',
        details: { runId, stage: 'b', reason: 'b rejects its input' },
      });
      expect(calls.d).toBeUndefined();
      expect(await runner.getRun(runId)).toMatchObject({ status: 'failed', failedStage: 'b' });
    });

    it('fails_the_run_after_the_last_attempt_of_a_stage', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const runner = runnerOn(
        t,
        arithmetic(calls, async (inv) => {
          if (inv.stage === 'a') throw new Error(`attempt ${inv.attempt} failed`);
        }),
        2,
      );
      await runner.work();
      const runId = await runner.startRun({ x: 1 });
      await expect(runner.waitForRun(runId, 10_000)).rejects.toMatchObject({
        code: 'run_failed',
        details: { stage: 'a', reason: 'attempt 2 failed' },
      });
      expect(calls).toEqual({ a: 2 });
    });

    it('treats_a_second_start_with_the_same_run_id_as_the_same_run', async () => {
      const t = await create();
      const calls: Record<string, number> = {};
      const runner = runnerOn(t, arithmetic(calls));
      await runner.work({ concurrency: 2 });
      expect(await runner.startRun({ x: 1 }, { runId: 'run-42' })).toBe('run-42');
      expect(await runner.startRun({ x: 99 }, { runId: 'run-42' })).toBe('run-42');
      const result = await runner.waitForRun('run-42', 10_000);
      expect(result.outputs).toEqual({ d: 10 });
      expect(calls).toEqual({ a: 1, b: 1, c: 1, d: 1 });
    });

    it('rejects_a_wait_on_an_unknown_run', async () => {
      const t = await create();
      const runner = runnerOn(t, arithmetic({}));
      await expect(runner.waitForRun('no-such-run', 1000)).rejects.toMatchObject({
        code: 'run_not_found',
      });
    });

    it('passes_parent_outputs_as_json_values', async () => {
      const t = await create();
      const seen: Record<string, Record<string, JsonValue>> = {};
      const runner = runnerOn(t, async (inv) => {
        seen[inv.stage] = { ...inv.parents };
        return { from: inv.stage, list: [1, 'two', null] };
      });
      await runner.work({ concurrency: 2 });
      const runId = await runner.startRun({});
      await runner.waitForRun(runId, 10_000);
      expect(seen.a).toEqual({});
      expect(seen.d).toEqual({
        b: { from: 'b', list: [1, 'two', null] },
        c: { from: 'c', list: [1, 'two', null] },
      });
    });
  });
}

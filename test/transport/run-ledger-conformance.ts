import { describe, expect, it } from 'vitest';
import { definePipeline, type RunLedger } from '../../src/transport/index.js';

const diamond = definePipeline({
  name: 'diamond',
  stages: { a: { after: [] }, b: { after: ['a'] }, c: { after: ['a'] }, d: { after: ['b', 'c'] } },
});
const topo = (stage: 'a' | 'b' | 'c' | 'd') => diamond.topologyOf(stage);

/** The RunLedger contract every transport's ledger must meet (memory Map, Redis hash + Lua). */
export function describeRunLedgerConformance(
  name: string,
  createLedger: () => RunLedger | Promise<RunLedger>,
): void {
  describe(`RunLedger conformance: ${name}`, () => {
    let seq = 0;
    const fresh = async () => {
      const ledger = await createLedger();
      const runId = `run-${++seq}-${Date.now()}`;
      expect(await ledger.createRun(runId, 'diamond', { x: 1 }, 1000)).toBe(true);
      return { ledger, runId };
    };

    it('creates_a_run_once_and_keeps_the_first_input', async () => {
      const { ledger, runId } = await fresh();
      expect(await ledger.createRun(runId, 'diamond', { x: 2 }, 2000)).toBe(false);
      expect(await ledger.getRun(runId)).toEqual({
        runId,
        pipeline: 'diamond',
        status: 'running',
        input: { x: 1 },
        outputs: {},
        createdAt: 1000,
      });
    });

    it('keeps_the_first_output_of_a_stage_and_reports_duplicates', async () => {
      const { ledger, runId } = await fresh();
      expect(await ledger.recordStage(runId, 'a', { v: 1 }, topo('a'), 1100)).toEqual({
        recorded: true,
        output: { v: 1 },
        ready: expect.arrayContaining(['b', 'c']),
        completed: false,
      });
      const again = await ledger.recordStage(runId, 'a', { v: 2 }, topo('a'), 1200);
      expect(again).toMatchObject({ recorded: false, output: { v: 1 }, completed: false });
      expect([...again.ready].sort()).toEqual(['b', 'c']);
    });

    it('reports_the_fan_in_stage_ready_to_exactly_one_of_two_concurrent_parents', async () => {
      const { ledger, runId } = await fresh();
      await ledger.recordStage(runId, 'a', 1, topo('a'), 1100);
      const [b, c] = await Promise.all([
        ledger.recordStage(runId, 'b', 2, topo('b'), 1200),
        ledger.recordStage(runId, 'c', 3, topo('c'), 1200),
      ]);
      expect([...b.ready, ...c.ready]).toEqual(['d']);
    });

    it('completes_the_run_exactly_once_when_the_last_sink_is_recorded', async () => {
      const { ledger, runId } = await fresh();
      for (const stage of ['a', 'b', 'c'] as const)
        await ledger.recordStage(runId, stage, stage, topo(stage), 1100);
      const results = await Promise.all([
        ledger.recordStage(runId, 'd', 'first', topo('d'), 1300),
        ledger.recordStage(runId, 'd', 'second', topo('d'), 1300),
      ]);
      expect(results.filter((r) => r.completed)).toHaveLength(1);
      expect(results.map((r) => r.output)).toEqual(['first', 'first']);
      expect(await ledger.getRun(runId)).toMatchObject({
        status: 'completed',
        finishedAt: 1300,
        outputs: { a: 'a', b: 'b', c: 'c', d: 'first' },
      });
    });

    it('fails_a_running_run_once_and_then_records_nothing_more', async () => {
      const { ledger, runId } = await fresh();
      await ledger.recordStage(runId, 'a', 1, topo('a'), 1100);
      expect(await ledger.failRun(runId, 'b', 'bad input', 1200)).toBe(true);
      expect(await ledger.failRun(runId, 'c', 'other', 1300)).toBe(false);
      expect(await ledger.recordStage(runId, 'c', 3, topo('c'), 1400)).toEqual({
        recorded: false,
        output: undefined,
        ready: [],
        completed: false,
      });
      expect(await ledger.getRun(runId)).toMatchObject({
        status: 'failed',
        failedStage: 'b',
        failedReason: 'bad input',
        finishedAt: 1200,
        outputs: { a: 1 },
      });
    });

    it('knows_no_unknown_run', async () => {
      const ledger = await createLedger();
      expect(await ledger.getRun('nope')).toBeUndefined();
      expect(await ledger.failRun('nope', 'a', 'x', 1)).toBe(false);
      await expect(ledger.recordStage('nope', 'a', 1, topo('a'), 1)).rejects.toMatchObject({
        code: 'run_not_found',
      });
    });
  });
}

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Predict } from '../../src/modules/index.js';
import { silentLogger } from '../../src/telemetry/index.js';
import { startRuntime } from '../../supervisors/runtime.js';
import type { Runtime, RuntimeEvent } from '../../supervisors/runtime-types.js';
import { startOpenAIFixture, type LMFixture } from '../fixtures/index.js';
import { pollUntil } from '../helpers/node-cluster.js';
import { CrashingProgram, GatedProgram, fixtureLm } from './runtime-helpers.js';

let fixture: LMFixture;
let rt: Runtime;
let gated: GatedProgram;

beforeEach(async () => {
  fixture = await startOpenAIFixture();
  gated = new GatedProgram();
  rt = await startRuntime(
    {
      queues: { concurrency: 2 },
      shutdown: { drainTimeoutMs: 500 },
      programs: { qa: new Predict('question -> answer'), crash: new CrashingProgram(), gated },
    },
    { logger: silentLogger(), lm: fixtureLm(fixture) },
  );
});

afterEach(async () => {
  gated.release();
  await rt.stop();
  await fixture.close();
});

const executionEvents = (events: RuntimeEvent[]): { phase: string; program: string }[] =>
  events.flatMap((e) => (e.type === 'execution' ? [{ phase: e.phase, program: e.program }] : []));

describe('execution events', () => {
  it('reach a listener subscribed after the node started (it is asked at each event, not at start)', async () => {
    // Nobody listens for the first job.
    await rt.run('qa', { question: 'unobserved' });
    const events: RuntimeEvent[] = [];
    rt.subscribe((e) => events.push(e));
    const ok = await rt.run('qa', { question: 'observed' });
    await expect(rt.run('crash', {})).rejects.toThrow();
    expect(executionEvents(events)).toEqual([
      { phase: 'started', program: 'qa' },
      { phase: 'succeeded', program: 'qa' },
      { phase: 'started', program: 'crash' },
      { phase: 'failed', program: 'crash' },
    ]);
    const succeeded = events.find((e) => e.type === 'execution' && e.phase === 'succeeded');
    expect(succeeded).toMatchObject({ jobId: expect.any(String), executionId: ok.executionId });
  });

  it('tell a listener subscribed while an execution runs how that execution ends', async () => {
    const run = rt.run('gated', { text: 'hi' });
    await pollUntil('the gated run to start', 5_000, () => (gated.started > 0 ? true : undefined));
    const events: RuntimeEvent[] = [];
    rt.subscribe((e) => events.push(e));
    gated.release();
    await run;
    expect(executionEvents(events)).toEqual([{ phase: 'succeeded', program: 'gated' }]);
  });
});

import { describe, expect, it } from 'vitest';
import { RuntimeMetrics, silentLogger } from '../../src/telemetry/index.js';
import { NodeActivity, RuntimeEvents } from '../../supervisors/runtime-events.js';
import type { RuntimeEvent } from '../../supervisors/runtime-types.js';

function activity(): { activity: NodeActivity; metrics: RuntimeMetrics; seen: string[] } {
  const metrics = new RuntimeMetrics();
  const events = new RuntimeEvents({ now: () => 0 }, silentLogger());
  const seen: string[] = [];
  events.subscribe((e: RuntimeEvent) => {
    if (e.type === 'job') seen.push(`${e.jobId}:${e.phase}`);
  });
  return { activity: new NodeActivity('n1', metrics, events), metrics, seen };
}

const outcomes = async (metrics: RuntimeMetrics): Promise<Record<string, number>> => {
  const { values } = await metrics.jobsTotal.get();
  return Object.fromEntries(values.map((v) => [String(v.labels.outcome), v.value]));
};

describe('NodeActivity.countJobs', () => {
  it('counts_a_job_in_flight_until_its_handler_settles_then_as_completed_or_failed', async () => {
    const { activity: a, metrics, seen } = activity();
    let finish!: (v: string) => void;
    const handler = (job: { id: string }): Promise<string> =>
      job.id === 'ok'
        ? new Promise((resolve) => (finish = resolve))
        : Promise.reject(new Error('no'));
    const counted = a.countJobs('q', handler);
    const ok = counted({ id: 'ok' });
    expect(a.inFlight('q')).toBe(1);
    await expect(counted({ id: 'bad' })).rejects.toThrow('no');
    expect(a.inFlight('q')).toBe(1);
    finish('done');
    await expect(ok).resolves.toBe('done');
    expect(a.inFlight('q')).toBe(0);
    expect(await outcomes(metrics)).toEqual({ completed: 1, failed: 1 });
    expect(seen).toEqual(['ok:started', 'bad:started', 'bad:failed', 'ok:completed']);
  });

  it('turns_a_handler_that_throws_synchronously_into_a_rejection_counted_as_failed', async () => {
    const { activity: a, metrics, seen } = activity();
    const counted = a.countJobs('q', (): Promise<string> => {
      throw new Error('sync');
    });
    const out = counted({ id: 'j' });
    expect(out).toBeInstanceOf(Promise);
    await expect(out).rejects.toThrow('sync');
    expect(a.inFlight('q')).toBe(0);
    expect(await outcomes(metrics)).toEqual({ failed: 1 });
    expect(seen).toEqual(['j:started', 'j:failed']);
  });
});

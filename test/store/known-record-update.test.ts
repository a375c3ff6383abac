import { describe, expect, it } from 'vitest';
import { MemoryStore } from '../../src/store/index.js';
import { ManualClock, sequentialIds } from './manual-clock.js';

function store(): { store: MemoryStore; clock: ManualClock } {
  const clock = new ManualClock();
  return { store: new MemoryStore({ clock, generateId: sequentialIds() }), clock };
}

describe('executions.update with a known record', () => {
  it('writes_against_the_known_revision_with_the_same_result_as_a_plain_update', async () => {
    const { store: s, clock } = store();
    const { execution } = await s.executions.recordOnce('job-1', {
      program: 'qa',
      inputs: { q: 1 },
      status: 'running',
    });
    clock.advance(250);
    const done = await s.executions.update(
      execution.id,
      { status: 'succeeded', outputs: { a: 2 } },
      { known: execution },
    );
    expect(done).toMatchObject({ status: 'succeeded', outputs: { a: 2 }, revision: 2 });
    expect(done.durationMs).toBe(250);
    expect(await s.executions.get(execution.id)).toEqual(done);
    expect((await s.executions.list({ status: 'succeeded' })).items).toEqual([done]);
    expect((await s.executions.list({ status: 'running' })).items).toEqual([]);
  });

  it('rereads_and_keeps_the_other_write_when_the_known_record_is_stale', async () => {
    const { store: s } = store();
    const { execution } = await s.executions.recordOnce('job-2', {
      program: 'qa',
      inputs: { q: 1 },
      status: 'running',
      node: 'a',
    });
    await s.executions.update(execution.id, { node: 'b' });
    const done = await s.executions.update(
      execution.id,
      { status: 'succeeded' },
      { known: execution },
    );
    expect(done).toMatchObject({ status: 'succeeded', node: 'b', revision: 3 });
  });

  it('judges_the_transition_on_the_stored_record_not_the_known_one', async () => {
    const { store: s } = store();
    const pending = await s.executions.create({ program: 'qa', inputs: {} });
    await s.executions.update(pending.id, { status: 'running' });
    // pending → succeeded is not allowed, running → succeeded is: the stored record decides.
    const done = await s.executions.update(pending.id, { status: 'succeeded' }, { known: pending });
    expect(done.status).toBe('succeeded');
    await expect(
      s.executions.update(pending.id, { status: 'failed' }, { known: pending }),
    ).rejects.toMatchObject({ code: 'invalid_transition' });
  });
});

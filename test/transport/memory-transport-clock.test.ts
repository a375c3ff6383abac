import { describe, expect, it } from 'vitest';
import { MemoryTransport, type TransportEvent } from '../../src/transport/index.js';
import { ManualClock, settle } from './manual-clock.js';

// MemoryTransport with a simulated clock: backoff, delays and deadlines to the millisecond,
// without waiting for them.
describe('MemoryTransport on a manual clock', () => {
  const setup = async () => {
    const clock = new ManualClock();
    const transport = new MemoryTransport({ clock });
    const events: TransportEvent[] = [];
    await transport.subscribe('q', (e) => events.push(e));
    return { clock, transport, events };
  };

  it('schedules_exponential_backoff_at_delay_then_twice_the_delay', async () => {
    const { clock, transport } = await setup();
    const startedAt: number[] = [];
    await transport.process('q', async () => {
      startedAt.push(clock.now());
      throw new Error('nope');
    });
    const id = await transport.enqueue(
      'q',
      {},
      { attempts: 4, backoff: { type: 'exponential', delay: 1000 } },
    );
    await settle();
    const t0 = clock.now();
    expect((await transport.getJob('q', id))?.state).toBe('delayed');
    await clock.advance(999);
    expect(startedAt).toHaveLength(1);
    await clock.advance(1);
    expect(startedAt).toHaveLength(2);
    await clock.advance(10_000);
    expect(startedAt.map((t) => t - t0)).toEqual([0, 1000, 3000, 7000]);
    expect(await transport.getJob('q', id)).toMatchObject({ state: 'failed', attemptsMade: 4 });
  });

  it('schedules_fixed_backoff_at_the_same_delay_each_time', async () => {
    const { clock, transport, events } = await setup();
    await transport.process('q', async () => {
      throw new Error('nope');
    });
    const id = await transport.enqueue('q', {}, { attempts: 3, backoff: 250 });
    await clock.advance(1000);
    expect(
      events.filter((e) => e.type === 'retrying').map((e) => (e.type === 'retrying' ? e.delay : 0)),
    ).toEqual([250, 250]);
    expect((await transport.getJob('q', id))?.state).toBe('failed');
  });

  it('releases_a_delayed_job_exactly_when_its_delay_elapses', async () => {
    const { clock, transport } = await setup();
    let ran = false;
    await transport.process('q', async () => {
      ran = true;
    });
    const id = await transport.enqueue('q', {}, { delay: 5000 });
    await clock.advance(4999);
    expect(ran).toBe(false);
    expect((await transport.getCounts('q')).delayed).toBe(1);
    await clock.advance(1);
    expect(ran).toBe(true);
    expect((await transport.getJob('q', id))?.state).toBe('completed');
  });

  it('times_out_a_wait_on_the_injected_clock', async () => {
    const { clock, transport } = await setup();
    const id = await transport.enqueue('q', {});
    const wait = transport.waitForResult('q', id, 3000);
    const outcome = wait.then(
      () => 'resolved',
      (e: { code: string }) => e.code,
    );
    await clock.advance(2999);
    expect(clock.pending).toBe(1);
    await clock.advance(1);
    expect(await outcome).toBe('timeout');
  });

  it('abandons_in_flight_attempts_when_the_close_deadline_passes_and_ignores_their_late_result', async () => {
    const { clock, transport } = await setup();
    let finishLate!: (value: string) => void;
    const consumer = await transport.process(
      'q',
      () => new Promise<string>((resolve) => (finishLate = resolve)),
    );
    const id = await transport.enqueue('q', {});
    await settle();
    expect((await transport.getJob('q', id))?.state).toBe('active');
    let closed = false;
    const closing = consumer.close({ timeout: 10_000 }).then(() => (closed = true));
    await clock.advance(9_999);
    expect(closed).toBe(false);
    await clock.advance(1);
    await closing;
    expect((await transport.getJob('q', id))?.state).toBe('waiting');
    finishLate('too late');
    await settle();
    expect(await transport.getJob('q', id)).toMatchObject({ state: 'waiting', attemptsMade: 0 });
  });

  it('rejects_pending_waits_and_new_work_once_closed', async () => {
    const { transport } = await setup();
    const id = await transport.enqueue('q', {});
    const wait = transport.waitForResult('q', id, 60_000).catch((e: { code: string }) => e.code);
    await transport.close();
    expect(await wait).toBe('closed');
    await expect(transport.enqueue('q', {})).rejects.toMatchObject({ code: 'closed' });
  });

  it('never_reports_a_connection_change', async () => {
    const { transport } = await setup();
    const seen: unknown[] = [];
    const off = transport.onConnection((e) => seen.push(e));
    await transport.close();
    off();
    expect(seen).toEqual([]);
  });
});

import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ManualClock, MemoryRateLimiter } from '../../src/resilience/index.js';

/** Tolerance for float refill arithmetic. */
const EPS = 1e-6;

type Op =
  | { kind: 'try'; dt: number; cost: number }
  | { kind: 'acquire'; dt: number; cost: number; maxWaitMs: number }
  | { kind: 'refund'; dt: number; cost: number };

const bucketArb = fc.record({
  capacity: fc.integer({ min: 1, max: 20 }),
  refillPerSecond: fc.double({ min: 0.5, max: 50, noNaN: true }),
});

function opsArb(capacity: number): fc.Arbitrary<Op[]> {
  const dt = fc.integer({ min: 0, max: 1_500 });
  const cost = fc.integer({ min: 0, max: capacity });
  return fc.array(
    fc.oneof(
      fc.record({ kind: fc.constant('try' as const), dt, cost }),
      fc.record({
        kind: fc.constant('acquire' as const),
        dt,
        cost,
        maxWaitMs: fc.integer({ min: 0, max: 5_000 }),
      }),
      fc.record({ kind: fc.constant('refund' as const), dt, cost }),
    ),
    { maxLength: 30 },
  );
}

interface Event {
  readonly at: number;
  /** Cost taken (> 0) or refunded (< 0). */
  readonly net: number;
}

/** Plays `ops` on a fresh limiter with fake time; returns every admission and refund, timed. */
async function play(
  bucket: { capacity: number; refillPerSecond: number },
  ops: Op[],
): Promise<{ events: Event[]; admittedOrder: number[] }> {
  const clock = new ManualClock(0);
  const limiter = new MemoryRateLimiter({ bucket, clock });
  const events: Event[] = [];
  const admittedOrder: number[] = [];
  const pending: Promise<unknown>[] = [];
  for (const [i, op] of ops.entries()) {
    await clock.advance(op.dt);
    if (op.kind === 'try') {
      if (limiter.tryAcquire('k', op.cost).ok) events.push({ at: clock.now(), net: op.cost });
    } else if (op.kind === 'refund') {
      limiter.refund('k', op.cost);
      events.push({ at: clock.now(), net: -op.cost });
    } else {
      pending.push(
        limiter.acquire('k', op.cost, { maxWaitMs: op.maxWaitMs }).then(
          () => {
            events.push({ at: clock.now(), net: op.cost });
            admittedOrder.push(i);
          },
          () => undefined,
        ),
      );
    }
  }
  await clock.advance(1_000_000);
  await Promise.all(pending);
  return { events, admittedOrder };
}

describe('token bucket properties (MemoryRateLimiter, fake time)', () => {
  it('never_admits_more_than_capacity_plus_refill_times_t_over_any_interval', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketArb.chain((bucket) => fc.tuple(fc.constant(bucket), opsArb(bucket.capacity))),
        async ([bucket, ops]) => {
          const { events } = await play(bucket, ops);
          const times = [...new Set(events.map((e) => e.at))].sort((a, b) => a - b);
          for (const [i, from] of times.entries()) {
            for (const to of times.slice(i)) {
              const net = events
                .filter((e) => e.at >= from && e.at <= to)
                .reduce((sum, e) => sum + e.net, 0);
              const bound = bucket.capacity + (bucket.refillPerSecond * (to - from)) / 1000;
              expect(net).toBeLessThanOrEqual(bound + EPS);
            }
          }
        },
      ),
      { numRuns: 150, seed: 20261121 },
    );
  });

  it('admits_waiters_of_one_key_in_arrival_order', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketArb.chain((bucket) => fc.tuple(fc.constant(bucket), opsArb(bucket.capacity))),
        async ([bucket, ops]) => {
          const { admittedOrder } = await play(bucket, ops);
          expect(admittedOrder).toEqual([...admittedOrder].sort((a, b) => a - b));
        },
      ),
      { numRuns: 100, seed: 7 },
    );
  });

  it('admits_a_lone_waiter_exactly_when_its_tokens_have_accrued', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketArb.chain((bucket) =>
          fc.tuple(
            fc.constant(bucket),
            fc.integer({ min: 0, max: bucket.capacity }),
            fc.integer({ min: 0, max: bucket.capacity }),
          ),
        ),
        async ([bucket, drained, cost]) => {
          const clock = new ManualClock(0);
          const limiter = new MemoryRateLimiter({ bucket, clock, maxWaitMs: 1_000_000 });
          expect(limiter.tryAcquire('k', drained)).toEqual({ ok: true });
          let admittedAt: number | undefined;
          const waiting = limiter.acquire('k', cost).then(() => (admittedAt = clock.now()));
          await clock.advance(100_000);
          await waiting;
          const deficit = Math.max(0, cost - (bucket.capacity - drained));
          expect(admittedAt).toBeCloseTo((deficit * 1000) / bucket.refillPerSecond, 6);
        },
      ),
      { numRuns: 100, seed: 42 },
    );
  });

  it('refunds_and_debits_keep_the_balance_at_most_capacity', async () => {
    await fc.assert(
      fc.asyncProperty(
        bucketArb,
        fc.array(fc.tuple(fc.boolean(), fc.integer({ min: 0, max: 100 }), fc.nat(3_000)), {
          maxLength: 20,
        }),
        async (bucket, moves) => {
          const clock = new ManualClock(0);
          const limiter = new MemoryRateLimiter({ bucket, clock });
          for (const [refund, amount, dt] of moves) {
            await clock.advance(dt);
            if (refund) limiter.refund('k', amount);
            else limiter.debit('k', amount);
            expect(limiter.available('k')).toBeLessThanOrEqual(bucket.capacity + EPS);
          }
        },
      ),
      { numRuns: 100, seed: 3 },
    );
  });
});

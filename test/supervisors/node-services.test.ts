import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { Cleanups, Intake } from '../../supervisors/node-services.js';
import { RuntimeEvents } from '../../supervisors/runtime-events.js';
import type { RuntimeEvent } from '../../supervisors/runtime-types.js';
import { createLogger } from '../../src/telemetry/index.js';
import { FakeClock } from '../../src/time/index.js';

/** A logger whose lines are kept in `lines` (JSON objects). */
function capturedLogger(): { logger: ReturnType<typeof createLogger>; lines: unknown[] } {
  const lines: unknown[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const l of chunk.toString().split('\n').filter(Boolean)) lines.push(JSON.parse(l));
      done();
    },
  });
  return { logger: createLogger({ level: 'warn', destination }), lines };
}

describe('NodeServices parts', () => {
  it('undoes steps last first and runs the rest when one fails', async () => {
    const order: string[] = [];
    const errors: unknown[] = [];
    const cleanups = new Cleanups();
    cleanups.push(() => void order.push('transport'));
    cleanups.push(() => {
      order.push('store');
      throw new Error('store close failed');
    });
    cleanups.push(async () => void order.push('pool'));
    await cleanups.run((e) => errors.push(e));
    expect(order).toEqual(['pool', 'store', 'transport']);
    expect(errors).toHaveLength(1);
    expect((errors[0] as Error).message).toBe('store close failed');
  });

  it('refuses new work with a retryable stopping error once closed, and lists runs in flight', async () => {
    const intake = new Intake();
    expect(() => intake.assertOpen()).not.toThrow();
    let finish!: () => void;
    const run = intake.track(new Promise<void>((resolve) => (finish = resolve)));
    expect(intake.running()).toEqual([run]);
    intake.close();
    expect(intake.closed).toBe(true);
    expect(() => intake.assertOpen()).toThrowError(
      expect.objectContaining({ code: 'stopping', retryable: true }),
    );
    finish();
    await run;
    expect(intake.running()).toEqual([]);
  });

  it('stamps events with the clock, reaches every listener even when one throws, and stops after unsubscribe', () => {
    const clock = new FakeClock(1_000);
    const { logger, lines } = capturedLogger();
    const events = new RuntimeEvents(clock, logger);
    expect(events.observed).toBe(false);
    const seen: RuntimeEvent[] = [];
    const unsubscribeThrowing = events.subscribe(() => {
      throw new Error('listener bug');
    });
    const unsubscribe = events.subscribe((e) => seen.push(e));
    expect(events.observed).toBe(true);
    events.emit({ type: 'runtime', phase: 'started' });
    expect(seen).toEqual([{ type: 'runtime', phase: 'started', at: 1_000 }]);
    expect(lines).toHaveLength(1);
    unsubscribe();
    unsubscribeThrowing();
    events.emit({ type: 'runtime', phase: 'stopped' });
    expect(seen).toHaveLength(1);
    expect(events.observed).toBe(false);
  });
});

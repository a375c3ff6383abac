import { describe, expect, it } from 'vitest';
import { createProgress, progressOf } from '../../src/cli/index.js';

function sink(isTTY = false): { write(s: string): void; isTTY: boolean; text: string } {
  return {
    isTTY,
    text: '',
    write(s: string) {
      this.text += s;
    },
  };
}

describe('createProgress when not a terminal', () => {
  it('prints plain lines at most once per interval, plus the completion and the last pending one', () => {
    let now = 0;
    const out = sink();
    const progress = createProgress('eval qa', out, { now: () => now, minIntervalMs: 1000 });
    progress.update(0, 4);
    now = 100;
    progress.update(1, 4, 'score 50.00'); // within the interval: held back
    now = 1200;
    progress.update(2, 4);
    now = 1300;
    progress.update(4, 4); // completion is always printed
    progress.update(4, 4); // unchanged: not repeated
    expect(out.text).toBe('eval qa: 0/4\neval qa: 2/4\neval qa: 4/4\n');
  });

  it('stop flushes a held-back line; an unknown total prints the count alone', () => {
    let now = 0;
    const out = sink();
    const progress = createProgress('optimize', out, { now: () => now });
    progress.update(1, 0);
    now = 10;
    progress.update(2, 0, 'best 0.50');
    progress.stop();
    expect(out.text).toBe('optimize: 1\noptimize: 2 best 0.50\n');
  });
});

describe('progressOf', () => {
  it('reads evaluation and optimization progress events and ignores the rest', () => {
    expect(
      progressOf(
        { type: 'evaluation_progress', evalId: 'e1', shard: 0, done: 3, total: 8 } as never,
        'evaluation',
      ),
    ).toEqual({
      done: 3,
      total: 8,
      id: 'e1',
      shard: 0,
    });
    expect(
      progressOf(
        {
          type: 'optimization_progress',
          runId: 'r1',
          progress: { processed: 2, total: 5 },
        } as never,
        'optimization',
      ),
    ).toEqual({ done: 2, total: 5, id: 'r1' });
    expect(progressOf({ type: 'child_started' }, 'evaluation')).toBeUndefined();
    expect(
      progressOf(
        { type: 'optimization_progress', runId: 'r1', progress: {} } as never,
        'optimization',
      ),
    ).toBeUndefined();
  });
});

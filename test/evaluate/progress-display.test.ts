import { PassThrough } from 'node:stream';

import { describe, expect, it } from 'vitest';

import { Evaluate } from '../../src/evaluate/evaluate.js';
import { createProgressDisplay } from '../../src/evaluate/progress-display.js';
import { Example } from '../../src/modules/example.js';
import { Prediction } from '../../src/modules/prediction.js';

/** A writable that claims to be a terminal (what cli-progress draws on). */
function fakeTty(isTTY: boolean): { stream: NodeJS.WriteStream; written: () => string } {
  const chunks: string[] = [];
  const stream = new PassThrough() as unknown as NodeJS.WriteStream;
  Object.assign(stream, {
    isTTY,
    columns: 120,
    cursorTo: () => true,
    clearLine: () => true,
    moveCursor: () => true,
  });
  (stream as unknown as PassThrough).on('data', (c: Buffer) => chunks.push(c.toString()));
  return { stream, written: () => chunks.join('') };
}

const devset = [
  new Example({ q: 'a', answer: 'a' }).withInputs('q'),
  new Example({ q: 'b', answer: 'x' }).withInputs('q'),
];
const echo = {
  call: (inputs: Record<string, unknown>) =>
    Promise.resolve(new Prediction({ answer: inputs['q'] })),
};
function exact(ex: Example, pred: Prediction): boolean {
  return ex.answer === pred.answer;
}

describe('progress display', () => {
  it('draws a bar with the running average on a TTY', async () => {
    const tty = fakeTty(true);
    await new Evaluate({ devset, metric: exact, progressStream: tty.stream, concurrency: 1 }).run(
      echo,
    );
    await new Promise((r) => setImmediate(r));
    expect(tty.written()).toContain('Average Metric: 1.00 / 2 (50%)');
  });

  it('stays silent when the stream is not a TTY', async () => {
    const pipe = fakeTty(false);
    await new Evaluate({ devset, metric: exact, progressStream: pipe.stream }).run(echo);
    expect(pipe.written()).toBe('');
  });

  it('stays silent with display: false even on a TTY', () => {
    const tty = fakeTty(true);
    const display = createProgressDisplay(3, false, tty.stream);
    display.update(1, 'x');
    display.stop();
    expect(tty.written()).toBe('');
  });
});

import cliProgress from 'cli-progress';
import type { OutputStream } from './cli-io.js';

/** Reports the progress of a long command (eval, optimize). */
export interface ProgressReporter {
  /** `done` out of `total` (`total` 0 while unknown); `detail` is a short suffix (score…). */
  update(done: number, total: number, detail?: string): void;
  stop(): void;
}

/**
 * A live bar (cli-progress) when `stream` is a terminal, otherwise plain lines — at most one per
 * `minIntervalMs` plus the last — so logs and CI output stay readable.
 *
 * @example
 * ```ts
 * const progress = createProgress('eval qa', process.stderr);
 * progress.update(3, 10, 'score 66.7');
 * progress.stop();
 * ```
 */
export function createProgress(
  label: string,
  stream: OutputStream,
  options: { now?: () => number; minIntervalMs?: number } = {},
): ProgressReporter {
  if (stream.isTTY === true) return barProgress(label, stream);
  const now = options.now ?? Date.now;
  const minInterval = options.minIntervalMs ?? 1_000;
  let lastAt = -Infinity;
  let last = '';
  let pending: string | undefined;
  return {
    update(done, total, detail) {
      const line = `${label}: ${total > 0 ? `${done}/${total}` : `${done}`}${detail ? ` ${detail}` : ''}`;
      if (line === last) return;
      const at = now();
      if (at - lastAt >= minInterval || (total > 0 && done >= total)) {
        stream.write(`${line}\n`);
        last = line;
        lastAt = at;
        pending = undefined;
      } else pending = line;
    },
    stop() {
      if (pending !== undefined) stream.write(`${pending}\n`);
      pending = undefined;
    },
  };
}

function barProgress(label: string, stream: OutputStream): ProgressReporter {
  const bar = new cliProgress.SingleBar(
    {
      format: `${label} [{bar}] {value}/{total} {detail}`,
      stream: stream as NodeJS.WritableStream,
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(done, total, detail) {
      if (!started) {
        bar.start(Math.max(total, done, 1), done, { detail: detail ?? '' });
        started = true;
      } else {
        if (total > 0) bar.setTotal(total);
        bar.update(done, { detail: detail ?? '' });
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

import cliProgress from 'cli-progress';

/** Where progress goes: a bar on a terminal, or nothing. */
export interface ProgressDisplay {
  update(done: number, description: string): void;
  stop(): void;
}

const SILENT: ProgressDisplay = { update: () => {}, stop: () => {} };

/**
 * A cli-progress bar on `stream` when it is a TTY and `enabled`; otherwise silent, so logs and
 * CI output stay clean (DSPy draws tqdm bars unconditionally when asked).
 */
export function createProgressDisplay(
  total: number,
  enabled: boolean,
  stream: NodeJS.WriteStream = process.stderr,
): ProgressDisplay {
  if (!enabled || stream.isTTY !== true || total === 0) return SILENT;
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{description} |{bar}| {value}/{total}',
      hideCursor: true,
      clearOnComplete: false,
    },
    cliProgress.Presets.shades_classic,
  );
  bar.start(total, 0, { description: '' });
  return {
    update: (done, description) => bar.update(done, { description }),
    stop: () => bar.stop(),
  };
}

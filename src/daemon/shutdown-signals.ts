/** The signals that ask a daemon to shut down gracefully. */
export const SHUTDOWN_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
/** One of {@link SHUTDOWN_SIGNALS}. */
export type ShutdownSignal = (typeof SHUTDOWN_SIGNALS)[number];

const SIGNAL_NUMBERS: Record<ShutdownSignal, number> = { SIGINT: 2, SIGTERM: 15 };

/** The exit code of a process forced down by a signal (128 + the signal's number, shell style). */
export function forcedExitCode(signal: ShutdownSignal): number {
  return 128 + SIGNAL_NUMBERS[signal];
}

/** The part of `process` signal handling uses (injectable for tests). */
export interface SignalSource {
  on(signal: ShutdownSignal, listener: () => void): unknown;
  off(signal: ShutdownSignal, listener: () => void): unknown;
}

/**
 * Routes the first SIGTERM/SIGINT to `onShutdown` (graceful drain) and any later one to `onForce`
 * (an operator who signals twice wants the process gone now). Returns the uninstall function.
 *
 * @example
 * ```ts
 * const uninstall = onShutdownSignals(process, (s) => daemon.shutdown(s), (s) => process.exit(forcedExitCode(s)));
 * ```
 */
export function onShutdownSignals(
  source: SignalSource,
  onShutdown: (signal: ShutdownSignal) => void,
  onForce: (signal: ShutdownSignal) => void,
): () => void {
  let received = false;
  const listeners = SHUTDOWN_SIGNALS.map((signal) => {
    const listener = (): void => {
      if (received) onForce(signal);
      else {
        received = true;
        onShutdown(signal);
      }
    };
    source.on(signal, listener);
    return [signal, listener] as const;
  });
  return () => {
    for (const [signal, listener] of listeners) source.off(signal, listener);
  };
}

/**
 * OTP's `add_restart/3`: restart timestamps are whole monotonic seconds, newest first. Keep those
 * `>= now - period` (inclusive), add `now`; the supervisor must give up when more than
 * `intensity` remain. Called before every restart attempt, failed retries included.
 */
export function addRestart(
  restarts: readonly number[],
  nowSeconds: number,
  intensity: number,
  period: number,
): { restarts: number[]; exceeded: boolean } {
  const threshold = nowSeconds - period;
  const kept: number[] = [nowSeconds];
  for (const r of restarts) {
    if (r < threshold) break; // newest first: takewhile, like OTP
    kept.push(r);
  }
  return { restarts: kept, exceeded: kept.length > intensity };
}

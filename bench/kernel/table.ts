import type { KernelNumbers } from './numbers.js';
import type { BenchSizes } from './sizes.js';

/** One line of the result table. `ratio` is dspex's cost in multiples of OTP's (> 1: slower). */
export interface Row {
  readonly metric: string;
  readonly dspex: number;
  readonly otp: number | undefined;
  readonly ratio: number | undefined;
  readonly target: string;
  /** Undefined when the metric has no target. */
  readonly met: boolean | undefined;
  readonly unit: string;
}

interface Target {
  readonly label: string;
  readonly ok: (v: number) => boolean;
}

interface MetricDef {
  readonly metric: string;
  readonly unit: string;
  readonly pick: (n: KernelNumbers) => number;
  /** Throughput: the ratio is inverted so it always reads as a cost. */
  readonly higherIsBetter?: boolean;
  readonly target?: Target;
}

const fmtInt = (n: number): string => Math.round(n).toLocaleString('en-US');

function metrics(sizes: BenchSizes): MetricDef[] {
  // The 1 s budget is for 10,000 children; other sizes (--scale) get a proportional budget.
  const dynamicBudgetMs = (1000 * sizes.dynamic) / 10_000;
  return [
    {
      metric: 'call round trip p50',
      unit: 'µs',
      pick: (n) => n.callP50Us,
      target: { label: '< 25 µs', ok: (v) => v < 25 },
    },
    { metric: 'call round trip p99', unit: 'µs', pick: (n) => n.callP99Us },
    {
      metric: 'cast throughput, one worker',
      unit: 'msgs/s',
      pick: (n) => n.castPerSec,
      higherIsBetter: true,
    },
    { metric: 'actor start (startChild)', unit: 'µs/child', pick: (n) => n.startUsPerChild },
    {
      metric: 'restart latency p50',
      unit: 'µs',
      pick: (n) => n.restartP50Us,
      target: { label: '< 200 µs', ok: (v) => v < 200 },
    },
    { metric: 'restart latency p99', unit: 'µs', pick: (n) => n.restartP99Us },
    {
      metric: `memory per idle actor @${fmtInt(sizes.idle)}`,
      unit: 'B',
      pick: (n) => n.idleBytesPerActor,
      target: { label: '≤ 8 KB (8,192 B)', ok: (v) => v <= 8192 },
    },
    {
      metric: `${fmtInt(sizes.dynamic)} dynamic children start+stop`,
      unit: 'ms',
      pick: (n) => n.dynamicTotalMs,
      target: { label: `< ${fmtInt(dynamicBudgetMs)} ms`, ok: (v) => v < dynamicBudgetMs },
    },
    { metric: '  of which start (sup + children)', unit: 'ms', pick: (n) => n.dynamicStartMs },
    { metric: '  of which stop', unit: 'ms', pick: (n) => n.dynamicStopMs },
    { metric: '  CPU time of start+stop', unit: 'ms', pick: (n) => n.dynamicCpuMs },
  ];
}

/** The table rows: dspex against OTP (when measured), with targets checked on dspex's value. */
export function buildRows(
  sizes: BenchSizes,
  dspex: KernelNumbers,
  otp: KernelNumbers | undefined,
): Row[] {
  return metrics(sizes).map((m) => {
    const d = m.pick(dspex);
    const o = otp === undefined ? undefined : m.pick(otp);
    const ratio = o === undefined ? undefined : m.higherIsBetter === true ? o / d : d / o;
    return {
      metric: m.metric,
      unit: m.unit,
      dspex: d,
      otp: o,
      ratio,
      target: m.target?.label ?? '—',
      met: m.target === undefined ? undefined : m.target.ok(d),
    };
  });
}

/** A value with a precision that suits its size (µs to one decimal, big numbers grouped). */
export function formatValue(v: number): string {
  if (!Number.isFinite(v)) return String(v);
  if (Math.abs(v) >= 1000) return fmtInt(v);
  if (Math.abs(v) >= 100) return v.toFixed(0);
  return v.toFixed(1);
}

/** The rows as an aligned text table (also valid Markdown). */
export function renderTable(rows: readonly Row[]): string {
  const header = ['metric', 'unit', 'dspex', 'Erlang/OTP', 'ratio (×OTP cost)', 'target', 'met?'];
  const cells = rows.map((r) => [
    r.metric,
    r.unit,
    formatValue(r.dspex),
    r.otp === undefined ? 'not measured' : formatValue(r.otp),
    r.ratio === undefined ? '—' : `${r.ratio.toFixed(2)}×`,
    r.target,
    r.met === undefined ? '—' : r.met ? 'met' : 'NOT MET',
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] ?? '').length)));
  const numeric = new Set([2, 3, 4]);
  const line = (c: readonly string[]): string =>
    '| ' +
    c
      .map((v, i) => (numeric.has(i) ? v.padStart(widths[i] ?? 0) : v.padEnd(widths[i] ?? 0)))
      .join(' | ') +
    ' |';
  const rule =
    '|' +
    widths.map((w, i) => (numeric.has(i) ? '-'.repeat(w + 1) + ':' : '-'.repeat(w + 2))).join('|') +
    '|';
  return [line(header), rule, ...cells.map(line)].join('\n');
}

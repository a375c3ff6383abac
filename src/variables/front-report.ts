import type { EvaluatedPoint } from './search-ledger.js';
import type { Configuration } from './variable.js';

/** Options of {@link formatFrontTable}. */
export interface FrontTableOptions {
  /** Variables shown as columns (default: every variable that differs between the points). */
  variables?: readonly string[];
  /** Marks this point with `*`. */
  chosen?: EvaluatedPoint | undefined;
}

/**
 * The front as a text table, cheapest first: quality (%), cost (USD per example), mean and p95
 * latency, evaluations spent, and the configuration.
 *
 * @example
 * ```ts
 * console.log(formatFrontTable(result.front, { chosen: result.chosen }));
 * ```
 */
export function formatFrontTable(
  points: readonly EvaluatedPoint[],
  options: FrontTableOptions = {},
): string {
  const vars = options.variables ?? varyingVariables(points.map((p) => p.configuration));
  const head = ['', 'quality', '$/example', 'latency ms', 'p95 ms', 'evals', ...vars];
  const rows = [...points]
    .sort((a, b) => a.cost - b.cost || b.quality - a.quality)
    .map((p) => [
      p === options.chosen ? '*' : '',
      p.quality.toFixed(2),
      formatDollars(p.cost),
      p.latency.toFixed(1),
      p.latencyP95.toFixed(1),
      p.evaluations.toFixed(2),
      ...vars.map((v) => String(p.configuration[v] ?? '')),
    ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (i >= 1 && i <= 5 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join('  ')
      .trimEnd();
  return [line(head), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** Options of {@link renderFrontHtml}. */
export interface FrontChartOptions {
  title?: string;
  /** Every configuration run (drawn grey behind the front). */
  evaluated?: readonly EvaluatedPoint[];
  chosen?: EvaluatedPoint | undefined;
  /** Variables listed in the table and tooltips (default: those that vary). */
  variables?: readonly string[];
}

const W = 720;
const H = 440;
const PAD = { left: 70, right: 24, top: 24, bottom: 56 };

/**
 * A self-contained HTML page (inline SVG, no scripts or external files): quality against cost
 * (log scale when costs span more than 10×), latency as each point's size and colour (pale fast,
 * dark slow), the front joined by a step line, the chosen point ringed, every other configuration
 * run in grey, and the front table below. Hovering a point shows its configuration.
 *
 * @example
 * ```ts
 * await writeFile('front.html', renderFrontHtml(result.front, { evaluated: result.evaluated, chosen: result.chosen }));
 * ```
 */
export function renderFrontHtml(
  front: readonly EvaluatedPoint[],
  options: FrontChartOptions = {},
): string {
  const title = options.title ?? 'Pareto front: quality against cost';
  const background = (options.evaluated ?? []).filter((p) => !front.includes(p));
  const all = [...front, ...background];
  const vars = options.variables ?? varyingVariables(all.map((p) => p.configuration));
  const costs = all.map((p) => p.cost).filter((c) => c > 0);
  const minCost = costs.length > 0 ? Math.min(...costs) : 1e-6;
  const maxCost = Math.max(minCost * 1.0001, ...all.map((p) => p.cost));
  const logX = maxCost / minCost > 10;
  const qualities = all.map((p) => p.quality);
  const qLo = Math.max(0, Math.floor((Math.min(100, ...qualities) - 5) / 10) * 10);
  const qHi = Math.min(100, Math.ceil((Math.max(0, ...qualities) + 5) / 10) * 10);
  const lat = all.map((p) => p.latency);
  const lLo = Math.min(...lat, 0);
  const lHi = Math.max(...lat, lLo + 1);
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const x = (cost: number): number => {
    const c = Math.max(cost, minCost);
    const t = logX
      ? (Math.log(c) - Math.log(minCost)) / (Math.log(maxCost) - Math.log(minCost))
      : (c - 0) / maxCost;
    return PAD.left + t * plotW;
  };
  const y = (q: number): number => PAD.top + (1 - (q - qLo) / Math.max(1, qHi - qLo)) * plotH;
  const t = (l: number): number => (l - lLo) / (lHi - lLo || 1);
  const radius = (l: number): number => 5 + 9 * t(l);
  const colour = (l: number): string => {
    const k = t(l);
    return `rgb(${Math.round(250 - 200 * k)},${Math.round(200 - 150 * k)},${Math.round(90 + 60 * k)})`;
  };
  const tip = (p: EvaluatedPoint): string =>
    esc(
      `quality ${p.quality.toFixed(2)} | ${formatDollars(p.cost)}/example | ${p.latency.toFixed(1)} ms (p95 ${p.latencyP95.toFixed(1)})\n` +
        vars.map((v) => `${v} = ${String(p.configuration[v])}`).join('\n'),
    );
  const parts: string[] = [];
  for (let q = qLo; q <= qHi; q += 10) {
    parts.push(
      `<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(q)}" y2="${y(q)}" stroke="#eee"/>`,
      `<text x="${PAD.left - 8}" y="${y(q) + 4}" text-anchor="end" font-size="11">${q}</text>`,
    );
  }
  for (const c of xTicks(minCost, maxCost, logX))
    parts.push(
      `<line x1="${x(c)}" x2="${x(c)}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#eee"/>`,
      `<text x="${x(c)}" y="${H - PAD.bottom + 16}" text-anchor="middle" font-size="11">${esc(formatDollars(c))}</text>`,
    );
  for (const p of background)
    parts.push(
      `<circle cx="${x(p.cost)}" cy="${y(p.quality)}" r="4" fill="#ccc" opacity="0.8"><title>${tip(p)}</title></circle>`,
    );
  const sorted = [...front].sort((a, b) => a.cost - b.cost);
  if (sorted.length > 1) {
    let d = `M${x(sorted[0]!.cost)},${y(sorted[0]!.quality)}`;
    for (const p of sorted.slice(1)) d += ` H${x(p.cost)} V${y(p.quality)}`;
    parts.push(`<path d="${d}" fill="none" stroke="#555" stroke-dasharray="4 3"/>`);
  }
  for (const p of sorted) {
    parts.push(
      `<circle cx="${x(p.cost)}" cy="${y(p.quality)}" r="${radius(p.latency)}" fill="${colour(p.latency)}" stroke="#333"><title>${tip(p)}</title></circle>`,
    );
    if (p === options.chosen)
      parts.push(
        `<circle cx="${x(p.cost)}" cy="${y(p.quality)}" r="${radius(p.latency) + 5}" fill="none" stroke="#c00" stroke-width="2"/>`,
      );
  }
  parts.push(
    `<text x="${PAD.left + plotW / 2}" y="${H - 12}" text-anchor="middle" font-size="12">cost per example (USD${logX ? ', log scale' : ''})</text>`,
    `<text x="16" y="${PAD.top + plotH / 2}" text-anchor="middle" font-size="12" transform="rotate(-90 16 ${PAD.top + plotH / 2})">quality (%)</text>`,
    `<text x="${W - PAD.right}" y="${PAD.top - 8}" text-anchor="end" font-size="11">size and colour: latency ${lLo.toFixed(0)}–${lHi.toFixed(0)} ms (pale fast, dark slow)</text>`,
  );
  const svg = `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif">${parts.join('')}</svg>`;
  const table = formatFrontTable(front, { variables: vars, chosen: options.chosen });
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title>
<style>body{font-family:sans-serif;margin:24px;color:#222}pre{background:#f7f7f7;padding:12px;overflow:auto}</style>
</head><body>
<h1>${esc(title)}</h1>
<p>${front.length} configurations on the front${background.length > 0 ? ` of ${all.length} run` : ''}${options.chosen === undefined ? '' : '; the chosen one is ringed in red'}.</p>
${svg}
<pre>${esc(table)}</pre>
</body></html>
`;
}

/** Variables whose value differs between the configurations (all of them when there is one). */
function varyingVariables(configurations: readonly Configuration[]): string[] {
  const names = [...new Set(configurations.flatMap((c) => Object.keys(c)))];
  if (configurations.length <= 1) return names;
  return names.filter((n) => new Set(configurations.map((c) => String(c[n]))).size > 1);
}

function xTicks(lo: number, hi: number, log: boolean): number[] {
  if (!log) return [0, 1, 2, 3, 4].map((i) => (hi * i) / 4);
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(lo)); e <= Math.ceil(Math.log10(hi)); e++) {
    const v = 10 ** e;
    if (v >= lo * 0.999 && v <= hi * 1.001) out.push(v);
  }
  return out.length >= 2 ? out : [lo, hi];
}

/** `$0.000123` style: enough significant digits for sub-cent costs. */
export function formatDollars(usd: number): string {
  if (usd === 0) return '$0';
  return `$${usd >= 0.01 ? usd.toFixed(4) : usd.toPrecision(3)}`;
}

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

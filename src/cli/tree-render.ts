import type { ProgramsVersionView, RuntimeSnapshotView, TreeNodeView } from '../daemon/index.js';

/** Node-level facts printed above a tree (from the admin endpoint or a Redis heartbeat). */
export interface NodeHeader {
  nodeId: string;
  mode: string;
  status?: string;
  pid?: number;
  hostname?: string;
  programs?: readonly string[];
  /** Epoch ms of the heartbeat the data comes from (cluster view). */
  heartbeatAt?: number;
  /** The programs-module version the node serves. */
  programsVersion?: ProgramsVersionView;
}

/** `1h 4m`, `3m 2s`, `12s`: the largest two units, for uptimes. */
export function formatDuration(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86_400);
  const h = Math.floor((s % 86_400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${m}m`;
  if (m > 0) return `${m}m ${sec}s`;
  return `${sec}s`;
}

/** An xstate state value as a dotted path: `running.busy`; parallel regions joined by `,`. */
export function formatStateValue(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value === 'string') return value;
  if (typeof value === 'object' && !Array.isArray(value)) {
    return Object.entries(value as Record<string, unknown>)
      .map(([k, v]) => {
        const inner = formatStateValue(v);
        return inner === '' ? k : `${k}.${inner}`;
      })
      .join(',');
  }
  return JSON.stringify(value);
}

function inFlightOf(node: TreeNodeView): number | undefined {
  return node.inFlight ?? node.inFlightCalls;
}

interface Row {
  label: string;
  node: TreeNodeView;
}

function collect(node: TreeNodeView, prefix: string, childPrefix: string, rows: Row[]): void {
  rows.push({ label: `${prefix}${node.id}`, node });
  const children = node.children ?? [];
  children.forEach((child, i) => {
    const last = i === children.length - 1;
    collect(
      child,
      `${childPrefix}${last ? '└─ ' : '├─ '}`,
      `${childPrefix}${last ? '   ' : '│  '}`,
      rows,
    );
  });
}

/**
 * Renders a supervision tree, one actor per line with its kind, status, state, restarts,
 * in-flight work and uptime, aligned in columns.
 *
 * @example
 * ```ts
 * console.log(renderTree(runtime.inspect().tree, Date.now()));
 * // root                 supervisor  running  restarts 0  up 12s
 * // ├─ registries        supervisor  running  restarts 0  up 12s
 * ```
 */
export function renderTree(tree: TreeNodeView, now: number): string {
  const rows: Row[] = [];
  collect(tree, '', '', rows);
  const width = Math.max(...rows.map((r) => r.label.length));
  const kindWidth = Math.max(...rows.map((r) => r.node.kind.length));
  const statusWidth = Math.max(...rows.map((r) => r.node.status.length));
  return rows
    .map(({ label, node }) => {
      const parts = [
        label.padEnd(width),
        node.kind.padEnd(kindWidth),
        node.status.padEnd(statusWidth),
      ];
      const state = formatStateValue(node.state);
      if (state !== '') parts.push(`state ${state}`);
      parts.push(`restarts ${node.restarts}`);
      const inFlight = inFlightOf(node);
      if (inFlight !== undefined && (node.kind === 'worker' || inFlight > 0))
        parts.push(`in-flight ${inFlight}`);
      if (node.startedAt !== undefined && node.status === 'running')
        parts.push(`up ${formatDuration(now - node.startedAt)}`);
      return parts.join('  ').trimEnd();
    })
    .join('\n');
}

/** The header line of one node: `node n1  mode redis  status ok  pid 42  up 3m 2s  programs qa, summarize`. */
export function renderNodeHeader(
  header: NodeHeader,
  snapshot: RuntimeSnapshotView,
  now: number,
): string {
  const parts = [`node ${header.nodeId}`, `mode ${header.mode}`];
  if (header.status !== undefined) parts.push(`status ${header.status}`);
  if (header.pid !== undefined)
    parts.push(`pid ${header.pid}${header.hostname ? `@${header.hostname}` : ''}`);
  parts.push(`up ${formatDuration(now - snapshot.startedAt)}`);
  if (header.heartbeatAt !== undefined)
    parts.push(`heartbeat ${formatDuration(now - header.heartbeatAt)} ago`);
  if (header.programs !== undefined)
    parts.push(`programs ${header.programs.join(', ') || '(none)'}`);
  const v = header.programsVersion;
  if (v === undefined) return parts.join('  ');
  const version = `programs-module v${v.version} #${v.hash} loaded ${formatDuration(Math.max(0, now - v.loadedAt))} ago`;
  const failed =
    v.lastError === undefined
      ? ''
      : `\n  last reload failed ${formatDuration(Math.max(0, now - v.lastError.at))} ago (v${v.version} kept serving): ${v.lastError.message.split('\n')[0]}`;
  return `${parts.join('  ')}\n  ${version}${failed}`;
}

/** A node's header and tree, as `dspex inspect` prints it. */
export function renderNode(header: NodeHeader, snapshot: RuntimeSnapshotView, now: number): string {
  return `${renderNodeHeader(header, snapshot, now)}\n${renderTree(snapshot.tree, now)}`;
}

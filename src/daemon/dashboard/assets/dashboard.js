// The dspex dashboard: a plain ES module served by the admin endpoint (no build step). It reads
// /api/nodes, /api/jobs, /api/runs and /api/evaluations, follows this node's /events stream, and
// redraws what an event touches; a slow poll picks up what other nodes and processes changed.
import uPlot from '/dashboard/vendor/uplot.js';

/** Poll interval for what events of this node do not announce (other nodes, one-off runs), ms. */
const POLL_MS = 2000;
/** Entries kept in the event log. */
const MAX_EVENTS = 100;
/** Runtime event types of the /events stream (`event: <type>` lines). */
const EVENT_TYPES = [
  'child_started',
  'child_exited',
  'child_restarted',
  'supervisor_report',
  'job',
  'execution',
  'config_changed',
  'circuit',
  'evaluation_progress',
  'optimization_progress',
  'runtime',
];
/** Exit reasons of a child that are not trouble. */
const CLEAN_EXITS = new Set(['normal', 'shutdown']);

const byId = (id) => document.getElementById(id);

/** A DOM element; text goes in as text nodes, never as HTML. */
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === 'class') node.className = String(value);
    else node.setAttribute(key, String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

function ago(epochMs) {
  const s = Math.max(0, Math.round((Date.now() - epochMs) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  return `${Math.floor(s / 3600)}h ago`;
}

function clock(epochMs) {
  return new Date(epochMs).toLocaleTimeString();
}

function showError(message) {
  const box = byId('error');
  box.textContent = message;
  box.hidden = message === '';
}

async function getJson(path) {
  const res = await fetch(path, { credentials: 'same-origin', cache: 'no-store' });
  if (res.status === 401)
    throw new Error('Not authorised: open the dashboard again with ?token=<admin token>.');
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return res.json();
}

// ---------------------------------------------------------------- supervision trees

function stateText(state) {
  if (state === undefined || state === null) return '';
  return typeof state === 'string' ? state : JSON.stringify(state);
}

function treeItem(node) {
  const inFlight = node.inFlight ?? node.inFlightCalls ?? 0;
  const state = stateText(node.state);
  const children = node.children ?? [];
  return el(
    'li',
    {
      'data-actor-id': node.id,
      'data-status': node.status,
      'data-restarts': node.restarts,
      'data-crashes': node.crashes,
    },
    el('span', { class: `dot ${node.status}`, title: node.status }),
    el('span', { class: 'actor' }, node.id),
    el('span', { class: 'kind' }, node.kind),
    state === '' ? null : el('span', { class: 'state' }, state),
    el('span', { class: node.restarts > 0 ? 'count hot' : 'count' }, `restarts ${node.restarts}`),
    // Supervisors count their children's crashes (a temporary worker's crash is no restart).
    typeof node.crashes === 'number'
      ? el('span', { class: node.crashes > 0 ? 'count hot' : 'count' }, `crashes ${node.crashes}`)
      : null,
    el('span', { class: inFlight > 0 ? 'count busy' : 'count' }, `in-flight ${inFlight}`),
    children.length === 0 ? null : el('ul', {}, children.map(treeItem)),
  );
}

function nodeCard(node) {
  return el(
    'article',
    { class: 'node', 'data-node-id': node.nodeId, 'data-status': node.status },
    el('h3', {}, node.nodeId, node.self ? el('span', { class: 'tag' }, 'this node') : null),
    el(
      'p',
      { class: 'meta' },
      `${node.mode} · ${node.status} · pid ${node.pid} · `,
      node.self ? 'live' : `heartbeat ${ago(node.seenAt)}`,
    ),
    el('ul', { class: 'tree' }, treeItem(node.snapshot.tree)),
  );
}

function renderNodes(nodes) {
  const self = nodes.find((n) => n.self);
  byId('cluster-summary').textContent =
    `${nodes.length} node${nodes.length === 1 ? '' : 's'} · ${self?.mode ?? '?'} mode · serving ${self?.nodeId ?? '?'}`;
  byId('nodes').replaceChildren(...nodes.map(nodeCard));
}

// ---------------------------------------------------------------- jobs

function renderJobs(jobs) {
  const body = byId('jobs').tBodies[0];
  if (jobs.length === 0) {
    body.replaceChildren(el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No jobs yet.')));
    return;
  }
  body.replaceChildren(
    ...jobs.map((job) =>
      el(
        'tr',
        { 'data-job-id': job.id, 'data-state': job.state },
        el('td', { class: 'mono' }, job.id),
        el('td', {}, job.queue),
        el('td', {}, job.program ?? '?'),
        el('td', {}, el('span', { class: `state-pill ${job.state}` }, job.state)),
        el('td', {}, `${job.attemptsMade}/${job.attempts}`),
        el('td', { title: new Date(job.createdAt).toISOString() }, ago(job.createdAt)),
        el('td', { class: 'reason' }, job.reason ?? ''),
      ),
    ),
  );
}

// ---------------------------------------------------------------- optimization runs

/** Cards by run id, with what they were drawn from and their charts. */
const runCards = new Map();

function pointsOf(value) {
  if (!Array.isArray(value)) return [];
  return value.filter(
    (p) =>
      p !== null && typeof p === 'object' && Number.isFinite(p.quality) && Number.isFinite(p.cost),
  );
}

/** The Pareto front a run recorded in its result (`front`, and `evaluated` points), if any. */
function frontOf(result) {
  if (result === null || typeof result !== 'object') return null;
  const front = pointsOf(result.front);
  return front.length === 0 ? null : { front, evaluated: pointsOf(result.evaluated) };
}

function chartWidth(container) {
  return Math.max(280, Math.min(640, container.clientWidth || 480));
}

/** A run's best score or an evaluation's score as the page prints it ('—' when there is none). */
function scoreText(score) {
  return score === null || score === undefined ? '—' : String(score);
}

function scoreChart(container, history) {
  const trials = [...history].sort((a, b) => a.step - b.step);
  const xs = trials.map((t) => t.step);
  const scores = trials.map((t) => t.score);
  let best = -Infinity;
  const bests = scores.map((s) => (best = Math.max(best, s)));
  return new uPlot(
    {
      title: 'Score per trial',
      width: chartWidth(container),
      height: 220,
      scales: { x: { time: false } },
      axes: [{ label: 'trial' }, { label: 'score' }],
      series: [
        { label: 'trial' },
        {
          label: 'score',
          stroke: '#8d99ae',
          paths: () => null,
          points: { show: true, size: 7, fill: '#8d99ae' },
        },
        {
          label: 'best so far',
          stroke: '#1565c0',
          width: 2,
          paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: false },
        },
      ],
    },
    [xs, scores, bests],
    container,
  );
}

function frontChart(container, { front, evaluated }) {
  const costs = [...new Set([...front, ...evaluated].map((p) => p.cost))].sort((a, b) => a - b);
  const at = (points) => {
    const q = new Map(points.map((p) => [p.cost, p.quality]));
    return costs.map((c) => (q.has(c) ? q.get(c) : null));
  };
  const positive = costs.filter((c) => c > 0);
  const logX = positive.length === costs.length && costs.at(-1) / costs[0] > 10;
  // uPlot hands null for ticks it leaves unlabelled (log scales) and for gaps in the legend.
  const dollars = (c) =>
    typeof c !== 'number' ? '' : `$${c < 0.01 ? Number(c.toPrecision(2)) : c.toFixed(2)}`;
  const drawn = at(front);
  // What the chart shows, for people reading the page's markup and for the end-to-end test.
  container.dataset.frontPoints = String(drawn.filter((q) => q !== null).length);
  container.dataset.evaluatedPoints = String(evaluated.length);
  return new uPlot(
    {
      title: 'Pareto front: quality against cost',
      width: chartWidth(container),
      height: 240,
      scales: { x: { time: false, distr: logX ? 3 : 1 } },
      axes: [
        { label: 'cost per example', values: (_u, ticks) => ticks.map(dollars) },
        { label: 'quality' },
      ],
      series: [
        { label: 'cost', value: (_u, v) => dollars(v) },
        {
          label: 'evaluated',
          stroke: '#bbb',
          paths: () => null,
          points: { show: true, size: 6, fill: '#ccc' },
        },
        {
          label: 'front',
          stroke: '#c62828',
          width: 2,
          spanGaps: true,
          paths: uPlot.paths.stepped({ align: 1 }),
          points: { show: true, size: 9, fill: '#ef9a9a' },
        },
      ],
    },
    [costs, at(evaluated), drawn],
    container,
  );
}

/** Statuses after which a run changes no more. */
const FINAL_RUN = new Set(['succeeded', 'failed', 'cancelled']);

function progressLine(run) {
  const { done, total } = run.progress;
  if (total > 0)
    return el(
      'p',
      { class: 'progress' },
      el('progress', { max: total, value: Math.min(done, total) }),
      ` ${done}/${total}`,
    );
  const steps = done > 0 ? `${done} step${done === 1 ? '' : 's'}` : '';
  if (FINAL_RUN.has(run.status))
    return el(
      'p',
      { class: 'progress' },
      steps === '' ? run.status : `${run.status} after ${steps}`,
    );
  return el('p', { class: 'progress' }, steps === '' ? 'not started' : `step ${done}`);
}

function errorText(error) {
  if (error === undefined || error === null) return '';
  if (typeof error === 'object' && typeof error.message === 'string') return error.message;
  return JSON.stringify(error);
}

function drawRun(card, run) {
  for (const chart of card.charts) chart.destroy();
  card.charts = [];
  const { element } = card;
  element.dataset.status = run.status;
  const scoreBox = el('div', { class: 'chart score-chart' });
  const front = frontOf(run.result);
  const frontBox = front === null ? null : el('div', { class: 'chart front-chart' });
  const error = errorText(run.error);
  const parts = [
    el(
      'h3',
      {},
      `${run.program} · ${run.optimizer} `,
      el('span', { class: `state-pill ${run.status}` }, run.status),
    ),
    el(
      'p',
      { class: 'meta' },
      el('span', { class: 'mono' }, run.id),
      ` · created ${ago(Date.parse(run.createdAt))} · best score `,
      el('strong', { class: 'best-score' }, scoreText(run.bestScore)),
    ),
    progressLine(run),
    run.history.length > 0 ? scoreBox : null,
    run.history.length === 0 && front === null
      ? el('p', { class: 'empty' }, 'No scored trials yet.')
      : null,
    frontBox,
    error === '' ? null : el('p', { class: 'run-error' }, error),
  ];
  element.replaceChildren(...parts.filter((p) => p !== null));
  if (run.history.length > 0) card.charts.push(scoreChart(scoreBox, run.history));
  if (frontBox !== null) card.charts.push(frontChart(frontBox, front));
}

function renderRuns(runs) {
  const box = byId('runs');
  if (runs.length === 0) {
    box.replaceChildren(el('p', { class: 'empty' }, 'No optimization runs yet.'));
    return;
  }
  const keep = new Set(runs.map((r) => r.id));
  for (const [id, card] of runCards) {
    if (keep.has(id)) continue;
    for (const chart of card.charts) chart.destroy();
    runCards.delete(id);
  }
  const elements = runs.map((run) => {
    let card = runCards.get(run.id);
    if (card === undefined) {
      card = {
        element: el('article', { class: 'run', 'data-run-id': run.id }),
        sig: '',
        charts: [],
      };
      runCards.set(run.id, card);
    }
    return { run, card };
  });
  box.replaceChildren(...elements.map(({ card }) => card.element));
  // Drawn once attached, so the charts know their width; redrawn only when the run changed.
  for (const { run, card } of elements) {
    const sig = JSON.stringify([run.status, run.progress, run.bestScore, run.updatedAt]);
    if (sig === card.sig) continue;
    card.sig = sig;
    drawRun(card, run);
  }
}

// ---------------------------------------------------------------- evaluations

/** The evaluations last listed (the table is redrawn from them when a row opens or closes). */
let listedEvaluations = [];
/**
 * The evaluation whose details are open: its id, its detail row (kept across redraws of the table)
 * and the signature of the listed record its details were read for.
 */
const openEvaluation = { id: null, row: null, sig: '' };

function datasetText(dataset) {
  if (dataset === undefined || dataset === null) return '—';
  return `${dataset.name}@${dataset.version}${dataset.split === undefined ? '' : `:${dataset.split}`}`;
}

/** Examples scored without an error / examples evaluated ('—' while it runs). */
function examplesText(evaluation) {
  const { total, errors } = evaluation.counts;
  if (evaluation.status === 'running' && total === 0) return '—';
  return `${total - errors}/${total}`;
}

/** What makes an open evaluation's details worth reading again. */
function evaluationSig(evaluation) {
  return JSON.stringify([evaluation.status, evaluation.score, evaluation.updatedAt]);
}

/** Rows by evaluation id, with the signature of what they show (redrawn only when it changed). */
const evaluationRows = new Map();

/** The row of an evaluation: kept across polls, so a click or the keyboard focus is not lost. */
function evaluationRow(evaluation) {
  let entry = evaluationRows.get(evaluation.id);
  if (entry === undefined) {
    const row = el('tr', {
      'data-eval-id': evaluation.id,
      tabindex: 0,
      title: `evaluation ${evaluation.id}`,
    });
    entry = { row, sig: '', started: el('td', { title: evaluation.startedAt }) };
    evaluationRows.set(evaluation.id, entry);
  }
  const { row, started } = entry;
  const sig = evaluationSig(evaluation);
  if (sig !== entry.sig) {
    entry.sig = sig;
    row.dataset.status = evaluation.status;
    row.replaceChildren(
      el('td', { class: 'program' }, evaluation.program),
      el('td', { class: 'metric' }, evaluation.metric),
      el('td', { class: 'dataset' }, datasetText(evaluation.dataset)),
      el('td', {}, el('span', { class: `state-pill ${evaluation.status}` }, evaluation.status)),
      el('td', { class: 'score' }, scoreText(evaluation.score)),
      el('td', { class: 'examples' }, examplesText(evaluation)),
      started,
    );
  }
  row.setAttribute('aria-expanded', evaluation.id === openEvaluation.id ? 'true' : 'false');
  started.textContent = ago(Date.parse(evaluation.startedAt));
  return row;
}

function renderEvaluations(evaluations) {
  listedEvaluations = evaluations;
  const body = byId('evaluations').tBodies[0];
  const keep = new Set(evaluations.map((e) => e.id));
  for (const id of evaluationRows.keys()) if (!keep.has(id)) evaluationRows.delete(id);
  const rows =
    evaluations.length === 0
      ? [el('tr', {}, el('td', { colspan: 7, class: 'empty' }, 'No evaluations yet.'))]
      : evaluations.flatMap((evaluation) =>
          evaluation.id === openEvaluation.id && openEvaluation.row !== null
            ? [evaluationRow(evaluation), openEvaluation.row]
            : [evaluationRow(evaluation)],
        );
  // Moved only when the list changed (a new evaluation, a row opened or closed); a focused row
  // that was moved keeps the focus.
  const shown = [...body.children];
  if (rows.length === shown.length && rows.every((row, i) => row === shown[i])) return;
  const focused = document.activeElement;
  body.replaceChildren(...rows);
  if (focused !== null && body.contains(focused) && document.activeElement !== focused)
    focused.focus();
}

/** One evaluation's fields, then its per-example results when the record keeps them. */
function evaluationDetail(evaluation) {
  const fields = [
    ['id', el('span', { class: 'mono' }, evaluation.id)],
    [
      'program',
      `${evaluation.program}${evaluation.version ? ` (version ${evaluation.version})` : ''}`,
    ],
    ['metric', evaluation.metric],
    [
      'dataset',
      evaluation.dataset
        ? `${datasetText(evaluation.dataset)}${evaluation.dataset.hash ? ` · ${evaluation.dataset.hash}` : ''}`
        : null,
    ],
    ['status', evaluation.status],
    ['score', scoreText(evaluation.score)],
    [
      'examples',
      `${evaluation.counts.total} scored, ${evaluation.counts.errors} raised an error` +
        (evaluation.shards
          ? ` · ${evaluation.shards} shard${evaluation.shards === 1 ? '' : 's'}`
          : ''),
    ],
    [
      'spend',
      evaluation.spend
        ? `$${evaluation.spend.usd.toFixed(4)} · ${evaluation.spend.lmCalls} LM calls · ${evaluation.spend.promptTokens}+${evaluation.spend.completionTokens} tokens`
        : null,
    ],
    [
      'timing',
      [
        evaluation.durationMs === undefined ? null : `took ${Math.round(evaluation.durationMs)} ms`,
        evaluation.meanLatencyMs === undefined
          ? null
          : `${evaluation.meanLatencyMs.toFixed(1)} ms per example`,
      ]
        .filter((t) => t !== null)
        .join(', ') || null,
    ],
    ['node', evaluation.node ?? null],
    ['started', evaluation.startedAt],
    ['finished', evaluation.finishedAt ?? null],
    ['error', evaluation.error ? errorText(evaluation.error) : null],
  ].filter(([, value]) => value !== null && value !== undefined && value !== '');
  const list = el(
    'dl',
    { class: 'eval-fields' },
    fields.flatMap(([name, value]) => [
      el('dt', {}, name),
      el('dd', { 'data-field': name }, value),
    ]),
  );
  const examples = evaluation.examples ?? [];
  const omitted = evaluation.examplesOmitted ?? 0;
  if (examples.length === 0)
    return [
      list,
      el(
        'p',
        { class: 'empty' },
        evaluation.status === 'running'
          ? 'Per-example results arrive when it finishes.'
          : 'No per-example results kept.',
      ),
    ];
  const table = el(
    'table',
    { class: 'eval-example-table' },
    el(
      'thead',
      {},
      el(
        'tr',
        {},
        ['#', 'score', 'cost', 'latency', 'error'].map((h) => el('th', {}, h)),
      ),
    ),
    el(
      'tbody',
      {},
      examples.map((x) =>
        el(
          'tr',
          {
            'data-example': x.index,
            class: x.error !== undefined || x.score === 0 ? 'wrong' : null,
          },
          el('td', {}, x.index + 1),
          el('td', { class: 'example-score' }, x.score),
          el('td', {}, x.cost === undefined ? '' : `$${x.cost.toFixed(6)}`),
          el('td', {}, x.latencyMs === undefined ? '' : `${Math.round(x.latencyMs)} ms`),
          el('td', { class: 'error' }, x.error ?? ''),
        ),
      ),
    ),
  );
  return [
    list,
    el('div', { class: 'eval-examples' }, table),
    omitted > 0 ? el('p', { class: 'meta' }, `… ${omitted} more not kept on the record`) : null,
  ].filter((part) => part !== null);
}

/** Reads the open evaluation's record again when its listed record changed since. */
async function refreshOpenEvaluation() {
  const { id, row } = openEvaluation;
  if (id === null) return;
  const listed = listedEvaluations.find((e) => e.id === id);
  if (listed === undefined) return;
  const sig = evaluationSig(listed);
  if (sig === openEvaluation.sig) return;
  const { evaluation } = await getJson(`/api/evaluations/${encodeURIComponent(id)}`);
  // Closed, or another one opened, while it was read.
  if (openEvaluation.row !== row) return;
  openEvaluation.sig = sig;
  row.dataset.status = evaluation.status;
  row.firstElementChild.replaceChildren(...evaluationDetail(evaluation));
}

function toggleEvaluation(id) {
  if (openEvaluation.id === id) {
    Object.assign(openEvaluation, { id: null, row: null, sig: '' });
  } else {
    const row = el(
      'tr',
      { class: 'eval-detail', 'data-detail-of': id },
      el('td', { colspan: 7 }, el('p', { class: 'empty' }, 'loading…')),
    );
    Object.assign(openEvaluation, { id, row, sig: '' });
  }
  renderEvaluations(listedEvaluations);
  refreshOpenEvaluation().then(
    () => showError(''),
    (e) => showError(e instanceof Error ? e.message : String(e)),
  );
}

function listenToEvaluations() {
  const body = byId('evaluations').tBodies[0];
  const rowOf = (event) => event.target.closest('tr[data-eval-id]');
  body.addEventListener('click', (event) => {
    const row = rowOf(event);
    if (row !== null) toggleEvaluation(row.dataset.evalId);
  });
  body.addEventListener('keydown', (event) => {
    const row = rowOf(event);
    if (row === null || (event.key !== 'Enter' && event.key !== ' ')) return;
    event.preventDefault();
    toggleEvaluation(row.dataset.evalId);
  });
}

// ---------------------------------------------------------------- events

/** A line for the event log, or null for routine events (workers starting, jobs starting). */
function describe(event) {
  switch (event.type) {
    case 'child_exited':
      return CLEAN_EXITS.has(event.reason)
        ? null
        : { level: 'bad', text: `${event.supervisor}/${event.id} crashed: ${event.reason}` };
    case 'child_restarted':
      return { level: 'warn', text: `${event.supervisor} restarted ${event.id}` };
    case 'supervisor_report':
      return {
        level: 'bad',
        text: `${event.supervisor}: ${event.errorContext} of ${event.offender}: ${event.reason}`,
      };
    case 'job':
      if (event.phase === 'failed')
        return { level: 'bad', text: `job ${event.jobId} failed: ${event.reason ?? '?'}` };
      return event.phase === 'completed'
        ? { level: 'ok', text: `job ${event.jobId} completed (${event.queue})` }
        : null;
    case 'circuit':
      return { level: 'warn', text: `circuit ${event.key}: ${event.from} → ${event.to}` };
    case 'config_changed':
      return { level: 'ok', text: `${event.program}: configuration revision ${event.revision}` };
    case 'runtime':
      return { level: 'ok', text: `runtime ${event.phase}` };
    default:
      return null;
  }
}

function logEvent(event) {
  const line = describe(event);
  if (line === null) return;
  const list = byId('events');
  list.prepend(
    el(
      'li',
      { class: line.level, 'data-type': event.type },
      el('time', {}, clock(event.at ?? Date.now())),
      ' ',
      line.text,
    ),
  );
  while (list.children.length > MAX_EVENTS) list.lastElementChild.remove();
}

/** What each event type makes stale. */
function staleAfter(type) {
  if (type === 'optimization_progress') return ['runs'];
  if (type === 'evaluation_progress') return ['evaluations'];
  if (type === 'job' || type === 'execution') return ['nodes', 'jobs', 'runs', 'evaluations'];
  if (type === 'config_changed') return [];
  return ['nodes'];
}

// ---------------------------------------------------------------- refresh loop

const loaders = {
  nodes: async () => renderNodes((await getJson('/api/nodes')).nodes),
  jobs: async () => renderJobs((await getJson('/api/jobs?limit=30')).jobs),
  runs: async () => renderRuns((await getJson('/api/runs?limit=10')).runs),
  evaluations: async () => {
    renderEvaluations((await getJson('/api/evaluations?limit=20')).evaluations);
    await refreshOpenEvaluation();
  },
};
const stale = new Set();
let flushTimer = null;

function schedule(parts) {
  for (const p of parts) stale.add(p);
  if (flushTimer === null) flushTimer = setTimeout(flush, 100);
}

async function flush() {
  flushTimer = null;
  const parts = [...stale];
  stale.clear();
  try {
    await Promise.all(parts.map((p) => loaders[p]()));
    showError('');
  } catch (e) {
    showError(e instanceof Error ? e.message : String(e));
  }
}

function setLive(state) {
  const badge = byId('live');
  badge.dataset.state = state;
  badge.textContent = state === 'open' ? 'live' : state;
}

function connect() {
  const source = new EventSource('/events');
  source.addEventListener('open', () => {
    setLive('open');
    // Whatever happened while disconnected: read it all again.
    schedule(Object.keys(loaders));
  });
  source.addEventListener('error', () =>
    setLive(source.readyState === EventSource.CLOSED ? 'closed' : 'reconnecting'),
  );
  for (const type of EVENT_TYPES)
    source.addEventListener(type, (message) => {
      let event;
      try {
        event = JSON.parse(message.data);
      } catch {
        return;
      }
      logEvent(event);
      schedule(staleAfter(type));
    });
}

listenToEvaluations();
connect();
schedule(Object.keys(loaders));
setInterval(() => {
  if (document.visibilityState !== 'hidden') schedule(Object.keys(loaders));
}, POLL_MS);

import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sameSecret } from '../admin-auth.js';
import type { NodeHeartbeat } from '../heartbeat.js';
import { sendJson } from '../json-safe.js';
import {
  findEvaluation,
  findRun,
  listEvaluations,
  listJobs,
  listNodes,
  listRuns,
  type DashboardDataOptions,
} from './dashboard-data.js';
import { DashboardSessions } from './sessions.js';

/** A route handler of the admin endpoint. */
export type AdminRoute = (res: ServerResponse, req: IncomingMessage) => Promise<void> | void;

/** What the dashboard lists besides this node (a {@link startAdminServer} option). */
export interface DashboardViews {
  /** Queues whose recent jobs are listed. Default `['dspex-run']`. */
  queues?: readonly string[];
  /** The cluster's live nodes (Redis mode: their heartbeats, `readClusterNodes`). */
  clusterNodes?: () => Promise<readonly NodeHeartbeat[]>;
}

/** Options of {@link createDashboard}. */
export interface DashboardOptions extends DashboardDataOptions {
  /** The admin token, when one is configured. */
  token?: string;
  /** The endpoint's port (names the session cookie). */
  port: () => number;
}

/** The dashboard's part of the admin endpoint. */
export interface Dashboard {
  /** Exact-path routes: the page, its scripts and styles, and the JSON API. */
  readonly routes: Record<string, AdminRoute>;
  /** The endpoints a person or script calls (named in the endpoint's 404 answer). */
  readonly endpoints: readonly string[];
  /** The handler of a parameterised path (`/api/runs/:id`, `/api/evaluations/:id`), if `path` is one. */
  match(path: string): AdminRoute | undefined;
  /** True when the request carries a live dashboard session cookie. */
  hasSession(req: IncomingMessage): boolean;
  /**
   * Answers the dashboard page's own authentication before the endpoint's token check: a page
   * load with `?token=` (exchanged for a session cookie, then redirected without it) and the login
   * page of a browser that has neither. Returns true when it answered.
   */
  intercept(req: IncomingMessage, res: ServerResponse, url: URL): boolean;
}

/** Where a static file of the page comes from, and its content type. */
interface Asset {
  file: URL | string;
  type: string;
}

const requireFromHere = createRequire(import.meta.url);
const ASSETS: Record<string, Asset> = {
  '/dashboard': { file: assetUrl('index.html'), type: 'text/html; charset=utf-8' },
  '/dashboard/app.js': { file: assetUrl('dashboard.js'), type: 'text/javascript; charset=utf-8' },
  '/dashboard/app.css': { file: assetUrl('dashboard.css'), type: 'text/css; charset=utf-8' },
  '/dashboard/vendor/uplot.js': {
    file: requireFromHere.resolve('uplot/dist/uPlot.esm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/dashboard/vendor/uplot.css': {
    file: requireFromHere.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

/**
 * The page's static files live in `assets/` beside this module in the sources; the compiled
 * package (dist/src/…) ships them from the package's `src/daemon/dashboard/assets` (package.json
 * `files`), since tsc copies no non-TypeScript files.
 */
function assetUrl(name: string): URL {
  const here = new URL(`./assets/${name}`, import.meta.url);
  const shipped = new URL(`../../../../src/daemon/dashboard/assets/${name}`, import.meta.url);
  return existsSync(here) || !existsSync(shipped) ? here : shipped;
}

/** Browsers may run only the page's own scripts, styles and requests; nothing may frame it. */
const PAGE_HEADERS = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
};

/** Query values are clamped to this many jobs, runs or evaluations. */
const MAX_LIMIT = 500;

/**
 * The live dashboard of the admin endpoint: `GET /dashboard` (`/` redirects there) (a page of plain ES modules and
 * uPlot charts, no build step), and the JSON it reads besides `/tree` and `/events`:
 * `GET /api/nodes` (this node and, in Redis mode, every node with a live heartbeat),
 * `GET /api/jobs?limit=N` (newest jobs of the node's queues, with failure reasons),
 * `GET /api/runs?limit=N` and `GET /api/runs/:id` (optimization runs with progress and history),
 * `GET /api/evaluations?limit=N` (evaluation records without their per-example results) and
 * `GET /api/evaluations/:id` (one with them).
 *
 * @example
 * ```ts
 * const dashboard = createDashboard({ runtime, queues: ['dspex-run'], status: () => 'ok', now: Date.now, port: () => 7390 });
 * ```
 */
export function createDashboard(options: DashboardOptions): Dashboard {
  const sessions = new DashboardSessions({ port: options.port, now: options.now });
  const files = new Map<string, Buffer>();
  const asset =
    (path: string, a: Asset): AdminRoute =>
    (res) => {
      let body = files.get(path);
      if (body === undefined) {
        body = readFileSync(a.file);
        files.set(path, body);
      }
      res.writeHead(200, {
        'content-type': a.type,
        'cache-control': 'no-cache',
        ...PAGE_HEADERS,
      });
      res.end(body);
    };

  const routes: Record<string, AdminRoute> = {
    '/favicon.ico': (res) => {
      res.writeHead(204);
      res.end();
    },
    '/api/nodes': async (res) => sendJson(res, 200, { nodes: await listNodes(options) }),
    '/api/jobs': async (res, req) =>
      sendJson(res, 200, { jobs: await listJobs(options, limitOf(req, 50)) }),
    '/api/runs': async (res, req) =>
      sendJson(res, 200, { runs: await listRuns(options, limitOf(req, 20)) }),
    '/api/evaluations': async (res, req) =>
      sendJson(res, 200, { evaluations: await listEvaluations(options, limitOf(req, 20)) }),
  };
  for (const [path, a] of Object.entries(ASSETS)) routes[path] = asset(path, a);

  /** `GET <prefix><id>`: one record as `{ [key]: record }`, 404 when there is none. */
  const recordRoutes: Record<string, (id: string) => AdminRoute> = {
    '/api/runs/': recordRoute('run', 'optimization run', (id) => findRun(options, id)),
    '/api/evaluations/': recordRoute('evaluation', 'evaluation', (id) =>
      findEvaluation(options, id),
    ),
  };

  return {
    routes,
    endpoints: [
      '/dashboard',
      '/api/nodes',
      '/api/jobs',
      '/api/runs',
      '/api/runs/:id',
      '/api/evaluations',
      '/api/evaluations/:id',
    ],
    match(path) {
      const prefix = Object.keys(recordRoutes).find((p) => path.startsWith(p));
      if (prefix === undefined) return undefined;
      let id: string;
      try {
        id = decodeURIComponent(path.slice(prefix.length));
      } catch {
        id = '';
      }
      return recordRoutes[prefix]!(id);
    },
    hasSession: (req) => sessions.has(req),
    intercept(req, res, url) {
      if (url.pathname === '/') {
        redirect(res, `/dashboard${url.search}`);
        return true;
      }
      if (options.token === undefined || url.pathname !== '/dashboard') return false;
      const given = url.searchParams.get('token');
      if (given !== null) {
        if (!sameSecret(given, options.token)) {
          loginPage(res, 'That token is wrong.');
          return true;
        }
        res.setHeader('set-cookie', sessions.open());
        redirect(res, '/dashboard');
        return true;
      }
      if (sessions.has(req) || typeof req.headers.authorization === 'string') return false;
      loginPage(res, '');
      return true;
    },
  };
}

/**
 * The handler of `GET /api/<kind>s/:id`: 400 for an id no record can have, 404 naming `what` when
 * there is none, else `{ [key]: record }`.
 */
function recordRoute(
  key: string,
  what: string,
  find: (id: string) => Promise<unknown>,
): (id: string) => AdminRoute {
  return (id) => async (res) => {
    if (id === '' || id.length > 256 || /\p{Cc}/u.test(id)) {
      const article = /^[aeiou]/.test(key) ? 'an' : 'a';
      sendJson(res, 400, {
        error: `${article} ${key} id is 1 to 256 characters without control characters`,
      });
      return;
    }
    const record = await find(id);
    if (record === undefined) sendJson(res, 404, { error: `no ${what} '${id}'` });
    else sendJson(res, 200, { [key]: record });
  };
}

function limitOf(req: IncomingMessage, fallback: number): number {
  const raw = new URL(req.url ?? '/', 'http://admin').searchParams.get('limit');
  const n = raw === null ? fallback : Number.parseInt(raw, 10);
  return Number.isFinite(n) ? Math.min(MAX_LIMIT, Math.max(1, n)) : fallback;
}

function redirect(res: ServerResponse, location: string): void {
  res.writeHead(303, { location, 'cache-control': 'no-store', 'referrer-policy': 'no-referrer' });
  res.end();
}

/** 401 with a form asking for the admin token (sent back as `?token=`, then exchanged). */
function loginPage(res: ServerResponse, problem: string): void {
  res.writeHead(401, {
    'content-type': 'text/html; charset=utf-8',
    'www-authenticate': 'Bearer realm="dspex"',
    'cache-control': 'no-store',
    ...PAGE_HEADERS,
  });
  res.end(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>dspex dashboard: token required</title></head>
<body><h1>dspex dashboard</h1>
<p>This node's admin endpoint requires its token (<code>admin.token</code> or <code>DSPEX_ADMIN_TOKEN</code>).</p>
${problem === '' ? '' : `<p role="alert">${problem}</p>`}
<form method="get" action="/dashboard"><label>Token <input type="password" name="token" autocomplete="off" autofocus></label>
<button type="submit">Open</button></form></body></html>`);
}

import { randomBytes } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/** Options of {@link DashboardSessions}. */
export interface DashboardSessionsOptions {
  /** The endpoint's port, read when a cookie is named (cookies are per host, not per port). */
  port: () => number;
  /** Epoch ms source. Default `Date.now`. */
  now?: () => number;
  /** Lifetime of a session, ms. Default 12 hours. */
  ttlMs?: number;
  /** Sessions kept at once; the oldest is dropped beyond. Default 64. */
  max?: number;
}

/**
 * Browser sessions of the dashboard on a token-protected admin endpoint. A browser cannot put an
 * `Authorization` header on a page load or an `EventSource`, so the page is opened once with
 * `?token=…`; the endpoint checks it and answers with a random session id in an `HttpOnly`,
 * `SameSite=Strict` cookie (never the token itself) and a redirect that drops the token from the
 * address bar. Sessions live in memory: a restarted node asks for the token again.
 */
export class DashboardSessions {
  private readonly ids = new Map<string, number>();
  private readonly now: () => number;
  private readonly ttlMs: number;
  private readonly max: number;

  constructor(private readonly options: DashboardSessionsOptions) {
    this.now = options.now ?? Date.now;
    this.ttlMs = options.ttlMs ?? 12 * 3600_000;
    this.max = options.max ?? 64;
  }

  /** The cookie's name: one per port, so two nodes on one host keep their own sessions. */
  get cookieName(): string {
    return `dspex_admin_${this.options.port()}`;
  }

  /** Opens a session; returns the `Set-Cookie` header value that carries it. */
  open(): string {
    const id = randomBytes(32).toString('base64url');
    this.ids.set(id, this.now() + this.ttlMs);
    while (this.ids.size > this.max) {
      const oldest = this.ids.keys().next().value as string;
      this.ids.delete(oldest);
    }
    const maxAge = Math.floor(this.ttlMs / 1000);
    return `${this.cookieName}=${id}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}`;
  }

  /** True when the request carries the cookie of a live session. */
  has(req: IncomingMessage): boolean {
    const id = readCookie(req.headers.cookie, this.cookieName);
    if (id === undefined) return false;
    const expires = this.ids.get(id);
    if (expires === undefined) return false;
    if (expires <= this.now()) {
      this.ids.delete(id);
      return false;
    }
    return true;
  }
}

/** The value of cookie `name` in a `Cookie` header, if present. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

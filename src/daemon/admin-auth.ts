import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

/**
 * True when the request carries `Authorization: Bearer <token>`. Both sides are hashed first so the
 * comparison is constant-time whatever the lengths (a length mismatch must not leak either).
 */
export function hasBearerToken(req: IncomingMessage, token: string): boolean {
  const header = req.headers.authorization;
  if (typeof header !== 'string') return false;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  if (match === null) return false;
  return sameSecret(match[1] ?? '', token);
}

/**
 * Constant-time comparison of a given secret with the wanted one, whatever their lengths (both are
 * hashed first, so a length mismatch leaks nothing either).
 */
export function sameSecret(given: string, wanted: string): boolean {
  return timingSafeEqual(
    createHash('sha256').update(given).digest(),
    createHash('sha256').update(wanted).digest(),
  );
}

import { timingSafeEqual } from 'node:crypto';

/** Whether an `Authorization` header carries one of `tokens` as a bearer token (constant-time compare). */
export function bearerMatches(header: string | undefined, tokens: readonly string[]): boolean {
  if (header === undefined || !header.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim());
  let ok = false;
  for (const token of tokens) {
    const want = Buffer.from(token);
    if (want.length === given.length && timingSafeEqual(want, given)) ok = true;
  }
  return ok;
}

/** Whether `host` is a loopback address (a server bound there is reachable from this machine only). */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

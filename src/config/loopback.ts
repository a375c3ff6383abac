import { isIP } from 'node:net';

/**
 * True when `host` only accepts connections from this machine: `localhost`, an IPv4 address in
 * 127.0.0.0/8, `::1`, or an IPv4-mapped loopback (`::ffff:127.x.y.z`). `0.0.0.0`, `::`, a LAN
 * address or another host name are not loopback.
 *
 * @example
 * ```ts
 * isLoopbackHost('127.0.0.1'); // true
 * isLoopbackHost('0.0.0.0'); // false
 * ```
 */
export function isLoopbackHost(host: string): boolean {
  const h = host
    .trim()
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1');
  if (h === 'localhost') return true;
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) {
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(h);
    return mapped !== null ? (mapped[1] ?? '').startsWith('127.') : isIpv6One(h);
  }
  return false;
}

/** `::1` written in any IPv6 form (`0:0:0:0:0:0:0:1`, `0::1`, …). */
function isIpv6One(h: string): boolean {
  const [head, tail] = h.includes('::') ? h.split('::') : [h, undefined];
  const split = (part: string | undefined): string[] =>
    part === undefined || part === '' ? [] : part.split(':');
  const front = split(head);
  const back = split(tail);
  const groups = [...front, ...Array<string>(8 - front.length - back.length).fill('0'), ...back];
  return groups.every((g, i) => Number.parseInt(g, 16) === (i === 7 ? 1 : 0));
}

/**
 * Why an admin endpoint set-up is refused, or `undefined` when it is acceptable: an enabled
 * endpoint bound beyond loopback must require a bearer token (`admin.token` / `DSPEX_ADMIN_TOKEN`).
 */
export function adminExposureProblem(admin: {
  enabled?: boolean;
  host: string;
  token?: string | undefined;
}): string | undefined {
  if (admin.enabled === false || admin.token !== undefined || isLoopbackHost(admin.host))
    return undefined;
  return `admin.host ${admin.host} is not a loopback address: set admin.token (or DSPEX_ADMIN_TOKEN) so every admin request needs "Authorization: Bearer <token>", or bind admin.host to 127.0.0.1`;
}

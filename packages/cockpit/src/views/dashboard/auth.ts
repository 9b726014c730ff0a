// Who may open the dashboard: loopback by default; any other address only with a token, which the page and every
// data request (HTTP and websocket) must then carry.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);

export function isLoopback(host: string): boolean {
  return LOOPBACK.has(host) || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Refuses to serve beyond loopback without a token (and refuses empty tokens). */
export function checkBinding(host: string, token: string | undefined): void {
  if (token !== undefined && token.length < 8) throw new Error('dashboard: the token must have at least 8 characters');
  if (!isLoopback(host) && !token) throw new Error(`dashboard: refusing to listen on ${host} without a token; bind 127.0.0.1 or pass a token`);
}

/** The token a request carries: `?token=`, `Authorization: Bearer`, or the cookie the page sets. */
export function requestToken(req: IncomingMessage, url: URL): string | undefined {
  const q = url.searchParams.get('token');
  if (q) return q;
  const auth = req.headers.authorization;
  if (auth?.startsWith('Bearer ')) return auth.slice('Bearer '.length);
  const cookie = (req.headers.cookie ?? '').split(/;\s*/).find((c) => c.startsWith('cockpit_token='));
  return cookie ? decodeURIComponent(cookie.slice('cockpit_token='.length)) : undefined;
}

export function tokenMatches(expected: string | undefined, given: string | undefined): boolean {
  if (expected === undefined) return true;
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

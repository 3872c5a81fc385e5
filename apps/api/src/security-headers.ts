import type { IncomingMessage, ServerResponse } from 'node:http';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The api's browser-facing policy: the web app's scripts and styles from this origin only, never framed. Its
 * connections go to this origin only too: connect-src also names the websocket origins of the host the browser
 * asked for (see securityHeaders), never any ws:/wss: host.
 */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: {
    directives: {
      defaultSrc: ["'self'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'", "'unsafe-inline'"],
      imgSrc: ["'self'", 'data:', 'blob:'],
      connectSrc: ["'self'"],
      mediaSrc: ["'self'", 'data:', 'blob:'],
      frameAncestors: ["'none'"],
    },
  },
  crossOriginEmbedderPolicy: false,
};

/** A host (name or IPv4, optional port) as CSP can name it; anything else in a Host header gets 'self' alone. */
const CSP_HOST = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)*(?::\d{1,5})?$/i;
/** Hosts whose headers are kept ready; a deployment answers to one or two, so more are built per request. */
const CACHED_HOSTS = 16;

/**
 * The headers helmet sets, computed once per host: the same for every response (no nonces), and @fastify/helmet
 * would rebuild the whole policy on each request: 5% of a check-in's CPU in a profile.
 *
 * connect-src is 'self' plus ws:// and wss:// of the request's host (the live board's websocket): CSP Level 3
 * lets 'self' match the same host's websockets, but older browsers (Safari before 15.4 among them) do not, and a
 * TLS-terminating proxy may hide which of the two the browser uses.
 */
export function securityHeaders(options: HelmetOptions = HELMET_OPTIONS): (host: string | undefined) => Record<string, string> {
  const base = helmetHeaders(options);
  const policy = base['Content-Security-Policy'] ?? '';
  const byHost = new Map<string, Record<string, string>>();
  return (host) => {
    if (!host || !CSP_HOST.test(host) || !policy.includes("connect-src 'self'")) return base;
    const ready = byHost.get(host);
    if (ready) return ready;
    const headers = { ...base, 'Content-Security-Policy': policy.replace("connect-src 'self'", `connect-src 'self' ws://${host} wss://${host}`) };
    if (byHost.size < CACHED_HOSTS) byHost.set(host, headers);
    return headers;
  };
}

function helmetHeaders(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const res = {
    setHeader: (name: string, value: unknown) => void (headers[name] = String(value)),
    removeHeader: (name: string) => void delete headers[name],
  };
  helmet(options)({} as IncomingMessage, res as unknown as ServerResponse, (err?: unknown) => {
    if (err) throw err instanceof Error ? err : new Error(String(err));
  });
  return headers;
}

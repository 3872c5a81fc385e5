/**
 * What the chaos and cluster runs share: HTTP calls against the built services, a steady load of check-ins with
 * fresh badges, and live-board dashboards that record every snapshot and event they apply.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:net';
import { Client } from 'pg';
import type { IssuerServer } from '../../apps/issuer/src';
import { LiveClient } from '../../libs/realtime/src/client/live-client';
import type { LiveEvent } from '../../libs/realtime/src/live-events';
import type { LiveSnapshot } from '../../libs/realtime/src/live-protocol';
import { sleep } from './services';

// ---------------------------------------------------------------------------------------------------------------
// HTTP
// ---------------------------------------------------------------------------------------------------------------

interface Answer {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<Answer> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(opts.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
      ...opts.headers,
    },
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    signal: AbortSignal.timeout(opts.timeoutMs ?? 15_000),
  });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: res.status, body, headers: res.headers };
}

export async function must(
  base: string,
  method: string,
  path: string,
  status: number,
  opts: Parameters<typeof call>[3] = {},
): Promise<Record<string, unknown>> {
  const res = await call(base, method, path, opts);
  if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
  return res.body;
}

export const ready = async (base: string): Promise<boolean> => {
  try {
    return (await call(base, 'GET', '/health/ready', { timeoutMs: 3000 })).status === 200;
  } catch {
    return false;
  }
};

export async function withDb<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end().catch(() => undefined);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

// ---------------------------------------------------------------------------------------------------------------
// Load: a steady rate of check-ins with fresh badges, alternating between the apis.
// ---------------------------------------------------------------------------------------------------------------

/** Where a station sends its check-ins (an api, or the balancer in front of several). */
export interface Api {
  name: string;
  url: string;
  checkinToken: string;
}

export interface Attempt {
  phase: string;
  api: string;
  startedAt: number;
  endedAt?: number;
  status?: number;
  /** No HTTP answer (connection refused or reset, timeout). */
  error?: string;
  attemptId?: string;
  decision?: string;
  deploymentId?: string;
  retryAfter?: string | null;
  /** Requests sent for this check-in (more than one: retried with the same Idempotency-Key). */
  tries: number;
}

export interface LoadOptions {
  ratePerSecond: number;
  badges: ReadonlyArray<{ slug: string; qualification: string }>;
  /** Tries per check-in when there is no answer or a 502/503 (a station retrying with the same Idempotency-Key). */
  tries?: number;
}

export class Load {
  readonly attempts: Attempt[] = [];
  private timer?: NodeJS.Timeout;
  private inFlight = new Set<Promise<void>>();
  private counter = 0;
  phase = '';

  constructor(
    private readonly apis: Api[],
    private readonly issuer: IssuerServer,
    private readonly incidentId: string,
    private readonly options: LoadOptions,
  ) {}

  start(phase: string): void {
    this.phase = phase;
    this.timer = setInterval(() => {
      const p = this.one().finally(() => this.inFlight.delete(p));
      this.inFlight.add(p);
    }, 1000 / this.options.ratePerSecond);
  }

  async stop(): Promise<Attempt[]> {
    clearInterval(this.timer);
    await Promise.all([...this.inFlight]);
    return this.attempts.filter((a) => a.phase === this.phase);
  }

  private async one(): Promise<void> {
    const n = ++this.counter;
    const api = this.apis[n % this.apis.length];
    const badge = this.options.badges[n % this.options.badges.length];
    const attempt: Attempt = { phase: this.phase, api: api.name, startedAt: Date.now(), tries: 0 };
    this.attempts.push(attempt);
    const key = randomUUID();
    try {
      const { jws } = await this.issuer
        .board(badge.slug)
        .issue({ format: 'vc+jwt', qualification: badge.qualification, subject: { name: `Chaos Responder ${n}` } });
      for (;;) {
        attempt.tries++;
        attempt.error = undefined;
        try {
          const res = await call(api.url, 'POST', `/incidents/${this.incidentId}/check-ins`, {
            token: api.checkinToken,
            headers: { 'idempotency-key': key, 'x-device-id': `chaos-scanner-${api.name}` },
            body: { credential: jws },
          });
          attempt.status = res.status;
          attempt.retryAfter = res.headers.get('retry-after');
          if (res.status === 201) {
            attempt.attemptId = String(res.body.attemptId);
            attempt.decision = String(res.body.decision);
            attempt.deploymentId = (res.body.deployment as { id?: string } | null)?.id;
          }
        } catch (err) {
          attempt.status = undefined;
          attempt.error = (err as Error).cause ? String(((err as Error).cause as Error).message ?? (err as Error).cause) : (err as Error).message;
        }
        const retryable = attempt.error !== undefined || attempt.status === 502 || attempt.status === 503;
        if (!retryable || attempt.tries >= (this.options.tries ?? 1)) return;
        await sleep(250 * attempt.tries);
      }
    } catch (err) {
      attempt.error = (err as Error).message;
    } finally {
      attempt.endedAt = Date.now();
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Dashboards: LiveClient (snapshot, then events in sequence; resync on gaps and reconnects).
// ---------------------------------------------------------------------------------------------------------------

export class Dashboard {
  readonly client: LiveClient;
  lastSeq: number | null = null;
  readonly applied: Array<{ seq: number; name: string }> = [];
  readonly snapshots: number[] = [];
  readonly violations: string[] = [];
  readonly states: string[] = [];

  constructor(
    readonly name: string,
    url: string,
    token: string,
    incidentId: string,
  ) {
    this.client = new LiveClient({ url, token: () => token, socketOptions: { transports: ['websocket'], forceNew: true, reconnectionDelayMax: 2000 } });
    this.client.onState((s) => this.states.push(s));
    this.client.subscribe(incidentId, {
      snapshot: (s: LiveSnapshot) => {
        if (this.lastSeq !== null && s.seq < this.lastSeq) this.violations.push(`${name}: snapshot at ${s.seq} went back from ${this.lastSeq}`);
        this.snapshots.push(s.seq);
        this.lastSeq = s.seq;
      },
      event: (e: LiveEvent) => {
        if (this.lastSeq === null || e.seq !== this.lastSeq + 1) this.violations.push(`${name}: event ${e.seq} applied after ${this.lastSeq}`);
        this.applied.push({ seq: e.seq, name: e.name });
        this.lastSeq = e.seq;
      },
      error: (err) => this.violations.push(`${name}: subscription refused: ${err.code} ${err.message}`),
    });
  }

  /** Seqs after the first snapshot that were neither applied as events nor covered by a later snapshot. */
  missing(head: number): number[] {
    if (this.snapshots.length === 0) return [];
    const seen = new Set(this.applied.map((a) => a.seq));
    const missing: number[] = [];
    for (let seq = this.snapshots[0] + 1; seq <= head; seq++) {
      if (seen.has(seq)) continue;
      // A resync answered with a snapshot (too far behind) covers what came before it.
      if (this.snapshots.some((s) => s >= seq)) continue;
      missing.push(seq);
    }
    return missing;
  }
}

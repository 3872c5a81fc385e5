import { randomUUID } from 'node:crypto';
import { createServer, connect, type Server as NetServer, type Socket as NetSocket } from 'node:net';
import { DataSource } from 'typeorm';
import { io, type Socket } from 'socket.io-client';
import {
  LIVE_EVENT_NAMES,
  Outbox,
  type LiveClientToServerEvents,
  type LiveError,
  type LiveEvent,
  type LiveEventMap,
  type LiveEventName,
  type LiveServerToClientEvents,
  type RosterEntry,
} from '@app/realtime';
import { startApi, type TestApi } from './test-app';

export type ListeningApi = TestApi & { url: string };

/** startApi, listening on a local port (socket.io needs a real server). */
export async function startListeningApi(env: Record<string, string>): Promise<ListeningApi> {
  const api = await startApi(env, { listen: true });
  if (!api.url) throw new Error('the api did not report its URL');
  return { ...api, url: api.url };
}

export type LiveTestSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

/** Connects to `/live`; resolves once connected, rejects with the server's refusal (message and data). */
export function connectLive(baseUrl: string, token: string | undefined): Promise<LiveTestSocket> {
  const socket = io(`${baseUrl}/live`, {
    auth: token === undefined ? {} : { token },
    transports: ['websocket'],
    forceNew: true,
    reconnection: false,
  }) as LiveTestSocket;
  return new Promise((resolve, reject) => {
    socket.once('connect', () => resolve(socket));
    socket.once('connect_error', (err: Error & { data?: LiveError }) => {
      socket.close();
      reject(err);
    });
  });
}

/** Records every board event a socket receives, in arrival order. */
export function recordEvents(socket: LiveTestSocket): LiveEvent[] {
  const seen: LiveEvent[] = [];
  const names: ReadonlySet<string> = new Set<LiveEventName>(LIVE_EVENT_NAMES);
  socket.onAny((name: string, envelope: LiveEvent) => {
    if (names.has(name)) seen.push(envelope);
  });
  return seen;
}

export async function waitFor(condition: () => boolean, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** waitFor for conditions that need a query. */
export async function eventually(condition: () => Promise<boolean>, timeoutMs = 5000, what = 'condition'): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

let responderCounter = 0;
export function rosterEntry(name = `Responder ${++responderCounter}`): RosterEntry {
  return {
    deploymentId: randomUUID(),
    responderId: randomUUID(),
    name,
    qualifications: ['RN'],
    status: 'available',
    checkedInAt: new Date().toISOString(),
  };
}

/** Commits one outbox event through a process's own data source and Outbox (as a feature's transaction would). */
export async function commitEvent<N extends LiveEventName>(
  app: Pick<TestApi['app'], 'get'>,
  incidentId: string,
  name: N,
  payload: LiveEventMap[N],
): Promise<LiveEvent<N>> {
  const db = app.get(DataSource);
  const outbox = app.get(Outbox);
  return db.transaction((tx) => outbox.append(tx, incidentId, name, payload));
}

export const checkedIn = (name?: string): LiveEventMap['deployment.checked_in'] => ({ deployment: rosterEntry(name) });

/**
 * A TCP proxy in front of Redis that a test can cut and restore, to play a Redis outage for one process without
 * touching the Redis everyone else uses.
 */
export class CuttableProxy {
  private server?: NetServer;
  private readonly open = new Set<NetSocket>();
  port = 0;

  constructor(
    private readonly targetPort = 6379,
    private readonly targetHost = '127.0.0.1',
  ) {}

  async start(port = 0): Promise<number> {
    this.server = createServer((client) => {
      const upstream = connect(this.targetPort, this.targetHost);
      for (const s of [client, upstream]) {
        this.open.add(s);
        s.on('close', () => this.open.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream);
      upstream.pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => this.server!.listen(port, '127.0.0.1', resolve));
    this.port = (this.server.address() as { port: number }).port;
    return this.port;
  }

  /** Drops every connection and refuses new ones. */
  async cut(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    for (const s of this.open) s.destroy();
    this.open.clear();
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** Accepts connections again on the same port. */
  async restore(): Promise<void> {
    await this.start(this.port);
  }

  async close(): Promise<void> {
    await this.cut();
  }
}

/**
 * Browser (and Node) client for the live board: connects to `/live` with a fresh access token on every
 * (re)connect, keeps each subscribed incident in sequence (snapshot, then events seq+1, seq+2, ...), resyncs on a
 * gap, on reconnect and when the server asks, drops duplicates, and reports online / offline.
 * Plain TypeScript over socket.io-client; no Nest, no Node APIs. Bundle it with esbuild.
 *
 *   const live = new LiveClient({ token: () => session.accessToken });
 *   live.onState((s) => banner.show(s));
 *   const sub = live.subscribe(incidentId, { snapshot: render, event: applyEvent });
 */
import { io, type ManagerOptions, type Socket, type SocketOptions } from 'socket.io-client';
import { LIVE_EVENT_NAMES, type LiveEvent, type LiveEventName } from '../live-events';
import {
  LIVE_EPHEMERAL_NAMES,
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LiveEphemeralEvent,
  type LiveEphemeralName,
  type LiveError,
  type LiveServerToClientEvents,
  type LiveSnapshot,
  type ResyncAck,
  type SubscribeAck,
} from '../live-protocol';

/** `online`: connected (subscriptions resync right away); `unauthorized`: the token was refused (retrying with a new one). */
export type LiveConnectionState = 'connecting' | 'online' | 'offline' | 'unauthorized';

export interface LiveBoardListener {
  /** A whole board: replace what is shown (first subscribe, or a resync too far behind for events). */
  snapshot(snapshot: LiveSnapshot): void;
  /** The next event of the incident, exactly once and in order: apply it on top of the board. */
  event(event: LiveEvent): void;
  /** Progress indications (no sequence number; missing one loses nothing). */
  ephemeral?(event: LiveEphemeralEvent): void;
  /** The server refused the subscription; `forbidden`, `not_found` and `validation_failed` are final. */
  error?(error: LiveError): void;
}

export interface LiveClientOptions {
  /** Origin of the api, e.g. "https://checkin.example.org"; default: the page's origin. */
  url?: string;
  /** Returns a valid access token; called on every (re)connect, so return a refreshed one. */
  token: () => string | Promise<string>;
  /** How long to wait for an acknowledgement (default 10 s). */
  ackTimeoutMs?: number;
  /** Extra socket.io-client options (tests: `{ transports: ['websocket'], forceNew: true }`). */
  socketOptions?: Partial<ManagerOptions & SocketOptions>;
}

export interface LiveSubscription {
  readonly incidentId: string;
  /** Last sequence number applied (null until the first snapshot). */
  readonly lastSeq: number | null;
  close(): void;
}

const FINAL_REFUSALS = new Set(['forbidden', 'not_found', 'validation_failed']);
const BOARD_EVENTS: ReadonlySet<string> = new Set<LiveEventName>(LIVE_EVENT_NAMES);
const EPHEMERAL_EVENTS: ReadonlySet<string> = new Set<LiveEphemeralName>(LIVE_EPHEMERAL_NAMES);

type LiveClientSocket = Socket<LiveServerToClientEvents, LiveClientToServerEvents>;

class IncidentFeed implements LiveSubscription {
  lastSeq: number | null = null;
  syncing = false;
  syncAgain = false;
  stopped = false;
  retryTimer?: ReturnType<typeof setTimeout>;
  /** Events that arrived while syncing or after a gap, applied once they are next in line. */
  held: LiveEvent[] = [];

  constructor(
    readonly incidentId: string,
    readonly listener: LiveBoardListener,
    readonly close: () => void,
  ) {}
}

export class LiveClient {
  private readonly socket: LiveClientSocket;
  private readonly feeds = new Map<string, IncidentFeed>();
  private readonly stateListeners = new Set<(state: LiveConnectionState) => void>();
  private current: LiveConnectionState = 'connecting';
  private reconnectTimer?: ReturnType<typeof setTimeout>;
  private reconnectDelayMs = 1000;
  private closed = false;
  private readonly ackTimeoutMs: number;

  constructor(private readonly options: LiveClientOptions) {
    this.ackTimeoutMs = options.ackTimeoutMs ?? 10000;
    const target = `${options.url ?? ''}${LIVE_NAMESPACE}`;
    this.socket = io(target, {
      ...options.socketOptions,
      auth: (cb: (data: { token: string }) => void) => {
        Promise.resolve()
          .then(() => options.token())
          .then(
            (token) => cb({ token }),
            () => cb({ token: '' }),
          );
      },
    }) as LiveClientSocket;
    this.socket.on('connect', () => {
      this.reconnectDelayMs = 1000;
      this.setState('online');
      for (const feed of this.feeds.values()) this.sync(feed);
    });
    this.socket.on('disconnect', (reason) => {
      this.setState('offline');
      for (const feed of this.feeds.values()) feed.syncing = false;
      // The server ended the session (token expired): socket.io does not reconnect by itself after that.
      if (reason === 'io server disconnect') this.reconnectLater();
    });
    this.socket.on('connect_error', (err: Error & { data?: LiveError }) => {
      const refused = err.data?.code === 'unauthenticated';
      this.setState(refused ? 'unauthorized' : 'offline');
      // A refusal by the server's middleware stops automatic reconnection; try again with a fresh token.
      if (!this.socket.active) this.reconnectLater();
    });
    this.socket.on('resync.required', () => {
      for (const feed of this.feeds.values()) this.sync(feed);
    });
    // The user may no longer see the incident (e.g. taken off its staff): a final refusal of that feed.
    this.socket.on('subscription.ended', ({ incidentId, error }) => {
      const feed = this.feeds.get(incidentId);
      if (feed) this.refused(feed, error);
    });
    this.socket.onAny((name: string, envelope: unknown) => this.receive(name, envelope));
  }

  get state(): LiveConnectionState {
    return this.current;
  }

  /** Calls `listener` on every state change; returns the function that stops it. */
  onState(listener: (state: LiveConnectionState) => void): () => void {
    this.stateListeners.add(listener);
    return () => this.stateListeners.delete(listener);
  }

  subscribe(incidentId: string, listener: LiveBoardListener): LiveSubscription {
    this.feeds.get(incidentId)?.close();
    const feed: IncidentFeed = new IncidentFeed(incidentId, listener, () => {
      feed.stopped = true;
      clearTimeout(feed.retryTimer);
      if (this.feeds.get(incidentId) !== feed) return;
      this.feeds.delete(incidentId);
      if (this.socket.connected) this.socket.emit('unsubscribe', { incidentId }, () => undefined);
    });
    this.feeds.set(incidentId, feed);
    if (this.socket.connected) this.sync(feed);
    return feed;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.reconnectTimer);
    for (const feed of this.feeds.values()) clearTimeout(feed.retryTimer);
    this.feeds.clear();
    this.socket.disconnect();
    this.setState('offline');
  }

  private receive(name: string, envelope: unknown): void {
    if (typeof envelope !== 'object' || envelope === null) return;
    const incidentId = (envelope as { incidentId?: unknown }).incidentId;
    const feed = typeof incidentId === 'string' ? this.feeds.get(incidentId) : undefined;
    if (!feed) return;
    if (EPHEMERAL_EVENTS.has(name)) {
      feed.listener.ephemeral?.(envelope as LiveEphemeralEvent);
      return;
    }
    if (!BOARD_EVENTS.has(name)) return;
    const event = envelope as LiveEvent;
    if (feed.lastSeq !== null && event.seq <= feed.lastSeq) return; // already applied (at-least-once delivery)
    if (feed.syncing || feed.lastSeq === null) {
      feed.held.push(event);
      return;
    }
    if (event.seq === feed.lastSeq + 1) {
      this.apply(feed, event);
      if (this.applyHeld(feed)) this.sync(feed);
      return;
    }
    feed.held.push(event); // a gap: fetch what is missing
    this.sync(feed);
  }

  /** Brings a feed up to date: subscribe (snapshot) the first time, resync since the last applied seq afterwards. */
  private sync(feed: IncidentFeed): void {
    if (feed.stopped || !this.socket.connected) return;
    if (feed.syncing) {
      feed.syncAgain = true;
      return;
    }
    feed.syncing = true;
    feed.syncAgain = false;
    const socket = this.socket.timeout(this.ackTimeoutMs);
    const request: Promise<SubscribeAck | ResyncAck> =
      feed.lastSeq === null
        ? socket.emitWithAck('subscribe', { incidentId: feed.incidentId })
        : socket.emitWithAck('resync', { incidentId: feed.incidentId, since: feed.lastSeq });
    const connection = this.socket.id;
    request.then(
      (reply) => {
        if (feed.stopped || connection !== this.socket.id) return;
        feed.syncing = false;
        if (!reply.ok) {
          this.refused(feed, reply.error);
          return;
        }
        if ('snapshot' in reply) {
          feed.lastSeq = reply.snapshot.seq;
          feed.listener.snapshot(reply.snapshot);
        } else {
          for (const event of reply.events) if (event.seq === (feed.lastSeq ?? 0) + 1) this.apply(feed, event);
        }
        if (this.applyHeld(feed) || feed.syncAgain) this.sync(feed);
      },
      () => {
        // Timed out or disconnected: reconnecting resyncs every feed; otherwise try again.
        if (feed.stopped || connection !== this.socket.id) return;
        feed.syncing = false;
        this.retryLater(feed);
      },
    );
  }

  /** Applies held events that are next in line; true when a hole remains before the others. */
  private applyHeld(feed: IncidentFeed): boolean {
    if (feed.lastSeq === null) return false;
    feed.held.sort((a, b) => a.seq - b.seq);
    while (feed.held.length > 0) {
      const next = feed.held[0];
      if (next.seq <= feed.lastSeq) {
        feed.held.shift();
      } else if (next.seq === feed.lastSeq + 1) {
        feed.held.shift();
        this.apply(feed, next);
      } else {
        return true;
      }
    }
    return false;
  }

  private apply(feed: IncidentFeed, event: LiveEvent): void {
    feed.lastSeq = event.seq;
    feed.listener.event(event);
  }

  private refused(feed: IncidentFeed, error: LiveError): void {
    feed.listener.error?.(error);
    if (FINAL_REFUSALS.has(error.code)) {
      feed.close();
      return;
    }
    this.retryLater(feed);
  }

  private retryLater(feed: IncidentFeed): void {
    clearTimeout(feed.retryTimer);
    feed.retryTimer = setTimeout(() => this.sync(feed), 1000);
  }

  private reconnectLater(): void {
    if (this.closed) return;
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => {
      if (!this.closed && !this.socket.connected) this.socket.connect();
    }, this.reconnectDelayMs);
    this.reconnectDelayMs = Math.min(this.reconnectDelayMs * 2, 30000);
  }

  private setState(state: LiveConnectionState): void {
    if (state === this.current) return;
    this.current = state;
    for (const listener of this.stateListeners) listener(state);
  }
}

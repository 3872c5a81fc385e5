import { Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ConnectedSocket, MessageBody, OnGatewayConnection, OnGatewayDisconnect, OnGatewayInit, SubscribeMessage, WebSocketGateway } from '@nestjs/websockets';
import { decodeJwt } from 'jose';
import type { Namespace, Socket } from 'socket.io';
import { AccessChanges, IncidentAccess, TokenService, type AccessChange, type Principal } from '@app/auth';
import { DomainError, isDatabaseUnavailable } from '@app/common';
import { Metrics } from '@app/telemetry';
import {
  incidentRoom,
  LIVE_MAX_MESSAGE_BYTES,
  LIVE_MAX_SUBSCRIPTIONS_PER_SOCKET,
  LIVE_NAMESPACE,
  type LiveClientToServerEvents,
  type LiveError,
  type LiveErrorCode,
  type LiveRefusal,
  type LiveServerToClientEvents,
  type ResyncAck,
  type SubscribeAck,
  type UnsubscribeAck,
} from '../live-protocol';
import { LiveRedisLink, type FanoutAttachment } from '../fanout/live-redis-link';
import { LiveSnapshotSource } from '../snapshot/live-snapshot-source';
import { LiveBoardReader, noSnapshotSource } from './live-board.reader';
import { parseMessage, resyncRequest, subscribeRequest, unsubscribeRequest } from './live-messages';

interface LiveSocketData {
  principal: Principal;
  /** Checked again whenever the user's access changes, and before every message. */
  token: string;
  /** Epoch ms when the access token expires; the session ends then. */
  expiresAt: number;
  subscriptions: Set<string>;
  expiryTimer?: NodeJS.Timeout;
  budget: RequestBudget;
}
type LiveNamespace = Namespace<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, LiveSocketData>;
type LiveSocket = Socket<LiveClientToServerEvents, LiveServerToClientEvents, Record<string, never>, LiveSocketData>;

/** How long start-up waits for the Redis fan-out before serving without it (it is installed whenever Redis answers). */
const FANOUT_STARTUP_WAIT_MS = 2000;

/** Per socket: bursts of 20 requests, 2 per second sustained (subscribe and resync read PostgreSQL). */
class RequestBudget {
  private tokens = 20;
  private last = Date.now();
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(20, this.tokens + ((now - this.last) / 1000) * 2);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

const REFUSAL_CODES: ReadonlySet<LiveErrorCode> = new Set<LiveErrorCode>([
  'unauthenticated',
  'forbidden',
  'not_found',
  'validation_failed',
  'rate_limited',
  'service_unavailable',
]);

/**
 * The live board's socket.io namespace `/live`. A connection authenticates with the HTTP access token
 * (handshake `auth.token`) before it is accepted; `subscribe` checks the user may see the incident (IncidentAccess),
 * joins the incident's room and answers with a snapshot; `resync` answers with the events missed since a sequence
 * number. Events reach the rooms from the outbox relay through Redis (see LivePublisher); this process only delivers
 * them to its own sockets. Every message is answered through its acknowledgement, never by an exception.
 *
 * Access that ends, ends here too (AccessChanges, from any process): a user whose tokens no longer work is
 * disconnected (`session.ended`); a user taken off an incident's staff leaves its room (`subscription.ended`).
 */
@WebSocketGateway({ namespace: LIVE_NAMESPACE, maxHttpBufferSize: LIVE_MAX_MESSAGE_BYTES, serveClient: false })
export class LiveGateway
  implements OnGatewayInit<LiveNamespace>, OnGatewayConnection<LiveSocket>, OnGatewayDisconnect<LiveSocket>, OnApplicationBootstrap, OnApplicationShutdown
{
  private readonly logger = new Logger(LiveGateway.name);
  private namespace?: LiveNamespace;
  private stopListening?: () => void;
  private fanout?: FanoutAttachment;
  private access?: IncidentAccess;
  private snapshots?: LiveSnapshotSource;

  constructor(
    private readonly tokens: TokenService,
    private readonly reader: LiveBoardReader,
    private readonly link: LiveRedisLink,
    private readonly moduleRef: ModuleRef,
    private readonly accessChanges: AccessChanges,
    metrics: Metrics,
  ) {
    metrics.onScrape(() => metrics.liveSockets.set(this.namespace?.sockets.size ?? 0));
  }

  afterInit(nsp: LiveNamespace): void {
    this.namespace = nsp;
    nsp.use((socket, next) => {
      this.authenticate(socket).then(
        () => next(),
        (err: unknown) => next(connectError(toLiveError(err, this.logger))),
      );
    });
    this.fanout = this.link.attach(nsp.server, () => {
      // (Re)subscribed to Redis: anything published while this process was not subscribed never reached its sockets.
      if (nsp.sockets.size > 0) nsp.local.emit('resync.required', { reason: 'This server missed live events while Redis was unreachable.' });
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    // Found wherever they are registered (the incidents library provides both); resolved once, after every module is up.
    this.access = this.optional(IncidentAccess);
    this.snapshots = this.optional(LiveSnapshotSource);
    if (!this.access || !this.snapshots) {
      this.logger.warn('live board: no IncidentAccess or LiveSnapshotSource registered; every subscription will be refused');
    }
    this.stopListening = this.accessChanges.listen((change) => {
      this.applyAccessChange(change).catch((err: unknown) => this.logger.error({ err }, 'live board: applying an access change failed'));
    });
    if (this.fanout && !(await this.fanout.connected(FANOUT_STARTUP_WAIT_MS))) {
      this.logger.warn('live board: Redis unreachable at start-up; accepting sockets, live events start flowing when it answers');
    }
  }

  onApplicationShutdown(): void {
    this.stopListening?.();
  }

  handleConnection(socket: LiveSocket): void {
    const remaining = socket.data.expiresAt - Date.now();
    socket.data.expiryTimer = setTimeout(
      () => endSession(socket, 'The access token expired; reconnect with a new one.'),
      Math.max(0, Math.min(remaining, 2 ** 31 - 1)),
    );
    socket.data.expiryTimer.unref();
  }

  handleDisconnect(socket: LiveSocket): void {
    clearTimeout(socket.data.expiryTimer);
  }

  @SubscribeMessage('subscribe')
  subscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<SubscribeAck> {
    return this.answer(socket, async () => {
      const { incidentId } = parseMessage(subscribeRequest, body);
      const source = await this.authorize(socket, incidentId);
      const joined = await this.join(socket, incidentId);
      try {
        // Joined first, then read: an event committed in between arrives live and is also in (or before) the snapshot.
        return { ok: true, snapshot: await this.reader.snapshot(source, incidentId) };
      } catch (err) {
        if (joined) await this.leave(socket, incidentId);
        throw err;
      }
    });
  }

  @SubscribeMessage('unsubscribe')
  unsubscribe(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<UnsubscribeAck> {
    return this.answer(socket, async () => {
      const { incidentId } = parseMessage(unsubscribeRequest, body);
      await this.leave(socket, incidentId);
      return { ok: true };
    });
  }

  @SubscribeMessage('resync')
  resync(@ConnectedSocket() socket: LiveSocket, @MessageBody() body: unknown): Promise<ResyncAck> {
    return this.answer(socket, async () => {
      const { incidentId, since } = parseMessage(resyncRequest, body);
      const source = await this.authorize(socket, incidentId);
      // After a reconnect the socket is new: resync also (re)joins the room, before reading, as subscribe does.
      const joined = await this.join(socket, incidentId);
      try {
        return await this.reader.resync(source, incidentId, since);
      } catch (err) {
        if (joined) await this.leave(socket, incidentId);
        throw err;
      }
    });
  }

  private async authenticate(socket: LiveSocket): Promise<void> {
    const auth: unknown = socket.handshake.auth;
    const token = typeof auth === 'object' && auth !== null ? (auth as { token?: unknown }).token : undefined;
    if (typeof token !== 'string' || token.length === 0) {
      throw new DomainError('unauthenticated', 'Connect with the access token in the handshake: io(url, { auth: { token } }).');
    }
    const principal = await this.tokens.verify(token);
    const { exp } = decodeJwt(token); // verified just above; exp is a required claim
    socket.data.principal = principal;
    socket.data.token = token;
    socket.data.expiresAt = (exp ?? 0) * 1000;
    socket.data.subscriptions = new Set();
    socket.data.budget = new RequestBudget();
  }

  private async authorize(socket: LiveSocket, incidentId: string): Promise<LiveSnapshotSource> {
    if (!this.access || !this.snapshots) throw noSnapshotSource();
    await this.access.assertCanAccess(socket.data.principal, incidentId);
    return this.snapshots;
  }

  /** Returns whether the socket was not in the room before. */
  private async join(socket: LiveSocket, incidentId: string): Promise<boolean> {
    if (socket.data.subscriptions.has(incidentId)) return false;
    if (socket.data.subscriptions.size >= LIVE_MAX_SUBSCRIPTIONS_PER_SOCKET) {
      throw new DomainError('rate_limited', `A connection may watch at most ${LIVE_MAX_SUBSCRIPTIONS_PER_SOCKET} incidents; unsubscribe from one first.`);
    }
    socket.data.subscriptions.add(incidentId);
    await socket.join(incidentRoom(incidentId));
    return true;
  }

  private async leave(socket: LiveSocket, incidentId: string): Promise<void> {
    socket.data.subscriptions.delete(incidentId);
    await socket.leave(incidentRoom(incidentId));
  }

  /**
   * The user's sockets (all of them for `unknown`: changes may have been missed) checked again after an access
   * change: a token that no longer works ends the connection; an incident the user may no longer see is left.
   */
  private async applyAccessChange(change: AccessChange): Promise<void> {
    const sockets = [...(this.namespace?.sockets.values() ?? [])].filter(
      (s) => s.data.principal && (change.kind === 'unknown' || s.data.principal.userId === change.userId),
    );
    await Promise.all(
      sockets.map(async (socket) => {
        if (change.kind === 'incident') return this.recheckSubscription(socket, change.incidentId);
        if (!(await this.recheckToken(socket)) || change.kind === 'user') return;
        for (const incidentId of [...socket.data.subscriptions]) await this.recheckSubscription(socket, incidentId);
      }),
    );
  }

  /** False (and the connection ended) when the socket's token no longer works. */
  private async recheckToken(socket: LiveSocket): Promise<boolean> {
    try {
      await this.tokens.verify(socket.data.token);
      return true;
    } catch (err) {
      if (!(err instanceof DomainError)) throw err; // the database did not answer: checked again at the next change or message
      endSession(socket, 'Your access has changed; sign in again.');
      return false;
    }
  }

  private async recheckSubscription(socket: LiveSocket, incidentId: string): Promise<void> {
    if (!socket.data.subscriptions.has(incidentId) || !this.access) return;
    try {
      await this.access.assertCanAccess(socket.data.principal, incidentId, { fresh: true });
    } catch (err) {
      if (!(err instanceof DomainError)) throw err;
      await this.leave(socket, incidentId);
      socket.emit('subscription.ended', { incidentId, error: toLiveError(err, this.logger) });
    }
  }

  /** Runs a message handler and turns every outcome into an acknowledgement. */
  private async answer<T>(socket: LiveSocket, handle: () => Promise<T>): Promise<T | LiveRefusal> {
    try {
      if (Date.now() >= socket.data.expiresAt) {
        throw new DomainError('unauthenticated', 'The access token expired; reconnect with a new one.');
      }
      if (!socket.data.budget.take()) throw new DomainError('rate_limited', 'Too many requests on this connection; slow down.');
      await this.tokens.verify(socket.data.token); // the user may have been deactivated or changed since connecting
      return await handle();
    } catch (err) {
      return { ok: false, error: toLiveError(err, this.logger) };
    }
  }

  private optional<T>(token: abstract new (...args: never[]) => T): T | undefined {
    try {
      return this.moduleRef.get(token, { strict: false });
    } catch {
      return undefined;
    }
  }
}

function toLiveError(err: unknown, logger: Logger): LiveError {
  if (err instanceof DomainError) {
    const code = REFUSAL_CODES.has(err.code as LiveErrorCode) ? (err.code as LiveErrorCode) : refusalCodeFor(err.status);
    const errors = err.details?.errors as LiveError['errors'];
    return { code, message: err.message, ...(errors ? { errors } : {}) };
  }
  if (isDatabaseUnavailable(err)) return { code: 'service_unavailable', message: 'The database is temporarily unavailable; retry shortly.' };
  logger.error({ err }, 'live gateway: unexpected error');
  return { code: 'internal_error', message: 'An unexpected error occurred.' };
}

/** Codes outside the protocol's list, mapped by their HTTP meaning. */
function refusalCodeFor(status: number): LiveErrorCode {
  if (status === 401) return 'unauthenticated';
  if (status === 404) return 'not_found';
  if (status === 429) return 'rate_limited';
  if (status === 503) return 'service_unavailable';
  if (status >= 500) return 'internal_error';
  return status === 400 || status === 422 ? 'validation_failed' : 'forbidden';
}

/** Tells the client why, then disconnects it (the client reconnects with a fresh token, if it has one). */
function endSession(socket: LiveSocket, message: string): void {
  socket.emit('session.ended', { code: 'unauthenticated', message });
  socket.disconnect(true);
}

/** socket.io hands `message` and `data` of a middleware error to the client's connect_error handler. */
function connectError(error: LiveError): Error & { data: LiveError } {
  return Object.assign(new Error(error.message), { data: error });
}

import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '@app/config';
import { contextOf, Metrics, SpanKind, SpanStatusCode, startSpan } from '@app/telemetry';
import { LivePublisher } from '../fanout/live-publisher';
import { OUTBOX_BATCH_SIZE, OutboxRelayRepository, type ClaimedEvent, type OutboxListener } from './outbox-relay.repository';

const LISTEN_RETRY_MAX_MS = 5000;

/**
 * From claimed events, those that may be published now: per incident, the run of consecutive sequence numbers that
 * starts at the incident's oldest unpublished event. Within an incident, id order is seq order (seq is taken under
 * a row lock held until commit), so the result keeps each incident's events in sequence.
 */
export function publishableInOrder(claimed: readonly ClaimedEvent[]): ClaimedEvent[] {
  const next = new Map<string, number>();
  const out: ClaimedEvent[] = [];
  for (const c of claimed) {
    const { incidentId, seq } = c.event;
    const expected = next.get(incidentId) ?? c.headSeq;
    if (seq !== expected) {
      next.set(incidentId, Number.NaN); // a hole: nothing after it for this incident in this batch
      continue;
    }
    out.push(c);
    next.set(incidentId, expected + 1);
  }
  return out;
}

/**
 * The outbox relay: publishes committed events to their incident's room, in sequence order per incident, and
 * marks them published. Woken by LISTEN outbox_event (a dedicated connection that reconnects) and by a fallback
 * poll. While Redis is unreachable it publishes nothing and leaves the events in the outbox; it resumes, in order,
 * when Redis is back. Delivery is at least once (a crash between publish and commit re-publishes): clients drop
 * events whose seq they already applied.
 */
@Injectable()
export class OutboxRelay implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(OutboxRelay.name);
  private listener?: OutboxListener;
  private listenRetryMs = 250;
  private pollTimer?: NodeJS.Timeout;
  private reconnectTimer?: NodeJS.Timeout;
  private running = false;
  private draining?: Promise<void>;
  private drainAgain = false;
  private lastFailureLog = 0;
  /** Events this process has published since start (for logs and the benchmark). */
  published = 0;

  constructor(
    private readonly outbox: OutboxRelayRepository,
    private readonly publisher: LivePublisher,
    @Inject(AppConfig) private readonly config: AppConfig,
    private readonly metrics: Metrics,
  ) {}

  onApplicationBootstrap(): void {
    if (!this.config.live.relayEnabled) return;
    this.running = true;
    this.publisher.onReady(() => this.wake());
    this.pollTimer = setInterval(() => this.wake(), this.config.live.relayPollMs);
    this.pollTimer.unref();
    void this.listen();
    this.wake();
  }

  async onApplicationShutdown(): Promise<void> {
    this.running = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.reconnectTimer);
    const listener = this.listener;
    this.listener = undefined;
    await listener?.close();
    await this.draining;
  }

  /** Drains the outbox now (coalesces with a drain already running). */
  wake(): void {
    if (!this.running) return;
    if (this.draining) {
      this.drainAgain = true;
      return;
    }
    this.draining = this.drainLoop().finally(() => {
      this.draining = undefined;
    });
  }

  private async drainLoop(): Promise<void> {
    do {
      this.drainAgain = false;
      if (!this.publisher.canPublish) return; // Redis down: the events wait in the outbox; the poll retries.
      try {
        const { claimed, published } = await this.publishBatch();
        // A full batch means more is waiting; anything published may have unblocked rows another relay skipped.
        if (claimed === OUTBOX_BATCH_SIZE || published > 0) this.drainAgain = true;
      } catch (err) {
        this.logFailure(err);
        return;
      }
    } while (this.drainAgain && this.running);
  }

  /** One batch: publishes what may go now, in order, and marks it published once Redis has confirmed it. */
  private async publishBatch(): Promise<{ claimed: number; published: number }> {
    const outcome = await this.outbox.claimBatch(async (claimed) => {
      const ready = publishableInOrder(claimed);
      if (ready.length === 0) return ready;
      // A span per event in the trace of the request that wrote it, from publish to Redis's confirmation.
      const spans = ready.map(
        ({ event, traceParent }) =>
          startSpan('outbox.publish', contextOf(traceParent), { 'live.event': event.name, 'live.seq': event.seq }, SpanKind.PRODUCER).span,
      );
      for (const { event } of ready) this.publisher.publish(event);
      // Mark published only once Redis has the messages; otherwise roll back and retry them later.
      const confirmed = await this.publisher.fence();
      for (const span of spans) {
        if (!confirmed) span.setStatus({ code: SpanStatusCode.ERROR, message: 'Redis did not confirm the publish' });
        span.end();
      }
      if (!confirmed) throw new Error('Redis did not confirm the publish');
      this.count(ready);
      return ready;
    });
    this.published += outcome.published;
    return outcome;
  }

  private count(published: readonly ClaimedEvent[]): void {
    const now = Date.now();
    for (const { event } of published) {
      this.metrics.liveEvents.inc({ event: event.name });
      this.metrics.outboxLagSeconds.observe(Math.max(0, now - Date.parse(event.at)) / 1000);
    }
  }

  private async listen(): Promise<void> {
    if (!this.running) return;
    const retry = (reason: string): void => {
      if (this.listener !== listener) return;
      this.listener = undefined;
      void listener.close();
      if (!this.running) return;
      this.logger.warn(`live relay: LISTEN connection lost (${reason}); retrying in ${this.listenRetryMs} ms`);
      this.reconnectTimer = setTimeout(() => void this.listen(), this.listenRetryMs);
      this.reconnectTimer.unref();
      this.listenRetryMs = Math.min(this.listenRetryMs * 2, LISTEN_RETRY_MAX_MS);
    };
    const listener = this.outbox.listener({ notified: () => this.wake(), lost: retry });
    this.listener = listener;
    try {
      await listener.connect();
      this.listenRetryMs = 250;
      this.wake(); // catch up on anything committed while we were not listening
    } catch (err) {
      retry(err instanceof Error ? err.message : String(err));
    }
  }

  private logFailure(err: unknown): void {
    if (Date.now() - this.lastFailureLog < 10000) return;
    this.lastFailureLog = Date.now();
    this.logger.warn(`live relay: events left in the outbox for the next attempt: ${err instanceof Error ? err.message : String(err)}`);
  }
}

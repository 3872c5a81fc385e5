import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

const SCRAPE_HOOK_DEADLINE_MS = 1000;

function withDeadline(work: Promise<void>, ms: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<void>((_, reject) => {
    timer = setTimeout(() => reject(new Error('deadline')), ms);
  });
  return Promise.race([work, deadline]).finally(() => clearTimeout(timer));
}

/** Seconds buckets for work that should finish well under a second (a scan's verification, a check-in's commit). */
const FAST_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** Seconds buckets for background work (a job, an event waiting in the outbox). */
const SLOW_SECONDS = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300];

/**
 * The process's Prometheus metrics (docs/operations.md, "Metrics"). One instance per process; labels are bounded
 * sets (decisions, reason codes, formats, job and event names), never ids or anything personal.
 */
export class Metrics {
  readonly registry = new Registry();

  readonly checkIns = new Counter({
    name: 'checkin_decisions_total',
    help: 'Check-in decisions, by decision and reason code (a denial with two reasons counts once per reason; "none" when admitted cleanly).',
    labelNames: ['decision', 'reason'] as const,
    registers: [this.registry],
  });

  readonly checkInSeconds = new Histogram({
    name: 'checkin_step_seconds',
    help: 'Time spent in each step of a check-in request: verify (the credential, at the incident) and record (the group-committed write).',
    labelNames: ['step'] as const,
    buckets: FAST_SECONDS,
    registers: [this.registry],
  });

  readonly verificationSeconds = new Histogram({
    name: 'credential_verification_seconds',
    help: 'Credential verifications (check-in, verify page, reverification), by format, mode (verify or revalidate) and result.',
    labelNames: ['format', 'mode', 'verified'] as const,
    buckets: FAST_SECONDS,
    registers: [this.registry],
  });

  readonly statusListReads = new Counter({
    name: 'status_list_reads_total',
    help: 'Status-list reads by how they were served: memory or shared (cache hits), fetched or not_modified (network), failed.',
    labelNames: ['served'] as const,
    registers: [this.registry],
  });

  readonly jobSeconds = new Histogram({
    name: 'job_duration_seconds',
    help: 'Queue jobs run by this worker, by job name and outcome.',
    labelNames: ['job', 'outcome'] as const,
    buckets: SLOW_SECONDS,
    registers: [this.registry],
  });

  readonly queueJobs = new Gauge({
    name: 'queue_jobs',
    help: 'Jobs on each queue by state (read from Redis when scraped).',
    labelNames: ['queue', 'state'] as const,
    registers: [this.registry],
  });

  readonly liveEvents = new Counter({
    name: 'live_events_published_total',
    help: 'Board events this process published, by event name (check-ins, status changes, credential flags and other alerts).',
    labelNames: ['event'] as const,
    registers: [this.registry],
  });

  readonly outboxLagSeconds = new Histogram({
    name: 'outbox_lag_seconds',
    help: 'From an event being committed to its publication to the boards.',
    buckets: SLOW_SECONDS,
    registers: [this.registry],
  });

  readonly liveSockets = new Gauge({
    name: 'live_sockets',
    help: 'Board and station sockets connected to this process.',
    registers: [this.registry],
  });

  readonly databasePool = new Gauge({
    name: 'database_pool_connections',
    help: 'The PostgreSQL pool of this process, by state: total, idle, and waiting (requests queued for a connection).',
    labelNames: ['state'] as const,
    registers: [this.registry],
  });

  readonly httpSeconds = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern and status class.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: FAST_SECONDS,
    registers: [this.registry],
  });

  /** One committed check-in: a decision (admitted, admitted_with_warnings, denied, or repeated for someone already here). */
  countCheckIn(decision: string, reasons: ReadonlyArray<{ code: string }>): void {
    if (reasons.length === 0) this.checkIns.inc({ decision, reason: 'none' });
    for (const { code } of reasons) this.checkIns.inc({ decision, reason: code });
  }

  constructor(process: string) {
    this.registry.setDefaultLabels({ process });
    collectDefaultMetrics({ register: this.registry });
  }

  /** Runs `read` whenever the metrics are scraped (gauges of state held elsewhere: the pool, the queue). */
  onScrape(read: () => void | Promise<void>): void {
    this.scrapeHooks.push(read);
  }

  /**
   * The exposition text. A hook that fails or takes longer than a second (Redis down) leaves its gauges at their
   * last values rather than failing or holding up the scrape.
   */
  async text(): Promise<string> {
    await Promise.allSettled(this.scrapeHooks.map((read) => withDeadline(Promise.resolve().then(read), SCRAPE_HOOK_DEADLINE_MS)));
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private readonly scrapeHooks: Array<() => void | Promise<void>> = [];
}

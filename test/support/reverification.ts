import { randomUUID } from 'node:crypto';
import type { INestApplicationContext } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Client } from 'pg';
import request from 'supertest';
import type { App } from 'supertest/types';
import { parseConfig } from '@app/config';
import type { JobView } from '@app/jobs';
import { WorkerModule } from '../../apps/worker/src/worker.module';
import { bearer } from './test-app';

/** Settings for reverification tests: no surprise sweeps, fast stalled-job recovery, quick re-queueing. */
export const REVERIFY_TEST_ENV: Record<string, string> = {
  SWEEP_INTERVAL_MS: '86400000',
  STATUS_LIST_REFRESH_CHECK_MS: '3600000',
  JOB_DISPATCH_INTERVAL_MS: '500',
  JOB_LOCK_DURATION_MS: '2000',
  JOB_STALLED_INTERVAL_MS: '1000',
  JOB_BACKOFF_MS: '200',
  EXPIRY_WARNING_HOURS: '12',
};

export interface TestWorker {
  app: INestApplicationContext;
  close(): Promise<void>;
}

/** The worker process's module, in this process (a real BullMQ worker on the test's Redis prefix). */
export async function startWorker(env: Record<string, string>): Promise<TestWorker> {
  const app = await NestFactory.createApplicationContext(WorkerModule.forRoot(parseConfig(env)), { logger: false, abortOnError: false });
  app.enableShutdownHooks();
  await app.init();
  return { app, close: () => app.close() };
}

export async function getJob(http: App, token: string, jobId: string): Promise<JobView> {
  const res = await request(http)
    .get(`/jobs/${jobId}`)
    .set(...bearer(token));
  if (res.status !== 200) throw new Error(`GET /jobs/${jobId}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body as JobView;
}

/** Polls GET /jobs/:id until the run is finished (completed or failed). */
export async function waitForJob(http: App, token: string, jobId: string, timeoutMs = 45000): Promise<JobView> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const job = await getJob(http, token, jobId);
    if (job.state === 'completed' || job.state === 'failed') return job;
    if (Date.now() > deadline) throw new Error(`job ${jobId} still ${job.state} after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/**
 * Starts a sweep that begins after this call (an open sweep, e.g. the scheduler's first one, is waited for first,
 * since it may have passed some deployments already) and waits for it to finish.
 */
export async function sweepOnce(http: App, adminToken: string, timeoutMs = 45000): Promise<JobView> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const res = await request(http)
      .post('/reverification/sweeps')
      .set(...bearer(adminToken));
    if (res.status !== 202) throw new Error(`POST /reverification/sweeps: ${res.status} ${JSON.stringify(res.body)}`);
    const body = res.body as { jobId: string; created: boolean };
    const job = await waitForJob(http, adminToken, body.jobId, timeoutMs);
    if (body.created) return job;
  }
  throw new Error('could not start a fresh sweep');
}

/** A short-lived connection to a test database. */
export async function withDb<T>(url: string, fn: (db: Client) => Promise<T>): Promise<T> {
  const db = new Client({ connectionString: url });
  await db.connect();
  try {
    return await fn(db);
  } finally {
    await db.end();
  }
}

export interface FillerDeployments {
  incidentId: string;
  /** Copied from a real checked-in credential so the filler screens exactly like it (issuer, key, lists). */
  template: { issuerId: string; qualification: string; keyThumbprint: string; listUrls: { revocation: string; suspension: string } };
  count: number;
  /** Status indices are taken from here on (unused indices of a list read 0)... */
  firstIndex?: number;
  /** ...skipping these (indices the board really issued, e.g. the ones a test revokes). */
  avoidIndices?: number[];
  validUntil?: Date;
}

/**
 * Inserts `count` active deployments with stored credential facts straight into PostgreSQL (responders, credentials
 * and deployments in a few statements), for volume: the sweep reads only the stored facts of a credential until a
 * change is suspected.
 */
export async function seedFillerDeployments(db: Client, f: FillerDeployments): Promise<void> {
  const tag = randomUUID().slice(0, 8);
  const firstIndex = f.firstIndex ?? 1000;
  await db.query(
    `WITH n AS (
       SELECT g FROM generate_series($8::int, $8::int + $1::int + cardinality($11::int[])) g WHERE NOT (g = ANY($11::int[])) ORDER BY g LIMIT $1::int
     ),
     r AS (
       INSERT INTO responder (id, subject_hash, name)
       SELECT gen_random_uuid(), 'urn:filler:' || $2 || ':' || g, 'Filler ' || g FROM n RETURNING id, subject_hash
     ),
     c AS (
       INSERT INTO presented_credential (id, hash, jws, responder_id, format, issuer_id, qualification, valid_until, status_entries, key_thumbprint, last_verified)
       SELECT gen_random_uuid(), md5(r.subject_hash), 'filler', r.id, 'vc+jwt', $3, $4, $5,
              jsonb_build_array(
                jsonb_build_object('type', 'BitstringStatusListEntry', 'purpose', 'revocation', 'listUrl', $6::text, 'index', split_part(r.subject_hash, ':', 4)::int),
                jsonb_build_object('type', 'BitstringStatusListEntry', 'purpose', 'suspension', 'listUrl', $7::text, 'index', split_part(r.subject_hash, ':', 4)::int)),
              $9, true
         FROM r RETURNING id, responder_id
     )
     INSERT INTO deployment (incident_id, responder_id, credential_id, decision, status, checked_in_at)
     SELECT $10, c.responder_id, c.id, 'admitted', 'available', now() FROM c`,
    [
      f.count,
      tag,
      f.template.issuerId,
      f.template.qualification,
      f.validUntil ?? new Date(Date.now() + 365 * 86400e3),
      f.template.listUrls.revocation,
      f.template.listUrls.suspension,
      firstIndex,
      f.template.keyThumbprint,
      f.incidentId,
      f.avoidIndices ?? [],
    ],
  );
}

/**
 * npm run test:chaos: faults under load, one at a time, against the built services (see docs/reliability.md).
 *
 * Two api processes and a worker (dist/, copied first so a rebuild elsewhere cannot pull it away mid-run) on a
 * scratch database and a private Redis prefix; the demo issuer in this process; a steady load of check-ins spread
 * over both apis; live-board dashboards (the realtime library's LiveClient) subscribed on both. Faults: Redis
 * stopped for 10 s, PostgreSQL restarted, the worker SIGKILLed in the middle of a sweep, one api SIGKILLed with
 * dashboards connected. After each: every acknowledged check-in is in the database, the audit chains verify, every
 * committed event reached every dashboard in order, no effect is doubled, and everything came back by itself.
 * Prints a table and exits 1 if anything was lost or doubled, or a property failed.
 *
 * This restarts the machine's shared PostgreSQL and Redis: other test runs at that moment will see the outage.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { cpSync, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { startIssuerServer } from '../../apps/issuer/src';
import { call, Dashboard, freePort, Load, must, ready, withDb, type Api, type Attempt } from './harness';
import { postgres, redis, restoreSharedServices, ServiceProcess, sleep, waitUntil } from './services';

const ROOT = resolve(__dirname, '..', '..', '..'); // dist/test/chaos -> repository
const RATE_PER_SECOND = 20;
/** CHAOS_ONLY=worker,api runs a subset (faults that leave the shared PostgreSQL and Redis alone); a full run has all four. */
const FAULTS = ['redis', 'postgres', 'worker', 'api'] as const;
const ONLY = process.env.CHAOS_ONLY?.split(',').map((f) => f.trim());
const enabled = (fault: (typeof FAULTS)[number]): boolean => !ONLY || ONLY.includes(fault);
const FILLER_DEPLOYMENTS = 20_000;
const REVOKED = 10;
const ADMIN = { email: 'chaos-admin@test.example', password: 'chaos-admin-password-1' };
const TRUST = [
  { slug: 'fl-nursing', jurisdictions: ['US-FL'], qualifications: ['RN', 'LPN', 'APRN'] },
  { slug: 'fl-medicine', jurisdictions: ['US-FL'], qualifications: ['MD'] },
  { slug: 'nremt', jurisdictions: ['US'], qualifications: ['PARAMEDIC', 'EMT'] },
];
const BADGES: Array<{ slug: string; qualification: string }> = [
  { slug: 'fl-nursing', qualification: 'RN' },
  { slug: 'fl-medicine', qualification: 'MD' },
  { slug: 'nremt', qualification: 'EMT' },
];

// ---------------------------------------------------------------------------------------------------------------

interface PhaseResult {
  fault: string;
  requests: number;
  acknowledged: number;
  refused503: number;
  unanswered: number;
  lost: number;
  duplicated: number;
  recoveryMs: number;
  notes: string[];
}

async function main(): Promise<number> {
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const runDir = join(ROOT, 'test-artifacts', 'chaos', `run-${stamp}`);
  const logDir = join(runDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  // Our own copy of the build: another engineer's `npm run build` (rm -rf dist) cannot break a restart mid-run.
  const dist = join(runDir, 'dist');
  cpSync(join(ROOT, 'dist'), dist, { recursive: true });
  const apiMain = join(dist, 'apps', 'api', 'src', 'main.js');
  const workerMain = join(dist, 'apps', 'worker', 'src', 'main.js');

  if (!(await postgres.up()) || !(await redis.up())) throw new Error('PostgreSQL and Redis must be running before the chaos run starts');

  const dbName = `chaos_${stamp.replace(/-/g, '_').toLowerCase()}`;
  const dbUrl = `postgres://postgres@127.0.0.1:5432/${dbName}`;
  const prefix = `chaos_${randomBytes(3).toString('hex')}`;
  const issuer = await startIssuerServer({ port: 0, statusListTtlMs: 2000 });
  const env: Record<string, string> = {
    // Not production: production refuses the demo issuer's plain http and a superuser connection.
    NODE_ENV: 'development',
    LOG_LEVEL: 'info',
    DATABASE_URL: dbUrl,
    DATABASE_POOL_SIZE: '10',
    REDIS_PREFIX: prefix,
    BOOTSTRAP_ADMIN_EMAIL: ADMIN.email,
    BOOTSTRAP_ADMIN_PASSWORD: ADMIN.password,
    BOOTSTRAP_ADMIN_MUST_CHANGE_PASSWORD: 'false',
    ACCESS_TOKEN_TTL_SECONDS: '3600',
    LOGIN_RATE_LIMIT_PER_MINUTE: '1000',
    CHECKIN_RATE_LIMIT_PER_MINUTE: '100000',
    FETCH_INSECURE_HOSTS: 'localhost,127.0.0.1',
    FETCH_ALLOW_PRIVATE_NETWORK: 'true',
    SWEEP_INTERVAL_MS: '86400000', // one sweep when the scheduler is installed, then only when asked (the worker fault)
    STATUS_LIST_REFRESH_CHECK_MS: '3600000',
    REVERIFY_BATCH_SIZE: '100',
    JOB_DISPATCH_INTERVAL_MS: '500',
    JOB_LOCK_DURATION_MS: '2000',
    JOB_STALLED_INTERVAL_MS: '1000',
    JOB_BACKOFF_MS: '200',
  };
  const portA = await freePort();
  const portB = await freePort();
  const apiA = new ServiceProcess('api-a', apiMain, { ...env, PORT: String(portA) }, logDir);
  const apiB = new ServiceProcess('api-b', apiMain, { ...env, PORT: String(portB) }, logDir);
  const worker = new ServiceProcess('worker', workerMain, env, logDir);
  const urlA = `http://127.0.0.1:${portA}`;
  const urlB = `http://127.0.0.1:${portB}`;
  const dashboards: Dashboard[] = [];
  const results: PhaseResult[] = [];
  const violations: string[] = [];
  const log = (line: string) => process.stdout.write(`[chaos ${new Date().toISOString().slice(11, 19)}] ${line}\n`);

  try {
    // -- start: api A first (it migrates the scratch database and makes the admin), then api B and the worker.
    log(`scratch database ${dbName}, Redis prefix ${prefix}, logs in ${logDir}`);
    apiA.start();
    await waitUntil('api A ready', () => ready(urlA), 90_000, 250);
    apiB.start();
    worker.start();
    await waitUntil('api B ready', () => ready(urlB), 90_000, 250);
    await waitUntil('the worker processing jobs', () => worker.logText().includes('processing'), 90_000, 250);

    const adminToken = String((await must(urlA, 'POST', '/auth/token', 200, { body: ADMIN })).accessToken);
    const admin = { token: adminToken };
    for (const t of TRUST) {
      const board = issuer.board(t.slug);
      await must(urlA, 'POST', '/trust/issuers', 201, {
        ...admin,
        body: { id: board.did, name: board.name, jurisdictions: t.jurisdictions, qualifications: t.qualifications },
      });
    }
    const incident = (id: string) => ({
      name: id,
      number: `FL-CHAOS-${randomBytes(2).toString('hex')}`,
      type: 'Hurricane',
      jurisdiction: 'US-FL',
      locations: [{ name: 'Staging Area 1', kind: 'Staging Area' }],
      positions: [{ name: 'Triage Nurse', requiredQualifications: ['RN'] }],
    });
    const mainIncident = String((await must(urlA, 'POST', '/incidents', 201, { ...admin, body: incident('Chaos Main Incident') })).id);
    const fillerIncident = String((await must(urlA, 'POST', '/incidents', 201, { ...admin, body: incident('Chaos Filler Incident') })).id);
    const user = async (role: string) => {
      const email = `${role}-${randomBytes(3).toString('hex')}@chaos.example`;
      const password = `${role}-chaos-password-1`;
      const created = await must(urlA, 'POST', '/users', 201, { ...admin, body: { email, password, displayName: `Chaos ${role}`, role } });
      await must(urlA, 'POST', `/incidents/${mainIncident}/staff`, 204, { ...admin, body: { userId: created.id } });
      return String((await must(urlA, 'POST', '/auth/token', 200, { body: { email, password } })).accessToken);
    };
    const apis: Api[] = [
      { name: 'A', url: urlA, checkinToken: await user('checkin') },
      { name: 'B', url: urlB, checkinToken: await user('checkin') },
    ];
    const commanderToken = await user('commander');

    // -- for the worker fault: responders whose licences will be revoked, and 20,000 more deployments to sweep.
    const nursing = issuer.board('fl-nursing');
    const toRevoke: Array<{ deploymentId: string; statusIndex: number }> = [];
    for (let i = 0; i < REVOKED; i++) {
      const issued = await nursing.issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `Chaos Revoked ${i}` } });
      const res = await must(urlA, 'POST', `/incidents/${mainIncident}/check-ins`, 201, {
        ...admin,
        headers: { 'idempotency-key': randomUUID() },
        body: { credential: issued.jws },
      });
      if (res.decision !== 'admitted') throw new Error(`setup check-in not admitted: ${JSON.stringify(res).slice(0, 300)}`);
      toRevoke.push({ deploymentId: String((res.deployment as { id: string }).id), statusIndex: issued.statusIndex });
    }
    await withDb(dbUrl, async (db) => {
      const t = (
        await db.query(
          `SELECT c.issuer_id, c.qualification, c.key_thumbprint, c.status_entries FROM deployment d JOIN presented_credential c ON c.id = d.credential_id WHERE d.id = $1`,
          [toRevoke[0].deploymentId],
        )
      ).rows[0] as {
        issuer_id: string;
        qualification: string;
        key_thumbprint: string;
        status_entries: Array<{ purpose: string; listUrl: string }>;
      };
      const listUrl = (purpose: string) => t.status_entries.find((e) => e.purpose === purpose)?.listUrl ?? '';
      await db.query(
        `WITH n AS (
           SELECT g FROM generate_series(1000, 1000 + $1::int + cardinality($8::int[])) g WHERE NOT (g = ANY($8::int[])) ORDER BY g LIMIT $1::int
         ),
         r AS (
           INSERT INTO responder (id, subject_hash, name)
           SELECT gen_random_uuid(), 'urn:chaos-filler:' || g, 'Filler ' || g FROM n RETURNING id, subject_hash
         ),
         c AS (
           INSERT INTO presented_credential (id, hash, jws, responder_id, format, issuer_id, qualification, valid_until, status_entries, key_thumbprint, last_verified)
           SELECT gen_random_uuid(), md5(r.subject_hash), 'filler', r.id, 'vc+jwt', $2, $3, now() + interval '1 year',
                  jsonb_build_array(
                    jsonb_build_object('type', 'BitstringStatusListEntry', 'purpose', 'revocation', 'listUrl', $4::text, 'index', split_part(r.subject_hash, ':', 3)::int),
                    jsonb_build_object('type', 'BitstringStatusListEntry', 'purpose', 'suspension', 'listUrl', $5::text, 'index', split_part(r.subject_hash, ':', 3)::int)),
                  $6, true
             FROM r RETURNING id, responder_id
         )
         INSERT INTO deployment (incident_id, responder_id, credential_id, decision, status, checked_in_at)
         SELECT $7, c.responder_id, c.id, 'admitted', 'available', now() FROM c`,
        [
          FILLER_DEPLOYMENTS,
          t.issuer_id,
          t.qualification,
          listUrl('revocation'),
          listUrl('suspension'),
          t.key_thumbprint,
          fillerIncident,
          toRevoke.map((r) => r.statusIndex),
        ],
      );
    });
    log(`set up: 2 apis, 1 worker, ${FILLER_DEPLOYMENTS} filler deployments, ${REVOKED} responders to revoke later`);

    // -- dashboards: two on each api, on the main incident.
    for (const [i, api] of [apis[0], apis[0], apis[1], apis[1]].entries())
      dashboards.push(new Dashboard(`dashboard-${api.name}${i}`, api.url, commanderToken, mainIncident));
    await waitUntil('dashboards subscribed', () => dashboards.every((d) => d.snapshots.length > 0), 30_000);

    const load = new Load(apis, issuer, mainIncident, { ratePerSecond: RATE_PER_SECOND, badges: BADGES });
    const head = async (): Promise<number> =>
      withDb(dbUrl, async (db) =>
        Number((await db.query(`SELECT coalesce(max(last_seq), 0) AS s FROM event_stream WHERE incident_id = $1`, [mainIncident])).rows[0]?.s ?? 0),
      );
    const dashboardsCaughtUp = async (): Promise<boolean> => {
      const h = await head();
      return dashboards.every((d) => d.lastSeq === h);
    };
    const allReady = async (): Promise<boolean> => (await ready(urlA)) && (await ready(urlB));
    /** A check-in through each api, to show the service works again (not just answers health checks). */
    const checkInThroughEach = async (): Promise<boolean> => {
      for (const api of apis) {
        try {
          const { jws } = await issuer
            .board('nremt')
            .issue({ format: 'vc+jwt', qualification: 'EMT', subject: { name: `Chaos Probe ${randomUUID().slice(0, 6)}` } });
          const res = await call(api.url, 'POST', `/incidents/${mainIncident}/check-ins`, {
            token: api.checkinToken,
            headers: { 'idempotency-key': randomUUID() },
            body: { credential: jws },
            timeoutMs: 5000,
          });
          if (res.status !== 201) return false;
        } catch {
          return false;
        }
      }
      return true;
    };

    /** What every phase must leave behind: nothing acknowledged is missing, nothing doubled, chains verify, boards in sync. */
    const verifyPhase = async (fault: string, attempts: Attempt[], recoveryMs: number, notes: string[]): Promise<void> => {
      const acknowledged = attempts.filter((a) => a.status !== undefined && a.status >= 200 && a.status < 300);
      const { lost, duplicated } = await withDb(dbUrl, async (db) => {
        const ids = acknowledged.map((a) => a.attemptId).filter((x): x is string => !!x);
        const found = (
          await db.query(
            `SELECT a.id, a.decision, a.deployment_id, d.id AS deployment FROM check_in_attempt a LEFT JOIN deployment d ON d.id = a.deployment_id WHERE a.id = ANY($1::uuid[])`,
            [ids],
          )
        ).rows as Array<{
          id: string;
          decision: string;
          deployment_id: string | null;
          deployment: string | null;
        }>;
        const byId = new Map(found.map((r) => [r.id, r]));
        let lostCount = 0;
        for (const a of acknowledged) {
          const row = a.attemptId ? byId.get(a.attemptId) : undefined;
          // Acknowledged means recorded: the attempt, and for an admission its deployment.
          if (!row || (a.decision !== 'denied' && (!row.deployment || row.deployment !== a.deploymentId))) lostCount++;
        }
        const dup = async (sql: string): Promise<number> => Number((await db.query(`SELECT coalesce(sum(n - 1), 0) AS extra FROM (${sql}) x`)).rows[0].extra);
        const duplicatedCount =
          (await dup(
            `SELECT count(*) AS n FROM check_in_attempt WHERE idempotency_key IS NOT NULL GROUP BY performed_by, idempotency_key HAVING count(*) > 1`,
          )) +
          (await dup(`SELECT count(*) AS n FROM deployment WHERE checked_out_at IS NULL GROUP BY responder_id HAVING count(*) > 1`)) +
          (await dup(`SELECT count(*) AS n FROM outbox_event WHERE name = 'credential.flagged' GROUP BY payload->>'deploymentId' HAVING count(*) > 1`)) +
          (await dup(`SELECT count(*) AS n FROM audit_entry WHERE action = 'credential.flagged' GROUP BY target_id HAVING count(*) > 1`)) +
          (await dup(
            `SELECT count(*) AS n FROM deployment_status_event WHERE to_status = 'out_of_service' AND from_status IS DISTINCT FROM 'out_of_service' GROUP BY deployment_id HAVING count(*) > 1`,
          ));
        return { lost: lostCount, duplicated: duplicatedCount };
      });
      for (const incidentId of [mainIncident, fillerIncident]) {
        const v = await must(urlA, 'GET', `/audit/verify?incidentId=${incidentId}`, 200, admin);
        if (v.ok !== true) violations.push(`${fault}: the audit chain of incident ${incidentId} does not verify: ${JSON.stringify(v.problem)}`);
      }
      const system = await must(urlA, 'GET', '/audit/verify?chainId=system', 200, admin);
      if (system.ok !== true) violations.push(`${fault}: the system audit chain does not verify: ${JSON.stringify(system.problem)}`);
      try {
        await waitUntil('every dashboard at the head of the incident', dashboardsCaughtUp, 30_000, 200);
      } catch (err) {
        violations.push(`${fault}: ${(err as Error).message} (head ${await head()}, dashboards at ${dashboards.map((d) => d.lastSeq).join(', ')})`);
      }
      const h = await head();
      const names = await withDb(
        dbUrl,
        async (db) =>
          new Map(
            ((await db.query(`SELECT seq, name FROM outbox_event WHERE incident_id = $1`, [mainIncident])).rows as Array<{ seq: string; name: string }>).map(
              (r) => [Number(r.seq), r.name],
            ),
          ),
      );
      for (const d of dashboards) {
        const missing = d.missing(h);
        if (missing.length > 0)
          violations.push(`${fault}: ${d.name} never received events ${missing.slice(0, 10).join(', ')}${missing.length > 10 ? '...' : ''}`);
        const wrong = d.applied.filter((a) => names.get(a.seq) !== a.name);
        if (wrong.length > 0) violations.push(`${fault}: ${d.name} received ${wrong.length} events that differ from the outbox`);
        violations.push(...d.violations.splice(0).map((v) => `${fault}: ${v}`));
      }
      // Nothing was restarted by hand except what the fault itself killed: every process must still be up.
      for (const service of [apiA, apiB, worker]) if (!service.running) violations.push(`${fault}: ${service.name} is not running (it exited by itself)`);
      const unanswered = attempts.filter((a) => a.error !== undefined).length;
      const refused503 = attempts.filter((a) => a.status === 503).length;
      const other = attempts.filter((a) => a.status !== undefined && a.status !== 201 && a.status !== 503);
      if (other.length > 0) violations.push(`${fault}: ${other.length} answers other than 201 or 503: ${[...new Set(other.map((a) => a.status))].join(', ')}`);
      const bad503 = attempts.filter((a) => a.status === 503 && !a.retryAfter);
      if (bad503.length > 0) violations.push(`${fault}: ${bad503.length} 503s without Retry-After`);
      if (lost > 0) violations.push(`${fault}: ${lost} acknowledged check-ins are not in the database`);
      if (duplicated > 0) violations.push(`${fault}: ${duplicated} duplicated effects`);
      results.push({ fault, requests: attempts.length, acknowledged: acknowledged.length, refused503, unanswered, lost, duplicated, recoveryMs, notes });
      log(
        `${fault}: ${attempts.length} requests, ${acknowledged.length} acknowledged, ${refused503} x 503, ${unanswered} unanswered, lost ${lost}, duplicated ${duplicated}, recovered in ${(recoveryMs / 1000).toFixed(1)} s`,
      );
    };

    // ===== Fault 1: Redis stopped for 10 s =====================================================================
    if (enabled('redis')) {
      const fault = 'Redis stopped 10 s';
      load.start(fault);
      await sleep(4000);
      const down = Date.now();
      log(`${fault}: redis-cli shutdown nosave`);
      await redis.stop();
      await sleep(10_000);
      const waiting = await withDb(dbUrl, async (db) =>
        Number((await db.query(`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL AND incident_id = $1`, [mainIncident])).rows[0].n),
      );
      log(`${fault}: starting Redis (${waiting} events waiting in the outbox)`);
      await redis.start();
      const restored = Date.now();
      const during = load.attempts.filter((a) => a.phase === fault && a.startedAt >= down && a.startedAt < restored);
      await waitUntil('both apis ready after Redis', allReady, 60_000, 200);
      await waitUntil(
        'the outbox drained',
        async () => withDb(dbUrl, async (db) => Number((await db.query(`SELECT count(*) AS n FROM outbox_event WHERE published_at IS NULL`)).rows[0].n) === 0),
        60_000,
        200,
      );
      await waitUntil('dashboards caught up after Redis', dashboardsCaughtUp, 60_000, 200);
      const recoveryMs = Date.now() - restored;
      await sleep(3000);
      const attempts = await load.stop();
      const failedDuring = during.filter((a) => a.status !== 201);
      if (failedDuring.length > 0)
        violations.push(
          `${fault}: ${failedDuring.length} of ${during.length} check-ins failed while Redis was down (${[...new Set(failedDuring.map((a) => a.status ?? a.error))].join(', ')})`,
        );
      if (waiting === 0) violations.push(`${fault}: no event waited in the outbox while Redis was down (did the outage reach the apis?)`);
      await verifyPhase(fault, attempts, recoveryMs, [
        `${during.filter((a) => a.status === 201).length}/${during.length} check-ins acknowledged during the outage`,
        `${waiting} events held in the outbox`,
      ]);
    }

    // ===== Fault 2: PostgreSQL restarted =======================================================================
    if (enabled('postgres')) {
      const fault = 'PostgreSQL restarted';
      load.start(fault);
      await sleep(4000);
      const down = Date.now();
      log(`${fault}: pg_ctlcluster ... restart`);
      await postgres.restart();
      const restored = Date.now();
      await waitUntil('both apis ready after PostgreSQL', allReady, 60_000, 200);
      await waitUntil('a check-in through each api after PostgreSQL', checkInThroughEach, 60_000, 200);
      const recoveryMs = Date.now() - restored;
      await sleep(3000);
      const attempts = await load.stop();
      const during = attempts.filter((a) => a.startedAt >= down - 1000 && a.startedAt < restored + 2000);
      await verifyPhase(fault, attempts, recoveryMs, [
        `restart took ${((restored - down) / 1000).toFixed(1)} s`,
        `around it: ${during.filter((a) => a.status === 201).length} acknowledged, ${during.filter((a) => a.status === 503).length} x 503 with Retry-After, ${during.filter((a) => a.error).length} unanswered`,
      ]);
    }

    // ===== Fault 3: the worker SIGKILLed during a sweep =========================================================
    if (enabled('worker')) {
      const fault = 'worker SIGKILL mid-sweep';
      // The worker's scheduler starts a sweep when it is installed (at start, and again after Redis came back), and
      // asking for a sweep while one is open returns that one (docs/reverification.md): one that began before the
      // licences are revoked has passed some of them already. The sweep this fault kills must start after them.
      const openSweeps = (): Promise<number> =>
        withDb(dbUrl, async (db) =>
          Number((await db.query(`SELECT count(*) AS n FROM job_run WHERE kind = 'sweep' AND state IN ('queued', 'running')`)).rows[0].n),
        );
      if ((await openSweeps()) > 0) log(`${fault}: waiting for the sweep the worker's scheduler started to finish`);
      await waitUntil('no sweep open before the revocations', async () => (await openSweeps()) === 0, 180_000, 200);
      load.start(fault);
      for (const r of toRevoke) nursing.revoke(r.statusIndex);
      await sleep(2500); // past the status list's ttl
      const sweep = await must(urlA, 'POST', '/reverification/sweeps', 202, admin);
      const jobId = String(sweep.jobId);
      let job: Record<string, unknown> = {};
      await waitUntil(
        'the sweep to get going',
        async () => {
          job = await must(urlA, 'GET', `/jobs/${jobId}`, 200, admin);
          return Number((job.progress as { done: number }).done) >= 1000;
        },
        120_000,
        50,
      );
      const killedAt = job.progress as { done: number; total: number };
      log(`${fault}: SIGKILL at ${killedAt.done}/${killedAt.total}`);
      await worker.kill();
      await sleep(2000);
      worker.start();
      const restarted = Date.now();
      await waitUntil(
        'the sweep to complete',
        async () => {
          job = await must(urlA, 'GET', `/jobs/${jobId}`, 200, admin);
          return job.state === 'completed' || job.state === 'failed';
        },
        180_000,
        200,
      );
      await waitUntil('dashboards caught up after the sweep', dashboardsCaughtUp, 60_000, 200);
      const recoveryMs = Date.now() - restarted;
      await sleep(2000);
      const attempts = await load.stop();
      if (job.state !== 'completed') violations.push(`${fault}: the sweep ended ${String(job.state)}: ${JSON.stringify(job.error)}`);
      const flagged = await withDb(
        dbUrl,
        async (db) =>
          (await db.query(`SELECT payload->>'deploymentId' AS id, count(*) AS n FROM outbox_event WHERE name = 'credential.flagged' GROUP BY 1`))
            .rows as Array<{ id: string; n: string }>,
      );
      const flaggedIds = new Set(flagged.map((f) => f.id));
      const notFlagged = toRevoke.filter((r) => !flaggedIds.has(r.deploymentId));
      if (notFlagged.length > 0) violations.push(`${fault}: ${notFlagged.length} revoked responders were not flagged`);
      const extra = flagged.filter((f) => !toRevoke.some((r) => r.deploymentId === f.id));
      if (extra.length > 0) violations.push(`${fault}: ${extra.length} deployments flagged that were never revoked`);
      for (const d of dashboards) {
        // Each board got every alert once (unless a resync too far behind replaced events by a snapshot).
        const got = d.applied.filter((a) => a.name === 'credential.flagged').length;
        if (got !== REVOKED && d.snapshots.length === 1) violations.push(`${fault}: ${d.name} received ${got} credential.flagged events, expected ${REVOKED}`);
      }
      await verifyPhase(fault, attempts, recoveryMs, [
        `killed at ${killedAt.done}/${killedAt.total}; completed after ${Number(job.attempts)} attempts`,
        `${REVOKED} revoked responders flagged once each`,
      ]);
    }

    // ===== Fault 4: one api SIGKILLed with dashboards connected =================================================
    if (enabled('api')) {
      const fault = 'api B SIGKILL, dashboards on it';
      load.start(fault);
      await sleep(4000);
      log(`${fault}: SIGKILL api B (pid ${apiB.pid})`);
      await apiB.kill();
      await sleep(5000);
      apiB.start();
      const restarted = Date.now();
      await waitUntil('api B ready again', () => ready(urlB), 90_000, 200);
      await waitUntil('dashboards on B reconnected and caught up', dashboardsCaughtUp, 60_000, 200);
      const recoveryMs = Date.now() - restarted;
      await sleep(3000);
      const attempts = await load.stop();
      const failedOnA = attempts.filter((a) => a.api === 'A' && a.status !== 201);
      if (failedOnA.length > 0) violations.push(`${fault}: ${failedOnA.length} check-ins through api A failed while B was down`);
      const resynced = dashboards.filter((d) => d.name.includes('-B') && d.states.filter((s) => s === 'online').length >= 2).length;
      if (resynced !== 2) violations.push(`${fault}: ${resynced} of 2 dashboards on B reconnected`);
      await verifyPhase(fault, attempts, recoveryMs, [
        `${attempts.filter((a) => a.api === 'B' && a.error).length} requests to B unanswered while it was down`,
        `${resynced}/2 dashboards on B reconnected and resynced`,
      ]);
    }

    // -- at the end: everything up, nothing left behind.
    const finalHead = await head();
    log(
      `dashboards: head of the incident ${finalHead}; ${dashboards.map((d) => `${d.name} ${d.applied.length} events applied, ${d.snapshots.length - 1} resync snapshot(s), ${d.states.filter((x) => x === 'online').length - 1} reconnect(s)`).join('; ')}`,
    );
    if (!worker.running) violations.push('the worker is not running at the end');
    if (!(await allReady())) violations.push('an api is not ready at the end');
  } finally {
    for (const d of dashboards) d.client.close();
    await Promise.all([apiA.stop(), apiB.stop(), worker.stop()]);
    await issuer.close();
    const services = await restoreSharedServices();
    log(`shared services restored: pg_isready ${services.postgres ? 'ok' : 'FAILED'}, redis-cli ping ${services.redis ? 'PONG' : 'FAILED'}`);
    await withDb('postgres://postgres@127.0.0.1:5432/postgres', (db) => db.query(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`)).catch((err: Error) =>
      log(`could not drop ${dbName}: ${err.message}`),
    );
    await cleanRedisPrefix(prefix).catch((err: Error) => log(`could not clean Redis keys ${prefix}:*: ${err.message}`));
  }

  printTable(results, violations);
  const failed = results.some((r) => r.lost > 0 || r.duplicated > 0) || violations.length > 0 || results.length < FAULTS.filter(enabled).length;
  return failed ? 1 : 0;
}

async function cleanRedisPrefix(prefix: string): Promise<void> {
  const { Redis } = await import('ioredis');
  const client = new Redis({ lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await client.del(...keys);
    } while (cursor !== '0');
  } finally {
    client.disconnect();
  }
}

function printTable(results: PhaseResult[], violations: string[]): void {
  const header = ['fault', 'requests', 'acknowledged', '503 (Retry-After)', 'unanswered', 'lost', 'duplicated effects', 'recovery'];
  const rows = results.map((r) => [
    r.fault,
    String(r.requests),
    String(r.acknowledged),
    String(r.refused503),
    String(r.unanswered),
    String(r.lost),
    String(r.duplicated),
    `${(r.recoveryMs / 1000).toFixed(1)} s`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) => `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  const out = [line(header), `|${widths.map((w, i) => (i === 0 ? `${'-'.repeat(w + 1)}-` : `${'-'.repeat(w + 1)}:`)).join('|')}|`, ...rows.map(line)];
  process.stdout.write(`\n${out.join('\n')}\n\n`);
  for (const r of results) process.stdout.write(`- ${r.fault}: ${r.notes.join('; ')}\n`);
  process.stdout.write(
    violations.length === 0
      ? '\nevery property held: nothing lost, nothing doubled, every chain verifies, every board in sync\n'
      : `\n${violations.length} property violation(s):\n${violations.map((v) => `  - ${v}`).join('\n')}\n`,
  );
}

main().then(
  (code) => process.exit(code),
  async (err: unknown) => {
    process.stderr.write(`chaos run failed: ${err instanceof Error ? err.stack : String(err)}\n`);
    await restoreSharedServices();
    process.exit(2);
  },
);

/**
 * npm run test:cluster: the multi-node topology of docs/operations.md as processes on one machine (no Docker
 * engine needed): HAProxy in front of three api processes, two workers, one PostgreSQL, one Redis. Check-ins and
 * live boards go through the balancer; in the middle of the load one api and one worker are SIGKILLed and a sweep is
 * asked for. Afterwards: every acknowledged check-in is in the database once, the stations' retries (same
 * Idempotency-Key) doubled nothing, every board converged on the incident's head, the surviving worker finished the
 * sweep, and the audit chains verify. Prints a table; exits 1 if anything was lost, doubled or failed.
 *
 * Needs HAProxy from the operating system's packages (`apt-get install haproxy`, or HAPROXY=/path/to/haproxy).
 * Leaves the shared PostgreSQL and Redis running (unlike test:chaos); uses a scratch database and Redis prefix.
 */
import { randomBytes } from 'node:crypto';
import { startIssuerServer } from '../../apps/issuer/src';
import { Dashboard, Load, must, withDb, type Api } from '../chaos/harness';
import { sleep, waitUntil } from '../chaos/services';
import { haproxyAvailable, startTopology, type Topology } from './topology';

const APIS = 3;
const WORKERS = 2;
const DASHBOARDS = 12;
const RATE_PER_SECOND = 15;
const BADGES = [
  { slug: 'fl-nursing', qualification: 'RN' },
  { slug: 'nremt', qualification: 'EMT' },
];

async function main(): Promise<number> {
  if (!haproxyAvailable()) return 2;
  const issuer = await startIssuerServer({ port: 0, statusListTtlMs: 2000 });
  const dashboards: Dashboard[] = [];
  const log = (line: string) => process.stdout.write(`[cluster ${new Date().toISOString().slice(11, 19)}] ${line}\n`);
  const problems: string[] = [];
  let topology: Topology | undefined;

  try {
    topology = await startTopology({ label: 'cluster', apis: APIS, workers: WORKERS, log });
    const { lb, dbUrl, apis, workers } = topology;
    const admin = { token: topology.adminToken };
    for (const t of [
      { slug: 'fl-nursing', jurisdictions: ['US-FL'], qualifications: ['RN'] },
      { slug: 'nremt', jurisdictions: ['US'], qualifications: ['EMT'] },
    ]) {
      const board = issuer.board(t.slug);
      await must(lb, 'POST', '/trust/issuers', 201, {
        ...admin,
        body: { id: board.did, name: board.name, jurisdictions: t.jurisdictions, qualifications: t.qualifications },
      });
    }
    const incidentId = String(
      (
        await must(lb, 'POST', '/incidents', 201, {
          ...admin,
          body: { name: 'Cluster Incident', number: `FL-CLUSTER-${randomBytes(2).toString('hex')}`, type: 'Hurricane', jurisdiction: 'US-FL' },
        })
      ).id,
    );
    const user = async (role: string): Promise<string> => {
      const email = `${role}-${randomBytes(3).toString('hex')}@cluster.example`;
      const password = `${role}-cluster-password-1`;
      const created = await must(lb, 'POST', '/users', 201, { ...admin, body: { email, password, displayName: `Cluster ${role}`, role } });
      await must(lb, 'POST', `/incidents/${incidentId}/staff`, 204, { ...admin, body: { userId: created.id } });
      return String((await must(lb, 'POST', '/auth/token', 200, { body: { email, password } })).accessToken);
    };
    const stations: Api[] = [];
    for (let i = 0; i < 3; i++) stations.push({ name: `station-${i + 1}`, url: lb, checkinToken: await user('checkin') });
    const commander = await user('commander');
    for (let i = 0; i < DASHBOARDS; i++) dashboards.push(new Dashboard(`board-${i + 1}`, lb, commander, incidentId));
    await waitUntil('boards subscribed', () => dashboards.every((d) => d.snapshots.length > 0), 30_000);
    log(`up: ${APIS} apis behind HAProxy, ${WORKERS} workers, ${dashboards.length} boards through the balancer`);

    const load = new Load(stations, issuer, incidentId, { ratePerSecond: RATE_PER_SECOND, badges: BADGES, tries: 8 });
    load.start('cluster');
    await sleep(8000);
    log('SIGKILL api-2 and worker-1; asking for a sweep');
    const killedAt = Date.now();
    await Promise.all([apis[1].kill(), workers[0].kill()]);
    const sweep = await must(lb, 'POST', '/reverification/sweeps', 202, { ...admin });
    await sleep(12_000);
    const attempts = await load.stop();

    const sweepJob = await waitUntil(
      'the sweep finished by the surviving worker',
      async () => {
        const job = await must(lb, 'GET', `/jobs/${String(sweep.jobId)}`, 200, admin);
        return job.state === 'completed' || job.state === 'failed';
      },
      60_000,
      250,
    ).then(async () => must(lb, 'GET', `/jobs/${String(sweep.jobId)}`, 200, admin));
    if (sweepJob.state !== 'completed') problems.push(`the sweep ended ${String(sweepJob.state)}`);

    const head = async (): Promise<number> =>
      withDb(dbUrl, async (db) =>
        Number((await db.query(`SELECT coalesce(max(last_seq), 0) AS s FROM event_stream WHERE incident_id = $1`, [incidentId])).rows[0]?.s ?? 0),
      );
    const allAtHead = async (): Promise<boolean> => {
      const now = await head();
      return dashboards.every((d) => d.lastSeq === now);
    };
    let convergedMs = 0;
    try {
      convergedMs = await waitUntil('every board at the head', allAtHead, 30_000, 200);
    } catch (err) {
      problems.push((err as Error).message);
    }
    const h = await head();
    const missing = dashboards.reduce((n, d) => n + d.missing(h).length, 0);
    for (const d of dashboards) problems.push(...d.violations);

    const acknowledged = attempts.filter((a) => a.status === 201);
    const { lost, doubled } = await withDb(dbUrl, async (db) => {
      const ids = acknowledged.map((a) => a.attemptId).filter((x): x is string => !!x);
      const found = Number((await db.query(`SELECT count(*) AS n FROM check_in_attempt WHERE id = ANY($1::uuid[])`, [ids])).rows[0].n);
      const twice = Number(
        (
          await db.query(
            `SELECT coalesce(sum(n - 1), 0) AS extra FROM (SELECT count(*) AS n FROM deployment WHERE incident_id = $1 GROUP BY responder_id HAVING count(*) > 1) x`,
            [incidentId],
          )
        ).rows[0].extra,
      );
      const keys = Number(
        (
          await db.query(
            `SELECT coalesce(sum(n - 1), 0) AS extra FROM (SELECT count(*) AS n FROM check_in_attempt WHERE idempotency_key IS NOT NULL GROUP BY performed_by, idempotency_key HAVING count(*) > 1) x`,
          )
        ).rows[0].extra,
      );
      return { lost: ids.length - found, doubled: twice + keys };
    });
    const unanswered = attempts.filter((a) => a.status !== 201);
    const retried = attempts.filter((a) => a.tries > 1).length;
    for (const chain of [`incidentId=${incidentId}`, 'chainId=system']) {
      const v = await must(lb, 'GET', `/audit/verify?${chain}`, 200, admin);
      if (v.ok !== true) problems.push(`audit chain ${chain} does not verify`);
    }
    if (lost > 0) problems.push(`${lost} acknowledged check-ins are not in the database`);
    if (doubled > 0) problems.push(`${doubled} doubled effects`);
    if (unanswered.length > 0)
      problems.push(`${unanswered.length} check-ins never acknowledged (statuses ${[...new Set(unanswered.map((a) => a.status ?? a.error))].join(', ')})`);
    if (missing > 0) problems.push(`${missing} events never reached a board`);
    const recoveredAfterKill = attempts.filter((a) => a.startedAt >= killedAt && a.status === 201).length;

    process.stdout.write('\n| | |\n|---|---|\n');
    for (const [k, v] of [
      ['topology', `HAProxy, ${APIS} api, ${WORKERS} workers (killed: api-2, worker-1)`],
      ['check-ins sent / acknowledged', `${attempts.length} / ${acknowledged.length} (${recoveredAfterKill} after the kill)`],
      ['retried by the station (same key)', String(retried)],
      ['lost / doubled', `${lost} / ${doubled}`],
      [
        'boards converged on the head',
        `${dashboards.filter((d) => d.lastSeq === h).length} of ${dashboards.length} at seq ${h} (${(convergedMs / 1000).toFixed(1)} s after the load)`,
      ],
      ['events missed by a board', String(missing)],
      ['sweep after the worker was killed', String(sweepJob.state)],
      ['audit chains', problems.some((p) => p.startsWith('audit')) ? 'FAIL' : 'verify'],
    ])
      process.stdout.write(`| ${k} | ${v} |\n`);
    process.stdout.write(
      problems.length === 0 ? '\nnothing lost, nothing doubled, every board converged\n' : `\nPROBLEMS:\n${problems.map((p) => `- ${p}`).join('\n')}\n`,
    );
    return problems.length === 0 ? 0 : 1;
  } finally {
    for (const d of dashboards) d.client.close();
    await topology?.stop();
    await issuer.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  },
);

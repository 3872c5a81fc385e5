import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import type { DataSource } from 'typeorm';
import { AuditTrail } from '@app/audit';
import type { SqlScope } from '@app/db';
import { createTestDatabase, dropTestDatabase } from '@app/db';
import type { Presentation } from '@app/incidents';
import { Outbox } from '@app/realtime';
import { CheckInWriter, type CheckInRecord } from '../libs/incidents/src/check-in/check-in-writer';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Bitmap Index Scan']);

function nodes(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(nodes)];
}

function tableScans(node: PlanNode): PlanNode[] {
  return nodes(node).filter((n) => SCANS.has(n['Node Type']) && n['Relation Name']);
}

/** A check-in with its presentation, as CheckInService builds it for a responder's first scan (the fields the statement reads). */
function firstScan(): CheckInRecord {
  const presentation = {
    summary: { subject: { id: `urn:uuid:${randomUUID()}`, name: 'Plan Probe' }, issuer: { id: 'did:web:boards.example:fl-nursing' }, format: 'vc+jwt', qualification: 'RN', status: [] },
    scanned: 'eyJh.eyJi.c2ln',
    result: { verified: true, jws: 'eyJh.eyJi.c2ln', checks: [], evidence: { credentialHash: randomUUID() } },
    incidentId: randomUUID(),
    kind: 'check_in',
    at: new Date(),
    ids: { responderId: randomUUID(), credentialId: randomUUID(), verificationId: randomUUID() },
  } as unknown as Presentation;
  const attempt = { id: randomUUID(), performed_by: randomUUID(), request_hash: 'x', decision: 'admitted', reasons: [], response_status: 201, response: '{}', performed_at: new Date().toISOString() };
  return {
    presentation,
    attempt: attempt as CheckInRecord['attempt'],
    deployment: { id: randomUUID(), responder_id: presentation.ids.responderId, credential_id: presentation.ids.credentialId, status: 'available' } as CheckInRecord['deployment'],
    audit: null,
    event: { name: 'checkin.denied', payload: { attemptId: attempt.id, name: 'Plan Probe', reasons: [], at: attempt.performed_at } },
  };
}

/**
 * The check-in's statement runs prepared (CheckInWriter), with one generic plan that PostgreSQL may make while the
 * tables are empty and keeps as they grow. Made on a new, empty database, that plan must already look every row up
 * by an index condition: a scan that reads a whole table or index and filters it is cheap on an empty table and
 * grows with the incident (the statement that read a known responder's active deployment once read every active
 * deployment for each check-in).
 */
describe('check-in statement: the generic plan made on an empty database', () => {
  let url: string;
  let pg: Client;

  beforeAll(async () => {
    url = await createTestDatabase('checkin_plan');
    pg = new Client({ connectionString: url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg.end();
    await dropTestDatabase(url);
  });

  /** The statement CheckInWriter sends for these records, with its values. */
  const statementOf = async (...records: CheckInRecord[]): Promise<{ sql: string; parameters: unknown[] }> => {
    const sent: Array<{ sql: string; parameters: unknown[] }> = [];
    const capture: Pick<SqlScope, 'query'> = { query: async (sql, parameters = []) => (sent.push({ sql, parameters: [...parameters] }), []) };
    await new CheckInWriter({} as DataSource, new AuditTrail(), new Outbox()).writeMany(capture, randomUUID(), records);
    return sent[0];
  };

  /** The statement's generic plan, made on the empty database. */
  const genericPlan = async ({ sql, parameters }: { sql: string; parameters: unknown[] }): Promise<PlanNode> => {
    const name = `check_in_probe_${randomUUID().replace(/-/g, '')}`;
    await pg.query('SET plan_cache_mode = force_generic_plan');
    await pg.query(`PREPARE ${name} AS ${sql}`);
    // The statement's values are text (JSON), numbers or null (no audit entry, so no text[]).
    const values = parameters.map((v) => (v === null ? 'NULL' : pg.escapeLiteral(String(v as string | number))));
    const { rows } = await pg.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) EXECUTE ${name}(${values.join(', ')})`);
    return rows[0]['QUERY PLAN'][0].Plan;
  };

  it('looks up each table it reads by an index condition, the active deployment by the one-per-responder index', async () => {
    const scans = tableScans(await genericPlan(await statementOf(firstScan())));

    expect(scans.map((s) => s['Relation Name']).sort()).toEqual(['deployment', 'presented_credential', 'presented_credential', 'presented_credential', 'responder', 'responder']);
    for (const scan of scans) {
      expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
      expect(scan['Index Cond']).toBeDefined();
    }
    const deployment = scans.find((s) => s['Relation Name'] === 'deployment');
    expect(deployment).toMatchObject({ 'Index Name': 'deployment_one_active_per_responder', 'Index Cond': '(responder_id = r.id)' });
  });

  it("finds the responder whose name a known responder's check-in changes by its primary key", async () => {
    const known = firstScan();
    const responderId = known.presentation!.ids.responderId;
    const renaming: CheckInRecord = {
      ...known,
      presentation: null,
      identityChange: {
        rows: [{ responder_id: responderId, field: 'name', old_value: 'Plan Probe', new_value: 'Plan Renamed', issuer_id: 'did:web:boards.example:fl-ems', credential_hash: 'h', attempt_id: known.attempt.id, changed_at: known.attempt.performed_at }],
        audit: null,
      },
    };
    const plan = await genericPlan(await statementOf(renaming));
    expect(tableScans(plan).map((s) => s['Node Type'])).not.toContain('Seq Scan');
    // An index scan or a bitmap scan of the primary key, by the responders' ids.
    const responder = nodes(plan).filter((n) => n['Index Name'] === 'responder_pkey');
    expect(responder).toEqual([expect.objectContaining({ 'Index Cond': expect.stringMatching(/^\(id = ANY/) })]);
  });
});

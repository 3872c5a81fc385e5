import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { AuditTrail, AuditTrailRepository } from '@app/audit';
import { MatchingHash } from '@app/common';
import { parseConfig } from '@app/config';
import type { Database, SqlScope } from '@app/db';
import { createTestDatabase, dropTestDatabase } from '@app/db';
import type { Presentation } from '@app/incidents';
import { Outbox, OutboxRepository } from '@app/realtime';
import { CheckInRepository, type CheckInToWrite } from '../libs/incidents/src/check-in/check-in.repository';
import { ResponderRepository } from '../libs/incidents/src/responders/responders.repository';

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
function firstScan(): CheckInToWrite {
  const presentation = {
    summary: {
      subject: { id: `urn:uuid:${randomUUID()}`, name: 'Plan Probe' },
      issuer: { id: 'did:web:boards.example:fl-nursing' },
      format: 'vc+jwt',
      qualification: 'RN',
      status: [],
    },
    scanned: 'eyJh.eyJi.c2ln',
    result: { verified: true, jws: 'eyJh.eyJi.c2ln', checks: [], evidence: { credentialHash: randomUUID() } },
    incidentId: randomUUID(),
    kind: 'check_in',
    at: new Date(),
    ids: { responderId: randomUUID(), credentialId: randomUUID(), verificationId: randomUUID() },
  } as unknown as Presentation;
  const attempt = {
    id: randomUUID(),
    performedBy: randomUUID(),
    requestHash: 'x',
    decision: 'admitted',
    reasons: [],
    responseStatus: 201,
    response: '{}',
    performedAt: new Date(),
  };
  return {
    presentation,
    attempt: attempt as unknown as CheckInToWrite['attempt'],
    deployment: {
      deployment: { id: randomUUID(), responder: { id: presentation.ids.responderId }, credential: { id: presentation.ids.credentialId }, status: 'available' },
    } as unknown as CheckInToWrite['deployment'],
    audit: [],
    event: { name: 'checkin.denied', payload: { attemptId: attempt.id, name: 'Plan Probe', reasons: [], at: attempt.performedAt.toISOString() } },
    identityChanges: [],
  };
}

/**
 * The check-in's statement runs prepared (CheckInRepository), with one generic plan that PostgreSQL may make while the
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

  /** The statement CheckInRepository sends for this check-in, with its values. */
  const statementOf = async (checkIn: CheckInToWrite): Promise<{ sql: string; parameters: unknown[] }> => {
    const sent: Array<{ sql: string; parameters: unknown[] }> = [];
    const capture: Pick<SqlScope, 'query'> = { query: async (sql, parameters = []) => (sent.push({ sql, parameters: [...parameters] }), []) };
    const database = { preparedStatements: () => capture } as unknown as Database;
    const checkIns = new CheckInRepository(
      database,
      new AuditTrail(new AuditTrailRepository()),
      new Outbox(new OutboxRepository()),
      new ResponderRepository(new MatchingHash(parseConfig({}))),
    );
    await checkIns.write(randomUUID(), checkIn);
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

    expect(scans.map((s) => s['Relation Name']).sort()).toEqual([
      'deployment',
      'presented_credential',
      'presented_credential',
      'presented_credential',
      'responder',
      'responder',
    ]);
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
    const renaming: CheckInToWrite = {
      ...known,
      presentation: null,
      identityChanges: [
        {
          responderId,
          field: 'name',
          from: 'Plan Probe',
          to: 'Plan Renamed',
          issuerId: 'did:web:boards.example:fl-ems',
          credentialHash: 'h',
          attemptId: known.attempt.id,
          changedAt: known.attempt.performedAt,
        },
      ],
    };
    const plan = await genericPlan(await statementOf(renaming));
    expect(tableScans(plan).map((s) => s['Node Type'])).not.toContain('Seq Scan');
    // An index scan or a bitmap scan of the primary key, by the responders' ids.
    const responder = nodes(plan).filter((n) => n['Index Name'] === 'responder_pkey');
    expect(responder).toEqual([expect.objectContaining({ 'Index Cond': expect.stringMatching(/^\(id = ANY/) })]);
  });
});

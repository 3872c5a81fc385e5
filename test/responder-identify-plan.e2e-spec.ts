import { Client } from 'pg';
import { createTestDatabase, dropTestDatabase } from '@app/db';
import { IDENTIFY } from '@app/incidents';

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Index Name'?: string;
  'Index Cond'?: string;
  Plans?: PlanNode[];
}

const SCANS = new Set(['Seq Scan', 'Index Scan', 'Index Only Scan', 'Bitmap Heap Scan', 'Bitmap Index Scan']);

function tableScans(node: PlanNode): PlanNode[] {
  return [...(SCANS.has(node['Node Type']) && node['Relation Name'] ? [node] : []), ...(node.Plans ?? []).flatMap(tableScans)];
}

/**
 * The check-in's identify statement runs prepared, with one generic plan that PostgreSQL may make while the tables
 * are empty and keeps as they grow (ResponderRegistry). Made on a new, empty database, that plan must already look
 * every row up by an index condition: a scan that reads a whole table or index and filters it is cheap on an empty
 * table and grows with the incident (it once read every active deployment for each check-in).
 */
describe('identify statement: the generic plan made on an empty database', () => {
  let url: string;
  let pg: Client;

  beforeAll(async () => {
    url = await createTestDatabase('identify_plan');
    pg = new Client({ connectionString: url });
    await pg.connect();
  });

  afterAll(async () => {
    await pg.end();
    await dropTestDatabase(url);
  });

  it('looks up each table it reads by an index condition, the active deployment by the one-per-responder index', async () => {
    await pg.query('SET plan_cache_mode = force_generic_plan');
    await pg.query(`PREPARE identify_probe(jsonb) AS ${IDENTIFY}`);
    const { rows } = await pg.query<{ 'QUERY PLAN': Array<{ Plan: PlanNode }> }>(`EXPLAIN (FORMAT JSON) EXECUTE identify_probe('[]')`);
    const scans = tableScans(rows[0]['QUERY PLAN'][0].Plan);

    expect(scans.map((s) => s['Relation Name']).sort()).toEqual(['deployment', 'presented_credential', 'presented_credential']);
    for (const scan of scans) {
      expect(scan['Node Type']).toMatch(/^Index (Only )?Scan$/);
      expect(scan['Index Cond']).toBeDefined();
    }
    const deployment = scans.find((s) => s['Relation Name'] === 'deployment');
    expect(deployment).toMatchObject({ 'Index Name': 'deployment_one_active_per_responder', 'Index Cond': '(responder_id = r.id)' });
  });
});

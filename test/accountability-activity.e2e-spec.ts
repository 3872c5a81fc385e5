import request from 'supertest';
import { bearer } from './support/test-app';
import { createIncident, staffFor, startWorld, type World } from './support/world';
import { assign, checkInMany } from './support/accountability';

/** The ICS 214 activity log: written entries, automatic entries from the audit trail, CSV and printable exports per period. */
jest.setTimeout(120_000);

interface Item {
  at: string;
  subjectKind: string;
  subject: string | null;
  text: string;
  priority: string;
  author: string;
  automatic: boolean;
}

describe('ICS 214 activity log', () => {
  let world: World;
  let incidentId: string;
  let periodId: string;
  let commander: { token: string };
  let ids: string[];

  beforeAll(async () => {
    world = await startWorld('activity');
    const now = Date.now();
    const incident = await createIncident(world.http, world.adminToken, {
      name: 'Activity Collapse',
      operationalPeriods: [
        { label: 'OP 0 (yesterday)', startsAt: new Date(now - 48 * 3600_000).toISOString(), endsAt: new Date(now - 24 * 3600_000).toISOString() },
        { label: 'OP 1 (now)', startsAt: new Date(now - 3600_000).toISOString(), endsAt: new Date(now + 11 * 3600_000).toISOString() },
      ],
    });
    incidentId = incident.id;
    const read = await request(world.http)
      .get(`/incidents/${incidentId}`)
      .set(...bearer(world.adminToken))
      .expect(200);
    periodId = (read.body.operationalPeriods as Array<{ id: string; label: string }>).find((p) => p.label === 'OP 1 (now)')!.id;
    commander = await staffFor(world.http, world.adminToken, incidentId, 'commander');
    ids = await checkInMany(world, incidentId, 2, 'Activity Responder');
    await assign(world.http, commander.token, incidentId, ids[0], 'Division A');
    const par = await request(world.http)
      .post(`/incidents/${incidentId}/pars`)
      .set(...bearer(commander.token))
      .send({ reason: 'collapse' })
      .expect(201);
    await request(world.http)
      .post(`/incidents/${incidentId}/pars/${par.body.id}/missing`)
      .set(...bearer(commander.token))
      .send({ deploymentId: ids[1] })
      .expect(200);
  });

  afterAll(async () => {
    await world?.close();
  });

  it('takes written entries about a unit, an assignment or a person, and refuses incomplete ones', async () => {
    const unit = await request(world.http)
      .post(`/incidents/${incidentId}/activity-log`)
      .set(...bearer(commander.token))
      .send({ subjectKind: 'unit', subject: 'Task Force 2', text: 'Searched void spaces in sector B; no victims found.', priority: 'important' });
    expect(unit.status).toBe(201);
    expect(unit.body).toMatchObject({ subjectKind: 'unit', subject: 'Task Force 2', author: 'commander', automatic: false });
    const person = await request(world.http)
      .post(`/incidents/${incidentId}/activity-log`)
      .set(...bearer(commander.token))
      .send({ subjectKind: 'person', deploymentId: ids[0], text: 'Relieved at the pile by Task Force 3.' });
    expect(person.status).toBe(201);
    expect(person.body.subject).toBe('Activity Responder 1');
    const noPerson = await request(world.http)
      .post(`/incidents/${incidentId}/activity-log`)
      .set(...bearer(commander.token))
      .send({ subjectKind: 'person', text: 'Who?' });
    expect(noPerson.status).toBe(400);
    const badPriority = await request(world.http)
      .post(`/incidents/${incidentId}/activity-log`)
      .set(...bearer(commander.token))
      .send({ subjectKind: 'incident', text: 'x', priority: 'whenever' });
    expect(badPriority.status).toBe(400);
    // Written yesterday: in OP 0, not in OP 1.
    await request(world.http)
      .post(`/incidents/${incidentId}/activity-log`)
      .set(...bearer(commander.token))
      .send({ subjectKind: 'incident', text: 'Night shift briefing.', occurredAt: new Date(Date.now() - 30 * 3600_000).toISOString() })
      .expect(201);
  });

  it('merges automatic entries (check-in, status, PAR) with written ones, per operational period', async () => {
    const log = await request(world.http)
      .get(`/incidents/${incidentId}/activity-log`)
      .query({ periodId })
      .set(...bearer(commander.token))
      .expect(200);
    expect(log.body.period.label).toBe('OP 1 (now)');
    const items = log.body.items as Item[];
    const texts = items.map((i) => `${i.automatic ? 'auto' : 'written'}|${i.subject ?? '-'}|${i.text}`);
    expect(texts).toEqual(
      expect.arrayContaining([
        'auto|Activity Responder 1|Checked in',
        'auto|Activity Responder 2|Checked in',
        'auto|Activity Responder 1|Status available → assigned Division A',
        'auto|-|PAR started (collapse), 2 expected',
        'auto|-|PAR: 1 marked missing; 0/2 accounted, 1 missing, 1 unaccounted',
        'written|Task Force 2|Searched void spaces in sector B; no victims found.',
        'written|Activity Responder 1|Relieved at the pile by Task Force 3.',
      ]),
    );
    expect(texts.some((t) => t.includes('Night shift briefing'))).toBe(false);
    expect(items.find((i) => i.text.startsWith('PAR: 1 marked missing'))?.priority).toBe('urgent');
    const sorted = [...items].sort((a, b) => a.at.localeCompare(b.at));
    expect(items.map((i) => i.at)).toEqual(sorted.map((i) => i.at));
    await request(world.http)
      .get(`/incidents/${incidentId}/activity-log`)
      .query({ periodId: '00000000-0000-4000-8000-000000000000' })
      .set(...bearer(commander.token))
      .expect(404);
  });

  it('exports the ICS 214 as CSV and as a printable page with the expected rows', async () => {
    const csv = await request(world.http)
      .get(`/incidents/${incidentId}/ics214.csv`)
      .query({ periodId })
      .set(...bearer(commander.token))
      .expect(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const lines = csv.text.trim().split(/\r?\n/);
    expect(lines[0]).toBe('Incident Name,Incident Number,Operational Period,Date/Time,Subject,Notable Activity,Priority,Recorded By,Source');
    expect(lines.some((l) => l.includes('Task Force 2') && l.includes('written') && l.includes('important'))).toBe(true);
    expect(lines.some((l) => l.includes('Activity Responder 2,Checked in'))).toBe(true);
    expect(lines.every((l, i) => i === 0 || l.startsWith('Activity Collapse,'))).toBe(true);

    const html = await request(world.http)
      .get(`/incidents/${incidentId}/ics214.html`)
      .set(...bearer(commander.token))
      .expect(200);
    expect(html.headers['content-type']).toContain('text/html');
    expect(html.text).toContain('ACTIVITY LOG (ICS 214)');
    expect(html.text).toContain('Night shift briefing.');
    expect(html.text).toContain('<td>Task Force 2</td>');
    expect((html.text.match(/<tr class=/g) ?? []).length).toBeGreaterThanOrEqual(8);
  });
});

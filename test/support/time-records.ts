import { execFileSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import request from 'supertest';
import { asBytes, bearer } from './test-app';
import type { World } from './world';

/** A responder checked in for an agency (ICS 211) and out again through the api: what time records derive hours from. */
export async function checkInAndOut(
  world: World,
  incidentId: string,
  who: { name: string; qualification: string; agency: string },
): Promise<{ responderId: string; deploymentId: string }> {
  const { jws } = await world.issuer.board('fl-ems').issue({ format: 'vc+jwt', qualification: who.qualification, subject: { name: who.name } });
  const res = await request(world.http)
    .post(`/incidents/${incidentId}/check-ins`)
    .set(...bearer(world.adminToken))
    .set('Idempotency-Key', randomUUID())
    .send({ credential: jws, ics211: { agency: who.agency } })
    .expect(201);
  const deploymentId = res.body.deployment.id as string;
  await request(world.http)
    .post(`/incidents/${incidentId}/deployments/${deploymentId}/check-out`)
    .set(...bearer(world.adminToken))
    .send({})
    .expect(200);
  return { responderId: res.body.responder.id as string, deploymentId };
}

/** The rules the hand-computed figures assume: 8 h a day regular, a 30-minute unpaid meal after 6 h, 30.00 / 45.00 an hour. */
export function agencyRules(agency: string, volunteerCentsPerHour: number | null): Record<string, unknown> {
  return {
    agency,
    dailyRegularMinutes: 480,
    weeklyRegularMinutes: null,
    weekStartsOn: 0,
    breaks: [{ kind: 'meal', afterMinutes: 360, minutes: 30, paid: false }],
    rates: [{ position: null, regularCentsPerHour: 3000, overtimeCentsPerHour: 4500 }],
    volunteerCentsPerHour,
  };
}

/** `responder-checkin time-package` on an audit export: its exit code and standard output. */
export function timePackageCli(incidentId: string, file: string, ...extra: string[]): { code: number; out: string } {
  try {
    const out = execFileSync(process.execPath, ['dist/apps/cli/src/main.js', 'time-package', '--audit-export', file, '--incident', incidentId, ...extra]);
    return { code: 0, out: out.toString() };
  } catch (err) {
    const e = err as { status: number; stdout: Buffer };
    return { code: e.status, out: e.stdout.toString() };
  }
}

/** The incident's audit export as the server streams it (header line, then one entry per line), written byte for byte. */
export async function downloadAuditExport(world: World, incidentId: string, file: string): Promise<string> {
  const res = await request(world.http)
    .get(`/audit/export?incidentId=${incidentId}`)
    .set(...bearer(world.adminToken))
    .buffer(true)
    .parse(asBytes)
    .expect(200);
  writeFileSync(file, res.body as Buffer);
  return file;
}

/** A responder's hours on one day through a correction by `author`, approved by `approver` (never the author). */
export async function correctAndApprove(
  world: World,
  incidentId: string,
  day: { responderId: string; agency: string; date: string; start: string; end: string },
  author: string,
  approver: string,
): Promise<void> {
  const c = await request(world.http)
    .post(`/incidents/${incidentId}/time/corrections`)
    .set(...bearer(author))
    .send({
      responderId: day.responderId,
      agency: day.agency,
      date: day.date,
      onDuty: [{ start: day.start, end: day.end }],
      reason: 'Hours from the unit log',
    })
    .expect(201);
  await request(world.http)
    .post(`/incidents/${incidentId}/time/corrections/${c.body.id as string}/approve`)
    .set(...bearer(approver))
    .expect(200);
}

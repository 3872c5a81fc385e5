import { randomUUID } from 'node:crypto';
import request from 'supertest';
import type { App } from 'supertest/types';
import { bearer } from './test-app';
import type { World } from './world';

/** Checks in `count` responders (RN, Florida board) at the incident as admin; returns their deployment ids. */
export async function checkInMany(world: World, incidentId: string, count: number, prefix = 'Accountable'): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < count; i++) {
    const { jws } = await world.issuer.board('fl-nursing').issue({ format: 'vc+jwt', qualification: 'RN', subject: { name: `${prefix} ${i + 1}` } });
    const res = await request(world.http)
      .post(`/incidents/${incidentId}/check-ins`)
      .set(...bearer(world.adminToken))
      .set('Idempotency-Key', randomUUID())
      .send({ credential: jws });
    if (res.status !== 201 || res.body.decision !== 'admitted') throw new Error(`check-in failed: ${res.status} ${JSON.stringify(res.body)}`);
    ids.push(res.body.deployment.id as string);
  }
  return ids;
}

/** Puts a deployment in an assignment (Assigned). */
export async function assign(http: App, token: string, incidentId: string, deploymentId: string, assignment: string): Promise<void> {
  const res = await request(http)
    .post(`/incidents/${incidentId}/deployments/${deploymentId}/status`)
    .set(...bearer(token))
    .send({ status: 'assigned', assignment });
  if (res.status !== 200) throw new Error(`assign failed: ${res.status} ${JSON.stringify(res.body)}`);
}

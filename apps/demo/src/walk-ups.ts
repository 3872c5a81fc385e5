import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiClient } from './demo-api-client';
import { fileSlug } from './badges';
import { qrPng } from './qr-png';

/** The general-support position walk-up volunteers take until verified (docs/walk-ups.md). */
export const DEMO_SUPPORT_POSITION = 'Shelter Support';

/** Walk-up volunteers the demo takes in at start: nobody verified them yet; one of them a nurse with her licence badge at home. */
export const DEMO_WALK_UPS: ReadonlyArray<{ name: string; contact: string; claimed: string[]; idType: string; support: boolean; verifyAs?: string }> = [
  { name: 'Jordan Ellis', contact: '+1 305 555 0110', claimed: ['EMT'], idType: 'Driver licence', support: true },
  { name: 'Priya Natarajan', contact: 'priya.n@example.net', claimed: ['RN'], idType: 'Passport', support: true, verifyAs: 'RN' },
  { name: 'Tom Becker', contact: '+1 786 555 0133', claimed: [], idType: 'State ID card', support: false },
];

export interface DemoWalkUps {
  /** Name and status of each walk-up as the demo left it. */
  walkUps: Array<{ name: string; status: string; position: string | null }>;
  /** The temporary badge printed for the first walk-up: its QR PNG and JWS. */
  badge?: { name: string; png: string; jwt: string };
}

interface WalkUpBody {
  id: string;
  name: string;
  status: string;
  deployment: { position: { name: string } | null };
}

/**
 * Takes the demo's walk-up volunteers in at the station (pending verification, general support), prints the first
 * one's temporary badge into `dir` (demo-output/walk-ups), and verifies the nurse in place with a credential from
 * her board (`issueCredential`): the same deployment, now verified.
 */
export async function addWalkUps(
  api: ApiClient,
  incident: { id: string; positions: Record<string, string> },
  token: string,
  issueCredential: (name: string, qualification: string) => Promise<string>,
  dir: string,
): Promise<DemoWalkUps> {
  const taken: WalkUpBody[] = [];
  for (const w of DEMO_WALK_UPS) {
    const res = await api.post<WalkUpBody>(
      `/incidents/${incident.id}/walk-ups`,
      {
        name: w.name,
        contact: w.contact,
        claimedQualifications: w.claimed,
        idSeen: { type: w.idType, statement: 'Photo and name match; checked at the walk-up desk.' },
        homeState: 'FL',
        positionId: w.support ? incident.positions[DEMO_SUPPORT_POSITION] : undefined,
      },
      { token },
    );
    taken.push(res.body);
  }
  let badge: DemoWalkUps['badge'];
  const first = taken[0];
  if (first) {
    const issued = await api.post<{ token: string }>(`/incidents/${incident.id}/walk-ups/${first.id}/badge`, { validHours: 24 }, { token });
    await mkdir(dir, { recursive: true });
    const base = join(dir, fileSlug(first.name));
    badge = { name: first.name, png: `${base}.png`, jwt: `${base}.jwt` };
    await writeFile(badge.png, qrPng(issued.body.token));
    await writeFile(badge.jwt, `${issued.body.token}\n`);
  }
  const statuses = new Map(taken.map((t) => [t.id, t]));
  for (const [i, w] of DEMO_WALK_UPS.entries()) {
    const walkUp = taken[i];
    if (!w.verifyAs || !walkUp) continue;
    const credential = await issueCredential(w.name, w.verifyAs);
    const res = await api.post<WalkUpBody>(`/incidents/${incident.id}/walk-ups/${walkUp.id}/upgrade`, { credential }, { token });
    statuses.set(walkUp.id, res.body);
  }
  return { walkUps: [...statuses.values()].map((w) => ({ name: w.name, status: w.status, position: w.deployment.position?.name ?? null })), badge };
}

import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ApiClient } from './demo-api-client';
import { fileSlug } from './badges';
import { qrPng } from './qr-png';

/** A deployment record handed out at check-out, as the demo writes it: the .jwt, the JSON and a QR PNG of the .jwt. */
export interface HandedOutRecord {
  name: string;
  achievement: string;
  recordId: string;
  files: { jwt: string; json: string; png: string };
  jwt: string;
}

interface RecordBody {
  id: string;
  state: 'pending' | 'issued' | 'revoked';
  jwt: string | null;
  credential: { name?: string } | null;
}

/**
 * Checks out the first responder on the roster, as the check-out screen does, and writes the deployment record the
 * agency issues them into `dir` (demo-output/records): what a responder takes home.
 */
export async function handOutRecord(api: ApiClient, incidentId: string, token: string, dir: string): Promise<HandedOutRecord | undefined> {
  const roster = await api.get<Array<{ id: string; responder: { name: string } }>>(`/incidents/${incidentId}/deployments`, { token });
  const first = roster.body[0];
  if (!first) return undefined;
  await api.post(`/incidents/${incidentId}/deployments/${first.id}/check-out`, { note: 'released: demo' }, { token });
  let record: RecordBody | undefined;
  for (let i = 0; i < 10 && record?.state !== 'issued'; i++) {
    if (i > 0) await new Promise((r) => setTimeout(r, 300));
    record = (await api.get<RecordBody>(`/incidents/${incidentId}/deployments/${first.id}/record`, { token })).body;
  }
  if (!record?.jwt) return undefined;
  await mkdir(dir, { recursive: true });
  const base = join(dir, fileSlug(first.responder.name));
  const files = { jwt: `${base}.jwt`, json: `${base}.json`, png: `${base}.png` };
  await writeFile(files.jwt, `${record.jwt}\n`);
  await writeFile(files.json, `${JSON.stringify(record.credential, null, 2)}\n`);
  await writeFile(files.png, qrPng(record.jwt));
  return { name: first.responder.name, achievement: record.credential?.name ?? 'Deployment record', recordId: record.id, files, jwt: record.jwt };
}

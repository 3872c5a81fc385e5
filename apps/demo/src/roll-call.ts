import type { ApiClient } from './demo-api-client';

/** The demo commander (apps/demo/src/demo-seed.ts): who runs the roll call after the surge. */
export const DEMO_COMMANDER = { email: 'commander@example.org', password: 'commander-demo-2026' };

export interface RollCallReport {
  parId: string;
  expected: number;
  accounted: number;
  missing: number;
  missingName?: string;
}

interface ParView {
  id: string;
  counts: { expected: number; accounted: number; missing: number; unaccounted: number };
}

/**
 * A PAR after the surge, as a commander would run it: everyone on scene is expected; supervisors report their
 * crews (acknowledgements of up to 25 people at a time) and one person is reported missing, which the board raises as
 * an alert; the commander then completes the roll call. Leaves the audit trail and the ICS 214 with a full PAR.
 */
export async function runRollCall(api: ApiClient, incidentId: string): Promise<RollCallReport> {
  const token = await api.signIn(DEMO_COMMANDER.email, DEMO_COMMANDER.password);
  const started = await api.call<ParView>('POST', `/incidents/${incidentId}/pars`, { token, body: { reason: 'collapse' } });
  const parId = started.body.id;
  const detail = await api.get<{ members: Array<{ deploymentId: string; name: string }> }>(`/incidents/${incidentId}/pars/${parId}`, { token });
  const [lost, ...rest] = detail.body.members;
  let last = started.body;
  for (let i = 0; i < rest.length; i += 25) {
    const ids = rest.slice(i, i + 25).map((m) => m.deploymentId);
    last = (await api.call<ParView>('POST', `/incidents/${incidentId}/pars/${parId}/acknowledgements`, { token, body: { deploymentIds: ids } })).body;
  }
  if (lost)
    last = (await api.call<ParView>('POST', `/incidents/${incidentId}/pars/${parId}/missing`, { token, body: { deploymentId: lost.deploymentId } })).body;
  if (last.counts.unaccounted > 0 || lost) last = (await api.call<ParView>('POST', `/incidents/${incidentId}/pars/${parId}/complete`, { token })).body;
  return { parId, expected: last.counts.expected, accounted: last.counts.accounted, missing: last.counts.missing, missingName: lost?.name };
}

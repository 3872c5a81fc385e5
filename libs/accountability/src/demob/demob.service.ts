import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { csvText, DomainError, forbidden } from '@app/common';
import { Database, type Transaction } from '@app/db';
import { CheckOutRules, DeploymentReader, IncidentsService, type DeploymentView } from '@app/incidents';
import { actorOnBoard } from '../par/par';
import { AccountabilitySettingsRepository } from '../settings/accountability-settings.repository';
import { DemobRepository } from './demob.repository';

export interface DemobView {
  deploymentId: string;
  name: string;
  required: boolean;
  signoffs: Array<{ unit: string; signed: boolean; signedBy: string | null; signedAt: string | null; note: string | null }>;
  travel: { method: string; etaHome: string } | null;
  /** Every configured sign-off and the travel information are in: check-out releases the responder. */
  ready: boolean;
  checkedOutAt: string | null;
}

/** ICS 221 demobilization: unit sign-offs and travel information before release, and the check-out rule. */
@Injectable()
export class DemobService implements CheckOutRules {
  constructor(
    private readonly database: Database,
    private readonly demob: DemobRepository,
    private readonly settings: AccountabilitySettingsRepository,
    private readonly deployments: DeploymentReader,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditTrail,
  ) {}

  async view(incidentId: string, deploymentId: string): Promise<DemobView> {
    const d = await this.deployments.get(deploymentId, incidentId);
    return this.build(d, await this.demob.of(deploymentId));
  }

  async sign(incidentId: string, deploymentId: string, unit: string, note: string | undefined, actor: AuditActor): Promise<DemobView> {
    return this.database.transaction(async (tx) => {
      const d = await this.active(tx, incidentId, deploymentId);
      const s = await this.settings.get(incidentId, tx);
      if (!s.demobSignoffs.includes(unit)) {
        throw new DomainError('unprocessable', `This incident does not ask for a ${unit} sign-off (it asks for: ${s.demobSignoffs.join(', ') || 'none'}).`);
      }
      const now = new Date();
      if (await this.demob.sign(tx, deploymentId, unit, note ?? null, actor, now)) {
        await this.audit.record(tx, {
          actor,
          action: 'demob.signed_off',
          incidentId,
          target: { type: 'deployment', id: deploymentId },
          occurredAt: now,
          payload: { responderId: d.responder.id, unit, note: note ?? null },
        });
      }
      return this.build(d, await this.demob.of(deploymentId, tx));
    });
  }

  async travel(incidentId: string, deploymentId: string, method: string, etaHome: string, actor: AuditActor): Promise<DemobView> {
    return this.database.transaction(async (tx) => {
      const d = await this.active(tx, incidentId, deploymentId);
      const now = new Date();
      await this.demob.setTravel(tx, deploymentId, { method, etaHome: new Date(etaHome), recordedBy: actor, recordedAt: now });
      await this.audit.record(tx, {
        actor,
        action: 'demob.travel_recorded',
        incidentId,
        target: { type: 'deployment', id: deploymentId },
        occurredAt: now,
        // The ETA as stored (an instant): the end of travel home, which time records recompute from the export.
        payload: { responderId: d.responder.id, method, etaHome: new Date(etaHome).toISOString() },
      });
      return this.build(d, await this.demob.of(deploymentId, tx));
    });
  }

  async beforeCheckOut(
    tx: Transaction,
    d: { incidentId: string; deploymentId: string; responderId: string },
    overrideReason: string | undefined,
    actor: AuditActor,
  ): Promise<void> {
    const s = await this.settings.get(d.incidentId, tx);
    if (!s.demobRequired) return;
    const { signoffs, travel } = await this.demob.of(d.deploymentId, tx);
    const missing = s.demobSignoffs.filter((u) => !signoffs.some((x) => x.unit === u));
    if (missing.length === 0 && travel) return;
    const what = [...missing.map((u) => `${u} sign-off`), ...(travel ? [] : ['travel information'])];
    const commander = actor.kind === 'user' && (actor.role === 'commander' || actor.role === 'admin');
    if (!overrideReason) throw new DomainError('demob_incomplete', `Not ready for release: missing ${what.join(', ')}.`);
    if (!commander) throw forbidden('Only commanders release a responder without the ICS 221 sign-offs.');
    await this.audit.record(tx, {
      actor,
      action: 'demob.release_overridden',
      incidentId: d.incidentId,
      target: { type: 'deployment', id: d.deploymentId },
      payload: { responderId: d.responderId, reason: overrideReason, missing: what },
    });
  }

  /** ICS 221 for one person: CSV (one row per sign-off) and a printable page. */
  async ics221(incidentId: string, deploymentId: string): Promise<{ csv: string; html: string }> {
    const incident = await this.incidents.get(incidentId);
    const v = await this.view(incidentId, deploymentId);
    const csv = csvText([
      ['Incident Name', 'Incident Number', 'Resource', 'Unit', 'Signed', 'Signed By', 'Signed At', 'Note', 'Travel Method', 'ETA Home', 'Released At'],
      ...v.signoffs.map((s) => [
        incident.name,
        incident.number,
        v.name,
        s.unit,
        s.signed ? 'yes' : 'no',
        s.signedBy ?? '',
        s.signedAt ?? '',
        s.note ?? '',
        v.travel?.method ?? '',
        v.travel?.etaHome ?? '',
        v.checkedOutAt ?? '',
      ]),
    ]);
    const esc = (t: string): string => t.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
    const rows = v.signoffs
      .map(
        (s) =>
          `<tr><td>${esc(s.unit)}</td><td>${s.signed ? 'Yes' : 'No'}</td><td>${esc(s.signedBy ?? '')}</td><td>${esc(s.signedAt ?? '')}</td><td>${esc(s.note ?? '')}</td></tr>`,
      )
      .join('\n');
    const html = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>ICS 221 Demobilization Check-Out: ${esc(v.name)}</title>
<style>body{font:12px/1.4 system-ui,sans-serif;margin:1.5cm}table{border-collapse:collapse;width:100%}th,td{border:1px solid #444;padding:3px 5px;text-align:left}th{background:#eee}</style>
</head><body>
<h1>DEMOBILIZATION CHECK-OUT (ICS 221)</h1>
<p><b>1. Incident Name:</b> ${esc(incident.name)} &nbsp; <b>Incident Number:</b> ${esc(incident.number)}<br>
<b>2. Resource:</b> ${esc(v.name)}<br>
<b>5. Travel:</b> ${v.travel ? `${esc(v.travel.method)}, ETA home ${esc(v.travel.etaHome)}` : 'not recorded'}<br>
<b>Released:</b> ${esc(v.checkedOutAt ?? 'not yet')}</p>
<h2>6. Unit sign-offs</h2>
<table><thead><tr><th>Unit</th><th>Signed</th><th>By</th><th>At</th><th>Remarks</th></tr></thead><tbody>
${rows}
</tbody></table>
</body></html>
`;
    return { csv, html };
  }

  private async active(tx: Transaction, incidentId: string, deploymentId: string): Promise<DeploymentView> {
    const d = await this.deployments.get(deploymentId, incidentId, tx);
    if (d.checkedOutAt) throw new DomainError('deployment_not_active', 'This responder has already been released.');
    return d;
  }

  private async build(d: DeploymentView, found: Awaited<ReturnType<DemobRepository['of']>>): Promise<DemobView> {
    const s = await this.settings.get(d.incidentId);
    const units = [...new Set([...s.demobSignoffs, ...found.signoffs.map((x) => x.unit)])];
    const signoffs = units.map((unit) => {
      const x = found.signoffs.find((f) => f.unit === unit);
      return { unit, signed: !!x, signedBy: x ? actorOnBoard(x.signedBy) : null, signedAt: x?.signedAt.toISOString() ?? null, note: x?.note ?? null };
    });
    return {
      deploymentId: d.id,
      name: d.responder.name,
      required: s.demobRequired,
      signoffs,
      travel: found.travel ? { method: found.travel.method, etaHome: found.travel.etaHome.toISOString() } : null,
      ready: s.demobSignoffs.every((u) => found.signoffs.some((x) => x.unit === u)) && found.travel !== null,
      checkedOutAt: d.checkedOutAt,
    };
  }
}

import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor, type AuditInput } from '@app/audit';
import type { Principal } from '@app/auth';
import { DomainError, forbidden, notFound } from '@app/common';
import { CombinedStatement, Database, type Transaction } from '@app/db';
import { DeploymentReader, IncidentsService } from '@app/incidents';
import { Outbox, type OutgoingEvent, type ParCounts, type ParReason } from '@app/realtime';
import { AccountabilitySettingsRepository } from '../settings/accountability-settings.repository';
import { SupervisorsRepository } from '../supervisors/supervisors.repository';
import { actorOnBoard, countsOf, type MarkVia, type MemberState, type MissingMember, type Par, type ParMember } from './par';
import { acknowledgedEvents } from './par-events';
import { ParRepository } from './par.repository';

/** The most acknowledgement requests of one PAR written in one transaction. */
const ACK_GROUP_MAX = 200;

type AckOutcome = { ok: true; par: Par } | { ok: false; error: unknown };

interface PendingAck {
  incidentId: string;
  parId: string;
  /** Lower-case, without repeats. */
  ids: string[];
  via: MarkVia;
  /** A supervisor's assignments; undefined for commanders, admins and check-in staff. */
  supervised: Set<string> | undefined;
  actor: AuditActor;
  /** An acknowledgement an offline station logged: its device entry, recorded with the audit entry (libs/offline). */
  offline?: Record<string, unknown>;
  settle: (outcome: AckOutcome) => void;
}

/** How many unaccounted names an overdue event carries; the board reads the rest from GET .../members. */
const OVERDUE_NAMES_ON_BOARD = 200;

export interface StartPar {
  reason: ParReason;
  note?: string;
  /** One assignment (division, group); absent: the whole incident. */
  assignment?: string;
}

/**
 * PAR roll calls: start (expected list fixed from who is on scene in the scope), acknowledge or mark missing,
 * complete, and the worker's deadline and timer checks. Every change is one transaction with its audit entry and
 * board event; marks lock the PAR row, so two acknowledgements of one person never both count.
 */
@Injectable()
export class ParService {
  constructor(
    private readonly database: Database,
    private readonly pars: ParRepository,
    private readonly settings: AccountabilitySettingsRepository,
    private readonly supervisors: SupervisorsRepository,
    private readonly incidents: IncidentsService,
    private readonly deployments: DeploymentReader,
    private readonly audit: AuditTrail,
    private readonly outbox: Outbox,
  ) {}

  /** Acknowledgements waiting for their PAR's next group transaction, per incident/PAR. */
  private readonly ackQueues = new Map<string, PendingAck[]>();
  private readonly ackDraining = new Set<string>();

  async start(incidentId: string, input: StartPar, principal: Principal, actor: AuditActor): Promise<Par> {
    const assignment = input.assignment?.trim() || null;
    if (principal.role === 'supervisor') {
      if (!assignment) throw forbidden('A supervisor starts a PAR for one of their assignments, not for the whole incident.');
      await this.assertSupervises(incidentId, principal, [assignment]);
    }
    return this.database.transaction(async (tx) => {
      const incident = await this.incidents.get(incidentId, tx);
      if (incident.state === 'closed') throw new DomainError('incident_closed', 'The incident is closed.');
      const settings = await this.settings.get(incidentId, tx);
      const now = new Date();
      // The expected list is copied from who is on scene in the statement that creates the PAR.
      const statement = new CombinedStatement();
      const { par, onScene, deploymentIds } = await this.pars.insert(
        tx,
        statement,
        {
          incidentId,
          scopeAssignment: assignment,
          reason: input.reason,
          note: input.note ?? null,
          startedBy: actor,
          startedAt: now,
          deadlineAt: new Date(now.getTime() + settings.parResponseSeconds * 1000),
        },
        this.deployments.onSceneTo(statement, incidentId, assignment),
      );
      if (onScene === 0) {
        throw new DomainError('par_scope_empty', assignment ? `Nobody on scene is assigned to ${assignment}.` : 'Nobody is on scene at this incident.');
      }
      if (!par) {
        throw new DomainError('par_running', assignment ? `A PAR for ${assignment} is already running.` : 'A PAR for the whole incident is already running.');
      }
      // A whole-incident roll call is what the timer asks for: the next reminder counts from now.
      if (assignment === null && settings.parTimerMinutes !== null) {
        await this.settings.setTimerDue(tx, incidentId, new Date(now.getTime() + settings.parTimerMinutes * 60_000));
      }
      const record = new CombinedStatement();
      const chainHead = this.audit.appendTo(record, [
        {
          actor,
          action: 'par.started',
          incidentId,
          target: { type: 'par', id: par.id },
          occurredAt: now,
          payload: {
            scope: assignment ? { assignment } : 'incident',
            reason: input.reason,
            note: input.note ?? null,
            deadlineAt: par.deadlineAt.toISOString(),
            // The list itself is the PAR's par_member rows; the entry seals it (sha-256 of the sorted deployment ids).
            expected: deploymentIds.length,
            expectedHash: expectedListHash(deploymentIds),
          },
        },
      ]);
      this.outbox.appendTo(
        record,
        incidentId,
        [
          {
            name: 'par.started',
            payload: {
              parId: par.id,
              scope: assignment ? { assignment } : {},
              reason: input.reason,
              startedBy: actorOnBoard(actor),
              startedAt: now.toISOString(),
              deadlineAt: par.deadlineAt.toISOString(),
              counts: countsOf(par),
            },
          },
        ],
        { after: chainHead },
      );
      await record.run(tx);
      return par;
    });
  }

  /**
   * Marks people accounted (acknowledged on the board or scanned at a station) or missing. The whole request is
   * refused when any of them is outside the PAR, already marked so, or the PAR is over: no partial counts.
   * `offline`: an acknowledgement an offline station logged, recorded with the audit entry when it syncs.
   */
  async mark(
    incidentId: string,
    parId: string,
    deploymentIds: string[],
    to: 'accounted' | 'missing',
    via: MarkVia,
    principal: Principal,
    actor: AuditActor,
    { offline }: { offline?: Record<string, unknown> } = {},
  ): Promise<Par> {
    const ids = [...new Set(deploymentIds.map((id) => id.toLowerCase()))];
    const supervised = principal.role === 'supervisor' ? new Set(await this.supervisors.assignments(incidentId, principal.userId)) : undefined;
    if (to === 'accounted') return this.acknowledge({ incidentId, parId, ids, via, supervised, actor, offline });
    return this.database.transaction(async (tx) => {
      const par = await this.lockRunning(tx, incidentId, parId);
      const found = await this.pars.membersAmong(tx, parId, ids);
      const outside = ids.filter((id) => !found.some((m) => m.deploymentId === id));
      if (outside.length > 0) {
        throw new DomainError('par_not_in_scope', `Not on this PAR's expected list: ${outside.join(', ')}.`);
      }
      if (supervised) {
        const notMine = found.filter((m) => m.assignment === null || !supervised.has(m.assignment));
        if (notMine.length > 0) {
          throw new DomainError('par_not_in_scope', 'You supervise none of the assignments of some of these people.');
        }
      }
      const already = found.filter((m) => m.state !== 'unaccounted');
      if (already.length > 0) {
        throw new DomainError('par_already_marked', `Already marked ${already[0].state}: ${already.map((m) => m.name).join(', ')}.`);
      }
      const now = new Date();
      const changed = await this.pars.mark(tx, parId, ids, 'missing', ['unaccounted'], via, actor, now);
      const missing = par.missing + changed.length;
      await this.pars.setCounts(tx, parId, par.accounted, missing);
      const after: Par = { ...par, missing };
      const counts = countsOf(after);
      await this.audit.record(tx, {
        actor,
        action: 'par.missing',
        incidentId,
        target: { type: 'par', id: parId },
        occurredAt: now,
        payload: { deploymentIds: changed.map((c) => c.deploymentId), via, foundAfterMissing: 0, counts },
      });
      for (const m of found) {
        await this.outbox.append(tx, incidentId, 'par.missing', {
          parId,
          deploymentId: m.deploymentId,
          name: m.name,
          assignment: m.assignment ?? undefined,
          by: actorOnBoard(actor),
          at: now.toISOString(),
          counts,
        });
      }
      return after;
    });
  }

  /**
   * Acknowledgements of one PAR arriving together share a transaction (group commit): the PAR row is locked once and
   * each request is checked in arrival order against the states the earlier ones left, so a request is still
   * refused as a whole and nobody counts twice; each accepted request keeps its own audit entry, and the group shares
   * one board event (split only past ACK_EVENT_MAX_PEOPLE people) with the counts after it: a board watching a busy roll call
   * gets one message per group, not one per request. One batch at a time per PAR, in this process; other processes
   * wait on the row lock.
   */
  private acknowledge(request: Omit<PendingAck, 'settle'>): Promise<Par> {
    const key = `${request.incidentId}/${request.parId}`;
    return new Promise<Par>((resolve, reject) => {
      const queue = this.ackQueues.get(key) ?? [];
      queue.push({ ...request, settle: (outcome) => (outcome.ok ? resolve(outcome.par) : reject(outcome.error)) });
      this.ackQueues.set(key, queue);
      if (!this.ackDraining.has(key)) void this.drainAcks(key);
    });
  }

  private async drainAcks(key: string): Promise<void> {
    this.ackDraining.add(key);
    try {
      for (;;) {
        const queue = this.ackQueues.get(key);
        const batch = queue?.splice(0, ACK_GROUP_MAX) ?? [];
        if (queue && queue.length === 0) this.ackQueues.delete(key);
        if (batch.length === 0) return;
        try {
          const outcomes = await this.database.transaction((tx) => this.acknowledgeGroup(tx, batch));
          outcomes.forEach((o, i) => batch[i].settle(o));
        } catch (error) {
          // The PAR is unknown, completed, or the transaction failed: every request of the group gets that answer.
          for (const r of batch) r.settle({ ok: false, error });
        }
      }
    } finally {
      this.ackDraining.delete(key);
    }
  }

  private async acknowledgeGroup(tx: Transaction, batch: PendingAck[]): Promise<AckOutcome[]> {
    const { incidentId, parId } = batch[0];
    let par = await this.lockRunning(tx, incidentId, parId);
    const found = await this.pars.membersAmong(tx, parId, [...new Set(batch.flatMap((r) => r.ids))]);
    const state = new Map(found.map((m) => [m.deploymentId, m]));
    const now = new Date();
    const outcomes: AckOutcome[] = [];
    const accepted: Array<{ request: PendingAck; wasMissing: number; counts: ParCounts; index: number }> = [];
    for (const request of batch) {
      try {
        if (par.accounted === par.expected) throw new DomainError('par_not_running', 'This PAR is completed: start a new one.');
        const members = request.ids.map((id) => state.get(id));
        const outside = request.ids.filter((_, i) => !members[i]);
        if (outside.length > 0) throw new DomainError('par_not_in_scope', `Not on this PAR's expected list: ${outside.join(', ')}.`);
        const mine = members as ParMember[];
        if (request.supervised) {
          const supervised = request.supervised;
          if (mine.some((m) => m.assignment === null || !supervised.has(m.assignment))) {
            throw new DomainError('par_not_in_scope', 'You supervise none of the assignments of some of these people.');
          }
        }
        const already = mine.filter((m) => m.state === 'accounted');
        if (already.length > 0) throw new DomainError('par_already_marked', `Already marked accounted: ${already.map((m) => m.name).join(', ')}.`);
        const wasMissing = mine.filter((m) => m.state === 'missing').length;
        for (const m of mine) state.set(m.deploymentId, { ...m, state: 'accounted' });
        par = { ...par, accounted: par.accounted + mine.length, missing: par.missing - wasMissing };
        accepted.push({ request, wasMissing, counts: countsOf(par), index: outcomes.length });
        outcomes.push({ ok: true, par });
      } catch (error) {
        outcomes.push({ ok: false, error });
      }
    }
    if (accepted.length === 0) return outcomes;
    // One statement for the whole group: the marks, the counts, each request's audit entry and board event, and the
    // completion when the group accounts for the last person (the chain head and event sequence locked once).
    const completes = par.accounted === par.expected;
    const system: AuditActor = { kind: 'system', process: 'api' };
    const completion = completes ? this.completion(par, system, now) : undefined;
    const statement = new CombinedStatement();
    this.pars.recordAcknowledgements(
      statement,
      parId,
      accepted.flatMap(({ request }) => request.ids.map((deploymentId) => ({ deploymentId, via: request.via, by: request.actor }))),
      now,
      par,
      completes ? { by: system, at: now } : undefined,
    );
    const entries: AuditInput[] = accepted.map(({ request, wasMissing, counts }) => ({
      actor: request.actor,
      action: 'par.acknowledged',
      incidentId,
      target: { type: 'par', id: parId },
      occurredAt: now,
      payload: {
        deploymentIds: request.ids,
        via: request.via,
        foundAfterMissing: wasMissing,
        counts,
        ...(request.offline ? { offline: { ...request.offline, reconfirmedAt: now.toISOString() } } : {}),
      },
    }));
    const events: OutgoingEvent[] = acknowledgedEvents(
      parId,
      accepted.map(({ request, counts }) => ({ ids: request.ids, via: request.via, actor: request.actor, counts })),
      now,
    );
    if (completion) {
      entries.push(completion.entry);
      events.push(completion.event);
    }
    const chainHead = this.audit.appendTo(statement, entries);
    this.outbox.appendTo(statement, incidentId, events, { after: chainHead });
    await statement.run(tx);
    if (completion) outcomes[accepted[accepted.length - 1].index] = { ok: true, par: completion.par };
    return outcomes;
  }

  /** Ends the roll call; whoever is still unaccounted or missing stays so in the record. */
  async complete(incidentId: string, parId: string, principal: Principal, actor: AuditActor): Promise<Par> {
    return this.database.transaction(async (tx) => {
      const par = await this.lockRunning(tx, incidentId, parId);
      if (principal.role === 'supervisor') await this.assertSupervises(incidentId, principal, [par.scopeAssignment]);
      return this.finish(tx, par, actor, new Date());
    });
  }

  async get(incidentId: string, parId: string): Promise<Par> {
    const par = await this.pars.get(parId, incidentId);
    if (!par) throw notFound('PAR', parId);
    return par;
  }

  list(incidentId: string, state?: 'running' | 'completed'): Promise<Par[]> {
    return this.pars.list(incidentId, state);
  }

  async members(incidentId: string, parId: string): Promise<{ par: Par; members: ParMember[] }> {
    const par = await this.get(incidentId, parId);
    return { par, members: await this.pars.members(parId) };
  }

  /** People on scene still missing after a roll call, oldest mark first: the board keeps them on top until found. */
  stillMissing(incidentId: string): Promise<MissingMember[]> {
    const statement = new CombinedStatement();
    return this.pars.stillMissing(statement, incidentId, this.deployments.onSceneTo(statement, incidentId, null));
  }

  /** Worker: raises every PAR whose time ran out, once each. Returns how many. */
  async raiseOverdue(now = new Date()): Promise<number> {
    let raised = 0;
    for (;;) {
      const done = await this.database.transaction(async (tx) => {
        const par = await this.pars.claimOverdue(tx, now);
        if (!par) return true;
        const counts = countsOf(par);
        const unaccounted = await this.pars.unaccounted(tx, par.id, OVERDUE_NAMES_ON_BOARD);
        await this.audit.record(tx, {
          actor: { kind: 'system', process: 'worker', job: 'par.overdue' },
          action: 'par.overdue',
          incidentId: par.incidentId,
          target: { type: 'par', id: par.id },
          occurredAt: now,
          payload: { deadlineAt: par.deadlineAt.toISOString(), counts },
        });
        await this.outbox.append(tx, par.incidentId, 'par.overdue', {
          parId: par.id,
          scope: par.scopeAssignment ? { assignment: par.scopeAssignment } : {},
          deadlineAt: par.deadlineAt.toISOString(),
          unaccounted: unaccounted.map((m) => ({ deploymentId: m.deploymentId, name: m.name, assignment: m.assignment ?? undefined })),
          counts,
        });
        return false;
      });
      if (done) return raised;
      raised++;
    }
  }

  private async finish(tx: Transaction, par: Par, actor: AuditActor, now: Date): Promise<Par> {
    await this.pars.complete(tx, par.id, actor, now);
    const { entry, event, par: completed } = this.completion(par, actor, now);
    await this.audit.record(tx, entry);
    await this.outbox.append(tx, par.incidentId, event.name, event.payload);
    return completed;
  }

  /** A PAR's completion: its audit entry, its board event, and the PAR as it ends. */
  private completion(par: Par, actor: AuditActor, now: Date): { entry: AuditInput; event: OutgoingEvent & { name: 'par.completed' }; par: Par } {
    const counts = countsOf(par);
    return {
      entry: {
        actor,
        action: 'par.completed',
        incidentId: par.incidentId,
        target: { type: 'par', id: par.id },
        occurredAt: now,
        payload: { counts, overdue: par.overdueAt !== null },
      },
      event: {
        name: 'par.completed',
        payload: {
          parId: par.id,
          scope: par.scopeAssignment ? { assignment: par.scopeAssignment } : {},
          by: actorOnBoard(actor),
          at: now.toISOString(),
          counts,
        },
      },
      par: { ...par, state: 'completed', completedAt: now, completedBy: actor },
    };
  }

  private async lockRunning(tx: Transaction, incidentId: string, parId: string): Promise<Par> {
    const par = await this.pars.lock(tx, parId, incidentId);
    if (!par) throw notFound('PAR', parId);
    if (par.state !== 'running') throw new DomainError('par_not_running', 'This PAR is completed: start a new one.');
    return par;
  }

  private async assertSupervises(incidentId: string, principal: Principal, assignments: Array<string | null>): Promise<void> {
    const mine = new Set(await this.supervisors.assignments(incidentId, principal.userId));
    const other = assignments.find((a) => a === null || !mine.has(a));
    if (other !== undefined) throw forbidden(other === null ? 'Only commanders act on whole-incident PARs.' : `You do not supervise ${other}.`);
  }
}

/** The seal of a PAR's expected list kept in its audit entry: sha-256 over the sorted deployment ids, one per line. */
export function expectedListHash(deploymentIds: string[]): string {
  return createHash('sha256')
    .update(
      [...deploymentIds]
        .map((id) => id.toLowerCase())
        .sort()
        .join('\n'),
    )
    .digest('hex');
}

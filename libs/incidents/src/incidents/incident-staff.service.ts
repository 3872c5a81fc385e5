import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { AccessChanges, UsersService, type Principal } from '@app/auth';
import { DomainError, notFound } from '@app/common';
import { Database } from '@app/db';
import { IncidentsRepository } from './incidents.repository';
import { IncidentsService } from './incidents.service';

export interface StaffMember {
  userId: string;
  email: string;
  displayName: string;
  role: string;
  assignedAt: string;
}

/** Byte order of the UTF-8 text: what PostgreSQL's C collation gives ORDER BY. */
const byBytes = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Who is on an incident: the commanders and check-in staff assigned to it (users themselves belong to @app/auth). */
@Injectable()
export class IncidentStaffService {
  constructor(
    private readonly database: Database,
    private readonly incidents: IncidentsService,
    private readonly repository: IncidentsRepository,
    private readonly users: UsersService,
    private readonly audit: AuditTrail,
    private readonly accessChanges: AccessChanges,
  ) {}

  /** By display name. */
  async staff(id: string): Promise<StaffMember[]> {
    await this.incidents.get(id);
    const assignments = await this.repository.staff(id);
    if (assignments.length === 0) return [];
    const users = new Map((await this.users.list()).map((u) => [u.id, u]));
    return assignments
      .flatMap((a) => {
        const u = users.get(a.userId);
        return u ? [{ userId: a.userId, email: u.email, displayName: u.displayName, role: u.role, assignedAt: a.assignedAt.toISOString() }] : [];
      })
      .sort((a, b) => byBytes(a.displayName, b.displayName));
  }

  /** Assigns a commander, supervisor, check-in staff member or timekeeper to the incident (idempotent). */
  async assignStaff(id: string, userId: string, principal: Principal, actor: AuditActor): Promise<void> {
    await this.database.transaction(async (tx) => {
      await this.incidents.get(id, tx);
      const user = await this.users.get(userId);
      if (!['commander', 'checkin', 'supervisor', 'timekeeper'].includes(user.role)) {
        throw new DomainError('unprocessable', 'Only commanders, supervisors, check-in staff and timekeepers are assigned to incidents.');
      }
      if (await this.repository.assignStaff(tx, id, userId, principal.userId)) {
        await this.audit.record(tx, {
          actor,
          action: 'incident.staff_assigned',
          incidentId: id,
          target: { type: 'user', id: userId },
          payload: { role: user.role },
        });
      }
    });
  }

  async unassignStaff(id: string, userId: string, actor: AuditActor): Promise<void> {
    await this.database.transaction(async (tx) => {
      await this.incidents.get(id, tx);
      if (!(await this.repository.unassignStaff(tx, id, userId))) throw notFound('Staff assignment');
      await this.audit.record(tx, { actor, action: 'incident.staff_unassigned', incidentId: id, target: { type: 'user', id: userId }, payload: {} });
    });
    // Open sockets of that user leave the incident's board at once, in every api process.
    await this.accessChanges.publish({ kind: 'incident', userId, incidentId: id });
  }
}

import { Injectable } from '@nestjs/common';
import { AuditTrail, type AuditActor } from '@app/audit';
import { DomainError } from '@app/common';
import { Database } from '@app/db';
import { UsersService } from '@app/auth';
import { IncidentsService } from '@app/incidents';
import { SupervisorsRepository } from './supervisors.repository';

/** Which assignments each division/group supervisor answers for at an incident. */
@Injectable()
export class SupervisorsService {
  constructor(
    private readonly database: Database,
    private readonly supervisors: SupervisorsRepository,
    private readonly users: UsersService,
    private readonly incidents: IncidentsService,
    private readonly audit: AuditTrail,
  ) {}

  async list(incidentId: string): Promise<Array<{ userId: string; assignments: string[] }>> {
    await this.incidents.get(incidentId);
    return this.supervisors.list(incidentId);
  }

  async assign(incidentId: string, userId: string, assignments: string[], actor: AuditActor): Promise<{ userId: string; assignments: string[] }> {
    const user = await this.users.get(userId);
    if (user.role !== 'supervisor') throw new DomainError('unprocessable', 'Only users with the supervisor role supervise assignments.');
    const wanted = [...new Set(assignments.map((a) => a.trim()).filter((a) => a.length > 0))].sort();
    return this.database.transaction(async (tx) => {
      await this.incidents.get(incidentId, tx);
      const before = await this.supervisors.replace(tx, incidentId, userId, wanted);
      await this.audit.record(tx, {
        actor,
        action: 'accountability.supervisor_assigned',
        incidentId,
        target: { type: 'user', id: userId },
        payload: { before, after: wanted },
      });
      return { userId, assignments: wanted };
    });
  }
}

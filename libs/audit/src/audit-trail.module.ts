import { Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail';
import { AuditTrailRepository } from './store/audit-trail.repository';

/** The audit trail every library that changes something records into (imported by each, not global). */
@Module({ providers: [AuditTrailRepository, AuditTrail], exports: [AuditTrail] })
export class AuditTrailModule {}

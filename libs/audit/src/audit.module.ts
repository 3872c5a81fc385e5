import { Global, Module } from '@nestjs/common';
import { AuditTrail } from './audit-trail';
import { AuditTrailRepository } from './store/audit-trail.repository';

@Global()
@Module({ providers: [AuditTrailRepository, AuditTrail], exports: [AuditTrail] })
export class AuditTrailModule {}

import { Global, Module } from '@nestjs/common';
import { ServerKeysModule, SignInEvents, UserChangeEvents } from '@app/auth';
import { AuditScope } from './access/audit-scope';
import { AuditTrailModule } from './audit-trail.module';
import { AuditKeyEventsModule } from './auth-events/audit-key-change-events';
import { AuditSignInEvents } from './auth-events/audit-sign-in-events';
import { AuditUserChangeEvents } from './auth-events/audit-user-change-events';
import { AuditCheckpointsService } from './checkpoints/audit-checkpoints.service';
import { AuditController } from './http/audit.controller';
import { AuditSearchService } from './http/audit-search.service';
import { AuditCheckpointsRepository } from './store/audit-checkpoints.repository';
import { AuditEntriesRepository } from './store/audit-entries.repository';
import { AuditSearchRepository } from './store/audit-search.repository';
import { AuditExportService } from './verification/audit-export.service';
import { AuditVerificationService } from './verification/audit-verification.service';

/**
 * The api side: /audit (verify, export, search, checkpoints on demand) and the audit scope (which the deployment
 * reports of @app/incidents use). Global so that auth's SignInEvents and UserChangeEvents hooks resolve to the audit
 * implementations (auth cannot import this library). Needs an AuditedIncidents provider (@app/incidents provides it).
 */
@Global()
@Module({
  imports: [ServerKeysModule, AuditTrailModule, AuditKeyEventsModule],
  controllers: [AuditController],
  providers: [
    AuditScope,
    AuditEntriesRepository,
    AuditCheckpointsRepository,
    AuditSearchRepository,
    AuditVerificationService,
    AuditExportService,
    AuditSearchService,
    AuditCheckpointsService,
    { provide: SignInEvents, useClass: AuditSignInEvents },
    { provide: UserChangeEvents, useClass: AuditUserChangeEvents },
  ],
  exports: [SignInEvents, UserChangeEvents, AuditCheckpointsService, AuditVerificationService, AuditScope],
})
export class AuditApiModule {}

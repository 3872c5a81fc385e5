import { Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { CredentialsModule } from '@app/credentials';
import { LiveEmitterModule, OutboxModule } from '@app/realtime';
import { JobsHttpModule, JobsModule } from '@app/jobs';
import { ReverificationController } from './http/reverification.controller';
import { ActiveCredentialsReader } from './runs/active-credentials.reader';
import { ExpiryWarningsRepository } from './runs/expiry-warnings.repository';
import { ReverificationEffects } from './runs/reverification-effects';
import { ReverificationRequests } from './runs/reverification-requests';
import { Reverifier } from './runs/reverifier';
import { StatusListWatch } from './status-lists/status-list-watch';

const USE_CASES = [ActiveCredentialsReader, ReverificationEffects, ReverificationRequests, Reverifier, StatusListWatch];

/**
 * The reverification use cases, without HTTP (the worker's processors call them). Needs, from the application:
 * IncidentsCoreModule and TrustModule (both global: they provide ports other libraries declare).
 */
@Module({
  imports: [JobsModule, CredentialsModule, AuditTrailModule, OutboxModule, LiveEmitterModule],
  providers: [ExpiryWarningsRepository, ...USE_CASES],
  exports: [...USE_CASES, JobsModule],
})
export class ReverificationCoreModule {}

/** The api side: POST /incidents/:incidentId/reverify, POST /reverification/sweeps, GET /jobs/:id. */
@Module({ imports: [ReverificationCoreModule, JobsHttpModule], controllers: [ReverificationController] })
export class ReverificationModule {}

import { Global, Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { AppConfig } from '@app/config';
import { ownRecordIssuerFrom, TrustSource, withOwnRecordIssuer } from '@app/credentials';
import { DbTrustSource } from './db-trust-source';
import { TrustController } from './http/trust.controller';
import { TrustRegistryRepository } from './trust-registry.repository';
import { TrustRegistryService } from './trust-registry.service';

/**
 * The registry for every process: TrustRegistryService and the engine's TrustSource (a DB snapshot). Global, so
 * CredentialsModule (which only knows the TrustSource contract) finds it wherever it is imported.
 */
@Global()
@Module({
  imports: [AuditTrailModule],
  providers: [
    TrustRegistryRepository,
    { provide: DbTrustSource, useFactory: (repository: TrustRegistryRepository) => new DbTrustSource(repository), inject: [TrustRegistryRepository] },
    // The agency's own deployment-records issuer is pinned by configuration (docs/deployment-records.md, "Trust").
    {
      provide: TrustSource,
      useFactory: (db: DbTrustSource, config: AppConfig) => withOwnRecordIssuer(db, ownRecordIssuerFrom(config)),
      inject: [DbTrustSource, AppConfig],
    },
    TrustRegistryService,
  ],
  exports: [TrustSource, DbTrustSource, TrustRegistryService],
})
export class TrustModule {}

/** The /trust admin API (api process). */
@Module({ imports: [TrustModule], controllers: [TrustController] })
export class TrustHttpModule {}

import { Global, Module } from '@nestjs/common';
import { AuditTrailModule } from '@app/audit';
import { PracticeRulesController } from './http/practice-rules.controller';
import { PracticeAuthorityCache } from './practice-authority.cache';
import { PracticeRulesRepository } from './practice-rules.repository';
import { PracticeRulesService } from './practice-rules.service';

/**
 * The rules in force for every process (check-in decides with PracticeAuthorityCache, reverification re-checks with
 * it). Global, like the trust registry, so one cache per process serves every library that imports it.
 */
@Global()
@Module({
  imports: [AuditTrailModule],
  providers: [PracticeRulesRepository, PracticeAuthorityCache, PracticeRulesService],
  exports: [PracticeAuthorityCache, PracticeRulesService],
})
export class PracticeAuthorityModule {}

/** The /practice-authority admin API (api process). */
@Module({ imports: [PracticeAuthorityModule], controllers: [PracticeRulesController] })
export class PracticeAuthorityHttpModule {}

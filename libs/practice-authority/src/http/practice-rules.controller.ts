import { Body, Controller, Get, Put, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiTags, type SchemaObject } from '@nestjs/swagger';
import { z } from 'zod';
import { RequestActor, type AuditActor } from '@app/audit';
import { Roles } from '@app/auth';
import { ApiProblem, ApiProblems, ApiSuccess } from '@app/common';
import { practiceRulesSchema, type PracticeRulesDocument } from '../domain/practice-rules.document';
import { PracticeRulesImportSummaryDto, RuleSetVersionDto, RuleSetVersionQueryDto } from '../dto/practice-rules.dto';
import { PracticeRulesService, type PracticeRulesImportSummary, type RuleSetVersionView } from '../practice-rules.service';

/**
 * The practice-authority rules (compacts, EMAC missions, emergency orders) as versioned documents. Reads: admin and
 * auditor; import: admin only, audited.
 */
@ApiTags('practice-authority')
@ApiBearerAuth()
@Controller('practice-authority')
@ApiProblems(401, 403)
export class PracticeRulesController {
  constructor(private readonly rules: PracticeRulesService) {}

  /** The rules document in force (or of an earlier version): format responder-checkin/practice-rules, version 1. */
  @Get('rules')
  @Roles('admin', 'auditor')
  @ApiOkResponse({ standardSchema: practiceRulesSchema, description: 'The practice-rules document (docs/practice-authority.md).' })
  @ApiProblems(400, 404)
  exportRules(@Query() { version }: RuleSetVersionQueryDto): Promise<PracticeRulesDocument> {
    return this.rules.exportRules(version);
  }

  /** Imports a document as the next version; 422 practice_rules_invalid names the bad fields. */
  @Put('rules')
  @Roles('admin')
  @ApiBody({
    description: 'A practice-rules document (see docs/practice-authority.md)',
    schema: z.toJSONSchema(practiceRulesSchema, { target: 'openapi-3.0', io: 'input' }) as SchemaObject,
  })
  @ApiSuccess(PracticeRulesImportSummaryDto, { description: 'The document is the version in force: what changed.' })
  @ApiProblems(400)
  @ApiProblem('practice_rules_invalid', 'The document is invalid: `errors` names the bad fields.')
  importRules(@Body() document: unknown, @RequestActor() actor: AuditActor): Promise<PracticeRulesImportSummary> {
    return this.rules.importRules(document, actor);
  }

  @Get('rules/versions')
  @Roles('admin', 'auditor')
  @ApiSuccess([RuleSetVersionDto], { description: 'Every version, newest (in force) first.' })
  versions(): Promise<RuleSetVersionView[]> {
    return this.rules.versions();
  }
}

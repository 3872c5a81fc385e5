import { Body, Controller, HttpCode, Inject, Module, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiBadRequestResponse, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { CurrentUser, Roles, type Principal } from '@app/auth';
import { ApiProblems, ApiSuccess, DomainError, problemContent, RateLimiter } from '@app/common';
import { AppConfig } from '@app/config';
import { CredentialsModule } from '../credentials.module';
import { CredentialVerifier } from '../engine/credential-verifier';
import { isRecord } from '../util/json';
import type { VerificationResult, VerifyOptions } from '../verification-result';
import { VerificationResultDto } from './dto/verification-result.dto';
import { VerifyCredentialQueryDto } from './dto/verify-query.dto';

const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const QUERY_BOOLEANS = new Map([
  ['true', true],
  ['false', false],
]);

/** Parses the VC-API `options` (jurisdiction, mutual aid, full report, challenge, domain) or answers 400 validation_failed. */
function verifyOptions(raw: unknown, query: { jurisdiction?: string; fullReport?: string }): VerifyOptions {
  const options = isRecord(raw) ? raw : {};
  if (raw !== undefined && !isRecord(raw)) throw new DomainError('validation_failed', 'options must be an object.');
  const jurisdiction = options.jurisdiction ?? query.jurisdiction;
  if (jurisdiction !== undefined && (typeof jurisdiction !== 'string' || !JURISDICTION.test(jurisdiction))) {
    throw new DomainError('validation_failed', 'options.jurisdiction must look like US-FL (or US).', {
      errors: [{ field: 'options.jurisdiction', message: 'must look like US-FL' }],
    });
  }
  const aid = options.mutualAidJurisdictions;
  if (aid !== undefined && !(Array.isArray(aid) && aid.length <= 60 && aid.every((j) => typeof j === 'string' && JURISDICTION.test(j)))) {
    throw new DomainError('validation_failed', 'options.mutualAidJurisdictions must be a list of codes like US-GA.', {
      errors: [{ field: 'options.mutualAidJurisdictions', message: 'must be a list of codes like US-GA' }],
    });
  }
  const fullReport: unknown = options.fullReport ?? (query.fullReport === undefined ? undefined : (QUERY_BOOLEANS.get(query.fullReport) ?? query.fullReport));
  if (fullReport !== undefined && typeof fullReport !== 'boolean') {
    throw new DomainError('validation_failed', 'options.fullReport must be true or false.', {
      errors: [{ field: 'options.fullReport', message: 'must be a boolean' }],
    });
  }
  for (const name of ['challenge', 'domain'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'string' && value.length > 0 && value.length <= 512)) {
      throw new DomainError('validation_failed', `options.${name} must be text of at most 512 characters.`, {
        errors: [{ field: `options.${name}`, message: 'must be a string of 1 to 512 characters' }],
      });
    }
  }
  return {
    jurisdiction: jurisdiction as string | undefined,
    mutualAidJurisdictions: aid as string[] | undefined,
    fullReport,
    challenge: options.challenge as string | undefined,
    domain: options.domain as string | undefined,
  };
}

/**
 * W3C VC-API style verification: 200 when verified, 400 when not, always with the full result (checks, warnings,
 * errors, credential summary, evidence). Any signed-in user may verify, VERIFY_RATE_LIMIT_PER_MINUTE times a
 * minute (counted before any verification work). The body may also be the bare credential (text/plain,
 * application/vc+jwt, application/vc+sd-jwt or application/dc+sd-jwt) with `?jurisdiction=` and `?fullReport=`.
 * Without `fullReport`, a credential whose issuer is not trusted is answered from the registry alone, without
 * fetching anything for it.
 */
@ApiTags('credentials')
@ApiBearerAuth()
@Controller('credentials')
export class CredentialsController {
  constructor(
    private readonly verifier: CredentialVerifier,
    private readonly limiter: RateLimiter,
    @Inject(AppConfig) private readonly config: AppConfig,
  ) {}

  @Post('verify')
  @HttpCode(200)
  @Roles('admin', 'commander', 'checkin', 'auditor')
  @ApiBody({
    schema: {
      type: 'object',
      required: ['verifiableCredential'],
      properties: {
        verifiableCredential: {
          oneOf: [
            {
              type: 'string',
              description:
                'What a scan yields (docs/verification.md, "Formats"): a compact JWS (vc+jwt, Open Badges 3.0 JWT, VC-JWT 1.1, vp+jwt), an SD-JWT VC (with its ~-separated Disclosures), JSON credential text, a data: URL, or a URL carrying one',
            },
            {
              type: 'object',
              description:
                'A VC-API envelope (type EnvelopedVerifiableCredential, as a string or a list, id a data: URL) or a credential with an embedded proof',
              properties: { type: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] }, id: { type: 'string' } },
            },
          ],
        },
        options: {
          type: 'object',
          properties: {
            jurisdiction: { type: 'string', example: 'US-FL' },
            mutualAidJurisdictions: { type: 'array', items: { type: 'string' } },
            fullReport: {
              type: 'boolean',
              description: 'Check everything even when the issuer is not trusted here (fetches its keys and status lists, within the same limits).',
            },
            challenge: { type: 'string', description: 'The nonce this verifier gave the wallet: an SD-JWT VC must then carry a Key Binding JWT with it.' },
            domain: { type: 'string', description: 'This verifier as audience: an SD-JWT VC must then carry a Key Binding JWT with this aud.' },
          },
        },
      },
    },
  })
  @ApiSuccess(VerificationResultDto, { description: 'Verified: every check passed.' })
  @ApiBadRequestResponse({
    description:
      'Not verified: the result (application/json) says why in errors and warnings. Or the request is malformed (problem details: validation_failed, malformed_request).',
    content: { 'application/json': { schema: { $ref: getSchemaPath(VerificationResultDto) } }, ...problemContent() },
  })
  @ApiProblems(401, 429)
  async verify(
    @Body() body: unknown,
    @Query() { jurisdiction, fullReport }: VerifyCredentialQueryDto,
    @CurrentUser() user: Principal,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<VerificationResult> {
    await this.limiter.consume('verify', user.userId, this.config.auth.verifyRateLimitPerMinute);
    const credential = typeof body === 'string' ? body : isRecord(body) ? body.verifiableCredential : undefined;
    const options = verifyOptions(isRecord(body) ? body.options : undefined, { jurisdiction, fullReport });
    const result = await this.verifier.verify(credential, options);
    reply.code(result.verified ? 200 : 400);
    return withoutJws(result);
  }
}

/** POST /credentials/verify for the api process. */
@Module({ imports: [CredentialsModule], controllers: [CredentialsController] })
export class CredentialsHttpModule {}

/** The caller sent the credential; the answer need not echo it back (nor, for a presentation, the enclosed ones). */
function withoutJws(result: VerificationResult): VerificationResult {
  const { jws: _jws, credentials, ...rest } = result;
  return credentials ? { ...rest, credentials: credentials.map(withoutJws) } : rest;
}

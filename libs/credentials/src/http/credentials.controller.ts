import { Body, Controller, HttpCode, Module, Post, Query, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiBadRequestResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Roles } from '@app/auth';
import { DomainError } from '@app/common';
import { CredentialsModule } from '../credentials.module';
import { CredentialVerifier } from '../engine/credential-verifier';
import { isRecord } from '../util/json';
import type { VerificationResult, VerifyOptions } from '../verification-result';

const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;
const QUERY_BOOLEANS = new Map([['true', true], ['false', false]]);

/** Parses the VC-API `options` (jurisdiction, mutual aid, full report, challenge, domain) or answers 400 validation_failed. */
function verifyOptions(raw: unknown, query: { jurisdiction?: string; fullReport?: string }): VerifyOptions {
  const options = isRecord(raw) ? raw : {};
  if (raw !== undefined && !isRecord(raw)) throw new DomainError('validation_failed', 'options must be an object.');
  const jurisdiction = options.jurisdiction ?? query.jurisdiction;
  if (jurisdiction !== undefined && (typeof jurisdiction !== 'string' || !JURISDICTION.test(jurisdiction))) {
    throw new DomainError('validation_failed', 'options.jurisdiction must look like US-FL (or US).', { errors: [{ field: 'options.jurisdiction', message: 'must look like US-FL' }] });
  }
  const aid = options.mutualAidJurisdictions;
  if (aid !== undefined && !(Array.isArray(aid) && aid.length <= 60 && aid.every((j) => typeof j === 'string' && JURISDICTION.test(j)))) {
    throw new DomainError('validation_failed', 'options.mutualAidJurisdictions must be a list of codes like US-GA.', {
      errors: [{ field: 'options.mutualAidJurisdictions', message: 'must be a list of codes like US-GA' }],
    });
  }
  const fullReport: unknown = options.fullReport ?? (query.fullReport === undefined ? undefined : (QUERY_BOOLEANS.get(query.fullReport) ?? query.fullReport));
  if (fullReport !== undefined && typeof fullReport !== 'boolean') {
    throw new DomainError('validation_failed', 'options.fullReport must be true or false.', { errors: [{ field: 'options.fullReport', message: 'must be a boolean' }] });
  }
  for (const name of ['challenge', 'domain'] as const) {
    const value = options[name];
    if (value !== undefined && !(typeof value === 'string' && value.length > 0 && value.length <= 512)) {
      throw new DomainError('validation_failed', `options.${name} must be text of at most 512 characters.`, { errors: [{ field: `options.${name}`, message: 'must be a string of 1 to 512 characters' }] });
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
 * errors, credential summary, evidence). Any signed-in user may verify. The body may also be the bare JWS
 * (text/plain or application/vc+jwt) with `?jurisdiction=` and `?fullReport=`. Without `fullReport`, a credential
 * whose issuer is not trusted is answered from the registry alone, without fetching anything for it.
 */
@ApiTags('credentials')
@ApiBearerAuth()
@Controller('credentials')
export class CredentialsController {
  constructor(private readonly verifier: CredentialVerifier) {}

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
            { type: 'string', description: 'Compact JWS (vc+jwt, VC-JWT, vp+jwt), compact SD-JWT VC (with its ~-separated Disclosures), data: envelope, or a URL carrying a JWS' },
            { type: 'object', properties: { type: { type: 'string', enum: ['EnvelopedVerifiableCredential'] }, id: { type: 'string' } } },
          ],
        },
        options: {
          type: 'object',
          properties: {
            jurisdiction: { type: 'string', example: 'US-FL' },
            mutualAidJurisdictions: { type: 'array', items: { type: 'string' } },
            fullReport: { type: 'boolean', description: 'Check everything even when the issuer is not trusted here (fetches its keys and status lists, within the same limits).' },
            challenge: { type: 'string', description: 'The nonce this verifier gave the wallet: an SD-JWT VC must then carry a Key Binding JWT with it.' },
            domain: { type: 'string', description: 'This verifier as audience: an SD-JWT VC must then carry a Key Binding JWT with this aud.' },
          },
        },
      },
    },
  })
  @ApiOkResponse({ description: 'Verified: every check passed.' })
  @ApiBadRequestResponse({ description: 'Not verified (see errors and warnings), or the request is malformed.' })
  async verify(
    @Body() body: unknown,
    @Query('jurisdiction') jurisdiction: string | undefined,
    @Query('fullReport') fullReport: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<VerificationResult> {
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

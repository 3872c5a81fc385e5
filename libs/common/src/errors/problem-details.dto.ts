import { ApiProperty, ApiPropertyOptional, ApiSchema } from '@nestjs/swagger';
import { ERROR_CODES, type ErrorCode } from './error-codes';
import type { ProblemDetails } from './problem-details.filter';

export class FieldErrorDto {
  @ApiProperty({ example: 'email' }) field!: string;
  @ApiProperty({ example: 'email must be an email' }) message!: string;
}

export class ProblemReasonDto {
  @ApiProperty({ example: 'revoked' }) code!: string;
  @ApiProperty({ example: 'The issuer has revoked this credential.' }) message!: string;
}

/** The body of every error response (ProblemDetailsFilter), as the OpenAPI document describes it. */
@ApiSchema({ name: 'ProblemDetails', description: 'RFC 9457 problem details, sent as application/problem+json.' })
export class ProblemDetailsDto implements ProblemDetails {
  [extra: string]: unknown;

  @ApiProperty({ example: 'https://responder-checkin.dev/problems/not_found', description: 'Identifies the code' })
  type!: string;

  @ApiProperty({ example: 'Not Found', description: 'The HTTP status in words' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 404 })
  status!: number;

  @ApiProperty({ example: 'Incident 7b0c… was not found', description: 'What went wrong, in plain words for the user' })
  detail!: string;

  @ApiProperty({ enum: ERROR_CODES, enumName: 'ErrorCode', description: 'Stable reason code (never renamed)' })
  code!: ErrorCode;

  @ApiPropertyOptional({ example: '/incidents/7b0c…', description: 'The request path' })
  instance?: string;

  @ApiPropertyOptional({ description: 'The request id (also the X-Request-Id header); quote it when reporting a problem' })
  correlationId?: string;

  @ApiPropertyOptional({ type: [FieldErrorDto], description: 'validation_failed and the like: the fields at fault' })
  errors?: FieldErrorDto[];

  @ApiPropertyOptional({ type: [ProblemReasonDto], description: 'walk_up_credential_refused: why the credential or licence did not verify' })
  reasons?: ProblemReasonDto[];

  @ApiPropertyOptional({ type: 'integer', description: 'rate_limited: seconds to wait (also the Retry-After header)' })
  retryAfterSeconds?: number;
}

import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { ISSUER_ID_PATTERN, JURISDICTION_PATTERN, QUALIFICATION_CODE_PATTERN } from '../trust-list.document';

/** GET /trust/issuers filters. */
export class ListIssuersQueryDto {
  @ApiPropertyOptional({ example: 'US-FL' })
  @IsOptional()
  @Matches(JURISDICTION_PATTERN, { message: 'jurisdiction must look like US-FL.' })
  jurisdiction?: string;

  @ApiPropertyOptional({ example: 'RN' })
  @IsOptional()
  @Matches(QUALIFICATION_CODE_PATTERN, { message: 'qualification must be a code like RN.' })
  qualification?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], example: 'false', description: 'false leaves retired issuers out (default true)' })
  @IsOptional()
  @IsIn(['true', 'false'])
  includeRetired?: 'true' | 'false';
}

/** An issuer id in the path: a DID or an URL (not a UUID), sent URL-encoded. */
export class IssuerIdParamsDto {
  @ApiProperty({ example: 'did:web:boards.example.org:fl:nursing', description: 'DID or https URL, URL-encoded (encodeURIComponent)' })
  @IsString()
  @Length(3, 2048)
  @Matches(ISSUER_ID_PATTERN, { message: 'id must be a DID or an https URL' })
  id!: string;
}

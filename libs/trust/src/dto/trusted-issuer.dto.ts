import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length, Matches, MaxLength, ValidateIf } from 'class-validator';
import { SUPPORTED_ALGORITHMS } from '@app/credentials';
import { ISSUER_ID_PATTERN, JURISDICTION_PATTERN, QUALIFICATION_CODE_PATTERN } from '../trust-list.document';

export class CreateTrustedIssuerDto {
  @ApiProperty({ example: 'did:web:boards.example.org:fl:nursing', description: 'DID or https URL, exactly as credentials name their issuer' })
  @IsString()
  @Length(3, 2048)
  @Matches(ISSUER_ID_PATTERN, { message: 'id must be a DID or an https URL' })
  id!: string;

  @ApiProperty({ example: 'Florida Board of Nursing', description: 'Shown to users instead of the name a credential claims' })
  @IsString()
  @Length(1, 200)
  name!: string;

  @ApiProperty({ type: [String], example: ['US-FL'], description: 'US-xx, or US for national certifiers (covers every US-xx)' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(60)
  @Matches(JURISDICTION_PATTERN, { each: true, message: 'jurisdictions must each look like US-FL or US' })
  jurisdictions!: string[];

  @ApiProperty({ type: [String], example: ['RN', 'LPN'], description: 'Qualification codes the issuer is authorized for' })
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(QUALIFICATION_CODE_PATTERN, { each: true, message: 'qualifications must each be a code like RN' })
  qualifications!: string[];

  @ApiPropertyOptional({ type: [String], example: ['ES256'], description: 'Accepted JWS algorithms (default ES256, ES384, EdDSA; RS256/PS256 only if listed)' })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsIn(SUPPORTED_ALGORITHMS, { each: true, message: `algorithms must each be one of ${SUPPORTED_ALGORITHMS.join(', ')}` })
  algorithms?: string[];

  @ApiPropertyOptional({ example: '2025-01-01T00:00:00Z' }) @IsOptional() @IsISO8601({ strict: true }) validFrom?: string;
  @ApiPropertyOptional({ example: '2030-01-01T00:00:00Z' }) @IsOptional() @IsISO8601({ strict: true }) validUntil?: string;
}

/** Every field optional; `null` clears validFrom / validUntil. */
export class UpdateTrustedIssuerDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) name?: string;

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(60)
  @Matches(JURISDICTION_PATTERN, { each: true, message: 'jurisdictions must each look like US-FL or US' })
  jurisdictions?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @Matches(QUALIFICATION_CODE_PATTERN, { each: true, message: 'qualifications must each be a code like RN' })
  qualifications?: string[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(10)
  @IsIn(SUPPORTED_ALGORITHMS, { each: true, message: `algorithms must each be one of ${SUPPORTED_ALGORITHMS.join(', ')}` })
  algorithms?: string[];

  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsISO8601({ strict: true }) validFrom?: string | null;
  @ApiPropertyOptional({ nullable: true }) @IsOptional() @ValidateIf((_, v) => v !== null) @IsISO8601({ strict: true }) validUntil?: string | null;
}

export class RetireTrustedIssuerDto {
  @ApiPropertyOptional({ example: 'Board merged into the Department of Health' }) @IsOptional() @IsString() @MaxLength(500) reason?: string;
}

export interface TrustedIssuerView {
  id: string;
  name: string;
  jurisdictions: string[];
  qualifications: string[];
  algorithms: string[];
  validFrom: string | null;
  validUntil: string | null;
  retiredAt: string | null;
  /** In force now: within its active period and not retired. */
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface TrustListImportSummary {
  digest: string;
  issuers: number;
  qualifications: number;
  added: string[];
  updated: string[];
  removed: string[];
}

export class TrustedIssuerDto implements TrustedIssuerView {
  @ApiProperty({ example: 'did:web:boards.example.org:fl:nursing' }) id!: string;
  @ApiProperty({ example: 'Florida Board of Nursing' }) name!: string;
  @ApiProperty({ type: [String], example: ['US-FL'] }) jurisdictions!: string[];
  @ApiProperty({ type: [String], example: ['RN', 'LPN'] }) qualifications!: string[];
  @ApiProperty({ type: [String], example: ['ES256'] }) algorithms!: string[];
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) validFrom!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) validUntil!: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) retiredAt!: string | null;
  @ApiProperty({ description: 'In force now: within its active period and not retired' }) active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
}

export class TrustListImportSummaryDto implements TrustListImportSummary {
  @ApiProperty({ description: 'sha256 (hex) of the JCS-canonical document' }) digest!: string;
  @ApiProperty({ type: 'integer' }) issuers!: number;
  @ApiProperty({ type: 'integer' }) qualifications!: number;
  @ApiProperty({ type: [String], description: 'Issuer ids' }) added!: string[];
  @ApiProperty({ type: [String], description: 'Issuer ids' }) updated!: string[];
  @ApiProperty({ type: [String], description: 'Issuer ids' }) removed!: string[];
}

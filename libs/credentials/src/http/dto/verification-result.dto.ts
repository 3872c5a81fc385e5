import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  CHECK_IDS,
  REASON_CODES,
  type CheckId,
  type CheckStatus,
  type CredentialSummary,
  type ReasonCode,
  type PrimarySourceEvidence,
  type StatusEntrySummary,
  type StatusEvidence,
  type VerificationCheck,
  type VerificationEvidence,
  type VerificationResult,
} from '../../verification-result';

export class VerificationCheckDto implements VerificationCheck {
  @ApiProperty({ enum: CHECK_IDS }) id!: CheckId;
  @ApiProperty({ enum: ['pass', 'fail', 'indeterminate', 'skipped'] }) status!: CheckStatus;
  @ApiProperty({ enum: [...REASON_CODES, 'ok', 'skipped'], description: '`ok` when passed, `skipped` when not run, otherwise the reason code' })
  code!: ReasonCode | 'ok' | 'skipped';
  @ApiProperty({ description: 'Plain English, for check-in staff' }) message!: string;
}

export class StatusEntrySummaryDto implements StatusEntrySummary {
  @ApiProperty({ example: 'BitstringStatusListEntry' }) type!: string;
  @ApiProperty({ example: 'revocation' }) purpose!: string;
  @ApiProperty() listUrl!: string;
  @ApiProperty({ type: 'integer' }) index!: number;
}

export class CredentialIssuerDto {
  @ApiProperty({ example: 'did:web:boards.example.org:fl:nursing' }) id!: string;
  @ApiPropertyOptional({ description: 'From the trust registry; shown instead of anything the credential claims' }) registryName?: string;
  @ApiPropertyOptional({ description: 'The name the credential claims for its issuer (never shown as authoritative)' }) claimedName?: string;
  @ApiPropertyOptional({ type: [String], description: 'From the trust registry: where the issuer licenses' }) jurisdictions?: string[];
}

export class CredentialSubjectDto {
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() email?: string;
}

export class AchievementDto {
  @ApiPropertyOptional() id?: string;
  @ApiPropertyOptional() name?: string;
  @ApiPropertyOptional() achievementType?: string;
}

export class CredentialSummaryDto implements CredentialSummary {
  @ApiProperty({
    enum: ['vc+jwt', 'ob3-jwt', 'jwt-vc', 'ldp-vc', 'dc+sd-jwt', 'primary-source'],
    description:
      '`vc+jwt` (VC-JOSE-COSE), `ob3-jwt` (Open Badges 3.0 JWT: the payload is the credential), `jwt-vc` (VC-JWT 1.1: the credential in a `vc` claim), `ldp-vc` (JSON-LD with a Data Integrity proof), `dc+sd-jwt` (SD-JWT VC) or `primary-source` (a licence looked up at its licensing authority: no signed credential)',
  })
  format!: CredentialSummary['format'];
  @ApiPropertyOptional() id?: string;
  @ApiProperty({ type: [String] }) types!: string[];
  @ApiPropertyOptional({ description: "SD-JWT VC: the credential type, which the registry's `vct` rules map to a qualification" }) vct?: string;
  @ApiProperty({ type: CredentialIssuerDto }) issuer!: CredentialIssuerDto;
  @ApiProperty({ type: CredentialSubjectDto }) subject!: CredentialSubjectDto;
  @ApiPropertyOptional({ example: 'RN', description: 'Our qualification code, by the documented mapping rules' }) qualification?: string;
  @ApiPropertyOptional({ type: AchievementDto }) achievement?: AchievementDto;
  @ApiPropertyOptional() licenseNumber?: string;
  @ApiPropertyOptional({ description: 'The licence is multistate (a compact privilege), as the credential states it' }) multistate?: boolean;
  @ApiPropertyOptional({ format: 'date-time' }) validFrom?: string;
  @ApiPropertyOptional({ format: 'date-time' }) validUntil?: string;
  @ApiProperty({ type: [StatusEntrySummaryDto] }) status!: StatusEntrySummaryDto[];
}

export class StatusEvidenceDto implements StatusEvidence {
  @ApiProperty() listUrl!: string;
  @ApiProperty() purpose!: string;
  @ApiProperty({ type: 'integer' }) index!: number;
  @ApiPropertyOptional({ type: 'integer', description: 'The bit (or status value) read; absent when the list could not be read' }) value?: number;
  @ApiPropertyOptional({ format: 'date-time' }) fetchedAt?: string;
}

export class PrimarySourceRequestDto {
  @ApiProperty({ example: 'FL' }) state!: string;
  @ApiProperty({ example: 'RN' }) profession!: string;
  @ApiProperty({ description: 'HMAC-SHA256 (hex) of the normalised licence number under the server key' }) licenceNumberHash!: string;
}

export class PrimarySourceStaffDto {
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty() name!: string;
}

export class PrimarySourceIdentityDto {
  @ApiProperty({ example: 'Two forms of ID seen' }) statement!: string;
  @ApiProperty({ type: PrimarySourceStaffDto }) confirmedBy!: PrimarySourceStaffDto;
  @ApiProperty({ format: 'date-time' }) at!: string;
}

export class PrimarySourceEvidenceDto implements PrimarySourceEvidence {
  @ApiProperty({ example: 'nursys' }) source!: string;
  @ApiProperty() sourceName!: string;
  @ApiProperty({ format: 'date-time' }) lookedUpAt!: string;
  @ApiProperty() cached!: boolean;
  @ApiProperty({ format: 'date-time' }) freshUntil!: string;
  @ApiProperty({ type: PrimarySourceRequestDto }) request!: PrimarySourceRequestDto;
  @ApiProperty({ type: String, nullable: true, description: "sha256 (hex) of the source's answer as received" }) responseHash!: string | null;
  @ApiProperty({ enum: ['licensed', 'not_licensed', 'not_found', 'indeterminate'] }) result!: PrimarySourceEvidence['result'];
  @ApiPropertyOptional({ example: 'active' }) licenceStatus?: string;
  @ApiPropertyOptional({ example: 'timeout' }) detail?: string;
  @ApiPropertyOptional({ type: PrimarySourceIdentityDto, description: 'At check-in: the staff statement that two forms of ID were seen' })
  identity?: PrimarySourceIdentityDto;
  @ApiProperty() assurance!: string;
}

export class VerificationEvidenceDto implements VerificationEvidence {
  @ApiProperty({
    description: 'sha256 (hex) of the credential exactly as verified (the compact JWS or SD-JWT; the RFC 8785 canonical JSON of a Data Integrity credential)',
  })
  credentialHash!: string;
  @ApiPropertyOptional({ example: 'ES256' }) algorithm?: string;
  @ApiPropertyOptional({ description: 'The verification method id used (e.g. did:web:...#key-1)' }) keyId?: string;
  @ApiPropertyOptional({ description: 'RFC 7638 thumbprint of the public key used' }) keyThumbprint?: string;
  @ApiProperty({ type: [StatusEvidenceDto] }) status!: StatusEvidenceDto[];
  @ApiProperty({ format: 'date-time' }) verifiedAt!: string;
  @ApiPropertyOptional({ type: PrimarySourceEvidenceDto, description: 'A licence checked at its primary source: the lookup, as evidence' })
  primarySource?: PrimarySourceEvidenceDto;
}

/** POST /credentials/verify's answer: the engine's result without the JWS the caller sent. */
export class VerificationResultDto implements Omit<VerificationResult, 'jws'> {
  @ApiProperty({ description: 'True only when every check passed' }) verified!: boolean;
  @ApiProperty({ type: [VerificationCheckDto] }) checks!: VerificationCheckDto[];
  @ApiProperty({ type: [VerificationCheckDto], description: "Indeterminate checks (e.g. status list unreachable): the caller's policy decides" })
  warnings!: VerificationCheckDto[];
  @ApiProperty({ type: [VerificationCheckDto], description: 'Failed checks' }) errors!: VerificationCheckDto[];
  @ApiPropertyOptional({ type: CredentialSummaryDto }) credential?: CredentialSummaryDto;
  @ApiProperty({ type: VerificationEvidenceDto }) evidence!: VerificationEvidenceDto;
  @ApiPropertyOptional({ type: () => [VerificationResultDto], description: 'Presentations: one result per enclosed credential' })
  credentials?: VerificationResultDto[];
}

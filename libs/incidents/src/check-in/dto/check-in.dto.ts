import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDateString, IsInt, IsOptional, IsString, IsUUID, Length, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

/** ICS 211 blocks staff may enter or correct (the rest comes from the credential and the incident). */
export class Ics211InputDto {
  @ApiPropertyOptional({ example: 'FL' }) @IsOptional() @IsString() @Matches(/^[A-Z]{2}$/) state?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) agency?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) category?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) kind?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) type?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) resourceName?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) strikeTeam?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) orderRequestNumber?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) leaderName?: string;
  @ApiPropertyOptional() @IsOptional() @IsInt() @Min(1) @Max(10000) totalPersonnel?: number;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(300) contactInformation?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) homeUnit?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) departurePoint?: string;
  @ApiPropertyOptional() @IsOptional() @IsDateString() departureAt?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) methodOfTravel?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(200) incidentAssignment?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(500) otherQualifications?: string;
  @ApiPropertyOptional() @IsOptional() @IsString() @MaxLength(100) sentToResourcesUnit?: string;
}

export class CheckInDto {
  @ApiProperty({
    description:
      'What the badge scan yielded (docs/verification.md, "Formats"): a compact JWS (vc+jwt, Open Badges 3.0 JWT, VC-JWT 1.1, vp+jwt), an SD-JWT, JSON credential text, a data: URL, or a URL carrying one',
    maxLength: 65536,
  })
  @IsString()
  @Length(1, 65536)
  credential!: string;

  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() positionId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;

  @ApiPropertyOptional({ type: Ics211InputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => Ics211InputDto)
  ics211?: Ics211InputDto;
}

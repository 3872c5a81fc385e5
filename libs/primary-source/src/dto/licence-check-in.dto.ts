import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, ValidateNested } from 'class-validator';
import { Ics211InputDto } from '@app/incidents';

/** A licence to look up at its source: what the staff member typed or the card's barcode gave, and their statement. */
export class LicenceLookupDto {
  @ApiProperty({ example: 'RN9876543', description: 'As printed on the card or read from its barcode (spaces and dashes are ignored)' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 -]{0,39}$/, { message: 'licenceNumber must be 1-40 letters, digits, spaces or dashes' })
  licenceNumber!: string;

  @ApiProperty({ example: 'FL', description: 'The state that issued the licence' })
  @IsString()
  @Matches(/^[A-Z]{2}$/)
  state!: string;

  @ApiProperty({ example: 'RN', description: 'Our profession code (RN, LPN, APRN, PARAMEDIC, EMT, MD, ...)' })
  @IsString()
  @Matches(/^[A-Z_]{2,20}$/)
  profession!: string;

  @ApiProperty({ description: 'The check-in staff member states that two forms of ID were seen and match the licence holder (recorded with who)' })
  @IsBoolean()
  twoFormsOfIdSeen!: boolean;

  @ApiPropertyOptional({ description: 'The name on the ID: shown when the source cannot be reached (the source’s name is used otherwise)', maxLength: 200 })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ enum: ['typed', 'barcode'], description: 'How the number was entered (recorded)' })
  @IsOptional()
  @IsIn(['typed', 'barcode'])
  entry?: 'typed' | 'barcode';
}

/** A licence-number check-in at the station. */
export class LicenceCheckInDto extends LicenceLookupDto {
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() positionId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) @IsOptional() @IsUUID() locationId?: string;

  @ApiPropertyOptional({ type: Ics211InputDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => Ics211InputDto)
  ics211?: Ics211InputDto;
}

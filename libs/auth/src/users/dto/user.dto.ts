import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, IsArray, IsBoolean, IsEmail, IsIn, IsOptional, IsString, Length, Matches, MaxLength } from 'class-validator';
import { ROLES, type Role } from '../../roles';

const JURISDICTION = /^[A-Z]{2}(-[A-Z0-9]{1,3})?$/;

export class SignInDto {
  @ApiProperty({ example: 'admin@example.org' })
  @IsEmail()
  @MaxLength(254)
  email!: string;

  @ApiProperty()
  @IsString()
  @Length(1, 256)
  password!: string;
}

export class ChangePasswordDto {
  @ApiProperty() @IsString() @Length(1, 256) currentPassword!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(12, 256) newPassword!: string;
}

export class CreateUserDto {
  @ApiProperty() @IsEmail() @MaxLength(254) email!: string;
  @ApiProperty() @IsString() @Length(1, 200) displayName!: string;
  @ApiProperty({ minLength: 12 }) @IsString() @Length(12, 256) password!: string;
  @ApiProperty({ enum: ROLES }) @IsIn(ROLES) role!: Role;
  @ApiPropertyOptional({ type: [String], example: ['US-FL'], description: 'Auditors: jurisdictions they may read' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(60)
  @Matches(JURISDICTION, { each: true })
  jurisdictions?: string[];
}

export class UpdateUserDto {
  @ApiPropertyOptional() @IsOptional() @IsString() @Length(1, 200) displayName?: string;
  @ApiPropertyOptional({ minLength: 12 }) @IsOptional() @IsString() @Length(12, 256) password?: string;
  @ApiPropertyOptional({ enum: ROLES }) @IsOptional() @IsIn(ROLES) role?: Role;
  @ApiPropertyOptional({ type: [String] }) @IsOptional() @IsArray() @ArrayMaxSize(60) @Matches(JURISDICTION, { each: true }) jurisdictions?: string[];
  @ApiPropertyOptional() @IsOptional() @IsBoolean() active?: boolean;
}

export interface UserView {
  id: string;
  email: string;
  displayName: string;
  role: Role;
  jurisdictions: string[];
  active: boolean;
  createdAt: string;
}

export class UserDto implements UserView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() email!: string;
  @ApiProperty() displayName!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty({ type: [String], example: ['US-FL'], description: 'Auditors: the jurisdictions whose incidents they may read' })
  jurisdictions!: string[];
  @ApiProperty() active!: boolean;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
}

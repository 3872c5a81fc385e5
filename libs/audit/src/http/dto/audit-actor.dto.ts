import { ApiProperty, ApiPropertyOptional, getSchemaPath, type ApiPropertyOptions } from '@nestjs/swagger';

/** Who did something, as the audit trail records it: a user, someone not signed in, or a process. */
export class UserActorDto {
  @ApiProperty({ enum: ['user'] }) kind!: 'user';
  @ApiProperty({ format: 'uuid' }) userId!: string;
  @ApiProperty({ example: 'commander' }) role!: string;
  @ApiPropertyOptional() email?: string;
  @ApiPropertyOptional() ip?: string;
  @ApiPropertyOptional({ description: 'The scanning device (X-Device-Id)' }) device?: string;
}

export class AnonymousActorDto {
  @ApiProperty({ enum: ['anonymous'] }) kind!: 'anonymous';
  @ApiPropertyOptional({ description: 'The e-mail a failed sign-in gave' }) email?: string;
  @ApiPropertyOptional() ip?: string;
  @ApiPropertyOptional() device?: string;
}

export class SystemActorDto {
  @ApiProperty({ enum: ['system'] }) kind!: 'system';
  @ApiProperty({ enum: ['api', 'worker', 'cli'] }) process!: 'api' | 'worker' | 'cli';
  @ApiPropertyOptional({ description: 'The background run, e.g. reverify:<job id>' }) job?: string;
}

export type AuditActorDto = UserActorDto | AnonymousActorDto | SystemActorDto;
export const AUDIT_ACTOR_DTOS = [UserActorDto, AnonymousActorDto, SystemActorDto];

/** The @ApiProperty of a field holding an actor (the class declaring it needs @ApiExtraModels(...AUDIT_ACTOR_DTOS)). */
export const AUDIT_ACTOR_PROPERTY: ApiPropertyOptions = {
  oneOf: AUDIT_ACTOR_DTOS.map((dto) => ({ $ref: getSchemaPath(dto) })),
  discriminator: {
    propertyName: 'kind',
    mapping: { user: getSchemaPath(UserActorDto), anonymous: getSchemaPath(AnonymousActorDto), system: getSchemaPath(SystemActorDto) },
  },
};

import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches } from 'class-validator';

/** POST /credentials/verify query: the options of a bare credential body (a JSON body's `options` win). */
export class VerifyCredentialQueryDto {
  @ApiPropertyOptional({ example: 'US-FL' })
  @IsOptional()
  @Matches(/^[A-Z]{2}(-[A-Z0-9]{1,3})?$/, { message: 'jurisdiction must look like US-FL (or US).' })
  jurisdiction?: string;

  @ApiPropertyOptional({ enum: ['true', 'false'], description: 'Check everything even when the issuer is not trusted here' })
  @IsOptional()
  @IsIn(['true', 'false'], { message: 'fullReport must be true or false.' })
  fullReport?: 'true' | 'false';
}

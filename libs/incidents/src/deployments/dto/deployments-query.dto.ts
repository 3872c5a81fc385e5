import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';

/** GET /incidents/:incidentId/deployments: active deployments, or all of them with include=checked_out. */
export class ListDeploymentsQueryDto {
  @ApiPropertyOptional({ enum: ['checked_out'], description: 'checked_out: the checked-out deployments too' })
  @IsOptional()
  @IsIn(['checked_out'])
  include?: 'checked_out';
}

import { Controller, Get, HttpCode, Res } from '@nestjs/common';
import { ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Public } from '@app/auth';
import { ApiSuccess, RedisConnection } from '@app/common';
import { Database } from '@app/db';
import { LivenessDto, ReadinessDto } from './dto/health.dto';

type Check = 'up' | 'down';

@ApiTags('health')
@Controller('health')
@Public()
export class HealthController {
  constructor(
    private readonly db: Database,
    private readonly redis: RedisConnection,
  ) {}

  /** The process is up (for restarts by an orchestrator). */
  @Get('live')
  @HttpCode(200)
  @ApiSuccess(LivenessDto, { description: 'The process is up.' })
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /** PostgreSQL and Redis reachable (for load balancers); 503 naming what is not. */
  @Get('ready')
  @ApiSuccess(ReadinessDto, { description: 'PostgreSQL and Redis are reachable.' })
  @ApiServiceUnavailableResponse({
    type: ReadinessDto,
    description: 'PostgreSQL or Redis is not reachable (the body says which); retry after Retry-After seconds.',
  })
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: 'ok' | 'unavailable'; postgres: Check; redis: Check }> {
    const [postgres, redis] = await Promise.all([this.pingDb(), this.redis.ping()]);
    const result = { postgres: postgres ? 'up' : 'down', redis: redis ? 'up' : 'down' } as const;
    const ok = postgres && redis;
    if (!ok) reply.code(503).header('Retry-After', '5');
    return { status: ok ? 'ok' : 'unavailable', ...result };
  }

  private async pingDb(): Promise<boolean> {
    try {
      await Promise.race([this.db.ping(), new Promise<never>((_, reject) => setTimeout(() => reject(new Error('timeout')), 2000).unref())]);
      return true;
    } catch {
      return false;
    }
  }
}

import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { MatchingHash } from './matching-hash';
import { RateLimiter } from './rate-limiter';
import { RedisModule } from './redis/redis.module';

@Global()
@Module({ imports: [RedisModule], providers: [Clock, RateLimiter, MatchingHash], exports: [Clock, RateLimiter, MatchingHash, RedisModule] })
export class CommonModule {}

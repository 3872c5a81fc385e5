import { Global, Module } from '@nestjs/common';
import { Clock } from './clock';
import { RateLimiter } from './rate-limiter';
import { RedisModule } from './redis/redis.module';

@Global()
@Module({ imports: [RedisModule], providers: [Clock, RateLimiter], exports: [Clock, RateLimiter, RedisModule] })
export class CommonModule {}

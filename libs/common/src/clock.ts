import { Injectable } from '@nestjs/common';

/** The one clock. Tests replace it to move time (expiry, TTLs) without sleeping. */
@Injectable()
export class Clock {
  now(): Date {
    return new Date();
  }
}

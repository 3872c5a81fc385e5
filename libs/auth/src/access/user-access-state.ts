import { Injectable, OnModuleInit } from '@nestjs/common';
import { SingleFlight } from '@app/common';
import type { UserAccess } from '../users/user';
import { UsersRepository } from '../users/users.repository';
import { AccessChanges } from './access-changes';

/**
 * Remembered this long per user (every request asks). A change made by this or another process clears it at once
 * through AccessChanges; without Redis, a change still applies within this time.
 */
export const USER_ACCESS_CACHE_MS = 3000;
const CACHE_LIMIT = 20_000;

/** The current access state of each user, read from app_user and cached briefly. */
@Injectable()
export class UserAccessState implements OnModuleInit {
  private readonly cache = new Map<string, { access: UserAccess | null; until: number }>();
  private readonly loads = new SingleFlight<UserAccess | null>();
  /** Moves on every change: a load that started before a change must not cache what it read. */
  private generation = 0;

  constructor(
    private readonly users: UsersRepository,
    private readonly changes: AccessChanges,
  ) {}

  onModuleInit(): void {
    this.changes.listen((change) => {
      if (change.kind === 'incident') return;
      this.generation++;
      if (change.kind === 'user') this.cache.delete(change.userId);
      else this.cache.clear();
    });
  }

  /** The user's access state; null for a user that does not exist. */
  async get(userId: string): Promise<UserAccess | null> {
    const hit = this.cache.get(userId);
    if (hit && hit.until > Date.now()) return hit.access;
    const generation = this.generation;
    const access = await this.loads.run(`${userId}:${generation}`, () => this.load(userId));
    if (generation === this.generation) {
      if (this.cache.size >= CACHE_LIMIT) this.cache.clear();
      this.cache.set(userId, { access, until: Date.now() + USER_ACCESS_CACHE_MS });
    }
    return access;
  }

  private async load(userId: string): Promise<UserAccess | null> {
    return (await this.users.access(userId)) ?? null;
  }
}

import type { MigrationInterface } from 'typeorm';
import { UsersAndKeys1764300000000 } from './1764300000000-users-and-keys';
import { OutboxAndAudit1764300050000 } from './1764300050000-outbox-and-audit';

/**
 * Every migration, in order. Each feature adds its own file here (timestamp-name.ts) and one line below;
 * a migration holds SQL only and imports nothing from the libraries.
 */
export const migrations: Array<new () => MigrationInterface> = [
  UsersAndKeys1764300000000,
  OutboxAndAudit1764300050000,
];

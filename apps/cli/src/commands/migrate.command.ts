import { parseArgs } from 'node:util';
import { parseConfig } from '@app/config';
import { EXIT, UsageError, type CliCommand } from '../cli';

const USAGE = `Usage:
  migrate
      Creates the database if it is missing and applies pending migrations, as the schema's owner:
      MIGRATION_DATABASE_URL (else DATABASE_URL). Run it before the api and worker when they connect as a role that
      owns nothing (docker/compose.yml does). Prints each migration it ran.`;

/** `migrate`: the schema owner's step, apart from the api and worker (which then run as a role that owns nothing). */
export const migrateCommand: CliCommand = {
  summary: 'Create and migrate the database as its owner (MIGRATION_DATABASE_URL)',
  usage: USAGE,
  async run(args, io) {
    const { positionals } = parseArgs({ args, allowPositionals: true, strict: true, options: {} });
    if (positionals.length > 0) throw new UsageError('migrate takes no arguments.');
    const config = parseConfig(io.env);
    const { ensureDatabaseExists, runMigrations } = await import('@app/db');
    await ensureDatabaseExists(config.database.migrationUrl);
    const ran = await runMigrations(config.database.migrationUrl, config.matching.hashKey);
    io.stdout.write(ran.length === 0 ? 'the database is up to date\n' : `${ran.map((name) => `applied ${name}`).join('\n')}\n`);
    return EXIT.ok;
  },
};

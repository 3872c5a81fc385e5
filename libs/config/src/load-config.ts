import { readFileSync } from 'node:fs';
import { envSchema } from './config.schema';
import { type AppConfig, toAppConfig } from './app-config';

export class ConfigError extends Error {}

/** Secrets that may also come from a file (`NAME_FILE=/run/secrets/...`, as container secrets are mounted). */
export const FILE_SECRETS = [
  'AUTH_SIGNING_KEY',
  'CHECKPOINT_SIGNING_KEY',
  'KEY_ENCRYPTION_KEY',
  'AUDIT_TRUSTED_CHECKPOINT_KEYS',
  'RECORDS_SIGNING_KEY',
  'MATCHING_HASH_KEY',
  'LICENCE_HASH_KEY',
] as const;

/** Parses the environment; throws a ConfigError whose message is one line naming the variable and what it expects. */
export function parseConfig(source: Record<string, string | undefined>): AppConfig {
  const cleaned = withFileSecrets(Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== '')));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const issue = result.error.issues[0];
    const name = String(issue.path[0] ?? 'environment');
    throw new ConfigError(`Invalid configuration: ${name} ${describe(issue.message)}`);
  }
  return toAppConfig(result.data);
}

function withFileSecrets(env: Record<string, string | undefined>): Record<string, string | undefined> {
  const out = { ...env };
  for (const name of FILE_SECRETS) {
    const path = env[`${name}_FILE`];
    if (path === undefined) continue;
    if (env[name] !== undefined) throw new ConfigError(`Invalid configuration: set ${name} or ${name}_FILE, not both`);
    try {
      out[name] = readFileSync(path, 'utf8').trim();
    } catch (err) {
      throw new ConfigError(`Invalid configuration: ${name}_FILE cannot be read (${(err as NodeJS.ErrnoException).code ?? 'unreadable'})`);
    }
  }
  return out;
}

function describe(message: string): string {
  const m = message.replace(/^Invalid (string|input): /i, '');
  return /^(must|expected)/i.test(m) ? m.charAt(0).toLowerCase() + m.slice(1) : `must be ${m}`;
}

/** For process entry points: parse process.env or print the one clear line and exit(1). */
export function loadConfigOrExit(): AppConfig {
  try {
    return parseConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}

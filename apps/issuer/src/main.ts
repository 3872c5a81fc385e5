import { z } from 'zod';
import { DEFAULT_STATUS_LIST_TTL_MS, startIssuerServer } from './issuer-server';

/**
 * `npm run issuer`: the demo issuer as a process. Its own few variables (it is not part of the product, so it
 * does not load the api's configuration, which needs a database):
 * ISSUER_PORT (4100), ISSUER_HOST (127.0.0.1), ISSUER_PUBLIC_HOST (host written into DIDs),
 * ISSUER_DATA_DIR (demo-output/issuer; `memory` keeps nothing), ISSUER_STATUS_LIST_TTL_MS (60000).
 */
const envSchema = z.object({
  ISSUER_PORT: z.coerce.number().int().min(0).max(65535).default(4100),
  ISSUER_HOST: z.string().min(1).default('127.0.0.1'),
  ISSUER_PUBLIC_HOST: z.string().min(1).optional(),
  ISSUER_DATA_DIR: z.string().min(1).default('demo-output/issuer'),
  ISSUER_STATUS_LIST_TTL_MS: z.coerce.number().int().min(0).default(DEFAULT_STATUS_LIST_TTL_MS),
});

async function main(): Promise<void> {
  const parsed = envSchema.safeParse(process.env);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('\n  ');
    throw new Error(`invalid issuer configuration:\n  ${problems}`);
  }
  const env = parsed.data;
  const server = await startIssuerServer({
    port: env.ISSUER_PORT,
    host: env.ISSUER_HOST,
    publicHost: env.ISSUER_PUBLIC_HOST,
    statusListTtlMs: env.ISSUER_STATUS_LIST_TTL_MS,
    dataDir: env.ISSUER_DATA_DIR === 'memory' ? undefined : env.ISSUER_DATA_DIR,
  });
  const lines = server.boards.map((b) => `  ${b.slug.padEnd(12)} ${b.alg.padEnd(6)} ${b.did}  (${b.name})`);
  process.stdout.write(
    `demo issuer on ${server.url} (management API unauthenticated: keep it on localhost)\n` +
      `state: ${env.ISSUER_DATA_DIR === 'memory' ? 'memory only' : env.ISSUER_DATA_DIR}\n${lines.join('\n')}\n`,
  );
  let closing = false;
  const stop = (): void => {
    if (closing) return;
    closing = true;
    server.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`issuer failed to start: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});

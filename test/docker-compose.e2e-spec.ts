import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

/** What an operator must set (docker/compose.yml refuses to start without it). */
const REQUIRED = {
  POSTGRES_PASSWORD: 'pg-superuser-secret',
  CHECKIN_OWNER_PASSWORD: 'owner-secret',
  CHECKIN_APP_PASSWORD: 'app-secret',
  BOOTSTRAP_ADMIN_EMAIL: 'admin@agency.example',
  BOOTSTRAP_ADMIN_PASSWORD: 'a-temporary-password',
  KEY_ENCRYPTION_KEY: 'AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=',
};

function composeConfig(env: Record<string, string>): string {
  const { PATH, HOME } = process.env;
  return execFileSync('docker-compose', ['-f', join(root, 'docker/compose.yml'), 'config'], { encoding: 'utf8', env: { PATH, HOME, ...env }, stdio: 'pipe' });
}

describe('docker/compose.yml', () => {
  it("validates with Debian's docker-compose (no engine needed) and runs api and worker on postgres and redis", () => {
    // .ci/run installs docker-compose when missing; without it this test fails rather than passing silently.
    const out = composeConfig(REQUIRED);
    for (const service of ['postgres:', 'redis:', 'migrate:', 'api:', 'worker:']) expect(out).toContain(`  ${service}`);
    expect(out).toMatch(/healthcheck:/);
    expect(out).toContain('dist/apps/worker/src/main.js');
  });

  it('runs the api and worker as a role that owns nothing, and migrations as the owner in a step of their own', () => {
    const out = composeConfig(REQUIRED);
    expect(out).toContain('postgres://checkin_app:app-secret@postgres:5432/responder_checkin');
    expect(out).toContain('MIGRATION_DATABASE_URL: postgres://checkin_owner:owner-secret@postgres:5432/responder_checkin');
    // the owner's password reaches the migrate step and the database only
    expect(out.split('owner-secret').length - 1).toBe(2);
    expect(out).toContain('service_completed_successfully');
    expect(out).not.toMatch(/postgres:\/\/postgres[:@]/);
    const init = readFileSync(join(root, 'docker/postgres-init/10-roles.sh'), 'utf8');
    expect(init).toMatch(/CREATE ROLE checkin_owner LOGIN NOSUPERUSER/);
    expect(init).toMatch(/CREATE ROLE checkin_app LOGIN NOSUPERUSER .* IN ROLE responder_checkin_app/);
    expect(init).toMatch(/ALTER DATABASE .* OWNER TO checkin_owner/);
  });

  it('will not start without the secrets an operator must choose', () => {
    for (const name of Object.keys(REQUIRED)) {
      const { [name]: _missing, ...rest } = REQUIRED as Record<string, string>;
      expect(() => composeConfig(rest)).toThrow(new RegExp(name));
    }
  });

  it('builds a non-root image and the README quotes the same compose command', () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('docker compose -f docker/compose.yml up --build');
  });
});

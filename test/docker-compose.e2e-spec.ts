import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

describe('docker/compose.yml', () => {
  it("validates with Debian's docker-compose (no engine needed) and runs api and worker on postgres and redis", () => {
    // .ci/run installs docker-compose when missing; without it this test fails rather than passing silently.
    const out = execFileSync('docker-compose', ['-f', join(root, 'docker/compose.yml'), 'config'], { encoding: 'utf8' });
    for (const service of ['postgres:', 'redis:', 'api:', 'worker:']) expect(out).toContain(`  ${service}`);
    expect(out).toMatch(/healthcheck:/);
    expect(out).toContain('dist/apps/worker/src/main.js');
  });

  it('builds a non-root image and the README quotes the same compose command', () => {
    const dockerfile = readFileSync(join(root, 'docker/Dockerfile'), 'utf8');
    expect(dockerfile).toMatch(/^USER node$/m);
    expect(dockerfile.match(/^FROM /gm)?.length).toBeGreaterThanOrEqual(2);
    expect(existsSync(join(root, 'README.md'))).toBe(true);
    expect(readFileSync(join(root, 'README.md'), 'utf8')).toContain('docker compose -f docker/compose.yml up --build');
  });
});

import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * apps/web/src/api/schema.d.ts is generated from the api's OpenAPI document (`npm run api:types`); this fails when
 * the committed file is stale. It reads dist/ (npm test builds first).
 */
describe('web app API types', () => {
  it('schema.d.ts is what the current OpenAPI document generates', () => {
    const root = join(__dirname, '..');
    const out = execFileSync(process.execPath, [join(root, 'scripts/api-types.mjs'), '--check'], { cwd: root, encoding: 'utf8' });
    expect(out).toContain('up to date');
  });
});

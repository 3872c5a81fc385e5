/**
 * The data-access rules of docs/architecture.md, checked on the source: SQL runs only in repository files (and in
 * @app/db itself: the gateway, migrations, test databases), and a library's SQL names only the tables the
 * ownership table of docs/architecture.md gives it.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return entry.name === 'node_modules' || entry.name === 'dist' ? [] : sourceFiles(path);
    return entry.name.endsWith('.ts') && !entry.name.endsWith('.spec.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
  });
}

/** library name -> the tables it owns, read from the ownership table of docs/architecture.md. */
function ownership(): Map<string, Set<string>> {
  const doc = readFileSync(join(root, 'docs/architecture.md'), 'utf8');
  const owners = new Map<string, Set<string>>();
  for (const line of doc.split('\n')) {
    const row = /^\|\s*`@app\/([a-z-]+)`\s*\|([^|]*)\|/.exec(line);
    if (!row) continue;
    const tables = [...row[2].matchAll(/`([a-z0-9_]+)`/g)].map((m) => m[1]);
    if (tables.length > 0) owners.set(row[1], new Set(tables));
  }
  return owners;
}

const files = [...sourceFiles(join(root, 'libs')), ...sourceFiles(join(root, 'apps'))].map((path) => ({
  path: relative(root, path),
  text: readFileSync(path, 'utf8'),
}));
const inDbLibrary = (path: string): boolean => path.startsWith('libs/db/src/');
const isRepository = (path: string): boolean => path.endsWith('.repository.ts');
const libraryOf = (path: string): string | undefined => /^libs\/([a-z-]+)\/src\//.exec(path)?.[1];

describe('architecture: one way to reach the database', () => {
  const owners = ownership();
  const ownerOfTable = new Map([...owners].flatMap(([library, tables]) => [...tables].map((t) => [t, library] as const)));

  it('reads an ownership table that names every table once', () => {
    expect(owners.size).toBeGreaterThan(5);
    const all = [...owners.values()].flatMap((t) => [...t]);
    expect(new Set(all).size).toBe(all.length);
    // Every table the migrations create has an owner.
    const created = files
      .filter((f) => f.path.startsWith('libs/db/src/migrations/'))
      .flatMap((f) => [...f.text.matchAll(/CREATE TABLE (?:IF NOT EXISTS )?([a-z0-9_]+)/g)].map((m) => m[1]));
    expect([...new Set(created)].filter((t) => !ownerOfTable.has(t))).toEqual([]);
  });

  it('runs SQL only in repository files and in @app/db', () => {
    const offenders = files.filter((f) => !inDbLibrary(f.path) && !isRepository(f.path) && /\.(query|queryOne|execute)\s*[<(]/.test(f.text)).map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it('reaches TypeORM only through @app/db', () => {
    const offenders = files
      .filter((f) => !inDbLibrary(f.path) && /\b(DataSource|EntityManager|InjectDataSource|InjectRepository)\b/.test(f.text))
      .map((f) => f.path);
    expect(offenders).toEqual([]);
  });

  it("names in a library's SQL only the tables that library owns", () => {
    const foreign: string[] = [];
    for (const f of files.filter((file) => isRepository(file.path))) {
      const library = libraryOf(f.path);
      if (!library) {
        foreign.push(`${f.path}: a repository outside libs/`);
        continue;
      }
      for (const m of f.text.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+([a-z0-9_]+)\b/g)) {
        const owner = ownerOfTable.get(m[1]);
        if (owner && owner !== library) foreign.push(`${f.path}: ${m[1]} (owned by @app/${owner})`);
      }
    }
    expect([...new Set(foreign)]).toEqual([]);
  });
});

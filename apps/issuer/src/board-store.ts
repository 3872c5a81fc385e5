import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { SIGNING_ALGORITHMS, type SigningAlgorithm } from './board-catalog';
import type { StoredBoardKey } from './board-key';

/** What survives a restart: the signing key and the status lists (as index lists: small, readable, diffable). */
export interface PersistedBoardState {
  format: 1;
  slug: string;
  key: StoredBoardKey;
  /** Status indices handed out so far (never reused). */
  allocated: number[];
  revoked: number[];
  suspended: number[];
}

export interface BoardStore {
  load(slug: string): PersistedBoardState | undefined;
  save(state: PersistedBoardState): void;
}

/** State lives only in the process: keys are new at every start. */
export class MemoryBoardStore implements BoardStore {
  load(): undefined {
    return undefined;
  }
  save(): void {
    // nothing to keep
  }
}

/** One JSON file per board (`<dir>/<slug>.json`, mode 0600: it holds a private key). One server per directory. */
export class FileBoardStore implements BoardStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  load(slug: string): PersistedBoardState | undefined {
    let text: string;
    try {
      text = readFileSync(this.fileFor(slug), 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw err;
    }
    const state = JSON.parse(text) as PersistedBoardState;
    if (!isPersistedBoardState(state, slug)) throw new Error(`${this.fileFor(slug)} is not a board state file for ${slug}`);
    return state;
  }

  save(state: PersistedBoardState): void {
    // Write then rename, so a crash never leaves a half-written key file behind.
    const file = this.fileFor(state.slug);
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(state, null, 1), { mode: 0o600 });
    renameSync(temporary, file);
  }

  private fileFor(slug: string): string {
    return join(this.dir, `${slug}.json`);
  }
}

function isIndexList(value: unknown): value is number[] {
  return Array.isArray(value) && value.every((n) => Number.isInteger(n) && n >= 0);
}

function isPersistedBoardState(value: PersistedBoardState, slug: string): boolean {
  return (
    value?.format === 1 &&
    value.slug === slug &&
    Number.isInteger(value.key?.number) &&
    (SIGNING_ALGORITHMS as readonly string[]).includes(value.key?.alg as SigningAlgorithm) &&
    typeof value.key?.privateJwk === 'object' &&
    isIndexList(value.allocated) &&
    isIndexList(value.revoked) &&
    isIndexList(value.suspended)
  );
}

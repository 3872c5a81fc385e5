/**
 * Keys a migration may need to rewrite stored data (runMigrations sets them before running any). Kept apart from
 * the configuration so that the migrations stay plain classes TypeORM constructs.
 */
let matchingHashKey: Buffer | undefined;

export function setMigrationMatchingHashKey(key: Buffer): void {
  matchingHashKey = key;
}

/** The matching key (MATCHING_HASH_KEY); a migration that hashes stored rows fails closed without it. */
export function migrationMatchingHashKey(): Buffer {
  if (!matchingHashKey) throw new Error('migrations that hash stored identifiers need the matching key (runMigrations was given none)');
  return matchingHashKey;
}

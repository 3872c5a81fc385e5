import { DbTrustSource } from './db-trust-source';
import type { Database } from '@app/db';
import { TrustRegistryRepository, type IssuerRecord } from './trust-registry.repository';
import type { TrustListQualification } from './trust-list.document';

/** A repository that answers from memory and counts reads (no database). */
class FakeRepository extends TrustRegistryRepository {
  reads = 0;
  name = 'Florida Board of Nursing';
  down = false;

  constructor() {
    super({} as Database);
  }

  override async listIssuers(): Promise<IssuerRecord[]> {
    this.reads++;
    if (this.down) throw new Error('relation "trusted_issuer" does not exist');
    const at = new Date('2025-01-01T00:00:00Z');
    return [
      {
        id: 'did:web:board.example',
        name: this.name,
        jurisdictions: ['US-FL'],
        qualifications: ['RN'],
        algorithms: ['ES256'],
        validFrom: null,
        validUntil: null,
        retiredAt: null,
        createdAt: at,
        updatedAt: at,
      },
    ];
  }

  override async listQualifications(): Promise<TrustListQualification[]> {
    return [{ code: 'RN', name: 'Registered Nurse', rules: [{ achievementTypes: ['License'], achievementName: 'Registered Nurse' }] }];
  }
}

describe('DbTrustSource', () => {
  it('offers its snapshot without a promise only while it is current, with the same answers', async () => {
    let now = 1_000_000;
    const repository = new FakeRepository();
    const source = new DbTrustSource(repository, () => now, 5000);
    expect(source.inMemory()).toBeUndefined();

    const issuer = await source.findIssuer('did:web:board.example');
    const view = source.inMemory();
    expect(view?.findIssuer('did:web:board.example')).toEqual(issuer);
    expect(view?.findIssuer('did:web:other.example')).toBeUndefined();
    expect(view?.qualificationRules).toEqual(await source.qualificationRules());
    expect(repository.reads).toBe(1);

    now += 5000; // the snapshot's lifetime is over: the engine must go through findIssuer, which re-reads
    expect(source.inMemory()).toBeUndefined();
    repository.name = 'Florida Board of Nursing (renamed)';
    expect((await source.findIssuer('did:web:board.example'))?.name).toBe('Florida Board of Nursing (renamed)');
    expect(source.inMemory()?.findIssuer('did:web:board.example')?.name).toBe('Florida Board of Nursing (renamed)');

    source.invalidate(); // a write through this process: nothing stale may be offered
    expect(source.inMemory()).toBeUndefined();
  });

  it('serves its last snapshot while the registry cannot be read, for a minute at most, then fails', async () => {
    let now = 1_000_000;
    const repository = new FakeRepository();
    const source = new DbTrustSource(repository, () => now, 5000, 60_000);
    await source.findIssuer('did:web:board.example');
    repository.down = true;
    now += 30_000;
    expect((await source.findIssuer('did:web:board.example'))?.name).toBe('Florida Board of Nursing');
    now += 30_000;
    await expect(source.findIssuer('did:web:board.example')).rejects.toThrow('trusted_issuer');
    await expect(source.qualificationRules()).rejects.toThrow();
  });
});

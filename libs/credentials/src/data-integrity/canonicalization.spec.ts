import jsonld from 'jsonld';
import ContextResolver from 'jsonld/lib/ContextResolver';
import { canonize } from 'rdf-canonize';
import { RdfCanonicalizer } from './canonicalization';
import { JsonLdContexts } from './context-store';

/**
 * The processed-context cache: equal active contexts (type-scoped ones included) share processed contexts across
 * verifications, and what is canonicalized stays exactly what jsonld and rdf-canonize give without it.
 */
const contexts = JsonLdContexts.load();

const openBadge = (name: string): Record<string, unknown> => ({
  '@context': ['https://www.w3.org/ns/credentials/v2', 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json'],
  id: 'urn:uuid:0b8d1c5e-4f3a-4f0e-9d55-7e1f2a3b4c5d',
  type: ['VerifiableCredential', 'OpenBadgeCredential'],
  issuer: { id: 'did:example:board', type: ['Profile'], name: 'Florida Board of Nursing' },
  validFrom: '2024-01-01T00:00:00Z',
  credentialSubject: {
    type: ['AchievementSubject'],
    name,
    achievement: {
      id: 'https://example.org/rn',
      type: ['Achievement'],
      name: 'Registered Nurse',
      achievementType: 'License',
      criteria: { narrative: 'Licensed' },
    },
  },
  credentialStatus: {
    id: 'https://example.org/status#4',
    type: 'BitstringStatusListEntry',
    statusPurpose: 'revocation',
    statusListIndex: '4',
    statusListCredential: 'https://example.org/status',
  },
});

/** The same type, `Thing`, whose type-scoped context maps `label` to `vocab`: only the scoped context differs. */
const scoped = (vocab: string, outer = 'https://example.org/outer#'): Record<string, unknown> => ({
  '@context': [
    'https://www.w3.org/ns/credentials/v2',
    { '@vocab': outer, Thing: { '@id': 'https://example.org/Thing', '@context': { label: `${vocab}label` } } },
  ],
  type: ['VerifiableCredential'],
  issuer: 'did:example:board',
  credentialSubject: { id: 'did:example:subject', type: 'Thing', label: 'x', nested: { type: 'Thing', label: 'y' } },
});

/** jsonld and rdf-canonize as they come, with a resolver of their own (nothing shared between calls). */
async function reference(document: Record<string, unknown>): Promise<string> {
  const dataset = await jsonld.toRDF(document, {
    documentLoader: async (url) => ({ contextUrl: null, documentUrl: url, document: contexts.document(url), tag: 'static' }),
    safe: true,
    base: null,
    produceGeneralizedRdf: false,
    contextResolver: new ContextResolver({ sharedCache: new Map() }),
  });
  return canonize(dataset, {
    algorithm: 'RDFC-1.0',
    messageDigestAlgorithm: 'sha256',
    format: 'application/n-quads',
    maxWorkFactor: 1,
    signal: AbortSignal.timeout(10_000),
    rejectURDNA2015: true,
  });
}

describe('RDFC canonicalization with processed contexts cached', () => {
  it('processes the type-scoped contexts of an Open Badge once: the next credential takes every one from the cache', async () => {
    const canonicalizer = new RdfCanonicalizer(contexts);
    expect(await canonicalizer.canonize(openBadge('Dana Rivera'), 'sha256')).toBe(await reference(openBadge('Dana Rivera')));
    const first = canonicalizer.contextCacheStats();
    expect(first.misses).toBeGreaterThan(3);
    expect(await canonicalizer.canonize(openBadge('Lee Park'), 'sha256')).toBe(await reference(openBadge('Lee Park')));
    const second = canonicalizer.contextCacheStats();
    expect(second.misses).toBe(first.misses);
    expect(second.hits - first.hits).toBeGreaterThan(3);
  });

  it('keeps documents apart whose type-scoped or outer contexts differ, in any order', async () => {
    const canonicalizer = new RdfCanonicalizer(contexts);
    const documents = [
      scoped('https://a.example/'),
      scoped('https://b.example/'),
      scoped('https://a.example/', 'https://other.example/'),
      openBadge('Dana Rivera'),
      scoped('https://b.example/', 'https://other.example/'),
    ];
    const expected = await Promise.all(documents.map((d) => reference(d)));
    expect(new Set(expected).size).toBe(documents.length);
    for (const order of [
      [0, 1, 2, 3, 4],
      [4, 3, 2, 1, 0],
      [1, 0, 1, 4, 2, 0, 3],
    ]) {
      for (const i of order) expect(await canonicalizer.canonize(documents[i], 'sha256')).toBe(expected[i]);
    }
    expect(canonicalizer.contextCacheStats().hits).toBeGreaterThan(0);
  });
});

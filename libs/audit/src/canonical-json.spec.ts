import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import fc from 'fast-check';
import { canonicalJson } from './canonical-json';
import { entryHash, type HashedFields } from './audit-hash';

/** The reference: canonicalize (JCS) on the fields object but seq, hashed after prevHash and seq. */
function referenceHash(prevHash: string, f: HashedFields): string {
  const body = canonicalize({
    chainId: f.chainId,
    occurredAt: f.occurredAt,
    actor: f.actor,
    action: f.action,
    incidentId: f.incidentId,
    targetType: f.targetType,
    targetId: f.targetId,
    payload: f.payload,
  }) as string;
  return createHash('sha256').update(`${prevHash}\n${f.seq}\n${body}`).digest('hex');
}

describe('canonicalJson (RFC 8785)', () => {
  it('is byte-identical to the canonicalize package on arbitrary JSON values', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(canonicalize(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('sorts keys by UTF-16 code units, including keys JavaScript orders numerically', () => {
    expect(canonicalJson({ b: 1, a: [{ d: null, c: true }], é: 'x', Z: -0 })).toBe('{"Z":0,"a":[{"c":true,"d":null}],"b":1,"é":"x"}');
    expect(canonicalJson({ 10: 'a', 9: 'b', x: { 2: 1, 1: 2 } })).toBe('{"10":"a","9":"b","x":{"1":2,"2":1}}');
    expect(canonicalJson({ n: 1e21, m: 0.000001, k: 1.5e-7 })).toBe('{"k":1.5e-7,"m":0.000001,"n":1e+21}');
  });

  it('serializes class instances with unset fields (a validated request body) as canonicalize does', () => {
    // The check-in's request hash is stored with each attempt: it must not change with the serializer.
    class Ics211 {
      homeUnit?: string = undefined;
      agency = 'Miami-Dade Fire Rescue';
    }
    class Body {
      credential = 'eyJhbGciOiJFUzI1NiJ9.e30.sig';
      positionId?: string = undefined;
      ics211 = new Ics211();
    }
    const value = { incidentId: '9b2f0c4e-1d7a-4c55-9a53-2d5b3c1e8f00', body: new Body() };
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson(value)).toBe(
      '{"body":{"credential":"eyJhbGciOiJFUzI1NiJ9.e30.sig","ics211":{"agency":"Miami-Dade Fire Rescue"}},"incidentId":"9b2f0c4e-1d7a-4c55-9a53-2d5b3c1e8f00"}',
    );
  });

  it('keeps a "__proto__" key that JSON.parse made an own property', () => {
    const value = JSON.parse('{"b":{"__proto__":{"x":1},"a":2},"a":{"__proto__":1}}') as unknown;
    expect(canonicalJson(value)).toBe(canonicalize(value));
    expect(canonicalJson(value)).toBe('{"a":{"__proto__":1},"b":{"__proto__":{"x":1},"a":2}}');
  });

  it('does not change its input', () => {
    const value = { b: { z: 1, y: 2 }, a: [3] };
    canonicalJson(value);
    expect(Object.keys(value)).toEqual(['b', 'a']);
    expect(Object.keys(value.b)).toEqual(['z', 'y']);
  });
});

describe('entryHash', () => {
  const fields = fc.record({
    chainId: fc.string(),
    seq: fc.integer({ min: 1, max: 2 ** 40 }),
    occurredAt: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
    actor: fc.oneof(
      fc.record({ kind: fc.constant('user' as const), userId: fc.uuid(), role: fc.string(), ip: fc.option(fc.ipV4(), { nil: undefined }) }),
      fc.record({ kind: fc.constant('system' as const), process: fc.constantFrom('api' as const, 'worker' as const, 'cli' as const) }),
    ),
    action: fc.string(),
    incidentId: fc.option(fc.uuid(), { nil: null }),
    targetType: fc.option(fc.string(), { nil: null }),
    targetId: fc.option(fc.string(), { nil: null }),
    payload: fc.dictionary(fc.string(), fc.jsonValue()),
  });

  it('matches the reference hash for arbitrary entries', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 32, maxLength: 32 }).map((b) => Buffer.from(b).toString('hex')),
        fields,
        (prev, f) => {
          let expected: string;
          try {
            expected = referenceHash(prev, f);
          } catch {
            return;
          }
          expect(entryHash(prev, f)).toBe(expected);
        },
      ),
      { numRuns: 1000 },
    );
  });
});

import { decodeCompactJws } from './compact-jws';

const b64 = (text: string | Buffer): string => Buffer.from(text).toString('base64url');
const jws = (header: string, payload: string | Buffer): string => `${b64(header)}.${b64(payload)}.${b64('signature')}`;

describe('decodeCompactJws', () => {
  it('refuses NUL and unpaired surrogates however they are escaped, in keys and in values', () => {
    for (const payload of ['{"a":"x\\u0000y"}', '{"a\\u0000":1}', '{"a":"\\ud800"}', '{"a":["\\uDC00z"]}', '{"a":{"b":"\\uD800\\u0041"}}']) {
      expect(decodeCompactJws(jws('{"alg":"ES256"}', payload))).toEqual({ ok: false, message: expect.stringContaining('NUL character or an unpaired') });
    }
    expect(decodeCompactJws(jws('{"alg":"ES256","kid":"\\u0000"}', '{}'))).toMatchObject({ ok: false });
  });

  it('accepts escaped pairs, escapes that are not \\u, and invalid UTF-8 (which decodes to U+FFFD, never a lone surrogate)', () => {
    const pair = decodeCompactJws(jws('{"alg":"ES256"}', '{"a":"\\ud83d\\ude00","b":"\\\\u0000","c":"\\n"}'));
    expect(pair).toMatchObject({ ok: true, jws: { payload: { a: '😀', b: '\\u0000', c: '\n' } } });
    const badBytes = Buffer.concat([Buffer.from('{"a":"'), Buffer.from([0xed, 0xa0, 0x80]), Buffer.from('"}')]);
    expect(decodeCompactJws(jws('{"alg":"ES256"}', badBytes))).toMatchObject({ ok: true, jws: { payload: { a: '\ufffd\ufffd\ufffd' } } });
  });

  it('decodes as before: shape, impossible lengths, non-objects', () => {
    expect(decodeCompactJws('a.b')).toMatchObject({ ok: false });
    expect(decodeCompactJws(`${b64('{"alg":"ES256"}')}.${b64('{}')}AA.${b64('s')}`)).toMatchObject({ ok: false, message: 'The JWS is not valid base64url.' });
    expect(decodeCompactJws(jws('[1]', '{}'))).toMatchObject({ ok: false, message: 'The JWS header is not a JSON object.' });
    expect(decodeCompactJws(jws('{"alg":"ES256"}', '"x"'))).toMatchObject({ ok: false, message: 'The JWS payload is not a JSON object.' });
    expect(decodeCompactJws(`${b64('{"alg":"ES256"}')}..${b64('s')}`)).toMatchObject({ ok: false, message: 'The JWS payload is not a JSON object.' });
    const big = decodeCompactJws(jws('{"alg":"ES256"}', JSON.stringify({ pad: 'x'.repeat(70_000) })));
    expect(big).toMatchObject({ ok: true, jws: { payload: { pad: expect.stringMatching(/^x{70000}$/) } } });
  });

  it('parses a header once and shares it, frozen, between the JWSs that carry it; headers with nested objects are not shared', () => {
    const first = decodeCompactJws(jws('{"alg":"ES256","typ":"JWT","kid":"did:web:board.example#key-1"}', '{"a":1}'));
    const second = decodeCompactJws(jws('{"alg":"ES256","typ":"JWT","kid":"did:web:board.example#key-1"}', '{"a":2}'));
    if (!first.ok || !second.ok) throw new Error('not decoded');
    expect(second.jws.header).toBe(first.jws.header);
    expect(Object.isFrozen(first.jws.header)).toBe(true);
    expect(() => {
      (first.jws.header as Record<string, unknown>).alg = 'none';
    }).toThrow(TypeError);
    expect(second.jws.header.alg).toBe('ES256');

    const withKey = '{"alg":"ES256","jwk":{"kty":"EC","crv":"P-256","x":"x","y":"y"}}';
    const a = decodeCompactJws(jws(withKey, '{}'));
    const b = decodeCompactJws(jws(withKey, '{}'));
    if (!a.ok || !b.ok) throw new Error('not decoded');
    expect(b.jws.header).not.toBe(a.jws.header);
    expect(b.jws.header).toEqual(a.jws.header);
  });
});

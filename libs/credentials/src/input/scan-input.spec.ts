import { extractJws, MAX_INPUT_BYTES } from './scan-input';

const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2ln';

describe('what a badge scan may yield', () => {
  it('takes a JWS with surrounding whitespace, a data: envelope (string or object) and a URL carrying it', () => {
    expect(extractJws(`  \n${JWS}\t`)).toEqual({ ok: true, jws: JWS });
    expect(extractJws(`data:application/vc+jwt,${JWS}`)).toEqual({ ok: true, jws: JWS });
    expect(extractJws({ type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${JWS}` })).toEqual({ ok: true, jws: JWS });
    expect(extractJws(`https://badges.example.org/verify?credential=${JWS}`)).toEqual({ ok: true, jws: JWS });
    expect(extractJws(`https://badges.example.org/v#vc=${JWS}`)).toEqual({ ok: true, jws: JWS });
    expect(extractJws(`https://badges.example.org/v#${JWS}`)).toEqual({ ok: true, jws: JWS });
  });

  it('tells malformed from unsupported', () => {
    expect(extractJws('hello')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(extractJws('{"@context":[]}')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(extractJws(`${JWS}~disclosure~`)).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(extractJws('https://example.org/?x=1')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(extractJws('abc.d$f.ghi')).toMatchObject({ ok: false, code: 'malformed' });
    expect(extractJws('')).toMatchObject({ ok: false, code: 'malformed' });
    expect(extractJws(42)).toMatchObject({ ok: false, code: 'malformed' });
    expect(extractJws('x'.repeat(MAX_INPUT_BYTES + 1))).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('KiB') });
    expect(extractJws('é'.repeat(MAX_INPUT_BYTES / 2 + 1))).toMatchObject({ ok: false, code: 'malformed' });
    // Three UTF-8 bytes per character: 21,846 of them are 65,538 bytes (too large), 21,845 are 65,535 (read as text).
    expect(extractJws('€'.repeat(21_846))).toMatchObject({ ok: false, message: expect.stringContaining('KiB') });
    expect(extractJws('€'.repeat(21_845))).toMatchObject({ ok: false, code: 'unsupported_format' });
  });
});

import { MAX_INPUT_BYTES, MAX_JSON_DEPTH, readScan } from './scan-input';

const JWS = 'eyJhbGciOiJFUzI1NiJ9.eyJhIjoxfQ.c2ln';
const KB = 'eyJhbGciOiJFUzI1NiIsInR5cCI6ImtiK2p3dCJ9.eyJub25jZSI6IjEifQ.c2ln';
const SD_JWT = `${JWS}~WyJzYWx0IiwiYSIsMV0~WyJzYWx0MiIsImIiLDJd~`;
const jws = (text: string) => {
  const [header, payload] = text.split('.').map((part) => Buffer.from(part, 'base64url').toString('utf8'));
  return { ok: true, credential: { kind: 'jws', text, parts: { header: JSON.parse(header) as unknown, payload } } };
};
const CREDENTIAL = {
  '@context': ['https://www.w3.org/ns/credentials/v2'],
  type: ['VerifiableCredential'],
  issuer: 'did:example:issuer',
  credentialSubject: { id: 'did:example:subject' },
  proof: { type: 'DataIntegrityProof', cryptosuite: 'eddsa-rdfc-2022', proofValue: 'z3FXQ' },
};
const CREDENTIAL_TEXT = JSON.stringify(CREDENTIAL);

describe('what a badge scan may yield', () => {
  it('takes a JWS with surrounding whitespace, a data: envelope (string or object) and a URL carrying it', () => {
    expect(readScan(`  \n${JWS}\t`)).toEqual(jws(JWS));
    expect(readScan(`data:application/vc+jwt,${JWS}`)).toEqual(jws(JWS));
    expect(readScan({ type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${JWS}` })).toEqual(jws(JWS));
    expect(readScan(`https://badges.example.org/verify?credential=${JWS}`)).toEqual(jws(JWS));
    expect(readScan(`https://badges.example.org/v#vc=${JWS}`)).toEqual(jws(JWS));
    expect(readScan(`https://badges.example.org/v#${JWS}`)).toEqual(jws(JWS));
  });

  it('opens an envelope whose type is a list, and checks that the envelope and its media type agree', () => {
    expect(
      readScan({ '@context': 'https://www.w3.org/ns/credentials/v2', type: ['EnvelopedVerifiableCredential'], id: `data:application/vc+jwt,${JWS}` }),
    ).toEqual(jws(JWS));
    expect(readScan({ type: ['EnvelopedVerifiablePresentation'], id: `data:application/vp+jwt,${JWS}` })).toEqual(jws(JWS));
    expect(readScan({ type: 'EnvelopedVerifiableCredential', id: `data:application/vp+jwt,${JWS}` })).toMatchObject({
      ok: false,
      code: 'malformed',
      message: expect.stringContaining('enveloped credential cannot hold'),
    });
    expect(readScan({ type: ['EnvelopedVerifiableCredential'], id: 42 })).toMatchObject({ ok: false, code: 'malformed' });
    expect(readScan({ type: ['EnvelopedVerifiableCredential'], id: `https://example.org/${JWS}` })).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('reads data: URLs of every credential media type: JWS, SD-JWT (both names) and JSON (percent-encoded or base64)', () => {
    expect(readScan(`DATA:Application/VC+JWT;charset=utf-8,${JWS}`)).toEqual(jws(JWS));
    expect(readScan(`data:application/vc+jwt;base64,${Buffer.from(JWS).toString('base64')}`)).toEqual(jws(JWS));
    expect(readScan(`data:application/vc+sd-jwt,${SD_JWT}`)).toEqual({ ok: true, credential: { kind: 'sd-jwt', text: SD_JWT } });
    expect(readScan({ type: ['EnvelopedVerifiableCredential'], id: `data:application/dc+sd-jwt,${SD_JWT}${KB}` })).toEqual({
      ok: true,
      credential: { kind: 'sd-jwt', text: `${SD_JWT}${KB}` },
    });
    const json = { ok: true, credential: { kind: 'json', text: CREDENTIAL_TEXT, document: CREDENTIAL } };
    expect(readScan(`data:application/vc,${encodeURIComponent(CREDENTIAL_TEXT)}`)).toEqual(json);
    expect(readScan({ type: 'EnvelopedVerifiableCredential', id: `data:application/vc;base64,${Buffer.from(CREDENTIAL_TEXT).toString('base64')}` })).toEqual(
      json,
    );
    expect(readScan(`data:application/vc+jwt,${SD_JWT}`)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('compact JWS') });
    expect(readScan(`data:application/dc+sd-jwt,${JWS}`)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('SD-JWT') });
    expect(readScan(`data:application/vc,${JWS}`)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('JSON') });
    expect(readScan('data:application/vc;base64,@@@')).toMatchObject({ ok: false, code: 'malformed' });
    expect(
      readScan(`data:application/vc,${encodeURIComponent(JSON.stringify({ type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${JWS}` }))}`),
    ).toMatchObject({
      ok: false,
      code: 'malformed',
      message: expect.stringContaining('envelope cannot hold another envelope'),
    });
    expect(readScan(`data:text/html,${JWS}`)).toMatchObject({ ok: false, code: 'unsupported_format', message: expect.stringContaining('text/html') });
    expect(readScan(`data:application/vc+jwt${JWS}`)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('refuses a JWS with a character outside base64url in any part, as not base64url, whatever the decoder would make of it', () => {
    const notBase64Url = (text: string) => ({
      ok: false,
      code: 'malformed',
      message: 'This looks like a JWS but is not valid base64url in three parts.',
      raw: text,
    });
    const parts = JWS.split('.');
    // '+' and '/' are base64 (Node's base64url decoder takes them), '=' is padding; above U+00FF the decoder reads the
    // low byte: U+0141 as 'A', U+012B as '+'.
    for (const bad of ['+', '/', '=', '==', ' ', '\n', '\t', '*', '%', '\\', '\u0000', '\u007f', '\u00e9', '\u0141', '\u012b', '\ud83d\ude00']) {
      parts.forEach((part, i) => {
        for (const at of [1, part.length >> 1, part.length]) {
          for (const changed of [part.slice(0, at) + bad + part.slice(at), part.slice(0, at - 1) + bad + part.slice(at)]) {
            const text = parts.map((p, j) => (j === i ? changed : p)).join('.');
            if (text.trim() !== text) continue; // whitespace around the scan is trimmed away
            expect([bad, i, at, readScan(text)]).toEqual([bad, i, at, notBase64Url(text)]);
          }
        }
      });
    }
  });

  it('takes a JWS whose part has an impossible length as a JWS, for the decoder to refuse', () => {
    const text = `${JWS.split('.')[0]}.eyJhIjoxfQAAA.c2ln`;
    expect(readScan(text)).toEqual({ ok: true, credential: { kind: 'jws', text } });
    expect(readScan(`${JWS.split('.')[0]}.eyJhIjoxfQAAA.c2l+`)).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('recognises an SD-JWT with its disclosures and key binding JWT, and refuses a broken one', () => {
    expect(readScan(` ${SD_JWT}\n`)).toEqual({ ok: true, credential: { kind: 'sd-jwt', text: SD_JWT } });
    expect(readScan(`${JWS}~`)).toEqual({ ok: true, credential: { kind: 'sd-jwt', text: `${JWS}~` } });
    expect(readScan(`${SD_JWT}${KB}`)).toEqual({ ok: true, credential: { kind: 'sd-jwt', text: `${SD_JWT}${KB}` } });
    expect(readScan(`https://wallet.example/present#${SD_JWT}`)).toEqual({ ok: true, credential: { kind: 'sd-jwt', text: SD_JWT } });
    for (const broken of [`${JWS}~dis closure~`, `${JWS}~~`, `not-a-jwt~WyJ4Il0~`, `${JWS}~WyJ4Il0~trailing`]) {
      expect(readScan(broken)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('SD-JWT') });
    }
  });

  it('reads a JSON credential with a proof: a QR holding JSON, an object, a URL fragment or #vc= parameter', () => {
    const json = (text: string) => ({ ok: true, credential: { kind: 'json', text, document: CREDENTIAL } });
    expect(readScan(`\n${CREDENTIAL_TEXT}  `)).toEqual(json(CREDENTIAL_TEXT));
    expect(readScan(CREDENTIAL)).toEqual(json(CREDENTIAL_TEXT));
    expect(readScan(`https://badges.example.org/show#${encodeURIComponent(CREDENTIAL_TEXT)}`)).toEqual(json(CREDENTIAL_TEXT));
    expect(readScan(`https://badges.example.org/show#vc=${encodeURIComponent(CREDENTIAL_TEXT)}`)).toEqual(json(CREDENTIAL_TEXT));
    expect(readScan(`https://badges.example.org/show?vc=${encodeURIComponent(CREDENTIAL_TEXT)}`)).toEqual(json(CREDENTIAL_TEXT));
  });

  it('refuses unsecured, malformed, too deep and too large JSON with a reason', () => {
    const { proof: _proof, ...unsecured } = CREDENTIAL;
    expect(readScan(unsecured)).toMatchObject({ ok: false, code: 'unsupported_format', message: expect.stringContaining('unsecured') });
    expect(readScan(JSON.stringify(unsecured))).toMatchObject({ ok: false, code: 'unsupported_format', message: expect.stringContaining('unsecured') });
    expect(readScan('[1, 2]')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(readScan('{"proof": ')).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('JSON') });
    expect(readScan('{"proof": {}, "name": "\\u0000"}')).toMatchObject({ ok: false, code: 'malformed' });
    const deep = `{"proof":{},"x":${'['.repeat(MAX_JSON_DEPTH)}${']'.repeat(MAX_JSON_DEPTH)}}`;
    expect(readScan(deep)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH}`) });
    expect(readScan(`https://badges.example.org/show#${encodeURIComponent(deep)}`)).toMatchObject({
      ok: false,
      code: 'malformed',
      message: expect.stringContaining('deeper'),
    });
    expect(readScan(`https://badges.example.org/show#${encodeURIComponent('{"proof": ')}`)).toMatchObject({
      ok: false,
      code: 'malformed',
      message: expect.stringContaining('JSON'),
    });
    const large = JSON.stringify({ ...CREDENTIAL, padding: 'x'.repeat(MAX_INPUT_BYTES) });
    expect(readScan(large)).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('KiB') });
    expect(readScan(JSON.parse(large))).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('KiB') });
    expect(readScan({ type: 'EnvelopedVerifiableCredential', id: `data:application/vc+jwt,${'a'.repeat(MAX_INPUT_BYTES)}` })).toMatchObject({
      ok: false,
      message: expect.stringContaining('KiB'),
    });
  });

  it('tells malformed from unsupported', () => {
    expect(readScan('hello')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(readScan('{"@context":[]}')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(readScan('https://example.org/?x=1')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(readScan('https://example.org/~user/?x=')).toMatchObject({ ok: false, code: 'unsupported_format' });
    expect(readScan('abc.d$f.ghi')).toMatchObject({ ok: false, code: 'malformed' });
    expect(readScan('')).toMatchObject({ ok: false, code: 'malformed' });
    expect(readScan(42)).toMatchObject({ ok: false, code: 'malformed' });
    expect(readScan('x'.repeat(MAX_INPUT_BYTES + 1))).toMatchObject({ ok: false, code: 'malformed', message: expect.stringContaining('KiB') });
    expect(readScan('é'.repeat(MAX_INPUT_BYTES / 2 + 1))).toMatchObject({ ok: false, code: 'malformed' });
    // Three UTF-8 bytes per character: 21,846 of them are 65,538 bytes (too large), 21,845 are 65,535 (read as text).
    expect(readScan('€'.repeat(21_846))).toMatchObject({ ok: false, message: expect.stringContaining('KiB') });
    expect(readScan('€'.repeat(21_845))).toMatchObject({ ok: false, code: 'unsupported_format' });
  });
});

import { randomBytes } from 'node:crypto';
import { MAX_INPUT_BYTES } from '../input/scan-input';
import { strictBase64UrlToText, transientLatin1Bytes, transientSignatureBytes } from './scratch';

describe('scratch buffers', () => {
  it('decode exactly like Buffer.from, in the reusable buffers and past their size', () => {
    for (const size of [0, 1, 64, 132, 512, 768, 769, 2000]) {
      const bytes = randomBytes(size);
      const segment = bytes.toString('base64url');
      expect(Buffer.compare(transientSignatureBytes(segment), bytes)).toBe(0);
    }
    const text = `{"name":"Dana Rivera ✓","pad":"${'x'.repeat(MAX_INPUT_BYTES)}"}`;
    for (const value of ['{"a":1}', '', text]) expect(strictBase64UrlToText(Buffer.from(value).toString('base64url'))).toBe(value);
    for (const value of ['eyJhbGciOiJFUzI1NiJ9.e30', 'x'.repeat(MAX_INPUT_BYTES + 1)]) expect(transientLatin1Bytes(value).toString('latin1')).toBe(value);
  });

  it('refuses every character outside the base64url alphabet, padding and impossible lengths, wherever they are', () => {
    const valid = Buffer.from('{"alg":"ES256","typ":"vc+jwt"}').toString('base64url');
    expect(strictBase64UrlToText(valid)).toBe('{"alg":"ES256","typ":"vc+jwt"}');
    // Past the reusable buffer's size too, where Buffer.from decodes.
    const long = Buffer.from('x'.repeat(MAX_INPUT_BYTES + 3)).toString('base64url');
    for (const segment of [valid, valid.slice(0, -2), valid.slice(0, -3), long]) {
      for (const bad of ['+', '/', '=', ' ', '\n', '\t', '.', '~', '*', '%', '\u0000', '\u00e9', '\u0141', '\u012b', '\u012f', '\ud83d\ude00']) {
        for (const at of [0, 1, 2, 3, segment.length >> 1, segment.length - 1, segment.length]) {
          const inserted = segment.slice(0, at) + bad + segment.slice(at);
          const replaced = segment.slice(0, at) + bad + segment.slice(at + bad.length);
          expect([at, bad, strictBase64UrlToText(inserted)]).toEqual([at, bad, undefined]);
          expect([at, bad, strictBase64UrlToText(replaced)]).toEqual([at, bad, undefined]);
        }
      }
    }
    for (const padded of ['YQ==', 'YWI=', `${valid}==`, 'YQ']) expect(strictBase64UrlToText(padded)).toBe(padded === 'YQ' ? 'a' : undefined);
    expect(strictBase64UrlToText('YWJjZ')).toBeUndefined();
    expect(strictBase64UrlToText('')).toBe('');
  });

  it('hands out views that the next call overwrites (so callers consume them at once)', () => {
    const first = transientSignatureBytes(Buffer.from('first!').toString('base64url'));
    expect(first.toString()).toBe('first!');
    transientSignatureBytes(Buffer.from('second').toString('base64url'));
    expect(first.toString()).toBe('second');
  });
});

import { randomBytes } from 'node:crypto';
import { MAX_INPUT_BYTES } from '../input/scan-input';
import { base64UrlToText, transientLatin1Bytes, transientSignatureBytes } from './scratch';

describe('scratch buffers', () => {
  it('decode exactly like Buffer.from, in the reusable buffers and past their size', () => {
    for (const size of [0, 1, 64, 132, 512, 768, 769, 2000]) {
      const bytes = randomBytes(size);
      const segment = bytes.toString('base64url');
      expect(Buffer.compare(transientSignatureBytes(segment), bytes)).toBe(0);
    }
    const text = `{"name":"Dana Rivera ✓","pad":"${'x'.repeat(MAX_INPUT_BYTES)}"}`;
    for (const value of ['{"a":1}', '', text]) expect(base64UrlToText(Buffer.from(value).toString('base64url'))).toBe(value);
    for (const value of ['eyJhbGciOiJFUzI1NiJ9.e30', 'x'.repeat(MAX_INPUT_BYTES + 1)]) expect(transientLatin1Bytes(value).toString('latin1')).toBe(value);
  });

  it('hands out views that the next call overwrites (so callers consume them at once)', () => {
    const first = transientSignatureBytes(Buffer.from('first!').toString('base64url'));
    expect(first.toString()).toBe('first!');
    transientSignatureBytes(Buffer.from('second').toString('base64url'));
    expect(first.toString()).toBe('second');
  });
});

import jsQR from 'jsqr';
import { PNG } from 'pngjs';
import { qrPng } from './qr-png';

const decode = (png: Buffer): string | undefined => {
  const image = PNG.sync.read(png);
  return jsQR(new Uint8ClampedArray(image.data.buffer, image.data.byteOffset, image.data.length), image.width, image.height)?.data;
};

describe('badge QR codes', () => {
  // 1,010 to 1,090 bytes need a version 23 code, which jsQR does not read: those are drawn one version up.
  it.each([600, 1010, 1050, 1090, 1200])('a %i-byte credential reads back with jsQR', (length) => {
    const text =
      'x'.repeat(7) + Array.from({ length: length - 7 }, (_, i) => 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[(i * 37) % 64]).join('');
    expect(decode(qrPng(text))).toBe(text);
  });
});

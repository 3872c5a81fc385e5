import { PNG } from 'pngjs';
import QRCode from 'qrcode';

/** A QR code holds at most this many bytes (version 40, error correction L, byte mode). */
export const QR_MAX_BYTES = 2953;
const JSQR_UNREADABLE_VERSION = 23;

export interface QrPngOptions {
  /** Pixels per module. Default 4 (a version-40 code is then 740 px square with its quiet zone). */
  scale?: number;
  /** Quiet zone in modules. Default 4, as the standard asks. */
  margin?: number;
}

/**
 * Encodes `text` as a QR code (error correction L: a badge's JWS is long, and a printed badge is clean) and renders
 * it as an 8-bit greyscale PNG. Rendering here, rather than with qrcode's own PNG writer, is about 3x faster, which
 * matters for 300 badges at start-up.
 */
export function qrPng(text: string, opts: QrPngOptions = {}): Buffer {
  const scale = opts.scale ?? 4;
  const margin = opts.margin ?? 4;
  let qr = QRCode.create(text, { errorCorrectionLevel: 'L' });
  // jsQR (the station's decoder where a browser has no BarcodeDetector) cannot read version 23 codes: one size up.
  if (qr.version === JSQR_UNREADABLE_VERSION) qr = QRCode.create(text, { errorCorrectionLevel: 'L', version: JSQR_UNREADABLE_VERSION + 1 });
  const n = qr.modules.size;
  const size = (n + 2 * margin) * scale;
  const pixels = Buffer.alloc(size * size, 255);
  for (let row = 0; row < n; row++) {
    for (let col = 0; col < n; col++) {
      if (!qr.modules.get(row, col)) continue;
      const x = (col + margin) * scale;
      for (let dy = 0; dy < scale; dy++) {
        const y = (row + margin) * scale + dy;
        pixels.fill(0, y * size + x, y * size + x + scale);
      }
    }
  }
  // Filter "Up" suits the repeated rows of a scaled QR code: small files, fast.
  return PNG.sync.write({ width: size, height: size, data: pixels } as PNG, {
    colorType: 0,
    inputColorType: 0,
    inputHasAlpha: false,
    bitDepth: 8,
    filterType: 2,
    deflateLevel: 9,
  });
}

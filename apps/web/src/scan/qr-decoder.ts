/**
 * Reads QR codes from camera frames: the browser's BarcodeDetector where it exists (fast, native), otherwise jsQR,
 * loaded on first use so browsers with a native detector never download it.
 */
interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: CanvasImageSource): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorConstructor {
  new (opts: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

export interface QrDecoder {
  /** Which decoder is in use, for the screen ("native" or "jsQR"). */
  readonly kind: 'native' | 'jsQR';
  decode(video: HTMLVideoElement): Promise<string | undefined>;
}

export async function createQrDecoder(): Promise<QrDecoder> {
  const Native = (globalThis as { BarcodeDetector?: BarcodeDetectorConstructor }).BarcodeDetector;
  if (Native) {
    try {
      const formats = await Native.getSupportedFormats();
      if (formats.includes('qr_code')) {
        const detector = new Native({ formats: ['qr_code'] });
        return {
          kind: 'native',
          async decode(video) {
            const codes = await detector.detect(video);
            return codes.find((c) => c.rawValue)?.rawValue;
          },
        };
      }
    } catch {
      // A detector that cannot list its formats is not usable: fall back to jsQR.
    }
  }
  const { default: jsQR } = await import('jsqr');
  const canvas = document.createElement('canvas');
  const context = canvas.getContext('2d', { willReadFrequently: true });
  if (!context) throw new Error('This browser cannot read camera frames.');
  return {
    kind: 'jsQR',
    async decode(video) {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return undefined;
      // Scale big frames down: QR badges fill much of the frame and jsQR's cost grows with the pixel count.
      const scale = Math.min(1, 960 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      return jsQR(image.data, image.width, image.height, { inversionAttempts: 'attemptBoth' })?.data || undefined;
    },
  };
}

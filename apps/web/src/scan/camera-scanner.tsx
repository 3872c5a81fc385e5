import { useEffect, useRef, useState } from 'preact/hooks';
import { CameraIcon } from '../components/icons';
import { createQrDecoder, type QrDecoder } from './qr-decoder';

/** The same badge held in front of the camera (or shown twice in a row) is submitted once, not every frame. */
const SAME_CODE_PAUSE_MS = 30_000;
const FRAME_INTERVAL_MS = 200;

/**
 * The camera as a badge reader: a button turns it on (browsers only grant the camera after a user action), each
 * frame is searched for a QR code, and a read is handed to `onScan`.
 */
export function CameraScanner({ onScan, label = 'Scan with camera' }: { onScan: (text: string) => void; label?: string }) {
  const [on, setOn] = useState(false);
  const [problem, setProblem] = useState<string | undefined>(undefined);
  const [decoderKind, setDecoderKind] = useState<string | undefined>(undefined);
  const video = useRef<HTMLVideoElement>(null);
  const onScanRef = useRef(onScan);
  onScanRef.current = onScan;

  useEffect(() => {
    if (!on) return undefined;
    let stopped = false;
    let stream: MediaStream | undefined;
    let timer: ReturnType<typeof setTimeout> | undefined;
    let last: { text: string; at: number } | undefined;

    const start = async (): Promise<void> => {
      if (!navigator.mediaDevices?.getUserMedia) throw new Error('This browser has no camera access here (a secure https address is needed).');
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: 'environment' }, audio: false });
      if (stopped || !video.current) return;
      video.current.srcObject = stream;
      await video.current.play();
      const decoder: QrDecoder = await createQrDecoder();
      setDecoderKind(decoder.kind);
      const tick = async (): Promise<void> => {
        if (stopped || !video.current) return;
        try {
          const text = await decoder.decode(video.current);
          const now = Date.now();
          if (text && !(last && last.text === text && now - last.at < SAME_CODE_PAUSE_MS)) {
            last = { text, at: now };
            onScanRef.current(text);
          }
        } catch {
          // One unreadable frame is normal (motion blur, focus): try the next.
        }
        timer = setTimeout(() => void tick(), FRAME_INTERVAL_MS);
      };
      await tick();
    };

    start().catch((err: unknown) => {
      const name = err instanceof DOMException ? err.name : '';
      setProblem(
        name === 'NotAllowedError'
          ? 'Camera permission was refused. Allow the camera in the browser, or use the scanner field.'
          : name === 'NotFoundError'
            ? 'No camera was found. Use the scanner field.'
            : err instanceof Error
              ? err.message
              : String(err),
      );
      setOn(false);
    });

    return () => {
      stopped = true;
      clearTimeout(timer);
      stream?.getTracks().forEach((t) => t.stop());
    };
  }, [on]);

  return (
    <div class="camera">
      <button
        type="button"
        class="button-secondary"
        aria-pressed={on}
        onClick={() => {
          setProblem(undefined);
          setOn(!on);
        }}
      >
        <CameraIcon />
        {on ? 'Stop camera' : label}
      </button>
      {problem && (
        <p class="notice notice-warn" role="status">
          <span aria-hidden="true">⚠ </span>
          {problem}
        </p>
      )}
      {on && (
        <figure class="camera-view">
          <video ref={video} muted playsInline aria-label="Camera view: hold the badge's QR code in the frame" />
          <figcaption>Hold the QR code in the frame{decoderKind ? ` (reader: ${decoderKind})` : ''}.</figcaption>
        </figure>
      )}
    </div>
  );
}

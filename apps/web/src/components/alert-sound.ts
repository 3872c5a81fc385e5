import { Store } from '../store';

/**
 * The board's audible alert (WebAudio, no sound file). Browsers only let a page make sound after the user has
 * interacted with it, so the audio context is created on the first click or key press; until then `soundReady`
 * is false and the board says so.
 */
let context: AudioContext | undefined;
export const soundReady = new Store(false);

function arm(): void {
  if (context) return;
  const Ctor = window.AudioContext ?? (window as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return;
  context = new Ctor();
  context.resume().then(
    () => soundReady.set(context?.state === 'running'),
    () => soundReady.set(false),
  );
  document.removeEventListener('pointerdown', arm, true);
  document.removeEventListener('keydown', arm, true);
}

export function armSoundOnFirstGesture(): void {
  if (context) return;
  document.addEventListener('pointerdown', arm, true);
  document.addEventListener('keydown', arm, true);
}

/** Three short high beeps. Returns false when sound is not possible yet. */
export function beep(): boolean {
  if (!context || context.state !== 'running') return false;
  const start = context.currentTime + 0.01;
  for (let i = 0; i < 3; i++) {
    const osc = context.createOscillator();
    const gain = context.createGain();
    osc.type = 'square';
    osc.frequency.value = 880;
    const t = start + i * 0.25;
    gain.gain.setValueAtTime(0.0001, t);
    gain.gain.exponentialRampToValueAtTime(0.2, t + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, t + 0.18);
    osc.connect(gain).connect(context.destination);
    osc.start(t);
    osc.stop(t + 0.2);
  }
  return true;
}

/** For the "turn sound on" button (itself a user gesture). */
export function enableSound(): void {
  arm();
}

/**
 * The new-chat sound: two short sine tones made with the Web Audio API, so nothing is downloaded.
 * Browsers keep an AudioContext silent until the page had a user gesture; `unlockAudio` resumes it on
 * the first click or key press, and a chime before that is simply not heard.
 */
let ctx: AudioContext | null = null;

function context(): AudioContext | null {
  if (ctx) return ctx;
  const Ctor =
    window.AudioContext ?? (window as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Ctor) return null;
  ctx = new Ctor();
  return ctx;
}

/** Resumes the audio context on the next click or key press; returns a function that stops waiting. */
export function unlockAudioOnGesture(): () => void {
  const off = () => {
    window.removeEventListener('pointerdown', resume, true);
    window.removeEventListener('keydown', resume, true);
  };
  const resume = () => {
    void context()
      ?.resume()
      .catch(() => {});
    off();
  };
  window.addEventListener('pointerdown', resume, true);
  window.addEventListener('keydown', resume, true);
  return off;
}

export function playChime() {
  const ac = context();
  if (!ac) return;
  if (ac.state === 'suspended') void ac.resume().catch(() => {});
  const t0 = ac.currentTime + 0.01;
  for (const [i, freq] of [880, 1320].entries()) {
    const osc = ac.createOscillator();
    const gain = ac.createGain();
    const start = t0 + i * 0.14;
    osc.type = 'sine';
    osc.frequency.value = freq;
    // A quick attack and exponential fade: a soft "ding", no click at either end.
    gain.gain.setValueAtTime(0.0001, start);
    gain.gain.exponentialRampToValueAtTime(0.18, start + 0.015);
    gain.gain.exponentialRampToValueAtTime(0.0001, start + 0.22);
    osc.connect(gain).connect(ac.destination);
    osc.start(start);
    osc.stop(start + 0.24);
  }
}

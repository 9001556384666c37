// Alert sounds made with Web Audio: no audio files. Browsers only allow sound after a click,
// so `unlock` must run from a user gesture (login, or the "Turn sound on" button).

let ctx = null;

export function unlockSound() {
  const Ctor = window.AudioContext || window.webkitAudioContext;
  if (!Ctor) return false;
  if (!ctx) ctx = new Ctor();
  if (ctx.state === "suspended") ctx.resume();
  return true;
}

export function soundReady() {
  return Boolean(ctx && ctx.state === "running");
}

/** Beep `times` times; urgent alerts use a higher pitch. */
export function beep({ times = 2, urgent = false } = {}) {
  if (!ctx) return;
  const start = ctx.currentTime + 0.02;
  for (let i = 0; i < times; i += 1) {
    const at = start + i * 0.3;
    const osc = ctx.createOscillator();
    const gain = ctx.createGain();
    osc.type = "sine";
    osc.frequency.value = urgent ? 1046 : 784;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.3, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.22);
    osc.connect(gain).connect(ctx.destination);
    osc.start(at);
    osc.stop(at + 0.25);
  }
}

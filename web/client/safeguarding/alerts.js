// Alerts for leads: a visible banner, a beep (Web Audio), and a flashing tab title. Overdue
// cases beep again every 30 seconds until someone acknowledges them.
import { beep, soundReady, unlockSound } from "../common/beep.js";

export class Alerts {
  constructor({ banner, soundButton, announce }) {
    Object.assign(this, { banner, soundButton, announce });
    this.baseTitle = document.title;
    this.unseen = 0;
    soundButton.hidden = false;
    soundButton.addEventListener("click", () => {
      unlockSound();
      beep({ times: 1 });
      this.refreshSound();
    });
    document.addEventListener("visibilitychange", () => {
      if (!document.hidden) this.seen();
    });
    window.addEventListener("focus", () => this.seen());
    window.setInterval(() => this.refreshSound(), 2000);
  }

  refreshSound() {
    const on = soundReady();
    this.soundButton.setAttribute("aria-pressed", String(on));
    this.soundButton.textContent = on ? "Sound alerts on" : "Turn sound alerts on";
  }

  seen() {
    this.unseen = 0;
    document.title = this.baseTitle;
  }

  raise(text, { urgent = false } = {}) {
    this.banner.textContent = text;
    this.banner.hidden = false;
    beep({ times: urgent ? 4 : 2, urgent });
    if (document.hidden || !document.hasFocus()) {
      this.unseen += 1;
      document.title = `(${this.unseen}) ${urgent ? "OVERDUE" : "New case"} – ${this.baseTitle}`;
    }
  }

  clear() {
    this.banner.hidden = true;
    this.banner.textContent = "";
  }
}

// A message box with a character count, kind errors and a send button. Sending retries with
// the same client_id when an acknowledgement times out, so a message is never sent twice.
import { T } from "./strings.js";

export const MAX_CHARS = 500;

export function length(text) {
  return Array.from(text).length; // the server counts code points, not UTF-16 units
}

/** Emit with an acknowledgement; on timeout try again with the same payload. */
export async function emitWithRetry(socket, event, payload, { tries = 4, timeoutMs = 6000 } = {}) {
  let lastError = null;
  for (let i = 0; i < tries; i += 1) {
    try {
      return await socket.timeout(timeoutMs).emitWithAck(event, payload);
    } catch (err) {
      lastError = err;
    }
  }
  throw lastError || new Error("timeout");
}

function touch() {
  return window.matchMedia("(pointer: coarse)").matches;
}

export class Composer {
  /**
   * @param {object} o
   * @param {(text: string) => Promise<{ok: boolean, error?: {message: string}}>} o.send
   */
  constructor({ form, textarea, count, countStatus, error, button, send, max = MAX_CHARS,
    label = "Send" }) {
    Object.assign(this, { form, textarea, count, countStatus, error, button, send, max, label });
    this.enabled = true;
    this.busy = false;
    this.timer = 0;
    textarea.addEventListener("input", () => this.update(true));
    textarea.addEventListener("keydown", (event) => {
      // Enter sends on a keyboard; on touch screens Enter makes a new line, as in most apps.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !touch()) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.update(false);
  }

  update(typed) {
    const n = length(this.textarea.value);
    const left = this.max - n;
    const text = left >= 0 ? T.countLeft(left) : T.countOver(-left);
    if (this.count) {
      this.count.textContent = text;
      this.count.classList.toggle("count-over", left < 0);
    }
    if (typed && this.countStatus) {
      // Like GOV.UK's character count: tell screen readers once typing pauses.
      window.clearTimeout(this.timer);
      this.timer = window.setTimeout(() => { this.countStatus.textContent = text; }, 1000);
    }
    if (left >= 0 && this.error && this.error.dataset.kind === "length") this.showError("");
  }

  showError(message, kind = "") {
    if (!this.error) return;
    this.error.textContent = message;
    this.error.dataset.kind = kind;
    this.error.hidden = !message;
    if (message) this.textarea.setAttribute("aria-invalid", "true");
    else this.textarea.removeAttribute("aria-invalid");
  }

  setEnabled(enabled, why = "") {
    this.enabled = enabled;
    this.textarea.disabled = !enabled;
    this.button.disabled = !enabled || this.busy;
    this.textarea.placeholder = enabled ? "" : why;
  }

  async submit() {
    if (this.busy || !this.enabled) return;
    const text = this.textarea.value;
    if (!text.trim()) {
      this.showError(T.typeFirst, "empty");
      this.textarea.focus();
      return;
    }
    if (length(text) > this.max) {
      this.showError(T.tooLong(this.max), "length");
      this.textarea.focus();
      return;
    }
    this.busy = true;
    this.button.disabled = true;
    this.button.textContent = T.sending;
    try {
      const ack = await this.send(text);
      if (ack && ack.ok) {
        this.textarea.value = "";
        this.showError("");
        this.update(false);
      } else {
        this.showError(ack?.error?.message || T.sendFailed, ack?.error?.code || "error");
      }
    } catch {
      this.showError(T.sendFailed, "network");
    } finally {
      this.busy = false;
      this.button.textContent = this.label;
      this.button.disabled = !this.enabled;
      this.textarea.focus();
    }
  }
}

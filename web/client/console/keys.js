// Review keys (after Coral): j/k move, c claim, a approve, e edit, s approve the suggested
// redaction, r reject (then 1-9 picks a reason), x escalate, u release, Esc cancels.
// Keys are ignored while typing, except Esc and Ctrl+Enter in the edit box.

function typing(target) {
  return target instanceof HTMLElement
    && (target.isContentEditable || ["TEXTAREA", "SELECT"].includes(target.tagName)
      || (target.tagName === "INPUT" && !["radio", "checkbox", "button", "submit"].includes(target.type)));
}

export function setupKeys({ queue, detail, enabled }) {
  document.addEventListener("keydown", (event) => {
    if (!enabled()) return;
    const { key } = event;
    if (key === "Escape" && detail.mode !== "view") {
      event.preventDefault();
      detail.cancel();
      return;
    }
    if (detail.mode === "edit" && key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      detail.approve(document.getElementById("edit-text").value);
      return;
    }
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    if (detail.mode === "reject") {
      const n = Number.parseInt(key, 10);
      const codes = Object.keys(detail.reasons);
      if (n >= 1 && n <= codes.length) {
        event.preventDefault();
        detail.reject(codes[n - 1]);
      } else if (key === "Enter" && event.target?.name === "reason") {
        event.preventDefault();
        detail.reject(event.target.form.querySelector("input[name=reason]:checked")?.value || codes[0]);
      }
      return;
    }
    if (detail.mode === "escalate") {
      if (key === "Enter" || key === "x") {
        event.preventDefault();
        detail.escalate();
      }
      return;
    }
    if (key === "Enter" && event.target instanceof HTMLButtonElement) return;
    const actions = {
      j: () => queue.move(1),
      k: () => queue.move(-1),
      ArrowDown: () => queue.move(1),
      ArrowUp: () => queue.move(-1),
      c: () => detail.claim(),
      a: () => detail.approve(),
      e: () => detail.startEdit(),
      s: () => detail.approveSuggested(),
      r: () => detail.startReject(),
      x: () => detail.startEscalate(),
      u: () => detail.release(),
    };
    const action = actions[key];
    if (!action) return;
    if (key.startsWith("Arrow") && !event.target?.closest?.(".queue")) return;
    event.preventDefault();
    action();
  });
}

// The selected item: original text with screening spans highlighted, the suggested redaction,
// and the actions (claim, approve, edit, reject with a reason, escalate, release). Each
// action has a visible key and a real, labelled button: no tiny icons.
import { clock, duration, h, highlighted, spanLabel } from "../common/dom.js";
import { severityOf } from "./queue.js";

export class Detail {
  constructor({ root, context, status, queue, call, announce }) {
    Object.assign(this, { root, context, status, queue, call, announce });
    this.reasons = {};
    this.mode = "view";
    this.item = null;
    this.contextFor = null;
  }

  say(text) {
    this.status.textContent = text;
    this.announce(text);
  }

  show(item, { moved = false } = {}) {
    if (moved || !item || item.id !== this.item?.id) this.mode = "view";
    this.item = item;
    this.render();
    if (moved && item) this.loadContext(item);
    if (!item) this.context.replaceChildren(h("p", { class: "muted" }, "Shown when you select a message."));
  }

  render() {
    const item = this.item;
    if (!item) {
      this.root.replaceChildren(h("p", { class: "muted" }, "Nothing selected. The queue is empty."));
      return;
    }
    const sev = severityOf(item);
    const s = item.screening || {};
    const mine = this.queue.claimedByMe(item);
    const others = this.queue.claimedByOther(item);
    const facts = h("dl", { class: "facts" },
      h("dt", {}, "From"), h("dd", {}, item.handle),
      h("dt", {}, "Waiting"), h("dd", { class: "qi-age-detail" },
        duration(Date.now() - Date.parse(item.created_at))),
      h("dt", {}, "Screening"), h("dd", {}, s.screening_failed
        ? "could not be screened: read it for signs of harm yourself"
        : sev === "none" ? "nothing serious found" : sev,
        (s.categories || []).length ? ` (${s.categories.join(", ")})` : ""),
      h("dt", {}, "Claim"), h("dd", {}, mine ? "You are checking this" : others
        ? `${item.claimed_by} is checking this` : "Not claimed"));
    const text = h("p", { class: "item-text", id: "item-text" });
    text.append(...highlighted(item.text, s.spans, spanLabel));
    const parts = [facts, h("h3", {}, "Original message"), text];
    if (item.suggested_text && item.suggested_text !== item.text) {
      parts.push(h("h3", {}, "Suggested redaction"), h("p", { class: "suggested", id: "suggested" },
        item.suggested_text));
    }
    parts.push(this.modeArea(item, mine, others));
    this.root.replaceChildren(...parts);
    const focusTarget = this.root.querySelector("[data-autofocus]");
    if (focusTarget) focusTarget.focus();
  }

  modeArea(item, mine, others) {
    const btn = (label, key, onclick, cls = "button-secondary", disabled = false) =>
      h("button", { type: "button", class: `button ${cls}`, onclick, disabled,
        "aria-keyshortcuts": key.length === 1 ? key : null },
      label, " ", h("span", { class: "key", "aria-hidden": "true" }, key));
    if (this.mode === "edit") {
      const area = h("textarea", { id: "edit-text", rows: 4, "data-autofocus": true,
        "aria-describedby": "edit-hint" });
      area.value = this.editText ?? item.text;
      area.addEventListener("input", () => { this.editText = area.value; });
      return h("div", { class: "dialog-inline" },
        h("label", { class: "label", for: "edit-text" }, "Edit before approving"),
        h("p", { class: "hint", id: "edit-hint" }, "Ctrl+Enter approves this version. Esc cancels."),
        area,
        h("div", { class: "actions" },
          btn("Approve edited", "Ctrl+Enter", () => this.approve(area.value), "button-approve"),
          btn("Cancel", "Esc", () => this.cancel())));
    }
    if (this.mode === "reject") {
      const codes = Object.keys(this.reasons);
      const form = h("form", { class: "dialog-inline", onsubmit: (e) => {
        e.preventDefault();
        const chosen = form.querySelector("input[name=reason]:checked");
        this.reject(chosen ? chosen.value : codes[0]);
      } },
      h("fieldset", { class: "reasons" },
        h("legend", {}, "Why is it not shown? (press a number)"),
        ...codes.map((code, i) => h("label", { class: "reason" },
          h("input", { type: "radio", name: "reason", value: code, checked: i === 0,
            "data-autofocus": i === 0 ? true : null }),
          `${i + 1}. ${this.reasons[code]}`))),
      h("p", { class: "hint" }, "The young person gets a kind note explaining why."),
      h("div", { class: "actions" },
        h("button", { type: "submit", class: "button button-danger" }, "Reject ",
          h("span", { class: "key", "aria-hidden": "true" }, "Enter")),
        btn("Cancel", "Esc", () => this.cancel())));
      return form;
    }
    if (this.mode === "escalate") {
      return h("div", { class: "dialog-inline" },
        h("p", {}, h("strong", {}, "Send this message to the safeguarding team?"),
          " It will not be shown. The young person gets support links, and a lead is alerted."),
        h("div", { class: "actions" },
          btn("Yes, escalate", "Enter", () => this.escalate(), "button-danger", false),
          btn("Cancel", "Esc", () => this.cancel())));
    }
    const blocked = others;
    const hasSuggestion = Boolean(item.suggested_text && item.suggested_text !== item.text);
    return h("div", { class: "actions", role: "group", "aria-label": "Actions" },
      mine ? btn("Release", "u", () => this.release(), "button-secondary")
        : btn("Claim", "c", () => this.claim(), "button-secondary", blocked),
      btn("Approve", "a", () => this.approve(), "button-approve", blocked),
      btn("Edit", "e", () => this.startEdit(), "button-secondary", blocked),
      hasSuggestion ? btn("Approve suggested", "s", () => this.approveSuggested(),
        "button-approve", blocked) : null,
      btn("Reject", "r", () => this.startReject(), "button-danger", blocked),
      btn("Escalate", "x", () => this.startEscalate(), "button-secondary", blocked));
  }

  async loadContext(item) {
    this.contextFor = item.id;
    this.context.replaceChildren(h("p", { class: "muted" }, "Loading…"));
    const ack = await this.call("context", { id: item.id });
    if (this.contextFor !== item.id) return;
    const messages = ack?.ok ? ack.messages || [] : [];
    if (!ack?.ok) {
      this.context.replaceChildren(h("p", { class: "muted" }, ack?.error?.message || "Couldn't load."));
      return;
    }
    this.context.replaceChildren(messages.length
      ? h("ol", { class: "plain-list context-list" }, ...messages.map((m) => h("li", {},
        h("p", { class: "msg-meta" }, h("span", { class: "tag" }, m.status),
          h("time", { datetime: m.at, class: "msg-time" }, clock(m.at))),
        h("p", { class: "msg-text" }, m.text))))
      : h("p", { class: "muted" }, `No earlier messages from ${item.handle}.`));
  }

  /** Make sure I hold the claim; returns the item or null (with a message). */
  async ensureClaimed() {
    const item = this.item;
    if (!item) return null;
    if (this.queue.claimedByMe(item)) return item;
    if (this.queue.claimedByOther(item)) {
      this.say(`${item.claimed_by} is checking this one. Press j to move on.`);
      return null;
    }
    const ack = await this.call("claim", { id: item.id });
    if (!ack?.ok) {
      this.say(ack?.error?.message || "Couldn't claim it.");
      return null;
    }
    this.queue.upsert(ack.item);
    if (this.item && this.item.id === ack.item.id) this.item = ack.item;
    return ack.item;
  }

  async claim() {
    if (await this.ensureClaimed()) {
      this.say(`Claimed. It's yours for now.`);
      this.render();
    }
  }

  async release() {
    const item = this.item;
    if (!item) return;
    const ack = await this.call("release", { id: item.id });
    this.say(ack?.ok ? "Released back to the queue." : ack?.error?.message || "Couldn't release.");
  }

  async decide(action, extra, done) {
    const item = await this.ensureClaimed();
    if (!item) return;
    const ack = await this.call("decide", { id: item.id, action, ...extra });
    if (!ack?.ok) {
      this.say(ack?.error?.message || "That didn't work. Please try again.");
      return;
    }
    this.mode = "view";
    this.editText = undefined;
    this.say(`${done} (${item.handle}).`);
    this.queue.remove(item.id);
  }

  approve(text) {
    const edited = typeof text === "string" && text !== this.item?.text;
    return this.decide("approve", edited ? { text } : {}, edited ? "Approved with edits" : "Approved");
  }

  approveSuggested() {
    const item = this.item;
    if (!item?.suggested_text || item.suggested_text === item.text) {
      this.say("There is no suggested redaction for this message.");
      return undefined;
    }
    return this.decide("approve", { text: item.suggested_text }, "Approved the redacted version");
  }

  reject(reason) {
    return this.decide("reject", { reason }, `Rejected: ${this.reasons[reason] || reason}`);
  }

  escalate() {
    return this.decide("escalate", {}, "Escalated to the safeguarding team");
  }

  async enter(mode) {
    if (!(await this.ensureClaimed())) return;
    this.mode = mode;
    this.render();
  }

  startEdit() { this.editText = undefined; return this.enter("edit"); }
  startReject() { return this.enter("reject"); }
  startEscalate() { return this.enter("escalate"); }

  cancel() {
    this.mode = "view";
    this.editText = undefined;
    this.render();
    this.queue.select(this.item?.id, { focus: true });
  }
}

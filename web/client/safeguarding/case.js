// One case: the message with its screening spans, earlier messages, acknowledgement, the
// private 1:1 conversation, team notes, closing with an outcome, and the export link.
import { $, clock, h, highlighted, spanLabel } from "../common/dom.js";
import { countdown } from "./cases.js";

export class CaseView {
  constructor({ call, announce, onChange }) {
    Object.assign(this, { call, announce, onChange });
    this.item = null;
    this.entries = [];
    this.outcomes = {};
    this.wire();
  }

  setOutcomes(outcomes) {
    this.outcomes = outcomes || {};
    $("#close-outcome").replaceChildren(h("option", { value: "" }, "Choose an outcome"),
      ...Object.entries(this.outcomes).map(([code, label]) => h("option", { value: code }, label)));
  }

  say(text) {
    $("#case-status").textContent = text;
  }

  async open(item) {
    this.item = item;
    $("#case-none").hidden = Boolean(item);
    $("#case").hidden = !item;
    if (!item) return;
    this.entries = [];
    this.say("");
    this.renderHead();
    $("#case-text").replaceChildren(...highlighted(item.text, item.spans, spanLabel));
    const context = item.context || [];
    $("#case-context").replaceChildren(context.length
      ? h("ol", { class: "plain-list context-list" }, ...context.map((m) => h("li", {},
        h("p", { class: "msg-meta" }, h("span", { class: "tag" }, m.status),
          h("time", { class: "msg-time", datetime: m.at }, clock(m.at))),
        h("p", { class: "msg-text" }, m.text))))
      : h("p", { class: "muted" }, "None."));
    $("#export").setAttribute("href", `/api/escalations/${encodeURIComponent(item.id)}?download=1`);
    this.renderEntries();
    const ack = await this.call("case", { id: item.id });
    if (ack?.ok && this.item?.id === item.id) {
      this.entries = ack.case.entries || [];
      this.renderEntries();
    }
  }

  update(item) {
    if (!this.item || this.item.id !== item.id) return;
    this.item = { ...this.item, ...item };
    this.renderHead();
  }

  addEntry(escalationId, entry) {
    if (!this.item || this.item.id !== escalationId) return;
    if (this.entries.some((e) => e.id === entry.id)) return;
    this.entries.push(entry);
    this.renderEntries();
  }

  renderHead() {
    const item = this.item;
    const c = countdown(item);
    const closed = item.status === "closed";
    $("#case-head").replaceChildren(
      h("p", { class: "msg-meta" }, h("strong", { class: "handle" }, item.handle),
        h("span", { class: `tag sev-${item.severity}` }, item.severity),
        (item.categories || []).length ? h("span", {}, item.categories.join(", ")) : null),
      h("dl", { class: "facts" },
        h("dt", {}, "Raised"), h("dd", {}, clock(item.created_at)),
        h("dt", {}, "Deadline"), h("dd", {}, clock(item.deadline_at)),
        h("dt", {}, "Status"), h("dd", { class: `countdown${c.overdue ? " is-overdue" : ""}`,
          id: "case-countdown" }, closed ? `Closed: ${this.outcomes[item.outcome] || item.outcome || ""}` : c.text)),
      !item.acknowledged_by && !closed
        ? h("div", { class: "actions" }, h("button", { type: "button", class: "button button-danger",
          id: "acknowledge", onclick: () => this.acknowledge() }, "Acknowledge: I'm taking this case"))
        : null);
    for (const id of ["pm-form", "note-form", "close-form"]) {
      for (const el of $(`#${id}`).elements) el.disabled = closed;
    }
  }

  tick() {
    const node = document.getElementById("case-countdown");
    if (!node || !this.item || this.item.status === "closed") return;
    const c = countdown(this.item);
    node.textContent = c.text;
    node.classList.toggle("is-overdue", c.overdue);
  }

  renderEntries() {
    const entry = (e) => h("li", { class: `entry entry-${e.kind}` },
      h("p", { class: "msg-meta" }, h("strong", {}, e.kind === "from_young_person"
        ? `${this.item?.handle || "Young person"} (young person)` : e.actor),
      h("time", { class: "msg-time", datetime: e.at }, clock(e.at))),
      h("p", { class: "msg-text" }, e.text));
    const thread = this.entries.filter((e) => e.kind === "to_young_person" || e.kind === "from_young_person");
    const notes = this.entries.filter((e) => e.kind === "note");
    $("#case-thread").replaceChildren(...(thread.length ? thread.map(entry)
      : [h("li", { class: "muted" }, "No private messages yet.")]));
    $("#case-notes").replaceChildren(...(notes.length ? notes.map(entry)
      : [h("li", { class: "muted" }, "No notes yet.")]));
  }

  async acknowledge() {
    const ack = await this.call("acknowledge", { id: this.item.id });
    if (ack?.ok) {
      this.update(ack.item);
      this.onChange(ack.item);
      this.say("You have taken this case.");
      this.announce("Acknowledged. You have taken this case.");
      $("#pm-text").focus();
    } else {
      this.say(ack?.error?.message || "Couldn't acknowledge. Please try again.");
    }
  }

  wire() {
    const form = (id, textId, errorId, send) => {
      $(id).addEventListener("submit", async (event) => {
        event.preventDefault();
        const error = $(errorId);
        error.hidden = true;
        const text = textId ? $(textId).value : "";
        if (textId && !text.trim()) {
          error.textContent = "Please type something first.";
          error.hidden = false;
          $(textId).focus();
          return;
        }
        const ack = await send(text);
        if (ack?.ok) {
          if (textId) $(textId).value = "";
        } else {
          error.textContent = ack?.error?.message || "That didn't work. Please try again.";
          error.hidden = false;
        }
      });
    };
    form("#pm-form", "#pm-text", "#pm-error", async (text) => {
      const ack = await this.call("private_message", { escalation_id: this.item.id, text });
      if (ack?.ok) this.say("Private message sent.");
      return ack;
    });
    form("#note-form", "#note-text", "#note-error", async (text) => {
      const ack = await this.call("note", { escalation_id: this.item.id, text });
      if (ack?.ok) this.say("Note added.");
      return ack;
    });
    form("#close-form", null, "#close-error", async () => {
      const outcome = $("#close-outcome").value;
      if (!outcome) return { ok: false, error: { message: "Choose an outcome before closing the case." } };
      const ack = await this.call("close", { escalation_id: this.item.id, outcome,
        note: $("#close-note").value || undefined });
      if (ack?.ok) {
        $("#close-note").value = "";
        this.update(ack.item);
        this.onChange(ack.item);
        this.say(`Case closed: ${this.outcomes[outcome] || outcome}.`);
        this.announce("Case closed.");
      }
      return ack;
    });
  }
}

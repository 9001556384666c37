// Around the queue: the duty warning, safeguarding cases (overdue ones stand out), and the
// host's post box.
import { clock, h } from "../common/dom.js";

export function renderDuty(banner, duty) {
  if (duty && duty.warning) {
    banner.replaceChildren(h("strong", {}, "No safeguarding lead is on duty"),
      " while a chat is open. Disclosures still go to the safeguarding queue, but nobody is there to act. Call the designated safeguarding lead now.");
    banner.hidden = false;
  } else {
    banner.hidden = true;
    banner.replaceChildren();
  }
}

export class Escalations {
  constructor({ list, count, banner, announce }) {
    Object.assign(this, { list, count, banner, announce });
    this.items = new Map();
  }

  setAll(items) {
    this.items = new Map(items.filter((i) => i.status !== "closed").map((i) => [i.id, i]));
    this.render();
  }

  upsert(item) {
    const before = this.items.get(item.id);
    if (item.status === "closed") this.items.delete(item.id);
    else this.items.set(item.id, item);
    if (!before && item.status !== "closed") {
      this.announce(`Message from ${item.handle} sent to the safeguarding team.`);
    } else if (before && !before.overdue && item.overdue && !item.acknowledged_by) {
      this.announce(`Overdue: no lead has taken the case from ${item.handle}.`);
    }
    this.render();
  }

  render() {
    const items = [...this.items.values()].sort((a, b) =>
      Number(b.overdue) - Number(a.overdue) || Date.parse(a.created_at) - Date.parse(b.created_at));
    this.list.replaceChildren(...items.map((i) => h("li", {
      class: `esc-item${i.overdue && !i.acknowledged_by ? " is-overdue" : ""}` },
    h("p", { class: "msg-meta" }, h("strong", {}, i.handle),
      h("span", { class: `tag sev-${i.severity}` }, i.severity),
      h("time", { class: "msg-time", datetime: i.created_at }, clock(i.created_at))),
    h("p", {}, i.acknowledged_by ? `Taken by ${i.acknowledged_by}`
      : i.overdue ? "OVERDUE: no lead has taken this yet" : "Waiting for a lead"))));
    if (!items.length) this.list.replaceChildren(h("li", { class: "muted" }, "No open cases."));
    this.count.textContent = String(items.length);
    const overdue = items.filter((i) => i.overdue && !i.acknowledged_by);
    this.banner.hidden = overdue.length === 0;
    this.banner.textContent = overdue.length
      ? `${overdue.length} safeguarding ${overdue.length === 1 ? "case is" : "cases are"} overdue: no lead has acknowledged. Call the designated safeguarding lead.`
      : "";
  }
}

export async function setupHost({ section, call }) {
  section.hidden = false;
  const select = section.querySelector("#host-webchat");
  const text = section.querySelector("#host-text");
  const error = section.querySelector("#host-error");
  const done = section.querySelector("#host-done");
  try {
    const data = await (await fetch("/api/webchats")).json();
    const open = (data.webchats || []).filter((w) => w.state === "open");
    select.replaceChildren(...open.map((w) => h("option", { value: w.id }, w.title)));
    if (!open.length) select.replaceChildren(h("option", { value: "" }, "No chat is open"));
  } catch {
    select.replaceChildren(h("option", { value: "" }, "Couldn't load chats"));
  }
  section.querySelector("#host-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    done.textContent = "";
    const ack = await call("post", { webchat: select.value, text: text.value });
    if (ack?.ok) {
      text.value = "";
      done.textContent = "Posted to the chat.";
    } else {
      error.textContent = ack?.error?.message || "Couldn't post. Please try again.";
      error.hidden = false;
    }
    text.focus();
  });
}

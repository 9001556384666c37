// Open escalations, most serious first then nearest deadline, each with a live countdown to
// its acknowledgement deadline. Cards carry "new" and "new reply" markers until opened.
import { clock, duration, h } from "../common/dom.js";

const RANK = { urgent: 3, high: 2, medium: 1 };

export function countdown(item, now = Date.now()) {
  if (item.status === "closed") return { text: "Closed", overdue: false };
  if (item.acknowledged_by) {
    return { text: `Taken by ${item.acknowledged_by}${item.acknowledged_at ? ` at ${clock(item.acknowledged_at)}` : ""}`, overdue: false };
  }
  const left = Date.parse(item.deadline_at) - now;
  if (left <= 0 || item.overdue) return { text: `OVERDUE by ${duration(-left)}: acknowledge now`, overdue: true };
  return { text: `Acknowledge within ${duration(left)}`, overdue: false };
}

export class CaseList {
  constructor({ list, empty, count, onSelect }) {
    Object.assign(this, { list, empty, count, onSelect });
    this.items = new Map();
    this.flags = new Map(); // id -> Set of "new" | "reply"
    this.selectedId = null;
    window.setInterval(() => this.tick(), 1000);
  }

  setAll(items) {
    this.items = new Map(items.filter((i) => i.status !== "closed").map((i) => [i.id, i]));
    this.render();
  }

  upsert(item) {
    if (item.status === "closed" && this.selectedId !== item.id) this.items.delete(item.id);
    else this.items.set(item.id, item);
    this.render();
  }

  flag(id, what) {
    if (id === this.selectedId) return;
    if (!this.flags.has(id)) this.flags.set(id, new Set());
    this.flags.get(id).add(what);
    this.render();
  }

  get(id) {
    return this.items.get(id);
  }

  select(id) {
    this.selectedId = id;
    this.flags.delete(id);
    // Closed cases leave the list once you move away from them.
    for (const [key, item] of this.items) {
      if (item.status === "closed" && key !== id) this.items.delete(key);
    }
    this.render();
    this.onSelect(this.items.get(id) || null);
  }

  render() {
    const items = [...this.items.values()].sort((a, b) =>
      (RANK[b.severity] || 0) - (RANK[a.severity] || 0)
      || Date.parse(a.deadline_at) - Date.parse(b.deadline_at));
    const focusedId = document.activeElement?.closest?.(".queue-item")?.dataset.id;
    this.list.replaceChildren(...items.map((item) => this.row(item)));
    if (focusedId) this.list.querySelector(`[data-id="${CSS.escape(focusedId)}"] > button`)?.focus();
    const open = items.filter((i) => i.status !== "closed").length;
    this.count.textContent = String(open);
    this.empty.hidden = items.length > 0;
    this.tick();
  }

  row(item) {
    const flags = this.flags.get(item.id) || new Set();
    const selected = item.id === this.selectedId;
    const button = h("button", { type: "button", "aria-current": selected ? "true" : null,
      onclick: () => this.select(item.id) },
    h("span", { class: "qi-top" },
      h("span", { class: "qi-handle" }, item.handle),
      h("span", { class: `tag sev-${item.severity}` }, item.severity),
      flags.has("new") ? h("span", { class: "tag sev-high" }, "new") : null,
      flags.has("reply") ? h("span", { class: "tag tag-pii" }, "new reply") : null,
      item.status === "closed" ? h("span", { class: "tag" }, "closed") : null,
      h("span", { class: "qi-age" }, `at ${clock(item.created_at)}`)),
    h("span", { class: "qi-text", text: item.text }),
    h("span", { class: "qi-claim countdown", dataset: { id: item.id } }));
    return h("li", { class: "queue-item case-card", dataset: { id: item.id },
      "aria-current": selected ? "true" : null }, button);
  }

  tick() {
    const now = Date.now();
    for (const node of this.list.querySelectorAll(".countdown")) {
      const item = this.items.get(node.dataset.id);
      if (!item) continue;
      const c = countdown(item, now);
      node.textContent = c.text;
      node.classList.toggle("is-overdue", c.overdue);
      node.closest(".case-card")?.classList.toggle("is-overdue", c.overdue);
    }
  }

  overdueUnacknowledged() {
    const now = Date.now();
    return [...this.items.values()].filter((i) => i.status !== "closed" && countdown(i, now).overdue);
  }
}

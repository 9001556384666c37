// The live queue: sorted by severity (priority) then age, each item's age ticking, one item
// selected at a time. Items claimed by someone else stay visible but are marked as theirs.
import { duration, h } from "../common/dom.js";

const RANK = { urgent: 3, high: 2, medium: 1, low: 0.5 };
export const OLD_AFTER_MS = 120_000;

export function severityOf(item) {
  return item?.screening?.severity || "none";
}

function compare(a, b) {
  return (b.priority || 0) - (a.priority || 0)
    || (RANK[severityOf(b)] || 0) - (RANK[severityOf(a)] || 0)
    || Date.parse(a.created_at) - Date.parse(b.created_at);
}

export class Queue {
  constructor({ list, empty, count, me, onSelect }) {
    Object.assign(this, { list, empty, count, me, onSelect });
    this.items = new Map();
    this.order = [];
    this.selectedId = null;
    this.timer = window.setInterval(() => this.tick(), 1000);
  }

  setAll(items) {
    this.items = new Map(items.map((i) => [i.id, i]));
    this.render();
  }

  upsert(item) {
    if (item.status && item.status !== "pending") {
      this.remove(item.id);
      return;
    }
    this.items.set(item.id, item);
    this.render();
  }

  remove(id) {
    if (!this.items.has(id)) return;
    const index = this.order.indexOf(id);
    this.items.delete(id);
    if (this.selectedId === id) {
      const next = this.order.filter((x) => x !== id);
      this.selectedId = next[Math.min(index, next.length - 1)] || null;
      this.render();
      this.onSelect(this.selected(), { moved: true });
      return;
    }
    this.render();
  }

  get(id) {
    return this.items.get(id);
  }

  selected() {
    return this.selectedId ? this.items.get(this.selectedId) || null : null;
  }

  select(id, { focus = false } = {}) {
    const changed = id !== this.selectedId;
    this.selectedId = id;
    this.render();
    if (focus) this.list.querySelector(`[data-id="${CSS.escape(id)}"] > button`)?.focus();
    if (changed) this.onSelect(this.selected(), { moved: true });
  }

  move(step) {
    if (!this.order.length) return;
    const at = this.order.indexOf(this.selectedId);
    const next = at < 0 ? 0 : Math.max(0, Math.min(this.order.length - 1, at + step));
    this.select(this.order[next], { focus: true });
  }

  claimedByMe(item) {
    return Boolean(item && item.claimed_by && item.claimed_by === this.me());
  }

  claimedByOther(item) {
    return Boolean(item && item.claimed_by && item.claimed_by !== this.me());
  }

  mine() {
    return [...this.items.values()].filter((i) => this.claimedByMe(i)).map((i) => i.id);
  }

  render() {
    const items = [...this.items.values()].sort(compare);
    this.order = items.map((i) => i.id);
    if (this.selectedId && !this.items.has(this.selectedId)) this.selectedId = null;
    if (!this.selectedId && items.length) {
      this.selectedId = items[0].id;
      queueMicrotask(() => this.onSelect(this.selected(), { moved: true }));
    }
    const focusedId = document.activeElement?.closest?.(".queue-item")?.dataset.id;
    this.list.replaceChildren(...items.map((item) => this.row(item)));
    if (focusedId) this.list.querySelector(`[data-id="${CSS.escape(focusedId)}"] > button`)?.focus();
    this.count.textContent = String(items.length);
    this.empty.hidden = items.length > 0;
    this.tick();
  }

  row(item) {
    const sev = severityOf(item);
    const hasPii = (item.screening?.pii || []).length > 0;
    const swear = (item.screening?.spans || []).some((s) => s.kind === "profanity");
    const selected = item.id === this.selectedId;
    let claim = null;
    if (this.claimedByMe(item)) claim = "Claimed by you";
    else if (item.claimed_by) claim = `Being checked by ${item.claimed_by}`;
    const button = h("button", { type: "button", "aria-current": selected ? "true" : null,
      onclick: () => this.select(item.id) },
      h("span", { class: "qi-top" },
        h("span", { class: "qi-handle" }, item.handle),
        sev !== "none" ? h("span", { class: `tag sev-${sev}` }, sev) : null,
        hasPii ? h("span", { class: "tag tag-pii" }, "contact details") : null,
        swear ? h("span", { class: "tag sev-high" }, "language") : null,
        h("span", { class: "qi-age", dataset: { created: item.created_at } })),
      h("span", { class: "qi-text", text: item.text }),
      claim ? h("span", { class: "qi-claim" }, claim) : null);
    return h("li", { class: `queue-item${this.claimedByOther(item) ? " is-others" : ""}`,
      dataset: { id: item.id }, "aria-current": selected ? "true" : null }, button);
  }

  tick() {
    const now = Date.now();
    for (const node of this.list.querySelectorAll(".qi-age")) {
      const age = now - Date.parse(node.dataset.created);
      node.textContent = `waiting ${duration(age)}`;
      node.classList.toggle("is-old", age > OLD_AFTER_MS);
    }
  }
}

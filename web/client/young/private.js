// The support card (shown when a message may be a disclosure) and the private conversation
// with the Safeguarding team, kept visibly apart from the room.
import { clock, h } from "../common/dom.js";
import { T } from "./strings.js";

function telHref(phone) {
  return `tel:${String(phone).replace(/[^0-9+]/g, "")}`;
}

function safeUrl(url) {
  try {
    const u = new URL(url);
    return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
  } catch {
    return null;
  }
}

export function renderSupport(section, data) {
  const list = section.querySelector("#support-resources");
  const text = section.querySelector("#support-text");
  text.textContent = data.text || "";
  list.replaceChildren(...(data.resources || []).map((r) => {
    const url = r.url ? safeUrl(r.url) : null;
    return h("li", { class: "resource" },
      h("p", { class: "resource-name" }, r.name),
      r.hours ? h("p", { class: "resource-hours" }, r.hours) : null,
      h("p", { class: "resource-actions" },
        r.phone ? h("a", { class: "button button-call", href: telHref(r.phone) },
          `Call ${r.phone}`, h("span", { class: "visually-hidden" }, ` (${r.name})`)) : null,
        url ? h("a", { class: "button button-secondary", href: url, rel: "noreferrer noopener",
          target: "_blank" }, "Visit website",
        h("span", { class: "visually-hidden" }, ` of ${r.name} (opens in a new tab)`)) : null));
  }));
  section.hidden = false;
}

export class PrivateChat {
  constructor({ section, list, announce }) {
    this.section = section;
    this.list = list;
    this.announce = announce;
    this.seen = new Set();
  }

  reset(entries) {
    this.seen.clear();
    this.list.replaceChildren();
    for (const e of entries) this.add(e, { quiet: true });
  }

  add(entry, { quiet = false } = {}) {
    if (entry.id && this.seen.has(entry.id)) return;
    if (entry.id) this.seen.add(entry.id);
    const mine = entry.from === "you";
    const who = mine ? T.privateFromYou : entry.from || "Safeguarding team";
    this.list.append(h("li", { class: `pm ${mine ? "pm-you" : "pm-team"}` },
      h("p", { class: "msg-meta" }, h("span", { class: "msg-who" }, who),
        entry.at ? h("time", { datetime: entry.at, class: "msg-time" }, clock(entry.at)) : null),
      h("p", { class: "msg-text" }, entry.text)));
    this.section.hidden = false;
    if (!quiet && !mine) this.announce(T.privateArrived(entry.text));
  }
}

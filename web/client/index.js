// The list of webchats: open now, or coming up, each with a link to join.
import { $, announcer, h } from "./common/dom.js";
import { setupQuickExit } from "./common/quickexit.js";

setupQuickExit({ status: announcer($("#exit-status")) });

function when(w) {
  const opens = new Date(w.opens_at);
  const closes = new Date(w.closes_at);
  const time = (d) => d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
  const day = (d) => d.toLocaleDateString([], { weekday: "long", day: "numeric", month: "long" });
  if (w.state === "open") return `Open now, until ${time(closes)}`;
  if (w.state === "closed") return "This chat has finished";
  return `Opens ${day(opens)} at ${time(opens)}`;
}

async function load() {
  const status = $("#list-status");
  const list = $("#webchats");
  try {
    const response = await fetch("/api/webchats");
    const data = await response.json();
    const items = (data.webchats || []).filter((w) => w.state !== "closed");
    list.replaceChildren(...items.map((w) => h("li", { class: "card" },
      h("h3", {}, w.title),
      h("p", { class: "chat-when" }, when(w)),
      h("a", { class: "button", href: `/chat/${encodeURIComponent(w.id)}` },
        w.state === "open" ? "Join this chat" : "Go to this chat",
        h("span", { class: "visually-hidden" }, `: ${w.title}`)))));
    status.textContent = items.length ? "" : "There are no chats right now. Please come back later.";
    status.hidden = items.length > 0;
  } catch {
    status.textContent = "We couldn't load the chats. Please try again in a moment.";
  }
}

if (document.getElementById("webchats")) load();

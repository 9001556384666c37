// The room: approved messages for everyone, plus this young person's own messages with
// their status (waiting, shown, not shown, sent privately). The list is not a live region;
// new messages are announced one at a time through the page's polite announcer.
import { clock, h } from "../common/dom.js";
import { T } from "./strings.js";

export class Room {
  constructor({ list, empty, scroller, announce }) {
    this.list = list;
    this.empty = empty;
    this.scroller = scroller;
    this.announce = announce;
    this.rows = new Map(); // message id or "c:"+client_id -> <li>
    this.notes = []; // own notices kept in memory across reconnects: {id, client_id, ...}
    this.handle = "";
  }

  /** Rebuild from a `joined` event. */
  reset(handle, history, pending, own = []) {
    this.handle = handle;
    this.rows.clear();
    this.list.replaceChildren();
    for (const m of history) this.addApproved(m, { quiet: true });
    for (const p of pending) this.addOwn({ ...p, handle }, { quiet: true });
    for (const o of own) {
      if (!this.rows.has(o.id)) this.addOwn({ ...o, handle, reasonText: o.reason_text }, { quiet: true });
    }
    for (const n of this.notes) if (!this.rows.has(n.id)) this.addOwn(n, { quiet: true });
    this.refresh(true);
  }

  refresh(toBottom = false) {
    this.empty.hidden = this.list.children.length > 0;
    const s = this.scroller;
    const nearBottom = s.scrollHeight - s.scrollTop - s.clientHeight < 120;
    if (toBottom || nearBottom) s.scrollTop = s.scrollHeight;
  }

  row(m, own) {
    const host = m.role === "host";
    const who = host ? T.host : m.handle;
    const meta = h("p", { class: "msg-meta" },
      h("span", { class: "msg-who" }, who),
      own ? h("span", { class: "msg-you" }, ` (${T.you})`) : null,
      m.at ? h("time", { datetime: m.at, class: "msg-time" }, clock(m.at)) : null);
    return h("li", { class: `msg${host ? " msg-host" : ""}${own ? " msg-own" : ""}` },
      meta, h("p", { class: "msg-text" }, m.text));
  }

  /** An approved room message (for everyone, including the author). */
  addApproved(m, { quiet = false } = {}) {
    const mine = this.rows.get(m.id);
    if (mine) {
      this.markShown(mine, m.text);
      return;
    }
    const own = m.role !== "host" && m.handle === this.handle && this.handle !== "";
    const li = this.row(m, own);
    li.dataset.id = m.id;
    li.dataset.status = "approved";
    this.rows.set(m.id, li);
    this.list.append(li);
    this.refresh(own);
    if (!quiet && !own) this.announce(T.newMessage(m.role === "host" ? T.host : m.handle, m.text));
  }

  /** One of this person's own messages, with its status. */
  addOwn(m, { quiet = false } = {}) {
    const li = this.row({ ...m, handle: this.handle }, true);
    li.dataset.clientId = m.client_id || "";
    if (m.id) {
      li.dataset.id = m.id;
      this.rows.set(m.id, li);
    }
    if (m.client_id) this.rows.set(`c:${m.client_id}`, li);
    this.list.append(li);
    this.setStatus(li, m.status || "pending", { text: m.reasonText });
    this.refresh(!quiet);
    return li;
  }

  ownRow(id, clientId) {
    return this.rows.get(id) || (clientId ? this.rows.get(`c:${clientId}`) : undefined);
  }

  /** The server acknowledged our message: remember its id. */
  acknowledged(clientId, message) {
    const li = this.rows.get(`c:${clientId}`);
    if (!li) return;
    li.dataset.id = message.id;
    this.rows.set(message.id, li);
    if (message.status && message.status !== li.dataset.status) {
      this.setStatus(li, message.status, { id: message.id, client_id: clientId });
    }
  }

  /** A `message_status` event (only the author gets these). */
  status(data) {
    let li = this.ownRow(data.id, data.client_id);
    if (!li) li = this.addOwn({ id: data.id, client_id: data.client_id, text: "", status: "pending" },
      { quiet: true });
    this.setStatus(li, data.status, data);
    if (data.status === "approved") this.announce(T.yourShown);
    if (data.status === "rejected") this.announce(`${T.yourNotShown} ${data.text || ""}`.trim());
  }

  markShown(li, text) {
    this.setStatus(li, "approved", { text });
  }

  setStatus(li, status, data = {}) {
    li.dataset.status = status;
    li.classList.remove("is-pending", "is-approved", "is-rejected", "is-escalated");
    li.classList.add(`is-${status}`);
    const old = li.querySelector(".msg-state");
    if (old) old.remove();
    const textNode = li.querySelector(".msg-text");
    let note = null;
    if (status === "pending") {
      note = h("p", { class: "msg-state" }, T.waiting);
    } else if (status === "approved") {
      if (data.text && textNode && textNode.textContent !== data.text) {
        textNode.textContent = data.text;
        if (li.classList.contains("msg-own")) li.dataset.edited = "true";
      }
      if (li.dataset.edited) note = h("p", { class: "msg-state" }, T.edited);
    } else if (status === "rejected") {
      note = h("div", { class: "msg-state notice" },
        h("p", { class: "notice-title" }, T.notShownTitle),
        data.text ? h("p", {}, data.text) : null);
      this.remember(li, status, data);
    } else if (status === "escalated") {
      note = h("p", { class: "msg-state notice notice-private" }, T.privateTitle);
      this.remember(li, status, data);
    }
    if (note) li.append(note);
  }

  remember(li, status, data) {
    const id = li.dataset.id;
    if (!id || this.notes.some((n) => n.id === id)) return;
    this.notes.push({
      id,
      client_id: li.dataset.clientId,
      text: li.querySelector(".msg-text")?.textContent || "",
      status,
      reasonText: data.text,
      at: li.querySelector("time")?.getAttribute("datetime") || new Date().toISOString(),
    });
  }
}

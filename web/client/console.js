// The moderator console: log in, then a live, keyboard-first queue. Hosts see a post box.
import { io } from "socket.io-client";
import { handleRefused, loginFlow, setupLogout } from "./common/api.js";
import { $, announcer, duration } from "./common/dom.js";
import { Detail } from "./console/detail.js";
import { setupKeys } from "./console/keys.js";
import { Queue } from "./console/queue.js";
import { Escalations, renderDuty, setupHost } from "./console/side.js";

const announce = announcer($("#announce"));
let username = "";
let ready = false;

async function main() {
  const me = await loginFlow();
  username = me.username;
  $("#whoami").textContent = `Logged in as ${me.username}`;
  $("#whoami").hidden = false;
  $("#logout").hidden = false;
  setupLogout();
  $("#app").hidden = false;

  const socket = io("/moderation", { transports: ["websocket"], withCredentials: true });
  const call = async (event, data) => {
    try {
      return await socket.timeout(8000).emitWithAck(event, data);
    } catch {
      return { ok: false, error: { message: "No answer from the server. Check your connection." } };
    }
  };

  const queue = new Queue({
    list: $("#queue"), empty: $("#queue-empty"), count: $("#queue-count"),
    me: () => username, onSelect: (item, opts) => detail.show(item, opts),
  });
  const detail = new Detail({
    root: $("#detail"), context: $("#context"), status: $("#action-status"), queue, call, announce,
  });
  const escalations = new Escalations({
    list: $("#escalations"), count: $("#esc-count"), banner: $("#overdue"), announce,
  });
  setupKeys({ queue, detail, enabled: () => ready });

  const conn = $("#conn");
  socket.on("connect", () => { conn.hidden = true; });
  socket.on("disconnect", () => {
    conn.textContent = "Connection lost. Reconnecting… Your claims go back to the queue.";
    conn.hidden = false;
  });
  socket.on("connect_error", async (err) => {
    if (await handleRefused(err, socket, conn)) return;
    conn.textContent = "Can't reach the server. Retrying…";
    conn.hidden = false;
  });

  socket.on("hello", (data) => {
    username = data.username;
    const moderates = Boolean(data.reasons);
    if (!moderates) {
      setupHost({ section: $("#host"), call });
      document.body.dataset.ready = "host";
      return;
    }
    detail.reasons = data.reasons;
    $("#moderation").hidden = false;
  });
  socket.on("queue", (data) => {
    queue.setAll(data.items || []);
    ready = true;
    document.body.dataset.ready = "moderator";
  });
  socket.on("queue_item", (data) => {
    const isNew = !queue.get(data.item.id);
    queue.upsert(data.item);
    if (isNew && data.item.status === "pending") announce(`New message in the queue from ${data.item.handle}.`);
    if (detail.item && detail.item.id === data.item.id) detail.show(queue.get(data.item.id) || null);
  });
  socket.on("queue_removed", (data) => queue.remove(data.id));
  socket.on("escalations", (data) => escalations.setAll(data.items || []));
  socket.on("escalated", (data) => escalations.upsert(data.item));
  socket.on("duty", (data) => renderDuty($("#duty"), data));

  // Keep claims alive while this tab holds any.
  window.setInterval(() => {
    if (socket.connected && queue.mine().length) call("renew", {});
  }, 20000);
  window.setInterval(() => {
    const age = document.querySelector(".qi-age-detail");
    if (age && detail.item) age.textContent = duration(Date.now() - Date.parse(detail.item.created_at));
  }, 1000);
}

main();

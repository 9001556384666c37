// The safeguarding dashboard: open escalations with deadlines, alerts, acknowledgement, the
// private 1:1 conversation with the young person, notes, closing and export.
import { io } from "socket.io-client";
import { handleRefused, loginFlow, setupLogout } from "./common/api.js";
import { beep, unlockSound } from "./common/beep.js";
import { $, announcer } from "./common/dom.js";
import { Alerts } from "./safeguarding/alerts.js";
import { CaseView } from "./safeguarding/case.js";
import { CaseList } from "./safeguarding/cases.js";

const announce = announcer($("#announce"));

async function main() {
  const me = await loginFlow({ onGesture: unlockSound });
  $("#whoami").textContent = `Logged in as ${me.username}`;
  $("#whoami").hidden = false;
  $("#logout").hidden = false;
  setupLogout();
  $("#app").hidden = false;

  const socket = io("/safeguarding", { transports: ["websocket"], withCredentials: true });
  const call = async (event, data) => {
    try {
      return await socket.timeout(8000).emitWithAck(event, data);
    } catch {
      return { ok: false, error: { message: "No answer from the server. Check your connection." } };
    }
  };
  const alerts = new Alerts({ banner: $("#alert"), soundButton: $("#sound"), announce });
  const view = new CaseView({ call, announce, onChange: (item) => list.upsert(item) });
  const list = new CaseList({
    list: $("#cases"), empty: $("#cases-empty"), count: $("#cases-count"),
    onSelect: (item) => view.open(item),
  });
  window.setInterval(() => view.tick(), 1000);

  const conn = $("#conn");
  socket.on("connect", () => { conn.hidden = true; });
  socket.on("disconnect", () => {
    conn.textContent = "Connection lost. Reconnecting… You will not get alerts until it's back.";
    conn.hidden = false;
  });
  socket.on("connect_error", async (err) => {
    if (await handleRefused(err, socket, conn)) return;
    conn.textContent = "Can't reach the server. Retrying… You will not get alerts until it's back.";
    conn.hidden = false;
  });

  socket.on("hello", (data) => view.setOutcomes(data.outcomes));
  socket.on("escalations", (data) => {
    list.setAll(data.items || []);
    document.body.dataset.ready = "true";
    const overdue = list.overdueUnacknowledged();
    if (overdue.length) alerts.raise(`${overdue.length} overdue ${overdue.length === 1 ? "case needs" : "cases need"} acknowledging now.`, { urgent: true });
  });
  socket.on("escalation", (data) => {
    const item = data.item;
    const known = Boolean(list.get(item.id));
    list.upsert(item);
    view.update(item);
    if (data.overdue) {
      alerts.raise(`OVERDUE: the case from ${item.handle} (${item.severity}) has not been acknowledged.`, { urgent: true });
    } else if (!known) {
      list.flag(item.id, "new");
      alerts.raise(`New case from ${item.handle} (${item.severity}). Acknowledge it before the deadline.`,
        { urgent: item.severity === "urgent" });
    }
  });
  socket.on("escalation_updated", (data) => {
    list.upsert(data.item);
    view.update(data.item);
    if (!list.overdueUnacknowledged().length && data.item.acknowledged_by) alerts.clear();
  });
  socket.on("case_entry", (data) => {
    view.addEntry(data.escalation_id, data.entry);
    if (data.entry.kind === "from_young_person") {
      const item = list.get(data.escalation_id);
      list.flag(data.escalation_id, "reply");
      beep({ times: 1 });
      announce(`New private reply from ${item ? item.handle : "a young person"}.`);
    }
  });

  // Keep nagging while an overdue case has nobody on it.
  window.setInterval(() => {
    if (list.overdueUnacknowledged().length) beep({ times: 2, urgent: true });
  }, 30000);
}

main();

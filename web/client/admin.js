// Admin page: who is on duty, schedule webchats, outcome reports, the recent audit log.
import { loginFlow, setupLogout } from "./common/api.js";
import { $, h, show } from "./common/dom.js";

async function getJson(path, options = {}) {
  const response = await fetch(path, { credentials: "same-origin", ...options });
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new Error(data?.error?.message || `Request failed (${response.status})`);
  return data;
}

const AUDIENCES = {
  young_people: "Young people",
  parents_carers: "Parents and carers",
  practitioners: "Practitioners",
  businesses: "Businesses",
};

function when(iso) {
  return new Date(iso).toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "short" });
}

async function refreshDuty() {
  const duty = await getJson("/api/duty");
  const text = duty.leads.length
    ? `Safeguarding leads on duty: ${duty.leads.join(", ")}.`
    : "No safeguarding lead is on duty.";
  const open = duty.open_webchats.length ? ` Open webchats: ${duty.open_webchats.length}.` : "";
  $("#duty").textContent = text + open;
  $("#duty").className = duty.warning ? "banner banner-danger" : "";
}

function reportRows(report) {
  const m = report.messages;
  const e = report.escalations;
  const t = report.time_to_decision;
  const a = e.time_to_acknowledge;
  const secs = (value) => (value === null ? "–" : `${value} s`);
  return [
    ["Young people who wrote", report.participants_who_wrote],
    ["Messages from young people", m.from_young_people],
    ["By status", Object.entries(m.by_status).map(([k, v]) => `${k} ${v}`).join(", ") || "–"],
    ["Time to decision (median / 95th)", `${secs(t.median_s)} / ${secs(t.p95_s)}`],
    ["Safeguarding cases", e.total],
    ["Cases by outcome", Object.entries(e.by_outcome).map(([k, v]) => `${k} ${v}`).join(", ") || "–"],
    ["Time to acknowledge (median / max)", `${secs(a.median_s)} / ${secs(a.max_s)}`],
    ["Overdue cases", e.overdue],
  ];
}

async function showReport(webchat) {
  const report = await getJson(`/api/reports/webchats/${encodeURIComponent(webchat.id)}`);
  const list = $("#report");
  list.replaceChildren(h("dt", {}, "Webchat"), h("dd", {}, webchat.title));
  for (const [label, value] of reportRows(report)) {
    list.append(h("dt", {}, label), h("dd", {}, String(value)));
  }
  show($("#report-none"), false);
  show(list, true);
}

async function refreshChats() {
  const { webchats } = await getJson("/api/admin/webchats");
  $("#chats").replaceChildren(...webchats.map((w) => h("li", { class: "card", dataset: { id: w.id } },
    h("p", {}, h("strong", {}, w.title)),
    h("p", { class: "hint" }, `${AUDIENCES[w.audience] || w.audience} · ${w.state} · ${when(w.opens_at)} to ${when(w.closes_at)}`),
    h("p", {}, h("a", { href: `/chat/${w.id}` }, "Young person's link"), " · ",
      h("button", { class: "button button-small button-secondary", type: "button",
        onclick: () => showReport(w) }, "Report")))));
}

async function refreshAudit() {
  const { entries } = await getJson("/api/audit?limit=30");
  $("#audit").replaceChildren(...entries.reverse().map((a) =>
    h("li", {}, `${when(a.at)} · ${a.action}`)));
}

function setupCreate() {
  $("#new-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const error = $("#new-error");
    show(error, false);
    const opens = $("#new-opens").value;
    const closes = $("#new-closes").value;
    try {
      if (!opens || !closes) throw new Error("Please choose when the webchat opens and closes.");
      const { webchat } = await getJson("/api/webchats", {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          title: $("#new-title-input").value,
          audience: $("#new-audience").value,
          opens_at: new Date(opens).toISOString(),
          closes_at: new Date(closes).toISOString(),
        }),
      });
      $("#new-done").textContent = `Scheduled “${webchat.title}”.`;
      event.target.reset();
      await refreshChats();
    } catch (err) {
      error.textContent = err.message;
      show(error, true);
    }
  });
}

async function main() {
  setupLogout();
  const me = await loginFlow();
  $("#whoami").textContent = `Logged in as ${me.username}`;
  show($("#whoami"), true);
  show($("#logout"), true);
  show($("#app"), true);
  if (!me.roles.includes("admin")) {
    $("#refused").textContent = `${me.username} is not an admin. Log out and log in with an admin account.`;
    show($("#refused"), true);
    document.body.dataset.ready = "refused";
    return;
  }
  setupCreate();
  await Promise.all([refreshDuty(), refreshChats(), refreshAudit()]);
  window.setInterval(() => { refreshDuty().catch(() => {}); }, 10000);
  document.body.dataset.ready = "admin";
}

main();

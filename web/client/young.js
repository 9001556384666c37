// The young person's page: join by link with no account, see the room, send messages that a
// moderator checks first, get help, and talk privately with the Safeguarding team.
import { io } from "socket.io-client";
import { $, announcer, clock, uuid } from "./common/dom.js";
import { setupQuickExit } from "./common/quickexit.js";
import { Composer, emitWithRetry } from "./young/composer.js";
import { PrivateChat, renderSupport } from "./young/private.js";
import { Room } from "./young/room.js";
import { T } from "./young/strings.js";

const webchatId = decodeURIComponent(window.location.pathname.split("/").filter(Boolean).pop() || "");
const tokenKey = `safechat.token.${webchatId}`;
const announce = announcer($("#announce"));

setupQuickExit({
  beforeExit: () => {
    window.sessionStorage.removeItem(tokenKey);
    if (socket) socket.disconnect();
  },
  status: announcer($("#exit-status")),
});

const room = new Room({ list: $("#messages"), empty: $("#empty"), scroller: $("#scroller"), announce });
const privateChat = new PrivateChat({ section: $("#private"), list: $("#private-messages"), announce });
const statusBanner = $("#status");
let state = "connecting";
let current = {};
let unsent = null;
let wasConnected = false;

const socket = io("/chat", {
  transports: ["websocket"],
  auth: (cb) => cb({ webchat: webchatId, token: window.sessionStorage.getItem(tokenKey) || undefined }),
  reconnectionDelayMax: 5000,
});

const composer = new Composer({
  form: $("#compose-form"),
  textarea: $("#compose-text"),
  count: $("#compose-count"),
  countStatus: $("#compose-count-status"),
  error: $("#compose-error"),
  button: $("#compose-send"),
  send: async (text) => {
    // After a network failure, sending the same text again reuses its client_id, so the
    // server keeps one copy even if the first attempt did arrive.
    const clientId = unsent && unsent.text === text ? unsent.clientId : uuid();
    let ack;
    try {
      ack = await emitWithRetry(socket, "send_message", { client_id: clientId, text });
    } catch (err) {
      unsent = { text, clientId };
      throw err;
    }
    unsent = null;
    if (ack && ack.ok) {
      const m = ack.message;
      if (!room.ownRow(m.id, clientId)) {
        room.addOwn({ id: m.id, client_id: clientId, text, status: m.status, at: new Date().toISOString() });
      } else {
        room.acknowledged(clientId, m);
      }
      if (m.status === "pending") announce(T.sentWaiting);
    }
    return ack;
  },
});

const reply = new Composer({
  form: $("#reply-form"),
  textarea: $("#reply-text"),
  count: $("#reply-count"),
  countStatus: $("#compose-count-status"),
  error: $("#reply-error"),
  button: $("#reply-send"),
  label: "Send privately",
  send: async (text) => {
    // No client id for replies, so no automatic retry: one long wait instead.
    const ack = await emitWithRetry(socket, "private_reply", { text }, { tries: 1, timeoutMs: 15000 });
    if (ack && ack.ok) {
      privateChat.add({ id: ack.message.id, from: "you", text, at: ack.message.at });
      announce(T.privateReplySent);
    }
    return ack;
  },
});

function setBanner(text, kind = "info") {
  statusBanner.textContent = text;
  statusBanner.dataset.kind = kind;
  statusBanner.hidden = !text;
}

function showState(webchat) {
  current = { ...current, ...webchat };
  webchat = current;
  state = webchat.state;
  const when = $("#chat-when");
  if (state === "open") when.textContent = T.openNow(clock(webchat.closes_at));
  else if (state === "closed") when.textContent = T.finished;
  else when.textContent = T.opensAt(clock(webchat.opens_at));
  composer.setEnabled(state === "open", state === "closed" ? T.finished : T.notOpen);
  $("#compose-closed").textContent = state === "open" ? "" : (state === "closed" ? T.finished : T.notOpen);
  $("#compose-closed").hidden = state === "open";
  document.body.dataset.state = state;
}

socket.on("connect", () => {
  if (wasConnected) {
    setBanner("");
    announce(T.reconnected);
  }
  wasConnected = true;
});

socket.on("disconnect", (reason) => {
  if (reason === "io client disconnect") return;
  setBanner(T.reconnecting, "warning");
});

socket.on("connect_error", (err) => {
  const code = err?.data?.code;
  if (code === "unknown_webchat" || code === "webchat_closed") {
    socket.disconnect();
    window.sessionStorage.removeItem(tokenKey);
    $("#chat-title").textContent = code === "unknown_webchat" ? "Chat not found" : "This chat has finished";
    $("#chat-when").textContent = code === "unknown_webchat" ? T.unknownChat : T.closedChat;
    composer.setEnabled(false, T.notOpen);
    document.body.dataset.state = "refused";
    setBanner("");
    return;
  }
  setBanner(T.reconnecting, "warning");
});

socket.on("joined", (data) => {
  window.sessionStorage.setItem(tokenKey, data.token);
  const w = data.webchat;
  $("#chat-title").textContent = w.title;
  document.title = `${w.title} – safechat`;
  $("#handle").textContent = data.participant.handle;
  $("#you-are").hidden = false;
  showState(w);
  room.reset(data.participant.handle, data.history || [], data.pending || [], data.own || []);
  privateChat.reset(data.private || []);
  document.body.dataset.joined = "true";
});

socket.on("message", (m) => room.addApproved(m));
socket.on("message_status", (data) => room.status(data));
socket.on("webchat_state", (data) => {
  showState({ state: data.state });
  if (data.state === "open") announce("The chat is open now. You can send messages.");
  if (data.state === "closed") announce(T.finished);
});

socket.on("support", (data) => {
  renderSupport($("#support"), data);
  $("#private").hidden = false;
  announce(T.supportArrived);
  $("#support").scrollIntoView({ block: "nearest" });
});

socket.on("private_message", (entry) => {
  privateChat.add(entry);
  $("#private").scrollIntoView({ block: "nearest" });
});

// Staff HTTP calls and the login form shared by the console and the dashboard.
import { $, h, show } from "./dom.js";

async function json(method, path, body) {
  const response = await fetch(path, {
    method,
    credentials: "same-origin",
    headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  let data = null;
  try {
    data = await response.json();
  } catch {
    data = null;
  }
  return { ok: response.ok, status: response.status, data };
}

export async function whoAmI() {
  const r = await json("GET", "/api/me");
  return r.ok ? r.data : null;
}

export async function logIn(username, password) {
  const r = await json("POST", "/api/login", { username, password });
  if (r.ok) return r.data;
  const message = r.data?.error?.message || "Login failed. Please try again.";
  throw new Error(message);
}

export async function logOut() {
  await json("POST", "/api/logout");
}

/** Build the staff login form into `section` (one form for every staff page). */
function loginForm(section) {
  if (section.querySelector("form")) return;
  const hint = section.dataset.hint;
  section.append(
    h("h1", { id: "login-title" }, section.dataset.title || "Staff log in"),
    h("form", { id: "login-form", novalidate: true },
      h("p", { id: "login-error", class: "error-message", role: "alert", hidden: true }),
      h("div", { class: "field" },
        h("label", { class: "label", for: "username" }, "Username"),
        h("input", { id: "username", type: "text", autocomplete: "username", required: true })),
      h("div", { class: "field" },
        h("label", { class: "label", for: "password" }, "Password"),
        h("input", { id: "password", type: "password", autocomplete: "current-password",
          required: true })),
      h("button", { class: "button", type: "submit" }, "Log in"),
      hint ? h("p", { class: "hint" }, hint) : null));
}

/**
 * Show the login form until someone logs in (or is already logged in), then resolve with
 * {username, roles}. `onGesture` runs inside the submit click (used to unlock sound).
 */
export function loginFlow({ onGesture } = {}) {
  const section = $("#login");
  loginForm(section);
  const form = $("#login-form");
  const error = $("#login-error");
  return new Promise((resolve) => {
    whoAmI().then((me) => {
      if (me) {
        show(section, false);
        resolve(me);
        return;
      }
      show(section, true);
      $("#username").focus();
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (onGesture) onGesture();
      show(error, false);
      const button = form.querySelector("button[type=submit]");
      button.disabled = true;
      try {
        const me = await logIn($("#username").value.trim(), $("#password").value);
        $("#password").value = "";
        show(section, false);
        resolve(me);
      } catch (err) {
        error.textContent = err.message;
        show(error, true);
        $("#password").focus();
      } finally {
        button.disabled = false;
      }
    });
  });
}

export function setupLogout(onDone = () => window.location.reload()) {
  const button = document.getElementById("logout");
  if (!button) return;
  button.addEventListener("click", async () => {
    await logOut();
    onDone();
  });
}

/**
 * A staff socket was refused. If the session has ended, show the login again; if this
 * account's role can't use the page, say so (never reload in a loop).
 */
export async function handleRefused(err, socket, banner) {
  if (err?.data?.code !== "unauthorized") return false;
  socket.disconnect();
  const me = await whoAmI();
  if (!me) {
    window.location.reload();
    return true;
  }
  banner.textContent = `${me.username} can't use this page (${err.data.message || "wrong role"}). Log out and log in with a different account.`;
  banner.hidden = false;
  document.body.dataset.ready = "refused";
  return true;
}

// Small DOM helpers. User text is only ever set with textContent: never innerHTML.

/** Build an element: h("p", {class: "x", dataset: {id: 1}}, "text", child). */
export function h(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "dataset") Object.assign(node.dataset, value);
    else if (key === "text") node.textContent = value;
    else if (key.startsWith("on") && typeof value === "function") {
      node.addEventListener(key.slice(2), value);
    } else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, String(value));
  }
  append(node, children);
  return node;
}

export function append(node, children) {
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function $(selector, root = document) {
  const found = root.querySelector(selector);
  if (!found) throw new Error(`missing element ${selector}`);
  return found;
}

export function clear(node) {
  node.replaceChildren();
  return node;
}

export function show(node, visible = true) {
  node.hidden = !visible;
}

/**
 * A polite live region that announces one short text at a time. Only this region is live:
 * message lists are not, so a screen reader hears each new message once, not the history.
 */
export function announcer(region) {
  let timer = 0;
  return (text) => {
    window.clearTimeout(timer);
    region.textContent = "";
    // A fresh text node after a tick makes screen readers announce repeats too.
    timer = window.setTimeout(() => { region.textContent = text; }, 60);
  };
}

/** Split text into DOM nodes, marking [start, end) spans (Python code point offsets). */
export function highlighted(text, spans, describe = (s) => s.kind) {
  const chars = Array.from(text);
  const sorted = [...(spans || [])]
    .filter((s) => Number.isInteger(s.start) && Number.isInteger(s.end) && s.end > s.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const out = [];
  let at = 0;
  for (const span of sorted) {
    const start = Math.max(span.start, at);
    const end = Math.min(span.end, chars.length);
    if (end <= start) continue;
    if (start > at) out.push(document.createTextNode(chars.slice(at, start).join("")));
    const mark = h("mark", { class: `span span-${safeClass(span.kind)}`, title: describe(span) },
      chars.slice(start, end).join(""));
    out.push(mark, h("span", { class: "visually-hidden" }, ` (${describe(span)})`));
    at = end;
  }
  if (at < chars.length) out.push(document.createTextNode(chars.slice(at).join("")));
  return out;
}

const SPAN_LABEL = { pii: "contact detail", profanity: "language", disclosure: "possible disclosure" };

/** How a screening span is described to staff, e.g. "contact detail: phone". */
export function spanLabel(span) {
  return `${SPAN_LABEL[span.kind] || span.kind}${span.label ? `: ${span.label}` : ""}`;
}

function safeClass(kind) {
  return String(kind || "other").replace(/[^a-z0-9_-]/gi, "");
}

export function clock(iso) {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  return d.toLocaleTimeString([], { hour: "numeric", minute: "2-digit" });
}

/** "45 s", "3 min 05 s", "1 h 02 min" for a duration in milliseconds. */
export function duration(ms) {
  const total = Math.max(0, Math.floor(ms / 1000));
  const hours = Math.floor(total / 3600);
  const minutes = Math.floor((total % 3600) / 60);
  const seconds = total % 60;
  if (hours) return `${hours} h ${String(minutes).padStart(2, "0")} min`;
  if (minutes) return `${minutes} min ${String(seconds).padStart(2, "0")} s`;
  return `${seconds} s`;
}

export function uuid() {
  if (window.crypto && typeof window.crypto.randomUUID === "function") {
    return window.crypto.randomUUID();
  }
  const bytes = window.crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

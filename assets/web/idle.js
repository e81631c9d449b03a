// The totem forgets a visit left untouched: after the node's idle time
// (or ?idle=SECONDS, for tests and demos) the attract screen comes back.
// Fifteen seconds before (half the time, when shorter) a notice in the
// visitor's language counts down, with a large "I'm still here" button in
// the reach zone (WCAG 2.2.1). It blocks nothing: any touch anywhere
// keeps the visit, and does what it touched.
//
// The voice module follows along through the events of core.js:
// "punto:idle-warning" ({seconds}) when the countdown starts,
// "punto:idle-kept" when a touch keeps the visit, "punto:reset" when it is
// forgotten.

import { el } from "./lib/toolkit.js";
import { number } from "./lib/format.js";
import { $, state, env, kiosk, params, show, emit, leftSearch, setToggle, t } from "./core.js";

// ?idle=SECONDS overrides the node's idle time on this screen (tests, demos).
const idleOverride = Number(params.get("idle")) || 0;

// WARN is how long the countdown lasts, at most.
const WARN = 15000;

let idleTimer = null, warnTimer = null, tick = null;
let notice = null; // the countdown, while on show

// touched starts the idle clock again: every screen but the attract one
// times out, touched or not.
export function touched() {
  clearTimeout(idleTimer);
  clearTimeout(warnTimer);
  if (notice) {
    hideWarning();
    emit("idle-kept");
  }
  if (kiosk && state.current && state.current.name !== "attract") {
    const idle = (idleOverride > 0 ? idleOverride : env.node.idle_seconds) * 1000;
    // A screen idling in under 10 s (a test's) gets no countdown; before a
    // language is chosen there is no visit to keep.
    const warn = Math.min(WARN, idle / 2);
    if (state.lang && idle >= 10000) warnTimer = setTimeout(() => showWarning(warn), idle - warn);
    idleTimer = setTimeout(reset, idle);
  }
}

function showWarning(ms) {
  const end = Date.now() + ms;
  const count = el("span", { class: "count", "aria-hidden": "true" });
  const update = () => {
    count.textContent = number(Math.max(0, Math.ceil((end - Date.now()) / 1000)), state.lang);
  };
  update();
  notice = el("div", { id: "idle", class: "idle", role: "alert" },
    el("div", { class: "card" },
      el("h2", {}, t("ui.idle_title")),
      el("p", {}, t("ui.idle_text")),
      count,
      el("button", { type: "button", class: "still", on: { click: touched } }, t("ui.still_here"))));
  document.body.append(notice);
  tick = setInterval(update, 250);
  emit("idle-warning", { seconds: Math.round(ms / 1000) });
}

function hideWarning() {
  clearInterval(tick);
  if (notice) notice.remove();
  notice = null;
}

// reset forgets the visit: language, search text, history, scroll, toggles.
export function reset() {
  clearTimeout(idleTimer);
  clearTimeout(warnTimer);
  hideWarning();
  leftSearch(null);
  state.visit++;
  $("#alerts").replaceChildren();
  state.lang = null;
  state.second = null;
  state.ui = null;
  state.stack = [];
  state.current = null;
  state.origin = null;
  state.originName = "";
  setToggle("big", false);
  setToggle("contrast", false);
  document.documentElement.lang = "it";
  document.documentElement.dir = "ltr";
  if (document.activeElement) document.activeElement.blur();
  emit("reset");
  show("attract", null, false);
}

document.addEventListener("punto:screen", touched);

// The totem forgets a visit left untouched: after the node's idle time
// (or ?idle=SECONDS, for tests and demos) the attract screen comes back.

import { $, state, env, kiosk, params, show, emit, leftSearch, setToggle } from "./core.js";

// ?idle=SECONDS overrides the node's idle time on this screen (tests, demos).
const idleOverride = Number(params.get("idle")) || 0;

let idleTimer = null;

// touched starts the idle clock again: every screen but the attract one
// times out, touched or not.
export function touched() {
  clearTimeout(idleTimer);
  if (kiosk && state.current && state.current.name !== "attract") {
    idleTimer = setTimeout(reset, (idleOverride > 0 ? idleOverride : env.node.idle_seconds) * 1000);
  }
}

// reset forgets the visit: language, search text, history, scroll, toggles.
export function reset() {
  clearTimeout(idleTimer);
  leftSearch(null);
  state.visit++;
  $("#alerts").replaceChildren();
  state.lang = null;
  state.second = null;
  state.ui = null;
  state.stack = [];
  state.current = null;
  state.origin = null;
  setToggle("big", false);
  setToggle("contrast", false);
  document.documentElement.lang = "it";
  document.documentElement.dir = "ltr";
  if (document.activeElement) document.activeElement.blur();
  emit("reset");
  show("attract", null, false);
}

document.addEventListener("punto:screen", touched);

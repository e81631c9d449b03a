// Closure mode on a totem: while the portal has closed the desks of the
// territory the totem stands in, the attract screen shows the phone desks'
// numbers (digits need no language), a visit opens on the phone-first
// screen (screens/closure.js) in the visitor's language, and the body
// carries data-closure. When closure mode ends (or its last day passes)
// the screens are restored.

import { state, env, kiosk, getJSON, show, home } from "./core.js";

let timer = null;

export async function closure() {
  if (!kiosk) return;
  let data;
  try {
    data = await getJSON("/api/v1/closure");
  } catch {
    return; // keep what is shown: a failed request is no end of a closure
  }
  const was = env.closure;
  env.closure = data.closure;
  const on = !!env.closure;
  if (on) document.body.dataset.closure = "1";
  else delete document.body.dataset.closure;
  // Check again every quarter of an hour: a closure starts and ends with
  // a day, and its last day passing restores the screens.
  clearTimeout(timer);
  timer = setTimeout(closure, 15 * 60 * 1000);
  const cur = state.current;
  if (!cur || JSON.stringify(was) === JSON.stringify(env.closure)) return;
  if (cur.name === "attract") show("attract", null, false);
  else if (!on && cur.name === "closure") home();
  else if (on && state.lang && (cur.name === "home" || cur.name === "closure") && state.stack.length === 0) show("closure", null, false);
}

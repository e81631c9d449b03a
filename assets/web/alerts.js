// The notices in force, on every screen but the attract one, and the
// operators' messages on every screen, the attract one too; each goes
// when its time is up.

import { el } from "./lib/toolkit.js";
import { $, state, api, t, fb, withNumbers } from "./core.js";

let alertsTimer = null;

export async function alerts() {
  const box = $("#alerts");
  const visit = state.visit, lang = state.lang;
  try {
    const data = await api("alerts");
    if (visit !== state.visit || lang !== state.lang) return; // the visit or its language changed meanwhile
    const shown = data.alerts.filter((a) => lang || a.kind === "message");
    box.replaceChildren(...shown.map((a) => el("p", { class: `alert ${a.severity}`, "data-kind": a.kind },
      lang ? el("strong", {}, `${t("ui.alert")}: `) : "", fb.text("span", {}, a.text, withNumbers))));
    clearTimeout(alertsTimer);
    const next = Math.min(...shown.map((a) => Date.parse(a.ends_at)));
    if (Number.isFinite(next)) alertsTimer = setTimeout(alerts, Math.max(1000, Math.min(next - Date.now() + 500, 3600000)));
  } catch {
    // Keep what is shown: a notice must not vanish because a request failed.
  }
}

document.addEventListener("punto:screen", alerts);

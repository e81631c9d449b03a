// How fresh a totem's information is. A totem that has heard nothing
// signed from its portal for --max-staleness says so in /api/v1/feed
// (link.stale, link.checked_at); then a discreet line says, in the
// visitor's language, when the information was last checked. Phones and
// the portal have no link and show nothing.

import { request } from "./lib/toolkit.js";

// freshness keeps box up to date: it asks the node every `every` ms and
// redraws each second, so the line follows the visitor's language.
export function freshness({ t, state, box, every = 15000 }) {
  let link = null;
  let shown = "";
  const draw = () => {
    const on = Boolean(link && link.stale && link.checked_at && state.ui);
    const text = on ? t("freshness.checked_on", {
      date: new Date(link.checked_at).toLocaleString(state.lang, { dateStyle: "long", timeStyle: "short", timeZone: "Europe/Rome" }),
    }) : "";
    if (text === shown) return;
    shown = text;
    box.hidden = !on;
    box.lang = state.lang || "";
    box.textContent = text;
  };
  const poll = async () => {
    try {
      link = (await request("/api/v1/feed")).link || null;
    } catch {
      // The node did not answer: keep the last word.
    }
    draw();
  };
  poll();
  setInterval(poll, every);
  setInterval(draw, 1000);
}

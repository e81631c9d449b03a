// The phone-first screen of closure mode: the territory's desks are
// closed, so the first thing a visitor reads is where to call and when,
// in their language and digits; the other services are one tap away.

import { el } from "../lib/toolkit.js";
import * as fmt from "../lib/format.js";
import { state, env, screens, api, t, fb, home, openLine } from "../core.js";
import { phone, hoursTable } from "./detail.js";

screens.closure = async (view) => {
  const { closure: c, holidays } = await api("closure");
  if (!c) {
    env.closure = null;
    home();
    return;
  }
  view.head.append(el("h1", {}, t("ui.closure_title")));
  const desks = c.desks.map((d) => el("li", { class: "desk", "data-service": d.service_id },
    fb.text("h2", {}, d.name),
    el("p", { class: "call" }, phone(d.phone)),
    el("p", { class: "status" }, openLine(d.open, "active")),
    d.languages.length ? el("p", {}, `${t("ui.languages_spoken")}: ${d.languages.map(fb.name).join(" · ")}`) : "",
    hoursTable({ days: d.days }, holidays)));
  view.append(el("section", { class: "closure", id: "closure" },
    el("p", { class: "lead" }, fb.text("span", {}, c.territory_name), " · ", t("ui.closure_lead", { date: fmt.day(c.ends_on, state.lang) })),
    desks.length ? el("ol", { class: "desks" }, desks) : el("p", {}, t("ui.closure_none")),
    el("button", { type: "button", class: "go", id: "closure-other", on: { click: home } }, t("ui.closure_other"))));
};

// What a search was understood as, what else to try, and the screen of a
// search or category that found nothing: never a dead end, it offers the
// categories to browse and the information desks and cultural mediators
// nearest, those who speak the visitor's language first.

import { el } from "../lib/toolkit.js";
import { state, show, api, t, fb, wayLine, openLine } from "../core.js";
import { categoryTiles } from "./home.js";

// matched says what the query was understood to ask for, "Doctor →
// Health", each a way to the whole category; null when nothing was.
export function matched(data) {
  const seen = new Set();
  const items = (data.matched || []).filter((m) => !seen.has(`${m.label} ${m.category}`) && seen.add(`${m.label} ${m.category}`));
  if (items.length === 0) return null;
  return el("div", { class: "matched" }, el("span", {}, t("ui.search_understood")), items.map((m) => el("button", {
    type: "button", class: "chip", "data-category": m.category,
    on: { click: () => show("results", { category: m.category, title: m.category_label }) },
  }, m.label === m.category_label ? m.label : `${m.label} → ${m.category_label}`)));
}

// didYouMean offers the spellings the node suggests; search(text) runs one.
export function didYouMean(data, search) {
  if (!data.suggestions || data.suggestions.length === 0) return null;
  return el("div", { class: "matched did-you-mean" }, el("span", {}, t("ui.did_you_mean")), data.suggestions.map((s) => el("button", {
    type: "button", class: "chip", "data-suggestion": s, on: { click: () => search(s) },
  }, el("bdi", {}, s))));
}

// helpDesks are the information desks and mediation services nearest,
// those speaking the visitor's language first.
async function helpDesks() {
  const near = (category, extra) => api("services/nearby", { category, limit: 3, radius_m: 100000, ...extra }).then((d) => d.results, () => []);
  const lists = await Promise.all(["info", "mediation"].map(async (c) => {
    const speaking = await near(c, { speaks: state.lang });
    return speaking.length ? speaking : near(c, {});
  }));
  const seen = new Set();
  return lists.flat().filter((r) => !seen.has(r.id) && seen.add(r.id)).sort((a, b) => a.distance_m - b.distance_m).slice(0, 4);
}

// nothingFound fills view with the no-result screen: the message, what
// else to try, the help nearest and the categories.
export async function nothingFound(view, { data, search, message }) {
  const [desks, tiles] = await Promise.all([helpDesks(), categoryTiles()]);
  view.append(el("p", { class: "empty" }, message));
  const tries = [data && matched(data), data && didYouMean(data, search)].filter(Boolean);
  view.append(...tries);
  if (desks.length) {
    view.append(el("section", { class: "help-desks" }, el("h2", {}, t("ui.ask_for_help")),
      el("ul", { class: "results" }, desks.map((r) => el("li", {},
        el("button", { type: "button", class: "row", "data-id": r.id, on: { click: () => show("detail", r.id) } },
          el("span", { class: "body" }, fb.text("strong", {}, r.name), el("span", { class: "way" }, wayLine(r)), openLine(r.open, r.status))))))));
  }
  view.append(el("section", { class: "browse" }, el("h2", {}, t("ui.browse_instead")), el("div", { class: "tiles" }, tiles)));
}

// The home screen (the categories, search and information tiles; on a
// phone, where distances are measured from), the information pages and
// the second-language picker.

import { el, asset } from "../lib/toolkit.js";
import { state, kiosk, screens, show, api, getJSON, t, fb, withNumbers } from "../core.js";

// categoryTiles are the tiles of the categories that hold a service, in
// the visitor's language: a category opens its results.
export async function categoryTiles() {
  const data = await api("categories");
  return data.categories.filter((c) => c.services > 0).map((c) => el("button", {
    class: "tile", type: "button", lang: c.name.lang, "data-category": c.id,
    on: { click: () => show("results", { category: c.id, title: c.name.text }) },
  }, el("img", { src: c.icon_url, alt: "", width: 48, height: 48 }), el("span", {}, c.name.text)));
}

screens.home = async (view) => {
  const tiles = await categoryTiles();
  // A magnifier for search (the "⌕" glyph read as an Arabic letter), a
  // light bulb for the practical guides (the "information" category has
  // the "i").
  const search = el("button", { class: "tile search", type: "button", on: { click: () => show("search", "") } },
    el("img", { src: asset("vendor/lucide/search.svg"), alt: "", width: 48, height: 48 }), el("span", {}, t("ui.search")));
  const info = el("button", { class: "tile info", type: "button", on: { click: () => show("pages") } },
    el("img", { src: asset("vendor/lucide/lightbulb.svg"), alt: "", width: 48, height: 48 }), el("span", {}, t("ui.information")));
  view.head.append(el("h1", {}, t("ui.services_near")));
  // A phone first says where the visitor is: distances depend on it.
  if (!kiosk) view.append(positionPicker());
  view.append(el("div", { class: "tiles" }, search, tiles, info));
};

// positionPicker lets a phone use its own position or a comune.
function positionPicker() {
  const box = el("div", { class: "where" });
  const use = el("button", { type: "button", class: "secondary", on: { click: () => {
    navigator.geolocation.getCurrentPosition(
      (p) => {
        state.origin = { lat: p.coords.latitude, lon: p.coords.longitude };
        state.originName = "";
        use.setAttribute("aria-pressed", "true");
      },
      () => pickTown(box, true), { timeout: 10000, maximumAge: 60000 });
  } } }, t("ui.use_my_position"));
  if (!("geolocation" in navigator)) use.hidden = true;
  box.append(use, el("button", { type: "button", class: "secondary", on: { click: () => pickTown(box) } }, t("ui.choose_town")));
  return box;
}

async function pickTown(box, failed = false) {
  const { places } = await getJSON("/api/v1/places");
  const select = el("select", { id: "town", on: { change: () => {
    const p = places[select.selectedIndex - 1];
    if (p) {
      state.origin = { lat: p.lat, lon: p.lon };
      state.originName = p.comune;
    }
  } } }, el("option", { value: "" }, "—"), places.map((p) => el("option", { value: p.comune }, `${p.comune} (${p.province})`)));
  box.replaceChildren(el("label", { for: "town" }, t(failed ? "ui.position_failed" : "ui.choose_town")), select);
}

screens.pages = async (view) => {
  const { pages } = await api("pages");
  view.head.append(el("h1", {}, t("ui.information")));
  view.append(el("ul", { class: "results" }, pages.map((p) => el("li", {},
    el("button", { type: "button", class: "row", "data-voice": `page:${p.id}:title`, on: { click: () => show("page", p) } }, el("span", { class: "body" }, fb.text("strong", {}, p.title)))))));
};

screens.page = (view, p) => {
  view.head.append(fb.text("h1", {}, p.title));
  view.append(el("article", { class: "detail" }, fb.text("p", {}, p.body, withNumbers)));
};

screens.second = (view) => fb.screen(view);

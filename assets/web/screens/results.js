// The results of a category or a search: a list nearest first, and the
// map (map.js) beside it; then the services reached by phone or online,
// which have no place on the map.

import { el } from "../lib/toolkit.js";
import { state, env, kiosk, screens, show, api, t, fb, tally, wayLine, openLine, measuredFrom } from "../core.js";
import { drawMap } from "../map.js";
import { number } from "../lib/format.js";
import { matched, nothingFound } from "./found.js";

screens.results = async (view, arg) => {
  const [data, from] = await Promise.all([arg.q !== undefined ? api("search", { q: arg.q, limit: 40 })
    : api("services/nearby", { category: arg.category, limit: 40 }), kiosk ? "" : measuredFrom()]);
  const title = el("h1", {}, arg.title);
  const remote = data.remote || [];
  if (data.results.length === 0 && remote.length === 0) {
    const cur = state.current;
    if (arg.q !== undefined && cur && !cur.counted) {
      cur.counted = true; // once, not at every redraw
      tally("search_empty");
    }
    view.head.append(title);
    await nothingFound(view, {
      data: arg.q !== undefined ? data : null,
      message: arg.q !== undefined ? t("ui.search_none") : t("ui.no_results"),
      search: (q) => show("results", { q, title: q }),
    });
    talk(view);
    return;
  }
  const list = el("ol", { class: "results", id: "list" }, data.results.map((r, i) => el("li", {},
    el("button", { type: "button", class: "row", "data-id": r.id, "data-distance": r.distance_m, on: { click: () => show("detail", r.id) } },
      el("span", { class: "num", "aria-hidden": "true" }, number(i + 1, state.lang)),
      el("span", { class: "body" },
        fb.text("strong", {}, r.name),
        el("span", { class: "way" }, wayLine(r)),
        el("span", { class: "addr" }, `${r.address}, ${r.comune}`),
        openLine(r.open, r.status))))));
  // Remote services: no number, distance nor address, after the places.
  const remoteList = remote.length === 0 ? null : el("section", { class: "remote", id: "remote" },
    el("h2", {}, t("ui.remote")),
    el("ul", { class: "results" }, remote.map((r) => el("li", {},
      el("button", { type: "button", class: "row", "data-id": r.id, on: { click: () => show("detail", r.id) } },
        el("span", { class: "body" },
          fb.text("strong", {}, r.name),
          openLine(r.open, r.status)))))));
  const box = el("div", { class: "map", id: "map", role: "region", "aria-label": t("ui.map") });
  // On a phone list and map are two tabs; the totem shows both.
  const tabs = el("div", { class: "tabs", role: "group" }, [["list", "ui.list"], ["map", "ui.map"]].map(([id, label]) =>
    el("button", { type: "button", class: "secondary", "data-tab": id, "aria-pressed": String(id === "list"), on: { click: () => {
      for (const b of tabs.children) b.setAttribute("aria-pressed", String(b.dataset.tab === id));
      document.body.dataset.tab = id;
      if (state.map) state.map.resize();
    } } }, t(label))));
  document.body.dataset.tab = "list";
  // On the totem the map is read above the reach zone, beside the list; on
  // a phone list and map are two tabs.
  view.head.append(title, kiosk ? box : tabs);
  if (from) view.append(el("p", { class: "from" }, from));
  view.append(...[arg.q !== undefined && matched(data), data.results.length > 0 && list, remoteList, !kiosk && box].filter(Boolean));
  const origin = state.origin || env.node.position;
  if (data.results.length === 0) { // only remote services: no map
    box.hidden = true;
    tabs.hidden = true;
    talk(view);
    return;
  }
  // The map is drawn once its box is on screen: at once on a totem or a
  // wide screen, on a phone when its tab is opened (or the phone turned).
  // A visitor who reads the list loads no MapLibre, basemap nor WebGL.
  const shown = new ResizeObserver(() => {
    if (box.clientWidth === 0 || !box.isConnected) return;
    shown.disconnect();
    drawMap(box, data.results, { origin, here: kiosk || Boolean(state.origin), lang: state.lang, t, pick: (id) => show("detail", id) })
      .then((map) => { if (map) state.map = map; })
      .catch(() => { box.hidden = true; tabs.hidden = true; });
  });
  shown.observe(box);
  talk(view);
};

// talk offers "talk to someone in your language": on a totem talk.js
// (who is reachable, asked through the totem's portal, and the keypad),
// on a phone reaching the portal callback.js.
function talk(view) {
  if (!env.node || !state.lang) return;
  if (env.node.role === "totem") {
    Promise.all([import("../talk.js"), api("categories")])
      .then(([m, data]) => m.talkHere(view, { lang: state.lang, t, api, languages: env.languages,
        categories: Object.fromEntries(data.categories.map((c) => [c.id, { icon_url: c.icon_url, name: c.name.text, lang: c.name.lang }])) }))
      .catch((err) => console.error(err));
    return;
  }
  if (env.node.role !== "portal") return;
  Promise.all([import("../callback.js"), api("categories")])
    .then(([m, data]) => m.talkToSomeone(view, { origin: state.origin || env.node.position, lang: state.lang, t,
      categories: Object.fromEntries(data.categories.map((c) => [c.id, { icon_url: c.icon_url, name: c.name.text, lang: c.name.lang }])) }))
    .catch((err) => console.error(err));
}

// Punto's results map: MapLibre over the style the node serves (the
// built-in basemap, the node's own tiles if any, the territories), and over
// it one layer of HTML the page draws itself: place names in the visitor's
// script, a numbered pin per result, "you are here", a line to the result
// the visitor is looking at, and a north arrow. Pins are laid out in screen
// space so that none hides another and the star hides none (spread again
// at every zoom); names give way to pins and to each other.

import { el, asset, loadScript } from "./lib/toolkit.js";
import { number } from "./lib/format.js";

// Sizes in CSS pixels; style.css draws .pin and .here at these sizes.
const PIN = 48;
const STAR = 50;
const GAP = 4; // least room between two pins' boxes
const MAX_LABELS = 40;

const SVG = "http://www.w3.org/2000/svg";

// The result last opened (from the list or a pin): when the visitor comes
// back to the results, its line is drawn again. The visit's end (the
// attract screen) forgets it, and the visit's map.
let opened = null;
new MutationObserver(() => {
  if (document.body.dataset.screen !== "attract") return;
  opened = null;
  forgetMap();
}).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });

// kept is the visit's MapLibre map ({map, holder, lang}): made on the first
// results screen and moved to the next ones, so that its WebGL context,
// shaders, style and tiles are made once a visit, not at every screen.
let kept = null;

function forgetMap() {
  if (!kept) return;
  kept.map.remove();
  kept = null;
}

// mapIn puts the visit's map in box (a new one for a new language) and
// returns it.
function mapIn(box, lang, origin) {
  if (kept && kept.lang !== lang) forgetMap();
  if (kept) {
    box.append(kept.holder);
    kept.map.resize();
    return kept.map;
  }
  const gl = window.maplibregl;
  const holder = el("div", { class: "map-holder" });
  box.append(holder);
  const map = new gl.Map({
    container: holder, style: `/api/v1/map/style.json?lang=${encodeURIComponent(lang)}`, center: [origin.lon, origin.lat], zoom: 12,
    attributionControl: false, fadeDuration: 0, dragRotate: false, pitchWithRotate: false, cooperativeGestures: false,
  });
  map.touchZoomRotate.disableRotation();
  map.keyboard.disableRotation();
  // Always shown in full, as text: the credits of what is drawn (the
  // style's sources, and GeoNames for the names drawn here).
  map.addControl(new gl.AttributionControl({ compact: false, customAttribution: "GeoNames (CC BY 4.0)" }), "bottom-right");
  kept = { map, holder, lang };
  return map;
}

async function loadMapLibre() {
  if (window.maplibregl) return;
  document.head.append(el("link", { rel: "stylesheet", href: asset("vendor/maplibre/maplibre-gl.css") }));
  await loadScript(asset("vendor/maplibre/maplibre-gl-csp.js"));
  window.maplibregl.setWorkerUrl(asset("vendor/maplibre/maplibre-gl-csp-worker.js"));
  // The workers outlive each map: every visit makes one, which would
  // otherwise start and compile them again.
  window.maplibregl.prewarm();
}

// The basemap's towns (GeoNames), fetched once per page.
let towns;
function loadTowns() {
  towns ||= fetch(asset("basemap/places.json")).then((r) => (r.ok ? r.json() : { features: [] })).catch(() => ({ features: [] }));
  return towns;
}

// places are the names to draw, most important first: the basemap's towns
// in the visitor's language where GeoNames has it (else their Latin name),
// and the catalog's comuni that are not among them (their Latin name).
async function places(lang) {
  const [file, comuni] = await Promise.all([
    loadTowns(),
    fetch("/api/v1/places").then((r) => (r.ok ? r.json() : { places: [] })).catch(() => ({ places: [] })),
  ]);
  const out = [];
  const seen = new Map();
  for (const f of file.features || []) {
    const p = f.properties;
    const [lon, lat] = f.geometry.coordinates;
    const own = p[`name_${lang}`];
    const item = { lon, lat, text: own || p.name, lang: own ? lang : "it", rank: p.pop };
    out.push(item);
    for (const n of [p.name, p.name_it]) if (n) seen.set(n.toLowerCase(), item);
  }
  for (const c of comuni.places || []) {
    const twin = seen.get(c.comune.toLowerCase());
    // A comune GeoNames knows (within about 15 km: names repeat across Italy).
    if (twin && Math.abs(twin.lat - c.lat) < 0.15 && Math.abs(twin.lon - c.lon) < 0.2) {
      twin.rank = Math.max(twin.rank, 50000);
      continue;
    }
    out.push({ lon: c.lon, lat: c.lat, text: c.comune, lang: "it", rank: 40000 });
  }
  return out.sort((a, b) => b.rank - a.rank);
}

const overlaps = (a, b) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1;
const square = (x, y, size) => ({ x0: x - size / 2, y0: y - size / 2, x1: x + size / 2, y1: y + size / 2 });

// spread places pins (their true screen positions, in rank order) so that no
// two boxes come closer than GAP and none touches the star's box: each pin
// takes the free spot nearest its true position, on rings around it,
// inside the view if one is free there, and clear of the boxes in
// keepClear (the map's controls). Pin 1 is placed first, so it moves
// least. Returns each pin's centre.
export function spread(points, star, width, height, keepClear = []) {
  const taken = [...keepClear, ...(star ? [square(star.x, star.y, STAR + 2 * GAP)] : [])];
  const step = (PIN + GAP) / 2;
  const inside = (x, y) => x >= PIN / 2 && y >= PIN / 2 && x <= width - PIN / 2 && y <= height - PIN / 2;
  const free = (x, y) => {
    const b = square(x, y, PIN + GAP);
    return !taken.some((t) => overlaps(b, t));
  };
  return points.map((p) => {
    let found = null;
    for (const inView of [true, false]) {
      for (let ring = 0; ring <= 60 && !found; ring++) {
        const r = ring * step;
        const n = ring === 0 ? 1 : Math.ceil((2 * Math.PI * r) / step);
        // Start away from the star, so pins leave it rather than circle it.
        const a0 = star ? Math.atan2(p.y - star.y, p.x - star.x) : -Math.PI / 2;
        for (let i = 0; i < n; i++) {
          const a = a0 + (i % 2 ? 1 : -1) * Math.ceil(i / 2) * ((2 * Math.PI) / n);
          const x = p.x + r * Math.cos(a);
          const y = p.y + r * Math.sin(a);
          if (free(x, y) && (!inView || inside(x, y))) {
            found = { x, y };
            break;
          }
        }
      }
      if (found) break;
    }
    found ||= { x: p.x, y: p.y };
    taken.push(square(found.x, found.y, PIN + GAP));
    return found;
  });
}

// drawMap draws results in box with the visit's map, and returns a handle
// ({remove, resize}) whose remove takes the results off the map; null when
// the visitor has moved on while MapLibre loaded. origin is where distances
// are measured from ({lat, lon}); here says whether to mark it as "you are
// here"; pick(id) opens a result.
export async function drawMap(box, results, { origin, here, lang, t, pick }) {
  await loadMapLibre();
  if (!box.isConnected) return null; // the visitor has moved on
  const gl = window.maplibregl;
  const map = mapIn(box, lang, origin);

  const layer = el("div", { class: "map-layer" });
  const labels = el("div", { class: "map-labels", "aria-hidden": "true" });
  const lines = document.createElementNS(SVG, "svg");
  lines.setAttribute("class", "map-lines");
  lines.setAttribute("aria-hidden", "true");
  const pins = results.map((r, i) => el("button", {
    type: "button", class: "pin", "data-id": r.id, "aria-label": `${number(i + 1, lang)}. ${r.name.text}`,
    on: { click: () => { opened = r.id; pick(r.id); } },
  }, number(i + 1, lang))); // the list's numbers, in the language's digits
  const star = here ? el("div", { class: "here", role: "img", "aria-label": t("ui.you_are_here"), title: t("ui.you_are_here") }, el("span", { "aria-hidden": "true" }, "★")) : null;
  layer.append(labels, lines, ...pins, ...(star ? [star] : []));
  const north = el("div", { class: "north", role: "img", "aria-label": t("ui.north"), title: t("ui.north") },
    el("span", { class: "north-arrow", "aria-hidden": "true" }), el("span", { class: "north-n", "aria-hidden": "true" }, "N"));
  map.getContainer().querySelector(".maplibregl-control-container").before(layer, north);

  const points = results.map((r) => [r.lon, r.lat]);
  let offsets = results.map(() => ({ x: 0, y: 0 }));
  let selected = opened;
  let names = [];
  let gone = false; // removed: the visitor has moved on
  places(lang).then((p) => {
    names = p;
    if (!gone) draw();
  });

  // chrome is what the map draws over itself (the north arrow, the
  // credits): boxes in the map's pixels that pins and names keep clear of.
  const chrome = () => {
    const at = box.getBoundingClientRect();
    return [north, ...box.querySelectorAll(".maplibregl-ctrl")].map((e) => {
      const r = e.getBoundingClientRect();
      return { x0: r.left - at.left, y0: r.top - at.top, x1: r.right - at.left, y1: r.bottom - at.top };
    }).filter((b) => b.x1 > b.x0);
  };

  // layout spreads the pins for the current zoom and size (panning moves
  // them all alike).
  let laidOut = "";
  const layout = (w, h, controls) => {
    const key = JSON.stringify([map.getZoom(), w, h, controls.map((b) => [b.x0, b.y0, b.x1, b.y1].map(Math.round))]);
    if (key === laidOut) return;
    laidOut = key;
    const at = points.map((p) => map.project(p));
    const s = star ? map.project([origin.lon, origin.lat]) : null;
    offsets = spread(at, s, w, h, controls).map((c, i) => ({ x: c.x - at[i].x, y: c.y - at[i].y }));
  };

  // draw puts everything where the camera says, then the names that fit.
  const draw = () => {
    const { clientWidth: w, clientHeight: h } = map.getContainer();
    const taken = chrome();
    layout(w, h, taken);
    lines.setAttribute("viewBox", `0 0 ${w} ${h}`);
    const svg = [];
    const s = star ? map.project([origin.lon, origin.lat]) : null;
    if (s) {
      star.style.transform = `translate(${s.x - STAR / 2}px, ${s.y - STAR / 2}px)`;
      taken.push(square(s.x, s.y, STAR));
    }
    pins.forEach((pin, i) => {
      const p = map.project(points[i]);
      const c = { x: p.x + offsets[i].x, y: p.y + offsets[i].y };
      pin.style.transform = `translate(${c.x - PIN / 2}px, ${c.y - PIN / 2}px)`;
      taken.push(square(c.x, c.y, PIN));
      const isSelected = results[i].id === selected;
      pin.classList.toggle("selected", isSelected);
      if (Math.hypot(offsets[i].x, offsets[i].y) > 1) {
        // A moved pin keeps a thin leader to where the place really is.
        svg.push(["line", { x1: p.x, y1: p.y, x2: c.x, y2: c.y, class: "leader" }], ["circle", { cx: p.x, cy: p.y, r: 4, class: "spot" }]);
      }
      if (isSelected && s) svg.unshift(["line", { x1: s.x, y1: s.y, x2: c.x, y2: c.y, class: "route-casing" }], ["line", { x1: s.x, y1: s.y, x2: c.x, y2: c.y, class: "route" }]);
    });
    svg.unshift(...drawNames(w, h, taken));
    lines.replaceChildren(...svg.map(([tag, attrs]) => {
      const e = document.createElementNS(SVG, tag);
      for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
      return e;
    }));
  };

  // drawNames shows the most important names that fit: each beside its
  // town's dot (above, below, right or left of it), none over a pin, the
  // star, the map's controls or another name.
  const shown = new Map();
  const drawNames = (w, h, taken) => {
    const bounds = map.getBounds();
    const want = new Set();
    const dots = [];
    for (const n of names) {
      if (want.size >= MAX_LABELS) break;
      if (!bounds.contains([n.lon, n.lat])) continue;
      const p = map.project([n.lon, n.lat]);
      let e = shown.get(n);
      if (!e) {
        e = el("div", { class: "place", lang: n.lang, dir: "auto" }, n.text);
        labels.append(e);
        shown.set(n, e);
      }
      if (!n.w) { // measured once, when first shown (0 while the map is hidden)
        e.hidden = false;
        // Its box to the fraction of a pixel it is drawn at (offsetHeight
        // rounds, and a name could then overlap a pin by a sliver).
        ({ width: n.w, height: n.h } = e.getBoundingClientRect());
        if (!n.w) continue;
      }
      // Close to the dot, else a little further (clear of a pin or the
      // star standing on the town).
      const spots = [6, 30].flatMap((d) => [
        { x0: p.x - n.w / 2, y0: p.y - d - n.h }, { x0: p.x - n.w / 2, y0: p.y + d },
        { x0: p.x + d + 2, y0: p.y - n.h / 2 }, { x0: p.x - d - 2 - n.w, y0: p.y - n.h / 2 },
      ]).map((b) => ({ ...b, x1: b.x0 + n.w, y1: b.y0 + n.h }));
      const b = spots.find((b) => b.x0 >= 0 && b.y0 >= 0 && b.x1 <= w && b.y1 <= h && !taken.some((t) => overlaps(b, t)));
      if (!b) continue;
      taken.push(b);
      want.add(n);
      dots.push(["circle", { cx: p.x, cy: p.y, r: 4, class: "town" }]);
      e.style.transform = `translate(${b.x0}px, ${b.y0}px)`;
    }
    for (const [n, e] of shown) e.hidden = !want.has(n);
    return dots;
  };

  // The result the visitor points at or focuses, in the list or on the
  // map, is the selected one; else the one last opened.
  const ids = new Set(results.map((r) => r.id));
  const onOver = (ev) => {
    const id = ev.target.closest && ev.target.closest("[data-id]")?.dataset.id;
    if (id && ids.has(id) && id !== selected) { selected = id; draw(); }
  };
  const onOut = (ev) => {
    const from = ev.target.closest && ev.target.closest("[data-id]");
    const to = ev.relatedTarget && ev.relatedTarget.closest && ev.relatedTarget.closest("[data-id]");
    if (from && from !== to && selected !== opened) { selected = opened; draw(); }
  };
  const onClick = (ev) => {
    const id = ev.target.closest && ev.target.closest("[data-id]")?.dataset.id;
    if (id && ids.has(id)) opened = id;
  };
  document.addEventListener("pointerover", onOver);
  document.addEventListener("focusin", onOver);
  document.addEventListener("pointerout", onOut);
  document.addEventListener("focusout", onOut);
  document.addEventListener("click", onClick, true);
  const settled = () => box.setAttribute("aria-busy", "false");
  const handle = {
    resize: () => map.resize(),
    remove: () => {
      gone = true;
      document.removeEventListener("pointerover", onOver);
      document.removeEventListener("focusin", onOver);
      document.removeEventListener("pointerout", onOut);
      document.removeEventListener("focusout", onOut);
      document.removeEventListener("click", onClick, true);
      map.off("move", draw);
      map.off("resize", draw);
      map.off("idle", draw);
      map.off("idle", settled);
      layer.remove();
      north.remove();
    },
  };
  map.on("move", draw);
  map.on("resize", draw);
  map.on("idle", draw); // the credits fill in as the sources load

  const bounds = new gl.LngLatBounds([origin.lon, origin.lat], [origin.lon, origin.lat]);
  for (const p of points) bounds.extend(p);
  // Busy until the basemap under the pins is drawn: assistive technology
  // (and a screenshot) waits for the region to settle.
  box.setAttribute("aria-busy", "true");
  const camera = () => [...map.getCenter().toArray(), map.getZoom()].join();
  const before = camera();
  map.fitBounds(bounds, { padding: PIN + 8, maxZoom: 15, duration: 0 });
  // A loaded map whose camera did not move draws nothing new: settled now.
  if (camera() === before && map.loaded()) settled();
  else map.once("idle", settled);
  draw();
  return handle;
}

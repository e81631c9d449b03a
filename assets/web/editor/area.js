// The drawn area an alert can be aimed at: corners added by tapping a
// map (or a GeoJSON geometry pasted), shown with the editor's territories
// and the totems the area reaches, as the portal works them out.

import { el, t, state, api, field, markDirty } from "./lib.js";
import { loadMapLibre, territoriesGeoJSON, myCentre } from "./locations.js";

const round = (x) => Math.round(x * 1e6) / 1e6;

// corners reads the outer ring of a stored area (its closing corner
// dropped); a MultiPolygon's first polygon is the one drawn.
function corners(target) {
  try {
    const g = JSON.parse(target);
    const ring = g.type === "Polygon" ? g.coordinates[0] : g.type === "MultiPolygon" ? g.coordinates[0][0] : [];
    return ring.slice(0, -1).map(([x, y]) => [x, y]);
  } catch {
    return [];
  }
}

function geometry(pts) {
  return pts.length >= 3 ? { type: "Polygon", coordinates: [[...pts, pts[0]]] } : null;
}

export function areaEditor(doc) {
  let pts = doc.target_kind === "area" ? corners(doc.target) : [];
  let map = null;
  const box = el("div", { class: "map area-map", id: "alert-area-map", role: "region", "aria-label": t("alerts.area"), "aria-describedby": "alert-area-hint" });
  const count = el("span", { class: "muted", "aria-live": "polite" });
  const reach = el("p", { class: "hint", id: "alert-reach", "aria-live": "polite" });
  const paste = el("textarea", { rows: 3, dir: "ltr", spellcheck: false, class: "mono", on: { change: (e) => {
    const v = e.target.value.trim();
    if (!v) return;
    const next = corners(v);
    if (next.length < 3) {
      reach.className = "hint warn";
      reach.textContent = t("alerts.area_bad");
      return;
    }
    pts = next;
    changed();
  } } });
  const undo = el("button", { type: "button", class: "btn secondary small", on: { click: () => { pts.pop(); changed(); } } }, t("alerts.area_undo"));
  const clear = el("button", { type: "button", class: "btn secondary small danger", on: { click: () => { pts = []; changed(); } } }, t("alerts.area_clear"));

  let asked = 0;
  const showReach = async () => {
    const mine = ++asked;
    if (pts.length < 3) {
      reach.className = "hint";
      reach.textContent = "";
      return;
    }
    try {
      const res = await api("POST", "/alerts/reach", { target_kind: "area", target: doc.target });
      if (mine !== asked) return;
      reach.className = res.totems.length ? "hint" : "hint warn";
      reach.textContent = res.totems.length
        ? t("alerts.reaches", { n: res.totems.length, list: res.totems.map((x) => x.name || x.id).join(", ") })
        : t("alerts.reaches_none");
    } catch (err) {
      if (mine === asked) {
        reach.className = "hint warn";
        reach.textContent = err.message;
      }
    }
  };

  const drawShape = () => {
    count.textContent = t("alerts.area_corners", { n: pts.length });
    undo.disabled = clear.disabled = pts.length === 0;
    if (!map || !map.getSource("area")) return;
    const g = geometry(pts);
    map.getSource("area").setData({ type: "FeatureCollection", features: g ? [{ type: "Feature", properties: {}, geometry: g }] : [] });
    map.getSource("corners").setData({ type: "FeatureCollection",
      features: pts.map((p) => ({ type: "Feature", properties: {}, geometry: { type: "Point", coordinates: p } })) });
  };

  const changed = () => {
    const g = geometry(pts);
    doc.target = g ? JSON.stringify(g) : "";
    paste.value = doc.target;
    markDirty();
    drawShape();
    showReach();
  };

  const start = async () => {
    try {
      await loadMapLibre();
      if (!box.isConnected || map) return;
      const centre = pts.length ? pts[0] : myCentre();
      map = new window.maplibregl.Map({ container: box, style: `/api/v1/map/style.json?lang=${state.lang}`, center: centre, zoom: 9,
        attributionControl: false, dragRotate: false, pitchWithRotate: false });
      map.touchZoomRotate.disableRotation();
      map.addControl(new window.maplibregl.NavigationControl({ showCompass: false }));
      box.maplibre = map; // for the browser console and tests: where a place is on screen
      map.on("load", () => {
        map.addSource("mine", { type: "geojson", data: territoriesGeoJSON(state.user.role !== "admin") });
        map.addLayer({ id: "mine-line", type: "line", source: "mine", paint: { "line-color": "#11612a", "line-width": 1.5 } });
        map.addSource("area", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
        map.addSource("corners", { type: "geojson", data: { type: "FeatureCollection", features: [] } });
        map.addLayer({ id: "area-fill", type: "fill", source: "area", paint: { "fill-color": "#b3541e", "fill-opacity": 0.25 } });
        map.addLayer({ id: "area-line", type: "line", source: "area", paint: { "line-color": "#b3541e", "line-width": 2.5 } });
        map.addLayer({ id: "area-corners", type: "circle", source: "corners", paint: { "circle-radius": 6, "circle-color": "#b3541e", "circle-stroke-color": "#fff", "circle-stroke-width": 2 } });
        drawShape();
        if (pts.length >= 3) {
          const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
          map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 40, duration: 0 });
        }
      });
      map.on("click", (e) => {
        pts.push([round(e.lngLat.lng), round(e.lngLat.lat)]);
        changed();
      });
      box.classList.add("placing");
      box.querySelector("canvas").setAttribute("aria-describedby", "alert-area-hint");
    } catch (err) {
      console.error(err);
      box.hidden = true;
    }
  };

  paste.value = doc.target_kind === "area" ? doc.target : "";
  drawShape();
  const section = el("div", { class: "field area", "data-field": "target" },
    el("p", { class: "label" }, t("alerts.area")),
    el("p", { class: "hint", id: "alert-area-hint" }, t("alerts.area_hint")),
    box,
    el("div", { class: "row-actions" }, count, undo, clear),
    reach,
    el("details", {}, el("summary", {}, t("alerts.area_geojson")), field(t("alerts.area_geojson"), paste)));
  section.start = start;
  section.reset = () => { pts = []; paste.value = ""; drawShape(); showReach(); };
  section.stop = () => { if (map) map.remove(); map = null; };
  if (pts.length >= 3) showReach();
  return section;
}

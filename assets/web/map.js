// Punto's results map: MapLibre, with the tiles, style and territories the
// node serves, a numbered pin per result and "you are here".

import { el, asset, loadScript } from "./lib/toolkit.js";

async function loadMapLibre() {
  if (window.maplibregl) return;
  document.head.append(el("link", { rel: "stylesheet", href: asset("vendor/maplibre/maplibre-gl.css") }));
  await loadScript(asset("vendor/maplibre/maplibre-gl-csp.js"));
  window.maplibregl.setWorkerUrl(asset("vendor/maplibre/maplibre-gl-csp-worker.js"));
}

// drawMap draws results in box and returns the map, or null when the visitor
// has moved on while MapLibre loaded. origin is where distances are measured
// from ({lat, lon}); here says whether to mark it as "you are here"; pick(id)
// opens a result.
export async function drawMap(box, results, { origin, here, lang, t, pick }) {
  await loadMapLibre();
  if (!box.isConnected) return null; // the visitor has moved on
  const map = new window.maplibregl.Map({
    container: box, style: `/api/v1/map/style.json?lang=${lang}`, center: [origin.lon, origin.lat], zoom: 12,
    attributionControl: false, dragRotate: false, pitchWithRotate: false, cooperativeGestures: false,
  });
  map.touchZoomRotate.disableRotation();
  const bounds = new window.maplibregl.LngLatBounds([origin.lon, origin.lat], [origin.lon, origin.lat]);
  results.forEach((r, i) => {
    const pin = el("button", { type: "button", class: "pin", "data-id": r.id, "aria-label": `${i + 1}. ${r.name.text}`, on: { click: () => pick(r.id) } }, String(i + 1));
    new window.maplibregl.Marker({ element: pin }).setLngLat([r.lon, r.lat]).addTo(map);
    bounds.extend([r.lon, r.lat]);
  });
  // "You are here": the totem, or the phone's own position or town; added
  // last so no pin covers it.
  if (here) {
    const star = el("div", { class: "here", role: "img", "aria-label": t("ui.you_are_here"), title: t("ui.you_are_here") }, el("span", { "aria-hidden": "true" }, "★"));
    new window.maplibregl.Marker({ element: star }).setLngLat([origin.lon, origin.lat]).addTo(map);
  }
  map.fitBounds(bounds, { padding: 48, maxZoom: 15, duration: 0 });
  return map;
}

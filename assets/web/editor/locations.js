// Locations of a service: address fields and the point, placed by clicking
// the map or by typing latitude and longitude (both kept in sync). A
// location may be "not on the map" (a phone desk, an online service): it
// has no point (no_point), no marker, and its comune may be empty.

import { el, t, state, field, checkbox, markDirty, asset } from "./lib.js";

// ---- geometry: is a point inside the editor's territories? -----------------

function inRing(ring, [x, y]) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i], [xj, yj] = ring[j];
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

function inMultiPolygon(mp, pt) {
  return mp.some((poly) => inRing(poly[0], pt) && !poly.slice(1).some((hole) => inRing(hole, pt)));
}

// mine reports whether pt lies in one of the user's territories (always,
// for an admin). The server checks again on every write.
export function mine(pt) {
  if (state.user.role === "admin") return true;
  return state.territories.some((tr) => tr.mine && inMultiPolygon(tr.shape, pt));
}

export function myCentre() {
  const tr = state.territories.find((x) => x.mine) || state.territories[0];
  if (!tr) return [12.5, 42.9];
  const [a, b, c, d] = tr.bbox;
  return [+((a + c) / 2).toFixed(5), +((b + d) / 2).toFixed(5)];
}

// ---- MapLibre, from the public UI's vendored copy -------------------------

let loading = null;

export function loadMapLibre() {
  if (window.maplibregl) return Promise.resolve();
  if (!loading) {
    loading = new Promise((resolve, reject) => {
      document.head.append(el("link", { rel: "stylesheet", href: asset("vendor/maplibre/maplibre-gl.css") }));
      document.head.append(el("script", { src: asset("vendor/maplibre/maplibre-gl-csp.js"), onload: resolve, onerror: reject }));
    }).then(() => window.maplibregl.setWorkerUrl(asset("vendor/maplibre/maplibre-gl-csp-worker.js")));
  }
  return loading;
}

export function territoriesGeoJSON(onlyMine) {
  return {
    type: "FeatureCollection",
    features: state.territories.filter((x) => !onlyMine || x.mine).map((x) => ({
      type: "Feature", properties: { id: x.id }, geometry: { type: "MultiPolygon", coordinates: x.shape },
    })),
  };
}

// onMap reports whether a location stands somewhere on the map.
export function onMap(l) {
  return !l.no_point && Array.isArray(l.point) && Number.isFinite(l.point[0]) && Number.isFinite(l.point[1]);
}

// ---- the section -----------------------------------------------------------

export function locationsEditor(doc, texts, { disabled }) {
  let active = 0; // the location the map places
  let map = null;
  const markers = [];
  const mapBox = el("div", { class: "map", id: "loc-map", role: "region", "aria-label": t("loc.map") });
  const mapNote = el("p", { class: "hint", id: "loc-map-hint" }, t("loc.map_hint"));
  const cards = el("div", { class: "cards" });
  const sync = []; // per location: update its inputs from doc

  const setPoint = (i, lon, lat) => {
    doc.locations[i].point = [lon, lat];
    markDirty();
    if (sync[i]) sync[i]();
    placeMarkers();
  };

  const placeMarkers = () => {
    if (!map) return;
    doc.locations.forEach((l, i) => {
      const ok = onMap(l);
      if (!markers[i]) {
        const pin = el("div", { class: "loc-pin", "aria-hidden": "true" }, String(i + 1));
        markers[i] = new window.maplibregl.Marker({ element: pin, draggable: !disabled });
        markers[i].on("dragend", () => {
          const p = markers[i].getLngLat();
          setPoint(i, round(p.lng), round(p.lat));
        });
      }
      markers[i].getElement().classList.toggle("active", i === active);
      if (ok) markers[i].setLngLat(l.point).addTo(map);
      else markers[i].remove();
    });
    for (let i = doc.locations.length; i < markers.length; i++) markers[i].remove();
    markers.length = doc.locations.length;
  };

  const focusActive = () => {
    const l = doc.locations[active];
    if (map && l && onMap(l)) {
      map.easeTo({ center: l.point, zoom: Math.max(map.getZoom(), 14), duration: 300 });
    }
  };

  const draw = () => {
    sync.length = 0;
    cards.replaceChildren(...doc.locations.map((l, i) => card(l, i)));
    texts.refresh();
    placeMarkers();
  };

  const card = (l, i) => {
    const path = `locations[${i}]`;
    const text = (key, label, props = {}) => field(label, el("input", { type: "text", value: l[key] || "", ...props,
      on: { input: (e) => { if (e.target.value) l[key] = e.target.value; else delete l[key]; markDirty(); } } }), { path: `${path}.${key}` });
    const coord = (idx) => el("input", { type: "text", inputmode: "decimal", autocomplete: "off", class: idx ? "lat" : "lon",
      value: Array.isArray(l.point) && Number.isFinite(l.point[idx]) ? String(l.point[idx]) : "",
      "aria-describedby": `${path}-where`,
      on: { input: (e) => {
        const v = e.target.value.trim().replace(",", ".");
        const n = Number(v);
        const pt = Array.isArray(l.point) ? [...l.point] : [NaN, NaN];
        pt[idx] = v === "" || !Number.isFinite(n) ? NaN : n;
        l.point = pt;
        markDirty();
        where();
        placeMarkers();
      }, change: () => { active = i; placeMarkers(); focusActive(); } } });
    const lat = coord(1), lon = coord(0);
    const whereBox = el("p", { class: "hint", id: `${path}-where`, "aria-live": "polite" });
    const where = () => {
      if (l.no_point) {
        whereBox.className = "hint";
        whereBox.textContent = t("loc.no_point_hint");
        return;
      }
      const p = l.point || [];
      const ok = Number.isFinite(p[0]) && Number.isFinite(p[1]) && Math.abs(p[1]) <= 90 && Math.abs(p[0]) <= 180;
      if (!ok) {
        whereBox.className = "hint warn";
        whereBox.textContent = t("loc.bad_number");
      } else if (!mine(p)) {
        whereBox.className = "hint warn";
        whereBox.textContent = t("loc.outside");
      } else {
        whereBox.className = "hint";
        whereBox.textContent = "";
      }
    };
    sync[i] = () => {
      const p = l.point || [];
      lat.value = Number.isFinite(p[1]) ? String(p[1]) : "";
      lon.value = Number.isFinite(p[0]) ? String(p[0]) : "";
      where();
    };
    where();
    const placeBtn = el("button", { type: "button", class: "btn secondary small place", "aria-pressed": String(i === active),
      on: { click: () => {
        active = i;
        for (const b of cards.querySelectorAll(".place")) b.setAttribute("aria-pressed", String(b === placeBtn));
        placeMarkers();
        focusActive();
      } } }, t("loc.place"));
    // Not on the map: the point's inputs go, and the comune may be empty.
    if (l.no_point) delete l.point; // the server sends 0, 0
    let kept = onMap(l) ? [...l.point] : null; // the point to give back when unticked
    const coords = el("div", { class: "row-fields", hidden: !!l.no_point }, field(t("loc.lat"), lat), field(t("loc.lon"), lon), placeBtn);
    const noPoint = checkbox(t("loc.no_point"), !!l.no_point, (off) => {
      if (off) {
        if (onMap(l)) kept = [...l.point];
        l.no_point = true;
        delete l.point;
      } else {
        delete l.no_point;
        const last = doc.locations.find((x) => x !== l && onMap(x));
        l.point = kept || (last ? [...last.point] : myCentre());
        active = i;
      }
      coords.hidden = off;
      comune.querySelector("input").required = !off;
      markDirty();
      sync[i]();
      placeMarkers();
      focusActive();
    }, { class: "no-point", disabled: !!disabled });
    if (!l.name) l.name = {};
    if (!l.accessibility) l.accessibility = {};
    const comune = text("comune", t("loc.comune"), { required: !l.no_point });
    return el("fieldset", { class: "card location", "data-field": path },
      el("legend", {}, t("loc.title", { n: i + 1 })),
      el("div", { class: "row-fields" },
        text("id", t("loc.id"), { required: true, pattern: "[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}" }),
        comune),
      el("p", { class: "hint" }, t("loc.id_hint")),
      texts.field(t("loc.name"), l.name, () => `${path}.name`),
      el("div", { class: "row-fields" },
        text("address", t("loc.address"), { class: "wide" }),
        text("postal_code", t("loc.postal_code"), { inputmode: "numeric", size: 6 })),
      el("div", { class: "row-fields" },
        text("province", t("loc.province"), { size: 4 }),
        text("region", t("loc.region"))),
      el("fieldset", { class: "point", "data-field": `${path}.point` },
        el("legend", {}, t("loc.point")),
        noPoint,
        coords,
        whereBox),
      checkbox(t("loc.wheelchair"), !!l.wheelchair, (v) => { l.wheelchair = v; markDirty(); }),
      texts.field(t("loc.accessibility"), l.accessibility, () => `${path}.accessibility`, { multiline: true, rows: 2 }),
      doc.locations.length > 1 ? el("button", { type: "button", class: "btn secondary danger small", on: { click: () => {
        doc.locations.splice(i, 1);
        active = 0;
        markDirty();
        draw();
      } } }, `${t("common.remove")}: ${t("loc.title", { n: i + 1 })}`) : null);
  };

  const add = el("button", { type: "button", class: "btn secondary", id: "add-location", on: { click: () => {
    const last = doc.locations[doc.locations.length - 1];
    const base = last && onMap(last) ? last.point : myCentre();
    doc.locations.push({ id: `loc-${doc.id || "new"}-${doc.locations.length + 1}`, address: "", comune: last ? last.comune : "",
      province: last ? last.province : "", region: last ? last.region : "", point: [...base], wheelchair: false });
    active = doc.locations.length - 1;
    markDirty();
    draw();
    cards.lastElementChild.querySelector("input").focus();
  } } }, `+ ${t("loc.add")}`);

  // The map loads after the form is on screen (it needs its size).
  const start = async () => {
    try {
      await loadMapLibre();
      if (!mapBox.isConnected) return;
      const first = doc.locations.find(onMap);
      map = new window.maplibregl.Map({
        container: mapBox, style: `/api/v1/map/style.json?lang=${state.lang}`,
        center: first ? first.point : myCentre(), zoom: 14, attributionControl: false, dragRotate: false, pitchWithRotate: false,
      });
      map.touchZoomRotate.disableRotation();
      map.addControl(new window.maplibregl.NavigationControl({ showCompass: false }));
      map.on("load", () => {
        map.addSource("mine", { type: "geojson", data: territoriesGeoJSON(true) });
        map.addLayer({ id: "mine-fill", type: "fill", source: "mine", paint: { "fill-color": "#11612a", "fill-opacity": 0.12 } });
        map.addLayer({ id: "mine-line", type: "line", source: "mine", paint: { "line-color": "#11612a", "line-width": 2 } });
      });
      if (!disabled) {
        map.on("click", (e) => setPoint(active, round(e.lngLat.lng), round(e.lngLat.lat)));
        mapBox.classList.add("placing");
      }
      mapBox.querySelector("canvas").setAttribute("aria-describedby", "loc-map-hint");
      placeMarkers();
    } catch (err) {
      console.error(err);
      mapBox.hidden = true;
      mapNote.textContent = t("loc.map_failed");
    }
  };

  draw();
  const section = el("div", { class: "locations" }, mapNote, mapBox, cards, disabled ? null : add);
  section.start = start;
  section.stop = () => { if (map) map.remove(); map = null; };
  return section;
}

const round = (x) => Math.round(x * 1e6) / 1e6;

// cleanLocations drops empty optional texts (a copy is sent, not the one
// being edited).
export function cleanLocations(locs) {
  for (const l of locs) {
    for (const k of ["name", "accessibility"]) if (l[k] && Object.keys(l[k]).length === 0) delete l[k];
    for (const k of ["postal_code", "province", "region"]) if (l[k] === "") delete l[k];
    if (l.no_point) delete l.point;
    else if (Array.isArray(l.point)) l.point = l.point.map((v) => (Number.isFinite(v) ? v : null));
  }
}

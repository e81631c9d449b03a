// The fleet dashboard (admins): every totem on a map and in a table, with
// its state (online, offline, behind), lag, version, screen and last
// report, filtered by territory; commands to reload a screen, show a
// message or restart a totem; the latest commands and how each went.

import { el, t, state, api, pick, when, clockTime, notice, showError, field, select, dialog } from "./lib.js";
import { loadMapLibre, myCentre } from "./locations.js";

const refreshEvery = 10000;

function cell(label, ...content) {
  return el("td", { "data-label": label }, content);
}

// stateOf is a totem's state as the dashboard names it.
function stateOf(x) {
  if (x.revoked) return "revoked";
  if (!x.last_seen) return "never";
  return x.flag || "ok";
}

function bytes(n) {
  if (!n) return "";
  const gb = n / 1e9;
  return gb >= 1 ? `${gb.toLocaleString(state.lang, { maximumFractionDigits: 1 })} GB` : `${Math.round(n / 1e6)} MB`;
}

function duration(s) {
  if (!s && s !== 0) return "";
  const d = Math.floor(s / 86400), h = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60);
  return d ? `${d} d ${h} h` : h ? `${h} h ${m} min` : `${m} min`;
}

export async function fleetScreen(view) {
  const box = el("div", { class: "notice", hidden: true });
  const summary = el("p", { class: "fleet-summary", "aria-live": "polite" });
  const stamp = el("p", { class: "muted" });
  const tableBox = el("div");
  const logBox = el("div");
  const mapBox = el("div", { class: "map fleet-map", id: "fleet-map", role: "region", "aria-label": t("fleet.map") });
  let territory = "";
  let map = null;
  let markers = [];
  let timer = null;
  let last = null;

  const filter = select([["", t("fleet.all_territories")], ...state.territories.map((x) => [x.id, pick(x.name)])], "",
    (v) => { territory = v; draw(last); }, { id: "fleet-territory" });

  const command = async (x, body, confirmText) => {
    if (confirmText && !confirm(confirmText)) return;
    try {
      await api("POST", "/commands", { ...body, totems: [x.id] });
      notice(box, t("fleet.sent", { id: x.id }));
      await refresh();
    } catch (err) {
      showError(err, box);
    }
  };

  const messageDialog = (x) => {
    const text = el("textarea", { rows: 3, required: true, id: "fleet-message-text" });
    const minutes = el("input", { type: "number", min: 1, max: 1440, value: 15, class: "short", id: "fleet-message-minutes" });
    const out = el("div", { class: "notice", hidden: true });
    let d = null;
    const form = el("form", { novalidate: true, on: { submit: async (e) => {
      e.preventDefault();
      try {
        await api("POST", "/commands", { action: "message", totems: [x.id], text: { it: text.value.trim() }, minutes: Number(minutes.value) });
        d.close();
        notice(box, t("fleet.sent", { id: x.id }));
        await refresh();
      } catch (err) {
        showError(err, out, form);
      }
    } } }, out,
    field(t("fleet.message_text"), text, { path: "text" }),
    field(t("fleet.message_minutes"), minutes, { path: "minutes" }),
    el("button", { type: "submit", class: "btn" }, t("fleet.message_send")));
    d = dialog(t("fleet.message_title", { id: x.name || x.id }), form);
    text.focus();
  };

  const drawMap = (rows) => {
    if (!map) return;
    for (const m of markers) m.remove();
    markers = rows.filter((x) => Array.isArray(x.point)).map((x) => {
      const s = stateOf(x);
      const dot = el("div", { class: `fleet-dot ${s}`, role: "img", "aria-label": `${x.name || x.id}: ${t(`fleet.state.${s}`)}`, title: `${x.name || x.id}: ${t(`fleet.state.${s}`)}` });
      return new window.maplibregl.Marker({ element: dot }).setLngLat(x.point).addTo(map);
    });
    const pts = rows.filter((x) => Array.isArray(x.point)).map((x) => x.point);
    if (pts.length) {
      const xs = pts.map((p) => p[0]), ys = pts.map((p) => p[1]);
      map.fitBounds([[Math.min(...xs), Math.min(...ys)], [Math.max(...xs), Math.max(...ys)]], { padding: 48, maxZoom: 12, duration: 0 });
    }
  };

  const draw = (res) => {
    if (!res) return;
    const rows = res.totems.filter((x) => !territory || (x.territories || []).includes(territory));
    const n = { ok: 0, offline: 0, behind: 0 };
    for (const x of rows) if (n[stateOf(x)] !== undefined) n[stateOf(x)]++;
    summary.textContent = t("fleet.counts", n);
    stamp.textContent = t("fleet.refreshed", { time: clockTime() });
    drawMap(rows);
    if (!rows.length) {
      tableBox.replaceChildren(el("p", { class: "empty" }, t("fleet.none")));
      return;
    }
    const terrName = (id) => pick((state.territories.find((x) => x.id === id) || { name: { it: id } }).name);
    tableBox.replaceChildren(el("table", { class: "grid stack fleet" },
      el("caption", { class: "sr" }, t("fleet.title")),
      el("thead", {}, el("tr", {}, [t("totem.name"), t("fleet.state"), t("fleet.lag"), t("fleet.version"), t("fleet.screen"), t("totem.last_seen"),
        t("fleet.territory"), t("common.actions")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, rows.map((x) => {
        const s = stateOf(x);
        const hb = x.state || {};
        const live = !x.revoked;
        return el("tr", { "data-id": x.id, "data-state": s, class: x.revoked ? "off" : "" },
          cell(t("totem.name"), el("strong", {}, x.name || x.id), el("span", { class: "sub" }, ` · ${x.id}`)),
          cell(t("fleet.state"), el("span", { class: `tag fleet-${s}` }, t(`fleet.state.${s}`)),
            hb.stale ? el("span", { class: "tag fleet-stale", "data-stale": "true", title: t("fleet.stale_hint") },
              t("fleet.stale", { time: hb.checked_at ? when(hb.checked_at) : "—" })) : "",
            hb.last_error || x.last_error ? el("span", { class: "warn-text", title: t("fleet.last_error") }, ` ${hb.last_error || x.last_error}`) : ""),
          cell(t("fleet.lag"), String(x.lag || 0)),
          cell(t("fleet.version"), el("code", {}, hb.version || "—")),
          cell(t("fleet.screen"), hb.screens > 0 ? t("fleet.screen_on") : t("fleet.screen_off"),
            hb.uptime_s !== undefined ? el("span", { class: "sub" }, ` · ${t("fleet.uptime")} ${duration(hb.uptime_s)}`) : "",
            hb.disk_free_bytes ? el("span", { class: "sub" }, ` · ${t("fleet.disk")} ${bytes(hb.disk_free_bytes)}`) : ""),
          cell(t("totem.last_seen"), x.last_seen ? when(x.last_seen) : t("totem.never")),
          cell(t("fleet.territory"), (x.territories || []).map(terrName).join(", ")),
          cell(t("common.actions"), live ? el("div", { class: "row-actions" },
            el("button", { type: "button", class: "btn secondary small", "data-command": "reload",
              on: { click: () => command(x, { action: "reload" }, t("fleet.confirm_reload", { id: x.name || x.id })) } }, t("fleet.reload")),
            el("button", { type: "button", class: "btn secondary small", "data-command": "message", on: { click: () => messageDialog(x) } }, t("fleet.message")),
            el("button", { type: "button", class: "btn secondary small danger", "data-command": "restart",
              on: { click: () => command(x, { action: "restart" }, t("fleet.confirm_restart", { id: x.name || x.id })) } }, t("fleet.restart"))) : ""));
      }))));
  };

  const drawLog = (res) => {
    if (!res.commands.length) {
      logBox.replaceChildren(el("p", { class: "empty" }, t("fleet.commands_none")));
      return;
    }
    logBox.replaceChildren(el("table", { class: "grid stack commands" },
      el("caption", { class: "sr" }, t("fleet.commands")),
      el("thead", {}, el("tr", {}, [t("fleet.when"), t("fleet.command"), t("fleet.by"), t("fleet.targets")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, res.commands.map((c) => el("tr", { "data-id": c.id },
        cell(t("fleet.when"), when(c.created)),
        cell(t("fleet.command"), t(`fleet.command.${c.action}`), c.action === "message" ? el("span", { class: "sub" }, ` · “${pick(c.text)}” · ${c.minutes} min`) : ""),
        cell(t("fleet.by"), c.author),
        cell(t("fleet.targets"), c.targets.map((x) => el("span", { class: `tag target-${x.state}`, title: x.detail || "" }, `${x.totem}: ${t(`fleet.target.${x.state}`)}`))))))));
  };

  const refresh = async () => {
    const [fleet, cmds] = await Promise.all([api("GET", "/fleet"), api("GET", "/commands")]);
    if (!view.isConnected) return;
    last = fleet;
    draw(fleet);
    drawLog(cmds);
  };

  const startMap = async () => {
    try {
      await loadMapLibre();
      if (!mapBox.isConnected) return;
      map = new window.maplibregl.Map({ container: mapBox, style: `/api/v1/map/style.json?lang=${state.lang}`, center: myCentre(), zoom: 7,
        attributionControl: false, dragRotate: false, pitchWithRotate: false });
      map.touchZoomRotate.disableRotation();
      map.addControl(new window.maplibregl.NavigationControl({ showCompass: false }));
      drawMap(last ? last.totems.filter((x) => !territory || (x.territories || []).includes(territory)) : []);
    } catch (err) {
      console.error(err);
      mapBox.hidden = true;
    }
  };

  const first = await api("GET", "/fleet");
  last = first;
  view.append(el("h1", { tabIndex: -1 }, t("fleet.title")),
    el("p", {}, t("fleet.intro", { s: first.heartbeat_s || 30 })), box,
    el("div", { class: "row-fields" }, field(t("fleet.territory"), filter)),
    summary, stamp, mapBox, tableBox,
    el("h2", {}, t("fleet.commands")), logBox);
  draw(first);
  drawLog(await api("GET", "/commands"));
  requestAnimationFrame(startMap);
  const tick = () => {
    timer = setTimeout(async () => {
      try {
        await refresh();
      } catch (err) {
        showError(err, box);
      }
      if (view.isConnected) tick();
    }, refreshEvery);
  };
  tick();
  view.cleanup = () => {
    clearTimeout(timer);
    if (map) map.remove();
    map = null;
  };
}

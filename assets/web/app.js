// Punto's touch UI, for the totem (kiosk mode: /?kiosk=1) and for phones.
// Every word on screen comes from the node (/api/v1/ui, go-i18n files in
// locales/); every service from the public API. Nothing is stored in the
// browser: a visit lives in `state` and is forgotten when the screen idles.
// An ES module: it and the toolkit it imports are served under the same
// hashed /assets/{hash}/ (see assets/site.go).

import { el, format, request, asset } from "./lib/toolkit.js";
import { fallback } from "./fallback.js";
import { drawMap } from "./map.js";
import { freshness } from "./freshness.js";

const $ = (sel) => document.querySelector(sel);
const params = new URLSearchParams(location.search);
const kiosk = params.get("kiosk") === "1";
// ?idle=SECONDS overrides the node's idle time on this screen (tests, demos).
const idleOverride = Number(params.get("idle")) || 0;

const state = {
  lang: null, // chosen language; null on the attract screen
  second: null, // a second language the visitor reads, tried after lang (see fallback.js)
  ui: null, // the /api/v1/ui answer for lang
  stack: [], // screens to go back to
  current: null, // the screen on show: {name, arg}
  origin: null, // {lat, lon}: the totem, or the phone's position or comune
  map: null, // the results map on show
  visit: 0, // counts visits: an answer for an earlier visit is dropped
  big: false,
  contrast: false,
};
let languages = []; // offered languages, with "touch to start" in each
let node = null; // role, idle seconds, position, public URL

// ---- helpers ----------------------------------------------------------

// withNumbers keeps phone numbers and other digit runs left to right inside
// right-to-left text (<bdi dir=ltr>), so "+39 000 000 1000" never reads
// backwards in Arabic or Urdu.
function withNumbers(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\+?\d[\d\s\u00a0./-]{4,}\d/g)) {
    out.push(text.slice(last, m.index), el("bdi", { dir: "ltr" }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

// t renders a message of the node's catalog (ICU: {name} placeholders,
// {count, plural, …} forms) in the visitor's language.
function t(id, vars = {}) {
  const m = state.ui && state.ui.messages[id];
  return typeof m === "string" ? format(m, vars, state.lang) : id;
}

const getJSON = (path) => request(path);

// Texts not in the visitor's language say which language they are in.
const fb = fallback({ t, state, languages: () => languages, show: (name) => show(name), back: () => back() });

function api(path, extra = {}) {
  const q = new URLSearchParams(extra);
  if (state.lang) q.set("lang", state.lang);
  if (state.lang && state.second) q.set("second", state.second);
  if (state.origin) {
    q.set("lat", state.origin.lat);
    q.set("lon", state.origin.lon);
  }
  return getJSON(`/api/v1/${path}?${q}`);
}

function clock(iso) {
  // 24-hour, as the week's hours are written (and Italy reads them).
  return new Date(iso).toLocaleTimeString(state.lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Rome" });
}

function distance(m) {
  return m < 1000 ? t("ui.distance_m", { meters: m.toLocaleString(state.lang) })
    : t("ui.distance_km", { km: (m / 1000).toLocaleString(state.lang, { maximumFractionDigits: 1 }) });
}

function romeDate(d) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(d);
}

// openLine says open now / closes at / opens next, in words.
function openLine(open, status) {
  if (status === "temporarily_closed") return el("span", { class: "closed" }, t("ui.temporarily_closed"));
  if (open.open) return el("span", { class: "open" }, `● ${t("ui.open_now")} · ${t("ui.closes_at", { time: clock(open.closes_at) })}`);
  if (open.opens_at) {
    const at = new Date(open.opens_at);
    const tomorrow = romeDate(new Date(Date.now() + 86400000)) === romeDate(at);
    const today = romeDate(new Date()) === romeDate(at);
    const wd = ((at.getUTCDay() + 6) % 7) + 1;
    const day = today ? t("ui.today").toLowerCase() : tomorrow ? t("ui.tomorrow") : t(`weekday.${wd}`);
    return el("span", { class: "closed" }, `○ ${t("ui.closed")} · ${t("ui.opens_at", { day, time: clock(open.opens_at) })}`);
  }
  return el("span", { class: "closed" }, `○ ${t("ui.closed")}`);
}

function wayLine(r) {
  return `${distance(r.distance_m)} · ${t("walk.minutes", { count: r.walking_minutes })} · ${t(`direction.${r.direction}`)}`;
}

// tally counts one event of a visit in the totem's anonymous needs
// figures: a visit started, a language chosen, a category opened, a
// service viewed, a QR code shown, a search that found nothing. It sends
// no identifier and never what was typed; phones count nothing.
function tally(event, value = "") {
  if (!node || node.role !== "totem") return;
  request("/api/v1/tally", { method: "POST", body: { event, value }, keepalive: true }).catch(() => {});
}

// leftSearch counts a search screen left with nothing found (unless the
// search goes on to its results, which count themselves).
function leftSearch(next) {
  const cur = state.current;
  if (cur && cur.name === "search" && cur.none && !(next && next.name === "results" && next.arg && next.arg.q !== undefined)) tally("search_empty");
}

// ---- navigation ---------------------------------------------------------

const screens = {};

// show draws a screen into a fresh page element: an answer that arrives
// after the visitor has moved on (or after an idle reset) lands in a page
// that is no longer on screen, and is dropped with it.
function show(name, arg, push = true) {
  // A double tap must not stack the same screen twice.
  if (push && state.current && state.current.name === name && JSON.stringify(state.current.arg) === JSON.stringify(arg)) return Promise.resolve();
  leftSearch({ name, arg });
  if (push && state.current) state.stack.push(state.current);
  if (push && name === "results" && arg && arg.category) tally("category", arg.category);
  if (push && name === "detail") tally("service", arg);
  if (state.map) {
    state.map.remove();
    state.map = null;
  }
  state.current = { name, arg };
  $("#bar").hidden = name === "attract" || name === "languages" && !state.lang;
  $("#back").disabled = state.stack.length === 0;
  const view = $("#view");
  const page = el("div", { class: "page" });
  view.replaceChildren(page);
  view.scrollTop = 0;
  window.scrollTo(0, 0);
  document.body.dataset.screen = name;
  touched(); // every screen but the attract one times out, touched or not
  alerts();
  return Promise.resolve(screens[name](page, arg)).catch((err) => {
    // The visitor gets words in their language; the details go to the console.
    console.error(err);
    page.replaceChildren(el("p", { class: "error", role: "alert" }, t(err.status === 404 ? "ui.not_found" : "ui.error")));
  }).then(() => { if (page.isConnected) view.focus({ preventScroll: true }); });
}

// redraw draws the screen on show again with fresh data, where it stands:
// the visitor's place in history, scroll and idle time are kept. The new
// page replaces the old one only once it is ready, so nothing flickers;
// a screen with a map draws in place (the map needs its size).
let redraws = 0; // counts redraws: only the latest one lands

async function redraw() {
  const cur = state.current;
  if (!cur || !state.lang || ["attract", "languages", "search", "second"].includes(cur.name)) return;
  const mine = ++redraws;
  const view = $("#view");
  const top = view.scrollTop, y = window.scrollY;
  const page = el("div", { class: "page" });
  const land = () => mine === redraws && state.current === cur; // nobody moved on meanwhile
  try {
    if (cur.name === "page") {
      const { pages } = await api("pages");
      const p = pages.find((x) => x.id === cur.arg.id);
      if (!p) throw Object.assign(new Error("page withdrawn"), { status: 404 });
      cur.arg = p;
    }
    if (state.map) {
      if (!land()) return;
      state.map.remove();
      state.map = null;
      view.replaceChildren(page);
    }
    await screens[cur.name](page, cur.arg);
  } catch (err) {
    // What was on show is gone (withdrawn): say so, as a fresh visit would.
    if (err.status === 404 && land()) {
      view.replaceChildren(el("div", { class: "page" }, el("p", { class: "error", role: "alert" }, t("ui.not_found"))));
    } else console.error(err);
    return;
  }
  if (!land()) return;
  if (!page.isConnected) view.replaceChildren(page);
  view.scrollTop = top;
  window.scrollTo(0, y);
}

// live follows the node's catalog: a screen showing what changed redraws
// (server-sent events from this node; the browser reconnects by itself).
let liveSeq = null; // the catalog sequence this page has drawn

function live() {
  if (!("EventSource" in window)) return;
  const es = new EventSource("/api/v1/live");
  // The browser retries a dropped stream by itself, but gives up after an
  // error answer (a node restarting behind a proxy): start again later.
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) setTimeout(live, 5000 + Math.random() * 5000);
  });
  es.addEventListener("hello", (e) => {
    const now = JSON.parse(e.data).seq;
    // Back after a break: redraw if anything changed meanwhile.
    if (liveSeq !== null && now !== liveSeq) {
      alerts();
      redraw();
    }
    liveSeq = now;
  });
  // Commands from the portal's operators, for this screen.
  es.addEventListener("command", (e) => {
    const c = JSON.parse(e.data);
    if (c.action === "reload") location.reload();
    else if (c.action === "message") alerts();
  });
  es.addEventListener("change", (e) => {
    const a = JSON.parse(e.data);
    liveSeq = a.seq;
    document.body.dataset.seq = a.seq;
    if (a.alerts || a.all || a.other) alerts();
    const cur = state.current;
    if (!cur) return;
    const services = a.services || [];
    const hit = a.all || a.other
      || (cur.name === "detail" && services.includes(cur.arg))
      || ((cur.name === "results" || cur.name === "home") && services.length > 0)
      || ((cur.name === "pages" || cur.name === "page" || cur.name === "home") && a.pages);
    if (hit) redraw();
  });
}

function back() {
  const prev = state.stack.pop();
  if (prev) show(prev.name, prev.arg, false);
}

function home() {
  leftSearch({ name: "home" });
  state.stack = [];
  state.current = null;
  show("home");
}

async function setLanguage(tag) {
  const visit = state.visit;
  const ui = await getJSON(`/api/v1/ui?lang=${encodeURIComponent(tag)}`);
  if (visit !== state.visit) throw new Error("the visit ended");
  state.lang = ui.lang;
  state.ui = ui;
  if (state.second === ui.lang) state.second = null;
  document.documentElement.lang = ui.lang;
  document.documentElement.dir = ui.dir;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  const own = languages.find((l) => l.tag === ui.lang);
  // The visible name stays part of the accessible name (WCAG 2.5.3).
  $("#lang").replaceChildren(el("span", { class: "sr" }, `${t("ui.choose_language")}: `), own ? own.name : ui.lang);
  $("#back").querySelector(".arrow").textContent = ui.dir === "rtl" ? "→" : "←";
}

// ---- screens ------------------------------------------------------------

let attractTimer = null;

screens.attract = (view) => {
  let i = 0;
  const line = el("p", { class: "touch" });
  const cycle = () => {
    const l = languages[i++ % languages.length];
    line.textContent = l.touch;
    line.lang = l.tag;
    line.dir = l.dir;
  };
  cycle();
  clearInterval(attractTimer);
  attractTimer = setInterval(cycle, 2500);
  const start = el("button", { class: "attract", type: "button", on: { click: () => { clearInterval(attractTimer); tally("visit"); show("languages", null, false); } } },
    el("img", { src: asset("icon.svg"), alt: "", width: 160, height: 160 }),
    el("span", { class: "brand" }, "Punto"), line);
  view.append(start);
};

screens.languages = (view) => {
  const buttons = languages.map((l) => el("button", {
    class: "lang", type: "button", lang: l.tag, dir: l.dir,
    on: { click: async () => {
      const visit = state.visit;
      await setLanguage(l.tag).catch(() => {});
      if (visit !== state.visit || state.lang !== l.tag) return; // reset, or another tap won
      tally("language", l.tag);
      state.stack = [];
      state.current = null;
      show("home");
    } },
  }, l.name));
  view.append(el("h1", { class: "pick" }, "Lingua · Language · Langue · Idioma · اللغة · 语言"), el("div", { class: "langs" }, buttons));
};

screens.home = async (view) => {
  const data = await api("categories");
  const tiles = data.categories.filter((c) => c.services > 0).map((c) => el("button", {
    class: "tile", type: "button", lang: c.name.lang, "data-category": c.id,
    on: { click: () => show("results", { category: c.id, title: c.name.text }) },
  }, el("img", { src: c.icon_url, alt: "", width: 48, height: 48 }), el("span", {}, c.name.text)));
  const search = el("button", { class: "tile search", type: "button", on: { click: () => show("search", "") } },
    el("span", { class: "glyph", "aria-hidden": "true" }, "⌕"), el("span", {}, t("ui.search")));
  const info = el("button", { class: "tile info", type: "button", on: { click: () => show("pages") } },
    el("span", { class: "glyph", "aria-hidden": "true" }, "ℹ"), el("span", {}, t("ui.information")));
  view.append(el("h1", {}, t("ui.services_near")), el("div", { class: "tiles" }, search, tiles, info));
  if (!kiosk) view.append(positionPicker());
};

// positionPicker lets a phone use its own position or a comune.
function positionPicker() {
  const box = el("div", { class: "where" });
  const use = el("button", { type: "button", class: "secondary", on: { click: () => {
    navigator.geolocation.getCurrentPosition(
      (p) => { state.origin = { lat: p.coords.latitude, lon: p.coords.longitude }; use.setAttribute("aria-pressed", "true"); },
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
    if (p) state.origin = { lat: p.lat, lon: p.lon };
  } } }, el("option", { value: "" }, "—"), places.map((p) => el("option", { value: p.comune }, `${p.comune} (${p.province})`)));
  box.replaceChildren(el("label", { for: "town" }, t(failed ? "ui.position_failed" : "ui.choose_town")), select);
}

screens.pages = async (view) => {
  const { pages } = await api("pages");
  view.append(el("h1", {}, t("ui.information")), el("ul", { class: "results" }, pages.map((p) => el("li", {},
    el("button", { type: "button", class: "row", on: { click: () => show("page", p) } }, el("span", { class: "body" }, fb.text("strong", {}, p.title)))))));
};

screens.page = (view, p) => {
  view.append(el("article", { class: "detail" }, fb.text("h1", {}, p.title), fb.text("p", {}, p.body, withNumbers)));
};

screens.second = (view) => fb.screen(view);

// alerts shows the notices in force on every screen but the attract one,
// and the operators' messages on every screen, the attract one too; each
// goes when its time is up.
let alertsTimer = null;

async function alerts() {
  const box = $("#alerts");
  const visit = state.visit, lang = state.lang;
  try {
    const data = await api("alerts");
    if (visit !== state.visit || lang !== state.lang) return; // the visit or its language changed meanwhile
    const shown = data.alerts.filter((a) => lang || a.kind === "message");
    box.replaceChildren(...shown.map((a) => el("p", { class: `alert ${a.severity}`, "data-kind": a.kind },
      lang ? el("strong", {}, `${t("ui.alert")}: `) : "", fb.text("span", {}, a.text, withNumbers))));
    clearTimeout(alertsTimer);
    const next = Math.min(...shown.map((a) => Date.parse(a.ends_at)));
    if (Number.isFinite(next)) alertsTimer = setTimeout(alerts, Math.max(1000, Math.min(next - Date.now() + 500, 3600000)));
  } catch {
    // Keep what is shown: a notice must not vanish because a request failed.
  }
}

screens.results = async (view, arg) => {
  const data = arg.q !== undefined ? await api("search", { q: arg.q, limit: 40 })
    : await api("services/nearby", { category: arg.category, limit: 40 });
  const title = el("h1", {}, arg.title);
  if (data.results.length === 0) {
    const cur = state.current;
    if (arg.q !== undefined && cur && !cur.counted) {
      cur.counted = true; // once, not at every redraw
      tally("search_empty");
    }
    view.append(title, el("p", { class: "empty" }, arg.q !== undefined ? t("ui.search_none") : t("ui.no_results")));
    talk(view);
    return;
  }
  const list = el("ol", { class: "results", id: "list" }, data.results.map((r, i) => el("li", {},
    el("button", { type: "button", class: "row", "data-id": r.id, "data-distance": r.distance_m, on: { click: () => show("detail", r.id) } },
      el("span", { class: "num", "aria-hidden": "true" }, String(i + 1)),
      el("span", { class: "body" },
        fb.text("strong", {}, r.name),
        el("span", { class: "way" }, wayLine(r)),
        el("span", { class: "addr" }, `${r.address}, ${r.comune}`),
        openLine(r.open, r.status))))));
  const box = el("div", { class: "map", id: "map", role: "region", "aria-label": t("ui.map") });
  // On a phone list and map are two tabs; the totem shows both.
  const tabs = el("div", { class: "tabs", role: "group" }, [["list", "ui.list"], ["map", "ui.map"]].map(([id, label]) =>
    el("button", { type: "button", class: "secondary", "data-tab": id, "aria-pressed": String(id === "list"), on: { click: () => {
      for (const b of tabs.children) b.setAttribute("aria-pressed", String(b.dataset.tab === id));
      document.body.dataset.tab = id;
      if (state.map) state.map.resize();
    } } }, t(label))));
  document.body.dataset.tab = "list";
  view.append(title, tabs, box, list);
  const origin = state.origin || node.position;
  drawMap(box, data.results, { origin, here: kiosk || Boolean(state.origin), lang: state.lang, t, pick: (id) => show("detail", id) })
    .then((map) => { if (map) state.map = map; })
    .catch(() => { box.hidden = true; tabs.hidden = true; });
  talk(view);
};

// talk offers "talk to someone in your language" (callback.js) on a phone
// reaching the portal, which takes call-backs.
function talk(view) {
  if (!node || node.role !== "portal" || !state.lang) return;
  Promise.all([import("./callback.js"), api("categories")])
    .then(([m, data]) => m.talkToSomeone(view, { origin: state.origin || node.position, lang: state.lang, t,
      categories: Object.fromEntries(data.categories.map((c) => [c.id, { icon_url: c.icon_url, name: c.name.text, lang: c.name.lang }])) }))
    .catch((err) => console.error(err));
}

screens.search = (view, text) => {
  const input = el("input", { id: "q", type: "search", value: text || "", autocomplete: "off", placeholder: t("ui.search_hint"), "aria-label": t("ui.search") });
  // On the totem the on-screen keyboard types; no system keyboard pops up.
  if (kiosk) input.setAttribute("inputmode", "none");
  const out = el("div", { class: "suggest", "aria-live": "polite" });
  const cur = state.current;
  let seq = 0;
  const run = async () => {
    const q = input.value.trim();
    cur.arg = input.value;
    cur.none = false;
    const mine = ++seq;
    if (q.length < 2 && !/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Hangul}]/u.test(q)) { out.replaceChildren(); return; }
    try {
      const data = await api("search", { q, limit: 8 });
      if (mine !== seq) return;
      cur.none = data.results.length === 0; // counted if the visitor leaves with nothing found
      out.replaceChildren(data.results.length === 0 ? el("p", { class: "empty" }, t("ui.search_none"))
        : el("ul", {}, data.results.map((r) => el("li", {}, el("button", { type: "button", class: "row", "data-id": r.id, on: { click: () => show("detail", r.id) } },
          el("span", { class: "body" }, fb.text("strong", {}, r.name), el("span", { class: "way" }, wayLine(r))))))));
    } catch (err) {
      if (mine === seq) out.replaceChildren(el("p", { class: "empty" }, t("ui.search_none")));
    }
  };
  input.addEventListener("input", run);
  const form = el("form", { role: "search", on: { submit: (e) => { e.preventDefault(); if (input.value.trim()) show("results", { q: input.value.trim(), title: input.value.trim() }); } } },
    input, el("button", { type: "submit", class: "go" }, t("ui.search")));
  view.append(el("h1", {}, t("ui.search")), form, out);
  if (text) run();
  input.focus();
  if (kiosk) {
    // The on-screen keyboard, docked at the bottom; its code loads on the
    // totem only.
    // On a narrow screen the keys sit between the box and the results, so
    // that results arriving never move a key under a finger.
    const pad = el("div", { class: "pad" });
    view.insertBefore(pad, out);
    import("./keyboard.js")
      .then((m) => m.keyboard(pad, input, { lang: state.lang, t, changed: run, submit: () => form.requestSubmit() }))
      .catch((err) => { console.error(err); pad.remove(); });
  }
};

screens.detail = async (view, id) => {
  const { service: s, holidays } = await api(`services/${encodeURIComponent(id)}`);
  const loc = s.locations[0];
  const section = (titleID, ...content) => el("section", {}, el("h2", {}, t(titleID)), ...content);
  const parts = [fb.text("h1", {}, s.name)];
  if (s.organization) parts.push(fb.text("p", { class: "org" }, s.organization.name));
  parts.push(el("p", { class: "status" }, openLine(s.open, s.status), s.by_appointment ? ` · ${t("ui.by_appointment")}` : ""));
  if (s.description) parts.push(fb.text("p", {}, s.description, withNumbers));
  if (loc) parts.push(section("ui.address", el("p", {}, `${loc.address}, ${loc.comune}`), el("p", { class: "way" }, wayLine(loc))));
  parts.push(section("ui.hours", hoursTable(s.hours, holidays)));
  if (s.phones.length) parts.push(section("ui.phone", el("ul", {}, s.phones.map((p) => el("li", {}, el("bdi", { dir: "ltr" }, p.number))))));
  if (s.languages.length) parts.push(section("ui.languages_spoken", el("p", {}, s.languages.map(langName).join(" · "))));
  if (s.documents.length) parts.push(section("ui.what_to_bring", el("ul", {}, s.documents.map((d) => fb.text("li", {}, d)))));
  if (s.eligibility) parts.push(section("ui.who_can_use", fb.text("p", {}, s.eligibility)));
  if (s.fees) parts.push(section("ui.cost", fb.text("p", {}, s.fees)));
  if (loc && (loc.wheelchair || loc.accessibility)) {
    parts.push(section("ui.accessibility", loc.wheelchair ? el("p", {}, `♿ ${t("ui.step_free")}`) : "",
      loc.accessibility ? fb.text("p", {}, loc.accessibility) : ""));
  }
  if (s.url) {
    // A totem never leaves the app: the website becomes a code to scan.
    parts.push(kiosk
      ? el("section", { class: "qr" }, el("h2", {}, t("ui.website")), el("img", { src: `/api/v1/services/${encodeURIComponent(s.id)}/website.svg`, alt: s.url, width: 180, height: 180 }), el("p", { dir: "ltr" }, s.url))
      : el("section", {}, el("h2", {}, t("ui.website")), el("p", {}, el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", dir: "ltr" }, s.url))));
  }
  const deep = `/s/${encodeURIComponent(s.id)}?lang=${state.lang}${state.second ? `&second=${state.second}` : ""}`;
  const qr = el("img", { id: "qr", src: `/api/v1/qr.svg?path=${encodeURIComponent(deep)}`, alt: t("ui.scan_hint"), width: 220, height: 220 });
  parts.push(el("section", { class: "qr" }, el("h2", {}, t("ui.take_with_you")), qr, el("p", {}, t("ui.scan_hint"))));
  if (kiosk && node.printer) parts.push(printButton(s.id));
  if (s.categories.includes("events")) {
    // An event's dates as iCalendar: a code to scan on the totem, a link on a phone.
    const ics = `/api/v1/services/${encodeURIComponent(s.id)}/event.ics?lang=${state.lang}${state.second ? `&second=${state.second}` : ""}`;
    parts.push(kiosk
      ? el("section", { class: "qr" }, el("h2", {}, t("ui.add_to_calendar")),
        el("img", { id: "ics-qr", src: `/api/v1/qr.svg?path=${encodeURIComponent(ics)}`, alt: t("ui.scan_hint"), width: 220, height: 220 }), el("p", {}, t("ui.scan_hint")))
      : el("section", {}, el("h2", {}, t("ui.add_to_calendar")), el("p", {}, el("a", { id: "ics-link", href: ics, download: `${s.id}.ics` }, t("ui.add_to_calendar")))));
  }
  view.append(el("article", { class: "detail" }, parts));
  countShown(qr, view.querySelector("#ics-qr"));
};

// printButton prints the service's card on the totem's printer (in the
// visitor's language and in Italian) and says how it went; the request
// carries the service and the language only.
function printButton(id) {
  const status = el("p", { id: "print-status", role: "status" });
  const button = el("button", { type: "button", id: "print", class: "go", on: { click: async () => {
    button.disabled = true;
    status.textContent = t("ui.printing");
    try {
      await request(`/api/v1/services/${encodeURIComponent(id)}/print?lang=${state.lang}${state.second ? `&second=${state.second}` : ""}`, { method: "POST" });
      status.textContent = t("ui.printed");
    } catch {
      status.textContent = t("ui.print_failed");
    } finally {
      button.disabled = false;
    }
  } } }, t("ui.print"));
  return el("section", { class: "print" }, button, status);
}

// countShown counts a QR code shown once one of the codes is on screen,
// once per page shown (a redraw does not count it again).
function countShown(...imgs) {
  const cur = state.current;
  if (!cur || cur.qrCounted || !("IntersectionObserver" in window)) return;
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting) || cur.qrCounted || state.current !== cur) return;
    cur.qrCounted = true;
    seen.disconnect();
    tally("qr");
  }, { threshold: 0.6 });
  for (const img of imgs) if (img) seen.observe(img);
}

// langName names a language in the visitor's: from the UI's own words
// where it is one of the 15 (the browser may not know Tigrinya's names).
const langName = (tag) => fb.name(tag);

function hoursTable(hours, holidays) {
  const today = romeDate(new Date());
  const rows = hours.days.map((d) => {
    const slots = d.slots.length ? d.slots.map((x) => `${x.opens}–${x.closes}`).join(", ") : t("ui.closed");
    const hol = holidays.find((h) => h.date === d.date);
    return el("tr", { class: d.date === today ? "today" : "" },
      el("th", { scope: "row" }, t(`weekday.${d.weekday}`), d.date === today ? ` (${t("ui.today")})` : ""),
      el("td", { dir: "ltr" }, slots),
      el("td", {}, hol ? t("ui.holiday", { name: hol.name.text }) : ""));
  });
  return el("table", { class: "hours" }, el("tbody", {}, rows));
}

// ---- kiosk: idle reset --------------------------------------------------

let idleTimer = null;

function touched() {
  clearTimeout(idleTimer);
  if (kiosk && state.current && state.current.name !== "attract") {
    idleTimer = setTimeout(reset, (idleOverride > 0 ? idleOverride : node.idle_seconds) * 1000);
  }
}

// reset forgets the visit: language, search text, history, scroll, toggles.
function reset() {
  clearTimeout(idleTimer);
  leftSearch(null);
  state.visit++;
  $("#alerts").replaceChildren();
  state.lang = null;
  state.second = null;
  state.ui = null;
  state.stack = [];
  state.current = null;
  state.origin = null;
  setToggle("big", false);
  setToggle("contrast", false);
  document.documentElement.lang = "it";
  document.documentElement.dir = "ltr";
  if (document.activeElement) document.activeElement.blur();
  show("attract", null, false);
}

function setToggle(name, on) {
  state[name] = on;
  document.body.classList.toggle(name, on);
  $(`#${name}`).setAttribute("aria-pressed", String(on));
}

// Links that would leave the app are not followed on a totem.
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest("a[href]");
  if (kiosk && a && new URL(a.href, location.href).origin !== location.origin) e.preventDefault();
});

// ---- start --------------------------------------------------------------

async function boot() {
  document.body.classList.toggle("kiosk", kiosk);
  for (const ev of ["pointerdown", "keydown", "touchstart", "wheel"]) document.addEventListener(ev, touched, { passive: true, capture: true });
  if (kiosk) document.addEventListener("contextmenu", (e) => e.preventDefault());
  $("#back").addEventListener("click", back);
  $("#home").addEventListener("click", home);
  $("#lang").addEventListener("click", () => show("languages"));
  $("#big").addEventListener("click", () => setToggle("big", !state.big));
  $("#contrast").addEventListener("click", () => setToggle("contrast", !state.contrast));
  const first = await getJSON("/api/v1/ui?lang=it");
  languages = first.languages;
  node = first.node;
  if ("serviceWorker" in navigator && !kiosk) navigator.serviceWorker.register("/sw.js").catch(() => {});
  live();
  // Read-aloud, on a totem whose node reads aloud (voice.js; phones never load it).
  if (kiosk && node.voice) import("./voice.js").then((m) => m.voice({ node, lang: () => state.lang, messages: () => state.ui && state.ui.messages, t })).catch(console.error);
  fb.watch($("#fallback"), $("#view"), $("#alerts"));
  freshness({ t, state, box: $("#freshness") });
  const deep = location.pathname.match(/^\/s\/([^/]+)$/);
  if (deep) {
    state.second = params.get("second");
    await setLanguage(params.get("lang") || navigator.language || "it").catch(() => setLanguage("it"));
    show("detail", decodeURIComponent(deep[1]), false);
    return;
  }
  if (kiosk) {
    show("attract", null, false);
    return;
  }
  const preferred = (navigator.languages || [navigator.language]).map((l) => l.split("-")[0]).find((l) => languages.some((x) => x.tag === l));
  if (preferred) {
    await setLanguage(preferred);
    show("home", null, false);
  } else {
    show("languages", null, false);
  }
}

boot();

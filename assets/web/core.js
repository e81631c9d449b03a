// The state of a visit and the moves between screens, shared by the
// screens (screens/*.js) and the app's other parts (idle.js, live.js,
// alerts.js). Nothing is stored in the browser: a visit lives in `state`
// and is forgotten when the screen idles.
//
// The app tells its other parts (and the voice module) what happens with
// DOM events on document: "punto:screen" when a screen is drawn (detail:
// {name, arg}), "punto:reset" when a visit is forgotten,
// "punto:idle-warning" when the idle countdown starts (detail: {seconds})
// and "punto:idle-kept" when a touch keeps the visit.

import { el, format, request } from "./lib/toolkit.js";
import { fallback } from "./fallback.js";
import * as fmt from "./lib/format.js";

export const $ = (sel) => document.querySelector(sel);
export const params = new URLSearchParams(location.search);
export const kiosk = params.get("kiosk") === "1";

export const state = {
  lang: null, // chosen language; null on the attract screen
  second: null, // a second language the visitor reads, tried after lang (see fallback.js)
  ui: null, // the /api/v1/ui answer for lang
  stack: [], // screens to go back to
  current: null, // the screen on show: {name, arg}
  origin: null, // {lat, lon}: the totem, or the phone's position or comune
  originName: "", // the comune chosen on a phone, "" for its own position
  map: null, // the results map on show
  visit: 0, // counts visits: an answer for an earlier visit is dropped
  big: false,
  contrast: false,
};

// env is what the node said at start: the offered languages (with "touch
// to start" in each) and the node (role, idle seconds, position, public
// URL, reach zone, facing).
export const env = { languages: [], node: null, closure: null };

// emit tells listeners what happened (see above).
export function emit(name, detail = {}) {
  document.dispatchEvent(new CustomEvent(`punto:${name}`, { detail }));
}

// t renders a message of the node's catalog (ICU: {name} placeholders,
// {count, plural, …} forms) in the visitor's language.
export function t(id, vars = {}) {
  const m = state.ui && state.ui.messages[id];
  return typeof m === "string" ? format(m, vars, state.lang) : id;
}

export const getJSON = (path) => request(path);

// withNumbers keeps phone numbers and other digit runs left to right inside
// right-to-left text (<bdi dir=ltr>), so "+39 000 000 1000" never reads
// backwards in Arabic or Urdu.
export function withNumbers(text) {
  const out = [];
  let last = 0;
  for (const m of text.matchAll(/\+?\d[\d\s\u00a0./-]{4,}\d/g)) {
    out.push(text.slice(last, m.index), el("bdi", { dir: "ltr" }, m[0]));
    last = m.index + m[0].length;
  }
  out.push(text.slice(last));
  return out;
}

// Texts not in the visitor's language say which language they are in.
export const fb = fallback({ t, state, languages: () => env.languages, show: (name) => show(name), back: () => back() });

export function api(path, extra = {}) {
  const q = new URLSearchParams(extra);
  if (state.lang) q.set("lang", state.lang);
  if (state.lang && state.second) q.set("second", state.second);
  if (state.origin) {
    q.set("lat", state.origin.lat);
    q.set("lon", state.origin.lon);
  }
  return getJSON(`/api/v1/${path}?${q}`);
}

// wayLine is a result's distance, time and direction in the visitor's
// words: a totem that knows its facing says left and right.
export function wayLine(r) {
  const facing = kiosk && env.node && !state.origin ? env.node.facing : null;
  return fmt.way(r, { lang: state.lang, t, facing });
}

// measuredFrom says, on a phone, where its distances are measured from:
// its own position, the town chosen, or else the node's own place, named
// after the nearest town centre. A totem marks itself on the map instead.
let places = null;

export async function measuredFrom() {
  if (state.origin && !state.originName) return t("ui.from_position");
  if (state.originName) return t("ui.from_town", { town: state.originName });
  places ||= getJSON("/api/v1/places").then((d) => d.places, () => null);
  const list = await places;
  if (!list || list.length === 0) return "";
  const here = env.node.position;
  const d2 = (p) => (p.lat - here.lat) ** 2 + ((p.lon - here.lon) * Math.cos((here.lat * Math.PI) / 180)) ** 2;
  const nearest = list.reduce((a, b) => (d2(b) < d2(a) ? b : a));
  return t("ui.from_town", { town: nearest.comune });
}

// openLine says open now / closes at / opens next, in words.
export function openLine(open, status) {
  if (status === "temporarily_closed") return el("span", { class: "closed" }, t("ui.temporarily_closed"));
  const clock = (iso) => fmt.clock(iso, state.lang);
  // Open round the clock, a desk has no closing time to give.
  if (open.open && !open.closes_at) return el("span", { class: "open" }, `● ${t("ui.open_now")}`);
  if (open.open) return el("span", { class: "open" }, `● ${t("ui.open_now")} · ${t("ui.closes_at", { time: clock(open.closes_at) })}`);
  if (open.opens_at) {
    const at = new Date(open.opens_at);
    const tomorrow = fmt.romeDate(new Date(Date.now() + 86400000)) === fmt.romeDate(at);
    const today = fmt.romeDate(new Date()) === fmt.romeDate(at);
    const wd = ((at.getUTCDay() + 6) % 7) + 1;
    const day = today ? t("ui.today").toLowerCase() : tomorrow ? t("ui.tomorrow") : t(`weekday.${wd}`);
    return el("span", { class: "closed" }, `○ ${t("ui.closed")} · ${t("ui.opens_at", { day, time: clock(open.opens_at) })}`);
  }
  return el("span", { class: "closed" }, `○ ${t("ui.closed")}`);
}

// tally counts one event of a visit in the totem's anonymous needs
// figures: a visit started, a language chosen, a category opened, a
// service viewed, a QR code shown, a search that found nothing. It sends
// no identifier and never what was typed; phones count nothing.
export function tally(event, value = "") {
  if (!env.node || env.node.role !== "totem") return;
  request("/api/v1/tally", { method: "POST", body: { event, value }, keepalive: true }).catch(() => {});
}

// leftSearch counts a search screen left with nothing found (unless the
// search goes on to its results, which count themselves).
export function leftSearch(next) {
  const cur = state.current;
  if (cur && cur.name === "search" && cur.none && !(next && next.name === "results" && next.arg && next.arg.q !== undefined)) tally("search_empty");
}

// ---- navigation ---------------------------------------------------------

// screens draw themselves: screens[name](page, arg) fills page (a fresh
// element) and may return a promise.
export const screens = {};

// frame is a fresh page for a screen: the page holds what the visitor
// touches, and page.head what they read first (the title; on a totem the
// map too). On a totem the head sits above the reach zone, the page in it
// (style.css); on a phone the head tops the page.
function frame() {
  // On the totem the page scrolls in the zone: a keyboard reaches it too.
  const page = el("div", { class: "page", tabIndex: kiosk ? 0 : undefined });
  page.head = el("div", { class: "head" });
  return page;
}

// mount puts a page and its head on screen, after the notices. On a
// phone the "shown in another language" notice comes after them too: it
// shows with the texts it is about, and pushes nothing the visitor is
// already reading (on a totem it has a place of its own, style.css).
function mount(page) {
  $("#upper").replaceChildren($("#alerts"), $("#freshness"), ...(kiosk ? [] : [$("#fallback")]), page.head);
  $("#view").replaceChildren($("#upper"), page);
}

// show draws a screen into a fresh page element: an answer that arrives
// after the visitor has moved on (or after an idle reset) lands in a page
// that is no longer on screen, and is dropped with it.
export function show(name, arg, push = true) {
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
  const page = frame();
  mount(page);
  view.scrollTop = 0;
  window.scrollTo(0, 0);
  document.body.dataset.screen = name;
  emit("screen", { name, arg }); // idle.js restarts the clock, alerts.js refreshes
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

export async function redraw() {
  const cur = state.current;
  if (!cur || !state.lang || ["attract", "languages", "search", "second"].includes(cur.name)) return;
  const mine = ++redraws;
  const view = $("#view");
  const old = view.querySelector(":scope > .page");
  const top = view.scrollTop, y = window.scrollY, inner = old ? old.scrollTop : 0;
  const page = frame();
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
      mount(page);
    }
    await screens[cur.name](page, cur.arg);
  } catch (err) {
    // What was on show is gone (withdrawn): say so, as a fresh visit would.
    if (err.status === 404 && land()) {
      const gone = frame();
      gone.append(el("p", { class: "error", role: "alert" }, t("ui.not_found")));
      mount(gone);
    } else console.error(err);
    return;
  }
  if (!land()) return;
  if (!page.isConnected) mount(page);
  view.scrollTop = top;
  page.scrollTop = inner;
  window.scrollTo(0, y);
}

export function back() {
  const prev = state.stack.pop();
  if (prev) show(prev.name, prev.arg, false);
}

export function home() {
  leftSearch({ name: "home" });
  state.stack = [];
  state.current = null;
  show("home");
}

export async function setLanguage(tag) {
  const visit = state.visit;
  const ui = await getJSON(`/api/v1/ui?lang=${encodeURIComponent(tag)}`);
  if (visit !== state.visit) throw new Error("the visit ended");
  state.lang = ui.lang;
  state.ui = ui;
  if (state.second === ui.lang) state.second = null;
  document.documentElement.lang = ui.lang;
  document.documentElement.dir = ui.dir;
  for (const e of document.querySelectorAll("[data-t]")) e.textContent = t(e.dataset.t);
  const own = env.languages.find((l) => l.tag === ui.lang);
  // The visible name stays part of the accessible name (WCAG 2.5.3).
  $("#lang").replaceChildren(el("span", { class: "sr" }, `${t("ui.choose_language")}: `), own ? own.name : ui.lang);
  $("#back").querySelector(".arrow").textContent = ui.dir === "rtl" ? "→" : "←";
}

// chooseLanguage starts the visit in a language: its home screen.
export async function chooseLanguage(tag) {
  const visit = state.visit;
  await setLanguage(tag).catch(() => {});
  if (visit !== state.visit || state.lang !== tag) return; // reset, or another tap won
  tally("language", tag);
  state.stack = [];
  state.current = null;
  // In closure mode a totem opens on where to call (closure.js).
  show(kiosk && env.closure ? "closure" : "home");
}

export function setToggle(name, on) {
  state[name] = on;
  document.body.classList.toggle(name, on);
  $(`#${name}`).setAttribute("aria-pressed", String(on));
}

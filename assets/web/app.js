// Punto: a first touch UI over the public API (/api/v1).
"use strict";
const $ = (id) => document.getElementById(id);
let lang = "it";

function el(tag, props, ...children) {
  const e = document.createElement(tag);
  Object.assign(e, props || {});
  for (const c of children) e.append(c);
  return e;
}

async function api(path) {
  const sep = path.includes("?") ? "&" : "?";
  const res = await fetch(`/api/v1/${path}${sep}lang=${encodeURIComponent(lang)}`);
  if (!res.ok) throw new Error((await res.json()).error);
  return res.json();
}

function show(id) {
  for (const s of ["cats", "list", "detail"]) $(s).hidden = s !== id;
}

function openText(o) {
  const t = (iso) => new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Rome" });
  if (o.open) return el("span", { className: "open" }, `● ${t(o.closes_at)}`);
  if (o.opens_at) return el("span", { className: "closed" }, `○ ${new Date(o.opens_at).toLocaleString(lang, { weekday: "short", hour: "2-digit", minute: "2-digit", timeZone: "Europe/Rome" })}`);
  return el("span", { className: "closed" }, "○");
}

async function home() {
  const data = await api("categories");
  const tiles = data.categories.filter((c) => c.services > 0).map((c) =>
    el("button", { className: "tile", type: "button", lang: c.name.lang, onclick: () => list(c) },
      el("img", { src: c.icon_url, alt: "", width: 40, height: 40 }), el("span", {}, c.name.text)));
  $("cats").replaceChildren(...tiles);
  show("cats");
}

async function list(cat) {
  const data = await api(`services/nearby?category=${cat.id}&limit=30`);
  const rows = data.results.map((r) => el("button", { className: "row", type: "button", onclick: () => detail(r.id) },
    el("strong", { lang: r.name.lang }, r.name.text),
    `${r.distance_m} m · ${r.walking_minutes} min · ${r.direction_label.text} · `, openText(r.open)));
  $("list").replaceChildren(el("h2", { lang: cat.name.lang }, cat.name.text), ...rows);
  show("list");
}

async function detail(id) {
  const { service: s } = await api(`services/${encodeURIComponent(id)}`);
  const loc = s.locations[0];
  const parts = [el("h2", { lang: s.name.lang }, s.name.text)];
  if (s.description) parts.push(el("p", { lang: s.description.lang }, s.description.text));
  parts.push(el("p", {}, `${loc.address}, ${loc.comune} · ${loc.distance_m} m`));
  for (const p of s.phones) parts.push(el("p", {}, `☎ ${p.number}`));
  $("detail").replaceChildren(...parts);
  show("detail");
}

function setLang(l) {
  lang = l;
  document.documentElement.lang = l;
  document.documentElement.dir = l === "ar" ? "rtl" : "ltr";
  home();
}

$("lang").addEventListener("change", (e) => setLang(e.target.value));
$("home").addEventListener("click", home);
home();

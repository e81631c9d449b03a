// Lists of records: services and events with search and filters, alerts
// and pages. Each row says whether the user may edit it and whether a
// draft is waiting.

import { el, t, state, cat, api, pick, when, showError, field, select, checkbox } from "./lib.js";

const PAGE = 50;

function tags(it) {
  const out = [];
  if (it.status && it.status !== "active") out.push(el("span", { class: `tag status-${it.status}` }, t(`status.${it.status}`)));
  if (!it.published) out.push(el("span", { class: "tag new" }, t("common.new_record")));
  if (it.draft) out.push(el("span", { class: "tag draft", title: t("common.draft_by", { who: it.draft.author, when: when(it.draft.updated_at) }) }, t("common.draft")));
  out.push(it.editable ? el("span", { class: "tag editable" }, t("common.editable"))
    : el("span", { class: "tag locked" }, el("span", { "aria-hidden": "true" }, "🔒 "), t("common.readonly")));
  return el("span", { class: "tags" }, out);
}

function row(href, it, title, sub) {
  return el("li", { class: `item${it.editable ? "" : " locked"}`, "data-id": it.id },
    el("a", { href, class: "item-main" }, el("strong", { lang: it.name && it.name[state.lang] ? state.lang : "it" }, title || it.id), el("span", { class: "sub" }, sub)),
    tags(it));
}

// serviceList draws the services (or events) with their filters; the
// filters live in the address (#/services?q=…), so back returns to them.
export async function serviceList(view, path, params) {
  const event = path === "events";
  const f = { q: params.get("q") || "", category: params.get("category") || "", territory: params.get("territory") || "",
    status: params.get("status") || "", editable: params.get("editable") === "true", offset: Number(params.get("offset")) || 0 };
  // An editor starts from what they may change; the box unticks.
  if (state.user.role !== "admin" && ![...params.keys()].length) f.editable = true;
  const results = el("div", { class: "results", "aria-live": "polite" });
  const box = el("div", { class: "notice", hidden: true });

  const load = async () => {
    const q = new URLSearchParams({ limit: PAGE, offset: f.offset });
    for (const k of ["q", "category", "territory", "status"]) if (f[k]) q.set(k, f[k]);
    if (f.editable) q.set("editable", "true");
    const hash = new URLSearchParams();
    for (const k of ["q", "category", "territory", "status"]) if (f[k]) hash.set(k, f[k]);
    hash.set("editable", String(f.editable));
    if (f.offset) hash.set("offset", f.offset);
    history.replaceState(null, "", `#/${path}${hash.size ? `?${hash}` : ""}`);
    results.setAttribute("aria-busy", "true");
    try {
      const res = await api("GET", `/${path}?${q}`);
      const items = res.items.map((it) => row(`#/${path}/${encodeURIComponent(it.id)}`, it, pick(it.name),
        [it.id, [...new Set((it.locations || []).map((l) => l.comune || (l.no_point ? t("loc.off_map") : "")).filter(Boolean))].join(", "), (it.categories || []).map((c) => cat(`category.${c}`)).join(", ")].filter(Boolean).join(" · ")));
      const pager = el("div", { class: "pager" },
        el("span", {}, res.total ? t("common.page_of", { from: f.offset + 1, to: Math.min(f.offset + PAGE, res.total), n: res.total }) : ""),
        f.offset > 0 ? el("button", { type: "button", class: "btn secondary small", on: { click: () => { f.offset = Math.max(0, f.offset - PAGE); load(); } } }, t("common.prev")) : null,
        f.offset + PAGE < res.total ? el("button", { type: "button", class: "btn secondary small", on: { click: () => { f.offset += PAGE; load(); } } }, t("common.next")) : null);
      results.replaceChildren(items.length ? el("ul", { class: "items" }, items) : el("p", { class: "empty" }, t("list.none")), pager);
      box.hidden = true;
    } catch (err) {
      showError(err, box);
    } finally {
      results.removeAttribute("aria-busy");
    }
  };

  const apply = () => { f.offset = 0; load(); };
  const qInput = el("input", { type: "search", value: f.q, autocomplete: "off", id: "list-q", on: { input: debounce((e) => { f.q = e.target.value.trim(); apply(); }, 300) } });
  const form = el("form", { class: "filters", role: "search", on: { submit: (e) => { e.preventDefault(); f.q = qInput.value.trim(); apply(); } } },
    field(t("list.q"), qInput, { cls: "grow" }),
    event ? null : field(t("list.category"), select([["", t("common.all")], ...state.ref.categories.map((c) => [c.id, cat(`category.${c.id}`)])], f.category, (v) => { f.category = v; apply(); }, { id: "list-category" })),
    field(t("list.territory"), select([["", t("common.all")], ...state.territories.map((x) => [x.id, `${pick(x.name)}${x.mine && state.user.role !== "admin" ? " ★" : ""}`])], f.territory, (v) => { f.territory = v; apply(); }, { id: "list-territory" })),
    field(t("list.status"), select([["", t("common.all")], ...state.ref.statuses.map((s) => [s, t(`status.${s}`)]), ["draft", t("list.status.draft")]], f.status, (v) => { f.status = v; apply(); }, { id: "list-status" })),
    checkbox(t("list.editable_only"), f.editable, (v) => { f.editable = v; apply(); }, { id: "list-editable" }),
    el("button", { type: "submit", class: "btn" }, t("common.search")));

  view.append(
    el("div", { class: "list-head" },
      el("h1", {}, t(event ? "list.events" : "list.services")),
      el("a", { class: "btn", href: `#/${path}/+new` }, `+ ${t(event ? "list.new_event" : "list.new_service")}`)),
    form, box, results);
  await load();
}

function debounce(fn, ms) {
  let timer = null;
  return (...args) => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
}

// alertList draws the alerts, newest first.
export async function alertList(view) {
  const res = await api("GET", "/alerts?limit=500");
  const target = (it) => it.target_kind === "all" ? t("alerts.target.all")
    : it.target_kind === "territory" ? `${t("alerts.territory")}: ${pick((state.territories.find((x) => x.id === it.target) || { name: { it: it.target } }).name)}`
      : `${t("alerts.totems")}: ${it.target}`;
  view.append(
    el("div", { class: "list-head" }, el("h1", {}, t("alerts.title")), el("a", { class: "btn", href: "#/alerts/+new" }, `+ ${t("alerts.new")}`)),
    res.items.length ? el("ul", { class: "items" }, res.items.map((it) => row(`#/alerts/${encodeURIComponent(it.id)}`, it, pick(it.name),
      [it.id, t("alerts.window", { from: when(it.starts_at), to: when(it.ends_at) }), target(it)].join(" · ")))) : el("p", { class: "empty" }, t("alerts.none")));
}

// pageList draws the information pages in their order.
export async function pageList(view) {
  const res = await api("GET", "/pages?limit=500");
  view.append(
    el("div", { class: "list-head" }, el("h1", {}, t("pages.title")),
      state.user.role === "admin" ? el("a", { class: "btn", href: "#/pages/+new" }, `+ ${t("pages.new")}`) : null),
    res.items.length ? el("ul", { class: "items" }, res.items.map((it) => row(`#/pages/${encodeURIComponent(it.id)}`, it, pick(it.name),
      `${it.id} · ${t("pages.position")}: ${it.position ?? ""}`))) : el("p", { class: "empty" }, t("pages.none")));
}

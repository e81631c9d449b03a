// Translation coverage: for each language of the screens and each
// territory the account sees, the share of published services that have
// every text in that language and how many have a translation older than
// the Italian; then, per language, the services visitors opened most on
// the totems that still lack it, to translate first.

import { el, t, state, api, pick, langName, field, select } from "./lib.js";

function territoryName(id) {
  if (!id) return t("coverage.all");
  const x = state.territories.find((tr) => tr.id === id);
  return x ? pick(x.name) : id;
}

// level sorts a share into three bands, for the cell's colour (the
// number is always written too).
const level = (share) => (share >= 0.999 ? "full" : share >= 0.5 ? "part" : "low");

function table(res) {
  const head = el("tr", {}, el("th", { scope: "col" }, t("coverage.territory")), el("th", { scope: "col" }, t("coverage.services")),
    res.languages.map((l) => el("th", { scope: "col", "data-lang": l }, el("abbr", { title: langName(l) }, l))));
  const rows = res.rows.map((r) => el("tr", { "data-territory": r.territory },
    el("th", { scope: "row" }, territoryName(r.territory)),
    el("td", { class: "num" }, r.services.toLocaleString(state.lang)),
    res.languages.map((l) => {
      const c = r.languages[l];
      const pct = Math.floor(c.share * 100);
      return el("td", { class: `cov ${level(c.share)}`, "data-lang": l, title: t("coverage.cell", { lang: langName(l), complete: c.complete, total: r.services }) },
        el("span", { class: "pct" }, `${pct}%`),
        c.outdated ? el("span", { class: "outdated" }, t("coverage.outdated", { n: c.outdated })) : null);
    })));
  return el("div", { class: "table-scroll", tabIndex: 0, role: "region", "aria-label": t("coverage.table") },
    el("table", { class: "grid coverage-table" }, el("caption", {}, t("coverage.table")), el("thead", {}, head), el("tbody", {}, rows)));
}

function missingList(res, lang) {
  const list = res.missing[lang] || [];
  if (!list.length) return el("p", { class: "empty" }, t("coverage.none_missing", { lang: langName(lang) }));
  return el("ol", { class: "missing-list" }, list.map((m) => el("li", { "data-id": m.id },
    el("a", { href: `#/${m.event ? "events" : "services"}/${encodeURIComponent(m.id)}` }, pick(m.name) || m.id),
    el("span", { class: "sub" }, ` · ${t("coverage.views", { n: m.views })}`))));
}

export async function coverageScreen(view, q) {
  const res = await api("GET", "/coverage");
  const firstGap = res.languages.find((l) => (res.missing[l] || []).length) || res.languages[res.languages.length - 1];
  const chosen = res.languages.includes(q.get("lang")) ? q.get("lang") : firstGap;
  const out = el("div", { id: "coverage-missing", "aria-live": "polite" }, missingList(res, chosen));
  const lang = select(res.languages.map((l) => [l, `${langName(l)} (${l})`]), chosen, (v) => {
    history.replaceState(null, "", `#/coverage?lang=${v}`);
    out.replaceChildren(missingList(res, v));
  }, { id: "coverage-lang" });
  view.append(el("h1", { tabIndex: -1 }, t("coverage.title")), el("p", {}, t("coverage.intro")), table(res),
    el("h2", {}, t("coverage.missing_title", { n: res.top })),
    el("p", { class: "hint" }, t("coverage.missing_hint", { days: res.days, from: res.from, to: res.to })),
    el("div", { class: "panel row-fields" }, field(t("coverage.lang"), lang, { path: "lang" })), out);
}

// The needs figures: what visitors look for on the totems, counted
// anonymously per hour, over time and split by territory, totem,
// language, category or service, with a CSV export in which every small
// count is hidden. Charts are drawn by uPlot (vendored from npm).

import { el, t, state, api, pick, cat, showError, field, select, asset } from "./lib.js";

let uplotLoading = null;

function loadUPlot() {
  if (window.uPlot) return Promise.resolve();
  if (!uplotLoading) {
    uplotLoading = new Promise((resolve, reject) => {
      document.head.append(el("link", { rel: "stylesheet", href: asset("vendor/uplot/uPlot.min.css") }));
      document.head.append(el("script", { src: asset("vendor/uplot/uPlot.iife.min.js"), onload: resolve, onerror: reject }));
    });
  }
  return uplotLoading;
}

const palette = ["#0b4f8a", "#b3541e", "#11612a", "#7a2e8c", "#8a6d0b", "#1f7a7a", "#a3243b", "#4a4a4a"];
const events = ["visit", "language", "category", "service", "qr", "search_empty"];

function isoDay(d) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(d);
}

export async function needsScreen(view, q) {
  const box = el("div", { class: "notice", hidden: true });
  const today = new Date();
  const params = {
    from: q.get("from") || isoDay(new Date(today.getTime() - 6 * 86400000)),
    to: q.get("to") || isoDay(today),
    by: q.get("by") || "territory",
    bucket: q.get("bucket") || "day",
    event: q.get("event") || "visit",
    territory: q.get("territory") || "",
  };
  const from = el("input", { type: "date", value: params.from, id: "needs-from" });
  const to = el("input", { type: "date", value: params.to, id: "needs-to" });
  const by = select(["territory", "totem", "language", "category", "service", "all"].map((k) => [k, t(`needs.by.${k}`)]), params.by, () => {}, { id: "needs-by" });
  const bucket = select([["day", t("needs.bucket.day")], ["hour", t("needs.bucket.hour")]], params.bucket, () => {}, { id: "needs-bucket" });
  const event = select(events.map((k) => [k, t(`needs.event.${k}`)]), params.event, () => {}, { id: "needs-event" });
  const terr = select([["", t("fleet.all_territories")], ...state.territories.map((x) => [x.id, pick(x.name)])], params.territory, () => {}, { id: "needs-territory" });
  const totals = el("div", { class: "needs-totals" });
  const chartBox = el("div", { class: "needs-chart", role: "img" });
  const tableBox = el("div");
  const csv = el("a", { class: "btn secondary", id: "needs-csv", download: "" }, t("needs.csv"));
  let plot = null;

  const query = () => {
    const p = new URLSearchParams({ from: from.value, to: to.value, by: by.value, bucket: bucket.value, event: event.value });
    if (terr.value) p.set("territory", terr.value);
    return p;
  };

  const label = (res, key) => {
    switch (res.by) {
      case "territory": return key ? pick((state.territories.find((x) => x.id === key) || { name: { it: key } }).name) : t("needs.no_territory");
      case "totem": return res.totems[key] || key;
      case "language": return new Intl.DisplayNames([state.lang], { type: "language" }).of(key) || key;
      case "category": return cat(`category.${key}`);
      case "all": return t("needs.all");
      default: return key;
    }
  };

  const drawChart = async (res) => {
    if (plot) plot.destroy();
    plot = null;
    const series = res.series.slice(0, palette.length);
    chartBox.setAttribute("aria-label", `${t("needs.chart")}: ${t(`needs.event.${res.event}`)}`);
    if (!series.length) {
      chartBox.replaceChildren(el("p", { class: "empty" }, t("needs.none")));
      return;
    }
    chartBox.replaceChildren();
    await loadUPlot();
    if (!chartBox.isConnected) return;
    const xs = res.buckets.map((b) => Date.parse(b) / 1000);
    const width = Math.max(240, (chartBox.clientWidth || 800) - 16);
    plot = new window.uPlot({
      width, height: 280, tzDate: (ts) => window.uPlot.tzDate(new Date(ts * 1e3), "Europe/Rome"),
      scales: { x: { time: true } },
      axes: [{}, { label: t(`needs.event.${res.event}`) }],
      series: [{}, ...series.map((s, i) => ({ label: label(res, s.key), stroke: palette[i], width: 2, points: { show: res.buckets.length < 60 } }))],
    }, [xs, ...series.map((s) => s.counts)], chartBox);
  };

  const draw = async () => {
    const p = query();
    csv.href = `/editor/api/needs.csv?${p}`;
    const res = await api("GET", `/needs?${p}`);
    totals.replaceChildren(...events.map((e) => el("div", { class: "total-card", "data-event": e },
      el("span", { class: "n" }, (res.totals[e] || 0).toLocaleString(state.lang)), el("span", {}, t(`needs.event.${e}`)))));
    tableBox.replaceChildren(res.series.length ? el("table", { class: "grid needs-table" },
      el("caption", {}, `${t("needs.table")}: ${t(`needs.event.${res.event}`)}`),
      el("thead", {}, el("tr", {}, el("th", { scope: "col" }, t("needs.key")), el("th", { scope: "col" }, t("needs.total")))),
      el("tbody", {}, res.series.map((s) => el("tr", { "data-key": s.key }, el("th", { scope: "row" }, label(res, s.key)), el("td", {}, String(s.total))))))
      : el("p", { class: "empty" }, t("needs.none")));
    event.disabled = ["language", "category", "service"].includes(by.value);
    await drawChart(res);
  };

  const form = el("form", { class: "panel needs-form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    history.replaceState(null, "", `#/needs?${query()}`);
    try {
      box.hidden = true;
      await draw();
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("div", { class: "row-fields" },
    field(t("needs.from"), from, { path: "from" }), field(t("needs.to"), to, { path: "to" }),
    field(t("needs.by"), by, { path: "by" }), field(t("needs.event"), event, { path: "event" }),
    field(t("needs.bucket"), bucket, { path: "bucket" }), field(t("fleet.territory"), terr, { path: "territory" })),
  el("div", { class: "row-actions" }, el("button", { type: "submit", class: "btn" }, t("needs.show")), csv));

  view.append(el("h1", { tabIndex: -1 }, t("needs.title")), el("p", {}, t("needs.intro")), box, form, totals,
    el("h2", {}, t("needs.chart")), chartBox, tableBox);
  try {
    await draw();
  } catch (err) {
    showError(err, box, form);
  }
  view.cleanup = () => { if (plot) plot.destroy(); };
}

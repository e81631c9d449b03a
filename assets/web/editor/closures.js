// Closure mode: one action closes a territory's in-person desks for a
// range of dates and brings its phone desks forward; every totem
// standing in it opens on a phone-first screen. Ending it restores the
// screens. Both go out at once through the feed, and into the audit log.

import { el, t, state, api, showError, notice, field, select, pick, clearFieldErrors } from "./lib.js";

export async function closuresScreen(view) {
  const box = el("div", { class: "notice", hidden: true });
  let data = await api("GET", "/closures");
  const mine = state.territories.filter((x) => x.mine);
  const territory = select(mine.map((x) => [x.id, `${pick(x.name)} (${x.id})`]), mine.length ? mine[0].id : "", () => {}, { id: "cl-territory" });
  const starts = el("input", { type: "date", id: "cl-starts", required: true, value: data.today });
  const ends = el("input", { type: "date", id: "cl-ends", required: true, value: data.today });
  const form = el("form", { id: "cl-form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    try {
      await api("POST", "/closures", { territory: territory.value, starts_on: starts.value, ends_on: ends.value });
      notice(box, t("closure.started", { territory: territory.selectedOptions[0] ? territory.selectedOptions[0].textContent : territory.value }));
      data = await api("GET", "/closures");
      draw();
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("p", { class: "hint" }, t("closure.hint")),
  el("div", { class: "row-fields" },
    field(t("closure.territory"), territory, { path: "territory" }),
    field(t("closure.starts_on"), starts, { path: "starts_on" }),
    field(t("closure.ends_on"), ends, { path: "ends_on", hint: t("closure.ends_hint") })),
  el("button", { type: "submit", class: "btn secondary danger", disabled: mine.length === 0 }, t("closure.start")));

  const list = el("div", { id: "cl-list" });
  function draw() {
    if (!data.closures.length) {
      list.replaceChildren(el("p", {}, t("closure.none")));
      return;
    }
    list.replaceChildren(el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, [t("closure.territory"), t("closure.starts_on"), t("closure.ends_on"), t("closure.state"), t("closure.actions")].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, data.closures.map((c) => el("tr", { "data-closure": c.id },
        el("th", { scope: "row" }, `${pick(c.territory_name) || c.territory} (${c.territory})`),
        el("td", {}, c.starts_on),
        el("td", {}, c.ends_on),
        el("td", {}, c.in_force ? el("strong", {}, t("closure.in_force")) : c.ends_on < data.today ? t("closure.past") : t("closure.planned")),
        el("td", {}, c.mine ? el("button", { type: "button", class: "btn secondary small", "aria-label": t("closure.end_named", { territory: pick(c.territory_name) || c.territory }),
          on: { click: () => end(c) } }, t("closure.end")) : ""))))));
  }
  async function end(c) {
    try {
      await api("DELETE", `/closures/${encodeURIComponent(c.id)}`);
      notice(box, t("closure.ended", { territory: pick(c.territory_name) || c.territory }));
      data = await api("GET", "/closures");
      draw();
    } catch (err) {
      showError(err, box);
    }
  }
  view.append(el("h1", {}, t("closure.title")), el("p", { class: "lead" }, t("closure.lead")), box,
    el("h2", {}, t("closure.new")), form, el("h2", {}, t("closure.list")), list);
  draw();
}

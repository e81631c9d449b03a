// The search screen: a box (typed on the totem's own keyboard,
// keyboard.js) and the first results as they come.

import { el } from "../lib/toolkit.js";
import { state, kiosk, screens, show, api, t, fb, wayLine } from "../core.js";
import { matched, didYouMean } from "./found.js";

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
      const retype = (text) => {
        input.value = text;
        run();
      };
      if (data.results.length === 0) {
        out.replaceChildren(el("p", { class: "empty" }, t("ui.search_none")), didYouMean(data, retype) || "");
        return;
      }
      out.replaceChildren(matched(data) || "", el("ul", {}, data.results.map((r) => el("li", {},
        el("button", { type: "button", class: "row", "data-id": r.id, on: { click: () => show("detail", r.id) } },
          el("span", { class: "body" }, fb.text("strong", {}, r.name), el("span", { class: "way" }, wayLine(r))))))));
    } catch {
      if (mine === seq) out.replaceChildren(el("p", { class: "empty" }, t("ui.search_none")));
    }
  };
  input.addEventListener("input", run);
  const form = el("form", { role: "search", on: { submit: (e) => { e.preventDefault(); if (input.value.trim()) show("results", { q: input.value.trim(), title: input.value.trim() }); } } },
    input, el("button", { type: "submit", class: "go" }, t("ui.search")));
  view.head.append(el("h1", {}, t("ui.search")));
  view.append(form, out);
  if (text) run();
  input.focus();
  if (kiosk) {
    // The on-screen keyboard, docked at the bottom; its code loads on the
    // totem only.
    // On a narrow screen the keys sit between the box and the results, so
    // that results arriving never move a key under a finger.
    const pad = el("div", { class: "pad" });
    view.insertBefore(pad, out);
    import("../keyboard.js")
      .then((m) => m.keyboard(pad, input, { lang: state.lang, t, changed: run, submit: () => form.requestSubmit() }))
      .catch((err) => { console.error(err); pad.remove(); });
  }
};

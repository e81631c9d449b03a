// Call-backs: visitors who left a number at a totem or on a phone to be
// called back in their language. A coordinator sees those of their
// territories, a mediator those of their languages; once called back, the
// request is deleted.

import { el, t, api, notice, showError, langName } from "./lib.js";
import { territoryName, cell } from "./mediation.js";

export async function callbacksScreen(view) {
  const box = el("div", { class: "notice", hidden: true });
  const list = el("div");
  const draw = async () => {
    const res = await api("GET", "/callbacks");
    if (!res.callbacks.length) {
      list.replaceChildren(el("p", { class: "empty" }, t("cb.none")));
      return;
    }
    const heads = [t("cb.number"), t("med.language"), t("med.topic"), t("med.territory"), t("cb.asked"), t("common.actions")];
    list.replaceChildren(el("table", { class: "grid stack", id: "cb-list" },
      el("caption", { class: "sr" }, t("cb.title")),
      el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, res.callbacks.map((c) => el("tr", { "data-id": c.id },
        cell(heads[0], el("a", { href: `tel:${c.number}`, dir: "ltr" }, c.number)),
        cell(heads[1], `${langName(c.language)} (${c.language})`),
        cell(heads[2], t(`med.topic.${c.topic}`)),
        cell(heads[3], territoryName(c.territory)),
        cell(heads[4], new Date(c.created_at).toLocaleString()),
        cell(heads[5], el("button", { type: "button", class: "btn small", on: { click: async () => {
          try {
            await api("POST", `/callbacks/${c.id}/done`, {});
            notice(box, t("cb.deleted"));
            await draw();
          } catch (err) {
            showError(err, box);
          }
        } } }, t("cb.done"))))))));
  };
  view.append(el("h1", {}, t("cb.title")), el("p", { class: "hint" }, t("cb.intro")), box, list);
  await draw();
}

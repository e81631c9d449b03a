// "Talk to someone in your language": under every list of services and
// on the no-result screen of a phone reaching the portal, a visitor leaves
// a phone number and a topic (pictograms) and a mediator of their
// language calls back; above the form, who is on call in their language
// where they are, and the phone desks (talk.js's reachNotes). Loaded on
// the portal only: a totem has talk.js. The number is sent once and kept
// nowhere here.

import { el, request } from "./lib/toolkit.js";
import { reachNotes } from "./talk.js";

// The topics of a call-back, each shown with its category's pictogram.
const topics = [["health", "health"], ["school", "school"], ["legal", "legal"], ["social", "family"], ["housing", "housing"], ["work", "work"]];

// talkToSomeone appends the offer to view: a button that opens the form.
// origin is where the visitor is (the territory's coordinators call
// back); lang their language; t the node's words; icons the categories
// (id → {icon_url, name}).
export async function talkToSomeone(view, { origin, lang, t, categories }) {
  const where = `lat=${origin.lat}&lon=${origin.lon}&lang=${encodeURIComponent(lang)}`;
  const at = await request(`/api/v1/territories/at?${where}`).catch(() => null);
  const territory = at && at.territories.length ? at.territories[0].id : "";
  if (!territory || !view.isConnected) return;
  const box = el("section", { class: "callback", id: "callback", "aria-labelledby": "callback-h" });
  const open = el("button", { type: "button", class: "secondary talk", id: "talk", "aria-expanded": "false", on: { click: async () => {
    open.setAttribute("aria-expanded", "true");
    open.hidden = true;
    // Who is on call is said when the portal knows (its mediation on).
    const info = await request(`/api/v1/talk?${where}`).catch(() => null);
    if (info && info.online) box.append(el("div", { class: "talk-panel" }, ...reachNotes(info, { lang, t })));
    box.append(form(territory, lang, t, categories));
    box.querySelector("#callback-number").focus();
  } } }, t("ui.talk"));
  box.append(el("h2", { id: "callback-h", class: "sr" }, t("ui.talk")), open);
  view.append(box);
}

function form(territory, lang, t, categories) {
  const number = el("input", { type: "tel", id: "callback-number", autocomplete: "tel", inputMode: "tel", dir: "ltr", maxLength: 25, required: true });
  let topic = "";
  const status = el("p", { class: "callback-status", role: "status", "aria-live": "polite" });
  const choices = el("div", { class: "topics" }, topics.map(([id, category]) => {
    const c = categories[category] || {};
    return el("label", { class: "topic" },
      el("input", { type: "radio", name: "callback-topic", value: id, on: { change: () => { topic = id; } } }),
      c.icon_url ? el("img", { src: c.icon_url, alt: "", width: 40, height: 40 }) : null,
      el("span", { lang: c.lang }, c.name || id));
  }));
  const f = el("form", { novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    if (!topic) {
      status.textContent = t("ui.callback_topic");
      return;
    }
    send.disabled = true;
    try {
      await request("/callback/v1/requests", { method: "POST", body: { number: number.value, language: lang, topic, territory } });
      number.value = "";
      f.replaceChildren(el("p", { class: "callback-done", role: "status" }, t("ui.callback_sent")));
    } catch (err) {
      send.disabled = false;
      status.textContent = err.status === 429 ? t("ui.callback_limit") : err.status === 400 ? t("ui.callback_bad_number") : t("ui.error");
      if (err.status === 400) number.setAttribute("aria-invalid", "true");
    }
  } } },
  el("p", {}, t("ui.callback_intro")),
  el("label", { for: "callback-number" }, t("ui.callback_number")), number,
  el("fieldset", {}, el("legend", {}, t("ui.callback_topic")), choices),
  el("p", { class: "hint" }, t("ui.callback_privacy")), status);
  const send = el("button", { type: "submit", id: "callback-send" }, t("ui.callback_send"));
  f.append(send);
  return f;
}

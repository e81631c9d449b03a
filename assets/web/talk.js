// "Talk to someone in your language" on a totem: under every list of
// services and on the no-result screen. It shows who is reachable for the
// visitor's language — the mediators' on-call hours, which the totem asks
// its portal for, and the phone desks of the catalog — in the visitor's
// words and digits. When someone is reachable the visitor types a phone
// number on the keypad, chooses a language and a topic (pictograms) and
// sends: the totem forwards it to its portal and answers once it is
// queued. Offline, the screen says the service can't be reached now and
// shows the desks' numbers. The number lives in this form only, and goes
// with the screen (idle.js redraws it).

import { el, request } from "./lib/toolkit.js";
import { digits } from "./lib/format.js";
import { openLine } from "./core.js";

// The topics of a call-back, each with its category's pictogram.
const pictograms = { health: "health", school: "school", legal: "legal", social: "family", housing: "housing", work: "work" };
const KEYS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "+", "0", "del"];
const MAX_DIGITS = 15;

// weekday names day (1 Monday … 7 Sunday) in lang.
function weekday(day, lang) {
  return new Intl.DateTimeFormat(lang, { weekday: "long", timeZone: "UTC" }).format(new Date(Date.UTC(2024, 0, day)));
}

// languageName names a language in lang: the screens' own names first.
function languageName(tag, lang, languages) {
  const own = languages.find((l) => l.tag === tag);
  if (own) return own.name;
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(tag) || tag;
  } catch {
    return tag;
  }
}

// talkHere appends the offer to view: a button that opens what is
// reachable and the call-back form. t is the node's words, languages the
// screens' languages, categories id → {icon_url, name, lang}.
export function talkHere(view, { lang, t, api, languages, categories }) {
  const box = el("section", { class: "callback talk-box", id: "callback", "aria-labelledby": "callback-h" });
  const open = el("button", { type: "button", class: "secondary talk", id: "talk", "aria-expanded": "false", on: { click: async () => {
    open.disabled = true;
    const info = await api("talk").catch(() => ({ online: false, languages: [], desks: [] }));
    if (!box.isConnected) return;
    open.setAttribute("aria-expanded", "true");
    open.hidden = true;
    box.append(panel(info, { lang, t, languages, categories }));
    const first = box.querySelector(".keypad button, .desks a, .desks li");
    if (first && first.focus) first.focus();
  } } }, t("ui.talk"));
  box.append(el("h2", { id: "callback-h", class: "sr" }, t("ui.talk")), open);
  view.append(box);
}

function panel(info, { lang, t, languages, categories }) {
  const out = el("div", { class: "talk-panel", "data-online": String(info.online) }, ...reachNotes(info, { lang, t }));
  if (info.online && info.languages.length) out.append(form(info, { lang, t, languages, categories }));
  return out;
}

// deskOpen says whether a phone desk answers now (a line open round the
// clock has no closing time to tell).
function deskOpen(open, t) {
  return open.open && !open.closes_at ? el("span", { class: "open" }, `● ${t("ui.open_now")}`) : openLine(open);
}

// reachNotes says who is reachable (an answer of /api/v1/talk) in lang:
// the on-call hours of lang, in its words and digits, or that nobody is
// on call in it, or (offline) that the service can't be reached now; then
// the phone desks. callback.js shows the same on a phone.
export function reachNotes(info, { lang, t }) {
  const out = [];
  const mine = info.languages.find((l) => l.language === lang);
  if (!info.online) {
    out.push(el("p", { class: "talk-offline", role: "status" }, t("ui.talk_offline")));
  } else if (mine) {
    out.push(el("p", { class: "talk-now" }, t(mine.now ? "ui.talk_now" : "ui.talk_hours")),
      el("ul", { class: "talk-hours" }, mine.hours.map((h) =>
        el("li", {}, `${weekday(h.weekday, lang)} `, el("bdi", { dir: "ltr" }, `${digits(h.from, lang)}–${digits(h.to, lang)}`)))));
  } else {
    out.push(el("p", { class: "talk-none" }, t("ui.talk_none")));
  }
  if (info.desks.length) {
    out.push(el("h3", {}, t("ui.talk_desks")), el("ul", { class: "desks" }, info.desks.map((d) =>
      el("li", { "data-id": d.id }, el("strong", { lang: d.name.lang }, d.name.text), " ",
        ...d.phones.map((p) => el("span", { class: "desk-phone" }, el("bdi", { dir: "ltr", class: "phone" }, p.number),
          p.open ? el("span", { class: "desk-open" }, " ", deskOpen(p.open, t)) : null))))));
  }
  return out;
}

function form(info, { lang, t, languages, categories }) {
  let typed = "";
  let topic = "";
  let chosen = info.languages.some((l) => l.language === lang) ? lang : info.languages[0].language;
  const number = el("output", { id: "callback-number", class: "typed", dir: "ltr", "aria-live": "polite", "aria-labelledby": "callback-number-l" });
  const status = el("p", { class: "callback-status", role: "status", "aria-live": "polite" });
  const type = (key) => {
    if (key === "del") typed = typed.slice(0, -1);
    else if (key === "+") typed = typed ? typed : "+";
    else if (typed.replace("+", "").length < MAX_DIGITS) typed += key;
    number.textContent = typed;
    number.removeAttribute("aria-invalid");
  };
  const keypad = el("div", { class: "keypad", role: "group", "aria-labelledby": "callback-number-l" }, KEYS.map((k) =>
    el("button", { type: "button", class: "key", "data-key": k, "aria-label": k === "del" ? t("ui.callback_delete") : k,
      on: { click: () => type(k) } }, k === "del" ? "⌫" : k === "+" ? "+" : digits(k, lang))));
  const langs = el("div", { class: "topics langs" }, info.languages.map((l) =>
    el("label", { class: "topic" },
      el("input", { type: "radio", name: "callback-language", value: l.language, checked: l.language === chosen, on: { change: () => { chosen = l.language; } } }),
      el("span", { lang: l.language }, languageName(l.language, lang, languages)))));
  const topics = el("div", { class: "topics" }, info.topics.map((id) => {
    const c = categories[pictograms[id]] || {};
    return el("label", { class: "topic" },
      el("input", { type: "radio", name: "callback-topic", value: id, on: { change: () => { topic = id; } } }),
      c.icon_url ? el("img", { src: c.icon_url, alt: "", width: 40, height: 40 }) : null,
      el("span", { lang: c.lang }, c.name || id));
  }));
  const send = el("button", { type: "submit", id: "callback-send" }, t("ui.callback_send"));
  const f = el("form", { class: "callback-form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    if (!topic) {
      status.textContent = t("ui.callback_topic");
      return;
    }
    send.disabled = true;
    try {
      await request("/api/v1/callback", { method: "POST", body: { number: typed, language: chosen, topic } });
      typed = "";
      f.replaceChildren(el("p", { class: "callback-done", role: "status" }, t("ui.callback_sent")));
    } catch (err) {
      send.disabled = false;
      const busy = err.status === 429 && err.code === "totem_busy";
      status.textContent = busy ? t("ui.callback_busy") : err.status === 429 ? t("ui.callback_limit")
        : err.status === 400 && err.field === "number" ? t("ui.callback_bad_number")
          : err.status === 503 ? t("ui.talk_offline") : t("ui.error");
      if (err.field === "number") number.setAttribute("aria-invalid", "true");
    }
  } } },
  el("p", {}, t("ui.callback_intro")),
  el("p", { id: "callback-number-l", class: "label" }, t("ui.callback_number")), number, keypad,
  el("fieldset", {}, el("legend", {}, t("ui.callback_language")), langs),
  el("fieldset", {}, el("legend", {}, t("ui.callback_topic")), topics),
  el("p", { class: "hint" }, t("ui.callback_privacy")), status, send);
  return f;
}

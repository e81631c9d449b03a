// The preview of a service draft as a totem will show it: the server
// renders the draft as the public API would (GET …/drafts/service/{id}/view),
// and this draws it with the public UI's own stylesheet and words, inside
// a shadow root so neither stylesheet leaks into the other.

import { el, t, state, api, dialog, notice, showError, publicAPI, langName, rtl, asset } from "./lib.js";
import { format } from "../lib/toolkit.js";

const uiCache = {};

async function publicWords(lang) {
  if (!uiCache[lang]) uiCache[lang] = publicAPI(`ui?lang=${encodeURIComponent(lang)}`);
  return uiCache[lang];
}

// words gives pt, which renders a message of the public UI in lang as
// the public app does (the toolkit's ICU format).
function words(ui, lang) {
  return (id, vars = {}) => {
    const m = ui.messages[id];
    return typeof m === "string" ? format(m, vars, lang) : id;
  };
}

function clock(iso, lang) {
  return new Date(iso).toLocaleTimeString(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/Rome" });
}

const romeDate = (d) => new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(d);

// detail builds the public detail page of s (a content.ServiceView), the
// same elements and classes as the public app's detail screen.
function detail(s, lang, pt) {
  const loc = s.locations[0];
  const section = (titleID, ...content) => el("section", {}, el("h2", {}, pt(titleID)), ...content);
  const localized = (tag, l, props = {}) => el(tag, { lang: l.lang, dir: l.lang === lang ? null : "auto", ...props }, l.text);
  const parts = [localized("h1", s.name, { id: "pv-name" })];
  if (s.organization) parts.push(localized("p", s.organization.name, { class: "org" }));
  parts.push(el("p", { class: "status" }, openLine(s, lang, pt), s.by_appointment ? ` · ${pt("ui.by_appointment")}` : ""));
  if (s.description) parts.push(localized("p", s.description));
  if (loc) {
    const way = loc.distance_m > 0 ? el("p", { class: "way" }, `${loc.distance_m.toLocaleString(lang)} m · ${pt("walk.minutes", { count: loc.walking_minutes })} · ${pt(`direction.${loc.direction}`)}`) : null;
    parts.push(section("ui.address", el("p", {}, [loc.address, loc.comune].filter(Boolean).join(", ")), way));
  }
  parts.push(section("ui.hours", hoursTable(s.hours, lang, pt)));
  if (s.phones.length) parts.push(section("ui.phone", el("ul", {}, s.phones.map((p) => el("li", {}, el("bdi", { dir: "ltr" }, p.number),
    p.description ? el("span", { lang: p.description.lang }, ` · ${p.description.text}`) : "")))));
  if (s.languages.length) parts.push(section("ui.languages_spoken", el("p", {}, s.languages.map((l) => nameIn(l, lang)).join(" · "))));
  if (s.documents.length) parts.push(section("ui.what_to_bring", el("ul", {}, s.documents.map((d) => localized("li", d)))));
  if (s.eligibility) parts.push(section("ui.who_can_use", localized("p", s.eligibility)));
  if (s.fees) parts.push(section("ui.cost", localized("p", s.fees)));
  if (loc && (loc.wheelchair || loc.accessibility)) {
    parts.push(section("ui.accessibility", loc.wheelchair ? el("p", {}, `♿ ${pt("ui.step_free")}`) : "",
      loc.accessibility ? localized("p", loc.accessibility) : ""));
  }
  if (s.url) parts.push(section("ui.website", el("p", { dir: "ltr" }, s.url)));
  return el("article", { class: "detail" }, parts);
}

function nameIn(tag, lang) {
  try {
    return new Intl.DisplayNames([lang], { type: "language" }).of(tag);
  } catch {
    return tag;
  }
}

function openLine(s, lang, pt) {
  const open = s.open || {};
  if (s.status === "temporarily_closed") return el("span", { class: "closed" }, pt("ui.temporarily_closed"));
  if (open.open) return el("span", { class: "open" }, `● ${pt("ui.open_now")} · ${pt("ui.closes_at", { time: clock(open.closes_at, lang) })}`);
  if (open.opens_at) {
    const at = new Date(open.opens_at);
    const today = romeDate(new Date()) === romeDate(at);
    const tomorrow = romeDate(new Date(Date.now() + 86400000)) === romeDate(at);
    const wd = ((at.getUTCDay() + 6) % 7) + 1;
    const day = today ? pt("ui.today").toLowerCase() : tomorrow ? pt("ui.tomorrow") : pt(`weekday.${wd}`);
    return el("span", { class: "closed" }, `○ ${pt("ui.closed")} · ${pt("ui.opens_at", { day, time: clock(open.opens_at, lang) })}`);
  }
  return el("span", { class: "closed" }, `○ ${pt("ui.closed")}`);
}

function hoursTable(hours, lang, pt) {
  const today = romeDate(new Date());
  const rows = hours.days.map((d) => {
    const slots = d.slots.length ? d.slots.map((x) => `${x.opens}–${x.closes}`).join(", ") : pt("ui.closed");
    return el("tr", { class: d.date === today ? "today" : "" },
      el("th", { scope: "row" }, pt(`weekday.${d.weekday}`), d.date === today ? ` (${pt("ui.today")})` : ""),
      el("td", { dir: "ltr" }, slots),
      el("td", {}, d.holiday ? pt("ui.holiday", { name: pt(`holiday.${d.holiday}`) }) : ""));
  });
  return el("table", { class: "hours" }, el("tbody", {}, rows));
}

// openPreview shows the saved draft of service id in a dialog, in any of
// the 15 languages; without a draft (published), what totems show now.
export async function openPreview(id, published = false) {
  const host = el("div", { class: "preview-host", id: "preview-host" });
  const root = host.attachShadow({ mode: "open" });
  const box = el("div", { class: "notice", hidden: true });
  let lang = "it";
  const langSelect = el("select", { id: "preview-lang", on: { change: (e) => { lang = e.target.value; draw(); } } },
    state.ref.languages.map((l) => el("option", { value: l, lang: l }, `${langName(l)} (${l})`)));
  const draw = async () => {
    try {
      const [view, ui] = await Promise.all([
        published ? publicAPI(`services/${encodeURIComponent(id)}?lang=${encodeURIComponent(lang)}`)
          : api("GET", `/drafts/service/${encodeURIComponent(id)}/view?lang=${encodeURIComponent(lang)}`),
        publicWords(lang),
      ]);
      const pt = words(ui, lang);
      const screen = el("div", { class: "screen", lang, dir: rtl(lang) ? "rtl" : "ltr" },
        el("header", { id: "bar", "aria-hidden": "true" },
          el("span", { class: "nav fake" }, `← ${pt("ui.back")}`), el("span", { class: "nav fake" }, pt("ui.home"))),
        el("main", {}, el("div", { class: "page" }, detail(view.service, lang, pt))));
      root.replaceChildren(
        el("link", { rel: "stylesheet", href: asset("style.css") }),
        el("link", { rel: "stylesheet", href: asset("editor/preview.css") }),
        screen);
      box.hidden = true;
    } catch (err) {
      root.replaceChildren();
      if (err.status === 404) notice(box, t("preview.withdrawn"), "warn");
      else showError(err, box);
    }
  };
  const d = dialog(t("preview.title"),
    el("div", { class: "preview-tools" }, el("label", { for: "preview-lang" }, t("preview.lang")), langSelect),
    el("p", { class: "hint" }, t(published ? "preview.note_published" : "preview.note")),
    box, host);
  d.classList.add("preview-dialog");
  await draw();
  return d;
}

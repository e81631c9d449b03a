// A service's page: what it is, where, when, how to reach it and what to
// bring; a QR code to take it away.

import { el, request } from "../lib/toolkit.js";
import * as fmt from "../lib/format.js";
import { state, env, kiosk, screens, api, t, fb, tally, withNumbers, wayLine, openLine, measuredFrom } from "../core.js";

screens.detail = async (view, id) => {
  const [{ service: s, holidays }, from] = await Promise.all([api(`services/${encodeURIComponent(id)}`), kiosk ? "" : measuredFrom()]);
  const loc = s.locations[0];
  const section = (titleID, ...content) => el("section", {}, el("h2", {}, t(titleID)), ...content);
  view.head.append(fb.text("h1", {}, s.name));
  if (s.organization) view.head.append(fb.text("p", { class: "org" }, s.organization.name));
  const parts = [];
  parts.push(el("p", { class: "status" }, openLine(s.open, s.status), s.by_appointment ? ` · ${t("ui.by_appointment")}` : ""));
  if (s.closure) parts.push(el("p", { class: "closed", id: "closure-note" }, t("ui.channel_closed")));
  if (s.description) parts.push(fb.text("p", {}, s.description, withNumbers));
  if (loc && loc.no_point) {
    // Not on the map: the address as given, no way there.
    const where = [loc.address, loc.comune].filter(Boolean).join(", ");
    if (where) parts.push(section("ui.address", el("p", {}, where)));
  } else if (loc) {
    // A phone opens the address in its own maps app (a geo: URI).
    const label = encodeURIComponent(`${s.name.text}, ${loc.address}, ${loc.comune}`.replace(/[()]/g, " "));
    parts.push(section("ui.address", el("p", {}, `${loc.address}, ${loc.comune}`), el("p", { class: "way" }, wayLine(loc)),
      from ? el("p", { class: "from" }, from) : null,
      kiosk ? null : el("p", {}, el("a", { class: "maps", href: `geo:${loc.lat},${loc.lon}?q=${loc.lat},${loc.lon}(${label})` }, t("ui.open_in_maps")))));
  }
  // During closure mode the channels (phone desks first) come before the
  // service's own hours.
  const closing = s.channels.some((c) => c.closed);
  if (closing) parts.push(section("ui.channels", channelList(s.channels, holidays)));
  parts.push(section("ui.hours", hoursTable(s.hours, holidays)));
  if (s.channels.length && !closing) parts.push(section("ui.channels", channelList(s.channels, holidays)));
  if (s.phones.length) parts.push(section("ui.phone", el("ul", {}, s.phones.map((p) => el("li", {}, phone(p.number))))));
  if (s.languages.length) parts.push(section("ui.languages_spoken", el("p", {}, s.languages.map(fb.name).join(" · "))));
  if (s.documents.length) parts.push(section("ui.what_to_bring", el("ul", {}, s.documents.map((d) => fb.text("li", {}, d)))));
  if (s.eligibility) parts.push(section("ui.who_can_use", fb.text("p", {}, s.eligibility)));
  if (s.fees) parts.push(section("ui.cost", fb.text("p", {}, s.fees)));
  if (loc && (loc.wheelchair || loc.accessibility)) {
    parts.push(section("ui.accessibility", loc.wheelchair ? el("p", {}, `♿ ${t("ui.step_free")}`) : "",
      loc.accessibility ? fb.text("p", {}, loc.accessibility) : ""));
  }
  if (s.url) {
    // A totem never leaves the app: the website becomes a code to scan.
    parts.push(kiosk
      ? el("section", { class: "qr" }, el("h2", {}, t("ui.website")), el("img", { src: `/api/v1/services/${encodeURIComponent(s.id)}/website.svg`, alt: s.url, width: 180, height: 180 }), el("p", { dir: "ltr" }, s.url))
      : el("section", {}, el("h2", {}, t("ui.website")), el("p", {}, el("a", { href: s.url, rel: "noopener noreferrer", target: "_blank", dir: "ltr" }, s.url))));
  }
  // The totem's page goes away in a phone, as a code to scan; a phone
  // has it already.
  let qr = null;
  if (kiosk) {
    const deep = `/s/${encodeURIComponent(s.id)}?lang=${state.lang}${state.second ? `&second=${state.second}` : ""}`;
    qr = el("img", { id: "qr", src: `/api/v1/qr.svg?path=${encodeURIComponent(deep)}`, alt: t("ui.scan_hint"), width: 220, height: 220 });
    parts.push(el("section", { class: "qr" }, el("h2", {}, t("ui.take_with_you")), qr, el("p", {}, t("ui.scan_hint"))));
  }
  if (kiosk && env.node.printer) parts.push(printButton(s.id));
  if (s.categories.includes("events")) {
    // An event's dates as iCalendar: a code to scan on the totem, a link on a phone.
    const ics = `/api/v1/services/${encodeURIComponent(s.id)}/event.ics?lang=${state.lang}${state.second ? `&second=${state.second}` : ""}`;
    parts.push(kiosk
      ? el("section", { class: "qr" }, el("h2", {}, t("ui.add_to_calendar")),
        el("img", { id: "ics-qr", src: `/api/v1/qr.svg?path=${encodeURIComponent(ics)}`, alt: t("ui.scan_hint"), width: 220, height: 220 }), el("p", {}, t("ui.scan_hint")))
      : el("section", {}, el("h2", {}, t("ui.add_to_calendar")), el("p", {}, el("a", { id: "ics-link", href: ics, download: `${s.id}.ics` }, t("ui.add_to_calendar")))));
  }
  view.append(el("article", { class: "detail" }, parts));
  countShown(qr, view.querySelector("#ics-qr"));
};

// phone is a number to call: a tel: link on a phone; a totem cannot call.
export function phone(n) {
  return kiosk ? el("bdi", { dir: "ltr" }, n) : el("a", { href: `tel:${n.replace(/[^\d+]/g, "")}`, class: "tel" }, el("bdi", { dir: "ltr" }, n));
}

// channelList shows each way to reach the service with its own week of
// hours and languages: a desk (closed during closure mode), a phone desk,
// a video call.
function channelList(channels, holidays) {
  return el("ul", { class: "channels" }, channels.map((c) => {
    const title = [t(`ui.channel.${c.kind}`)];
    if (c.kind === "in_person" && c.address) title.push(` · ${c.address}, ${c.comune}`);
    const status = c.closed ? el("span", { class: "closed" }, `○ ${t("ui.channel_closed")}`) : openLine(c.open, "active");
    const how = [];
    if (c.phone) how.push(el("p", {}, phone(c.phone)));
    if (c.url) how.push(el("p", { dir: "ltr" }, kiosk ? c.url : el("a", { href: c.url, rel: "noopener noreferrer", target: "_blank" }, c.url)));
    return el("li", { class: `channel ${c.kind}${c.closed ? " shut" : ""}`, "data-channel": c.id, "data-kind": c.kind },
      el("h3", {}, title), el("p", { class: "status" }, status), ...how,
      c.languages.length ? el("p", {}, `${t("ui.languages_spoken")}: ${c.languages.map(fb.name).join(" · ")}`) : "",
      c.closed ? "" : hoursTable({ days: c.days }, holidays));
  }));
}

// printButton prints the service's card on the totem's printer (in the
// visitor's language and in Italian) and says how it went; the request
// carries the service and the language only.
function printButton(id) {
  const status = el("p", { id: "print-status", role: "status" });
  const button = el("button", { type: "button", id: "print", class: "go", on: { click: async () => {
    button.disabled = true;
    status.textContent = t("ui.printing");
    try {
      await request(`/api/v1/services/${encodeURIComponent(id)}/print?lang=${state.lang}${state.second ? `&second=${state.second}` : ""}`, { method: "POST" });
      status.textContent = t("ui.printed");
    } catch {
      status.textContent = t("ui.print_failed");
    } finally {
      button.disabled = false;
    }
  } } }, t("ui.print"));
  return el("section", { class: "print" }, button, status);
}

// countShown counts a QR code shown once one of the codes is on screen,
// once per page shown (a redraw does not count it again).
function countShown(...imgs) {
  const cur = state.current;
  if (!cur || cur.qrCounted || !("IntersectionObserver" in window)) return;
  const seen = new IntersectionObserver((entries) => {
    if (!entries.some((e) => e.isIntersecting) || cur.qrCounted || state.current !== cur) return;
    cur.qrCounted = true;
    seen.disconnect();
    tally("qr");
  }, { threshold: 0.6 });
  for (const img of imgs) if (img) seen.observe(img);
}

export function hoursTable(hours, holidays) {
  const today = fmt.romeDate(new Date());
  const rows = hours.days.map((d) => {
    const slots = d.slots.length ? d.slots.map((x) => `${fmt.hhmm(x.opens, state.lang)}–${fmt.hhmm(x.closes, state.lang)}`).join(", ") : t("ui.closed");
    const hol = holidays.find((h) => h.date === d.date);
    return el("tr", { class: d.date === today ? "today" : "" },
      el("th", { scope: "row" }, t(`weekday.${d.weekday}`), d.date === today ? ` (${t("ui.today")})` : ""),
      el("td", { dir: "ltr" }, slots),
      el("td", {}, hol ? t("ui.holiday", { name: hol.name.text }) : ""));
  });
  return el("table", { class: "hours" }, el("tbody", {}, rows));
}

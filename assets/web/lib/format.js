// Numbers, times, distances and directions in the visitor's language:
// every digit on a screen goes through Intl with the language's own
// numbering system (Bengali ০-৯, Persian ۰-۹, Arabic ٠-٩…) and a 24-hour
// clock, as the week's hours are written and Italy reads them.

const cache = new Map();

function cached(kind, lang, opts, make) {
  const key = `${kind} ${lang} ${JSON.stringify(opts)}`;
  if (!cache.has(key)) {
    let f;
    try {
      f = make(lang, opts);
    } catch {
      f = make("en", opts); // a tag the browser does not know
    }
    cache.set(key, f);
  }
  return cache.get(key);
}

// number writes n with lang's digits and separators.
export function number(n, lang, opts = {}) {
  return cached("n", lang, opts, (l, o) => new Intl.NumberFormat(l, o)).format(n);
}

// digits rewrites the ASCII digits of a fixed text (an "09:00" of the
// API) in lang's numbering system, keeping everything else.
export function digits(text, lang) {
  const zero = number(0, lang, { useGrouping: false });
  if (zero === "0") return text;
  const base = zero.codePointAt(0);
  return String(text).replace(/[0-9]/g, (d) => String.fromCodePoint(base + Number(d)));
}

const ROME = "Europe/Rome";

// clock is the time of day of an ISO instant in Italy, 24-hour.
export function clock(iso, lang) {
  const f = cached("t", lang, {}, (l) => new Intl.DateTimeFormat(l, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: ROME }));
  return digits(f.format(new Date(iso)), lang);
}

// hhmm writes an "HH:MM" of the API's hours in lang's digits.
export const hhmm = (s, lang) => digits(s, lang);

// day writes a calendar day (YYYY-MM-DD) as "21 December", in lang's
// words and digits, in the Gregorian calendar Italy dates things in
// (Persian would otherwise get the Solar Hijri one).
export function day(date, lang) {
  const f = cached("d", lang, {}, (l) => new Intl.DateTimeFormat(l, { day: "numeric", month: "long", timeZone: "UTC", calendar: "gregory" }));
  return digits(f.format(new Date(`${date}T12:00:00Z`)), lang);
}

// romeDate is the calendar day of d in Italy, as YYYY-MM-DD.
export function romeDate(d) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: ROME }).format(d);
}

// distance says a distance in metres: "650 m", "14.2 km".
export function distance(m, lang, t) {
  return m < 1000 ? t("ui.distance_m", { meters: number(m, lang) })
    : t("ui.distance_km", { km: number(m / 1000, lang, { maximumFractionDigits: 1 }) });
}

// WALK_MAX is the longest walk offered, in minutes: beyond it a way is
// given as its distance "by bus or car".
export const WALK_MAX = 45;

// relative turns a compass bearing into the side it lies on for someone
// looking along facing (degrees clockwise from north): ahead, right,
// behind or left, each a quarter centred on it (geo.RelativeTo says the
// same on the node).
export function relative(bearing, facing) {
  const d = (((bearing - facing) % 360) + 360) % 360;
  return ["ahead", "right", "behind", "left"][Math.floor(((d + 45) % 360) / 90) % 4];
}

// way is the line "650 m · 9 minutes on foot · west" for a result or a
// location ({distance_m, walking_minutes, bearing_deg, direction}): the
// walk only up to WALK_MAX minutes, else "by bus or car"; with facing (a
// totem that knows which way its visitors look) "to your left" rather
// than the compass point.
export function way(r, { lang, t, facing = null }) {
  const parts = [distance(r.distance_m, lang, t)];
  parts.push(r.walking_minutes <= WALK_MAX ? t("walk.minutes", { count: r.walking_minutes }) : t("ui.by_transport"));
  if (r.distance_m > 0) {
    parts.push(typeof facing === "number" ? t(`relative.${relative(r.bearing_deg, facing)}`) : t(`direction.${r.direction}`));
  }
  return parts.join(" · ");
}

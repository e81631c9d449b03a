// Punto's front-end toolkit, shared by the public app (app.js) and the
// editor (editor/*.js): DOM built from data, words, and JSON requests.
// Data reaches the page only as text nodes and attribute values, never
// as HTML.

// Props that el sets as attributes; any other is a property of the element.
const ATTRS = new Set(["role", "for", "lang", "dir", "list", "form", "inputmode", "autocomplete", "pattern", "scope"]);

// el builds an element. props are properties, except class, on (event
// handlers: {click: fn}) and aria-*, data-*, role, for, lang, dir… which
// are attributes; null and undefined props are left out, and so is a
// false aria-* or data-*. Children (nested arrays too) are elements or
// strings, which become text; null, undefined and false are skipped.
// Text in a language of its own (a lang prop without dir) keeps its own
// direction: English inside an Arabic page reads left to right.
export function el(tag, props, ...children) {
  const e = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    const attr = k.startsWith("aria-") || k.startsWith("data-");
    if (v === undefined || v === null || (v === false && attr)) continue;
    if (k === "on") for (const [ev, fn] of Object.entries(v)) e.addEventListener(ev, fn);
    else if (k === "class") e.className = v;
    else if (k === "innerHTML" || k === "outerHTML") throw new Error(`el: ${k} is never set: data goes in as text`);
    else if (attr || ATTRS.has(k)) e.setAttribute(k, v);
    else e[k] = v;
  }
  if (props && props.lang && !("dir" in props)) e.setAttribute("dir", "auto");
  for (const c of children.flat(Infinity)) if (c !== null && c !== undefined && c !== false) e.append(c);
  return e;
}

// ---- words ------------------------------------------------------------------

// Messages are ICU MessageFormat, the subset that locales/icu.go checks:
// {name} placeholders and {n, plural, =0 {…} one {# item} other {# items}}
// with the form chosen by the language's CLDR rules (Intl.PluralRules)
// and # for the number. No quoting: messages hold no literal brace.

const rules = new Map();

function pluralForm(lang, n) {
  if (!rules.has(lang)) rules.set(lang, new Intl.PluralRules(lang));
  return rules.get(lang).select(n);
}

const numerals = new Map();

// numeral writes n with lang's own digits (Bengali, Persian…), as Intl
// does; a language the browser does not know gets the default ones.
function numeral(n, lang) {
  if (!numerals.has(lang)) {
    let f;
    try {
      f = new Intl.NumberFormat(lang);
    } catch {
      f = new Intl.NumberFormat("en");
    }
    numerals.set(lang, f);
  }
  return numerals.get(lang).format(n);
}

// closing returns the index of the "}" closing the brace before s[i].
function closing(s, i) {
  for (let depth = 1; i < s.length; i++) {
    if (s[i] === "{") depth++;
    else if (s[i] === "}" && --depth === 0) return i;
  }
  return s.length;
}

// format renders message in lang with vars; count is the number a # in
// a plural form stands for.
export function format(message, vars = {}, lang = "en", count = undefined) {
  let out = "";
  for (let i = 0; i < message.length;) {
    const c = message[i];
    if (c === "#" && count !== undefined) {
      out += numeral(count, lang);
      i++;
    } else if (c !== "{") {
      out += c;
      i++;
    } else {
      const end = closing(message, i + 1);
      const [name, type, ...rest] = message.slice(i + 1, end).split(",");
      const v = vars[name.trim()];
      if (type === undefined) out += v === undefined ? "" : String(v);
      else if (type.trim() === "plural") out += plural(rest.join(","), Number(v), vars, lang);
      i = end + 1;
    }
  }
  return out;
}

// plural picks the form of n among "=0 {…} one {…} other {…}" and
// renders it.
function plural(options, n, vars, lang) {
  const forms = {};
  for (let i = 0; i < options.length;) {
    const open = options.indexOf("{", i);
    if (open < 0) break;
    const end = closing(options, open + 1);
    forms[options.slice(i, open).trim()] = options.slice(open + 1, end);
    i = end + 1;
  }
  const form = forms[`=${n}`] ?? forms[pluralForm(lang, n)] ?? forms.other ?? "";
  return format(form, vars, lang, n);
}

// ---- requests ---------------------------------------------------------------

// HttpError is an answer other than 2xx, with what the server said: its
// error, code and field (the API's error body) and how long to wait
// before trying again. Status 0, with network set, is no answer at all.
export class HttpError extends Error {
  constructor(status, body = {}, retryAfter = 0) {
    super(body.error || `HTTP ${status}`);
    this.status = status;
    this.code = body.code || "";
    this.field = body.field || "";
    this.body = body;
    this.retryAfter = Number(body.retry_after_s || retryAfter || 0);
  }
}

// request fetches url and returns its JSON answer (null for 204 No
// Content). It asks for JSON and sends a plain object body as JSON; any
// other body (a File) goes as it is. init is passed on to fetch: the
// editor adds its session's CSRF header and credentials, the public app
// keepalive for the needs figures.
export async function request(url, { body, headers = {}, ...init } = {}) {
  const opts = { ...init, headers: { Accept: "application/json", ...headers } };
  if (body !== undefined) {
    const plain = body === null || Object.getPrototypeOf(body) === Object.prototype || Array.isArray(body);
    if (plain) opts.headers["Content-Type"] = "application/json";
    opts.body = plain ? JSON.stringify(body) : body;
  }
  let res;
  try {
    res = await fetch(url, opts);
  } catch (cause) {
    throw Object.assign(new HttpError(0, { error: "no answer from the server" }), { network: true, cause });
  }
  if (res.status === 204) return null;
  const data = await res.json().catch(() => undefined);
  if (!res.ok) throw new HttpError(res.status, data || { error: res.statusText }, res.headers.get("Retry-After"));
  if (data === undefined) throw new HttpError(res.status, { error: "the answer is not JSON" });
  return data;
}

// ---- files ------------------------------------------------------------------

// The tree this module was loaded from: /assets/{hash}/.
const root = new URL("../", import.meta.url);

// asset is the URL of a file of the web tree ("vendor/uplot/uPlot.min.css")
// at the same hash as this module.
export const asset = (path) => new URL(path, root).pathname;

// loadScript adds a classic script (a vendored library) to the page.
export function loadScript(src) {
  return new Promise((resolve, reject) => document.head.append(el("script", { src, onload: resolve, onerror: reject })));
}

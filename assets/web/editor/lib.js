// What every screen of the editor shares: its words, the API (session,
// CSRF token, errors) and a few dialogs, on the toolkit that the public
// app uses too (../lib/toolkit.js). User text only ever reaches the page
// as text nodes or attribute values, never as HTML.

import { el, format, request, HttpError } from "../lib/toolkit.js";

export { el, asset } from "../lib/toolkit.js";
export { HttpError as ApiError };

export const state = {
  lang: "it", // the editor's own language: it or en
  csrf: "", // the token every write carries
  user: null, // the signed-in account
  ref: null, // GET /reference
  territories: [], // GET /territories
  catalog: null, // /api/v1/ui?lang=…: category and weekday names
  dirty: false, // the screen on show has unsaved changes
  onSignedOut: null, // set by the shell: back to the login form
};

const PREF = "punto-editor-lang";
try {
  const saved = localStorage.getItem(PREF);
  if (saved === "it" || saved === "en") state.lang = saved;
} catch {
  // Storage may be off; Italian then.
}

export function setLang(lang) {
  state.lang = lang;
  try {
    localStorage.setItem(PREF, lang);
  } catch {
    // not kept: fine
  }
  document.documentElement.lang = lang;
}

export const $ = (sel, root = document) => root.querySelector(sel);
export const $$ = (sel, root = document) => [...root.querySelectorAll(sel)];

// The editor's words, in Italian and English (locales/editor/*.toml): the
// portal writes them into the page as a JSON data block.
const messages = JSON.parse(document.getElementById("editor-messages")?.textContent || "{}");

// t gives the editor's words in its language (else Italian), with {name}
// placeholders and {n, plural, …} forms filled in.
export function t(id, vars = {}) {
  const m = messages[state.lang]?.[id] ?? messages.it?.[id];
  return m === undefined ? id : format(m, vars, state.lang);
}

// cat gives a catalog word (category.info, weekday.1, holiday.…) from the
// node's own messages.
export function cat(id) {
  const m = state.catalog && state.catalog.messages[id];
  return typeof m === "string" ? m : id;
}

// text picks a Text in the editor's language, else Italian, else any.
export function pick(text) {
  if (!text) return "";
  return text[state.lang] || text.it || text.en || Object.values(text).find((v) => v) || "";
}

const langNames = {};
export function langName(tag) {
  const key = `${state.lang}:${tag}`;
  if (!(key in langNames)) {
    try {
      langNames[key] = new Intl.DisplayNames([state.lang], { type: "language" }).of(tag);
    } catch {
      langNames[key] = tag;
    }
  }
  return langNames[key];
}

export const rtl = (lang) => ["ar", "ur", "fa"].includes(lang);

export function when(iso) {
  if (!iso) return "";
  return new Date(iso).toLocaleString(state.lang === "it" ? "it-IT" : "en-GB",
    { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/Rome" });
}

export function clockTime(date = new Date()) {
  return date.toLocaleTimeString(state.lang === "it" ? "it-IT" : "en-GB", { hour: "2-digit", minute: "2-digit", timeZone: "Europe/Rome" });
}

export const validID = (id) => /^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$/.test(id);

export const clone = (v) => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

// ---- the API ---------------------------------------------------------------

// send calls the editor API: no cache, the session cookie, and on a
// write the CSRF token. An ApiError with status 0 is no answer at all.
async function send(method, path, body) {
  const headers = method === "GET" ? {} : { "X-CSRF-Token": state.csrf };
  try {
    return await request(`/editor/api${path}`, { method, body, headers, credentials: "same-origin", cache: "no-store" });
  } catch (err) {
    if (err.network) err.message = t("err.network");
    throw err;
  }
}

// api calls the editor API. A 401 ends the session in the UI (back to the
// login form); a CSRF refusal is retried once with a fresh token, since
// another tab may have signed in again meanwhile.
export async function api(method, path, body) {
  try {
    return await send(method, path, body);
  } catch (err) {
    if (err.status === 403 && err.code === "csrf" && method !== "GET" && path !== "/login") {
      const s = await send("GET", "/session");
      if (!s.authenticated) return signedOut("expired");
      state.csrf = s.csrf_token;
      return send(method, path, body).catch((e) => unauthorised(e, path));
    }
    return unauthorised(err, path);
  }
}

function unauthorised(err, path) {
  if (err.status === 401 && path !== "/login") return signedOut("expired");
  throw err;
}

function signedOut(why) {
  state.dirty = false;
  if (state.onSignedOut) state.onSignedOut(why);
  // Whoever waited for the answer stops here, quietly.
  return new Promise(() => {});
}

// publicAPI reads the node's public API (catalog words).
export function publicAPI(path) {
  return request(`/api/v1/${path}`);
}

// ---- messages and errors ---------------------------------------------------

// notice shows a message in a box (role=status for news, role=alert for
// trouble); the box is reused so screen readers hear each message once.
export function notice(box, message, kind = "ok") {
  box.replaceChildren();
  box.className = `notice ${kind}`;
  box.setAttribute("role", kind === "error" ? "alert" : "status");
  if (message) box.append(...[message].flat());
  box.hidden = !message;
}

// errorText turns an API error into a sentence for the editor.
function errorText(err) {
  const msg = err.body ? err.body.error || "" : err.message;
  switch (err.status) {
    case 0: return t("err.network");
    case 400: return err.field ? t("err.field", { msg }) : t("err.generic", { msg });
    case 403: return err.code === "csrf" ? t("err.csrf", { msg }) : t("err.forbidden", { msg });
    case 404: return t("err.not_found", { msg });
    case 409: return t("err.conflict", { msg });
    case 429: return t("err.rate", { s: err.retryAfter || 1 });
    case 503: return t("err.busy");
  }
  return t("err.generic", { msg });
}

// showError reports err in box and, for a 400 naming a field, next to
// that field in form (the element with data-field equal to the path, or
// its nearest named parent path).
export function showError(err, box, form) {
  if (!(err instanceof HttpError)) {
    console.error(err);
    notice(box, t("err.generic", { msg: err.message }), "error");
    return;
  }
  notice(box, errorText(err), "error");
  if (form) clearFieldErrors(form);
  if (err.status === 400 && err.field && form) {
    const target = fieldElement(form, err.field);
    if (target) {
      // Shown at the field, the message need not name it again.
      const full = err.body.error || "";
      const text = full.startsWith(`${err.field}: `) ? full.slice(err.field.length + 2) : full;
      const msg = el("p", { class: "field-error", id: `fe-${Math.random().toString(36).slice(2)}` }, text);
      target.classList.add("invalid");
      // A small cell (a clock in a row of slots) shows the message under
      // its row.
      (target.closest("[data-error-host]") || target).append(msg);
      const input = target.matches("input, select, textarea") ? target : target.querySelector("input, select, textarea");
      if (input) {
        input.setAttribute("aria-invalid", "true");
        input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${msg.id}`.trim());
        input.focus();
      } else {
        target.scrollIntoView({ block: "center" });
      }
    }
  }
}

export function clearFieldErrors(form) {
  for (const m of $$(".field-error", form)) m.remove();
  for (const f of $$(".invalid", form)) f.classList.remove("invalid");
  for (const i of $$("[aria-invalid]", form)) i.removeAttribute("aria-invalid");
}

// fieldElement finds the part of a form that a field path names:
// "locations[0].point", else "locations[0]", else "locations".
function fieldElement(form, path) {
  let p = path;
  while (p) {
    const hit = form.querySelector(`[data-field="${CSS.escape(p)}"]`);
    if (hit) return hit;
    const cut = Math.max(p.lastIndexOf("."), p.lastIndexOf("["));
    if (cut <= 0) break;
    p = p.slice(0, cut);
  }
  return null;
}

// ---- dialogs ---------------------------------------------------------------

// dialog opens a modal <dialog> with a title and content; it is removed
// when closed. Focus returns to where it was.
export function dialog(title, ...content) {
  const back = document.activeElement;
  const id = `dlg-${Math.random().toString(36).slice(2)}`;
  const close = el("button", { type: "button", class: "btn secondary", on: { click: () => d.close() } }, t("common.close"));
  const d = el("dialog", { class: "dialog", "aria-labelledby": id },
    el("div", { class: "dialog-head" }, el("h2", { id }, title), close),
    el("div", { class: "dialog-body" }, content));
  d.addEventListener("close", () => {
    d.remove();
    if (back && back.isConnected) back.focus();
  });
  document.body.append(d);
  d.showModal();
  return d;
}

// secretDialog shows a password or token once, with a copy button.
export function secretDialog(title, hint, secret) {
  const out = el("output", { class: "secret", dir: "ltr" }, secret);
  const status = el("p", { class: "notice ok", role: "status", hidden: true });
  const copy = el("button", { type: "button", class: "btn", on: { click: async () => {
    try {
      await navigator.clipboard.writeText(secret);
    } catch {
      // No clipboard (plain http): select it for Ctrl+C.
      const r = document.createRange();
      r.selectNodeContents(out);
      getSelection().removeAllRanges();
      getSelection().addRange(r);
    }
    notice(status, t("common.copied"));
  } } }, t("common.copy"));
  const d = dialog(title, el("p", {}, hint), el("div", { class: "secret-row" }, out, copy), status);
  d.classList.add("secret-dialog");
  copy.focus();
  return d;
}

// field wraps an input with its label (and an optional hint) in a block
// that errors can point at via data-field.
export function field(label, input, { hint, path, cls } = {}) {
  if (!input.id) input.id = `f-${Math.random().toString(36).slice(2)}`;
  const kids = [el("label", { for: input.id }, label)];
  if (hint) {
    const h = el("p", { class: "hint", id: `${input.id}-hint` }, hint);
    input.setAttribute("aria-describedby", h.id);
    kids.push(h);
  }
  kids.push(input);
  return el("div", { class: `field ${cls || ""}`.trim(), "data-field": path }, kids);
}

export function checkbox(label, checked, onChange, props = {}) {
  const input = el("input", { type: "checkbox", checked, on: { change: (e) => onChange(e.target.checked) }, ...props });
  return el("label", { class: "check" }, input, " ", label);
}

export function select(options, value, onChange, props = {}) {
  return el("select", { on: { change: (e) => onChange(e.target.value) }, ...props },
    options.map(([v, label]) => el("option", { value: v, selected: v === value }, label)));
}

// markDirty tracks unsaved changes of the screen on show.
export function markDirty(on = true) {
  state.dirty = on;
}

export function confirmLeave() {
  return !state.dirty || confirm(t("common.unsaved"));
}

// languageWarnings is what a notice says of a publish's warnings: the
// records that went out lacking some of the screens' languages, each
// with the languages it lacks; null when there are none.
export function languageWarnings(warnings) {
  if (!warnings || !warnings.length) return null;
  return [el("strong", {}, t("publish.missing_title")), " ", t("publish.missing_hint"),
    el("ul", {}, warnings.map((w) => el("li", { "data-kind": w.kind, "data-id": w.id },
      t("publish.missing", { kind: t(`kind.${w.kind}`), id: w.id, n: w.missing.length, langs: w.missing.map(langName).join(", ") }))))];
}

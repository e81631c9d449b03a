// Punto's editor: the web app regional and municipal editors use to keep
// the catalog true. Plain modules, no build step. The shell: sign in and
// out, the top bar, and the route table (#/services, #/services/{id}, …).

import { el, t, $, state, setLang, api, publicAPI, notice, showError, field, dialog, clearFieldErrors, confirmLeave, markDirty, pick, asset } from "./lib.js";
import { serviceList, alertList, pageList } from "./lists.js";
import { recordScreen } from "./record.js";
import { serviceSpec } from "./service_form.js";
import { alertSpec, pageSpec } from "./alert_form.js";
import { accounts, totems, drafts } from "./admin.js";
import { audit } from "./audit.js";
import { importScreen } from "./import.js";
import { fleetScreen } from "./fleet.js";
import { needsScreen } from "./needs.js";
import { coverageScreen } from "./coverage.js";
import { recordingsScreen } from "./recordings.js";
import { lexiconScreen } from "./lexicon.js";
import { closuresScreen } from "./closures.js";
import { mediationQueue, mediationRequest, mediationForm } from "./mediation.js";
import { mediatorsScreen, bodiesScreen, reportScreen } from "./mediation_admin.js";
import { callbacksScreen } from "./callbacks.js";

const view = $("#view");
const top = $("#top");

// ---- routes ----------------------------------------------------------------

// Who sees a screen: true is admins only; a list names the roles; none
// is the catalog's editors (and admins).
const MEDIATION = ["admin", "coordinator", "mediator", "requester"];
const COORDINATING = ["admin", "coordinator"];
const CATALOG = ["admin", "editor"];

function allowed(who) {
  const role = state.user.role;
  if (who === true) return role === "admin";
  return (who || CATALOG).includes(role);
}

// home is where a role starts: the catalog for editors, the requests for
// the people of mediation.
const home = () => (allowed(undefined) ? "services" : "mediation");

const routes = [
  [/^services$/, (page, m, q) => serviceList(page, "services", q)],
  [/^events$/, (page, m, q) => serviceList(page, "events", q)],
  [/^services\/(.+)$/, (page, m) => recordScreen(page, { spec: serviceSpec(false), path: "services", id: m[1] })],
  [/^events\/(.+)$/, (page, m) => recordScreen(page, { spec: serviceSpec(true), path: "events", id: m[1] })],
  [/^alerts$/, (page) => alertList(page)],
  [/^alerts\/(.+)$/, (page, m) => recordScreen(page, { spec: alertSpec, path: "alerts", id: m[1] })],
  [/^pages$/, (page) => pageList(page)],
  [/^pages\/(.+)$/, (page, m) => recordScreen(page, { spec: pageSpec, path: "pages", id: m[1] })],
  [/^drafts$/, (page) => drafts(page)],
  [/^audit$/, (page, m, q) => audit(page, q), ["admin", "editor", "coordinator"]],
  [/^accounts$/, (page) => accounts(page), true],
  [/^totems$/, (page) => totems(page), true],
  [/^import$/, (page) => importScreen(page), true],
  [/^fleet$/, (page) => fleetScreen(page), true],
  [/^needs$/, (page, m, q) => needsScreen(page, q)],
  [/^coverage$/, (page, m, q) => coverageScreen(page, q)],
  [/^recordings$/, (page) => recordingsScreen(page), ["admin", "editor"]],
  [/^lexicon$/, (page) => lexiconScreen(page), ["admin", "editor"]],
  [/^closures$/, (page) => closuresScreen(page), ["admin", "editor"]],
  [/^mediation$/, (page, m, q) => mediationQueue(page, q), MEDIATION],
  [/^mediation\/new$/, (page) => mediationForm(page), ["admin", "coordinator", "requester"]],
  [/^mediation\/requests\/(\d+)$/, (page, m) => mediationRequest(page, m[1]), MEDIATION],
  [/^mediators$/, (page) => mediatorsScreen(page), COORDINATING],
  [/^bodies$/, (page) => bodiesScreen(page), COORDINATING],
  [/^mediation-report$/, (page, m, q) => reportScreen(page, q), COORDINATING],
  [/^callbacks$/, (page) => callbacksScreen(page), ["admin", "coordinator", "mediator"]],
];

const nav = [
  ["services", "nav.services"], ["events", "nav.events"], ["alerts", "nav.alerts"], ["pages", "nav.pages"],
  ["drafts", "nav.drafts"], ["audit", "nav.audit", ["admin", "editor", "coordinator"]], ["accounts", "nav.accounts", true], ["totems", "nav.totems", true],
  ["import", "nav.import", true],
  ["fleet", "nav.fleet", true], ["needs", "nav.needs"], ["coverage", "nav.coverage"], ["recordings", "nav.recordings", ["admin", "editor"]],
  ["lexicon", "nav.lexicon", ["admin", "editor"]], ["closures", "nav.closures", ["admin", "editor"]],
  ["mediation", "nav.mediation", MEDIATION], ["mediators", "nav.mediators", COORDINATING], ["bodies", "nav.bodies", COORDINATING],
  ["mediation-report", "nav.mediation_report", COORDINATING], ["callbacks", "nav.callbacks", ["admin", "coordinator", "mediator"]],
];

let shown = ""; // the address on show, to go back to when leaving is cancelled
let drawing = 0;

async function route() {
  if (!state.user) return;
  const hash = location.hash.replace(/^#\/?/, "") || home();
  const [path, query] = hash.split("?");
  const q = new URLSearchParams(query || "");
  let hit = null;
  for (const [re, fn, who] of routes) {
    const m = path.match(re);
    if (m && allowed(who)) {
      hit = () => fn(page, m.map((x, i) => (i ? decodeURIComponent(x) : x)), q);
      break;
    }
  }
  const old = view.firstElementChild;
  if (old && old.cleanup) old.cleanup();
  const page = el("div", { class: "page" });
  view.replaceChildren(page);
  shown = location.hash;
  markDirty(false);
  const section = path.split("/")[0];
  for (const a of top.querySelectorAll("nav a")) {
    if (a.dataset.route === section) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  top.classList.remove("open");
  $("#menu-toggle").setAttribute("aria-expanded", "false");
  const mine = ++drawing;
  window.scrollTo(0, 0);
  try {
    if (!hit) {
      location.replace(`#/${home()}`);
      return;
    }
    await hit();
  } catch (err) {
    if (mine !== drawing) return;
    const box = el("div", { class: "notice", hidden: true });
    page.append(box);
    showError(err, box);
  }
  if (mine !== drawing || !page.isConnected) return;
  const h1 = page.querySelector("h1");
  if (h1) {
    if (!h1.hasAttribute("tabindex")) h1.tabIndex = -1;
    h1.focus({ preventScroll: true });
  }
  document.title = `${h1 ? `${h1.textContent} · ` : ""}${t("app.title")}`;
}

window.addEventListener("hashchange", () => {
  if (location.hash === shown) return;
  if (!confirmLeave()) {
    history.replaceState(null, "", shown);
    return;
  }
  const token = inviteToken();
  if (token) showInvite(token);
  else route();
});

window.addEventListener("beforeunload", (e) => {
  if (!state.dirty) return;
  e.preventDefault();
  e.returnValue = ""; // older Chromium asks only when this is set
});

// ---- the top bar ------------------------------------------------------------

function drawTop() {
  const u = state.user;
  const terr = u.role === "admin" ? t("user.all_territories")
    : !u.territories.length ? "—"
    : u.territories.map((id) => pick((state.territories.find((x) => x.id === id) || { name: { it: id } }).name)).join(", ");
  top.replaceChildren(
    el("div", { class: "brand" }, el("img", { src: asset("icon.svg"), alt: "", width: 28, height: 28 }), el("span", {}, t("app.title"))),
    el("button", { type: "button", id: "menu-toggle", class: "menu-toggle", "aria-expanded": "false", "aria-controls": "top-nav",
      on: { click: (e) => {
        const open = !top.classList.contains("open");
        top.classList.toggle("open", open);
        e.currentTarget.setAttribute("aria-expanded", String(open));
      } } }, el("span", { "aria-hidden": "true" }, "☰ "), t("app.menu")),
    el("nav", { id: "top-nav", "aria-label": t("nav.main") }, el("ul", {},
      nav.filter(([, , who]) => allowed(who)).map(([r, label]) => el("li", {}, el("a", { href: `#/${r}`, "data-route": r }, t(label)))))),
    el("div", { class: "who" },
      el("span", { class: "user", id: "signed-in" }, el("strong", {}, u.name), ` · ${t(`user.role.${u.role}`)}`,
        el("span", { class: "terr" }, t("user.territories", { t: terr }))),
      el("button", { type: "button", class: "link", on: { click: changePassword } }, t("user.password")),
      el("button", { type: "button", class: "link", lang: state.lang === "it" ? "en" : "it", "aria-label": t("app.lang_toggle_label"), on: { click: toggleLang } }, t("app.lang_toggle")),
      el("button", { type: "button", class: "btn small light", id: "logout", on: { click: logout } }, t("user.logout"))));
  top.hidden = false;
  topHeight();
}

// topHeight tells the stylesheet how tall the top bar is, so the sticky
// side panel sits right under it (the bar wraps on narrow screens).
function topHeight() {
  if (!top.hidden) document.documentElement.style.setProperty("--top-h", `${top.offsetHeight}px`);
}
new ResizeObserver(topHeight).observe(top);

async function toggleLang() {
  if (!confirmLeave()) return;
  setLang(state.lang === "it" ? "en" : "it");
  state.catalog = await publicAPI(`ui?lang=${state.lang}`);
  document.title = t("app.title");
  if (state.user) {
    drawTop();
    route();
  } else {
    showLogin();
  }
}

function changePassword() {
  const cur = el("input", { type: "password", autocomplete: "current-password", required: true });
  const next = el("input", { type: "password", autocomplete: "new-password", required: true, minLength: state.ref.password_min_length });
  const box = el("div", { class: "notice", hidden: true });
  const form = el("form", { novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    try {
      await api("POST", "/me/password", { current: cur.value, new: next.value });
      notice(box, t("me.done"));
      form.reset();
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  field(t("me.current"), cur, { path: "current" }),
  field(t("me.new", { n: state.ref.password_min_length }), next, { path: "new" }),
  box, el("button", { type: "submit", class: "btn" }, t("user.password")));
  dialog(t("me.title"), form);
  cur.focus();
}

async function logout() {
  if (!confirmLeave()) return;
  try {
    const s = await api("POST", "/logout", {});
    state.csrf = s.csrf_token;
  } catch {
    // Signed out anyway, as far as this screen goes.
  }
  state.user = null;
  showLogin("out");
}

// ---- sign in -----------------------------------------------------------------

let retryTimer = null;

async function showLogin(why) {
  state.user = null;
  markDirty(false);
  top.hidden = true;
  top.replaceChildren();
  const s = await api("GET", "/session").catch(() => null);
  if (s && s.authenticated) {
    // Signed in meanwhile (another tab): carry on.
    await signedIn(s);
    return;
  }
  if (s) state.csrf = s.csrf_token;
  const name = el("input", { type: "text", id: "login-name", autocomplete: "username", required: true, autocapitalize: "none", spellcheck: false });
  const pass = el("input", { type: "password", id: "login-password", autocomplete: "current-password", required: true });
  const submit = el("button", { type: "submit", class: "btn", id: "login-submit" }, t("login.submit"));
  const box = el("div", { class: "notice", hidden: true, id: "login-message" });
  if (why === "expired") notice(box, t("login.expired"), "warn");
  if (why === "out") notice(box, t("login.out"));
  const form = el("form", { class: "login", novalidate: true, "aria-labelledby": "login-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    submit.disabled = true;
    try {
      const res = await api("POST", "/login", { name: name.value, password: pass.value });
      pass.value = "";
      await signedIn(res);
    } catch (err) {
      pass.value = "";
      if (err.status === 401) {
        notice(box, t("login.bad"), "error");
        name.focus();
      } else if (err.status === 429) {
        countdown(box, submit, name, err.retryAfter || 1);
        return;
      } else {
        if (err.code === "csrf") {
          const again = await api("GET", "/session").catch(() => null);
          if (again) state.csrf = again.csrf_token;
        }
        showError(err, box, form);
      }
    }
    submit.disabled = false;
  } } },
  field(t("login.name"), name, { path: "name" }),
  field(t("login.password"), pass, { path: "password" }),
  submit);
  const langBtn = el("button", { type: "button", class: "link", lang: state.lang === "it" ? "en" : "it", "aria-label": t("app.lang_toggle_label"), on: { click: toggleLang } }, t("app.lang_toggle"));
  const page = el("div", { class: "page login-page" },
    el("div", { class: "login-card" },
      el("div", { class: "brand big" }, el("img", { src: asset("icon.svg"), alt: "", width: 40, height: 40 }), el("span", {}, "Punto")),
      el("h1", { id: "login-h" }, t("login.title")),
      el("p", { class: "muted" }, t("login.intro")),
      box, form, el("p", { class: "lang-switch" }, langBtn)));
  view.replaceChildren(page);
  document.title = `${t("login.title")} · ${t("app.title")}`;
  name.focus();
}

// inviteToken is the token of an invitation's link (#/invite/TOKEN), if
// that is where the editor was opened.
function inviteToken() {
  const m = location.hash.match(/^#\/invite\/([A-Za-z0-9]{1,100})$/);
  return m ? m[1] : "";
}

// showInvite is the page an invitation's link opens (#/invite/TOKEN): the
// invited requester chooses a password, once; then they sign in.
async function showInvite(token) {
  top.hidden = true;
  const s = await api("GET", "/session").catch(() => null);
  if (s) state.csrf = s.csrf_token;
  const pass = el("input", { type: "password", id: "invite-password", autocomplete: "new-password", required: true, minLength: 12 });
  const again = el("input", { type: "password", id: "invite-repeat", autocomplete: "new-password", required: true });
  const submit = el("button", { type: "submit", class: "btn", id: "invite-submit" }, t("invite.submit"));
  const box = el("div", { class: "notice", hidden: true, id: "invite-message", role: "status" });
  const form = el("form", { class: "login", novalidate: true, "aria-labelledby": "invite-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    if (pass.value !== again.value) {
      notice(box, t("invite.mismatch"), "error");
      again.focus();
      return;
    }
    submit.disabled = true;
    try {
      const res = await api("POST", "/invite", { token, password: pass.value });
      history.replaceState(null, "", location.pathname);
      await showLogin();
      const name = $("#login-name");
      if (name) name.value = res.name;
      notice($("#login-message"), t("invite.done"));
      const pw = $("#login-password");
      if (pw) pw.focus();
      return;
    } catch (err) {
      if (err.field === "token") notice(box, t("invite.bad_link"), "error");
      else showError(err, box, form);
    }
    pass.value = "";
    again.value = "";
    submit.disabled = false;
  } } },
  field(t("invite.password"), pass, { path: "password" }),
  field(t("invite.repeat"), again, { path: "repeat" }),
  submit);
  const page = el("div", { class: "page login-page" },
    el("div", { class: "login-card" },
      el("div", { class: "brand big" }, el("img", { src: asset("icon.svg"), alt: "", width: 40, height: 40 }), el("span", {}, "Punto")),
      el("h1", { id: "invite-h" }, t("invite.title")),
      el("p", { class: "muted" }, t("invite.intro")),
      box, form));
  view.replaceChildren(page);
  document.title = `${t("invite.title")} · ${t("app.title")}`;
  pass.focus();
}

// countdown keeps the sign-in button off while the name is locked. The
// message is announced once; the seconds tick for the eye only. Another
// name may be tried at once (the lock is per name).
function countdown(box, submit, name, seconds) {
  clearInterval(retryTimer);
  let left = seconds;
  const [before, after] = t("login.wait", { s: "\u0000" }).split("\u0000");
  const seen = el("span", { "aria-hidden": "true" }, String(left));
  notice(box, [el("span", { class: "sr" }, t("login.wait", { s: left })), el("span", { "aria-hidden": "true" }, before, seen, after)], "error");
  submit.disabled = true;
  const locked = name.value;
  const stop = () => {
    clearInterval(retryTimer);
    submit.disabled = false;
    name.removeEventListener("input", changed);
  };
  const changed = () => {
    if (name.value !== locked) stop();
  };
  name.addEventListener("input", changed);
  retryTimer = setInterval(() => {
    left--;
    seen.textContent = String(left);
    if (left <= 0 || !submit.isConnected) {
      stop();
      box.hidden = true;
    }
  }, 1000);
}

async function signedIn(s) {
  state.csrf = s.csrf_token;
  state.user = s.user;
  const [ref, terr] = await Promise.all([api("GET", "/reference"), api("GET", "/territories")]);
  state.ref = ref;
  state.territories = terr.territories;
  drawTop();
  shown = "";
  await route();
}

// keepAlive slides the 30-minute idle timeout while the editor is at work
// (typing a long description is not being idle); an idle screen still
// times out.
function keepAlive() {
  let active = 0, pinged = Date.now();
  for (const ev of ["keydown", "pointerdown", "input"]) document.addEventListener(ev, () => { active = Date.now(); }, { passive: true, capture: true });
  setInterval(async () => {
    if (!state.user || Date.now() - active > 5 * 60000 || Date.now() - pinged < 5 * 60000) return;
    pinged = Date.now();
    const s = await api("GET", "/session").catch(() => null);
    if (s && !s.authenticated && state.onSignedOut) state.onSignedOut("expired");
    else if (s) state.csrf = s.csrf_token;
  }, 60000);
}

async function boot() {
  setLang(state.lang);
  state.onSignedOut = (why) => showLogin(why);
  const skip = $("#skip");
  skip.textContent = t("app.skip");
  skip.addEventListener("click", (e) => {
    e.preventDefault();
    const h1 = view.querySelector("h1");
    (h1 || view).focus();
  });
  keepAlive();
  try {
    state.catalog = await publicAPI(`ui?lang=${state.lang}`);
    const token = inviteToken();
    if (token) {
      await showInvite(token);
      return;
    }
    const s = await api("GET", "/session");
    if (s.authenticated) await signedIn(s);
    else await showLogin();
  } catch (err) {
    const box = el("div", { class: "notice" });
    view.replaceChildren(el("div", { class: "page" }, box));
    showError(err, box);
  }
}

boot();

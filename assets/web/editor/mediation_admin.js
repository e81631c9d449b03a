// What coordinators keep for mediation on call: the registry of mediators
// (languages, territories, ways of working, weekly hours and exceptions),
// the public bodies with their requesters, the hours budgets, and the
// monthly report with its CSV.

import { el, t, state, api, pick, notice, showError, field, select, checkbox, secretDialog, clearFieldErrors, langName } from "./lib.js";
import { mediationOptions, territoryName, cell } from "./mediation.js";

const mine = () => state.territories.filter((x) => state.user.role === "admin" || state.user.territories.includes(x.id));

// parseWeek reads "2 09:00-13:00, 4 14:00-18:00" (weekday 1 Monday … 7
// Sunday); the server names any window it refuses.
function parseWeek(s) {
  return s.split(",").map((x) => x.trim()).filter(Boolean).map((x) => {
    const m = x.match(/^(\d)\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})$/);
    return m ? { weekday: Number(m[1]), from: m[2].padStart(5, "0"), to: m[3].padStart(5, "0") } : { weekday: 0, from: x, to: "" };
  });
}

// parseExceptions reads "2026-12-24 00:00-24:00 away, 2026-12-27 09:00-12:00 extra".
function parseExceptions(s) {
  return s.split(",").map((x) => x.trim()).filter(Boolean).map((x) => {
    const m = x.match(/^(\d{4}-\d{2}-\d{2})\s+(\d{1,2}:\d{2})\s*[-–]\s*(\d{1,2}:\d{2})(?:\s+(\S+))?$/);
    return m ? { date: m[1], from: m[2].padStart(5, "0"), to: m[3].padStart(5, "0"), available: m[4] === "extra" || m[4] === "extra-time" }
      : { date: x, from: "", to: "", available: false };
  });
}

// mailLanguages are the choices of a mail's language: both (Italian and
// English, one after the other), or one (mediation/mailtext.go).
const mailLanguages = () => [["", t("mail.both")], ["it", "Italiano"], ["en", "English"]];

const weekText = (w) => w.map((s) => `${s.weekday} ${s.from}-${s.to}`).join(", ");
const exceptionText = (xs) => xs.map((x) => `${x.date} ${x.from}-${x.to} ${x.available ? "extra" : "away"}`).join(", ");

export async function mediatorsScreen(view) {
  const opts = await mediationOptions();
  const box = el("div", { class: "notice", hidden: true });
  const list = el("div");
  const formBox = el("div");
  const edit = (m) => {
    const modes = new Set(m.modes || ["in_person"]);
    const terr = new Set(m.territories || []);
    const name = el("input", { type: "text", id: "mdr-name", value: m.name || "", maxLength: 200, autocomplete: "off" });
    const email = el("input", { type: "email", id: "mdr-email", value: m.email || "", autocomplete: "off", dir: "ltr" });
    const langs = el("input", { type: "text", id: "mdr-languages", value: (m.languages || []).join(", "), autocomplete: "off", spellcheck: false, dir: "ltr" });
    const week = el("input", { type: "text", id: "mdr-week", value: weekText(m.week || []), autocomplete: "off", dir: "ltr" });
    const exceptions = el("input", { type: "text", id: "mdr-exceptions", value: exceptionText(m.exceptions || []), autocomplete: "off", dir: "ltr" });
    const active = el("input", { type: "checkbox", id: "mdr-active", checked: m.active !== false });
    let mailLang = m.mail_language || "";
    const mailLangs = select(mailLanguages(), mailLang, (v) => { mailLang = v; }, { id: "mdr-mail-language" });
    const form = el("form", { class: "panel", novalidate: true, "aria-labelledby": "mdr-form-h", on: { submit: async (e) => {
      e.preventDefault();
      clearFieldErrors(form);
      const body = { name: name.value, email: email.value.trim(), languages: langs.value.split(/[\s,]+/).filter(Boolean), territories: [...terr], modes: [...modes],
        active: active.checked, week: parseWeek(week.value), exceptions: parseExceptions(exceptions.value), mail_language: mailLang };
      try {
        const res = m.id ? await api("PUT", `/mediation/mediators/${m.id}`, body) : await api("POST", "/mediation/mediators", body);
        notice(box, t("mdr.saved", { name: res.mediator.name }));
        formBox.replaceChildren();
        await draw();
        if (res.password) secretDialog(t("acct.password_once", { name: res.mediator.email }), t("acct.password_once_hint"), res.password);
      } catch (err) {
        showError(err, box, form);
      }
    } } },
    el("h2", { id: "mdr-form-h" }, m.id ? t("mdr.edit", { name: m.name }) : t("mdr.new")),
    el("div", { class: "row-fields" }, field(t("mdr.name"), name, { path: "name", cls: "wide" }), field(t("mdr.email"), email, { path: "email", cls: "wide" })),
    field(t("mdr.languages"), langs, { path: "languages", hint: t("mdr.languages_hint") }),
    el("fieldset", { class: "choices", "data-field": "territories" }, el("legend", {}, t("med.territory")),
      mine().map((x) => checkbox(pick(x.name), terr.has(x.id), (on) => { if (on) terr.add(x.id); else terr.delete(x.id); }, { value: x.id }))),
    el("fieldset", { class: "choices", "data-field": "modes" }, el("legend", {}, t("mdr.modes")),
      opts.modes.map((md) => checkbox(t(`med.mode.${md}`), modes.has(md), (on) => { if (on) modes.add(md); else modes.delete(md); }, { value: md }))),
    field(t("mdr.week"), week, { path: "week", hint: t("mdr.week_hint") }),
    field(t("mdr.exceptions"), exceptions, { path: "exceptions", hint: t("mdr.exceptions_hint") }),
    field(t("mail.language"), mailLangs, { path: "mail_language" }),
    el("label", { class: "check" }, active, " ", t("mdr.active")),
    el("button", { type: "submit", class: "btn", id: "mdr-save" }, t("mdr.save")));
    formBox.replaceChildren(form);
    name.focus();
  };
  const draw = async () => {
    const res = await api("GET", "/mediation/mediators");
    const heads = [t("mdr.name"), t("mdr.languages"), t("med.territory"), t("mdr.modes"), t("mdr.week"), t("common.actions")];
    list.replaceChildren(res.mediators.length ? el("table", { class: "grid stack", id: "mdr-list" },
      el("caption", { class: "sr" }, t("mdr.title")),
      el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, res.mediators.map((m) => el("tr", { class: m.active ? "" : "off" },
        cell(heads[0], el("strong", {}, m.name), el("br"), m.email),
        cell(heads[1], m.languages.map((l) => `${langName(l)} (${l})`).join(", ")),
        cell(heads[2], m.territories.map(territoryName).join(", ")),
        cell(heads[3], m.modes.map((x) => t(`med.mode.${x}`)).join(", ")),
        cell(heads[4], weekText(m.week)),
        cell(heads[5], el("button", { type: "button", class: "btn secondary small", on: { click: () => edit(m) } }, t("common.edit")))))))
      : el("p", { class: "empty" }, t("mdr.none")));
  };
  view.append(el("h1", {}, t("mdr.title")), box,
    el("p", {}, el("button", { type: "button", class: "btn", id: "mdr-new", on: { click: () => edit({}) } }, t("mdr.new"))), formBox, list);
  await draw();
}

export async function bodiesScreen(view) {
  const box = el("div", { class: "notice", hidden: true });
  const orgList = el("div");
  const budgetList = el("div");
  const terrChoices = () => mine().map((x) => [x.id, pick(x.name)]);
  const orgName = el("input", { type: "text", id: "org-name", maxLength: 200, autocomplete: "off" });
  const orgTerr = select(terrChoices(), terrChoices()[0]?.[0] || "", () => {}, { id: "org-territory" });
  const orgForm = el("form", { class: "panel", novalidate: true, "aria-labelledby": "org-new-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(orgForm);
    try {
      await api("POST", "/mediation/orgs", { name: orgName.value, territory: orgTerr.value });
      orgForm.reset();
      notice(box, t("med.done"));
      await draw();
    } catch (err) {
      showError(err, box, orgForm);
    }
  } } }, el("h2", { id: "org-new-h" }, t("org.new")),
  el("div", { class: "row-fields" }, field(t("org.name"), orgName, { path: "name", cls: "wide" }), field(t("med.territory"), orgTerr, { path: "territory" }),
    el("button", { type: "submit", class: "btn" }, t("org.create"))));
  const programme = el("input", { type: "text", id: "bud-programme", maxLength: 200, autocomplete: "off" });
  const budTerr = select(terrChoices(), terrChoices()[0]?.[0] || "", () => {}, { id: "bud-territory" });
  const hours = el("input", { type: "number", id: "bud-hours", min: "1", step: "1", inputMode: "numeric" });
  const budForm = el("form", { class: "panel", novalidate: true, "aria-labelledby": "bud-new-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(budForm);
    try {
      await api("POST", "/mediation/budgets", { programme: programme.value, territory: budTerr.value, hours: Number(hours.value) });
      budForm.reset();
      notice(box, t("med.done"));
      await draw();
    } catch (err) {
      showError(err, box, budForm);
    }
  } } }, el("h2", { id: "bud-new-h" }, t("bud.new")),
  el("div", { class: "row-fields" }, field(t("bud.programme"), programme, { path: "programme", cls: "wide" }), field(t("med.territory"), budTerr, { path: "territory" }),
    field(t("bud.hours"), hours, { path: "hours" }), el("button", { type: "submit", class: "btn" }, t("bud.create"))));

  const addRequester = (o) => {
    const email = el("input", { type: "email", autocomplete: "off", "aria-label": t("org.requester_email", { name: o.name }), dir: "ltr" });
    let language = "";
    const mailLang = select(mailLanguages(), language, (v) => { language = v; }, { "aria-label": t("mail.language") });
    return el("form", { class: "inline-form", novalidate: true, on: { submit: async (e) => {
      e.preventDefault();
      const addr = email.value.trim();
      try {
        // Invite: a mail with a one-time link where they choose their
        // password; add: a password shown here once.
        if (e.submitter && e.submitter.dataset.invite) {
          const res = await api("POST", `/mediation/orgs/${o.id}/invites`, { email: addr, language });
          await draw();
          notice(box, t("org.invited", { name: addr, date: new Date(res.expires_at).toLocaleString(document.documentElement.lang) }));
          return;
        }
        const res = await api("POST", `/mediation/orgs/${o.id}/requesters`, { email: addr, language });
        await draw();
        if (res.password) secretDialog(t("acct.password_once", { name: addr }), t("acct.password_once_hint"), res.password);
      } catch (err) {
        showError(err, box);
      }
    } } }, email, " ", mailLang, " ", el("button", { type: "submit", class: "btn secondary small", "data-invite": "1" }, t("org.invite")),
    " ", el("button", { type: "submit", class: "btn secondary small" }, t("org.add_requester")));
  };
  const draw = async () => {
    const [orgs, budgets] = await Promise.all([api("GET", "/mediation/orgs"), api("GET", "/mediation/budgets")]);
    const oh = [t("org.name"), t("med.territory"), t("org.requesters")];
    orgList.replaceChildren(orgs.orgs.length ? el("table", { class: "grid stack", id: "org-list" }, el("caption", { class: "sr" }, t("org.title")),
      el("thead", {}, el("tr", {}, oh.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, orgs.orgs.map((o) => el("tr", {}, cell(oh[0], el("strong", {}, o.name)), cell(oh[1], territoryName(o.territory)),
        cell(oh[2], o.requesters.join(", "), addRequester(o))))))
      : el("p", { class: "empty" }, t("org.none")));
    const bh = [t("bud.programme"), t("med.territory"), t("bud.hours"), t("bud.used"), t("bud.reserved"), t("bud.left")];
    budgetList.replaceChildren(budgets.budgets.length ? el("table", { class: "grid stack", id: "bud-list" }, el("caption", { class: "sr" }, t("bud.title")),
      el("thead", {}, el("tr", {}, bh.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, budgets.budgets.map((b) => el("tr", { class: b.left_hours < 0 ? "off" : "" }, cell(bh[0], b.programme), cell(bh[1], territoryName(b.territory)),
        cell(bh[2], String(b.hours)), cell(bh[3], String(b.used_hours)), cell(bh[4], String(b.reserved_hours)), cell(bh[5], el("strong", {}, String(b.left_hours)))))))
      : el("p", { class: "empty" }, t("bud.none")));
  };
  view.append(el("h1", {}, t("org.title")), box, orgList, orgForm, el("h2", {}, t("bud.title")), budgetList, budForm);
  await draw();
}

export async function reportScreen(view, q) {
  const month = el("input", { type: "month", id: "rep-month", value: q.get("month") || new Date().toISOString().slice(0, 7) });
  const box = el("div", { class: "notice", hidden: true });
  const out = el("div", { id: "rep-out" });
  const csv = el("a", { class: "btn secondary", id: "rep-csv", download: "" }, t("rep.csv"));
  const draw = async () => {
    csv.href = `/editor/api/mediation/report.csv?month=${encodeURIComponent(month.value)}`;
    try {
      const r = await api("GET", `/mediation/report?month=${encodeURIComponent(month.value)}`);
      const table = (title, lines, label) => el("table", { class: "grid" }, el("caption", {}, title),
        el("thead", {}, el("tr", {}, [t("rep.key"), t("bud.hours"), t("rep.requests")].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, lines.map((l) => el("tr", {}, el("td", {}, label(l.key)), el("td", {}, String(l.hours)), el("td", {}, String(l.requests))))));
      out.replaceChildren(el("p", { id: "rep-total" }, t("rep.total", { h: r.hours, n: r.requests })),
        table(t("rep.by_body"), r.by_body, (k) => k), table(t("rep.by_language"), r.by_language, (k) => `${langName(k)} (${k})`),
        table(t("rep.by_topic"), r.by_topic, (k) => t(`med.topic.${k}`)), table(t("rep.by_territory"), r.by_territory, territoryName));
    } catch (err) {
      showError(err, box);
    }
  };
  month.addEventListener("change", draw);
  view.append(el("h1", {}, t("rep.title")), box, el("div", { class: "row-fields" }, field(t("rep.month"), month, { path: "month" }), csv), out);
  await draw();
}

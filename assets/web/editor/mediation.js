// Mediation on call: the coordinator's queue and a request's page (the
// mediators suggested, the hours left, assign, confirm, decline,
// reschedule, close), a mediator's own assignments, and the request form
// of a public body. Words in Italian with the editor's English switch.

import { el, t, state, api, pick, notice, showError, field, select, clearFieldErrors, langName } from "./lib.js";

export const coordinating = () => ["admin", "coordinator"].includes(state.user.role);

let options = null;
export async function mediationOptions() {
  if (!options) options = await api("GET", "/mediation/options");
  return options;
}

export const territoryName = (id) => pick((state.territories.find((x) => x.id === id) || { name: { it: id } }).name);

export function cell(label, ...content) {
  return el("td", { "data-label": label }, content);
}

function stateTag(s) {
  return el("span", { class: `tag med-${s}` }, t(`med.state.${s}`));
}

function isoDay(d) {
  return new Intl.DateTimeFormat("en-CA", { timeZone: "Europe/Rome" }).format(d);
}

// ---- the queue -------------------------------------------------------------

export async function mediationQueue(view, q) {
  const opts = await mediationOptions();
  const box = el("div", { class: "notice", hidden: true });
  const list = el("div");
  const role = state.user.role;
  const title = role === "mediator" ? t("med.mine") : role === "requester" ? t("med.ours") : t("med.queue");
  const filters = { territory: q.get("territory") || "", language: q.get("language") || "", state: q.get("state") || "", from: q.get("from") || "", to: q.get("to") || "" };
  const terr = select([["", t("med.all_territories")], ...state.territories.filter((x) => role === "admin" || state.user.territories.includes(x.id)).map((x) => [x.id, pick(x.name)])],
    filters.territory, () => {}, { id: "med-f-territory" });
  const lang = el("input", { type: "text", id: "med-f-language", value: filters.language, maxLength: 3, autocomplete: "off", spellcheck: false, dir: "ltr" });
  const st = select([["", t("med.all_states")], ...opts.states.map((s) => [s, t(`med.state.${s}`)])], filters.state, () => {}, { id: "med-f-state" });
  const from = el("input", { type: "date", id: "med-f-from", value: filters.from });
  const to = el("input", { type: "date", id: "med-f-to", value: filters.to });
  const form = el("form", { class: "panel filters", novalidate: true, role: "search", "aria-label": t("med.filters"), on: { submit: (e) => {
    e.preventDefault();
    const p = new URLSearchParams();
    for (const [k, input] of Object.entries({ territory: terr, language: lang, state: st, from, to })) if (input.value.trim()) p.set(k, input.value.trim());
    location.hash = `#/mediation?${p}`;
  } } },
  el("div", { class: "row-fields" },
    field(t("med.territory"), terr, { path: "territory" }),
    field(t("med.language"), lang, { path: "language", hint: t("med.language_code_hint") }),
    field(t("med.state"), st, { path: "state" }),
    field(t("med.from_date"), from, { path: "from" }),
    field(t("med.to_date"), to, { path: "to" }),
    el("button", { type: "submit", class: "btn secondary" }, t("med.filter"))));

  const draw = async () => {
    const p = new URLSearchParams(Object.entries(filters).filter(([, v]) => v));
    let res;
    try {
      res = await api("GET", `/mediation/requests?${p}`);
    } catch (err) {
      showError(err, box, form);
      return;
    }
    if (!res.requests.length) {
      list.replaceChildren(el("p", { class: "empty" }, t("med.none")));
      return;
    }
    const heads = [t("med.when"), t("med.language"), t("med.body"), t("med.territory"), t("med.topic"), t("med.state"), t("med.mediator")];
    list.replaceChildren(el("table", { class: "grid stack", id: "med-queue" },
      el("caption", { class: "sr" }, title),
      el("thead", {}, el("tr", {}, heads.map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, res.requests.map((r) => el("tr", { "data-id": r.id },
        cell(heads[0], el("a", { href: `#/mediation/requests/${r.id}` }, `${r.date} ${r.from}–${r.to}`), r.urgency === "urgent" ? [" ", el("span", { class: "tag locked" }, t("med.urgency.urgent"))] : null),
        cell(heads[1], `${langName(r.language)} (${r.language})`),
        cell(heads[2], r.org_name),
        cell(heads[3], territoryName(r.territory)),
        cell(heads[4], t(`med.topic.${r.topic}`)),
        cell(heads[5], stateTag(r.state)),
        cell(heads[6], r.mediator_name || "—"))))));
  };
  view.append(el("h1", {}, title), box);
  if (role === "requester" || coordinating()) view.append(el("p", {}, el("a", { class: "btn", href: "#/mediation/new", id: "med-new" }, t("med.new"))));
  if (coordinating()) view.append(form);
  view.append(list);
  await draw();
}

// ---- one request -------------------------------------------------------------

export async function mediationRequest(view, id) {
  const box = el("div", { class: "notice", hidden: true });
  const body = el("div");
  const draw = async () => {
    const res = await api("GET", `/mediation/requests/${encodeURIComponent(id)}`);
    const r = res.request;
    const facts = [
      [t("med.body"), r.org_name], [t("med.language"), `${langName(r.language)} (${r.language})`],
      [t("med.when"), `${r.date} ${r.from}–${r.to}`], [t("med.duration"), t("med.hours_n", { n: r.duration_hours })],
      [t("med.place"), r.mode === "in_person" ? r.address : t(`med.mode.${r.mode}`)], [t("med.territory"), territoryName(r.territory)],
      [t("med.topic"), t(`med.topic.${r.topic}`)], [t("med.urgency"), t(`med.urgency.${r.urgency}`)],
      [t("med.contact"), `${r.contact_name} ${r.contact_phone}`.trim()], [t("med.state"), stateTag(r.state)],
      [t("med.mediator"), r.mediator_name || "—"], [t("med.notes"), r.notes || "—"],
    ];
    if (r.used_hours !== undefined && r.used_hours !== null) facts.push([t("med.used"), t("med.hours_n", { n: r.used_hours })]);
    const parts = [el("dl", { class: "facts", id: "med-facts" }, facts.map(([k, v]) => [el("dt", {}, k), el("dd", {}, v)]))];
    const live = ["requested", "assigned", "confirmed"].includes(r.state);
    const step = (label, action, payload, cls = "secondary") => el("button", { type: "button", class: `btn ${cls} small`, "data-action": action, on: { click: async () => {
      try {
        await api("POST", `/mediation/requests/${r.id}/${action}`, payload ? payload() : {});
        notice(box, t("med.done"));
        await draw();
      } catch (err) {
        showError(err, box);
      }
    } } }, label);
    if (coordinating() && live) parts.push(assignPanel(r, res, box, draw), reschedulePanel(r, box, draw));
    if (coordinating() && ["assigned", "confirmed"].includes(r.state)) parts.push(closePanel(r, box, draw));
    const steps = [];
    if (r.state === "assigned" && (coordinating() || state.user.role === "mediator")) steps.push(step(t("med.confirm"), "confirm", null, ""));
    if (coordinating() && live) steps.push(step(t("med.decline"), "decline"));
    if ((coordinating() || state.user.role === "requester") && live) steps.push(step(t("med.cancel"), "cancel"));
    if (steps.length) parts.splice(1, 0, el("div", { class: "row-actions" }, steps));
    body.replaceChildren(...parts);
  };
  view.append(el("h1", {}, t("med.request_n", { id })), el("p", {}, el("a", { href: "#/mediation" }, t("med.back"))), box, body);
  await draw();
}

function assignPanel(r, res, box, draw) {
  const budgets = res.budgets || [];
  const budget = select(budgets.map((b) => [String(b.id), `${b.programme} · ${t("med.hours_left", { n: b.left_hours })}`]), budgets.length ? String(budgets[0].id) : "", () => {}, { id: "med-budget" });
  const override = el("input", { type: "checkbox", id: "med-override" });
  const sug = res.suggestions || [];
  const rows = sug.length ? el("ul", { class: "suggestions", id: "med-suggestions" }, sug.map((s) => el("li", { "data-mediator": s.mediator.id },
    el("strong", {}, s.mediator.name), ` · ${s.mediator.languages.map((l) => langName(l)).join(", ")} · ${t("med.load", { n: s.load })} `,
    el("button", { type: "button", class: "btn small", on: { click: async () => {
      try {
        await api("POST", `/mediation/requests/${r.id}/assign`, { mediator: s.mediator.id, budget: Number(budget.value) || 0, override: override.checked });
        notice(box, t("med.assigned", { name: s.mediator.name }));
        await draw();
      } catch (err) {
        showError(err, box);
      }
    } } }, t("med.assign")))))
    : el("p", { class: "empty" }, t("med.no_suggestion"));
  return el("section", { class: "panel", "aria-labelledby": "med-assign-h" }, el("h2", { id: "med-assign-h" }, t("med.suggested")),
    budgets.length ? field(t("med.budget"), budget, { path: "budget" }) : el("p", { class: "notice warn" }, t("med.no_budget")),
    el("label", { class: "check" }, override, " ", t("med.override")), rows);
}

function reschedulePanel(r, box, draw) {
  const date = el("input", { type: "date", value: r.date, id: "med-r-date" });
  const from = el("input", { type: "time", value: r.from, id: "med-r-from" });
  const to = el("input", { type: "time", value: r.to, id: "med-r-to" });
  const form = el("form", { class: "panel", novalidate: true, "aria-labelledby": "med-resched-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    try {
      await api("POST", `/mediation/requests/${r.id}/reschedule`, { date: date.value, from: from.value, to: to.value });
      notice(box, t("med.done"));
      await draw();
    } catch (err) {
      showError(err, box, form);
    }
  } } }, el("h2", { id: "med-resched-h" }, t("med.reschedule")),
  el("div", { class: "row-fields" }, field(t("med.date"), date, { path: "date" }), field(t("med.from"), from, { path: "from" }), field(t("med.to"), to, { path: "to" })),
  el("button", { type: "submit", class: "btn secondary" }, t("med.reschedule")));
  return form;
}

function closePanel(r, box, draw) {
  const hours = el("input", { type: "number", min: "0.25", max: "12", step: "0.25", value: String(r.duration_hours), id: "med-c-hours", inputMode: "decimal" });
  const override = el("input", { type: "checkbox", id: "med-c-override" });
  const form = el("form", { class: "panel", novalidate: true, "aria-labelledby": "med-close-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    try {
      await api("POST", `/mediation/requests/${r.id}/close`, { hours: Number(hours.value), override: override.checked });
      notice(box, t("med.done"));
      await draw();
    } catch (err) {
      showError(err, box, form);
    }
  } } }, el("h2", { id: "med-close-h" }, t("med.close")),
  field(t("med.used"), hours, { path: "hours" }), el("label", { class: "check" }, override, " ", t("med.override")),
  el("button", { type: "submit", class: "btn" }, t("med.close")));
  return form;
}

// ---- the request form --------------------------------------------------------

export async function mediationForm(view) {
  const opts = await mediationOptions();
  const box = el("div", { class: "notice", hidden: true });
  const orgs = (await api("GET", "/mediation/orgs")).orgs;
  const tomorrow = isoDay(new Date(Date.now() + 86400000));
  const input = (id, props = {}) => el("input", { type: "text", id: `med-${id}`, autocomplete: "off", ...props });
  const org = select(orgs.map((o) => [String(o.id), o.name]), orgs.length ? String(orgs[0].id) : "", () => {}, { id: "med-org" });
  const language = input("language", { maxLength: 3, required: true, spellcheck: false, dir: "ltr" });
  const mode = select(opts.modes.map((m) => [m, t(`med.mode.${m}`)]), "in_person", () => { address.closest(".field").hidden = mode.value !== "in_person"; }, { id: "med-mode" });
  const address = input("address", { maxLength: 300 });
  const myTerr = orgs.length ? orgs[0].territory : "";
  const territory = select(state.territories.map((x) => [x.id, pick(x.name)]), myTerr, () => {}, { id: "med-territory" });
  const date = input("date", { type: "date", min: tomorrow, value: tomorrow, required: true });
  const from = input("from", { type: "time", value: "09:00", required: true });
  const to = input("to", { type: "time", value: "11:00", required: true });
  const duration = input("duration", { type: "number", min: "0.5", max: String(opts.max_duration_hours), step: "0.5", value: "2", inputMode: "decimal" });
  const topic = select(opts.topics.map((x) => [x, t(`med.topic.${x}`)]), opts.topics[0], () => {}, { id: "med-topic" });
  const urgency = select(opts.urgencies.map((x) => [x, t(`med.urgency.${x}`)]), "normal", () => {}, { id: "med-urgency" });
  const notes = el("textarea", { id: "med-notes", rows: 4, maxLength: opts.max_notes });
  const contact = input("contact", { maxLength: 200, required: true, autocomplete: "name" });
  const phone = input("phone", { type: "tel", maxLength: 40, autocomplete: "tel", dir: "ltr" });
  const form = el("form", { class: "panel med-form", novalidate: true, "aria-labelledby": "med-form-h", on: { submit: async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    const req = { org: Number(org.value) || 0, language: language.value.trim().toLowerCase(), mode: mode.value, address: address.value, territory: territory.value,
      date: date.value, from: from.value, to: to.value, duration_hours: Number(duration.value), topic: topic.value, urgency: urgency.value,
      notes: notes.value, contact_name: contact.value, contact_phone: phone.value };
    try {
      const res = await api("POST", "/mediation/requests", req);
      location.hash = `#/mediation/requests/${res.request.id}`;
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("h2", { id: "med-form-h", class: "sr" }, t("med.new")),
  orgs.length > 1 || coordinating() ? field(t("med.body"), org, { path: "org" }) : el("p", {}, t("med.for_body", { name: orgs.length ? orgs[0].name : "—" })),
  field(t("med.language"), language, { path: "language", hint: t("med.language_code_hint") }),
  el("div", { class: "row-fields" }, field(t("med.mode"), mode, { path: "mode" }), field(t("med.territory"), territory, { path: "territory" })),
  field(t("med.address"), address, { path: "address" }),
  el("div", { class: "row-fields" }, field(t("med.date"), date, { path: "date" }), field(t("med.from"), from, { path: "from" }), field(t("med.to"), to, { path: "to" })),
  el("div", { class: "row-fields" }, field(t("med.duration"), duration, { path: "duration_hours", hint: t("med.duration_hint") }), field(t("med.topic"), topic, { path: "topic" }), field(t("med.urgency"), urgency, { path: "urgency" })),
  field(t("med.notes"), notes, { path: "notes", hint: t("med.notes_hint", { n: opts.max_notes }) }),
  el("div", { class: "row-fields" }, field(t("med.contact"), contact, { path: "contact_name" }), field(t("med.phone"), phone, { path: "contact_phone" })),
  el("button", { type: "submit", class: "btn", id: "med-submit" }, t("med.send")));
  view.append(el("h1", {}, t("med.new")), el("p", { class: "notice warn", id: "med-privacy" }, t("med.privacy")), box, form);
}

// The form of a service (and of an event: a service in the category
// "events"), as the catalog stores it: texts per language, categories,
// languages spoken, phones, contacts, locations, hours and closures.

import { el, t, state, cat, api, field, checkbox, select, markDirty, pick, langName } from "./lib.js";
import { locationsEditor, cleanLocations } from "./locations.js";
import { weeklyEditor, exceptionsEditor, cleanHours } from "./hours.js";
import { channelsEditor, cleanChannels } from "./channels.js";

const TEXTS = ["name", "description", "eligibility", "fees"];

function section(id, label, ...content) {
  return el("section", { id, class: "form-section", tabIndex: -1, "aria-labelledby": `${id}-h` }, el("h2", { id: `${id}-h` }, t(label)), content);
}

// listEditor draws a list of cards, each with a remove button, and an add
// button under them; the list is drawn again when it changes (the paths
// of the fields follow the indexes).
function listEditor(items, card, make, addLabel, texts, path) {
  const box = el("div", { class: "cards", "data-field": path });
  const add = el("button", { type: "button", class: "btn secondary", on: { click: () => {
    items.push(make());
    markDirty();
    draw();
    const inputs = box.lastElementChild && box.lastElementChild.querySelectorAll("input, textarea, select");
    if (inputs && inputs.length) inputs[0].focus();
  } } }, `+ ${addLabel}`);
  const draw = () => {
    box.replaceChildren(...items.map((item, i) => {
      const c = card(item, i);
      c.append(el("button", { type: "button", class: "btn secondary danger small", on: { click: () => {
        items.splice(i, 1);
        markDirty();
        draw();
        add.focus();
      } } }, `${t("common.remove")}: ${c.querySelector("legend").textContent}`));
      return c;
    }));
    texts.refresh();
  };
  draw();
  return el("div", {}, box, add);
}

function input(obj, key, props = {}) {
  return el("input", { type: "text", value: obj[key] || "", ...props, on: { input: (e) => {
    const v = e.target.value.trim();
    if (v) obj[key] = v;
    else delete obj[key];
    markDirty();
  } } });
}

export function serviceSpec(event) {
  return {
    kind: "service",
    newTitle: event ? "list.new_event" : "svc.title_new",
    preview: true,
    withdraw: true,
    withdrawHint: "edit.withdraw_hint",
    lockedWhy: "common.outside",
    canWithdraw: (pub) => pub.status !== "withdrawn",
    title: (doc) => pick(doc.name),
    sections: [["sec-texts", "svc.section.texts"], ["sec-general", "svc.section.general"], ["sec-contacts", "svc.section.contacts"],
      ["sec-locations", "svc.section.locations"], ["sec-hours", "svc.section.hours"], ["sec-exceptions", "svc.section.exceptions"], ["sec-channels", "svc.section.channels"]],

    newDoc: () => ({
      id: "", status: "active", name: {}, categories: event ? ["events"] : [], languages: ["it"],
      by_appointment: false, open_on_holidays: false, hours: { weekly: [] }, locations: [],
    }),

    normalise(doc) {
      for (const k of TEXTS) if (!doc[k]) doc[k] = {};
      for (const k of ["categories", "languages", "documents", "phones", "contacts", "locations", "channels"]) if (!doc[k]) doc[k] = [];
      for (const ch of doc.channels) if (!ch.hours) ch.hours = { weekly: [] };
      if (!doc.hours) doc.hours = {};
      if (!doc.hours.weekly) doc.hours.weekly = [];
      if (!doc.hours.exceptions) doc.hours.exceptions = [];
      if (!doc.status) doc.status = "active";
      for (const p of doc.phones) if (!p.description) p.description = {};
      for (const c of doc.contacts) if (!c.title) c.title = {};
    },

    build(doc, texts, ctx) {
      if (doc.locations.length === 0) {
        const tr = state.territories.find((x) => x.mine);
        const c = tr ? [+((tr.bbox[0] + tr.bbox[2]) / 2).toFixed(5), +((tr.bbox[1] + tr.bbox[3]) / 2).toFixed(5)] : [12.5, 42.9];
        doc.locations.push({ id: "", address: "", comune: "", point: c, wheelchair: false });
      }
      const locs = locationsEditor(doc, texts, ctx);
      ctx.onStart.push(locs.start);
      ctx.onStop = [locs.stop];
      return [
        section("sec-texts", "svc.section.texts",
          texts.field(t("svc.name"), doc.name, "name", { required: true }),
          texts.field(t("svc.description"), doc.description, "description", { multiline: true, rows: 5 }),
          texts.field(t("svc.eligibility"), doc.eligibility, "eligibility", { multiline: true, rows: 3 }),
          texts.field(t("svc.fees"), doc.fees, "fees"),
          el("h3", {}, t("svc.documents")),
          listEditor(doc.documents, (d, i) => el("fieldset", { class: "card compact", "data-field": `documents[${i}]` },
            el("legend", {}, t("svc.document", { n: i + 1 })),
            texts.field(t("svc.document", { n: i + 1 }), d, () => `documents[${i}]`)),
          () => ({}), t("svc.add_document"), texts, "documents")),
        section("sec-general", "svc.section.general", general(doc, ctx)),
        section("sec-contacts", "svc.section.contacts",
          el("h3", {}, t("svc.phones")),
          listEditor(doc.phones, (p, i) => el("fieldset", { class: "card", "data-field": `phones[${i}]` },
            el("legend", {}, t("svc.phone", { n: i + 1 })),
            el("div", { class: "row-fields" },
              field(t("svc.phone_number"), input(p, "number", { type: "tel", dir: "ltr", required: true }), { path: `phones[${i}].number` }),
              field(t("svc.phone_type"), select(state.ref.phone_types.map((x) => [x, t(`phone.${x}`)]), p.type || "voice", (v) => { p.type = v; markDirty(); }), { path: `phones[${i}].type` })),
            texts.field(t("svc.phone_description"), p.description, () => `phones[${i}].description`)),
          () => ({ number: "", type: "voice", description: {} }), t("svc.add_phone"), texts, "phones"),
          el("h3", {}, t("svc.contacts")),
          listEditor(doc.contacts, (c, i) => el("fieldset", { class: "card", "data-field": `contacts[${i}]` },
            el("legend", {}, t("svc.contact", { n: i + 1 })),
            el("div", { class: "row-fields" },
              field(t("svc.contact_name"), input(c, "name"), { path: `contacts[${i}].name` }),
              field(t("svc.contact_email"), input(c, "email", { type: "email", dir: "ltr" }), { path: `contacts[${i}].email` }),
              field(t("svc.contact_phone"), input(c, "phone", { type: "tel", dir: "ltr" }), { path: `contacts[${i}].phone` })),
            texts.field(t("svc.contact_title"), c.title, () => `contacts[${i}].title`)),
          () => ({ title: {} }), t("svc.add_contact"), texts, "contacts")),
        section("sec-locations", "svc.section.locations", locs),
        section("sec-hours", "svc.section.hours", el("h3", { class: "sr" }, t("hours.weekly")), weeklyEditor(doc.hours)),
        section("sec-exceptions", "svc.section.exceptions", exceptionsEditor(doc.hours, texts)),
        section("sec-channels", "svc.section.channels", channelsEditor(doc)),
      ];
    },

    // beforeSave names the locations left without an identifier after the
    // service (loc-ID, loc-ID-2, …), on screen too.
    beforeSave(doc, form) {
      doc.locations.forEach((l, i) => {
        if (l.id || !doc.id) return;
        l.id = `loc-${doc.id}${i ? `-${i + 1}` : ""}`;
        const input = form.querySelector(`[data-field="locations[${i}].id"] input`);
        if (input) input.value = l.id;
      });
      // A desk chosen before its location had an identifier is at the first.
      for (const ch of doc.channels || []) if (ch.kind === "in_person" && !ch.location_id && doc.locations[0]) ch.location_id = doc.locations[0].id;
    },

    clean(out) {
      for (const k of TEXTS) if (Object.keys(out[k] || {}).length === 0) delete out[k];
      out.documents = out.documents.filter((d) => Object.keys(d).length > 0);
      for (const p of out.phones) {
        if (Object.keys(p.description || {}).length === 0) delete p.description;
        if (!p.type) delete p.type;
      }
      for (const c of out.contacts) if (Object.keys(c.title || {}).length === 0) delete c.title;
      out.contacts = out.contacts.filter((c) => Object.keys(c).length > 0);
      for (const k of ["documents", "phones", "contacts"]) if (out[k].length === 0) delete out[k];
      for (const k of ["url", "email", "organization_id"]) if (!out[k]) delete out[k];
      cleanHours(out.hours);
      cleanLocations(out.locations);
      cleanChannels(out);
      return out;
    },
  };
}

// general: status, organization, categories, languages, web and flags.
function general(doc, ctx) {
  const orgSelect = select([["", t("svc.no_org")]], doc.organization_id || "", (v) => { doc.organization_id = v; markDirty(); });
  if (doc.organization_id) orgSelect.append(el("option", { value: doc.organization_id, selected: true }, doc.organization_id));
  api("GET", "/organizations?limit=500").then((res) => {
    orgSelect.replaceChildren(el("option", { value: "" }, t("svc.no_org")),
      ...res.items.map((o) => el("option", { value: o.id, selected: o.id === doc.organization_id }, `${pick(o.name)} (${o.id})`)));
  }).catch(() => {});

  const cats = el("fieldset", { class: "choices", "data-field": "categories" }, el("legend", {}, t("svc.categories")),
    state.ref.categories.map((c) => checkbox(cat(`category.${c.id}`), doc.categories.includes(c.id), (on) => {
      doc.categories = on ? [...new Set([...doc.categories, c.id])] : doc.categories.filter((x) => x !== c.id);
      markDirty();
    }, { value: c.id, disabled: ctx.path === "events" && c.id === "events" })));

  const ui = state.ref.languages;
  const others = el("input", { type: "text", dir: "ltr", autocomplete: "off", value: doc.languages.filter((l) => !ui.includes(l)).join(", "),
    on: { input: (e) => {
      const typed = e.target.value.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
      doc.languages = [...doc.languages.filter((l) => ui.includes(l)), ...typed];
      markDirty();
    } } });
  const langs = el("fieldset", { class: "choices langs", "data-field": "languages" }, el("legend", {}, t("svc.languages")),
    ui.map((l) => checkbox(`${langName(l)} (${l})`, doc.languages.includes(l), (on) => {
      doc.languages = on ? [...new Set([...doc.languages, l])] : doc.languages.filter((x) => x !== l);
      markDirty();
    }, { value: l })),
    field(t("svc.other_languages"), others, { cls: "wide" }));

  return [
    el("div", { class: "row-fields" },
      field(t("svc.status"), select(state.ref.statuses.map((s) => [s, t(`status.${s}`)]), doc.status, (v) => { doc.status = v; markDirty(); }, { id: "svc-status" }), { path: "status" }),
      field(t("svc.organization"), orgSelect, { path: "organization_id" })),
    cats,
    langs,
    el("div", { class: "row-fields" },
      field(t("svc.url"), input(doc, "url", { type: "url", dir: "ltr", placeholder: "https://" }), { path: "url", cls: "wide" }),
      field(t("svc.email"), input(doc, "email", { type: "email", dir: "ltr" }), { path: "email" })),
    el("div", { class: "row-fields" },
      checkbox(t("svc.by_appointment"), !!doc.by_appointment, (v) => { doc.by_appointment = v; markDirty(); }),
      checkbox(t("svc.open_on_holidays"), !!doc.open_on_holidays, (v) => { doc.open_on_holidays = v; markDirty(); })),
  ];
}

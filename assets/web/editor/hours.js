// Opening hours: weekly slots (several a day) and dated exceptions
// (closures or special hours, with a note per language).

import { el, t, cat, field, select, markDirty } from "./lib.js";

const clockPattern = "([01][0-9]|2[0-3]):[0-5][0-9]|24:00";

function clockInput(value, label, onInput) {
  return el("input", { type: "text", value: value || "", class: "clock", inputmode: "numeric", pattern: clockPattern,
    placeholder: "09:00", maxLength: 5, "aria-label": label, autocomplete: "off",
    on: { input: (e) => { onInput(e.target.value.trim()); markDirty(); } } });
}

// weeklyEditor draws the week: a row per weekday with its slots. path
// names the hours in the record (a channel's are channels[0].hours).
export function weeklyEditor(hours, path = "hours") {
  const box = el("div", { class: "weekly", "data-field": `${path}.weekly` });
  const draw = () => {
    // The order sent is the order shown, so a server error's index
    // (hours.weekly[3].closes) points at the right input.
    hours.weekly.sort((a, b) => a.weekday - b.weekday || (a.opens || "").localeCompare(b.opens || ""));
    const rows = [];
    for (let day = 1; day <= 7; day++) {
      const name = cat(`weekday.${day}`);
      const slots = [];
      hours.weekly.forEach((s, i) => {
        if (s.weekday !== day) return;
        const n = slots.length + 1;
        slots.push(el("div", { class: "slot", "data-field": `${path}.weekly[${i}]`, "data-error-host": "" },
          el("span", { class: "slot-inputs", role: "group", "aria-label": t("hours.slot", { n, day: name }) },
            el("span", { "data-field": `${path}.weekly[${i}].opens` }, clockInput(s.opens, `${t("hours.opens")} (${name}, ${n})`, (v) => { s.opens = v; })),
            el("span", { "aria-hidden": "true" }, "–"),
            el("span", { "data-field": `${path}.weekly[${i}].closes` }, clockInput(s.closes, `${t("hours.closes")} (${name}, ${n})`, (v) => { s.closes = v; }))),
          el("button", { type: "button", class: "btn secondary icon danger", "aria-label": t("hours.remove_slot", { from: s.opens, to: s.closes, day: name }),
            title: t("common.remove"), on: { click: () => { hours.weekly.splice(i, 1); markDirty(); draw(); focusDay(day); } } }, "✕")));
      });
      rows.push(el("div", { class: "day", "data-day": day },
        el("span", { class: "day-name" }, name),
        el("div", { class: "slots" }, slots.length ? slots : el("span", { class: "muted" }, t("hours.closed_day"))),
        el("button", { type: "button", class: "btn secondary small add-slot", "aria-label": `${t("hours.add_slot")}: ${name}`,
          on: { click: () => {
            const last = hours.weekly.filter((s) => s.weekday === day).pop();
            hours.weekly.push(last ? { weekday: day, opens: "15:00", closes: "18:00" } : { weekday: day, opens: "09:00", closes: "13:00" });
            markDirty();
            draw();
            const inputs = box.querySelectorAll(`[data-day="${day}"] .slot input`);
            if (inputs.length) inputs[inputs.length - 2].focus();
          } } }, `+ ${t("hours.add_slot")}`)));
    }
    box.replaceChildren(...rows);
  };
  const focusDay = (day) => {
    const b = box.querySelector(`[data-day="${day}"] .add-slot`);
    if (b) b.focus();
  };
  draw();
  return box;
}

// exceptionsEditor draws the dated exceptions as cards.
export function exceptionsEditor(hours, texts) {
  const box = el("div", { class: "cards", "data-field": "hours.exceptions" });
  const add = el("button", { type: "button", class: "btn secondary", on: { click: () => {
    hours.exceptions.push({ date: new Date().toISOString().slice(0, 10), closed: true });
    markDirty();
    draw();
    const dates = box.querySelectorAll("input[type=date]");
    dates[dates.length - 1].focus();
  } } }, `+ ${t("hours.add_exception")}`);
  const draw = () => {
    box.replaceChildren(...hours.exceptions.map((x, i) => {
      const path = `hours.exceptions[${i}]`;
      const times = el("div", { class: "row-fields", hidden: x.closed },
        field(t("hours.opens"), clockInput(x.opens, t("hours.opens"), (v) => { x.opens = v; }), { path: `${path}.opens` }),
        field(t("hours.closes"), clockInput(x.closes, t("hours.closes"), (v) => { x.closes = v; }), { path: `${path}.closes` }));
      if (!x.note) x.note = {};
      return el("fieldset", { class: "card", "data-field": path },
        el("legend", {}, t("hours.exception", { n: i + 1 })),
        el("div", { class: "row-fields" },
          field(t("hours.date"), el("input", { type: "date", value: x.date || "", required: true, on: { input: (e) => { x.date = e.target.value; markDirty(); } } }), { path: `${path}.date` }),
          field(t("hours.kind"), select([["closed", t("hours.closed")], ["special", t("hours.special")]], x.closed ? "closed" : "special", (v) => {
            x.closed = v === "closed";
            if (!x.closed && !x.opens) Object.assign(x, { opens: "09:00", closes: "12:00" });
            times.hidden = x.closed;
            markDirty();
            draw();
          }), { path: `${path}.closed` })),
        times,
        texts.field(t("hours.note"), x.note, () => `${path}.note`),
        el("button", { type: "button", class: "btn secondary danger small", on: { click: () => { hours.exceptions.splice(i, 1); markDirty(); draw(); add.focus(); } } },
          `${t("common.remove")}: ${t("hours.exception", { n: i + 1 })}`));
    }));
    texts.refresh();
  };
  draw();
  return el("div", {}, box, add);
}

// cleanHours drops what the catalog does not want: times of a closure,
// empty notes.
export function cleanHours(hours) {
  for (const x of hours.exceptions) {
    if (x.closed) {
      delete x.opens;
      delete x.closes;
    }
    if (x.note && Object.keys(x.note).length === 0) delete x.note;
  }
  if (hours.exceptions.length === 0) delete hours.exceptions;
}

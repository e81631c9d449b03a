// A service's channels: the ways it is reached, each with its own hours
// and languages: a desk at one of its locations, a phone desk, a video
// call. Closure mode (closures.js) closes the desks of a territory and
// brings its phone desks forward.

import { el, t, field, select, markDirty } from "./lib.js";
import { weeklyEditor } from "./hours.js";

const KINDS = ["in_person", "phone", "video"];

// channelsEditor draws the channels as cards; a card's fields follow the
// channel's kind. Paths name the fields as the server's errors do
// (channels[1].phone).
export function channelsEditor(doc) {
  const box = el("div", { class: "cards", "data-field": "channels" });
  const add = el("button", { type: "button", class: "btn secondary", id: "add-channel", on: { click: () => {
    const n = doc.channels.length + 1;
    doc.channels.push({ id: `channel-${n}`, kind: "phone", phone: "", languages: [], hours: { weekly: [] } });
    markDirty();
    draw();
    const inputs = box.lastElementChild && box.lastElementChild.querySelectorAll("input, select");
    if (inputs && inputs.length) inputs[0].focus();
  } } }, `+ ${t("chan.add")}`);
  const text = (ch, key, props) => el("input", { type: "text", value: ch[key] || "", ...props, on: { input: (e) => {
    const v = e.target.value.trim();
    if (v) ch[key] = v;
    else delete ch[key];
    markDirty();
  } } });
  const card = (ch, i) => {
    const path = `channels[${i}]`;
    const legend = t("chan.channel", { n: i + 1 });
    const specific = [];
    if (ch.kind === "in_person") {
      const locs = doc.locations.map((l, j) => [l.id, `${l.address || t("chan.location_n", { n: j + 1 })}${l.comune ? `, ${l.comune}` : ""}`]);
      if (!ch.location_id && locs.length) ch.location_id = locs[0][0];
      specific.push(field(t("chan.location"), select(locs, ch.location_id || "", (v) => { ch.location_id = v; markDirty(); }), { path: `${path}.location_id` }));
    }
    if (ch.kind !== "video") {
      specific.push(field(ch.kind === "phone" ? t("chan.phone") : t("chan.phone_optional"), text(ch, "phone", { type: "tel", dir: "ltr", required: ch.kind === "phone", autocomplete: "off" }), { path: `${path}.phone` }));
    }
    if (ch.kind === "video") specific.push(field(t("chan.url"), text(ch, "url", { type: "url", dir: "ltr", placeholder: "https://", required: true }), { path: `${path}.url`, cls: "wide" }));
    const langs = el("input", { type: "text", dir: "ltr", autocomplete: "off", value: (ch.languages || []).join(", "), on: { input: (e) => {
      ch.languages = e.target.value.split(/[\s,;]+/).map((x) => x.trim().toLowerCase()).filter(Boolean);
      markDirty();
    } } });
    const remove = el("button", { type: "button", class: "btn secondary danger small", on: { click: () => {
      doc.channels.splice(i, 1);
      markDirty();
      draw();
      add.focus();
    } } }, `${t("common.remove")}: ${legend}`);
    return el("fieldset", { class: "card channel", "data-field": path },
      el("legend", {}, legend),
      el("div", { class: "row-fields" },
        field(t("chan.id"), text(ch, "id", { dir: "ltr", required: true, autocomplete: "off" }), { path: `${path}.id` }),
        field(t("chan.kind"), select(KINDS.map((k) => [k, t(`chan.kind.${k}`)]), ch.kind, (v) => {
          ch.kind = v;
          if (v !== "in_person") delete ch.location_id;
          if (v !== "video") delete ch.url;
          if (v === "video") delete ch.phone;
          markDirty();
          draw();
        }), { path: `${path}.kind` }),
        ...specific),
      field(t("chan.languages"), langs, { path: `${path}.languages`, hint: t("chan.languages_hint"), cls: "wide" }),
      el("h3", {}, t("chan.hours")),
      weeklyEditor(ch.hours, `${path}.hours`),
      remove);
  };
  const draw = () => box.replaceChildren(...doc.channels.map(card));
  draw();
  return el("div", {}, el("p", { class: "hint" }, t("chan.hint")), box, add);
}

// cleanChannels drops what the catalog does not want: empty lists, and
// no channels at all.
export function cleanChannels(out) {
  for (const ch of out.channels || []) {
    if (!ch.languages || ch.languages.length === 0) delete ch.languages;
    for (const k of ["phone", "url", "location_id"]) if (!ch[k]) delete ch[k];
    if (!ch.hours) ch.hours = { weekly: [] };
  }
  if (!out.channels || out.channels.length === 0) delete out.channels;
}

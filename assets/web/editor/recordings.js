// Recordings: audio of a text the screens hold, in one language, that the
// totems play instead of their own synthesis (espeak-ng), and the only
// voice of Tigrinya. An editor or a mediator uploads a file (WAV, Ogg, MP3
// or WebM); it goes out at once through the feed.

import { el, t, state, api, when, showError, notice, field, select, langName } from "./lib.js";

// refHint lists the texts a recording can be of.
const kinds = ["ui", "service", "alert", "page"];

export async function recordingsScreen(view) {
  const box = el("div", { class: "notice", hidden: true });
  const list = el("div", { id: "recordings-list" });
  const data = await api("GET", "/recordings");

  const lang = select(data.languages.map((l) => [l, `${langName(l)} (${l})`]), "ti", () => {}, { id: "rec-lang" });
  const kind = select(kinds.map((k) => [k, t(`rec.kind.${k}`)]), "ui", () => {}, { id: "rec-kind" });
  const keys = Object.keys((state.catalog && state.catalog.messages) || {}).sort();
  const key = el("input", { id: "rec-key", required: true, list: "rec-keys", autocomplete: "off", spellcheck: false });
  const datalist = el("datalist", { id: "rec-keys" }, keys.map((k) => el("option", { value: k })));
  const fieldOf = select([["name", t("rec.field.name")], ["description", t("rec.field.description")], ["title", t("rec.field.title")], ["body", t("rec.field.body")]], "name", () => {}, { id: "rec-field" });
  const file = el("input", { id: "rec-file", type: "file", accept: "audio/wav,audio/x-wav,audio/ogg,audio/mpeg,audio/webm", required: true });

  const ref = () => {
    const k = kind.value, id = key.value.trim();
    return k === "ui" || k === "alert" ? `${k}:${id}` : `${k}:${id}:${fieldOf.value}`;
  };
  const form = el("form", { id: "rec-form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    const f = file.files[0];
    if (!f) {
      notice(box, t("rec.no_file"), "error");
      return;
    }
    if (f.size > data.max_bytes) {
      notice(box, t("rec.too_large", { mb: (data.max_bytes / 1048576).toFixed(0) }), "error");
      return;
    }
    try {
      const q = new URLSearchParams({ ref: ref(), lang: lang.value });
      await api("PUT", `/recordings?${q}`, f);
      notice(box, t("rec.done"));
      form.reset();
      draw(await api("GET", "/recordings"));
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("div", { class: "row-fields" },
    field(t("rec.lang"), lang, { path: "lang" }),
    field(t("rec.kind"), kind),
    field(t("rec.key"), key, { path: "ref", hint: t("rec.key_hint") }),
    field(t("rec.field"), fieldOf)),
  datalist,
  field(t("rec.file"), file, { path: "audio", hint: t("rec.file_hint", { mb: (data.max_bytes / 1048576).toFixed(0) }) }),
  el("button", { type: "submit", class: "btn" }, t("rec.upload")));

  function draw(d) {
    if (!d.recordings.length) {
      list.replaceChildren(el("p", {}, t("rec.none")));
      return;
    }
    list.replaceChildren(el("table", { class: "grid" },
      el("thead", {}, el("tr", {}, [t("rec.text"), t("rec.lang"), t("rec.size"), t("rec.updated"), ""].map((h) => el("th", { scope: "col" }, h)))),
      el("tbody", {}, d.recordings.map((r) => {
        const q = new URLSearchParams({ ref: r.ref, lang: r.lang });
        return el("tr", { "data-id": r.id },
          el("th", { scope: "row" }, el("code", {}, r.ref)),
          el("td", {}, langName(r.lang)),
          el("td", {}, `${Math.ceil(r.bytes / 1024)} KB · ${r.type}`),
          el("td", {}, when(r.updated_at)),
          el("td", {},
            el("audio", { controls: true, preload: "none", src: `/editor/api/recordings/audio?${q}`, "aria-label": t("rec.listen", { text: r.ref }) }),
            el("button", { type: "button", class: "btn secondary danger small", on: { click: async () => {
              try {
                await api("DELETE", `/recordings?${q}`);
                draw(await api("GET", "/recordings"));
              } catch (err) {
                showError(err, box);
              }
            } } }, t("rec.delete"))));
      }))));
  }

  view.append(el("h1", {}, t("rec.title")), el("p", { class: "lead" }, t("rec.lead")), box, form, el("h2", {}, t("rec.list")), list);
  draw(data);
}

// The screen that edits one record (a service, an event, an alert or a
// page): its form, the language buttons with the translation status, and
// the actions: save draft, discard, preview, publish, withdraw.

import { el, t, state, api, notice, showError, clearFieldErrors, clone, markDirty, when, clockTime, validID, field, ApiError, languageWarnings } from "./lib.js";
import { Texts } from "./texts.js";
import { openPreview } from "./preview.js";

// recordScreen draws the editor of one record into view. spec is what the
// kind brings: newDoc(id), normalise(doc), build(doc, texts, ctx) → form
// content, clean(doc) → the document to send, title(doc).
export async function recordScreen(view, { spec, path, id, flash, warnings }) {
  let isNew = id === "+new";
  let rec = null;
  let doc;
  if (isNew) {
    doc = spec.newDoc();
  } else {
    try {
      rec = await api("GET", `/${path}/${encodeURIComponent(id)}`);
    } catch (err) {
      if (err.status === 404) {
        view.append(el("h1", {}, t("edit.not_found", { id })), el("p", {}, el("a", { href: `#/${path}` }, t("common.back_to_list"))));
        return;
      }
      throw err;
    }
    doc = clone(rec.draft ? rec.draft.doc : rec.published);
  }
  spec.normalise(doc);
  const editable = isNew || rec.editable;
  const texts = new Texts(rec && rec.translations, () => { title.textContent = spec.title(doc) || doc.id || t(spec.newTitle); });

  // ---- header -------------------------------------------------------------
  const title = el("h1", { id: "record-title" }, spec.title(doc) || doc.id || t(spec.newTitle));
  const meta = el("p", { class: "meta" });
  const drawMeta = () => {
    const bits = [];
    if (!isNew) bits.push(el("code", {}, doc.id));
    if (rec && rec.published) bits.push(el("span", { class: "tag published" }, t("common.published_state")));
    else bits.push(el("span", { class: "tag new" }, t("common.new_record")));
    if (rec && rec.draft) bits.push(el("span", { class: "tag draft" }, t("common.draft_by", { who: rec.draft.author, when: when(rec.draft.updated_at) })));
    bits.push(el("span", { class: `tag ${editable ? "editable" : "locked"}` }, editable ? t("common.editable") : t("common.readonly")));
    meta.replaceChildren(...bits);
  };
  drawMeta();
  // Two message boxes: the state of the record under the title, and the
  // outcome of the last action beside the buttons (always in view).
  const box = el("div", { class: "notice", hidden: true });
  const status = el("div", { class: "notice", hidden: true, id: "action-status" });
  // What the last publish lacked: the languages visitors will not read it in.
  const warned = el("div", { class: "notice", hidden: true, id: "publish-warnings" });
  if (warnings) notice(warned, languageWarnings(warnings), "warn");
  const head = el("div", { class: "record-head" },
    el("a", { href: `#/${path}`, class: "back" }, `← ${t("common.back_to_list")}`), title, meta);

  // ---- form ---------------------------------------------------------------
  const form = el("form", { class: "record-form", novalidate: true, "aria-labelledby": "record-title", on: { submit: (e) => { e.preventDefault(); run(save); } } });
  const idInput = el("input", { type: "text", required: true, autocomplete: "off", pattern: "[A-Za-z0-9][A-Za-z0-9._:\\-]{0,127}",
    on: { input: (e) => { doc.id = e.target.value.trim(); markDirty(); } } });
  const ctx = { disabled: !editable, isNew, path, onStart: [] };
  const body = el("fieldset", { class: "plain", disabled: !editable },
    el("legend", { class: "sr" }, spec.title(doc) || t(spec.newTitle)),
    isNew ? field(t("common.id"), idInput, { hint: t("common.id_hint"), path: "id" }) : null,
    spec.build(doc, texts, ctx));
  form.append(body);

  // ---- actions ------------------------------------------------------------
  const btn = (label, cls, fn, extra = {}) => el("button", { type: "button", class: `btn ${cls}`, on: { click: () => run(fn) }, ...extra }, label);
  const saveBtn = btn(t("common.save_draft"), "", save, { id: "save-draft" });
  const previewBtn = spec.preview ? btn(t("common.preview"), "secondary", preview, { id: "preview" }) : null;
  const publishBtn = btn(t("common.publish"), "publish", publish, { id: "publish" });
  const discardBtn = btn(t("common.discard"), "secondary danger", discard, { id: "discard" });
  const withdrawBtn = spec.withdraw ? btn(t("common.withdraw"), "secondary danger", withdraw, { id: "withdraw", title: spec.withdrawHint ? t(spec.withdrawHint) : "" }) : null;
  const actions = el("div", { class: "actions", role: "group", "aria-label": t("common.actions") });
  const drawActions = () => {
    const list = [];
    if (editable) list.push(saveBtn);
    if (previewBtn && (editable || rec)) list.push(previewBtn);
    if (editable) list.push(publishBtn);
    if (editable && rec && rec.draft) list.push(discardBtn);
    if (editable && withdrawBtn && rec && rec.published && spec.canWithdraw(rec.published)) list.push(withdrawBtn);
    actions.replaceChildren(...list);
  };
  drawActions();

  let busy = false;
  async function run(fn) {
    if (busy) return;
    busy = true;
    actions.setAttribute("aria-busy", "true");
    for (const b of actions.querySelectorAll("button")) b.disabled = true;
    try {
      await fn();
    } catch (err) {
      showError(err, status, form);
    } finally {
      busy = false;
      actions.removeAttribute("aria-busy");
      for (const b of actions.querySelectorAll("button")) b.disabled = false;
    }
  }

  async function save() {
    clearFieldErrors(form);
    if (isNew) {
      if (!validID(doc.id || "")) throw new ApiError(400, { error: `id: ${t("common.id_hint")}`, field: "id" });
      // A new record must not overwrite the draft of one that exists.
      const exists = await api("GET", `/${path}/${encodeURIComponent(doc.id)}`).then(() => true, (err) => {
        if (err.status === 404) return false;
        throw err;
      });
      if (exists) throw new ApiError(409, { error: `${doc.id}`, code: "conflict", field: "id" });
    }
    if (spec.beforeSave) spec.beforeSave(doc, form);
    const out = spec.clean(clone(doc));
    const res = await api("PUT", `/${path}/${encodeURIComponent(doc.id)}/draft`, out);
    rec = rec || { kind: spec.kind, id: doc.id, published: null, editable: true };
    rec.draft = res.draft;
    texts.setStatus(res.translations);
    markDirty(false);
    if (isNew) {
      isNew = false;
      idInput.readOnly = true;
      history.replaceState(null, "", `#/${path}/${encodeURIComponent(doc.id)}`);
    }
    drawMeta();
    drawActions();
    notice(status, t("common.saved", { time: clockTime() }));
  }

  async function ensureSaved() {
    if (state.dirty || isNew || !rec || !rec.draft) await save();
  }
  // preview shows the draft, saved first if anything changed; a record
  // without a draft (and untouched) shows as published, with no draft
  // made just to look at it.
  async function preview() {
    if (editable && (state.dirty || isNew)) await save();
    await openPreview(doc.id, !(rec && rec.draft));
  }

  async function publish() {
    await ensureSaved();
    const res = await api("POST", "/publish", { drafts: [{ kind: spec.kind, id: doc.id }] });
    const msg = t("common.published", { seq: res.seq }) + (res.warning ? ` ${res.warning}` : "");
    await reload(msg, res.warnings);
  }

  async function discard() {
    if (!confirm(t("common.confirm_discard"))) return;
    await api("DELETE", `/${path}/${encodeURIComponent(doc.id)}/draft`);
    markDirty(false);
    if (rec && rec.published) await reload(t("common.discarded"));
    else location.hash = `#/${path}`;
  }

  async function withdraw() {
    if (!confirm(t("common.confirm_withdraw", { name: spec.title(doc) || doc.id }))) return;
    const res = await api("POST", `/${path}/${encodeURIComponent(doc.id)}/withdraw`, {});
    await reload(t("common.withdrawn", { seq: res.seq }));
  }

  async function reload(message, warnings) {
    markDirty(false);
    const fresh = el("div", { class: "page" });
    await recordScreen(fresh, { spec, path, id: doc.id, flash: message, warnings });
    if (!view.isConnected) return;
    if (view.cleanup) view.cleanup();
    view.replaceWith(fresh);
    const n = fresh.querySelector("#action-status");
    if (n) n.focus();
  }

  // ---- layout: the side panel (actions, languages) beside the form ----------
  const side = el("aside", { class: "side", "aria-label": t("common.actions") },
    actions, status, warned,
    spec.sections ? el("nav", { class: "jump", "aria-label": t("edit.sections") }, el("ul", {}, spec.sections.map(([id, label]) =>
      el("li", {}, el("a", { href: `#${id}`, on: { click: (e) => {
        e.preventDefault();
        const target = document.getElementById(id);
        target.scrollIntoView();
        target.focus({ preventScroll: true });
      } } }, t(label)))))) : null,
    el("div", { class: "tx-panel" },
      el("h2", { class: "small" }, t("tx.languages")),
      el("p", { class: "hint" }, t("tx.summary_hint")),
      texts.tabs()));
  if (!editable) {
    notice(box, t("common.not_editable", { why: t(spec.lockedWhy) }), "warn");
    box.id = "not-editable";
  }
  if (flash) {
    notice(status, flash);
    status.tabIndex = -1;
  }
  view.append(head, box, el("div", { class: "record" }, side, form));
  // Things that need the form on screen (the map needs its size).
  requestAnimationFrame(() => { for (const f of ctx.onStart) f(); });
  view.cleanup = () => { for (const f of ctx.onStop || []) f(); };
}

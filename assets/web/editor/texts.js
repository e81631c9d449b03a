// Texts in 15 languages: one row of language buttons switches every text
// field of a form to that language, and marks which translations are
// missing or older than the Italian source (the server's translation
// status, plus what was typed since it was last saved).

import { el, t, state, langName, rtl, clone, markDirty } from "./lib.js";

export class Texts {
  constructor(status, onChange) {
    this.lang = "it";
    this.status = status || { fields: [] };
    this.onChange = onChange || (() => {});
    this.widgets = new Set(); // every text field on show
    this.orig = new WeakMap(); // text object → as last saved
    this.bar = null;
  }

  get langs() {
    return state.ref.languages;
  }

  // setStatus takes the server's status after a save: what was typed is
  // now what the server knows.
  setStatus(status) {
    this.status = status || { fields: [] };
    for (const w of this.live()) this.orig.set(w.text, clone(w.text));
    this.refresh();
  }

  serverStale(path, lang) {
    const f = this.status.fields.find((x) => x.field === path);
    return !!(f && f.stale.includes(lang));
  }

  // state of one language of one text: "" (fine), "missing" or "stale".
  stateOf(w, lang) {
    const text = w.text;
    const has = Object.values(text).some((v) => v && v.trim());
    if (!has) return "";
    const v = (text[lang] || "").trim();
    if (!v) return "missing";
    if (lang === state.ref.source_language) return "";
    const o = this.orig.get(text) || {};
    const untouched = (o[lang] || "").trim() === v;
    const italianChanged = (o.it || "").trim() !== (text.it || "").trim();
    return untouched && (italianChanged || this.serverStale(w.path(), lang)) ? "stale" : "";
  }

  // tabs is the row of language buttons, with counts.
  tabs() {
    this.bar = el("div", { class: "langbar", role: "group", "aria-label": t("tx.languages") });
    for (const lang of this.langs) {
      const b = el("button", { type: "button", class: "langtab", "data-lang": lang, "aria-pressed": String(lang === this.lang),
        on: { click: () => this.switchTo(lang), keydown: (e) => this.arrows(e) } },
      el("span", { class: "code" }, lang.toUpperCase()),
      el("span", { class: "lname" }, langName(lang)),
      el("span", { class: "badge" }));
      this.bar.append(b);
    }
    this.refresh();
    return this.bar;
  }

  arrows(e) {
    const dir = { ArrowRight: 1, ArrowLeft: -1 }[e.key];
    if (!dir) return;
    const bs = [...this.bar.children];
    const i = bs.indexOf(e.currentTarget);
    const next = bs[(i + dir + bs.length) % bs.length];
    next.focus();
    e.preventDefault();
  }

  switchTo(lang) {
    this.lang = lang;
    for (const w of this.live()) w.sync();
    this.refresh();
  }

  // live drops the fields no longer on show (a list above them was drawn
  // again) and returns the others. A field never yet attached is kept: its
  // form is being built.
  live() {
    for (const w of this.widgets) {
      if (w.box.isConnected) w.attached = true;
      else if (w.attached) this.widgets.delete(w);
    }
    return [...this.widgets];
  }

  // field edits text (a Text object, changed in place) in the chosen
  // language. path() names it as the server does (it may change when a
  // list above it shrinks).
  field(label, text, path, { multiline = false, rows = 3, required = false } = {}) {
    if (!this.orig.has(text)) this.orig.set(text, clone(text));
    const id = `tx-${Math.random().toString(36).slice(2)}`;
    const input = multiline ? el("textarea", { id, rows }) : el("input", { id, type: "text" });
    const tag = el("span", { class: "lang-tag" });
    const source = el("p", { class: "source", id: `${id}-src` });
    const flag = el("p", { class: "tx-flag", id: `${id}-flag` });
    input.setAttribute("aria-describedby", `${id}-src ${id}-flag`);
    const box = el("div", { class: "field tx", "data-field": typeof path === "function" ? path() : path },
      el("label", { for: id }, label, required ? el("span", { "aria-hidden": "true" }, " *") : "", " ", tag), source, input, flag);
    const w = {
      text,
      box,
      path: typeof path === "function" ? path : () => path,
      sync: () => {
        const l = this.lang;
        input.value = text[l] || "";
        input.lang = l;
        input.dir = rtl(l) ? "rtl" : "ltr";
        tag.textContent = l.toUpperCase();
        tag.title = langName(l);
        const showSource = l !== state.ref.source_language;
        source.hidden = !showSource;
        source.replaceChildren(showSource ? (text.it ? t("tx.italian", { text: text.it }) : t("tx.italian_empty")) : "");
        w.flag();
      },
      flag: () => {
        const s = this.stateOf(w, this.lang);
        box.dataset.field = w.path();
        flag.className = `tx-flag ${s}`;
        flag.textContent = s === "missing" ? t("tx.flag_missing") : s === "stale" ? t("tx.flag_stale") : "";
        flag.hidden = !s;
      },
    };
    input.addEventListener("input", () => {
      const v = input.value;
      if (v) text[this.lang] = v;
      else delete text[this.lang];
      markDirty();
      this.refresh();
      this.onChange();
    });
    this.widgets.add(w);
    w.sync();
    return box;
  }

  // refresh recounts, per language, what is missing and outdated.
  refresh() {
    const counts = {};
    for (const l of this.langs) counts[l] = { missing: 0, stale: 0 };
    for (const w of this.live()) {
      w.flag();
      for (const l of this.langs) {
        const s = this.stateOf(w, l);
        if (s) counts[l][s]++;
      }
    }
    this.counts = counts;
    if (!this.bar) return;
    for (const b of this.bar.children) {
      const l = b.dataset.lang;
      const c = counts[l];
      b.setAttribute("aria-pressed", String(l === this.lang));
      b.dataset.missing = c.missing;
      b.dataset.stale = c.stale;
      const badge = b.querySelector(".badge");
      const parts = [];
      if (c.missing) parts.push(t("tx.missing_n", { n: c.missing }));
      if (c.stale) parts.push(t("tx.stale_n", { n: c.stale }));
      badge.className = `badge ${c.stale ? "stale" : c.missing ? "missing" : "done"}`;
      // Words for the side panel and screen readers; symbols where the
      // buttons are small (phones).
      const short = [c.missing ? `○${c.missing}` : "", c.stale ? `⚠${c.stale}` : ""].filter(Boolean).join(" ") || "✓";
      badge.replaceChildren(
        el("span", { class: "long" }, parts.length ? parts.join(" · ") : l === state.ref.source_language ? t("tx.source") : t("tx.complete")),
        el("span", { class: "short", "aria-hidden": "true" }, short));
    }
  }
}

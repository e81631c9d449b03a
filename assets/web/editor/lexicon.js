// Lexicon: the words search understands. Editors find a concept (doctor,
// permesso di soggiorno…), see its words in each language, and add the
// words people really type; a word typed in the form is looked up at once,
// so the editor sees which concept it joins before and after adding it.
// An added term goes out at once through the feed.

import { el, t, cat, state, api, showError, notice, field, select, checkbox, langName } from "./lib.js";

// How many concepts the list shows at once: the filter narrows them.
const SHOWN = 40;

export async function lexiconScreen(view) {
  const box = el("div", { class: "notice", hidden: true });
  let data = await api("GET", "/lexicon");
  const label = (c) => c.labels[state.lang] || c.labels.en || c.id;
  const byLabel = () => [...data.concepts].sort((a, b) => label(a).localeCompare(label(b), state.lang));

  const lang = select(data.languages.map((l) => [l, `${langName(l)} (${l})`]), "ar", () => { lookup(); draw(); }, { id: "lex-lang" });
  const concept = select(byLabel().map((c) => [c.id, `${label(c)} (${c.id})`]), "doctor", () => {}, { id: "lex-concept" });
  const term = el("input", { id: "lex-term", required: true, maxlength: data.max_term, autocomplete: "off", spellcheck: false,
    on: { input: () => lookup() } });
  let latin = false;
  const latinBox = checkbox(t("lex.latin"), false, (v) => { latin = v; }, { id: "lex-latin" });
  const joins = el("div", { id: "lex-joins", role: "status", "aria-live": "polite" });

  // lookup says which concepts the word in the form names now.
  let asked = 0;
  async function lookup() {
    const word = term.value.trim();
    const n = ++asked;
    if (!word) {
      joins.replaceChildren();
      return;
    }
    try {
      const r = await api("GET", `/lexicon/lookup?${new URLSearchParams({ term: word, lang: lang.value })}`);
      if (n !== asked) return;
      const names = [];
      for (const m of r.matched) {
        const c = data.concepts.find((x) => x.id === m.concept);
        const category = cat(`category.${m.category}`);
        names.push(c ? `${label(c)} · ${category}` : category);
      }
      joins.dataset.concepts = r.matched.map((m) => m.concept || "").filter(Boolean).join(" ");
      joins.replaceChildren(names.length
        ? el("p", {}, t("lex.joins", { term: word }), " ", el("strong", {}, [...new Set(names)].join(", ")))
        : el("p", {}, t("lex.joins_none", { term: word })));
    } catch (err) {
      if (n === asked) showError(err, box);
    }
  }

  const form = el("form", { id: "lex-form", novalidate: true, on: { submit: async (e) => {
    e.preventDefault();
    try {
      await api("PUT", "/lexicon/terms", { concept: concept.value, lang: lang.value, term: term.value, latin });
      notice(box, t("lex.done", { term: term.value.trim() }));
      data = await api("GET", "/lexicon");
      filter.value = concept.value;
      draw();
      await lookup();
    } catch (err) {
      showError(err, box, form);
    }
  } } },
  el("div", { class: "row-fields" },
    field(t("lex.concept"), concept, { path: "concept" }),
    field(t("lex.lang"), lang, { path: "lang" }),
    field(t("lex.term"), term, { path: "term", hint: t("lex.term_hint", { n: data.max_term }) })),
  latinBox,
  joins,
  el("button", { type: "submit", class: "btn" }, t("lex.add")));

  const filter = el("input", { id: "lex-filter", type: "search", autocomplete: "off", on: { input: () => draw() } });
  const list = el("div", { id: "lex-list" });

  function draw() {
    const q = filter.value.trim().toLowerCase();
    const l = lang.value;
    const found = byLabel().filter((c) => !q || c.id.includes(q) || label(c).toLowerCase().includes(q) ||
      Object.values(c.terms).some((ts) => ts.some((x) => x.term.toLowerCase().includes(q))));
    if (!found.length) {
      list.replaceChildren(el("p", {}, t("lex.none")));
      return;
    }
    list.replaceChildren(
      el("p", { class: "hint" }, t("lex.count", { n: found.length, shown: Math.min(found.length, SHOWN), lang: langName(l) })),
      el("table", { class: "grid" },
        el("thead", {}, el("tr", {}, [t("lex.concept"), t("lex.categories"), t("lex.terms", { lang: langName(l) })].map((h) => el("th", { scope: "col" }, h)))),
        el("tbody", {}, found.slice(0, SHOWN).map((c) => row(c, l)))));
  }

  function row(c, l) {
    return el("tr", { "data-concept": c.id },
      el("th", { scope: "row" }, label(c), " ", el("code", {}, c.id)),
      el("td", {}, c.categories.map((id) => cat(`category.${id}`)).join(", ")),
      el("td", {}, el("ul", { class: "terms", lang: l }, (c.terms[l] || []).map((x) => termItem(c, l, x)))));
  }

  function termItem(c, l, x) {
    const li = el("li", { "data-added": x.added ? "1" : null }, x.term, x.latin ? ` (${t("lex.latin_short")})` : "");
    if (!x.added) return li;
    const remove = async () => {
      try {
        await api("DELETE", "/lexicon/terms", { concept: c.id, lang: l, term: x.term });
        notice(box, t("lex.removed", { term: x.term }));
        data = await api("GET", "/lexicon");
        draw();
        await lookup();
      } catch (err) {
        showError(err, box);
      }
    };
    li.append(" ", el("span", { class: "badge", lang: state.lang }, t("lex.added")), " ",
      el("button", { type: "button", class: "btn secondary danger small", lang: state.lang, "aria-label": t("lex.remove_term", { term: x.term }), on: { click: remove } }, t("lex.remove")));
    return li;
  }

  view.append(el("h1", {}, t("lex.title")), el("p", { class: "lead" }, t("lex.lead")), box,
    el("h2", {}, t("lex.add_title")), form,
    el("h2", {}, t("lex.list")), field(t("lex.filter"), filter), list);
  draw();
}

// Honest language fallback. A text the catalog does not (yet) have in the
// visitor's language comes in another one, and the API says which: every
// text is {text, lang}. Such a text is shown with that language's name
// beside it, marked up in its own language and direction and isolated
// (<bdi>), so that its punctuation stays in place on a right-to-left
// screen. A screen holding any says so once, in the visitor's language,
// and offers a second language the visitor reads: the API then tries it
// right after theirs (the `second` parameter). The choice lives in the
// visit, like everything else, and is forgotten with it.

import { el } from "./lib/toolkit.js";

// Right-to-left languages beyond the UI's own (whose direction the node
// gives): a text may come in any language an editor wrote.
const RTL = new Set(["ar", "ur", "fa", "he", "ps", "ckb", "sd", "yi", "dv", "ug", "prs"]);

// Elements that hold a paragraph of their own.
const BLOCKS = new Set(["p", "li", "h1", "h2", "h3", "td", "dd", "blockquote", "div"]);

const base = (tag) => String(tag || "").split(/[-,]/)[0];

// fallback wires the module to the app: app.t renders a UI message,
// app.state is the visit ({lang, second}), app.languages() lists the UI
// languages ({tag, name, dir}), app.show and app.back move between
// screens.
export function fallback(app) {
  const viewer = () => app.state.lang || document.documentElement.lang || "it";
  const own = (tag) => app.languages().find((l) => l.tag === base(tag));
  const dirOf = (tag) => (own(tag) ? own(tag).dir : RTL.has(base(tag)) ? "rtl" : "ltr");

  // name is a language's name in the visitor's language; before a visitor
  // has chosen one (the attract screen), its own name.
  function name(tag) {
    if (!app.state.lang && own(tag)) return own(tag).name;
    const id = `language.${base(tag)}`;
    const m = app.t(id);
    if (m !== id) return m;
    try {
      return new Intl.DisplayNames([viewer()], { type: "language" }).of(tag) || tag;
    } catch {
      return tag;
    }
  }

  // list joins language names as the visitor's language does: with
  // Intl.ListFormat where the browser knows the language (not Tigrinya,
  // in Chromium), else with the UI's own "{a} and {b}".
  function list(names) {
    try {
      if (Intl.ListFormat.supportedLocalesOf([viewer()]).length) {
        return new Intl.ListFormat(viewer(), { type: "conjunction" }).format(names);
      }
    } catch {
      // an old browser: as below
    }
    if (names.length < 2) return names.join("");
    return app.t("fallback.pair", { a: names.slice(0, -1).join(", "), b: names[names.length - 1] });
  }

  // text builds element `tag` (with attrs) holding the text of loc, a
  // {text, lang}; render turns the string into nodes (withNumbers). A
  // text in another language than the visitor's carries its name and is
  // marked data-fallback with its language.
  // A paragraph (a block) in another language takes that language's
  // direction as a whole, so that it aligns and wraps as it reads and its
  // punctuation stays at its own end; its tag keeps the visitor's
  // language and direction. A phrase inside a line is an isolate.
  function text(tag, attrs, loc, render = (s) => s) {
    if (base(loc.lang) === base(viewer())) return el(tag, { ...attrs, lang: loc.lang }, render(loc.text));
    const block = BLOCKS.has(tag);
    const mine = own(viewer());
    const label = app.state.lang
      ? el("span", { class: "lang-tag", lang: block ? viewer() : null, dir: block ? (mine ? mine.dir : "ltr") : null }, name(loc.lang))
      : el("span", { class: "lang-tag", lang: loc.lang, dir: dirOf(loc.lang) }, name(loc.lang));
    const whole = block ? { lang: loc.lang, dir: dirOf(loc.lang) } : {};
    return el(tag, { ...attrs, ...whole, "data-fallback": base(loc.lang) }, label, " ",
      el("bdi", { class: "fb", lang: loc.lang, dir: dirOf(loc.lang) }, render(loc.text)));
  }

  // notice says, in box, once for the whole screen, which languages the
  // texts on show came in instead of the visitor's, and offers a second
  // language. It follows the screen by itself.
  function watch(box, ...roots) {
    const update = () => {
      const found = new Set();
      for (const r of roots) for (const e of r.querySelectorAll("[data-fallback]")) found.add(e.dataset.fallback);
      const screen = document.body.dataset.screen;
      if (!app.state.lang || found.size === 0 || screen === "second" || screen === "languages") {
        box.hidden = true;
        if (box.firstChild) box.replaceChildren(); // on a phone the box is inside what is watched
        delete box.dataset.key;
        return;
      }
      const langs = [...found].sort();
      const key = `${app.state.lang} ${app.state.second || ""} ${langs.join(" ")}`;
      if (box.dataset.key === key) return;
      box.dataset.key = key;
      box.replaceChildren(
        el("p", {}, app.t("fallback.notice", { language: name(app.state.lang), shown: list(langs.map(name)) })),
        el("button", { type: "button", class: "secondary", id: "second-lang", on: { click: () => app.show("second") } },
          app.t(app.state.second ? "fallback.change_second" : "fallback.choose_second")));
      box.hidden = false;
    };
    const seen = new MutationObserver(update);
    for (const r of roots) seen.observe(r, { childList: true, subtree: true });
    return update;
  }

  // screen is the second-language picker: the other UI languages, each
  // in its own script; a choice takes the visitor back to where they were,
  // drawn again with it.
  function screen(view) {
    const mine = base(app.state.lang);
    const pick = (tag) => {
      app.state.second = tag;
      app.back();
    };
    const buttons = app.languages().filter((l) => l.tag !== mine).map((l) => el("button", {
      class: "lang", type: "button", lang: l.tag, dir: l.dir, "data-second": l.tag,
      "aria-pressed": String(l.tag === app.state.second), on: { click: () => pick(l.tag) },
    }, l.name));
    (view.head || view).append(el("h1", {}, app.t("fallback.second_title")));
    view.append(el("p", { class: "hint" }, app.t("fallback.second_hint", { language: name(mine) })),
      el("div", { class: "langs" }, buttons));
    if (app.state.second) {
      view.append(el("p", {}, el("button", { type: "button", class: "secondary", id: "no-second", on: { click: () => pick(null) } },
        app.t("fallback.no_second"))));
    }
  }

  return { text, watch, screen, name };
}

// The first screens of a visit: the attract screen a totem shows while
// nobody uses it, and the language picker. On the attract screen every
// language waits at once as a button in the reach zone, under a touch
// pictogram; "touch to start" cycles through them above, to be read.

import { el, asset } from "../lib/toolkit.js";
import { env, screens, show, tally, chooseLanguage } from "../core.js";

let attractTimer = null;

// The picker's title: "language" in the languages most visitors read.
const LANGUAGE = "Lingua · Language · Langue · Idioma · اللغة · 语言";

const languageButtons = (pick) => el("div", { class: "langs" }, env.languages.map((l) => el("button", {
  class: "lang", type: "button", lang: l.tag, dir: l.dir, on: { click: () => pick(l.tag) },
}, l.name)));

screens.attract = (view) => {
  let i = 0;
  const line = el("p", { class: "touch" });
  const cycle = () => {
    const l = env.languages[i++ % env.languages.length];
    line.textContent = l.touch;
    line.lang = l.tag;
    line.dir = l.dir;
  };
  cycle();
  clearInterval(attractTimer);
  attractTimer = setInterval(cycle, 2500);
  const start = (then) => {
    clearInterval(attractTimer);
    tally("visit");
    then();
  };
  view.head.append(el("div", { class: "welcome" },
    el("img", { src: asset("icon.svg"), alt: "", width: 160, height: 160 }),
    el("span", { class: "brand" }, "Punto"), line));
  // Closure mode: the desks are closed, and the numbers to call need no
  // language (the visit then opens on where to call, in its own).
  if (env.closure && env.closure.desks.length) {
    view.head.append(el("p", { class: "closure-phones", id: "closure-phones", dir: "ltr" },
      el("span", { "aria-hidden": "true" }, "☎ "), [...new Set(env.closure.desks.map((d) => d.phone))].slice(0, 3).join(" · ")));
  }
  // The pictogram opens the full picker; each language starts the visit in it.
  const touch = el("button", { class: "attract", type: "button", on: { click: () => start(() => show("languages", null, false)) } },
    el("img", { src: asset("vendor/lucide/pointer.svg"), alt: "", width: 72, height: 72, class: "pictogram" }), el("span", {}, LANGUAGE));
  view.append(touch, languageButtons((tag) => start(() => chooseLanguage(tag))));
};

screens.languages = (view) => {
  view.head.append(el("h1", { class: "pick" }, LANGUAGE));
  view.append(languageButtons(chooseLanguage));
};

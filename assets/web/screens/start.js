// The first screens of a visit: the attract screen a totem shows while
// nobody uses it, and the language picker.

import { el, asset } from "../lib/toolkit.js";
import { env, screens, show, tally, chooseLanguage } from "../core.js";

let attractTimer = null;

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
  const start = el("button", { class: "attract", type: "button", on: { click: () => { clearInterval(attractTimer); tally("visit"); show("languages", null, false); } } },
    el("img", { src: asset("icon.svg"), alt: "", width: 160, height: 160 }),
    el("span", { class: "brand" }, "Punto"), line);
  view.append(start);
};

screens.languages = (view) => {
  const buttons = env.languages.map((l) => el("button", {
    class: "lang", type: "button", lang: l.tag, dir: l.dir, on: { click: () => chooseLanguage(l.tag) },
  }, l.name));
  view.append(el("h1", { class: "pick" }, "Lingua · Language · Langue · Idioma · اللغة · 语言"), el("div", { class: "langs" }, buttons));
};

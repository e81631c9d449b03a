// The totem's on-screen keyboard, docked at the bottom of the search
// screen: the visitor's script first, Latin one tap away. simple-keyboard
// (vendored) draws the keys; this module types them into the search box.
// Two scripts need more than keys, and have a row of choices above them:
//
//  - Chinese is typed in pinyin: the letters gather in the row, beside
//    the characters and words they spell (y i s h e n g offers 医生, and
//    so do "yish" and "ys"); a tap, or space for the first, puts one in
//    the search box and the letters it spelt go; enter keeps the letters.
//  - Tigrinya's Ge'ez syllables: a consonant key types its first order
//    (ሐ) and shows its family in the row, the 7 orders ä u i a e ə o
//    (ሐ ሑ ሒ ሓ ሔ ሕ ሖ) and the labialised forms; a tap there changes the
//    syllable just typed (ሐ becomes ሓ).
//
// The layouts come from vendor/simple-keyboard/layouts.json, the pinyin
// dictionary from pinyin.json (assets/tools/keyboards.cjs writes both).
// app.js imports this module on the totem only: a phone never loads it.

import { el, asset, loadScript, request } from "./lib/toolkit.js";

let lib = null; // {Keyboard, layouts}, once loaded
let dict = null; // the pinyin dictionary, once the Chinese keyboard is shown
let dictLoading = null;
let current = null; // the keyboard on show, destroyed when the next is drawn

// loadStyle adds a stylesheet to the page, resolved once it applies.
function loadStyle(href) {
  return new Promise((resolve, reject) => document.head.append(el("link", { rel: "stylesheet", href, onload: resolve, onerror: reject })));
}

async function load() {
  if (lib) return lib;
  const [, , layouts] = await Promise.all([
    loadStyle(asset("vendor/simple-keyboard/index.css")).then(() => loadStyle(asset("keyboard.css"))),
    loadScript(asset("vendor/simple-keyboard/index.js")),
    request(asset("vendor/simple-keyboard/layouts.json")),
  ]);
  lib = { Keyboard: window.SimpleKeyboard.default || window.SimpleKeyboard.SimpleKeyboard, layouts };
  return lib;
}

function loadPinyin() {
  dictLoading ||= request(asset("vendor/simple-keyboard/pinyin.json")).then((data) => (dict = pinyinDictionary(data)), (err) => {
    dictLoading = null; // tried again at the next letter
    throw err;
  });
  return dictLoading;
}

// layoutsFor names the keyboards offered to a visitor in lang: their own,
// then Latin (for names of places and services) unless theirs is Latin.
export function layoutsFor(lang, layouts) {
  const own = layouts[lang] ? lang : "latin";
  return layouts[own].script === "Latn" ? [own] : [own, "latin"];
}

// ---- pinyin ---------------------------------------------------------------

// pinyinDictionary indexes pinyin.json: words by their whole pinyin and
// by their initials, characters by syllable.
export function pinyinDictionary(data) {
  const words = new Map(), initials = new Map();
  const push = (m, k, v) => m.set(k, [...(m.get(k) || []), ...v]);
  for (const [syllables, list] of Object.entries(data.phrases)) {
    const s = syllables.split(" ");
    push(words, s.join(""), list.split(" "));
    push(initials, s.map((x) => x[0]).join(""), list.split(" "));
  }
  const chars = new Map(Object.entries(data.chars).map(([k, v]) => [k, v.split(" ")]));
  return { words, initials, chars };
}

// pinyinCandidates lists what the letters typed so far may stand for, best
// first, each {text, take}: take is how many of the letters it uses up.
// Words spelt by all the letters; words spelt by their start (yishengz:
// 医生); a few words they begin or abbreviate (yish, ys: 医生); the
// characters of the first syllable; the other words they begin.
export function pinyinCandidates(letters, d) {
  const out = [], seen = new Set();
  const add = (text, take) => {
    if (!seen.has(text)) {
      seen.add(text);
      out.push({ text, take });
    }
  };
  const n = letters.length;
  for (const w of d.words.get(letters) || []) add(w, n);
  for (let k = n - 1; k >= 2; k--) for (const w of d.words.get(letters.slice(0, k)) || []) add(w, k);
  const begun = [];
  if (n >= 2) {
    for (const [key, list] of d.words) if (key.length > n && key.startsWith(letters)) begun.push(...list);
    if (!/[aeiouv]/.test(letters)) begun.push(...(d.initials.get(letters) || []));
  }
  for (const w of begun.slice(0, 5)) add(w, n);
  for (let k = Math.min(6, n); k >= 1; k--) {
    const chars = d.chars.get(letters.slice(0, k));
    if (chars) {
      for (const c of chars) add(c, k);
      break;
    }
  }
  for (const w of begun.slice(5)) add(w, n);
  return out;
}

// ---- the search box ---------------------------------------------------------

// insert types text at the caret (over a selection).
function insert(input, text) {
  const start = input.selectionStart ?? input.value.length, end = input.selectionEnd ?? start;
  input.value = input.value.slice(0, start) + text + input.value.slice(end);
  input.setSelectionRange(start + text.length, start + text.length);
}

// backspace removes the selection, or the code point before the caret (a
// Bengali vowel sign goes before its consonant, as on a phone).
function backspace(input) {
  let start = input.selectionStart ?? input.value.length;
  const end = input.selectionEnd ?? start;
  if (start === end) {
    const before = [...input.value.slice(0, start)];
    if (!before.length) return;
    start -= before[before.length - 1].length;
  }
  input.value = input.value.slice(0, start) + input.value.slice(end);
  input.setSelectionRange(start, start);
}

// before is the code point before the caret.
function before(input) {
  return [...input.value.slice(0, input.selectionStart ?? input.value.length)].pop() || "";
}

// ---- the keyboard -----------------------------------------------------------

// What the row of choices is for, shown while it is empty.
const hints = { pinyin: "yisheng → 医生", geez: "ሀ → ሀ ሁ ሂ ሃ ሄ ህ ሆ" };

// keyboard draws the keyboard into pad for the search box input, in the
// visitor's language lang; t gives the words, changed runs the search
// after each change, submit shows the results.
export async function keyboard(pad, input, { lang, t, changed, submit }) {
  const { Keyboard, layouts } = await load();
  if (current) current.destroy();
  const ids = layoutsFor(lang, layouts);
  const board = el("div", { class: "simple-keyboard" });
  const choices = el("div", { class: "choices", role: "group", "aria-label": t("ui.keyboard_choices") });
  const letters = el("span", { class: "letters", lang: "zh-Latn-pinyin", dir: "ltr" });
  const list = el("div", { class: "list" });
  const prev = el("button", { type: "button", class: "page", "aria-label": t("ui.previous_choices") }, "‹");
  const next = el("button", { type: "button", class: "page", "aria-label": t("ui.more_choices") }, "›");
  // An example in the empty row says what it is for, in no language.
  const hint = el("span", { class: "hint", "aria-hidden": "true" });
  choices.append(letters, hint, prev, list, next);
  const switcher = el("div", { class: "layouts", role: "group", "aria-label": t("ui.keyboard") });
  if (ids.length > 1) pad.append(switcher);
  pad.append(choices, board);
  pad.dataset.layouts = ids.join(" ");
  // The keys never take the focus from the search box (a tap moves no caret).
  pad.addEventListener("mousedown", (e) => e.preventDefault());

  let id = ids[0]; // the layout on show
  let layer = "default";
  let composing = ""; // pinyin letters not yet turned into characters
  let family = null; // the Ge'ez consonant whose family is on show
  let options = []; // the choices: [{text, take}] (pinyin) or [{text}] (Ge'ez)
  let pages = [0], page = 0; // where each page of choices starts

  const l = () => layouts[id];

  // ---- the row of choices
  function drawChoices() {
    letters.textContent = composing;
    letters.hidden = !composing;
    hint.textContent = hints[l().ime] || "";
    hint.lang = l().lang;
    hint.hidden = Boolean(composing || options.length);
    list.replaceChildren();
    let i = pages[page];
    for (; i < options.length; i++) {
      const o = options[i];
      // Space picks the first candidate: it stands out.
      const b = el("button", { type: "button", class: i === 0 && !family ? "choice first" : "choice", lang: l().lang, "aria-pressed": family ? String(o.text === before(input)) : undefined,
        on: { click: () => choose(o) } }, o.text);
      list.append(b);
      if (list.scrollWidth > list.clientWidth + 1 && i > pages[page]) {
        b.remove();
        break;
      }
    }
    pages[page + 1] = i;
    prev.hidden = next.hidden = page === 0 && i >= options.length;
    prev.disabled = page === 0;
    next.disabled = i >= options.length;
  }
  function setChoices(items) {
    options = items;
    pages = [0];
    page = 0;
    drawChoices();
  }
  prev.addEventListener("click", () => { if (page > 0) { page--; drawChoices(); } });
  next.addEventListener("click", () => { if (pages[page + 1] < options.length) { page++; drawChoices(); } });

  // compose shows the pinyin letters typed so far and their candidates
  // (once the dictionary is there: it loads with the Chinese keyboard).
  function compose(text) {
    composing = text;
    if (!dict) loadPinyin().then(() => compose(composing), () => {});
    setChoices(composing && dict ? pinyinCandidates(composing, dict) : []);
  }

  function choose(o) {
    if (family) {
      // Ge'ez: the syllable just typed becomes the one chosen.
      if (l().families[family].split(" ").includes(before(input))) backspace(input);
      insert(input, o.text);
      drawChoices();
    } else {
      insert(input, o.text);
      compose(composing.slice(o.take));
    }
    changed();
  }

  // ---- keys
  function press(key) {
    const ime = l().ime;
    if (key === "{shift}") {
      layer = layer === "shift" ? "default" : "shift";
      kb.setOptions({ layoutName: layer });
      return;
    }
    if (ime === "pinyin" && (composing || /^[a-z]$/.test(key))) {
      if (/^[a-z]$/.test(key)) compose(composing + key);
      else if (key === "{bksp}") compose(composing.slice(0, -1));
      else if (key === "{space}" && options.length) choose(options[0]);
      else {
        // Enter (or space with nothing to offer, or a digit) keeps the letters.
        insert(input, composing + (key === "{enter}" ? "" : key === "{space}" ? " " : key));
        compose("");
        changed();
      }
      return;
    }
    if (family) {
      family = null;
      setChoices([]);
    }
    if (key === "{enter}") {
      submit();
      return;
    }
    if (key === "{bksp}") backspace(input);
    else if (key === "{space}") insert(input, " ");
    else insert(input, key);
    if (ime === "geez" && l().families[key]) {
      family = key;
      setChoices(l().families[key].split(" ").map((text) => ({ text })));
    }
    if (layer === "shift") {
      // Shift is for one letter, as on a phone.
      layer = "default";
      kb.setOptions({ layoutName: layer });
    }
    changed();
  }

  // label gives every key a name a screen reader can say, in the visitor's
  // language, and shows the layer shift is on.
  function label() {
    const names = {
      "{bksp}": t("ui.key_backspace"), "{space}": t("ui.key_space"),
      "{shift}": t(l().shift === "case" ? "ui.key_capitals" : "ui.key_more_letters"),
    };
    for (const b of board.querySelectorAll(".hg-button")) {
      const key = b.dataset.skbtn;
      b.type = "button";
      if (names[key]) b.setAttribute("aria-label", names[key]);
      if (key === "{shift}") b.setAttribute("aria-pressed", String(layer === "shift"));
      if (key === "{enter}") {
        b.firstChild.textContent = t("ui.search");
        b.lang = lang;
      }
    }
  }

  const kb = new Keyboard(board, {
    layout: l().layout,
    layoutName: layer,
    useButtonTag: true,
    disableCaretPositioning: true, // the caret is the search box's own
    enableLayoutCandidates: false,
    mergeDisplay: true,
    display: { "{bksp}": "⌫", "{enter}": "⏎", "{shift}": "⇧", "{space}": " " },
    onKeyPress: press,
    onRender: label,
  });

  function show(next) {
    id = next;
    layer = "default";
    composing = "";
    family = null;
    board.lang = l().lang;
    board.dir = l().dir;
    pad.dataset.layout = id;
    choices.hidden = !l().ime;
    kb.setOptions({ layout: l().layout, layoutName: layer });
    setChoices([]);
    for (const b of switcher.children) b.setAttribute("aria-pressed", String(b.dataset.layout === id));
    if (l().ime === "pinyin") loadPinyin().catch(() => {});
  }
  for (const x of ids) {
    switcher.append(el("button", { type: "button", class: "secondary", lang: layouts[x].lang, dir: layouts[x].dir, "data-layout": x,
      on: { click: () => show(x) } }, layouts[x].name));
  }
  show(id);

  // Typed on a real keyboard (or cleared): the letters being composed go.
  input.addEventListener("input", () => {
    if (composing || family) {
      composing = "";
      family = null;
      setChoices([]);
    }
  });
  // The page keeps room below its content for the keyboard.
  const keepRoom = () => document.body.style.setProperty("--keyboard", `${pad.isConnected ? pad.offsetHeight : 0}px`);
  const room = new ResizeObserver(keepRoom);
  room.observe(pad);
  keepRoom();
  current = { destroy: () => { room.disconnect(); document.body.style.removeProperty("--keyboard"); kb.destroy(); } };
  return kb;
}

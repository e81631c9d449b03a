// Read-aloud on the totem: a speaker button on every screen turns it on
// for the visit. While it is on, the screen is explored by touch (the
// kiosk screen-reader pattern): the first tap on a control reads it and
// highlights it, a second tap on the highlighted control activates it.
// Volume buttons show while it is on. Reading stops when the screen
// changes (the app's "punto:screen" event, or hashchange/popstate) and at
// idle, which also turns read-aloud off ("punto:reset").
//
// The audio comes from the totem (GET /api/v1/voice): a text is named by
// a reference (a UI string's ID, a service, a language), never sent as
// text; the node reads only what it holds. An ES module, which app.js
// imports on a totem only, and which brings its own stylesheet.

import { el, asset } from "./lib/toolkit.js";

const STEP = 0.2; // volume step
const KEYS = ".simple-keyboard .hg-button";
const INTERACTIVE = "button, a[href], input, select, textarea, [role=button], [role=link], [role=tab]";

// voice sets read-aloud up on a totem whose node reads aloud. lang() is
// the visitor's language (null before one is chosen), messages() the UI
// strings of that language, t a message in it.
export function voice({ node, lang, messages, t }) {
  if (!node || !node.voice) return null;
  document.head.append(el("link", { rel: "stylesheet", href: asset("voice.css") }));
  const voiced = new Set(node.voice.languages || []);
  let on = false;
  let picked = null; // the control read last, activated by a second tap
  let volume = 1;
  const audio = el("audio", { id: "voice-audio", preload: "none" });
  const note = el("p", { class: "voice-note", role: "status", hidden: true });
  const label = el("span", { class: "label" });
  const speaker = el("button", { id: "speaker", type: "button", class: "voice-btn", "aria-pressed": "false", on: { click: () => toggle(!on) } },
    el("span", { "aria-hidden": "true" }, "🔊"), " ", label);
  const louder = el("button", { id: "volume-up", type: "button", class: "voice-btn", hidden: true, on: { click: () => setVolume(volume + STEP) } },
    el("span", { "aria-hidden": "true" }, "+"), el("span", { class: "sr" }));
  const quieter = el("button", { id: "volume-down", type: "button", class: "voice-btn", hidden: true, on: { click: () => setVolume(volume - STEP) } },
    el("span", { "aria-hidden": "true" }, "−"), el("span", { class: "sr" }));
  const dock = el("div", { id: "voice", class: "voice-dock", role: "group" }, quieter, speaker, louder, note, audio);
  document.body.append(dock);

  const current = () => lang() || "it";
  const word = (id) => {
    const m = lang() ? t(id) : id;
    return m === id ? fallbackWords[id] : m;
  };

  // relabel writes the dock's words in the visitor's language, and says
  // so when no voice reads it (recorded texts are still played).
  function relabel() {
    const l = current();
    label.textContent = voiced.has(l) ? word("ui.read_aloud") : `${word("ui.read_aloud")}: ${word("ui.no_voice")}`;
    dock.lang = l;
    dock.setAttribute("aria-label", word("ui.read_aloud"));
    louder.lastChild.textContent = word("ui.volume_up");
    quieter.lastChild.textContent = word("ui.volume_down");
  }

  function toggle(next) {
    on = next;
    speaker.setAttribute("aria-pressed", String(on));
    louder.hidden = quieter.hidden = !on;
    document.body.classList.toggle("voice-on", on);
    stop();
    if (!on) note.hidden = true;
    else if (!voiced.has(current())) say(word("ui.no_voice"));
  }

  function setVolume(v) {
    volume = Math.min(1, Math.max(0.2, Math.round(v * 10) / 10));
    audio.volume = volume;
    dock.dataset.volume = String(volume);
  }

  function say(text) {
    note.textContent = text;
    note.hidden = false;
  }

  function stop() {
    audio.pause();
    audio.removeAttribute("src");
    delete audio.dataset.ref;
    if (picked) picked.classList.remove("voice-picked");
    picked = null;
  }

  // read plays the totem's reading of ref in the visitor's language.
  function read(ref) {
    const l = current();
    const url = `/api/v1/voice?${new URLSearchParams({ ref, lang: l })}`;
    audio.src = url;
    audio.dataset.ref = ref;
    audio.volume = volume;
    note.hidden = true;
    audio.play().catch(() => {});
  }

  // A reading that fails says why when the node has no voice for it.
  audio.addEventListener("error", () => {
    const src = audio.getAttribute("src");
    if (!src) return;
    fetch(src).then((r) => r.json()).then((e) => { if (e.code === "no_voice" && on) say(word("ui.no_voice")); }).catch(() => {});
  });

  // Explore by touch: the first tap on a control reads it; a tap on the
  // control read last goes through to it. The keyboard's keys act on the
  // press (they repeat while held), so they are caught there.
  function explore(e, target) {
    if (target === picked) {
      stop();
      return; // the second tap activates it
    }
    e.preventDefault();
    e.stopImmediatePropagation();
    stop();
    picked = target;
    target.classList.add("voice-picked");
    const ref = refOf(target, messages());
    if (ref) read(ref);
  }
  document.addEventListener("pointerdown", (e) => {
    const key = on && e.isTrusted && e.target.closest && e.target.closest(KEYS);
    if (key) explore(e, key);
  }, true);
  document.addEventListener("click", (e) => {
    if (!on || !e.isTrusted) return;
    const target = e.target.closest && e.target.closest(INTERACTIVE);
    if (!target || dock.contains(target) || target.matches(KEYS)) return;
    explore(e, target);
  }, true);

  const off = () => { if (on) toggle(false); };
  for (const target of [window, document]) {
    for (const ev of ["punto:screen", "hashchange", "popstate"]) target.addEventListener(ev, stop);
    for (const ev of ["punto:reset", "punto:idle"]) target.addEventListener(ev, off);
  }
  // Without those events: a new page in the view is a new screen, the
  // attract screen is the visit's end, and the page's language is the
  // visitor's.
  const view = document.getElementById("view");
  if (view) new MutationObserver(stop).observe(view, { childList: true });
  new MutationObserver(() => {
    if (document.body.dataset.screen === "attract") off();
  }).observe(document.body, { attributes: true, attributeFilter: ["data-screen"] });
  new MutationObserver(relabel).observe(document.documentElement, { attributes: true, attributeFilter: ["lang"] });
  relabel();
  return { relabel, stop, toggle, audio };
}

// The dock's words before a language is chosen (the attract screen),
// from the Italian and English messages.
const fallbackWords = {
  "ui.read_aloud": "Leggi ad alta voce · Read aloud",
  "ui.no_voice": "",
  "ui.volume_up": "Volume +",
  "ui.volume_down": "Volume −",
};

// refOf names what a control says, as the totem can read it: an explicit
// data-voice, a result row's service, a category tile, a language button,
// a string of the screens (data-t, or the message its words are).
export function refOf(e, messages) {
  if (e.dataset.voice) return e.dataset.voice;
  if (e.dataset.id) return `service:${e.dataset.id}:summary`;
  if (e.dataset.category) return `ui:category.${e.dataset.category}`;
  if (e.classList.contains("lang") && e.lang) return `language:${e.lang}`;
  if (e.id === "lang") return "ui:ui.choose_language";
  if (e.classList.contains("attract")) return "ui:ui.touch_to_start";
  // A key of the on-screen keyboard, or a choice it offers, in the
  // keyboard's language; named keys (space, delete) read their names.
  const key = e.dataset.skbtn;
  if (key && !key.startsWith("{")) return `key:${langOf(e)}:${key}`;
  if (e.classList.contains("choice")) return `key:${langOf(e)}:${e.textContent.trim()}`;
  const tagged = e.dataset.t ? e : e.querySelector("[data-t]");
  if (tagged) return `ui:${tagged.dataset.t}`;
  const words = (e.getAttribute("aria-label") || visibleText(e)).trim();
  if (!words || !messages) return null;
  for (const [id, m] of Object.entries(messages)) {
    if (typeof m === "string" && m.trim() === words && !m.includes("{")) return `ui:${id}`;
  }
  return null;
}

// langOf is the language a control is written in, as a base tag.
function langOf(e) {
  return (e.closest("[lang]") || document.documentElement).lang.split("-")[0];
}

// visibleText is a control's text without what is hidden from readers.
function visibleText(e) {
  let out = "";
  for (const n of e.childNodes) {
    if (n.nodeType === Node.TEXT_NODE) out += n.textContent;
    else if (n.nodeType === Node.ELEMENT_NODE && n.getAttribute("aria-hidden") !== "true") out += visibleText(n);
  }
  return out.replace(/\s+/g, " ");
}

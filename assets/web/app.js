// Punto's touch UI, for the totem (kiosk mode: /?kiosk=1) and for phones.
// Every word on screen comes from the node (/api/v1/ui, go-i18n files in
// locales/); every service from the public API. This module starts the
// app; core.js holds the visit and the moves between screens, screens/
// draws them. All are ES modules served under the same hashed
// /assets/{hash}/ (see assets/site.go).

import { $, state, env, kiosk, params, getJSON, fb, t, show, back, home, setLanguage, setToggle } from "./core.js";
import { touched } from "./idle.js";
import { live } from "./live.js";
import { applyReach } from "./lib/reach.js";
import { freshness } from "./freshness.js";
import "./screens/start.js";
import "./screens/home.js";
import "./screens/results.js";
import "./screens/search.js";
import "./screens/detail.js";
import "./screens/closure.js";
import { closure } from "./closure.js";
import { alerts } from "./alerts.js";

// Links that would leave the app are not followed on a totem.
document.addEventListener("click", (e) => {
  const a = e.target.closest && e.target.closest("a[href]");
  if (kiosk && a && new URL(a.href, location.href).origin !== location.origin) e.preventDefault();
});

async function boot() {
  document.body.classList.toggle("kiosk", kiosk);
  for (const ev of ["pointerdown", "keydown", "touchstart", "wheel"]) document.addEventListener(ev, touched, { passive: true, capture: true });
  if (kiosk) document.addEventListener("contextmenu", (e) => e.preventDefault());
  $("#back").addEventListener("click", back);
  $("#home").addEventListener("click", home);
  $("#lang").addEventListener("click", () => show("languages"));
  $("#big").addEventListener("click", () => setToggle("big", !state.big));
  $("#contrast").addEventListener("click", () => setToggle("contrast", !state.contrast));
  const first = await getJSON("/api/v1/ui?lang=it");
  env.languages = first.languages;
  env.node = first.node;
  if (kiosk) applyReach(env.node);
  if ("serviceWorker" in navigator && !kiosk) navigator.serviceWorker.register("/sw.js").catch(() => {});
  live();
  // Read-aloud, on a totem whose node reads aloud (voice.js; phones never load it).
  if (kiosk && env.node.voice) import("./voice.js").then((m) => m.voice({ node: env.node, lang: () => state.lang, messages: () => state.ui && state.ui.messages, t })).catch(console.error);
  fb.watch($("#fallback"), $("#view"), $("#alerts"));
  freshness({ t, state, box: $("#freshness") });
  const deep = location.pathname.match(/^\/s\/([^/]+)$/);
  if (deep) {
    state.second = params.get("second");
    await setLanguage(params.get("lang") || navigator.language || "it").catch(() => setLanguage("it"));
    await firstNotices();
    show("detail", decodeURIComponent(deep[1]), false);
    return;
  }
  if (kiosk) {
    await closure();
    show("attract", null, false);
    return;
  }
  const preferred = (navigator.languages || [navigator.language]).map((l) => l.split("-")[0]).find((l) => env.languages.some((x) => x.tag === l));
  if (preferred) {
    await setLanguage(preferred);
    await firstNotices();
    show("home", null, false);
  } else {
    show("languages", null, false);
  }
}

// firstNotices draws, before a visit's first screen, what sits above it:
// the bar and the notices in force. Drawn after the page, they would push
// down what the visitor has started to read (a layout shift).
async function firstNotices() {
  $("#bar").hidden = false;
  await alerts();
}

boot();

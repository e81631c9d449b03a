// live follows the node's catalog: a screen showing what changed redraws
// (server-sent events from this node; the browser reconnects by itself).

import { state, redraw } from "./core.js";
import { alerts } from "./alerts.js";
import { closure } from "./closure.js";

let liveSeq = null; // the catalog sequence this page has drawn

export function live() {
  if (!("EventSource" in window)) return;
  const es = new EventSource("/api/v1/live");
  // The browser retries a dropped stream by itself, but gives up after an
  // error answer (a node restarting behind a proxy): start again later.
  es.addEventListener("error", () => {
    if (es.readyState === EventSource.CLOSED) setTimeout(live, 5000 + Math.random() * 5000);
  });
  es.addEventListener("hello", (e) => {
    const now = JSON.parse(e.data).seq;
    // Back after a break: redraw if anything changed meanwhile.
    if (liveSeq !== null && now !== liveSeq) {
      alerts();
      closure();
      redraw();
    }
    liveSeq = now;
  });
  // Commands from the portal's operators, for this screen.
  es.addEventListener("command", (e) => {
    const c = JSON.parse(e.data);
    if (c.action === "reload") location.reload();
    else if (c.action === "message") alerts();
  });
  es.addEventListener("change", (e) => {
    const a = JSON.parse(e.data);
    liveSeq = a.seq;
    document.body.dataset.seq = a.seq;
    if (a.alerts || a.all || a.other) {
      alerts();
      closure();
    }
    const cur = state.current;
    if (!cur) return;
    const services = a.services || [];
    const hit = a.all || a.other
      || (cur.name === "detail" && services.includes(cur.arg))
      || ((cur.name === "results" || cur.name === "home") && services.length > 0)
      || ((cur.name === "pages" || cur.name === "page" || cur.name === "home") && a.pages);
    if (hit) redraw();
  });
}

// The totem's reach zone: the band of the screen, from top to bottom
// (fractions of its height), where every control lies, so that a person
// in a wheelchair or a child reaches them all. The node gives the zone of
// its totem model (--reach-top, --reach-bottom); unset, a portrait screen
// keeps its lower 60% and a landscape one, shorter and hung lower, its
// lower 65% (cmd/punto/totem_screen.go says the same).

const DEFAULTS = { portrait: { top: 0.4, bottom: 1 }, landscape: { top: 0.35, bottom: 1 } };

// zone is the reach zone for this screen's shape: {top, bottom}.
export function zone(node) {
  const shape = innerWidth > innerHeight ? "landscape" : "portrait";
  const set = (node && node.reach) || {};
  const top = typeof set.top === "number" ? set.top : DEFAULTS[shape].top;
  const bottom = typeof set.bottom === "number" ? set.bottom : DEFAULTS[shape].bottom;
  return { top, bottom, shape };
}

// applyReach lays the page out for the zone (style.css reads --zone-top
// and --zone-below) and follows the screen turning. body.dataset.reach
// says the zone in force ("0.4 1"), for tests and diagnostics.
export function applyReach(node) {
  const apply = () => {
    const z = zone(node);
    const s = document.body.style;
    s.setProperty("--zone-top", `${(z.top * 100).toFixed(3)}vh`);
    s.setProperty("--zone-below", `${((1 - z.bottom) * 100).toFixed(3)}vh`);
    document.body.dataset.reach = `${z.top} ${z.bottom}`;
    document.body.dataset.shape = z.shape;
  };
  apply();
  addEventListener("resize", apply);
  // The keyboard docks right above the navigation bar and the read-aloud
  // dock (voice.js), when there is one: it needs their height (--bar-h).
  const bar = document.querySelector("#bar");
  const sizes = new ResizeObserver(() => measure());
  let dock = null;
  const measure = () => {
    const d = document.querySelector("#voice");
    if (d && d !== dock) sizes.observe((dock = d));
    const docked = dock && dock.isConnected && !dock.hidden ? dock.offsetHeight + 8 : 0;
    document.body.style.setProperty("--bar-h", `${(bar.hidden ? 0 : bar.offsetHeight) + docked}px`);
  };
  sizes.observe(bar);
  new MutationObserver(measure).observe(bar, { attributes: true, attributeFilter: ["hidden"] });
  new MutationObserver(measure).observe(document.body, { childList: true });
  measure();
}

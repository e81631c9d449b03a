package portal

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/internal/browsertest"
)

// An editor adds a location that is not on the map (a phone desk) to a
// service of their territory, with a real click on the "not on the map"
// box: its position inputs go, no marker stands for it and none at 0, 0;
// saved and published, the catalog holds it without a point, the list
// names it "not on the map", and opened again it is still off the map
// until the box is unticked.
func TestEditorUILocationNotOnMap(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 900)
	euiLogin(t, ctx, base, euiEditor, euiEditorPass)

	open := func() {
		t.Helper()
		euiMust(t, ctx, chromedp.Navigate(base+"/editor#/services/"+euiInside), browsertest.Visible("#save-draft"))
		euiWait(t, ctx, "the map's marker", `!!document.querySelector(".maplibregl-canvas") && document.querySelectorAll(".loc-pin").length > 0`)
	}
	open()
	pins := `document.querySelectorAll(".loc-pin").length`
	if n := euiEval[int](t, ctx, pins); n != 1 {
		t.Fatalf("%d markers for one location", n)
	}
	clickReal(t, ctx, "#add-location")
	euiMust(t, ctx, browsertest.Visible(`[data-field="locations[1].point"]`))
	euiWait(t, ctx, "the new location's marker", pins+` === 2`)

	box := `[data-field="locations[1].point"] input.no-point`
	clickReal(t, ctx, box)
	euiWait(t, ctx, "the box ticked, the position gone", `document.querySelector(`+euiJS(box)+`).checked && document.querySelector('[data-field="locations[1].point"] input.lat').offsetParent === null`)
	euiWait(t, ctx, "one marker left", pins+` === 1`)
	if hint := euiEval[string](t, ctx, `document.getElementById("locations[1]-where").textContent`); !strings.Contains(hint, "non ha una posizione") {
		t.Errorf("the hint reads %q", hint)
	}
	// A phone desk: no comune either.
	euiType(t, ctx, `[data-field="locations[1].id"] input`, "sportello-telefonico")
	euiType(t, ctx, `[data-field="locations[1].comune"] input`, "")
	euiShot(t, ctx, "location-not-on-map")
	euiAxe(t, ctx, "a location not on the map")
	euiMust(t, ctx, browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the saved draft", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Bozza salvata")`)
	euiMust(t, ctx, browsertest.Click("#publish"))
	euiWait(t, ctx, "the published message", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Pubblicato")`)

	svc, err := pub.st.Service(context.Background(), euiInside)
	if err != nil {
		t.Fatal(err)
	}
	if len(svc.Locations) != 2 {
		t.Fatalf("published %d locations, want 2", len(svc.Locations))
	}
	for _, l := range svc.Locations {
		if l.ID == "sportello-telefonico" != l.NoPoint {
			t.Errorf("location %s: no point %v, at %v", l.ID, l.NoPoint, l.Point)
		}
	}

	// The list: no 0, 0, and the phone desk named as off the map.
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/services"), browsertest.Visible("#list-q"))
	euiType(t, ctx, "#list-q", euiInside)
	item := fmt.Sprintf(`.item[data-id=%q]`, euiInside)
	euiWait(t, ctx, "the listed service, off the map too", `(document.querySelector(`+euiJS(item)+`) || {textContent: ""}).textContent.includes("non sulla mappa")`)

	// Opened again: still off the map, one marker; unticked, it is back
	// on the map near the other, not at 0, 0.
	open()
	euiWait(t, ctx, "the box ticked after reload", `document.querySelector(`+euiJS(box)+`).checked`)
	if n := euiEval[int](t, ctx, pins); n != 1 {
		t.Errorf("%d markers after reload, want 1", n)
	}
	clickReal(t, ctx, box)
	euiWait(t, ctx, "back on the map", `!document.querySelector(`+euiJS(box)+`).checked && document.querySelector('[data-field="locations[1].point"] input.lat').offsetParent !== null && `+pins+` === 2`)
	lat := euiEval[string](t, ctx, `document.querySelector('[data-field="locations[1].point"] input.lat').value`)
	if !strings.HasPrefix(lat, "43.") {
		t.Errorf("unticked, the latitude is %q, want one near Ancona", lat)
	}
}

// clickReal scrolls an element to the middle of the screen (clear of the
// sticky bars), checks that nothing covers it, and clicks it with the
// mouse, as a person would.
func clickReal(t *testing.T, ctx context.Context, sel string) {
	t.Helper()
	euiMust(t, ctx, chromedp.Evaluate(fmt.Sprintf(`document.querySelector(%s).scrollIntoView({block: "center"})`, euiJS(sel)), nil))
	covered := euiEval[string](t, ctx, fmt.Sprintf(`(() => {
		const e = document.querySelector(%s), r = e.getBoundingClientRect();
		const top = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
		return top === e || e.contains(top) || (top && top.contains(e) && top.tagName === "LABEL") ? "" : (top ? top.outerHTML.slice(0, 120) : "nothing");
	})()`, euiJS(sel)))
	if covered != "" {
		t.Fatalf("%s is covered by %s", sel, covered)
	}
	euiMust(t, ctx, browsertest.Click(sel))
}

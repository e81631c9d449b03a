package portal

import (
	"context"
	"crypto/ed25519"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/fleet"
	"github.com/punto-totem/punto/internal/browsertest"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/relay"
)

// euiFleetServer starts a portal with its hub, and one totem (in Ancona)
// following it in-process over a loopback websocket, reporting every
// second; a second totem (in Perugia) is registered but never connects.
// It returns the base URL and the commands the totem's screen carried out.
func euiFleetServer(t *testing.T) (string, func() []string) {
	t.Helper()
	ctx := context.Background()
	st := euiStore(t)
	pub, key, _ := ed25519.GenerateKey(nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	hub, err := relay.NewHub(relay.HubConfig{Store: st, Fleet: fleetOf(t, st), Key: key, Log: log, Heartbeat: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(hub.Close) // after the server has stopped: cleanups run last first
	base := euiListen(t, st, func(app *fiber.App) error {
		app.Get(relay.Path, hub.Handler)
		return Mount(app, Config{Editorial: edOf(t, st, nil), Totems: fleetOf(t, st), Publisher: hub, Log: log, Commander: hub, Heartbeat: time.Second,
			Fleet: func(ctx context.Context) (any, error) { return hub.State(ctx) }})
	})

	token, err := fleetOf(t, st).AddTotem(ctx, "t-ancona", "Municipio di Ancona", anconaPoint)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := fleetOf(t, st).AddTotem(ctx, "t-perugia", "Stazione di Perugia", perugiaPoint); err != nil {
		t.Fatal(err)
	}
	replica, err := content.OpenLazy(ctx, testenv.DemoCatalog(t))
	if err != nil {
		t.Fatal(err)
	}
	replicaFleet, err := fleet.Open(ctx, replica.Path())
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var carried []string
	client, err := relay.NewClient(relay.ClientConfig{URL: "ws" + strings.TrimPrefix(base, "http") + relay.Path, TotemID: "t-ancona", Token: token,
		PortalKey: pub, Store: replica, Fleet: replicaFleet, Log: log, Version: "1.2.3", Heartbeat: time.Second, Screens: func() int { return 1 },
		OnCommand: func(c fleet.Command) error { mu.Lock(); carried = append(carried, c.Action); mu.Unlock(); return nil }})
	if err != nil {
		t.Fatal(err)
	}
	runCtx, cancel := context.WithCancel(ctx)
	clientDone := make(chan struct{})
	go func() { client.Run(runCtx); close(clientDone) }()
	t.Cleanup(func() {
		cancel()
		<-clientDone
		replicaFleet.Close()
		replica.Close()
	})
	seedNeeds(t, &env{t: t, st: st})
	return base, func() []string { mu.Lock(); defer mu.Unlock(); return append([]string(nil), carried...) }
}

// TestEditorUIFleet goes through the fleet dashboard (state, filter,
// commands), an alert aimed at a drawn area, and the needs figures.
func TestEditorUIFleet(t *testing.T) {
	t.Parallel()
	base, carried := euiFleetServer(t)
	ctx := euiBrowser(t, 1280, 900)
	euiLogin(t, ctx, base, euiAdmin, euiAdminPass)

	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/fleet"), browsertest.Visible(`tr[data-id="t-perugia"]`))
	euiWait(t, ctx, "the connected totem online", `(document.querySelector('tr[data-id="t-ancona"]') || {dataset: {}}).dataset.state === "ok"`)
	if s := euiEval[string](t, ctx, `document.querySelector('tr[data-id="t-perugia"]').dataset.state`); s != "never" {
		t.Errorf("the totem that never connected is %q", s)
	}
	row := euiEval[string](t, ctx, `document.querySelector('tr[data-id="t-ancona"]').innerText`)
	for _, want := range []string{"Municipio di Ancona", "In linea", "1.2.3", "collegato"} {
		if !strings.Contains(row, want) {
			t.Errorf("the row says %q, not %q", row, want)
		}
	}
	euiWait(t, ctx, "the map with a dot per totem", `document.querySelectorAll(".fleet-dot").length === 2 && !!document.querySelector("#fleet-map canvas")`)
	euiShot(t, ctx, "f1-fleet-desktop")
	euiAxe(t, ctx, "fleet")

	// Filter by territory: Perugia's zona holds one totem.
	euiMust(t, ctx, chromedp.SetValue("#fleet-territory", "zona-2-perugia", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#fleet-territory").dispatchEvent(new Event("change"))`, nil))
	euiWait(t, ctx, "only Perugia's totem", `document.querySelectorAll("table.fleet tbody tr").length === 1 && !!document.querySelector('tr[data-id="t-perugia"]')`)
	euiMust(t, ctx, chromedp.SetValue("#fleet-territory", "", chromedp.ByQuery),
		chromedp.Evaluate(`document.querySelector("#fleet-territory").dispatchEvent(new Event("change"))`, nil))

	// Commands: a message, then a reload, to the connected totem.
	euiMust(t, ctx, browsertest.Click(`tr[data-id="t-ancona"] [data-command="message"]`), browsertest.Visible("#fleet-message-text"))
	euiType(t, ctx, "#fleet-message-text", "Oggi il totem si spegne alle 19")
	euiShot(t, ctx, "f2-fleet-message-desktop")
	euiMust(t, ctx, browsertest.Click(`dialog button[type="submit"]`), browsertest.Gone("dialog"))
	euiMust(t, ctx, chromedp.Evaluate(`window.confirm = () => true`, nil),
		browsertest.Click(`tr[data-id="t-ancona"] [data-command="reload"]`))
	euiWait(t, ctx, "both carried out", `document.querySelectorAll("table.commands .target-done").length === 2`)
	if got := carried(); strings.Join(got, ",") != "message,reload" {
		t.Errorf("the totem carried out %v", got)
	}
	euiShot(t, ctx, "f3-fleet-commands-desktop")

	// An alert for an area drawn by tapping the map: four corners around
	// Ancona's centre; the portal says which totems it reaches.
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/alerts/+new"), browsertest.Visible("#save-draft"))
	euiType(t, ctx, `[data-field="id"] input`, "ancona-centro")
	euiType(t, ctx, `[data-field="text"] textarea`, "Mercato in piazza: sportello spostato")
	euiMust(t, ctx, browsertest.Click(`input[name="target_kind"][value="area"]`))
	euiWait(t, ctx, "the area map", `!!(document.querySelector("#alert-area-map") || {}).maplibre && document.querySelector("#alert-area-map").maplibre.loaded()`)
	euiScroll(t, ctx, "#alert-area-map")
	euiMust(t, ctx, chromedp.Evaluate(`document.querySelector("#alert-area-map").maplibre.jumpTo({center: [13.5153, 43.6169], zoom: 11}) && true`, nil))
	euiWait(t, ctx, "the area map at Ancona", `(() => { const m = document.querySelector("#alert-area-map").maplibre; return m.loaded() && !m.isMoving() && m.getZoom() === 11; })()`)
	for i, c := range [][2]float64{{13.47, 43.59}, {13.56, 43.59}, {13.56, 43.64}, {13.47, 43.64}} {
		var xy []float64
		euiMust(t, ctx, chromedp.Evaluate(fmt.Sprintf(`(() => { const m = document.querySelector("#alert-area-map").maplibre, r = m.getContainer().getBoundingClientRect(), p = m.project([%v, %v]); return [r.left + p.x, r.top + p.y]; })()`, c[0], c[1]), &xy))
		euiMust(t, ctx, chromedp.MouseClickXY(xy[0], xy[1]))
		want := fmt.Sprintf("%d vertici", i+1)
		if i == 0 {
			want = "1 vertice"
		}
		euiWait(t, ctx, "corner "+want, fmt.Sprintf(`(document.querySelector(".area .row-actions .muted") || {}).textContent === %q`, want))
	}
	if n := euiEval[string](t, ctx, `document.querySelector(".area .row-actions .muted").textContent`); n != "4 vertici" {
		t.Errorf("corners: %q", n)
	}
	euiWait(t, ctx, "the reach of the area", `document.querySelector("#alert-reach").textContent.includes("Municipio di Ancona")`)
	if txt := euiEval[string](t, ctx, `document.querySelector("#alert-reach").textContent`); strings.Contains(txt, "Perugia") {
		t.Errorf("the area reaches %q", txt)
	}
	euiShot(t, ctx, "f4-alert-area-desktop")
	euiAxe(t, ctx, "alert area")
	euiMust(t, ctx, browsertest.Click("#save-draft"))
	euiWait(t, ctx, "the saved alert", `(document.querySelector(".notice.ok") || {textContent: ""}).textContent.includes("Bozza salvata")`)

	// The needs figures, over two days in November, by territory.
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/needs?from=2026-11-20&to=2026-11-21&by=territory"), browsertest.Visible(".total-card"))
	euiWait(t, ctx, "the chart", `!!document.querySelector(".needs-chart .uplot canvas")`)
	if n := euiEval[string](t, ctx, `document.querySelector('.total-card[data-event="visit"] .n').textContent`); n != "78" {
		t.Errorf("visits shown: %q", n)
	}
	if rows := euiEval[int](t, ctx, `document.querySelectorAll(".needs-table tbody tr").length`); rows != 2 {
		t.Errorf("%d territories in the table", rows)
	}
	href := euiEval[string](t, ctx, `document.querySelector("#needs-csv").getAttribute("href")`)
	if !strings.HasPrefix(href, "/editor/api/needs.csv?") || !strings.Contains(href, "from=2026-11-20") {
		t.Errorf("CSV link %q", href)
	}
	euiShot(t, ctx, "f5-needs-desktop")
	euiAxe(t, ctx, "needs")
	euiMust(t, ctx, chromedp.SetValue("#needs-by", "language", chromedp.ByQuery), browsertest.Click(`.needs-form button[type="submit"]`))
	euiWait(t, ctx, "languages", `!!document.querySelector('.needs-table tr[data-key="ar"]')`)

	// An editor sees the needs of their territory, not the fleet.
	phone := euiBrowser(t, 390, 844)
	euiLogin(t, phone, base, euiEditor, euiEditorPass)
	euiMust(t, phone, chromedp.Navigate(base+"/editor#/needs?from=2026-11-20&to=2026-11-21&by=totem"), browsertest.Visible(".total-card"))
	if n := euiEval[string](t, phone, `document.querySelector('.total-card[data-event="visit"] .n').textContent`); n != "60" {
		t.Errorf("the editor sees %q visits, want Ancona's 60", n)
	}
	euiNoSidewaysScroll(t, phone, "needs on a phone")
	euiShot(t, phone, "f6-needs-phone")
	if euiEval[bool](t, phone, `!!document.querySelector('#top-nav a[data-route="fleet"]')`) {
		t.Error("an editor is offered the fleet dashboard")
	}
}

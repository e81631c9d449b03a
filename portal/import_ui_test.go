package portal

import (
	"bytes"
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/punto-totem/punto/content/exchange"
	"github.com/punto-totem/punto/internal/browsertest"
)

// TestEditorUIImport uploads the flat CSV template in the editor as an
// admin: a file with a bad row lists the problem by line and imports
// nothing; the corrected file publishes the change.
func TestEditorUIImport(t *testing.T) {
	t.Parallel()
	base, pub := euiServer(t)
	ctx := euiBrowser(t, 1280, 900)
	st := pub.st
	var full bytes.Buffer
	if err := exchange.Export(context.Background(), st, exchange.FormatCSV, &full); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&full).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	rows = rows[:21] // the header and 20 services
	col := map[string]int{}
	for i, c := range rows[0] {
		col[c] = i
	}
	id := rows[1][col["service_id"]]
	rows[1][col["name@it"]] = "Sportello caricato da file (demo)"
	dir := t.TempDir()
	write := func(name string, rows [][]string) string {
		var b bytes.Buffer
		w := csv.NewWriter(&b)
		w.WriteAll(rows)
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
		return path
	}
	good := write("good.csv", rows)
	bad := make([][]string, len(rows))
	for i := range rows {
		bad[i] = append([]string(nil), rows[i]...)
	}
	bad[4][col["status"]] = "shut" // line 5
	badFile := write("bad.csv", bad)
	before, err := st.Digest(context.Background())
	if err != nil {
		t.Fatal(err)
	}

	euiLogin(t, ctx, base, euiAdmin, euiAdminPass)
	euiMust(t, ctx, chromedp.Navigate(base+"/editor#/import"), browsertest.Visible("#import-file"))
	euiAxe(t, ctx, "import screen")
	euiMust(t, ctx, chromedp.SetUploadFiles("#import-file", []string{badFile}, chromedp.ByQuery), browsertest.Click("#import-submit"))
	euiWait(t, ctx, "the problems of the bad file", `!document.querySelector("#import-issues").hidden`)
	issues := euiEval[string](t, ctx, `document.querySelector("#import-issues").innerText`)
	if !strings.Contains(issues, "riga 5") || !strings.Contains(issues, "status") || !strings.Contains(issues, `"shut"`) {
		t.Fatalf("the problems shown: %q", issues)
	}
	euiShot(t, ctx, "import-refused")
	if after, _ := st.Digest(context.Background()); after != before {
		t.Fatal("a refused upload changed the catalog")
	}
	if n := len(pub.published()); n != 0 {
		t.Fatalf("a refused upload published %d batches", n)
	}

	euiMust(t, ctx, chromedp.SetUploadFiles("#import-file", []string{good}, chromedp.ByQuery), browsertest.Click("#import-submit"))
	euiWait(t, ctx, "the result of the good file", `document.querySelector("#import-result").innerText.includes("Pubblicati 1 record")`)
	euiAxe(t, ctx, "import screen after an upload")
	euiShot(t, ctx, "import-done")
	svc, err := st.Service(context.Background(), id)
	if err != nil {
		t.Fatal(err)
	}
	if svc.Name["it"] != "Sportello caricato da file (demo)" {
		t.Fatalf("the uploaded name is %q", svc.Name["it"])
	}
	calls := pub.published()
	if len(calls) != 1 || calls[0].author != euiAdmin || len(calls[0].changes) != 1 || calls[0].changes[0].ID != id {
		t.Fatalf("publishes: %+v", calls)
	}

	// An editor has no import screen.
	editor := euiBrowser(t, 1280, 900)
	euiLogin(t, editor, base, euiEditor, euiEditorPass)
	if n := euiEval[int](t, editor, `document.querySelectorAll('nav a[data-route="import"]').length`); n != 0 {
		t.Fatal("an editor sees the import screen in the menu")
	}
}

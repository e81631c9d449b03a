package exchange

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/punto-totem/punto/content"
)

// A streamed import into an open catalog writes what the same file read
// whole and imported writes (the same digest): a service renamed, a new
// one naming an organization the catalog has. A flat CSV may name the
// catalog's organizations; one it lacks is named as the problem. A
// refused file leaves the catalog as it was.
func TestStreamImportIntoCatalog(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	x, err := Read(ctx, openDemo(t))
	if err != nil {
		t.Fatal(err)
	}
	orgID := x.Organizations[0].ID
	x.Services[0].Name = content.Text{"it": "Sportello rinominato"}
	added := x.Services[1]
	added.ID, added.UUID, added.OrganizationID = "servizio-aggiunto", "", orgID
	added.Name = content.Text{"it": "Servizio aggiunto"}
	changed := &Records{Organizations: x.Organizations, Services: []content.Service{x.Services[0], added}}
	var buf bytes.Buffer
	if err := changed.Write(FormatHSDS, &buf); err != nil {
		t.Fatal(err)
	}
	data := buf.Bytes()

	digest := func(st *content.Store) string {
		t.Helper()
		d, err := st.Digest(ctx)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	whole, streamed := openDemo(t), openDemo(t)
	before := digest(whole)
	y, err := Parse(FormatHSDS, data)
	if err != nil {
		t.Fatal(err)
	}
	if err := Import(ctx, whole, y, FormatHSDS); err != nil {
		t.Fatal(err)
	}
	res, err := ImportHSDSStream(ctx, streamed, bytes.NewReader(data), ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services != 2 {
		t.Errorf("streamed %+v, want 2 services", res)
	}
	if a, b := digest(whole), digest(streamed); a != b || a == before {
		t.Errorf("streamed into the catalog %s, read whole %s (before %s)", b, a, before)
	}
	if s, err := streamed.Service(ctx, "servizio-aggiunto"); err != nil || s.OrganizationID != orgID {
		t.Errorf("the added service: %+v, %v", s, err)
	}

	// Refused: a latitude of 100; nothing written.
	bad := bytes.Replace(data, []byte(`"latitude":`), []byte(`"latitude":100,"x":`), 1)
	after := digest(streamed)
	if _, err := ImportHSDSStream(ctx, streamed, bytes.NewReader(bad), ImportOptions{}); err == nil || !strings.Contains(err.Error(), "latitude") {
		t.Errorf("a latitude of 100: %v", err)
	}
	if d := digest(streamed); d != after {
		t.Errorf("a refused file changed the catalog: %s, was %s", d, after)
	}

	// The flat CSV: a service of an organization the catalog has; then
	// one of an organization it lacks, refused by name.
	flat := "service_id,status,categories,name,organization_id,location_id,comune,lat,lon\n" +
		"csv-nuovo,active,info,Sportello dal CSV," + orgID + ",csv-loc,Ancona,43.6158,13.5189\n"
	if res, err := ImportFlatCSVStream(ctx, streamed, strings.NewReader(flat), ImportOptions{}); err != nil || res.Services != 1 {
		t.Fatalf("flat CSV naming the catalog's organization: %+v %v", res, err)
	}
	after = digest(streamed)
	flat = strings.Replace(flat, orgID, "ente-che-non-esiste", 1)
	if _, err := ImportFlatCSVStream(ctx, streamed, strings.NewReader(flat), ImportOptions{}); err == nil || !strings.Contains(err.Error(), "ente-che-non-esiste") {
		t.Errorf("an organization the catalog lacks: %v", err)
	}
	if d := digest(streamed); d != after {
		t.Errorf("a refused CSV changed the catalog: %s, was %s", d, after)
	}
}

package content

import (
	"context"
	"crypto/ed25519"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func serviceChange(t *testing.T, s *Service) Change {
	t.Helper()
	doc, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	return Change{Kind: KindService, ID: s.ID, Op: OpPut, Doc: doc}
}

func digest(t *testing.T, s *Store) string {
	t.Helper()
	d, err := s.Digest(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func rejectReason(err error) string {
	var re *RejectError
	if errors.As(err, &re) {
		return re.Reason
	}
	return ""
}

// A portal publishes; a replica applies the batches, or a snapshot, and
// ends up with the same catalog. Whatever breaks the chain is refused and
// leaves the replica as it was.
func TestFeedReplicates(t *testing.T) {
	ctx := context.Background()
	portal, replica := openDemo(t), openDemo(t)
	if digest(t, portal) != digest(t, replica) {
		t.Fatal("two demo catalogs differ")
	}
	r := rand.New(rand.NewPCG(4, 2))
	var batches []*FeedBatch
	for i := range 5 {
		var changes []Change
		for j := range 3 {
			svc := randomService(r, i*10+j, DemoTotem, nil)
			svc.Name["it"] = `<script>alert("x")</script> & <b>` + svc.Name["it"]
			changes = append(changes, serviceChange(t, &svc))
		}
		if i == 2 {
			a := Alert{ID: "a1", Text: Text{"it": "Chiuso"}, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(time.Hour)}
			doc, _ := json.Marshal(a)
			changes = append(changes, Change{Kind: KindAlert, ID: "a1", Op: OpPut, Doc: doc})
		}
		if i == 3 {
			changes = append(changes, Change{Kind: KindAlert, ID: "a1", Op: OpDelete})
		}
		fb, err := portal.Publish(ctx, "test", changes)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, fb)
	}
	if batches[4].Last != 17 {
		t.Fatalf("last sequence %d, want 17", batches[4].Last)
	}
	// Bad changes are refused whole, naming the field.
	_, err := portal.Publish(ctx, "test", []Change{{Kind: KindService, ID: "x", Op: OpPut, Doc: json.RawMessage(`{"id":"x","name":{"it":"n"},"categories":["nope"],"locations":[]}`)}})
	var ve *ValidationError
	if !errors.As(err, &ve) || ve.Field != "changes[0].categories" {
		t.Fatalf("bad change: %v", err)
	}
	if _, err := portal.Publish(ctx, "t", []Change{{Kind: KindService, ID: "y", Op: OpDelete}}); !errors.As(err, &ve) || ve.Field != "changes[0].op" {
		t.Fatalf("delete of a service: %v", err)
	}

	got, ok, err := portal.BatchesAfter(ctx, 0, 1000)
	if err != nil || !ok || len(got) != 5 {
		t.Fatalf("batches after 0: %d %v %v", len(got), ok, err)
	}
	bodies := func(bs []FeedBatch) [][]byte {
		var out [][]byte
		for _, b := range bs {
			out = append(out, b.Body)
		}
		return out
	}
	before := digest(t, replica)
	cases := []struct {
		name   string
		bodies [][]byte
		reason string
	}{
		{"gap", bodies(got[1:3]), "out_of_order"},
		{"reordered", [][]byte{got[1].Body, got[0].Body}, "out_of_order"},
		{"tampered", [][]byte{[]byte(strings.Replace(string(got[0].Body), `"first":1`, `"first":1 `, 1)), got[1].Body}, "broken_chain"},
		{"bad change", [][]byte{[]byte(strings.Replace(string(got[0].Body), `"op":"put"`, `"op":"zap"`, 1))}, "invalid"},
	}
	for _, c := range cases {
		if _, err := replica.ApplyBatches(ctx, c.bodies); rejectReason(err) != c.reason {
			t.Errorf("%s: %v, want %s", c.name, err, c.reason)
		}
		if digest(t, replica) != before {
			t.Fatalf("%s: a rejected batch changed the replica", c.name)
		}
	}
	st, err := replica.ApplyBatches(ctx, bodies(got[:2]))
	if err != nil || st.Seq != batches[1].Last || st.Hash != batches[1].Hash {
		t.Fatalf("apply: %+v %v", st, err)
	}
	if _, err := replica.ApplyBatches(ctx, bodies(got[1:2])); rejectReason(err) != "replay" {
		t.Fatalf("replay: %v", err)
	}
	rest, ok, _ := portal.BatchesAfter(ctx, st.Seq, 1000)
	if !ok || len(rest) != 3 {
		t.Fatalf("batches after %d: %d", st.Seq, len(rest))
	}
	if _, err := replica.ApplyBatches(ctx, bodies(rest)); err != nil {
		t.Fatal(err)
	}
	if digest(t, replica) != digest(t, portal) {
		t.Fatal("replica differs from the portal after catching up")
	}
	// The live index follows: the last service published is found.
	svc, err := replica.Service(ctx, "svc-00042")
	if err != nil || !strings.HasPrefix(svc.Name["it"], "<script>") {
		t.Fatalf("replica service: %v %v", svc, err)
	}

	// A snapshot brings a new replica to the same place.
	snapPath := filepath.Join(t.TempDir(), "snap.db")
	sst, sum, err := portal.WriteSnapshot(ctx, snapPath)
	if err != nil {
		t.Fatal(err)
	}
	if sst.Seq != 17 || sst.Hash != batches[4].Hash {
		t.Fatalf("snapshot state %+v", sst)
	}
	fresh := openTest(t)
	if err := fresh.ApplySnapshot(ctx, snapPath, sum, sst); err != nil {
		t.Fatal(err)
	}
	if digest(t, fresh) != digest(t, portal) {
		t.Fatal("snapshot replica differs from the portal")
	}
	hits, err := fresh.NearbyHits(ctx, NearbyQuery{Center: DemoTotem, Limit: 5})
	if err != nil || len(hits) != 5 {
		t.Fatalf("nearby on the snapshot replica: %d %v", len(hits), err)
	}
	if hits, _ := fresh.Search(ctx, "script", DemoTotem, 5); len(hits) == 0 {
		t.Fatal("search rows did not come with the snapshot")
	}
	// Writes after a snapshot keep the search and spatial indexes whole,
	// also on a replica whose writer used them before.
	if err := replica.ApplySnapshot(ctx, snapPath, sum, sst); err != nil {
		t.Fatal(err)
	}
	extra := randomService(r, 99, DemoTotem, nil)
	extra.Name["it"], extra.Status = "Zanzibarico", StatusActive
	fb, err := portal.Publish(ctx, "test", []Change{serviceChange(t, &extra)})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := replica.ApplyBatches(ctx, [][]byte{fb.Body}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := replica.Search(ctx, "zanzibarico", DemoTotem, 5); len(hits) == 0 {
		t.Fatal("a service written after the snapshot is not found")
	}
	for _, check := range []string{
		"INSERT INTO service_fts(service_fts) VALUES ('integrity-check')",
		"SELECT rtreecheck('idx_location_geom')",
	} {
		if _, err := replica.w.Exec(check); err != nil {
			t.Fatalf("%s: %v", check, err)
		}
	}
	var secrets int
	fresh.r.QueryRow("SELECT count(*) FROM totem").Scan(&secrets)
	if secrets != 0 {
		t.Fatal("the snapshot carried the totem registry")
	}
	// Older than what the replica holds: refused.
	old := openDemo(t)
	oldPath := filepath.Join(t.TempDir(), "old.db")
	ost, osum, err := old.WriteSnapshot(ctx, oldPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := fresh.ApplySnapshot(ctx, oldPath, osum, ost); rejectReason(err) != "replay" {
		t.Fatalf("rollback snapshot: %v", err)
	}
	if err := fresh.ApplySnapshot(ctx, snapPath, osum, sst); rejectReason(err) != "tampered" {
		t.Fatalf("wrong checksum: %v", err)
	}
}

func TestEnvelopeSignature(t *testing.T) {
	pub, key, _ := ed25519.GenerateKey(nil)
	otherPub, _, _ := ed25519.GenerateKey(nil)
	now := time.Now()
	payload := EncodeBatches(now.Add(time.Minute), [][]byte{[]byte(`{"first":1}`), []byte(`{"first":2}`)})
	signed := Sign(key, payload)
	env, err := OpenEnvelope(pub, signed, now)
	if err != nil || len(env.Batches) != 2 || string(env.Batches[1]) != `{"first":2}` {
		t.Fatalf("open: %+v %v", env, err)
	}
	flipped := append([]byte{}, signed...)
	flipped[len(flipped)-3] ^= 1
	cases := []struct {
		name   string
		pub    ed25519.PublicKey
		msg    []byte
		now    time.Time
		reason string
	}{
		{"unsigned", pub, payload[:10], now, "unsigned"},
		{"payload without signature", pub, append(make([]byte, 64), payload...), now, "tampered"},
		{"flipped byte", pub, flipped, now, "tampered"},
		{"other key", otherPub, signed, now, "tampered"},
		{"expired", pub, signed, now.Add(2 * time.Minute), "expired"},
		{"unknown type", pub, Sign(key, []byte(`{"type":"zap","expires":"2999-01-01T00:00:00Z"}`)), now, "invalid"},
	}
	for _, c := range cases {
		if _, err := OpenEnvelope(c.pub, c.msg, c.now); rejectReason(err) != c.reason {
			t.Errorf("%s: %v, want %s", c.name, err, c.reason)
		}
	}
}

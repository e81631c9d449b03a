package feed

import (
	"context"
	"crypto/ed25519"
	"database/sql"
	"encoding/json"
	"errors"
	"math/rand/v2"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/content"
)

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
	t.Parallel()
	ctx := context.Background()
	portal, replica := openDemo(t), openDemo(t)
	if digest(t, portal) != digest(t, replica) {
		t.Fatal("two demo catalogs differ")
	}
	r := rand.New(rand.NewPCG(4, 2))
	var batches []*Batch
	for i := range 5 {
		var changes []content.Change
		for j := range 3 {
			svc := randomService(r, i*10+j, content.DemoTotem)
			svc.Name["it"] = `<script>alert("x")</script> & <b>` + svc.Name["it"]
			changes = append(changes, serviceChange(t, &svc))
		}
		if i == 2 {
			a := content.Alert{ID: "a1", Text: content.Text{"it": "Chiuso"}, StartsAt: time.Now().Add(-time.Hour), EndsAt: time.Now().Add(time.Hour)}
			doc, _ := json.Marshal(a)
			changes = append(changes, content.Change{Kind: content.KindAlert, ID: "a1", Op: content.OpPut, Doc: doc})
		}
		if i == 3 {
			changes = append(changes, content.Change{Kind: content.KindAlert, ID: "a1", Op: content.OpDelete})
		}
		fb, err := Publish(ctx, portal, "test", changes, nil)
		if err != nil {
			t.Fatal(err)
		}
		batches = append(batches, fb)
	}
	if batches[4].Last != 17 {
		t.Fatalf("last sequence %d, want 17", batches[4].Last)
	}
	// Bad changes are refused whole, naming the field.
	_, err := Publish(ctx, portal, "test", []content.Change{{Kind: content.KindService, ID: "x", Op: content.OpPut, Doc: json.RawMessage(`{"id":"x","name":{"it":"n"},"categories":["nope"],"locations":[]}`)}}, nil)
	var ve *content.ValidationError
	if !errors.As(err, &ve) || ve.Field != "changes[0].categories" {
		t.Fatalf("bad change: %v", err)
	}
	if _, err := Publish(ctx, portal, "t", []content.Change{{Kind: content.KindService, ID: "y", Op: content.OpDelete}}, nil); !errors.As(err, &ve) || ve.Field != "changes[0].op" {
		t.Fatalf("delete of a service: %v", err)
	}

	got, ok, err := BatchesAfter(ctx, portal, 0, 1000)
	if err != nil || !ok || len(got) != 5 {
		t.Fatalf("batches after 0: %d %v %v", len(got), ok, err)
	}
	bodies := func(bs []Batch) [][]byte {
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
		if _, err := ApplyBatches(ctx, replica, c.bodies); rejectReason(err) != c.reason {
			t.Errorf("%s: %v, want %s", c.name, err, c.reason)
		}
		if digest(t, replica) != before {
			t.Fatalf("%s: a rejected batch changed the replica", c.name)
		}
	}
	st, err := ApplyBatches(ctx, replica, bodies(got[:2]))
	if err != nil || st.Seq != batches[1].Last || st.Hash != batches[1].Hash {
		t.Fatalf("apply: %+v %v", st, err)
	}
	if _, err := ApplyBatches(ctx, replica, bodies(got[1:2])); rejectReason(err) != "replay" {
		t.Fatalf("replay: %v", err)
	}
	rest, ok, _ := BatchesAfter(ctx, portal, st.Seq, 1000)
	if !ok || len(rest) != 3 {
		t.Fatalf("batches after %d: %d", st.Seq, len(rest))
	}
	if _, err := ApplyBatches(ctx, replica, bodies(rest)); err != nil {
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
	sst, sum, err := WriteSnapshot(ctx, portal, snapPath)
	if err != nil {
		t.Fatal(err)
	}
	if sst.Seq != 17 || sst.Hash != batches[4].Hash {
		t.Fatalf("snapshot state %+v", sst)
	}
	fresh := openTest(t)
	if err := ApplySnapshot(ctx, fresh, snapPath, sum, sst); err != nil {
		t.Fatal(err)
	}
	if digest(t, fresh) != digest(t, portal) {
		t.Fatal("snapshot replica differs from the portal")
	}
	hits, err := fresh.NearbyHits(ctx, content.NearbyQuery{Center: content.DemoTotem, Limit: 5})
	if err != nil || len(hits) != 5 {
		t.Fatalf("nearby on the snapshot replica: %d %v", len(hits), err)
	}
	if hits, _ := fresh.Search(ctx, "script", content.DemoTotem, 5); len(hits) == 0 {
		t.Fatal("search rows did not come with the snapshot")
	}
	// Writes after a snapshot keep the search and spatial indexes whole,
	// also on a replica whose writer used them before.
	if err := ApplySnapshot(ctx, replica, snapPath, sum, sst); err != nil {
		t.Fatal(err)
	}
	extra := randomService(r, 99, content.DemoTotem)
	extra.Name["it"], extra.Status = "Zanzibarico", content.StatusActive
	fb, err := Publish(ctx, portal, "test", []content.Change{serviceChange(t, &extra)}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ApplyBatches(ctx, replica, [][]byte{fb.Body}); err != nil {
		t.Fatal(err)
	}
	if hits, _ := replica.Search(ctx, "zanzibarico", content.DemoTotem, 5); len(hits) == 0 {
		t.Fatal("a service written after the snapshot is not found")
	}
	for _, check := range []string{
		"SELECT rtreecheck('idx_location_geom')",
	} {
		if _, err := writer(t, replica).Exec(check); err != nil {
			t.Fatalf("%s: %v", check, err)
		}
	}
	var secrets int
	fresh.Reader().QueryRow("SELECT count(*) FROM totem").Scan(&secrets)
	if secrets != 0 {
		t.Fatal("the snapshot carried the totem registry")
	}
	// Older than what the replica holds: refused.
	old := openDemo(t)
	oldPath := filepath.Join(t.TempDir(), "old.db")
	ost, osum, err := WriteSnapshot(ctx, old, oldPath)
	if err != nil {
		t.Fatal(err)
	}
	if err := ApplySnapshot(ctx, fresh, oldPath, osum, ost); rejectReason(err) != "replay" {
		t.Fatalf("rollback snapshot: %v", err)
	}
	if err := ApplySnapshot(ctx, fresh, snapPath, osum, sst); rejectReason(err) != "tampered" {
		t.Fatalf("wrong checksum: %v", err)
	}
}

func TestEnvelopeSignature(t *testing.T) {
	t.Parallel()
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
		{"command without one", pub, Sign(key, []byte(`{"type":"command","expires":"2999-01-01T00:00:00Z"}`)), now, "invalid"},
		{"null command", pub, Sign(key, []byte(`{"type":"command","expires":"2999-01-01T00:00:00Z","command":null}`)), now, "invalid"},
	}
	for _, c := range cases {
		if _, err := OpenEnvelope(c.pub, c.msg, c.now); rejectReason(err) != c.reason {
			t.Errorf("%s: %v, want %s", c.name, err, c.reason)
		}
	}
	// A command travels as the JSON it was given, for the fleet to read.
	payload, err = EncodeCommand(now.Add(time.Minute), map[string]any{"id": "cmd-1", "totems": []string{"a"}})
	if err != nil {
		t.Fatal(err)
	}
	env, err = OpenEnvelope(pub, Sign(key, payload), now)
	if err != nil || env.Type != EnvelopeCommand || string(env.Command) != `{"id":"cmd-1","totems":["a"]}` {
		t.Fatalf("command envelope: %+v %v", env, err)
	}
}

// The hook given to Publish runs in the publish's transaction: when it
// fails, neither the catalog, the change log, the sync state nor what the
// hook itself wrote is kept; when it succeeds, its rows commit with the
// batch, and it sees the batch's sequence.
func TestPublishHookIsAtomic(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cat := openDemo(t)
	count := func(table string) int {
		t.Helper()
		var n int
		if err := cat.Reader().QueryRow("SELECT count(*) FROM " + table).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// What the editor does when it publishes: the draft goes, an audit
	// entry records the sequence.
	// Tables of the hook's own, as the editorial layer keeps beside the
	// catalog.
	for _, ddl := range []string{"CREATE TABLE hook_draft(kind TEXT, id TEXT)", "CREATE TABLE hook_audit(id INTEGER PRIMARY KEY, record_id TEXT, seq INTEGER)"} {
		if _, err := writer(t, cat).Exec(ddl); err != nil {
			t.Fatal(err)
		}
	}
	draft := func(id string) {
		t.Helper()
		if _, err := writer(t, cat).Exec("INSERT INTO hook_draft(kind, id) VALUES ('service', ?)", id); err != nil {
			t.Fatal(err)
		}
	}
	editorial := func(id string, fail error) func(tx *sql.Tx, last int64) error {
		return func(tx *sql.Tx, last int64) error {
			if _, err := tx.Exec("DELETE FROM hook_draft WHERE kind = 'service' AND id = ?", id); err != nil {
				return err
			}
			if _, err := tx.Exec("INSERT INTO hook_audit(record_id, seq) VALUES (?, ?)", id, last); err != nil {
				return err
			}
			return fail
		}
	}
	r := rand.New(rand.NewPCG(1, 2))
	svc := randomService(r, 1, content.DemoTotem)
	draft(svc.ID)
	before, state := digest(t, cat), mustState(t, cat)
	logged, batches, audits := count("change_log"), count("feed_batch"), count("hook_audit")

	boom := errors.New("audit refused")
	fb, err := Publish(ctx, cat, "ed", []content.Change{serviceChange(t, &svc)}, editorial(svc.ID, boom))
	if !errors.Is(err, boom) || fb != nil {
		t.Fatalf("a failing hook: %v %v, want its error", fb, err)
	}
	if digest(t, cat) != before {
		t.Error("a failed hook left the change in the catalog")
	}
	if got := mustState(t, cat); got != state {
		t.Errorf("a failed hook moved the sync state: %+v, was %+v", got, state)
	}
	if count("change_log") != logged || count("feed_batch") != batches {
		t.Error("a failed hook left the change in the change log")
	}
	if count("hook_draft") != 1 || count("hook_audit") != audits {
		t.Error("a failed hook's own writes were kept")
	}
	if _, err := cat.Service(ctx, svc.ID); !errors.Is(err, content.ErrNotFound) {
		t.Errorf("the index has the service of a failed publish: %v", err)
	}

	fb, err = Publish(ctx, cat, "ed", []content.Change{serviceChange(t, &svc)}, editorial(svc.ID, nil))
	if err != nil {
		t.Fatal(err)
	}
	if got := mustState(t, cat); got.Seq != fb.Last || got.Hash != fb.Hash {
		t.Errorf("state %+v after batch %d", got, fb.Last)
	}
	if count("hook_draft") != 0 || count("hook_audit") != audits+1 {
		t.Error("the hook's writes did not commit with the batch")
	}
	var seq int64
	cat.Reader().QueryRow("SELECT seq FROM hook_audit ORDER BY id DESC LIMIT 1").Scan(&seq)
	if seq != fb.Last {
		t.Errorf("the hook saw sequence %d, the batch is %d", seq, fb.Last)
	}
	if _, err := cat.Service(ctx, svc.ID); err != nil {
		t.Errorf("published service: %v", err)
	}
}

func mustState(t *testing.T, cat *content.Store) State {
	t.Helper()
	st, err := ReadState(context.Background(), cat)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

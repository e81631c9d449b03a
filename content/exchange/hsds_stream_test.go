package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/google/uuid"
	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/internal/testenv"
)

// streamSource generates an HSDS page of n services, one at a time, from
// the demo catalog's services with new IDs: a file of any size in
// constant memory. bad, when not negative, is the index of a service
// given a latitude of 100.
type streamSource struct {
	elems   []json.RawMessage
	n, i    int
	bad     int
	buf     bytes.Buffer
	started bool
	read    int64 // bytes handed out
}

// demoElements are the demo catalog's services as HSDS, exported once.
var demoElements = struct {
	sync.Mutex
	elems []json.RawMessage
}{}

func newStreamSource(t testing.TB, n, bad int) *streamSource {
	t.Helper()
	demoElements.Lock()
	defer demoElements.Unlock()
	if demoElements.elems == nil {
		x, err := Read(context.Background(), testenv.DemoStore(t))
		if err != nil {
			t.Fatal(err)
		}
		var out bytes.Buffer
		if err := x.Write(FormatHSDS, &out); err != nil {
			t.Fatal(err)
		}
		var page struct{ Contents []json.RawMessage }
		if err := json.Unmarshal(out.Bytes(), &page); err != nil {
			t.Fatal(err)
		}
		demoElements.elems = page.Contents
	}
	return &streamSource{elems: demoElements.elems, n: n, bad: bad}
}

// element is the i-th service: a demo service under a new id and slug.
func (s *streamSource) element(i int) []byte {
	var m map[string]json.RawMessage
	_ = json.Unmarshal(s.elems[i%len(s.elems)], &m)
	var old, slug string
	_ = json.Unmarshal(m["id"], &old)
	_ = json.Unmarshal(m["punto_id"], &slug)
	id := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "stream-%d", i)).String()
	m["punto_id"], _ = json.Marshal(fmt.Sprintf("%s-%d", slug, i))
	b, _ := json.Marshal(m)
	b = bytes.ReplaceAll(b, []byte(old), []byte(id))
	if i == s.bad {
		b = bytes.Replace(b, []byte(`"latitude":`), []byte(`"latitude":100,"x":`), 1)
	}
	return b
}

func (s *streamSource) Read(p []byte) (int, error) {
	for s.buf.Len() < len(p) {
		switch {
		case !s.started:
			s.buf.WriteString(`{"total_items":` + fmt.Sprint(s.n) + `,"contents":[`)
			s.started = true
		case s.i < s.n:
			if s.i > 0 {
				s.buf.WriteByte(',')
			}
			s.buf.Write(s.element(s.i))
			s.i++
		case s.i == s.n:
			s.buf.WriteString("]}")
			s.i++
		default:
			if s.buf.Len() == 0 {
				return 0, io.EOF
			}
			n, _ := s.buf.Read(p)
			s.read += int64(n)
			return n, nil
		}
	}
	n, _ := s.buf.Read(p)
	s.read += int64(n)
	return n, nil
}

// A streamed import writes each record as it is read: the first service
// is written when a few kilobytes of the file have been read, not the
// whole file; every service arrives; a wrong one is named where it is,
// and without --lenient leaves no file.
func TestHSDSStreamImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	const n = 300
	src := newStreamSource(t, n, -1)
	readAtFirst := int64(-1)
	opt := ImportOptions{onRecord: func(i int) {
		if i == 0 {
			readAtFirst = src.read
		}
	}}
	dir := t.TempDir()
	path := filepath.Join(dir, "stream.db")
	res, err := CreateHSDSStream(ctx, path, src, opt)
	if err != nil {
		t.Fatal(err)
	}
	if res.Services != n || src.read < 1<<20 || readAtFirst < 0 || readAtFirst > 256<<10 {
		t.Fatalf("%d services; %d bytes read in all, %d when the first was written", res.Services, src.read, readAtFirst)
	}
	st, err := content.Open(ctx, path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if ids, err := st.IDs(ctx, content.KindService); err != nil || len(ids) != n {
		t.Fatalf("%d services in the catalog (%v)", len(ids), err)
	}

	bad := filepath.Join(dir, "bad.db")
	_, err = CreateHSDSStream(ctx, bad, newStreamSource(t, 60, 43), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "/contents/43/service_at_locations/0/location") || !strings.Contains(err.Error(), "latitude 100") {
		t.Fatalf("a wrong service: %v", err)
	}
	for _, f := range []string{bad, bad + ".partial"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused import left %s", f)
		}
	}
	res, err = CreateHSDSStream(ctx, bad, newStreamSource(t, 60, 43), ImportOptions{Lenient: true})
	if err != nil || res.Services != 59 || len(res.Refused) != 1 {
		t.Fatalf("lenient: %+v %v", res, err)
	}
}

package exchange

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
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
	// Its own places too: a file where every service rewrites the same
	// few locations is not a directory.
	var sals []map[string]json.RawMessage
	_ = json.Unmarshal(m["service_at_locations"], &sals)
	for _, sal := range sals {
		var loc map[string]json.RawMessage
		_ = json.Unmarshal(sal["location"], &loc)
		var lid, lslug string
		_ = json.Unmarshal(loc["id"], &lid)
		_ = json.Unmarshal(loc["punto_id"], &lslug)
		nl := uuid.NewSHA1(uuid.NameSpaceOID, fmt.Appendf(nil, "%s-%d", lid, i)).String()
		loc["id"], _ = json.Marshal(nl)
		loc["punto_id"], _ = json.Marshal(fmt.Sprintf("%s-%d", lslug, i))
		sal["location"], _ = json.Marshal(loc)
		sal["location_id"], _ = json.Marshal(nl)
	}
	m["service_at_locations"], _ = json.Marshal(sals)
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
	const n = 120
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
	if res.Services != n || readAtFirst < 0 || readAtFirst > 64<<10 || src.read < 4*readAtFirst {
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
	_, err = CreateHSDSStream(ctx, bad, newStreamSource(t, 25, 13), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "/contents/13/service_at_locations/0/location") || !strings.Contains(err.Error(), "latitude 100") {
		t.Fatalf("a wrong service: %v", err)
	}
	for _, f := range []string{bad, bad + ".partial"} {
		if _, err := os.Stat(f); err == nil {
			t.Errorf("a refused import left %s", f)
		}
	}
	res, err = CreateHSDSStream(ctx, bad, newStreamSource(t, 25, 13), ImportOptions{Lenient: true})
	if err != nil || res.Services != 24 || len(res.Refused) != 1 {
		t.Fatalf("lenient: %+v %v", res, err)
	}
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r    io.Reader
	read int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.read += int64(n)
	return n, err
}

// The flat CSV streamed gives the catalog that reading it whole gives
// (same digest), writing the first service before the file is read; a
// service's rows apart, or a wrong row, are named by line.
func TestFlatCSVStreamImport(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	all, err := csv.NewReader(bytes.NewReader(exportBytes(t, openDemo(t), FormatCSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// The rows of the first 60 services (a service's rows follow one
	// another), and of the first 15 for the wrong files.
	head := func(services int) [][]string {
		n, last := 0, ""
		for i, r := range all[1:] {
			if r[0] != last {
				if n++; n > services {
					return all[:i+1]
				}
				last = r[0]
			}
		}
		return all
	}
	flat := csvBytes(t, head(60))
	dir := t.TempDir()
	whole := filepath.Join(dir, "whole.db")
	x, err := Parse(FormatCSV, flat)
	if err != nil {
		t.Fatal(err)
	}
	if err := Create(ctx, whole, x, FormatCSV); err != nil {
		t.Fatal(err)
	}
	src := &countingReader{r: bytes.NewReader(flat)}
	readAtFirst := int64(-1)
	streamed := filepath.Join(dir, "streamed.db")
	res, err := CreateFlatCSVStream(ctx, streamed, src, ImportOptions{onRecord: func(i int) {
		if i == 0 {
			readAtFirst = src.read
		}
	}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Services != len(x.Services) || res.Organizations != len(x.Organizations) || readAtFirst < 0 || readAtFirst > 96<<10 || int64(len(flat)) < 2*readAtFirst {
		t.Fatalf("%+v of %d services; %d of %d bytes read when the first was written", res, len(x.Services), readAtFirst, len(flat))
	}
	digests := make([]string, 2)
	for i, p := range []string{whole, streamed} {
		st, err := content.Open(ctx, p)
		if err != nil {
			t.Fatal(err)
		}
		digests[i], err = st.Digest(ctx)
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
	}
	if digests[0] != digests[1] {
		t.Errorf("streamed catalog %s, read whole %s", digests[1], digests[0])
	}

	// A latitude of 100 on the fourth row is named, by line and column.
	rows := head(15)
	nbad, err := Parse(FormatCSV, csvBytes(t, rows))
	if err != nil {
		t.Fatal(err)
	}
	latCol := slices.Index(rows[0], "lat")
	rows[3][latCol] = "100"
	bad := csvBytes(t, rows)
	_, err = CreateFlatCSVStream(ctx, filepath.Join(dir, "bad.db"), bytes.NewReader(bad), ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), "line ") || !strings.Contains(err.Error(), "lat") {
		t.Fatalf("a wrong row: %v", err)
	}
	res, err = CreateFlatCSVStream(ctx, filepath.Join(dir, "lenient.db"), bytes.NewReader(bad), ImportOptions{Lenient: true})
	if err != nil || res.Services != len(nbad.Services)-1 || len(res.Refused) != 1 {
		t.Fatalf("lenient: %+v %v", res, err)
	}
}

// csvBytes writes rows as CSV.
func csvBytes(t *testing.T, rows [][]string) []byte {
	t.Helper()
	var b bytes.Buffer
	w := csv.NewWriter(&b)
	if err := w.WriteAll(rows); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestWriteStreamFile: PUNTO_STREAM_OUT=FILE [PUNTO_STREAM_MB=100] go test
// -run TestWriteStreamFile writes the generated HSDS page to FILE, for
// measuring `punto catalog import` by hand (time, peak memory).
func TestWriteStreamFile(t *testing.T) {
	out := os.Getenv("PUNTO_STREAM_OUT")
	if out == "" {
		t.Skip("set PUNTO_STREAM_OUT=FILE to write a generated HSDS page there")
	}
	mb := 100
	if v := os.Getenv("PUNTO_STREAM_MB"); v != "" {
		fmt.Sscan(v, &mb)
	}
	probe := newStreamSource(t, 0, -1)
	size := 0
	for i := range 100 {
		size += len(probe.element(i)) + 1
	}
	f, err := os.Create(out)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	src := newStreamSource(t, mb<<20/(size/100), -1)
	if _, err := io.Copy(f, src); err != nil {
		t.Fatal(err)
	}
	t.Logf("%d services, %d bytes in %s", src.n, src.read, out)
}

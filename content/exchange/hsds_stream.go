package exchange

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"strings"

	"github.com/punto-totem/punto/content"
)

// Streamed import of large HSDS JSON files: a page ({"contents": […]})
// or a bare array of services, organizations or services at locations,
// read one record at a time and written as it comes, in one transaction.
// Memory stays bounded by the largest record (and by small per-record
// digests of IDs), not by the file: a 100 MB directory imports in the
// memory a 1 MB one takes.

// maxStreamRecord bounds one record of a streamed file.
const maxStreamRecord = 16 << 20

// StreamResult is what a streamed import wrote, and, when lenient, the
// problems of the records it left out.
type StreamResult struct {
	Organizations, Services int
	Refused                 []ImportIssue
}

// CreateHSDSStream writes a new catalog file at path from the HSDS JSON
// read from r, one record at a time. Every problem of the file is
// reported (ImportError, bounded as Parse bounds them) and no file is
// left; with opt.Lenient the right records are written and the others
// listed in Refused. A single object (not a page or an array) is read
// whole, as Parse reads it.
func CreateHSDSStream(ctx context.Context, path string, r io.Reader, opt ImportOptions) (*StreamResult, error) {
	return streamHSDS(ctx, newFileTarget(ctx, path), r, opt)
}

// ImportHSDSStream is CreateHSDSStream into an open catalog, in one
// transaction: each record replaces the one with its ID, records the file
// does not name stay, and a service may name an organization the catalog
// has. If the file is refused nothing is written.
func ImportHSDSStream(ctx context.Context, s *content.Store, r io.Reader, opt ImportOptions) (*StreamResult, error) {
	return streamHSDS(ctx, storeTarget(ctx, s), r, opt)
}

// streamTarget is where a streamed import writes: a new catalog file, or
// an open catalog.
type streamTarget struct {
	write func(fill func(*content.Batch) error) error // runs fill in one transaction
	whole func(x *Records, format string) error       // writes records read whole
	open  bool                                        // an open catalog: its organizations may be named
}

func newFileTarget(ctx context.Context, path string) streamTarget {
	return streamTarget{
		write: func(fill func(*content.Batch) error) error { return content.Create(ctx, path, fill) },
		whole: func(x *Records, format string) error { return Create(ctx, path, x, format) },
	}
}

func storeTarget(ctx context.Context, s *content.Store) streamTarget {
	return streamTarget{
		write: func(fill func(*content.Batch) error) error { return s.Write(ctx, fill) },
		whole: func(x *Records, format string) error { return Import(ctx, s, x, format) },
		open:  true,
	}
}

func streamHSDS(ctx context.Context, to streamTarget, r io.Reader, opt ImportOptions) (*StreamResult, error) {
	rec := &recorder{r: r}
	dec := json.NewDecoder(rec)
	prefix, single, err := openRecords(dec)
	if err != nil {
		return nil, &ImportError{Format: FormatHSDS, Issues: []ImportIssue{{Reason: err.Error()}}}
	}
	if single {
		// One object: not large by nature; read whole, as Parse reads it.
		rest, err := io.ReadAll(io.LimitReader(r, maxStreamRecord+1))
		if err != nil {
			return nil, err
		}
		return importWhole(to, append(rec.buf, rest...), opt)
	}
	rec.buf, rec.off = nil, true
	is := &issues{format: FormatHSDS, opt: opt}
	var st *streamState
	err = to.write(func(b *content.Batch) error {
		var err error
		if st, err = newStreamState(b, opt, is); err != nil {
			return err
		}
		st.open = to.open
		for i := 0; dec.More(); i++ {
			if err := ctx.Err(); err != nil {
				return err
			}
			at := fmt.Sprintf("%s/%d", prefix, i)
			var raw json.RawMessage
			if err := dec.Decode(&raw); err != nil {
				st.is.add(ImportIssue{Pointer: at, Reason: "not JSON: " + err.Error()})
				break // the rest cannot be read
			}
			if err := st.record(b, raw, at); err != nil {
				return err
			}
			if opt.onRecord != nil {
				opt.onRecord(i)
			}
			if st.is.full() {
				break
			}
		}
		if st.res.Services == 0 && len(st.is.list) == 0 {
			st.is.add(ImportIssue{Pointer: prefix, Reason: "holds no service: nothing to import"})
		}
		if !opt.Lenient || st.res.Services == 0 {
			return st.is.err()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	st.res.Refused = st.is.list
	return st.res, nil
}

// importWhole imports a file read whole (see Create and Import).
func importWhole(to streamTarget, data []byte, opt ImportOptions) (*StreamResult, error) {
	x, err := ParseOptions(FormatHSDS, data, opt)
	if err != nil {
		return nil, err
	}
	if err := to.whole(x, FormatHSDS); err != nil {
		return nil, err
	}
	return &StreamResult{Organizations: len(x.Organizations), Services: len(x.Services), Refused: x.Refused}, nil
}

// openRecords reads up to the first record: into the array of a page's
// contents (prefix "/contents") or of a bare array (""); single is set
// for one object, which the decoder has not started.
func openRecords(dec *json.Decoder) (prefix string, single bool, err error) {
	tok, err := dec.Token()
	if err != nil {
		return "", false, fmt.Errorf("not JSON: %v", err)
	}
	if tok == json.Delim('[') {
		return "", false, nil
	}
	if tok != json.Delim('{') {
		return "", false, errors.New("not an HSDS document: a page, an array or an object is needed")
	}
	// A page's first member is "contents" when Punto writes it; another
	// page writes total_items and friends first. Anything but contents
	// before it is skipped; an object with no contents is one record.
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return "", false, fmt.Errorf("not JSON: %v", err)
		}
		key, _ := tok.(string)
		if key == "contents" {
			if tok, err := dec.Token(); err != nil || tok != json.Delim('[') {
				return "", false, errors.New("/contents: must be an array")
			}
			return "/contents", false, nil
		}
		if !pageMember(key) {
			return "", true, nil
		}
		var skip json.RawMessage
		if err := dec.Decode(&skip); err != nil {
			return "", false, fmt.Errorf("not JSON: %v", err)
		}
	}
	return "", false, errors.New("an object with no contents: nothing to import")
}

// recorder keeps what is read from r until off: the start of a file that
// turns out to be one object, read again whole.
type recorder struct {
	r   io.Reader
	buf []byte
	off bool
}

func (c *recorder) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	if !c.off {
		c.buf = append(c.buf, p[:n]...)
	}
	return n, err
}

// pageMember: the members of an HSDS page besides contents.
func pageMember(k string) bool {
	switch k {
	case "total_items", "total_pages", "page_number", "size", "first_page", "last_page", "empty", "version", "profile":
		return true
	}
	return false
}

// streamState is what a streamed import remembers across records: the
// IDs it read, and digests of the organizations and locations given,
// which must be given the same way each time, all in its seen table.
type streamState struct {
	opt  ImportOptions
	is   *issues
	res  *StreamResult
	seen *seenTable
	open bool // into an open catalog: a service may name one of its organizations
}

// newStreamState starts a streamed import in batch b.
func newStreamState(b *content.Batch, opt ImportOptions, is *issues) (*streamState, error) {
	seen, err := newSeenTable(b)
	if err != nil {
		return nil, err
	}
	return &streamState{opt: opt, is: is, res: &StreamResult{}, seen: seen}, nil
}

// record converts, checks and writes one record of the file.
func (st *streamState) record(b *content.Batch, raw json.RawMessage, at string) error {
	sub := &issues{format: FormatHSDS, opt: st.opt}
	var x *Records
	switch {
	case len(raw) > maxStreamRecord:
		sub.add(ImportIssue{Pointer: "/0", Reason: fmt.Sprintf("a record of %d bytes: at most %d MiB", len(raw), maxStreamRecord>>20)})
	default:
		one := make([]byte, 0, len(raw)+2)
		one = append(append(append(one, '['), raw...), ']')
		if checkDepth(one, sub) {
			x = parseHSDS(one, sub)
		}
	}
	if x != nil {
		x.check(sub)
	}
	defer func() {
		for _, i := range sub.list {
			if i.Pointer == "/0" || strings.HasPrefix(i.Pointer, "/0/") {
				i.Pointer = at + strings.TrimPrefix(i.Pointer, "/0")
			} else if i.Pointer == "" || i.Pointer == "/" {
				i.Pointer = at
			}
			st.is.add(i)
		}
	}()
	if x == nil {
		return nil
	}
	return st.put(b, x, sub)
}

// put checks and writes the checked records of one record of the file
// (x.check has run); their problems go to sub.
func (st *streamState) put(b *content.Batch, x *Records, sub *issues) error {
	// Without lenient, a file with a problem writes nothing: the rest is
	// only checked.
	write := st.opt.Lenient || len(st.is.list) == 0 && len(sub.list) == 0
	for i := range x.Organizations {
		o := &x.Organizations[i]
		if x.badOrg[i] {
			if err := st.leaveOut(o.ID); err != nil {
				return err
			}
			continue
		}
		doc, _ := json.Marshal(o)
		d := digest(doc)
		prev, ok, err := st.seen.get(seenOrg, o.ID)
		if err != nil {
			return err
		}
		if ok {
			if prev.digest != d {
				sub.add(x.orgIssue(i, invalid("id", "organization %q is given differently by another record", o.ID)))
				if err := st.leaveOut(o.ID); err != nil {
					return err
				}
			}
			continue
		}
		if err := st.seen.put(seenOrg, o.ID, seenRow{digest: d}); err != nil {
			return err
		}
		if write {
			if err := b.PutOrganization(o); err != nil {
				if !isValidation(err) {
					return err
				}
				sub.add(x.orgIssue(i, err))
				if err := st.leaveOut(o.ID); err != nil {
					return err
				}
				continue
			}
		}
		st.res.Organizations++
	}
	for i := range x.Services {
		s := &x.Services[i]
		if x.badSvc[i] {
			continue
		}
		bad, err := st.checkService(s)
		if err != nil {
			return err
		}
		if bad != nil {
			sub.add(x.svcIssue(i, bad))
			continue
		}
		if write && (st.opt.Lenient || len(sub.list) == 0) {
			if err := b.PutService(s); err != nil {
				if !isValidation(err) {
					return err
				}
				sub.add(x.svcIssue(i, err))
				continue
			}
		}
		st.res.Services++
	}
	return nil
}

// leaveOut notes an organization left out: its services are refused.
func (st *streamState) leaveOut(id string) error {
	return st.seen.put(seenLeftOut, id, seenRow{})
}

// checkService checks what only the whole file can tell: a service given
// twice, its organization there, its locations as other records give
// them. It notes the service as read; bad is the problem found, err a
// failure of the seen table.
func (st *streamState) checkService(s *content.Service) (bad, err error) {
	twice, err := st.seen.has(seenService, s.ID)
	if err != nil || twice {
		return invalid("id", "service %q is given twice", s.ID), err
	}
	if err := st.seen.put(seenService, s.ID, seenRow{}); err != nil {
		return nil, err
	}
	if s.OrganizationID != "" {
		given, err := st.seen.has(seenOrg, s.OrganizationID)
		if err != nil {
			return nil, err
		}
		left, err := st.seen.has(seenLeftOut, s.OrganizationID)
		if err != nil {
			return nil, err
		}
		if !given && !left && st.open {
			var n int
			if err := st.seen.b.QueryRow("SELECT count(*) FROM organization WHERE id = ?", s.OrganizationID).Scan(&n); err != nil {
				return nil, fmt.Errorf("exchange: import: %w", err)
			}
			given = n > 0
		}
		if !given || left {
			where := "before it in the file"
			if st.open {
				where = "before it in the file or in the catalog"
			}
			return invalid("organization_id", "no organization %q %s", s.OrganizationID, where), nil
		}
	}
	for j, l := range s.Locations {
		doc, _ := json.Marshal(l)
		d := digest(doc)
		prev, ok, err := st.seen.get(seenLocation, l.ID)
		if err != nil {
			return nil, err
		}
		if ok && prev.digest != d {
			return invalid(fmt.Sprintf("locations[%d]", j), "location %q is given differently by another service", l.ID), nil
		}
		if !ok {
			if err := st.seen.put(seenLocation, l.ID, seenRow{digest: d}); err != nil {
				return nil, err
			}
		}
	}
	return nil, nil
}

func digest(b []byte) uint64 {
	h := fnv.New64a()
	h.Write(bytes.TrimSpace(b))
	return h.Sum64()
}

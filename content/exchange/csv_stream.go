package exchange

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"

	"github.com/punto-totem/punto/content"
)

// CreateFlatCSVStream writes a new catalog file at path from the flat CSV
// template read from r, one service at a time: the rows of a service at
// several locations follow one another (as the export writes them), and
// each service is written once its last row is read, so memory does not
// grow with the file. Problems and lenient as CreateHSDSStream.
func CreateFlatCSVStream(ctx context.Context, path string, r io.Reader, opt ImportOptions) (*StreamResult, error) {
	return streamFlatCSV(ctx, newFileTarget(ctx, path), r, opt)
}

// ImportFlatCSVStream is CreateFlatCSVStream into an open catalog (see
// ImportHSDSStream).
func ImportFlatCSVStream(ctx context.Context, s *content.Store, r io.Reader, opt ImportOptions) (*StreamResult, error) {
	return streamFlatCSV(ctx, storeTarget(ctx, s), r, opt)
}

func streamFlatCSV(ctx context.Context, to streamTarget, r io.Reader, opt ImportOptions) (*StreamResult, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	if bom, _ := br.Peek(3); bytes.Equal(bom, []byte("\uFEFF")) {
		_, _ = br.Discard(3)
	}
	first, _ := br.Peek(64 << 10) // the header row, or what there is
	first, _, _ = bytes.Cut(first, []byte("\n"))
	cr := csv.NewReader(br)
	if bytes.Count(first, []byte(";")) > bytes.Count(first, []byte(",")) {
		cr.Comma = ';'
	}
	is := &issues{format: FormatCSV, opt: opt}
	header, ok := readFlatHeader(cr, is)
	if !ok {
		return nil, is.err()
	}
	fs := &flatStream{fp: &flatParse{header: header, is: is, x: &Records{}}}
	err := to.write(func(b *content.Batch) error {
		st, err := newStreamState(b, opt, is)
		if err != nil {
			return err
		}
		st.open = to.open
		fs.b, fs.st = b, st
		for !is.full() {
			if err := ctx.Err(); err != nil {
				return err
			}
			fl, err := fs.fp.readRow(cr)
			if err == io.EOF {
				break
			}
			if err != nil {
				break // a syntax error, reported: the rest cannot be read
			}
			if fl == nil {
				continue
			}
			if err := fs.row(*fl); err != nil {
				return err
			}
		}
		if err := fs.flush(); err != nil {
			return err
		}
		if fs.st.res.Services == 0 && len(is.list) == 0 {
			is.add(ImportIssue{Line: 2, Reason: "holds no service: nothing to import"})
		}
		if !opt.Lenient || fs.st.res.Services == 0 {
			return is.err()
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	fs.st.res.Refused = is.list
	return fs.st.res, nil
}

// flatStream is a streamed flat CSV import: the service being read (its
// rows so far) and what earlier services left.
type flatStream struct {
	fp    *flatParse
	st    *streamState
	b     *content.Batch
	cur   *content.Service
	first flatLine
	lines []int
	orgs  int // organizations of fp.x already written
}

// row adds a row: to the service being read, or as the next one.
func (fs *flatStream) row(fl flatLine) error {
	svc, org, ok := flatService(fl, fs.fp.is)
	if !ok {
		return nil
	}
	if org != nil {
		if err := fs.addOrganization(fl, org); err != nil {
			return err
		}
		if err := fs.writeOrgs(); err != nil {
			return err
		}
	}
	if fs.cur != nil && fs.cur.ID == svc.ID {
		if c := flatDiff(fs.first.row, fl.row, partService); c != "" {
			fs.fp.is.add(where{line: fl.line}.issue(c, fmt.Sprintf("service %q is given differently on line %d", svc.ID, fs.first.line)))
			return nil
		}
		fs.cur.Locations = append(fs.cur.Locations, svc.Locations...)
		fs.lines = append(fs.lines, fl.line)
		return nil
	}
	if err := fs.flush(); err != nil {
		return err
	}
	again, err := fs.st.seen.has(seenService, svc.ID)
	if err != nil {
		return err
	}
	if again {
		fs.fp.is.add(where{line: fl.line}.issue("service_id", fmt.Sprintf("service %q is given again: its rows must follow one another", svc.ID)))
		return nil
	}
	fs.cur, fs.first, fs.lines = &svc, fl, []int{fl.line}
	return nil
}

// addOrganization reads a row's organization: described again, it must
// be described the same way (its columns as first given are in the seen
// table).
func (fs *flatStream) addOrganization(fl flatLine, org *content.Organization) error {
	prev, ok, err := fs.st.seen.get(seenOrgRow, org.ID)
	if err != nil {
		return err
	}
	at := where{line: fl.line}
	if ok {
		var first flatRow
		if err := json.Unmarshal([]byte(prev.doc), &first); err != nil {
			return fmt.Errorf("exchange: import table: %w", err)
		}
		if c := flatDiff(first, fl.row, partOrg); c != "" {
			fs.fp.is.add(at.issue(c, fmt.Sprintf("organization %q is given differently on line %d", org.ID, prev.line)))
		}
		return nil
	}
	cols := flatRow{}
	for k, v := range fl.row {
		if p, _ := flatPart(k); p == partOrg {
			cols[k] = v
		}
	}
	doc, _ := json.Marshal(cols)
	if err := fs.st.seen.put(seenOrgRow, org.ID, seenRow{line: fl.line, doc: string(doc)}); err != nil {
		return err
	}
	x := fs.fp.x
	x.Organizations = append(x.Organizations, *org)
	x.orgAt = append(x.orgAt, func(field, reason string) ImportIssue {
		return at.issue(flatTextCol("organization_", field), reason)
	})
	return nil
}

// writeOrgs checks and writes the organizations read since the last call.
func (fs *flatStream) writeOrgs() error {
	x := fs.fp.x
	for ; fs.orgs < len(x.Organizations); fs.orgs++ {
		o := &x.Organizations[fs.orgs]
		if err := o.Validate(); err != nil {
			fs.fp.is.add(x.orgIssue(fs.orgs, err))
			if err := fs.st.leaveOut(o.ID); err != nil {
				return err
			}
			continue
		}
		o.Name, o.Description = trimText(o.Name), trimText(o.Description)
		if err := fs.st.seen.put(seenOrg, o.ID, seenRow{}); err != nil {
			return err
		}
		if fs.st.opt.Lenient || len(fs.fp.is.list) == 0 {
			if err := fs.b.PutOrganization(o); err != nil {
				if !isValidation(err) {
					return err
				}
				fs.fp.is.add(x.orgIssue(fs.orgs, err))
				if err := fs.st.leaveOut(o.ID); err != nil {
					return err
				}
				continue
			}
		}
		fs.st.res.Organizations++
	}
	// Only the IDs are needed from now on.
	x.Organizations, x.orgAt = x.Organizations[:0], x.orgAt[:0]
	fs.orgs = 0
	return nil
}

// flush checks and writes the service whose rows have all been read.
func (fs *flatStream) flush() error {
	if fs.cur == nil {
		return nil
	}
	s, lines := fs.cur, fs.lines
	fs.cur, fs.lines = nil, nil
	at := flatLocator(fs.first.line, &lines, s)
	issue := func(err error) { fs.fp.is.add(place([]locator{at}, 0, err)) }
	if err := s.Validate(); err != nil {
		issue(err)
		return fs.st.seen.put(seenService, s.ID, seenRow{})
	}
	canonical(s)
	bad, err := fs.st.checkService(s)
	if err != nil {
		return err
	}
	if bad != nil {
		issue(bad)
		return nil
	}
	if fs.st.opt.Lenient || len(fs.fp.is.list) == 0 {
		if err := fs.b.PutService(s); err != nil {
			if !isValidation(err) {
				return err
			}
			issue(err)
			return nil
		}
	}
	if fs.st.opt.onRecord != nil {
		fs.st.opt.onRecord(fs.st.res.Services)
	}
	fs.st.res.Services++
	return nil
}

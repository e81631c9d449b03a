package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"time"

	"github.com/paulmach/orb"
)

// The kinds of record the change feed carries.
const (
	KindOrganization = "organization"
	KindTerritory    = "territory"
	KindService      = "service"
	KindAlert        = "alert"
	KindPage         = "page"
	// KindRecording (recording.go): audio of a text, in one language.
	// KindTerm (lexicon_term.go): a term an editor added to the lexicon.
	// KindClosure (closure.go): closure mode in a territory.
)

// The operations of a change.
const (
	OpPut    = "put"
	OpDelete = "delete"
)

// Change is one entry of the change log: put or delete one record. Doc is
// the whole record as JSON: an Organization, a Service (with its locations),
// an Alert, a Page or a TerritoryDoc.
type Change struct {
	Seq  int64           `json:"seq"`
	Kind string          `json:"kind"`
	ID   string          `json:"id"`
	Op   string          `json:"op"`
	Doc  json.RawMessage `json:"doc,omitempty"`
}

// TerritoryDoc is a territory as the feed carries it: with its shape.
type TerritoryDoc struct {
	Territory
	Shape orb.MultiPolygon `json:"shape"`
}

// decodeStrict reads one JSON document into v, refusing unknown fields and
// trailing data so that a typo in a field name is an error, not a loss.
func decodeStrict(doc json.RawMessage, v any) error {
	dec := json.NewDecoder(bytes.NewReader(doc))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return invalid(te.Field, "must be %s", te.Type)
		}
		return invalid("doc", "%v", err)
	}
	if dec.More() {
		return invalid("doc", "trailing data after the record")
	}
	return nil
}

// DecodeDoc validates a change's document and returns the typed record
// (*Organization, *TerritoryDoc, *Service, *Alert or *Page). Errors are
// *ValidationError naming the field.
func DecodeDoc(kind string, doc json.RawMessage) (any, error) {
	if len(doc) == 0 {
		return nil, invalid("doc", "is missing")
	}
	switch kind {
	case KindOrganization:
		var o Organization
		if err := decodeStrict(doc, &o); err != nil {
			return nil, err
		}
		return &o, o.Validate()
	case KindTerritory:
		var t TerritoryDoc
		if err := decodeStrict(doc, &t); err != nil {
			return nil, err
		}
		t.Territory.Shape = t.Shape
		return &t, t.Territory.Validate()
	case KindService:
		var s Service
		if err := decodeStrict(doc, &s); err != nil {
			return nil, err
		}
		return &s, s.Validate()
	case KindAlert:
		var a Alert
		if err := decodeStrict(doc, &a); err != nil {
			return nil, err
		}
		return &a, a.Validate()
	case KindPage:
		var p Page
		if err := decodeStrict(doc, &p); err != nil {
			return nil, err
		}
		return &p, p.Validate()
	case KindRecording:
		var r Recording
		if err := decodeStrict(doc, &r); err != nil {
			return nil, err
		}
		return &r, r.Validate()
	case KindTerm:
		var t Term
		if err := decodeStrict(doc, &t); err != nil {
			return nil, err
		}
		return &t, t.Validate()
	case KindClosure:
		var c Closure
		if err := decodeStrict(doc, &c); err != nil {
			return nil, err
		}
		return &c, c.Validate()
	}
	return nil, invalid("kind", "%q is not organization, territory, service, alert, page, recording, term or closure", kind)
}

// Validate checks an organization before it is written.
func (o *Organization) Validate() error {
	if !ValidID(o.ID) {
		return invalid("id", "%q is not a valid id", o.ID)
	}
	if o.UUID != "" && !ValidUUID(o.UUID) {
		return invalid("uuid", "%q is not a UUID in lower-case hyphenated form", o.UUID)
	}
	if err := validExtra(o.Extra); err != nil {
		return err
	}
	if err := ValidText("name", o.Name, true); err != nil {
		return err
	}
	if err := ValidURL("url", o.URL); err != nil {
		return err
	}
	if err := ValidEmail("email", o.Email); err != nil {
		return err
	}
	return ValidText("description", o.Description, false)
}

// Validate checks a page before it is written.
func (p *Page) Validate() error {
	if !ValidID(p.ID) {
		return invalid("id", "%q is not a valid id", p.ID)
	}
	if err := ValidText("title", p.Title, true); err != nil {
		return err
	}
	return ValidText("body", p.Body, true)
}

// checkChange validates a change as a whole: its kind, operation, and a
// document whose ID is the change's.
func checkChange(c *Change) (any, error) {
	if !ValidID(c.ID) {
		return nil, invalid("id", "%q is not a valid id", c.ID)
	}
	switch c.Op {
	case OpPut:
	case OpDelete:
		if c.Kind != KindAlert && c.Kind != KindPage && c.Kind != KindRecording && c.Kind != KindTerm && c.Kind != KindClosure {
			return nil, invalid("op", "a %s cannot be deleted (withdraw a service with status withdrawn)", c.Kind)
		}
		if len(c.Doc) > 0 {
			return nil, invalid("doc", "a delete carries no document")
		}
		return nil, nil
	default:
		return nil, invalid("op", "%q is not put or delete", c.Op)
	}
	v, err := DecodeDoc(c.Kind, c.Doc)
	if err != nil {
		return nil, err
	}
	var id string
	switch r := v.(type) {
	case *Organization:
		id = r.ID
	case *TerritoryDoc:
		id = r.ID
	case *Service:
		id = r.ID
	case *Alert:
		id = r.ID
	case *Page:
		id = r.ID
	case *Recording:
		id = r.ID
	case *Term:
		id = r.ID
	case *Closure:
		id = r.ID
	}
	if id != c.ID {
		return nil, invalid("doc.id", "%q differs from the change's id %q", id, c.ID)
	}
	return v, nil
}

// Apply writes one change in the batch.
func (b *Batch) Apply(c *Change) error {
	v, err := checkChange(c)
	if err != nil {
		return err
	}
	if c.Op == OpDelete {
		return b.deleteRecord(c.Kind, c.ID)
	}
	switch r := v.(type) {
	case *Organization:
		return b.PutOrganization(r)
	case *TerritoryDoc:
		return b.PutTerritory(&r.Territory)
	case *Service:
		return b.PutService(r)
	case *Alert:
		return b.PutAlert(r)
	case *Page:
		return b.PutPage(r)
	case *Recording:
		return b.PutRecording(r)
	case *Term:
		return b.PutTerm(r)
	case *Closure:
		return b.PutClosure(r)
	}
	return invalid("kind", "%q cannot be written", c.Kind)
}

// deleteRecord removes an alert, a page (with its texts), a recording or a term. Deleting what is
// not there is not an error: the change log may say it twice.
func (b *Batch) deleteRecord(kind, id string) error {
	table := map[string]string{KindAlert: "alert", KindPage: "page", KindRecording: "recording", KindTerm: "lexicon_term", KindClosure: "closure"}[kind]
	if table == "" {
		return invalid("op", "a %s cannot be deleted", kind)
	}
	b.terms = b.terms || kind == KindTerm
	b.closures = b.closures || kind == KindClosure
	if _, err := b.exec("DELETE FROM "+table+" WHERE id = ?", id); err != nil {
		return fmt.Errorf("content: delete %s %s: %w", kind, id, err)
	}
	_, err := b.exec("DELETE FROM translation WHERE entity = ? AND id = ?", kind, id)
	return err
}

// Alert reads one alert with every translation.
func (s *Store) Alert(ctx context.Context, id string) (*Alert, error) {
	a := &Alert{ID: id}
	var start, end string
	err := s.queryRow(ctx, "SELECT starts_at, ends_at, severity, target_kind, target FROM alert WHERE id = ?", id).
		Scan(&start, &end, &a.Severity, &a.TargetKind, &a.Target)
	if err != nil {
		return nil, notFound(err, "alert", id)
	}
	a.StartsAt, _ = time.Parse(time.RFC3339, start)
	a.EndsAt, _ = time.Parse(time.RFC3339, end)
	if a.Text, err = s.text(ctx, "alert", id, "text"); err != nil {
		return nil, err
	}
	return a, nil
}

// Page reads one page with every translation.
func (s *Store) Page(ctx context.Context, id string) (*Page, error) {
	p := &Page{ID: id}
	if err := s.queryRow(ctx, "SELECT position FROM page WHERE id = ?", id).Scan(&p.Position); err != nil {
		return nil, notFound(err, "page", id)
	}
	tx, err := s.texts(ctx, "page", id)
	if err != nil {
		return nil, err
	}
	p.Title, p.Body = tx["title"], tx["body"]
	return p, nil
}

// Doc returns the record of the given kind as the change feed carries it,
// or ErrNotFound.
func (s *Store) Doc(ctx context.Context, kind, id string) (json.RawMessage, error) {
	var v any
	var err error
	switch kind {
	case KindOrganization:
		v, err = s.Organization(ctx, id)
	case KindTerritory:
		var t *Territory
		if t, err = s.Territory(ctx, id); err == nil {
			v = &TerritoryDoc{Territory: *t, Shape: t.Shape}
		}
	case KindService:
		v, err = s.Service(ctx, id)
	case KindAlert:
		v, err = s.Alert(ctx, id)
	case KindPage:
		v, err = s.Page(ctx, id)
	case KindRecording:
		v, err = s.recordingByID(ctx, id)
	case KindTerm:
		v, err = s.Term(ctx, id)
	case KindClosure:
		v, err = s.Closure(ctx, id)
	default:
		return nil, invalid("kind", "%q is not organization, territory, service, alert, page, recording, term or closure", kind)
	}
	if err != nil {
		return nil, err
	}
	return json.Marshal(v)
}

// IDs lists the IDs of every record of a kind, in order.
func (s *Store) IDs(ctx context.Context, kind string) ([]string, error) {
	switch kind {
	case KindOrganization, KindTerritory, KindService, KindAlert, KindPage, KindRecording, KindClosure:
	case KindTerm:
		kind = "lexicon_term"
	default:
		return nil, invalid("kind", "%q is not organization, territory, service, alert, page, recording, term or closure", kind)
	}
	rows, err := s.r.QueryContext(ctx, "SELECT id FROM "+kind+" ORDER BY id")
	if err != nil {
		return nil, fmt.Errorf("content: list %s: %w", kind, err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		out = append(out, id)
	}
	return out, rows.Err()
}

// Digest is a SHA-256 over every record of the catalog as the feed carries
// it, in a fixed order: two catalogs with the same content have the same
// digest, whatever their history. Tests and operators compare a totem's
// replica with the portal with it.
func (s *Store) Digest(ctx context.Context) (string, error) { return s.digest(ctx, bulkDigestMax) }

// digest is Digest, with the services read at once in a catalog of at
// most bulkMax.
func (s *Store) digest(ctx context.Context, bulkMax int) (string, error) {
	h := sha256.New()
	for _, k := range []string{KindOrganization, KindTerritory, KindService, KindAlert, KindPage, KindRecording, KindTerm, KindClosure} {
		if k == KindService {
			done, err := s.digestServices(ctx, h, bulkMax)
			if err != nil {
				return "", err
			}
			if done {
				continue
			}
		}
		ids, err := s.IDs(ctx, k)
		if err != nil {
			return "", err
		}
		for _, id := range ids {
			doc, err := s.Doc(ctx, k, id)
			if err != nil {
				if errors.Is(err, sql.ErrNoRows) || errors.Is(err, ErrNotFound) {
					continue // removed while we read
				}
				return "", err
			}
			fmt.Fprintf(h, "%s %s %d\n", k, id, len(doc))
			h.Write(doc)
		}
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// bulkDigestMax is the most services Digest reads at once: a catalog with
// more is read one service at a time, so that it is never held in memory
// whole.
const bulkDigestMax = 20000

// digestServices hashes every service as Digest does, read with
// AllServices (a dozen queries, not a dozen per service); done is false,
// and nothing hashed, for a catalog of more than bulkMax services.
func (s *Store) digestServices(ctx context.Context, h hash.Hash, bulkMax int) (done bool, err error) {
	var n int
	if err := s.r.QueryRowContext(ctx, "SELECT count(*) FROM service").Scan(&n); err != nil {
		return false, fmt.Errorf("content: digest: %w", err)
	}
	if n > bulkMax {
		return false, nil
	}
	all, err := s.AllServices(ctx)
	if err != nil {
		return false, err
	}
	for i := range all {
		doc, err := json.Marshal(&all[i])
		if err != nil {
			return false, err
		}
		fmt.Fprintf(h, "%s %s %d\n", KindService, all[i].ID, len(doc))
		h.Write(doc)
	}
	return true, nil
}

package portal

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
)

// recordKind is a kind of catalog record as the editor routes it.
type recordKind struct {
	name  string // the change feed's kind
	path  string // the URL segment
	event bool   // services shown as events: category "events"
}

var (
	kindService      = &recordKind{name: content.KindService, path: "services"}
	kindEvent        = &recordKind{name: content.KindService, path: "events", event: true}
	kindAlert        = &recordKind{name: content.KindAlert, path: "alerts"}
	kindPage         = &recordKind{name: content.KindPage, path: "pages"}
	kindOrganization = &recordKind{name: content.KindOrganization, path: "organizations"}
	kindTerritory    = &recordKind{name: content.KindTerritory, path: "territories"}
)

// kindNamed finds a kind by its feed name ("service", "alert", …).
func kindNamed(name string) (*recordKind, bool) {
	for _, k := range []*recordKind{kindService, kindAlert, kindPage, kindOrganization, kindTerritory} {
		if k.name == name {
			return k, true
		}
	}
	return nil, false
}

// publishOrder is the order of kinds within one publish, parents first: a
// service may name an organization published with it.
var publishOrder = map[string]int{content.KindOrganization: 0, content.KindTerritory: 1, content.KindService: 2, content.KindAlert: 3, content.KindPage: 4}

// record is a catalog record as the editor sees it: published, drafted,
// or both.
type record struct {
	kind       *recordKind
	id         string
	published  json.RawMessage // nil when not published
	pubValue   any             // typed published record
	draft      *editorial.Draft
	draftValue any // typed draft
}

// current is the typed record the editor works on: the draft if any.
func (r *record) current() any {
	if r.draft != nil {
		return r.draftValue
	}
	return r.pubValue
}

// decodeStrict reads one JSON value into v, refusing unknown fields and
// trailing data; type errors name the field.
func decodeStrict(body []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var te *json.UnmarshalTypeError
		if errors.As(err, &te) && te.Field != "" {
			return badRequest(te.Field, "must be "+te.Type.String())
		}
		return badRequest("body", "not valid JSON: "+err.Error())
	}
	if _, err := dec.Token(); err != io.EOF {
		return badRequest("body", "trailing data after the JSON value")
	}
	return nil
}

// decodeDoc validates a document as the catalog will and returns it typed
// and normalised (defaults filled in).
func decodeDoc(kind string, doc []byte) (any, json.RawMessage, error) {
	if !json.Valid(doc) {
		return nil, nil, badRequest("body", "not valid JSON")
	}
	v, err := content.DecodeDoc(kind, doc)
	if err != nil {
		return nil, nil, err // a *content.ValidationError answers 400
	}
	norm, err := json.Marshal(v)
	if err != nil {
		return nil, nil, fmt.Errorf("portal: encode %s: %w", kind, err)
	}
	return v, norm, nil
}

// docID is the ID inside a typed record.
func docID(v any) string {
	switch r := v.(type) {
	case *content.Service:
		return r.ID
	case *content.Alert:
		return r.ID
	case *content.Page:
		return r.ID
	case *content.Organization:
		return r.ID
	case *content.TerritoryDoc:
		return r.ID
	}
	return ""
}

// published reads the published record, typed; found is false when there
// is none.
func (p *portal) published(ctx context.Context, kind, id string) (raw json.RawMessage, v any, found bool, err error) {
	raw, err = p.st.Doc(ctx, kind, id)
	if errors.Is(err, content.ErrNotFound) {
		return nil, nil, false, nil
	}
	if err != nil {
		return nil, nil, false, err
	}
	v, err = content.DecodeDoc(kind, raw)
	if err != nil {
		// A published record the rules now refuse is still shown as it is.
		p.log.Warn("published record does not validate", "kind", kind, "id", id, "err", err)
	}
	return raw, v, true, nil
}

// readRecord reads what there is of a record, published and drafted.
func (p *portal) readRecord(ctx context.Context, k *recordKind, id string) (*record, error) {
	if !content.ValidID(id) {
		return nil, badRequest("id", fmt.Sprintf("%q is not a valid id", id))
	}
	r := &record{kind: k, id: id}
	var err error
	if r.published, r.pubValue, _, err = p.published(ctx, k.name, id); err != nil {
		return nil, err
	}
	d, err := p.ed.Draft(ctx, k.name, id)
	switch {
	case errors.Is(err, editorial.ErrNoDraft):
	case err != nil:
		return nil, err
	default:
		r.draft = d
		if r.draftValue, err = content.DecodeDoc(k.name, d.Doc); err != nil {
			p.log.Warn("stored draft does not validate", "kind", k.name, "id", id, "err", err)
		}
	}
	return r, nil
}

// loadRecord is readRecord for a record that must exist (404 if not).
func (p *portal) loadRecord(ctx context.Context, k *recordKind, id string) (*record, error) {
	r, err := p.readRecord(ctx, k, id)
	if err != nil {
		return nil, err
	}
	if r.published == nil && r.draft == nil {
		return nil, notFound(fmt.Sprintf("no %s %q", k.name, id))
	}
	return r, nil
}

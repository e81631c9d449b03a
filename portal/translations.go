package portal

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/gofiber/fiber/v2"
	"github.com/punto-totem/punto/content"
)

// uiLanguages are the languages of the public screens, the source first.
var uiLanguages = []string{"it", "en", "fr", "es", "ar", "ur", "fa", "bn", "pa", "zh", "uk", "ru", "ro", "sq", "ti"}

const sourceLanguage = "it"

// textField is one translatable text of a record, by its path in the
// document.
type textField struct {
	Path string
	Text content.Text
}

// textFields lists the texts of a typed record (as content.DecodeDoc
// returns it), in document order.
func textFields(v any) []textField {
	var out []textField
	add := func(path string, t content.Text) { out = append(out, textField{path, t}) }
	switch r := v.(type) {
	case *content.Service:
		add("name", r.Name)
		add("description", r.Description)
		add("eligibility", r.Eligibility)
		add("fees", r.Fees)
		for i, d := range r.Documents {
			add(fmt.Sprintf("documents[%d]", i), d)
		}
		for i, ph := range r.Phones {
			add(fmt.Sprintf("phones[%d].description", i), ph.Description)
		}
		for i, ct := range r.Contacts {
			add(fmt.Sprintf("contacts[%d].title", i), ct.Title)
		}
		for i, ex := range r.Hours.Exceptions {
			add(fmt.Sprintf("hours.exceptions[%d].note", i), ex.Note)
		}
		for i, l := range r.Locations {
			add(fmt.Sprintf("locations[%d].name", i), l.Name)
			add(fmt.Sprintf("locations[%d].accessibility", i), l.Accessibility)
		}
	case *content.Alert:
		add("text", r.Text)
	case *content.Page:
		add("title", r.Title)
		add("body", r.Body)
	case *content.Organization:
		add("name", r.Name)
		add("description", r.Description)
	case *content.TerritoryDoc:
		add("name", r.Name)
	}
	kept := out[:0]
	for _, f := range out {
		if hasText(f.Text) {
			kept = append(kept, f)
		}
	}
	return kept
}

func hasText(t content.Text) bool {
	for _, v := range t {
		if strings.TrimSpace(v) != "" {
			return true
		}
	}
	return false
}

// sourceMap remembers, per field path and language, a hash of the Italian
// text the translation was saved against.
type sourceMap map[string]map[string]string

func sourceHash(italian string) string {
	h := sha256.Sum256([]byte(italian))
	return hex.EncodeToString(h[:16])
}

// trackSources works out the source hashes after a save: a translation
// that changed (or is new) was written against the new Italian; one that
// did not keeps what base knew of it or, if nothing, is taken to match the
// Italian it stood beside before.
func trackSources(prev, next []textField, base sourceMap) sourceMap {
	before := map[string]content.Text{}
	for _, f := range prev {
		before[f.Path] = f.Text
	}
	out := sourceMap{}
	for _, f := range next {
		old := before[f.Path]
		for lang, v := range f.Text {
			if lang == sourceLanguage || strings.TrimSpace(v) == "" {
				continue
			}
			var h string
			switch {
			case old == nil || old[lang] != v:
				h = sourceHash(f.Text[sourceLanguage])
			case base[f.Path][lang] != "":
				h = base[f.Path][lang]
			default:
				h = sourceHash(old[sourceLanguage])
			}
			if out[f.Path] == nil {
				out[f.Path] = map[string]string{}
			}
			out[f.Path][lang] = h
		}
	}
	return out
}

// committedSources reads the source hashes of a published record.
func (p *portal) committedSources(ctx context.Context, kind, id string) (sourceMap, error) {
	rows, err := p.r.QueryContext(ctx, "SELECT field, lang, source_hash FROM portal_translation_source WHERE kind = ? AND id = ?", kind, id)
	if err != nil {
		return nil, fmt.Errorf("portal: translation sources: %w", err)
	}
	defer rows.Close()
	out := sourceMap{}
	for rows.Next() {
		var field, lang, h string
		if err := rows.Scan(&field, &lang, &h); err != nil {
			return nil, err
		}
		if out[field] == nil {
			out[field] = map[string]string{}
		}
		out[field][lang] = h
	}
	return out, rows.Err()
}

// fieldStatus is the translation state of one text field.
type fieldStatus struct {
	Field   string   `json:"field"`
	Present []string `json:"present"`
	Missing []string `json:"missing"`
	Stale   []string `json:"stale"`
}

type langCount struct {
	Missing int `json:"missing"`
	Stale   int `json:"stale"`
}

// translationStatus is the answer of GET …/translations and the
// "translations" field of a record.
type translationStatus struct {
	Source    string               `json:"source"`
	Fields    []fieldStatus        `json:"fields"`
	Languages map[string]langCount `json:"languages"`
	Missing   int                  `json:"missing"`
	Stale     int                  `json:"stale"`
}

// statusOf reports, for every text of a record, the UI languages missing
// and those older than the Italian.
func statusOf(fields []textField, src sourceMap) translationStatus {
	out := translationStatus{Source: sourceLanguage, Fields: []fieldStatus{}, Languages: map[string]langCount{}}
	for _, l := range uiLanguages {
		out.Languages[l] = langCount{}
	}
	for _, f := range fields {
		fs := fieldStatus{Field: f.Path, Present: []string{}, Missing: []string{}, Stale: []string{}}
		italian := f.Text[sourceLanguage]
		current := sourceHash(italian)
		for _, lang := range uiLanguages {
			lc := out.Languages[lang]
			switch {
			case strings.TrimSpace(f.Text[lang]) == "":
				fs.Missing = append(fs.Missing, lang)
				lc.Missing++
				out.Missing++
			default:
				fs.Present = append(fs.Present, lang)
				if h := src[f.Path][lang]; lang != sourceLanguage && h != "" && h != current && strings.TrimSpace(italian) != "" {
					fs.Stale = append(fs.Stale, lang)
					lc.Stale++
					out.Stale++
				}
			}
			out.Languages[lang] = lc
		}
		out.Fields = append(out.Fields, fs)
	}
	return out
}

// translations answers GET /{kind}/{id}/translations.
func (p *portal) translations(k *recordKind) fiber.Handler {
	return func(c *fiber.Ctx) error {
		rec, err := p.loadRecord(c.UserContext(), k, c.Params("id"))
		if err != nil {
			return err
		}
		st, err := p.statusOfRecord(c.UserContext(), rec)
		if err != nil {
			return err
		}
		return c.JSON(st)
	}
}

// statusOfRecord describes the draft if there is one, else the published
// record.
func (p *portal) statusOfRecord(ctx context.Context, rec *record) (translationStatus, error) {
	if rec.draft != nil {
		return statusOf(textFields(rec.draftValue), rec.draft.sources), nil
	}
	src, err := p.committedSources(ctx, rec.kind.name, rec.id)
	if err != nil {
		return translationStatus{}, err
	}
	return statusOf(textFields(rec.pubValue), src), nil
}

// commitSources makes a published draft's source hashes the record's.
func commitSources(ctx context.Context, tx *sql.Tx, kind, id string, src sourceMap) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM portal_translation_source WHERE kind = ? AND id = ?", kind, id); err != nil {
		return fmt.Errorf("portal: translation sources: %w", err)
	}
	for field, langs := range src {
		for lang, h := range langs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO portal_translation_source(kind, id, field, lang, source_hash) VALUES (?, ?, ?, ?, ?)", kind, id, field, lang, h); err != nil {
				return fmt.Errorf("portal: translation sources: %w", err)
			}
		}
	}
	return nil
}

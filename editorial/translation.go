package editorial

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/punto-totem/punto/content"
)

// UILanguages are the languages of the public screens, the source first.
var UILanguages = []string{"it", "en", "fr", "es", "ar", "ur", "fa", "bn", "pa", "zh", "uk", "ru", "ro", "sq", "ti"}

const SourceLanguage = "it"

// TextField is one translatable text of a record, by its path in the
// document.
type TextField struct {
	Path string
	Text content.Text
}

// TextFields lists the texts of a typed record (as content.DecodeDoc
// returns it), in document order.
func TextFields(v any) []TextField {
	var out []TextField
	add := func(path string, t content.Text) { out = append(out, TextField{path, t}) }
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

// Sources remembers, per field path and language, a hash of the Italian
// text the translation was saved against.
type Sources map[string]map[string]string

func sourceHash(italian string) string {
	h := sha256.Sum256([]byte(italian))
	return hex.EncodeToString(h[:16])
}

// TrackSources works out the source hashes after a save: a translation
// that changed (or is new) was written against the new Italian; one that
// did not keeps what base knew of it or, if nothing, is taken to match the
// Italian it stood beside before.
func TrackSources(prev, next []TextField, base Sources) Sources {
	before := map[string]content.Text{}
	for _, f := range prev {
		before[f.Path] = f.Text
	}
	out := Sources{}
	for _, f := range next {
		old := before[f.Path]
		for lang, v := range f.Text {
			if lang == SourceLanguage || strings.TrimSpace(v) == "" {
				continue
			}
			var h string
			switch {
			case old == nil || old[lang] != v:
				h = sourceHash(f.Text[SourceLanguage])
			case base[f.Path][lang] != "":
				h = base[f.Path][lang]
			default:
				h = sourceHash(old[SourceLanguage])
			}
			if out[f.Path] == nil {
				out[f.Path] = map[string]string{}
			}
			out[f.Path][lang] = h
		}
	}
	return out
}

// CommittedSources reads the source hashes of a published record.
func (s *Store) CommittedSources(ctx context.Context, kind, id string) (Sources, error) {
	rows, err := s.db.R.QueryContext(ctx, "SELECT field, lang, source_hash FROM portal_translation_source WHERE kind = ? AND id = ?", kind, id)
	if err != nil {
		return nil, fmt.Errorf("editorial: translation sources: %w", err)
	}
	defer rows.Close()
	out := Sources{}
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

// FieldStatus is the translation state of one text field.
type FieldStatus struct {
	Field   string   `json:"field"`
	Present []string `json:"present"`
	Missing []string `json:"missing"`
	Stale   []string `json:"stale"`
}

type LangCount struct {
	Missing int `json:"missing"`
	Stale   int `json:"stale"`
}

// TranslationStatus is the answer of GET …/translations and the
// "translations" field of a record.
type TranslationStatus struct {
	Source    string               `json:"source"`
	Fields    []FieldStatus        `json:"fields"`
	Languages map[string]LangCount `json:"languages"`
	Missing   int                  `json:"missing"`
	Stale     int                  `json:"stale"`
}

// StatusOf reports, for every text of a record, the UI languages missing
// and those older than the Italian.
func StatusOf(fields []TextField, src Sources) TranslationStatus {
	out := TranslationStatus{Source: SourceLanguage, Fields: []FieldStatus{}, Languages: map[string]LangCount{}}
	for _, l := range UILanguages {
		out.Languages[l] = LangCount{}
	}
	for _, f := range fields {
		fs := FieldStatus{Field: f.Path, Present: []string{}, Missing: []string{}, Stale: []string{}}
		italian := f.Text[SourceLanguage]
		current := sourceHash(italian)
		for _, lang := range UILanguages {
			lc := out.Languages[lang]
			switch {
			case strings.TrimSpace(f.Text[lang]) == "":
				fs.Missing = append(fs.Missing, lang)
				lc.Missing++
				out.Missing++
			default:
				fs.Present = append(fs.Present, lang)
				if h := src[f.Path][lang]; lang != SourceLanguage && h != "" && h != current && strings.TrimSpace(italian) != "" {
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

// commitSources makes a published draft's source hashes the record's.
func commitSources(ctx context.Context, tx *sql.Tx, kind, id string, src Sources) error {
	if _, err := tx.ExecContext(ctx, "DELETE FROM portal_translation_source WHERE kind = ? AND id = ?", kind, id); err != nil {
		return fmt.Errorf("editorial: translation sources: %w", err)
	}
	for field, langs := range src {
		for lang, h := range langs {
			if _, err := tx.ExecContext(ctx, "INSERT INTO portal_translation_source(kind, id, field, lang, source_hash) VALUES (?, ?, ?, ?, ?)", kind, id, field, lang, h); err != nil {
				return fmt.Errorf("editorial: translation sources: %w", err)
			}
		}
	}
	return nil
}

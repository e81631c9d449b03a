package content

import (
	"context"
	"database/sql"
	"fmt"
)

// Category is one entry of Punto's fixed service taxonomy. IDs are stable:
// they travel in URLs, sync batches and statistics. Names are UI strings,
// translated in locales/ under the key "category.<id>".
type Category struct {
	ID   string `json:"id"`
	Icon string `json:"icon"` // a Lucide icon name: assets/web/vendor/lucide/<icon>.svg
}

// Categories is the taxonomy, in the order the UI shows it.
var Categories = []Category{
	{ID: "info", Icon: "info"},
	{ID: "documents", Icon: "file-text"},
	{ID: "mediation", Icon: "languages"},
	{ID: "work", Icon: "briefcase"},
	{ID: "language", Icon: "book-open"},
	{ID: "health", Icon: "heart-pulse"},
	{ID: "housing", Icon: "house"},
	{ID: "school", Icon: "graduation-cap"},
	{ID: "legal", Icon: "scale"},
	{ID: "family", Icon: "baby"},
	{ID: "community", Icon: "users"},
	{ID: "events", Icon: "calendar-heart"},
	{ID: "return", Icon: "map-pin-house"},
}

// CategoryByID returns the category with that id.
func CategoryByID(id string) (Category, bool) {
	i := categoryIndex(id)
	if i < 0 {
		return Category{}, false
	}
	return Categories[i], true
}

// categoryIndex is the position of a category in Categories, or -1; it is
// the bit a service's category mask uses.
func categoryIndex(id string) int {
	for i, c := range Categories {
		if c.ID == id {
			return i
		}
	}
	return -1
}

// syncCategories writes the taxonomy into the category table, so the file
// is self-describing for GIS tools and foreign keys.
func syncCategories(ctx context.Context, db *sql.DB) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	for i, c := range Categories {
		if _, err := tx.ExecContext(ctx, `INSERT INTO category(id, icon, position) VALUES (?, ?, ?)
			ON CONFLICT(id) DO UPDATE SET icon = excluded.icon, position = excluded.position`, c.ID, c.Icon, i); err != nil {
			return fmt.Errorf("content: categories: %w", err)
		}
	}
	return tx.Commit()
}

// CategoryCounts counts the services (not withdrawn) in each category.
func (s *Store) CategoryCounts() map[string]int {
	_ = s.waitIndex(context.Background()) // a failed build counts nothing
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make(map[string]int, len(Categories))
	if s.idx == nil {
		return out
	}
	for _, svc := range s.idx.svcs {
		if !svc.live {
			continue
		}
		for i, c := range Categories {
			if svc.cats&(1<<i) != 0 {
				out[c.ID]++
			}
		}
	}
	return out
}

// CategoryLabels is a category's name in every language of the screens
// (locales/, "category.<id>"), for the open-data taxonomy.
func CategoryLabels(id string) Text {
	lex, err := theLexicon()
	if err != nil {
		return nil
	}
	out := Text{}
	for lang, names := range lex.catNames {
		if v := names[id]; v != "" {
			out[lang] = v
		}
	}
	return out
}

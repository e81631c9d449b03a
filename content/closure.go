package content

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/paulmach/orb"
)

// Closure mode: when a territory's desks close (a lockdown, a strike, the
// summer), an editor closes them for a range of dates in one action. Its
// in-person desks show closed, its phone desks come first, and every
// totem standing in it opens on a phone-first screen. Closures are
// records of the change feed (kind "closure"); ending one deletes it, and
// past its last day it is in force nowhere.

// KindClosure is the change feed's kind for closure mode.
const KindClosure = "closure"

// MaxClosureDays bounds a closure's range: a year at most.
const MaxClosureDays = 366

// Closure closes a territory's in-person desks from StartsOn to EndsOn
// (YYYY-MM-DD, Europe/Rome, both days included).
type Closure struct {
	ID        string    `json:"id"`
	Territory string    `json:"territory"`
	StartsOn  string    `json:"starts_on"`
	EndsOn    string    `json:"ends_on"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Validate checks a closure's own fields (PutClosure checks that the
// territory exists).
func (c *Closure) Validate() error {
	if !ValidID(c.ID) {
		return invalid("id", "%q is not a valid id", c.ID)
	}
	if !ValidID(c.Territory) {
		return invalid("territory", "%q is not a territory id", c.Territory)
	}
	from, err := time.Parse(time.DateOnly, c.StartsOn)
	if err != nil {
		return invalid("starts_on", "%q is not a date YYYY-MM-DD", c.StartsOn)
	}
	to, err := time.Parse(time.DateOnly, c.EndsOn)
	if err != nil {
		return invalid("ends_on", "%q is not a date YYYY-MM-DD", c.EndsOn)
	}
	if to.Before(from) {
		return invalid("ends_on", "%s is before starts_on %s", c.EndsOn, c.StartsOn)
	}
	if to.Sub(from) >= MaxClosureDays*24*time.Hour {
		return invalid("ends_on", "a closure lasts at most %d days", MaxClosureDays)
	}
	return nil
}

// InForce reports whether the closure holds on the day of at (in Rome).
func (c *Closure) InForce(at time.Time) bool {
	d := at.In(Rome).Format(time.DateOnly)
	return c.StartsOn <= d && d <= c.EndsOn
}

// PutClosure writes a closure of a territory the catalog holds.
func (b *Batch) PutClosure(c *Closure) error {
	if err := c.Validate(); err != nil {
		return err
	}
	if n, err := b.queryInt("SELECT count(*) FROM territory WHERE id = ?", c.Territory); err != nil {
		return err
	} else if n == 0 {
		return invalid("territory", "no territory %q", c.Territory)
	}
	_, err := b.exec(`INSERT INTO closure(id, territory, starts_on, ends_on, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET territory = excluded.territory, starts_on = excluded.starts_on,
			ends_on = excluded.ends_on, updated_at = excluded.updated_at`,
		c.ID, c.Territory, c.StartsOn, c.EndsOn, c.UpdatedAt.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("content: closure %s: %w", c.ID, err)
	}
	b.closures = true
	return nil
}

const closureColumns = "id, territory, starts_on, ends_on, updated_at"

func scanClosure(scan func(...any) error) (Closure, error) {
	var c Closure
	var at string
	err := scan(&c.ID, &c.Territory, &c.StartsOn, &c.EndsOn, &at)
	c.UpdatedAt, _ = time.Parse(time.RFC3339, at)
	return c, err
}

// Closure reads a closure by its ID, or ErrNotFound.
func (s *Store) Closure(ctx context.Context, id string) (*Closure, error) {
	c, err := scanClosure(s.r.QueryRowContext(ctx, "SELECT "+closureColumns+" FROM closure WHERE id = ?", id).Scan)
	if err != nil {
		return nil, notFound(err, "closure", id)
	}
	return &c, nil
}

// Closures lists every closure, the latest first.
func (s *Store) Closures(ctx context.Context) ([]Closure, error) {
	return s.closuresWhere(ctx, "ORDER BY starts_on DESC, id")
}

// closureCache is the catalog's closures as read at generation gen.
type closureCache struct {
	gen  uint64
	list []Closure
}

// closuresInForce lists the closures that hold on the day of at, from
// the store's cache of them (read again after a write that touched one:
// results ask on every answer).
func (s *Store) closuresInForce(ctx context.Context, at time.Time) ([]Closure, error) {
	var all []Closure
	if c := s.closures.Load(); c != nil && c.gen == s.closureGen.Load() {
		all = c.list
	} else {
		gen := s.closureGen.Load() // before the read: a write meanwhile makes this entry stale
		cs, err := s.closuresWhere(ctx, "ORDER BY starts_on, id")
		if err != nil {
			return nil, err
		}
		s.closures.Store(&closureCache{gen: gen, list: cs})
		all = cs
	}
	var out []Closure
	for _, c := range all {
		if c.InForce(at) {
			out = append(out, c)
		}
	}
	return out, nil
}

// closedAt returns what tells whether a point lies in a territory whose
// desks are closed at the moment at (the closure's ID, or ""), or nil
// when no closure holds then.
func (s *Store) closedAt(ctx context.Context, at time.Time) (func(orb.Point) string, error) {
	cs, err := s.closuresInForce(ctx, at)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	areas := s.areas.Load()
	if areas == nil {
		return nil, nil
	}
	return func(p orb.Point) string {
		here := areas.At(p)
		for _, c := range cs {
			if slices.Contains(here, c.Territory) {
				return c.ID
			}
		}
		return ""
	}, nil
}

func (s *Store) closuresWhere(ctx context.Context, where string, args ...any) ([]Closure, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT "+closureColumns+" FROM closure "+where, args...)
	if err != nil {
		return nil, fmt.Errorf("content: closures: %w", err)
	}
	defer rows.Close()
	out := []Closure{}
	for rows.Next() {
		c, err := scanClosure(rows.Scan)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// ClosureHere is the closure in force at a screen standing at pos, with
// the phone desks of the services in its territory.
type ClosureHere struct {
	Closure
	TerritoryName Localized   `json:"territory_name"`
	Desks         []PhoneDesk `json:"desks"`
}

// PhoneDesk is a service's phone channel as the phone-first screen shows
// it: where to call and when, in one language.
type PhoneDesk struct {
	ServiceID string     `json:"service_id"`
	Name      Localized  `json:"name"`
	Phone     string     `json:"phone"`
	Languages []string   `json:"languages"`
	Open      OpenState  `json:"open"`
	Days      []DayHours `json:"days"`
}

// ClosureAt returns the closure in force at the moment at for a screen
// standing at pos, or nil, with the phone desks of the services that have
// a location in its territory: those speaking lang first, then those open
// now, then by name.
func (s *Store) ClosureAt(ctx context.Context, pos orb.Point, lang string, at time.Time) (*ClosureHere, error) {
	cs, err := s.closuresInForce(ctx, at)
	if err != nil || len(cs) == 0 {
		return nil, err
	}
	areas := s.areas.Load()
	if areas == nil {
		return nil, nil
	}
	here := areas.At(pos)
	i := slices.IndexFunc(cs, func(c Closure) bool { return slices.Contains(here, c.Territory) })
	if i < 0 {
		return nil, nil
	}
	out := &ClosureHere{Closure: cs[i], Desks: []PhoneDesk{}}
	t, err := s.Territory(ctx, out.Territory)
	if err != nil {
		return nil, err
	}
	out.TerritoryName = t.Name.Pick(lang)
	ids, err := s.servicesWithPhoneDesks(ctx)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		svc, err := s.Service(ctx, id)
		if err != nil {
			return nil, err
		}
		if svc.Status == StatusWithdrawn || !slices.ContainsFunc(svc.Locations, func(l Location) bool {
			return slices.Contains(areas.At(l.Point), out.Territory)
		}) {
			continue
		}
		for _, ch := range svc.Channels {
			if ch.Kind != ChannelPhone {
				continue
			}
			h := compileHours(ch.Hours, svc.OpenOnHolidays)
			d := PhoneDesk{ServiceID: svc.ID, Name: svc.Name.Pick(lang), Phone: ch.Phone, Languages: ch.Languages, Days: h.days(at, 7)}
			if d.Languages == nil {
				d.Languages = []string{}
			}
			if svc.Status == StatusActive {
				d.Open = h.state(at)
			}
			out.Desks = append(out.Desks, d)
		}
	}
	primary := PrimaryLang(lang)
	rank := func(d PhoneDesk) int {
		r := 0
		if !slices.Contains(d.Languages, primary) {
			r += 2
		}
		if !d.Open.Open {
			r++
		}
		return r
	}
	slices.SortStableFunc(out.Desks, func(a, b PhoneDesk) int {
		return cmp.Or(rank(a)-rank(b), cmp.Compare(a.Name.Text, b.Name.Text))
	})
	return out, nil
}

// servicesWithPhoneDesks lists the services that have a phone channel.
func (s *Store) servicesWithPhoneDesks(ctx context.Context) ([]string, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT DISTINCT service_id FROM channel WHERE kind = 'phone' ORDER BY service_id")
	if err != nil {
		return nil, fmt.Errorf("content: phone desks: %w", err)
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

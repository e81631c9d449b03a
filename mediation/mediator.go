package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mail"
)

// Mediator is one mediator of the registry: who they are, the languages
// they speak, the territories they cover, the ways they work and when.
type Mediator struct {
	ID          int64       `json:"id"`
	Name        string      `json:"name"`
	Email       string      `json:"email"`
	Languages   []string    `json:"languages"`
	Territories []string    `json:"territories"`
	Modes       []string    `json:"modes"`
	Active      bool        `json:"active"`
	Week        []Slot      `json:"week"`
	Exceptions  []Exception `json:"exceptions"`
	CreatedAt   time.Time   `json:"created_at"`
	// MailLanguage is the language of their mail (one of MailLanguages);
	// empty: Italian and English.
	MailLanguage string `json:"mail_language,omitempty"`
}

// Slot is a weekly window: on Weekday (1 Monday … 7 Sunday) From–To,
// Italian time.
type Slot struct {
	Weekday int    `json:"weekday"`
	From    string `json:"from"`
	To      string `json:"to"`
}

// Exception changes one day: away From–To, or (Available) free From–To
// besides the week.
type Exception struct {
	Date      string `json:"date"`
	From      string `json:"from"`
	To        string `json:"to"`
	Available bool   `json:"available"`
}

// Limits of a registry entry.
const (
	maxName       = 200
	maxSlots      = 50
	maxExceptions = 366
	maxLanguages  = 30
)

func window(field, from, to string) (int, int, error) {
	a, err := clock(from)
	if err != nil {
		return 0, 0, invalid(field+".from", err.Error())
	}
	b, err := clock(to)
	if err != nil {
		return 0, 0, invalid(field+".to", err.Error())
	}
	if b <= a {
		return 0, 0, invalid(field+".to", "must be after from")
	}
	return a, b, nil
}

// check validates and normalizes m.
func (s *Store) checkMediator(ctx context.Context, m *Mediator) error {
	m.Name = strings.TrimSpace(m.Name)
	if m.Name == "" || utf8.RuneCountInString(m.Name) > maxName {
		return invalid("name", fmt.Sprintf("must be 1–%d characters", maxName))
	}
	m.Email = editorial.NormalizeName(m.Email)
	if err := mail.CheckAddress(m.Email); err != nil {
		return invalid("email", "is not an e-mail address")
	}
	if err := checkMailLang("mail_language", m.MailLanguage); err != nil {
		return err
	}
	var err error
	if m.Languages, err = checkLanguages(m.Languages); err != nil {
		return err
	}
	if m.Territories, err = s.checkTerritories(ctx, m.Territories); err != nil {
		return err
	}
	if m.Modes, err = checkModes(m.Modes); err != nil {
		return err
	}
	return checkAvailability(m)
}

// checkLanguages reads a mediator's languages as ISO 639 codes, sorted,
// each once.
func checkLanguages(in []string) ([]string, error) {
	if len(in) == 0 || len(in) > maxLanguages {
		return nil, invalid("languages", fmt.Sprintf("list 1–%d ISO 639 codes", maxLanguages))
	}
	langs := []string{}
	for i, l := range in {
		code, err := Lang(l)
		if err != nil {
			return nil, invalid(fmt.Sprintf("languages[%d]", i), err.Error())
		}
		if !slices.Contains(langs, code) {
			langs = append(langs, code)
		}
	}
	slices.Sort(langs)
	return langs, nil
}

// checkTerritories checks that each territory exists; sorted, each once.
func (s *Store) checkTerritories(ctx context.Context, in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, invalid("territories", "a mediator covers at least one territory")
	}
	terr := []string{}
	for _, t := range in {
		if err := s.checkTerritory(ctx, "territories", t); err != nil {
			return nil, err
		}
		if !slices.Contains(terr, t) {
			terr = append(terr, t)
		}
	}
	slices.Sort(terr)
	return terr, nil
}

// checkModes checks the ways a mediator works, each once.
func checkModes(in []string) ([]string, error) {
	if len(in) == 0 {
		return nil, invalid("modes", "give at least one of "+strings.Join(Modes, ", "))
	}
	modes := []string{}
	for i, md := range in {
		if !slices.Contains(Modes, md) {
			return nil, invalid(fmt.Sprintf("modes[%d]", i), fmt.Sprintf("%q is not one of %s", md, strings.Join(Modes, ", ")))
		}
		if !slices.Contains(modes, md) {
			modes = append(modes, md)
		}
	}
	return modes, nil
}

// checkAvailability checks the weekly windows and the exceptions.
func checkAvailability(m *Mediator) error {
	if len(m.Week) > maxSlots {
		return invalid("week", fmt.Sprintf("at most %d windows", maxSlots))
	}
	if m.Week == nil {
		m.Week = []Slot{}
	}
	for i, sl := range m.Week {
		f := fmt.Sprintf("week[%d]", i)
		if sl.Weekday < 1 || sl.Weekday > 7 {
			return invalid(f+".weekday", "must be 1 (Monday) to 7 (Sunday)")
		}
		if _, _, err := window(f, sl.From, sl.To); err != nil {
			return err
		}
	}
	if len(m.Exceptions) > maxExceptions {
		return invalid("exceptions", fmt.Sprintf("at most %d", maxExceptions))
	}
	if m.Exceptions == nil {
		m.Exceptions = []Exception{}
	}
	for i, ex := range m.Exceptions {
		f := fmt.Sprintf("exceptions[%d]", i)
		if _, err := day(ex.Date); err != nil {
			return invalid(f+".date", err.Error())
		}
		if _, _, err := window(f, ex.From, ex.To); err != nil {
			return err
		}
	}
	return nil
}

// SaveMediator creates (m.ID == 0) or replaces a registry entry, audited.
// A coordinator may add or remove only their own territories, and change
// only a mediator who covers one of them.
func (s *Store) SaveMediator(ctx context.Context, actor *editorial.Account, m Mediator) (*Mediator, error) {
	if err := coordinator(actor); err != nil {
		return nil, err
	}
	if err := s.checkMediator(ctx, &m); err != nil {
		return nil, err
	}
	var before *Mediator
	if m.ID != 0 {
		b, err := s.mediator(ctx, s.db.R, m.ID)
		if err != nil {
			return nil, err
		}
		if !slices.ContainsFunc(b.Territories, func(t string) bool { return coversTerritory(actor, t) }) {
			return nil, forbidden("this mediator covers none of your territories")
		}
		before = b
		m.CreatedAt = b.CreatedAt
	} else {
		m.CreatedAt = s.now()
	}
	var old []string
	if before != nil {
		old = before.Territories
	}
	for _, t := range m.Territories {
		if !slices.Contains(old, t) && !coversTerritory(actor, t) {
			return nil, forbidden(fmt.Sprintf("territory %s is not one of yours", t))
		}
	}
	for _, t := range old {
		if !slices.Contains(m.Territories, t) && !coversTerritory(actor, t) {
			return nil, forbidden(fmt.Sprintf("territory %s is not one of yours", t))
		}
	}
	err := s.write(ctx, func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM mediation_mediator WHERE email = ? AND id != ?", m.Email, m.ID).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return invalid("email", "another mediator has this address")
		}
		if m.ID == 0 {
			res, err := tx.ExecContext(ctx, "INSERT INTO mediation_mediator(name, email, modes, active, created_at) VALUES (?, ?, ?, ?, ?)",
				m.Name, m.Email, strings.Join(m.Modes, ","), m.Active, formatTime(m.CreatedAt))
			if err != nil {
				return fmt.Errorf("mediation: mediator: %w", err)
			}
			if m.ID, err = res.LastInsertId(); err != nil {
				return err
			}
		} else if _, err := tx.ExecContext(ctx, "UPDATE mediation_mediator SET name = ?, email = ?, modes = ?, active = ? WHERE id = ?",
			m.Name, m.Email, strings.Join(m.Modes, ","), m.Active, m.ID); err != nil {
			return fmt.Errorf("mediation: mediator: %w", err)
		}
		if err := writeMediatorLists(ctx, tx, &m); err != nil {
			return err
		}
		if err := setMailLang(ctx, tx, m.Email, m.MailLanguage); err != nil {
			return err
		}
		action := "mediator.create"
		if before != nil {
			action = "mediator.update"
		}
		return s.audit(ctx, tx, actor, action, "mediator", m.ID, before, &m)
	})
	if err != nil {
		return nil, err
	}
	return &m, nil
}

func writeMediatorLists(ctx context.Context, tx *sql.Tx, m *Mediator) error {
	for _, table := range []string{"mediation_mediator_language", "mediation_mediator_territory", "mediation_availability", "mediation_exception"} {
		if _, err := tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE mediator_id = ?", m.ID); err != nil {
			return fmt.Errorf("mediation: mediator: %w", err)
		}
	}
	exec := func(q string, args ...any) error {
		if _, err := tx.ExecContext(ctx, q, args...); err != nil {
			return fmt.Errorf("mediation: mediator: %w", err)
		}
		return nil
	}
	for _, l := range m.Languages {
		if err := exec("INSERT INTO mediation_mediator_language(mediator_id, lang) VALUES (?, ?)", m.ID, l); err != nil {
			return err
		}
	}
	for _, t := range m.Territories {
		if err := exec("INSERT INTO mediation_mediator_territory(mediator_id, territory_id) VALUES (?, ?)", m.ID, t); err != nil {
			return err
		}
	}
	for _, sl := range m.Week {
		a, _ := clock(sl.From)
		b, _ := clock(sl.To)
		if err := exec("INSERT INTO mediation_availability(mediator_id, weekday, start_min, end_min) VALUES (?, ?, ?, ?)", m.ID, sl.Weekday, a, b); err != nil {
			return err
		}
	}
	for _, ex := range m.Exceptions {
		a, _ := clock(ex.From)
		b, _ := clock(ex.To)
		if err := exec("INSERT INTO mediation_exception(mediator_id, day, start_min, end_min, available) VALUES (?, ?, ?, ?, ?)", m.ID, ex.Date, a, b, ex.Available); err != nil {
			return err
		}
	}
	return nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// mediator reads one registry entry with its lists.
func (s *Store) mediator(ctx context.Context, q querier, id int64) (*Mediator, error) {
	var m Mediator
	var modes, created string
	err := q.QueryRowContext(ctx, "SELECT id, name, email, modes, active, created_at FROM mediation_mediator WHERE id = ?", id).
		Scan(&m.ID, &m.Name, &m.Email, &modes, &m.Active, &created)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound(fmt.Sprintf("no mediator %d", id))
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: mediator: %w", err)
	}
	m.Modes = strings.Split(modes, ",")
	m.CreatedAt = parseTime(created)
	return &m, loadLists(ctx, q, &m)
}

func loadLists(ctx context.Context, q querier, m *Mediator) error {
	m.Languages, m.Territories, m.Week, m.Exceptions = []string{}, []string{}, []Slot{}, []Exception{}
	strs := func(query string, dst *[]string) error {
		rows, err := q.QueryContext(ctx, query, m.ID)
		if err != nil {
			return fmt.Errorf("mediation: mediator: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var v string
			if err := rows.Scan(&v); err != nil {
				return err
			}
			*dst = append(*dst, v)
		}
		return rows.Err()
	}
	if err := strs("SELECT lang FROM mediation_mediator_language WHERE mediator_id = ? ORDER BY lang", &m.Languages); err != nil {
		return err
	}
	if err := strs("SELECT territory_id FROM mediation_mediator_territory WHERE mediator_id = ? ORDER BY territory_id", &m.Territories); err != nil {
		return err
	}
	if err := q.QueryRowContext(ctx, "SELECT lang FROM mediation_mail_lang WHERE email = ?", m.Email).Scan(&m.MailLanguage); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("mediation: mediator: %w", err)
	}
	rows, err := q.QueryContext(ctx, "SELECT weekday, start_min, end_min FROM mediation_availability WHERE mediator_id = ? ORDER BY weekday, start_min", m.ID)
	if err != nil {
		return fmt.Errorf("mediation: mediator: %w", err)
	}
	for rows.Next() {
		var sl Slot
		var a, b int
		if err := rows.Scan(&sl.Weekday, &a, &b); err != nil {
			rows.Close()
			return err
		}
		sl.From, sl.To = clockString(a), clockString(b)
		m.Week = append(m.Week, sl)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return err
	}
	rows, err = q.QueryContext(ctx, "SELECT day, start_min, end_min, available FROM mediation_exception WHERE mediator_id = ? ORDER BY day, start_min", m.ID)
	if err != nil {
		return fmt.Errorf("mediation: mediator: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var ex Exception
		var a, b int
		if err := rows.Scan(&ex.Date, &a, &b, &ex.Available); err != nil {
			return err
		}
		ex.From, ex.To = clockString(a), clockString(b)
		m.Exceptions = append(m.Exceptions, ex)
	}
	return rows.Err()
}

// Mediator reads one registry entry: a coordinator sees those covering
// one of their territories, a mediator themselves.
func (s *Store) Mediator(ctx context.Context, actor *editorial.Account, id int64) (*Mediator, error) {
	m, err := s.mediator(ctx, s.db.R, id)
	if err != nil {
		return nil, err
	}
	if !s.maySeeMediator(actor, m) {
		return nil, forbidden("this mediator covers none of your territories")
	}
	return m, nil
}

func (s *Store) maySeeMediator(actor *editorial.Account, m *Mediator) bool {
	if actor.Role == editorial.RoleMediator {
		return actor.Name == m.Email
	}
	return slices.ContainsFunc(m.Territories, func(t string) bool { return coversTerritory(actor, t) })
}

// MediatorFilter selects registry entries.
type MediatorFilter struct {
	Territory string
	Language  string
}

// Mediators lists the entries the actor may see, by name.
func (s *Store) Mediators(ctx context.Context, actor *editorial.Account, f MediatorFilter) ([]*Mediator, error) {
	if err := coordinator(actor); err != nil {
		return nil, err
	}
	var ids []int64
	if err := queryAll(ctx, s.db.R, "SELECT id FROM mediation_mediator ORDER BY name, id", nil, func(r *sql.Rows) error {
		var id int64
		if err := r.Scan(&id); err != nil {
			return err
		}
		ids = append(ids, id)
		return nil
	}); err != nil {
		return nil, err
	}
	out := []*Mediator{}
	for _, id := range ids {
		m, err := s.mediator(ctx, s.db.R, id)
		if err != nil {
			return nil, err
		}
		if !s.maySeeMediator(actor, m) {
			continue
		}
		if f.Territory != "" && !slices.Contains(m.Territories, f.Territory) {
			continue
		}
		if f.Language != "" && !slices.Contains(m.Languages, f.Language) {
			continue
		}
		out = append(out, m)
	}
	return out, nil
}

// MediatorByEmail reads the registry entry of a mediator's login.
func (s *Store) MediatorByEmail(ctx context.Context, email string) (*Mediator, error) {
	var id int64
	err := s.db.R.QueryRowContext(ctx, "SELECT id FROM mediation_mediator WHERE email = ?", editorial.NormalizeName(email)).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, notFound("no mediator with this login")
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: mediator: %w", err)
	}
	return s.mediator(ctx, s.db.R, id)
}

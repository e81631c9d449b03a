package content

import (
	"context"
	"database/sql"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/paulmach/orb"
	"github.com/punto-totem/punto/geo"
)

// entry is one service at one location, the unit nearby queries return.
type entry struct {
	point   orb.Point
	svc     uint32
	next    uint32 // the service's next entry, noEntry after its last
	locID   strRef
	address strRef
	comune  uint32 // in index.comuni
}

// noEntry ends a service's chain of entries.
const noEntry uint32 = math.MaxUint32

// svcInfo is what the hot path needs to filter a service and show it in
// a list. It holds no pointer (see index_pack.go).
type svcInfo struct {
	id     strRef
	names  strRef // a packedText: the name in every language
	first  uint32 // its first entry, noEntry if none (remote, or not live)
	hours  uint32 // in index.hours
	langs  uint32 // in index.langSets
	cats   uint16 // bit i: Categories[i]
	status uint8  // in index.statuses
	live   bool
}

// index is the in-memory mirror of every service at a location that is not
// withdrawn: one grid over all of them, each point tagged with its
// service's categories, so a category query skips other points without
// a grid of its own (per-category grids held most points twice over).
type index struct {
	all      *geo.PointIndex
	entries  []entry
	free     []uint32 // recycled entry slots
	svcs     []svcInfo
	byID     idTable
	arena    strArena
	hours    table[*hours]   // interned schedules
	langSets table[[]string] // interned sets of languages
	statuses table[Status]
	comuni   table[string]
	strs     map[string]string // interned language codes
	text     *textIndex        // the words of every service, for search
	live     int               // services not withdrawn
	remote   []uint32          // slots of live services without a location, by ID
}

// newIndex sizes the grids for the records: about two points per cell on
// average over the catalog's extent, so dense towns and empty hills both
// take few cells to search.
func newIndex(recs map[string]*svcRecord) *index {
	var b orb.Bound
	first := true
	total := 0
	for _, r := range recs {
		if r.status == StatusWithdrawn {
			continue
		}
		for _, l := range r.locations {
			if first {
				b, first = l.point.Bound(), false
			} else {
				b = b.Extend(l.point)
			}
			total++
		}
	}
	cell := gridCell(b)
	// Sized for the catalog: slices grown by doubling would keep up to
	// half their memory unused for good.
	x := &index{
		all:      geo.NewPointIndex(cell(total)),
		entries:  make([]entry, 0, total),
		svcs:     make([]svcInfo, 0, len(recs)),
		byID:     newIDTable(len(recs)),
		hours:    newTable[*hours](),
		langSets: newTable[[]string](),
		statuses: newTable[Status](),
		comuni:   newTable[string](),
		strs:     map[string]string{},
		text:     newTextIndex(),
	}
	return x
}

// gridCell gives the cell size of a grid of n points in bound b.
func gridCell(b orb.Bound) func(n int) float64 {
	area := math.Max((b.Max[0]-b.Min[0])*(b.Max[1]-b.Min[1]), 0.01)
	return func(n int) float64 {
		return math.Min(math.Max(math.Sqrt(area/float64(max(n, 1))*cellFactor), 0.001), 1)
	}
}

// svcRecord is a service as loaded for the index.
type svcRecord struct {
	id        string
	status    Status
	holidays  bool
	cats      uint16
	langs     []string
	sched     Schedule
	names     [][2]string // language, text
	locations []recordLocation
}

// recordLocation is a location of a service as loaded for the index.
type recordLocation struct {
	id, address, comune string
	point               orb.Point
}

func (x *index) intern(s string) string {
	if v, ok := x.strs[s]; ok {
		return v
	}
	x.strs[s] = s
	return s
}

// slot is the slot of the service id.
func (x *index) slot(id string) (uint32, bool) { return x.byID.get(id, x.idOf) }

func (x *index) idOf(slot uint32) string { return x.arena.str(x.svcs[slot].id) }

// Accessors of a service's and an entry's packed fields.
func (x *index) svcID(s *svcInfo) string        { return x.arena.str(s.id) }
func (x *index) svcNames(s *svcInfo) packedText { return packedText(x.arena.str(s.names)) }
func (x *index) svcLangs(s *svcInfo) []string   { return x.langSets.vals[s.langs] }
func (x *index) svcHours(s *svcInfo) *hours     { return x.hours.vals[s.hours] }
func (x *index) svcStatus(s *svcInfo) Status    { return x.statuses.vals[s.status] }
func (x *index) locID(e *entry) string          { return x.arena.str(e.locID) }
func (x *index) address(e *entry) string        { return x.arena.str(e.address) }
func (x *index) comune(e *entry) string         { return x.comuni.vals[e.comune] }

// remove drops a service's entries from the trees.
func (x *index) remove(id string) {
	si, ok := x.slot(id)
	if !ok {
		return
	}
	s := &x.svcs[si]
	for ei := s.first; ei != noEntry; {
		e := &x.entries[ei]
		x.all.Delete(ei, e.point)
		x.arena.drop(e.locID)
		x.arena.drop(e.address)
		next := e.next
		*e = entry{}
		x.free = append(x.free, ei)
		ei = next
	}
	s.first = noEntry
	x.setRemote(si, false)
	if s.live {
		x.live--
		x.arena.drop(s.names)
		s.names = strRef{}
	}
	s.live = false
}

// put adds or replaces a service.
func (x *index) put(r *svcRecord) {
	x.remove(r.id)
	if r.status == StatusWithdrawn {
		return
	}
	si, ok := x.slot(r.id)
	if !ok {
		si = uint32(len(x.svcs))
		x.svcs = append(x.svcs, svcInfo{id: x.arena.add(r.id), first: noEntry})
		x.byID.set(r.id, si, x.idOf)
	}
	s := &x.svcs[si]
	s.status = uint8(x.statuses.intern(string(r.status), func() Status { return Status(x.intern(string(r.status))) }))
	s.cats, s.live = r.cats, true
	x.live++
	s.langs = x.langSets.intern(strings.Join(r.langs, "\x00"), func() []string {
		out := make([]string, len(r.langs))
		for i, l := range r.langs {
			out[i] = x.intern(l)
		}
		return out
	})
	s.hours = x.hours.intern(hoursKey(r.sched, r.holidays), func() *hours { return compileHours(r.sched, r.holidays) })
	s.names = x.arena.add(string(packText(r.names)))
	last := noEntry
	for _, l := range r.locations {
		var ei uint32
		if n := len(x.free); n > 0 {
			ei, x.free = x.free[n-1], x.free[:n-1]
		} else {
			ei = uint32(len(x.entries))
			x.entries = append(x.entries, entry{})
		}
		x.entries[ei] = entry{point: l.point, svc: si, next: noEntry, locID: x.arena.add(l.id), address: x.arena.add(l.address),
			comune: x.comuni.intern(l.comune, func() string { return l.comune })}
		if last == noEntry {
			s.first = ei
		} else {
			x.entries[last].next = ei
		}
		last = ei
		x.all.InsertTagged(ei, l.point, r.cats)
	}
	x.setRemote(si, s.first == noEntry)
}

// setRemote adds slot to the remote services, or takes it out.
func (x *index) setRemote(slot uint32, on bool) {
	id := x.idOf(slot)
	i, found := slices.BinarySearchFunc(x.remote, id, func(s uint32, id string) int { return strings.Compare(x.idOf(s), id) })
	switch {
	case on && !found:
		x.remote = slices.Insert(x.remote, i, slot)
	case !on && found:
		x.remote = slices.Delete(x.remote, i, i+1)
	}
}

// loadIndex reads services for the index: all of them (ids == nil) or the
// given ones, with the words of their text unless words is false. The
// words are read and folded while the records load, on a connection of
// their own.
func loadIndex(ctx context.Context, db *sql.DB, ids []string, words bool) (*index, error) {
	type loaded struct {
		words *wordLoad
		err   error
	}
	text := make(chan loaded, 1)
	if words {
		go func() {
			w, err := loadText(ctx, db, ids)
			text <- loaded{w, err}
		}()
	} else {
		text <- loaded{}
	}
	recs, err := loadRecords(ctx, db, ids)
	t := <-text
	if err != nil {
		return nil, err
	}
	if t.err != nil {
		return nil, t.err
	}
	x := newIndex(recs)
	for _, id := range sortedKeys(recs) {
		x.put(recs[id])
	}
	x.all.Compact()
	x.setWords(t.words)
	return x, nil
}

// refresh re-reads the given services and updates the live index.
func (s *Store) refresh(ctx context.Context, ids []string) error {
	recs, err := loadRecords(ctx, s.r, ids)
	if err != nil {
		return err
	}
	var words *wordLoad
	if s.hasWords() {
		if words, err = loadText(ctx, s.r, ids); err != nil {
			return err
		}
	}
	// The words that name these services, found while nearby and search
	// go on: only a write (serialised by writeMu, held here) changes them.
	var gone bitset
	var touched []uint32
	s.mu.RLock()
	if s.idx != nil {
		gone = newBitset(len(s.idx.svcs))
		for _, id := range ids {
			if slot, ok := s.idx.slot(id); ok {
				gone.set(slot)
			}
		}
		touched = s.idx.text.holding(gone)
	}
	s.mu.RUnlock()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil { // its build failed: try again, whole
		s.mu.Unlock()
		defer s.mu.Lock()
		return s.reload(ctx)
	}
	s.idx.text.drop(gone, touched)
	for _, id := range ids {
		if r, ok := recs[id]; ok {
			s.idx.put(r)
		} else {
			s.idx.remove(id)
		}
	}
	s.idx.setWords(words)
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// loadRecords reads what the index keeps of the services ids (nil: of
// every service).
func loadRecords(ctx context.Context, db *sql.DB, ids []string) (map[string]*svcRecord, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("content: load index: %w", err)
	}
	defer conn.Close()
	if ids == nil {
		// A full load reads the whole file once: map it rather than
		// page it through SQLite's small default cache.
		if _, err := conn.ExecContext(ctx, "PRAGMA mmap_size = 4294967296"); err != nil {
			return nil, fmt.Errorf("content: load index: %w", err)
		}
		defer settle(conn, "PRAGMA mmap_size = 0") // back to the pool unmapped
	}
	l := recordLoader{conn: conn, ids: ids}
	recs := map[string]*svcRecord{}
	err = l.run(ctx, listQuery{"SELECT service_id, status, open_on_holidays FROM (SELECT id AS service_id, status, open_on_holidays FROM service)", func(r *sql.Rows) error {
		rec := &svcRecord{}
		if err := r.Scan(&rec.id, &rec.status, &rec.holidays); err != nil {
			return err
		}
		recs[rec.id] = rec
		return nil
	}})
	if err != nil {
		return nil, err
	}
	for _, st := range indexLists(recs) {
		if err := l.run(ctx, st); err != nil {
			return nil, err
		}
	}
	return recs, nil
}

// recordLoader runs the index's queries over some services, or all.
type recordLoader struct {
	conn *sql.Conn
	ids  []string // nil: every service
}

// run runs one query on service_id, restricted to the loader's services
// in groups of 400.
func (l recordLoader) run(ctx context.Context, q listQuery) error {
	groups := [][]string{nil}
	if l.ids != nil {
		groups = chunks(l.ids, 400)
	}
	for _, g := range groups {
		query, args := q.query, []any(nil)
		if g != nil {
			query += " WHERE service_id IN (" + placeholders(len(g)) + ")"
			args = anySlice(g)
		}
		if err := scanRows(ctx, l.conn, query, args, q.scan); err != nil {
			return fmt.Errorf("content: load index: %w", err)
		}
	}
	return nil
}

// scanRows runs a query and scans each row.
func scanRows(ctx context.Context, conn *sql.Conn, query string, args []any, scan func(*sql.Rows) error) error {
	rows, err := conn.QueryContext(ctx, query, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return err
		}
	}
	return rows.Err()
}

// indexLists read the categories, languages, hours and locations of the
// services in recs.
func indexLists(recs map[string]*svcRecord) []listQuery {
	return []listQuery{
		{"SELECT service_id, category_id FROM service_category", func(r *sql.Rows) error {
			var id, c string
			if err := r.Scan(&id, &c); err != nil {
				return err
			}
			if rec := recs[id]; rec != nil {
				if i := categoryIndex(c); i >= 0 {
					rec.cats |= 1 << i
				}
			}
			return nil
		}},
		{"SELECT service_id, lang FROM service_language", func(r *sql.Rows) error {
			var id, l string
			if err := r.Scan(&id, &l); err != nil {
				return err
			}
			if rec := recs[id]; rec != nil {
				rec.langs = append(rec.langs, l)
			}
			return nil
		}},
		{"SELECT service_id, weekday, opens_at, closes_at FROM schedule", func(r *sql.Rows) error {
			var id string
			var sl Slot
			if err := r.Scan(&id, &sl.Weekday, &sl.Opens, &sl.Closes); err != nil {
				return err
			}
			if rec := recs[id]; rec != nil {
				rec.sched.Weekly = append(rec.sched.Weekly, sl)
			}
			return nil
		}},
		{"SELECT service_id, date, closed, opens_at, closes_at FROM schedule_exception", func(r *sql.Rows) error {
			var id string
			var ex Exception
			if err := r.Scan(&id, &ex.Date, &ex.Closed, &ex.Opens, &ex.Closes); err != nil {
				return err
			}
			if rec := recs[id]; rec != nil {
				rec.sched.Exceptions = append(rec.sched.Exceptions, ex)
			}
			return nil
		}},
		{"SELECT service_id, location_id, geom, address, comune FROM (SELECT sal.service_id, l.id AS location_id, l.geom, l.address, l.comune FROM service_at_location sal JOIN location l ON l.id = sal.location_id)", func(r *sql.Rows) error {
			var id string
			var loc recordLocation
			var g geo.Blob
			if err := r.Scan(&id, &loc.id, &g, &loc.address, &loc.comune); err != nil {
				return err
			}
			if g.Geometry == nil {
				return nil // no point: the service is remote there
			}
			p, ok := g.Geometry.(orb.Point)
			if !ok {
				return fmt.Errorf("location %s: geometry is %T, not a point", loc.id, g.Geometry)
			}
			loc.point = p
			if rec := recs[id]; rec != nil {
				rec.locations = append(rec.locations, loc)
			}
			return nil
		}},
		{"SELECT service_id, lang, value FROM (SELECT id AS service_id, lang, value FROM translation WHERE entity = 'service' AND field = 'name')", func(r *sql.Rows) error {
			var id, l, v string
			if err := r.Scan(&id, &l, &v); err != nil {
				return err
			}
			if rec := recs[id]; rec != nil {
				rec.names = append(rec.names, [2]string{l, v})
			}
			return nil
		}},
	}
}

// cellFactor is the average number of points per grid cell over the
// catalog's extent. Measured on the 100k and 1M benchmarks, from 1/8 to 2
// gives the same latency within noise; larger cells suit small catalogs.
const cellFactor = 2

package content

import (
	"hash/maphash"
	"unsafe"
)

// The index keeps a million services in a handful of allocations without
// pointers: its strings live back to back in an arena and are known by a
// strRef, services by their slot, a service's locations by a chain of
// entry numbers, and schedules, language sets, statuses and comuni by
// their number in a table of the distinct ones. The collector then has
// almost nothing to scan, and loading leaves no small strings scattered
// among its garbage for the heap to keep.

// arenaBlock is the size of the arena's blocks; a longer string takes a
// block of its own.
const arenaBlock = 1 << 20

// strArena holds strings back to back in blocks that are only ever
// appended to: a string handed out (unsafe.String over a block) never
// changes, and stays valid as long as it is referenced, even once its
// service is replaced. What replaced services leave behind (dead) goes
// with the next full load.
type strArena struct {
	blocks [][]byte
	dead   int
}

// strRef is a string in an arena: its block, offset and length.
type strRef struct{ block, off, n uint32 }

// add copies s into the arena.
func (a *strArena) add(s string) strRef {
	if s == "" {
		return strRef{}
	}
	n := len(a.blocks)
	if n == 0 || cap(a.blocks[n-1])-len(a.blocks[n-1]) < len(s) {
		a.blocks = append(a.blocks, make([]byte, 0, max(arenaBlock, len(s))))
		n++
	}
	b := a.blocks[n-1]
	r := strRef{block: uint32(n - 1), off: uint32(len(b)), n: uint32(len(s))}
	a.blocks[n-1] = append(b, s...)
	return r
}

// str is the string r refers to; it shares the arena's memory.
func (a *strArena) str(r strRef) string {
	if r.n == 0 {
		return ""
	}
	return unsafe.String(&a.blocks[r.block][r.off], int(r.n))
}

// drop counts r's bytes as dead.
func (a *strArena) drop(r strRef) { a.dead += int(r.n) }

// idTable maps service IDs to slots: open addressing over the IDs kept in
// the arena, one uint32 a bucket (slot+1; 0 is empty), at most half
// full. Slots are never removed (a withdrawn service keeps its slot).
type idTable struct {
	seed    maphash.Seed
	buckets []uint32
	n       int
}

func newIDTable(capacity int) idTable {
	size := 16
	for size < 2*capacity {
		size *= 2
	}
	return idTable{seed: maphash.MakeSeed(), buckets: make([]uint32, size)}
}

// get finds id's slot; idOf gives a slot's ID.
func (t *idTable) get(id string, idOf func(uint32) string) (uint32, bool) {
	if len(t.buckets) == 0 {
		return 0, false
	}
	mask := uint64(len(t.buckets) - 1)
	for i := maphash.String(t.seed, id) & mask; ; i = (i + 1) & mask {
		b := t.buckets[i]
		if b == 0 {
			return 0, false
		}
		if idOf(b-1) == id {
			return b - 1, true
		}
	}
}

// set records id at slot (id must not be in the table).
func (t *idTable) set(id string, slot uint32, idOf func(uint32) string) {
	if 2*(t.n+1) > len(t.buckets) {
		old := t.buckets
		t.buckets = make([]uint32, max(16, 2*len(old)))
		t.n = 0
		for _, b := range old {
			if b != 0 {
				t.place(idOf(b-1), b-1)
			}
		}
	}
	t.place(id, slot)
}

func (t *idTable) place(id string, slot uint32) {
	mask := uint64(len(t.buckets) - 1)
	i := maphash.String(t.seed, id) & mask
	for t.buckets[i] != 0 {
		i = (i + 1) & mask
	}
	t.buckets[i] = slot + 1
	t.n++
}

// table interns the distinct values of a small set (schedules, language
// sets, statuses, comuni), each known by its number.
type table[T any] struct {
	byKey map[string]uint32
	vals  []T
}

func newTable[T any]() table[T] { return table[T]{byKey: map[string]uint32{}} }

// intern returns key's number, making its value with mk the first time.
func (t *table[T]) intern(key string, mk func() T) uint32 {
	if n, ok := t.byKey[key]; ok {
		return n
	}
	n := uint32(len(t.vals))
	t.byKey[key] = n
	t.vals = append(t.vals, mk())
	return n
}

package sqlitedb

/*
#include <malloc.h>
*/
import "C"

import (
	"context"
	"database/sql"
)

// ShrinkMemory gives back what the idle connections of dbs cached (their
// page caches, PRAGMA shrink_memory) and then what the C heap keeps free
// (malloc_trim): after a burst of reads, such as counting every table
// once at start, that memory would otherwise stay with the process.
// Connections in use are left alone.
func ShrinkMemory(ctx context.Context, dbs ...*sql.DB) {
	for _, db := range dbs {
		n := db.Stats().Idle
		conns := make([]*sql.Conn, 0, n)
		for range n {
			c, err := db.Conn(ctx)
			if err != nil {
				break
			}
			conns = append(conns, c)
		}
		for _, c := range conns {
			_, _ = c.ExecContext(ctx, "PRAGMA shrink_memory") // only frees: nothing to report
			_ = c.Close()                                     // back to the pool
		}
	}
	C.malloc_trim(0)
}

// cHeapInUse is the bytes the C heap has handed out and not had back.
func cHeapInUse() int64 { return int64(C.mallinfo2().uordblks) }

package callback_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/punto-totem/punto/callback"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/internal/testenv"
)

// TestPurgeLeavesCheckpoints: a purge truncates the write-ahead log, so
// that no deleted number lingers there, unless the checkpoints are left to
// Litestream (LeaveCheckpoints), whose read lock the truncation would wait
// on: then the log is left as it is.
func TestPurgeLeavesCheckpoints(t *testing.T) {
	t.Parallel()
	for _, leave := range []bool{false, true} {
		t.Run(fmt.Sprint("leave=", leave), func(t *testing.T) {
			t.Parallel()
			ctx := context.Background()
			st := testenv.DemoStore(t)
			clock := testenv.NewClock(time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC))
			ed, err := editorial.Open(ctx, editorial.Config{Catalog: st, Now: clock.Now, HashCost: &editorial.HashCost{MemoryKiB: 64, Passes: 1}})
			if err != nil {
				t.Fatal(err)
			}
			defer ed.Close()
			key, err := callback.LoadOrCreateKey(filepath.Join(t.TempDir(), "callback.key"))
			if err != nil {
				t.Fatal(err)
			}
			cs, err := callback.Open(ctx, callback.Config{Editorial: ed, Key: key, Now: clock.Now, Retention: time.Hour, LeaveCheckpoints: leave})
			if err != nil {
				t.Fatal(err)
			}
			defer cs.Close()
			if _, err := cs.Create(ctx, callback.In{Number: typed, Language: "ar", Topic: "health", Territory: "zona-2-perugia"}); err != nil {
				t.Fatal(err)
			}
			clock.Add(2 * time.Hour)
			if n, err := cs.Purge(ctx); err != nil || n != 1 {
				t.Fatalf("purged %d: %v", n, err)
			}
			fi, err := os.Stat(st.Path() + "-wal")
			if err != nil {
				t.Fatal(err)
			}
			if truncated := fi.Size() == 0; truncated == leave {
				t.Errorf("LeaveCheckpoints %v: the log is %d bytes after the purge", leave, fi.Size())
			}
		})
	}
}

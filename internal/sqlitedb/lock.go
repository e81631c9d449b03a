package sqlitedb

import (
	"errors"
	"fmt"
	"os"
	"syscall"
)

// ErrInUse says that a serving process holds a node's file (see Lock).
var ErrInUse = errors.New("sqlitedb: the file is in use by a running process")

// Lock takes the serving lock of the SQLite file at path: an exclusive
// flock(2) on path+".lock", made if missing. A portal holds it while it
// serves; the commands that must run with it stopped (punto restore,
// punto portal epoch) take it too, so that each refuses while the other
// runs. The kernel drops the lock when its holder exits, however it
// exits: a lock file left by a killed process locks nothing. Release
// with the returned func.
func Lock(path string) (release func() error, err error) {
	if err := CheckPath(path); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path+".lock", os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, fmt.Errorf("sqlitedb: lock: %w", err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		_ = f.Close() // nothing was written
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, fmt.Errorf("%w: %s", ErrInUse, path)
		}
		return nil, fmt.Errorf("sqlitedb: lock %s: %w", path, err)
	}
	return f.Close, nil // closing the file drops the lock
}

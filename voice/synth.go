package voice

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// Defaults of Config.
const (
	DefaultMaxBytes = 256 << 20
	DefaultTimeout  = 20 * time.Second
	// MaxText bounds one text read aloud (a service's description is the
	// longest the screens hold).
	MaxText = 4000
)

// format names the way cached files are made: a change of espeak-ng's
// options changes every key, so nothing stale is served.
const format = "espeak-ng wav v1"

// Config is where and how the synthesiser works.
type Config struct {
	// Dir holds the cache (created if missing).
	Dir string
	// MaxBytes bounds the cache's total size; the files used least
	// recently are removed past it (default DefaultMaxBytes).
	MaxBytes int64
	// Timeout bounds one run of espeak-ng (default DefaultTimeout).
	Timeout time.Duration
	// Command is the espeak-ng program (default "espeak-ng" on $PATH).
	Command string
	// Parallel bounds the runs of espeak-ng at once (default the number
	// of CPUs): many new texts asked at once wait their turn.
	Parallel int
}

// Synth makes and caches audio. It is safe for concurrent use.
type Synth struct {
	cfg  Config
	runs atomic.Int64
	slot chan struct{} // one per run of espeak-ng at once

	mu      sync.Mutex
	flights map[string]*flight
}

// flight is one run of espeak-ng that callers asking for the same key wait
// for.
type flight struct {
	done chan struct{}
	err  error
}

// New checks the configuration and the cache directory, and that
// espeak-ng can be found.
func New(cfg Config) (*Synth, error) {
	if cfg.Dir == "" {
		return nil, errors.New("voice: no cache directory")
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultMaxBytes
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = DefaultTimeout
	}
	if cfg.Command == "" {
		cfg.Command = "espeak-ng"
	}
	if cfg.Parallel <= 0 {
		cfg.Parallel = runtime.NumCPU()
	}
	path, err := exec.LookPath(cfg.Command)
	if err != nil {
		return nil, fmt.Errorf("voice: %s not found (Debian package espeak-ng): %w", cfg.Command, err)
	}
	cfg.Command = path
	if err := os.MkdirAll(cfg.Dir, 0o755); err != nil {
		return nil, fmt.Errorf("voice: cache: %w", err)
	}
	s := &Synth{cfg: cfg, flights: map[string]*flight{}, slot: make(chan struct{}, cfg.Parallel)}
	s.evict()
	return s, nil
}

// Runs is how many times espeak-ng has run: a text found in the cache
// costs none.
func (s *Synth) Runs() int64 { return s.runs.Load() }

// Key is the cache key of text read in lang.
func Key(text, lang string) (string, error) {
	v, err := VoiceFor(lang)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	for _, part := range []string{format, v, lang, text} {
		fmt.Fprintf(h, "%d:%s\n", len(part), part)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// WAV returns a WAV file of text read in lang, made now or found in the
// cache. ErrNoVoice: lang has no voice.
func (s *Synth) WAV(ctx context.Context, text, lang string) ([]byte, error) {
	text = strings.TrimSpace(text)
	switch {
	case text == "":
		return nil, errors.New("voice: nothing to read")
	case !utf8.ValidString(text):
		return nil, errors.New("voice: text is not UTF-8")
	case utf8.RuneCountInString(text) > MaxText:
		return nil, fmt.Errorf("voice: text longer than %d characters", MaxText)
	}
	key, err := Key(text, lang)
	if err != nil {
		return nil, err
	}
	path := filepath.Join(s.cfg.Dir, key+".wav")
	for {
		if b, ok := s.hit(path); ok {
			return b, nil
		}
		s.mu.Lock()
		f, running := s.flights[key]
		if !running {
			f = &flight{done: make(chan struct{})}
			s.flights[key] = f
		}
		s.mu.Unlock()
		if running {
			select {
			case <-f.done:
			case <-ctx.Done():
				return nil, ctx.Err()
			}
			if f.err != nil {
				return nil, f.err
			}
			continue // made: read it from the cache
		}
		// The run is not tied to this caller's context: others may wait
		// for it; the time limit bounds it.
		f.err = s.run(text, lang, path)
		s.mu.Lock()
		delete(s.flights, key)
		s.mu.Unlock()
		close(f.done)
		if f.err != nil {
			return nil, f.err
		}
		b, err := os.ReadFile(path)
		s.evict()
		if err != nil {
			return nil, fmt.Errorf("voice: %w", err)
		}
		return b, nil
	}
}

// hit reads path from the cache, marking it used.
func (s *Synth) hit(path string) ([]byte, bool) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, false
	}
	now := time.Now()
	_ = os.Chtimes(path, now, now) // evicted meanwhile: still read
	return b, true
}

// run makes the WAV file with espeak-ng: the text on standard input (never
// on the command line), written beside path and renamed into place.
func (s *Synth) run(text, lang, path string) error {
	voice, _ := VoiceFor(lang)
	ctx, cancel := context.WithTimeout(context.Background(), s.cfg.Timeout)
	defer cancel()
	select {
	case s.slot <- struct{}{}:
		defer func() { <-s.slot }()
	case <-ctx.Done():
		return fmt.Errorf("voice: busy for longer than %s", s.cfg.Timeout)
	}
	s.runs.Add(1)
	tmp, err := os.CreateTemp(s.cfg.Dir, ".make-*.wav")
	if err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	cmd := exec.CommandContext(ctx, s.cfg.Command, "-v", voice, "-w", tmp.Name(), "--stdin")
	cmd.Stdin = strings.NewReader(text)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	cmd.WaitDelay = time.Second
	if err := cmd.Run(); err != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("voice: espeak-ng took longer than %s", s.cfg.Timeout)
		}
		return fmt.Errorf("voice: espeak-ng: %w: %s", err, strings.TrimSpace(stderr.String()))
	}
	if fi, err := os.Stat(tmp.Name()); err != nil || fi.Size() <= wavHeader {
		return errors.New("voice: espeak-ng wrote no audio")
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("voice: %w", err)
	}
	return nil
}

// evict removes the least recently used files until the cache fits.
func (s *Synth) evict() {
	s.mu.Lock()
	defer s.mu.Unlock()
	entries, err := os.ReadDir(s.cfg.Dir)
	if err != nil {
		return
	}
	type file struct {
		path string
		size int64
		used time.Time
	}
	var files []file
	var total int64
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".wav") || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		fi, err := e.Info()
		if err != nil {
			continue
		}
		files = append(files, file{filepath.Join(s.cfg.Dir, e.Name()), fi.Size(), fi.ModTime()})
		total += fi.Size()
	}
	if total <= s.cfg.MaxBytes {
		return
	}
	sort.Slice(files, func(i, j int) bool { return files[i].used.Before(files[j].used) })
	for _, f := range files {
		if total <= s.cfg.MaxBytes {
			break
		}
		if os.Remove(f.path) == nil {
			total -= f.size
		}
	}
}

// CacheBytes is the cache's total size now.
func (s *Synth) CacheBytes() int64 {
	entries, _ := os.ReadDir(s.cfg.Dir)
	var total int64
	for _, e := range entries {
		if fi, err := e.Info(); err == nil && !e.IsDir() && strings.HasSuffix(e.Name(), ".wav") {
			total += fi.Size()
		}
	}
	return total
}

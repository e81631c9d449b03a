package testenv

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
)

// Audio is what sox measured of an audio file.
type Audio struct {
	Seconds float64 // how long it plays
	RMS     float64 // RMS amplitude, 0 (silence) to 1
}

var soxStat = regexp.MustCompile(`(?m)^(Length \(seconds\)|RMS\s+amplitude):\s+([0-9.eE+-]+)`)

// DecodeAudio decodes an audio file with Debian's sox (make deps installs
// it) and measures its length and loudness.
func DecodeAudio(t testing.TB, audio []byte, ext string) Audio {
	t.Helper()
	if _, err := exec.LookPath("sox"); err != nil {
		t.Fatal("sox is missing: run make deps (Debian package sox)")
	}
	path := filepath.Join(t.TempDir(), "audio."+ext)
	if err := os.WriteFile(path, audio, 0o644); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("sox", path, "-n", "stat").CombinedOutput()
	if err != nil {
		t.Fatalf("sox %s: %v\n%s", ext, err, out)
	}
	var a Audio
	for _, m := range soxStat.FindAllStringSubmatch(string(out), -1) {
		v, _ := strconv.ParseFloat(m[2], 64)
		if m[1] == "Length (seconds)" {
			a.Seconds = v
		} else {
			a.RMS = v
		}
	}
	return a
}

package content

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"time"
)

// KindRecording is the change feed's kind for a recording.
const KindRecording = "recording"

// MaxRecording bounds one recording's audio (about two minutes of Ogg
// speech, twenty seconds of WAV).
const MaxRecording = 2 << 20

// Recording is audio of one text the screens hold, read in one language:
// it wins over the totem's synthesis. Ref names the text (RecordingRef).
// Audio travels in the feed's JSON as base64.
type Recording struct {
	ID        string    `json:"id"` // Lang + ":" + Ref
	Lang      string    `json:"lang"`
	Ref       string    `json:"ref"`
	Type      string    `json:"type"`
	Audio     []byte    `json:"audio"`
	SHA256    string    `json:"sha256"`
	UpdatedAt time.Time `json:"updated_at"`
}

// refPattern is what a recording may be of: a screen's string, a field of
// a service or page, an alert.
var refPattern = regexp.MustCompile(`^(ui:[a-z0-9_.-]{1,80}|service:[A-Za-z0-9][A-Za-z0-9._-]{0,90}:(name|description)|alert:[A-Za-z0-9][A-Za-z0-9._-]{0,100}|page:[A-Za-z0-9][A-Za-z0-9._-]{0,90}:(title|body))$`)

// ValidRef reports whether ref names a text a recording can be of.
func ValidRef(ref string) bool { return refPattern.MatchString(ref) }

// RecordingID is the ID of the recording of ref in lang.
func RecordingID(lang, ref string) string { return lang + ":" + ref }

// AudioType names the audio in b by its first bytes: audio/wav (PCM or
// not), audio/ogg, audio/mpeg, audio/webm; "" if it is none of them.
func AudioType(b []byte) string {
	switch {
	case len(b) >= 12 && string(b[0:4]) == "RIFF" && string(b[8:12]) == "WAVE":
		return "audio/wav"
	case bytes.HasPrefix(b, []byte("OggS")):
		return "audio/ogg"
	case bytes.HasPrefix(b, []byte("ID3")), len(b) >= 2 && b[0] == 0xFF && b[1]&0xE0 == 0xE0:
		return "audio/mpeg"
	case bytes.HasPrefix(b, []byte{0x1A, 0x45, 0xDF, 0xA3}):
		return "audio/webm"
	}
	return ""
}

// NewRecording builds a recording of ref in lang from uploaded audio,
// checking it.
func NewRecording(lang, ref string, audio []byte, at time.Time) (*Recording, error) {
	sum := sha256.Sum256(audio)
	r := &Recording{ID: RecordingID(lang, ref), Lang: lang, Ref: ref, Type: AudioType(audio), Audio: audio,
		SHA256: hex.EncodeToString(sum[:]), UpdatedAt: at.UTC().Truncate(time.Second)}
	return r, r.Validate()
}

// Validate checks a recording before it is written: a known language and
// text, audio of a known type within MaxRecording, its hash.
func (r *Recording) Validate() error {
	switch {
	case !ValidLanguage(r.Lang):
		return invalid("lang", "%q is not a language code", r.Lang)
	case !ValidRef(r.Ref):
		return invalid("ref", "%q names no text (ui:KEY, service:ID:name|description, alert:ID, page:ID:title|body)", r.Ref)
	case r.ID != RecordingID(r.Lang, r.Ref):
		return invalid("id", "%q is not lang:ref", r.ID)
	case len(r.Audio) == 0:
		return invalid("audio", "is empty")
	case len(r.Audio) > MaxRecording:
		return invalid("audio", "is larger than %d bytes", MaxRecording)
	case AudioType(r.Audio) == "" || AudioType(r.Audio) != r.Type:
		return invalid("audio", "is not WAV, Ogg, MP3 or WebM audio")
	}
	sum := sha256.Sum256(r.Audio)
	if hex.EncodeToString(sum[:]) != r.SHA256 {
		return invalid("sha256", "does not match the audio")
	}
	return nil
}

// PutRecording writes a recording, replacing the one of the same text and
// language.
func (b *Batch) PutRecording(r *Recording) error {
	if err := r.Validate(); err != nil {
		return err
	}
	_, err := b.exec(`INSERT INTO recording(id, lang, ref, type, audio, sha256, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT(id) DO UPDATE SET type = excluded.type, audio = excluded.audio, sha256 = excluded.sha256, updated_at = excluded.updated_at`,
		r.ID, r.Lang, r.Ref, r.Type, r.Audio, r.SHA256, r.UpdatedAt.UTC().Format(time.RFC3339))
	if err != nil {
		return fmt.Errorf("content: recording %s: %w", r.ID, err)
	}
	return nil
}

// Recording reads the recording of ref in lang, or ErrNotFound.
func (s *Store) Recording(ctx context.Context, lang, ref string) (*Recording, error) {
	return s.recordingByID(ctx, RecordingID(lang, ref))
}

func (s *Store) recordingByID(ctx context.Context, id string) (*Recording, error) {
	r := &Recording{ID: id}
	var at string
	err := s.r.QueryRowContext(ctx, "SELECT lang, ref, type, audio, sha256, updated_at FROM recording WHERE id = ?", id).
		Scan(&r.Lang, &r.Ref, &r.Type, &r.Audio, &r.SHA256, &at)
	if err != nil {
		return nil, notFound(err, "recording", id)
	}
	r.UpdatedAt, _ = time.Parse(time.RFC3339, at)
	return r, nil
}

// RecordingInfo is a recording without its audio.
type RecordingInfo struct {
	ID        string    `json:"id"`
	Lang      string    `json:"lang"`
	Ref       string    `json:"ref"`
	Type      string    `json:"type"`
	Bytes     int       `json:"bytes"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Recordings lists the recordings, by text then language.
func (s *Store) Recordings(ctx context.Context) ([]RecordingInfo, error) {
	rows, err := s.r.QueryContext(ctx, "SELECT id, lang, ref, type, length(audio), updated_at FROM recording ORDER BY ref, lang")
	if err != nil {
		return nil, fmt.Errorf("content: recordings: %w", err)
	}
	defer rows.Close()
	out := []RecordingInfo{}
	for rows.Next() {
		var r RecordingInfo
		var at string
		if err := rows.Scan(&r.ID, &r.Lang, &r.Ref, &r.Type, &r.Bytes, &at); err != nil {
			return nil, err
		}
		r.UpdatedAt, _ = time.Parse(time.RFC3339, at)
		out = append(out, r)
	}
	return out, rows.Err()
}

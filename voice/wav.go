package voice

import (
	"bytes"
	"encoding/binary"
	"errors"
	"time"
)

// wavHeader is the size of a canonical WAV header.
const wavHeader = 44

// pcm is a WAV file's format and samples.
type pcm struct {
	fmt  []byte // the "fmt " chunk's body
	data []byte
}

func (p pcm) bytesPerSecond() int { return int(binary.LittleEndian.Uint32(p.fmt[8:12])) }
func (p pcm) blockAlign() int     { return int(binary.LittleEndian.Uint16(p.fmt[12:14])) }

var errNotWAV = errors.New("voice: not a PCM WAV file")

// parseWAV reads the format and samples of a RIFF WAVE file.
func parseWAV(b []byte) (pcm, error) {
	if len(b) < 12 || string(b[0:4]) != "RIFF" || string(b[8:12]) != "WAVE" {
		return pcm{}, errNotWAV
	}
	var p pcm
	for rest := b[12:]; len(rest) >= 8; {
		id, size := string(rest[0:4]), int(binary.LittleEndian.Uint32(rest[4:8]))
		body := rest[8:]
		if size > len(body) || size < 0 {
			size = len(body) // espeak-ng writing to a pipe leaves the size unset
		}
		switch id {
		case "fmt ":
			if size < 16 || binary.LittleEndian.Uint16(body[0:2]) != 1 {
				return pcm{}, errNotWAV
			}
			p.fmt = body[:size]
		case "data":
			p.data = body[:size]
		}
		next := size + size%2
		if next > len(body) {
			break
		}
		rest = body[next:]
	}
	if p.fmt == nil || p.data == nil {
		return pcm{}, errNotWAV
	}
	return p, nil
}

// Join puts WAV files of the same format one after the other, with gap of
// silence between them: the parts of one reading (a service's name, its
// distance, whether it is open) made apart and cached apart.
func Join(gap time.Duration, parts ...[]byte) ([]byte, error) {
	if len(parts) == 1 {
		return parts[0], nil
	}
	var first pcm
	var data bytes.Buffer
	for i, b := range parts {
		p, err := parseWAV(b)
		if err != nil {
			return nil, err
		}
		if i == 0 {
			first = p
		} else {
			if !bytes.Equal(p.fmt[:16], first.fmt[:16]) {
				return nil, errors.New("voice: parts of different formats")
			}
			n := int(gap.Seconds()*float64(first.bytesPerSecond())) / first.blockAlign() * first.blockAlign()
			data.Write(make([]byte, n))
		}
		data.Write(p.data)
	}
	var out bytes.Buffer
	le := binary.LittleEndian
	out.WriteString("RIFF")
	_ = binary.Write(&out, le, uint32(4+8+16+8+data.Len()))
	out.WriteString("WAVEfmt ")
	_ = binary.Write(&out, le, uint32(16))
	out.Write(first.fmt[:16])
	out.WriteString("data")
	_ = binary.Write(&out, le, uint32(data.Len()))
	out.Write(data.Bytes())
	return out.Bytes(), nil
}

// Duration is how long a WAV file plays.
func Duration(b []byte) (time.Duration, error) {
	p, err := parseWAV(b)
	if err != nil {
		return 0, err
	}
	return time.Duration(float64(len(p.data)) / float64(p.bytesPerSecond()) * float64(time.Second)), nil
}

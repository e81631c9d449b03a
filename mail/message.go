package mail

import (
	"bytes"
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net/mail"
	"net/textproto"
	"strings"
	"time"
)

// Message is one e-mail to one recipient: a plain-text body and, if set,
// one attachment (an .ics invitation).
type Message struct {
	To      string
	Subject string
	Text    string
	// Attachment, if its Data is set, goes with the text.
	Attachment Attachment
}

// Attachment is a file sent with a message.
type Attachment struct {
	Name        string // file name, e.g. "invito.ics"
	ContentType string // e.g. `text/calendar; charset=utf-8; method=REQUEST`
	Data        []byte
}

// ErrBadAddress refuses a recipient that is not one e-mail address.
var ErrBadAddress = errors.New("mail: not an e-mail address")

// CheckAddress reports whether s is one bare e-mail address.
func CheckAddress(s string) error {
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return fmt.Errorf("%w: %q", ErrBadAddress, s)
	}
	return nil
}

// render writes m as an RFC 5322 message from from, dated at, with a
// random Message-ID under domain.
func (m Message) render(from string, at time.Time) ([]byte, error) {
	if err := CheckAddress(m.To); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	id := make([]byte, 16)
	if _, err := rand.Read(id); err != nil {
		return nil, err
	}
	domain := "punto.invalid"
	if _, d, ok := strings.Cut(from, "@"); ok {
		domain = d
	}
	hdr := func(k, v string) { fmt.Fprintf(&b, "%s: %s\r\n", k, v) }
	hdr("From", from)
	hdr("To", m.To)
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Subject))
	hdr("Date", at.Format(time.RFC1123Z))
	hdr("Message-ID", "<"+hex.EncodeToString(id)+"@"+domain+">")
	hdr("MIME-Version", "1.0")
	hdr("Auto-Submitted", "auto-generated")
	text := func(w *bytes.Buffer) error {
		qp := quotedprintable.NewWriter(w)
		if _, err := qp.Write([]byte(strings.ReplaceAll(m.Text, "\n", "\r\n"))); err != nil {
			return err
		}
		return qp.Close()
	}
	if len(m.Attachment.Data) == 0 {
		hdr("Content-Type", "text/plain; charset=utf-8")
		hdr("Content-Transfer-Encoding", "quoted-printable")
		b.WriteString("\r\n")
		if err := text(&b); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	mw := multipart.NewWriter(&b)
	hdr("Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	part, err := mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {"text/plain; charset=utf-8"},
		"Content-Transfer-Encoding": {"quoted-printable"},
	})
	if err != nil {
		return nil, err
	}
	var body bytes.Buffer
	if err := text(&body); err != nil {
		return nil, err
	}
	if _, err := part.Write(body.Bytes()); err != nil {
		return nil, err
	}
	part, err = mw.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {m.Attachment.ContentType},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": m.Attachment.Name})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return nil, err
	}
	enc := base64.StdEncoding.EncodeToString(m.Attachment.Data)
	for len(enc) > 76 {
		if _, err := part.Write([]byte(enc[:76] + "\r\n")); err != nil {
			return nil, err
		}
		enc = enc[76:]
	}
	if _, err := part.Write([]byte(enc + "\r\n")); err != nil {
		return nil, err
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

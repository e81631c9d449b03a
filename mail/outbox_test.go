package mail_test

import (
	"context"
	"crypto/tls"
	"database/sql"
	"encoding/base64"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/url"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/punto-totem/punto/internal/sqlitedb"
	"github.com/punto-totem/punto/internal/testenv"
	"github.com/punto-totem/punto/mail"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// outbox opens an outbox on a fresh demo catalog, delivering to box over
// STARTTLS with a login, with short backoffs.
func outbox(t *testing.T, box *testenv.Mailbox) (*mail.Outbox, *sqlitedb.DB) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "portal.db")
	u := "smtp://" + url.UserPassword(testenv.MailUser, testenv.MailPassword).String() + "@" + box.Addr + "?from=punto@example.org"
	s, err := mail.ParseURL(u)
	if err != nil {
		t.Fatal(err)
	}
	s.TLS = &tls.Config{RootCAs: box.Roots}
	// An attempt that hangs gives up in 2 s here, not the default 30 s.
	s.Timeout = 2 * time.Second
	o, err := mail.Open(context.Background(), mail.Config{Path: path, SMTP: s, Backoff: 50 * time.Millisecond, MaxBackoff: 400 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { o.Close() })
	db, err := sqlitedb.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { o.Run(ctx); close(done) }()
	t.Cleanup(func() { cancel(); <-done })
	return o, db
}

func enqueue(t *testing.T, o *mail.Outbox, db *sqlitedb.DB, m mail.Message) {
	t.Helper()
	if err := db.Tx(context.Background(), func(tx *sql.Tx) error { return o.EnqueueTx(context.Background(), tx, m) }); err != nil {
		t.Fatal(err)
	}
	o.Kick()
}

func TestOutboxDeliversOverSTARTTLSWithAttachment(t *testing.T) {
	t.Parallel()
	box := testenv.StartMailbox(t)
	o, db := outbox(t, box)
	enqueue(t, o, db, mail.Message{To: "scuola@example.org", Subject: "Richiesta ricevuta — è così",
		Text: "Buongiorno,\nla richiesta è arrivata.", Attachment: mail.Attachment{Name: "invito.ics", ContentType: "text/calendar; charset=utf-8; method=REQUEST", Data: []byte("BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n")}})
	testenv.Eventually(t, 10*time.Second, "the message delivered", func() bool { return len(box.To("scuola@example.org")) == 1 })
	m := box.To("scuola@example.org")[0]
	if m.From != "punto@example.org" {
		t.Errorf("envelope from %q", m.From)
	}
	subj, err := new(mime.WordDecoder).DecodeHeader(m.Msg.Header.Get("Subject"))
	if err != nil || subj != "Richiesta ricevuta — è così" {
		t.Errorf("subject %q %v", subj, err)
	}
	_, params, err := mime.ParseMediaType(m.Msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatal(err)
	}
	mr := multipart.NewReader(m.Msg.Body, params["boundary"])
	var parts []string
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		if p.Header.Get("Content-Transfer-Encoding") == "base64" {
			b, _ = base64.StdEncoding.DecodeString(strings.ReplaceAll(string(b), "\r\n", ""))
		}
		parts = append(parts, p.Header.Get("Content-Type")+"|"+p.FileName()+"|"+string(b))
	}
	if len(parts) != 2 || !strings.Contains(parts[0], "la richiesta è arrivata") || !strings.HasPrefix(parts[1], "text/calendar") || !strings.Contains(parts[1], "invito.ics|BEGIN:VCALENDAR") {
		t.Errorf("parts: %q", parts)
	}
	testenv.Eventually(t, 10*time.Second, "the outbox to count it sent", func() bool {
		st, err := o.Status(context.Background())
		return err == nil && st.Sent == 1 && st.Pending == 0
	})
}

// A server down when the mail is written: it arrives once the server is
// back, exactly once. (The mailbox holds its port while down: a test
// starting its own server then could otherwise take it, and this test's
// mail with it.)
func TestOutboxRetriesUntilTheServerIsBack(t *testing.T) {
	t.Parallel()
	box := testenv.StartMailbox(t)
	o, db := outbox(t, box)
	box.Down()
	enqueue(t, o, db, mail.Message{To: "mediatore@example.org", Subject: "Incarico", Text: "Un incarico."})
	testenv.Eventually(t, 10*time.Second, "two failed attempts", func() bool {
		st, err := o.Status(context.Background())
		return err == nil && st.Failing == 1
	})
	if n := len(box.Messages()); n != 0 {
		t.Fatalf("%d messages while down", n)
	}
	box.Up()
	testenv.Eventually(t, 10*time.Second, "the message delivered after the server came back", func() bool { return len(box.Messages()) == 1 })
	testenv.Eventually(t, 10*time.Second, "the outbox empty", func() bool {
		st, err := o.Status(context.Background())
		return err == nil && st.Pending == 0 && st.Sent == 1
	})
	// Two more backoff periods pass: nothing is sent again.
	enqueue(t, o, db, mail.Message{To: "altro@example.org", Subject: "x", Text: "y"})
	testenv.Eventually(t, 10*time.Second, "a second message", func() bool { return len(box.Messages()) == 2 })
	if n := len(box.To("mediatore@example.org")); n != 1 {
		t.Errorf("the first message arrived %d times", n)
	}
}

func TestParseURL(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, url, want, err string
	}{
		{"starttls", "smtp://u:p%40ss@mail.example.org?from=punto@example.org", "smtp://u@mail.example.org:587", ""},
		{"tls", "smtps://u:p@mail.example.org:2465?from=punto@example.org", "smtps://u@mail.example.org:2465", ""},
		{"insecure", "smtp+insecure://127.0.0.1:2525?from=punto@example.org", "smtp+insecure://127.0.0.1:2525", ""},
		{"no from", "smtp://mail.example.org", "", "from"},
		{"bad scheme", "http://mail.example.org?from=a@b.org", "", "scheme"},
		{"unknown parameter", "smtp://mail.example.org?from=a@b.org&tls=no", "", "unknown parameter"},
		{"no host", "smtp://?from=a@b.org", "", "no host"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, err := mail.ParseURL(tc.url)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if s.String() != tc.want {
				t.Errorf("%s, want %s", s, tc.want)
			}
			if strings.Contains(s.String(), "p@ss") {
				t.Error("the password shows")
			}
		})
	}
}

package mail

import (
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// SMTP is where the outbox delivers: a server reached with STARTTLS
// (smtp://), TLS from the first byte (smtps://) or, on a trusted network
// only, in clear (smtp+insecure://), with a login if the URL has one.
type SMTP struct {
	Addr     string // host:port
	Mode     string // "starttls", "tls" or "insecure"
	User     string
	Password string
	From     string // the sender's address
	// TLS is the client's TLS configuration (nil: the system's roots, the
	// URL's host name).
	TLS *tls.Config
	// Timeout bounds one delivery (default 30 s).
	Timeout time.Duration
}

// ParseURL reads an --smtp URL:
//
//	smtp://user:password@host:587?from=punto@example.org    STARTTLS (required)
//	smtps://user:password@host:465?from=punto@example.org   TLS
//	smtp+insecure://host:25?from=punto@example.org          no TLS (a local relay)
//
// The password may also come percent-encoded. from is required.
func ParseURL(raw string) (*SMTP, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("mail: --smtp: %w", err)
	}
	s := &SMTP{Timeout: 30 * time.Second}
	port := ""
	switch u.Scheme {
	case "smtp":
		s.Mode, port = "starttls", "587"
	case "smtps":
		s.Mode, port = "tls", "465"
	case "smtp+insecure":
		s.Mode, port = "insecure", "25"
	default:
		return nil, fmt.Errorf("mail: --smtp: scheme %q is not smtp, smtps or smtp+insecure", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("mail: --smtp: no host")
	}
	if u.Port() != "" {
		port = u.Port()
	}
	s.Addr = net.JoinHostPort(u.Hostname(), port)
	if u.User != nil {
		s.User = u.User.Username()
		s.Password, _ = u.User.Password()
	}
	s.From = u.Query().Get("from")
	if err := CheckAddress(s.From); err != nil {
		return nil, fmt.Errorf("mail: --smtp: ?from= must be the sender's e-mail address: %w", err)
	}
	for k := range u.Query() {
		if k != "from" {
			return nil, fmt.Errorf("mail: --smtp: unknown parameter %q", k)
		}
	}
	return s, nil
}

// String is the URL without its password, for logs.
func (s *SMTP) String() string {
	scheme := map[string]string{"starttls": "smtp", "tls": "smtps", "insecure": "smtp+insecure"}[s.Mode]
	user := ""
	if s.User != "" {
		user = s.User + "@"
	}
	return scheme + "://" + user + s.Addr
}

func (s *SMTP) tlsConfig() *tls.Config {
	host, _, _ := net.SplitHostPort(s.Addr)
	if s.TLS != nil {
		c := s.TLS.Clone()
		if c.ServerName == "" {
			c.ServerName = host
		}
		return c
	}
	return &tls.Config{ServerName: host, MinVersion: tls.VersionTLS12}
}

// Send delivers one rendered message to one recipient.
func (s *SMTP) Send(ctx context.Context, to string, msg []byte) error {
	timeout := s.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	d := net.Dialer{}
	conn, err := d.DialContext(ctx, "tcp", s.Addr)
	if err != nil {
		return fmt.Errorf("mail: dial %s: %w", s.Addr, err)
	}
	deadline, _ := ctx.Deadline()
	if err := conn.SetDeadline(deadline); err != nil {
		conn.Close()
		return err
	}
	var c *smtp.Client
	switch s.Mode {
	case "tls":
		c = smtp.NewClient(tls.Client(conn, s.tlsConfig()))
	case "starttls":
		if c, err = smtp.NewClientStartTLS(conn, s.tlsConfig()); err != nil {
			conn.Close()
			return fmt.Errorf("mail: STARTTLS with %s: %w", s.Addr, err)
		}
	default:
		c = smtp.NewClient(conn)
	}
	// Closing after QUIT (or a failure) says nothing more.
	defer func() { _ = c.Close() }()
	if s.User != "" {
		if err := c.Auth(sasl.NewPlainClient("", s.User, s.Password)); err != nil {
			return fmt.Errorf("mail: login to %s: %w", s.Addr, err)
		}
	}
	if err := c.SendMail(s.From, []string{to}, bytes.NewReader(msg)); err != nil {
		return fmt.Errorf("mail: send to %s: %w", redact(to), err)
	}
	// Delivered: a failed QUIT must not make the outbox send it again.
	_ = c.Quit()
	return nil
}

// redact keeps an address's domain only, for errors that reach logs.
func redact(addr string) string {
	if _, d, ok := strings.Cut(addr, "@"); ok {
		return "…@" + d
	}
	return "…"
}

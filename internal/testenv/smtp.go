package testenv

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/mail"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// Mailbox is a real SMTP server on loopback (go-smtp) that keeps every
// message it accepts, for tests of what the portal sends. It wants a login
// (MailUser, MailPassword) and offers STARTTLS with a certificate that
// Roots trusts. Down and Up make it refuse and accept deliveries again on
// the same address.
type Mailbox struct {
	Addr  string         // host:port, STARTTLS or clear
	Roots *x509.CertPool // trusts the server's certificate (name 127.0.0.1)
	// CertPEM is that certificate, for a process's --smtp-ca.
	CertPEM []byte

	t    testing.TB
	cert tls.Certificate
	mu   sync.Mutex
	msgs []Mail
	srv  *smtp.Server
	// gate is the server's listener. It is held for the mailbox's whole
	// life, down or up: a port given back while down could be taken by
	// any socket on the machine, and the server could not come back.
	gate *gate
}

// gate is a listener that, while down, closes each connection as soon as
// it is accepted, before any greeting, as a server that is down fails it.
type gate struct {
	net.Listener
	down atomic.Bool
}

func (g *gate) Accept() (net.Conn, error) {
	for {
		c, err := g.Listener.Accept()
		if err != nil || !g.down.Load() {
			return c, err
		}
		_ = c.Close()
	}
}

// Mail is one message the Mailbox accepted.
type Mail struct {
	From string
	To   []string
	Raw  []byte
	Msg  *mail.Message // parsed from Raw (its Body read from Raw again)
}

// The login the Mailbox accepts.
const (
	MailUser     = "punto"
	MailPassword = "mail password"
)

// StartMailbox starts a Mailbox until the test ends.
func StartMailbox(t testing.TB) *Mailbox {
	t.Helper()
	m := &Mailbox{t: t, cert: selfSigned(t)}
	m.Roots = x509.NewCertPool()
	leaf, err := x509.ParseCertificate(m.cert.Certificate[0])
	if err != nil {
		t.Fatal(err)
	}
	m.Roots.AddCert(leaf)
	m.CertPEM = pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Raw})
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	m.Addr = ln.Addr().String()
	m.gate = &gate{Listener: ln}
	m.srv = m.server()
	go m.srv.Serve(m.gate)
	t.Cleanup(func() { _ = m.srv.Close() })
	return m
}

func (m *Mailbox) server() *smtp.Server {
	srv := smtp.NewServer(smtp.BackendFunc(func(*smtp.Conn) (smtp.Session, error) { return &mailSession{box: m}, nil }))
	srv.Domain = "127.0.0.1"
	srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{m.cert}}
	srv.AllowInsecureAuth = true
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	return srv
}

// Down makes deliveries fail until Up: connections are closed before the
// greeting.
func (m *Mailbox) Down() { m.gate.down.Store(true) }

// Up accepts deliveries again.
func (m *Mailbox) Up() { m.gate.down.Store(false) }

// Messages returns what the server has accepted so far.
func (m *Mailbox) Messages() []Mail {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]Mail(nil), m.msgs...)
}

// To returns the accepted messages for one recipient.
func (m *Mailbox) To(addr string) []Mail {
	var out []Mail
	for _, ml := range m.Messages() {
		for _, to := range ml.To {
			if to == addr {
				out = append(out, ml)
			}
		}
	}
	return out
}

type mailSession struct {
	box  *Mailbox
	auth bool
	from string
	to   []string
}

func (s *mailSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *mailSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != MailUser || pass != MailPassword {
			return errors.New("wrong login")
		}
		s.auth = true
		return nil
	}), nil
}

func (s *mailSession) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *mailSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.to = append(s.to, to)
	return nil
}

func (s *mailSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return err
	}
	s.box.mu.Lock()
	s.box.msgs = append(s.box.msgs, Mail{From: s.from, To: s.to, Raw: raw, Msg: msg})
	s.box.mu.Unlock()
	return nil
}

func (s *mailSession) Reset()        { s.from, s.to = "", nil }
func (s *mailSession) Logout() error { return nil }

// selfSigned makes a certificate for 127.0.0.1, valid for a day.
func selfSigned(t testing.TB) tls.Certificate {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1),
		Subject:      pkix.Name{CommonName: "punto test mailbox"},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		IPAddresses:  []net.IP{net.ParseIP("127.0.0.1")},
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}
}

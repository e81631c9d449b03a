package mediation

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/punto-totem/punto/content"
	"github.com/punto-totem/punto/editorial"
	"github.com/punto-totem/punto/mail"
)

// InviteTTL is how long an invitation's link works.
const InviteTTL = 7 * 24 * time.Hour

// ErrInvite refuses a link that is unknown, used or expired; it says no
// more than that.
var ErrInvite = errors.New("mediation: this invitation link is unknown, used or expired")

func inviteHash(token string) []byte {
	h := sha256.Sum256([]byte("punto/invite/v1\x00" + token))
	return h[:]
}

// Invite makes email a requester of body id (as AddRequester) and mails
// it, in lang (one of MailLanguages; empty: Italian and English, and its
// later mails too), a one-time link, valid for InviteTTL, to set its
// password. Only the link's hash is kept; the mail commits with the
// invitation and its audit entry. It returns when the link expires.
func (s *Store) Invite(ctx context.Context, actor *editorial.Account, id int64, email, lang string) (time.Time, error) {
	if s.cfg.Outbox == nil {
		return time.Time{}, invalid("email", "this portal sends no mail (no --smtp)")
	}
	if err := checkMailLang("language", lang); err != nil {
		return time.Time{}, err
	}
	o, err := s.AddRequester(ctx, actor, id, email)
	if err != nil {
		return time.Time{}, err
	}
	email = editorial.NormalizeName(email)
	token := rand.Text()
	now := s.now()
	expires := now.Add(InviteTTL)
	link := s.cfg.PortalURL + "#/invite/" + url.PathEscape(token)
	langs := defaultMailLangs
	if lang != "" {
		langs = []string{lang}
	}
	subject, text := compose(langs, func(l string) string { return word(l, "invite") }, func(l string) string {
		return fmt.Sprintf("%s\n\n"+word(l, "invite_text")+"\n\n%s\n\n%s: %s", word(l, "invite"), actor.Name, o.Name,
			expires.In(content.Rome).Format(word(l, "date")), link, word(l, "login"), email)
	})
	err = s.write(ctx, func(tx *sql.Tx) error {
		if err := setMailLang(ctx, tx, email, lang); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO mediation_invite(token_hash, email, org_id, created_at, expires_at) VALUES (?, ?, ?, ?, ?)",
			inviteHash(token), email, id, formatTime(now), formatTime(expires)); err != nil {
			return fmt.Errorf("mediation: invite: %w", err)
		}
		if err := s.cfg.Outbox.EnqueueTx(ctx, tx, mail.Message{To: email, Subject: subject, Text: text}); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "org.invite", "org", id, nil, map[string]string{"requester": email, "expires": formatTime(expires)})
	})
	return expires, err
}

// InviteFor returns the login a link is for while it is unused and
// unexpired, or ErrInvite, without using it up: the password can be
// checked against the login before the link is spent.
func (s *Store) InviteFor(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 100 {
		return "", ErrInvite
	}
	var email string
	err := s.db.R.QueryRowContext(ctx, `SELECT email FROM mediation_invite WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?`,
		inviteHash(token), formatTime(s.now())).Scan(&email)
	if errors.Is(err, sql.ErrNoRows) {
		return "", ErrInvite
	}
	if err != nil {
		return "", fmt.Errorf("mediation: invitation: %w", err)
	}
	return email, nil
}

// ClaimInvite uses up a link: it returns the login it was for, or
// ErrInvite. The caller sets the password (check it first, with
// InviteFor's login: a claimed link is spent).
func (s *Store) ClaimInvite(ctx context.Context, token string) (string, error) {
	if token == "" || len(token) > 100 {
		return "", ErrInvite
	}
	var email string
	err := s.write(ctx, func(tx *sql.Tx) error {
		now := formatTime(s.now())
		err := tx.QueryRowContext(ctx, `UPDATE mediation_invite SET used_at = ? WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
			RETURNING email`, now, inviteHash(token), now).Scan(&email)
		if errors.Is(err, sql.ErrNoRows) {
			return ErrInvite
		}
		return err
	})
	return email, err
}

// SetMailLanguage sets the language email reads its mail in (one of
// MailLanguages; empty: Italian and English). For coordinators, audited.
func (s *Store) SetMailLanguage(ctx context.Context, actor *editorial.Account, email, lang string) error {
	if err := coordinator(actor); err != nil {
		return err
	}
	if err := checkMailLang("language", lang); err != nil {
		return err
	}
	email = editorial.NormalizeName(email)
	return s.write(ctx, func(tx *sql.Tx) error {
		if err := setMailLang(ctx, tx, email, lang); err != nil {
			return err
		}
		return s.audit(ctx, tx, actor, "mail.language", "requester", 0, nil, map[string]string{"email": email, "language": lang})
	})
}

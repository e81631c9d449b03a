package mediation

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
)

// mailTexts are the words of the mails, per language. Adding a language
// is adding its map here: a key it lacks falls back to Italian. An
// address with no language of its own (SetMailLanguage, a mediator's
// mail_language) gets Italian and English, one after the other.
var mailTexts = map[string]map[string]string{
	"it": {
		"received":    "Richiesta di mediazione n. %d ricevuta",
		"new":         "Nuova richiesta di mediazione n. %d",
		"assigned":    "Mediatore assegnato alla richiesta n. %d",
		"confirmed":   "Mediazione n. %d confermata",
		"cancelled":   "Richiesta di mediazione n. %d annullata",
		"declined":    "Richiesta di mediazione n. %d non accolta",
		"rescheduled": "Richiesta di mediazione n. %d spostata",
		"mediator":    "Incarico di mediazione n. %d",
		"withdrawn":   "Incarico di mediazione n. %d annullato",
		"body":        "Ente",
		"language":    "Lingua",
		"when":        "Quando",
		"where":       "Dove",
		"topic":       "Tema",
		"state":       "Stato",
		"mediator_is": "Mediatore",
		"open":        "Apri nel portale",
		"invite":      "Invito al portale della mediazione",
		"invite_text": "%s vi invita a chiedere mediatori culturali per %s.\nScegliete la vostra password da questo link, valido una volta sola fino al %s:",
		"login":       "Il vostro nome utente",
		"date":        "02/01/2006 15:04",
	},
	"en": {
		"received":    "Mediation request %d received",
		"new":         "New mediation request %d",
		"assigned":    "Mediator assigned to request %d",
		"confirmed":   "Mediation %d confirmed",
		"cancelled":   "Mediation request %d cancelled",
		"declined":    "Mediation request %d declined",
		"rescheduled": "Mediation request %d rescheduled",
		"mediator":    "Mediation assignment %d",
		"withdrawn":   "Mediation assignment %d withdrawn",
		"body":        "Body",
		"language":    "Language",
		"when":        "When",
		"where":       "Where",
		"topic":       "Topic",
		"state":       "State",
		"mediator_is": "Mediator",
		"open":        "Open in the portal",
		"invite":      "Invitation to the mediation portal",
		"invite_text": "%s invites you to request cultural mediators for %s.\nChoose your password at this link, valid once until %s:",
		"login":       "Your login",
		"date":        "2006-01-02 15:04",
	},
}

// MailLanguages are the languages mail can be written in.
func MailLanguages() []string { return slices.Sorted(maps.Keys(mailTexts)) }

// word is key in lang, or in Italian.
func word(lang, key string) string {
	if w, ok := mailTexts[lang][key]; ok {
		return w
	}
	return mailTexts["it"][key]
}

// defaultMailLangs are the languages of a mail to an address with none of
// its own.
var defaultMailLangs = []string{"it", "en"}

// checkMailLang checks a mail language: "" (none) or one of
// MailLanguages.
func checkMailLang(field, lang string) error {
	if lang != "" && mailTexts[lang] == nil {
		return invalid(field, "must be one of "+strings.Join(MailLanguages(), ", ")+", or empty for Italian and English")
	}
	return nil
}

// mailLangs are the languages email reads its mail in.
func mailLangs(ctx context.Context, q querier, email string) ([]string, error) {
	var lang string
	err := q.QueryRowContext(ctx, "SELECT lang FROM mediation_mail_lang WHERE email = ?", email).Scan(&lang)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && mailTexts[lang] == nil) {
		return defaultMailLangs, nil
	}
	if err != nil {
		return nil, fmt.Errorf("mediation: mail language: %w", err)
	}
	return []string{lang}, nil
}

// setMailLang records (or, empty, forgets) the language of email's mail.
func setMailLang(ctx context.Context, tx *sql.Tx, email, lang string) error {
	var err error
	if lang == "" {
		_, err = tx.ExecContext(ctx, "DELETE FROM mediation_mail_lang WHERE email = ?", email)
	} else {
		_, err = tx.ExecContext(ctx, "INSERT INTO mediation_mail_lang(email, lang) VALUES (?, ?) ON CONFLICT(email) DO UPDATE SET lang = excluded.lang", email, lang)
	}
	if err != nil {
		return fmt.Errorf("mediation: mail language: %w", err)
	}
	return nil
}

// compose writes a mail in langs: the subject in each, joined by " / ",
// and the body of each, one after the other.
func compose(langs []string, subject func(lang string) string, body func(lang string) string) (string, string) {
	var subs, bodies []string
	for _, l := range langs {
		subs = append(subs, subject(l))
		bodies = append(bodies, body(l))
	}
	return strings.Join(subs, " / "), strings.Join(bodies, "\n\n-----\n\n")
}

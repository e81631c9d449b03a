// Package mail sends the portal's e-mail through a durable outbox: a
// message is written to the mail_outbox table (in the caller's own
// transaction, so that it exists exactly when the change it tells of
// does) and a sender delivers it over SMTP (STARTTLS or TLS, with a login),
// retrying with a growing backoff while the server is down. A delivered
// message loses its body; it is never sent twice by the outbox.
//
// It keeps its own tables (mail_* migrations) in the portal's file and
// knows nothing of HTTP or of what the messages are about.
package mail

package editorial

import (
	"errors"
	"fmt"
	"time"
)

// The kinds of refusal, for errors.Is; the error's text says why.
var (
	// ErrForbidden: the account may not do this.
	ErrForbidden = errors.New("editorial: forbidden")
	// ErrConflict: the request clashes with what exists.
	ErrConflict = errors.New("editorial: conflict")
	// ErrNotFound: no such account, session or draft.
	ErrNotFound = errors.New("editorial: not found")
	// ErrBadCredentials: a login with a wrong name or password, or for a
	// disabled account (which the answer never tells apart).
	ErrBadCredentials = errors.New("editorial: wrong name or password")
)

// refusal is an error of one kind with its own sentence.
type refusal struct {
	kind error
	msg  string
}

func (e *refusal) Error() string { return e.msg }
func (e *refusal) Unwrap() error { return e.kind }

// Refuse returns an error of the kind (ErrForbidden, ErrConflict or
// ErrNotFound, for errors.Is) whose text is msg alone. The packages that
// build on editorial (mediation, callback) refuse with it, so the portal
// maps one set of kinds to answers.
func Refuse(kind error, msg string) error { return &refusal{kind, msg} }

func forbidden(msg string) error { return Refuse(ErrForbidden, msg) }
func conflict(msg string) error  { return Refuse(ErrConflict, msg) }
func notFound(msg string) error  { return Refuse(ErrNotFound, msg) }

// Invalid returns a FieldError: bad input in field, and why.
func Invalid(field, reason string) error { return &FieldError{Field: field, Reason: reason} }

// FieldError is bad input: the field at fault and why.
type FieldError struct {
	Field  string
	Reason string
}

func (e *FieldError) Error() string { return e.Field + ": " + e.Reason }

func invalid(field, reason string) error { return Invalid(field, reason) }

// LockedError refuses a login while its name is locked after failures.
type LockedError struct{ Wait time.Duration }

func (e *LockedError) Error() string {
	return fmt.Sprintf("editorial: too many failed logins: try again in %s", e.Wait.Round(time.Second))
}

// RecordError says which record of a batch an error is about.
type RecordError struct {
	Kind, ID string
	Err      error
}

func (e *RecordError) Error() string { return e.Err.Error() }
func (e *RecordError) Unwrap() error { return e.Err }
